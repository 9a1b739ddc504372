// The association model shared by all variants: phenotypes grouped by missingness pattern, each
// group with its covariate projection and residualised phenotypes. Built once on the main thread
// and sent to every worker.
import { InputError } from '../errors.js';
import { buildGroupGram, DEFAULT_MAX_CORR, DEFAULT_VIF, INVALID_SHARE, type GroupGram } from './gram.js';
import { buildProjection, residualize, type Projection } from './projection.js';
import { sumAt } from './vec.js';
import type { FirthMode, LogisticGroup } from './logistic.js';

export interface ModelGroup {
  /** Phenotype indices (into AssocModel.phenoNames) sharing this sample set. */
  phenos: number[];
  /** Genotype-sample indices used (samples with the phenotypes and every covariate). */
  idx: Int32Array;
  n: number;
  /** Covariate rank (excluding the intercept). */
  r: number;
  /** Orthonormal basis of the centred covariates, r columns of n. */
  q: Float64Array;
  /** Residualised phenotypes, m columns of n. */
  yr: Float64Array;
  /** y_r'y_r per phenotype. */
  yy: Float64Array;
  /** Column sums of q and of y_r (zero up to rounding; the kernel subtracts that rounding). */
  qsum: Float64Array;
  yrsum: Float64Array;
  /** Kept raw covariates, nCov columns of n (for variants with missing dosages). */
  cov: Float64Array;
  nCov: number;
  /** Raw phenotypes, m columns of n (scaled as `yScale` says). */
  y: Float64Array;
  /** Per phenotype: the power of two its values were divided by (BETA and SE are multiplied back). */
  yScale: Float64Array;
  /** The Gram statistics of variants with missing dosages (see gram.ts). */
  gram: GroupGram;
  /** Two covariates correlate above --max-corr among these samples: every row NA (CORR_TOO_HIGH). */
  covCorrTooHigh: boolean;
}

export interface AssocModel {
  nSamples: number;
  phenoNames: string[];
  groups: ModelGroup[];
  /** For each phenotype: its group and its column within the group. */
  phenoGroup: number[];
  phenoSlot: number[];
  warnings: string[];
  /** Samples used per phenotype. */
  phenoN: number[];
  /** Case/control phenotypes (see logistic-model.ts), tested by the LogisticKernel. */
  logistic?: LogisticGroup[];
  /** For each of them, its covariates' group for plink2's per-variant --max-corr / --vif checks (null: no covariates). */
  logisticChecks?: (CheckGroup | null)[];
  /** Logistic fits: Firth's as fallback (plink2's default), always, or never. */
  firth?: FirthMode;
  /** plink2's --max-corr and --vif. */
  maxCorr: number;
  vif: number;
}

/** Why no sample is left for a phenotype (the usual cause: IDs that do not match). */
export const NO_SAMPLE = "no sample has a genotype, a value and every covariate (check that the IDs match the genotype file's samples: its .sample, BGEN or VCF header)";

export interface ModelOptions {
  maxCorr?: number;
  vif?: number;
  /** The phenotype table, named by the error when no phenotype can be tested. */
  phenoFile?: string;
}

export interface NamedColumn {
  name: string;
  /** In genotype-sample order; NaN = missing. */
  values: Float64Array;
}

/**
 * The model for the phenotypes that can be tested. A phenotype without enough samples (none with a
 * genotype, a value and every covariate, or fewer than the covariates need) is skipped with a
 * warning, as plink2 does; when no phenotype is left that is an error.
 */
export function buildModel(nSamples: number, phenos0: NamedColumn[], covars0: NamedColumn[], covarFile?: string, opts: ModelOptions = {}): AssocModel {
  // Every column divided by a power of two near its largest magnitude (exact: the results for
  // ordinary values are unchanged) so that sums of squares neither overflow nor underflow: P does
  // not depend on the units (issue 15 item 9: x1e150, x1e-200, a covariate x1e300).
  const phenos = phenos0.map(pow2Scaled);
  const covars = covars0.map(pow2Scaled);
  for (const c of covars) {
    if (c.values.every((v) => Number.isNaN(v))) throw new InputError(`covariate '${c.name}' is missing (NA) for every genotyped sample`, { file: covarFile });
  }
  const skipped: string[] = [];
  const reasons: string[] = [];
  const covOk = new Uint8Array(nSamples).fill(1);
  for (const c of covars) for (let i = 0; i < nSamples; i++) if (Number.isNaN(c.values[i])) covOk[i] = 0;
  const kept = phenos.filter((p) => {
    const idx: number[] = [];
    for (let i = 0; i < nSamples; i++) if (covOk[i] && !Number.isNaN(p.values[i])) idx.push(i);
    let why = '';
    if (p.values.every((v) => Number.isNaN(v))) why = 'every genotyped sample has it missing (NA, -9 or 0 in a 1/2 column)';
    else if (idx.length === 0) why = NO_SAMPLE;
    else if (idx.length < covars.length + 3) {
      // The rank matters only when the samples are fewer than every covariate needs (r <= their
      // count): a projection a phenotype at 10,000 samples was ~25-50 ms of start-up, for nothing.
      const r = buildProjection(
        covars.map((c) => gather(c.values, Int32Array.from(idx))),
        idx.length,
      ).r;
      if (idx.length - r - 2 < 1) why = `only ${idx.length} samples for ${r} covariates; need at least ${r + 3}`;
    }
    if (why) {
      skipped.push(p.name);
      reasons.push(`phenotype ${p.name}: ${why}`);
    }
    return !why;
  });
  if (kept.length === 0) throw new InputError(reasons[0], { file: covarFile && /covariates/.test(reasons[0]) ? covarFile : opts.phenoFile });
  const model = buildModelOf(nSamples, kept, covars, covarFile, opts.maxCorr ?? DEFAULT_MAX_CORR, opts.vif ?? DEFAULT_VIF);
  model.warnings.unshift(...reasons.map((r) => `${r}: skipped`));
  return model;
}

function buildModelOf(nSamples: number, phenos: ScaledColumn[], covars: NamedColumn[], covarFile: string | undefined, maxCorr: number, vif: number): AssocModel {
  const warnings: string[] = [];
  const covOk = new Uint8Array(nSamples).fill(1);
  for (const c of covars) for (let i = 0; i < nSamples; i++) if (Number.isNaN(c.values[i])) covOk[i] = 0;
  const byPattern = new Map<string, number[]>();
  const masks: Uint8Array[] = [];
  phenos.forEach((p, j) => {
    const m = new Uint8Array(nSamples);
    for (let i = 0; i < nSamples; i++) m[i] = covOk[i] && !Number.isNaN(p.values[i]) ? 1 : 0;
    masks.push(m);
    const key = Buffer.from(m).toString('base64');
    const list = byPattern.get(key);
    if (list) list.push(j);
    else byPattern.set(key, [j]);
  });
  const groups: ModelGroup[] = [];
  const phenoGroup: number[] = new Array(phenos.length).fill(-1);
  const phenoSlot: number[] = new Array(phenos.length).fill(-1);
  const phenoN: number[] = new Array(phenos.length).fill(0);
  for (const members of byPattern.values()) {
    const mask = masks[members[0]];
    const idxList: number[] = [];
    for (let i = 0; i < nSamples; i++) if (mask[i]) idxList.push(i);
    const names = members.map((j) => phenos[j].name).join(', ');
    if (idxList.length === 0) {
      throw new InputError(`phenotype ${names}: ${NO_SAMPLE}`, {});
    }
    const gr = groupOf(
      Int32Array.from(idxList),
      members.map((j) => phenos[j]),
      covars,
      names,
      { covarFile, maxCorr, vif, warnings, dropWarnings: true },
    );
    gr.phenos = members;
    members.forEach((j, k) => {
      phenoGroup[j] = groups.length;
      phenoSlot[j] = k;
      phenoN[j] = gr.n;
    });
    groups.push(gr);
  }
  return { nSamples, phenoNames: phenos.map((p) => p.name), groups, phenoGroup, phenoSlot, warnings, phenoN, maxCorr, vif };
}

interface GroupOptions {
  covarFile?: string;
  maxCorr: number;
  vif: number;
  warnings: string[];
  /** Warn about covariates dropped as constant or collinear (the logistic model has warned already). */
  dropWarnings: boolean;
}

/**
 * One group: the samples idx, its phenotypes (none for checkGroup) and the covariates' projection,
 * Gram statistics and plink2's covariate-only checks (--max-corr, --vif: every row NA, warned).
 */
function groupOf(idx: Int32Array, members: ScaledColumn[], covars: NamedColumn[], names: string, o: GroupOptions, pre?: CovariateColumns): ModelGroup {
  const n = idx.length;
  const covCols = pre?.cols ?? covars.map((c) => gather(c.values, idx));
  const proj = pre?.proj ?? buildProjection(covCols, n);
  if (o.dropWarnings) {
    for (const d of proj.dropped) {
      o.warnings.push(`covariate '${covars[d.index].name}' is ${d.reason === 'constant' ? 'constant' : 'collinear with earlier covariates'} among the ${n} samples of ${names}: dropped`);
    }
  }
  if (n - proj.r - 2 < 1) {
    throw new InputError(`phenotype ${names}: only ${n} samples for ${proj.r} covariates; need at least ${proj.r + 3}`, { file: o.covarFile });
  }
  const m = members.length;
  const yr = new Float64Array(m * n);
  const y = new Float64Array(m * n);
  const yy = new Float64Array(m);
  const yScale = new Float64Array(m);
  members.forEach((p, k) => {
    const v = gather(p.values, idx);
    y.set(v, k * n);
    const tot = gram0(v);
    const ss = residualize(v, proj.q, proj.r, n);
    yr.set(v, k * n);
    yy[k] = ss;
    yScale[k] = p.scale ?? 1;
    if (!(ss > tot * INVALID_SHARE)) o.warnings.push(`phenotype '${p.name}' has no variance after covariates: all its statistics are NA (INVALID_RESULT)`);
  });
  const cov = new Float64Array(proj.kept.length * n);
  proj.kept.forEach((c, l) => cov.set(covCols[c], l * n));
  const gram = buildGroupGram(proj.q, proj.r, cov, y, yr, n, m);
  const covCorrTooHigh = gram.maxCorr > o.maxCorr;
  const note = covariateNote(gram, (l) => covars[proj.kept[l]].name, n, names, o.maxCorr, o.vif);
  if (note) o.warnings.push(note);
  return { phenos: [], idx, n, r: proj.r, q: proj.q, yr, yy, qsum: colSums(proj.q, proj.r, n), yrsum: colSums(yr, m, n), cov, nCov: proj.kept.length, y, yScale, gram, covCorrTooHigh };
}

/** plink2's covariate-only checks of a group (every row NA), as a warning; undefined when they pass. */
export function covariateNote(gram: GroupGram, covName: (l: number) => string, n: number, names: string, maxCorr: number, vif: number): string | undefined {
  if (gram.maxCorr > maxCorr) {
    return `covariates '${covName(gram.corrPair[0])}' and '${covName(gram.corrPair[1])}' correlate at ${gram.maxCorr.toPrecision(6)} among the ${n} samples of ${names} (above --max-corr ${maxCorr}): every row is NA (CORR_TOO_HIGH); remove one of them`;
  }
  if (gram.maxVif > vif) {
    const worst = gram.baseVif.indexOf(gram.maxVif);
    return `covariate '${covName(worst)}' has a variance inflation factor of ${gram.maxVif.toPrecision(4)} among the ${n} samples of ${names} (above --vif ${vif}): every row is NA (VIF_TOO_HIGH); remove redundant covariates`;
  }
  return undefined;
}

/** A sample set's covariate columns (gathered, in its order) and their projection. */
export interface CovariateColumns {
  cols: Float64Array[];
  proj: Projection;
}

/** What plink2's per-variant CORR_TOO_HIGH / VIF checks of a logistic phenotype need (covariate-check.ts). */
export interface CheckGroup {
  n: number;
  /** Covariates (the logistic design's, without the intercept). */
  r: number;
  /** Their means over the n samples, as buildGroupGram centres them. */
  mu: Float64Array;
  gram: GroupGram;
  /** Two covariates correlate above --max-corr among these samples: every row NA (CORR_TOO_HIGH). */
  covCorrTooHigh: boolean;
}

/**
 * The covariates' CheckGroup of a case/control phenotype's samples idx, and its covariate-only
 * checks (warnings). The logistic design's own columns and projection (unscaled: the checks take
 * the design's products with the dosages); covars give the names.
 */
export function checkGroup(idx: Int32Array, covars: NamedColumn[], pre: CovariateColumns, name: string, maxCorr: number, vif: number, warnings: string[]): CheckGroup {
  const g = groupOf(idx, [], covars, name, { maxCorr, vif, warnings, dropWarnings: false }, pre);
  const mu = new Float64Array(g.r);
  for (let j = 0; j < g.r; j++) mu[j] = sumAt(g.cov, j * g.n, g.n) / g.n;
  return { n: g.n, r: g.r, mu, gram: g.gram, covCorrTooHigh: g.covCorrTooHigh };
}

interface ScaledColumn extends NamedColumn {
  /** The power of two the values were divided by. */
  scale?: number;
}

/** The column divided by the power of two at or below its largest finite magnitude. */
export function pow2Scaled(c: NamedColumn): ScaledColumn {
  let max = 0;
  for (const v of c.values) if (Math.abs(v) > max && Number.isFinite(v)) max = Math.abs(v);
  if (max === 0) return { ...c, scale: 1 };
  const e = Math.floor(Math.log2(max));
  if (e >= -16 && e <= 16) return { ...c, scale: 1 };
  // Two steps: 2^-e alone can overflow (e < -1023) or underflow.
  const h = 2 ** -Math.trunc(e / 2);
  const l = 2 ** -(e - Math.trunc(e / 2));
  const values = new Float64Array(c.values.length);
  for (let i = 0; i < values.length; i++) values[i] = c.values[i] * h * l;
  return { name: c.name, values, scale: 1 / h / l };
}

/** Centred sum of squares. */
function gram0(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x;
  const mean = s / v.length;
  let ss = 0;
  for (const x of v) ss += (x - mean) * (x - mean);
  return ss;
}

function gather(v: Float64Array, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = v[idx[i]];
  return out;
}

function colSums(a: Float64Array, cols: number, n: number): Float64Array {
  const out = new Float64Array(cols);
  for (let c = 0; c < cols; c++) out[c] = sumAt(a, c * n, n);
  return out;
}
