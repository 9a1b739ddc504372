// Synthetic logistic groups and a bit-exact key of a result, for the tests that compare two fits of
// the same data bit for bit (logistic-wasm: WebAssembly vs JavaScript; kernel-history: a fit after
// other fits vs a fresh kernel).
import type { LogisticGroup, LogisticResult } from '../../src/stats/logistic.js';
import { buildLogisticGroup } from '../../src/stats/logistic-model.js';
import { mulberry32 as rng } from '../../src/sim/random.js';

/** A group of n samples with nc covariates, ~cases of them cases (seeded). */
export function group(seed: number, n: number, nc: number, cases: number): LogisticGroup | undefined {
  const r = rng(seed);
  const covs = Array.from({ length: nc }, (_, j) => ({ name: `c${j}`, values: Float64Array.from({ length: n }, () => (j === 0 ? Math.round(20 + 50 * r()) : r() - 0.5)) }));
  const y = Float64Array.from({ length: n }, () => (r() < cases ? 1 : 0));
  return buildLogisticGroup(0, 'y', y, covs).group;
}

/** The IEEE bits of a double, so that results compare bit for bit (NaN and -0 included). */
export const bits = (x: number) => {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  return v.getBigUint64(0);
};

/** Everything a fit reports, bit for bit. */
export const key = (o: LogisticResult) => [o.nUsed, o.firth, o.err, bits(o.beta), bits(o.se), bits(o.z), bits(o.logp)].join(' ');
