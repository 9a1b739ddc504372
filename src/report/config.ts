// Options of the report (CLI flags and the programmatic writeReport) checked once into a typed config.
// Every problem is a UsageError with a one-line message naming the flag.
import { UsageError } from '../errors.js';

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
  /** Dosage file for r^2 clumping. TODO: not yet supported (UsageError); the lead wires it later. */
  ldRef?: string;
  /** Page title (default: "dosageflow report: <input file name>"). */
  title?: string;
  /** Also render manhattan.png and qq.png (default true). */
  png?: boolean;
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
}

export const REPORT_DEFAULTS = {
  width: 1600,
  height: 600,
  top: 20,
  clumpKb: 500,
  pThreshold: 5e-8,
  suggestive: 1e-5,
  keepP: 1e-3,
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

export function resolveReportConfig(opts: ReportOptions = {}): ReportConfig {
  if (opts.ldRef !== undefined && opts.ldRef !== null && String(opts.ldRef) !== '') {
    // TODO(lead): r^2-based clumping against a dosage reference (--ld-ref FILE).
    throw new UsageError('--ld-ref: LD clumping from a dosage reference is not yet supported; omit it to group loci by distance (--clump-kb)');
  }
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
  };
}
