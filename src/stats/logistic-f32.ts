// plink2 2.00a3.5's logistic iteration (LogisticRegressionF) emulated in single precision, to take
// its decision (converged / unfinished / failed, hence the FIRTH flag) where float round-off decides
// it: quasi-separated variants whose coefficient marches off. Every operation is rounded with
// Math.fround in the order the installed binary performs it (read from its machine code: 4-lane
// float vectors, fused multiply-adds where GCC contracts them, reference BLAS sgemv without).
// What was emulated and what could not be: docs/decisions/0220-float-decision.md.

import { pagesFor, wasmDisabled, wasmModule } from '../wasm/modules.js';

const f32 = Math.fround;
type TMul = (x: number, t: number, v: number, nvb: number, ldb: number, k: number) => void;
type Sig = (eta: number, y: number, pr: number, v: number, nb: number, tab: number) => void;
type Grad = (x: number, ldb: number, pr: number, nb: number, k: number, g: number) => void;
type Eta = (x: number, ldb: number, b: number, k: number, out: number, nvb: number) => void;
type Prom = (x: number, xd: number, ldb: number, k: number, nvb: number) => void;
type Hess = (xd: number, td: number, plan: number, cnt: number, nb: number, h: number) => void;
type Chol = (h: number, l: number, k: number) => void;
type Solve = (l: number, g: number, dc: number, k: number) => void;

// fmath_exp_ps (herumi's fast exp, as plink2 vendors it): e^x = 2^(r/1024) (1 + t), r = round(x
// 1024/ln2), 2^(j/1024) from a 1024-entry table of float mantissas.
const scratchF = new Float32Array(1);
const scratchU = new Uint32Array(scratchF.buffer);
const EXP_A = bitsToFloat(0x44b8aa3b); // 1024 / ln 2
const EXP_B = bitsToFloat(0x3a317218); // ln 2 / 1024
const EXP_MANT = Uint32Array.from({ length: 1024 }, (_, j) => floatBits(2 ** (j / 1024)) & 0x7fffff);

function bitsToFloat(u: number): number {
  scratchU[0] = u;
  return scratchF[0];
}
function floatBits(x: number): number {
  scratchF[0] = x;
  return scratchU[0];
}

/** 1 / (1 + e^(-eta)) as plink2's LogisticSse computes it (eta a float). */
export function sigmoidF(eta: number): number {
  let x = -eta;
  if (x > 88) x = 88;
  else if (x < -88) x = -88;
  const m = f32(x * EXP_A);
  // cvtps2dq: round half to even
  let r = Math.round(m);
  if (r - m === 0.5 && (r & 1) !== 0) r -= 1;
  // x - r ln2/1024 fused (r * EXP_B is exact in double), then 1 +
  const t = f32(f32(x - r * EXP_B) + 1);
  scratchU[0] = EXP_MANT[r & 0x3ff] | ((((r + 0x1fc00) >>> 10) << 23) >>> 0);
  // (t * 2^(r/1024)) + 1 fused, as GCC contracts the inlined exp's product with LogisticSse's + 1
  return f32(1 / f32(t * scratchF[0] + 1));
}

export const enum F32Status {
  Ok = 0,
  Fail = 1,
  Unfinished = 2,
}

/** Scratch for the emulation over at most maxN samples and maxK predictors. */
export class F32Logistic {
  /** Predictors, column-major in plink2's order (intercept, dosage, covariates), n a column. */
  x: Float32Array;
  y: Float32Array;
  coef: Float32Array;
  /** plink2's probability buffer: p - y of the last iteration, then its padding. */
  pr: Float32Array;
  // Scratch (public only so that the loops may destructure them): x v column by column (the
  // Hessian's inner products), X b, p (1 - p), X'VX, its Cholesky factor, the gradient, the step.
  t: Float32Array;
  eta: Float32Array;
  v: Float32Array;
  h: Float32Array;
  l: Float32Array;
  g: Float32Array;
  dc: Float32Array;
  /** The column stride of x: maxN rounded up to plink2's vectors of 4. */
  readonly stride: number;
  private maxN: number;
  /** The Hessian's sums in WebAssembly (logit-f32.wat; x, t and v are then views of its memory), or null. */
  private wx: { tmuld: TMul; prom: Prom; hess: Hess; eta: Eta; grad: Grad; sig: Sig; chol: Chol; solve: Solve } | null = null;
  /** Bytes of x (and of t, which follows it; v follows t) in the wasm memory. */
  private xb: number;
  /** Where lanes3 writes its three sums in the wasm memory (pr, g and y follow), and the exp table. */
  private sums: number;
  private tab: number;
  /** f64 copies of x and of t = x v (the Hessian's operands, each f32 exact) and h, in the wasm memory. */
  private xd = 0;
  private td = 0;
  private hAt = 0;
  /** The Hessian's entries for planK predictors (hessianPlan), and their byte offsets in the wasm memory at planAt. */
  private plan: Int32Array = new Int32Array(0);
  private planK = -1;
  private planAt = 0;
  /** l, dc and g in the wasm memory. */
  private lAt = 0;
  private dcAt = 0;
  private gAt = 0;
  private buf: ArrayBuffer | null = null;
  constructor(maxN: number, maxK: number, wasm = true) {
    maxN = (maxN + 3) & ~3;
    this.maxN = maxN;
    this.stride = maxN;
    const xb = maxN * maxK * 4;
    this.xb = xb;
    this.sums = 2 * xb + 8 * maxN + 4 * maxK;
    this.tab = this.sums + 16 + 8 * maxN + 8 * maxK;
    const mod = wasm && !wasmDisabled() ? wasmModule('logit-f32') : null;
    if (mod) {
      // x, t, v, eta, coef, 3 sums, pr, g, y, the exp table; then xd, td (f64) and h
      this.xd = (this.tab + 4096 + 15) & ~15;
      this.td = this.xd + 2 * xb;
      this.hAt = this.td + 2 * xb;
      this.planAt = this.hAt + 4 * maxK * maxK;
      this.lAt = (this.planAt + 6 * maxK * (maxK + 1) + 15) & ~15;
      this.dcAt = this.lAt + 4 * maxK * maxK;
      this.gAt = this.sums + 16 + 4 * maxN;
      const mem = new WebAssembly.Memory({ initial: pagesFor(this.dcAt + 4 * maxK) });
      this.buf = mem.buffer;
      const ex = new WebAssembly.Instance(mod, { e: { m: mem } }).exports;
      this.wx = {
        tmuld: ex.tmuld as TMul,
        prom: ex.prom as Prom,
        hess: ex.hess as Hess,
        eta: ex.eta as Eta,
        grad: ex.grad4 as Grad,
        sig: ex.sig as Sig,
        chol: ex.chol as Chol,
        solve: ex.solve as Solve,
      };
      this.pr = new Float32Array(mem.buffer, this.sums + 16, maxN);
      this.g = new Float32Array(mem.buffer, this.sums + 16 + 4 * maxN, maxK);
      this.y = new Float32Array(mem.buffer, this.sums + 16 + 4 * maxN + 4 * maxK, maxN);
      new Uint32Array(mem.buffer, this.tab, 1024).set(EXP_MANT);
      this.x = new Float32Array(mem.buffer, 0, maxN * maxK);
      this.t = new Float32Array(mem.buffer, xb, maxN * maxK);
      this.v = new Float32Array(mem.buffer, 2 * xb, maxN);
      this.eta = new Float32Array(mem.buffer, 2 * xb + 4 * maxN, maxN);
      this.coef = new Float32Array(mem.buffer, 2 * xb + 8 * maxN, maxK);
      this.h = new Float32Array(mem.buffer, this.hAt, maxK * maxK);
      this.l = new Float32Array(mem.buffer, this.lAt, maxK * maxK);
      this.dc = new Float32Array(mem.buffer, this.dcAt, maxK);
    } else {
      this.x = new Float32Array(maxN * maxK);
      this.t = new Float32Array(maxN * maxK);
      this.v = new Float32Array(maxN);
      this.eta = new Float32Array(maxN);
      this.coef = new Float32Array(maxK);
      this.pr = new Float32Array(maxN);
      this.g = new Float32Array(maxK);
      this.y = new Float32Array(maxN);
      this.h = new Float32Array(maxK * maxK);
      this.l = new Float32Array(maxK * maxK);
      this.dc = new Float32Array(maxK);
    }
  }

  /**
   * plink2's iteration from coefficients 0 over the first n samples of x (k columns, stride `stride`)
   * and y; the final iterate is left in coef (plink2's order).
   */
  fit(n: number, k: number, padOnes: number): F32Status {
    const { coef, dc, x } = this;
    coef.fill(0, 0, k);
    // plink2's vectors run to a multiple of 4 samples. Its padding is not all zero: after a variant
    // without missing dosages the intercept column's 1s run on into it (padOnes), and the padding's
    // probabilities are sigmoids of what its buffer held (pr[n..], set by the caller), so
    // X'VX[0][0] gets their weights too.
    const nv = (n + 3) & ~3;
    for (let j = 0; j < k; j++) x.fill(0, j * this.maxN + n, j * this.maxN + nv);
    for (let i = n; i < n + padOnes; i++) x[i] = 1;
    this.wx?.prom(0, this.xd, 4 * this.maxN, k, 4 * nv);
    let minDelta = 1e9;
    for (let it = 0; ; it++) {
      this.probabilities(n, k);
      this.hessian(n, k);
      this.gradient(n, k);
      this.cholesky(k);
      this.solve(k);
      let delta = 0;
      for (let j = 0; j < k; j++) {
        delta = f32(delta + Math.abs(dc[j]));
        coef[j] = f32(coef[j] - dc[j]);
      }
      if (delta < minDelta) minDelta = delta;
      if (delta !== delta) return F32Status.Fail;
      if (it > 3) {
        if ((delta > 20 && delta > 2 * minDelta) || (it > 6 && Math.abs(f32(1 - delta)) < TOL_ONE)) return F32Status.Fail;
        if (it > 13) {
          for (let j = 0; j < k; j++) if (Math.abs(coef[j]) > 8e3) return F32Status.Fail;
          return F32Status.Unfinished;
        }
      }
      if (delta < TOL_CONV) {
        for (let j = 0; j < k; j++) if (Math.abs(coef[j]) > 6e4) return F32Status.Fail;
        return F32Status.Ok;
      }
    }
  }

  /** eta = X coef (reference sgemv 'N': column by column, no FMA), p, v = p (1 - p), p - y. */
  private probabilities(n: number, k: number): void {
    const { x, y, eta, pr, v, coef } = this;
    const s = this.maxN;
    if (this.wx) this.wx.eta(0, 4 * s, 2 * this.xb + 8 * s, k, 2 * this.xb + 4 * s, 4 * ((n + 3) & ~3));
    else {
      eta.fill(0, 0, n);
      for (let j = 0; j < k; j++) {
        const b = coef[j];
        const o = j * s;
        for (let i = 0; i < n; i++) eta[i] = f32(eta[i] + f32(b * x[o + i]));
      }
    }
    if (this.wx) this.wx.sig(2 * this.xb + 4 * s, this.sums + 16 + 4 * s + 4 * this.g.length, this.sums + 16, 2 * this.xb, 4 * n, this.tab);
    else
      for (let i = 0; i < n; i++) {
        const p = sigmoidF(eta[i]);
        v[i] = f32(f32(1 - p) * p);
        pr[i] = f32(p - y[i]);
      }
    for (let i = n; i < ((n + 3) & ~3); i++) {
      const p = sigmoidF(pr[i]);
      v[i] = f32(f32(1 - p) * p);
      pr[i] = p;
    }
  }

  /** Sum over samples of fma(x_a, x_b v) (t_b = x_b v): 4 lanes (sample i in lane i mod 4), then 0+1+2+3. */
  private lanes(a: number, b: number, nv: number): number {
    const { x, t } = this;
    const oa = a * this.maxN;
    const ob = b * this.maxN;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < nv; i += 4) {
      s0 = f32(x[oa + i] * t[ob + i] + s0);
      s1 = f32(x[oa + i + 1] * t[ob + i + 1] + s1);
      s2 = f32(x[oa + i + 2] * t[ob + i + 2] + s2);
      s3 = f32(x[oa + i + 3] * t[ob + i + 3] + s3);
    }
    return f32(f32(f32(s0 + s1) + s2) + s3);
  }

  /** The same sum as fma(x_a x_a, v) (plink2's TripleProductF: a lone last diagonal entry). */
  private lanesSquare(a: number, n: number): number {
    const { x, v } = this;
    const oa = a * this.maxN;
    const s = [0, 0, 0, 0];
    for (let i = 0; i < ((n + 3) & ~3); i++) s[i & 3] = f32(f32(x[oa + i] * x[oa + i]) * v[i] + s[i & 3]);
    return f32(f32(f32(s[0] + s[1]) + s[2]) + s[3]);
  }

  /**
   * The lower triangle of X'VX (row-major k x k) entry by entry as plink2's ComputeHessianF forms
   * it (hessianPlan): entry (r, c) the lane sums of fma(x_a, x_b v); with k = 1 mod 3 the last
   * diagonal entry as fma(x x, v) (lanesSquare).
   */
  private hessian(n: number, k: number): void {
    const { h, x, t, v, wx } = this;
    const nv = (n + 3) & ~3;
    if (this.planK !== k) this.makePlan(k);
    const plan = this.plan;
    const cnt = plan.length / 4;
    if (wx) {
      // the same sums in one call (logit-f32.wat hess, from f64 copies of x and of t = x v)
      const ldb = this.maxN * 4;
      wx.tmuld(0, this.td, 2 * this.xb, nv * 4, ldb, k);
      wx.hess(this.xd, this.td, this.planAt, cnt, nv * 8, this.hAt);
    } else {
      for (let j = 0; j < k; j++) {
        const o = j * this.maxN;
        for (let i = 0; i < nv; i++) t[o + i] = f32(x[o + i] * v[i]);
      }
      for (let e = 0; e < cnt; e++) h[plan[4 * e] * k + plan[4 * e + 1]] = this.lanes(plan[4 * e + 2], plan[4 * e + 3], nv);
    }
    if (k % 3 === 1) h[(k - 1) * k + k - 1] = this.lanesSquare(k - 1, n);
  }

  /** The Hessian's entries for k predictors (this.plan; in the wasm memory as byte offsets). */
  private makePlan(k: number): void {
    const plan = hessianPlan(k);
    this.plan = plan;
    this.planK = k;
    if (!this.wx) return;
    const ld = 8 * this.maxN;
    const at = new Int32Array(this.buf as ArrayBuffer, this.planAt, 3 * (plan.length / 4));
    for (let e = 0; e < plan.length / 4; e++) {
      at[3 * e] = plan[4 * e + 2] * ld;
      at[3 * e + 1] = plan[4 * e + 3] * ld;
      at[3 * e + 2] = 4 * (plan[4 * e] * k + plan[4 * e + 1]);
    }
  }

  /** g = X'(p - y) (reference sgemv 'T': a sequential sum per column, no FMA). */
  private gradient(n: number, k: number): void {
    const { x, pr, g } = this;
    const s = this.maxN;
    if (this.wx) return this.wx.grad(0, 4 * s, this.sums + 16, 4 * n, k, this.sums + 16 + 4 * s);
    for (let j = 0; j < k; j++) {
      const o = j * s;
      let t = 0;
      for (let i = 0; i < n; i++) t = f32(t + f32(x[o + i] * pr[i]));
      g[j] = t;
    }
  }

  /** Cholesky of h into l (fused updates; a negative or NaN pivot becomes 1e-6; rows scaled by 1/pivot). */
  private cholesky(k: number): void {
    if (this.wx) return this.wx.chol(this.hAt, this.lAt, k);
    const { h, l } = this;
    for (let j = 0; j < k; j++) {
      let d = h[j * k + j];
      for (let c = 0; c < j; c++) d = f32(d - l[j * k + c] * l[j * k + c]);
      d = d >= 0 ? f32(Math.sqrt(d)) : PIVOT_MIN;
      l[j * k + j] = d;
      const inv = f32(1 / d);
      for (let i = j + 1; i < k; i++) {
        let e = h[i * k + j];
        for (let c = 0; c < j; c++) e = f32(e - l[j * k + c] * l[i * k + c]);
        l[i * k + j] = f32(e * inv);
      }
    }
  }

  /** dc = (L L')^-1 g: forward then backward substitution, fused updates. */
  private solve(k: number): void {
    if (this.wx) return this.wx.solve(this.lAt, this.gAt, this.dcAt, k);
    const { l, g, dc } = this;
    for (let r = 0; r < k; r++) {
      let t = g[r];
      for (let c = 0; c < r; c++) t = f32(t - l[r * k + c] * dc[c]);
      dc[r] = f32(t / l[r * k + r]);
    }
    for (let c = k - 1; c >= 0; c--) {
      let t = dc[c];
      for (let i = k - 1; i > c; i--) t = f32(t - l[i * k + c] * dc[i]);
      dc[c] = f32(t / l[c * k + c]);
    }
  }
}

/**
 * The entries of X'VX in plink2's ComputeHessianF order, four ints each (r, c, a, b): h[r][c] is the
 * lane sum of fma(x_a, x_b v). Rows in threes ((r, r), (r + 1, r), (r + 1, r + 1), then each row
 * below against columns r..r+2: its TwoPlusOne and Three helpers), then the last two or three rows;
 * with k = 1 mod 3 the last diagonal entry is not listed (lanesSquare).
 */
export function hessianPlan(k: number): Int32Array {
  const e: number[] = [];
  const set = (r: number, c: number, a: number, b: number): void => {
    e.push(r, c, a, b);
  };
  let r = 0;
  for (; k > 3 && r < k - 3; r += 3) {
    set(r, r, r, r);
    set(r + 1, r, r, r + 1);
    set(r + 1, r + 1, r + 1, r + 1);
    for (let r2 = r + 2; r2 < k; r2++) for (let j = 0; j < 3; j++) set(r2, r + j, r + j, r2);
  }
  const rem = k % 3;
  if (rem === 0) {
    set(k - 3, k - 3, k - 3, k - 3);
    set(k - 2, k - 3, k - 2, k - 3);
    set(k - 1, k - 3, k - 1, k - 3);
  }
  if (rem !== 1) {
    set(k - 2, k - 2, k - 2, k - 2);
    set(k - 1, k - 2, k - 2, k - 1);
    set(k - 1, k - 1, k - 1, k - 1);
  }
  return Int32Array.from(e);
}

/** Where plink2's padding probabilities settle (p -> sigmoid(p) at every iteration): its fixed point. */
export const PAD_P = (() => {
  let p = 0.5;
  for (let i = 0; i < 100; i++) p = sigmoidF(p);
  return p;
})();
const TOL_ONE = f32(1e-3);
const TOL_CONV = f32(1e-4);
const PIVOT_MIN = f32(1e-6);
