// Per-variant linear regression y ~ 1 + d + covariates for every phenotype of a group, as plink2
// --glm computes it. With no missing dosage only dot products remain (see projection.ts); a variant
// with missing dosages is refitted on its own sample subset, exactly as plink2 drops those samples.
import { logPStudentT2 } from './distributions.js';
import type { ModelGroup } from './model.js';
import { buildProjection, residualize } from './projection.js';

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

export class LinearKernel {
  private g: Float64Array;
  private u: Float64Array;
  constructor(maxN: number, maxR: number) {
    this.g = new Float64Array(maxN);
    this.u = new Float64Array(Math.max(1, maxR));
  }

  /** Test dosage row `d` (genotype-sample order, NaN = missing) against group `gr`. */
  run(d: Float64Array, gr: ModelGroup, out: GroupResult): void {
    const n = gr.n;
    const idx = gr.idx;
    const g = this.g;
    let sum = 0;
    let nmiss = 0;
    for (let i = 0; i < n; i++) {
      const v = d[idx[i]];
      g[i] = v;
      if (v !== v) nmiss++;
      else sum += v;
    }
    if (nmiss > 0) {
      this.runSubset(gr, nmiss, out);
      return;
    }
    const mean = sum / n;
    let css = 0;
    for (let i = 0; i < n; i++) {
      const c = g[i] - mean;
      g[i] = c;
      css += c * c;
    }
    out.nUsed = n;
    setFreqInfo(out, mean, css, n);
    const r = gr.r;
    const q = gr.q;
    let uu = 0;
    for (let l = 0; l < r; l++) {
      const off = l * n;
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[off + i] * g[i];
      this.u[l] = dot;
      uu += dot * dot;
    }
    const ssd = css - uu;
    const m = gr.phenos.length;
    const df = n - r - 2;
    if (!(css > 0) || !(ssd > css * MIN_RESIDUAL_SHARE)) {
      fillNA(out, m);
      return;
    }
    const yr = gr.yr;
    for (let k = 0; k < m; k++) {
      const off = k * n;
      let sdy = 0;
      for (let i = 0; i < n; i++) sdy += g[i] * yr[off + i];
      finish(out, k, sdy, ssd, gr.yy[k], df);
    }
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
