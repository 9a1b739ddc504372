// Temporary files of the report, kept in its private build directory (removed with it):
//  - RecordSpill: one 16-byte record per tested variant (-ln p as float64, position, chromosome
//    index as uint32), read back sequentially for the pixel-grid thinning and the exact median;
//  - LineSpill: the raw text of the candidate (suggestive) rows, read back at offsets for the few
//    that become index variants of the table.
// Both are written with plain synchronous writes of large blocks. The files are unlinked right after
// opening where the platform allows it, so nothing is left behind however the process ends.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileError } from '../errors.js';
import { HI, type BatchVisitor } from './select.js';

export const REC_WORDS = 4; // u32 words per record: [nlp lo/hi], bp, chr
const REC_BYTES = REC_WORDS * 4;
const BLOCK_RECS = 1 << 16; // 1 MB blocks

function openAnon(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'w+');
  } catch (e) {
    throw fileError(e, file);
  }
  try {
    fs.unlinkSync(file);
  } catch {
    /* not on this platform: the build directory's removal takes it */
  }
  return fd;
}

export class RecordSpill {
  private readonly fd: number;
  private closed = false;
  private readonly buf = new ArrayBuffer(BLOCK_RECS * REC_BYTES);
  readonly f64 = new Float64Array(this.buf);
  readonly u32 = new Uint32Array(this.buf);
  private fill = 0;
  private written = 0;
  count = 0;

  constructor(private readonly file: string) {
    this.fd = openAnon(file);
  }

  /** Append a record; returns the high 32-bit word of nlp (for the selection histogram). */
  push(nlp: number, bp: number, chr: number): number {
    const i = this.fill;
    this.f64[i * 2] = nlp;
    this.u32[i * REC_WORDS + 2] = bp;
    this.u32[i * REC_WORDS + 3] = chr;
    const hi = this.u32[i * REC_WORDS + HI];
    this.count++;
    if (++this.fill === BLOCK_RECS) this.flush();
    return hi;
  }

  flush(): void {
    if (this.fill === 0) return;
    const bytes = this.fill * REC_BYTES;
    try {
      let off = 0;
      while (off < bytes) off += fs.writeSync(this.fd, new Uint8Array(this.buf, off, bytes - off), 0, bytes - off, this.written + off);
    } catch (e) {
      throw fileError(e, this.file);
    }
    this.written += bytes;
    this.fill = 0;
  }

  /** Read every record back in order, in blocks, and give each block to the visitors. */
  scan(...visitors: BatchVisitor[]): void {
    this.flush();
    const buf = new ArrayBuffer(BLOCK_RECS * REC_BYTES);
    const u8 = new Uint8Array(buf);
    const f64 = new Float64Array(buf);
    const u32 = new Uint32Array(buf);
    let pos = 0;
    while (pos < this.written) {
      const want = Math.min(u8.length, this.written - pos);
      let got = 0;
      try {
        while (got < want) {
          const r = fs.readSync(this.fd, u8, got, want - got, pos + got);
          if (r <= 0) throw new Error('temporary file ended early');
          got += r;
        }
      } catch (e) {
        throw fileError(e, this.file);
      }
      pos += got;
      const n = got / REC_BYTES;
      for (const v of visitors) v(u32, f64, n, REC_WORDS);
    }
  }

  /** Idempotent: a second close must not close a descriptor number the process has reused. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fs.closeSync(this.fd);
    } catch {
      /* nothing more to do */
    }
  }
}

export class LineSpill {
  private readonly fd: number;
  private closed = false;
  private pending: string[] = [];
  private pendingChars = 0;
  private offset = 0;
  private written = 0;

  constructor(private readonly file: string) {
    this.fd = openAnon(file);
  }

  /** Store a line; returns [byte offset, byte length]. */
  push(line: string): [number, number] {
    const len = Buffer.byteLength(line, 'utf8');
    const at = this.offset;
    this.offset += len;
    this.pending.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars > 1 << 20) this.flush();
    return [at, len];
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const b = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    try {
      let off = 0;
      while (off < b.length) off += fs.writeSync(this.fd, b, off, b.length - off, this.written + off);
    } catch (e) {
      throw fileError(e, this.file);
    }
    this.written += b.length;
  }

  read(offset: number, length: number): string {
    this.flush();
    const b = Buffer.alloc(length);
    let got = 0;
    try {
      while (got < length) {
        const r = fs.readSync(this.fd, b, got, length - got, offset + got);
        if (r <= 0) throw new Error('temporary file ended early');
        got += r;
      }
    } catch (e) {
      throw fileError(e, this.file);
    }
    return b.toString('utf8');
  }

  /** Idempotent: a second close must not close a descriptor number the process has reused. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fs.closeSync(this.fd);
    } catch {
      /* nothing more to do */
    }
  }
}

export function spillPath(dir: string, name: string): string {
  return path.join(dir, name);
}
