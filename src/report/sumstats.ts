// Reading a summary-statistics table: the header decides which column is which (by name, any order),
// data lines are cut only at the columns the report needs, and P (with LOG10P where P underflowed)
// becomes a natural-log p-value so that p = 1e-320 or p = 0 with LOG10P = 400 keep their size.
import { InputError } from '../errors.js';
import { chrRank, normChr, RANK_OTHER } from '../formats/chrom.js';

/** Columns the report knows; the first name of each list is the canonical one (assoc's header). */
const ALIASES = {
  chr: ['CHR', '#CHROM', 'CHROM', '#CHR'],
  snp: ['SNP', 'ID', 'RSID', 'MARKERNAME'],
  bp: ['BP', 'POS'],
  a1: ['A1'],
  a2: ['A2'],
  frq: ['FRQ', 'A1_FREQ'],
  info: ['INFO'],
  n: ['N', 'OBS_CT'],
  beta: ['BETA'],
  se: ['SE'],
  t: ['T', 'T_STAT'],
  p: ['P'],
  log10p: ['LOG10P', 'LOG10_P'],
} as const;

export type ColumnKey = keyof typeof ALIASES;
export const COLUMN_KEYS = Object.keys(ALIASES) as ColumnKey[];
const REQUIRED: ColumnKey[] = ['chr', 'snp', 'bp', 'p'];

export interface SumstatsHeader {
  names: string[];
  nCols: number;
  /** 'tab' when the header has a tab (the format's separator), else runs of spaces/tabs. */
  delim: 'tab' | 'space';
  /** Column index of each known key, -1 when absent. */
  col: Record<ColumnKey, number>;
}

export function parseHeader(line: string, file: string, lineNo: number): SumstatsHeader {
  const delim = line.includes('\t') ? 'tab' : 'space';
  const names = splitAll(line, delim);
  const upper = names.map((s) => s.trim().toUpperCase());
  const col = {} as Record<ColumnKey, number>;
  for (const key of COLUMN_KEYS) {
    col[key] = -1;
    for (const alias of ALIASES[key]) {
      const i = upper.indexOf(alias);
      if (i >= 0) {
        col[key] = i;
        break;
      }
    }
  }
  const missing = REQUIRED.filter((k) => col[k] < 0).map((k) => ALIASES[k][0]);
  if (missing.length) {
    throw new InputError(
      `not a summary-statistics header: no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''} (expected CHR SNP BP A1 A2 FRQ INFO N BETA SE T P LOG10P)`,
      { file, line: lineNo },
    );
  }
  return { names, nCols: names.length, delim, col };
}

export function splitAll(line: string, delim: 'tab' | 'space'): string[] {
  if (delim === 'tab') return line.split('\t');
  const t = line.trim();
  return t === '' ? [] : t.split(/[ \t]+/);
}

/**
 * Cuts data lines at the wanted columns only. `cut(line)` fills `out` (one slot per wanted column)
 * and returns the number of columns the line has.
 */
export class FieldCutter {
  private readonly slotOf: Int32Array;
  readonly out: string[];
  constructor(
    private readonly header: SumstatsHeader,
    wanted: number[],
  ) {
    this.slotOf = new Int32Array(Math.max(header.nCols, 1)).fill(-1);
    wanted.forEach((c, i) => {
      if (c >= 0) this.slotOf[c] = i;
    });
    this.out = wanted.map(() => '');
  }

  cut(line: string): number {
    const out = this.out;
    for (let i = 0; i < out.length; i++) out[i] = '';
    if (this.header.delim === 'space') {
      const f = splitAll(line, 'space');
      for (let c = 0; c < f.length && c < this.slotOf.length; c++) {
        const s = this.slotOf[c];
        if (s >= 0) out[s] = f[c];
      }
      return f.length;
    }
    const slotOf = this.slotOf;
    const n = slotOf.length;
    let start = 0;
    let c = 0;
    for (;;) {
      const e = line.indexOf('\t', start);
      if (c < n) {
        const s = slotOf[c];
        if (s >= 0) out[s] = e < 0 ? line.slice(start) : line.slice(start, e);
      }
      c++;
      if (e < 0) break;
      start = e + 1;
    }
    return c;
  }
}

/** Spellings of a missing value. */
export function isNA(s: string): boolean {
  switch (s) {
    case '':
    case 'NA':
    case 'na':
    case 'NaN':
    case 'nan':
    case '.':
      return true;
    default:
      return false;
  }
}

/** Smallest positive normal double: below it log(p) loses precision, so LOG10P is preferred. */
const MIN_NORMAL = 2.2250738585072014e-308;
/** log(Number.MIN_VALUE): the bound used for P = 0 when no LOG10P says how small it is. */
export const LOG_MIN_DOUBLE = Math.log(Number.MIN_VALUE);

/**
 * Natural log of the p-value of a row, NaN when P is missing. LOG10P (= -log10 p) is used when P is
 * 0 or subnormal (it underflowed when written). Throws InputError on a P outside [0, 1].
 */
export function logPOf(pText: string, log10pText: string | undefined, file: string, lineNo: number): number {
  if (isNA(pText)) return NaN;
  const p = Number(pText);
  if (!(p >= 0 && p <= 1)) {
    throw new InputError(`P must be a number between 0 and 1 or NA, not '${clip(pText)}'`, { file, line: lineNo });
  }
  if (p >= MIN_NORMAL) return Math.log(p);
  if (log10pText !== undefined && !isNA(log10pText)) {
    const l = Number(log10pText);
    if (Number.isFinite(l) && l > 0) return -l * Math.LN10;
  }
  return p > 0 ? Math.log(p) : LOG_MIN_DOUBLE;
}

/** BP as a non-negative integer, or -1 when missing. */
export function bpOf(text: string, file: string, lineNo: number): number {
  if (isNA(text)) return -1;
  const v = Number(text);
  if (!Number.isInteger(v) || v < 0 || v > MAX_BP) {
    throw new InputError(`BP must be a whole number between 0 and ${MAX_BP} or NA, not '${clip(text)}'`, { file, line: lineNo });
  }
  return v;
}

/** Positions are stored as uint32; 0xffffffff marks "no position". */
export const MAX_BP = 0xfffffffe;
export const NO_BP = 0xffffffff;

export function clip(s: string, n = 40): string {
  return s.length > n ? s.slice(0, n) + '...' : s;
}

/** Number or null (NA / unparsable) for the JSON rows. */
export function numOrNull(s: string | undefined): number | null {
  if (s === undefined || isNA(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

/** Chromosome table: the codes seen, normalised (chr1 = 1, 23 = X, M = MT), with genome order. */
export class ChromTable {
  readonly labels: string[] = [];
  private readonly byNorm = new Map<string, number>();
  private readonly byRaw = new Map<string, number>();

  /** Index of a raw code (cached), -1 for NA. */
  index(raw: string): number {
    const hit = this.byRaw.get(raw);
    if (hit !== undefined) return hit;
    let idx = -1;
    if (!isNA(raw)) {
      const norm = normChr(raw);
      const known = this.byNorm.get(norm);
      if (known !== undefined) idx = known;
      else {
        idx = this.labels.length;
        this.labels.push(norm);
        this.byNorm.set(norm, idx);
      }
    }
    if (this.byRaw.size < 100000) this.byRaw.set(raw, idx);
    return idx;
  }

  /** Indices in genome order: 1..22, X, Y, XY, MT, then other codes by name (numbers numerically). */
  order(indices: number[]): number[] {
    return [...indices].sort((a, b) => compareChr(this.labels[a], this.labels[b]));
  }
}

export function compareChr(a: string, b: string): number {
  const ra = chrRank(a);
  const rb = chrRank(b);
  if (ra !== rb) return ra - rb;
  if (ra !== RANK_OTHER) return 0;
  return naturalCompare(a, b);
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });
function naturalCompare(a: string, b: string): number {
  const c = collator.compare(a, b);
  return c !== 0 ? c : a < b ? -1 : a > b ? 1 : 0;
}
