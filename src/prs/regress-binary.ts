// Association of a polygenic score with a case/control phenotype, as PRSice-2 reports it:
//   null:  logit P(case) ~ 1 + covariates          full:  logit P(case) ~ 1 + covariates + score
// R2 = Nagelkerke's R2 of the full model minus that of the null, both against the intercept-only
// model (PRSice-2's "R2" for binary targets); PARTIAL_R2 = Nagelkerke's R2 of the full model
// against the covariate-only one; BETA, SE, P: the score's log odds ratio per unit, its SE, the
// Wald P. With --prevalence K, LIABILITY_R2 is Lee et al. (2012, Genet Epidemiol 36:214, eq. 15) on
// the observed-scale R2 of the linear regression of the 0/1 phenotype (the variance the score
// explains on the 0/1 scale), corrected for the sample's case share P.
import { logPNormal2, qnormLower } from '../stats/distributions.js';
import { fitLogisticColumns } from '../stats/logistic.js';
import { ScoreModel, type ScoreFit } from './regress.js';

export interface BinaryScoreFit extends ScoreFit {
  /** Liability-scale R2 (NaN without a prevalence). */
  liabilityR2: number;
}

/** Nagelkerke's R2 of a model with log-likelihood ll against one with ll0, over n samples. */
export function nagelkerke(ll: number, ll0: number, n: number): number {
  const cs = 1 - Math.exp((2 * (ll0 - ll)) / n);
  const max = 1 - Math.exp((2 * ll0) / n);
  return cs / max;
}

/** Lee et al. (2012) eq. 15: observed-scale R2 (0/1 linear) -> liability scale. */
export function liabilityR2(r2o: number, prevalence: number, caseShare: number): number {
  const K = prevalence;
  const P = caseShare;
  const t = -qnormLower(K); // liability threshold: P(L > t) = K
  const z = Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
  const m = z / K; // mean liability of cases
  const C = ((K * (1 - K)) / (z * z)) * ((K * (1 - K)) / (P * (1 - P)));
  const theta = ((m * (P - K)) / (1 - K)) * ((m * (P - K)) / (1 - K) - t);
  return (r2o * C) / (1 + r2o * theta * C);
}

export class BinaryScoreModel {
  readonly n: number;
  private cols: Float64Array[];
  private y: Float64Array;
  private ll0: number;
  private llNull: number;
  readonly nullOk: boolean;
  private linear: ScoreModel;
  private caseShare: number;

  /** y: 1 = case, 0 = control; covariates as kept by the caller. */
  constructor(
    y: Float64Array,
    covariates: Float64Array[],
    private prevalence?: number,
  ) {
    const n = y.length;
    this.n = n;
    this.y = y;
    this.linear = new ScoreModel(y, covariates);
    // The linear projection decides which covariates are usable (constant/collinear dropped).
    const kept = this.linear.proj.kept.map((j) => covariates[j]);
    this.cols = [new Float64Array(n).fill(1), ...kept];
    let cases = 0;
    for (let i = 0; i < n; i++) cases += y[i];
    this.caseShare = cases / n;
    const p = this.caseShare;
    this.ll0 = cases * Math.log(p) + (n - cases) * Math.log(1 - p);
    const nul = fitLogisticColumns(this.cols, y);
    this.nullOk = nul.ok;
    this.llNull = nul.loglik;
  }

  fit(score: Float64Array): BinaryScoreFit {
    const lin = this.linear.fit(score);
    const n = this.n;
    const na: BinaryScoreFit = { n, r2: NaN, partialR2: NaN, beta: NaN, se: NaN, t: NaN, logp: NaN, liabilityR2: NaN };
    if (Number.isNaN(lin.beta) || !this.nullOk) return na;
    const k = this.cols.length;
    const full = fitLogisticColumns([...this.cols, score], this.y);
    if (!full.ok) return na;
    const beta = full.beta[k];
    const se = full.se[k];
    const z = beta / se;
    return {
      n,
      r2: nagelkerke(full.loglik, this.ll0, n) - nagelkerke(this.llNull, this.ll0, n),
      partialR2: nagelkerke(full.loglik, this.llNull, n),
      beta,
      se,
      t: z,
      logp: logPNormal2(z),
      liabilityR2: this.prevalence === undefined ? NaN : liabilityR2(lin.r2, this.prevalence, this.caseShare),
    };
  }
}
