// Single-thread micro-benchmark of the BGEN per-variant decode path (no regression, no formatting):
// parse the record header, decompress the genotype block, decode dosages. Compares the allocating
// public path (parseVariantHeader + zlib.inflateSync / zstd decompress(), i.e. the path before the
// reused handle) with the workers' path (BgenRecordParser.parseInto + BgenBlockDecoder.decode).
//   node dist/bench/bgen-decode.js FILE.bgen [--variants 200000] [--rounds 3]
// Prints ns per variant for each stage and for the whole path, best of the rounds. Time is the
// process's CPU time (user + system, V8's GC helper threads included), not wall time, so other
// load on the machine disturbs it less.
import * as fs from 'node:fs';
import { BgenBlockDecoder, BgenRecordParser, decodeGenotypeBlock, decompressBlock, newVariantHeader, parseBgenHeader, parseVariantHeader, decodeProbabilityData } from '../src/formats/bgen/index.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

const file = process.argv[2];
if (!file || file.startsWith('--')) {
  process.stderr.write('usage: node dist/bench/bgen-decode.js FILE.bgen [--variants N] [--rounds R]\n');
  process.exit(2);
}
const maxVariants = arg('--variants', 200000);
const rounds = arg('--rounds', 3);

// Read only as much of the file as the variants need (the whole file at most).
const fd = fs.openSync(file, 'r');
const size = fs.fstatSync(fd).size;
const want = Math.min(size, 1 << 30);
const bytes = new Uint8Array(want);
fs.readSync(fd, bytes, 0, want, 0);
fs.closeSync(fd);
const header = parseBgenHeader(bytes, file, { fileSize: size });

// Record offsets first, so every stage walks the same records.
const starts: number[] = [];
{
  let p = header.firstVariantOffset;
  while (starts.length < Math.min(maxVariants, header.nVariants)) {
    const v = parseVariantHeader(bytes, p, header, 0, file, false);
    if (v === null || p + v.totalLength > bytes.length) break;
    starts.push(p);
    p += v.totalLength;
  }
}
const m = starts.length;
const n = header.nSamples;
const out = new Float64Array(n * 4);
const where = { file, byteOffset: 0 };

function time(label: string, f: () => number): number {
  let best = Infinity;
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.cpuUsage();
    sink += f();
    const cpu = process.cpuUsage(t0);
    const ns = ((cpu.user + cpu.system) * 1000) / m;
    if (ns < best) best = ns;
  }
  process.stdout.write(`${label.padEnd(48)} ${best.toFixed(0).padStart(7)} ns/variant${sink === -1 ? ' ' : ''}\n`);
  return best;
}

process.stdout.write(`${file}: ${m} variants x ${n} samples, ${header.compression}, layout ${header.layout}; reused zlib handle: ${new BgenBlockDecoder().zlibHandleInUse()}\n`);

const vh = newVariantHeader();
const records = new BgenRecordParser();
const blocksDecoder = new BgenBlockDecoder();
time('header: parseVariantHeader (new object)', () => {
  let s = 0;
  for (const p of starts) s += parseVariantHeader(bytes, p, header, 0, file, true)!.position;
  return s;
});
time('header: BgenRecordParser.parseInto (reused)', () => {
  let s = 0;
  for (const p of starts) {
    records.parseInto(bytes, p, header, 0, file, true, vh);
    s += vh.position;
  }
  return s;
});

const blocks = starts.map((p) => {
  const v = parseVariantHeader(bytes, p, header, 0, file, true)!;
  return { start: v.blockStart, len: v.blockLength, d: v.uncompressedLength, k: v.nAlleles };
});

time('decompress: inflateSync / decompress() per block', () => {
  let s = 0;
  for (const b of blocks) s += decompressBlock(bytes.subarray(b.start, b.start + b.len), header, b.d).length;
  return s;
});
const raws = blocks.map((b) => decompressBlock(bytes.subarray(b.start, b.start + b.len), header, b.d));
time('decode only: decodeProbabilityData', () => {
  let s = 0;
  for (let i = 0; i < m; i++) s += decodeProbabilityData(raws[i], header, blocks[i].k, out).nMissing;
  return s;
});
const before = time('whole: public path, inflateSync (before)', () => {
  let s = 0;
  for (const p of starts) {
    const v = parseVariantHeader(bytes, p, header, 0, file, true)!;
    s += decodeGenotypeBlock(bytes.subarray(v.blockStart, v.blockStart + v.blockLength), header, v.nAlleles, out, {
      where: { file, byteOffset: v.blockFileOffset },
      uncompressedLength: v.uncompressedLength,
    }).nMissing;
  }
  return s;
});
const after = time('whole: worker path, reused handle (after)', () => {
  let s = 0;
  for (const p of starts) {
    records.parseInto(bytes, p, header, 0, file, true, vh);
    where.byteOffset = vh.blockFileOffset;
    s += blocksDecoder.decode(bytes, vh.blockStart, vh.blockLength, header, vh.nAlleles, out, vh.uncompressedLength, where);
  }
  return s;
});
process.stdout.write(`whole path: ${(before / after).toFixed(2)}x\n`);
