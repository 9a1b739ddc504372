// dosageflow as a library (`import { assoc, readSumstats } from 'dosageflow'`): run an association
// from Node and iterate over the rows of any summary-statistics table. See docs/api.md.
import { validateAssocOptions } from './commands/assoc.js';
import { openSumstats, type ColumnKey, type ColumnMapping } from './io/sumstats.js';
import { runAssoc, type AssocSummary } from './pipeline/assoc-run.js';

export { DosageflowError, FileError, InputError, UsageError } from './errors.js';
export type { AssocSummary, PhenoSummary } from './pipeline/assoc-run.js';
export type { ColumnMapping } from './io/sumstats.js';
export { writeReport } from './report/index.js';
export type { ReportOptions, ReportSummary } from './report/index.js';
export { versionInfo, type VersionInfo } from './version.js';

/** Options of `dosageflow assoc`, camelCased (see `dosageflow assoc --help`). */
export interface AssocOptions {
  gen?: string[];
  bgen?: string[];
  vcf?: string[];
  sample?: string;
  pheno: string;
  phenoName?: string[];
  covar?: string;
  covarName?: string[];
  out: string;
  compress?: 'none' | 'gz' | 'bgz' | 'zst';
  minInfo?: number;
  maxInfo?: number;
  minMaf?: number | string;
  region?: string[];
  threads?: number;
  /** Where progress and the closing summary go (default: nowhere). */
  log?: (line: string) => void;
}

/** Run an association; resolves when every table is written (their paths: summary.phenos[i].output). */
export async function assoc(o: AssocOptions): Promise<AssocSummary> {
  const dashed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (k !== 'log' && v !== undefined) dashed[k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())] = v;
  const cfg = validateAssocOptions(dashed);
  return runAssoc({ ...cfg, progress: false, log: o.log ?? (() => {}) });
}

/** One row of a summary-statistics table: the known columns typed, every column as text in `fields`. */
export interface SumstatsRow {
  chr: string;
  snp: string;
  bp: number;
  a1?: string;
  a2?: string;
  beta?: number;
  se?: number;
  /** NaN when the table says NA. */
  p: number;
  n?: number;
  frq?: number;
  fields: Record<string, string>;
}

/**
 * The rows of a summary-statistics table (plain, gzip/BGZF or zstd), streamed: dosageflow's header or
 * another tool's (plink2 --glm, regenie, SAIGE, BOLT-LMM, GWAS-SSF: the effect allele as a1), or any
 * table with `columns` naming its columns ({ chr: 'CHR', bp: 'BP', p: 'PVAL', ... }).
 */
export async function* readSumstats(file: string, columns?: ColumnMapping): AsyncGenerator<SumstatsRow> {
  const table = await openSumstats(file, { required: ['chr', 'bp', 'p'], mapping: columns });
  const { row, layout } = table;
  const opt = (k: ColumnKey) => (available(k) ? row.num(k) : undefined);
  const available = (k: ColumnKey) => layout.col[k] >= 0 || (k === 'beta' && layout.or >= 0);
  for await (const _ of table.rows) {
    const fields: Record<string, string> = {};
    layout.names.forEach((name, i) => (fields[name] = row.field(i)));
    yield {
      chr: row.text('chr')!,
      snp: row.text('snp')!,
      bp: Number(row.text('bp')),
      a1: row.text('a1'),
      a2: row.text('a2'),
      beta: opt('beta'),
      se: opt('se'),
      p: row.pAndLog10p()[0],
      n: opt('n'),
      frq: opt('frq'),
      fields,
    };
  }
}
