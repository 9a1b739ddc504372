// Layout 2 genotype blocks built here from known integer probabilities (any bit depth 1..32, ploidy
// 0..4, 1..5 alleles, phased or not, missing samples, every compression) must decode to the expected
// allele counts computed independently of the decoder.
import t from 'tap';
import fc from 'fast-check';
import * as zlib from 'node:zlib';
import { compress as zstdCompress } from 'zstd-napi';
import { InputError } from '../src/errors.js';
import { decodeGenotypeBlock, type BgenHeader, type BgenCompression } from '../src/formats/bgen/index.js';
import { mulberry32 as rng } from '../src/sim/random.js';

interface Sample {
  ploidy: number;
  missing: boolean;
  /** Stored integers (the last genotype / last allele per haplotype is left out). */
  values: number[];
}

interface BlockSpec {
  k: number;
  phased: boolean;
  bits: number;
  samples: Sample[];
}

/** VCF/colex genotype order: sorted allele tuples, last element varying slowest. */
function genotypes(z: number, k: number): number[][] {
  const tuples: number[][] = [];
  const rec = (prefix: number[], min: number) => {
    if (prefix.length === z) return void tuples.push(prefix);
    for (let a = min; a < k; a++) rec([...prefix, a], a);
  };
  rec([], 0);
  return tuples.sort((x, y) => {
    for (let i = z - 1; i >= 0; i--) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  });
}

// rng: mulberry32, deterministic, so a failing fast-check seed reproduces the whole block.

/** d nonnegative integers summing to max: random cut points, or a one-hot vector now and then. */
function composition(d: number, max: number, r: () => number): number[] {
  if (r() < 0.25) {
    const v = new Array<number>(d).fill(0);
    v[Math.floor(r() * d)] = max;
    return v;
  }
  const cuts = [0, max];
  for (let i = 0; i < d - 1; i++) cuts.push(Math.floor(r() * (max + 1)));
  cuts.sort((a, b) => a - b);
  return cuts.slice(1).map((c, i) => c - cuts[i]);
}

function makeSpec(seed: number, n: number, k: number, phased: boolean, bits: number, maxPloidy: number, pMissing: number): BlockSpec {
  const r = rng(seed);
  const max = 2 ** bits - 1;
  const samples: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const ploidy = Math.floor(r() * (maxPloidy + 1));
    const missing = r() < pMissing;
    const values: number[] = [];
    if (phased) {
      for (let h = 0; h < ploidy; h++) values.push(...composition(k, max, r).slice(0, k - 1));
    } else {
      values.push(...composition(genotypes(ploidy, k).length, max, r).slice(0, -1));
    }
    samples.push({ ploidy, missing, values: missing ? values.map(() => 0) : values });
  }
  return { k, phased, bits, samples };
}

/** Raw (uncompressed) probability data, packed with BigInt so it shares no code with the decoder. */
function encode(spec: BlockSpec): Uint8Array {
  const n = spec.samples.length;
  const ploidies = spec.samples.map((s) => s.ploidy);
  let packed = 0n;
  let bitPos = 0n;
  const b = BigInt(spec.bits);
  for (const s of spec.samples) {
    for (const v of s.values) {
      packed |= BigInt(v) << bitPos;
      bitPos += b;
    }
  }
  const nBytes = Number((bitPos + 7n) / 8n);
  const out = new Uint8Array(10 + n + nBytes);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, n, true);
  dv.setUint16(4, spec.k, true);
  out[6] = n ? Math.min(...ploidies) : 0;
  out[7] = n ? Math.max(...ploidies) : 0;
  spec.samples.forEach((s, i) => (out[8 + i] = s.ploidy | (s.missing ? 0x80 : 0)));
  out[8 + n] = spec.phased ? 1 : 0;
  out[9 + n] = spec.bits;
  for (let i = 0; i < nBytes; i++) {
    out[10 + n + i] = Number(packed & 0xffn);
    packed >>= 8n;
  }
  return out;
}

/** Expected K-1 rows of allele counts, straight from the definition. */
function expected(spec: BlockSpec): Float64Array {
  const n = spec.samples.length;
  const k = spec.k;
  const max = 2 ** spec.bits - 1;
  const out = new Float64Array((k - 1) * n);
  spec.samples.forEach((s, i) => {
    const counts = new Array<number>(k).fill(0);
    if (s.missing || s.ploidy === 0) counts.fill(NaN);
    else if (spec.phased) {
      for (let h = 0; h < s.ploidy; h++) {
        const hv = s.values.slice(h * (k - 1), (h + 1) * (k - 1));
        const probs = [...hv, max - hv.reduce((a, b) => a + b, 0)].map((x) => x / max);
        probs.forEach((p, a) => (counts[a] += p));
      }
    } else {
      const gts = genotypes(s.ploidy, k);
      const all = [...s.values, max - s.values.reduce((a, b) => a + b, 0)];
      gts.forEach((g, gi) => g.forEach((a) => (counts[a] += all[gi] / max)));
    }
    for (let a = 1; a < k; a++) out[(a - 1) * n + i] = counts[a];
  });
  return out;
}

function headerFor(n: number, compression: BgenCompression): BgenHeader {
  return { firstVariantOffset: 24, headerLength: 20, nVariants: 1, nSamples: n, compression, layout: 2, flags: 0, hasSampleIds: false };
}

function store(raw: Uint8Array, compression: BgenCompression): Uint8Array {
  if (compression === 'zlib') return zlib.deflateSync(raw);
  if (compression === 'zstd') return zstdCompress(raw);
  return raw;
}

function decode(spec: BlockSpec, compression: BgenCompression) {
  const raw = encode(spec);
  const n = spec.samples.length;
  const out = new Float64Array((spec.k - 1) * n).fill(-7);
  const info = decodeGenotypeBlock(store(raw, compression), headerFor(n, compression), spec.k, out, {
    uncompressedLength: raw.length,
    where: { file: 'synthetic', byteOffset: 1234 },
  });
  return { out, info, raw };
}

function mismatch(got: Float64Array, want: Float64Array, tol: number): string | null {
  if (got.length !== want.length) return `length ${got.length} != ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Number.isNaN(w) ? !Number.isNaN(g) : !(Math.abs(g - w) <= tol)) return `index ${i}: got ${g}, want ${w}`;
  }
  return null;
}

const compressions: BgenCompression[] = ['none', 'zlib', 'zstd'];

t.test('random layout 2 blocks decode to the expected allele counts', async (t) => {
  let runs = 0;
  fc.assert(
    fc.property(
      fc.integer(),
      fc.integer({ min: 0, max: 12 }),
      fc.integer({ min: 1, max: 5 }),
      fc.boolean(),
      fc.integer({ min: 1, max: 32 }),
      fc.integer({ min: 0, max: 4 }),
      fc.constantFrom(0, 0.3),
      fc.constantFrom(...compressions),
      (seed, n, k, phased, bits, maxPloidy, pMissing, compression) => {
        const spec = makeSpec(seed, n, k, phased, bits, maxPloidy, pMissing);
        const { out, info } = decode(spec, compression);
        const want = expected(spec);
        const bad = mismatch(out, want, 1e-12 * 8);
        if (bad) throw new Error(`${JSON.stringify({ n, k, phased, bits, maxPloidy, compression })}: ${bad}`);
        const nMissing = spec.samples.filter((s) => s.missing || s.ploidy === 0).length;
        if (info.nMissing !== nMissing || info.bits !== bits || info.phased !== phased) throw new Error(`info ${JSON.stringify(info)}`);
        runs++;
      },
    ),
    { numRuns: 400 },
  );
  t.equal(runs, 400);
});

t.test('unphased diploid biallelic rows (the specialised loops) at every bit depth', async (t) => {
  for (let bits = 1; bits <= 32; bits++) {
    for (const pMissing of [0, 0.1]) {
      const spec = makeSpec(bits * 7919 + (pMissing ? 1 : 0), 1000, 2, false, bits, 2, pMissing);
      // makeSpec draws ploidy 0..2; force everyone diploid so the fast paths are taken.
      for (const s of spec.samples) {
        if (s.ploidy !== 2) {
          const r = composition(3, 2 ** bits - 1, rng(s.values.length + 17));
          s.ploidy = 2;
          s.values = s.missing ? [0, 0] : r.slice(0, 2);
        }
      }
      const { out, info } = decode(spec, bits % 2 ? 'zlib' : 'none');
      const bad = mismatch(out, expected(spec), 1e-12);
      t.equal(bad, null, `${bits} bits, ${pMissing ? 'with' : 'no'} missing`);
      t.same([info.minPloidy, info.maxPloidy], [2, 2]);
    }
  }
});

t.test('overshooting stored values: the implied probability is clamped at 0', async (t) => {
  const max = 2 ** 32 - 1;
  const spec: BlockSpec = { k: 3, phased: false, bits: 32, samples: [{ ploidy: 2, missing: false, values: [max - 10, 3, 2 ** 30, 0, 5] }] };
  const { out } = decode(spec, 'none');
  t.equal(out[0], (3 + 2 * 2 ** 30 + 5) / max);
  t.equal(out[1], 5 / max);
  const spec8: BlockSpec = { k: 2, phased: false, bits: 8, samples: [{ ploidy: 2, missing: false, values: [255, 1] }] };
  t.equal(decode(spec8, 'none').out[0], 1 / 255, 'fast path clamps too');
  const hap: BlockSpec = { k: 2, phased: true, bits: 4, samples: [{ ploidy: 2, missing: false, values: [15, 15] }] };
  t.equal(decode(hap, 'none').out[0], 0);
});

t.test('32-bit values above 2^31 keep full precision', async (t) => {
  const max = 2 ** 32 - 1;
  const spec: BlockSpec = {
    k: 3,
    phased: false,
    bits: 32,
    samples: [
      { ploidy: 2, missing: false, values: [max - 5 - 2 ** 31 - 1 - 3, 3, 2 ** 31 + 1, 0, 0] },
      { ploidy: 2, missing: false, values: [0, 0, 0, 0, 0] },
      { ploidy: 1, missing: false, values: [2 ** 31, 2 ** 31 - 1] },
    ],
  };
  const { out } = decode(spec, 'none');
  const n = 3;
  // Genotype order for K=3, ploidy 2: AA, AB, BB, AC, BC, (CC implied).
  t.equal(out[0 * n + 0], (3 + 2 * (2 ** 31 + 1)) / max, 'allele 1, sample 0 (exact numerator, one division)');
  t.equal(out[1 * n + 0], 10 / max, 'allele 2, sample 0: twice the implied 5/max');
  t.equal(out[1 * n + 1], 2, 'an all-zero stored row means homozygous for the last allele');
  t.equal(out[0 * n + 2], (2 ** 31 - 1) / max);
  t.equal(out[1 * n + 2], 0);
});

t.test('blocks short of their probabilities are input errors', async (t) => {
  for (const [k, phased, bits, maxPloidy] of [
    [2, false, 8, 2],
    [2, false, 16, 2],
    [2, false, 3, 2],
    [3, true, 5, 3],
    [4, false, 32, 3],
  ] as const) {
    const spec = makeSpec(99, 20, k, phased, bits, maxPloidy, 0.2);
    if (maxPloidy === 2) for (const s of spec.samples) if (s.ploidy !== 2) Object.assign(s, { ploidy: 2, values: [0, 0] });
    const raw = encode(spec);
    const short = raw.subarray(0, raw.length - 1);
    const out = new Float64Array((k - 1) * 20);
    const where = { file: 'synthetic.bgen', byteOffset: 5_000_000_000 };
    t.throws(
      () => decodeGenotypeBlock(short, headerFor(20, 'none'), k, out, { where }),
      { name: 'InputError', message: /genotype block too short/, file: 'synthetic.bgen', byteOffset: 5_000_000_000 },
      `K=${k} phased=${phased} B=${bits}`,
    );
    // Compressed: the decompressed size no longer matches D.
    t.throws(() => decodeGenotypeBlock(zlib.deflateSync(short), headerFor(20, 'zlib'), k, out, { where, uncompressedLength: raw.length }), {
      name: 'InputError',
      message: /decompresses to \d+ bytes, the variant header says \d+/,
      byteOffset: 5_000_000_000,
    });
  }
  const raw = encode(makeSpec(5, 4, 2, false, 8, 2, 0));
  const out = new Float64Array(4);
  t.throws(() => decodeGenotypeBlock(raw.subarray(0, 12), headerFor(4, 'none'), 2, out), /cannot hold the 4 per-sample ploidy bytes/);
  t.throws(() => decodeGenotypeBlock(raw, headerFor(5, 'none'), 2, new Float64Array(5)), /holds 4 samples but the header says 5/);
  t.throws(() => decodeGenotypeBlock(raw, headerFor(4, 'none'), 3, new Float64Array(8)), /has 2 alleles but the variant header says 3/);
  const bad = Uint8Array.from(raw);
  bad[9 + 4] = 0;
  t.throws(() => decodeGenotypeBlock(bad, headerFor(4, 'none'), 2, out), { name: 'InputError', message: /bits per probability 0/ });
  bad[9 + 4] = 8;
  bad[8 + 4] = 2;
  t.throws(() => decodeGenotypeBlock(bad, headerFor(4, 'none'), 2, out), /invalid phased flag 2/);
  t.throws(() => decodeGenotypeBlock(raw, headerFor(4, 'none'), 2, new Float64Array(3)), RangeError, 'output buffer too small');
  t.ok(new InputError('x') instanceof Error);
});

t.test('layout 1 blocks', async (t) => {
  const header: BgenHeader = { ...headerFor(4, 'none'), layout: 1 };
  const raw = new Uint8Array(24);
  const dv = new DataView(raw.buffer);
  const set = (i: number, aa: number, ab: number, bb: number) => {
    dv.setUint16(6 * i, aa, true);
    dv.setUint16(6 * i + 2, ab, true);
    dv.setUint16(6 * i + 4, bb, true);
  };
  set(0, 32768, 0, 0);
  set(1, 0, 0, 0); // missing
  set(2, 0, 16384, 16384);
  set(3, 10000, 10000, 20000); // sums to 40000/32768: renormalised
  const out = new Float64Array(4);
  const info = decodeGenotypeBlock(raw, header, 2, out);
  t.same(Array.from(out), [0, NaN, 1.5, 50000 / 40000]);
  t.equal(info.nMissing, 1);
  t.throws(() => decodeGenotypeBlock(raw.subarray(0, 23), header, 2, out), { name: 'InputError', message: /genotype block is 23 bytes, expected 24/ });
  const z = zlib.deflateSync(raw);
  out.fill(0);
  decodeGenotypeBlock(z, { ...header, compression: 'zlib' }, 2, out);
  t.same(Array.from(out), [0, NaN, 1.5, 1.25]);
  t.throws(() => decodeGenotypeBlock(z.subarray(0, z.length - 3), { ...header, compression: 'zlib' }, 2, out, { where: { file: 'f', byteOffset: 9 } }), {
    name: 'InputError',
    byteOffset: 9,
  });
});
