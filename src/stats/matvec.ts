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
