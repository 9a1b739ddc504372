// BGEN genotype blocks -> dosages. A BgenBlockDecoder, owned by one worker (or one reader), holds
// every piece of state: the reused inflate handle and zstd context, the decompression scratch, the
// bit reader and the genotype tables; it is handed the stored block of one variant and a
// preallocated Float64Array and writes expected allele counts into it (docs/decisions/0102).
//
// Output layout: for a variant with K alleles `out` holds K-1 rows of nSamples values; row j-1 is
// the expected count of allele j (j = 1..K-1, allele 0 being the first listed). NaN marks a missing
// sample (missing flag set, ploidy 0, or all-zero layout 1 probabilities).
//
// Numerics: probabilities are kept as the stored integers and every dosage is one division of an
// exact integer numerator, so results are correctly rounded and identical between code paths.
import * as zlib from 'node:zlib';
import { ReusedInflate } from '../../io/inflate-handle.js';
import { decompress as zstdDecompress } from 'zstd-napi';
import zstdBinding from 'zstd-napi/binding.js';
import { DecodeError, type Where } from '../../errors.js';
import type { BgenHeader } from './header.js';
import { readU16, readU32 } from './bytes.js';
import { HardCallWasm } from './hard-wasm.js';

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
 * dosages into `out` (length >= (K-1) * nSamples). A convenience over a fresh BgenBlockDecoder using
 * the public inflate path: tests, tools and one-off reads; loops over many blocks own a decoder.
 */
export function decodeGenotypeBlock(block: Uint8Array, header: BgenHeader, nAlleles: number, out: Float64Array, opts: DecodeOptions = {}): BlockInfo {
  const d = new BgenBlockDecoder({ fastDecompress: false });
  d.decode(block, 0, block.length, header, nAlleles, out, opts.uncompressedLength, opts.where ?? {});
  return d.info();
}

/** Decode already-decompressed probability data (see decodeGenotypeBlock). */
export function decodeProbabilityData(data: Uint8Array, header: BgenHeader, nAlleles: number, out: Float64Array, where: Where = {}): BlockInfo {
  const d = new BgenBlockDecoder({ fastDecompress: false });
  d.decodeData(data, header, nAlleles, out, where);
  return d.info();
}

function checkOut(out: Float64Array, n: number, nAlleles: number): void {
  if (out.length < (nAlleles - 1) * n) {
    throw new RangeError(`dosage buffer holds ${out.length} values, ${nAlleles - 1} rows of ${n} samples need ${(nAlleles - 1) * n}`);
  }
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
  throw new DecodeError(
    'block',
    undefined,
    header.compression === 'none'
      ? `genotype block is ${data.length} bytes, expected ${expectedLength}`
      : `genotype block decompresses to ${data.length} bytes, the variant header says ${expectedLength}`,
    where,
  );
}

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

type ZstdDCtx = InstanceType<typeof zstdBinding.DCtx>;

export interface BgenBlockDecoderOptions {
  /**
   * Decompress through one reused zlib handle / zstd context into reused scratch (default true);
   * false: the public inflateSync / allocate-per-block path (tests compare both).
   */
  fastDecompress?: boolean;
  /** false: the JavaScript hard-call detection even where WebAssembly is available (tests). */
  wasm?: boolean;
}

/**
 * Decodes stored BGEN genotype blocks. One per worker (or reader): it owns the inflate handle, the
 * zstd context, the decompression scratch, the bit reader and the genotype tables, so two decoders
 * on one thread never share anything. After each decode, phased/bits/minPloidy/maxPloidy/nMissing
 * describe that block (fields, so the per-variant path returns no object).
 */
export class BgenBlockDecoder {
  phased = false;
  bits = 0;
  minPloidy = 0;
  maxPloidy = 0;
  nMissing = 0;
  /**
   * Per-sample ploidy of the last block when a sample present (not missing) is not diploid, else
   * null: FRQ is then allele dosage over allele count, sum(d) / sum(ploidy) (issue 15.8).
   */
  ploidy: Uint8Array | null = null;
  /**
   * Whether the last block was all exact hard calls (8-bit, unphased diploid biallelic, every
   * sample (255,0), (0,255), (0,0) or missing): `codes` then holds each sample's allele-1 count
   * 0/1/2, 3 when missing, and the kernel gathers from it (docs/decisions/0202).
   */
  hard = false;
  codes: Uint8Array = new Uint8Array(0);
  /**
   * false: a hard-call block leaves `out` unwritten (its dosages are `codes`; dosagesFromCodes
   * writes them). For callers that use only the codes, e.g. the linear kernel (rows.ts).
   */
  hardCallDosages = true;
  /**
   * true: diploid biallelic layout-2 rows (phased or not) of up to 28 bits are decoded to plink2's own
   * 1/16384 quanta (`plink2Dosage`), so results equal plink2's digit for digit; `quantized` then
   * says whether the last block was (other shapes are left to the caller).
   */
  plink2Quanta = false;
  quantized = false;
  private jsCodes = new Uint8Array(0);
  // The scratch in WebAssembly memory and the hard-call detector reading it (0202), made with the
  // first compressed block (a worker that reads no BGEN makes no memory); null: JS.
  private hw: HardCallWasm | null = null;
  private useWasm: boolean;
  private ploidyBuf = new Uint8Array(0);
  private readonly fast: boolean;
  // Inflating into the reused scratch through one reused zlib handle (docs/decisions/0010).
  private readonly inflater = new ReusedInflate('zlib');
  private zstdCtx: ZstdDCtx | null | undefined;
  // Decompressed data of the current block: scratch[0, expected) as the cached view `scratchView`.
  // scratch holds one byte more than expected, so a block that inflates to more than the variant
  // header says fills it and is caught without inflating further.
  private scratch: Uint8Array = new Uint8Array(0);
  private scratchView: Uint8Array = new Uint8Array(0);
  private scratchCap: Uint8Array = new Uint8Array(0); // scratch[0, expected + 1), zstd's output window
  private readonly reader = new BitReader();
  // Allele counts of each unphased genotype in storage order, per ploidy, for the current K.
  private tablesK = -1;
  private tables: (Uint8Array | undefined)[] = [];
  private acc = new Float64Array(8);

  constructor(opts: BgenBlockDecoderOptions = {}) {
    this.fast = opts.fastDecompress ?? true;
    this.useWasm = this.fast && opts.wasm !== false;
  }

  /**
   * Decode the stored block bytes[start, start + length), allocating nothing per call on the usual
   * path: K-1 rows of nSamples dosages into `out`. Returns the number of missing samples; `where` is
   * only read to build an error.
   */
  decode(bytes: Uint8Array, start: number, length: number, header: BgenHeader, nAlleles: number, out: Float64Array, uncompressedLength: number | undefined, where: Where): number {
    const n = header.nSamples;
    let data: Uint8Array;
    if (header.compression === 'none') {
      data = start === 0 && length === bytes.length ? bytes : bytes.subarray(start, start + length);
      const expected = header.layout === 1 ? 6 * n : length;
      if (data.length !== expected) checkLength(data, header, expected, where);
    } else {
      const expected = header.layout === 1 ? 6 * n : uncompressedLength;
      data = expected === undefined ? decompressBlock(bytes.subarray(start, start + length), header, expected, where) : this.decompressToScratch(bytes, start, length, header, expected, n, where);
    }
    return this.decodeData(data, header, nAlleles, out, where);
  }

  /** Decode already-decompressed probability data; returns the number of missing samples. */
  decodeData(data: Uint8Array, header: BgenHeader, nAlleles: number, out: Float64Array, where: Where): number {
    const n = header.nSamples;
    checkOut(out, n, nAlleles);
    this.hard = false;
    this.quantized = false;
    if (header.layout === 1) this.setInfo(false, 16, 2, 2, decodeLayout1(data, n, nAlleles, out, where));
    else this.decodeLayout2(data, n, nAlleles, out, where);
    return this.nMissing;
  }

  /** BlockInfo of the last decoded block, as an object. */
  info(): BlockInfo {
    return { phased: this.phased, bits: this.bits, minPloidy: this.minPloidy, maxPloidy: this.maxPloidy, nMissing: this.nMissing };
  }

  /** Whether the reused zlib handle passed its self-test and is in use (tests and benchmarks). */
  zlibHandleInUse(): boolean {
    return this.fast && this.inflater.available();
  }

  private setInfo(phased: boolean, bits: number, minPloidy: number, maxPloidy: number, nMissing: number, ploidy: Uint8Array | null = null): void {
    this.ploidy = ploidy;
    this.phased = phased;
    this.bits = bits;
    this.minPloidy = minPloidy;
    this.maxPloidy = maxPloidy;
    this.nMissing = nMissing;
  }

  private zstdContext(): ZstdDCtx | null {
    if (this.zstdCtx === undefined) {
      try {
        this.zstdCtx = new zstdBinding.DCtx();
      } catch {
        this.zstdCtx = null;
      }
    }
    return this.zstdCtx;
  }

  private scratchFor(expected: number, n: number): Uint8Array {
    if (this.useWasm) {
      this.useWasm = false;
      this.hw = HardCallWasm.create();
    }
    const hw = this.hw;
    if (hw !== null) {
      hw.reserve(expected + 1, n);
      if (this.scratch.buffer !== hw.u8.buffer || this.scratch.length !== hw.scratchCap) this.scratch = hw.u8.subarray(0, hw.scratchCap);
    } else if (this.scratch.length < expected + 1) this.scratch = new Uint8Array(Math.max(expected + 1, 2 * this.scratch.length));
    if (this.scratchView.length !== expected || this.scratchView.buffer !== this.scratch.buffer) {
      this.scratchView = this.scratch.subarray(0, expected);
      this.scratchCap = this.scratch.subarray(0, expected + 1);
    }
    return this.scratchView;
  }

  /**
   * Decompress bytes[start, start + length) into the scratch buffer and return a view of exactly
   * `expected` bytes, valid until the next call. Falls back to decompressBlock (same errors, a fresh
   * buffer) when the fast path is off or fails on this block.
   */
  private decompressToScratch(bytes: Uint8Array, start: number, length: number, header: BgenHeader, expected: number, n: number, where: Where): Uint8Array {
    if (this.fast) {
      const view = this.scratchFor(expected, n);
      if (header.compression === 'zlib') {
        if (this.inflater.inflate(bytes, start, length, this.scratch, 0, expected)) return view;
      } else {
        const d = this.zstdContext();
        if (d !== null) {
          let got = -1;
          try {
            got = d.decompress(this.scratchCap, bytes.subarray(start, start + length));
          } catch {
            got = -1;
          }
          if (got === expected) return view;
        }
      }
    }
    return decompressBlock(bytes.subarray(start, start + length), header, expected, where);
  }

  private decodeLayout2(data: Uint8Array, n: number, nAlleles: number, out: Float64Array, where: Where): void {
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
    const avail = data.length - (10 + n);

    if (!phased && k === 2 && pmin === 2 && pmax === 2) {
      const need = Math.ceil((n * 2 * bits) / 8);
      if (need > avail) throw shortError(n, need, avail, where);
      const p2 = this.plink2Quanta && bits <= 28;
      const nMissing =
        bits === 8
          ? this.diploid8(data, n, out, where)
          : bits === 16
            ? diploid16(data, n, out, where, p2)
            : bits === 32
              ? diploid32(data, n, out, where)
              : diploidAnyBits(this.reader, data, n, bits, out, where, p2);
      this.quantized = p2;
      this.setInfo(phased, bits, 2, 2, nMissing);
      return;
    }
    this.decodeGeneral(data, n, k, pmin, pmax, phased, bits, avail, out, where);
  }

  /**
   * 8-bit rows: the exact hard calls' codes (WebAssembly on the scratch, else hardCodes8); when one
   * sample is not, its dosages from there by the general 8-bit loop and `hard` stays false.
   */
  private diploid8(data: Uint8Array, n: number, out: Float64Array, where: Where): number {
    const hw = this.hw;
    let i: number;
    let nMissing: number;
    if (hw?.holds(data) && this.codesRoom(hw, n)) {
      i = hw.detect(data, n);
      nMissing = hw.missing;
      this.codes = hw.codes(n);
    } else {
      if (this.jsCodes.length < n) this.jsCodes = new Uint8Array(n);
      this.codes = this.jsCodes;
      i = hardCodes8(data, n, this.codes);
      nMissing = countMissing(this.codes, i);
    }
    if (i === n) {
      this.hard = true;
      if (this.hardCallDosages) codesToDosages(this.codes, n, out);
      return nMissing;
    }
    codesToDosages(this.codes, i, out);
    return nMissing + diploid8(data, n, out, where, i, this.plink2Quanta ? DOSE8_PLINK2 : DOSE8);
  }

  /** Whether the detector has room for n codes (reserved with the scratch; else the JS loop). */
  private codesRoom(hw: HardCallWasm, n: number): boolean {
    return hw.codesAt + n <= hw.u8.length;
  }

  /** The dosages of the last block when `hard` (0, 1, 2, NaN when missing) into out[0, n). */
  dosagesFromCodes(out: Float64Array, n: number): void {
    codesToDosages(this.codes, n, out);
  }

  /** Any ploidy, any K, phased or not. Slower: per-value reads and a per-sample accumulator. */
  private decodeGeneral(data: Uint8Array, n: number, k: number, pmin: number, pmax: number, phased: boolean, bits: number, avail: number, out: Float64Array, where: Where): void {
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
    if (this.acc.length < k) this.acc = new Float64Array(k);
    const max = POW2[bits] - 1;
    const r = this.reader;
    r.start(data, 10 + n, bits);
    let nMissing = 0;
    if (this.ploidyBuf.length < n) this.ploidyBuf = new Uint8Array(n);
    const ploidy = this.ploidyBuf;
    let nonDiploid = false;
    for (let i = 0; i < n; i++) {
      const pb = data[8 + i];
      const z = pb & 63;
      ploidy[i] = z;
      if (z !== 2 && !(pb & 0x80)) nonDiploid = true;
      if (pb & 0x80 || z === 0) {
        // Missing samples still occupy their (zero) values in the bit stream.
        r.skip(perPloidy[z]);
        for (let row = 0; row < k - 1; row++) out[row * n + i] = NaN;
        nMissing++;
        continue;
      }
      if (phased) phasedSample(r, this.acc, z, k, bits);
      else unphasedSample(r, this.acc, this.genotypeTable(z, k, where), perPloidy[z], z, k, bits);
      for (let row = 0; row < k - 1; row++) out[row * n + i] = this.acc[row + 1] / max;
    }
    this.setInfo(phased, bits, minSeen, maxSeen, nMissing, nonDiploid ? ploidy.subarray(0, n) : null);
    // Phased biallelic diploid rows: plink2 applies the same rule to the haplotypes' summed count.
    if (this.plink2Quanta && phased && k === 2 && minSeen === 2 && maxSeen === 2 && bits <= 28) {
      plink2Quantize(out, n, bits);
      this.quantized = true;
    }
  }

  private genotypeTable(z: number, k: number, where: Where): Uint8Array {
    if (this.tablesK !== k) {
      this.tablesK = k;
      this.tables = [];
    }
    let t = this.tables[z];
    if (t) return t;
    const g = genotypeCount(z, k);
    if (g * k > MAX_TABLE_ENTRIES) {
      throw new DecodeError('block', undefined, `unsupported genotype block: ${g} genotypes for ploidy ${z} and ${k} alleles`, where);
    }
    t = buildGenotypeTable(z, k, g);
    this.tables[z] = t;
    return t;
  }
}

function decodeLayout1(data: Uint8Array, n: number, nAlleles: number, out: Float64Array, where: Where): number {
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
  return nMissing;
}

const POW2: number[] = [];
for (let i = 0; i <= 40; i++) POW2.push(2 ** i);

function shortError(n: number, need: number, avail: number, where: Where): DecodeError {
  return new DecodeError('block', undefined, `genotype block too short: probabilities for ${n} samples need ${need} bytes, block has ${avail}`, where);
}

function badPloidy(i: number, byte: number, where: Where): DecodeError {
  return new DecodeError('block', undefined, `sample ${i + 1} has ploidy ${byte & 63}, outside the block's declared range`, where);
}

// The specialised loops below cover unphased diploid biallelic rows, i.e. nearly all imputed
// data. Stored per sample: x0 = P(AA), x1 = P(AB) in units of 1/(2^B-1); P(BB) is the remainder.
// The remainder is clamped at 0 so a row whose stored values overshoot cannot give a dosage below 0.

// 8-bit rows: lookups of the correctly rounded quotient (DOSE8[v] = v / 255) and of the clamped
// remainder (REST8[s] = 2 * max(0, 255 - s)): no branch on the data, no division (decision 0010).
const DOSE8 = new Float64Array(511);
for (let v = 0; v < 511; v++) DOSE8[v] = v / 255;
const REST8 = new Uint16Array(511);
for (let s = 0; s < 511; s++) REST8[s] = s < 255 ? 2 * (255 - s) : 0;
// The same index (the second allele's count v) to plink2's quantum of the dosage (plink2Dosage).
const DOSE8_PLINK2 = new Float64Array(511);
for (let v = 0; v < 511; v++) DOSE8_PLINK2[v] = plink2Dosage(v, 255, 128);

/**
 * plink2's dosage of the second allele, from its count v = P(AB) + 2·P(BB) in units of 1/max
 * (max = 2^bits − 1, half = 2^(bits−1), 0 for 1 bit): plink2 stores the first allele's count c = 2·max − v as
 * floor((c·16384 + half) / max) sixteen-thousandths, so a quotient with a fraction just under ½
 * rounds up, where rounding the dosage itself would round it down (1 in 255 8-bit genotypes).
 */
function plink2Dosage(v: number, max: number, half: number): number {
  return (32768 - Math.floor(((2 * max - v) * 16384 + half) / max)) / 16384;
}

/**
 * plink2Dosage over a row of second-allele dosages on the diploid scale (each a multiple of
 * 1/(2^bits − 1); a haploid sample's already doubled, as plink2 counts it); NaN stays missing.
 */
export function plink2Quantize(out: Float64Array, n: number, bits: number): void {
  const max = POW2[bits] - 1;
  const half = bits === 1 ? 0 : POW2[bits - 1];
  for (let i = 0; i < n; i++) if (out[i] === out[i]) out[i] = plink2Dosage(Math.round(out[i] * max), max, half);
}

// Exact hard calls: HARD8[x0 | x1 << 8] is the allele-1 count of (255,0), (0,255), (0,0), else 255.
const HARD8 = new Uint8Array(65536).fill(255);
HARD8[255] = 0;
HARD8[255 << 8] = 1;
HARD8[0] = 2;

/**
 * The JavaScript twin of bgen-hard.wat's h8: codes of the leading exact hard calls (0/1/2, 3 for a
 * missing sample) of an 8-bit row; returns the first sample that is not one (n when all are).
 */
function hardCodes8(data: Uint8Array, n: number, codes: Uint8Array): number {
  let i = 0;
  for (let q = 10 + n; i < n; i++, q += 2) {
    const pb = data[8 + i];
    const c = HARD8[data[q] | (data[q + 1] << 8)];
    if (pb === 2 && c !== 255) codes[i] = c;
    else if (pb === 0x82) codes[i] = 3;
    else break;
  }
  return i;
}

function countMissing(codes: Uint8Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) if (codes[i] === 3) m++;
  return m;
}

const CODE_DOSE = new Float64Array([0, 1, 2, NaN]);

function codesToDosages(codes: Uint8Array, n: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) out[i] = CODE_DOSE[codes[i]];
}

/** Samples from..n-1 of an 8-bit row (any values); returns their missing count. */
function diploid8(data: Uint8Array, n: number, out: Float64Array, where: Where, from: number, dose: Float64Array): number {
  let nMissing = 0;
  let q = 10 + n + 2 * from;
  for (let i = from; i < n; i++, q += 2) {
    const pb = data[8 + i];
    const x0 = data[q];
    const x1 = data[q + 1];
    if (pb === 2) {
      out[i] = dose[x1 + REST8[x0 + x1]];
    } else if ((pb & 63) !== 2) {
      throw badPloidy(i, pb, where);
    } else if (pb & 0x80) {
      out[i] = NaN;
      nMissing++;
    } else {
      // Bit 6 set but not missing: harmless, decode as usual.
      out[i] = dose[x1 + REST8[x0 + x1]];
    }
  }
  return nMissing;
}

function diploid16(data: Uint8Array, n: number, out: Float64Array, where: Where, p2: boolean): number {
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
    out[i] = p2 ? plink2Dosage(x1 + 2 * rest, 65535, 32768) : (x1 + 2 * rest) / 65535;
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

function diploidAnyBits(r: BitReader, data: Uint8Array, n: number, bits: number, out: Float64Array, where: Where, p2: boolean): number {
  const max = POW2[bits] - 1;
  const half = bits === 1 ? 0 : POW2[bits - 1]; // 1 bit: a whole count, nothing to round
  r.start(data, 10 + n, bits);
  let nMissing = 0;
  for (let i = 0; i < n; i++) {
    const pb = data[8 + i];
    if ((pb & 63) !== 2) throw badPloidy(i, pb, where);
    const x0 = r.read();
    const x1 = r.read();
    if (pb & 0x80) {
      out[i] = NaN;
      nMissing++;
      continue;
    }
    let rest = max - x0 - x1;
    if (rest < 0) rest = 0;
    out[i] = p2 ? plink2Dosage(x1 + 2 * rest, max, half) : (x1 + 2 * rest) / max;
  }
  return nMissing;
}

/**
 * Values packed little-endian: value v occupies bits [v*B, (v+1)*B) of the byte string read as one
 * little-endian integer, i.e. low bits of earlier bytes first. A cursor object, so reading a value
 * allocates nothing.
 */
class BitReader {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private off = 0;
  private bits = 1;
  private mask = 1;

  start(buf: Uint8Array, pos: number, bits: number): void {
    this.buf = buf;
    this.pos = pos;
    this.off = 0;
    this.bits = bits;
    this.mask = bits <= 25 ? (1 << bits) - 1 : 0;
  }

  read(): number {
    const b = this.buf;
    const p = this.pos;
    const off = this.off;
    const bits = this.bits;
    let v: number;
    // With at most 7 bits of offset, a value of up to 25 bits lies within one 32-bit little-endian
    // word; `>>>` keeps that word unsigned. Wider values (and the last bytes of the block) take the
    // exact floating-point route, because int32 arithmetic would go negative or drop bits.
    if (this.mask !== 0) {
      if (p + 4 <= b.length) v = ((b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> off) & this.mask;
      else v = readValueSlow(b, p, off, bits);
    } else if (p + 5 <= b.length) {
      // 26..32 bits span up to 5 bytes: the low word shifted unsigned, plus the fifth byte scaled,
      // reduced modulo 2^B in exact double arithmetic (the sum is below 2^40).
      const lo = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> off;
      v = (lo + b[p + 4] * POW2[32 - off]) % POW2[bits];
    } else {
      v = readValueSlow(b, p, off, bits);
    }
    const o = off + bits;
    this.pos = p + (o >> 3);
    this.off = o & 7;
    return v;
  }

  skip(count: number): void {
    const o = this.off + count * this.bits;
    this.pos += Math.floor(o / 8);
    this.off = o % 8;
  }
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

/** One phased sample of ploidy z: per haplotype P(allele 0..k-2) stored, P(allele k-1) the remainder. */
function phasedSample(r: BitReader, a: Float64Array, z: number, k: number, bits: number): void {
  const max = POW2[bits] - 1;
  a.fill(0, 0, k);
  for (let h = 0; h < z; h++) {
    let sum = 0;
    for (let j = 0; j < k - 1; j++) {
      const v = r.read();
      a[j] += v;
      sum += v;
    }
    const rest = max - sum;
    if (rest > 0) a[k - 1] += rest;
  }
}

/** One unphased sample of ploidy z: g1 stored genotype probabilities weighted by allele counts `t`. */
function unphasedSample(r: BitReader, a: Float64Array, t: Uint8Array, g1: number, z: number, k: number, bits: number): void {
  const max = POW2[bits] - 1;
  a.fill(0, 0, k);
  let sum = 0;
  for (let g = 0, base = 0; g < g1; g++, base += k) {
    const v = r.read();
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

/** Number of unphased genotypes for ploidy z and k alleles: C(z+k-1, k-1). */
function genotypeCount(z: number, k: number): number {
  const r = Math.min(z, k - 1);
  let c = 1;
  for (let i = 1; i <= r; i++) c = (c * (z + k - 1 - r + i)) / i;
  return Math.round(c);
}

// Largest genotype-count table built for one ploidy (entries = genotypes x alleles).
const MAX_TABLE_ENTRIES = 1 << 25;

/**
 * Allele counts of each of the g unphased genotypes of ploidy z in storage (colex) order: x_{k-1}
 * varies slowest, then x_{k-2}, ..., x_1 fastest, and x_0 takes the remainder (so (z,0,...,0) comes
 * first, (0,...,0,z) last).
 */
function buildGenotypeTable(z: number, k: number, g: number): Uint8Array {
  const t = new Uint8Array(g * k);
  const x = new Uint8Array(k);
  let row = 0;
  const fill = (a: number, remaining: number): void => {
    if (a === 0) {
      x[0] = remaining;
      t.set(x, row * k);
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
  return t;
}
