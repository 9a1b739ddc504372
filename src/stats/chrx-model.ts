// plink2 --glm's models of the sex chromosomes, where the sexes are known (a .sample sex column or
// --psam). chrX: when both sexes occur, sex (male 1, female 2, as plink2 codes it) is an extra
// covariate and samples of unknown sex leave chrX's regressions (plink2_glm.cc, add_sex_covar;
// `--no-x-sex` is plink2's `--glm no-x-sex`). chrY: only the known males are regressed (plink2
// 2.00a3.5: females and samples of unknown sex leave). The main thread sends the columns once
// (sexChromosomeInput); a worker builds a chromosome's model the first time it meets it
// (buildSexChromosomeModel), so runs without chrX or chrY pay nothing.
import { buildAlignedModel, type AlignedPheno } from './logistic-model.js';
import type { AssocModel, NamedColumn } from './model.js';
import type { FirthMode } from './logistic.js';

export interface SexChromosomeInput {
  nSamples: number;
  /** The run's tested phenotypes, in the model's order. */
  phenos: AlignedPheno[];
  /** The run's covariates. */
  covars: NamedColumn[];
  /** Per genotype sample: 1 male, 2 female, NaN unknown. */
  sex: Float64Array;
  /** Which chromosomes get a model of their own. */
  x: boolean;
  y: boolean;
  /** Every variant of the input files is on chrX or chrY (src/pipeline/xy-only.ts): plink2 then prints MACH_R2 on chrX. */
  xyOnly?: boolean;
  firth: FirthMode;
  maxCorr?: number;
  vif?: number;
}

export interface SexChromosomeModel {
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
 * The columns of the sex chromosomes' models, or undefined where neither has one. chrX has one
 * unless --no-x-sex, no male or no female is known, or a covariate is already named sex (plink2 would
 * stop there: two copies of one covariate; dosageflow takes the user's as the sex covariate). chrY
 * has one unless no male is known (plink2 then skips chrY: dosageflow tests it on all samples, rows
 * plink2 does not print) or every sample is a known male.
 */
export function sexChromosomeInput(
  model: AssocModel,
  cols: AlignedPheno[],
  covars: NamedColumn[],
  sexes: (number | undefined)[],
  o: { noXSex?: boolean; firth: FirthMode; maxCorr?: number; vif?: number },
): SexChromosomeInput | undefined {
  const male = sexes.some((s) => s === 1);
  const x = !o.noXSex && !covars.some((c) => /^sex$/i.test(c.name)) && male && sexes.some((s) => s === 2);
  const y = male && !sexes.every((s) => s === 1);
  if (!x && !y) return undefined;
  const sex = Float64Array.from(sexes, (s) => (s === 1 || s === 2 ? s : NaN));
  const phenos = model.phenoNames.map((name) => cols.find((c) => c.name === name)!);
  return { nSamples: model.nSamples, phenos, covars, sex, x, y, firth: o.firth, maxCorr: o.maxCorr, vif: o.vif };
}

/** The model of chrX or chrY, null where that chromosome has none, or a reason none can be built (every phenotype lacks samples there). */
export function buildSexChromosomeModel(s: SexChromosomeInput, chr: 'X' | 'Y'): SexChromosomeModel | { error: string } | null {
  if (!(chr === 'X' ? s.x : s.y)) return null;
  // chrX: sex one covariate more; chrY: the phenotypes of the known males only.
  const covars = chr === 'X' ? [...s.covars, { name: 'SEX', values: s.sex }] : s.covars;
  const phenos = chr === 'X' ? s.phenos : s.phenos.map((p) => ({ ...p, values: Float64Array.from(p.values, (v, i) => (s.sex[i] === 1 ? v : NaN)) }));
  let model: AssocModel;
  try {
    model = buildAlignedModel(s.nSamples, phenos, covars, { firth: s.firth, maxCorr: s.maxCorr, vif: s.vif });
  } catch (e) {
    return { error: (e as Error).message };
  }
  const names = phenos.map((p) => p.name);
  const phenoMap = Int32Array.from(model.phenoNames, (n) => names.indexOf(n));
  const own = Uint8Array.from(phenoMap, (j) => ((chr === 'X' ? differsOnX(s, j) : lostOnY(s, j)) ? 1 : 0));
  return { model, phenoMap, own };
}

/** chrY: whether a sample other than a known male had a value of phenotype j. */
function lostOnY(s: SexChromosomeInput, j: number): boolean {
  return s.phenos[j].values.some((v, i) => v === v && s.sex[i] !== 1);
}

/** chrX: whether phenotype j loses samples of unknown sex, or has both sexes (sex is not a constant covariate there). */
function differsOnX(s: SexChromosomeInput, j: number): boolean {
  const y = s.phenos[j].values;
  let first = NaN;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== y[i] || s.covars.some((c) => c.values[i] !== c.values[i])) continue;
    if (s.sex[i] !== s.sex[i]) return true;
    if (first !== first) first = s.sex[i];
    else if (s.sex[i] !== first) return true;
  }
  return false;
}
