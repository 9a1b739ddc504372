// `dosageflow merge`: options -> validated MergeConfig -> runMerge (src/pipeline/merge.ts).
import * as path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { COLUMN_OPTIONS, mappingFromArgs } from '../io/sumstats.js';
import type { OutCompression } from '../io/output.js';
import { runMerge, type MergeConfig } from '../pipeline/merge.js';
import { fileList, parseNumber } from './options.js';

/** Compression implied by the output name: .gz -> gz, .zst -> zst, anything else none. */
export function compressionForName(out: string): OutCompression {
  if (out.endsWith('.gz')) return 'gz';
  if (out.endsWith('.zst')) return 'zst';
  return 'none';
}

/** Turn parsed argv into a config, or throw a UsageError naming the option. */
export function validateMergeOptions(a: Record<string, unknown>): MergeConfig {
  const inputs = fileList(a.files);
  if (inputs.length === 0) throw new UsageError('give the tables to merge: dosageflow merge FILE... --out FILE');
  if (inputs.filter((f) => f === '-').length > 1) throw new UsageError('stdin (-) can be given only once');
  const seen = new Map<string, string>();
  for (const f of inputs) {
    if (f === '-') continue;
    const key = path.resolve(f);
    if (seen.has(key)) throw new UsageError(`${f} is given twice`);
    seen.set(key, f);
  }
  if (a.out === undefined || a.out === '' || a.out === true) throw new UsageError('give the output with --out FILE (or --out - for stdout)');
  const out = String(a.out);
  const sort = Boolean(a.sort);
  if (sort && inputs.length > 1) throw new UsageError(`--sort takes one table, not ${inputs.length} (merge sorted tables without --sort)`);
  const byName = out === '-' ? 'none' : compressionForName(out);
  let compress: OutCompression = byName;
  if (a.compress !== undefined) {
    const c = String(a.compress).replace(/^bgz$/, 'gz');
    if (!['none', 'gz', 'zst'].includes(c)) throw new UsageError(`--compress takes gz, zst or none, not '${c}'`);
    if (out === '-' && c !== 'none') throw new UsageError('--compress applies to files; with --out - pipe into a compressor');
    if (byName !== 'none' && c !== byName) throw new UsageError(`--compress ${c} contradicts the .${byName} suffix of --out`);
    compress = c as OutCompression;
  }
  const memoryMB = a.memory === undefined ? 256 : parseNumber(a.memory, '--memory', 16);
  return {
    inputs,
    out,
    compress,
    sort,
    memoryMB,
    tmpDir: a['tmp-dir'] ? String(a['tmp-dir']) : undefined,
    columns: mappingFromArgs(a),
  };
}

export const mergeCommand: CommandModule = {
  command: 'merge [files..]',
  describe: 'merge genome-sorted summary-statistics tables (e.g. assoc shards) into one; --sort sorts one table',
  builder: (y: Argv) =>
    y
      .usage(
        '$0 merge FILE... --out FILE\n$0 merge --sort FILE --out FILE\n\n' +
          'K-way merge of genome-sorted tables (header CHR SNP BP A1 A2 ..., as written by `dosageflow\n' +
          'assoc`, or the layouts of assoc --format gwas-ssf, plink2 and regenie, one format per merge;\n' +
          'plain, gzip or zstd, detected from content) into one table in the same order: by\n' +
          'chromosome, position, then the row itself, so merging the shards of a run gives exactly the\n' +
          'bytes of the unsharded run. Every input must have the same header and be genome-sorted, and a\n' +
          'variant (CHR SNP BP A1 A2) may appear in only one input. The output is compressed by its\n' +
          'name (.gz, .zst) unless --compress says otherwise, and appears only once complete.\n' +
          'With --sort, one unsorted table is sorted using at most --memory MB, spilling sorted runs to\n' +
          '--tmp-dir.\n\n' +
          "Other tools' tables (plink2 --glm, regenie, SAIGE, BOLT-LMM, GWAS-SSF: e.g. per-chromosome\n" +
          'outputs) are merged as they are, keyed by their chromosome and position columns, rows and header\n' +
          'unchanged; any other table with --col-chr and --col-pos (or --columns chr=..,pos=..).',
      )
      .positional('files', { type: 'string', array: true, describe: 'tables to merge (plain, .gz or .zst: detected from content); - = stdin' })
      .option('out', { alias: 'o', type: 'string', describe: 'output file; - writes to stdout' })
      .option('compress', { type: 'string', describe: 'gz (= bgz: BGZF with a tabix index FILE.gz.tbi), zst or none (default: from the --out suffix: .gz, .zst, otherwise none)' })
      .option('sort', { type: 'boolean', describe: 'sort one unsorted table (external merge sort)' })
      .option('memory', {
        type: 'number',
        describe: 'MB of memory (default 256): --sort holds this much before spilling a run; merge opens one input per 4 MB at once, more are merged in passes',
      })
      .option('tmp-dir', { type: 'string', describe: 'directory for sorted runs and merge passes (default: beside the output)' })
      .options(COLUMN_OPTIONS)
      .example('$0 merge res/s*.response.tsv.gz --out res/response.tsv.gz', 'merge assoc shards (any order)')
      .example('$0 merge chr1.tsv.zst chr2.tsv.zst --out - | head', 'merge to stdout')
      .example('$0 merge s*.response.tsv.gz --out gcst.response.tsv.gz', "GWAS-SSF shards (assoc --format gwas-ssf --shard I/N): the first input's -meta.yaml is carried over")
      .example('$0 merge --sort big.tsv --out big.sorted.tsv.zst --memory 1024', 'sort one table')
      .example('$0 merge step2_chr*_height.regenie --out height.regenie', 'regenie per-chromosome outputs into one genome-sorted table')
      .example('$0 merge --sort meta.tbl --col-chr Chromosome --col-pos Position --out meta.sorted.tbl', 'any table, its key columns named'),
  handler: async (argv) => {
    const cfg = validateMergeOptions(argv as Record<string, unknown>);
    await runMerge(cfg);
  },
};
