// The simulated individuals and their non-genetic data: IDs, sex, age, ancestry (a two-population
// admixture fraction that also shapes the genotypes), ten principal components (PC1 tracks
// ancestry), and, once the causal genotypes are known, the two quantitative phenotypes:
//   response      ~ percent change in a depression rating (about -30 +- 25), ~2% coded -9 (missing)
//   dissociation  ~ a dissociation-scale change score, ~40% NA (missing)
// Each phenotype = covariate effects + planted causal variants + Gaussian noise. Causal effects
// are sized from a target p-value (-log10 p uniform on [6, 12]) at the phenotype's sample count:
// the variant's partial R^2 is t^2/(t^2 + df) for the t giving that p with df = n - 14 (intercept,
// dosage, age, sex, 10 PCs), with the sum over a phenotype's variants capped at 0.9.
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
  /** True B-allele counts. */
  bCount: Uint8Array;
  /** Dosage of B from the written probabilities (true count where the genotype is missing); the
   * phenotype is built from it, so the planted effect is exactly what a dosage GWAS estimates. */
  dosage: Float64Array;
}

export interface TruthRow {
  pheno: PhenotypeName;
  chr: string;
  snp: string;
  bp: number;
  /** The allele the effect is per copy of (the second .gen allele, B). */
  a1: string;
  a2: string;
  /** Effect per copy of A1 used to generate the phenotype (jointly with the other causal variants). */
  beta: number;
  /** What a dosage GWAS with the covariates estimates for this variant alone (differs from BETA by
   * the chance correlation with the phenotype's other causal variants). */
  expectedBeta: number;
  a1Freq: number;
  /** Partial R^2 the variant was sized to explain. */
  varExplained: number;
  /** p-value of the single-variant test with the covariates (exact up to dosage rounding in the file). */
  expectedP: number;
}

export interface Phenotypes {
  /** values[k][i]; NaN = missing. */
  values: Float64Array[];
  /** The planted causal variants with their effects. */
  truth: TruthRow[];
}

const N_COVARIATE_TERMS = 2 + N_PCS; // age, sex, PCs
/** Cap on the summed partial R^2 of a phenotype's causal variants. */
const MAX_TOTAL_R2 = 0.9;

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

/** Orthonormal basis over a fixed set of samples, grown by Gram-Schmidt. */
class Basis {
  readonly q: Float64Array[] = [];
  /** v minus its projection on the basis (two passes for stability). */
  residual(v: Float64Array): Float64Array {
    const r = v.slice();
    for (let pass = 0; pass < 2; pass++) {
      for (const q of this.q) {
        let dot = 0;
        for (let i = 0; i < r.length; i++) dot += r[i] * q[i];
        for (let i = 0; i < r.length; i++) r[i] -= dot * q[i];
      }
    }
    return r;
  }
  add(v: Float64Array): Float64Array {
    const r = this.residual(v);
    let ss = 0;
    for (let i = 0; i < r.length; i++) ss += r[i] * r[i];
    const norm = Math.sqrt(ss);
    if (norm > 1e-9 * Math.sqrt(r.length)) this.q.push(r.map((x) => x / norm));
    return r;
  }
}

/** Solve A x = b (small, dense) by Gaussian elimination with partial pivoting; null if singular. */
export function solveSymmetric(A: number[][], b: number[]): number[] | null {
  const k = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  const scale = Math.max(1e-300, ...A.map((row, i) => Math.abs(row[i])));
  for (let col = 0; col < k; col++) {
    let piv = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(M[r][col]) > Math.abs(M[piv][col])) piv = r;
    if (Math.abs(M[piv][col]) < 1e-10 * scale) return null;
    [M[col], M[piv]] = [M[piv], M[col]];
    for (let r = col + 1; r < k; r++) {
      const f = M[r][col] / M[col][col];
      for (let cc = col; cc <= k; cc++) M[r][cc] -= f * M[col][cc];
    }
  }
  const x = new Array<number>(k).fill(0);
  for (let r = k - 1; r >= 0; r--) {
    let sum = M[r][k];
    for (let cc = r + 1; cc < k; cc++) sum -= M[r][cc] * x[cc];
    x[r] = sum / M[r][r];
  }
  return x;
}

function sumSq(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return s;
}

/**
 * Build both phenotypes from the cohort and the captured causal dosages. Among a phenotype's
 * samples, the noise is made orthogonal to the covariates and the causal dosages and scaled to unit
 * variance, so each causal variant's partial R^2 (given the covariates) is its target up to the
 * chance correlation between causal variants, and the association p-value is close to EXPECTED_P.
 */
export function makePhenotypes(cohort: Cohort, causal: CausalVariant[], seed: number): Phenotypes {
  const n = cohort.n;
  const rng = new Rng(seed, STREAM.phenotypes);
  const masks = missingness(n, rng);
  const values: Float64Array[] = [];
  const truth: TruthRow[] = [];
  PHENOTYPES.forEach((name, k) => {
    const spec = SPECS[name];
    const mask = masks[k];
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (mask[i]) idx.push(i);
    const nEff = idx.length;
    const sub = (f: (i: number) => number) => Float64Array.from(idx, f);
    const df = nEff - 2 - N_COVARIATE_TERMS;
    const mine = causal.filter((c) => c.pheno === name);

    // Target partial R^2 per variant from the target p-value, total capped.
    const targetsNlp = mine.map(() => rng.uniform(6, 12));
    const signs = mine.map(() => (rng.float() < 0.5 ? -1 : 1));
    let c = targetsNlp.map((nlp) => {
      if (df < 3) return 0.1;
      const t = tForNegLog10P(nlp, df);
      return (t * t) / (t * t + df);
    });
    const C = c.reduce((a, b) => a + b, 0);
    if (C > MAX_TOTAL_R2) c = c.map((x) => (x * MAX_TOTAL_R2) / C);

    // Covariate basis, causal dosages residualised on it, then noise residualised on everything.
    const basis = new Basis();
    basis.add(sub(() => 1));
    basis.add(sub((i) => cohort.age[i]));
    basis.add(sub((i) => cohort.sex[i]));
    for (const pc of cohort.pcs) basis.add(sub((i) => pc[i]));
    const resid = mine.map((cv) => basis.residual(sub((i) => cv.dosage[i])));
    for (const r of resid) basis.add(r);
    const eAll = new Float64Array(n);
    for (let i = 0; i < n; i++) eAll[i] = rng.normal();
    let e = nEff ? basis.residual(sub((i) => eAll[i])) : new Float64Array(0);
    const eSS = sumSq(e);
    const eScale = eSS > 0 ? Math.sqrt(nEff / eSS) : 0;
    e = e.map((x) => x * eScale);

    // Solve for the effects jointly so that each variant's marginal association (the covariates
    // plus that one dosage, as a GWAS fits it) has exactly its target partial R^2 c_j:
    // with G the Gram matrix of the residualised dosages r_j and u_j = s_j sqrt(c_j |r_j|^2),
    // effects b = sqrt(T) G^-1 u give <r_j, y> = sqrt(T) u_j where T = |y_resid|^2 = E / (1 - u'G^-1 u).
    const K = mine.length;
    const normSq = resid.map(sumSq);
    const ok = normSq.map((x) => x > 1e-9 * Math.max(1, nEff));
    const u = mine.map((_, j) => (ok[j] ? signs[j] * Math.sqrt(c[j] * normSq[j]) : 0));
    const G: number[][] = [];
    for (let j = 0; j < K; j++) {
      G.push([]);
      for (let l = 0; l < K; l++) {
        let dot = 0;
        if (ok[j] && ok[l]) for (let t = 0; t < nEff; t++) dot += resid[j][t] * resid[l][t];
        G[j].push(j === l && !ok[j] ? 1 : dot);
      }
    }
    let w = solveSymmetric(G, u) ?? u.map((x, j) => (ok[j] ? x / normSq[j] : 0));
    let q = u.reduce((acc, x, j) => acc + x * w[j], 0);
    if (q > MAX_TOTAL_R2) {
      const f = MAX_TOTAL_R2 / q;
      c = c.map((x) => x * f);
      for (let j = 0; j < K; j++) u[j] *= Math.sqrt(f);
      w = w.map((x) => x * Math.sqrt(f));
      q = MAX_TOTAL_R2;
    }
    const T = nEff / (1 - q);
    const genetic = new Float64Array(nEff);
    mine.forEach((cv, j) => {
      const b = ok[j] ? Math.sqrt(T) * w[j] : 0;
      let mean = 0;
      let freqSum = 0;
      for (let t = 0; t < nEff; t++) {
        mean += cv.dosage[idx[t]];
        freqSum += cv.bCount[idx[t]];
      }
      mean = nEff ? mean / nEff : 0;
      for (let t = 0; t < nEff; t++) genetic[t] += b * (cv.dosage[idx[t]] - mean);
      let expectedP = NaN;
      if (ok[j] && df >= 1 && c[j] > 0 && c[j] < 1) {
        const tt = Math.sqrt((c[j] * df) / (1 - c[j]));
        expectedP = Math.exp(logPStudentT2(tt, df));
      }
      truth.push({
        pheno: name,
        chr: cv.chr,
        snp: cv.rsid,
        bp: cv.pos,
        a1: cv.b,
        a2: cv.a,
        beta: b * spec.sigma,
        expectedBeta: ok[j] ? (spec.sigma * Math.sqrt(T) * u[j]) / normSq[j] : NaN,
        a1Freq: nEff ? freqSum / (2 * nEff) : NaN,
        varExplained: ok[j] ? c[j] : 0,
        expectedP,
      });
    });

    const y = new Float64Array(n).fill(NaN);
    idx.forEach((i, t) => {
      let v = spec.mu + spec.age * (cohort.age[i] - 45) + (cohort.sex[i] === 2 ? spec.female : 0) + spec.pc1 * cohort.pcs[0][i] + spec.sigma * (genetic[t] + e[t]);
      // Keep real values clear of the -9 missing code.
      if (Math.abs(v + 9) < 0.0005) v += 0.001;
      y[i] = v;
    });
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

/** PHENO CHR SNP BP A1 A2 BETA EXPECTED_BETA A1_FREQ VAR_EXPLAINED EXPECTED_P (tab-separated). */
export function truthFileText(rows: TruthRow[]): string {
  const lines = ['PHENO\tCHR\tSNP\tBP\tA1\tA2\tBETA\tEXPECTED_BETA\tA1_FREQ\tVAR_EXPLAINED\tEXPECTED_P'];
  for (const r of rows) {
    lines.push([r.pheno, r.chr, r.snp, r.bp, r.a1, r.a2, fmtG(r.beta), fmtG(r.expectedBeta), fmtG(r.a1Freq), fmtG(r.varExplained), fmtG(r.expectedP, 4)].join('\t'));
  }
  return lines.join('\n') + '\n';
}
