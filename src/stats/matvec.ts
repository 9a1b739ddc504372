// Matrix-vector product out = A g for the per-variant kernel (linear.ts): A is a group's r covariate
// basis columns and m residualised phenotypes stacked as (r + m) rows of n, g the gathered dosages.
//
// Two implementations with the same summation order, so they give bit-identical results (tested):
// - WebAssembly SIMD: f64x2, 4 rows per pass over g (g is loaded once for 4 rows) and 2 vector
//   accumulators per row (8 independent add chains hide the add latency). The module's bytes are
//   written below with src/wasm/asm.ts: the source is this file, with no build step or dependency.
//   In isolation (n = 157, 13 rows, data in L1) it does ~6e9 multiply-adds/s (0.32 us), against
//   1.0e9 (2.0 us) for the one-accumulator JS loop it replaces; at n = 10,000 it is limited by
//   L2/L3 bandwidth (13 rows: 22 us, 48 GB/s; 32 rows, 2.6 MB: 67 us).
// - Plain JS with four scalar accumulators in the same lanes, used where WebAssembly SIMD is not
//   available (or when asked to, for tests and benchmarks). About as fast as the old one-accumulator
//   loop (bench/kernel.ts: -12% at 157 samples, +5% at 10,000, within this machine's noise).
//
// The order, per row: lane accumulators a0, a1 (elements i = 0, 1 mod 4) and b0, b1 (i = 2, 3 mod
// 4); a remaining pair goes to a0, a1; then s = (a0 + b0) + (a1 + b1), plus the last element when
// n is odd. No fused multiply-add (WebAssembly SIMD has none outside relaxed-simd), so every product
// and sum is rounded exactly as JS rounds it.

import { Code, OP, T, moduleBytes } from '../wasm/asm.js';

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

// ---- The WebAssembly kernel (written with src/wasm/asm.ts) ----

// Locals of mv(a, g, out, rows, n, ldb): byte addresses; ldb = row stride in bytes.
const L = { a: 0, g: 1, out: 2, rows: 3, n: 4, ldb: 5, e4: 6, e2: 7, eN: 8, p: 9, i: 13, j: 14, gv: 15, gw: 16, A: 17, B: 21, s: 25 };

/** Rows R at a time (4, then 1 for the rest), each row in the order documented above. */
function rowLoop(c: Code, R: number): void {
  c.block().loop();
  c.get(L.rows).get(L.j).op(OP.i32Sub).i32(R).op(OP.i32LtU).brIf(1);
  c.get(L.a).set(L.p);
  for (let k = 1; k < R; k++) c.addr(L.p + k - 1, L.ldb).set(L.p + k);
  for (let k = 0; k < R; k++) c.v128Zero().set(L.A + k).v128Zero().set(L.B + k);
  c.i32(0).set(L.i);
  // Four elements per step.
  c.block().loop();
  c.get(L.i).get(L.e4).op(OP.i32GeU).brIf(1);
  c.addr(L.g, L.i).v128Load(0).set(L.gv);
  c.addr(L.g, L.i).v128Load(16).set(L.gw);
  for (let k = 0; k < R; k++) {
    c.get(L.A + k).addr(L.p + k, L.i).v128Load(0).get(L.gv).f64x2Mul().f64x2Add().set(L.A + k);
    c.get(L.B + k).addr(L.p + k, L.i).v128Load(16).get(L.gw).f64x2Mul().f64x2Add().set(L.B + k);
  }
  c.get(L.i).i32(32).op(OP.i32Add).set(L.i);
  c.br(0).end().end();
  // A remaining pair.
  c.get(L.i).get(L.e2).op(OP.i32LtU).if();
  c.addr(L.g, L.i).v128Load(0).set(L.gv);
  for (let k = 0; k < R; k++) c.get(L.A + k).addr(L.p + k, L.i).v128Load(0).get(L.gv).f64x2Mul().f64x2Add().set(L.A + k);
  c.get(L.i).i32(16).op(OP.i32Add).set(L.i);
  c.end();
  // s = (a0 + b0) + (a1 + b1)
  for (let k = 0; k < R; k++) {
    c.get(L.A + k).get(L.B + k).f64x2Add().set(L.A + k);
    c.get(L.A + k).lane(0).get(L.A + k).lane(1).op(OP.f64Add).set(L.s + k);
  }
  // The last element when n is odd.
  c.get(L.i).get(L.eN).op(OP.i32LtU).if();
  for (let k = 0; k < R; k++) c.get(L.s + k).addr(L.p + k, L.i).loadF64().addr(L.g, L.i).loadF64().op(OP.f64Mul, OP.f64Add).set(L.s + k);
  c.end();
  for (let k = 0; k < R; k++) c.get(L.out).get(L.s + k).storeF64(8 * k);
  c.get(L.out).i32(8 * R).op(OP.i32Add).set(L.out);
  c.addr(L.p + R - 1, L.ldb).set(L.a);
  c.get(L.j).i32(R).op(OP.i32Add).set(L.j);
  c.br(0).end().end();
}

/** The module: imports memory e.m, exports mv(a, g, out, rows, n, ldb). */
export function matVecWasmBytes(): Uint8Array {
  const c = new Code();
  c.get(L.n).i32(-4).op(OP.i32And).i32(3).op(OP.i32Shl).set(L.e4);
  c.get(L.n).i32(-2).op(OP.i32And).i32(3).op(OP.i32Shl).set(L.e2);
  c.get(L.n).i32(3).op(OP.i32Shl).set(L.eN);
  c.i32(0).set(L.j);
  rowLoop(c, 4);
  rowLoop(c, 1);
  return moduleBytes(
    [{ name: 'mv', params: [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], results: [], locals: [[9, T.i32], [10, T.v128], [4, T.f64]], code: c }],
    { import: ['e', 'm'], minPages: 1 },
  );
}

export type MatVecWasm = (a: number, g: number, out: number, rows: number, n: number, ldb: number) => void;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module (once per thread), or null where WebAssembly SIMD is unavailable. */
export function matVecModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    compiled = null;
    try {
      const bytes = matVecWasmBytes();
      if (typeof WebAssembly === 'object' && WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
    } catch {
      compiled = null;
    }
  }
  return compiled;
}
