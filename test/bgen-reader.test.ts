// The one BGEN record reader (pipeline/bgen-source.ts bgenChunks, used by assoc, prs and report
// --ld-ref) at chunk edges: file reads of 1, 7 and 4096 bytes and any chunk target give the same
// whole records, and a corrupt length the same error at the same byte offset (issue 15.14).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { bgenChunks, readBgenHeader } from '../src/pipeline/bgen-source.js';
import { parseBgenHeader, scanVariants } from '../src/formats/bgen/index.js';
import { fixture, tmpDir } from './lib/helpers.js';

const dir = tmpDir('bgen-reader');

async function chunksOf(file: string, target: number, readSize: number): Promise<{ bytes: Buffer; offsets: number[]; n: number }> {
  const header = await readBgenHeader(file);
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let n = 0;
  for await (const c of bgenChunks(file, header, target, undefined, readSize)) {
    parts.push(Buffer.from(c.buf));
    offsets.push(c.fileOffset);
    n += c.nVariants;
  }
  return { bytes: Buffer.concat(parts), offsets, n };
}

async function errorOf(f: () => Promise<unknown>): Promise<Record<string, unknown> | null> {
  try {
    await f();
    return null;
  } catch (e) {
    const x = e as Error & { byteOffset?: number };
    return { name: x.name, message: x.message, byteOffset: x.byteOffset };
  }
}

// Reads of 1 byte only on the small files (every read is an event-loop turn).
for (const [name, sizes] of [
  ['complex.bgen', [1, 7, 4096]],
  ['haplotypes.bgen', [1, 7, 4096]],
  ['example.v11.first50.bgen', [7, 4096]],
  ['example.16bits.zstd.bgen', [4096]],
] as const) {
  t.test(`${name}: reads of ${sizes.join(', ')} bytes give every record whole, in order`, async (t) => {
    const file = fixture('bgen', name);
    const all = fs.readFileSync(file);
    const h = parseBgenHeader(all, name);
    const records = all.subarray(h.firstVariantOffset);
    for (const readSize of sizes) {
      for (const target of readSize < 4096 ? [1, 1000] : [1, 1000, 1 << 20]) {
        const got = await chunksOf(file, target, readSize);
        t.equal(got.n, h.nVariants, `read ${readSize}, target ${target}: ${got.n} records`);
        t.ok(got.bytes.equals(records), 'the same bytes');
        t.equal(got.offsets[0], h.firstVariantOffset);
      }
    }
  });
}

// Issue 19 (peak RSS): assoc hands each chunk a buffer the workers gave back, larger than the chunk
// and holding an older chunk's bytes; the chunk is the prefix the records fill.
t.test('chunks in reused buffers (larger, dirty): the same records as in fresh ones', async (t) => {
  const file = fixture('bgen', 'complex.bgen');
  const header = await readBgenHeader(file);
  const fresh = await chunksOf(file, 1000, 7);
  const free: ArrayBuffer[] = [];
  let made = 0;
  const take = (n: number): ArrayBuffer => {
    const i = free.findIndex((b) => b.byteLength >= n);
    if (i >= 0) return free.splice(i, 1)[0];
    made++;
    return new Uint8Array(n + 5).fill(0xa5).buffer;
  };
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of bgenChunks(file, header, 1000, undefined, 7, take)) {
    t.equal(c.buf.byteOffset, 0);
    t.ok(c.buf.buffer.byteLength > c.buf.length, 'a prefix of its buffer');
    parts.push(Buffer.from(c.buf));
    n += c.nVariants;
    free.push(c.buf.buffer as ArrayBuffer); // handed back at once, as by a worker
  }
  t.equal(n, fresh.n);
  t.ok(Buffer.concat(parts).equals(fresh.bytes), 'the same bytes');
  t.equal(made, 1, 'one buffer for the whole file');
});

t.test('a corrupt length: the same error and byte offset at any read size (property)', async (t) => {
  const src = fixture('bgen', 'example.8bits.bgen');
  const all = fs.readFileSync(src);
  const h = parseBgenHeader(all, 'x');
  const vs = [...scanVariants(all, h, 'x')];
  const f = path.join(dir, 'bad.bgen');
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 20 }), fc.constantFrom(3, 1_000_000, 0x7fffffff, 0xffffffff), fc.constantFrom(7, 4096, 1 << 20), async (i, value, readSize) => {
      const b = Buffer.from(all);
      const at = vs[i].blockStart - 8; // layout 2, zlib: C then D before the block
      b.writeUInt32LE(value >>> 0, at);
      fs.writeFileSync(f, b);
      const e = await errorOf(() => chunksOf(f, 1 << 16, readSize));
      const msg = String(e?.message);
      const want = value < 4 ? /too small to hold its uncompressed-length field/ : value > 2 ** 30 ? /above the 1073741824-byte maximum/ : /runs past the end of the file/;
      return e !== null && e.name === 'InputError' && e.byteOffset === at && want.test(msg);
    }),
    { numRuns: 25, seed: 14 },
  );
  t.pass('checked');
});
