// Micro-benchmark of LinearKernel.run on variants with missing dosages (issue 19), A/B against
// another build of the kernel: the study's shape (157 samples, 2 phenotypes, 1% missing) and the
// biobank's (10,000 samples, 2% and 50-70% missing), r = 12 covariates. User CPU per variant,
// best of several interleaved rounds (the machine is shared: compare only interleaved runs).
//
//   node dist/bench/missing.js [--base OTHER/dist] [--rounds 5] [--ms 300]
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { mulberry32 as rng } from '../src/sim/random.js';

interface Shape {
  label: string;
  n: number;
  /** Share of each variant's dosages missing: [low, high). */
  miss: [number, number];
  /** Share of variants with any missing dosage. */
  withMissing: number;
}

const SHAPES: Shape[] = [
  { label: 'n=157, 1% missing (study)', n: 157, miss: [0.01, 0.01], withMissing: 1 },
  { label: 'n=157, no missing', n: 157, miss: [0, 0], withMissing: 0 },
  { label: 'n=10000, 2% missing', n: 10000, miss: [0.02, 0.02], withMissing: 1 },
  { label: 'n=10000, half the variants 50-70% missing', n: 10000, miss: [0.5, 0.7], withMissing: 0.5 },
];

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
}

type Mods = { linear: typeof import('../src/stats/linear.js'); model: typeof import('../src/stats/model.js') };

async function load(dist: string): Promise<Mods> {
  const u = (f: string) => pathToFileURL(path.resolve(dist, 'src/stats', f)).href;
  return { linear: await import(u('linear.js')), model: await import(u('model.js')) };
}

function inputs(shape: Shape) {
  const r = rng(shape.n * 13 + 5);
  const n = shape.n;
  const covs = [
    { name: 'age', values: Float64Array.from({ length: n }, () => Math.round(20 + 50 * r())) },
    { name: 'sex', values: Float64Array.from({ length: n }, () => (r() < 0.5 ? 1 : 2)) },
  ];
  for (let k = 1; k <= 10; k++) covs.push({ name: `PC${k}`, values: Float64Array.from({ length: n }, () => (r() - 0.5) * 0.1) });
  const phenos = [0, 1].map((j) => ({ name: `y${j}`, values: Float64Array.from({ length: n }, (_, i) => (j === 1 && i % 5 === 0 ? NaN : r() * 2 - 1)) }));
  const rows: Float64Array[] = [];
  // Distinct variants (a subset cache must not hit more often than on real data): 2,000 at 157 samples.
  const count = shape.n <= 1000 ? 2000 : 40;
  for (let v = 0; v < count; v++) {
    const p = 0.05 + 0.45 * r();
    const d = Float64Array.from({ length: n }, () => (r() < p ? 1 : 0) + (r() < p ? 1 : 0));
    if (r() < shape.withMissing) {
      const share = shape.miss[0] + (shape.miss[1] - shape.miss[0]) * r();
      for (let i = 0; i < n; i++) if (r() < share) d[i] = NaN;
    }
    rows.push(d);
  }
  return { covs, phenos, rows };
}

const rounds = Number(arg('--rounds', '5'));
const ms = Number(arg('--ms', '300'));
const builds: [string, Mods][] = [['this', await load(path.resolve(path.dirname(new URL(import.meta.url).pathname), '..'))]];
const base = arg('--base', '');
if (base) builds.push(['base', await load(base)]);

for (const shape of SHAPES) {
  const inp = inputs(shape);
  const runs = builds.map(([label, m]) => {
    const mdl = m.model.buildModel(shape.n, inp.phenos, inp.covs);
    const kernel = new m.linear.LinearKernel(shape.n, 12, { groups: mdl.groups });
    const res = mdl.groups.map((g) => m.linear.newGroupResult(g.phenos.length));
    return {
      label,
      run: () => {
        for (const d of inp.rows) mdl.groups.forEach((g, gi) => kernel.run(d, g, res[gi]));
      },
    };
  });
  const best = runs.map(() => Infinity);
  for (let k = 0; k < rounds; k++) {
    runs.forEach((r, i) => {
      let calls = 0;
      const t0 = process.cpuUsage().user;
      const w0 = Date.now();
      while (Date.now() - w0 < ms) {
        r.run();
        calls++;
      }
      best[i] = Math.min(best[i], (process.cpuUsage().user - t0) / (calls * inp.rows.length));
    });
  }
  console.log(`${shape.label}: ${runs.map((r, i) => `${r.label} ${best[i].toFixed(2)} us/variant`).join(', ')}`);
}
