// The logistic kernel's WebAssembly loops (src/wasm/logit.wat: X b and the sigmoid pass, X'WX, X'r,
// Firth's hat diagonal) against its JavaScript ones: same summation order, so every fit must agree bit for bit, including
// Firth fits, groups of other sizes in turn (in their own wasm slots, or one slot refilled) and
// sample counts that are not multiples of the kernel's 8-sample and 8-column blocks.
import t from 'tap';
import fc from 'fast-check';
import { cholSolve, fitLogisticColumns, LogisticKernel, newLogisticResult, type FirthMode, type LogisticGroup } from '../src/stats/logistic.js';
import { LogitWasm, xwxPlan } from '../src/stats/logistic-wasm.js';
import { expNeg, log1pUnit, sigmoid } from '../src/stats/logit-math.js';
import { bits, group, key } from './lib/logistic-groups.js';
import { mulberry32 as rng } from '../src/sim/random.js';

t.test('WebAssembly SIMD is used by default, and not when asked not to', async (t) => {
  t.ok(new LogisticKernel(10, 2).usesWasm, 'default');
  t.notOk(new LogisticKernel(10, 2, { wasm: false }).usesWasm, 'wasm: false');
});

t.test("xwx's pass plan covers each row pair's f64x2 of columns, and X'r's, exactly once, at most eight accumulators a pass", async (t) => {
  for (let k = 1; k <= 40; k++) {
    const plan = xwxPlan(k);
    const seen = new Map<string, number>();
    const mark = (a: number, cb: number, m: number) => {
      for (let v = cb / 16; v < cb / 16 + m; v++) seen.set(`${a},${v}`, (seen.get(`${a},${v}`) ?? 0) + 1);
    };
    let ok = plan.length % 6 === 0;
    for (let i = 0; i < plan.length; i += 6) {
      const [a, b, cb, mA, mB, ms] = plan.slice(i, i + 6);
      if (a < 0) ok &&= b < 0 && ms >= 1 && ms <= 4;
      else if (b >= 0) ok &&= mA >= 1 && mB >= mA && mA + mB <= 4 && ms === 0;
      else ok &&= mA >= 1 && mA <= 4 && (ms === 0 || (mA <= 2 && ms <= 4));
      if (a >= 0) mark(a, cb, mA);
      if (b >= 0) mark(b, cb, mB);
      mark(-1, cb, ms);
    }
    let need = 0;
    for (let a = 0; a < k; a += 2) for (let v = 0; v <= a >> 1; v++, need++) ok &&= seen.get(`${a},${v}`) === 1;
    for (let v = 0; v < (k + 1) >> 1; v++, need++) ok &&= seen.get(`-1,${v}`) === 1;
    if (!ok || seen.size !== need) t.fail(`k = ${k}: ${plan.join(',')}`);
  }
  t.equal(xwxPlan(14).length / 6, 8, "k = 14 (12 covariates): 8 passes, X'r riding in two of them");
});

t.test("the fast path's early end (lastStep: the last Newton step's leading terms) agrees with iterating to 1e-9", async (t) => {
  // X'WX evaluations of each kernel's wasm instance
  const evals = new Map<LogitWasm, number>();
  const orig = LogitWasm.prototype.information;
  const origS = LogitWasm.prototype.informationScore;
  LogitWasm.prototype.information = function (h) {
    evals.set(this, (evals.get(this) ?? 0) + 1);
    return orig.call(this, h);
  };
  LogitWasm.prototype.informationScore = function (h, g) {
    evals.set(this, (evals.get(this) ?? 0) + 1);
    return origS.call(this, h, g);
  };
  let saved = 0;
  try {
    for (const [seed, n, cases] of [
      [41, 3001, 0.2],
      [42, 400, 0.1],
      [43, 157, 0.1],
    ]) {
      const g = group(seed, n, 12, cases);
      if (!g) throw new Error('no group');
      const ke = new LogisticKernel(n, g.p, { groups: [g] });
      const kf = new LogisticKernel(n, g.p, { groups: [g], earlyEnd: false });
      const kj = new LogisticKernel(n, g.p, { wasm: false });
      const a = newLogisticResult();
      const b = newLogisticResult();
      const c = newLogisticResult();
      const r = rng(seed);
      let worst = 0;
      let same = 0;
      for (let v = 0; v < 60; v++) {
        const maf = 0.005 + 0.495 * r() ** 2;
        const d = Float64Array.from({ length: n }, () => (r() < 0.002 ? NaN : Math.min(2, (r() < maf ? 1 : 0) + (r() < maf ? 1 : 0) + (r() < 0.1 ? 0.3 * r() : 0))));
        ke.run(d, g, a);
        kf.run(d, g, b);
        kj.run(d, g, c);
        if (key(a) === key(c)) same++;
        if (a.firth !== b.firth || a.err !== b.err) t.fail(`variant ${v}: FIRTH or NA differs`);
        if (Number.isFinite(b.beta)) worst = Math.max(worst, Math.abs(a.beta - b.beta) / Math.max(Math.abs(b.beta), 1e-3), Math.abs(a.se - b.se) / b.se);
      }
      t.equal(same, 60, `n = ${n}: WebAssembly and JavaScript bit for bit`);
      const ev = (k: LogisticKernel) => evals.get((k as unknown as { fit: { wx: LogitWasm } }).fit.wx) ?? 0;
      saved += ev(kf) - ev(ke);
      t.ok(worst < 1e-10, `n = ${n}: BETA and SE within ${worst.toExponential(1)} (relative) of the fits iterated to 1e-9`);
    }
    t.ok(saved > 40, `${saved} X'WX evaluations saved`);
  } finally {
    LogitWasm.prototype.information = orig;
    LogitWasm.prototype.informationScore = origS;
  }
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

// Session 9: the sigmoid pass (e^-|eta|, p, w, r and the log-likelihood) runs in WebAssembly with our
// own e^x and ln(1 + u) (src/wasm/logit.wat), twinned in JavaScript (src/stats/logit-math.ts).
// Bit for bit, except that a NaN is any NaN (its payload is not specified across the two).
const same = (a: number, b: number) => bits(a) === bits(b) || (Number.isNaN(a) && Number.isNaN(b));
const ulps = (a: number, b: number) => Number(BigInt.asIntN(64, bits(a)) - BigInt.asIntN(64, bits(b)));

t.test('e^x and ln(1 + u) are within 1 ulp of Math.exp and Math.log1p (fast-check), exact at the edges', async (t) => {
  fc.assert(
    fc.property(fc.double({ min: -800, max: 0, noNaN: true }), (x) => Math.abs(ulps(expNeg(x), Math.exp(x))) <= 1),
    { seed: 9, numRuns: 20000 },
  );
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (u) => Math.abs(ulps(log1pUnit(u), Math.log1p(u))) <= 1),
    { seed: 9, numRuns: 20000 },
  );
  // Saturation: no NaN or Infinity from finite or infinite arguments; subnormal results rounded.
  for (const x of [0, -0, -5e-324, -1e-300, -708.39, -708.4, -744.4, -745.1, -745.2, -746, -1e308, -Infinity]) {
    t.equal(expNeg(x), Math.exp(x), `e^${x}`);
  }
  t.ok(Number.isNaN(expNeg(NaN)), 'e^NaN is NaN');
  for (const u of [0, 5e-324, 1e-300, Number.EPSILON, 0.5, 1]) t.equal(log1pUnit(u), Math.log1p(u), `ln(1 + ${u})`);
});

t.test('the sigmoid pass: wasm and JS agree bit for bit, saturated and NaN arguments included (fast-check)', async (t) => {
  const edge = fc.constantFrom(0, -0, 1e-300, -1e-300, 36.7, -36.7, 708.4, -708.4, 745.2, -745.2, 746, -746, 1e300, -1e300, Infinity, -Infinity, NaN);
  const eta = fc.oneof(fc.double({ min: -40, max: 40, noNaN: true }), fc.double({ min: -1000, max: 1000, noNaN: true }), edge);
  let compared = 0;
  fc.assert(
    fc.property(fc.array(fc.record({ e: eta, a: fc.constantFrom(0, 1, 1, 1), y: fc.constantFrom(0, 1) }), { minLength: 1, maxLength: 40 }), (rows) => {
      const n = rows.length;
      const e = Float64Array.from(rows, (r) => r.e);
      const y = Float64Array.from(rows, (r) => r.y);
      const act = Float64Array.from(rows, (r) => r.a);
      const src = { n, p: 0, x: new Float64Array(0), y };
      // A one-column design holding eta, coefficient 1: X b = eta exactly.
      const wx = LogitWasm.create(n, 1, [src]);
      if (!wx) throw new Error('no WebAssembly SIMD');
      act.forEach((v, i) => (wx.act[i] = v));
      wx.load([e], 1, n, src);
      const pr = new Float64Array(n);
      const w = new Float64Array(n);
      const r = new Float64Array(n);
      for (const ll of [false, true]) {
        const a = wx.predict(Float64Array.of(1), ll);
        const b = sigmoid(e, act, y, pr, w, r, n, ll);
        if (!same(a, b)) return false;
        for (let i = 0; i < n; i++) {
          if (!same(wx.pr[i], pr[i]) || !same(wx.w[i], w[i]) || !same(wx.r[i], r[i])) return false;
          // No NaN or Infinity leaks from a non-NaN eta.
          if (!Number.isNaN(e[i]) && !(Number.isFinite(pr[i]) && Number.isFinite(w[i]) && Number.isFinite(r[i]))) return false;
        }
        compared++;
      }
      return true;
    }),
    { seed: 9, numRuns: 300 },
  );
  t.equal(compared, 600);
});

/** One group's kernels down the three paths: its own wasm slot, the spare slot, JavaScript; a result each. */
function threePaths(g: LogisticGroup) {
  const kw = new LogisticKernel(g.n, g.p, { groups: [g] });
  const ks = new LogisticKernel(g.n, g.p);
  const kj = new LogisticKernel(g.n, g.p, { wasm: false });
  return { kw, ks, kj, a: newLogisticResult(), b: newLogisticResult(), c: newLogisticResult() };
}

/** Calls `seen(at)` whenever LogitWasm.dosageEntries computed a first step's dosage entries; returns the restore. */
function spyDosageEntries(seen: (at: number) => void): () => void {
  const proto = LogitWasm.prototype;
  const orig = proto.dosageEntries;
  proto.dosageEntries = function (h, gr, at) {
    const used = orig.call(this, h, gr, at);
    if (used) seen(at);
    return used;
  };
  return () => {
    proto.dosageEntries = orig;
  };
}

t.test("Newton's first step from the group's null start (nullStep; dosage entries in WebAssembly, missing samples taken out) is the same in both paths", async (t) => {
  const g = group(3002, 3001, 12, 0.2);
  if (!g) throw new Error('no group');
  const { kw, ks, kj, a, b, c } = threePaths(g);
  let inWasm = 0;
  const restore = spyDosageEntries(() => inWasm++);
  try {
    const r = rng(7);
    let same = 0;
    for (let v = 0; v < 20; v++) {
      // Every other variant misses dosages: those samples are taken out of the null start's sums.
      const maf = 0.01 + 0.4 * r();
      const d = Float64Array.from({ length: g.n }, (_, i) => (v % 2 === 1 && i % 97 === v ? NaN : (r() < maf ? 1 : 0) + (r() < maf ? 1 : 0) + (r() < 0.2 ? 0.5 * r() : 0)));
      kw.run(d, g, a);
      ks.run(d, g, c);
      kj.run(d, g, b);
      if (key(a) === key(b) && key(c) === key(b)) same++;
    }
    t.equal(same, 20, 'every variant identical: own slot, spare slot (dosage entries in JavaScript), JavaScript');
    t.ok(inWasm >= 15, `${inWasm} first steps with the dosage entries from the own slot's W0 X`);
  } finally {
    restore();
  }
});

// Session 12: plink2's iteration from 0 (where the fast path hands a fit over) takes its first step
// from the group's start at 0 (0.25 X'X and X'(y - 1/2) captured once, the dosage entries from its
// WR) for variants without missing dosages: the same in both paths, and bit for bit the step it took
// before, i.e. the plain iteration from 0 (fitLogisticColumns) over the same columns.
t.test("plink2's iteration from 0 starts from the group's captured step at 0 (no missing dosage): the same in both paths, bit for bit the plain iteration", async (t) => {
  const g = group(3003, 157, 12, 0.1);
  if (!g) throw new Error('no group');
  const { kw, ks, kj, a, b, c } = threePaths(g);
  let fromZero = 0;
  const restore = spyDosageEntries((at) => {
    if (at === 1) fromZero++;
  });
  const cols: Float64Array[] = [new Float64Array(g.n)];
  for (let j = 0; j < g.p; j++) cols.push(g.x.subarray(j * g.n, (j + 1) * g.n));
  try {
    const r = rng(12);
    let same = 0;
    let plain = 0;
    let zeroFits = 0;
    for (let v = 0; v < 300; v++) {
      // rare variants, a few carriers (the fast path often fails); every third misses dosages
      const maf = 0.005 + 0.05 * r();
      const d = Float64Array.from({ length: g.n }, (_, i) => (v % 3 === 1 && i % 41 === v % 41 ? NaN : Math.min(2, (r() < maf ? 1 : 0) + (r() < maf ? 1 : 0) + (r() < 0.1 ? 0.1 * r() : 0))));
      const before = fromZero;
      kw.run(d, g, a);
      ks.run(d, g, c);
      kj.run(d, g, b);
      if (key(a) === key(b) && key(c) === key(b)) same++;
      if (v % 3 === 1 && fromZero !== before) t.fail(`variant ${v} misses dosages: no captured start`);
      if (fromZero === before || a.firth || a.err !== '') continue;
      zeroFits++;
      // |BETA| > 8: plink2's float iteration decided (decision 0220), not the double one
      if (Math.abs(a.beta) > 8) continue;
      for (let i = 0; i < g.n; i++) cols[0][i] = d[g.idx[i]];
      const pf = fitLogisticColumns(cols, g.y);
      if (pf.ok && bits(pf.beta[0]) === bits(a.beta) && bits(pf.se[0]) === bits(a.se)) plain++;
      else t.fail(`variant ${v}: ${a.beta} ${a.se} vs the plain iteration ${pf.beta[0]} ${pf.se[0]}`);
    }
    t.equal(same, 300, 'every variant identical: own slot, spare slot (dosage entries in JavaScript), JavaScript');
    t.ok(zeroFits >= 30 && plain >= 20, `${zeroFits} results of plink2's iteration from the captured start, ${plain} of them (|BETA| <= 8) equal to the plain iteration`);
  } finally {
    restore();
  }
});

// Session 10: the Newton step's Cholesky factor and solve run in WebAssembly (chol, solve), the
// factor right-looking. Entry (i, m) is still h_im - l_i0 l_m0 - l_i1 l_m1 - ... in that order, so
// it must equal the dot-product (left-looking) form bit for bit, as must the solve.
t.test('Cholesky factor and solve in WebAssembly equal the dot-product form bit for bit, non-positive-definite included', async (t) => {
  const wx = LogitWasm.create(8, 16);
  if (!wx) throw new Error('no WebAssembly SIMD');
  const r = rng(11);
  let compared = 0;
  let notPd = 0;
  for (let trial = 0; trial < 3000; trial++) {
    const k = 1 + (trial % 16);
    // h = A A' (+ a perturbation that sometimes breaks positive definiteness)
    const a = Float64Array.from({ length: k * k }, () => r() - 0.5);
    const h = new Float64Array(k * k);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let m = 0; m < k; m++) s += a[i * k + m] * a[j * k + m];
        h[i * k + j] = s + (i === j && trial % 7 === 0 ? -0.3 * r() : 0);
      }
    }
    // Reference: left-looking, each entry a_ij - sum l_im l_jm in order.
    const l = new Float64Array(k * k);
    let pd = true;
    for (let j = 0; j < k && pd; j++) {
      let s = h[j * k + j];
      for (let m = 0; m < j; m++) s -= l[j * k + m] * l[j * k + m];
      if (!(s > 0)) pd = false;
      const dj = Math.sqrt(s);
      l[j * k + j] = dj;
      for (let i = j + 1; i < k; i++) {
        let v = h[i * k + j];
        for (let m = 0; m < j; m++) v -= l[i * k + m] * l[j * k + m];
        l[i * k + j] = v / dj;
      }
    }
    wx.hk.set(h);
    const ok = wx.cholesky(k, false);
    if (ok !== pd) t.fail(`k ${k} trial ${trial}: positive definite ${pd}, wasm says ${ok}`);
    if (!pd) {
      notPd++;
      continue;
    }
    for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) if (!same(wx.l[i * k + j], l[i * k + j])) t.fail(`k ${k} trial ${trial}: L[${i}][${j}]`);
    const x = Float64Array.from({ length: k }, () => r() - 0.5);
    wx.g.set(x);
    wx.solve(k);
    cholSolve(l, k, x);
    for (let i = 0; i < k; i++) if (!same(wx.g[i], x[i])) t.fail(`k ${k} trial ${trial}: solve x[${i}]`);
    compared++;
  }
  t.ok(compared > 2000 && notPd > 50, `${compared} factors and solves compared, ${notPd} not positive definite`);
});
