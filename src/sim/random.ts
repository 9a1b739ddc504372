// Fast seeded pseudo-random numbers for the simulator: xoshiro128** (32-bit state words, so every
// step is a handful of Math.imul / shifts), seeded through splitmix32 from a user seed and a
// stream number. Independent streams (samples, genotypes, phenotypes, ...) keep one part of a
// simulated cohort unchanged when another part's consumption of random numbers changes.

const TWO_POW_32 = 4294967296;
const INV_TWO_POW_32 = 1 / TWO_POW_32;

/** splitmix32 step: returns the next output and advances the state held in `st[0]`. */
function splitmix32(st: Uint32Array): number {
  st[0] = (st[0] + 0x9e3779b9) >>> 0;
  let z = st[0];
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Quantiles of Exp(1) at (k + 0.5) / 1024, for a table-driven exponential draw. */
const EXP_TABLE_BITS = 10;
export const EXP_TABLE: Float64Array = (() => {
  const n = 1 << EXP_TABLE_BITS;
  const t = new Float64Array(n);
  for (let k = 0; k < n; k++) t[k] = -Math.log(1 - (k + 0.5) / n);
  return t;
})();

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare = 0;
  private hasSpare = false;

  /**
   * @param seed any non-negative safe integer
   * @param stream distinguishes independent streams derived from the same seed
   */
  constructor(seed: number, stream = 0) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    const st = new Uint32Array(1);
    st[0] = lo;
    const a = splitmix32(st);
    st[0] = (a ^ hi ^ Math.imul(stream + 1, 0x632be5ab)) >>> 0;
    this.s0 = splitmix32(st);
    this.s1 = splitmix32(st);
    this.s2 = splitmix32(st);
    this.s3 = splitmix32(st);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next unsigned 32-bit integer (xoshiro128**). */
  u32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    this.s1 = s1 ^ s2;
    this.s0 = s0 ^ s3;
    this.s2 = s2 ^ t;
    this.s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  float(): number {
    return this.u32() * INV_TWO_POW_32;
  }

  /** Uniform in (0, 1): never exactly zero (safe under log). */
  floatOpen(): number {
    return (this.u32() + 0.5) * INV_TWO_POW_32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform in [a, b). */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.float();
  }

  /** Standard normal (Marsaglia polar method, caching the second value). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.float() - 1;
      v = 2 * this.float() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    this.hasSpare = true;
    return u * f;
  }

  /** Exp(1), exact inverse-CDF draw. */
  exp(): number {
    return -Math.log(this.floatOpen());
  }

  /** Exp(1) from a 1024-entry quantile table: coarse but much cheaper, for the hot loop. */
  expFast(): number {
    return EXP_TABLE[this.u32() >>> (32 - EXP_TABLE_BITS)];
  }

  /**
   * Number of failures before the first success of a Bernoulli(p) sequence (geometric on 0, 1, ...).
   * Used to skip ahead to the next rare event instead of drawing once per trial.
   */
  geometric(p: number): number {
    if (p >= 1) return 0;
    if (p <= 0) return Number.MAX_SAFE_INTEGER;
    return Math.floor(Math.log(this.floatOpen()) / Math.log1p(-p));
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(a: T[] | Int32Array | Uint32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
  }

  /** k distinct integers from [0, n), in increasing order. */
  sampleDistinct(n: number, k: number): number[] {
    if (k > n) throw new RangeError('sampleDistinct: k > n');
    const chosen = new Set<number>();
    // Floyd's algorithm: k draws, no array of size n.
    for (let j = n - k; j < n; j++) {
      const t = this.int(j + 1);
      chosen.add(chosen.has(t) ? j : t);
    }
    return [...chosen].sort((a, b) => a - b);
  }
}

/** Stream numbers used by the simulator, fixed so outputs stay stable across refactors. */
export const STREAM = {
  samples: 1,
  layout: 2,
  genotypes: 3,
  phenotypes: 4,
  causal: 5,
} as const;

/**
 * mulberry32: a tiny seeded generator of uniforms in [0, 1), for tests, benchmarks and derived
 * tables (the simulator's genotypes use Rng above).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
