// The simulated genome: autosome lengths (GRCh37), parsing of a chromosome list such as "1-22" or
// "1,3,5-7", and the split of the requested number of variants over the chosen chromosomes in
// proportion to their lengths.

/** GRCh37 autosome lengths in base pairs, chromosomes 1..22. */
export const GRCH37_LENGTHS: readonly number[] = [
  249250621, 243199373, 198022430, 191154276, 180915260, 171115067, 159138663, 146364022, 141213431, 135534747, 135006516, 133851895, 115169878, 107349540, 102531392, 90354753, 81195210, 78077248,
  59128983, 63025520, 48129895, 51304566,
];

/**
 * Parse a chromosome list: comma-separated numbers and ranges of autosomes ("1-22", "22", "1,3,5-7").
 * Returns the chromosomes in natural order without duplicates, or null when the text is invalid.
 */
export function parseChromosomes(text: string): number[] | null {
  const out = new Set<number>();
  const parts = text.split(',').map((s) => s.trim());
  for (const part of parts) {
    const m = /^(?:chr)?(\d+)(?:\s*-\s*(?:chr)?(\d+))?$/i.exec(part);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a < 1 || b > 22 || a > b) return null;
    for (let c = a; c <= b; c++) out.add(c);
  }
  return out.size ? [...out].sort((x, y) => x - y) : null;
}

/** Split `total` over chromosomes in proportion to their lengths (largest remainder; sums exactly). */
export function allocateVariants(chromosomes: readonly number[], total: number): number[] {
  const lengths = chromosomes.map((c) => GRCH37_LENGTHS[c - 1]);
  const sum = lengths.reduce((a, b) => a + b, 0);
  const exact = lengths.map((l) => (total * l) / sum);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; left > 0; k++, left--) counts[order[k % order.length].i]++;
  return counts;
}
