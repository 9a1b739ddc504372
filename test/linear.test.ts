// The regression kernel against a brute-force least-squares fit (normal equations, Gauss-Jordan),
// on every path: no missing dosage, a few and many missing (the Gram downdate; the present rows
// summed when more than half are missing), and a subset on which a covariate becomes constant
// (NA, VIF_INFINITE, as plink2).
import t from 'tap';
import { LinearKernel, newGroupResult } from '../src/stats/linear.js';
import { buildModel } from '../src/stats/model.js';
import { NA_REASONS } from '../src/stats/gram.js';
import { logPStudentT2 } from '../src/stats/distributions.js';
import { mulberry32 as rng } from '../src/sim/random.js';

/** OLS of y on [1, d, covs] over rows where all are present; returns beta, se, logp of d. */
function bruteForce(y: number[], d: number[], covs: number[][]) {
  const rows: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(y[i]) || Number.isNaN(d[i]) || covs.some((c) => Number.isNaN(c[i]))) continue;
    rows.push([1, d[i], ...covs.map((c) => c[i])]);
    ys.push(y[i]);
  }
  const n = rows.length;
  const k = rows[0].length;
  const xtx = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => rows.reduce((s, r) => s + r[a] * r[b], 0)));
  const xty = Array.from({ length: k }, (_, a) => rows.reduce((s, r, i) => s + r[a] * ys[i], 0));
  // Gauss-Jordan inverse.
  const inv = xtx.map((r, i) => [...r, ...Array.from({ length: k }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(inv[r][c]) > Math.abs(inv[p][c])) p = r;
    [inv[c], inv[p]] = [inv[p], inv[c]];
    const pv = inv[c][c];
    for (let j = 0; j < 2 * k; j++) inv[c][j] /= pv;
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = inv[r][c];
      for (let j = 0; j < 2 * k; j++) inv[r][j] -= f * inv[c][j];
    }
  }
  const xinv = inv.map((r) => r.slice(k));
  const b = xinv.map((r) => r.reduce((s, v, j) => s + v * xty[j], 0));
  let rss = 0;
  rows.forEach((r, i) => {
    const fit = r.reduce((s, v, j) => s + v * b[j], 0);
    rss += (ys[i] - fit) ** 2;
  });
  const df = n - k;
  const se = Math.sqrt((rss / df) * xinv[1][1]);
  return { beta: b[1], se, logp: logPStudentT2(b[1] / se, df), n };
}

t.test('every path of the kernel equals a brute-force fit', async (t) => {
  const r = rng(42);
  const N = 200;
  const covs = [Array.from({ length: N }, () => 20 + 50 * r()), Array.from({ length: N }, () => (r() < 0.5 ? 1 : 2)), Array.from({ length: N }, () => r() - 0.5)];
  // A rare binary covariate: only samples 10 and 11 carry it.
  const rare = Array.from({ length: N }, (_, i) => (i === 10 || i === 11 ? 1 : 0));
  covs.push(rare);
  covs[0][3] = NaN; // a missing covariate drops sample 3 for every variant
  const y1 = Array.from({ length: N }, () => r() * 3);
  const y2 = y1.map((v, i) => (i % 3 === 0 ? NaN : v * 0.5 + r()));
  const model = buildModel(
    N,
    [
      { name: 'y1', values: Float64Array.from(y1) },
      { name: 'y2', values: Float64Array.from(y2) },
    ],
    covs.map((c, j) => ({ name: `c${j}`, values: Float64Array.from(c) })),
  );
  const cases: [string, number[]][] = [];
  const base = () => Array.from({ length: N }, () => 2 * r() * r());
  cases.push(['no missing', base()]);
  for (const m of [1, 2, 5, 24]) {
    const d = base();
    for (let k = 0; k < m; k++) d[(k * 37 + 5) % N] = NaN;
    cases.push([`${m} missing (downdate)`, d]);
  }
  const many = base();
  for (let k = 0; k < 60; k++) many[(k * 7 + 1) % N] = NaN;
  cases.push(['60 missing', many]);
  const most = base();
  for (let k = 0; k < 150; k++) most[(k * 7 + 3) % N] = NaN;
  most[10] = 1; // the rare covariate's carriers stay
  most[11] = 0.5;
  cases.push(['150 of 200 missing (present rows summed)', most]);
  const singular = base();
  singular[10] = NaN;
  singular[11] = NaN;
  cases.push(['the rare covariate carriers missing', singular]);
  // Both the WebAssembly and the JS dot products.
  for (const wasm of [true, false]) {
    const kernel = new LinearKernel(N, 8, { wasm });
    for (const [label, d] of cases) {
      for (let gi = 0; gi < model.groups.length; gi++) {
        const gr = model.groups[gi];
        const res = newGroupResult(gr.phenos.length);
        kernel.run(Float64Array.from(d), gr, res);
        gr.phenos.forEach((pj, k) => {
          if (label.startsWith('the rare')) {
            t.ok(Number.isNaN(res.beta[k]) && NA_REASONS[res.why[k]] === 'VIF_INFINITE', `${label}: NA, VIF_INFINITE (plink2's handling): ${res.beta[k]} ${NA_REASONS[res.why[k]]}`);
            return;
          }
          const y = pj === 0 ? y1 : y2;
          // Only the covariates the model kept (the rare one is constant once 10 and 11 are gone,
          // and the brute force must then leave it out too).
          const present = d.map((v, i) => !Number.isNaN(v) && !Number.isNaN(y[i]) && !covs.some((c) => Number.isNaN(c[i])));
          const useCovs = covs.filter((c) => {
            const vals = c.filter((_, i) => present[i]);
            return vals.some((v) => v !== vals[0]);
          });
          const bf = bruteForce(y, d, useCovs);
          t.equal(res.nUsed, bf.n, `${wasm ? 'wasm' : 'JS'}, ${label}, y${pj + 1}: N`);
          t.ok(Math.abs(res.beta[k] - bf.beta) <= 1e-9 * Math.abs(bf.se) + 1e-12, `${wasm ? 'wasm' : 'JS'}, ${label}, y${pj + 1}: beta ${res.beta[k]} vs ${bf.beta}`);
          t.ok(Math.abs(res.se[k] - bf.se) <= 1e-9 * bf.se, `${wasm ? 'wasm' : 'JS'}, ${label}, y${pj + 1}: se ${res.se[k]} vs ${bf.se}`);
          t.ok(Math.abs(res.logp[k] - bf.logp) <= 1e-8 * Math.max(1, Math.abs(bf.logp)), `${wasm ? 'wasm' : 'JS'}, ${label}, y${pj + 1}: log p`);
        });
      }
    }
  }
});

t.test('constant and collinear covariates are dropped with a warning naming them', async (t) => {
  const N = 50;
  const r = rng(3);
  const a = Array.from({ length: N }, () => r());
  const model = buildModel(
    N,
    [{ name: 'y', values: Float64Array.from({ length: N }, () => r()) }],
    [
      { name: 'age', values: Float64Array.from(a) },
      { name: 'site', values: new Float64Array(N).fill(1) },
      { name: 'age2x', values: Float64Array.from(a.map((v) => 2 * v + 1)) },
    ],
  );
  t.equal(model.groups[0].r, 1);
  t.match(model.warnings.join('\n'), /covariate 'site' is constant/);
  t.match(model.warnings.join('\n'), /covariate 'age2x' is collinear with earlier covariates/);
  const res = newGroupResult(1);
  new LinearKernel(N, 3).run(
    Float64Array.from({ length: N }, () => r() * 2),
    model.groups[0],
    res,
  );
  t.ok(Number.isFinite(res.beta[0]) && Number.isFinite(res.logp[0]), 'results are numbers, not NaN');
});

t.test('19: factors reused after the missing-set cache fills equal fresh ones (two groups, different covariate counts)', async (t) => {
  const r = rng(7);
  const N = 120;
  const y1 = Array.from({ length: N }, () => r() * 3);
  const y2 = y1.map((v, i) => (i % 4 === 0 ? NaN : v * 0.5 + r()));
  // c2 varies only on samples y2 lacks: constant in y2's group, so that group keeps one covariate fewer.
  const covs = [Array.from({ length: N }, () => 20 + 50 * r()), Array.from({ length: N }, () => r() - 0.5), Array.from({ length: N }, (_, i) => (i % 4 === 0 ? r() : 1))];
  const model = buildModel(
    N,
    [
      { name: 'y1', values: Float64Array.from(y1) },
      { name: 'y2', values: Float64Array.from(y2) },
    ],
    covs.map((c, j) => ({ name: `c${j}`, values: Float64Array.from(c) })),
  );
  t.equal(model.groups.length, 2, 'two missingness groups');
  const shared = new LinearKernel(N, 8, { wasm: false });
  let compared = 0;
  let differ = 0;
  // 5,000 variants missing 1-3 samples each: more distinct sets than the cache holds (2,048), so
  // factors of cleared caches are reused, across both groups.
  for (let v = 0; v < 5000; v++) {
    const d = Array.from({ length: N }, () => 2 * r() * r());
    const m = 1 + (v % 3);
    for (let k = 0; k < m; k++) d[Math.floor(r() * N)] = NaN;
    const dose = Float64Array.from(d);
    const fresh = new LinearKernel(N, 8, { wasm: false });
    for (const gr of model.groups) {
      const a = newGroupResult(gr.phenos.length);
      const b = newGroupResult(gr.phenos.length);
      shared.run(dose, gr, a);
      fresh.run(dose, gr, b);
      for (let k = 0; k < gr.phenos.length; k++) {
        compared++;
        if (!Object.is(a.beta[k], b.beta[k]) || !Object.is(a.se[k], b.se[k]) || !Object.is(a.logp[k], b.logp[k]) || a.why[k] !== b.why[k]) differ++;
      }
    }
  }
  t.equal(differ, 0, `${compared} fits bit-identical`);
});
