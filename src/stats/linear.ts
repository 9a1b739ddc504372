// Per-variant linear regression y ~ 1 + d + covariates for every phenotype of a group, as plink2
// --glm computes it. With no missing dosage only dot products remain (see projection.ts); a variant
// with missing dosages is refitted on its own sample subset, exactly as plink2 drops those samples.
import { logPStudentT2 } from './distributions.js';
import type { ModelGroup } from './model.js';
import { buildProjection, residualize } from './projection.js';
import { matVecJs, matVecModule, type MatVecWasm } from './matvec.js';
import { pagesFor, wasmDisabled } from '../wasm/modules.js';

/** Results for one variant and one group; per-phenotype arrays have the group's phenotype count. */
export interface GroupResult {
  nUsed: number;
  /** Mean dosage / 2 over the samples used (frequency of the counted allele). */
  frq: number;
  /** MACH R2: Var(d) / (2p(1-p)), population variance; NaN when p is 0 or 1. */
  info: number;
  beta: Float64Array;
  se: Float64Array;
  t: Float64Array;
  logp: Float64Array;
}

export function newGroupResult(m: number): GroupResult {
  return { nUsed: 0, frq: NaN, info: NaN, beta: new Float64Array(m), se: new Float64Array(m), t: new Float64Array(m), logp: new Float64Array(m) };
}

// A dosage whose variance is (almost) explained by the covariates gives no usable test; plink2
// reports NA for such variants too. Residual variance below this share of the total is treated so.
const MIN_RESIDUAL_SHARE = 1e-10;

// A few missing dosages are handled by a rank-m downdate of the full-sample projection: dropping m
// samples equals adding m indicator columns, so every inner product needs only an m x m correction
// (measured: 15% of simulated variants have a missing dosage; refitting them from scratch took 38%
// of worker time). Beyond this many missing samples the direct refit is cheaper.
const MAX_DOWNDATE = 24;

export interface KernelOptions {
  /** Groups to copy into wasm memory now (others are copied when first seen). */
  groups?: ModelGroup[];
  /** false: the JS dot products even where WebAssembly SIMD is available (tests, benchmarks). */
  wasm?: boolean;
}

/** Where a group's stacked [Q; Yr] matrix and its r + m results live in wasm memory (bytes). */
interface WasmSlot {
  mat: number;
  out: number;
  ldb: number;
}

// The r + m dot products of g with the rows of Q and Yr are the kernel's only O(n (r + m)) work;
// they run as one matrix-vector product in WebAssembly SIMD (matvec.ts) on a per-kernel copy of
// [Q; Yr]. Measured with bench/kernel.ts (user CPU per LinearKernel.run, best of 7, r = 12, on a
// loaded 2-core Xeon): 157 samples, two groups (the study) 4.9 -> 1.6 us; 10,000 samples, m = 1
// 165 -> 48 us; 10,000 samples, m = 20 425 -> 119 us. What remains at 10,000 samples is the gather
// (~20 us) and, for m = 20, streaming the 2.6 MB [Q; Yr] from L3 for every variant.
// DOSAGEFLOW_NO_WASM=1 (or { wasm: false }) selects the JS products, which give identical results.
export class LinearKernel {
  /** The gathered dosages; with wasm a view onto its memory, so the gather writes straight in. */
  private g = new Float64Array(0);
  private u: Float64Array;
  private miss: Int32Array;
  private gm: Float64Array;
  private pd: Float64Array;
  private pb: Float64Array;
  /** JS path: the r + m dot products. */
  private dots = new Float64Array(0);
  private maxN: number;
  private mem: WebAssembly.Memory | null = null;
  private mv: MatVecWasm | null = null;
  /** The whole wasm memory as doubles; re-derived (with g) whenever the memory grows. */
  private f64 = new Float64Array(0);
  private top = 0;
  private slots = new WeakMap<ModelGroup, WasmSlot>();

  constructor(maxN: number, maxR: number, opts: KernelOptions = {}) {
    this.maxN = Math.max(1, maxN);
    this.u = new Float64Array(Math.max(1, maxR));
    this.miss = new Int32Array(maxN);
    this.gm = new Float64Array(MAX_DOWNDATE * MAX_DOWNDATE);
    this.pd = new Float64Array(MAX_DOWNDATE);
    this.pb = new Float64Array(MAX_DOWNDATE);
    const mod = opts.wasm === false || wasmDisabled() ? null : matVecModule();
    if (mod) {
      // g first, at byte 0 (16-byte aligned for v128 loads); the groups' matrices after it.
      this.top = align16(this.maxN * 8);
      this.mem = new WebAssembly.Memory({ initial: pagesFor(this.top) });
      this.mv = new WebAssembly.Instance(mod, { e: { m: this.mem } }).exports.mv as MatVecWasm;
      this.views();
      for (const gr of opts.groups ?? []) this.slot(gr);
    } else {
      this.g = new Float64Array(this.maxN);
    }
  }

  /** Whether the dot products run in WebAssembly. */
  get usesWasm(): boolean {
    return this.mv !== null;
  }

  private views(): void {
    this.f64 = new Float64Array(this.mem!.buffer);
    this.g = this.f64.subarray(0, this.maxN);
  }

  /** The group's copy of [Q; Yr] in wasm memory, made on first use (rows padded to even length). */
  private slot(gr: ModelGroup): WasmSlot {
    let s = this.slots.get(gr);
    if (s) return s;
    const n = gr.n;
    const rows = gr.r + gr.phenos.length;
    const ld = n + (n & 1);
    const mat = this.top;
    const out = mat + align16(rows * ld * 8);
    this.top = out + align16(rows * 8);
    const mem = this.mem!;
    const have = mem.buffer.byteLength >>> 16;
    const need = pagesFor(this.top);
    if (need > have) {
      mem.grow(need - have);
      this.views();
    }
    const f = this.f64;
    for (let l = 0; l < gr.r; l++) f.set(gr.q.subarray(l * n, l * n + n), mat / 8 + l * ld);
    for (let k = 0; k < gr.phenos.length; k++) f.set(gr.yr.subarray(k * n, k * n + n), mat / 8 + (gr.r + k) * ld);
    s = { mat, out, ldb: ld * 8 };
    this.slots.set(gr, s);
    return s;
  }

  /** Test dosage row `d` (genotype-sample order, NaN = missing) against group `gr`. */
  run(d: Float64Array, gr: ModelGroup, out: GroupResult): void {
    const n = gr.n;
    const idx = gr.idx;
    // Before g is read: a first-seen group may grow the wasm memory, which moves g.
    const slot = this.mv !== null ? this.slot(gr) : null;
    const g = this.g;
    const miss = this.miss;
    // The gather keeps its sums here: moving sum(g) and g'g into the wasm product (a row of ones,
    // and g with itself) made LinearKernel.run slower, not faster (n = 10,000: 51 vs 45 us; the
    // gather's cost is its loads, not the add chain).
    let sum = 0;
    let sumsq = 0;
    let nmiss = 0;
    for (let i = 0; i < n; i++) {
      const v = d[idx[i]];
      if (v !== v) {
        miss[nmiss++] = i;
        g[i] = 0;
      } else {
        g[i] = v;
        sum += v;
        sumsq += v * v;
      }
    }
    if (nmiss > MAX_DOWNDATE) {
      for (let k = 0; k < nmiss; k++) g[miss[k]] = NaN;
      this.runSubset(gr, nmiss, out);
      return;
    }
    const r = gr.r;
    const q = gr.q;
    const qsum = gr.qsum;
    const m = gr.phenos.length;
    // dots[base + l] = Q_l'g (l < r), dots[base + r + k] = Yr_k'g, computed before the early NA
    // exits below: those are rare, and one call for all r + m rows loads g once per four rows.
    let dots: Float64Array;
    let base: number;
    if (slot !== null) {
      this.mv!(slot.mat, 0, slot.out, r + m, n, slot.ldb);
      dots = this.f64;
      base = slot.out >>> 3;
    } else {
      if (this.dots.length < r + m) this.dots = new Float64Array(r + m);
      dots = this.dots;
      base = 0;
      matVecJs(q, 0, n, r, n, g, dots, 0);
      matVecJs(gr.yr, 0, n, m, n, g, dots, r);
    }
    const ns = n - nmiss;
    // Frequency and INFO over the samples used. Dosages lie in [0, 2], so sums of squares lose
    // nothing that matters here; one pass instead of three (measured: -30% kernel time).
    const meanUsed = sum / ns;
    const cssUsed = Math.max(0, sumsq - ns * meanUsed * meanUsed);
    out.nUsed = ns;
    setFreqInfo(out, meanUsed, cssUsed, ns);
    // Over all n with missing entries at 0 (the indicator columns absorb them). g stays uncentred:
    // Q and y_r are orthogonal to 1 up to rounding, and that rounding is subtracted exactly below.
    const mean = sum / n;
    const css = sumsq - n * mean * mean;
    let uu = 0;
    for (let l = 0; l < r; l++) {
      const dot = dots[base + l] - mean * qsum[l];
      this.u[l] = dot;
      uu += dot * dot;
    }
    let ssd = css - uu;
    const df = ns - r - 2;
    const yr = gr.yr;
    const yoff = base + r;
    if (nmiss === 0) {
      if (!(cssUsed > 0) || !(ssd > cssUsed * MIN_RESIDUAL_SHARE)) {
        fillNA(out, m);
        return;
      }
      for (let k = 0; k < m; k++) finish(out, k, dots[yoff + k] - mean * gr.yrsum[k], ssd, gr.yy[k], df);
      return;
    }
    if (df < 1 || !(cssUsed > 0)) {
      fillNA(out, m);
      return;
    }
    // G = I - 11'/n - Q_M Q_M' (m x m), factored in place as L L'.
    const G = this.gm;
    const mm = nmiss;
    for (let a = 0; a < mm; a++) {
      for (let b = 0; b <= a; b++) {
        let v = (a === b ? 1 : 0) - 1 / n;
        for (let l = 0; l < r; l++) v -= q[l * n + miss[a]] * q[l * n + miss[b]];
        G[a * mm + b] = v;
      }
    }
    if (!cholesky(G, mm)) {
      // The covariates lose rank on the subset: refit it directly.
      for (let k = 0; k < nmiss; k++) g[miss[k]] = NaN;
      this.refill(d, gr);
      this.runSubset(gr, nmiss, out);
      return;
    }
    // (Pd)_M, then a = L^-1 (Pd)_M.
    const pd = this.pd;
    for (let a = 0; a < mm; a++) {
      let v = -mean; // the centred value of a zero-filled entry
      for (let l = 0; l < r; l++) v -= q[l * n + miss[a]] * this.u[l];
      pd[a] = v;
    }
    forwardSolve(G, mm, pd);
    let aa = 0;
    for (let a = 0; a < mm; a++) aa += pd[a] * pd[a];
    ssd -= aa;
    if (!(ssd > cssUsed * MIN_RESIDUAL_SHARE)) {
      fillNA(out, m);
      return;
    }
    const pb = this.pb;
    for (let k = 0; k < m; k++) {
      const off = k * n;
      const sdy = dots[yoff + k] - mean * gr.yrsum[k];
      for (let a = 0; a < mm; a++) pb[a] = yr[off + miss[a]];
      forwardSolve(G, mm, pb);
      let ab = 0;
      let bb = 0;
      for (let a = 0; a < mm; a++) {
        ab += pd[a] * pb[a];
        bb += pb[a] * pb[a];
      }
      finish(out, k, sdy - ab, ssd, gr.yy[k] - bb, df);
    }
  }

  /** Restore g to the raw dosages of the group (NaN = missing) for the direct refit. */
  private refill(d: Float64Array, gr: ModelGroup): void {
    for (let i = 0; i < gr.n; i++) this.g[i] = d[gr.idx[i]];
  }

  private runSubset(gr: ModelGroup, nmiss: number, out: GroupResult): void {
    const n = gr.n;
    const g = this.g;
    const ns = n - nmiss;
    const m = gr.phenos.length;
    const keep = new Int32Array(ns);
    for (let i = 0, k = 0; i < n; i++) if (g[i] === g[i]) keep[k++] = i;
    out.nUsed = ns;
    const d = new Float64Array(ns);
    let sum = 0;
    for (let k = 0; k < ns; k++) {
      d[k] = g[keep[k]];
      sum += d[k];
    }
    const mean = ns > 0 ? sum / ns : NaN;
    let css = 0;
    for (let k = 0; k < ns; k++) css += (d[k] - mean) * (d[k] - mean);
    setFreqInfo(out, mean, css, ns);
    const cols: Float64Array[] = [];
    for (let c = 0; c < gr.nCov; c++) {
      const col = new Float64Array(ns);
      const off = c * n;
      for (let k = 0; k < ns; k++) col[k] = gr.cov[off + keep[k]];
      cols.push(col);
    }
    const proj = ns > 0 ? buildProjection(cols, ns) : { r: 0, q: new Float64Array(0) };
    const df = ns - proj.r - 2;
    if (df < 1 || !(css > 0)) {
      fillNA(out, m);
      return;
    }
    const ssd = residualize(d, proj.q, proj.r, ns);
    if (!(ssd > css * MIN_RESIDUAL_SHARE)) {
      fillNA(out, m);
      return;
    }
    const y = new Float64Array(ns);
    for (let j = 0; j < m; j++) {
      const off = j * n;
      for (let k = 0; k < ns; k++) y[k] = gr.y[off + keep[k]];
      const yy = residualize(y, proj.q, proj.r, ns);
      let sdy = 0;
      for (let k = 0; k < ns; k++) sdy += d[k] * y[k];
      finish(out, j, sdy, ssd, yy, df);
    }
  }
}

function align16(bytes: number): number {
  return (bytes + 15) & ~15;
}

function setFreqInfo(out: GroupResult, mean: number, css: number, n: number): void {
  const p = mean / 2;
  out.frq = p;
  const denom = 2 * p * (1 - p);
  out.info = denom > 0 ? css / n / denom : NaN;
}

function finish(out: GroupResult, k: number, sdy: number, ssd: number, yy: number, df: number): void {
  const beta = sdy / ssd;
  let rss = yy - beta * sdy;
  if (rss < 0) rss = 0;
  const se = Math.sqrt(rss / df / ssd);
  const t = beta / se;
  out.beta[k] = beta;
  out.se[k] = se;
  if (!(se > 0)) {
    out.t[k] = NaN;
    out.logp[k] = NaN;
    return;
  }
  out.t[k] = t;
  out.logp[k] = logPStudentT2(t, df);
}

function fillNA(out: GroupResult, m: number): void {
  for (let k = 0; k < m; k++) {
    out.beta[k] = NaN;
    out.se[k] = NaN;
    out.t[k] = NaN;
    out.logp[k] = NaN;
  }
}

/** In-place Cholesky of the lower triangle of the m x m row-major matrix; false if not positive definite. */
function cholesky(a: Float64Array, m: number): boolean {
  for (let j = 0; j < m; j++) {
    let d = a[j * m + j];
    for (let k = 0; k < j; k++) d -= a[j * m + k] * a[j * m + k];
    // A pivot this small means a covariate pattern carried only by the dropped samples.
    if (!(d > 1e-10)) return false;
    d = Math.sqrt(d);
    a[j * m + j] = d;
    for (let i = j + 1; i < m; i++) {
      let v = a[i * m + j];
      for (let k = 0; k < j; k++) v -= a[i * m + k] * a[j * m + k];
      a[i * m + j] = v / d;
    }
  }
  return true;
}

/** Solve L x = b in place (L from cholesky). */
function forwardSolve(l: Float64Array, m: number, b: Float64Array): void {
  for (let i = 0; i < m; i++) {
    let v = b[i];
    for (let k = 0; k < i; k++) v -= l[i * m + k] * b[k];
    b[i] = v / l[i * m + i];
  }
}
