// The report's side of a summary-statistics table (read by io/sumstats.ts): positions, numbers for the
// JSON rows and the table of chromosomes seen.
import { InputError } from '../errors.js';
import { isNA, quoteField } from '../io/sumstats.js';
import { chrRank, normChr } from '../formats/chrom.js';
import { compareChrom } from '../pipeline/order.js';

export { isNA } from '../io/sumstats.js';

/** BP as a non-negative integer, or -1 when missing. */
export function bpOf(text: string, file: string, lineNo: number): number {
  if (isNA(text)) return -1;
  const v = Number(text);
  if (!Number.isInteger(v) || v < 0 || v > MAX_BP) {
    throw new InputError(`BP must be a whole number between 0 and ${MAX_BP} or NA, not '${quoteField(text)}'`, { file, line: lineNo });
  }
  return v;
}

/** Positions are stored as uint32; 0xffffffff marks "no position". */
export const MAX_BP = 0xfffffffe;
export const NO_BP = 0xffffffff;

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

  /** Indices in genome order (the tables' order: pipeline/order.ts compareChrom). */
  order(indices: number[]): number[] {
    const l = this.labels;
    return [...indices].sort((a, b) => compareChrom(chrRank(l[a]), l[a], chrRank(l[b]), l[b]));
  }
}
