// The logistic kernel's WebAssembly loops (src/wasm/logit.wat: X'WX, X'r, Firth's hat diagonal)
// against its JavaScript ones: same summation order, so every fit must agree bit for bit, including
// Firth fits, groups of other sizes in turn (in their own wasm slots, or one slot refilled) and
// sample counts that are not multiples of the kernel's 8-sample and 8-column blocks.
import t from 'tap';
import fc from 'fast-check';
import { LogisticKernel, newLogisticResult, type FirthMode, type LogisticGroup } from '../src/stats/logistic.js';
import { group, key } from './lib/logistic-groups.js';
import { mulberry32 as rng } from '../src/sim/random.js';

t.test('WebAssembly SIMD is used by default, and not when asked not to', async (t) => {
  t.ok(new LogisticKernel(10, 2).usesWasm, 'default');
  t.notOk(new LogisticKernel(10, 2, { wasm: false }).usesWasm, 'wasm: false');
});

t.test('wasm and JS fits agree bit for bit (fast-check)', async (t) => {
  let fits = 0;
  let firth = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1 << 30 }),
      fc.array(fc.record({ n: fc.integer({ min: 12, max: 90 }), nc: fc.integer({ min: 0, max: 16 }), cases: fc.constantFrom(0.1, 0.3, 0.5) }), { minLength: 1, maxLength: 3 }),
      fc.constantFrom<FirthMode>('fallback', 'always', 'never'),
      (seed, shapes, mode) => {
        const groups = shapes.map((s, j) => group(seed + j, s.n, s.nc, s.cases)).filter((g): g is LogisticGroup => g !== undefined);
        if (groups.length === 0) return true;
        const maxN = Math.max(...groups.map((g) => g.n));
        const maxP = Math.max(...groups.map((g) => g.p));
        // kw: one spare design slot, refilled as the groups alternate; kg: a slot for each group.
        const kw = new LogisticKernel(maxN, maxP, { firth: mode });
        const kg = new LogisticKernel(maxN, maxP, { firth: mode, groups });
        const kj = new LogisticKernel(maxN, maxP, { firth: mode, wasm: false });
        const a = newLogisticResult();
        const b = newLogisticResult();
        const c = newLogisticResult();
        const r = rng(seed ^ 0x5eed);
        for (let v = 0; v < 12; v++) {
          const maf = 0.01 + 0.49 * r() ** 2;
          const d = Float64Array.from({ length: maxN }, () => (r() < 0.03 ? NaN : Math.min(2, (r() < maf ? 1 : 0) + (r() < maf ? 1 : 0) + (r() < 0.1 ? 0.25 : 0))));
          for (const g of groups) {
            kw.run(d, g, a);
            kj.run(d, g, b);
            kg.run(d, g, c);
            if (key(a) !== key(b) || key(c) !== key(b)) return false;
            fits++;
            if (a.firth) firth++;
          }
        }
        return true;
      },
    ),
    { seed: 17, numRuns: 60 },
  );
  t.ok(fits > 500 && firth > 50, `${fits} fits compared, ${firth} of them Firth`);
});

t.test('wasm and JS agree bit for bit at 3,001 samples (several wasm pages, odd n) with 12 covariates', async (t) => {
  const g = group(3001, 3001, 12, 0.2);
  if (!g) throw new Error('no group');
  const kw = new LogisticKernel(g.n, g.p, { groups: [g] });
  const kj = new LogisticKernel(g.n, g.p, { wasm: false });
  const a = newLogisticResult();
  const b = newLogisticResult();
  const r = rng(99);
  let same = 0;
  for (let v = 0; v < 20; v++) {
    const maf = 0.002 + 0.3 * r();
    const d = Float64Array.from({ length: g.n }, () => (r() < 0.01 ? NaN : (r() < maf ? 1 : 0) + (r() < maf ? 1 : 0)));
    kw.run(d, g, a);
    kj.run(d, g, b);
    if (key(a) === key(b)) same++;
  }
  t.equal(same, 20, 'every variant identical');
});
