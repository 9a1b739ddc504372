// dosageflow as a library (`import { assoc, readSumstats } from 'dosageflow'`): run an association
// from Node and iterate over the rows of any summary-statistics table. See docs/api.md.
import { validateAssocOptions } from './commands/assoc.js';
import { InputError } from './errors.js';
import { openInput } from './io/input.js';
import { readLines } from './io/lines.js';
import { runAssoc, type AssocSummary } from './pipeline/assoc-run.js';
import { isNA, parseHeader, splitAll } from './report/sumstats.js';

export { DosageflowError, FileError, InputError, UsageError } from './errors.js';
export type { AssocSummary, PhenoSummary } from './pipeline/assoc-run.js';
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

/** The rows of a summary-statistics table (plain, gzip/BGZF or zstd; dosageflow's or plink2's header), streamed. */
export async function* readSumstats(file: string): AsyncGenerator<SumstatsRow> {
  const { stream } = await openInput(file);
  let lineNo = 0;
  let h: ReturnType<typeof parseHeader> | null = null;
  const num = (s: string | undefined) => (s === undefined || isNA(s) ? NaN : Number(s));
  for await (const bytes of readLines(stream)) {
    lineNo++;
    const line = Buffer.from(bytes).toString('utf8').replace(/\r$/, '');
    if (line === '') continue;
    if (!h) {
      h = parseHeader(line, file, lineNo);
      continue;
    }
    const f = splitAll(line, h.delim);
    if (f.length !== h.nCols) throw new InputError(`${f.length} columns, the header has ${h.nCols}`, { file, line: lineNo });
    const col = h.col;
    const at = (k: keyof typeof col) => (col[k] >= 0 ? f[col[k]] : undefined);
    const fields: Record<string, string> = {};
    h.names.forEach((name, i) => (fields[name] = f[i]));
    yield {
      chr: at('chr')!,
      snp: at('snp')!,
      bp: Number(at('bp')),
      a1: at('a1'),
      a2: at('a2'),
      beta: at('beta') === undefined ? undefined : num(at('beta')),
      se: at('se') === undefined ? undefined : num(at('se')),
      p: num(at('p')),
      n: at('n') === undefined ? undefined : num(at('n')),
      frq: at('frq') === undefined ? undefined : num(at('frq')),
      fields,
    };
  }
  if (!h) throw new InputError('empty: no header line', { file });
}
