// BGZF (blocked gzip, SAM/BAM spec section 4.1): independent gzip members of at most 64 KiB of
// data, each announcing its own compressed length in the BC extra subfield. The main thread cuts
// the stream with blockLength (no inflating); workers inflate with inflateBlocks.
import * as zlib from 'node:zlib';
import { DecodeError } from '../../errors.js';
import type { ReusedInflate } from '../../io/inflate-handle.js';
import { crc32 } from '../../io/native-deflate.js';

export const BGZF_MAX_DATA = 1 << 16;

/** gzip magic with FEXTRA and a BC subfield within the first bytes: a BGZF file. */
export function isBgzf(b: Uint8Array): boolean {
  if (!(b.length >= 18 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 8 && (b[3] & 4) !== 0)) return false;
  try {
    return blockLength(b, 0, b.length) > 0;
  } catch {
    return false; // gzip with an extra field but no BC subfield: plain gzip
  }
}

/**
 * Total length of the BGZF block at b[p] (BSIZE + 1), -1 when fewer than its header's bytes are
 * available; throws DecodeError (byteOffset p, within b) when the bytes there are not a BGZF block header.
 */
export function blockLength(b: Uint8Array, p: number, have: number): number {
  if (have - p < 12) return -1;
  if (b[p] !== 0x1f || b[p + 1] !== 0x8b || b[p + 2] !== 8 || (b[p + 3] & 4) === 0) throw blockError('not a BGZF block header (gzip magic with an extra field expected)', p);
  const xlen = b[p + 10] | (b[p + 11] << 8);
  if (have - p < 12 + xlen) return -1;
  let q = p + 12;
  const xe = q + xlen;
  while (q + 4 <= xe) {
    const slen = b[q + 2] | (b[q + 3] << 8);
    if (b[q] === 66 && b[q + 1] === 67 && slen === 2 && q + 6 <= xe) {
      const total = (b[q + 4] | (b[q + 5] << 8)) + 1;
      if (total < 12 + xlen + 8) throw blockError(`BGZF block size ${total} is smaller than its own header`, p);
      return total;
    }
    q += 4 + slen;
  }
  throw blockError('gzip member without the BGZF BC field: plain gzip inside a BGZF file', p);
}

/** The decoders' error for the block at b[p]; the caller makes the offset absolute and adds the file. */
function blockError(message: string, p: number, cause?: unknown): DecodeError {
  return new DecodeError('block', undefined, message, { byteOffset: p }, cause === undefined ? undefined : { cause });
}

/**
 * Inflate the whole blocks in b[s, e) into out (grown when needed), each capped at 64 KiB and
 * checked against its ISIZE and CRC32. Returns the bytes (a view of out) or throws DecodeError
 * with byteOffset the block's offset in b. With `inflater` (the worker's reused handle), blocks are
 * inflated straight into out; one it does not take is redone by inflateRawSync, which says why.
 */
export function inflateBlocks(b: Uint8Array, s: number, e: number, out: { buf: Uint8Array }, inflater?: ReusedInflate): Uint8Array {
  let total = 0;
  for (let p = s; p < e; ) {
    const len = blockLength(b, p, e);
    if (len < 0 || p + len > e) throw blockError('truncated BGZF block', p);
    const isize = (b[p + len - 4] | (b[p + len - 3] << 8) | (b[p + len - 2] << 16)) + b[p + len - 1] * 16777216;
    if (isize > BGZF_MAX_DATA) throw blockError(`BGZF block declares ${isize} bytes of data (at most 65536)`, p);
    // One byte more than the data: the reused handle sees an overrun there.
    if (out.buf.length < total + isize + 1) {
      const g = new Uint8Array(Math.max(out.buf.length * 2, total + isize + 1, 1 << 20));
      g.set(out.buf.subarray(0, total));
      out.buf = g;
    }
    if (isize > 0) {
      const xlen = b[p + 10] | (b[p + 11] << 8);
      const cs = p + 12 + xlen;
      const ce = p + len - 8;
      if (!inflater?.inflate(b, cs, ce - cs, out.buf, total, isize)) inflateBlock(b.subarray(cs, ce), isize, p, out.buf, total);
      const crc = (b[p + len - 8] | (b[p + len - 7] << 8) | (b[p + len - 6] << 16)) + b[p + len - 5] * 16777216;
      if (crc32(out.buf, total, isize) !== crc) throw blockError('BGZF block fails its CRC32 check', p);
      total += isize;
    }
    p += len;
  }
  return out.buf.subarray(0, total);
}

/** The bytes the whole blocks in b[s, e) inflate to by their ISIZE fields (read, not inflated), or -1 where they are not whole blocks. */
export function inflatedLength(b: Uint8Array, s: number, e: number): number {
  let total = 0;
  for (let p = s; p < e; ) {
    let len: number;
    try {
      len = blockLength(b, p, e);
    } catch {
      return -1;
    }
    if (len < 0 || p + len > e) return -1;
    total += (b[p + len - 4] | (b[p + len - 3] << 8) | (b[p + len - 2] << 16)) + b[p + len - 1] * 16777216;
    p += len;
  }
  return total;
}

/** The public path: one block's deflate data inflated by zlib into out at `at`; errors say what is wrong. */
function inflateBlock(cdata: Uint8Array, isize: number, p: number, out: Uint8Array, at: number): void {
  let d: Buffer;
  try {
    d = zlib.inflateRawSync(cdata, { maxOutputLength: BGZF_MAX_DATA });
  } catch (err) {
    throw blockError(`corrupt BGZF block (${String((err as Error).message ?? err).toLowerCase()})`, p, err);
  }
  if (d.length !== isize) throw blockError(`BGZF block inflates to ${d.length} bytes, its ISIZE says ${isize}`, p);
  out.set(d, at);
}
