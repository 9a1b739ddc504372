// The WebAssembly side of the logistic kernel (src/wasm/logit.wat): X'WX, the score X'r and Firth's
// hat diagonal over a copy of the design in wasm memory, bit-identical to the JavaScript loops of
// logistic.ts (same summation order; test/logistic-wasm.test.ts). Why: docs/decisions/0210.
//
// Memory (bytes, every region 64-byte aligned): XR the design row-major (n rows of kpb bytes; the
// last of the kp columns holds ones, so X'r is the same kernel as a row of X'WX), XC the design
// column-major (k columns of ldb bytes), then W, R and HAT (ldb bytes each), H (kp rows of kpb),
// INV (maxK x maxK doubles), ETA (ldb bytes) and B (maxK doubles). Padding samples and columns are zeros.
import { wasmDisabled, wasmModule, pagesFor } from '../wasm/modules.js';

type Accum = (xr: number, w: number, out: number, n: number, kpb: number, ab: number, nb: number) => void;
type Xwx = (xr: number, w: number, h: number, n: number, kpb: number, k: number) => void;
type Eta = (xc: number, ldb: number, b: number, k: number, out: number, n8: number) => void;
type Hat = (xc: number, ldb: number, inv: number, k: number, w: number, out: number, n8: number) => void;

const up8 = (x: number) => (x + 7) & ~7;

export class LogitWasm {
  /** Views the fits write and read directly (length maxN or maxK^2). */
  readonly w: Float64Array;
  readonly r: Float64Array;
  readonly hat: Float64Array;
  readonly inv: Float64Array;
  readonly eta: Float64Array;
  private f64: Float64Array;
  private accum: Accum;
  private xwxFn: Xwx;
  private hatFn: Hat;
  private etaFn: Eta;
  // Byte offsets.
  private xr: number;
  private xc: number;
  private wOff: number;
  private rOff: number;
  private hatOff: number;
  private hOff: number;
  private invOff: number;
  private etaOff: number;
  private bOff: number;
  /** Layout of the design loaded now. */
  private n = 0;
  private k = 0;
  private kp = 0;
  private ld = 0;
  private key: object | null = null;

  private constructor(mod: WebAssembly.Module, maxN: number, maxK: number) {
    const ld = up8(maxN);
    const kp = up8(maxK + 1);
    this.xr = 0;
    this.xc = this.xr + maxN * kp * 8;
    this.wOff = this.xc + maxK * ld * 8;
    this.rOff = this.wOff + ld * 8;
    this.hatOff = this.rOff + ld * 8;
    this.hOff = this.hatOff + ld * 8;
    this.invOff = this.hOff + kp * kp * 8;
    this.etaOff = this.invOff + up8(maxK * maxK) * 8;
    this.bOff = this.etaOff + ld * 8;
    const top = this.bOff + up8(maxK) * 8;
    const mem = new WebAssembly.Memory({ initial: pagesFor(top) });
    const ex = new WebAssembly.Instance(mod, { e: { m: mem } }).exports;
    this.accum = ex.accum as Accum;
    this.xwxFn = ex.xwx as Xwx;
    this.hatFn = ex.hat as Hat;
    this.etaFn = ex.eta as Eta;
    this.f64 = new Float64Array(mem.buffer);
    this.w = this.f64.subarray(this.wOff / 8, this.wOff / 8 + ld);
    this.r = this.f64.subarray(this.rOff / 8, this.rOff / 8 + ld);
    this.hat = this.f64.subarray(this.hatOff / 8, this.hatOff / 8 + ld);
    this.inv = this.f64.subarray(this.invOff / 8, this.invOff / 8 + maxK * maxK);
    this.eta = this.f64.subarray(this.etaOff / 8, this.etaOff / 8 + ld);
  }

  /** The kernel for designs of at most maxN samples and maxK columns, or null (no WebAssembly SIMD, or DOSAGEFLOW_NO_WASM). */
  static create(maxN: number, maxK: number): LogitWasm | null {
    const mod = wasmDisabled() ? null : wasmModule('logit');
    return mod ? new LogitWasm(mod, Math.max(1, maxN), Math.max(1, maxK)) : null;
  }

  /**
   * Copy the design cols (k columns of n; cols[0] the dosages) into both layouts. Columns 1.. (the
   * covariates of the group `key`) are copied only when another group was loaded last.
   */
  load(cols: Float64Array[], k: number, n: number, key: object): void {
    const f = this.f64;
    if (key !== this.key || k !== this.k || n !== this.n) this.layout(cols, k, n, key);
    const kp = this.kp;
    const g = cols[0];
    const xr = this.xr / 8;
    f.set(g.subarray(0, n), this.xc / 8);
    for (let i = 0; i < n; i++) f[xr + i * kp] = g[i];
  }

  private layout(cols: Float64Array[], k: number, n: number, key: object): void {
    const f = this.f64;
    this.key = key;
    const kp = up8(k + 1);
    const ld = up8(n);
    this.k = k;
    this.n = n;
    this.kp = kp;
    this.ld = ld;
    const xr = this.xr / 8;
    f.fill(0, xr, xr + n * kp);
    for (let i = 0; i < n; i++) {
      const row = xr + i * kp;
      for (let j = 1; j < k; j++) f[row + j] = cols[j][i];
      f[row + kp - 1] = 1;
    }
    const xc = this.xc / 8;
    for (let j = 0; j < k; j++) {
      if (j > 0) f.set(cols[j].subarray(0, n), xc + j * ld);
      f.fill(0, xc + j * ld + n, xc + (j + 1) * ld);
    }
    this.w.fill(0, n);
    this.r.fill(0, n);
  }

  /** The lower triangle of X'WX (W = this.w) into h (k x k row-major). */
  information(h: Float64Array): void {
    const { k, kp } = this;
    this.xwxFn(this.xr, this.wOff, this.hOff, this.n, kp * 8, k);
    const f = this.f64;
    const h0 = this.hOff / 8;
    for (let a = 0; a < k; a++) for (let b = 0; b <= a; b++) h[a * k + b] = f[h0 + a * kp + b];
  }

  /** g = X'r (r = this.r). */
  score(g: Float64Array): void {
    const { k, kp } = this;
    this.accum(this.xr, this.rOff, this.hOff, this.n, kp * 8, (kp - 1) * 8, (k + 7) >> 3);
    const f = this.f64;
    const h0 = this.hOff / 8;
    for (let j = 0; j < k; j++) g[j] = f[h0 + j];
  }

  /** this.eta = X b. */
  linear(b: Float64Array): void {
    this.f64.set(b.subarray(0, this.k), this.bOff / 8);
    this.etaFn(this.xc, this.ld * 8, this.bOff, this.k, this.etaOff, this.ld);
  }

  /** this.hat = Firth's hat diagonal from this.inv (k x k) and this.w. */
  hatDiagonal(): void {
    this.hatFn(this.xc, this.ld * 8, this.invOff, this.k, this.wOff, this.hatOff, this.ld);
  }
}
