// Per-variant logistic regression logit P(case) ~ 1 + d + covariates with Firth fallback, as plink2
// --glm firth-fallback computes it (the rules and where they come from: docs/logistic.md). The
// covariate-only (null) model is fitted once per phenotype and sample set; each variant's Newton
// iterations start from it with the dosage coefficient at 0. All in double precision on typed
// arrays; a missing dosage gives its sample weight 0 for that variant, which drops it exactly.
import { logPNormal2 } from './distributions.js';
import { F32Logistic, F32Status, PAD_P } from './logistic-f32.js';
import { LogitWasm } from './logistic-wasm.js';
import { sigmoid } from './logit-math.js';
import { roundHalfEven } from './round.js';

/** A case/control phenotype with its samples, covariates and null fit (built on the main thread). */
export interface LogisticGroup {
  /** Index of the phenotype (into AssocModel.phenoNames). */
  pheno: number;
  /** Genotype-sample indices used (phenotype and every covariate present). */
  idx: Int32Array;
  n: number;
  /** Columns of the covariate design including the intercept (column 0 = 1). */
  p: number;
  /** p columns of n, column-major. */
  x: Float64Array;
  /** 1 = case, 0 = control. */
  y: Float64Array;
  nCase: number;
  /** Null-model coefficients (p): the start of every variant's logistic fit. */
  beta0: Float64Array;
  /** Null-model coefficients under Firth's penalty (p): the start of every Firth fit. */
  firth0: Float64Array;
  /** A covariate plink2 finds separated by this phenotype: firth-fallback fits every variant by Firth (logistic-model.ts). */
  alwaysFirth?: boolean;
}

export type FirthMode = 'fallback' | 'always' | 'never';

/** Why a result is NA (plink2's ERRCODE names); '' when there is a result. */
export type LogisticErr =
  | ''
  | 'CONST_OMITTED_ALLELE'
  | 'SAMPLE_CT<=PREDICTOR_CT'
  | 'CORR_TOO_HIGH'
  | 'VIF_INFINITE'
  | 'VIF_TOO_HIGH'
  | 'SEPARATION'
  | 'LOGISTIC_CONVERGE_FAIL'
  | 'FIRTH_CONVERGE_FAIL'
  | 'UNFINISHED'
  | 'INVALID_RESULT';

/** A variant as the pre-check sees it (LogisticKernel.run; valid during the call only). */
export interface VariantSums {
  /** X'g: the dosages' products with the design's columns (dosage, intercept, covariates), over the samples used. */
  xg: Float64Array;
  /** The group's samples without a dosage (nMiss of them, ascending). */
  miss: Int32Array;
  nMiss: number;
  /** Sum and centred sum of squares of the dosages used. */
  sum: number;
  css: number;
}

/** plink2's CORR_TOO_HIGH / VIF checks of a variant's [dosage, covariates] (covariate-check.ts); '' when they pass. */
export type PreCheck = (gr: LogisticGroup, v: VariantSums) => LogisticErr;

export interface LogisticResult {
  nUsed: number;
  nCase: number;
  nCtrl: number;
  frq: number;
  info: number;
  frqCase: number;
  frqCtrl: number;
  beta: number;
  se: number;
  z: number;
  logp: number;
  /** The result comes from Firth's penalised likelihood. */
  firth: boolean;
  err: LogisticErr;
  /** With err SEPARATION, the allele plink2 names in its ERRCODE (SEPARATION,ALT1 / SEPARATION,REF). */
  sepAllele?: 'ALT1' | 'REF';
  /** A logistic row at plink2's 14th float iterate (no convergence): plink2's ERRCODE UNFINISHED. */
  unfinished?: boolean;
}

export function newLogisticResult(): LogisticResult {
  return { nUsed: 0, nCase: 0, nCtrl: 0, frq: NaN, info: NaN, frqCase: NaN, frqCtrl: NaN, beta: NaN, se: NaN, z: NaN, logp: NaN, firth: false, err: '', sepAllele: undefined, unfinished: false };
}

// Newton (logistic) and the Firth iterations stop when every coefficient moves less than this.
const TOL = 1e-10;
// Logistic: plink2 gives up after its 14th iteration (unfinished) or sooner when the steps diverge;
// a fit that has not converged by then falls back to Firth (see docs/logistic.md).
// Firth: logistf's step (capped at 5, up to 5 halvings), Anderson-accelerated; a fit not converged
// after 50 iterations is NA (UNFINISHED): docs/logistic.md, decision 0210 (session 8, part 2).
const FIRTH_MAX_ITER = 50;
// A trial point whose penalised likelihood is lower by less than this (relative) is not halved:
// round-off, not a worse point.
const FIRTH_HALF_TOL = 1e-12;
// Below this many samples a predictor, Firth is fitted from two starts (firthBothStarts).
const FIRTH_SMALL = 4;
const FIRTH_MAX_HALF = 5;
const FIRTH_MAX_STEP = 5;
// Anderson acceleration's depth (the slice's 2,722 Firth fits: 14.7 iterations a fit at depth 1,
// 13.0 at 2, 12.2 at 3, 12.0 at 4-6; decision 0210, session 10).
const FIRTH_AA_DEPTH = 3;
// plink2's threshold on a converged coefficient: larger means (quasi-)separation.
const MAX_COEF = 6e4;
// A converged fit whose dosage coefficient exceeds this is re-decided in float (decision 0220).
const F32_TRIGGER = 8;
// A double iteration from 0 that failed by divergence with its last step sum (over plink2's
// coefficients) at least this many times both of plink2's divergence thresholds (20, twice the
// smallest sum before) is not re-decided in float: on the scenario-7 slice and file the float
// iteration failed too wherever the margin exceeded 1.06 (10x that; decision 0210, session 11).
const F32_SKIP_MARGIN = 10.6;

/** Scratch for fits over one design of at most maxN samples and maxK predictors. */
class Fit {
  eta: Float64Array;
  pr: Float64Array;
  w: Float64Array;
  /** The residual whose score X'r is taken (Newton's act (y - pr), Firth's modified one). */
  r: Float64Array;
  /** Scratch of the JavaScript X'WX. */
  t: Float64Array;
  h: Float64Array;
  l: Float64Array;
  inv: Float64Array;
  /** L^-1 of the Cholesky factor f.l (lower triangle; Firth's hat diagonal and step). */
  li: Float64Array;
  grad: Float64Array;
  delta: Float64Array;
  bOld: Float64Array;
  col: Float64Array;
  zi: Float64Array;
  /** Firth's previous plain step and point (Anderson acceleration) and this iteration's plain step. */
  fPrev: Float64Array;
  bPrev: Float64Array;
  /** Anderson's history: differences of plain steps and of points (FIRTH_AA_DEPTH rows of k), nh of them. */
  dF: Float64Array;
  dB: Float64Array;
  nh = 0;
  /** Anderson's normal equations: matrix, weights, right side and diagonal. */
  gram = new Float64Array(FIRTH_AA_DEPTH * FIRTH_AA_DEPTH);
  gam = new Float64Array(FIRTH_AA_DEPTH);
  gamR = new Float64Array(2 * FIRTH_AA_DEPTH);
  raw: Float64Array;
  /** X'WX is in the WebAssembly module's H region, not in f.h (information without copy). */
  hWasm = false;
  /** The WebAssembly loops (eta, pr, w, r, inv and li are then its views); null: the JavaScript ones. */
  wx: LogitWasm | null;
  /** Newton steps fitLogistic took under plink2's rules (15: unfinished). */
  iters = 0;
  /**
   * fitLogistic's steps summed as plink2 sums them: its A1 is the minor allele, so with flip its
   * coefficients are (intercept + 2 beta, -beta, ...) of ours (divergence margin, decision 0210).
   */
  flip = false;
  /** After fitLogistic failed by divergence: by how much (min of sum / 20, sum / (2 min sum)) in plink2's sums; else 0. */
  divMargin = 0;
  constructor(maxN: number, maxK: number, wx: LogitWasm | null = null) {
    this.wx = wx;
    this.eta = wx ? wx.eta : new Float64Array(maxN);
    this.pr = wx ? wx.pr : new Float64Array(maxN);
    this.w = wx ? wx.w : new Float64Array(maxN);
    this.r = wx ? wx.r : new Float64Array(maxN);
    this.t = wx ? new Float64Array(0) : new Float64Array(maxN);
    this.h = wx ? wx.hk : new Float64Array(maxK * maxK);
    this.l = wx ? wx.l : new Float64Array(maxK * maxK);
    this.inv = wx ? wx.inv : new Float64Array(maxK * maxK);
    this.li = wx ? wx.li : new Float64Array(maxK * maxK);
    this.grad = new Float64Array(maxK);
    this.delta = wx ? wx.g : new Float64Array(maxK);
    this.bOld = new Float64Array(maxK);
    this.col = new Float64Array(maxK);
    this.zi = new Float64Array(maxK);
    this.fPrev = new Float64Array(maxK);
    this.bPrev = new Float64Array(maxK);
    this.dF = new Float64Array(FIRTH_AA_DEPTH * maxK);
    this.dB = new Float64Array(FIRTH_AA_DEPTH * maxK);
    this.raw = new Float64Array(maxK);
  }
}

/**
 * A design: k columns of n (cols[j]), outcome y, sample weights act (1 used, 0 dropped). The fits
 * below write coefficients into b and leave the inverse information matrix in fit.inv.
 */
interface Design {
  cols: Float64Array[];
  k: number;
  n: number;
  y: Float64Array;
  act: Float64Array;
  /** The samples with act 0, ascending (nMiss of them; the kernel's designs only). */
  miss?: Int32Array;
  nMiss?: number;
}

/**
 * eta = Z b, then the sigmoid pass (logit-math.ts sigmoid): f.pr, f.w = act pr (1 - pr) and
 * f.r = act (y - pr); returns the log-likelihood (0 unless wantLL).
 */
function predict(d: Design, b: Float64Array, f: Fit, wantLL: boolean): number {
  if (f.wx) return f.wx.predict(b, wantLL);
  const eta = linear(d, b, f, 0);
  return sigmoid(eta, d.act, d.y, f.pr, f.w, f.r, d.n, wantLL);
}

/** X v into f.eta (into = 0) or scratch (1), predict's loop order (in wasm its eta kernel: the same bits). */
function linear(d: Design, v: Float64Array, f: Fit, into: 0 | 1): Float64Array {
  if (f.wx) return f.wx.linear(v, into);
  const { cols, k, n } = d;
  const out = into ? f.t : f.eta;
  const c0 = cols[0];
  const v0 = v[0];
  for (let i = 0; i < n; i++) out[i] = c0[i] * v0;
  for (let j = 1; j < k; j++) {
    const c = cols[j];
    const vj = v[j];
    for (let i = 0; i < n; i++) out[i] += c[i] * vj;
  }
  return out;
}

/**
 * Lower triangle of Z' W Z into f.h (k x k row-major); with WebAssembly only where cholesky reads it
 * (f.hWasm) unless copy.
 */
function information(d: Design, f: Fit, copy = false): void {
  if (f.wx) {
    f.wx.information(copy ? f.h : null);
    f.hWasm = !copy;
    return;
  }
  const { cols, k, n } = d;
  const w = f.w;
  const t = f.t;
  const h = f.h;
  for (let a = 0; a < k; a++) {
    const ca = cols[a];
    for (let i = 0; i < n; i++) t[i] = w[i] * ca[i];
    // Four columns a pass: t is loaded once for four products (n = 10,000: ~2x).
    let b = 0;
    for (; b + 3 <= a; b += 4) {
      const c0 = cols[b];
      const c1 = cols[b + 1];
      const c2 = cols[b + 2];
      const c3 = cols[b + 3];
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < n; i++) {
        const v = t[i];
        s0 += v * c0[i];
        s1 += v * c1[i];
        s2 += v * c2[i];
        s3 += v * c3[i];
      }
      h[a * k + b] = s0;
      h[a * k + b + 1] = s1;
      h[a * k + b + 2] = s2;
      h[a * k + b + 3] = s3;
    }
    for (; b <= a; b++) {
      const cb = cols[b];
      let s = 0;
      for (let i = 0; i < n; i++) s += t[i] * cb[i];
      h[a * k + b] = s;
    }
  }
}

/** g = Z'r (r is f.r). */
function score(d: Design, r: Float64Array, g: Float64Array, f: Fit): void {
  if (f.wx) return f.wx.score(g);
  const { cols, k, n } = d;
  for (let j = 0; j < k; j++) {
    const c = cols[j];
    let s = 0;
    for (let i = 0; i < n; i++) s += r[i] * c[i];
    g[j] = s;
  }
}

/**
 * Cholesky of f.h into f.l; returns log det with wantLogdet, else 0; NaN when not positive
 * definite. Right-looking (each column's updates of the rows below are independent, no chain of
 * dependent subtractions): entry (i, m) is still a_im - l_i0 l_m0 - l_i1 l_m1 - ... in that order, so
 * the same bits as the dot-product form.
 */
function cholesky(f: Fit, k: number, wantLogdet = false): number {
  const l = f.l;
  if (f.wx) {
    if (!f.wx.cholesky(k, f.hWasm)) return NaN;
    let logdet = 0;
    if (wantLogdet) for (let j = 0; j < k; j++) logdet += 2 * Math.log(l[j * k + j]);
    return logdet;
  }
  const h = f.h;
  for (let i = 0; i < k * k; i++) l[i] = h[i];
  let logdet = 0;
  for (let j = 0; j < k; j++) {
    const s = l[j * k + j];
    if (!(s > 0)) return NaN;
    const dj = Math.sqrt(s);
    l[j * k + j] = dj;
    if (wantLogdet) logdet += 2 * Math.log(dj);
    for (let i = j + 1; i < k; i++) l[i * k + j] /= dj;
    for (let i = j + 1; i < k; i++) {
      const lij = l[i * k + j];
      const ri = i * k;
      for (let m = j + 1; m <= i; m++) l[ri + m] -= lij * l[m * k + j];
    }
  }
  return logdet;
}

/** x = (L L')^-1 b, in place. */
export function cholSolve(l: Float64Array, k: number, x: Float64Array): void {
  for (let i = 0; i < k; i++) {
    let v = x[i];
    for (let m = 0; m < i; m++) v -= l[i * k + m] * x[m];
    x[i] = v / l[i * k + i];
  }
  for (let i = k - 1; i >= 0; i--) {
    let v = x[i];
    for (let m = i + 1; m < k; m++) v -= l[m * k + i] * x[m];
    x[i] = v / l[i * k + i];
  }
}

/**
 * f.inv = (L L')^-1, full symmetric: column c is cholSolve of the unit vector e_c, its forward pass
 * started at row c (above it x is 0, and the terms l * 0 leave v exactly as it is: same bits) and
 * its backward pass stopped at row c (rows >= c do not depend on the rows above): the lower
 * triangle, mirrored into the upper one. ~k^3/3 multiply-adds.
 */
function cholInverse(f: Fit, k: number): void {
  const inv = f.inv;
  const x = f.col;
  const l = f.l;
  for (let c = 0; c < k; c++) {
    for (let i = c; i < k; i++) {
      let v = i === c ? 1 : 0;
      for (let m = c; m < i; m++) v -= l[i * k + m] * x[m];
      x[i] = v / l[i * k + i];
    }
    for (let i = k - 1; i >= c; i--) {
      let v = x[i];
      for (let m = i + 1; m < k; m++) v -= l[m * k + i] * x[m];
      x[i] = v / l[i * k + i];
    }
    for (let r = c; r < k; r++) {
      inv[r * k + c] = x[r];
      inv[c * k + r] = x[r];
    }
  }
}

const enum Status {
  Ok = 0,
  Fail = 1,
  /** Firth: the iteration cap reached before convergence. */
  Unfinished = 2,
}

/**
 * A start of a group's fits whose dosage coefficient is 0 (the null model's (0, beta0), or 0 for
 * plink2's iteration) over every sample: W, r, X'WX and X'r there. X b does not depend on the
 * dosages there, so this is Newton's first step for every variant but for the dosage entries and
 * the samples the variant lacks (nullStep).
 */
interface NullStart {
  w0: Float64Array;
  r0: Float64Array;
  h0: Float64Array;
  g0: Float64Array;
  /** Which of the group's starts (its WR in the wasm slot): NULL_START or ZERO_START. */
  at: number;
}

const NULL_START = 0;
const ZERO_START = 1;

/** The NullStart of design d at b (dosage coefficient 0), with every sample; d.act is restored. */
function captureNull(d: Design, b: Float64Array, f: Fit, at: number): NullStart {
  const { n, k, act } = d;
  const saved = act.slice(0, n);
  act.fill(1, 0, n);
  predict(d, b, f, false);
  information(d, f, true);
  score(d, f.r, f.delta, f);
  const ns = { w0: f.w.slice(0, n), r0: f.r.slice(0, n), h0: f.h.slice(0, k * k), g0: f.delta.slice(0, k), at };
  f.wx?.nullCapture(at);
  act.set(saved);
  return ns;
}

/**
 * Newton's first step from a NullStart into f.h and f.delta: the dosage entries computed (W0 and
 * r0 with the dosages, 0 where missing), the covariate block and score the NullStart's less the
 * samples this variant lacks, in sample order. Both paths compute the same sums in the same order.
 */
function nullStep(d: Design, f: Fit, ns: NullStart): void {
  const { cols, k, n } = d;
  const h = f.h;
  const g = f.delta;
  const { w0, r0, h0, g0 } = ns;
  f.hWasm = false;
  const dz = cols[0];
  if (!f.wx?.dosageEntries(h, g, ns.at)) {
    let s00 = 0;
    let s0 = 0;
    for (let i = 0; i < n; i++) {
      s00 += w0[i] * dz[i] * dz[i];
      s0 += r0[i] * dz[i];
    }
    h[0] = s00;
    g[0] = s0;
    for (let a = 1; a < k; a++) {
      const c = cols[a];
      let s = 0;
      for (let i = 0; i < n; i++) s += dz[i] * (w0[i] * c[i]);
      h[a * k] = s;
    }
  }
  for (let a = 1; a < k; a++) {
    for (let c = 1; c <= a; c++) h[a * k + c] = h0[a * k + c];
    g[a] = g0[a];
  }
  const miss = d.miss as Int32Array;
  const nm = d.nMiss ?? 0;
  for (let j = 0; j < nm; j++) {
    const i = miss[j];
    for (let a = 1; a < k; a++) {
      const ca = cols[a][i];
      const t = w0[i] * ca;
      for (let c = 1; c <= a; c++) h[a * k + c] -= t * cols[c][i];
      g[a] -= r0[i] * ca;
    }
  }
}

/**
 * One Newton step at b: b += step; returns the step's sum of |changes| (NaN: singular). With ns, b
 * is that start and the step's X'WX and X'r come from nullStep.
 */
function newtonStep(d: Design, b: Float64Array, f: Fit, ns: NullStart | null = null): number {
  const k = d.k;
  const g = f.delta;
  if (ns) nullStep(d, f, ns);
  else {
    predict(d, b, f, false);
    if (f.wx) {
      f.wx.informationScore(null, g);
      f.hWasm = true;
    } else {
      information(d, f);
      score(d, f.r, g, f);
    }
  }
  if (Number.isNaN(cholesky(f, k))) return NaN;
  if (f.wx) f.wx.solve(k);
  else cholSolve(f.l, k, g);
  let sum = 0;
  for (let j = 0; j < k; j++) {
    b[j] += g[j];
    sum += Math.abs(g[j]);
  }
  return sum;
}

/** The inverse information at b into f.inv; false if singular. */
function inverseInformation(d: Design, b: Float64Array, f: Fit): boolean {
  predict(d, b, f, false);
  information(d, f);
  if (Number.isNaN(cholesky(f, d.k))) return false;
  cholInverse(f, d.k);
  return true;
}

// The fast path: Newton from the null model (dosage coefficient 0) converging within this many
// steps is a fit plink2's iteration from 0 also finishes (see docs/logistic.md); otherwise the
// plink2 iteration from 0 decides converged / unfinished / failed.
const FAST_MAX_ITER = 6;

// A step of the fast path whose sum of |changes| is below EARLY_STEP (from its 2nd to 4th step) ends
// the fit when every |x_i . step| is below EARLY_ETA: the remaining Newton step's dosage component
// and the change of the information's inverse along the step are taken to their leading order
// (lastStep) instead of another X'WX (decision 0210, session 10).
const EARLY_STEP = 1e-5;
const EARLY_ETA = 1e-5;

/**
 * Newton from the null-model start in b. Ok: converged to 1e-9 (or early, lastStep) with modest
 * coefficients; f.inv is the inverse information of the last iteration (at most 1e-9 away, or
 * corrected to the estimate). Fail: b is garbage.
 */
function fitFromNull(d: Design, b: Float64Array, f: Fit, ns: NullStart, early = true): Status {
  const k = d.k;
  let prev = Infinity;
  for (let it = 0; it < FAST_MAX_ITER; it++) {
    const sum = newtonStep(d, b, f, it === 0 ? ns : null);
    if (!(sum < 20)) return Status.Fail;
    const end = early && sum < EARLY_STEP && it >= 1 && it <= 3;
    if (sum < 1e-9 || end) {
      for (let j = 0; j < k; j++) if (!(Math.abs(b[j]) < 100)) return Status.Fail;
      cholInverse(f, k);
      if (sum < 1e-9 || lastStep(d, b, f)) return Status.Ok;
    }
    // Steps that will not reach 1e-9 by the 6th: left to plink2's iteration sooner (it decides
    // anyway). On the scenario-7 slice every fit converging here had steps shrinking from the 3rd,
    // <= 0.12 at the 4th and <= 2.4e-4 at the 5th (decision 0210, session 10).
    if ((it >= 2 && sum > prev) || (it === 3 && sum > 1) || (it === 4 && sum > 1e-2)) return Status.Fail;
    prev = sum;
  }
  return Status.Fail;
}

/**
 * After a Newton step delta from b - delta (f.w, f.pr there; f.inv its inverse information), with
 * Delta_i = x_i . delta and z_i = x_i . u, u = inv e_0, q_i = w_i (1 - 2 p_i): the score at b is
 * -1/2 sum q Delta^2 x_i to second order, so the next step's dosage component is
 * -1/2 sum q Delta^2 z (added to b[0]); and inv[0][0] at b is inv00 - sum q Delta z^2 to first
 * order. Errors O(Delta^3) and O(Delta^2): false (nothing changed) unless every |Delta_i| < EARLY_ETA.
 */
function lastStep(d: Design, b: Float64Array, f: Fit): boolean {
  const { k, n } = d;
  const u = f.grad;
  for (let a = 0; a < k; a++) u[a] = f.inv[a * k];
  const e = linear(d, f.delta, f, 0);
  const z = linear(d, u, f, 1);
  const s = f.col;
  let emax = 0;
  if (f.wx) emax = f.wx.lastSums(s);
  else {
    const { w, pr } = f;
    let c2 = 0;
    let c3 = 0;
    for (let i = 0; i < n; i++) {
      const ei = e[i];
      const zi = z[i];
      const qe = w[i] * (1 - 2 * pr[i]) * ei;
      c2 += qe * (zi * zi);
      c3 += qe * (ei * zi);
      emax = Math.max(emax, Math.abs(ei));
    }
    s[0] = c2;
    s[1] = c3;
  }
  if (!(emax < EARLY_ETA)) return false;
  const c2 = s[0];
  const c3 = s[1];
  b[0] -= 0.5 * c3;
  f.inv[0] -= c2;
  return true;
}

/**
 * Newton-Raphson (IRLS) from b under plink2's rules (docs/logistic.md): it stops when the sum of
 * |coefficient changes| falls below 1e-4, fails on divergence (a step over 20 and twice the
 * smallest so far, after the 4th iteration), on steps of 1 from the 8th (the march of a separated
 * coefficient), on a coefficient over 6e4 (8e3 when unfinished), and reports its 14th iterate
 * unfinished. Converged fits are then polished to double precision; f.inv is set on Ok. With zero,
 * b is 0 and zero the group's NullStart there: the first step's covariate block and score are the
 * group's (0.25 X'X, X'(y - 1/2); decision 0210, session 12).
 */
function fitLogistic(d: Design, b: Float64Array, f: Fit, zero: NullStart | null = null): Status {
  const k = d.k;
  let minSum = Infinity;
  let minP = Infinity;
  f.divMargin = 0;
  for (let it = 0; ; it++) {
    const sum = newtonStep(d, b, f, it === 0 ? zero : null);
    f.iters = it + 1;
    if (sum !== sum || !(sum < Infinity)) return Status.Fail;
    if (sum < minSum) minSum = sum;
    // the same step summed over plink2's coefficients (its float decision is taken on those)
    const g = f.delta;
    const sumP = f.flip ? sum - Math.abs(g[1]) + Math.abs(g[1] + 2 * g[0]) : sum;
    if (it > 3) {
      if (sum > 20 && sum > 2 * minSum) {
        f.divMargin = Math.min(sumP / 20, sumP / (2 * minP));
        return Status.Fail;
      }
      if (it > 6 && Math.abs(1 - sum) < 1e-3) return Status.Fail;
      if (it > 13) {
        for (let j = 0; j < k; j++) if (Math.abs(b[j]) > 8e3) return Status.Fail;
        return inverseInformation(d, b, f) ? Status.Ok : Status.Fail;
      }
    }
    if (sumP < minP) minP = sumP;
    if (sum < 1e-4) {
      for (let j = 0; j < k; j++) if (Math.abs(b[j]) > MAX_COEF) return Status.Fail;
      break;
    }
  }
  // plink2 stops here in single precision; the same point to double precision.
  for (let it = 0; it < 8; it++) {
    const sum = newtonStep(d, b, f);
    if (!(sum < 1e-9)) continue;
    break;
  }
  return inverseInformation(d, b, f) ? Status.Ok : Status.Fail;
}

/**
 * plink2's float iterate in b, polished by Newton to double precision when the polish converges
 * (a finite MLE); otherwise (a coefficient marching off, no finite MLE) b stays plink2's iterate.
 */
function polish(d: Design, b: Float64Array, f: Fit): void {
  const saved = f.bPrev;
  saved.set(b.subarray(0, d.k));
  for (let it = 0; it < 8; it++) if (newtonStep(d, b, f) < 1e-9) return;
  b.set(saved.subarray(0, d.k));
}

function converged(b: Float64Array, step: Float64Array, k: number): boolean {
  for (let j = 0; j < k; j++) if (Math.abs(step[j]) > TOL * (1 + Math.abs(b[j]))) return false;
  return true;
}

/** Firth-penalised log-likelihood at b (f.l, f.pr, f.w updated, not f.inv); NaN if singular. */
function firthLoglik(d: Design, b: Float64Array, f: Fit): number {
  const ll = predict(d, b, f, true);
  information(d, f);
  const logdet = cholesky(f, d.k, true);
  if (Number.isNaN(logdet)) return NaN;
  return ll + 0.5 * logdet;
}

/**
 * f.li = L^-1 (lower triangle) of the Cholesky factor f.l: column c by forward substitution from
 * row c (cholInverse's forward pass). k^3/6 multiply-adds, where the full inverse took ~k^3/2.
 */
function cholFactorInverse(f: Fit, k: number): void {
  const l = f.l;
  const li = f.li;
  for (let c = 0; c < k; c++) {
    li[c * k + c] = 1 / l[c * k + c];
    for (let i = c + 1; i < k; i++) {
      let v = 0;
      for (let m = c; m < i; m++) v -= l[i * k + m] * li[m * k + c];
      li[i * k + c] = v / l[i * k + i];
    }
  }
}

/**
 * Firth's modified residual into f.r: r_i = act_i ((y_i - p_i) + h_i (1/2 - p_i)), h_i = w_i |L^-1 z_i|^2
 * the hat diagonal from f.li (each z_a a sum over c <= a in order, then the squares in order), the
 * twin of firthr in src/wasm/logit.wat.
 */
function firthResidual(d: Design, f: Fit): void {
  if (f.wx) return f.wx.firthResidual();
  const { cols, k, n, y, act } = d;
  const { li, w, pr, r } = f;
  const z = f.zi;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < k; a++) z[a] = cols[a][i];
    let s = 0;
    for (let a = 0; a < k; a++) {
      let v = 0;
      const row = a * k;
      for (let c = 0; c <= a; c++) v += li[row + c] * z[c];
      s += v * v;
    }
    const h = w[i] * s;
    r[i] = act[i] * (y[i] - pr[i] + h * (0.5 - pr[i]));
  }
}

/** step = (L L')^-1 u = L^-T (L^-1 u) from f.li, each sum in order (f.col: scratch). */
function firthStep(f: Fit, u: Float64Array, step: Float64Array, k: number): void {
  const li = f.li;
  const t = f.col;
  for (let a = 0; a < k; a++) {
    let s = 0;
    for (let c = 0; c <= a; c++) s += li[a * k + c] * u[c];
    t[a] = s;
  }
  for (let a = 0; a < k; a++) {
    let s = 0;
    for (let m = a; m < k; m++) s += li[m * k + a] * t[m];
    step[a] = s;
  }
}

/**
 * Anderson acceleration (type II, depth up to FIRTH_AA_DEPTH) of the fixed point b -> b + step
 * (logistf's step oscillates with ratio ~ -1 near the solution): with the last m differences of
 * plain steps dF_j and of points dB_j (f.dF, f.dB, most recent first; none when !hist), gamma
 * minimises |step - dF gamma| and the step becomes step - (dB + dF) gamma; f.raw keeps the plain one.
 * Returns the new step's largest |component|.
 */
function accelerate(f: Fit, b: Float64Array, step: Float64Array, k: number, hist: boolean): number {
  const { fPrev: fp, bPrev: bp, raw, dF, dB } = f;
  if (!hist) f.nh = 0;
  else {
    const keep = Math.min(f.nh, FIRTH_AA_DEPTH - 1);
    dF.copyWithin(k, 0, keep * k);
    dB.copyWithin(k, 0, keep * k);
    for (let a = 0; a < k; a++) {
      dF[a] = step[a] - fp[a];
      dB[a] = b[a] - bp[a];
    }
    f.nh = keep + 1;
  }
  for (let a = 0; a < k; a++) raw[a] = step[a];
  const m = andersonWeights(f, k);
  const g = f.gam;
  let smax = 0;
  for (let a = 0; a < k; a++) {
    let v = raw[a];
    for (let p = 0; p < m; p++) v -= g[p] * (dB[p * k + a] + dF[p * k + a]);
    step[a] = v;
    if (Math.abs(v) > smax) smax = Math.abs(v);
    fp[a] = raw[a];
    bp[a] = b[a];
  }
  return smax;
}

/**
 * The least-squares weights gamma (f.gam) of accelerate over the newest m <= f.nh differences, by
 * the normal equations (Gaussian elimination); m is reduced while a pivot shows the differences
 * collinear (below 1e-10 of its diagonal). Returns m (0: the plain step).
 */
function andersonWeights(f: Fit, k: number): number {
  const { dF, raw, gram: G, gam: g } = f;
  const D = FIRTH_AA_DEPTH;
  const r = f.gamR;
  for (let m = f.nh; m > 0; m--) {
    for (let p = 0; p < m; p++) {
      let sr = 0;
      for (let a = 0; a < k; a++) sr += dF[p * k + a] * raw[a];
      r[p] = sr;
      for (let q = 0; q <= p; q++) {
        let sg = 0;
        for (let a = 0; a < k; a++) sg += dF[p * k + a] * dF[q * k + a];
        G[p * D + q] = sg;
        G[q * D + p] = sg;
      }
    }
    for (let p = 0; p < m; p++) r[D + p] = G[p * D + p];
    let ok = true;
    for (let p = 0; p < m && ok; p++) {
      const piv = G[p * D + p];
      if (!(piv > 1e-10 * r[D + p])) ok = false;
      for (let q = p + 1; q < m && ok; q++) {
        const fq = G[q * D + p] / piv;
        for (let c = p; c < m; c++) G[q * D + c] -= fq * G[p * D + c];
        r[q] -= fq * r[p];
      }
    }
    if (!ok) continue;
    for (let p = m - 1; p >= 0; p--) {
      let v = r[p];
      for (let c = p + 1; c < m; c++) v -= G[p * D + c] * g[c];
      g[p] = v / G[p * D + p];
    }
    return m;
  }
  return 0;
}

/** b = old + step, the step first scaled to a largest component of FIRTH_MAX_STEP. */
function takeStep(b: Float64Array, old: Float64Array, step: Float64Array, smax: number, k: number): void {
  const sc = smax > FIRTH_MAX_STEP ? FIRTH_MAX_STEP / smax : 1;
  for (let a = 0; a < k; a++) {
    step[a] *= sc;
    b[a] = old[a] + step[a];
  }
}

/**
 * Firth's penalised likelihood (logistf's algorithm, which plink2 ports): modified score
 * U* = Z'(y - p + h (1/2 - p)), h the hat diagonal; steps of (Z'WZ)^-1 U*, Anderson-accelerated
 * (the plain step when the accelerated point is worse), capped at 5 and halved (up to 5 times)
 * while the penalised likelihood falls by more than round-off. Ok: f.inv is (Z'WZ)^-1 at the
 * estimate; Unfinished: not converged in FIRTH_MAX_ITER iterations.
 */
function fitFirth(d: Design, b: Float64Array, f: Fit): Status {
  const k = d.k;
  let pl = firthLoglik(d, b, f);
  if (Number.isNaN(pl)) return Status.Fail;
  const { grad: u, delta: step, bOld: old } = f;
  let hist = false;
  let change = Infinity;
  for (let it = 0; it < FIRTH_MAX_ITER; it++) {
    // f.l is the Cholesky factor at b (the last firthLoglik was at the point kept).
    cholFactorInverse(f, k);
    firthResidual(d, f);
    score(d, f.r, u, f);
    let gmax = 0;
    for (let j = 0; j < k; j++) if (Math.abs(u[j]) > gmax) gmax = Math.abs(u[j]);
    firthStep(f, u, step, k);
    if (converged(b, step, k) && gmax < 1e-6 && change < 1e-9) {
      // Converged: the last (accelerated) step is taken without evaluating the point it reaches; the
      // SE from the information at b, less than TOL away. An extrapolation 10x the plain step is not
      // trusted unevaluated: the plain step then.
      cholInverse(f, k);
      let plain = 0;
      for (let a = 0; a < k; a++) plain = Math.max(plain, Math.abs(step[a]));
      const fast = accelerate(f, b, step, k, hist) <= 10 * plain;
      for (let a = 0; a < k; a++) b[a] += fast ? step[a] : f.raw[a];
      return Status.Ok;
    }
    for (let a = 0; a < k; a++) old[a] = b[a];
    const accel = hist;
    let smax = accelerate(f, b, step, k, hist);
    hist = true;
    takeStep(b, old, step, smax, k);
    let npl = firthLoglik(d, b, f);
    const tol = FIRTH_HALF_TOL * Math.abs(pl);
    if (accel && !(npl >= pl - tol)) {
      // The extrapolated point is worse: the plain step, and a fresh history.
      hist = false;
      smax = 0;
      for (let a = 0; a < k; a++) {
        step[a] = f.raw[a];
        if (Math.abs(step[a]) > smax) smax = Math.abs(step[a]);
      }
      takeStep(b, old, step, smax, k);
      npl = firthLoglik(d, b, f);
    }
    let mult = 1;
    for (let hs = 0; hs < FIRTH_MAX_HALF && !(npl >= pl - tol); hs++) {
      mult /= 2;
      for (let a = 0; a < k; a++) b[a] = old[a] + step[a] * mult;
      npl = firthLoglik(d, b, f);
    }
    if (Number.isNaN(npl)) return Status.Fail;
    change = Math.abs(npl - pl);
    pl = npl;
    if (smax * mult < TOL && change < 1e-12) {
      // The inverse information at the estimate, for the SE.
      cholInverse(f, k);
      return Status.Ok;
    }
  }
  return Status.Unfinished;
}

/** fitFirth from dosage coefficient 0 and the covariates' `start` (intercept first). */
function firthFrom(d: Design, b: Float64Array, f: Fit, start: Float64Array): Status {
  b[0] = 0;
  for (let j = 0; j < start.length; j++) b[j + 1] = start[j];
  return fitFirth(d, b, f);
}

/** The covariate-only fits of a group (intercept first): logistic and Firth. */
export function fitNull(x: Float64Array, p: number, n: number, y: Float64Array): { beta0: Float64Array; firth0: Float64Array; ok: boolean } {
  const cols: Float64Array[] = [];
  for (let j = 0; j < p; j++) cols.push(x.subarray(j * n, j * n + n));
  const act = new Float64Array(n).fill(1);
  const d: Design = { cols, k: p, n, y, act };
  const f = new Fit(n, p);
  const beta0 = new Float64Array(p);
  let ybar = 0;
  for (let i = 0; i < n; i++) ybar += y[i];
  ybar /= n;
  beta0[0] = Math.log(ybar / (1 - ybar));
  const okL = fitLogistic(d, beta0, f) === Status.Ok;
  // Firth fits start from the logistic null (close to Firth's for the covariates); the Firth null
  // itself is fitted only when the logistic one fails (n = 10,000: ~2 s of main-thread time saved).
  const firth0 = Float64Array.from(beta0);
  if (!okL) {
    firth0.fill(0);
    beta0.fill(0);
  }
  // An unfinished Firth null still starts the variants' Firth fits (each then converges or is NA).
  const okF = okL || fitFirth(d, firth0, f) !== Status.Fail;
  return { beta0, firth0, ok: okL || okF };
}

export interface LogisticKernelOptions {
  firth?: FirthMode;
  /** false: the JavaScript loops even where WebAssembly SIMD runs (tests; same results). */
  wasm?: boolean;
  /** The groups run() will see: each gets its own copy of the design in wasm memory, made once. */
  groups?: readonly LogisticGroup[];
  /** false: the fast path always iterates to a step below 1e-9 (no lastStep; tests). */
  earlyEnd?: boolean;
  /** Run after the sample-count and constant-dosage checks, before separation and any fit (plink2's order). */
  precheck?: PreCheck;
  /** false: every failed double iteration from 0 is re-decided in float (no F32_SKIP_MARGIN; tests). */
  floatSkip?: boolean;
}

export class LogisticKernel {
  private g: Float64Array;
  private act: Float64Array;
  private fit: Fit;
  private b: Float64Array;
  /** Each group's design (its column views made once: per variant they cost ~3% at 157 samples). */
  private designs = new WeakMap<LogisticGroup, Design>();
  private miss: Int32Array;
  /** Each group's null start (captured with its first variant that is fitted from it). */
  private nulls = new WeakMap<LogisticGroup, NullStart>();
  /** Each group's start at 0 of plink2's iteration (captured with its first variant that runs it). */
  private zeros = new WeakMap<LogisticGroup, NullStart>();
  // The current variant's counts and sums (gather), for fitMle.
  private ns = 0;
  private nc = 0;
  private nm = 0;
  private sum = 0;
  private caseSum = 0;
  /** The last fitMle ended at plink2's unfinished float iterate. */
  private unfinished = false;
  private firthMode: FirthMode;
  private earlyEnd: boolean;
  private precheck: PreCheck | null;
  private sums: VariantSums;
  private floatSkip: boolean;
  /** Failed double iterations sent to Firth without the float emulation (F32_SKIP_MARGIN). */
  floatSkips = 0;
  /** plink2's single-precision iteration, for the fits not settled from the null start. */
  private f32: F32Logistic | null = null;
  private f32Size: [number, number];
  /** The current variant's dosages (run's argument), for plink2's allele choice (altIsMajor). */
  private cur: Float64Array = new Float64Array(0);
  /** The group whose covariates are in f32.x for every sample (none missing), or null. */
  private f32Group: LogisticGroup | null = null;

  /** Whether the O(n k^2) loops run in WebAssembly. */
  get usesWasm(): boolean {
    return this.fit.wx !== null;
  }

  constructor(maxN: number, maxP: number, opts: LogisticKernelOptions = {}) {
    const n = Math.max(1, maxN);
    this.g = new Float64Array(n);
    const wx = opts.wasm === false ? null : LogitWasm.create(n, maxP + 1, opts.groups);
    this.act = wx ? wx.act : new Float64Array(n);
    this.miss = new Int32Array(n);
    this.fit = new Fit(n, maxP + 1, wx);
    this.b = new Float64Array(maxP + 1);
    this.firthMode = opts.firth ?? 'fallback';
    this.earlyEnd = opts.earlyEnd ?? true;
    this.precheck = opts.precheck ?? null;
    this.sums = { xg: new Float64Array(maxP + 1), miss: this.miss, nMiss: 0, sum: 0, css: 0 };
    this.floatSkip = opts.floatSkip ?? true;
    // made when a fit first needs it (none at 10,000 samples on scenario 6)
    this.f32Size = [n, maxP + 1];
  }

  /**
   * plink2's probability buffer at positions m..nv (this variant's padding) before its fit, into
   * f32.pr. plink2 leaves there what the variant before left: for a variant without missing dosages,
   * p - y of its samples (about the null model's) and, past its n samples, the padding's fixed point.
   * The variant before is not known here (results must not depend on it), so that is assumed.
   */
  private padStart(gr: LogisticGroup, m: number): void {
    const { n, y } = gr;
    let p0 = this.nullPs.get(gr);
    if (!p0) {
      p0 = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let eta = 0;
        for (let j = 0; j < gr.p; j++) eta += gr.x[j * n + i] * gr.beta0[j];
        p0[i] = 1 / (1 + Math.exp(-eta));
      }
      this.nullPs.set(gr, p0);
    }
    const pr = (this.f32 as F32Logistic).pr;
    for (let i = m; i < ((m + 3) & ~3); i++) pr[i] = i < n ? Math.fround(Math.fround(p0[i]) - y[i]) : PAD_P;
  }

  private design(gr: LogisticGroup): Design {
    let d = this.designs.get(gr);
    if (!d) {
      const { n, p } = gr;
      const cols = [this.g.subarray(0, n)];
      for (let j = 0; j < p; j++) cols.push(gr.x.subarray(j * n, j * n + n));
      d = { cols, k: p + 1, n, y: gr.y, act: this.act, miss: this.miss, nMiss: 0 };
      this.designs.set(gr, d);
    }
    return d;
  }

  /** Per group, the null model's probabilities (what plink2's buffer holds before a variant, about). */
  private nullPs = new WeakMap<LogisticGroup, Float64Array>();

  /** Test dosage row `d` (genotype-sample order, NaN = missing) against group `gr`. */
  run(d: Float64Array, gr: LogisticGroup, out: LogisticResult): void {
    this.fitGathered(gr, out, this.gatherVariant(d, gr, out));
  }

  /** run's second half, on the variant gatherVariant just gathered (`css` its return). */
  fitGathered(gr: LogisticGroup, out: LogisticResult, css: number): void {
    const ns = this.ns;
    const p = gr.p;
    const k = p + 1;
    if (ns <= k) return na(out, 'SAMPLE_CT<=PREDICTOR_CT');
    if (!(css > 1e-12 * ns)) return na(out, 'CONST_OMITTED_ALLELE');
    const design = this.design(gr);
    design.nMiss = this.nm;
    const b = this.b;
    const f = this.fit;
    if (f.wx) f.wx.load(design.cols, k, gr.n, gr);
    if (this.precheck !== null) {
      const why = this.precheck(gr, this.variantSums(design, css));
      if (why !== '') return na(out, why);
    }
    let useFirth = this.firthMode === 'always' || (this.firthMode === 'fallback' && gr.alwaysFirth === true);
    this.unfinished = false;
    if (!useFirth) {
      const why = this.fitMle(design, gr);
      if (why !== '') {
        if (this.firthMode === 'never') {
          if (why === 'SEPARATION') out.sepAllele = this.separatedAllele();
          return na(out, why);
        }
        useFirth = true;
      }
    }
    if (useFirth) {
      out.firth = true;
      const st = this.ns < FIRTH_SMALL * k ? this.firthBothStarts(design, gr) : firthFrom(design, b, f, gr.firth0);
      // plink2 prints an unfinished Firth iterate with ERRCODE UNFINISHED; it is no estimate: NA.
      if (st !== Status.Ok) return na(out, st === Status.Unfinished ? 'UNFINISHED' : 'FIRTH_CONVERGE_FAIL');
    }
    if (!validCovariance(f.inv, k)) return na(out, 'INVALID_RESULT');
    const beta = b[0];
    const se = Math.sqrt(f.inv[0]);
    out.beta = beta;
    out.se = se;
    out.z = beta / se;
    out.logp = logPNormal2(out.z);
    out.err = '';
    out.unfinished = !out.firth && this.unfinished;
  }

  /**
   * Firth from the null coefficients and from 0 (plink2's start), the fit with the higher penalised
   * likelihood kept (refitted last, so f.inv is its own): with few samples a predictor, Firth's
   * penalised likelihood can have more than one maximum (6 samples, 5 predictors: -4.714 from the
   * null start, -3.939 from 0, plink2's).
   */
  private firthBothStarts(design: Design, gr: LogisticGroup): Status {
    const b = this.b;
    const f = this.fit;
    const sNull = firthFrom(design, b, f, gr.firth0);
    const plNull = sNull === Status.Ok ? firthLoglik(design, b, f) : -Infinity;
    // firthLoglik leaves f.inv alone: after the second fit, b and f.inv are its own.
    const sZero = firthFrom(design, b, f, new Float64Array(gr.p));
    if (sZero === Status.Ok && firthLoglik(design, b, f) > plNull + 1e-9 * Math.abs(plNull)) return Status.Ok;
    return sNull === Status.Ok ? firthFrom(design, b, f, gr.firth0) : sNull;
  }

  /** The pre-check's view of the gathered variant: X'g by the score pass (f.r is free before a fit). */
  private variantSums(design: Design, css: number): VariantSums {
    const v = this.sums;
    const f = this.fit;
    if (f.wx) f.r.set(this.g.subarray(0, design.n));
    score(design, f.wx ? f.r : this.g, v.xg, f);
    v.nMiss = this.nm;
    v.sum = this.sum;
    v.css = css;
    return v;
  }

  /**
   * run's first half: the group's dosages into g (missing: 0, act 0, listed in miss), the counts,
   * FRQ (all, cases, controls) and INFO into out; returns the centred sum of squares, which
   * fitGathered takes (ns, nm, sum, caseSum kept). The caller may skip the fit (a filtered row).
   */
  gatherVariant(d: Float64Array, gr: LogisticGroup, out: LogisticResult): number {
    this.cur = d;
    const n = gr.n;
    const idx = gr.idx;
    const y = gr.y;
    const g = this.g;
    const act = this.act;
    let ns = 0;
    let nc = 0;
    let sum = 0;
    let sumsq = 0;
    let caseSum = 0;
    const miss = this.miss;
    let nm = 0;
    for (let i = 0; i < n; i++) {
      const v = d[idx[i]];
      if (v !== v) {
        g[i] = 0;
        act[i] = 0;
        miss[nm++] = i;
      } else {
        g[i] = v;
        act[i] = 1;
        ns++;
        sum += v;
        sumsq += v * v;
        // y is 1 or 0: no branch (random case/control order mispredicts); v * 0 adds +0, the same bits
        const yi = y[i];
        nc += yi;
        caseSum += v * yi;
      }
    }
    this.ns = ns;
    this.nc = nc;
    this.nm = nm;
    this.sum = sum;
    this.caseSum = caseSum;
    out.nUsed = ns;
    out.nCase = nc;
    out.nCtrl = ns - nc;
    const mean = sum / ns;
    const css = Math.max(0, sumsq - ns * mean * mean);
    out.frq = mean / 2;
    const den = 2 * out.frq * (1 - out.frq);
    out.info = den > 0 ? css / ns / den : NaN;
    out.frqCase = nc > 0 ? caseSum / (2 * nc) : NaN;
    out.frqCtrl = ns > nc ? (sum - caseSum) / (2 * (ns - nc)) : NaN;
    out.firth = false;
    return css;
  }

  /**
   * The allele plink2's separation pre-check names: it checks every allele in order, the omitted
   * one too, so REF first (none in the cases, or all of it: the cases or the controls all ALT/ALT),
   * then ALT (plink2_glm_logistic.cc, before LogisticRegressionF).
   */
  private separatedAllele(): 'ALT1' | 'REF' {
    const ctrlSum = this.sum - this.caseSum;
    return this.caseSum === 2 * this.nc || ctrlSum === 2 * (this.ns - this.nc) ? 'REF' : 'ALT1';
  }

  /** The maximum-likelihood fit into this.b and this.fit: '' when it converged, else why not (Firth's cue). */
  private fitMle(design: Design, gr: LogisticGroup): LogisticErr {
    const ns = this.ns;
    const nc = this.nc;
    const sum = this.sum;
    const caseSum = this.caseSum;
    const b = this.b;
    const f = this.fit;
    // A dosage absent from (or fixed in) the cases or the controls: no finite MLE (plink2 skips
    // straight to Firth). Dosages are compared exactly, as plink2 compares its dosage sums.
    const ctrlSum = sum - caseSum;
    if (caseSum === 0 || ctrlSum === 0 || caseSum === 2 * nc || ctrlSum === 2 * (ns - nc)) return 'SEPARATION';
    b[0] = 0;
    for (let j = 0; j < gr.p; j++) b[j + 1] = gr.beta0[j];
    let nul = this.nulls.get(gr);
    if (!nul) {
      nul = captureNull(design, b, f, NULL_START);
      this.nulls.set(gr, nul);
    }
    if (fitFromNull(design, b, f, nul, this.earlyEnd) === Status.Ok) return '';
    // plink2's iteration from 0 in double precision; where float round-off can decide (a failed or
    // unfinished fit, a dosage coefficient running off), its float emulation decides (decision 0220).
    b.fill(0, 0, gr.p + 1);
    let zero = this.zeros.get(gr);
    if (!zero) {
      zero = captureNull(design, b, f, ZERO_START);
      this.zeros.set(gr, zero);
    }
    f.flip = altIsMajor(this.cur);
    // Without missing dosages the captured start gives the very step computed over the samples (same
    // bits); with some, taking them out of its sums moves last bits (a P in the 7th digit on the
    // scenario-7 file): those fits take the full step (decision 0210, session 12).
    const st = fitLogistic(design, b, f, this.nm === 0 ? zero : null);
    f.flip = false;
    if (st === Status.Ok && f.iters < 15 && Math.abs(b[0]) <= F32_TRIGGER) return '';
    // A divergence far past plink2's thresholds fails in float as well (decision 0210, session 11).
    if (st === Status.Fail && f.divMargin >= F32_SKIP_MARGIN && this.floatSkip) {
      this.floatSkips++;
      return 'LOGISTIC_CONVERGE_FAIL';
    }
    return this.floatDecision(design, gr);
  }

  /** The decision of plink2's float iteration; its iterate (polished when it converged) into b, f.inv. */
  private floatDecision(design: Design, gr: LogisticGroup): LogisticErr {
    const b = this.b;
    const f = this.fit;
    const flip = altIsMajor(this.cur);
    this.f32 ??= new F32Logistic(this.f32Size[0], this.f32Size[1]);
    const st = this.floatFit(gr, flip);
    if (st === F32Status.Fail) return 'LOGISTIC_CONVERGE_FAIL';
    this.unfinished = st === F32Status.Unfinished;
    // plink2's coefficients of (1, A1 dosage, covariates) to ours of (our dosage, 1, covariates).
    const c = this.f32.coef;
    b[0] = flip ? -c[1] : c[1];
    b[1] = flip ? c[0] + 2 * c[1] : c[0];
    for (let j = 2; j <= gr.p; j++) b[j] = c[j];
    if (st === F32Status.Ok) polish(design, b, f);
    return inverseInformation(design, b, f) ? '' : 'LOGISTIC_CONVERGE_FAIL';
  }

  /**
   * plink2's design of this variant in f32 (intercept, dosage, covariates as floats; the samples
   * used only, in order) and its iteration from 0.
   */
  private floatFit(gr: LogisticGroup, flip: boolean): F32Status {
    const e = this.f32 as F32Logistic;
    const { n, p, x, y } = gr;
    const s = e.stride;
    const g = this.g;
    const act = this.act;
    const nm = this.nm;
    const m = n - nm;
    if (nm > 0 || this.f32Group !== gr) {
      let u = 0;
      for (let i = 0; i < n; i++) {
        if (nm > 0 && act[i] === 0) continue;
        e.x[u] = 1;
        e.y[u] = y[i];
        for (let j = 1; j < p; j++) e.x[(j + 1) * s + u] = x[j * n + i];
        u++;
      }
      this.f32Group = nm > 0 ? null : gr;
    }
    let u = 0;
    // plink2's dosages are in 1/16384 units (a no-op for .gen and --dosage-precision plink2).
    for (let i = 0; i < n; i++) {
      if (nm > 0 && act[i] === 0) continue;
      const q = roundHalfEven(g[i] * 16384) / 16384;
      e.x[s + u++] = flip ? 2 - q : q;
    }
    // plink2 refills its intercept column (1s, then zero padding) only after a variant with missing
    // dosages; after one without, the 1s of all n samples run on into this variant's padding. The
    // variant before is not known here (results must not depend on it): where dosages are missing
    // rarely (at most 1% of the samples here), it is assumed complete, otherwise not.
    const padOnes = nm > 0 && nm * 100 <= n ? Math.min((m + 3) & ~3, n) - m : 0;
    this.padStart(gr, m);
    return e.fit(m, p + 1, padOnes);
  }
}

/** Allele B's dosage sum above allele A's over the samples with a dosage (exact in 1/16384 units). */
function altIsMajor(d: Float64Array): boolean {
  let sum = 0;
  let ct = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v === v) {
      sum += v;
      ct++;
    }
  }
  return sum > ct;
}

/**
 * plink2's validParameters check: every variance finite and above 1e-20, and no covariance above
 * 0.99999 of the product of the standard deviations (a near-singular information matrix).
 */
function validCovariance(inv: Float64Array, k: number): boolean {
  for (let a = 0; a < k; a++) {
    const v = inv[a * k + a];
    if (!(v >= 1e-20) || !Number.isFinite(v)) return false;
  }
  for (let a = 1; a < k; a++) {
    const sa = 0.99999 * Math.sqrt(inv[a * k + a]);
    for (let c = 0; c < a; c++) if (inv[a * k + c] > sa * Math.sqrt(inv[c * k + c])) return false;
  }
  return true;
}

function na(out: LogisticResult, err: LogisticErr): void {
  out.beta = NaN;
  out.se = NaN;
  out.z = NaN;
  out.logp = NaN;
  out.err = err;
}

export interface PlainFit {
  ok: boolean;
  beta: Float64Array;
  /** Standard errors (square roots of the inverse information's diagonal). */
  se: Float64Array;
  loglik: number;
}

/**
 * One logistic regression of y (1/0) on the given columns (include a column of ones for an
 * intercept), Newton from 0 with plink2's failure rules and no Firth; for the PRS association.
 */
export function fitLogisticColumns(cols: Float64Array[], y: Float64Array): PlainFit {
  const n = y.length;
  const k = cols.length;
  const d: Design = { cols, k, n, y, act: new Float64Array(n).fill(1) };
  const f = new Fit(n, k);
  const beta = new Float64Array(k);
  const ok = fitLogistic(d, beta, f) === Status.Ok;
  const se = new Float64Array(k);
  for (let j = 0; j < k; j++) se[j] = ok ? Math.sqrt(f.inv[j * k + j]) : NaN;
  return { ok, beta, se, loglik: ok ? predict(d, beta, f, true) : NaN };
}
