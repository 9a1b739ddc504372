// Exact order statistics (the median of -log p, hence of chi-square) of millions of values with
// memory flat in their number: radix selection over the IEEE-754 bit pattern, which orders
// non-negative doubles like unsigned 64-bit integers.
//
// Pass 0 (while the table is read): a histogram of the top 20 bits (sign, exponent, 8 mantissa bits:
// 256 bins per octave, 4 MB). The bucket holding each wanted rank is then known. Each further pass
// over the spilled values either collects the bucket's values (when there are at most `cap` of them,
// usually a few thousand: about 0.1% of the values fall in the median bucket) and sorts them, or,
// when a bucket is crowded (p-values written with few digits repeat exactly), histograms the next
// 12/16/16 bits of the values in it. After 64 bits a bucket holds one value repeated, so the
// answer is exact in at most four passes over the spill and never needs more than `cap` values.
import * as os from 'node:os';

/** Index of the high / low 32-bit word of a float64 in a Uint32Array view (native byte order). */
export const HI = os.endianness() === 'LE' ? 1 : 0;
export const LO = 1 - HI;

export const TOP_BITS = 20;
export function topBucket(hiWord: number): number {
  return hiWord >>> (32 - TOP_BITS);
}

/**
 * A batch of values: value i is f64[i * stride / 2], its words u32[i * stride + HI / LO].
 * `stride` is in 32-bit words and even (2 for a plain Float64Array, 4 for the report's records).
 */
export type BatchVisitor = (u32: Uint32Array, f64: Float64Array, n: number, stride: number) => void;

interface Group {
  /** Bits fixed so far: 1 = top 20, 2 = the whole high word, 3 = high word + top 16 of the low word. */
  level: 1 | 2 | 3;
  maskHi: number;
  valHi: number;
  maskLo: number;
  valLo: number;
  count: number;
  /** Wanted ranks inside this group (0-based) and where their answer goes. */
  ranks: { r: number; slot: number }[];
  collect: Float64Array | null;
  fill: number;
  hist: Uint32Array | null;
}

const LEVEL_BINS = [0, 1 << 12, 1 << 16, 1 << 16];

export class RankSelector {
  private groups: Group[] = [];
  private readonly out: Float64Array;
  passes = 0;

  /**
   * @param hist counts of topBucket(hi word) over all values (length 2^20)
   * @param ranks 0-based ranks wanted (ascending order of value)
   */
  constructor(
    hist: Uint32Array,
    ranks: number[],
    private readonly cap = 1 << 20,
  ) {
    this.out = new Float64Array(ranks.length).fill(NaN);
    const order = ranks.map((r, slot) => ({ r, slot })).sort((a, b) => a.r - b.r);
    let acc = 0;
    let b = 0;
    for (const want of order) {
      while (b < hist.length && acc + hist[b] <= want.r) {
        acc += hist[b];
        b++;
      }
      if (b >= hist.length) throw new Error(`rank ${want.r} beyond the ${acc} values counted`);
      const valHi = (b << (32 - TOP_BITS)) | 0;
      let g = this.groups.find((x) => x.valHi === valHi);
      if (!g) {
        g = this.newGroup(1, (0xffffffff << (32 - TOP_BITS)) | 0, valHi, 0, 0, hist[b]);
        this.groups.push(g);
      }
      g.ranks.push({ r: want.r - acc, slot: want.slot });
    }
  }

  private newGroup(level: 1 | 2 | 3, maskHi: number, valHi: number, maskLo: number, valLo: number, count: number): Group {
    const small = count <= this.cap;
    return {
      level,
      maskHi,
      valHi,
      maskLo,
      valLo,
      count,
      ranks: [],
      collect: small ? new Float64Array(count) : null,
      fill: 0,
      hist: small ? null : new Uint32Array(LEVEL_BINS[level]),
    };
  }

  /** True while another pass over the values is needed. */
  get needsPass(): boolean {
    return this.groups.length > 0;
  }

  /** Feed one batch of the pass (every value, in any order). */
  readonly visit: BatchVisitor = (u32, f64, n, stride) => {
    const groups = this.groups;
    if (groups.length === 0) return;
    const half = stride >> 1;
    for (let i = 0; i < n; i++) {
      const hi = u32[i * stride + HI];
      const lo = u32[i * stride + LO];
      for (let k = 0; k < groups.length; k++) {
        const g = groups[k];
        if ((hi & g.maskHi) !== g.valHi || (lo & g.maskLo) !== g.valLo) continue;
        if (g.collect) {
          g.collect[g.fill++] = f64[i * half];
        } else {
          const h = g.hist!;
          if (g.level === 1) h[hi & 0xfff]++;
          else if (g.level === 2) h[lo >>> 16]++;
          else h[lo & 0xffff]++;
        }
      }
    }
  };

  /** Close a pass: answer what was collected, narrow what was histogrammed. */
  endPass(): void {
    this.passes++;
    const next: Group[] = [];
    for (const g of this.groups) {
      if (g.collect) {
        if (g.fill !== g.count) throw new Error(`selection pass saw ${g.fill} values in a bucket of ${g.count}`);
        g.collect.sort();
        for (const { r, slot } of g.ranks) this.out[slot] = g.collect[r];
        continue;
      }
      const h = g.hist!;
      const children = new Map<number, Group>();
      for (const { r, slot } of g.ranks) {
        let acc = 0;
        let j = 0;
        while (acc + h[j] <= r) acc += h[j++];
        if (g.level === 3) {
          this.out[slot] = fromBits(g.valHi, g.valLo | j);
          continue;
        }
        let c = children.get(j);
        if (!c) {
          c = g.level === 1 ? this.newGroup(2, -1, g.valHi | j | 0, 0, 0, h[j]) : this.newGroup(3, g.maskHi, g.valHi, 0xffff0000 | 0, (j << 16) | 0, h[j]);
          children.set(j, c);
          next.push(c);
        }
        c.ranks.push({ r: r - acc, slot });
      }
    }
    this.groups = next;
  }

  /** The values at the requested ranks, in the order they were asked for. */
  values(): number[] {
    if (this.needsPass) throw new Error('selection not finished');
    return Array.from(this.out);
  }
}

const scratch = new Float64Array(1);
const scratchU = new Uint32Array(scratch.buffer);
function fromBits(hi: number, lo: number): number {
  scratchU[HI] = hi >>> 0;
  scratchU[LO] = lo >>> 0;
  return scratch[0];
}

/** Ranks whose mean is the median of n values (one rank when n is odd). */
export function medianRanks(n: number): number[] {
  if (n <= 0) return [];
  const k1 = Math.floor((n - 1) / 2);
  const k2 = Math.floor(n / 2);
  return k1 === k2 ? [k1] : [k1, k2];
}
