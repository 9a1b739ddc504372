// The simulated individuals and their non-genetic data: IDs, sex, age, ancestry (a two-population
// admixture fraction that also shapes the genotypes), ten principal components (PC1 tracks
// ancestry), and, once the causal genotypes are known, the two quantitative phenotypes:
//   response      ~ percent change in a depression rating (about -30 +- 25), ~2% coded -9 (missing)
//   dissociation  ~ a dissociation-scale change score, ~40% NA (missing)
// Each phenotype = covariate effects + planted causal variants + Gaussian noise. Causal effects
// are sized from a target p-value (-log10 p uniform on [6, 12]) at the phenotype's sample count:
// the variant's partial R^2 is t^2/(t^2 + df) for the t giving that p with df = n - 14 (intercept,
// dosage, age, sex, 10 PCs), with the sum over a phenotype's variants capped at 0.8.
import { logPStudentT2 } from '../stats/distributions.js';
import { Rng, STREAM } from './random.js';

export const N_PCS = 10;
export const PHENOTYPES = ['response', 'dissociation'] as const;
export type PhenotypeName = (typeof PHENOTYPES)[number];

export interface Cohort {
  n: number;
  fid: string[];
  iid: string[];
  /** 1 = male, 2 = female. */
  sex: Uint8Array;
  age: Float64Array;
  /** Probability that a haplotype comes from population 1. */
  ancestry: Float64Array;
  /** pcs[j][i]: PC(j+1) of sample i. */
  pcs: Float64Array[];
}

export function makeCohort(n: number, seed: number): Cohort {
  const rng = new Rng(seed, STREAM.samples);
  const width = Math.max(4, String(n).length);
  const fid: string[] = [];
  const iid: string[] = [];
  const sex = new Uint8Array(n);
  const age = new Float64Array(n);
  const ancestry = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const num = String(i + 1).padStart(width, '0');
    fid.push(`FAM${num}`);
    iid.push(`ID${num}`);
    sex[i] = rng.float() < 0.55 ? 2 : 1;
    age[i] = Math.round(Math.min(75, Math.max(18, 45 + 13 * rng.normal())));
    // Most samples from population 1, a minority admixed / from population 2.
    const a = rng.float() < 0.88 ? 0.9 + 0.06 * rng.normal() : 0.35 + 0.2 * rng.normal();
    ancestry[i] = Math.min(1, Math.max(0, a));
  }
  const pcs: Float64Array[] = [];
  for (let j = 0; j < N_PCS; j++) {
    const pc = new Float64Array(n);
    for (let i = 0; i < n; i++) pc[i] = j === 0 ? 4 * ancestry[i] + 0.4 * rng.normal() : rng.normal();
    // Centre and scale to unit length, like eigenvectors.
    let m = 0;
    for (let i = 0; i < n; i++) m += pc[i];
    m /= n || 1;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      pc[i] -= m;
      ss += pc[i] * pc[i];
    }
    const f = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let i = 0; i < n; i++) pc[i] *= f * (j === 0 ? -1 : 1);
    pcs.push(pc);
  }
  return { n, fid, iid, sex, age, ancestry, pcs };
}

/** A planted causal variant as captured while streaming genotypes. */
export interface CausalVariant {
  pheno: PhenotypeName;
  index: number;
  chr: string;
  rsid: string;
  snpid: string;
  pos: number;
  a: string;
  b: string;
  /** True B-allele counts (what the phenotype is built from). */
  bCount: Uint8Array;
}

export interface TruthRow {
  pheno: PhenotypeName;
  chr: string;
  snp: string;
  bp: number;
  /** The allele the effect is per copy of (the second .gen allele, B). */
  a1: string;
  a2: string;
  beta: number;
  a1Freq: number;
  /** Partial R^2 the variant was sized to explain. */
  varExplained: number;
  /** p-value the effect was sized for (before sampling noise and imputation blur). */
  expectedP: number;
}

export interface Phenotypes {
  /** values[k][i]; NaN = missing. */
  values: Float64Array[];
  /** The planted causal variants with their effects. */
  truth: TruthRow[];
}

const N_COVARIATE_TERMS = 2 + N_PCS; // age, sex, PCs

/** t whose two-sided Student p-value (df) is 10^-nlp, by bisection. */
export function tForNegLog10P(nlp: number, df: number): number {
  const target = -nlp * Math.LN10;
  let lo = 0;
  let hi = 1;
  while (logPStudentT2(hi, df) > target && hi < 1e6) hi *= 2;
  for (let k = 0; k < 100; k++) {
    const mid = (lo + hi) / 2;
    if (logPStudentT2(mid, df) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Choose which samples miss each phenotype. Returns masks (1 = present).
 * response: ~2% missing (coded -9); dissociation: 40% missing (NA).
 */
function missingness(n: number, rng: Rng): Uint8Array[] {
  const masks: Uint8Array[] = [];
  const counts = [n >= 20 ? Math.max(1, Math.round(0.02 * n)) : 0, Math.round(0.4 * n)];
  for (const c of counts) {
    const m = new Uint8Array(n).fill(1);
    const order = Array.from({ length: n }, (_, i) => i);
    rng.shuffle(order);
    for (let k = 0; k < c; k++) m[order[k]] = 0;
    masks.push(m);
  }
  return masks;
}

interface PhenoSpec {
  mu: number;
  sigma: number;
  age: number;
  female: number;
  pc1: number;
}

const SPECS: Record<PhenotypeName, PhenoSpec> = {
  response: { mu: -32, sigma: 22, age: 0.15, female: -3.5, pc1: 25 },
  dissociation: { mu: 11, sigma: 8, age: -0.06, female: 1.2, pc1: -6 },
};

/** Build both phenotypes from the cohort and the captured causal genotypes. */
export function makePhenotypes(cohort: Cohort, causal: CausalVariant[], seed: number): Phenotypes {
  const n = cohort.n;
  const rng = new Rng(seed, STREAM.phenotypes);
  const masks = missingness(n, rng);
  const values: Float64Array[] = [];
  const truth: TruthRow[] = [];
  PHENOTYPES.forEach((name, k) => {
    const spec = SPECS[name];
    const mask = masks[k];
    let nEff = 0;
    for (let i = 0; i < n; i++) nEff += mask[i];
    const df = nEff - 2 - N_COVARIATE_TERMS;
    const mine = causal.filter((c) => c.pheno === name);
    // Target partial R^2 per variant from the target p-value.
    const targetsNlp = mine.map(() => rng.uniform(6, 12));
    let c = targetsNlp.map((nlp) => {
      if (df < 3) return 0.1;
      const t = tForNegLog10P(nlp, df);
      return (t * t) / (t * t + df);
    });
    const C = c.reduce((a, b) => a + b, 0);
    if (C > 0.8) c = c.map((x) => (x * 0.8) / C);
    const Csum = c.reduce((a, b) => a + b, 0);
    const H = Csum / (1 - Csum);
    const genetic = new Float64Array(n);
    mine.forEach((cv, j) => {
      let s = 0;
      let ss = 0;
      for (let i = 0; i < n; i++) {
        if (!mask[i]) continue;
        s += cv.bCount[i];
        ss += cv.bCount[i] * cv.bCount[i];
      }
      const mean = nEff ? s / nEff : 0;
      const variance = nEff ? ss / nEff - mean * mean : 0;
      const h = c[j] * (1 + H);
      const sign = rng.float() < 0.5 ? -1 : 1;
      const b = variance > 1e-12 ? sign * Math.sqrt(h / variance) : 0;
      for (let i = 0; i < n; i++) genetic[i] += b * (cv.bCount[i] - mean);
      let expectedP = NaN;
      if (df >= 3 && c[j] > 0 && c[j] < 1) {
        const t = Math.sqrt((c[j] * df) / (1 - c[j]));
        expectedP = Math.exp(logPStudentT2(t, df));
      }
      truth.push({
        pheno: name,
        chr: cv.chr,
        snp: cv.rsid,
        bp: cv.pos,
        a1: cv.b,
        a2: cv.a,
        beta: b * spec.sigma,
        a1Freq: nEff ? mean / 2 : NaN,
        varExplained: b === 0 ? 0 : c[j],
        expectedP: b === 0 ? NaN : expectedP,
      });
    });
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const e = rng.normal();
      if (!mask[i]) {
        y[i] = NaN;
        continue;
      }
      let v =
        spec.mu +
        spec.age * (cohort.age[i] - 45) +
        (cohort.sex[i] === 2 ? spec.female : 0) +
        spec.pc1 * cohort.pcs[0][i] +
        spec.sigma * (genetic[i] + e);
      // Keep real values clear of the -9 missing code.
      if (Math.abs(v + 9) < 0.0005) v += 0.001;
      y[i] = v;
    }
    values.push(y);
  });
  return { values, truth };
}

// ---- Text tables ----

function fmtFixed(x: number, d: number): string {
  const s = x.toFixed(d);
  return s === '-0' || /^-0\.0+$/.test(s) ? s.slice(1) : s;
}

/** Oxford .sample: header, type line, then FID IID missing sex. */
export function sampleFileText(c: Cohort): string {
  const lines = ['ID_1 ID_2 missing sex', '0 0 0 D'];
  for (let i = 0; i < c.n; i++) lines.push(`${c.fid[i]} ${c.iid[i]} 0 ${c.sex[i]}`);
  return lines.join('\n') + '\n';
}

/** FID IID response dissociation (tab-separated; -9 and NA mark missing values). */
export function phenoFileText(c: Cohort, p: Phenotypes): string {
  const lines = ['FID\tIID\t' + PHENOTYPES.join('\t')];
  for (let i = 0; i < c.n; i++) {
    const r = p.values[0][i];
    const d = p.values[1][i];
    lines.push(`${c.fid[i]}\t${c.iid[i]}\t${Number.isNaN(r) ? '-9' : fmtFixed(r, 3)}\t${Number.isNaN(d) ? 'NA' : fmtFixed(d, 3)}`);
  }
  return lines.join('\n') + '\n';
}

/** FID IID age sex PC1..PC10 (tab-separated). */
export function covarFileText(c: Cohort): string {
  const head = ['FID', 'IID', 'age', 'sex'];
  for (let j = 1; j <= N_PCS; j++) head.push(`PC${j}`);
  const lines = [head.join('\t')];
  for (let i = 0; i < c.n; i++) {
    const row = [c.fid[i], c.iid[i], String(c.age[i]), String(c.sex[i])];
    for (let j = 0; j < N_PCS; j++) row.push(fmtFixed(c.pcs[j][i], 7));
    lines.push(row.join('\t'));
  }
  return lines.join('\n') + '\n';
}

function fmtG(x: number, digits = 6): string {
  if (!Number.isFinite(x)) return 'NA';
  return String(Number(x.toPrecision(digits)));
}

/** PHENO CHR SNP BP A1 A2 BETA A1_FREQ VAR_EXPLAINED EXPECTED_P (tab-separated). */
export function truthFileText(rows: TruthRow[]): string {
  const lines = ['PHENO\tCHR\tSNP\tBP\tA1\tA2\tBETA\tA1_FREQ\tVAR_EXPLAINED\tEXPECTED_P'];
  for (const r of rows) {
    lines.push(
      [r.pheno, r.chr, r.snp, r.bp, r.a1, r.a2, fmtG(r.beta), fmtG(r.a1Freq), fmtG(r.varExplained), fmtG(r.expectedP, 4)].join('\t'),
    );
  }
  return lines.join('\n') + '\n';
}
