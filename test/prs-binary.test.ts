// prs on a case/control target: logistic fits against a plain reference implementation written
// here (Newton-Raphson with a Gauss-Jordan inverse), Nagelkerke R2 as PRSice-2 defines it, and the
// liability-scale R2 of Lee et al. (2012) against values computed with python3/scipy.
import t from 'tap';
import * as path from 'node:path';
import { BinaryScoreModel, liabilityR2, nagelkerke } from '../src/prs/regress-binary.js';
import { runAssoc } from '../src/pipeline/assoc-run.js';
import { runPrs } from '../src/prs/run.js';
import { parseThresholds } from '../src/commands/prs.js';
import { mulberry32 as rng } from '../src/sim/random.js';
import { baseConfig } from './lib/assoc-config.js';
import { fixture, readTable, tmpDir } from './lib/helpers.js';

/** Reference logistic fit: rows of predictors (first = 1), y 0/1. */
function refLogistic(X: number[][], y: number[]) {
  const k = X[0].length;
  let b = new Array(k).fill(0);
  let inv: number[][] = [];
  for (let it = 0; it < 100; it++) {
    const p = X.map((r) => 1 / (1 + Math.exp(-r.reduce((s, v, j) => s + v * b[j], 0))));
    const H = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, c) => X.reduce((s, r, i) => s + r[a] * r[c] * p[i] * (1 - p[i]), 0)));
    const g = Array.from({ length: k }, (_, a) => X.reduce((s, r, i) => s + r[a] * (y[i] - p[i]), 0));
    const m = H.map((r, i) => [...r, ...Array.from({ length: k }, (_, j) => (i === j ? 1 : 0))]);
    for (let c = 0; c < k; c++) {
      let q = c;
      for (let r = c + 1; r < k; r++) if (Math.abs(m[r][c]) > Math.abs(m[q][c])) q = r;
      [m[c], m[q]] = [m[q], m[c]];
      const pv = m[c][c];
      for (let j = 0; j < 2 * k; j++) m[c][j] /= pv;
      for (let r = 0; r < k; r++)
        if (r !== c) {
          const f = m[r][c];
          for (let j = 0; j < 2 * k; j++) m[r][j] -= f * m[c][j];
        }
    }
    inv = m.map((r) => r.slice(k));
    const step = inv.map((r) => r.reduce((s, v, j) => s + v * g[j], 0));
    b = b.map((v, j) => v + step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-13) break;
  }
  const ll = X.reduce((s, r, i) => {
    const e = r.reduce((a, v, j) => a + v * b[j], 0);
    return s + y[i] * e - Math.log1p(Math.exp(e));
  }, 0);
  return { b, se: inv.map((r, j) => Math.sqrt(r[j])), ll };
}

const close = (a: number, b: number, tol = 1e-7) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

t.test('BinaryScoreModel equals a plain logistic fit: BETA, SE, P, Nagelkerke R2', async (t) => {
  const r = rng(17);
  const n = 300;
  const age = Array.from({ length: n }, () => 20 + 50 * r());
  const sex = Array.from({ length: n }, () => (r() < 0.5 ? 1 : 2));
  const score = Array.from({ length: n }, () => r() * 2 - 1);
  const y: number[] = score.map((s, i) => (r() < 1 / (1 + Math.exp(-(-1 + 0.8 * s + 0.01 * (age[i] - 45)))) ? 1 : 0));
  const m = new BinaryScoreModel(Float64Array.from(y), [Float64Array.from(age), Float64Array.from(sex)], 0.1);
  const fit = m.fit(Float64Array.from(score));
  const full = refLogistic(
    y.map((_, i) => [1, age[i], sex[i], score[i]]),
    y,
  );
  const nul = refLogistic(
    y.map((_, i) => [1, age[i], sex[i]]),
    y,
  );
  const cases = y.reduce((a, b) => a + b, 0);
  const ll0 = cases * Math.log(cases / n) + (n - cases) * Math.log(1 - cases / n);
  const nk = (ll: number, l0: number) => (1 - Math.exp((2 * (l0 - ll)) / n)) / (1 - Math.exp((2 * l0) / n));
  t.ok(close(fit.beta, full.b[3]), `BETA ${fit.beta} vs ${full.b[3]}`);
  t.ok(close(fit.se, full.se[3]), `SE ${fit.se} vs ${full.se[3]}`);
  const z = full.b[3] / full.se[3];
  t.ok(close(fit.t, z), 'Z');
  t.ok(close(fit.r2, nk(full.ll, ll0) - nk(nul.ll, ll0)), `R2 (Nagelkerke, full - null) ${fit.r2}`);
  t.ok(close(fit.partialR2, nk(full.ll, nul.ll)), 'PARTIAL_R2 (Nagelkerke of full over null)');
  t.ok(fit.r2 > 0.02 && fit.logp < Math.log(0.01), 'the planted score is found');
  t.ok(close(nagelkerke(-100, -100, 50), 0), 'Nagelkerke of a model against itself is 0');
});

t.test('liability-scale R2 (Lee et al. 2012) equals python3/scipy', async (t) => {
  // python3: t = norm.isf(K); z = norm.pdf(t); m = z/K; C = K(1-K)/z^2 * K(1-K)/(P(1-P));
  // theta = m(P-K)/(1-K) * (m(P-K)/(1-K) - t); r2o C / (1 + r2o theta C)
  t.ok(close(liabilityR2(0.05, 0.1, 0.5), 0.05370302120300116, 1e-10), 'K 0.1, P 0.5');
  t.ok(close(liabilityR2(0.02, 0.01, 0.3), 0.013352376580041925, 1e-10), 'K 0.01, P 0.3');
  t.ok(close(liabilityR2(0.03, 0.2, 0.2), 0.06124114607656886, 1e-10), 'P = K: the plain transformation');
});

t.test('prs with a case/control target: logistic statistics of the written scores', async (t) => {
  const L = (f: string) => fixture('logistic', f);
  const dir = tmpDir('prsbin');
  const a = baseConfig({ gen: [], bgen: [L('cc.bgen')], sample: L('cc.sample'), pheno: L('cc.pheno'), covar: L('cc.covar'), phenoNames: ['bal'], out: path.join(dir, 'base') });
  await runAssoc(a);
  const s = await runPrs({
    base: `${a.out}.bal.tsv`,
    targets: [L('cc.bgen')],
    format: 'bgen',
    sample: L('cc.sample'),
    pheno: L('cc.pheno'),
    phenoName: 'bal',
    covar: L('cc.covar'),
    covarNames: [],
    thresholds: parseThresholds('0.05,0.5'),
    clumpR2: 0.2,
    clumpKb: 250,
    clumpP: 1,
    ldMethod: 'plink1.9',
    keepAmbiguous: false,
    prevalence: 0.1,
    out: path.join(dir, 'prs'),
    digits: 10,
    memoryMB: 64,
    log: () => {},
  });
  t.ok(s.binary, 'case/control target detected');
  const sum = readTable(path.join(dir, 'prs.summary.tsv'));
  t.same(sum.header, ['THRESHOLD', 'N_SNP', 'R2', 'PARTIAL_R2', 'P', 'BETA', 'SE', 'LIABILITY_R2']);
  const scores = readTable(path.join(dir, 'prs.scores.tsv'));
  const ph = readTable(L('cc.pheno'));
  const cv = readTable(L('cc.covar'));
  const yOf = new Map(ph.rows.map((r) => [r[0], r[1] === '2' ? 1 : r[1] === '1' ? 0 : NaN]));
  const cOf = new Map(cv.rows.map((r) => [r[0], r.slice(1).map(Number)]));
  const X: number[][] = [];
  const y: number[] = [];
  for (const r of scores.rows) {
    const v = yOf.get(r[1])!;
    if (Number.isNaN(v)) continue;
    X.push([1, ...cOf.get(r[1])!, Number(r[3])]);
    y.push(v);
  }
  const ref = refLogistic(X, y);
  const row = sum.rows[1];
  t.ok(close(Number(row[5]), ref.b[4], 1e-6), `BETA of the 0.5 score ${row[5]} vs ${ref.b[4]}`);
  t.ok(close(Number(row[6]), ref.se[4], 1e-6), 'SE');
  t.ok(Number(row[7]) > 0, 'LIABILITY_R2 reported');
});
