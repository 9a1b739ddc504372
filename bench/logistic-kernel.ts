// Micro-benchmark of LogisticKernel.run: one variant against one case/control phenotype, on the
// issue-17 shapes: 10,000 samples with ~20% cases and 12 covariates (age, sex, 10 PCs), and 157
// samples with 10% cases. Dosages: a MAF spectrum down to 0.5% with a small true effect; 5% of
// variants with 1% missing dosages (--missing F: every variant misses a fraction F of its samples,
// as the simulated benchmark cohorts do, ~0.1%). Reports user CPU per variant (process.cpuUsage; the machine is
// shared) and how many fits used Firth.
//
//   node dist/bench/logistic-kernel.js [--variants 300]
import { buildLogisticGroup } from '../src/stats/logistic-model.js';
import { LogisticKernel, newLogisticResult } from '../src/stats/logistic.js';
import { mulberry32 as rng } from '../src/sim/random.js';

const arg = (k: string, d: number) => {
  const i = process.argv.indexOf(k);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};

const missing = arg('--missing', 0);
for (const shape of [
  { n: 10000, cases: 0.2 },
  { n: 157, cases: 0.1 },
]) {
  const r = rng(shape.n);
  const n = shape.n;
  const covs = [
    { name: 'age', values: Float64Array.from({ length: n }, () => Math.round(20 + 50 * r())) },
    { name: 'sex', values: Float64Array.from({ length: n }, () => (r() < 0.5 ? 1 : 2)) },
  ];
  for (let k = 1; k <= 10; k++) covs.push({ name: `PC${k}`, values: Float64Array.from({ length: n }, () => (r() - 0.5) * 0.1) });
  const y = Float64Array.from({ length: n }, () => (r() < shape.cases ? 1 : 0));
  const g = buildLogisticGroup(0, 'y', y, covs).group!;
  const nv = arg('--variants', shape.n > 1000 ? 200 : 3000);
  const rows: Float64Array[] = [];
  for (let v = 0; v < nv; v++) {
    const maf = 0.005 + 0.495 * r() ** 2;
    const d = Float64Array.from({ length: n }, (_, i) => (r() < maf ? 1 : 0) + (r() < maf ? 1 : 0) + (y[i] && r() < 0.02 ? 0.3 : 0));
    for (let i = 0; i < n; i++) d[i] = Math.min(2, d[i]);
    if (v % 20 === 0) for (let i = 0; i < n / 100; i++) d[(i * 97 + v) % n] = NaN;
    else if (missing > 0) for (let i = 0; i < n; i++) if (r() < missing) d[i] = NaN;
    rows.push(d);
  }
  // The group given, as the workers do (its own design slot in wasm memory).
  const k = new LogisticKernel(n, g.p, { groups: [g] });
  const res = newLogisticResult();
  let firth = 0;
  const t0 = process.cpuUsage();
  for (const d of rows) {
    k.run(d, g, res);
    if (res.firth) firth++;
  }
  const us = process.cpuUsage(t0).user / nv;
  console.log(`n=${n}, ${Math.round(shape.cases * 100)}% cases, 12 covariates: ${us.toFixed(0)} us a variant (user CPU), ${firth}/${nv} Firth`);
}
