// The WebAssembly side of the logistic kernel (src/wasm/logit.wat): X b and the sigmoid pass, X'WX,
// the score X'r and Firth's modified residual (its hat diagonal from L^-1) over a copy of the design in wasm memory, bit-identical to
// the JavaScript loops of logistic.ts and logit-math.ts (same operations and summation order;
// test/logistic-wasm.test.ts). Why: docs/decisions/0210.
//
// Memory (bytes, every region 64-byte aligned): shared scratch W, R, ETA, PR, ACT, EX, LG (ldb
// bytes each, for maxN samples; EX and LG hold e^-|eta| and ln(1 + e^-|eta|)), H (kp rows of kpb), INV,
// LI, HK and L (maxK x maxK doubles each), G, B and the X'WX pass plan; then one design slot for each
// group given at construction (its covariates copied once; each variant writes only its dosage
// column) and one spare slot reloaded when a group not given comes. A slot holds the design twice:
// XR row-major (n rows of kpb bytes; the last of the kp columns holds ones) and XC column-major
// (k columns of ldb bytes), and the outcome Y (ldb bytes); a group's own slot also WR, its two
// starts' (w0_i, r0_i): the null model's and plink2's iteration's from 0. Padding is zeros (ACT's
// too: the sigmoid pass runs over whole blocks of 8 samples).
import { wasmDisabled, wasmModule, pagesFor } from '../wasm/modules.js';

type Xwx = (xr: number, w: number, h: number, n: number, kpb: number, plan: number, np: number, r: number, g: number) => void;
type Eta = (xc: number, ldb: number, b: number, k: number, out: number, n8: number) => void;
type Chol = (h: number, hs: number, l: number, k: number) => number;
type Solve = (l: number, k: number, x: number) => void;
type FirthR = (xc: number, ldb: number, li: number, k: number, w: number, act: number, y: number, pr: number, r: number, n8: number) => void;
type Score = (xr: number, r: number, out: number, n: number, kpb: number, nv: number) => void;
type Dosage = (xr: number, wr: number, out: number, xo: number, n: number, kpb: number, k: number) => void;
type LastSums = (e: number, z: number, w: number, pr: number, n: number, out: number) => number;
type Sig = (eta: number, act: number, y: number, pr: number, w: number, r: number, ex: number, lg: number, n4: number, ll: number) => number;

const up8 = (x: number) => (x + 7) & ~7;

/**
 * The passes of wasm xwx for k columns (6 numbers each: a, b, cb, mA, mB, ms; b = -1: one row pair).
 * Row pair (a, a+1) needs a/2 + 1 f64x2 of columns: whole blocks of four a pass, and the short
 * ends (1 to 3 f64x2) of two pairs in the same block share a pass when they fit in four
 * (xwx_pass2): k = 14, 8 passes instead of 10. X'r's blocks of up to four f64x2 (ms) ride in a
 * one-pair pass of at most 2 in the same block (xwx_pass_s), else a pass of their own (a = -1).
 * Which pass computes an entry does not change its sum.
 */
export function xwxPlan(k: number): number[] {
  const plan: number[] = [];
  const ends = new Map<number, { a: number; m: number }[]>();
  for (let a = 0; a < k; a += 2) {
    const nv = (a >> 1) + 1;
    for (let q = 0; q < nv >> 2; q++) plan.push(a, -1, q * 64, 4, 0, 0);
    if (nv & 3) {
      const cb = (nv >> 2) * 64;
      if (!ends.has(cb)) ends.set(cb, []);
      ends.get(cb)?.push({ a, m: nv & 3 });
    }
  }
  for (const [cb, list] of ends) {
    list.sort((x, y) => y.m - x.m);
    while (list.length > 0) {
      const big = list.shift() as { a: number; m: number };
      const j = list.findIndex((e) => e.m + big.m <= 4);
      if (j < 0) plan.push(big.a, -1, cb, big.m, 0, 0);
      else {
        const small = list.splice(j, 1)[0];
        plan.push(small.a, big.a, cb, small.m, big.m, 0);
      }
    }
  }
  const nvs = (k + 1) >> 1;
  for (let cb = 0; cb < nvs * 16; cb += 64) {
    const ms = Math.min(4, nvs - cb / 16);
    let host = -1;
    for (let i = 0; i < plan.length && host < 0; i += 6) if (plan[i + 1] < 0 && plan[i + 2] === cb && plan[i + 3] <= 2 && plan[i + 5] === 0) host = i;
    if (host >= 0) plan[host + 5] = ms;
    else plan.push(-1, -1, cb, 0, 0, ms);
  }
  return plan;
}

/** An upper bound on xwxPlan(k)'s passes for k <= maxK. */
const planPasses = (maxK: number) => ((maxK + 1) >> 1) * (((maxK + 1) >> 3) + 2) + (maxK >> 3) + 1;

/** A design of n samples and k columns (column 0 the dosages) in wasm memory, at byte offsets xr, xc. */
interface Slot {
  n: number;
  k: number;
  kp: number;
  ld: number;
  xr: number;
  xc: number;
  y: number;
  /**
   * Own slots: WR, each start's weights and residuals interleaved (w0_i, r0_i), start s at
   * wr + s nullBytes(n), for dosageEntries; -1 for the spare slot.
   */
  wr: number;
  /** Bit s: WR holds start s (nullCapture). */
  ready: number;
  /** The group whose covariates are in it (the spare slot: the last loaded). */
  key: object | null;
}

/** A group's covariate design as the kernel gets it: p columns of n, column-major (column 0 = 1). */
export interface DesignSource {
  n: number;
  p: number;
  x: Float64Array;
  /** The outcome (n): 1 = case, 0 = control. */
  y: Float64Array;
}

/** Memory for the groups' own design slots, at most (the spare slot comes on top): 26 groups of 10,000 samples and 12 covariates; none at 500,000 samples (a refill copies n x k doubles, ~1% of a fit's arithmetic). */
const SLOT_BUDGET = 64 << 20;

const slotBytes = (n: number, k: number) => n * up8(k + 1) * 8 + (k + 1) * up8(n) * 8;
/** One start's cache (w0_i, r0_i) in an own slot's WR. */
const nullBytes = (n: number) => 2 * up8(n) * 8;
/** The starts an own slot caches: the null model's (0) and 0 (1, plink2's iteration; decision 0210, session 12). */
const STARTS = 2;

export class LogitWasm {
  /** Views the fits write and read directly (length maxN or maxK^2). */
  readonly w: Float64Array;
  readonly r: Float64Array;
  readonly inv: Float64Array;
  /** The inverse Cholesky factor L^-1 (maxK x maxK, row-major) that firthResidual reads. */
  readonly li: Float64Array;
  /** The information matrix (HK), its Cholesky factor (L) and the Newton step (G): maxK x maxK, maxK x maxK, maxK. */
  readonly hk: Float64Array;
  readonly l: Float64Array;
  readonly g: Float64Array;
  readonly eta: Float64Array;
  readonly pr: Float64Array;
  /** Scratch of the sigmoid pass (e^-|eta|), free between fits: a second output of linear(). */
  readonly ex: Float64Array;
  /** Sample weights of the variant (1 used, 0 dropped), written by the caller before predict(). */
  readonly act: Float64Array;
  private f64: Float64Array;
  private scoreFn: Score;
  private dosageFn: Dosage;
  private xwxFn: Xwx;
  private firthFn: FirthR;
  private cholFn: Chol;
  private solveFn: Solve;
  private etaFn: Eta;
  private lastFn: LastSums;
  private sigFn: Sig;
  // Byte offsets of the scratch.
  private wOff: number;
  private rOff: number;
  private etaOff: number;
  private prOff: number;
  private actOff: number;
  private exOff: number;
  private lgOff: number;
  private hOff: number;
  private invOff: number;
  private liOff: number;
  private hkOff: number;
  private lOff: number;
  private gOff: number;
  private bOff: number;
  private planOff: number;
  /** X'r as xwx writes it (kp doubles). */
  private sOff: number;
  /** The k whose xwxPlan is at planOff, and its number of passes. */
  private planK = -1;
  private np = 0;
  private slots = new Map<object, Slot>();
  private spare: Slot;
  /** The design loaded now. */
  private cur: Slot;

  private constructor(mod: WebAssembly.Module, maxN: number, maxK: number, groups: readonly DesignSource[]) {
    const ld = up8(maxN);
    const kp = up8(maxK + 1);
    this.wOff = 0;
    this.rOff = this.wOff + ld * 8;
    this.etaOff = this.rOff + ld * 8;
    this.prOff = this.etaOff + ld * 8;
    this.actOff = this.prOff + ld * 8;
    this.exOff = this.actOff + ld * 8;
    this.lgOff = this.exOff + ld * 8;
    this.hOff = this.lgOff + ld * 8;
    this.invOff = this.hOff + kp * kp * 8;
    this.liOff = this.invOff + up8(maxK * maxK) * 8;
    this.hkOff = this.liOff + up8(maxK * maxK) * 8;
    this.lOff = this.hkOff + up8(maxK * maxK) * 8;
    this.gOff = this.lOff + up8(maxK * maxK) * 8;
    this.bOff = this.gOff + up8(maxK) * 8;
    this.planOff = this.bOff + up8(maxK) * 8;
    this.sOff = this.planOff + up8(planPasses(maxK) * 6) * 4;
    let top = this.sOff + kp * 8;
    const place = (n: number, k: number, cache: boolean): Slot => {
      const xc = top + n * up8(k + 1) * 8;
      const wr = cache ? top + slotBytes(n, k) : -1;
      const sl = { n, k, kp: up8(k + 1), ld: up8(n), xr: top, xc, y: xc + k * up8(n) * 8, wr, ready: 0, key: null };
      top += slotBytes(n, k) + (cache ? STARTS * nullBytes(n) : 0);
      return sl;
    };
    this.spare = place(maxN, maxK, false);
    // Own slots while they fit in SLOT_BUDGET (biobank-sized groups beyond it share the spare).
    const given: { g: DesignSource; sl: Slot }[] = [];
    let used = 0;
    for (const g of groups) {
      const bytes = slotBytes(g.n, g.p + 1) + STARTS * nullBytes(g.n);
      if (g.n > maxN || g.p + 1 > maxK || used + bytes > SLOT_BUDGET) continue;
      used += bytes;
      given.push({ g, sl: place(g.n, g.p + 1, true) });
    }
    const mem = new WebAssembly.Memory({ initial: pagesFor(top) });
    const ex = new WebAssembly.Instance(mod, { e: { m: mem } }).exports;
    this.scoreFn = ex.score as Score;
    this.dosageFn = ex.dosage as Dosage;
    this.xwxFn = ex.xwx as Xwx;
    this.firthFn = ex.firthr as FirthR;
    this.cholFn = ex.chol as Chol;
    this.solveFn = ex.solve as Solve;
    this.etaFn = ex.eta as Eta;
    this.lastFn = ex.laststep as LastSums;
    this.sigFn = ex.sig as Sig;
    this.f64 = new Float64Array(mem.buffer);
    const view = (off: number, len: number) => this.f64.subarray(off / 8, off / 8 + len);
    this.w = view(this.wOff, ld);
    this.r = view(this.rOff, ld);
    this.eta = view(this.etaOff, ld);
    this.pr = view(this.prOff, ld);
    this.ex = view(this.exOff, ld);
    this.act = view(this.actOff, ld);
    this.inv = view(this.invOff, maxK * maxK);
    this.li = view(this.liOff, maxK * maxK);
    this.hk = view(this.hkOff, maxK * maxK);
    this.l = view(this.lOff, maxK * maxK);
    this.g = view(this.gOff, maxK);
    for (const { g, sl } of given) {
      this.fill(sl, g, g.n, g.p + 1);
      this.slots.set(g, sl);
    }
    this.cur = this.spare;
  }

  /**
   * The kernel for designs of at most maxN samples and maxK columns, with a slot for each group
   * given; null without WebAssembly SIMD or under DOSAGEFLOW_NO_WASM.
   */
  static create(maxN: number, maxK: number, groups: readonly DesignSource[] = []): LogitWasm | null {
    const mod = wasmDisabled() ? null : wasmModule('logit');
    return mod ? new LogitWasm(mod, Math.max(1, maxN), Math.max(1, maxK), groups) : null;
  }

  /**
   * Make group `key`'s design (k columns of n; cols[0] the dosages, cols[1..] its covariates) the
   * current one: its own slot, or the spare slot (refilled when another group was loaded last).
   * Only the dosage column is copied per call.
   */
  load(cols: Float64Array[], k: number, n: number, key: DesignSource): void {
    let sl = this.slots.get(key);
    if (!sl) {
      sl = this.spare;
      if (sl.key !== key || sl.k !== k || sl.n !== n) {
        sl.k = k;
        sl.n = n;
        sl.kp = up8(k + 1);
        sl.ld = up8(n);
        sl.xc = sl.xr + n * sl.kp * 8;
        sl.y = sl.xc + k * sl.ld * 8;
        this.fill(sl, key, n, k);
      }
    }
    this.cur = sl;
    const f = this.f64;
    const g = cols[0];
    const xr = sl.xr / 8;
    const kp = sl.kp;
    const xc = sl.xc / 8;
    for (let i = 0; i < n; i++) {
      f[xc + i] = g[i];
      f[xr + i * kp] = g[i];
    }
    this.act.fill(0, n, sl.ld);
  }

  /** The group's covariates (k - 1 columns of n) and outcome into slot sl, zeros elsewhere, ones in XR's last column. */
  private fill(sl: Slot, key: DesignSource, n: number, k: number): void {
    const f = this.f64;
    const x = key.x;
    const { kp, ld } = sl;
    sl.key = key;
    const xr = sl.xr / 8;
    f.fill(0, xr, xr + n * kp);
    for (let i = 0; i < n; i++) {
      const row = xr + i * kp;
      for (let j = 1; j < k; j++) f[row + j] = x[(j - 1) * n + i];
      f[row + kp - 1] = 1;
    }
    const xc = sl.xc / 8;
    f.fill(0, xc, xc + k * ld);
    for (let j = 1; j < k; j++) f.set(x.subarray((j - 1) * n, j * n), xc + j * ld);
    f.fill(0, sl.y / 8, sl.y / 8 + ld);
    f.set(key.y.subarray(0, n), sl.y / 8);
  }

  /** The lower triangle of X'WX (W = this.w) into h (k x k row-major); with h null only into H, for cholesky(k, true). */
  information(h: Float64Array | null): void {
    this.xwx(h, 0);
  }

  /** information(h) and score(g) in the same passes over the samples (the same sums). */
  informationScore(h: Float64Array | null, g: Float64Array): void {
    this.xwx(h, this.rOff);
    const f = this.f64;
    const g0 = this.sOff / 8;
    for (let j = 0; j < this.cur.k; j++) g[j] = f[g0 + j];
  }

  private xwx(h: Float64Array | null, r: number): void {
    const { k, kp, n, xr } = this.cur;
    if (this.planK !== k) {
      const plan = xwxPlan(k);
      new Int32Array(this.f64.buffer, this.planOff, plan.length).set(plan);
      this.planK = k;
      this.np = plan.length / 6;
    }
    this.xwxFn(xr, this.wOff, this.hOff, n, kp * 8, this.planOff, this.np, r, this.sOff);
    if (!h) return;
    const f = this.f64;
    const h0 = this.hOff / 8;
    for (let a = 0; a < k; a++) for (let b = 0; b <= a; b++) h[a * k + b] = f[h0 + a * kp + b];
  }

  /**
   * The dosage entries of Newton's first step from start s (logistic.ts nullStep), from the
   * group's WR = (w0_i, r0_i) of that start: h[a k] = sum d_i (w0_i X[i][a]) (a >= 1), h[0] = sum (w0_i d_i) d_i,
   * g[0] = sum r0_i d_i, each in sample order, in one pass over the samples a 14 columns; false
   * (nothing done) without WR (the spare slot).
   */
  dosageEntries(h: Float64Array, g: Float64Array, s: number): boolean {
    const sl = this.cur;
    if (!(sl.ready & (1 << s))) return false;
    const { k, kp, n, xr } = sl;
    const f = this.f64;
    const o = this.hOff / 8;
    this.dosageFn(xr, sl.wr + s * nullBytes(n), this.hOff, this.bOff, n, kp * 8, k);
    h[0] = f[this.bOff / 8];
    g[0] = f[this.bOff / 8 + 1];
    for (let a = 1; a < k; a++) h[a * k] = f[o + a];
    return true;
  }

  /** With this.w and this.r those of the group's start s (every sample): its WR into the own slot. */
  nullCapture(s: number): void {
    const sl = this.cur;
    if (sl.wr < 0) return;
    const f = this.f64;
    const { w, r } = this;
    const o = (sl.wr + s * nullBytes(sl.n)) / 8;
    for (let i = 0; i < sl.n; i++) {
      f[o + 2 * i] = w[i];
      f[o + 2 * i + 1] = r[i];
    }
    sl.ready |= 1 << s;
  }

  /** g = X'r (r = this.r). */
  score(g: Float64Array): void {
    const { k, kp, n, xr } = this.cur;
    this.scoreFn(xr, this.rOff, this.hOff, n, kp * 8, (k + 1) >> 1);
    const f = this.f64;
    const h0 = this.hOff / 8;
    for (let j = 0; j < k; j++) g[j] = f[h0 + j];
  }

  /**
   * eta = X b, then the sigmoid pass (logit-math.ts sigmoid): this.pr, this.w and this.r = act (y - pr)
   * from this.act; returns the log-likelihood with wantLL, else 0.
   */
  predict(b: Float64Array, wantLL: boolean): number {
    const { k, ld, xc, y } = this.cur;
    // b copied element by element: a subarray a call was ~2% of the worker in GC at 157 samples
    const f = this.f64;
    const o = this.bOff / 8;
    for (let j = 0; j < k; j++) f[o + j] = b[j];
    this.etaFn(xc, ld * 8, this.bOff, k, this.etaOff, ld);
    return this.sigFn(this.etaOff, this.actOff, y, this.prOff, this.wOff, this.rOff, this.exOff, this.lgOff, ld, wantLL ? 1 : 0);
  }

  /** X v (the eta kernel) into this.eta (into = 0) or this.ex (1), which it returns. */
  linear(v: Float64Array, into: 0 | 1): Float64Array {
    const { k, ld, xc } = this.cur;
    this.f64.set(v.subarray(0, k), this.bOff / 8);
    this.etaFn(xc, ld * 8, this.bOff, k, into ? this.exOff : this.etaOff, ld);
    return into ? this.ex : this.eta;
  }

  /**
   * lastStep's sums over this.eta (e), this.ex (z), this.w and this.pr: (c2, c3) into s[0], s[1];
   * returns max |e_i| (logistic.ts lastStep has the JavaScript loop).
   */
  lastSums(s: Float64Array): number {
    const { n } = this.cur;
    const m = this.lastFn(this.etaOff, this.exOff, this.wOff, this.prOff, n, this.bOff);
    s[0] = this.f64[this.bOff / 8];
    s[1] = this.f64[this.bOff / 8 + 1];
    return m;
  }

  /**
   * Firth's modified residual into this.r: r = act ((y - pr) + h (1/2 - pr)), h the hat diagonal
   * w_i |L^-1 x_i|^2 from this.li (k x k) and this.w, this.pr of the last predict().
   */
  firthResidual(): void {
    const { k, ld, xc, y } = this.cur;
    this.firthFn(xc, ld * 8, this.liOff, k, this.wOff, this.actOff, y, this.prOff, this.rOff, ld);
  }

  /**
   * this.l = the Cholesky factor of X'WX (logistic.ts cholesky's twin): as the last information(null)
   * left it (fromH) or of this.hk (k x k); false if not positive definite.
   */
  cholesky(k: number, fromH: boolean): boolean {
    const r = fromH ? this.cholFn(this.hOff, this.cur.kp * 8, this.lOff, k) : this.cholFn(this.hkOff, k * 8, this.lOff, k);
    return r !== 0;
  }

  /** this.g = (L L')^-1 this.g (logistic.ts cholSolve's twin). */
  solve(k: number): void {
    this.solveFn(this.lOff, k, this.gOff);
  }
}
