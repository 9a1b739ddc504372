// Hard calls (issue 19, docs/decisions/0202-hard-calls.md): 8-bit BGEN blocks whose samples are all
// exact hard calls are recognised by the decoder (WebAssembly, bgen-hard.wat, or its JavaScript
// twin) and handed to the kernel as codes; everything else takes the general path. The dosages,
// flags, codes and regression results must be those of the general path, bit for bit.
import t from 'tap';
import fc from 'fast-check';
import * as zlib from 'node:zlib';
import { BgenBlockDecoder, type BgenHeader } from '../src/formats/bgen/index.js';

const header = (n: number): BgenHeader => ({ firstVariantOffset: 24, headerLength: 20, nVariants: 1, nSamples: n, compression: 'zlib', layout: 2, flags: 0, hasSampleIds: false });

// A sample: ploidy byte and (x0, x1). Hard: (255,0) (0,255) (0,0) with ploidy 2, or missing (0x82).
const HARD: [number, number, number][] = [
  [2, 255, 0],
  [2, 0, 255],
  [2, 0, 0],
  [0x82, 0, 0],
];
// Near misses: one unit off, both set, an overshoot, bit 6 set on the ploidy byte, a missing
// sample with stray probability bytes (still missing: still a hard-call block).
const NEAR: [number, number, number][] = [
  [2, 254, 1],
  [2, 0, 254],
  [2, 1, 0],
  [2, 255, 255],
  [2, 128, 127],
  [0x42, 255, 0],
  [0x82, 7, 9],
];

function block(samples: [number, number, number][]): Uint8Array {
  const n = samples.length;
  const raw = new Uint8Array(10 + 3 * n);
  const dv = new DataView(raw.buffer);
  dv.setUint32(0, n, true);
  dv.setUint16(4, 2, true);
  raw[6] = 2;
  raw[7] = 2;
  samples.forEach(([pb, x0, x1], i) => {
    raw[8 + i] = pb;
    raw[10 + n + 2 * i] = x0;
    raw[11 + n + 2 * i] = x1;
  });
  raw[8 + n] = 0;
  raw[9 + n] = 8;
  return raw;
}

/** The general rule: (x1 + 2 max(0, 255 - x0 - x1)) / 255, NaN when the missing bit is set. */
function expected(samples: [number, number, number][]): Float64Array {
  return Float64Array.from(samples, ([pb, x0, x1]) => (pb & 0x80 ? NaN : (x1 + 2 * Math.max(0, 255 - x0 - x1)) / 255));
}

const isHard = ([pb, x0, x1]: [number, number, number]) => pb === 0x82 || (pb === 2 && ((x0 === 255 && x1 === 0) || (x0 === 0 && x1 === 255) || (x0 === 0 && x1 === 0)));
const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

const decoders = {
  wasm: new BgenBlockDecoder(),
  js: new BgenBlockDecoder({ wasm: false }),
  public: new BgenBlockDecoder({ fastDecompress: false }),
};
const codesOnly = new BgenBlockDecoder();
codesOnly.hardCallDosages = false;

// Blocks of hard calls with, sometimes, near misses at random places (in a 16-sample step of the
// vector loop or in its tail).
const samplesArb = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: HARD.length - 1 }), { minLength: 0, maxLength: 300 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: NEAR.length - 1 })), { maxLength: 3 }),
  )
  .map(([hard, near]) => {
    const s = hard.map((k) => HARD[k]);
    for (const [at, k] of near) if (s.length > 0) s[at % s.length] = NEAR[k];
    return s;
  });

t.test('hard-call detection: the same dosages as the general rule, flag and codes on every path', async (t) => {
  fc.assert(
    fc.property(samplesArb, fc.nat(40), (samples, pad) => {
      const n = samples.length;
      const raw = block(samples);
      const stored = zlib.deflateSync(raw);
      const buf = new Uint8Array(pad + stored.length).fill(0xa5);
      buf.set(stored, pad);
      const want = expected(samples);
      const hard = samples.every(isHard);
      const wantCodes = Uint8Array.from(samples, ([pb, x0, x1]) => (pb === 0x82 ? 3 : x0 === 255 ? 0 : x1 === 255 ? 1 : 2));
      for (const [name, d] of Object.entries(decoders)) {
        const out = new Float64Array(n).fill(-1);
        const nMissing = d.decode(buf, pad, stored.length, header(n), 2, out, raw.length, {});
        if (!same(out, want)) throw new Error(`${name}: dosages differ (n ${n})`);
        if (d.hard !== hard) throw new Error(`${name}: hard ${d.hard}, expected ${hard}`);
        if (nMissing !== samples.filter(([pb]) => pb & 0x80).length) throw new Error(`${name}: nMissing ${nMissing}`);
        if (hard && !d.codes.subarray(0, n).every((c, i) => c === wantCodes[i])) throw new Error(`${name}: codes differ`);
      }
      // Codes only: out untouched when hard, dosagesFromCodes gives the dosages.
      const out = new Float64Array(n).fill(-1);
      codesOnly.decode(buf, pad, stored.length, header(n), 2, out, raw.length, {});
      if (hard) {
        if (!out.every((v) => v === -1)) throw new Error('codes only: out written');
        codesOnly.dosagesFromCodes(out, n);
      }
      if (!same(out, want)) throw new Error('codes only: dosages differ');
    }),
    { numRuns: 400, seed: 190202 },
  );
  t.pass('400 random blocks');
});
