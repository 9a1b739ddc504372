// Greedy LD clumping of one chromosome, as plink 1.9 --clump does it (p1 = p2 = --clump-p):
//   variants with P <= clump-p are candidate index variants, taken in order of ascending P (ties:
//   P values that underflowed to 0 by -log10 P, then target file order); a candidate not yet
//   clumped becomes an index variant and claims every variant not yet clumped within the window
//   (|distance| <= radius, see clumpRadius) whose r^2 with it is strictly greater than the bound.
// Like plink, an index variant is not itself marked clumped (it is never visited again anyway), and
// a pair whose r^2 is undefined (a monomorphic variant) is never clumped.

export interface ClumpVariant {
  pos: number;
  p: number;
  log10p: number;
  /** Order in the target (plink's tie-break). */
  order: number;
}

export interface ClumpResult {
  /** Indices (into the position-sorted input) of the index variants, in processing order. */
  index: number[];
  /** For each index variant (parallel to `index`): how many variants it claimed. */
  nClumped: number[];
  /** Pairs whose r^2 was computed (for the summary). */
  pairs: number;
}

/**
 * plink 1.9's window: --clump-kb KB clumps variants at most floor(KB * 1000) - 1 bp away (measured:
 * at --clump-kb 250 a variant 249,999 bp away is clumped, one 250,000 bp away is not).
 */
export function clumpRadius(kb: number): number {
  return Math.floor(kb * 1000 * (1 + 2 ** -44)) - 1;
}

/** Order of index candidates: ascending P, then -log10 P descending for P = 0, then target order. */
export function comparePriority(a: ClumpVariant, b: ClumpVariant): number {
  if (a.p !== b.p) return a.p < b.p ? -1 : 1;
  if (a.p === 0 && a.log10p !== b.log10p) return a.log10p > b.log10p ? -1 : 1;
  return a.order - b.order;
}

/**
 * Clump `vars` (sorted by position). `r2(i, j)` gives the r^2 between variants i and j (i the index
 * variant), NaN when undefined. `onClump(i, j)`, when given, is told each variant j that index
 * variant i claims (the report uses it for the extent of each locus).
 */
export function clumpChromosome(vars: ClumpVariant[], radius: number, r2Bound: number, r2: (i: number, j: number) => number, onClump?: (i: number, j: number) => void): ClumpResult {
  const n = vars.length;
  for (let i = 1; i < n; i++) {
    if (vars[i].pos < vars[i - 1].pos) throw new Error('clumpChromosome: variants must be sorted by position');
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => comparePriority(vars[a], vars[b]));
  const clumped = new Uint8Array(n);
  const index: number[] = [];
  const nClumped: number[] = [];
  let pairs = 0;
  for (const i of order) {
    if (clumped[i]) continue;
    const x = vars[i].pos;
    // First variant at or after x - radius.
    let lo = 0;
    let hi = i;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (vars[m].pos < x - radius) lo = m + 1;
      else hi = m;
    }
    let count = 0;
    for (let j = lo; j < n && vars[j].pos <= x + radius; j++) {
      if (j === i || clumped[j]) continue;
      pairs++;
      const v = r2(i, j);
      if (v > r2Bound) {
        clumped[j] = 1;
        count++;
        if (onClump) onClump(i, j);
      }
    }
    index.push(i);
    nClumped.push(count);
  }
  return { index, nClumped, pairs };
}
