// plink2 --glm's models of the sex chromosomes, where the sexes are known (a .sample sex column).
// chrX: when both sexes occur, sex (male 1, female 2, as plink2 codes it) is an extra covariate and
// samples of unknown sex leave chrX's regressions (plink2_glm.cc, add_sex_covar; `--no-x-sex` is
// plink2's `--glm no-x-sex`). chrY: only the known males are regressed (plink2 2.00a3.5: females
// and samples of unknown sex leave). The main thread decides and sends the columns; a worker builds
// a model the first time it meets that chromosome, so runs without it pay nothing.
import { buildAlignedModel, type AlignedPheno } from './logistic-model.js';
import type { AssocModel, NamedColumn } from './model.js';
import type { FirthMode } from './logistic.js';

export interface ChrXModelInput {
  nSamples: number;
  /** The run's tested phenotypes, in the model's order. */
  phenos: AlignedPheno[];
  /** The run's covariates, then SEX. */
  covars: NamedColumn[];
  firth: FirthMode;
  maxCorr?: number;
  vif?: number;
  /** chrY's males-only model (no sex covariate): per phenotype, whether a sample that is not a known male had a value. */
  chrYLost?: Uint8Array;
}

export interface ChrXModel {
  model: AssocModel;
  /** The run model's phenotype index of each of this model's phenotypes. */
  phenoMap: Int32Array;
  /**
   * Per phenotype of this model: the chromosome's samples or covariates differ from the rest of the
   * genome's, so plink2 regresses it on this model (and on chrX prints MACH_R2 as NA there).
   */
  own: Uint8Array;
}

/**
 * The chrX model's columns, or undefined where plink2 adds no sex covariate: --no-x-sex, no male
 * or no female among the known sexes, or a covariate already named sex (plink2 would stop there:
 * two copies of one covariate; dosageflow takes the user's as the sex covariate).
 */
export function chrXModelInput(
  model: AssocModel,
  cols: AlignedPheno[],
  covars: NamedColumn[],
  sexes: (number | undefined)[],
  o: { noXSex?: boolean; firth: FirthMode; maxCorr?: number; vif?: number },
): ChrXModelInput | undefined {
  if (o.noXSex || covars.some((c) => /^sex$/i.test(c.name))) return undefined;
  if (!sexes.some((s) => s === 1) || !sexes.some((s) => s === 2)) return undefined;
  const sex = Float64Array.from(sexes, (s) => (s === 1 ? 1 : s === 2 ? 2 : NaN));
  const phenos = model.phenoNames.map((name) => cols.find((c) => c.name === name)!);
  return { nSamples: model.nSamples, phenos, covars: [...covars, { name: 'SEX', values: sex }], firth: o.firth, maxCorr: o.maxCorr, vif: o.vif };
}

/**
 * chrY's columns (the phenotypes of the known males only), or undefined where plink2 regresses
 * chrY on every sample: no male known (plink2 then skips chrY: dosageflow tests it on all samples,
 * rows plink2 does not print), or every sample a known male.
 */
export function chrYModelInput(
  model: AssocModel,
  cols: AlignedPheno[],
  covars: NamedColumn[],
  sexes: (number | undefined)[],
  o: { firth: FirthMode; maxCorr?: number; vif?: number },
): ChrXModelInput | undefined {
  if (!sexes.some((s) => s === 1) || sexes.every((s) => s === 1)) return undefined;
  const lost: number[] = [];
  const phenos = model.phenoNames.map((name) => {
    const c = cols.find((col) => col.name === name)!;
    lost.push(c.values.some((v, i) => v === v && sexes[i] !== 1) ? 1 : 0);
    return { ...c, values: Float64Array.from(c.values, (v, i) => (sexes[i] === 1 ? v : NaN)) };
  });
  return { nSamples: model.nSamples, phenos, covars, firth: o.firth, maxCorr: o.maxCorr, vif: o.vif, chrYLost: Uint8Array.from(lost) };
}

/** The chrX (or chrY) model, or a reason none can be built (every phenotype lacks samples there). */
export function buildChrXModel(x: ChrXModelInput): ChrXModel | { error: string } {
  let model: AssocModel;
  try {
    model = buildAlignedModel(x.nSamples, x.phenos, x.covars, { firth: x.firth, maxCorr: x.maxCorr, vif: x.vif });
  } catch (e) {
    return { error: (e as Error).message };
  }
  const names = x.phenos.map((p) => p.name);
  const phenoMap = Int32Array.from(model.phenoNames, (n) => names.indexOf(n));
  const sex = x.covars[x.covars.length - 1].values;
  const own = Uint8Array.from(model.phenoNames, (_, j) => (x.chrYLost ? x.chrYLost[phenoMap[j]] : differs(x, phenoMap[j], sex) ? 1 : 0));
  return { model, phenoMap, own };
}

/** chrX: whether phenotype j loses samples of unknown sex, or has both sexes (sex is not a constant covariate there). */
function differs(x: ChrXModelInput, j: number, sex: Float64Array): boolean {
  const y = x.phenos[j].values;
  let first = NaN;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== y[i] || x.covars.some((c, k) => k < x.covars.length - 1 && c.values[i] !== c.values[i])) continue;
    if (sex[i] !== sex[i]) return true;
    if (first !== first) first = sex[i];
    else if (sex[i] !== first) return true;
  }
  return false;
}
