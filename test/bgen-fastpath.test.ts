// The workers' allocation-free BGEN path must agree exactly with the public, allocating one:
// decompression through one reused zlib handle / zstd context into a reused buffer (with inflateSync
// and zstd-napi's decompress() as the fallback whose errors it reproduces), records parsed into a
// reused header object, strings decoded without per-character concatenation.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { compress as zstdCompress } from 'zstd-napi';
import {
  decodeGenotypeBlock,
  BgenBlockDecoder,
  BgenRecordParser,
  decompressBlock,
  newVariantHeader,
  parseBgenHeader,
  parseVariantHeader,
  scanVariants,
  variantRecordLength,
  type BgenCompression,
  type BgenHeader,
} from '../src/formats/bgen/index.js';
import { decodeString } from '../src/formats/bgen/bytes.js';
import { mulberry32 as rng } from '../src/sim/random.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const load = (name: string) => new Uint8Array(fs.readFileSync(path.join(root, 'test/fixtures/bgen', name)));

function headerFor(n: number, compression: BgenCompression): BgenHeader {
  return { firstVariantOffset: 24, headerLength: 20, nVariants: 1, nSamples: n, compression, layout: 2, flags: 0, hasSampleIds: false };
}

/** An unphased diploid biallelic layout-2 block with random probabilities (some missing, some overshooting). */
function block8(n: number, bits: number, seed: number): Uint8Array {
  const r = rng(seed);
  const bytesPer = Math.ceil((2 * bits) / 8);
  const raw = new Uint8Array(10 + n + (bits === 8 ? 2 * n : bytesPer * n + 8));
  const dv = new DataView(raw.buffer);
  dv.setUint32(0, n, true);
  dv.setUint16(4, 2, true);
  raw[6] = 2;
  raw[7] = 2;
  for (let i = 0; i < n; i++) raw[8 + i] = r() < 0.05 ? 0x82 : r() < 0.02 ? 0x42 : 2;
  raw[8 + n] = 0;
  raw[9 + n] = bits;
  for (let i = 10 + n; i < raw.length; i++) raw[i] = Math.floor(r() * 256);
  return raw;
}

function store(raw: Uint8Array, compression: BgenCompression): Uint8Array {
  if (compression === 'zlib') return zlib.deflateSync(raw);
  if (compression === 'zstd') return zstdCompress(raw);
  return raw;
}

// One decoder per path, kept across calls (as a worker keeps its own), so the handle's recovery
// after a bad block is exercised too.
const fastDecoder = new BgenBlockDecoder();
const slowDecoder = new BgenBlockDecoder({ fastDecompress: false });

/** Run f with the fast path on and off; returns [on, off]. */
function both<T>(f: (d: BgenBlockDecoder) => T): [T, T] {
  return [f(fastDecoder), f(slowDecoder)];
}

function errorOf(f: () => unknown): Record<string, unknown> | null {
  try {
    f();
    return null;
  } catch (e) {
    const x = e as Error & { file?: string; byteOffset?: number };
    return { name: x.name, message: x.message, file: x.file, byteOffset: x.byteOffset };
  }
}

const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

t.test('the reused zlib handle passes its self-test on this Node', async (t) => {
  t.ok(fastDecoder.zlibHandleInUse(), `Node ${process.version}: _handle.writeSync/reset and _writeState usable`);
});

t.test('fast and fallback paths decode identically, at any offset in a larger buffer', async (t) => {
  const r = rng(7);
  for (const compression of ['zlib', 'zstd', 'none'] as const) {
    let bad = 0;
    for (let c = 0; c < 60; c++) {
      // Sample counts vary so the scratch buffer's view is re-cut and the buffer regrown.
      const n = [1, 3, 157, 500, 2, 1000][c % 6];
      const bits = [8, 8, 16, 5, 32][c % 5];
      const raw = block8(n, bits, 100 + c);
      const stored = store(raw, compression);
      const pad = Math.floor(r() * 40);
      const buf = new Uint8Array(pad + stored.length + 17).fill(0xa5);
      buf.set(stored, pad);
      const h = headerFor(n, compression);
      const [on, off] = both((d) => {
        const out = new Float64Array(n).fill(-1);
        const nMissing = d.decode(buf, pad, stored.length, h, 2, out, raw.length, { file: 'x', byteOffset: 1 });
        return { out, nMissing };
      });
      const pub = new Float64Array(n);
      const info = decodeGenotypeBlock(stored, h, 2, pub, { uncompressedLength: raw.length });
      if (!same(on.out, off.out) || !same(on.out, pub) || on.nMissing !== off.nMissing || info.nMissing !== on.nMissing) bad++;
      if (on.out.some((v) => v === -1)) bad++;
    }
    t.equal(bad, 0, `${compression}: 60 blocks, fast == fallback == public`);
  }
});

t.test('real files: every variant the same on both paths', async (t) => {
  for (const name of ['example.8bits.bgen', 'example.16bits.zstd.bgen', 'example.v11.first50.bgen', 'example.3bits.bgen', 'complex.bgen']) {
    const bytes = load(name);
    const h = parseBgenHeader(bytes, name);
    let bad = 0;
    let count = 0;
    for (const v of scanVariants(bytes, h, name)) {
      const rows = (v.nAlleles - 1) * h.nSamples;
      const [on, off] = both((d) => {
        const out = new Float64Array(rows);
        d.decode(bytes, v.blockStart, v.blockLength, h, v.nAlleles, out, v.uncompressedLength, { file: name, byteOffset: v.blockFileOffset });
        return out;
      });
      if (!same(on, off)) bad++;
      count++;
    }
    t.equal(bad, 0, `${name}: ${count} variants`);
  }
});

t.test('corrupt, truncated and mis-sized compressed blocks: same errors (file, byte offset), and the handle recovers', async (t) => {
  const n = 157;
  const raw = block8(n, 8, 3);
  const where = { file: 'f.bgen', byteOffset: 6_000_000_123 };
  for (const compression of ['zlib', 'zstd'] as const) {
    const good = Uint8Array.from(store(raw, compression)); // a copy: Buffer.slice() would share memory
    const corrupt = good.slice();
    for (let i = 2; i < corrupt.length; i += 3) corrupt[i] ^= 0x5a;
    const trailer = good.slice();
    trailer[trailer.length - 1] ^= 0xff; // zlib: adler32; zstd: last literal/sequence byte
    const cases: [string, Uint8Array, number][] = [
      ['corrupt', corrupt, raw.length],
      ['bad trailer', trailer, raw.length],
      ['truncated', good.subarray(0, good.length - 7), raw.length],
      ['truncated to 2 bytes', good.subarray(0, 2), raw.length],
      ['empty', good.subarray(0, 0), raw.length],
      ['declared D one more', good, raw.length + 1],
      ['declared D one less', good, raw.length - 1],
      ['declared D zero', good, 0],
      ['decompresses to much more', store(new Uint8Array(100_000), compression), raw.length],
      ['not compressed at all', raw, raw.length],
    ];
    for (const [label, block, d] of cases) {
      const [on, off] = both((dec) => errorOf(() => dec.decode(block, 0, block.length, headerFor(n, compression), 2, new Float64Array(n), d, where)));
      t.ok(on, `${compression} ${label}: throws`);
      t.same(on, off, `${compression} ${label}: ${on?.message}`);
      t.match(on, { name: 'InputError', file: 'f.bgen', byteOffset: 6_000_000_123 });
      // The next good block decodes correctly on the same handle.
      const out = new Float64Array(n);
      const want = new Float64Array(n);
      fastDecoder.decode(good, 0, good.length, headerFor(n, compression), 2, out, raw.length, where);
      decodeGenotypeBlock(raw, headerFor(n, 'none'), 2, want);
      t.ok(same(out, want), `${compression} after ${label}: next block fine`);
    }
  }
  t.match(
    errorOf(() => fastDecoder.decode(zlib.deflateSync(raw), 0, 0, headerFor(n, 'zlib'), 2, new Float64Array(n), raw.length, where)),
    { message: /truncated zlib genotype block/ },
  );
  t.match(
    errorOf(() => fastDecoder.decode(zlib.deflateSync(raw), 0, 20, headerFor(n, 'zlib'), 2, new Float64Array(n), raw.length - 1, where)),
    { name: 'InputError', byteOffset: 6_000_000_123 },
  );
  const big = zlib.deflateSync(new Uint8Array(100_000));
  t.match(
    errorOf(() => fastDecoder.decode(big, 0, big.length, headerFor(n, 'zlib'), 2, new Float64Array(n), raw.length, where)),
    {
      message: /decompresses to more than the \d+ bytes the variant header says/,
    },
  );
  const short = zlib.deflateSync(raw.subarray(0, raw.length - 1));
  t.match(
    errorOf(() => fastDecoder.decode(short, 0, short.length, headerFor(n, 'zlib'), 2, new Float64Array(n), raw.length, where)),
    {
      message: /decompresses to \d+ bytes, the variant header says \d+/,
    },
  );
});

t.test('bytes after the end of a zlib stream are ignored, as by inflateSync', async (t) => {
  const n = 20;
  const raw = block8(n, 8, 11);
  const z = zlib.deflateSync(raw);
  const withTail = new Uint8Array(z.length + 5);
  withTail.set(z);
  withTail.set([1, 2, 3, 4, 5], z.length);
  const [on, off] = both((d) => {
    const out = new Float64Array(n);
    d.decode(withTail, 0, withTail.length, headerFor(n, 'zlib'), 2, out, raw.length, {});
    return out;
  });
  t.ok(same(on, off));
});

t.test('decompressBlock (public) returns a buffer of its own', async (t) => {
  const a = block8(10, 8, 1);
  const b = block8(10, 8, 2);
  const h = headerFor(10, 'zlib');
  const da = decompressBlock(zlib.deflateSync(a), h, a.length);
  const db = decompressBlock(zlib.deflateSync(b), h, b.length);
  t.same(Array.from(da), Array.from(a));
  t.same(Array.from(db), Array.from(b));
});

t.test('BgenRecordParser.parseInto fills a reused object exactly as parseVariantHeader builds one', async (t) => {
  const records = new BgenRecordParser();
  for (const name of ['example.8bits.bgen', 'example.16bits.zstd.bgen', 'example.v11.first50.bgen', 'complex.bgen']) {
    const bytes = load(name);
    const h = parseBgenHeader(bytes, name);
    const into = newVariantHeader();
    let bad = 0;
    let pos = h.firstVariantOffset;
    for (let i = 0; i < h.nVariants; i++) {
      const v = parseVariantHeader(bytes, pos, h, 1000, name, true)!;
      t.ok(records.parseInto(bytes, pos, h, 1000, name, true, into));
      if (JSON.stringify(v) !== JSON.stringify(into) || into.alleles.length !== v.nAlleles) bad++;
      if (variantRecordLength(bytes, pos, h, 1000, name, true, bytes.length) !== v.totalLength) bad++;
      pos += v.totalLength;
    }
    t.equal(bad, 0, name);
    // Not enough bytes: false, and `end` limits what variantRecordLength looks at.
    t.equal(new BgenRecordParser().parseInto(bytes.subarray(0, h.firstVariantOffset + 3), h.firstVariantOffset, h, 0, name, false, into), false);
    t.equal(variantRecordLength(bytes, h.firstVariantOffset, h, 0, name, false, h.firstVariantOffset + 3), -1);
  }
});

t.test('chromosome reuse: a different chromosome of the same length is not mistaken for the last one', async (t) => {
  // Two one-variant records, chromosome "01" then "02", then "01" again (layout 2, uncompressed).
  const rec = (chr: string) => {
    const enc = (s: string) => [s.length & 255, s.length >> 8, ...Buffer.from(s, 'latin1')];
    const body = [...enc('id'), ...enc('rs1'), ...enc(chr), 5, 0, 0, 0, 2, 0, 1, 0, 0, 0, 65, 1, 0, 0, 0, 71];
    const block = block8(1, 8, 1);
    return Uint8Array.from([...body, block.length & 255, block.length >> 8, 0, 0, ...block]);
  };
  const h = { ...headerFor(1, 'none'), nVariants: 3 };
  const into = newVariantHeader();
  const records = new BgenRecordParser(); // one parser: its chromosome cache is what is tested
  const seen: string[] = [];
  for (const chr of ['01', '02', '01', '1', 'X', 'XY']) {
    t.ok(records.parseInto(rec(chr), 0, h, 0, 'c', true, into));
    seen.push(into.chr);
    t.same(into.alleles, ['A', 'G']);
  }
  t.same(seen, ['01', '02', '01', '1', 'X', 'XY']);
});

t.test('decodeString equals UTF-8 decoding for ASCII and non-ASCII, every length', async (t) => {
  const td = new TextDecoder('utf-8');
  const r = rng(5);
  let bad = 0;
  for (let len = 0; len <= 40; len++) {
    for (let rep = 0; rep < 30; rep++) {
      const b = new Uint8Array(len + 6);
      const nonAscii = rep % 3 === 0;
      for (let i = 0; i < b.length; i++) b[i] = nonAscii ? Math.floor(r() * 256) : 32 + Math.floor(r() * 95);
      if (decodeString(b, 3, 3 + len) !== td.decode(b.subarray(3, 3 + len))) bad++;
    }
  }
  t.equal(bad, 0);
  t.equal(decodeString(Buffer.from('xé€y', 'utf8'), 0, 7), 'xé€y');
});
