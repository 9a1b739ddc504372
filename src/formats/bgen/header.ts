// BGEN file header and sample identifier block (spec v1.1-v1.3), decoded from bytes already in
// memory. File offsets are plain JS numbers throughout: files over 4 GiB are normal for BGEN, and
// `|0` / `>>>` would silently wrap them.
import { InputError } from '../../errors.js';
import { readU16, readU32 } from './bytes.js';
import { decodeBytes, showBytes } from '../../io/text.js';

export type BgenCompression = 'none' | 'zlib' | 'zstd';

export interface BgenHeader {
  /** Absolute file offset of the first variant record (4 + the offset stored in the first 4 bytes). */
  firstVariantOffset: number;
  /** LH: length of the header block (starting at byte 4). */
  headerLength: number;
  /** M: number of variant records the header announces. */
  nVariants: number;
  /** N: number of samples. */
  nSamples: number;
  compression: BgenCompression;
  layout: 1 | 2;
  /** The raw flags word, for diagnostics. */
  flags: number;
  hasSampleIds: boolean;
  sampleIds?: string[];
}

/** Smallest header a file can have: the 4-byte offset plus the 20-byte minimal header block. */
export const BGEN_MIN_HEADER_BYTES = 24;

/**
 * How many bytes from the start of the file parseBgenHeader needs: everything before the first
 * variant (header block, sample identifiers and any padding). Pass at least the first 4 bytes; with
 * fewer, 4 is returned so the caller reads those first.
 */
export function bgenHeaderBytesNeeded(head: Uint8Array): number {
  if (head.length < 4) return 4;
  return Math.max(BGEN_MIN_HEADER_BYTES, 4 + readU32(head, 0));
}

export interface ParseHeaderOptions {
  /** Size of the whole file when known: lets a first-variant offset past EOF be reported here. */
  fileSize?: number;
}

/**
 * Decode the header from the file's first bytes: at least bgenHeaderBytesNeeded(bytes) of them, or
 * the whole file if it is shorter (bytes beyond the sample block are not looked at, so a longer
 * buffer is fine). Throws InputError naming the offending byte offset.
 */
export function parseBgenHeader(bytes: Uint8Array, file: string, opts: ParseHeaderOptions = {}): BgenHeader {
  if (bytes.length < BGEN_MIN_HEADER_BYTES) {
    // A short file that also fails the magic test is more usefully called "not bgen".
    if (bytes.length >= 20 && !bgenMagicOk(bytes)) throw new InputError('not a bgen file (bad magic)', { file, byteOffset: 16 });
    throw new InputError(`truncated bgen header: file has ${bytes.length} bytes, a header needs at least ${BGEN_MIN_HEADER_BYTES}`, {
      file,
      byteOffset: bytes.length,
    });
  }
  if (!bgenMagicOk(bytes)) throw new InputError('not a bgen file (bad magic)', { file, byteOffset: 16 });

  const offset = readU32(bytes, 0);
  const firstVariantOffset = 4 + offset;
  const headerLength = readU32(bytes, 4);
  const nVariants = readU32(bytes, 8);
  const nSamples = readU32(bytes, 12);

  if (headerLength < 20) {
    throw new InputError(`bgen header length ${headerLength} is less than the minimum 20`, { file, byteOffset: 4 });
  }
  if (headerLength > offset) {
    throw new InputError(`bgen header length ${headerLength} exceeds the first-variant offset ${offset}`, { file, byteOffset: 4 });
  }
  const headerEnd = 4 + headerLength;
  if (bytes.length < headerEnd) {
    throw new InputError(`truncated bgen header: header block ends at byte ${headerEnd}, file has ${bytes.length} bytes`, {
      file,
      byteOffset: bytes.length,
    });
  }
  if (opts.fileSize !== undefined && firstVariantOffset > opts.fileSize) {
    throw new InputError(`first variant offset ${firstVariantOffset} is past the end of the file (${opts.fileSize} bytes)`, {
      file,
      byteOffset: 0,
    });
  }

  const flagsAt = headerEnd - 4;
  const flags = readU32(bytes, flagsAt);
  const compressionBits = flags & 3;
  const layoutBits = (flags >>> 2) & 15;
  const hasSampleIds = flags >= 0x80000000;

  let compression: BgenCompression;
  if (compressionBits === 0) compression = 'none';
  else if (compressionBits === 1) compression = 'zlib';
  else if (compressionBits === 2) compression = 'zstd';
  else throw new InputError(`unknown bgen compression type ${compressionBits} in header flags`, { file, byteOffset: flagsAt });

  let layout: 1 | 2;
  if (layoutBits === 1) layout = 1;
  else if (layoutBits === 2) layout = 2;
  else if (layoutBits === 0) {
    throw new InputError('bgen layout 0 (v1.0 files) is not supported; convert the file to bgen v1.2', { file, byteOffset: flagsAt });
  } else throw new InputError(`unknown bgen layout ${layoutBits} in header flags`, { file, byteOffset: flagsAt });

  if (layout === 1 && compression === 'zstd') {
    // The spec forbids this combination, so no conforming writer produces it.
    throw new InputError('bgen layout 1 with zstd compression is not allowed by the spec', { file, byteOffset: flagsAt });
  }

  const header: BgenHeader = {
    firstVariantOffset,
    headerLength,
    nVariants,
    nSamples,
    compression,
    layout,
    flags,
    hasSampleIds,
  };
  if (hasSampleIds) header.sampleIds = parseSampleIds(bytes, headerEnd, offset, nSamples, file);
  return header;
}

/** The magic at bytes 16..19: 'bgen', or four zero bytes (early v1.1 writers). */
export function bgenMagicOk(bytes: Uint8Array): boolean {
  const a = bytes[16],
    b = bytes[17],
    c = bytes[18],
    d = bytes[19];
  // 'bgen', or four zero bytes written by early v1.1 writers.
  return (a === 0x62 && b === 0x67 && c === 0x65 && d === 0x6e) || (a === 0 && b === 0 && c === 0 && d === 0);
}

function parseSampleIds(bytes: Uint8Array, start: number, offset: number, nSamples: number, file: string): string[] {
  if (bytes.length < start + 8) {
    throw new InputError('truncated bgen sample identifier block', { file, byteOffset: bytes.length });
  }
  const blockLength = readU32(bytes, start);
  const n = readU32(bytes, start + 4);
  // LH + LSI <= offset, i.e. the sample block must end before the first variant.
  if (start - 4 + blockLength > offset) {
    throw new InputError(`sample identifier block length ${blockLength} runs past the first variant`, { file, byteOffset: start });
  }
  if (n !== nSamples) {
    throw new InputError(`sample identifier block lists ${n} samples but the header says ${nSamples}`, { file, byteOffset: start + 4 });
  }
  const end = start + blockLength;
  if (bytes.length < end) {
    throw new InputError(`truncated bgen sample identifier block: it ends at byte ${end}, file has ${bytes.length} bytes`, {
      file,
      byteOffset: bytes.length,
    });
  }
  const ids = new Array<string>(n);
  const seen = new Map<string, number>();
  let p = start + 8;
  for (let i = 0; i < n; i++) {
    if (p + 2 > end) throw new InputError(`sample identifier ${i + 1} runs past the end of the sample block`, { file, byteOffset: p });
    const len = readU16(bytes, p);
    p += 2;
    if (p + len > end) throw new InputError(`sample identifier ${i + 1} runs past the end of the sample block`, { file, byteOffset: p - 2 });
    const id = decodeBytes(bytes.subarray(p, p + len)); // compared as bytes (15.6)
    const prev = seen.get(id);
    if (prev !== undefined) {
      throw new InputError(`duplicate sample ID '${showBytes(id)}' in the BGEN sample identifier block (samples ${prev + 1} and ${i + 1})`, { file, byteOffset: p - 2 });
    }
    seen.set(id, i);
    ids[i] = id;
    p += len;
  }
  if (p !== end) {
    throw new InputError(`sample identifier block length ${blockLength} does not match its ${n} identifiers (${p - start} bytes)`, {
      file,
      byteOffset: start,
    });
  }
  return ids;
}
