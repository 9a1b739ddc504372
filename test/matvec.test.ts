// The WebAssembly SIMD dot products against the JS ones (which keep the same summation order, so
// they must agree bit for bit) and against a plain left-to-right sum, on awkward shapes; the subset
// cross-products (gram.wat) against theirs and against the one-row-at-a-time downdate they replaced;
// then the whole LinearKernel on both paths, including wasm memory growth when a large group comes late.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { dotJs, GRAM_PANEL_ROWS, gramAt, gramJs, gramModule, gramStride, matVecJs, matVecModule, presentJs, type GramWasm, type MatVecWasm, type PresentWasm } from '../src/stats/matvec.js';
import { LinearKernel, newGroupResult, type GroupResult } from '../src/stats/linear.js';
import { buildModel, type ModelGroup } from '../src/stats/model.js';
import { downdateFew, factorSums, newFactor } from '../src/stats/gram.js';
import { mulberry32 as rng } from '../src/sim/random.js';

t.test('WebAssembly SIMD is available on the supported Node', async (t) => {
  t.ok(matVecModule(), 'module compiles');
  t.ok(new LinearKernel(10, 2).usesWasm, 'the kernel uses it by default');
  t.notOk(new LinearKernel(10, 2, { wasm: false }).usesWasm, 'and not when asked not to');
});

t.test('wasm and JS products agree bit for bit, and with a naive sum to 1e-12', async (t) => {
  const mod = matVecModule();
  if (!mod) {
    t.fail('no WebAssembly SIMD');
    return;
  }
  const mem = new WebAssembly.Memory({ initial: 1 });
  const mv = new WebAssembly.Instance(mod, { e: { m: mem } }).exports.mv as MatVecWasm;
  const r = rng(7);
  let checked = 0;
  let identical = 0;
  let worst = 0;
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 94, 157, 1001]) {
    for (const rows of [0, 1, 2, 3, 4, 5, 7, 12, 13, 20, 32]) {
      // Both even and odd row strides (the kernel pads to even; mv must not care).
      for (const ld of [n, n + 1]) {
        const gOff = 2; // bytes 16.., a 16-byte aligned start
        const aOff = gOff + n + (n & 1) + 2;
        const outOff = aOff + rows * ld + 1; // odd: unaligned output is fine too
        const need = (outOff + rows + 1) * 8;
        if (need > mem.buffer.byteLength) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
        const f = new Float64Array(mem.buffer);
        const g = f.subarray(gOff, gOff + n);
        for (let i = 0; i < n; i++) g[i] = r() < 0.05 ? 0 : 2 * r();
        for (let i = 0; i < rows * ld; i++) f[aOff + i] = (r() - 0.5) * (r() < 0.1 ? 1e3 : 1);
        f[outOff + rows] = 0;
        mv(aOff * 8, gOff * 8, outOff * 8, rows, n, ld * 8);
        const js = new Float64Array(rows);
        matVecJs(f, aOff, ld, rows, n, g, js, 0);
        for (let j = 0; j < rows; j++) {
          checked++;
          if (Object.is(js[j], f[outOff + j])) identical++;
          else t.fail(`n ${n}, rows ${rows}, ld ${ld}, row ${j}: wasm ${f[outOff + j]} vs JS ${js[j]}`);
          let naive = 0;
          let abs = 0;
          for (let i = 0; i < n; i++) {
            naive += f[aOff + j * ld + i] * g[i];
            abs += Math.abs(f[aOff + j * ld + i] * g[i]);
          }
          worst = Math.max(worst, Math.abs(f[outOff + j] - naive) / Math.max(abs, 1e-300));
        }
        t.equal(f[outOff + rows], 0, 'nothing written past the last row');
      }
    }
  }
  t.equal(identical, checked, `${checked} products identical`);
  t.ok(worst < 1e-12, `relative difference from a naive sum ${worst.toExponential(2)} < 1e-12`);
  t.equal(dotJs(Float64Array.of(3), 0, Float64Array.of(2), 1), 6, 'n = 1');
});

/** A subset of rows (ascending) of an n x W matrix whose first w columns hold values of `kind`, c of them covariates. */
const gramCase = fc
  .record({
    w: fc.integer({ min: 1, max: 37 }),
    cShare: fc.double({ min: 0, max: 1, noNaN: true }),
    n: fc.integer({ min: 1, max: 420 }),
    share: fc.double({ min: 0, max: 1, noNaN: true }),
    kind: fc.constantFrom('real', 'small integers', 'with zeros'),
    seed: fc.integer(),
  })
  .map(({ w, cShare, n, share, kind, seed }) => {
    const r = rng(seed);
    const W = (w + 3) & ~3;
    const value = () => (kind === 'real' ? (r() - 0.5) * (r() < 0.1 ? 1e3 : 1) : kind === 'small integers' ? Math.floor(r() * 7) - 3 : r() < 0.5 ? 0 : r() - 0.5);
    const xa = new Float64Array(n * W);
    for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) xa[i * W + j] = value();
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (r() < share) rows.push(i);
    const c = Math.max(1, Math.round(cShare * w));
    const start = Float64Array.from({ length: W * gramStride(c) }, value);
    // The sums gram.wat computes: k < c, or k in j's block of 4.
    const at: [number, number][] = [];
    for (let j = 0; j < w; j++) for (let k = 0; k <= j; k++) if (k < c || k >= (j & ~3)) at.push([j, k]);
    return { w, c, W, n, xa, idx: Int32Array.from(rows), start, at };
  });

/** gram.wat in its own memory: x at 0, then the panel, the indices (and the missing list), the sums. */
function gramWasm(c: { W: number; n: number; xa: Float64Array; idx: Int32Array; start: Float64Array }) {
  const mod = gramModule()!;
  const panel = c.xa.length * 8;
  const idx = panel + GRAM_PANEL_ROWS * c.W * 8;
  const miss = idx + (c.n + 1) * 4;
  const out = (miss + (c.n + 1) * 4 + 15) & ~15;
  // Sums beyond those checked are written too (the diagonal tiles' upper halves): room for them.
  const mem = new WebAssembly.Memory({ initial: Math.ceil((out + c.start.length * 8) / 65536) + 1 });
  const ex = new WebAssembly.Instance(mod, { e: { m: mem } }).exports;
  const f64 = new Float64Array(mem.buffer);
  const i32 = new Int32Array(mem.buffer);
  f64.set(c.xa, 0);
  return { gram: ex.gram as GramWasm, present: ex.present as PresentWasm, f64, i32, panel, idx, miss, out };
}

t.test('gram.wat and gramJs: the same sums bit for bit, and the present rows (fast-check)', async (t) => {
  t.ok(gramModule(), 'module compiles');
  fc.assert(
    fc.property(gramCase, (c) => {
      const m = gramWasm(c);
      m.i32.set(c.idx, m.idx >>> 2);
      m.f64.set(c.start, m.out >>> 3);
      m.gram(0, m.idx, c.idx.length, m.out, c.w, c.W, c.c, m.panel);
      const js = c.start.slice();
      gramJs(c.xa, c.W, c.idx, c.idx.length, js, c.w, c.c);
      for (const [j, k] of c.at) {
        const i = gramAt(j, k, c.c);
        if (!Object.is(js[i], m.f64[(m.out >>> 3) + i])) return false;
        // and a plain left-to-right sum from the start (exact for small integers)
        let s = c.start[i];
        for (const row of c.idx) s += c.xa[row * c.W + j] * c.xa[row * c.W + k];
        if (!Object.is(s, js[i])) return false;
      }
      // The rows not listed, branch-free in wasm and in JS.
      m.i32.set(c.idx, m.miss >>> 2);
      m.i32[(m.miss >>> 2) + c.idx.length] = c.n;
      const count = m.present(m.miss, c.n, m.idx);
      const want = new Int32Array(c.n);
      const wantCount = presentJs(c.idx, c.idx.length, c.n, want);
      return count === c.n - c.idx.length && wantCount === count && m.i32.subarray(m.idx >>> 2, (m.idx >>> 2) + count).every((v, i) => v === want[i]);
    }),
    { numRuns: 300 },
  );
});

t.test('the downdate from the negated full sums equals the one-row-at-a-time downdate it replaced (fast-check)', async (t) => {
  // gram.ts: start from -G, add the missing rows' products, negate and add 0; before the kernel the
  // solver took (-x_j) x_k off G one row at a time. Small integers make exact zeros (signed zeros).
  let zeros = 0;
  fc.assert(
    fc.property(gramCase, (c) => {
      const acc = c.start.map((v) => -v);
      gramJs(c.xa, c.W, c.idx, c.idx.length, acc, c.w, c.c);
      for (const [j, k] of c.at) {
        const i = gramAt(j, k, c.c);
        let old = c.start[i];
        for (const row of c.idx) old += -1 * c.xa[row * c.W + j] * c.xa[row * c.W + k];
        if (!Object.is(-1 * acc[i] + 0, old)) return false;
        if (old === 0 && c.idx.length > 0) zeros++;
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.ok(zeros > 0, `${zeros} sums downdated to exactly zero, with the sign the old loop gave`);
});

// Decision 0201, session 9: 1-7 missing rows (the study's shape) skip the kernel and its negated start.
t.test('a few missing rows taken off the full sums directly equal the kernel path bit for bit (downdateFew, fast-check)', async (t) => {
  let zeros = 0;
  let checked = 0;
  fc.assert(
    fc.property(
      fc.record({
        n: fc.constantFrom(16, 32, 64, 157),
        nCov: fc.integer({ min: 0, max: 12 }),
        nPheno: fc.integer({ min: 1, max: 3 }),
        kind: fc.constantFrom('real', 'small integers'),
        nm: fc.integer({ min: 1, max: 7 }),
        seed: fc.integer(),
      }),
      ({ n, nCov, nPheno, kind, nm, seed }) => {
        const r = rng(seed);
        // Small integers over a power-of-two n centre exactly: sums downdated to exact (signed) zeros.
        const value = () => (kind === 'real' ? r() - 0.5 : Math.floor(r() * 5) - 2);
        const covs = Array.from({ length: nCov }, (_, j) => ({ name: `c${j}`, values: Float64Array.from({ length: n }, value) }));
        const phenos = Array.from({ length: nPheno }, (_, j) => ({ name: `y${j}`, values: Float64Array.from({ length: n }, value) }));
        const g = buildModel(n, phenos, covs).groups[0];
        const rr = g.r;
        const gr = g.gram;
        const pick = new Set<number>();
        while (pick.size < nm) pick.add(Math.floor(r() * n));
        const miss = Int32Array.from([...pick].sort((a, b) => a - b));
        const direct = newFactor(rr, nPheno);
        downdateFew(direct, gr, rr, nPheno, miss, nm);
        const acc = Float64Array.from(gr.gneg);
        gramJs(gr.xa, gr.W, miss, nm, acc, rr + 1 + nPheno, rr + 1);
        const kernel = newFactor(rr, nPheno);
        factorSums(kernel, acc, -1, rr, nPheno);
        const same = (a: Float64Array, b: Float64Array, len: number) => {
          for (let i = 0; i < len; i++) {
            checked++;
            if (a[i] === 0) zeros++;
            if (!Object.is(a[i], b[i])) return false;
          }
          return true;
        };
        let ok = same(direct.s, kernel.s, rr) && same(direct.sy, kernel.sy, nPheno) && same(direct.yy, kernel.yy, nPheno) && same(direct.zc, kernel.zc, nPheno * rr);
        for (let j = 0; j < rr && ok; j++) ok = same(direct.L.subarray(j * rr), kernel.L.subarray(j * rr), j + 1);
        return ok;
      },
    ),
    { numRuns: 400 },
  );
  t.ok(zeros > 0, `${checked} sums identical, ${zeros} of them exact zeros (same sign)`);
});

function sameResult(t: Test, a: GroupResult, b: GroupResult, m: number, label: string): void {
  let ok = a.nUsed === b.nUsed && Object.is(a.frq, b.frq) && Object.is(a.info, b.info);
  for (let k = 0; k < m; k++) ok &&= Object.is(a.beta[k], b.beta[k]) && Object.is(a.se[k], b.se[k]) && Object.is(a.t[k], b.t[k]) && Object.is(a.logp[k], b.logp[k]);
  t.ok(ok, label);
}

function groups(n: number, nCov: number, nPheno: number, seed: number): ModelGroup[] {
  const r = rng(seed);
  const covs = Array.from({ length: nCov }, (_, j) => ({ name: `c${j}`, values: Float64Array.from({ length: n }, () => r()) }));
  // Every phenotype with the same missingness: one group of m = nPheno.
  const phenos = Array.from({ length: nPheno }, (_, j) => {
    const v = Float64Array.from({ length: n }, () => r() * 3);
    if (n > 40) v[5] = NaN;
    return { name: `y${j}`, values: v };
  });
  return buildModel(n, phenos, covs).groups;
}

t.test('LinearKernel gives identical results with wasm and JS dot products on every path', async (t) => {
  const r = rng(11);
  // r = 0 (no covariates), r = 12 with m = 20, odd and small n; a late, large group grows memory.
  const shapes: [number, number, number][] = [
    [7, 0, 1],
    [9, 2, 3],
    [157, 12, 1],
    [94, 12, 2],
    [501, 0, 20],
    [1001, 12, 20],
    [20000, 12, 20], // 5 MB of [Q; Yr]: beyond the memory the first groups needed
  ];
  const all = shapes.map(([n, c, m], i) => groups(n, c, m, 100 + i));
  const maxN = Math.max(...all.map((g) => g[0].n));
  const wasm = new LinearKernel(maxN, 12, { groups: all[0] }); // the others are copied when first seen
  const js = new LinearKernel(maxN, 12, { wasm: false });
  const bytes = () => (wasm as unknown as { mem: WebAssembly.Memory }).mem.buffer.byteLength;
  const before = bytes();
  t.equal(all[5][0].r, 12);
  t.equal(all[0][0].r, 0);
  for (let pass = 0; pass < 2; pass++) {
    all.forEach((grs) => {
      const gr = grs[0];
      const n = gr.n;
      const nd = 20000;
      // Up to 30: the missing rows taken off the full sums; 60% (more than half): the present rows summed.
      for (const missing of [0, 1, 3, Math.min(24, n - 5), 30, Math.floor(0.6 * n)]) {
        if (missing >= n - 4) continue;
        const d = Float64Array.from({ length: nd }, () => 2 * r() * r());
        for (let k = 0; k < missing; k++) d[gr.idx[(k * 13 + 1) % n]] = NaN;
        const a = newGroupResult(gr.phenos.length);
        const b = newGroupResult(gr.phenos.length);
        wasm.run(d, gr, a);
        js.run(d, gr, b);
        sameResult(t, a, b, gr.phenos.length, `pass ${pass}, n ${n}, r ${gr.r}, m ${gr.phenos.length}, ${missing} missing`);
        if (missing === 0) t.ok(Number.isFinite(a.beta[gr.phenos.length - 1]), 'a number');
      }
    });
  }
  t.ok(before < 1 << 20 && bytes() > 5 << 20, `wasm memory grew from ${before} to ${bytes()} bytes on the way`);
});
