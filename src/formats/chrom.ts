// Chromosome codes: normalised for output (plink2's spelling: 1..22, X, Y, XY, MT) and ranked for
// genome order (1..22, X, Y, XY, MT, then any other code by name).

export const RANK_OTHER = 1000;

export function normChr(raw: string): string {
  let s = raw;
  if (s.length > 3 && (s.charCodeAt(0) | 32) === 99 && (s.charCodeAt(1) | 32) === 104 && (s.charCodeAt(2) | 32) === 114) s = s.slice(3);
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n === 23) return 'X';
    if (n === 24) return 'Y';
    if (n === 25) return 'XY';
    if (n === 26) return 'MT';
    return String(n);
  }
  const u = s.toUpperCase();
  if (u === 'X' || u === 'Y' || u === 'XY') return u;
  if (u === 'M' || u === 'MT') return 'MT';
  return s;
}

/** Rank of a normalised code; RANK_OTHER for codes sorted by name after MT. */
export function chrRank(norm: string): number {
  const c = norm.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    const n = Number(norm);
    if (Number.isInteger(n) && n >= 1 && n <= 22) return n;
    return n === 0 ? RANK_OTHER : RANK_OTHER;
  }
  switch (norm) {
    case 'X':
      return 23;
    case 'Y':
      return 24;
    case 'XY':
      return 25;
    case 'MT':
      return 26;
    default:
      return RANK_OTHER;
  }
}

/**
 * A chromosome code as plink writes one: 1-26 (23-26 = X, Y, XY, MT), X, Y, XY, MT or M, with or
 * without a `chr` prefix, any case. Decides the .gen layout (formats/gen/layout.ts).
 */
export function isChromosomeCode(raw: string): boolean {
  let s = raw;
  if (s.length > 3 && /^chr/i.test(s)) s = s.slice(3);
  if (/^\d{1,2}$/.test(s)) {
    const n = Number(s);
    return n >= 1 && n <= 26;
  }
  return /^(x|y|xy|mt|m)$/i.test(s);
}
