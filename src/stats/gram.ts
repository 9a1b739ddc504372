// Covariate Gram statistics of a group (its full sample set), and the per-variant solve for a
// variant with missing dosages: the m missing rows are subtracted from the full-sample Gram matrix
// (or the present rows summed when m > n/2), then a (K+1) x (K+1) Cholesky of the predictors'
// correlation matrix gives plink2's checks (CORR_TOO_HIGH, VIF_INFINITE, VIF_TOO_HIGH) and the fit.
// O(m K^2 + K^3) a variant instead of O(n K^2). See docs/decisions/0201-gram-downdate.md.

import { GRAM_PANEL_ROWS, gramAt, gramJs, gramModule, gramStride, presentJs, type GramWasm, type PresentWasm } from './matvec.js';
import { growTo, wasmDisabled } from '../wasm/modules.js';
import { dotAt, minusInto, sumAt } from './vec.js';

/** Why a row is NA, with plink2's ERRCODE names (counted in the closing summary). */
// The last four: logistic fits (stats/logistic.ts).
export const NA_REASONS = [
  '',
  'CONST_OMITTED_ALLELE',
  'SAMPLE_CT<=PREDICTOR_CT',
  'CORR_TOO_HIGH',
  'VIF_INFINITE',
  'VIF_TOO_HIGH',
  'INVALID_RESULT',
  'SEPARATION',
  'LOGISTIC_CONVERGE_FAIL',
  'FIRTH_CONVERGE_FAIL',
  'UNFINISHED',
] as const;
export const NA_CONST = 1;
export const NA_SAMPLE_CT = 2;
export const NA_CORR = 3;
export const NA_VIF_INF = 4;
export const NA_VIF = 5;
export const NA_INVALID = 6;

/** plink2's defaults for --max-corr and --vif. */
export const DEFAULT_MAX_CORR = 0.999;
export const DEFAULT_VIF = 50;

// A residual sum of squares below this share of the phenotype's (centred) total is round-off: the
// phenotype is a combination of the predictors (e.g. itself as a covariate). plink2 says
// INVALID_RESULT (or prints the round-off); NA here.
export const INVALID_SHARE = 1e-12;
// A covariate whose variance among the present samples is below this share of its full-sample
// variance is constant there (the cancellation of the downdate leaves ~1e-16 of round-off).
const CONST_SHARE = 1e-12;
// A Cholesky pivot of the correlation matrix below this: singular (plink2's inversion fails).
const SINGULAR_PIVOT = 1e-12;

export interface GroupGram {
  /**
   * The augmented rows [centred covariates (r), 1, centred phenotypes (m), zeros] row-major, n rows
   * of W (r + 1 + m rounded up to a multiple of 4): a variant's missing or present rows multiplied
   * out (matvec.ts gramJs, c = r + 1) give every sum it needs (crossProducts); gneg = minus the
   * full-sample sums, in the same layout, where the downdate by the missing rows starts.
   */
  xa: Float64Array;
  W: number;
  gneg: Float64Array;
  /** Their column sums (zero up to rounding). */
  csum: Float64Array;
  /** xc'xc, r x r. */
  g: Float64Array;
  /** T = Q'xc (r x r, upper triangular: xc = Q T), its inverse, and diag(xc'xc). */
  t: Float64Array;
  tinv: Float64Array;
  d2: Float64Array;
  /** Variance inflation factors of the covariates alone, and their maximum. */
  baseVif: Float64Array;
  maxVif: number;
  /** Largest |correlation| between two covariates, and the pair. */
  maxCorr: number;
  corrPair: [number, number];
  /** Centred phenotypes: their sums, sums of squares, xc'yc (m x r), Q'yc (m x r). */
  ycsum: Float64Array;
  yctot: Float64Array;
  cy: Float64Array;
  ya: Float64Array;
}

export function buildGroupGram(q: Float64Array, r: number, cov: Float64Array, y: Float64Array, _yr: Float64Array, n: number, m: number): GroupGram {
  const xc = centred(cov, r, n);
  const yc = centred(y, m, n);
  const csum = new Float64Array(r);
  const d2 = new Float64Array(r);
  const g = new Float64Array(r * r);
  for (let j = 0; j < r; j++) {
    csum[j] = sumAt(xc, j * n, n);
    for (let k = 0; k <= j; k++) g[j * r + k] = g[k * r + j] = dotAt(xc, j * n, xc, k * n, n);
    d2[j] = g[j * r + j];
  }
  const t = new Float64Array(r * r);
  for (let l = 0; l < r; l++) for (let j = l; j < r; j++) t[l * r + j] = dotAt(q, l * n, xc, j * n, n);
  const tinv = upperInverse(t, r);
  const baseVif = new Float64Array(r);
  let maxVif = 0;
  for (let j = 0; j < r; j++) {
    let s = 0;
    for (let k = j; k < r; k++) s += tinv[j * r + k] * tinv[j * r + k];
    baseVif[j] = d2[j] * s;
    if (baseVif[j] > maxVif) maxVif = baseVif[j];
  }
  let maxCorr = 0;
  let corrPair: [number, number] = [0, 0];
  for (let j = 1; j < r; j++) {
    for (let k = 0; k < j; k++) {
      const c = Math.abs(g[j * r + k]) / Math.sqrt(d2[j] * d2[k]);
      if (c > maxCorr) {
        maxCorr = c;
        corrPair = [k, j];
      }
    }
  }
  const ycsum = new Float64Array(m);
  const yctot = new Float64Array(m);
  const cy = new Float64Array(m * r);
  const ya = new Float64Array(m * r);
  for (let k = 0; k < m; k++) {
    ycsum[k] = sumAt(yc, k * n, n);
    yctot[k] = dotAt(yc, k * n, yc, k * n, n);
    for (let j = 0; j < r; j++) {
      cy[k * r + j] = dotAt(xc, j * n, yc, k * n, n);
      ya[k * r + j] = dotAt(q, j * n, yc, k * n, n);
    }
  }
  const { xa, W, gneg } = augmented(xc, yc, r, m, n, { g, csum, cy, yctot, ycsum });
  return { xa, W, gneg, csum, g, t, tinv, d2, baseVif, maxVif, maxCorr, corrPair, ycsum, yctot, cy, ya };
}

/** GroupGram.xa, and gneg from the full-sample sums computed column by column. */
function augmented(
  xc: Float64Array,
  yc: Float64Array,
  r: number,
  m: number,
  n: number,
  full: Pick<GroupGram, 'g' | 'csum' | 'cy' | 'yctot' | 'ycsum'>,
): { xa: Float64Array; W: number; gneg: Float64Array } {
  const c = r + 1;
  const W = (c + m + 3) & ~3;
  const xa = new Float64Array(n * W);
  for (let i = 0; i < n; i++) {
    const o = i * W;
    for (let j = 0; j < r; j++) xa[o + j] = xc[j * n + i];
    xa[o + r] = 1;
    for (let k = 0; k < m; k++) xa[o + c + k] = yc[k * n + i];
  }
  const gneg = new Float64Array(W * gramStride(c));
  for (let j = 0; j < r; j++) {
    for (let k = 0; k <= j; k++) gneg[gramAt(j, k, c)] = -full.g[j * r + k];
    gneg[gramAt(r, j, c)] = -full.csum[j];
  }
  gneg[gramAt(r, r, c)] = -n;
  for (let k = 0; k < m; k++) {
    for (let j = 0; j < r; j++) gneg[gramAt(c + k, j, c)] = -full.cy[k * r + j];
    gneg[gramAt(c + k, r, c)] = -full.ycsum[k];
    gneg[gramAt(c + k, c + k, c)] = -full.yctot[k];
  }
  return { xa, W, gneg };
}

function centred(a: Float64Array, cols: number, n: number): Float64Array {
  const out = new Float64Array(cols * n);
  for (let c = 0; c < cols; c++) minusInto(out, a, c * n, sumAt(a, c * n, n) / n, n);
  return out;
}

/** Inverse of an upper-triangular r x r row-major matrix. */
function upperInverse(t: Float64Array, r: number): Float64Array {
  const inv = new Float64Array(r * r);
  for (let j = r - 1; j >= 0; j--) {
    inv[j * r + j] = 1 / t[j * r + j];
    for (let k = j + 1; k < r; k++) {
      let s = 0;
      for (let l = j + 1; l <= k; l++) s += t[j * r + l] * inv[l * r + k];
      inv[j * r + k] = -s / t[j * r + j];
    }
  }
  return inv;
}

/** The checks of a variant without missing dosages: NA reason (0 = none). u = Q'(g - mean), css, ssd. */
export function checkFull(gr: GroupGram, r: number, u: Float64Array, css: number, ssd: number, maxCorr: number, vif: number, w: Float64Array): number {
  const t = gr.t;
  const d2 = gr.d2;
  // |corr(d, c_j)| = |T_j'u| / (|T_j| sqrt(css)) <= |u| / sqrt(css): most variants skip the loop.
  if (css - ssd > maxCorr * maxCorr * css) {
    for (let j = 0; j < r; j++) {
      let s = 0;
      for (let l = 0; l <= j; l++) s += t[l * r + j] * u[l];
      if (Math.abs(s) > maxCorr * Math.sqrt(d2[j] * css)) return NA_CORR;
    }
  }
  if (!(ssd > css * SINGULAR_PIVOT)) return NA_VIF_INF;
  if (css > vif * ssd) return NA_VIF;
  // A covariate's VIF with the dosage, baseVif_j + d2_j w_j^2 / ssd, is at most baseVif_j css / ssd.
  if (gr.maxVif * css <= vif * ssd) return 0;
  const ti = gr.tinv;
  for (let j = 0; j < r; j++) {
    let s = 0;
    for (let k = j; k < r; k++) s += ti[j * r + k] * u[k];
    w[j] = s;
    if (gr.baseVif[j] + (d2[j] * s * s) / ssd > vif) return NA_VIF;
  }
  return 0;
}

/** Inputs of MissingSolver.solve beyond the group: the gathered dosages and their statistics. */
export interface MissingVariant {
  miss: Int32Array;
  nmiss: number;
  /** Sum and centred sum of squares of the present dosages. */
  sum: number;
  css: number;
  /** dots[qBase + l] = Q_l'g, dots[yBase + k] = Yr_k'g. */
  dots: Float64Array;
  qBase: number;
  yBase: number;
  /** xc'g (r): the dosages' products with the group-centred covariates, given instead of Q'g (covariate-check.ts). */
  xcg?: Float64Array | null;
}

/** Per-phenotype fit inputs for finish(): sdy, ssd, yy (after covariates), df, ytot; or an NA reason. */
export interface FitSink {
  fit(k: number, sdy: number, ssd: number, yy: number, df: number, ytot: number): void;
  na(reason: number): void;
}

/** What depends only on a variant's missing set S: the covariates' factor and the phenotypes' part. */
export interface SubsetFactor {
  /** 0, or why every variant with this missing set fails on the covariates alone. */
  status: number;
  /** Sums and standard deviations (NaN: constant) of the covariates over S. */
  s: Float64Array;
  sd: Float64Array;
  /** Cholesky factor of the covariates' correlation matrix over S (r x r, lower), and diag of its inverse. */
  L: Float64Array;
  dinv: Float64Array;
  maxDinv: number;
  /** Per phenotype: sum over S, centred total, L^-1 (xc'yc / sd), and the total less its square. */
  sy: Float64Array;
  yy: Float64Array;
  zc: Float64Array;
  yyr: Float64Array;
}

// Missing sets of up to this many samples are cached per group (keyed by their indices): variants
// that miss the same samples (array data; at 157 samples, every single missing sample) reuse the
// covariates' factorisation; a variant then costs O(K^2).
const CACHE_MAX_M = 32;
const CACHE_ENTRIES = 2048;
const CACHE_PROBE = 512;

export class MissingSolver {
  private r: number;
  private rho: Float64Array;
  private l: Float64Array;
  private vv: Float64Array;
  private p: Float64Array;
  private scratch: SubsetFactor;
  /** The last check's factor and dosage pivot^2 (1 / its VIF), for solve. */
  private f!: SubsetFactor;
  private piv2 = 0;
  private caches = new WeakMap<GroupGram, { map: Map<string, SubsetFactor>; lookups: number; hits: number }>();
  /** Factors of cleared caches, reused: a cache miss allocates nothing once the pool is warm (0201). */
  private pool: SubsetFactor[] = [];

  private cross: CrossKernel;

  /** wasm: false runs the cross-products in JavaScript (identical results; tests, benchmarks, 0019). */
  /**
   * probe: a group whose first CACHE_PROBE lookups hit less than 1 in 8 stops caching (a large
   * cohort's variants each miss their own samples: the key and the cache cost, never pay; the
   * factor is built the same either way). The logistic rows' checks (covariate-check.ts).
   */
  constructor(
    maxR: number,
    private maxPheno = 1,
    wasm = true,
    private probe = false,
  ) {
    this.cross = new CrossKernel(wasm && !wasmDisabled());
    this.r = maxR;
    this.rho = new Float64Array(maxR);
    this.l = new Float64Array(maxR);
    this.vv = new Float64Array(maxR);
    this.p = new Float64Array(maxR);
    this.scratch = newFactor(maxR, maxPheno);
  }

  solve(gr: GroupGram, r: number, n: number, nPheno: number, v: MissingVariant, maxCorr: number, vif: number, sink: FitSink): void {
    const why = this.check(gr, r, n, nPheno, v, maxCorr, vif);
    if (why !== 0) return sink.na(why);
    const f = this.f;
    const l = this.l;
    const ns = n - v.nmiss;
    const df = ns - r - 2;
    const sqc = Math.sqrt(v.css);
    const dq = v.dots;
    const qb = v.qBase;
    for (let k = 0; k < nPheno; k++) {
      // yc'g from Yr'g and Q'g: yc = Yr + Q (Q'yc).
      let sdy = dq[v.yBase + k];
      for (let j = 0; j < r; j++) sdy += gr.ya[k * r + j] * dq[qb + j];
      const bd = sdy - (v.sum * f.sy[k]) / ns;
      let x = bd / sqc;
      for (let j = 0; j < r; j++) x -= l[j] * f.zc[k * r + j];
      // The round-off bar from the group's total, not S's: a phenotype constant over S has a total of round-off too.
      sink.fit(k, x * sqc, v.css * this.piv2, f.yyr[k], df, gr.yctot[k]);
    }
  }

  /**
   * plink2's checks of variant v over its samples S: the NA reason, 0 when there is none (then its
   * subset factor, the dosage's row l of the Cholesky factor and its pivot^2 are left for solve).
   * The dosage's products with the centred covariates over S come from Q'g (v.dots), or v.xcg.
   */
  check(gr: GroupGram, r: number, n: number, nPheno: number, v: MissingVariant, maxCorr: number, vif: number): number {
    const ns = n - v.nmiss;
    const df = ns - r - 2;
    if (df < 1) return NA_SAMPLE_CT;
    if (!(v.css > 0)) return NA_CONST;
    const f = this.factorFor(gr, r, n, nPheno, v, maxCorr, vif);
    if (f.status === NA_CORR) return NA_CORR;
    const meanD = v.sum / ns;
    const sqc = Math.sqrt(v.css);
    const t = gr.t;
    const rho = this.rho;
    const dq = v.dots;
    const qb = v.qBase;
    const xcg = v.xcg;
    // Correlations of the dosage with each covariate over S; xc'g from Q'g (xc = Q T).
    for (let j = 0; j < r; j++) {
      let pj = 0;
      if (xcg) pj = xcg[j];
      else for (let k = 0; k <= j; k++) pj += t[k * r + j] * dq[qb + k];
      const c = (pj - f.s[j] * meanD) / (f.sd[j] * sqc);
      if (Math.abs(c) > maxCorr) return NA_CORR;
      rho[j] = c;
    }
    if (f.status === NA_VIF_INF) return NA_VIF_INF;
    // The dosage's row of the Cholesky factor: l = L^-1 rho, pivot^2 = 1 - |l|^2 = 1 / VIF(dosage).
    const L = f.L;
    const l = this.l;
    let ll = 0;
    for (let i = 0; i < r; i++) {
      let x = rho[i];
      for (let k = 0; k < i; k++) x -= L[i * r + k] * l[k];
      x /= L[i * r + i];
      l[i] = x;
      ll += x * x;
    }
    const piv2 = 1 - ll;
    if (!(piv2 > SINGULAR_PIVOT)) return NA_VIF_INF;
    if (f.status === NA_VIF || 1 > vif * piv2) return NA_VIF;
    // A covariate's VIF with the dosage: dinv_j + (L^-T l)_j^2 / pivot^2 <= dinv_j / pivot^2.
    if (f.maxDinv > vif * piv2 && this.covariateVifExceeds(f, r, piv2, vif)) return NA_VIF;
    this.f = f;
    this.piv2 = piv2;
    return 0;
  }

  private covariateVifExceeds(f: SubsetFactor, r: number, piv2: number, vif: number): boolean {
    const L = f.L;
    const l = this.l;
    const w = this.vv;
    for (let i = r - 1; i >= 0; i--) {
      let x = l[i];
      for (let k = i + 1; k < r; k++) x -= L[k * r + i] * w[k];
      w[i] = x / L[i * r + i];
      if (f.dinv[i] + (w[i] * w[i]) / piv2 > vif) return true;
    }
    return false;
  }

  /** The subset factor of v's missing set: cached for small sets. */
  private factorFor(gr: GroupGram, r: number, n: number, nPheno: number, v: MissingVariant, maxCorr: number, vif: number): SubsetFactor {
    let cache = this.caches.get(gr);
    if (!cache) {
      cache = { map: new Map(), lookups: 0, hits: 0 };
      this.caches.set(gr, cache);
    }
    if (v.nmiss > CACHE_MAX_M || (this.probe && cache.lookups >= CACHE_PROBE && cache.hits * 8 < cache.lookups)) {
      if (nPheno > this.maxPheno) {
        this.maxPheno = nPheno;
        this.scratch = newFactor(this.r, nPheno);
      }
      this.build(this.scratch, gr, r, n, nPheno, v, maxCorr, vif);
      return this.scratch;
    }
    let key = '';
    for (let q = 0; q < v.nmiss; q++) key += String.fromCharCode(v.miss[q] & 0xffff, v.miss[q] >>> 16);
    const map = cache.map;
    let f = map.get(key);
    cache.lookups++;
    if (f === undefined) {
      if (map.size >= CACHE_ENTRIES) {
        for (const old of map.values()) this.pool.push(old);
        map.clear();
      }
      f = this.pooledFactor(r, nPheno);
      this.build(f, gr, r, n, nPheno, v, maxCorr, vif);
      map.set(key, f);
    } else cache.hits++;
    return f;
  }

  /** A factor with room for r covariates and nPheno phenotypes (its arrays are indexed with stride r). */
  private pooledFactor(r: number, nPheno: number): SubsetFactor {
    while (this.pool.length) {
      const f = this.pool.pop()!;
      if (f.L.length >= r * r && f.sy.length >= nPheno) return f;
    }
    return newFactor(Math.max(r, this.r), Math.max(nPheno, this.maxPheno));
  }

  private build(f: SubsetFactor, gr: GroupGram, r: number, n: number, nPheno: number, v: MissingVariant, maxCorr: number, vif: number): void {
    const ns = n - v.nmiss;
    const a = f.L;
    this.crossProducts(f, gr, r, n, nPheno, v);
    // Centre over S.
    for (let j = 0; j < r; j++) for (let k = 0; k <= j; k++) a[j * r + k] -= (f.s[j] * f.s[k]) / ns;
    for (let k = 0; k < nPheno; k++) {
      for (let j = 0; j < r; j++) f.zc[k * r + j] -= (f.s[j] * f.sy[k]) / ns;
      f.yy[k] -= (f.sy[k] * f.sy[k]) / ns;
    }
    f.status = factorCorrelation(f, gr.d2, r, maxCorr);
    f.maxDinv = 0;
    if (f.status !== 0) return;
    const dinv = f.dinv;
    lowerInverseDiag(a, r, dinv, this.p);
    for (let j = 0; j < r; j++) if (dinv[j] > f.maxDinv) f.maxDinv = dinv[j];
    if (f.maxDinv > vif) f.status = NA_VIF;
    for (let k = 0; k < nPheno; k++) {
      let zz = 0;
      for (let i = 0; i < r; i++) {
        let x = f.zc[k * r + i] / f.sd[i];
        for (let j = 0; j < i; j++) x -= a[i * r + j] * f.zc[k * r + j];
        x /= a[i * r + i];
        f.zc[k * r + i] = x;
        zz += x * x;
      }
      f.yyr[k] = f.yy[k] - zz;
    }
  }

  /**
   * Uncentred sums over S into f: s, the lower triangle of xc'xc (in L), and per phenotype sy, yy
   * and xc'yc (in zc): the full sample less the m missing rows, or the present rows when m > n/2.
   * Each sum is one chain over the rows in index order (the kernel's order: matvec.ts gramJs). The
   * missing rows' products are added to minus the full-sample sums and the total negated back: the
   * same numbers as the full sums less each product in turn (rounding is symmetric in sign; + 0
   * turns the one possible difference, a zero's sign, back), so results are as before the kernel.
   */
  private crossProducts(f: SubsetFactor, gr: GroupGram, r: number, n: number, nPheno: number, v: MissingVariant): void {
    const down = v.nmiss <= n - v.nmiss;
    if (down && v.nmiss < FEW_ROWS) return downdateFew(f, gr, r, nPheno, v.miss, v.nmiss);
    factorSums(f, this.cross.run(gr, r + 1 + nPheno, r + 1, n, v.miss, v.nmiss, down), down ? -1 : 1, r, nPheno);
  }
}

/** The kernel's sums (gram.wat's layout, matvec.ts gramAt) into f, times sg (-1: negated back). */
export function factorSums(f: SubsetFactor, acc: Float64Array, sg: number, r: number, nPheno: number): void {
  const c = r + 1;
  const a = f.L;
  // Rows j < c and the phenotypes' products with them: entry (j, k) at j * ldo + k (gramAt).
  const ldo = gramStride(c);
  for (let j = 0; j < r; j++) {
    for (let k = 0; k <= j; k++) a[j * r + k] = sg * acc[j * ldo + k] + 0;
    f.s[j] = sg * acc[r * ldo + j] + 0;
  }
  for (let k = 0; k < nPheno; k++) {
    const row = (c + k) * ldo;
    f.sy[k] = sg * acc[row + r] + 0;
    f.yy[k] = sg * acc[gramAt(c + k, c + k, c)] + 0;
    for (let j = 0; j < r; j++) f.zc[k * r + j] = sg * acc[row + j] + 0;
  }
}

// Fewer missing rows than this are taken off the full sums directly (downdateFew; identical results).
const FEW_ROWS = 8;

/**
 * crossProducts for a few missing rows (the study's 1-3 of 157): the full-sample sums less each
 * missing row's products in turn, in index order. The kernel's downdate from the negated sums gives
 * the same numbers but copies and negates all W x (K + 4) sums: a little dearer at 1-3 rows (0201).
 */
export function downdateFew(f: SubsetFactor, gr: GroupGram, r: number, nPheno: number, miss: Int32Array, nm: number): void {
  const a = f.L;
  const s = f.s;
  // Whole blocks copied (L's upper triangle is never read).
  a.set(gr.g);
  s.set(gr.csum);
  f.sy.set(gr.ycsum.subarray(0, nPheno));
  f.yy.set(gr.yctot.subarray(0, nPheno));
  f.zc.set(gr.cy.subarray(0, nPheno * r));
  const xa = gr.xa;
  const yAt = r + 1;
  for (let q = 0; q < nm; q++) {
    const row = miss[q] * gr.W;
    for (let j = 0; j < r; j++) {
      const xj = xa[row + j];
      s[j] -= xj;
      const o = j * r;
      for (let k = 0; k <= j; k++) a[o + k] -= xj * xa[row + k];
    }
    for (let k = 0; k < nPheno; k++) {
      const yk = xa[row + yAt + k];
      f.sy[k] -= yk;
      f.yy[k] -= yk * yk;
      const o = k * r;
      for (let j = 0; j < r; j++) f.zc[o + j] -= yk * xa[row + j];
    }
  }
}

/** Where a group's rows, the panel, its missing and present indices and the sums live in wasm memory (bytes). */
interface CrossSlot {
  x: number;
  panel: number;
  miss: number;
  idx: number;
  out: number;
}

/**
 * The cross-products of a variant's missing rows (subtracted from the full-sample sums) or present
 * rows (m > n/2) of a group's augmented matrix: WebAssembly SIMD (src/wasm/gram.wat) on a per-solver
 * copy of GroupGram.xa, or its JavaScript twin (identical results) where WebAssembly is off.
 */
class CrossKernel {
  private mem: WebAssembly.Memory | null = null;
  private gram: GramWasm | null = null;
  private present: PresentWasm | null = null;
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);
  private top = 0;
  private slots = new WeakMap<GroupGram, CrossSlot>();
  /** JS path: the sums and the present rows' indices. */
  private acc = new Float64Array(0);
  private idx = new Int32Array(0);

  constructor(private wasm: boolean) {}

  /**
   * The sums in gram.wat's layout (matvec.ts gramAt): from gneg over the missing rows
   * (down), else from 0 over the present rows.
   */
  run(gr: GroupGram, w: number, c: number, n: number, miss: Int32Array, nm: number, down: boolean): Float64Array {
    if (this.wasm && this.gram === null) this.instantiate();
    const slot = this.gram !== null ? this.slot(gr, n) : null;
    if (slot === null) return this.runJs(gr, w, c, n, miss, nm, down);
    const f64 = this.f64;
    const out = slot.out >>> 3;
    let count = nm;
    if (down) {
      this.i32.set(miss.subarray(0, nm), slot.idx >>> 2);
      f64.set(gr.gneg, out);
    } else {
      this.i32.set(miss.subarray(0, nm), slot.miss >>> 2);
      this.i32[(slot.miss >>> 2) + nm] = n;
      count = this.present!(slot.miss, n, slot.idx);
      f64.fill(0, out, out + gr.gneg.length);
    }
    this.gram!(slot.x, slot.idx, count, slot.out, w, gr.W, c, slot.panel);
    return f64.subarray(out, out + gr.gneg.length);
  }

  private runJs(gr: GroupGram, w: number, c: number, n: number, miss: Int32Array, nm: number, down: boolean): Float64Array {
    if (this.acc.length < gr.gneg.length) this.acc = new Float64Array(gr.gneg.length);
    const acc = this.acc;
    if (down) {
      acc.set(gr.gneg);
      gramJs(gr.xa, gr.W, miss, nm, acc, w, c);
    } else {
      if (this.idx.length < n) this.idx = new Int32Array(n);
      acc.fill(0);
      gramJs(gr.xa, gr.W, this.idx, presentJs(miss, nm, n, this.idx), acc, w, c);
    }
    return acc;
  }

  private instantiate(): void {
    const mod = gramModule();
    if (mod === null) {
      this.wasm = false;
      return;
    }
    this.mem = new WebAssembly.Memory({ initial: 1 });
    const ex = new WebAssembly.Instance(mod, { e: { m: this.mem } }).exports;
    this.gram = ex.gram as GramWasm;
    this.present = ex.present as PresentWasm;
    this.views();
  }

  private views(): void {
    this.f64 = new Float64Array(this.mem!.buffer);
    this.i32 = new Int32Array(this.mem!.buffer);
  }

  /** The group's copy of xa in wasm memory, made on first use, with room for its indices and sums. */
  private slot(gr: GroupGram, n: number): CrossSlot {
    let s = this.slots.get(gr);
    if (s) return s;
    const x = this.top;
    const panel = x + align16(gr.xa.length * 8);
    const miss = panel + GRAM_PANEL_ROWS * gr.W * 8;
    const idx = miss + align16((n + 1) * 4);
    const out = idx + align16(n * 4);
    this.top = out + align16(gr.gneg.length * 8);
    if (growTo(this.mem!, this.top)) this.views();
    this.f64.set(gr.xa, x >>> 3);
    s = { x, panel, miss, idx, out };
    this.slots.set(gr, s);
    return s;
  }
}

function align16(bytes: number): number {
  return (bytes + 15) & ~15;
}

export function newFactor(r: number, m: number): SubsetFactor {
  // One buffer, nine views: a cached factor costs its numbers, not nine ArrayBuffers (RSS, 0201).
  const buf = new Float64Array(3 * r + r * r + 3 * m + m * r);
  let at = 0;
  const take = (len: number) => buf.subarray(at, (at += len));
  return {
    status: 0,
    s: take(r),
    sd: take(r),
    L: take(r * r),
    dinv: take(r),
    maxDinv: 0,
    sy: take(m),
    yy: take(m),
    zc: take(m * r),
    yyr: take(m),
  };
}

/**
 * plink2's order on the covariates over S: a pair correlated above maxCorr, then a singular matrix
 * (a covariate constant over S: its correlations are NaN, never "too high"). Leaves the Cholesky
 * factor of the correlation matrix in f.L and the standard deviations in f.sd; returns 0 or why.
 */
function factorCorrelation(f: SubsetFactor, d2: Float64Array, r: number, maxCorr: number): number {
  const a = f.L;
  const sd = f.sd;
  let constant = false;
  for (let j = 0; j < r; j++) {
    const v = a[j * r + j];
    if (!(v > d2[j] * CONST_SHARE)) {
      constant = true;
      sd[j] = NaN;
    } else sd[j] = Math.sqrt(v);
  }
  for (let j = 1; j < r; j++) {
    for (let k = 0; k < j; k++) if (Math.abs(a[j * r + k] / (sd[j] * sd[k])) > maxCorr) return NA_CORR;
  }
  if (constant) return NA_VIF_INF;
  for (let j = 0; j < r; j++) {
    for (let k = 0; k < j; k++) a[j * r + k] /= sd[j] * sd[k];
    a[j * r + j] = 1;
  }
  for (let j = 0; j < r; j++) {
    let d = a[j * r + j];
    for (let k = 0; k < j; k++) d -= a[j * r + k] * a[j * r + k];
    if (!(d > SINGULAR_PIVOT)) return NA_VIF_INF;
    d = Math.sqrt(d);
    a[j * r + j] = d;
    for (let i = j + 1; i < r; i++) {
      let x = a[i * r + j];
      for (let k = 0; k < j; k++) x -= a[i * r + k] * a[j * r + k];
      a[i * r + j] = x / d;
    }
  }
  return 0;
}

/** diag((L L')^-1) for a lower-triangular r x r L: the squared column norms of L^-1. */
function lowerInverseDiag(L: Float64Array, r: number, out: Float64Array, col: Float64Array): void {
  for (let j = 0; j < r; j++) {
    // column j of L^-1: solve L x = e_j (x_i = 0 for i < j).
    let s = 0;
    for (let i = j; i < r; i++) {
      let x = i === j ? 1 : 0;
      for (let k = j; k < i; k++) x -= L[i * r + k] * col[k];
      x /= L[i * r + i];
      col[i] = x;
      s += x * x;
    }
    out[j] = s;
  }
}
