// Distance-based grouping of the candidate variants (p < suggestive) into independent loci, greedily
// by ascending p: the most significant unclaimed variant becomes an index variant and claims every
// unclaimed candidate on its chromosome within +-window bp. A candidate without a position is a
// locus of its own. Loci come out in order of their index variant's p (ties: input order).
// TODO(lead): r^2-based clumping against a dosage reference (--ld-ref) would replace the window test.

export interface Locus {
  /** Index of the index variant among the candidates. */
  index: number;
  /** Candidates in the locus, the index variant included. */
  nVariants: number;
  /** First and last position of the locus' candidates (the index position for unplaced ones). */
  start: number;
  end: number;
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
