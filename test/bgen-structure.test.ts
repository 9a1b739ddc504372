// BGEN framing: header parsing and its errors, finding variant boundaries from growing prefixes of
// the stream, truncation errors with byte offsets, and the bgenix index.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, FileError } from '../src/errors.js';
import {
  parseBgenHeader,
  bgenHeaderBytesNeeded,
  parseVariantHeader,
  variantRecordLength,
  scanVariants,
  decodeGenotypeBlock,
  readBgi,
  listBgiOffsets,
  type BgenHeader,
  type VariantHeader,
} from '../src/formats/bgen/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = (name: string) => path.join(root, 'test/fixtures/bgen', name);
const load = (name: string) => new Uint8Array(fs.readFileSync(fixture(name)));

const writeU32 = (b: Uint8Array, p: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(p, v, true);

t.test('header fields', async (t) => {
  const b = load('example.8bits.bgen');
  t.equal(bgenHeaderBytesNeeded(b.subarray(0, 2)), 4, 'fewer than 4 bytes: read 4 first');
  t.equal(bgenHeaderBytesNeeded(b.subarray(0, 4)), 6032);
  const h = parseBgenHeader(b.subarray(0, 6032), 'example.8bits.bgen');
  t.match(h, { firstVariantOffset: 6032, headerLength: 20, nVariants: 199, nSamples: 500, compression: 'zlib', layout: 2, hasSampleIds: true });
  const v11 = parseBgenHeader(load('example.v11.first50.bgen'), 'v11');
  t.match(v11, { firstVariantOffset: 5924, layout: 1, compression: 'zlib', hasSampleIds: false, nVariants: 50 });
  t.equal(v11.sampleIds, undefined);
  t.equal(parseBgenHeader(load('example.16bits.zstd.bgen'), 'z').compression, 'zstd');
});

t.test('header offsets are plain numbers, safe past 4 GiB', async (t) => {
  const b = new Uint8Array(24);
  writeU32(b, 0, 0xfffffff0);
  writeU32(b, 4, 20);
  writeU32(b, 8, 0xffffffff);
  writeU32(b, 12, 0x80000001);
  b.set([0x62, 0x67, 0x65, 0x6e], 16);
  writeU32(b, 20, 0x9); // zlib, layout 2
  t.equal(bgenHeaderBytesNeeded(b), 4 + 0xfffffff0);
  const h = parseBgenHeader(b, 'big.bgen');
  t.equal(h.firstVariantOffset, 4 + 0xfffffff0);
  t.equal(h.nVariants, 0xffffffff);
  t.equal(h.nSamples, 0x80000001);
  t.throws(() => parseBgenHeader(b, 'big.bgen', { fileSize: 1000 }), { name: 'InputError', message: /past the end of the file/ });
});

t.test('header errors carry the byte offset', async (t) => {
  const b = load('example.8bits.bgen');
  const file = 'x.bgen';
  t.throws(() => parseBgenHeader(b.subarray(0, 10), file), { name: 'InputError', message: /truncated bgen header/, file, byteOffset: 10 });
  t.throws(() => parseBgenHeader(new Uint8Array(0), file), { name: 'InputError', message: /truncated bgen header/, byteOffset: 0 });
  const bad = b.slice(0, 6032);
  bad[17] = 0x41;
  t.throws(() => parseBgenHeader(bad, file), new InputError('not a bgen file (bad magic)', { file, byteOffset: 16 }));
  t.throws(() => parseBgenHeader(bad, file), { name: 'InputError', message: 'not a bgen file (bad magic)', file, byteOffset: 16 });
  t.throws(() => parseBgenHeader(bad.subarray(0, 21), file), { message: 'not a bgen file (bad magic)', byteOffset: 16 }, 'bad magic wins over short');
  const text = new TextEncoder().encode('##fileformat=VCFv4.2\n#CHROM\tPOS\tID\n');
  t.throws(() => parseBgenHeader(text, 'a.vcf'), { message: 'not a bgen file (bad magic)', byteOffset: 16 });

  const zeroMagic = b.slice(0, 6032);
  zeroMagic.fill(0, 16, 20);
  t.equal(parseBgenHeader(zeroMagic, file).nSamples, 500, 'four zero bytes are accepted as magic');

  const lh = b.slice(0, 6032);
  writeU32(lh, 4, 12);
  t.throws(() => parseBgenHeader(lh, file), { message: /less than the minimum 20/, byteOffset: 4 });
  writeU32(lh, 4, 7000);
  t.throws(() => parseBgenHeader(lh, file), { message: /exceeds the first-variant offset/, byteOffset: 4 });

  const flags = (v: number) => {
    const c = b.slice(0, 6032);
    writeU32(c, 20, v);
    return c;
  };
  t.throws(() => parseBgenHeader(flags(0x80000003 | (2 << 2)), file), { message: /unknown bgen compression type 3/, byteOffset: 20 });
  t.throws(() => parseBgenHeader(flags(0x80000001), file), { message: /layout 0/, byteOffset: 20 });
  t.throws(() => parseBgenHeader(flags(0x80000001 | (3 << 2)), file), { message: /unknown bgen layout 3/, byteOffset: 20 });
  t.throws(() => parseBgenHeader(flags(0x80000002 | (1 << 2)), file), { message: /layout 1 with zstd/ });

  t.throws(() => parseBgenHeader(b.subarray(0, 40), file), { name: 'InputError', message: /truncated bgen sample identifier block/, byteOffset: 40 });
  const n = b.slice(0, 6032);
  writeU32(n, 28, 499);
  t.throws(() => parseBgenHeader(n, file), { message: /lists 499 samples but the header says 500/, byteOffset: 28 });
  const lsi = b.slice(0, 6032);
  writeU32(lsi, 24, 7000);
  t.throws(() => parseBgenHeader(lsi, file), { message: /runs past the first variant/, byteOffset: 24 });
  const idLen = b.slice(0, 6032);
  idLen[32] = 200; // first identifier claims 200 bytes: the rest no longer adds up
  t.throws(() => parseBgenHeader(idLen, file), { name: 'InputError', message: /sample identifier/ });
});

/** Bytes from a record's start to the start of its genotype block: what parseVariantHeader needs. */
const headerPart = (v: VariantHeader) => v.blockStart - v.fileOffset;

/**
 * Read `bytes` the way a streaming reader would: a buffer that grows by `step` bytes at a time and
 * is cut at each record boundary (so baseOffset moves). Checks that every parse attempt returns
 * null exactly while the buffer is shorter than the record's identifying data and length fields.
 */
function streamScan(bytes: Uint8Array, step: number, file: string, reference: VariantHeader[]) {
  const len = bytes.length;
  let avail = Math.min(step, len);
  const grow = () => (avail = Math.min(avail + step, len));
  while (avail < 4 && avail < len) grow();
  while (avail < bgenHeaderBytesNeeded(bytes.subarray(0, avail)) && avail < len) grow();
  const header = parseBgenHeader(bytes.subarray(0, avail), file, {});
  let start = header.firstVariantOffset;
  while (avail < start) grow();
  const problems: string[] = [];
  let attempts = 0;
  let nulls = 0;
  const found: VariantHeader[] = [];
  for (let i = 0; i < header.nVariants; i++) {
    const ref = reference[i];
    for (;;) {
      const buf = bytes.subarray(start, avail);
      const atEnd = avail === len;
      attempts++;
      const v = parseVariantHeader(buf, 0, header, start, file, atEnd);
      const recLen = variantRecordLength(buf, 0, header, start, file, atEnd);
      if (v === null) {
        nulls++;
        if (buf.length >= headerPart(ref)) problems.push(`variant ${i}: null with ${buf.length} bytes, needs ${headerPart(ref)}`);
        if (recLen !== -1) problems.push(`variant ${i}: record length ${recLen} where the header parse says not yet`);
        grow();
        continue;
      }
      if (buf.length < headerPart(ref)) problems.push(`variant ${i}: parsed with only ${buf.length} of ${headerPart(ref)} bytes`);
      if (recLen !== v.totalLength) problems.push(`variant ${i}: record length ${recLen} != ${v.totalLength}`);
      if (v.totalLength > buf.length) {
        grow(); // the genotype block is not all here yet
        continue;
      }
      found.push(v);
      start += v.totalLength;
      break;
    }
  }
  return { found, problems, attempts, nulls, end: start };
}

t.test('variant boundaries from growing prefixes (1-, 7- and 4096-byte steps)', async (t) => {
  for (const name of ['complex.bgen', 'haplotypes.bgen', 'example.8bits.bgen', 'example.v11.first50.bgen', 'example.16bits.zstd.bgen']) {
    const bytes = load(name);
    const header = parseBgenHeader(bytes, name);
    const reference = [...scanVariants(bytes, header, name)];
    t.equal(reference.length, header.nVariants);
    const steps = bytes.length > 200_000 ? [7, 4096] : [1, 7, 4096];
    for (const step of steps) {
      const r = streamScan(bytes, step, name, reference);
      t.same(r.problems, [], `${name}, step ${step}: null exactly on the too-short prefixes (${r.nulls} of ${r.attempts} attempts)`);
      t.equal(r.end, bytes.length, `${name}, step ${step}: records tile the file`);
      const same = r.found.every((v, i) => {
        const ref = reference[i];
        return (
          v.fileOffset === ref.fileOffset &&
          v.blockFileOffset === ref.blockFileOffset &&
          v.blockStart + v.fileOffset === ref.blockStart &&
          v.totalLength === ref.totalLength &&
          v.blockLength === ref.blockLength &&
          v.uncompressedLength === ref.uncompressedLength &&
          v.id === ref.id &&
          v.rsid === ref.rsid &&
          v.chr === ref.chr &&
          v.position === ref.position &&
          v.alleles.join() === ref.alleles.join()
        );
      });
      t.ok(same && r.found.length === reference.length, `${name}, step ${step}: same records as a whole-file parse`);
      if (step === 1) t.ok(r.nulls > 0);
    }
  }
});

t.test('every strict prefix of the identifying data gives null; the full one parses', async (t) => {
  for (const name of ['complex.bgen', 'example.v11.first50.bgen', 'example.3bits.bgen']) {
    const bytes = load(name);
    const header = parseBgenHeader(bytes, name);
    let bad = 0;
    let count = 0;
    for (const v of scanVariants(bytes, header, name)) {
      for (let l = 0; l < headerPart(v); l++) if (parseVariantHeader(bytes.subarray(0, v.fileOffset + l), v.fileOffset, header, 0, name) !== null) bad++;
      if (parseVariantHeader(bytes.subarray(0, v.blockStart), v.fileOffset, header, 0, name) === null) bad++;
      count++;
    }
    t.equal(bad, 0, `${name}: ${count} variants`);
  }
  // The length fields count: layout 2 needs C (and D when compressed), compressed layout 1 needs C.
  const c = load('complex.bgen');
  const h = parseBgenHeader(c, 'c');
  const first = [...scanVariants(c, h, 'c')][0];
  t.equal(first.blockStart - first.fileOffset, 2 + 0 + 2 + 2 + 2 + 2 + 4 + 2 + (4 + 1) * 2 + 8, 'V1: ids, position, K, two alleles, C and D');
  t.equal(first.blockLength + 4, readU32(c, first.blockStart - 8), 'stored block is C - 4 bytes');
});

function readU32(b: Uint8Array, p: number) {
  return new DataView(b.buffer, b.byteOffset).getUint32(p, true);
}

t.test('truncation and overlong blocks are input errors with byte offsets', async (t) => {
  const name = 'complex.bgen';
  const bytes = load(name);
  const header = parseBgenHeader(bytes, name);
  const vs = [...scanVariants(bytes, header, name)];
  const last = vs[vs.length - 1];

  // File ends inside the genotype block of the last variant.
  const cut = bytes.subarray(0, bytes.length - 10);
  t.ok(parseVariantHeader(cut, last.fileOffset, header, 0, name), 'not at end: the header part is there, caller waits for the block');
  t.throws(() => parseVariantHeader(cut, last.fileOffset, header, 0, name, true), {
    name: 'InputError',
    message: /genotype block length \d+ runs past the end of the file \(\d+ bytes remain\)/,
    file: name,
    byteOffset: last.blockStart - 8,
  });
  t.throws(() => [...scanVariants(cut, header, name)], { name: 'InputError', byteOffset: last.blockStart - 8 });

  // File ends inside the identifying data.
  const cut2 = bytes.subarray(0, last.fileOffset + 5);
  t.equal(parseVariantHeader(cut2, last.fileOffset, header, 0, name), null);
  t.equal(variantRecordLength(cut2, last.fileOffset, header, 0, name), -1);
  t.throws(() => parseVariantHeader(cut2, last.fileOffset, header, 0, name, true), {
    name: 'InputError',
    message: /truncated variant record/,
    byteOffset: last.fileOffset,
  });

  // A corrupt C that points far past the end: above the 1 GiB maximum it is refused even before the
  // end of the input is known (issue 15.14); below it, at the end of the input.
  const big = bytes.slice();
  writeU32(big, vs[0].blockStart - 8, 0x7ffffff0);
  t.throws(() => parseVariantHeader(big, vs[0].fileOffset, header, 0, name, true), { name: 'InputError', message: /above the 1073741824-byte maximum/, byteOffset: vs[0].blockStart - 8 });
  t.throws(() => variantRecordLength(big, vs[0].fileOffset, header, 0, name), { name: 'InputError', message: /above the 1073741824-byte maximum/ });
  writeU32(big, vs[0].blockStart - 8, 0x3ffffff0);
  t.throws(() => parseVariantHeader(big, vs[0].fileOffset, header, 0, name, true), { name: 'InputError', message: /runs past the end/, byteOffset: vs[0].blockStart - 8 });
  t.equal(variantRecordLength(big, vs[0].fileOffset, header, 0, name), vs[0].blockStart - vs[0].fileOffset + 0x3ffffff0 - 4);
  const tiny = bytes.slice();
  writeU32(tiny, vs[0].blockStart - 8, 3);
  t.throws(() => parseVariantHeader(tiny, vs[0].fileOffset, header, 0, name), { name: 'InputError', message: /too small/, byteOffset: vs[0].blockStart - 8 });

  // Offsets past 4 GiB: the reader's buffer starts at file offset 2^33 + 17.
  const base = 2 ** 33 + 17;
  const rec = bytes.subarray(last.fileOffset, bytes.length - 3);
  t.throws(() => parseVariantHeader(rec, 0, header, base, name, true), { name: 'InputError', byteOffset: base + last.blockStart - 8 - last.fileOffset });
  const ok = parseVariantHeader(bytes.subarray(last.fileOffset), 0, header, base, name, true)!;
  t.equal(ok.fileOffset, base);
  t.equal(ok.blockFileOffset, base + ok.blockStart);

  // Fewer records than the header announces.
  const more = bytes.slice();
  writeU32(more, 8, 11);
  t.throws(() => [...scanVariants(more, parseBgenHeader(more, name), name)], { name: 'InputError', message: /file ends after 10 variants but the header announces 11/ });

  // Layout 1: the per-variant sample count must match the header.
  const v11 = load('example.v11.first50.bgen').slice();
  const h11 = parseBgenHeader(v11, 'v11');
  writeU32(v11, h11.firstVariantOffset, 499);
  t.throws(() => parseVariantHeader(v11, h11.firstVariantOffset, h11, 0, 'v11'), {
    name: 'InputError',
    message: /variant record says 499 samples but the header says 500/,
    byteOffset: h11.firstVariantOffset,
  });
});

t.test('corrupt or truncated compressed blocks', async (t) => {
  for (const name of ['example.8bits.bgen', 'example.16bits.zstd.bgen', 'example.v11.first50.bgen']) {
    const bytes = load(name);
    const header: BgenHeader = parseBgenHeader(bytes, name);
    const v = [...scanVariants(bytes, header, name)][3];
    const block = bytes.subarray(v.blockStart, v.blockStart + v.blockLength);
    const out = new Float64Array(500);
    const where = { file: name, byteOffset: v.blockFileOffset };
    const opts = { where, uncompressedLength: v.uncompressedLength };
    t.throws(() => decodeGenotypeBlock(block.subarray(0, block.length - 7), header, 2, out, opts), { name: 'InputError', file: name, byteOffset: v.blockFileOffset }, `${name}: truncated`);
    const corrupt = block.slice();
    for (let i = 2; i < corrupt.length; i += 3) corrupt[i] ^= 0x5a;
    t.throws(() => decodeGenotypeBlock(corrupt, header, 2, out, opts), { name: 'InputError', byteOffset: v.blockFileOffset }, `${name}: corrupt`);
    if (header.layout === 2) {
      t.throws(
        () => decodeGenotypeBlock(block, header, 2, out, { where, uncompressedLength: v.uncompressedLength + 1 }),
        { name: 'InputError', message: /decompresses to \d+ bytes, the variant header says \d+/ },
        `${name}: D mismatch`,
      );
      t.throws(() => decodeGenotypeBlock(block, header, 2, out, { where, uncompressedLength: v.uncompressedLength - 1 }), { name: 'InputError' }, `${name}: D too small`);
    }
  }
});

t.test('bgenix index: region queries give the same offsets as a full scan', async (t) => {
  const bytes = load('example.8bits.bgen');
  const header = parseBgenHeader(bytes, 'e');
  const all = [...scanVariants(bytes, header, 'e')].map((v) => ({ fileStart: v.fileOffset, size: v.totalLength, chr: v.chr, pos: v.position })).sort((a, b) => a.fileStart - b.fileStart);
  const strip = (xs: typeof all) => xs.map(({ fileStart, size }) => ({ fileStart, size }));
  const bgi = fixture('example.8bits.bgen.bgi');
  t.same(listBgiOffsets(bgi), strip(all), 'all 199 records');
  t.same(readBgi(bgi), strip(all));
  const region = readBgi(bgi, { chr: '01', start: 10_000, end: 50_000 });
  const want = strip(all.filter((v) => v.chr === '01' && v.pos >= 10_000 && v.pos <= 50_000));
  t.ok(want.length > 10 && want.length < 199, `a proper subset (${want.length} variants)`);
  t.same(region, want);
  t.same(readBgi(bgi, { chr: '01', start: 90_000 }), strip(all.filter((v) => v.pos >= 90_000)));
  t.same(readBgi(bgi, { chr: '01', end: 3000 }), strip(all.filter((v) => v.pos <= 3000)));
  t.same(readBgi(bgi, { chr: '01', start: 2000, end: 2000 }), strip(all.filter((v) => v.pos === 2000)), 'inclusive bounds');
  t.same(readBgi(bgi, { chr: '1' }), [], 'chromosome codes are compared as written');
  for (const e of region) {
    const v = parseVariantHeader(bytes, e.fileStart, header, 0, 'e', true)!;
    t.equal(v.totalLength, e.size);
  }
  t.throws(() => readBgi(fixture('no-such.bgi')), FileError);
  t.throws(() => readBgi(fixture('complex.vcf')), { name: 'InputError', message: /not a bgenix index/ });
});
