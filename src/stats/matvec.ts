// Matrix-vector product out = A g for the per-variant kernel (linear.ts): A is a group's r covariate
// basis columns and m residualised phenotypes stacked as (r + m) rows of n, g the gathered dosages.
//
// Two implementations with the same summation order, so they give bit-identical results (tested):
// - WebAssembly SIMD: f64x2, 4 rows per pass over g (g is loaded once for 4 rows) and 2 vector
//   accumulators per row (8 independent add chains hide the add latency). The module's bytes are
//   written below by a tiny encoder: the source is this file, with no build step or dependency.
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

// ---- WebAssembly encoder ----

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;
const VOID = 0x40;

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function str(s: string): number[] {
  return [...uleb(s.length), ...Buffer.from(s, 'utf8')];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** Instruction emitter for one function body (just the opcodes this kernel uses). */
class Code {
  b: number[] = [];
  get(l: number): this {
    this.b.push(0x20, ...uleb(l));
    return this;
  }
  set(l: number): this {
    this.b.push(0x21, ...uleb(l));
    return this;
  }
  i32(v: number): this {
    this.b.push(0x41, ...sleb(v));
    return this;
  }
  op(...ops: number[]): this {
    this.b.push(...ops);
    return this;
  }
  simd(op: number, ...imm: number[]): this {
    this.b.push(0xfd, ...uleb(op), ...imm);
    return this;
  }
  /** local.get a; local.get b; i32.add */
  addr(a: number, b: number): this {
    return this.get(a).get(b).op(0x6a);
  }
  v128Load(offset: number): this {
    return this.simd(0x00, 4, ...uleb(offset));
  }
  v128Zero(): this {
    return this.simd(0x0c, ...new Array(16).fill(0));
  }
  f64Load(): this {
    return this.op(0x2b, 3, 0);
  }
  f64Store(offset: number): this {
    return this.op(0x39, 3, ...uleb(offset));
  }
  f64x2Add(): this {
    return this.simd(0xf0);
  }
  f64x2Mul(): this {
    return this.simd(0xf2);
  }
  lane(k: number): this {
    return this.simd(0x21, k);
  }
}

const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32And: 0x71,
  i32Shl: 0x74,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  f64Add: 0xa0,
  f64Mul: 0xa2,
};

// Locals of mv(a, g, out, rows, n, ldb): byte addresses; ldb = row stride in bytes.
const L = { a: 0, g: 1, out: 2, rows: 3, n: 4, ldb: 5, e4: 6, e2: 7, eN: 8, p: 9, i: 13, j: 14, gv: 15, gw: 16, A: 17, B: 21, s: 25 };

/** Rows R at a time (4, then 1 for the rest), each row in the order documented above. */
function rowLoop(c: Code, R: number): void {
  c.op(OP.block, VOID, OP.loop, VOID);
  c.get(L.rows).get(L.j).op(OP.i32Sub).i32(R).op(OP.i32LtU).op(OP.brIf, 1);
  c.get(L.a).set(L.p);
  for (let k = 1; k < R; k++) c.addr(L.p + k - 1, L.ldb).set(L.p + k);
  for (let k = 0; k < R; k++) c.v128Zero().set(L.A + k).v128Zero().set(L.B + k);
  c.i32(0).set(L.i);
  // Four elements per step.
  c.op(OP.block, VOID, OP.loop, VOID);
  c.get(L.i).get(L.e4).op(OP.i32GeU).op(OP.brIf, 1);
  c.addr(L.g, L.i).v128Load(0).set(L.gv);
  c.addr(L.g, L.i).v128Load(16).set(L.gw);
  for (let k = 0; k < R; k++) {
    c.get(L.A + k).addr(L.p + k, L.i).v128Load(0).get(L.gv).f64x2Mul().f64x2Add().set(L.A + k);
    c.get(L.B + k).addr(L.p + k, L.i).v128Load(16).get(L.gw).f64x2Mul().f64x2Add().set(L.B + k);
  }
  c.get(L.i).i32(32).op(OP.i32Add).set(L.i);
  c.op(OP.br, 0, OP.end, OP.end);
  // A remaining pair.
  c.get(L.i).get(L.e2).op(OP.i32LtU).op(OP.if, VOID);
  c.addr(L.g, L.i).v128Load(0).set(L.gv);
  for (let k = 0; k < R; k++) c.get(L.A + k).addr(L.p + k, L.i).v128Load(0).get(L.gv).f64x2Mul().f64x2Add().set(L.A + k);
  c.get(L.i).i32(16).op(OP.i32Add).set(L.i);
  c.op(OP.end);
  // s = (a0 + b0) + (a1 + b1)
  for (let k = 0; k < R; k++) {
    c.get(L.A + k).get(L.B + k).f64x2Add().set(L.A + k);
    c.get(L.A + k).lane(0).get(L.A + k).lane(1).op(OP.f64Add).set(L.s + k);
  }
  // The last element when n is odd.
  c.get(L.i).get(L.eN).op(OP.i32LtU).op(OP.if, VOID);
  for (let k = 0; k < R; k++) c.get(L.s + k).addr(L.p + k, L.i).f64Load().addr(L.g, L.i).f64Load().op(OP.f64Mul, OP.f64Add).set(L.s + k);
  c.op(OP.end);
  for (let k = 0; k < R; k++) c.get(L.out).get(L.s + k).f64Store(8 * k);
  c.get(L.out).i32(8 * R).op(OP.i32Add).set(L.out);
  c.addr(L.p + R - 1, L.ldb).set(L.a);
  c.get(L.j).i32(R).op(OP.i32Add).set(L.j);
  c.op(OP.br, 0, OP.end, OP.end);
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
  c.op(OP.end);
  const locals = [3, ...uleb(9), I32, ...uleb(10), V128, ...uleb(4), F64];
  const body = [...locals, ...c.b];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 6, I32, I32, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('mv'), 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ];
  return Uint8Array.from(bytes);
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
