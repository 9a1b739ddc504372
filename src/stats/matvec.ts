// Two regression kernels, each a JavaScript twin of a WebAssembly one: the matrix-vector product
// below, and (at the end) the subset cross-products of gram.ts (src/wasm/gram.wat).
//
// Matrix-vector product out = A g for the per-variant kernel (linear.ts): A is a group's r covariate
// basis columns and m residualised phenotypes stacked as (r + m) rows of n, g the gathered dosages.
//
// Two implementations with the same summation order, so they give bit-identical results (tested):
// - WebAssembly SIMD: f64x2, 4 rows per pass over g (g is loaded once for 4 rows) and 2 vector
//   accumulators per row (8 independent add chains hide the add latency): src/wasm/matvec.wat.
// - Plain JS with four scalar accumulators in the same lanes, used where WebAssembly SIMD is not
//   available (or when asked to, for tests and benchmarks).
// Speeds: docs/decisions/0009.
//
// The order, per row: lane accumulators a0, a1 (elements i = 0, 1 mod 4) and b0, b1 (i = 2, 3 mod
// 4); a remaining pair goes to a0, a1; then s = (a0 + b0) + (a1 + b1), plus the last element when
// n is odd. No fused multiply-add (WebAssembly SIMD has none outside relaxed-simd), so every product
// and sum is rounded exactly as JS rounds it.

import { wasmModule } from '../wasm/modules.js';

/** One row of A (from `off`, n long) dotted with g, in the summation order of the wasm kernel. */
export function dotJs(a: Float64Array, off: number, g: Float64Array, n: number): number {
  let a0 = 0;
  let a1 = 0;
  let b0 = 0;
  let b1 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    a0 += a[off + i] * g[i];
    a1 += a[off + i + 1] * g[i + 1];
    b0 += a[off + i + 2] * g[i + 2];
    b1 += a[off + i + 3] * g[i + 3];
  }
  if (i + 2 <= n) {
    a0 += a[off + i] * g[i];
    a1 += a[off + i + 1] * g[i + 1];
    i += 2;
  }
  let s = a0 + b0 + (a1 + b1);
  if (i < n) s += a[off + i] * g[i];
  return s;
}

/** out[outOff + j] = row j of A (rows of n, `ld` apart) dotted with g, for j < rows. */
export function matVecJs(a: Float64Array, aOff: number, ld: number, rows: number, n: number, g: Float64Array, out: Float64Array, outOff: number): void {
  for (let j = 0; j < rows; j++) out[outOff + j] = dotJs(a, aOff + j * ld, g, n);
}

export type MatVecWasm = (a: number, g: number, out: number, rows: number, n: number, ldb: number) => void;

/** The compiled kernel src/wasm/matvec.wat (once per thread), or null where WebAssembly SIMD is unavailable. */
export function matVecModule(): WebAssembly.Module | null {
  return wasmModule('matvec');
}

// The cross-products of a subset of a group's rows (gram.ts MissingSolver, docs/decisions/0201):
// the WebAssembly SIMD kernel src/wasm/gram.wat and this twin accumulate every entry as one chain
// over the listed rows in list order, so they agree bit for bit (tested).

/** Row stride (doubles) of gram.wat's sums for c covariate columns: c rounded up to 4, plus 4. */
export function gramStride(c: number): number {
  return ((c + 3) & ~3) + 4;
}

/** Where gram.wat keeps the sum of entry (j, k), k <= j (one it computes), for c covariate columns. */
export function gramAt(j: number, k: number, c: number): number {
  const K = (c + 3) & ~3;
  const j0 = j & ~3;
  return j * (K + 4) + (k < j0 ? k : Math.min(j0, K) + k - j0);
}

/**
 * The sums of gram.wat over the rows idx[0..count) of xa (rows of W doubles): out[j][k] += x_j x_k
 * for k <= j < w with k < c or k in j's block of 4; out's rows gramStride(c) apart, entry (j, k) at
 * column k except j's diagonal block when j >= K (c rounded up to 4), at columns K..K+3.
 */
export function gramJs(xa: Float64Array, W: number, idx: Int32Array, count: number, out: Float64Array, w: number, c: number): void {
  const K = (c + 3) & ~3;
  const ldo = K + 4;
  for (let t = 0; t < count; t++) {
    const row = idx[t] * W;
    for (let j = 0; j < w; j++) {
      const xj = xa[row + j];
      const j0 = j & ~3;
      const o = j * ldo;
      const kend = Math.min(j0, K);
      for (let k = 0; k < kend; k++) out[o + k] += xj * xa[row + k];
      const d = o + Math.min(j0, K) - j0;
      for (let k = j0; k <= j; k++) out[d + k] += xj * xa[row + k];
    }
  }
}

/** The indices 0..n-1 not in the ascending list miss[0..nm), into out; returns their count. */
export function presentJs(miss: Int32Array, nm: number, n: number, out: Int32Array): number {
  let c = 0;
  let q = 0;
  for (let i = 0; i < n; i++) {
    if (q < nm && miss[q] === i) q++;
    else out[c++] = i;
  }
  return c;
}

/** gram.wat's exports (addresses in bytes; the panel holds GRAM_PANEL_ROWS x W doubles). */
export type GramWasm = (x: number, idx: number, count: number, out: number, w: number, W: number, c: number, panel: number) => void;
export const GRAM_PANEL_ROWS = 128;
export type PresentWasm = (miss: number, n: number, out: number) => number;

/** The compiled kernel src/wasm/gram.wat (once per thread), or null where WebAssembly SIMD is unavailable. */
export function gramModule(): WebAssembly.Module | null {
  return wasmModule('gram');
}
