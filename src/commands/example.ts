// `dosageflow example` (what `npm start` runs): assoc on the bundled example cohort — 157 people,
// shaped like the ketamine study — then the top hits next to the planted truth.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv, CommandModule } from 'yargs';
import { runAssoc, outputPathFor, type AssocConfig } from '../pipeline/assoc-run.js';
import { makeDirectory } from '../io/run-dir.js';
import { parseThreads } from './options.js';
import { reportsFor } from './assoc.js';

const EXAMPLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../example');

export async function runExample(outDir: string, threads: number, log: (s: string) => void = (s) => process.stderr.write(s + '\n')): Promise<void> {
  const ex = (f: string) => path.join(EXAMPLE_DIR, f);
  makeDirectory(outDir);
  const cfg: AssocConfig = {
    gen: [ex('ketamine.gen.zst')],
    bgen: [],
    biallelicOnly: false,
    sample: ex('ketamine.sample'),
    pheno: ex('ketamine.pheno.tsv'),
    covar: ex('ketamine.covar.tsv'),
    out: path.join(outDir, 'ketamine'),
    compress: 'none',
    threads,
    filters: { minInfo: 0.6, maxInfo: 1.2, minMaf: 0.01 },
    regions: [],
    digits: 7,
    memoryMB: 256,
    progress: Boolean(process.stderr.isTTY),
    log,
  };
  log(`dosageflow example: the study's model on the bundled cohort (${path.relative(process.cwd(), EXAMPLE_DIR) || EXAMPLE_DIR}):`);
  log('  assoc --gen ketamine.gen.zst --sample ketamine.sample --pheno ketamine.pheno.tsv --covar ketamine.covar.tsv \\');
  log('        --min-info 0.6 --max-info 1.2 --min-maf 0.01');
  const summary = await runAssoc(cfg);
  const truth = readTruth(ex('ketamine.truth.tsv'));
  for (const p of summary.phenos) {
    const file = outputPathFor(cfg.out, p.name, 'none');
    const rows = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split('\t'))
      .filter((r) => r[11] !== 'NA')
      .sort((a, b) => Number(b[12]) - Number(a[12]))
      .slice(0, 5);
    log('');
    log(`top hits for ${p.name} (${file}):`);
    log('  CHR  SNP              BP          A1  A2  FRQ     BETA       P           planted?');
    for (const r of rows) {
      const planted = truth.get(`${p.name}:${r[1]}`) ? 'yes' : '';
      log(
        `  ${r[0].padEnd(4)} ${r[1].padEnd(16)} ${r[2].padEnd(11)} ${r[3].padEnd(3)} ${r[4].padEnd(3)} ${Number(r[5]).toFixed(3).padEnd(7)} ${Number(r[8]).toPrecision(4).padEnd(10)} ${Number(r[11]).toPrecision(3).padEnd(11)} ${planted}`,
      );
    }
  }
  log('');
  log(`results: ${summary.phenos.map((p) => p.output).join(', ')}`);
  await reportsFor(summary, cfg, log);
}

function readTruth(file: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  if (!fs.existsSync(file)) return m;
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  for (const l of lines.slice(1)) {
    const f = l.split('\t');
    m.set(`${f[0]}:${f[2]}`, f);
  }
  return m;
}

export const exampleCommand: CommandModule = {
  command: 'example',
  describe: 'run assoc on the bundled example cohort and show the top hits (what `npm start` does)',
  builder: (y: Argv) =>
    y
      .option('out-dir', { type: 'string', default: 'example-out', describe: 'where the results go' })
      .option('threads', { type: 'number', describe: 'worker threads (default: available cores)' })
      .example('$0 example', 'writes example-out/ketamine.response.tsv and example-out/ketamine.dissociation.tsv'),
  handler: async (argv) => {
    await runExample(String(argv['out-dir'] ?? 'example-out'), parseThreads(argv.threads ?? Math.max(1, os.availableParallelism())));
  },
};
