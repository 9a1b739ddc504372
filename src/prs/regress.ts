// Association of a polygenic score with the phenotype: ordinary least squares of
//   null:  y ~ 1 + covariates          full:  y ~ 1 + covariates + score
// on the samples with the phenotype and every covariate. With TSS the total sum of squares about the
// mean and RSS the residual sums of squares:
//   R2         = R2_full - R2_null = (RSS_null - RSS_full) / TSS     (variance explained, the study's)
//   PARTIAL_R2 = 1 - (1 - R2_full) / (1 - R2_null) = 1 - RSS_full / RSS_null            (PRSice-2's)
//   BETA, SE, P: the score's coefficient in the full model, its standard error and the two-sided
//   t-test p-value with n - (covariates + 2) degrees of freedom.
// Computed through the covariate projection (Frisch-Waugh-Lovell), as src/stats/linear.ts does.
import { logPStudentT2 } from '../stats/distributions.js';
import { buildProjection, residualize, type Projection } from '../stats/projection.js';

export interface ScoreFit {
  n: number;
  r2: number;
  partialR2: number;
  beta: number;
  se: number;
  t: number;
  logp: number;
}

// A score whose variance the covariates explain (almost) entirely gives no usable test.
const MIN_RESIDUAL_SHARE = 1e-10;

export class ScoreModel {
  readonly n: number;
  readonly proj: Projection;
  /** Residualised phenotype. */
  private yr: Float64Array;
  readonly tss: number;
  readonly rssNull: number;
  constructor(y: Float64Array, covariates: Float64Array[]) {
    const n = y.length;
    this.n = n;
    this.proj = buildProjection(covariates, n);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += y[i];
    mean /= n;
    let tss = 0;
    for (let i = 0; i < n; i++) tss += (y[i] - mean) * (y[i] - mean);
    this.tss = tss;
    this.yr = Float64Array.from(y);
    this.rssNull = residualize(this.yr, this.proj.q, this.proj.r, n);
  }

  /** Residual degrees of freedom of the full model. */
  get df(): number {
    return this.n - this.proj.r - 2;
  }

  fit(score: Float64Array): ScoreFit {
    const n = this.n;
    const na: ScoreFit = { n, r2: NaN, partialR2: NaN, beta: NaN, se: NaN, t: NaN, logp: NaN };
    if (this.df < 1 || !(this.tss > 0)) return na;
    const s = Float64Array.from(score);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += s[i];
    mean /= n;
    let css = 0;
    for (let i = 0; i < n; i++) css += (s[i] - mean) * (s[i] - mean);
    const ss = residualize(s, this.proj.q, this.proj.r, n);
    if (!(css > 0) || !(ss > css * MIN_RESIDUAL_SHARE)) return na;
    let sy = 0;
    for (let i = 0; i < n; i++) sy += s[i] * this.yr[i];
    const beta = sy / ss;
    const explained = beta * sy;
    let rssFull = this.rssNull - explained;
    if (rssFull < 0) rssFull = 0;
    const se = Math.sqrt(rssFull / this.df / ss);
    const t = beta / se;
    return {
      n,
      r2: explained / this.tss,
      partialR2: this.rssNull > 0 ? explained / this.rssNull : NaN,
      beta,
      se,
      t: se > 0 ? t : NaN,
      logp: se > 0 ? logPStudentT2(t, this.df) : NaN,
    };
  }
}
