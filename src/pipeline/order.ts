// Genome order of result rows: chromosome rank (1..22, X, Y, XY, MT, others by name), position,
// then the row's bytes. The byte tie-break makes the order a function of the rows alone, so any
// input order, thread count, chunk size or sharding gives byte-identical output.
import { RANK_OTHER } from '../formats/chrom.js';

export interface RowKey {
  rank: number;
  /** Chromosome name, needed only when rank === RANK_OTHER. */
  chr: string;
  pos: number;
  line: Uint8Array;
}

/**
 * The one genome order of chromosomes: by rank (1..22, X, Y, XY, MT), then codes of RANK_OTHER by
 * name (byte order). Every table sorter, merger and order check uses it (directly or via compareKeys).
 */
export function compareChrom(rankA: number, chrA: string, rankB: number, chrB: string): number {
  if (rankA !== rankB) return rankA - rankB;
  if (rankA === RANK_OTHER && chrA !== chrB) return chrA < chrB ? -1 : 1;
  return 0;
}

export function compareKeys(a: RowKey, b: RowKey): number {
  const c = compareChrom(a.rank, a.chr, b.rank, b.chr);
  if (c !== 0) return c;
  if (a.pos !== b.pos) return a.pos - b.pos;
  return Buffer.compare(a.line, b.line);
}
