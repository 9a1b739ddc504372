// BGEN genotype blocks -> dosages. Pure functions over bytes: a worker hands in the stored block of
// one variant and a preallocated Float64Array and gets expected allele counts back.
//
// Output layout: for a variant with K alleles `out` holds K-1 rows of nSamples values; row j-1 is
// the expected count of allele j (j = 1..K-1, allele 0 being the first listed). NaN marks a missing
// sample (missing flag set, ploidy 0, or all-zero layout 1 probabilities).
//
// Numerics: probabilities are kept as the stored integers and every dosage is one division of an
// exact integer numerator, so results are correctly rounded and identical between code paths.
import * as zlib from 'node:zlib';
import { decompress as zstdDecompress } from 'zstd-napi';
import zstdBinding from 'zstd-napi/binding.js';
import { DecodeError, type Where } from '../../errors.js';
import type { BgenHeader } from './header.js';
import { readU16, readU32 } from './bytes.js';

export interface DecodeOptions {
  /** File and absolute offset of the block; errors carry them. */
  where?: Where;
  /** Decompressed length announced by the variant header (VariantHeader.uncompressedLength). */
  uncompressedLength?: number;
}

export interface BlockInfo {
  phased: boolean;
  /** Bits per stored probability (16 for layout 1, whose values are u16/32768). */
  bits: number;
  /** Smallest and largest ploidy over the row's samples (layout 1: always 2). */
  minPloidy: number;
  maxPloidy: number;
  /** Samples whose output is NaN. */
  nMissing: number;
}

/**
 * Decompress (if the file is compressed) and decode one stored genotype block, writing K-1 rows of
 * dosages into `out` (length >= (K-1) * nSamples).
 */
export function decodeGenotypeBlock(
  block: Uint8Array,
  header: BgenHeader,
  nAlleles: number,
  out: Float64Array,
  opts: DecodeOptions = {},
): BlockInfo {
  const where = opts.where ?? {};
  decodeGenotypeBlockAt(block, 0, block.length, header, nAlleles, out, opts.uncompressedLength, where);
  return { phased: iPhased, bits: iBits, minPloidy: iMinPloidy, maxPloidy: iMaxPloidy, nMissing: iMissing };
}

/**
 * decodeGenotypeBlock for the stored block bytes[start, start + length), allocating nothing per call
 * on the usual path (no subarray view, options or result object): the per-variant loop of the
 * workers. Returns the number of missing samples; `where` is only read to build an error.
 */
export function decodeGenotypeBlockAt(
  bytes: Uint8Array,
  start: number,
  length: number,
  header: BgenHeader,
  nAlleles: number,
  out: Float64Array,
  uncompressedLength: number | undefined,
  where: Where,
): number {
  const n = header.nSamples;
  let data: Uint8Array;
  if (header.compression === 'none') {
    data = start === 0 && length === bytes.length ? bytes : bytes.subarray(start, start + length);
    const expected = header.layout === 1 ? 6 * n : length;
    if (data.length !== expected) checkLength(data, header, expected, where);
  } else {
    const expected = header.layout === 1 ? 6 * n : uncompressedLength;
    data = expected === undefined ? decompressBlock(bytes.subarray(start, start + length), header, expected, where) : decompressToScratch(bytes, start, length, header, expected, where);
  }
  checkOut(out, n, nAlleles);
  if (header.layout === 1) decodeLayout1(data, n, nAlleles, out, where);
  else decodeLayout2(data, n, nAlleles, out, where);
  return iMissing;
}

function checkOut(out: Float64Array, n: number, nAlleles: number): void {
  if (out.length < (nAlleles - 1) * n) {
    throw new RangeError(`dosage buffer holds ${out.length} values, ${nAlleles - 1} rows of ${n} samples need ${(nAlleles - 1) * n}`);
  }
}

// BlockInfo of the last decoded block, in module state so the per-variant path returns no object.
let iPhased = false;
let iBits = 0;
let iMinPloidy = 0;
let iMaxPloidy = 0;
let iMissing = 0;

function setInfo(phased: boolean, bits: number, minPloidy: number, maxPloidy: number, nMissing: number): void {
  iPhased = phased;
  iBits = bits;
  iMinPloidy = minPloidy;
  iMaxPloidy = maxPloidy;
  iMissing = nMissing;
}

/**
 * The block's probability data, decompressed. `expectedLength` (6N for layout 1, D for layout 2)
 * is checked when given. Uncompressed blocks are returned as they are, not copied.
 */
export function decompressBlock(block: Uint8Array, header: BgenHeader, expectedLength: number | undefined, where: Where = {}): Uint8Array {
  let data: Uint8Array;
  if (header.compression === 'none') {
    data = block;
  } else if (header.compression === 'zlib') {
    try {
      // maxOutputLength stops a corrupt or hostile block from inflating without bound.
      data = zlib.inflateSync(block, expectedLength !== undefined ? { maxOutputLength: Math.max(1, expectedLength) } : {});
    } catch (err) {
      throw codecError(err, 'zlib', expectedLength, where);
    }
  } else {
    try {
      // As maxOutputLength for zlib: output capped at the declared size (+1 to see an overrun); a
      // block declaring 160 bytes that inflates to GBs stops here (issue 15.13).
      data = expectedLength !== undefined ? zstdCapped(block, expectedLength) : zstdDecompress(block);
    } catch (err) {
      if (/too small/i.test(String((err as Error)?.message))) throw codecError(new RangeError('too large'), 'zstd', expectedLength, where);
      throw codecError(err, 'zstd', expectedLength, where);
    }
  }
  if (expectedLength !== undefined && data.length !== expectedLength) checkLength(data, header, expectedLength, where);
  return data;
}

function zstdCapped(block: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected + 1);
  const n = new zstdBinding.DCtx().decompress(out, block);
  return out.subarray(0, n);
}

function checkLength(data: Uint8Array, header: BgenHeader, expectedLength: number, where: Where): void {
  throw new DecodeError('block', undefined, 
    header.compression === 'none'
      ? `genotype block is ${data.length} bytes, expected ${expectedLength}`
      : `genotype block decompresses to ${data.length} bytes, the variant header says ${expectedLength}`,
    where,
  );
}

// ---- Decompressing into a reused buffer --------------------------------------------------------
//
// zlib.inflateSync builds a whole Inflate stream per call (a Duplex with its states and listeners, a
// native handle with a freshly malloc'd inflate state and 32 KiB window, a 16 KiB output chunk) and
// closes it again. For 157-sample blocks (~85 bytes in, 481 out) that cost ~6.5 us of CPU per block
// (bench/bgen-decode.ts); one native handle per thread, reset between blocks and writing straight
// into a reused buffer, ~2.3 us. The streams' native memory also drove the workers' old-space GCs:
// 406 mark-compacts for 1M variants before, 214 after. End to end (157 samples x 1M variants, 2
// threads, user CPU, best of 3): 30.4 s -> 23.5 s; with only the other changes of that commit
// (reused header object, strings, tables) and inflateSync kept: 30.9 s, i.e. within noise.
//
// The handle (`_handle`, its writeSync/reset and the `_writeState` array) is Node-internal, stable
// since Node 10 but undocumented, so it is only used after a self-test at first use; otherwise, and
// whenever a block fails on it (any error or a length mismatch), the block is decompressed again by
// the public inflateSync path, so error messages, and results, are exactly those of that path.
//
// zstd-compressed files get the same treatment with zstd-napi's DCtx (a reused context decompressing
// into the same buffer) instead of decompress(), which allocates a Buffer per block.

interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  reset(): void;
  onerror: (message: string, errno: number, code?: string) => void;
}

let fastDecompress = true;
// undefined: not set up yet; null: unavailable (self-test failed), use inflateSync.
let zHandle: ZlibHandle | null | undefined;
let zState: Uint32Array = new Uint32Array(2);
// biome-ignore lint/correctness/noUnusedVariables: written, never read: it keeps the stream that owns the handle alive
let zEngine: unknown; // keeps the stream that owns the handle alive
let zFailed = false;
let zstdCtx: InstanceType<typeof zstdBinding.DCtx> | null | undefined;

// Decompressed data of the current block: scratch[0, expected) as the cached view `scratchView`.
// scratch holds one byte more than expected, so a block that inflates to more than the variant
// header says fills it and is caught without inflating further.
let scratch = new Uint8Array(0);
let scratchView = new Uint8Array(0);
let scratchCap = new Uint8Array(0); // scratch[0, expected + 1), zstd's output window

/** Tests: switch the reused-handle paths off (true: on, the default) to compare both. */
export function setFastDecompress(on: boolean): void {
  fastDecompress = on;
}

/** Whether the reused zlib handle passed its self-test and is in use (for tests and benchmarks). */
export function zlibHandleInUse(): boolean {
  return fastDecompress && zlibHandle() !== null;
}

function zlibHandle(): ZlibHandle | null {
  if (zHandle !== undefined) return zHandle;
  zHandle = null;
  try {
    const engine = zlib.createInflate() as unknown as { _handle?: ZlibHandle; _writeState?: Uint32Array };
    const h = engine._handle;
    const st = engine._writeState;
    if (!h || typeof h.writeSync !== 'function' || typeof h.reset !== 'function' || !(st instanceof Uint32Array) || st.length < 2) return null;
    // Replacing onerror keeps a bad block from destroying the stream (the handle stays usable after
    // reset()); the error itself is reproduced by the inflateSync fallback.
    h.onerror = () => {
      zFailed = true;
    };
    // Self-test: a good block, a corrupt one and a good one again must behave as inflateSync does.
    const raw = new Uint8Array(300);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 37) & 0xff;
    const z = zlib.deflateSync(raw);
    const out = new Uint8Array(raw.length + 1);
    const run = (input: Uint8Array): number => {
      zFailed = false;
      h.reset();
      h.writeSync(zlib.constants.Z_FINISH, input, 0, input.length, out, 0, out.length);
      return zFailed ? -1 : out.length - st[0];
    };
    const bad = Uint8Array.from(z);
    bad[bad.length - 1] ^= 0xff; // adler32 trailer
    if (run(z) !== raw.length || !Buffer.from(out.buffer, 0, raw.length).equals(raw)) return null;
    if (run(bad) !== -1 || run(z.subarray(0, z.length - 5)) !== -1) return null;
    out.fill(0);
    if (run(z) !== raw.length || !Buffer.from(out.buffer, 0, raw.length).equals(raw)) return null;
    zEngine = engine;
    zState = st;
    zHandle = h;
  } catch {
    zHandle = null;
  }
  return zHandle;
}

function zstdContext(): InstanceType<typeof zstdBinding.DCtx> | null {
  if (zstdCtx === undefined) {
    try {
      zstdCtx = new zstdBinding.DCtx();
    } catch {
      zstdCtx = null;
    }
  }
  return zstdCtx;
}

function scratchFor(expected: number): Uint8Array {
  if (scratch.length < expected + 1) scratch = new Uint8Array(Math.max(expected + 1, 2 * scratch.length));
  if (scratchView.length !== expected || scratchView.buffer !== scratch.buffer) {
    scratchView = scratch.subarray(0, expected);
    scratchCap = scratch.subarray(0, expected + 1);
  }
  return scratchView;
}

/**
 * Decompress bytes[start, start + length) into the shared scratch buffer and return a view of exactly
 * `expected` bytes, valid until the next call. Falls back to decompressBlock (same errors, a fresh
 * buffer) when the fast path is off or fails on this block.
 */
function decompressToScratch(bytes: Uint8Array, start: number, length: number, header: BgenHeader, expected: number, where: Where): Uint8Array {
  if (fastDecompress) {
    const view = scratchFor(expected);
    const cap = expected + 1;
    if (header.compression === 'zlib') {
      const h = zlibHandle();
      if (h !== null) {
        zFailed = false;
        h.reset();
        h.writeSync(Z_FINISH, bytes, start, length, scratch, 0, cap);
        // No error and space left over means zlib reached the end of the stream (Node reports an
        // unfinished stream with room to spare as an error); bytes after it are ignored, as
        // inflateSync ignores them.
        if (!zFailed && cap - zState[0] === expected) return view;
      }
    } else {
      const d = zstdContext();
      if (d !== null) {
        let got = -1;
        try {
          got = d.decompress(scratchCap, bytes.subarray(start, start + length));
        } catch {
          got = -1;
        }
        if (got === expected) return view;
      }
    }
  }
  return decompressBlock(bytes.subarray(start, start + length), header, expected, where);
}

const Z_FINISH = zlib.constants.Z_FINISH;

function codecError(err: unknown, label: string, expected: number | undefined, where: Where): DecodeError {
  const e = err as Error & { code?: string };
  if (e?.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
    return new DecodeError('block', undefined, `genotype block decompresses to more than the ${expected} bytes the variant header says`, where, { cause: err });
  }
  const msg = String(e?.message ?? err).toLowerCase();
  if (/unexpected end|truncated|incomplete/.test(msg)) {
    return new DecodeError('block', undefined, `truncated ${label} genotype block`, where, { cause: err });
  }
  return new DecodeError('block', undefined, `corrupt ${label} genotype block (${msg})`, where, { cause: err });
}

/** Decode already-decompressed probability data (see decodeGenotypeBlock). */
export function decodeProbabilityData(data: Uint8Array, header: BgenHeader, nAlleles: number, out: Float64Array, where: Where = {}): BlockInfo {
  const n = header.nSamples;
  checkOut(out, n, nAlleles);
  if (header.layout === 1) decodeLayout1(data, n, nAlleles, out, where);
  else decodeLayout2(data, n, nAlleles, out, where);
  return { phased: iPhased, bits: iBits, minPloidy: iMinPloidy, maxPloidy: iMaxPloidy, nMissing: iMissing };
}

function decodeLayout1(data: Uint8Array, n: number, nAlleles: number, out: Float64Array, where: Where): void {
  if (nAlleles !== 2) throw new DecodeError('block', undefined, `layout 1 variants have 2 alleles, not ${nAlleles}`, where);
  if (data.length < 6 * n) {
    throw new DecodeError('block', undefined, `genotype block too short: ${n} samples need ${6 * n} bytes, block has ${data.length}`, where);
  }
  let nMissing = 0;
  for (let i = 0, q = 0; i < n; i++, q += 6) {
    const aa = data[q] | (data[q + 1] << 8);
    const ab = data[q + 2] | (data[q + 3] << 8);
    const bb = data[q + 4] | (data[q + 5] << 8);
    const s = aa + ab + bb;
    // Dividing by the stored total (rather than 32768) renormalises rows that do not sum to one, as
    // plink2 does for .gen text; rows that do are unaffected.
    if (s === 0) {
      out[i] = NaN;
      nMissing++;
    } else out[i] = (ab + 2 * bb) / s;
  }
  setInfo(false, 16, 2, 2, nMissing);
}

const POW2: number[] = [];
for (let i = 0; i <= 40; i++) POW2.push(2 ** i);

function decodeLayout2(data: Uint8Array, n: number, nAlleles: number, out: Float64Array, where: Where): void {
  if (data.length < 10 + n) {
    throw new DecodeError('block', undefined, `genotype block too short: ${data.length} bytes cannot hold the ${n} per-sample ploidy bytes`, where);
  }
  const stored = readU32(data, 0);
  if (stored !== n) throw new DecodeError('block', undefined, `genotype block holds ${stored} samples but the header says ${n}`, where);
  const k = readU16(data, 4);
  if (k !== nAlleles) throw new DecodeError('block', undefined, `genotype block has ${k} alleles but the variant header says ${nAlleles}`, where);
  const pmin = data[6];
  const pmax = data[7];
  if (pmin > pmax || pmax > 63) throw new DecodeError('block', undefined, `invalid ploidy range ${pmin}..${pmax} in genotype block`, where);
  const phasedByte = data[8 + n];
  const bits = data[9 + n];
  if (phasedByte > 1) throw new DecodeError('block', undefined, `invalid phased flag ${phasedByte} in genotype block`, where);
  if (bits < 1 || bits > 32) throw new DecodeError('block', undefined, `invalid bits per probability ${bits} in genotype block`, where);
  const phased = phasedByte === 1;
  const start = 10 + n;
  const avail = data.length - start;

  if (!phased && k === 2 && pmin === 2 && pmax === 2) {
    const need = Math.ceil((n * 2 * bits) / 8);
    if (need > avail) throw shortError(n, need, avail, where);
    const nMissing =
      bits === 8
        ? diploid8(data, n, out, where)
        : bits === 16
          ? diploid16(data, n, out, where)
          : bits === 32
            ? diploid32(data, n, out, where)
            : diploidAnyBits(data, n, bits, out, where);
    setInfo(phased, bits, 2, 2, nMissing);
    return;
  }
  decodeGeneral(data, n, k, pmin, pmax, phased, bits, avail, out, where);
}

function shortError(n: number, need: number, avail: number, where: Where): DecodeError {
  return new DecodeError('block', undefined, `genotype block too short: probabilities for ${n} samples need ${need} bytes, block has ${avail}`, where);
}

function badPloidy(i: number, byte: number, where: Where): DecodeError {
  return new DecodeError('block', undefined, `sample ${i + 1} has ploidy ${byte & 63}, outside the block's declared range`, where);
}

// The specialised loops below cover unphased diploid biallelic rows, i.e. nearly all imputed
// data. Stored per sample: x0 = P(AA), x1 = P(AB) in units of 1/(2^B-1); P(BB) is the remainder.
// The remainder is clamped at 0 so a row whose stored values overshoot cannot give a dosage below 0.

// 8-bit rows: the dosage numerator x1 + 2 * max(0, 255 - x0 - x1) is at most 510, so the division
// becomes a lookup of the same correctly rounded quotient (DOSE8[v] is v / 255), and the clamped
// remainder a lookup by x0 + x1 (REST8[s] = 2 * max(0, 255 - s)): no branch on the data and no
// division. A small gain only (the loop is bound by loads and bounds checks, ~2.5 ns a sample):
// 157 random 8-bit rows, CPU time, best of 3: 409-468 ns/variant with the division, 397-407 with
// the tables; a branchless clamp (rest & ~(rest >> 31)) instead of REST8 measured 440.
const DOSE8 = new Float64Array(511);
for (let v = 0; v < 511; v++) DOSE8[v] = v / 255;
const REST8 = new Uint16Array(511);
for (let s = 0; s < 511; s++) REST8[s] = s < 255 ? 2 * (255 - s) : 0;

function diploid8(data: Uint8Array, n: number, out: Float64Array, where: Where): number {
  let nMissing = 0;
  let q = 10 + n;
  for (let i = 0; i < n; i++, q += 2) {
    const pb = data[8 + i];
    const x0 = data[q];
    const x1 = data[q + 1];
    if (pb === 2) {
      out[i] = DOSE8[x1 + REST8[x0 + x1]];
    } else if ((pb & 63) !== 2) {
      throw badPloidy(i, pb, where);
    } else if (pb & 0x80) {
      out[i] = NaN;
      nMissing++;
    } else {
      // Bit 6 set but not missing: harmless, decode as usual.
      out[i] = DOSE8[x1 + REST8[x0 + x1]];
    }
  }
  return nMissing;
}

function diploid16(data: Uint8Array, n: number, out: Float64Array, where: Where): number {
  let nMissing = 0;
  let q = 10 + n;
  for (let i = 0; i < n; i++, q += 4) {
    const pb = data[8 + i];
    if ((pb & 63) !== 2) throw badPloidy(i, pb, where);
    if (pb & 0x80) {
      out[i] = NaN;
      nMissing++;
      continue;
    }
    const x0 = data[q] | (data[q + 1] << 8);
    const x1 = data[q + 2] | (data[q + 3] << 8);
    let rest = 65535 - x0 - x1;
    if (rest < 0) rest = 0;
    out[i] = (x1 + 2 * rest) / 65535;
  }
  return nMissing;
}

function diploid32(data: Uint8Array, n: number, out: Float64Array, where: Where): number {
  const max = 4294967295;
  let nMissing = 0;
  let q = 10 + n;
  for (let i = 0; i < n; i++, q += 8) {
    const pb = data[8 + i];
    if ((pb & 63) !== 2) throw badPloidy(i, pb, where);
    if (pb & 0x80) {
      out[i] = NaN;
      nMissing++;
      continue;
    }
    // Top byte multiplied in, not shifted: values reach 2^32-1 and `<< 24` would turn them negative.
    const x0 = (data[q] | (data[q + 1] << 8) | (data[q + 2] << 16)) + data[q + 3] * 16777216;
    const x1 = (data[q + 4] | (data[q + 5] << 8) | (data[q + 6] << 16)) + data[q + 7] * 16777216;
    let rest = max - x0 - x1;
    if (rest < 0) rest = 0;
    out[i] = (x1 + 2 * rest) / max;
  }
  return nMissing;
}

function diploidAnyBits(data: Uint8Array, n: number, bits: number, out: Float64Array, where: Where): number {
  const max = POW2[bits] - 1;
  startReader(data, 10 + n, bits);
  let nMissing = 0;
  for (let i = 0; i < n; i++) {
    const pb = data[8 + i];
    if ((pb & 63) !== 2) throw badPloidy(i, pb, where);
    const x0 = readValue();
    const x1 = readValue();
    if (pb & 0x80) {
      out[i] = NaN;
      nMissing++;
      continue;
    }
    let rest = max - x0 - x1;
    if (rest < 0) rest = 0;
    out[i] = (x1 + 2 * rest) / max;
  }
  return nMissing;
}

// Bit reader state lives at module level so reading a value allocates nothing. Values are packed
// little-endian: value v occupies bits [v*B, (v+1)*B) of the byte string read as one little-endian
// integer, i.e. low bits of earlier bytes first.
let rBuf: Uint8Array = new Uint8Array(0);
let rPos = 0;
let rOff = 0;
let rBits = 1;
let rMask = 1;

function startReader(buf: Uint8Array, pos: number, bits: number): void {
  rBuf = buf;
  rPos = pos;
  rOff = 0;
  rBits = bits;
  rMask = bits <= 25 ? (1 << bits) - 1 : 0;
}

function readValue(): number {
  const b = rBuf;
  const p = rPos;
  const off = rOff;
  let v: number;
  // With at most 7 bits of offset, a value of up to 25 bits lies within one 32-bit little-endian
  // word; `>>>` keeps that word unsigned. Wider values (and the last bytes of the block) take the
  // exact floating-point route, because int32 arithmetic would go negative or drop bits.
  if (rMask !== 0) {
    if (p + 4 <= b.length) v = ((b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> off) & rMask;
    else v = readValueSlow(b, p, off, rBits);
  } else if (p + 5 <= b.length) {
    // 26..32 bits span up to 5 bytes: the low word shifted unsigned, plus the fifth byte scaled,
    // reduced modulo 2^B in exact double arithmetic (the sum is below 2^40).
    const lo = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> off;
    v = (lo + b[p + 4] * POW2[32 - off]) % POW2[rBits];
  } else {
    v = readValueSlow(b, p, off, rBits);
  }
  const o = off + rBits;
  rPos = p + (o >> 3);
  rOff = o & 7;
  return v;
}

function readValueSlow(b: Uint8Array, p: number, off: number, bits: number): number {
  // Up to 5 bytes (7 + 32 bits) as an exact integer below 2^40. Bytes past the end of the buffer can
  // only be needed for bits above the value (the caller checked the block holds every value bit).
  const nb = (off + bits + 7) >> 3;
  let acc = 0;
  for (let i = 0; i < nb; i++) {
    const at = p + i;
    if (at < b.length) acc += b[at] * POW2[8 * i];
  }
  return Math.floor(acc / POW2[off]) % POW2[bits];
}

function skipValues(count: number): void {
  const o = rOff + count * rBits;
  rPos += Math.floor(o / 8);
  rOff = o % 8;
}

/** Number of unphased genotypes for ploidy z and k alleles: C(z+k-1, k-1). */
function genotypeCount(z: number, k: number): number {
  const r = Math.min(z, k - 1);
  let c = 1;
  for (let i = 1; i <= r; i++) c = (c * (z + k - 1 - r + i)) / i;
  return Math.round(c);
}

// Largest genotype-count table built for one ploidy (entries = genotypes x alleles).
const MAX_TABLE_ENTRIES = 1 << 25;

// Allele counts of each unphased genotype in storage (colex) order, per ploidy, for the current K.
// Cached across calls because consecutive variants usually share K and ploidies.
let tablesK = -1;
let tables: (Uint8Array | undefined)[] = [];

function genotypeTable(z: number, k: number, where: Where): Uint8Array {
  if (tablesK !== k) {
    tablesK = k;
    tables = [];
  }
  let t = tables[z];
  if (t) return t;
  const g = genotypeCount(z, k);
  if (g * k > MAX_TABLE_ENTRIES) {
    throw new DecodeError('block', undefined, `unsupported genotype block: ${g} genotypes for ploidy ${z} and ${k} alleles`, where);
  }
  t = new Uint8Array(g * k);
  // Colex order of count vectors (x_0..x_{k-1}) summing to z: x_{k-1} varies slowest, then x_{k-2},
  // ..., x_1 fastest, and x_0 takes the remainder (so (z,0,...,0) comes first, (0,...,0,z) last).
  const x = new Uint8Array(k);
  let row = 0;
  const fill = (a: number, remaining: number): void => {
    if (a === 0) {
      x[0] = remaining;
      t!.set(x, row * k);
      row++;
      return;
    }
    for (let v = 0; v <= remaining; v++) {
      x[a] = v;
      fill(a - 1, remaining - v);
    }
    x[a] = 0;
  };
  fill(k - 1, z);
  tables[z] = t;
  return t;
}

let acc = new Float64Array(8);

/** Any ploidy, any K, phased or not. Slower: per-value reads and a per-sample accumulator. */
function decodeGeneral(
  data: Uint8Array,
  n: number,
  k: number,
  pmin: number,
  pmax: number,
  phased: boolean,
  bits: number,
  avail: number,
  out: Float64Array,
  where: Where,
): void {
  // Pass 1: validate ploidies and check the block holds every stored value before reading any.
  const perPloidy = new Array<number>(64).fill(-1);
  let totalValues = 0;
  let minSeen = 63;
  let maxSeen = 0;
  for (let i = 0; i < n; i++) {
    const pb = data[8 + i];
    const z = pb & 63;
    if (z < pmin || z > pmax) throw badPloidy(i, pb, where);
    if (z < minSeen) minSeen = z;
    if (z > maxSeen) maxSeen = z;
    let nv = perPloidy[z];
    if (nv < 0) nv = perPloidy[z] = phased ? z * (k - 1) : genotypeCount(z, k) - 1;
    totalValues += nv;
  }
  const need = Math.ceil((totalValues * bits) / 8);
  if (need > avail) throw shortError(n, need, avail, where);
  if (n === 0) {
    minSeen = pmin;
    maxSeen = pmax;
  }

  const max = POW2[bits] - 1;
  if (acc.length < k) acc = new Float64Array(k);
  const a = acc;
  const rows = k - 1;
  startReader(data, 10 + n, bits);
  let nMissing = 0;
  for (let i = 0; i < n; i++) {
    const pb = data[8 + i];
    const z = pb & 63;
    if (pb & 0x80 || z === 0) {
      // Missing samples still occupy their (zero) values in the bit stream.
      skipValues(perPloidy[z]);
      for (let r = 0; r < rows; r++) out[r * n + i] = NaN;
      nMissing++;
      continue;
    }
    a.fill(0, 0, k);
    if (phased) {
      // Per haplotype: P(allele 0..k-2) stored, P(allele k-1) is the remainder.
      for (let h = 0; h < z; h++) {
        let sum = 0;
        for (let j = 0; j < k - 1; j++) {
          const v = readValue();
          a[j] += v;
          sum += v;
        }
        const rest = max - sum;
        if (rest > 0) a[k - 1] += rest;
      }
    } else {
      const t = genotypeTable(z, k, where);
      const g1 = perPloidy[z];
      let sum = 0;
      for (let g = 0, base = 0; g < g1; g++, base += k) {
        const v = readValue();
        if (v === 0) continue;
        sum += v;
        for (let j = 1; j < k; j++) {
          const c = t[base + j];
          if (c !== 0) a[j] += v * c;
        }
      }
      // The unstored last genotype is z copies of allele k-1.
      const rest = max - sum;
      if (rest > 0) a[k - 1] += z * rest;
    }
    for (let r = 0; r < rows; r++) out[r * n + i] = a[r + 1] / max;
  }
  setInfo(phased, bits, minSeen, maxSeen, nMissing);
}
