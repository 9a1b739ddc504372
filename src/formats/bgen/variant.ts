// BGEN variant records: identifying data followed by the stored genotype block. The record length
// is known from the identifying data and the length field(s) after it, so a reader can cut the
// stream into records without decompressing anything (BgenRecordParser.recordLength allocates nothing).
//
//   layout 1: N(4) id(2+) rsid(2+) chr(2+) pos(4) a1(4+) a2(4+) [C(4) if compressed] block(C or 6N)
//   layout 2: id(2+) rsid(2+) chr(2+) pos(4) K(2) K x allele(4+) C(4) [D(4) if compressed] block
//
// Layout 2's C counts D's 4 bytes too, so the stored block is C-4 bytes when compressed.
import { DecodeError } from '../../errors.js';
import type { BgenHeader } from './header.js';
import { decodeString, readU16, readU32 } from './bytes.js';

const STRING_NAMES = ['variant id', 'rsid', 'chromosome'];

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

/**
 * Largest length field believed in one variant record (an allele, the stored or the decompressed
 * genotype block): 1 GiB, ~50x a 1M-sample 32-bit multi-allelic block. A larger one is corrupt,
 * and reading it would buffer GBs or overflow fs.read's int32 length (issue 15.14).
 */
export const MAX_RECORD_FIELD_BYTES = 1 << 30;

export interface RecordParserOptions {
  /** Size of the file when known: a length field reaching past it is an error at once (15.14). */
  fileSize?: number;
}

/**
 * Reads BGEN variant records: the walk over a record's identifying data and the last chromosome's
 * string are its state (fields, so the per-record scan allocates nothing). One per reader or worker.
 * Every length field is checked against MAX_RECORD_FIELD_BYTES and, given fileSize, against the end
 * of the file before anything waits for more bytes.
 */
export class BgenRecordParser {
  private readonly fileSize: number;
  // Results of the last walk().
  private blockStart = 0;
  private blockLength = 0;
  private uncompressed = 0;
  private idAt = 0;
  private positionAt = 0;
  private nAlleles = 0;
  private allelesAt = 0;
  // The previous chromosome's bytes and string: consecutive records nearly always share it, and
  // returning the same string also lets the callers' per-chromosome Map lookups hit the cached hash.
  private readonly lastChrBytes = new Uint8Array(64);
  private lastChrLen = -1;
  private lastChr = '';

  constructor(opts: RecordParserOptions = {}) {
    this.fileSize = opts.fileSize ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Length in bytes of the variant record starting at `pos`, or -1 when `bytes` does not yet hold
   * enough of it to tell. With `atEnd` (no more bytes will come) a short record throws instead, as
   * does a genotype block that runs past the end of `bytes`. `end` (default bytes.length) limits the
   * bytes looked at, so a reader can pass its whole buffer instead of a view of the filled part.
   */
  recordLength(bytes: Uint8Array, pos: number, header: BgenHeader, baseOffset: number, file: string, atEnd = false, end = bytes.length): number {
    if (!this.walk(bytes, pos, Math.min(end, bytes.length), header, baseOffset, file, atEnd)) return -1;
    return this.blockStart - pos + this.blockLength;
  }

  /**
   * Decode the identifying data of the record at `pos` into `out` (whose fields, including the
   * alleles array, are overwritten): false while `bytes` ends before the genotype block starts (the
   * block itself need not be present yet: compare totalLength with the bytes available). With
   * `atEnd` a short record or a block running past the end of `bytes` throws.
   */
  parseInto(bytes: Uint8Array, pos: number, header: BgenHeader, baseOffset: number, file: string, atEnd: boolean, out: VariantHeader): boolean {
    if (!this.walk(bytes, pos, bytes.length, header, baseOffset, file, atEnd)) return false;
    let p = this.idAt;
    let l = readU16(bytes, p);
    out.id = decodeString(bytes, p + 2, p + 2 + l);
    p += 2 + l;
    l = readU16(bytes, p);
    out.rsid = decodeString(bytes, p + 2, p + 2 + l);
    p += 2 + l;
    l = readU16(bytes, p);
    out.chr = this.decodeChr(bytes, p + 2, l);
    out.position = readU32(bytes, this.positionAt);
    const nAlleles = this.nAlleles;
    const alleles = out.alleles;
    if (alleles.length !== nAlleles) alleles.length = nAlleles;
    p = this.allelesAt;
    for (let a = 0; a < nAlleles; a++) {
      const la = readU32(bytes, p);
      alleles[a] = decodeString(bytes, p + 4, p + 4 + la);
      p += 4 + la;
    }
    out.nAlleles = nAlleles;
    out.blockStart = this.blockStart;
    out.blockLength = this.blockLength;
    out.uncompressedLength = this.uncompressed;
    out.totalLength = this.blockStart - pos + this.blockLength;
    out.fileOffset = baseOffset + pos;
    out.blockFileOffset = baseOffset + this.blockStart;
    return true;
  }

  /** A stored block of `length` bytes starting at `blockAt` (relative) must end within the file. */
  private checkBlock(length: number, blockAt: number, baseOffset: number, lengthAt: number, pos: number, header: BgenHeader, file: string): void {
    if (length > MAX_RECORD_FIELD_BYTES || baseOffset + blockAt + length > this.fileSize) {
      throw this.pastEnd('genotype block', length, baseOffset + lengthAt, baseOffset + blockAt, baseOffset + pos, header, file);
    }
  }

  /**
   * A length field (at byte `at`, its data from byte `dataAt`) that reaches past the end of the file
   * or above the maximum; for the file's first record the header's first-variant offset is named as
   * the likelier cause (a misaligned start reads lengths out of other fields, 15.22).
   */
  private pastEnd(what: string, length: number, at: number, dataAt: number, recordAt: number, header: BgenHeader, file: string): DecodeError {
    const why = length > MAX_RECORD_FIELD_BYTES ? `is above the ${MAX_RECORD_FIELD_BYTES}-byte maximum for one variant` : `runs past the end of the file (${this.fileSize - dataAt} bytes remain)`;
    const cause =
      recordAt === header.firstVariantOffset
        ? 'a corrupt length, or the first-variant offset in the header (byte 0) is wrong'
        : length > MAX_RECORD_FIELD_BYTES
          ? 'a corrupt length'
          : 'a corrupt length or a truncated file';
    return new DecodeError('record', undefined, `${what} length ${length} ${why}: ${cause}`, { file, byteOffset: at });
  }

  private decodeChr(bytes: Uint8Array, start: number, len: number): string {
    if (len === this.lastChrLen) {
      const last = this.lastChrBytes;
      let i = 0;
      while (i < len && bytes[start + i] === last[i]) i++;
      if (i === len) return this.lastChr;
    }
    const s = decodeString(bytes, start, start + len);
    if (len <= this.lastChrBytes.length) {
      this.lastChrBytes.set(bytes.subarray(start, start + len));
      this.lastChrLen = len;
      this.lastChr = s;
    }
    return s;
  }

  /**
   * Walk the identifying data at `pos`. Returns false when `bytes` does not yet reach the start of
   * the genotype block (i.e. the identifying data plus the length fields before the block).
   */
  private walk(bytes: Uint8Array, pos: number, len: number, header: BgenHeader, baseOffset: number, file: string, atEnd: boolean): boolean {
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
    this.idAt = p;
    // id, rsid, chr: three u16-length strings.
    for (let s = 0; s < 3; s++) {
      if (p + 2 > len) return short();
      const l = readU16(bytes, p);
      if (baseOffset + p + 2 + l > this.fileSize) throw this.pastEnd(STRING_NAMES[s], l, baseOffset + p, baseOffset + p + 2, baseOffset + pos, header, file);
      p += 2 + l;
    }
    this.positionAt = p;
    p += 4;
    let k = 2;
    if (header.layout === 2) {
      if (p + 2 > len) return short();
      k = readU16(bytes, p);
      if (k === 0) throw new DecodeError('record', undefined, 'variant has 0 alleles', { file, byteOffset: baseOffset + p });
      p += 2;
    }
    this.nAlleles = k;
    this.allelesAt = p;
    for (let a = 0; a < k; a++) {
      if (p + 4 > len) return short();
      const l = readU32(bytes, p);
      if (l > MAX_RECORD_FIELD_BYTES || baseOffset + p + 4 + l > this.fileSize) throw this.pastEnd(`allele ${a + 1}`, l, baseOffset + p, baseOffset + p + 4, baseOffset + pos, header, file);
      p += 4 + l;
    }
    return this.blockLengths(bytes, p, pos, len, header, baseOffset, file, atEnd) || short();
  }

  /** The length field(s) before the genotype block at `p` (second half of walk); false: `bytes` ends first. */
  private blockLengths(bytes: Uint8Array, p: number, pos: number, len: number, header: BgenHeader, baseOffset: number, file: string, atEnd: boolean): boolean {
    const compressed = header.compression !== 'none';
    const lengthAt = p;
    if (header.layout === 1) {
      const raw = 6 * header.nSamples;
      if (compressed) {
        if (p + 4 > len) return false;
        this.blockLength = readU32(bytes, p);
        p += 4;
        this.checkBlock(this.blockLength, p, baseOffset, lengthAt, pos, header, file);
      } else {
        this.blockLength = raw;
      }
      this.uncompressed = raw;
    } else {
      if (p + 4 > len) return false;
      const c = readU32(bytes, p);
      p += 4;
      this.checkBlock(compressed ? c - 4 : c, p + (compressed ? 4 : 0), baseOffset, lengthAt, pos, header, file);
      if (compressed) {
        if (c < 4) {
          throw new DecodeError('record', undefined, `genotype block length ${c} is too small to hold its uncompressed-length field`, {
            file,
            byteOffset: baseOffset + lengthAt,
          });
        }
        if (p + 4 > len) return false;
        this.uncompressed = readU32(bytes, p);
        if (this.uncompressed > MAX_RECORD_FIELD_BYTES) {
          throw new DecodeError(
            'record',
            undefined,
            `genotype block declares ${this.uncompressed} bytes decompressed, above the ${MAX_RECORD_FIELD_BYTES}-byte maximum for one variant: the length is corrupt`,
            { file, byteOffset: baseOffset + p },
          );
        }
        p += 4;
        this.blockLength = c - 4;
      } else {
        this.blockLength = c;
        this.uncompressed = c;
      }
    }
    this.blockStart = p;
    if (atEnd && p + this.blockLength > len) {
      throw new DecodeError('record', undefined, `genotype block length ${this.blockLength} runs past the end of the file (${len - p} bytes remain)`, {
        file,
        byteOffset: baseOffset + lengthAt,
      });
    }
    return true;
  }
}

/** BgenRecordParser.recordLength on a parser of its own (tests and one-off reads). */
export function variantRecordLength(bytes: Uint8Array, pos: number, header: BgenHeader, baseOffset: number, file: string, atEnd = false, end = bytes.length): number {
  return new BgenRecordParser().recordLength(bytes, pos, header, baseOffset, file, atEnd, end);
}

/**
 * The identifying data of the variant record at `pos` in `bytes` (whose first byte is at file
 * offset `baseOffset`) as a new object, or null while `bytes` ends before the genotype block starts
 * (see BgenRecordParser.parseInto).
 */
export function parseVariantHeader(bytes: Uint8Array, pos: number, header: BgenHeader, baseOffset: number, file: string, atEnd = false): VariantHeader | null {
  const v = newVariantHeader();
  return new BgenRecordParser().parseInto(bytes, pos, header, baseOffset, file, atEnd, v) ? v : null;
}

/** An empty VariantHeader to pass to BgenRecordParser.parseInto. */
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

/**
 * Every variant record of a whole file held in memory, in file order. For tests, small files and
 * index building; streaming readers use parseVariantHeader on their own buffers.
 */
export function* scanVariants(bytes: Uint8Array, header: BgenHeader, file: string): Generator<VariantHeader> {
  const parser = new BgenRecordParser();
  let pos = header.firstVariantOffset;
  for (let i = 0; i < header.nVariants; i++) {
    if (pos >= bytes.length) {
      throw new DecodeError('record', undefined, `file ends after ${i} variants but the header announces ${header.nVariants}`, {
        file,
        byteOffset: bytes.length,
      });
    }
    const v = newVariantHeader();
    parser.parseInto(bytes, pos, header, 0, file, true, v);
    yield v;
    pos += v.totalLength;
  }
}
