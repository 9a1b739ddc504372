// Shared option parsing helpers: every check happens here once, and every message is one short line.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../errors.js';
import { normChr } from '../formats/chrom.js';
import type { Region } from '../workers/protocol.js';

/** Accept repeated options and comma-separated lists: --x a,b --x c -> [a, b, c]. */
export function listOption(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr
    .flatMap((x) => String(x).split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function fileList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.map(String).filter((s) => s !== '');
}

/** `--chr` labels IMPUTE2 .gen files only: with no --gen input it is a usage error naming `instead`. */
export function checkChrOption(chr: unknown, gen: string[], instead: string): void {
  if (chr !== undefined && gen.length === 0)
    throw new UsageError(`--chr names the chromosome of IMPUTE2 .gen files without a CHR column; --bgen and --vcf files carry their own chromosome (${instead})`);
}

/** The prefix of `--out DIR/` (or an existing directory) for assoc, prs and simulate, as plink2's `plink2`. */
export const DEFAULT_PREFIX = 'dosageflow';
export const PREFIX_COMMANDS = new Set(['assoc', 'prs', 'simulate']);
export const PREFIX_HELP = `; a directory (DIR/, or one that exists) means DIR/${DEFAULT_PREFIX}.*`;

/** An output prefix naming a directory writes the default prefix in it, never a hidden `DIR/.response.tsv` (issue 15.23). */
export function outPrefix(out: string): string {
  if (out === '' || out === '-') return out;
  let dir = out.endsWith('/');
  if (!dir) {
    try {
      dir = fs.statSync(out).isDirectory();
    } catch {
      dir = false;
    }
  }
  return dir ? path.join(out, DEFAULT_PREFIX) : out;
}

/** Sizes like 4096, 64k, 4M, 1G. */
export function parseSize(v: unknown, name: string, max = Infinity): number {
  const s = String(v).trim();
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?$/.exec(s);
  if (!m) throw new UsageError(`${name} takes a size like 4096, 64k or 4M, not '${s}'`);
  const mult = { '': 1, k: 1024, m: 1 << 20, g: 1 << 30 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Math.floor(Number(m[1]) * mult);
  if (n < 1) throw new UsageError(`${name} must be at least 1 byte`);
  if (n > max) throw new UsageError(`${name} must be between 1 and ${formatSize(max)}, not '${s}'`);
  return n;
}

export function parseNumber(v: unknown, name: string, lo = -Infinity, hi = Infinity): number {
  const n = typeof v === 'number' ? v : Number(String(v));
  if (!Number.isFinite(n)) throw new UsageError(`${name} takes a number, not '${v}'`);
  if (n < lo || n > hi) throw new UsageError(`${name} must be between ${lo} and ${hi}, not ${n}`);
  return n;
}

/** A fraction written as a number (0.01) or a percentage (1%), echoed as given when it is neither. */
export function parseFraction(v: unknown, name: string, hi = 1): number {
  const s = String(v).trim();
  const m = /^(.*?)\s*%$/.exec(s);
  const n = m ? Number(m[1]) / 100 : Number(s);
  if (s === '' || (m && m[1] === '') || !Number.isFinite(n)) throw new UsageError(`${name} takes a number such as 0.01 or 1%, not '${s}'`);
  if (n < 0 || n > hi) throw new UsageError(`${name} must be between 0 and ${hi}, not ${s}`);
  return n;
}

export function parseThreads(v: unknown): number {
  if (v === undefined) return Math.max(1, os.availableParallelism());
  const n = parseNumber(v, '--threads', 1, 256);
  if (!Number.isInteger(n)) throw new UsageError(`--threads takes a whole number, not ${v}`);
  return n;
}

/** CHR or CHR:START-END (also CHR:POS); positions may use commas. */
export function parseRegion(s: string): Region {
  const m = /^([^:\s]+)(?::([\d,]+)(?:-([\d,]+))?)?$/.exec(s.trim());
  if (!m) throw new UsageError(`--region takes CHR or CHR:START-END, not '${s}'`);
  const chr = normChr(m[1]);
  const start = m[2] ? Number(m[2].replace(/,/g, '')) : 0;
  const end = m[3] ? Number(m[3].replace(/,/g, '')) : m[2] ? start : Infinity;
  if (end < start) throw new UsageError(`--region ${s}: end is before start`);
  return { chr, start, end };
}

/** --keep/--remove/--extract/--exclude (formats/select.ts): file names, checked when read. */
export function selectionOptions(a: Record<string, unknown>): { keep?: string; remove?: string; extract?: string; exclude?: string } {
  const one = (name: string): string | undefined => {
    const v = a[name];
    if (v === undefined) return undefined;
    if (Array.isArray(v)) throw new UsageError(`--${name} takes one file`);
    const f = String(v);
    if (f === '' || f === '-') throw new UsageError(`--${name} takes a file name`);
    return f;
  };
  return { keep: one('keep'), remove: one('remove'), extract: one('extract'), exclude: one('exclude') };
}

/** The yargs definitions of those options, shared by the commands that read genotypes. */
export const SELECTION_OPTIONS = {
  keep: { type: 'string', describe: 'only the samples listed (plink format: FID IID or IID a line, header optional)' },
  remove: { type: 'string', describe: 'all samples but those listed (same format as --keep)' },
  extract: { type: 'string', describe: 'only the variants whose ID (the SNP column) is listed, whitespace-separated' },
  exclude: { type: 'string', describe: 'all variants but those listed (same format as --extract)' },
} as const;

function formatSize(n: number): string {
  if (n % (1 << 30) === 0) return `${n / (1 << 30)}G`;
  if (n % (1 << 20) === 0) return `${n / (1 << 20)}M`;
  if (n % 1024 === 0) return `${n / 1024}k`;
  return String(n);
}
