// Hard calls (issue 19, docs/decisions/0202-hard-calls.md): 8-bit BGEN blocks whose samples are all
// exact hard calls are recognised by the decoder (WebAssembly, bgen-hard.wat, or its JavaScript
// twin) and handed to the kernel as codes; everything else takes the general path. The dosages,
// flags, codes and regression results must be those of the general path, bit for bit.
import t from 'tap';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { BgenBlockDecoder, type BgenHeader } from '../src/formats/bgen/index.js';
import { HARD_BATCH, LinearKernel, newGroupResult, type GroupResult } from '../src/stats/linear.js';
import { buildModel } from '../src/stats/model.js';
import { mulberry32 as rng } from '../src/sim/random.js';
import { fixture, runCli, tmpDir } from './lib/helpers.js';

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
  .tuple(fc.array(fc.integer({ min: 0, max: HARD.length - 1 }), { minLength: 0, maxLength: 300 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: NEAR.length - 1 })), { maxLength: 3 }))
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

// The kernel: a hard-call variant's results from its codes, by the carriers (hn, cpf) and by the
// gather and mv, bit for bit those of its dosages through the general gather, in WebAssembly and JS.
// Codes with more 2s than 0s are flipped first (0202, "minor allele"): their regression is then
// that of the dosages 2 - g with BETA and T negated; N, FRQ and INFO stay those of g.

function model(n: number, nPhenos: number, seed: number, nCovs = 3, twoPatterns = true, scattered = false) {
  const r = rng(seed);
  // scattered: 3% of samples miss a covariate (in no group) and the second pattern misses 40% at
  // random, so groups' samples fall anywhere in the 64-sample mask words.
  const covs = Array.from({ length: nCovs }, (_, j) => ({
    name: `c${j}`,
    values: Float64Array.from({ length: n }, () => (scattered && j === 0 && r() < 0.03 ? NaN : j === 1 ? (r() < 0.5 ? 1 : 2) : r() * 10)),
  }));
  // Two missingness patterns, so two groups of different sizes (odd and even n).
  const gap = (i: number) => (scattered ? r() < 0.4 : i % 3 === 0);
  const phenos = Array.from({ length: nPhenos }, (_, k) => ({
    name: `y${k}`,
    values: Float64Array.from({ length: n }, (_, i) => (twoPatterns && k % 2 === 1 && gap(i) ? NaN : r() * 5 + i * 0.01)),
  }));
  return buildModel(n, phenos, covs);
}

const fields = (g: GroupResult) => [g.nUsed, g.frq, g.info, ...g.beta, ...g.se, ...g.t, ...g.logp, ...g.why];

t.test('hard-call kernel: codes (carriers, or gather + mv over 16 rows) and dosages give identical bits', async (t) => {
  const models = [7, 8, 9, 10, 11, 40, 203].map((n, s) => ({ n, m: model(n, 2, 50 + s) }));
  models.push({ n: 64, m: model(64, 30, 98) }); // groups of 3 + 15 rows, over 16: gather + mv
  models.push({ n: 301, m: model(301, 2, 97, 12) }); // 12 + 1 rows (the benchmarks' shape)
  models.push({ n: 302, m: model(302, 4, 96, 12, false) }); // one group of 12 + 4 = 16 rows
  // The bitmasks: whole 64-sample words only, and one sample past them.
  models.push({ n: 128, m: model(128, 2, 95) }, { n: 129, m: model(129, 2, 94) });
  models.push({ n: 701, m: model(701, 2, 93, 12, true, true) });
  const kernels = models.map(({ n }) => ({ wasm: new LinearKernel(n, 8), js: new LinearKernel(n, 8, { wasm: false }) }));
  t.ok(kernels[0].wasm.usesWasm, 'the WebAssembly kernel is in use');
  const seen = [0, 0];
  fc.assert(
    fc.property(
      fc.nat(models.length - 1),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 0.6, noNaN: true }),
      fc.nat(),
      fc.boolean(),
      (mi, carrierShare, missShare, seed, swap) => {
        const { n, m } = models[mi];
        const { wasm, js } = kernels[mi];
        const r = rng(seed);
        const codes = Uint8Array.from({ length: n }, () => (r() < missShare * 0.3 ? 3 : r() < carrierShare ? (r() < 0.6 ? 1 : 2) : 0));
        if (swap) codes.forEach((c, i) => c < 3 && (codes[i] = 2 - c));
        const d = Float64Array.from(codes, (c) => (c === 3 ? NaN : c));
        const flip = codes.filter((c) => c === 2).length > codes.filter((c) => c === 0).length;
        seen[flip ? 1 : 0]++;
        for (const gr of m.groups) {
          const plain = newGroupResult(gr.phenos.length);
          js.setHardCalls(null, n);
          js.run(d, gr, plain);
          const want = newGroupResult(gr.phenos.length);
          js.run(d, gr, want);
          if (flip) {
            const other = newGroupResult(gr.phenos.length);
            js.run(
              Float64Array.from(d, (v) => 2 - v),
              gr,
              other,
            );
            for (let k = 0; k < gr.phenos.length; k++) {
              want.beta[k] = -other.beta[k];
              want.se[k] = other.se[k];
              want.t[k] = -other.t[k];
              want.logp[k] = other.logp[k];
              want.why[k] = other.why[k];
            }
          }
          // Codes through wasm: the carriers (cpf) when the group has at most 16 rows, else gc and mv.
          const runs: [string, LinearKernel, Uint8Array | null, GroupResult][] = [
            ['wasm dosages', wasm, null, plain],
            ['wasm codes', wasm, codes, want],
            ['JS codes', js, codes, want],
          ];
          for (const [label, k, c, expect] of runs) {
            const got = newGroupResult(gr.phenos.length);
            k.setHardCalls(c, n);
            k.run(d, gr, got);
            const a = fields(got);
            const b = fields(expect);
            if (!a.every((v, i) => Object.is(v, b[i]))) throw new Error(`${label}, n ${n}, group of ${gr.n}: ${a} vs ${b}`);
          }
        }
      },
    ),
    { numRuns: 300, seed: 190203 },
  );
  t.ok(seen[0] > 100 && seen[1] > 100, `300 random variants, ${seen[1]} of them flipped`);
});

// Staged batches (stageHardCalls, useStaged; 0202 session 11): each group's products of up to
// HARD_BATCH variants made class-major in one pass, the same bits as the variants one at a time,
// for any batch size, group order and mix of flipped, missing and monomorphic rows.
t.test('hard-call batches in the kernel: the same bits as one variant at a time', async (t) => {
  const models = [9, 40, 203, 129].map((n, s) => ({ n, m: model(n, 2, 60 + s) }));
  models.push({ n: 301, m: model(301, 2, 67, 12) }, { n: 302, m: model(302, 4, 68, 12, false) }, { n: 64, m: model(64, 30, 69) });
  models.push({ n: 701, m: model(701, 2, 70, 12, true, true) });
  const kernels = models.map(({ n }) => ({ batch: new LinearKernel(n, 12), single: new LinearKernel(n, 12) }));
  const variant = fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.6, noNaN: true }), fc.nat(), fc.boolean());
  let runs = 0;
  fc.assert(
    fc.property(fc.nat(models.length - 1), fc.array(variant, { minLength: 1, maxLength: HARD_BATCH }), fc.boolean(), (mi, vs, reverse) => {
      const { n, m } = models[mi];
      const { batch, single } = kernels[mi];
      const rows = vs.map(([carrierShare, missShare, seed, swap]) => {
        const r = rng(seed);
        const codes = Uint8Array.from({ length: n }, () => (r() < missShare * 0.3 ? 3 : r() < carrierShare ? (r() < 0.6 ? 1 : 2) : 0));
        if (swap) codes.forEach((c, i) => c < 3 && (codes[i] = 2 - c));
        return codes;
      });
      rows.forEach((c, b) => batch.stageHardCalls(b, c, n));
      const groups = reverse ? [...m.groups].reverse() : m.groups;
      rows.forEach((c, b) => {
        batch.useStaged(b);
        single.setHardCalls(c, n);
        const d = Float64Array.from(c, (x) => (x === 3 ? NaN : x));
        for (const gr of groups) {
          const got = newGroupResult(gr.phenos.length);
          const want = newGroupResult(gr.phenos.length);
          batch.run(d, gr, got);
          single.run(d, gr, want);
          const a = fields(got);
          const w = fields(want);
          if (!a.every((v, i) => Object.is(v, w[i]))) throw new Error(`n ${n}, variant ${b} of ${rows.length}, group of ${gr.n}: ${a} vs ${w}`);
          runs++;
        }
      });
    }),
    { numRuns: 200, seed: 190211 },
  );
  t.ok(runs > 400, `${runs} variant-group runs identical`);
});

// End to end on plink2's hard calls with 2% missing (test/fixtures/missing/hard.bgen, 200 samples,
// two phenotype groups): the same bytes for any thread count and chunk size, and with every
// WebAssembly kernel off (the JavaScript twins). Equality with plink2: missing-golden.test.ts.
t.test('hard calls end to end: identical for 1-3 threads, 1-, 7- and 4096-byte chunks, with and without WebAssembly', async (t) => {
  const M = (f: string) => fixture('missing', f);
  const dir = tmpDir('hard-calls');
  const outputs = (tag: string, extra: string[], env?: NodeJS.ProcessEnv): string => {
    const out = path.join(dir, tag);
    const r = runCli(
      ['assoc', '--bgen', M('hard.bgen'), '--sample', M('hard.sample'), '--pheno', M('hard.pheno'), '--covar', M('covar.tsv'), '--out', out, '--no-progress', ...extra],
      env ? { env: { ...process.env, ...env } } : {},
    );
    if (r.status !== 0) throw new Error(r.stderr);
    return ['PHENO1', 'PHENO2'].map((p) => fs.readFileSync(`${out}.${p}.tsv`, 'latin1')).join('\n');
  };
  const want = outputs('base', ['--threads', '1']);
  t.ok(want.split('\n').length > 400, 'both phenotypes have their rows');
  for (const [threads, chunk] of [
    ['1', '7'],
    ['2', '1'],
    ['3', '4096'],
  ]) {
    t.equal(outputs(`t${threads}c${chunk}`, ['--threads', threads, '--chunk-size', chunk]), want, `threads ${threads}, chunk ${chunk}`);
  }
  t.equal(outputs('nowasm', ['--threads', '2'], { DOSAGEFLOW_NO_WASM: '1' }), want, 'DOSAGEFLOW_NO_WASM=1');
});

// Dosage rows of 1,024 samples or more are copied into wasm memory once per variant (setVariant)
// and gathered there (gd): the same bits as the JS gather, for any mix of NaN, 0 and fractions.
t.test('staged dosage rows: the wasm gather gives the JS gather bits', async (t) => {
  const models = [1031, 1200].map((n, s) => ({ n, m: model(n, 2, 70 + s) }));
  models.push({ n: 1101, m: model(1101, 2, 72, 12) });
  models.push({ n: 1102, m: model(1102, 4, 73, 12, false) });
  const kernels = models.map(({ n }) => ({ wasm: new LinearKernel(n, 8), js: new LinearKernel(n, 8, { wasm: false }) }));
  fc.assert(
    fc.property(fc.nat(models.length - 1), fc.double({ min: 0, max: 0.9, noNaN: true }), fc.double({ min: 0, max: 0.6, noNaN: true }), fc.nat(), (mi, zeroShare, missShare, seed) => {
      const { n, m } = models[mi];
      const { wasm, js } = kernels[mi];
      const r = rng(seed);
      const d = Float64Array.from({ length: n }, () => (r() < missShare * 0.3 ? NaN : r() < zeroShare ? 0 : Math.round(r() * 510) / 255));
      for (const gr of m.groups) {
        const want = newGroupResult(gr.phenos.length);
        js.setVariant(d, null, n);
        js.run(d, gr, want);
        const got = newGroupResult(gr.phenos.length);
        wasm.setVariant(d, null, n);
        wasm.run(d, gr, got);
        // A different row object than the one staged: the JS gather, the same bits again.
        const other = newGroupResult(gr.phenos.length);
        wasm.run(Float64Array.from(d), gr, other);
        const b = fields(want);
        for (const [label, res] of [
          ['staged', got],
          ['unstaged', other],
        ] as const) {
          const a = fields(res);
          if (!a.every((v, i) => Object.is(v, b[i]))) throw new Error(`${label}, n ${n}, group of ${gr.n}: ${a} vs ${b}`);
        }
      }
    }),
    { numRuns: 150, seed: 190204 },
  );
  t.pass('150 random rows');
});
