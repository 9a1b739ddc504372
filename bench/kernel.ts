// Micro-benchmark of LinearKernel.run (one variant against every model group), JS dot products
// against the WebAssembly SIMD ones, on the shapes that matter: the study (157 samples, two
// phenotypes with different missingness, so two groups) and the biobank (10,000 samples, 1 and 20
// phenotypes). 12 covariates (age, sex, 10 PCs), so r = 12. As in the simulated data, 15% of
// variants have a few missing dosages (the rank-m downdate path).
//
// Times user CPU (process.cpuUsage), not wall time: the machine is shared. JS and wasm runs are
// interleaved and the best of several rounds is reported, so a burst of someone else's load hits
// both and rarely the best of either.
//
//   node dist/bench/kernel.js [--rounds 7] [--ms 300]
import { LinearKernel, newGroupResult, type KernelOptions } from '../src/stats/linear.js';
import { buildModel, type AssocModel } from '../src/stats/model.js';
import { mulberry32 as rng } from '../src/sim/random.js';

interface Shape {
  label: string;
  n: number;
  /** Samples missing per phenotype (one entry per phenotype). */
  missing: number[];
}

const SHAPES: Shape[] = [
  { label: 'n=157, r=12, m=1 x 2 groups (study)', n: 157, missing: [0, 63] },
  { label: 'n=10000, r=12, m=1', n: 10000, missing: [0] },
  { label: 'n=10000, r=12, m=20 (one group)', n: 10000, missing: new Array(20).fill(0) },
];

function model(shape: Shape): AssocModel {
  const r = rng(shape.n * 31 + shape.missing.length);
  const n = shape.n;
  const covs = [
    { name: 'age', values: Float64Array.from({ length: n }, () => Math.round(20 + 50 * r())) },
    { name: 'sex', values: Float64Array.from({ length: n }, () => (r() < 0.5 ? 1 : 2)) },
  ];
  for (let k = 1; k <= 10; k++) covs.push({ name: `PC${k}`, values: Float64Array.from({ length: n }, () => (r() - 0.5) * 0.1) });
  const phenos = shape.missing.map((miss, j) => {
    const v = Float64Array.from({ length: n }, () => r() * 2 - 1);
    for (let i = 0; i < miss; i++) v[(i * 7 + 3) % n] = NaN;
    return { name: `y${j}`, values: v };
  });
  return buildModel(n, phenos, covs);
}

function dosages(n: number, count: number): Float64Array[] {
  const r = rng(n + 7);
  const rows: Float64Array[] = [];
  for (let v = 0; v < count; v++) {
    const p = 0.02 + 0.48 * r();
    const d = Float64Array.from({ length: n }, () => (r() < p ? 1 : 0) + (r() < p ? 1 : 0) + (r() - 0.5) * 0.1);
    if (v % 20 < 3) for (let k = 0; k <= v % 3; k++) d[Math.floor(r() * n)] = NaN;
    rows.push(d);
  }
  return rows;
}

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const rounds = arg('--rounds', 7);
const ms = arg('--ms', 300);

function userUs(): number {
  return process.cpuUsage().user;
}

for (const shape of SHAPES) {
  const mdl = model(shape);
  const rows = dosages(shape.n, 40);
  const results = mdl.groups.map((g) => newGroupResult(g.phenos.length));
  let maxN = 1;
  let maxR = 1;
  for (const g of mdl.groups) {
    maxN = Math.max(maxN, g.n);
    maxR = Math.max(maxR, g.r);
  }
  const variants: [string, KernelOptions][] = [
    ['js', { groups: mdl.groups, wasm: false }],
    ['wasm', { groups: mdl.groups }],
  ];
  // The 3-argument constructor: with an older LinearKernel (2 arguments) this times the old code twice.
  const kernels = variants.map(([, o]) => new (LinearKernel as unknown as new (n: number, r: number, o: KernelOptions) => LinearKernel)(maxN, maxR, o));
  const check: number[] = [];
  const pass = (k: LinearKernel, count: number): number => {
    let s = 0;
    for (let c = 0; c < count; c++) {
      const d = rows[c % rows.length];
      for (let gi = 0; gi < mdl.groups.length; gi++) {
        k.run(d, mdl.groups[gi], results[gi]);
        s += results[gi].beta[0];
      }
    }
    return s;
  };
  // Calibrate a pass to ~ms of CPU on the JS kernel (also warms both up).
  let count = 16;
  for (;;) {
    const t0 = userUs();
    pass(kernels[0], count);
    if (userUs() - t0 > ms * 1000 * 0.25 || count > 1e7) break;
    count *= 2;
  }
  count *= 4;
  pass(kernels[1], count);
  const best = kernels.map(() => Infinity);
  for (let round = 0; round < rounds; round++) {
    kernels.forEach((k, i) => {
      const t0 = userUs();
      check[i] = pass(k, count);
      const us = (userUs() - t0) / count;
      if (us < best[i]) best[i] = us;
    });
  }
  const usesWasm = (kernels[1] as unknown as { usesWasm?: boolean }).usesWasm ?? false;
  const rel = Math.abs(check[0] - check[1]) / Math.max(1e-300, Math.abs(check[0]));
  console.log(
    `${shape.label.padEnd(38)} js ${best[0].toFixed(2).padStart(8)} us/variant   wasm${usesWasm ? '' : ' (unavailable: JS)'} ${best[1].toFixed(2).padStart(8)} us/variant   ` +
      `speed-up ${(best[0] / best[1]).toFixed(2)}x   (${count} variants a pass, best of ${rounds}; sum of betas differs by ${rel.toExponential(1)})`,
  );
}
