// `dosageflow bench FILE`: times assoc on the user's own file (or its head) at several thread
// counts and projects the whole file's time, for sizing cluster jobs (issue 19).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError, fileError } from '../errors.js';
import { parseNumber } from './options.js';

interface BenchArgs {
  file: string;
  sample?: string;
  pheno?: string;
  covar?: string;
  threads?: string;
  variants?: number;
}

export interface BenchRun {
  threads: number;
  seconds: number;
  variants: number;
  samples: number;
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench <file>',
  describe: 'time assoc on your own .gen/BGEN file (or its head) at several thread counts',
  builder: (y: Argv<object>) =>
    y
      .usage(
        '$0 bench FILE [--sample S] [--pheno P] [--covar C] [--threads 1,2,4] [--variants 20000]\n\n' +
          'Runs assoc on the first --variants variants of FILE (.gen in any compression, or BGEN) at\n' +
          'each thread count and prints variants/s, sample x variants/s per core and the projected\n' +
          'time for the whole file. Without --pheno, two random phenotypes (one 40% missing) and 12\n' +
          "random covariates are used, the study's model. Nothing is written beside FILE.",
      )
      .positional('file', { type: 'string', describe: 'the .gen / .gen.gz / .gen.zst or .bgen file' })
      .option('sample', { type: 'string', describe: 'Oxford .sample (needed for .gen; BGEN may carry its sample IDs)' })
      .option('pheno', { type: 'string', describe: 'phenotype table (default: random phenotypes)' })
      .option('covar', { type: 'string', describe: 'covariate table (default with random phenotypes: 12 random covariates)' })
      .option('threads', { type: 'string', describe: 'comma-separated thread counts (default: 1 and the available cores)' })
      .option('variants', { type: 'number', describe: 'variants timed from the head of the file (default 20000)' })
      .example('$0 bench chr22.gen.zst --sample cohort.sample --threads 1,2,4', 'random phenotypes, 1, 2 and 4 threads')
      .example('$0 bench ukb_chr1.bgen --pheno p.tsv --covar c.tsv --variants 5000', 'your model, the first 5,000 variants') as unknown as Argv<BenchArgs>,
  handler: async (argv) => {
    const runs = await runBench(argv, (l) => process.stderr.write(l + '\n'));
    for (const l of benchLines(runs.runs, runs.totalVariants, runs.estimated)) process.stdout.write(l + '\n');
  },
};

function threadList(v: string | undefined): number[] {
  if (v === undefined) return [...new Set([1, Math.max(1, os.availableParallelism())])];
  return String(v)
    .split(',')
    .filter((s) => s !== '')
    .map((s) => {
      const n = parseNumber(s, '--threads', 1, 256);
      if (!Number.isInteger(n)) throw new UsageError(`--threads takes whole numbers, not ${s}`);
      return n;
    });
}

/** Runs assoc on the head of the file at each thread count. */
export async function runBench(a: BenchArgs, log: (l: string) => void): Promise<{ runs: BenchRun[]; totalVariants: number; estimated: boolean }> {
  const threads = threadList(a.threads);
  const want = a.variants === undefined ? 20000 : parseNumber(a.variants, '--variants', 1);
  const { runAssoc, resolveSamples } = await import('../pipeline/assoc-run.js');
  const { readBgenHeader } = await import('../pipeline/bgen-source.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dosageflow-bench-'));
  try {
    const head = fs.openSync(a.file, 'r');
    const magic = Buffer.alloc(8);
    fs.readSync(head, magic, 0, 8, 0);
    fs.closeSync(head);
    const isBgen = magic.subarray(4, 8).toString('latin1') === 'bgen' || /\.bgen$/i.test(a.file);
    let gen: string[] = [];
    let bgen: string[] = [];
    let shard: { index: number; count: number } | undefined;
    let totalVariants: number;
    let estimated = false;
    const headers = new Map();
    if (isBgen) {
      const h = await readBgenHeader(a.file);
      headers.set(a.file, h);
      bgen = [a.file];
      totalVariants = h.nVariants;
      const count = Math.max(1, Math.floor(h.nVariants / want));
      if (count > 1) shard = { index: 1, count };
    } else {
      const cut = await genHead(a.file, want, path.join(dir, 'head.gen'));
      gen = [cut.file];
      totalVariants = cut.complete ? cut.lines : Math.round((cut.lines * fs.statSync(a.file).size) / Math.max(1, cut.rawBytes));
      estimated = !cut.complete;
    }
    const samples = await resolveSamples({ sample: a.sample, gen, bgen }, headers);
    let pheno = a.pheno;
    let covar = a.covar;
    if (!pheno) {
      const t = randomTables(
        samples.map((s) => s.iid),
        dir,
        covar === undefined,
      );
      pheno = t.pheno;
      covar = covar ?? t.covar;
    }
    const runs: BenchRun[] = [];
    for (const th of threads) {
      const t0 = process.hrtime.bigint();
      const s = await runAssoc({
        gen,
        bgen,
        biallelicOnly: false,
        sample: a.sample,
        pheno,
        phenoNames: [],
        covar,
        covarNames: [],
        out: path.join(dir, `t${th}`),
        compress: 'none',
        threads: th,
        filters: { minInfo: 0, maxInfo: Infinity, minMaf: 0 },
        regions: [],
        shard,
        digits: 7,
        memoryMB: 256,
        progress: false,
        log: () => {},
      });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      runs.push({ threads: th, seconds, variants: s.variantsRead, samples: s.sampleCount });
      log(`dosageflow bench: ${th} thread${th === 1 ? '' : 's'}: ${s.variantsRead} variants in ${seconds.toFixed(2)} s`);
    }
    return { runs, totalVariants, estimated };
  } catch (e) {
    throw fileError(e, a.file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The first `want` lines of a .gen (any compression), written plain; with the raw bytes they took. */
async function genHead(file: string, want: number, out: string): Promise<{ file: string; lines: number; rawBytes: number; complete: boolean }> {
  const { openInput } = await import('../io/input.js');
  const inp = await openInput(file);
  const fd = fs.openSync(out, 'w');
  let lines = 0;
  let complete = true;
  try {
    for await (const chunk of inp.stream as AsyncIterable<Buffer>) {
      let start = 0;
      while (lines < want) {
        const e = chunk.indexOf(10, start);
        if (e < 0) break;
        lines++;
        start = e + 1;
      }
      if (lines >= want) {
        fs.writeSync(fd, chunk.subarray(0, start));
        complete = false;
        break;
      }
      fs.writeSync(fd, chunk);
    }
  } finally {
    fs.closeSync(fd);
    inp.stream.destroy();
  }
  return { file: out, lines, rawBytes: inp.rawBytesRead(), complete };
}

/** Two random phenotypes (one 40% NA) and 12 random covariates for the samples. */
function randomTables(iids: string[], dir: string, withCovar: boolean): { pheno: string; covar?: string } {
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pheno = path.join(dir, 'pheno.tsv');
  fs.writeFileSync(pheno, 'IID\ty1\ty2\n' + iids.map((id) => `${id}\t${(rnd() * 2 - 1).toFixed(5)}\t${rnd() < 0.4 ? 'NA' : (rnd() * 2 - 1).toFixed(5)}`).join('\n') + '\n');
  if (!withCovar) return { pheno };
  const covar = path.join(dir, 'covar.tsv');
  const names = ['age', 'sex', ...Array.from({ length: 10 }, (_, k) => `PC${k + 1}`)];
  const row = () => [Math.round(20 + 50 * rnd()), rnd() < 0.5 ? 1 : 2, ...Array.from({ length: 10 }, () => ((rnd() - 0.5) * 0.1).toFixed(5))];
  fs.writeFileSync(covar, 'IID\t' + names.join('\t') + '\n' + iids.map((id) => `${id}\t${row().join('\t')}`).join('\n') + '\n');
  return { pheno, covar };
}

export function benchLines(runs: BenchRun[], totalVariants: number, estimated: boolean): string[] {
  const out = ['threads\tvariants\tseconds\tvariants/s\tsample_variants/s/core\tprojected_s_whole_file'];
  for (const r of runs) {
    const rate = r.variants / r.seconds;
    out.push([r.threads, r.variants, r.seconds.toFixed(2), Math.round(rate), Math.round((rate * r.samples) / r.threads).toExponential(3), (totalVariants / rate).toFixed(0)].join('\t'));
  }
  out.push(
    `# whole file: ${estimated ? '~' : ''}${totalVariants} variants${estimated ? " (estimated from the head's share of the compressed bytes)" : ''}; timings include start-up, so short heads understate throughput`,
  );
  return out;
}
