// BGEN variant records: identifying data followed by the stored genotype block. The record length
// is known from the identifying data and the length field(s) after it, so a reader can cut the
// stream into records without decompressing anything (variantRecordLength allocates nothing at all).
//
//   layout 1: N(4) id(2+) rsid(2+) chr(2+) pos(4) a1(4+) a2(4+) [C(4) if compressed] block(C or 6N)
//   layout 2: id(2+) rsid(2+) chr(2+) pos(4) K(2) K x allele(4+) C(4) [D(4) if compressed] block
//
// Layout 2's C counts D's 4 bytes too, so the stored block is C-4 bytes when compressed.
import { DecodeError } from '../../errors.js';
import type { BgenHeader } from './header.js';
import { decodeString, readU16, readU32 } from './bytes.js';

export interface VariantHeader {
  /** Variant identifier (SNPID); may be empty. */
  id: string;
  rsid: string;
  /** Chromosome exactly as written (e.g. "01"). */
  chr: string;
  position: number;
  alleles: string[];
  nAlleles: number;
  /** Index in the parsed `bytes` where the stored (possibly compressed) genotype block starts. */
  blockStart: number;
  /** Bytes of the stored genotype block. */
  blockLength: number;
  /** Bytes of the genotype block once decompressed (layout 2: D; layout 1: 6N). */
  uncompressedLength: number;
  /** Bytes of the whole record, from `pos` to the start of the next record. */
  totalLength: number;
  /** Absolute file offset of the record (baseOffset + pos). */
  fileOffset: number;
  /** Absolute file offset of the genotype block, for error messages from the block decoder. */
  blockFileOffset: number;
}

// Results of the last walk(): module-level so the boundary scan allocates nothing per variant.
let wBlockStart = 0;
let wBlockLength = 0;
let wUncompressed = 0;
let wIdAt = 0;
let wPositionAt = 0;
let wNAlleles = 0;
let wAllelesAt = 0;

/**
 * Walk the identifying data at `pos`. Returns false when `bytes` does not yet reach the start of the
 * genotype block (i.e. the identifying data plus the length fields before the block).
 */
function walk(bytes: Uint8Array, pos: number, len: number, header: BgenHeader, baseOffset: number, file: string, atEnd: boolean): boolean {
  let p = pos;
  const short = (): false => {
    if (atEnd) {
      throw new DecodeError('record', undefined, `truncated variant record: the file ends ${len - pos} bytes into a variant header`, {
        file,
        byteOffset: baseOffset + pos,
      });
    }
    return false;
  };

  if (header.layout === 1) {
    if (p + 4 > len) return short();
    const n = readU32(bytes, p);
    if (n !== header.nSamples) {
      throw new DecodeError('record', undefined, `variant record says ${n} samples but the header says ${header.nSamples}`, {
        file,
        byteOffset: baseOffset + p,
      });
    }
    p += 4;
  }
  wIdAt = p;
  // id, rsid, chr: three u16-length strings.
  for (let s = 0; s < 3; s++) {
    if (p + 2 > len) return short();
    p += 2 + readU16(bytes, p);
  }
  wPositionAt = p;
  p += 4;
  let k = 2;
  if (header.layout === 2) {
    if (p + 2 > len) return short();
    k = readU16(bytes, p);
    if (k === 0) throw new DecodeError('record', undefined, 'variant has 0 alleles', { file, byteOffset: baseOffset + p });
    p += 2;
  }
  wNAlleles = k;
  wAllelesAt = p;
  for (let a = 0; a < k; a++) {
    if (p + 4 > len) return short();
    p += 4 + readU32(bytes, p);
  }

  const compressed = header.compression !== 'none';
  const lengthAt = p;
  if (header.layout === 1) {
    const raw = 6 * header.nSamples;
    if (compressed) {
      if (p + 4 > len) return short();
      wBlockLength = readU32(bytes, p);
      p += 4;
    } else {
      wBlockLength = raw;
    }
    wUncompressed = raw;
  } else {
    if (p + 4 > len) return short();
    const c = readU32(bytes, p);
    p += 4;
    if (compressed) {
      if (c < 4) {
        throw new DecodeError('record', undefined, `genotype block length ${c} is too small to hold its uncompressed-length field`, {
          file,
          byteOffset: baseOffset + lengthAt,
        });
      }
      if (p + 4 > len) return short();
      wUncompressed = readU32(bytes, p);
      p += 4;
      wBlockLength = c - 4;
    } else {
      wBlockLength = c;
      wUncompressed = c;
    }
  }
  wBlockStart = p;
  if (atEnd && p + wBlockLength > len) {
    throw new DecodeError('record', undefined, `genotype block length ${wBlockLength} runs past the end of the file (${len - p} bytes remain)`, {
      file,
      byteOffset: baseOffset + lengthAt,
    });
  }
  return true;
}

/**
 * Length in bytes of the variant record starting at `pos`, or -1 when `bytes` does not yet hold
 * enough of it to tell. With `atEnd` (no more bytes will come) a short record throws instead, as does
 * a genotype block that runs past the end of `bytes`. `end` (default bytes.length) limits the bytes
 * looked at, so a reader can pass its whole buffer instead of a view of the filled part per record.
 */
export function variantRecordLength(
  bytes: Uint8Array,
  pos: number,
  header: BgenHeader,
  baseOffset: number,
  file: string,
  atEnd = false,
  end = bytes.length,
): number {
  if (!walk(bytes, pos, Math.min(end, bytes.length), header, baseOffset, file, atEnd)) return -1;
  return wBlockStart - pos + wBlockLength;
}

/**
 * Decode the identifying data of the variant record at `pos` in `bytes` (whose first byte is at
 * file offset `baseOffset`). Returns null while `bytes` ends before the genotype block starts; the
 * block itself need not be present yet (compare totalLength with the bytes available). With `atEnd`
 * a short record or a block running past the end of `bytes` throws InputError.
 */
export function parseVariantHeader(
  bytes: Uint8Array,
  pos: number,
  header: BgenHeader,
  baseOffset: number,
  file: string,
  atEnd = false,
): VariantHeader | null {
  const v = newVariantHeader();
  return parseVariantHeaderInto(bytes, pos, header, baseOffset, file, atEnd, v) ? v : null;
}

/** An empty VariantHeader to pass to parseVariantHeaderInto. */
export function newVariantHeader(): VariantHeader {
  return {
    id: '',
    rsid: '',
    chr: '',
    position: 0,
    alleles: [],
    nAlleles: 0,
    blockStart: 0,
    blockLength: 0,
    uncompressedLength: 0,
    totalLength: 0,
    fileOffset: 0,
    blockFileOffset: 0,
  };
}

// The previous chromosome's bytes and string: consecutive records nearly always share it, and
// returning the same string also lets the callers' per-chromosome Map lookups hit the cached hash.
const lastChrBytes = new Uint8Array(64);
let lastChrLen = -1;
let lastChr = '';

function decodeChr(bytes: Uint8Array, start: number, len: number): string {
  if (len === lastChrLen) {
    let i = 0;
    while (i < len && bytes[start + i] === lastChrBytes[i]) i++;
    if (i === len) return lastChr;
  }
  const s = decodeString(bytes, start, start + len);
  if (len <= lastChrBytes.length) {
    lastChrBytes.set(bytes.subarray(start, start + len));
    lastChrLen = len;
    lastChr = s;
  }
  return s;
}

/**
 * parseVariantHeader writing into `out` (whose fields, including the alleles array, are overwritten)
 * instead of a new object: the workers parse millions of records and keep none of them. Returns
 * false where parseVariantHeader returns null.
 */
export function parseVariantHeaderInto(
  bytes: Uint8Array,
  pos: number,
  header: BgenHeader,
  baseOffset: number,
  file: string,
  atEnd: boolean,
  out: VariantHeader,
): boolean {
  if (!walk(bytes, pos, bytes.length, header, baseOffset, file, atEnd)) return false;
  let p = wIdAt;
  let l = readU16(bytes, p);
  out.id = decodeString(bytes, p + 2, p + 2 + l);
  p += 2 + l;
  l = readU16(bytes, p);
  out.rsid = decodeString(bytes, p + 2, p + 2 + l);
  p += 2 + l;
  l = readU16(bytes, p);
  out.chr = decodeChr(bytes, p + 2, l);
  out.position = readU32(bytes, wPositionAt);
  const nAlleles = wNAlleles;
  const alleles = out.alleles;
  if (alleles.length !== nAlleles) alleles.length = nAlleles;
  p = wAllelesAt;
  for (let a = 0; a < nAlleles; a++) {
    const la = readU32(bytes, p);
    alleles[a] = decodeString(bytes, p + 4, p + 4 + la);
    p += 4 + la;
  }
  out.nAlleles = nAlleles;
  out.blockStart = wBlockStart;
  out.blockLength = wBlockLength;
  out.uncompressedLength = wUncompressed;
  out.totalLength = wBlockStart - pos + wBlockLength;
  out.fileOffset = baseOffset + pos;
  out.blockFileOffset = baseOffset + wBlockStart;
  return true;
}

/**
 * Every variant record of a whole file held in memory, in file order. For tests, small files and
 * index building; streaming readers use parseVariantHeader on their own buffers.
 */
export function* scanVariants(bytes: Uint8Array, header: BgenHeader, file: string): Generator<VariantHeader> {
  let pos = header.firstVariantOffset;
  for (let i = 0; i < header.nVariants; i++) {
    if (pos >= bytes.length) {
      throw new DecodeError('record', undefined, `file ends after ${i} variants but the header announces ${header.nVariants}`, {
        file,
        byteOffset: bytes.length,
      });
    }
    const v = parseVariantHeader(bytes, pos, header, 0, file, true)!;
    yield v;
    pos += v.totalLength;
  }
}
