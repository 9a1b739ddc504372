// Matching a base (summary statistics) variant to a target variant at the same position by alleles.
// The base's A1 is the effect allele: its BETA is per copy of A1. The target stores the dosage of its
// own counted allele (the .gen B allele / BGEN second allele), so a base A1 equal to the target's
// other allele means the score counts 2 - dosage (the same as flipping BETA's sign up to a constant).

export type MatchKind = 'same' | 'swapped' | 'complement' | 'complement-swapped' | 'ambiguous' | 'mismatch';

const COMPLEMENT: Record<string, string> = { A: 'T', T: 'A', C: 'G', G: 'C' };

/** A/T and C/G SNPs: the strand cannot be told from the alleles. */
export function isAmbiguous(a1: string, a2: string): boolean {
  const x = a1.toUpperCase();
  const y = a2.toUpperCase();
  return x.length === 1 && y.length === 1 && COMPLEMENT[x] === y;
}

function complement(a: string): string | null {
  let out = '';
  for (const c of a.toUpperCase()) {
    const k = COMPLEMENT[c];
    if (!k) return null;
    out += k;
  }
  return out;
}

/**
 * How base alleles (bA1 effect, bA2 other) relate to the target's (tCounted, tOther). Ambiguous
 * SNPs are reported as such unless keepAmbiguous, in which case they match on the letters as written
 * (never through the complement).
 */
export function matchAlleles(bA1: string, bA2: string, tCounted: string, tOther: string, keepAmbiguous: boolean): MatchKind {
  const a1 = bA1.toUpperCase();
  const a2 = bA2.toUpperCase();
  const t1 = tCounted.toUpperCase();
  const t2 = tOther.toUpperCase();
  if (isAmbiguous(a1, a2)) {
    if (!keepAmbiguous) return 'ambiguous';
    if (a1 === t1 && a2 === t2) return 'same';
    if (a1 === t2 && a2 === t1) return 'swapped';
    return 'mismatch';
  }
  if (a1 === t1 && a2 === t2) return 'same';
  if (a1 === t2 && a2 === t1) return 'swapped';
  const c1 = complement(a1);
  const c2 = complement(a2);
  if (c1 !== null && c2 !== null && a1.length === 1 && a2.length === 1) {
    if (c1 === t1 && c2 === t2) return 'complement';
    if (c1 === t2 && c2 === t1) return 'complement-swapped';
  }
  return 'mismatch';
}

/** True when the base A1 corresponds to the target's other (uncounted) allele. */
export function countsOtherAllele(k: MatchKind): boolean {
  return k === 'swapped' || k === 'complement-swapped';
}
