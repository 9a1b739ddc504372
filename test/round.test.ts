// The one round-half-even (src/stats/round.ts), used by the .gen, VCF and BGEN dosage paths.
import t from 'tap';
import fc from 'fast-check';
import { roundHalfEven } from '../src/stats/round.js';

/** Reference: the nearest integer by floor and the fraction (exact for doubles), ties to even. */
function reference(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

t.test('ties go to the even neighbour', async (t) => {
  const ties: [number, number][] = [
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [16384.5, 16384],
    [16385.5, 16386],
    [32767.5, 32768],
    [-0.5, 0],
    [-1.5, -2],
    [-2.5, -2],
    [2 ** 52 - 0.5, 2 ** 52],
    [2 ** 52 - 1.5, 2 ** 52 - 2],
    [2 ** 31 + 0.5, 2 ** 31],
    [2 ** 31 + 1.5, 2 ** 31 + 2],
  ];
  for (const [x, want] of ties) t.equal(roundHalfEven(x), want, `${x} -> ${want}`);
  // Not ties: the nearest integer.
  for (const [x, want] of [
    [0.49999999999999994, 0],
    [1.4999, 1],
    [1.5000001, 2],
    [2 ** 53, 2 ** 53],
    [-2.5000001, -3],
    [0, 0],
  ] as const)
    t.equal(roundHalfEven(x), want, `${x}`);
});

t.test('property: equals the floor-and-fraction reference for any double; half-integers go to the even one', async (t) => {
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -(2 ** 60), max: 2 ** 60 }), (x) => Object.is(roundHalfEven(x) + 0, reference(x) + 0)),
    { numRuns: 20000, seed: 14 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 * 32768 }), (k) => roundHalfEven(k / 2) % 2 === 0 || k % 2 === 0),
    { numRuns: 5000, seed: 15 },
  );
  t.pass('agrees');
});
