// Leaf loops of the model's start-up (projection, Gram statistics, column sums). The main thread
// runs each of its big builders once, so their inline loops ran interpreted or through on-stack
// replacement with deopts (~350 ms at 10,000 samples); these small functions, called many times,
// are optimized after a few calls (docs/decisions/0202, "Session 10, part 2"). Each keeps the
// order of its additions: the same doubles as the loops they replace.

/** a[ao..ao+n) . b[bo..bo+n), summed in increasing i. */
export function dotAt(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
  return s;
}

/** The sum of a[ao..ao+n), in increasing i. */
export function sumAt(a: Float64Array, ao: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[ao + i];
  return s;
}

/** v[vo + i] -= s * q[qo + i] for i < n. */
export function subScaledAt(v: Float64Array, vo: number, s: number, q: Float64Array, qo: number, n: number): void {
  for (let i = 0; i < n; i++) v[vo + i] -= s * q[qo + i];
}

/** v[i] -= c for i < n; returns the sum of the new v[i]^2, in increasing i. */
export function subtractSumSq(v: Float64Array, c: number, n: number): number {
  let ss = 0;
  for (let i = 0; i < n; i++) {
    v[i] -= c;
    ss += v[i] * v[i];
  }
  return ss;
}

/** v[i] -= c for i < n. */
export function subtract(v: Float64Array, c: number, n: number): void {
  for (let i = 0; i < n; i++) v[i] -= c;
}

/** out[o + i] = a[o + i] - c for i < n. */
export function minusInto(out: Float64Array, a: Float64Array, o: number, c: number, n: number): void {
  for (let i = 0; i < n; i++) out[o + i] = a[o + i] - c;
}

/** v[i] *= c for i < n. */
export function scaleBy(v: Float64Array, c: number, n: number): void {
  for (let i = 0; i < n; i++) v[i] *= c;
}

/** Math.max over |a[i]|, i < n, starting from 0. */
export function maxAbs(a: Float64Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
