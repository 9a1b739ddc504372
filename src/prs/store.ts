// Dosages of the kept variants, spilled to disk per chromosome as fixed-size records and read back
// through a cache with a byte budget. This is what bounds memory: the target is streamed once, each
// kept variant's dosages are appended to its chromosome's file (2 bytes per sample), and clumping
// and scoring then read records on demand; at most `budgetBytes` of them are held at a time.
//
// A record holds the dosage of the base's A1 allele in units of 1/16384 (plink2's own dosage
// resolution, so .gen dosages rounded as plink2 imports them are stored exactly): 0..32768, and
// 0xffff for a missing dosage.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileError } from '../errors.js';

export const DOSAGE_UNIT = 16384;
export const TWO = 2 * DOSAGE_UNIT;
export const MISSING_Q = 0xffff;

/** Quantise dosages of the counted allele into `out`, as the dosage of the other allele when `flip`. */
export function quantize(d: Float64Array, n: number, flip: boolean, out: Uint16Array): void {
  for (let i = 0; i < n; i++) {
    const v = d[i];
    if (v !== v) {
      out[i] = MISSING_Q;
      continue;
    }
    let q = Math.round(v * DOSAGE_UNIT);
    if (q < 0) q = 0;
    else if (q > TWO) q = TWO;
    out[i] = flip ? TWO - q : q;
  }
}

const WRITE_BUFFER = 1 << 20;

interface ChrFile {
  file: string;
  fd: number;
  buf: Buffer;
  used: number;
  records: number;
}

/** Append-only per-chromosome record files of `nSamples` u16 each. */
export class SpillSet {
  readonly recordBytes: number;
  private files = new Map<string, ChrFile>();
  constructor(
    private dir: string,
    private tag: string,
    readonly nSamples: number,
  ) {
    this.recordBytes = 2 * nSamples;
  }

  /** Append a record; returns its index within the chromosome's file. */
  append(chr: string, rec: Uint16Array): number {
    let f = this.files.get(chr);
    if (!f) {
      const file = path.join(this.dir, `${this.tag}.${this.files.size}.bin`);
      let fd: number;
      try {
        fd = fs.openSync(file, 'w');
      } catch (e) {
        throw fileError(e, file);
      }
      f = { file, fd, buf: Buffer.alloc(Math.max(WRITE_BUFFER, this.recordBytes)), used: 0, records: 0 };
      this.files.set(chr, f);
    }
    if (f.used + this.recordBytes > f.buf.length) this.flush(f);
    const src = Buffer.from(rec.buffer, rec.byteOffset, this.recordBytes);
    src.copy(f.buf, f.used);
    f.used += this.recordBytes;
    return f.records++;
  }

  private flush(f: ChrFile): void {
    let off = 0;
    try {
      while (off < f.used) off += fs.writeSync(f.fd, f.buf, off, f.used - off);
    } catch (e) {
      throw fileError(e, f.file);
    }
    f.used = 0;
  }

  /** Flush and close the writers (records can be read afterwards). */
  finish(): void {
    for (const f of this.files.values()) {
      if (f.fd < 0) continue;
      this.flush(f);
      fs.closeSync(f.fd);
      f.fd = -1;
    }
  }

  has(chr: string): boolean {
    return this.files.has(chr);
  }

  /**
   * A cached reader of one chromosome's records; `prepare` turns a record into what is cached and
   * must copy it (the record buffer it is given is reused).
   */
  reader<T>(chr: string, budgetBytes: number, prepare: (rec: Uint16Array) => T, costBytes: number): RecordReader<T> {
    const f = this.files.get(chr);
    if (!f) throw new Error(`no records for chromosome ${chr}`);
    return new RecordReader(f.file, this.nSamples, budgetBytes, prepare, costBytes);
  }
}

/** Reads records by index, keeping the most recently used ones up to a byte budget (LRU). */
export class RecordReader<T> {
  private fd: number;
  private cache = new Map<number, T>();
  private maxEntries: number;
  private raw: Uint16Array;
  private rawBuf: Buffer;
  reads = 0;
  constructor(
    private file: string,
    private nSamples: number,
    budgetBytes: number,
    private prepare: (rec: Uint16Array) => T,
    costBytes: number,
  ) {
    try {
      this.fd = fs.openSync(file, 'r');
    } catch (e) {
      throw fileError(e, file);
    }
    this.maxEntries = Math.max(2, Math.floor(budgetBytes / Math.max(1, costBytes)));
    this.raw = new Uint16Array(nSamples);
    this.rawBuf = Buffer.from(this.raw.buffer, 0, 2 * nSamples);
  }

  get(i: number): T {
    const hit = this.cache.get(i);
    if (hit !== undefined) {
      // Move to the most recently used end.
      this.cache.delete(i);
      this.cache.set(i, hit);
      return hit;
    }
    const len = 2 * this.nSamples;
    let got = 0;
    try {
      while (got < len) {
        const n = fs.readSync(this.fd, this.rawBuf, got, len - got, i * len + got);
        if (n === 0) throw new Error(`short read of record ${i}`);
        got += n;
      }
    } catch (e) {
      throw fileError(e, this.file);
    }
    this.reads++;
    const v = this.prepare(this.raw);
    this.cache.set(i, v);
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value as number;
      this.cache.delete(oldest);
    }
    return v;
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.cache.clear();
  }
}
