// Options of the report (CLI flags and the programmatic writeReport) checked once into a typed config.
// Every problem is a UsageError with a one-line message naming the flag.
import { UsageError } from '../errors.js';
import type { ColumnMapping } from '../io/sumstats.js';
import type { LdMethod } from '../prs/ld.js';
import type { GeneSet } from './genes.js';

/** What callers may pass (all optional; the CLI passes its flags through unchanged). */
export interface ReportOptions {
  /** Manhattan plot size in pixels (SVG user units = PNG pixels). Default 1600 x 600. */
  width?: number;
  height?: number;
  /** QQ plot side in pixels (square). Default: the Manhattan height. */
  qqSize?: number;
  /** Loci listed in the table, in summary.json and labelled on the Manhattan plot (default 20). */
  top?: number;
  /** Distance grouping: an index variant claims every candidate within +-clumpKb kilobases (default 500). */
  clumpKb?: number;
  /** Genome-wide significance threshold (default 5e-8). */
  pThreshold?: number;
  /** Suggestive threshold; loci are formed from variants below it (default 1e-5). */
  suggestive?: number;
  /**
   * LD reference (.gen, plain/gzip/zstd, or .bgen) for r^2 grouping of the loci: an index variant
   * then claims only the candidates within +-clumpKb whose r^2 with it exceeds ldR2 (see ldref.ts).
   */
  ldRef?: string;
  /** Oxford .sample of ldRef (optional: its sample count is checked against the reference's). */
  ldRefSample?: string;
  /** plink sample lists choosing the reference samples for r^2 (need ldRef and ldRefSample). */
  keep?: string;
  remove?: string;
  /** r^2 bound of the LD grouping (default 0.1; needs ldRef). */
  ldR2?: number;
  /** How r^2 is computed (default 'dosage'; needs ldRef): see src/prs/ld.ts. */
  ldMethod?: LdMethod | string;
  /** Page title (default: "dosageflow report: <input file name>"). */
  title?: string;
  /** Also render manhattan.png and qq.png (default true). */
  png?: boolean;
  /** Column names for a table whose header is not recognised (--col-* / --columns). */
  columns?: ColumnMapping;
  /** GTF, GFF3 or BED of genes: the nearest gene of each top locus (report/genes.ts). */
  genes?: string;
  /** Gene biotypes the nearest gene is chosen among ('all', or a comma list; default protein_coding). */
  geneTypes?: string;
  /** The genes of `genes` already read (assoc --report reads them once for every phenotype). */
  geneSet?: GeneSet;
}

export interface ReportConfig {
  width: number;
  height: number;
  qqSize: number;
  top: number;
  clumpKb: number;
  pThreshold: number;
  suggestive: number;
  /** Points with p below this are all drawn; the rest are thinned to one per pixel cell. */
  keepP: number;
  title: string | undefined;
  png: boolean;
  /** r^2 grouping against an LD reference; null = distance grouping. */
  ld: LdConfig | null;
  columns: ColumnMapping | undefined;
  /** --genes FILE and the biotypes considered (null: every gene). */
  genes: { file: string; types: Set<string> | null } | null;
}

export interface LdConfig {
  ref: string;
  sample: string | undefined;
  /** --keep / --remove: the reference samples r^2 is computed over (formats/select.ts). */
  keep?: string;
  remove?: string;
  r2: number;
  method: LdMethod;
}

export const REPORT_DEFAULTS = {
  width: 1600,
  height: 600,
  top: 20,
  clumpKb: 500,
  pThreshold: 5e-8,
  suggestive: 1e-5,
  keepP: 1e-3,
  ldR2: 0.1,
  ldMethod: 'dosage',
} as const;

export const MIN_SIDE = 200;
export const MAX_SIDE = 8000;

function num(v: unknown, flag: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`${flag} takes a number, not '${String(v)}'`);
  return n;
}

function int(v: unknown, flag: string, lo: number, hi: number): number {
  const n = num(v, flag);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} takes a whole number, not ${String(v)}`);
  if (n < lo || n > hi) throw new UsageError(`${flag} must be between ${lo} and ${hi}, not ${n}`);
  return n;
}

function prob(v: unknown, flag: string): number {
  const n = num(v, flag);
  if (!(n > 0 && n < 1)) throw new UsageError(`${flag} must be a p-value between 0 and 1 (exclusive), not ${n}`);
  return n;
}

function given(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'string' && v === '');
}

function resolveLd(opts: ReportOptions): LdConfig | null {
  if (!given(opts.ldRef)) {
    for (const [v, flag] of [
      [opts.ldRefSample, '--ld-ref-sample'],
      [opts.ldR2, '--ld-r2'],
      [opts.ldMethod, '--ld-method'],
      [opts.keep, '--keep'],
      [opts.remove, '--remove'],
    ] as const) {
      if (given(v)) throw new UsageError(`${flag} needs --ld-ref FILE (an LD reference .gen, .bgen or VCF)`);
    }
    return null;
  }
  const ref = String(opts.ldRef);
  if (ref === '-') throw new UsageError('--ld-ref cannot be read from stdin: give a .gen, .bgen or VCF file');
  const sample = given(opts.ldRefSample) ? String(opts.ldRefSample) : undefined;
  if (sample === '-') throw new UsageError('--ld-ref-sample cannot be read from stdin');
  const keep = given(opts.keep) ? String(opts.keep) : undefined;
  const remove = given(opts.remove) ? String(opts.remove) : undefined;
  const r2 = given(opts.ldR2) ? num(opts.ldR2, '--ld-r2') : REPORT_DEFAULTS.ldR2;
  if (r2 < 0 || r2 >= 1) throw new UsageError(`--ld-r2 must be at least 0 and below 1, not ${r2}`);
  const method = given(opts.ldMethod) ? String(opts.ldMethod) : REPORT_DEFAULTS.ldMethod;
  if (method !== 'dosage' && method !== 'plink1.9') throw new UsageError(`--ld-method takes dosage or plink1.9, not '${method}'`);
  return { ref, sample, r2, method, ...(keep !== undefined ? { keep } : {}), ...(remove !== undefined ? { remove } : {}) };
}

export function resolveReportConfig(opts: ReportOptions = {}): ReportConfig {
  const ld = resolveLd(opts);
  const width = opts.width === undefined ? REPORT_DEFAULTS.width : int(opts.width, '--width', MIN_SIDE, MAX_SIDE);
  const height = opts.height === undefined ? REPORT_DEFAULTS.height : int(opts.height, '--height', MIN_SIDE, MAX_SIDE);
  const qqSize = opts.qqSize === undefined ? height : int(opts.qqSize, '--qq-size', MIN_SIDE, MAX_SIDE);
  const top = opts.top === undefined ? REPORT_DEFAULTS.top : int(opts.top, '--top', 0, 100000);
  const clumpKb = opts.clumpKb === undefined ? REPORT_DEFAULTS.clumpKb : num(opts.clumpKb, '--clump-kb');
  if (clumpKb < 0 || clumpKb > 1e6) throw new UsageError(`--clump-kb must be between 0 and 1000000, not ${clumpKb}`);
  const pThreshold = opts.pThreshold === undefined ? REPORT_DEFAULTS.pThreshold : prob(opts.pThreshold, '--p-threshold');
  const suggestive = opts.suggestive === undefined ? REPORT_DEFAULTS.suggestive : prob(opts.suggestive, '--suggestive');
  if (suggestive < pThreshold) {
    throw new UsageError(`--suggestive (${suggestive}) must not be below --p-threshold (${pThreshold})`);
  }
  const title = opts.title === undefined || opts.title === null ? undefined : String(opts.title);
  return {
    width,
    height,
    qqSize,
    top,
    clumpKb,
    pThreshold,
    suggestive,
    keepP: REPORT_DEFAULTS.keepP,
    title,
    png: opts.png === undefined ? true : Boolean(opts.png),
    ld,
    columns: opts.columns,
    genes: resolveGenes(opts),
  };
}

function resolveGenes(opts: ReportOptions): ReportConfig['genes'] {
  if (!given(opts.genes)) {
    if (given(opts.geneTypes)) throw new UsageError('--gene-types needs --genes FILE (a GTF, GFF3 or BED of genes)');
    return null;
  }
  const file = String(opts.genes);
  const t = given(opts.geneTypes) ? String(opts.geneTypes).trim() : 'protein_coding';
  const types =
    t === 'all'
      ? null
      : new Set(
          t
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean),
        );
  if (types && types.size === 0) throw new UsageError(`--gene-types takes all or a comma-separated list of biotypes (protein_coding,lncRNA), not '${t}'`);
  return { file, types };
}
