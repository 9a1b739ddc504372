// plink2's per-variant CORR_TOO_HIGH / VIF_TOO_HIGH / VIF_INFINITE checks on logistic and Firth
// rows (issue 17), against the plink2 goldens of test/fixtures/logistic-vif (make-fixture.sh):
// covariates made from some variants' dosages (one nearly equal, one in a near-exact combination,
// one constant among a variant's present samples, two equal to a variant's dosage over its present
// samples only), a ~30%-case and a 12-case phenotype; --max-corr, --vif and --glm firth.
import t from 'tap';
import { runAssoc } from '../src/pipeline/assoc-run.js';
import type { FirthMode } from '../src/stats/logistic.js';
import { baseConfig } from './lib/assoc-config.js';
import { fixture, readTable } from './lib/helpers.js';
import { compareLogistic, rowsOfTable } from './lib/logistic-compare.js';

const V = (f: string) => fixture('logistic-vif', f);
const cfg = (over = {}) => baseConfig({ gen: [], bgen: [V('vif.bgen')], sample: V('vif.sample'), pheno: V('vif.pheno'), covar: V('vif.covar'), threads: 1, ...over });
const CHECKS = ['CORR_TOO_HIGH', 'VIF_INFINITE', 'VIF_TOO_HIGH'];

/** plink2's ERRCODE of every row whose code is one of the checks', by ID. */
function checkCodes(file: string): Record<string, string> {
  const tb = readTable(file);
  const c = (n: string) => tb.header.indexOf(n);
  const out: Record<string, string> = {};
  for (const r of tb.rows) if (CHECKS.includes(r[c('ERRCODE')])) out[r[c('ID')]] = r[c('ERRCODE')];
  return out;
}

/** The counts of the check codes among the values of codes. */
function counts(codes: Record<string, string>): Record<string, number> {
  const n: Record<string, number> = {};
  for (const v of Object.values(codes)) n[v] = (n[v] ?? 0) + 1;
  return n;
}

const RUNS: { name: string; phenos: string[]; golden: string; firth?: FirthMode; maxCorr?: number; vif?: number; want: Record<string, string> }[] = [
  { name: 'firth-fallback', phenos: ['cc', 'few'], golden: 'ff', want: { snp0: 'VIF_INFINITE', snp5: 'CORR_TOO_HIGH', snp6: 'CORR_TOO_HIGH', snp8: 'VIF_TOO_HIGH', snp46: 'CORR_TOO_HIGH' } },
  {
    name: '--max-corr 0.9 --vif 1000',
    phenos: ['cc', 'few'],
    golden: 'mc',
    maxCorr: 0.9,
    vif: 1000,
    want: { snp0: 'VIF_INFINITE', snp5: 'CORR_TOO_HIGH', snp6: 'CORR_TOO_HIGH', snp10: 'CORR_TOO_HIGH', snp46: 'CORR_TOO_HIGH' },
  },
  {
    name: '--vif 5',
    phenos: ['cc'],
    golden: 'vif5',
    vif: 5,
    want: { snp0: 'VIF_INFINITE', snp5: 'CORR_TOO_HIGH', snp6: 'CORR_TOO_HIGH', snp8: 'VIF_TOO_HIGH', snp10: 'VIF_TOO_HIGH', snp46: 'CORR_TOO_HIGH' },
  },
  {
    name: '--glm firth',
    phenos: ['few'],
    golden: 'firth',
    firth: 'always',
    want: { snp0: 'VIF_INFINITE', snp5: 'CORR_TOO_HIGH', snp6: 'CORR_TOO_HIGH', snp8: 'VIF_TOO_HIGH', snp46: 'CORR_TOO_HIGH' },
  },
];

// plink2's stale sample padding (decision 0220) moves cc's snp7 SE by 3% (firth-fallback) and few's
// snp11 by 4% (--glm firth) in its runs over all variants; plink2 on that variant alone
// (golden/snp7, golden/snp11) prints dosageflow's row within its float noise (1e-4; docs/logistic.md).
const PADDING: { snp: string; pos: number; pheno: string; firth?: FirthMode; golden: string }[] = [
  { snp: 'snp7', pos: 7, pheno: 'cc', golden: 'golden/snp7.cc.glm.logistic.hybrid' },
  { snp: 'snp11', pos: 11, pheno: 'few', firth: 'always', golden: 'golden/snp11.few.glm.firth' },
];
const padded = (p: string, firth: FirthMode | undefined, problem: string) => PADDING.some((x) => x.pheno === p && x.firth === firth && problem.startsWith(`${x.snp}: `));

const goldenFile = (golden: string, p: string, firth?: FirthMode) => V(`golden/${golden}.${p}.glm.${firth === 'always' ? 'firth' : 'logistic.hybrid'}`);

for (const run of RUNS) {
  t.test(`logistic rows: plink2's CORR/VIF checks (${run.name}) give its ERRCODE, every other row equals plink2`, async (t) => {
    const over = { phenoNames: run.phenos, firth: run.firth, maxCorr: run.maxCorr, vif: run.vif };
    const a = cfg(over);
    const s = await runAssoc(a);
    const p2 = cfg({ ...over, format: 'plink2' });
    await runAssoc(p2);
    run.phenos.forEach((p, j) => {
      const golden = goldenFile(run.golden, p, run.firth);
      const want = checkCodes(golden);
      t.same(want, run.want, `${p}: the golden's checks are the fixture's design`);
      const ours = checkCodes(`${p2.out}.${p}.glm.${run.firth === 'always' ? 'firth' : 'logistic.hybrid'}`);
      t.same(ours, want, `${p}: the same rows NA with the same ERRCODE (--format plink2)`);
      const reasons = s.phenos[j].naReasons;
      for (const [code, n] of Object.entries(counts(want))) t.equal(reasons[code], n, `${p}: ${code} counted in the closing summary`);
      const r = compareLogistic(rowsOfTable(`${a.out}.${p}.tsv`), golden, run.firth !== 'always');
      t.equal(r.compared, 60, `${p}: every variant`);
      t.same(
        r.problems.filter((x) => !padded(p, run.firth, x)),
        [],
        `${p}: N, BETA, SE, Z, FIRTH (and NA) agree with plink2`,
      );
    });
  });
}

t.test("plink2's padding: on the variant alone it prints our row (within 1e-4; the whole run is 3-4% off)", async (t) => {
  for (const x of PADDING) {
    const a = cfg({ phenoNames: [x.pheno], firth: x.firth });
    await runAssoc(a);
    const o = rowsOfTable(`${a.out}.${x.pheno}.tsv`).get(`1:${x.pos}`)!;
    const g = readTable(V(x.golden));
    const c = (n: string) => g.header.indexOf(n);
    const r = g.rows[0];
    const flip = o.a1 === r[c('A1')] ? 1 : -1;
    for (const [nm, v] of [
      ['BETA', flip * o.beta],
      ['SE', o.se],
      ['Z_STAT', flip * o.z],
      ['P', o.p],
    ] as const)
      t.ok(Math.abs(v - Number(r[c(nm)])) <= 1e-4 * Math.abs(v), `${x.snp} ${nm} ${v} vs plink2 ${r[c(nm)]}`);
  }
});

/** The checks from their definition: the correlation matrix of [d, covariates] over the samples with a dosage. */
function reference(d: Float64Array, covs: Float64Array[], maxCorr: number, vif: number): string {
  const rows: number[] = [];
  for (let i = 0; i < d.length; i++) if (d[i] === d[i]) rows.push(i);
  const cols = [d, ...covs].map((c) => rows.map((i) => c[i]));
  const k = cols.length;
  const cen = cols.map((c) => {
    const m = c.reduce((a, b) => a + b, 0) / c.length;
    return c.map((x) => x - m);
  });
  const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
  const R = cen.map((a) => cen.map((b) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b))));
  for (let i = 1; i < k; i++) for (let j = 0; j < i; j++) if (Math.abs(R[i][j]) > maxCorr) return 'CORR_TOO_HIGH';
  // Gauss-Jordan inverse; a pivot below 1e-12 (or NaN: a constant column) is singular.
  const A = R.map((row, i) => [...row, ...R.map((_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < k; c++) {
    const p = A[c][c];
    if (!(p > 1e-12)) return 'VIF_INFINITE';
    for (let j = 0; j < 2 * k; j++) A[c][j] /= p;
    for (let i = 0; i < k; i++) {
      if (i === c) continue;
      const f = A[i][c];
      for (let j = 0; j < 2 * k; j++) A[i][j] -= f * A[c][j];
    }
  }
  for (let i = 0; i < k; i++) if (A[i][k + i] > vif) return 'VIF_TOO_HIGH';
  return '';
}

t.test('the checks equal their definition on 800 variants, most missing their own samples (the factor cache probed off)', async (t) => {
  const { buildLogisticGroup } = await import('../src/stats/logistic-model.js');
  const { CovariateCheck } = await import('../src/stats/covariate-check.js');
  const { NA_REASONS } = await import('../src/stats/gram.js');
  const { mulberry32 } = await import('../src/sim/random.js');
  const rnd = mulberry32(1717);
  const n = 240;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const c1 = Float64Array.from({ length: n }, () => 30 + 40 * rnd());
  const c2 = Float64Array.from({ length: n }, gauss);
  const c3 = Float64Array.from({ length: n }, (_, i) => (i % 48 === 5 ? 1 : 0));
  const covs = [c1, c2, c3];
  const y = Float64Array.from({ length: n }, () => (rnd() < 0.3 ? 1 : 0));
  const b = buildLogisticGroup(
    0,
    'y',
    y,
    covs.map((values, j) => ({ name: `c${j + 1}`, values })),
    { maxCorr: 0.999, vif: 50 },
  );
  const g = b.group!;
  const cg = b.checks!;
  const shared = new CovariateCheck(cg.r, 0.999, 50);
  const want: Record<string, number> = {};
  let mismatches = 0;
  for (let v = 0; v < 800; v++) {
    const kind = v % 5;
    const d = Float64Array.from({ length: n }, (_, i) => {
      const z = (c1[i] - 50) / 12;
      if (kind === 1) return z + 0.001 * gauss(); // corr ~0.999999 with c1: CORR_TOO_HIGH
      if (kind === 2) return z + c2[i] + 0.05 * gauss(); // VIF ~800 with no corr > 0.75: VIF_TOO_HIGH
      return (rnd() < 0.3 ? 1 : 0) + (rnd() < 0.3 ? 1 : 0);
    });
    // Each variant misses its own 3-7 samples (half of kind 0 none: checkFull); kind 3 also every
    // sample where c3 is 1 (c3 constant over S).
    const nm = kind === 0 && v % 10 === 0 ? 0 : 3 + (v % 7);
    for (let q = 0; q < nm; q++) d[Math.floor(rnd() * n)] = NaN;
    if (kind === 3) for (let i = 0; i < n; i++) if (c3[i] === 1) d[i] = NaN;
    // X'g over the samples with a dosage, as the logistic kernel hands it over.
    const miss: number[] = [];
    let sum = 0;
    let ss = 0;
    const xg = new Float64Array(2 + covs.length);
    for (let i = 0; i < n; i++) {
      const x = d[i];
      if (x !== x) {
        miss.push(i);
        continue;
      }
      sum += x;
      ss += x * x;
      xg[1] += x;
      covs.forEach((c, j) => (xg[2 + j] += c[i] * x));
    }
    xg[0] = ss;
    const ns = n - miss.length;
    const vs = { xg, miss: Int32Array.from(miss), nMiss: miss.length, sum, css: ss - (sum * sum) / ns };
    const ours = NA_REASONS[shared.run(cg, vs)];
    const fresh = NA_REASONS[new CovariateCheck(cg.r, 0.999, 50).run(cg, vs)];
    const ref = reference(d, covs, 0.999, 50);
    want[ref || 'pass'] = (want[ref || 'pass'] ?? 0) + 1;
    if (ours !== ref || fresh !== ref) mismatches++;
  }
  t.equal(g.n, n);
  t.equal(mismatches, 0, 'the shared checker (cache probed off after 512), a fresh one and the definition agree');
  t.ok(want.CORR_TOO_HIGH >= 150 && want.VIF_TOO_HIGH >= 150 && want.VIF_INFINITE >= 150 && want.pass >= 300, `every outcome occurs: ${JSON.stringify(want)}`);
});

t.test("two covariates correlated above --max-corr among a phenotype's samples: a warning, every logistic row NA (CORR_TOO_HIGH)", async (t) => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { tmpDir } = await import('./lib/helpers.js');
  const dir = tmpDir('vifcov');
  const lines = fs.readFileSync(V('vif.covar'), 'utf8').trim().split('\n');
  // near2 = near + 1e-4 x (row parity): correlation ~1 - 1e-8 with near.
  const covar = path.join(dir, 'dup.covar');
  fs.writeFileSync(covar, `${lines.map((l, i) => (i === 0 ? `${l}\tnear2` : `${l}\t${(Number(l.split('\t')[3]) + (i % 2) * 1e-4).toFixed(6)}`)).join('\n')}\n`);
  // ccb: cc's samples (the same NAs), other values: a phenotype sharing cc's covariate checks.
  const pheno = path.join(dir, 'two.pheno');
  const pl = fs.readFileSync(V('vif.pheno'), 'utf8').trim().split('\n');
  fs.writeFileSync(pheno, `${pl.map((l, i) => (i === 0 ? `${l}\tccb` : `${l}\t${l.split('\t')[1] === 'NA' ? 'NA' : i % 3 === 0 ? 2 : 1}`)).join('\n')}\n`);
  const s = await runAssoc(cfg({ pheno, phenoNames: ['cc', 'ccb'], covar, covarNames: ['age', 'pc1', 'near', 'near2'] }));
  for (const [j, p] of ['cc', 'ccb'].entries()) {
    t.same(s.phenos[j].naReasons, { CORR_TOO_HIGH: 60 }, `${p}: all 60 rows NA, counted`);
    t.ok(
      s.warnings.some((w) => new RegExp(`covariates 'near' and 'near2' correlate at .* samples of ${p} .*every row is NA \\(CORR_TOO_HIGH\\)`).test(w)),
      `${p}: the warning names the two covariates`,
    );
  }
  const r = await runAssoc(cfg({ pheno, phenoNames: ['cc', 'ccb'] }));
  t.same([r.phenos[0].naReasons, r.phenos[1].naReasons], [counts(RUNS[0].want), counts(RUNS[0].want)], 'two phenotypes of the same samples (one CheckGroup): the same checks');
});
