// A BGEN v1.2 writer: Layout 2, unphased diploid biallelic variants, B bits per probability
// (1..32), probability blocks compressed with zlib (CompressedSNPBlocks=1), zstd (=2) or stored
// as is (=0), and a sample identifier block. Probabilities are rounded to multiples of 1/(2^B - 1)
// with the spec's rule (floor all, round up the largest fractional parts) so the stored values sum
// exactly to 2^B - 1; P(BB) is implied. Missing samples: ploidy byte 0x82 (top bit set) and zero
// probabilities. Spec: https://www.well.ox.ac.uk/~gav/bgen_format/spec/v1.2.html
import * as zlib from 'node:zlib';
import { compress as zstdCompress } from 'zstd-napi';

export type BgenCompression = 'none' | 'zlib' | 'zstd';

export const BGEN_COMPRESSION_FLAG: Record<BgenCompression, number> = { none: 0, zlib: 1, zstd: 2 };

export interface BgenHeaderOptions {
  nSamples: number;
  nVariants: number;
  compression: BgenCompression;
  /** Written as the sample identifier block (SampleIdentifiers=1) when given. */
  sampleIds?: readonly string[] | null;
  /** Free data area in the header block (e.g. a description). */
  freeData?: string;
}

/** The bytes before the first variant block: offset, header block, optional sample identifier block. */
export function encodeBgenHeader(opts: BgenHeaderOptions): Buffer {
  const free = Buffer.from(opts.freeData ?? '', 'utf8');
  const lh = 20 + free.length;
  let sampleBlock: Buffer | null = null;
  if (opts.sampleIds) {
    if (opts.sampleIds.length !== opts.nSamples) throw new RangeError('bgen: sample id count differs from the sample count');
    const ids = opts.sampleIds.map((s) => Buffer.from(s, 'utf8'));
    const lsi = 8 + ids.reduce((a, b) => a + 2 + b.length, 0);
    sampleBlock = Buffer.alloc(lsi);
    sampleBlock.writeUInt32LE(lsi, 0);
    sampleBlock.writeUInt32LE(opts.nSamples, 4);
    let p = 8;
    for (const id of ids) {
      if (id.length > 0xffff) throw new RangeError('bgen: sample identifier too long');
      sampleBlock.writeUInt16LE(id.length, p);
      id.copy(sampleBlock, p + 2);
      p += 2 + id.length;
    }
  }
  const offset = lh + (sampleBlock ? sampleBlock.length : 0);
  const out = Buffer.alloc(4 + offset);
  out.writeUInt32LE(offset, 0);
  out.writeUInt32LE(lh, 4);
  out.writeUInt32LE(opts.nVariants, 8);
  out.writeUInt32LE(opts.nSamples, 12);
  out.write('bgen', 16, 'latin1');
  free.copy(out, 20);
  const flags = (BGEN_COMPRESSION_FLAG[opts.compression] | (2 << 2) | (sampleBlock ? 0x80000000 : 0)) >>> 0;
  out.writeUInt32LE(flags, 4 + lh - 4);
  if (sampleBlock) sampleBlock.copy(out, 4 + lh);
  return out;
}

/**
 * The spec's rounding of probabilities v (summing to ~1; renormalised here) to integers x with
 * sum(x) = 2^bits - 1: multiply by 2^bits - 1, floor, then round up the entries with the largest
 * fractional parts (ties: lower index first). Writes x into out.
 */
export function roundProbabilities(v: ArrayLike<number>, bits: number, out: { [i: number]: number; length: number }): void {
  const d = v.length;
  const scale = 2 ** bits - 1;
  let sum = 0;
  for (let i = 0; i < d; i++) sum += v[i];
  const frac = new Float64Array(d);
  let floors = 0;
  for (let i = 0; i < d; i++) {
    const x = (v[i] / sum) * scale;
    const f = Math.floor(x);
    out[i] = f;
    frac[i] = x - f;
    floors += f;
  }
  let left = scale - floors;
  while (left > 0) {
    let best = 0;
    for (let i = 1; i < d; i++) if (frac[i] > frac[best]) best = i;
    out[best]++;
    frac[best] = -1;
    left--;
  }
  while (left < 0) {
    let best = 0;
    for (let i = 1; i < d; i++) if (out[i] > out[best]) best = i;
    out[best]--;
    left++;
  }
}

export interface BgenVariantMeta {
  snpid: string;
  rsid: string;
  chr: string;
  pos: number;
  /** Exactly two alleles (first, second). */
  a: string;
  b: string;
}

/** Encodes variant data blocks (identifying data + Layout 2 genotype block) for a fixed sample count. */
export class BgenVariantEncoder {
  readonly nSamples: number;
  readonly bits: number;
  readonly compression: BgenCompression;
  private readonly scale: number;
  /** Uncompressed probability data (D bytes), reused. */
  private readonly raw: Buffer;
  readonly probBytes: number;

  constructor(nSamples: number, bits: number, compression: BgenCompression) {
    if (!Number.isInteger(bits) || bits < 1 || bits > 32) throw new RangeError('bgen: bits must be 1..32');
    this.nSamples = nSamples;
    this.bits = bits;
    this.compression = compression;
    this.scale = 2 ** bits - 1;
    this.probBytes = Math.ceil((nSamples * 2 * bits) / 8);
    this.raw = Buffer.alloc(10 + nSamples + this.probBytes);
  }

  /**
   * One complete variant data block. probs holds P(AA), P(AB), P(BB) per sample; a sample is
   * missing when missing[i] is set or its probabilities sum to zero (or are not finite).
   */
  encode(meta: BgenVariantMeta, probs: Float64Array, missing?: Uint8Array | null): Buffer {
    const n = this.nSamples;
    const raw = this.raw;
    raw.writeUInt32LE(n, 0);
    raw.writeUInt16LE(2, 4);
    raw[6] = 2; // min ploidy
    raw[7] = 2; // max ploidy
    raw[8 + n] = 0; // unphased
    raw[9 + n] = this.bits;
    const base = 10 + n;
    raw.fill(0, base);
    const scale = this.scale;
    const bits = this.bits;
    // Bit accumulator for arbitrary B (kept below 2^53: at most 7 + 32 pending bits).
    let acc = 0;
    let accBits = 0;
    let bp = base;
    for (let i = 0, k = 0; i < n; i++, k += 3) {
      const p0 = probs[k];
      const p1 = probs[k + 1];
      const p2 = probs[k + 2];
      const s = p0 + p1 + p2;
      let x0 = 0;
      let x1 = 0;
      if (missing?.[i] || !(s > 0) || !Number.isFinite(s)) {
        raw[8 + i] = 0x82;
      } else {
        raw[8 + i] = 2;
        // Spec rounding for three values, inline.
        const y0 = (p0 / s) * scale;
        const y1 = (p1 / s) * scale;
        const y2 = (p2 / s) * scale;
        x0 = Math.floor(y0);
        x1 = Math.floor(y1);
        let x2 = Math.floor(y2);
        let left = scale - x0 - x1 - x2;
        if (left !== 0) {
          let f0 = y0 - x0;
          let f1 = y1 - x1;
          let f2 = y2 - x2;
          while (left > 0) {
            if (f0 >= f1 && f0 >= f2) {
              x0++;
              f0 = -1;
            } else if (f1 >= f2) {
              x1++;
              f1 = -1;
            } else {
              x2++;
              f2 = -1;
            }
            left--;
          }
          while (left < 0) {
            if (x0 >= x1 && x0 >= x2) x0--;
            else if (x1 >= x2) x1--;
            else x2--;
            left++;
          }
        }
      }
      if (bits === 8) {
        raw[bp] = x0;
        raw[bp + 1] = x1;
        bp += 2;
      } else if (bits === 16) {
        raw[bp] = x0 & 0xff;
        raw[bp + 1] = x0 >>> 8;
        raw[bp + 2] = x1 & 0xff;
        raw[bp + 3] = x1 >>> 8;
        bp += 4;
      } else {
        acc += x0 * 2 ** accBits;
        accBits += bits;
        while (accBits >= 8) {
          raw[bp++] = acc % 256;
          acc = Math.floor(acc / 256);
          accBits -= 8;
        }
        acc += x1 * 2 ** accBits;
        accBits += bits;
        while (accBits >= 8) {
          raw[bp++] = acc % 256;
          acc = Math.floor(acc / 256);
          accBits -= 8;
        }
      }
    }
    if (accBits > 0) raw[bp++] = acc;

    let payload: Buffer;
    if (this.compression === 'zlib') payload = zlib.deflateSync(raw);
    else if (this.compression === 'zstd') payload = zstdCompress(raw);
    else payload = raw;

    const id = Buffer.from(meta.snpid, 'utf8');
    const rsid = Buffer.from(meta.rsid, 'utf8');
    const chr = Buffer.from(meta.chr, 'utf8');
    const a = Buffer.from(meta.a, 'utf8');
    const b = Buffer.from(meta.b, 'utf8');
    const compressed = this.compression !== 'none';
    const headLen = 2 + id.length + 2 + rsid.length + 2 + chr.length + 4 + 2 + 4 + a.length + 4 + b.length;
    const out = Buffer.allocUnsafe(headLen + 4 + (compressed ? 4 : 0) + payload.length);
    let p = 0;
    p = out.writeUInt16LE(id.length, p);
    p += id.copy(out, p);
    p = out.writeUInt16LE(rsid.length, p);
    p += rsid.copy(out, p);
    p = out.writeUInt16LE(chr.length, p);
    p += chr.copy(out, p);
    p = out.writeUInt32LE(meta.pos, p);
    p = out.writeUInt16LE(2, p);
    p = out.writeUInt32LE(a.length, p);
    p += a.copy(out, p);
    p = out.writeUInt32LE(b.length, p);
    p += b.copy(out, p);
    p = out.writeUInt32LE(payload.length + (compressed ? 4 : 0), p);
    if (compressed) p = out.writeUInt32LE(raw.length, p);
    payload.copy(out, p);
    return out;
  }
}
