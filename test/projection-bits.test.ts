// Session 10 part 2 (docs/decisions/0202): the projection's loops moved into small functions
// (stats/vec.ts) so that the main thread's start-up runs them optimized. Every double must be
// what the inline loops gave: the reference below is the code as it was before.
import t from 'tap';
import fc from 'fast-check';
import { buildProjection, residualize } from '../src/stats/projection.js';

function projectionBefore(cols: Float64Array[], n: number): { q: Float64Array; kept: number[] } {
  const basis: Float64Array[] = [];
  const kept: number[] = [];
  for (let j = 0; j < cols.length; j++) {
    const v = Float64Array.from(cols[j].subarray(0, n));
    let mean = 0;
    for (let i = 0; i < n; i++) mean += v[i];
    mean /= n;
    let norm0 = 0;
    for (let i = 0; i < n; i++) {
      v[i] -= mean;
      norm0 += v[i] * v[i];
    }
    let scale = 0;
    for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(cols[j][i]));
    if (norm0 <= scale * scale * n * 1e-24 || norm0 === 0) continue;
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += b[i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= dot * b[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i] * v[i];
    if (norm <= norm0 * 1e-16) continue;
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < n; i++) v[i] *= inv;
    basis.push(v);
    kept.push(j);
  }
  const q = new Float64Array(basis.length * n);
  basis.forEach((b, l) => q.set(b, l * n));
  return { q, kept };
}

function residualizeBefore(v: Float64Array, q: Float64Array, r: number, n: number): number {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += v[i];
  mean /= n;
  for (let i = 0; i < n; i++) v[i] -= mean;
  for (let pass = 0; pass < 2; pass++) {
    for (let l = 0; l < r; l++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[l * n + i] * v[i];
      for (let i = 0; i < n; i++) v[i] -= dot * q[l * n + i];
    }
  }
  let ss = 0;
  for (let i = 0; i < n; i++) ss += v[i] * v[i];
  return ss;
}

const sameBits = (a: Float64Array, b: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

t.test("buildProjection and residualize give the inline loops' doubles (constant and collinear columns too)", async (t) => {
  const value = fc.oneof(
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.integer({ min: -3, max: 3 }).map((x) => x * 0.5),
  );
  const input = fc.integer({ min: 3, max: 40 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      cols: fc.array(fc.oneof(fc.array(value, { minLength: n, maxLength: n }), fc.constant(new Array(n).fill(2))), { minLength: 1, maxLength: 6 }),
      y: fc.array(value, { minLength: n, maxLength: n }),
      dup: fc.boolean(),
    }),
  );
  fc.assert(
    fc.property(input, ({ n, cols, y, dup }) => {
      const c = cols.map((a) => Float64Array.from(a));
      if (dup) c.push(Float64Array.from(c[0], (x) => 3 * x)); // collinear with the first
      const got = buildProjection(c, n);
      const want = projectionBefore(c, n);
      if (!sameBits(got.q, want.q) || got.kept.join() !== want.kept.join()) return false;
      const v1 = Float64Array.from(y);
      const v2 = Float64Array.from(y);
      const s1 = residualize(v1, got.q, got.r, n);
      const s2 = residualizeBefore(v2, want.q, want.kept.length, n);
      return Object.is(s1, s2) && sameBits(v1, v2);
    }),
    { numRuns: 300, seed: 20261203 },
  );
  t.pass('same bits');
});
