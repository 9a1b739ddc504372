// A model with the kernels that test variants against it: the run's model for the genome, and
// (stats/chrx-model.ts) chrX's with sex as a covariate, built by the worker when chrX first comes.
import { LinearKernel, newGroupResult, type GroupResult } from '../stats/linear.js';
import { LogisticKernel, newLogisticResult, type LogisticErr, type LogisticGroup, type PreCheck } from '../stats/logistic.js';
import { buildSexChromosomeModel, type SexChromosomeInput } from '../stats/chrx-model.js';
import { CovariateCheck } from '../stats/covariate-check.js';
import { NA_REASONS } from '../stats/gram.js';
import type { AssocModel, CheckGroup } from '../stats/model.js';

export class ModelKernels {
  readonly kernel: LinearKernel;
  readonly results: GroupResult[];
  readonly logistic: LogisticKernel | null = null;
  readonly lres = newLogisticResult();

  /**
   * @param phenoMap the run model's phenotype (row list) of each of this model's, null: the same
   * @param infoNA per phenotype of this model: MACH R2 printed NA (plink2 on its chrX model), null: none
   */
  constructor(
    readonly model: AssocModel,
    readonly phenoMap: Int32Array | null = null,
    readonly infoNA: Uint8Array | null = null,
  ) {
    let maxN = 1;
    let maxR = 1;
    for (const g of model.groups) {
      maxN = Math.max(maxN, g.n);
      maxR = Math.max(maxR, g.r);
    }
    this.kernel = new LinearKernel(maxN, maxR, { groups: model.groups, maxCorr: model.maxCorr, vif: model.vif });
    this.results = model.groups.map((g) => newGroupResult(g.phenos.length));
    const cc = model.logistic ?? [];
    if (cc.length > 0) {
      let n = 1;
      let p = 1;
      for (const g of cc) {
        n = Math.max(n, g.n);
        p = Math.max(p, g.p);
      }
      this.logistic = new LogisticKernel(n, p, { firth: model.firth, groups: cc, precheck: logisticChecks(model) });
    }
  }

  /** The run model's phenotype index of this model's phenotype j. */
  pheno(j: number): number {
    return this.phenoMap === null ? j : this.phenoMap[j];
  }

  /**
   * chrX's (or chrY's) kernels: `main` where the chromosome has no model of its own or every
   * phenotype's samples and covariates there are the genome's (plink2 then uses its main model too),
   * null where no phenotype can be tested there. On chrX, MACH R2 is printed NA on the phenotypes
   * regressed on its own model, unless the run is chrX/chrY only (plink2's main model is chrX's then).
   */
  static sexChromosome(input: SexChromosomeInput | undefined, chr: 'X' | 'Y', main: ModelKernels): ModelKernels | null {
    const x = input ? buildSexChromosomeModel(input, chr) : null;
    if (x === null) return main;
    if ('error' in x) return null;
    if (x.own.every((o) => o === 0) && x.model.phenoNames.length === main.model.phenoNames.length) return main;
    return new ModelKernels(x.model, x.phenoMap, chr === 'X' && !input!.xyOnly ? x.own : null);
  }
}

/** plink2's CORR_TOO_HIGH / VIF checks of the model's logistic rows (the LogisticKernel's precheck); none without covariates. */
function logisticChecks(model: AssocModel): PreCheck | undefined {
  const groups = model.logisticChecks ?? [];
  const checkOf = new Map<LogisticGroup, CheckGroup>();
  let maxR = 0;
  (model.logistic ?? []).forEach((g, i) => {
    const cg = groups[i];
    if (!cg) return;
    checkOf.set(g, cg);
    maxR = Math.max(maxR, cg.r);
  });
  if (checkOf.size === 0) return undefined;
  const check = new CovariateCheck(maxR, model.maxCorr, model.vif);
  return (gr, v) => {
    const cg = checkOf.get(gr);
    const why = cg === undefined ? 0 : check.run(cg, v);
    return why === 0 ? '' : (NA_REASONS[why] as LogisticErr);
  };
}
