// Micro-benchmark of the kernel's sparse paths (docs/decisions/0202): LinearKernel.run on one
// variant against both groups of a 10,000-sample model (12 covariates, two phenotypes with
// different missingness), the variant given as
//   - hard-call codes (setVariant with codes: the carriers' products, cpf) against the same row as
//     dosages through the JS gather and mv (the path before 0202), at several carrier shares;
//   - a dosage row staged in wasm memory (setVariant: gd + mv, or cs when mostly zeros) against
//     the JS gather and mv, at several shares of exact zeros.
// The results must be identical (checked: the sums of the betas are compared exactly), except for
// rows the kernel flips to the minor allele (0202, session 9): the last bits, so within 1e-9 there.
//
// User CPU (process.cpuUsage), the two kernels interleaved, best of the rounds: the machine is shared.
//
//   [BENCH_N=10000] node dist/bench/hard-calls.js [--rounds 5] [--count 400] [--hwe-only] [--scattered] [--batch]
// --batch: only the HWE rows, variant by variant (setVariant) against staged HARD_BATCH at a time
// (stageHardCalls, useStaged: class-major pass 2, 0202 session 11); the betas must be identical.
// --scattered: the second phenotype misses 40% of samples at random and the first 2% (scenario
// 12's groups of ~9,800 and ~6,000), instead of 40 samples in every 100.
import { HARD_BATCH, LinearKernel, newGroupResult } from '../src/stats/linear.js';
import { buildModel } from '../src/stats/model.js';
import { mulberry32 as rng } from '../src/sim/random.js';

const N = Number(process.env.BENCH_N ?? 10_000);

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const rounds = arg('--rounds', 5);
const count = arg('--count', 400);

const r = rng(202);
const covs = [
  { name: 'age', values: Float64Array.from({ length: N }, () => Math.round(20 + 50 * r())) },
  { name: 'sex', values: Float64Array.from({ length: N }, () => (r() < 0.5 ? 1 : 2)) },
];
for (let k = 1; k <= 10; k++) covs.push({ name: `PC${k}`, values: Float64Array.from({ length: N }, () => (r() - 0.5) * 0.1) });
const scattered = process.argv.includes('--scattered');
const gap = (every: number, i: number) => (scattered ? r() < (every > 0 ? 0.4 : 0.02) : every > 0 && i % 100 < every);
const phenos = [0, 40].map((every, j) => ({ name: `y${j}`, values: Float64Array.from({ length: N }, (_, i) => (gap(every, i) ? NaN : r() * 2 - 1)) }));
const model = buildModel(N, phenos, covs);
const results = model.groups.map((g) => newGroupResult(g.phenos.length));
const fresh = new LinearKernel(N, 12, { groups: model.groups });
const before = new LinearKernel(N, 12, { groups: model.groups });

/**
 * Eight variants: hard-call codes with this share of carriers, or dosage rows with this share of
 * zeros; or 64 hard-call variants in Hardy-Weinberg proportions, allele frequency uniform on (0, 1)
 * (plink2 --dummy's shape: bench scenario 12).
 */
function variants(kind: 'hard' | 'dosage' | 'hwe', share: number): { d: Float64Array; codes: Uint8Array | null }[] {
  if (kind === 'hwe')
    return Array.from({ length: 64 }, () => {
      const p = r();
      const codes = Uint8Array.from({ length: N }, () => (r() < p ? 1 : 0) + (r() < p ? 1 : 0));
      return { d: Float64Array.from(codes), codes };
    });
  return Array.from({ length: 8 }, () => {
    const codes = Uint8Array.from({ length: N }, () => (r() < share ? (r() < 0.7 ? 1 : 2) : 0));
    if (kind === 'hard') return { d: Float64Array.from(codes), codes };
    return { d: Float64Array.from({ length: N }, () => (r() < share ? 0 : Math.round(r() * 510) / 255)), codes: null };
  });
}

function pass(k: LinearKernel, vs: { d: Float64Array; codes: Uint8Array | null }[], sparse: boolean): number {
  let s = 0;
  for (let c = 0; c < count; c++) {
    const v = vs[c % vs.length];
    // 'before': no staging, no codes (the JS gather and mv of every group).
    k.setVariant(sparse ? v.d : null, sparse ? v.codes : null, N);
    for (let gi = 0; gi < model.groups.length; gi++) {
      k.run(v.d, model.groups[gi], results[gi]);
      const b = results[gi].beta[0];
      if (b === b) s += b; // NA rows (a monomorphic variant) on both sides alike
    }
  }
  return s;
}

/** As pass, the codes staged HARD_BATCH at a time and run from the batch. */
function batched(k: LinearKernel, vs: { d: Float64Array; codes: Uint8Array | null }[]): number {
  let s = 0;
  for (let c = 0; c < count; c += HARD_BATCH) {
    const nb = Math.min(HARD_BATCH, count - c);
    for (let b = 0; b < nb; b++) k.stageHardCalls(b, vs[(c + b) % vs.length].codes!, N);
    for (let b = 0; b < nb; b++) {
      k.useStaged(b);
      const v = vs[(c + b) % vs.length];
      for (let gi = 0; gi < model.groups.length; gi++) {
        k.run(v.d, model.groups[gi], results[gi]);
        const beta = results[gi].beta[0];
        if (beta === beta) s += beta;
      }
    }
  }
  return s;
}

if (process.argv.includes('--batch')) {
  const vs = variants('hwe', 0);
  const best = [Infinity, Infinity];
  const sums = [0, 0];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < 2; i++) {
      const t0 = process.cpuUsage().user;
      sums[i] = i === 0 ? pass(fresh, vs, true) : batched(before, vs);
      best[i] = Math.min(best[i], (process.cpuUsage().user - t0) / count);
    }
  }
  console.log(
    `hard calls, HWE, AF ~ U(0,1): one at a time ${best[0].toFixed(1).padStart(7)} us/variant   ${HARD_BATCH} at a time ${best[1].toFixed(1).padStart(7)} us/variant   ` +
      `(2 groups, best of ${rounds}; betas ${sums[0] === sums[1] ? 'identical' : 'DIFFER'})`,
  );
  process.exit(0);
}

const only = process.argv.includes('--hwe-only');
for (const [kind, shares] of [
  ['hard', [0.05, 0.3, 0.5, 0.75, 1]],
  ['dosage', [0.05, 0.4, 0.7, 0.95]],
  ['hwe', [0]],
] as const) {
  if (only && kind !== 'hwe') continue;
  for (const share of shares) {
    const vs = variants(kind, share);
    const best = [Infinity, Infinity];
    const sums = [0, 0];
    for (let round = 0; round < rounds; round++) {
      [before, fresh].forEach((k, i) => {
        const t0 = process.cpuUsage().user;
        sums[i] = pass(k, vs, i === 1);
        best[i] = Math.min(best[i], (process.cpuUsage().user - t0) / count);
      });
    }
    const label = kind === 'hard' ? `hard calls, ${share * 100}% carriers` : kind === 'hwe' ? 'hard calls, HWE, AF ~ U(0,1)' : `dosages, ${share * 100}% zeros`;
    console.log(
      `${label.padEnd(28)} JS gather + mv ${best[0].toFixed(1).padStart(7)} us/variant   0202 ${best[1].toFixed(1).padStart(7)} us/variant   ` +
        `(2 groups, best of ${rounds}; betas ${sums[0] === sums[1] ? 'identical' : Math.abs(sums[0] - sums[1]) <= 1e-9 * Math.abs(sums[0]) ? 'equal to 1e-9' : 'DIFFER'})`,
    );
  }
}
