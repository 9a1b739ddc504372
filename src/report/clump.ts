// Grouping of the candidate variants (p < suggestive) into independent loci, greedily by ascending
// p: the most significant unclaimed variant becomes an index variant and claims every unclaimed
// candidate on its chromosome within +-window bp (clumpByDistance), or, with an LD reference, every
// such candidate whose r^2 with it exceeds a bound (clumpByLd, through the prs command's
// clumpChromosome). A candidate without a position is a locus of its own. Loci come out in order of
// their index variant's p (ties: input order).
import { clumpChromosome, type ClumpVariant } from '../prs/clump.js';

export interface Locus {
  /** Index of the index variant among the candidates. */
  index: number;
  /** Candidates in the locus, the index variant included. */
  nVariants: number;
  /** First and last position of the locus' candidates (the index position for unplaced ones). */
  start: number;
  end: number;
  /** LD grouping only: whether the index variant is in the LD reference (if not, it is alone). */
  inLdRef?: boolean;
}

export interface Candidates {
  chr: Uint32Array;
  bp: Uint32Array;
  nlp: Float64Array;
}

export function clumpByDistance(c: Candidates, windowBp: number, noChr: number): Locus[] {
  const n = c.nlp.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => c.nlp[b] - c.nlp[a] || a - b);
  // Candidates of each chromosome sorted by position, and where each candidate sits in its list.
  const byChr = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (c.chr[i] === noChr) continue;
    let l = byChr.get(c.chr[i]);
    if (!l) byChr.set(c.chr[i], (l = []));
    l.push(i);
  }
  for (const l of byChr.values()) l.sort((a, b) => c.bp[a] - c.bp[b] || a - b);
  const claimed = new Uint8Array(n);
  const loci: Locus[] = [];
  for (const i of order) {
    if (claimed[i]) continue;
    claimed[i] = 1;
    const locus: Locus = { index: i, nVariants: 1, start: c.bp[i], end: c.bp[i] };
    loci.push(locus);
    if (c.chr[i] === noChr) continue;
    const list = byChr.get(c.chr[i])!;
    const lo = c.bp[i] - windowBp;
    const hi = c.bp[i] + windowBp;
    // first position >= lo
    let a = 0;
    let b = list.length;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (c.bp[list[m]] < lo) a = m + 1;
      else b = m;
    }
    for (let k = a; k < list.length && c.bp[list[k]] <= hi; k++) {
      const j = list[k];
      if (claimed[j]) continue;
      claimed[j] = 1;
      locus.nVariants++;
      if (c.bp[j] < locus.start) locus.start = c.bp[j];
      if (c.bp[j] > locus.end) locus.end = c.bp[j];
    }
  }
  return loci;
}

/** r^2 between candidates through their LD records, one chromosome at a time. */
export interface LdLookup {
  /** LD record of each candidate (its index within its chromosome's records), -1 = not in the reference. */
  rec: Int32Array;
  /** r^2 between two records of a chromosome (index variant first), NaN when undefined. */
  open(chr: number): { r2(a: number, b: number): number; close(): void };
}

export interface LdClumpResult {
  loci: Locus[];
  /** Candidate pairs whose r^2 was computed. */
  pairs: number;
  /** Candidates in the reference (grouped by r^2) and placed ones not in it (each a locus of its own). */
  inLdRef: number;
  notInLdRef: number;
}

/**
 * LD grouping: per chromosome, the candidates in the LD reference are clumped greedily by ascending p
 * (clumpChromosome: an index variant claims the unclaimed candidates at most windowBp away whose
 * r^2 with it is strictly greater than r2Bound; an undefined r^2, from a variant monomorphic in the
 * reference, never claims). Candidates not in the reference, and unplaced ones, are loci of their
 * own: their LD with the others is unknown, so they neither claim nor are claimed.
 */
export function clumpByLd(c: Candidates, windowBp: number, noChr: number, r2Bound: number, ld: LdLookup): LdClumpResult {
  const n = c.nlp.length;
  const loci: Locus[] = [];
  const byChr = new Map<number, number[]>();
  let inLdRef = 0;
  let notInLdRef = 0;
  for (let i = 0; i < n; i++) {
    if (c.chr[i] !== noChr && ld.rec[i] >= 0) {
      inLdRef++;
      let l = byChr.get(c.chr[i]);
      if (!l) byChr.set(c.chr[i], (l = []));
      l.push(i);
      continue;
    }
    if (c.chr[i] !== noChr) notInLdRef++;
    loci.push({ index: i, nVariants: 1, start: c.bp[i], end: c.bp[i], inLdRef: false });
  }
  let pairs = 0;
  for (const [chr, list] of byChr) {
    list.sort((a, b) => c.bp[a] - c.bp[b] || a - b);
    const vars: ClumpVariant[] = list.map((i) => ({ pos: c.bp[i], p: Math.exp(-c.nlp[i]), log10p: c.nlp[i] / Math.LN10, order: i }));
    const r = ld.open(chr);
    const locusOf = new Map<number, Locus>();
    const pending: [number, number][] = [];
    let result: ReturnType<typeof clumpChromosome>;
    try {
      result = clumpChromosome(
        vars,
        windowBp,
        r2Bound,
        (a, b) => r.r2(ld.rec[list[a]], ld.rec[list[b]]),
        (a, b) => pending.push([a, b]),
      );
    } finally {
      r.close();
    }
    pairs += result.pairs;
    for (const k of result.index) {
      const i = list[k];
      const locus: Locus = { index: i, nVariants: 1, start: c.bp[i], end: c.bp[i], inLdRef: true };
      locusOf.set(k, locus);
      loci.push(locus);
    }
    for (const [a, b] of pending) {
      // An index variant stays in its own locus (r^2 is symmetric, so this never happens with the
      // dosage method; the EM's rounding could in principle differ between the two directions).
      if (locusOf.has(b)) continue;
      const locus = locusOf.get(a)!;
      const bp = c.bp[list[b]];
      locus.nVariants++;
      if (bp < locus.start) locus.start = bp;
      if (bp > locus.end) locus.end = bp;
    }
  }
  loci.sort((a, b) => c.nlp[b.index] - c.nlp[a.index] || a.index - b.index);
  return { loci, pairs, inLdRef, notInLdRef };
}
