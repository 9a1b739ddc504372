// Case/control phenotypes: plink2's detection rules and the per-phenotype logistic groups (sample
// set, covariate design, null fits) the LogisticKernel tests each variant against.
import { InputError } from '../errors.js';
import { fitNull, type FirthMode, type LogisticGroup } from './logistic.js';
import { NO_SAMPLE, buildModel, checkGroup, covariateNote, type AssocModel, type CheckGroup, type CovariateColumns, type NamedColumn } from './model.js';
import { DEFAULT_MAX_CORR, DEFAULT_VIF } from './gram.js';
import { buildProjection } from './projection.js';

export interface PhenoClass {
  kind: 'cc' | 'qt';
  /** cc: the values recoded 1 = case, 0 = control, NaN = missing (in the input's order). */
  values: Float64Array;
}

/**
 * plink2's rule: a phenotype whose non-missing values are all 1 (control) or 2 (case), 0 also
 * meaning missing, is case/control; with `one` (plink2's --1) 0 = control, 1 = case instead.
 * Anything else is quantitative, except a column that is almost all case/control codes with a few
 * other whole numbers (a 3 in a 1/2 column): that is a typing error, reported with its line
 * rather than run as a linear regression. `lines` gives each value's 1-based line for the message.
 */
export function classifyPhenotype(name: string, raw: Float64Array, lines: number[] | undefined, file: string | undefined, one: boolean): PhenoClass {
  const ctrl = one ? 0 : 1;
  const cas = one ? 1 : 2;
  let nCode = 0;
  let nOther = 0;
  let firstOther = -1;
  let allWhole = true;
  let nonMissing = 0;
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    if (v !== v) continue;
    if (!one && v === 0) continue;
    nonMissing++;
    if (v === ctrl || v === cas) nCode++;
    else {
      nOther++;
      if (firstOther < 0) firstOther = i;
      if (!Number.isInteger(v)) allWhole = false;
    }
  }
  if (nonMissing > 0 && nOther === 0) {
    const values = new Float64Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i];
      values[i] = v === cas ? 1 : v === ctrl ? 0 : NaN;
    }
    return { kind: 'cc', values };
  }
  if (nOther > 0 && allWhole && nCode >= 0.9 * nonMissing) {
    const v = raw[firstOther];
    const codes = one ? '0/1 (--1)' : '1/2';
    // Under --1, a column of 1s and 2s only is a 1/2-coded one with few cases, not a stray 2.
    const oneTwo = one && !raw.some((x) => x === x && x !== 1 && x !== 2);
    const hint = oneTwo ? `it looks coded 1/2 (control/case), which --1 does not read: recode it 0/1, or run it without --1` : `fix or blank it (NA)`;
    throw new InputError(`phenotype '${name}' is coded ${codes} (control/case) except for the value ${v}: ${hint}, or declare the column quantitative with --pheno-quantitative ${name}`, {
      file,
      line: lines?.[firstOther],
    });
  }
  return { kind: 'qt', values: raw };
}

export interface LogisticBuild {
  group?: LogisticGroup;
  /** Why the phenotype is skipped (plink2 skips these too). */
  skip?: string;
  warnings: string[];
  /** The covariates over the group's samples for plink2's per-variant --max-corr / --vif checks (none without covariates). */
  checks?: CheckGroup;
}

/** plink2's --max-corr and --vif, for the per-variant checks of the logistic rows. */
export interface CheckLimits {
  maxCorr: number;
  vif: number;
  /** CheckGroups by sample set: phenotypes with the same samples share one (the same design columns). */
  shared?: Map<string, CheckGroup>;
}

/**
 * The logistic group of one case/control phenotype (values 1/0/NaN in genotype-sample order); with
 * `limits`, also the covariate group of its per-variant CORR_TOO_HIGH / VIF checks (model.ts checkGroup).
 */
export function buildLogisticGroup(pheno: number, name: string, y01: Float64Array, covars: NamedColumn[], limits?: CheckLimits): LogisticBuild {
  const nSamples = y01.length;
  const warnings: string[] = [];
  const idxList: number[] = [];
  for (let i = 0; i < nSamples; i++) {
    if (y01[i] !== y01[i]) continue;
    let ok = true;
    for (const c of covars) if (c.values[i] !== c.values[i]) ok = false;
    if (ok) idxList.push(i);
  }
  const n = idxList.length;
  if (n === 0) return { skip: NO_SAMPLE, warnings };
  const idx = Int32Array.from(idxList);
  const y = new Float64Array(n);
  let nCase = 0;
  for (let i = 0; i < n; i++) {
    y[i] = y01[idx[i]];
    nCase += y[i];
  }
  if (nCase === 0 || nCase === n)
    return { skip: `all ${n} samples used are ${nCase ? 'cases' : 'controls'}${nCase ? '' : ' (0/1-coded? plink2 reads 0 as missing; --1 reads 0 = control, 1 = case)'}`, warnings };
  const covCols = covars.map((c) => {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = c.values[idx[i]];
    return v;
  });
  const proj = buildProjection(covCols, n);
  for (const d of proj.dropped) {
    warnings.push(`covariate '${covars[d.index].name}' is ${d.reason === 'constant' ? 'constant' : 'collinear with earlier covariates'} among the ${n} samples of ${name}: dropped`);
  }
  const p = 1 + proj.kept.length;
  if (n <= p + 1) return { skip: `only ${n} samples for ${p - 1} covariates; need at least ${p + 2}`, warnings };
  const x = new Float64Array(p * n);
  x.fill(1, 0, n);
  proj.kept.forEach((c, l) => x.set(covCols[c], (l + 1) * n));
  const minClass = Math.min(nCase, n - nCase);
  if (minClass < 10 * (p + 1)) {
    warnings.push(`phenotype ${name}: ${nCase * 2 < n ? 'case' : 'control'} count (${minClass}) is less than 10x the predictor count (${p + 1}); Firth fits will be common`);
  }
  const nul = fitNull(x, p, n, y);
  if (!nul.ok) return { skip: `the covariate-only logistic and Firth fits do not converge (separated covariates?)`, warnings };
  const checks = limits && proj.r > 0 ? checksOf(idx, covars, { cols: covCols, proj }, name, limits, warnings) : undefined;
  const group: LogisticGroup = { pheno, idx, n, p, x, y, nCase, beta0: nul.beta0, firth0: nul.firth0 };
  const sep = covars.findIndex((_, c) => !proj.dropped.some((d) => d.index === c && d.reason === 'constant') && covariateSeparation(covCols[c], y, n) !== 0);
  if (sep >= 0) {
    group.alwaysFirth = true;
    warnings.push(
      `phenotype ${name}: covariate '${covars[sep].name}' is (quasi-)separated by the phenotype by plink2's test, so every variant is fitted by Firth regression, as plink2 --glm firth-fallback does (not with --no-firth)`,
    );
  }
  return { group, warnings, checks };
}

/**
 * plink2's covariate scale test (plink2_glm.cc, GlmFillAndTestCovars) over a case/control
 * phenotype's samples (y not NaN, every covariate present): the largest raw sum of squares of a
 * covariate (at least 1.5 n, a genotype column's) above 2^20 times the smallest centred one (at
 * most 0.0198 (n - 1)) makes plink2 stop ("genotype/covariate scales vary too widely ... try
 * --covar-variance-standardize"). Constant covariates are left out, as plink2 drops them first.
 */
export function unstableCovariateScale(y: Float64Array, covars: NamedColumn[]): boolean {
  const k = covars.length;
  const sum = new Float64Array(k);
  const ssq = new Float64Array(k);
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== y[i] || covars.some((c) => c.values[i] !== c.values[i])) continue;
    n++;
    for (let j = 0; j < k; j++) {
      const v = covars[j].values[i];
      sum[j] += v;
      ssq[j] += v * v;
    }
  }
  if (n < 2) return false;
  let maxSsq = 1.5 * n;
  let minCentred = 0.0198 * (n - 1);
  for (let j = 0; j < k; j++) {
    const c = ssq[j] - (sum[j] * sum[j]) / n;
    if (!(c > ssq[j] * 1e-12)) continue;
    if (ssq[j] > maxSsq) maxSsq = ssq[j];
    if (c < minCentred) minCentred = c;
  }
  return minCentred * 1048576 < maxSsq;
}

/**
 * plink2's test of a covariate for separation by a case/control phenotype (plink2_glm.cc,
 * CheckForSeparatedQtCovar), which with firth-fallback sends every variant to Firth: 0 none, 1
 * quasi, 2 complete. The samples are read in order, keeping each class's range, and the test
 * stops at 0 once a value falls inside the other class's range in the way plink2 checks it.
 * plink2 widens a class's range on one side per sample (a new minimum or else a new maximum), so
 * a class whose first value is its own minimum never widens its maximum from the start value:
 * a 0/1 covariate with one case at 1 before the cases at 0 reads as quasi-separated. That is
 * plink2's result, so it is ours (test/fixtures/degenerate, golden/rare-cc).
 */
export function covariateSeparation(v: Float64Array, y: Float64Array, n: number): 0 | 1 | 2 {
  if (n < 2) return 2;
  const BIG = Number.MAX_VALUE;
  let caseLo = BIG;
  let caseHi = -BIG;
  let ctrlLo = BIG;
  let ctrlHi = -BIG;
  if (y[0] === 1) caseLo = caseHi = v[0];
  else ctrlLo = ctrlHi = v[0];
  for (let i = 1; i < n; i++) {
    const c = v[i];
    if (y[i] === 1) {
      if (c < caseLo) {
        if (ctrlLo < caseHi && c < ctrlHi) return 0;
        caseLo = c;
      } else if (c > caseHi) {
        if (ctrlHi > caseLo && c > ctrlLo) return 0;
        caseHi = c;
      }
    } else if (c < ctrlLo) {
      if (caseLo < ctrlHi && c < caseHi) return 0;
      ctrlLo = c;
    } else if (c > ctrlHi) {
      if (caseHi > ctrlLo && c > caseLo) return 0;
      ctrlHi = c;
    }
  }
  return caseLo > ctrlHi || ctrlLo > caseHi ? 2 : 1;
}

/** The phenotype's CheckGroup: made, or shared with an earlier phenotype of the same samples (its warning repeated). */
function checksOf(idx: Int32Array, covars: NamedColumn[], pre: CovariateColumns, name: string, limits: CheckLimits, warnings: string[]): CheckGroup {
  const key = limits.shared ? Buffer.from(idx.buffer, idx.byteOffset, idx.byteLength).toString('base64') : '';
  const had = limits.shared?.get(key);
  if (had) {
    const note = covariateNote(had.gram, (l) => covars[pre.proj.kept[l]].name, idx.length, name, limits.maxCorr, limits.vif);
    if (note) warnings.push(note);
    return had;
  }
  const cg = checkGroup(idx, covars, pre, name, limits.maxCorr, limits.vif, warnings);
  limits.shared?.set(key, cg);
  return cg;
}

export interface MixedOptions {
  /** plink2's --1: 0 = control, 1 = case. */
  one: boolean;
  /** Phenotypes to treat as quantitative whatever their values. */
  quantitative: string[];
  firth: FirthMode;
  /** For messages: the phenotype file and the 1-based line of each of its rows. */
  file?: string;
  lines?: number[];
  /** The table's raw columns (table-row order), to classify with their lines. */
  raw: Float64Array[];
  /** Maps a table-order column to genotype-sample order. */
  align: (values: Float64Array) => Float64Array;
  /** plink2's --max-corr and --vif for the linear phenotypes. */
  maxCorr?: number;
  vif?: number;
}

/** A phenotype column classified and aligned to the genotype samples (NaN = missing; case/control as 0/1). */
export interface AlignedPheno {
  name: string;
  kind: 'qt' | 'cc';
  values: Float64Array;
}

/**
 * The association model of quantitative (linear, model.ts) and case/control (logistic) phenotypes
 * together; phenotype indices follow the table's column order. A phenotype that cannot be tested
 * is skipped with a warning; when none is left that is an error.
 */
export function buildMixedModel(nSamples: number, names: string[], covars: NamedColumn[], o: MixedOptions, covarFile?: string): AssocModel {
  return buildAlignedModel(nSamples, classifyPhenotypes(names, o), covars, o, covarFile);
}

/** Each phenotype classified (plink2's 1/2 rule, --1, --pheno-quantitative) and aligned to the genotype samples. */
export function classifyPhenotypes(names: string[], o: MixedOptions): AlignedPheno[] {
  for (const q of o.quantitative) if (!names.includes(q)) throw new InputError(`--pheno-quantitative names '${q}', which is not among the phenotypes tested (${names.join(', ')})`, { file: o.file });
  return names.map((name, j) => {
    const k = o.quantitative.includes(name) ? { kind: 'qt' as const, values: o.raw[j] } : classifyPhenotype(name, o.raw[j], o.lines, o.file, o.one);
    return { name, kind: k.kind, values: o.align(k.values) };
  });
}

/**
 * The model of already classified and aligned phenotypes: the same for the whole genome and, with
 * sex among the covariates, for chrX (chrx-model.ts).
 */
export function buildAlignedModel(nSamples: number, cols: AlignedPheno[], covars: NamedColumn[], o: Pick<MixedOptions, 'firth' | 'file' | 'maxCorr' | 'vif'>, covarFile?: string): AssocModel {
  const names = cols.map((c) => c.name);
  const qt: NamedColumn[] = [];
  const qtIndex: number[] = [];
  const warnings: string[] = [];
  const logistic: LogisticGroup[] = [];
  const checks: (CheckGroup | null)[] = [];
  const limits = { maxCorr: o.maxCorr ?? DEFAULT_MAX_CORR, vif: o.vif ?? DEFAULT_VIF, shared: new Map<string, CheckGroup>() };
  const ccIndex: number[] = [];
  cols.forEach((c, j) => {
    if (c.kind === 'qt') {
      qt.push({ name: c.name, values: c.values });
      qtIndex.push(j);
      return;
    }
    const b = buildLogisticGroup(j, c.name, c.values, covars, limits);
    warnings.push(...b.warnings);
    if (b.group) {
      logistic.push(b.group);
      checks.push(b.checks ?? null);
      ccIndex.push(j);
    } else warnings.push(`case/control phenotype ${c.name}: ${b.skip}: skipped`);
  });
  if (qt.length === 0 && logistic.length === 0) throw new InputError(warnings[warnings.length - 1] ?? 'no phenotype to test', { file: o.file });
  const lin: AssocModel =
    qt.length > 0
      ? buildModel(nSamples, qt, covars, covarFile, { maxCorr: o.maxCorr, vif: o.vif, phenoFile: o.file })
      : { nSamples, phenoNames: [], groups: [], phenoGroup: [], phenoSlot: [], warnings: [], phenoN: [], maxCorr: o.maxCorr ?? DEFAULT_MAX_CORR, vif: o.vif ?? DEFAULT_VIF };
  // Final order: the table's, without the skipped phenotypes.
  const order = names.map((_, j) => j).filter((j) => (qtIndex.includes(j) && lin.phenoNames.includes(names[j])) || ccIndex.includes(j));
  const pos = new Map(order.map((j, i) => [j, i]));
  const linPos = lin.phenoNames.map((n) => pos.get(names.indexOf(n))!);
  const m = order.length;
  const model: AssocModel = {
    nSamples,
    phenoNames: order.map((j) => names[j]),
    groups: lin.groups.map((g) => ({ ...g, phenos: g.phenos.map((k) => linPos[k]) })),
    phenoGroup: new Array(m).fill(-1),
    phenoSlot: new Array(m).fill(-1),
    warnings: [...lin.warnings, ...warnings],
    phenoN: new Array(m).fill(0),
    maxCorr: lin.maxCorr,
    vif: lin.vif,
    logistic: logistic.map((g) => ({ ...g, pheno: pos.get(g.pheno)! })),
    logisticChecks: checks,
    firth: o.firth,
  };
  lin.phenoNames.forEach((_, k) => {
    model.phenoGroup[linPos[k]] = lin.phenoGroup[k];
    model.phenoSlot[linPos[k]] = lin.phenoSlot[k];
    model.phenoN[linPos[k]] = lin.phenoN[k];
  });
  for (const g of model.logistic!) model.phenoN[g.pheno] = g.n;
  return model;
}
