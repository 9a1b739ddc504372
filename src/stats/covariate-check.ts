// plink2's per-variant CORR_TOO_HIGH / VIF_INFINITE / VIF_TOO_HIGH checks of the logistic rows: the
// unweighted correlation matrix of [dosage, covariates] over the variant's samples, checked before
// any logistic or Firth fit (plink2's CheckMaxCorrAndVif*; docs/logistic.md). The linear rows' own
// implementation (gram.ts: checkFull without missing dosages, MissingSolver.check over a variant's
// samples), fed from the dosages' raw cross-products with the covariates (the logistic kernel's X'g).
// Its cost and the alternatives: docs/decisions/0230-logistic-corr-vif-checks.md.
import { checkFull, MissingSolver, NA_CORR, type MissingVariant } from './gram.js';
import type { VariantSums } from './logistic.js';
import type { CheckGroup } from './model.js';

/** Where the covariates' products start in VariantSums.xg (after the dosage's and the intercept's). */
const COV0 = 2;

export class CovariateCheck {
  private solver: MissingSolver;
  private xcg: Float64Array;
  private u: Float64Array;
  private w: Float64Array;
  private mv: MissingVariant;

  /** wasm: false runs the missing rows' cross-products in JavaScript (identical results). */
  constructor(
    maxR: number,
    private maxCorr: number,
    private vif: number,
    wasm = true,
  ) {
    const r = Math.max(1, maxR);
    this.solver = new MissingSolver(r, 1, wasm, true);
    this.xcg = new Float64Array(r);
    this.u = new Float64Array(r);
    this.w = new Float64Array(r);
    this.mv = { miss: new Int32Array(0), nmiss: 0, sum: 0, css: 0, dots: new Float64Array(0), qBase: 0, yBase: 0, xcg: this.xcg };
  }

  /**
   * The NA reason of a variant (gram.ts NA_REASONS), 0 when the checks pass. gr: the covariates'
   * group of the phenotype's samples (model.ts checkGroup), whose columns are the logistic design's.
   */
  run(gr: CheckGroup, v: VariantSums): number {
    if (gr.covCorrTooHigh) return NA_CORR;
    const { r, n, gram, mu } = gr;
    const xcg = this.xcg;
    // xc'g = X'g - mu sum(g): g is 0 where missing, so these are the products over its samples.
    for (let j = 0; j < r; j++) xcg[j] = v.xg[COV0 + j] - mu[j] * v.sum;
    if (v.nMiss > 0) {
      const m = this.mv;
      m.miss = v.miss;
      m.nmiss = v.nMiss;
      m.sum = v.sum;
      m.css = v.css;
      return this.solver.check(gram, r, n, 0, m, this.maxCorr, this.vif);
    }
    // u = Q'(g - mean) = T^-T xc'(g - mean) (xc = Q T); xc'1 is csum, zero up to rounding.
    const mean = v.sum / n;
    const ti = gram.tinv;
    const u = this.u;
    let uu = 0;
    for (let l = 0; l < r; l++) {
      let s = 0;
      for (let j = 0; j <= l; j++) s += ti[j * r + l] * (xcg[j] - mean * gram.csum[j]);
      u[l] = s;
      uu += s * s;
    }
    return checkFull(gram, r, u, v.css, v.css - uu, this.maxCorr, this.vif, this.w);
  }
}
