// Review of session 8 (hard calls, staged and sparse dosage rows, logistic wasm slots, Anderson-
// accelerated Firth): a variant's results must not depend on the variants a kernel saw before it.
// Each variant of a random sequence, run the way rows.ts runs it (setVariant, then run per group,
// the same row object reused as the .gen path does), is compared bit for bit with a fresh
// JavaScript kernel that sees only that variant.
import t from 'tap';
import fc from 'fast-check';
import { LinearKernel, newGroupResult, type GroupResult } from '../src/stats/linear.js';
import { buildModel } from '../src/stats/model.js';
import { LogisticKernel, newLogisticResult, type FirthMode, type LogisticGroup } from '../src/stats/logistic.js';
import { group, key } from './lib/logistic-groups.js';
import { mulberry32 as rng } from '../src/sim/random.js';
import { BgenBlockDecoder, type BgenHeader } from '../src/formats/bgen/index.js';
import * as zlib from 'node:zlib';

/** n genotyped samples, `extra` more whose phenotypes are all missing (in no group). */
function linearModel(n: number, extra: number, nPhenos: number, seed: number, nCovs: number) {
  const r = rng(seed);
  const N = n + extra;
  const covs = Array.from({ length: nCovs }, (_, j) => ({ name: `c${j}`, values: Float64Array.from({ length: N }, () => (j === 1 ? (r() < 0.5 ? 1 : 2) : r() * 10)) }));
  const phenos = Array.from({ length: nPhenos }, (_, k) => ({
    name: `y${k}`,
    values: Float64Array.from({ length: N }, (_, i) => (i >= n ? NaN : k % 2 === 1 && i % 3 === 0 ? NaN : r() * 5 + i * 0.01)),
  }));
  return { N, m: buildModel(N, phenos, covs) };
}

const fields = (g: GroupResult) => [g.nUsed, g.frq, g.info, ...g.beta, ...g.se, ...g.t, ...g.logp, ...g.why];

type Kind = 'hard' | 'dense' | 'sparse' | 'none' | 'all' | 'missing' | 'hardMissing';
const KINDS: Kind[] = ['hard', 'dense', 'sparse', 'none', 'all', 'missing', 'hardMissing'];

/** A variant of the kind: dosages (NaN missing) and, for hard calls, their codes. */
function variant(kind: Kind, N: number, r: () => number): { d: Float64Array; codes: Uint8Array | null } {
  if (kind === 'hard' || kind === 'none' || kind === 'all') {
    const codes = Uint8Array.from({ length: N }, () => (r() < 0.05 ? 3 : kind === 'none' ? 0 : kind === 'all' ? 1 + (r() < 0.5 ? 1 : 0) : r() < 0.3 ? 1 + (r() < 0.3 ? 1 : 0) : 0));
    return { d: Float64Array.from(codes, (c) => (c === 3 ? NaN : c)), codes };
  }
  if (kind === 'hardMissing') return { d: new Float64Array(N).fill(NaN), codes: new Uint8Array(N).fill(3) };
  if (kind === 'missing') return { d: new Float64Array(N).fill(NaN), codes: null };
  const zeros = kind === 'sparse' ? 0.9 : 0.2;
  return { d: Float64Array.from({ length: N }, () => (r() < 0.03 ? NaN : r() < zeros ? 0 : Math.round(r() * 510) / 255)), codes: null };
}

t.test('linear kernel: results independent of earlier variants (codes, staged, sparse, JS gathers)', async (t) => {
  // Small groups (3-7 samples: every tail case n mod 4), and >= 1,024 genotyped samples (staged rows) with
  // samples outside every group; 12 covariates + 1-4 phenotypes (<= 16 rows) and 20 phenotypes (> 16).
  const shapes = [
    { n: 3, extra: 0, p: 1, c: 0 },
    { n: 4, extra: 1, p: 1, c: 1 },
    { n: 5, extra: 0, p: 1, c: 1 },
    { n: 6, extra: 2, p: 2, c: 1 },
    { n: 7, extra: 0, p: 2, c: 2 },
    { n: 13, extra: 0, p: 2, c: 3 },
    { n: 1021, extra: 3, p: 2, c: 12 },
    { n: 1030, extra: 7, p: 4, c: 12 },
    { n: 1030, extra: 0, p: 20, c: 3 },
  ].map((s, i) => ({ ...linearModel(s.n, s.extra, s.p, 400 + i, s.c) }));
  const kernels = shapes.map(({ m }) => {
    const maxN = Math.max(1, ...m.groups.map((g) => g.n));
    const maxR = Math.max(1, ...m.groups.map((g) => g.r));
    return { maxN, maxR, k: new LinearKernel(maxN, maxR, { groups: m.groups }) };
  });
  let compared = 0;
  fc.assert(
    fc.property(fc.nat(shapes.length - 1), fc.array(fc.constantFrom(...KINDS), { minLength: 2, maxLength: 8 }), fc.boolean(), fc.nat(), (si, kinds, reuse, seed) => {
      const { N, m } = shapes[si];
      const { maxN, maxR, k } = kernels[si];
      const r = rng(seed);
      const row = new Float64Array(N);
      for (const kind of kinds) {
        const v = variant(kind, N, r);
        // The .gen path reuses one row object for every variant; BGEN and VCF hand new views.
        const d = reuse ? row : v.d;
        if (reuse) row.set(v.d);
        k.setVariant(d, v.codes, N);
        const fresh = new LinearKernel(maxN, maxR, { wasm: false });
        // The same codes: a code row with more 2s than 0s is flipped (0202), by both kernels.
        fresh.setVariant(v.d, v.codes, N);
        for (const gr of m.groups) {
          const got = newGroupResult(gr.phenos.length);
          k.run(d, gr, got);
          const want = newGroupResult(gr.phenos.length);
          fresh.run(v.d, gr, want);
          const a = fields(got);
          const b = fields(want);
          if (!a.every((x, i) => Object.is(x, b[i]))) throw new Error(`${kind} after ${kinds.join(',')}, n ${gr.n} of ${N}: ${a} vs ${b}`);
          compared++;
        }
      }
    }),
    { numRuns: 200, seed: 80808 },
  );
  t.ok(compared > 500, `${compared} group results compared`);
});

t.test('logistic kernel: results independent of earlier fits (Anderson history, design slots)', async (t) => {
  let fits = 0;
  let firth = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1 << 30 }),
      fc.array(fc.record({ n: fc.integer({ min: 12, max: 70 }), nc: fc.integer({ min: 0, max: 4 }), cases: fc.constantFrom(0.1, 0.3) }), { minLength: 1, maxLength: 3 }),
      fc.constantFrom<FirthMode>('fallback', 'always'),
      (seed, shapes, mode) => {
        const groups = shapes.map((s, j) => group(seed + j, s.n, s.nc, s.cases)).filter((g): g is LogisticGroup => g !== undefined);
        if (groups.length === 0) return true;
        const maxN = Math.max(...groups.map((g) => g.n));
        const maxP = Math.max(...groups.map((g) => g.p));
        const kernels = [new LogisticKernel(maxN, maxP, { firth: mode }), new LogisticKernel(maxN, maxP, { firth: mode, groups }), new LogisticKernel(maxN, maxP, { firth: mode, wasm: false })];
        const a = newLogisticResult();
        const b = newLogisticResult();
        const r = rng(seed ^ 0x1234);
        for (let v = 0; v < 8; v++) {
          const maf = r() < 0.3 ? 0.005 : 0.01 + 0.4 * r() ** 2;
          const d = Float64Array.from({ length: maxN }, () => (r() < 0.03 ? NaN : Math.min(2, (r() < maf ? 1 : 0) + (r() < maf ? 1 : 0) + (r() < 0.1 ? 0.25 : 0))));
          for (const g of groups) {
            new LogisticKernel(maxN, maxP, { firth: mode, wasm: false }).run(d, g, b);
            for (const k of kernels) {
              k.run(d, g, a);
              if (key(a) !== key(b)) throw new Error(`variant ${v}: ${key(a)} vs fresh ${key(b)}`);
            }
            fits++;
            if (b.firth) firth++;
          }
        }
        return true;
      },
    ),
    { seed: 88, numRuns: 40 },
  );
  t.ok(fits > 100 && firth > 20, `${fits} fits compared, ${firth} of them Firth`);
});

// The decoder: hard-call and ordinary 8-bit blocks and 16-bit blocks (larger: the scratch in the
// detector's memory grows and moves between blocks) on one decoder, each decoded as a fresh
// decoder on the public inflate path decodes it alone.
t.test('BGEN decoder: a block decodes the same after any earlier blocks (scratch growth, codes)', async (t) => {
  const header = (n: number): BgenHeader => ({ firstVariantOffset: 24, headerLength: 20, nVariants: 1, nSamples: n, compression: 'zlib', layout: 2, flags: 0, hasSampleIds: false });
  const block = (n: number, bits: 8 | 16, hardShare: number, r: () => number): Uint8Array => {
    const w = bits / 8;
    const raw = new Uint8Array(10 + n + 2 * w * n);
    const dv = new DataView(raw.buffer);
    dv.setUint32(0, n, true);
    dv.setUint16(4, 2, true);
    raw[6] = 2;
    raw[7] = 2;
    raw[8 + n] = 0;
    raw[9 + n] = bits;
    const max = bits === 8 ? 255 : 65535;
    for (let i = 0; i < n; i++) {
      raw[8 + i] = r() < 0.05 ? 0x82 : 2;
      let x0: number;
      let x1: number;
      if (r() < hardShare) {
        const c = Math.floor(r() * 3);
        x0 = c === 0 ? max : 0;
        x1 = c === 1 ? max : 0;
      } else {
        x0 = Math.floor(r() * (max + 1));
        x1 = Math.floor(r() * (max + 1 - x0));
      }
      const q = 10 + n + 2 * w * i;
      if (bits === 8) {
        raw[q] = x0;
        raw[q + 1] = x1;
      } else {
        dv.setUint16(q, x0, true);
        dv.setUint16(q + 2, x1, true);
      }
    }
    return raw;
  };
  const n = 157;
  const seq = [new BgenBlockDecoder(), new BgenBlockDecoder({ wasm: false })];
  let hardSeen = 0;
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom<8 | 16>(8, 8, 16), fc.constantFrom(1, 1, 0.999, 0.5)), { minLength: 2, maxLength: 10 }), fc.nat(), (blocks, seed) => {
      const r = rng(seed);
      for (const [bits, share] of blocks) {
        const raw = block(n, bits, share, r);
        const stored = zlib.deflateSync(raw);
        const oracle = new BgenBlockDecoder({ fastDecompress: false, wasm: false });
        const want = new Float64Array(n);
        const wantMissing = oracle.decode(stored, 0, stored.length, header(n), 2, want, raw.length, {});
        for (const d of seq) {
          const out = new Float64Array(n).fill(-1);
          const nm = d.decode(stored, 0, stored.length, header(n), 2, out, raw.length, {});
          if (nm !== wantMissing || d.hard !== oracle.hard) throw new Error(`missing ${nm} vs ${wantMissing}, hard ${d.hard} vs ${oracle.hard}`);
          if (!out.every((v, i) => Object.is(v, want[i]))) throw new Error(`${bits}-bit block after ${blocks.map((b) => b[0]).join(',')}: dosages differ`);
          if (d.hard) {
            hardSeen++;
            const fromCodes = new Float64Array(n);
            d.dosagesFromCodes(fromCodes, n);
            if (!fromCodes.every((v, i) => Object.is(v, want[i]))) throw new Error('codes differ from the dosages');
          }
        }
      }
    }),
    { numRuns: 150, seed: 80809 },
  );
  t.ok(hardSeen > 50, `${hardSeen} hard-call blocks seen`);
});
