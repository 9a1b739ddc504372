// A tabix (.tbi) index of a BGZF table, built while the table is written: the columns come from the
// header line (CHR/CHROM/chromosome and BP/POS/base_pair_location), records are binned as
// htslib does (UCSC bins, 16 kb linear windows), and positions are kept as uncompressed offsets
// until the writer has said where each block landed. Format: the SAMtools tabix specification
// (https://samtools.github.io/hts-specs/tabix.pdf). A table that is not grouped by chromosome and
// sorted by position, or with a position beyond 2^29, gets no index (tabix could not use one).
import * as fs from 'node:fs';
import { BGZF_BLOCK, bgzfSync } from './bgzf.js';

const SEQ_NAMES = ['chr', 'chrom', '#chrom', '#chr', 'chromosome', 'chrom_id'];
const POS_NAMES = ['bp', 'pos', 'base_pair_location', 'genpos', 'position'];
const MAX_POS = 2 ** 29;
const PSEUDO_BIN = 37450;

/** htslib's reg2bin for [beg, end), 0-based. */
export function reg2bin(beg: number, end: number): number {
  end -= 1;
  if (beg >> 14 === end >> 14) return 4681 + (beg >> 14);
  if (beg >> 17 === end >> 17) return 585 + (beg >> 17);
  if (beg >> 20 === end >> 20) return 73 + (beg >> 20);
  if (beg >> 23 === end >> 23) return 9 + (beg >> 23);
  if (beg >> 26 === end >> 26) return 1 + (beg >> 26);
  return 0;
}

interface Ref {
  name: string;
  bins: Map<number, number[]>; // bin -> [uBeg, uEnd, uBeg, uEnd, ...]
  lastBin: number;
  linear: number[]; // 16 kb window -> uncompressed offset of the first record overlapping it
  uFirst: number;
  uLast: number;
  n: number;
  lastPos: number;
}

export interface TabixColumns {
  seq: number; // 1-based
  beg: number; // 1-based
  skip: number;
}

/** Which columns to index, from the header line; null when it names no chromosome or position. */
export function tabixColumns(header: string): TabixColumns | null {
  const cols = header
    .replace(/\r$/, '')
    .split('\t')
    .map((c) => c.trim().toLowerCase());
  const seq = cols.findIndex((c) => SEQ_NAMES.includes(c));
  const beg = cols.findIndex((c) => POS_NAMES.includes(c));
  if (seq < 0 || beg < 0) return null;
  return { seq: seq + 1, beg: beg + 1, skip: header.startsWith('#') ? 0 : 1 };
}

export class TabixIndexer {
  private carry: Buffer[] = [];
  private carryLen = 0;
  private u = 0; // uncompressed offset of the next byte fed
  private cols: TabixColumns | null = null;
  private seenHeader = false;
  private refs: Ref[] = [];
  private names = new Set<string>();
  private cur: Ref | null = null;
  private blocks: number[] = [];
  /** Why there is no index (null while there can be one). */
  failed: string | null = null;

  feed(chunk: Buffer): void {
    if (this.failed) return;
    let start = 0;
    for (let i = chunk.indexOf(10, 0); i >= 0; i = chunk.indexOf(10, i + 1)) {
      let line = chunk.subarray(start, i);
      if (this.carryLen) {
        line = Buffer.concat([...this.carry, line]);
        this.carry = [];
        this.carryLen = 0;
      }
      const uStart = this.u - (line.length - (i - start));
      this.u += i + 1 - start;
      this.line(line, uStart, this.u);
      start = i + 1;
      if (this.failed) return;
    }
    if (start < chunk.length) {
      this.carry.push(Buffer.from(chunk.subarray(start)));
      this.carryLen += chunk.length - start;
      this.u += chunk.length - start;
    }
  }

  private line(line: Buffer, uStart: number, uEnd: number): void {
    if (!this.seenHeader) {
      this.seenHeader = true;
      this.cols = tabixColumns(line.toString('latin1'));
      if (!this.cols) this.failed = 'no chromosome and position columns in the header';
      return;
    }
    if (line.length === 0 || line[0] === 35) return; // '#'
    const cols = this.cols!;
    let field = 1;
    let fs = 0;
    let chr = '';
    let pos = NaN;
    for (let j = 0; j <= line.length; j++) {
      if (j === line.length || line[j] === 9) {
        if (field === cols.seq) chr = line.toString('latin1', fs, j);
        else if (field === cols.beg) pos = Number(line.toString('latin1', fs, j));
        field++;
        fs = j + 1;
        if (field > cols.seq && field > cols.beg) break;
      }
    }
    if (!(Number.isInteger(pos) && pos >= 1) || pos >= MAX_POS) {
      this.failed = `a position that tabix cannot index ('${pos}')`;
      return;
    }
    this.record(chr, pos, uStart, uEnd);
  }

  private record(chr: string, pos: number, uStart: number, uEnd: number): void {
    let r = this.cur;
    if (!r || r.name !== chr) {
      if (this.names.has(chr)) {
        this.failed = `chromosome ${chr} is not contiguous`;
        return;
      }
      this.names.add(chr);
      r = { name: chr, bins: new Map(), lastBin: -1, linear: [], uFirst: uStart, uLast: uEnd, n: 0, lastPos: 0 };
      this.refs.push(r);
      this.cur = r;
    }
    if (pos < r.lastPos) {
      this.failed = `positions on ${chr} are not sorted`;
      return;
    }
    r.lastPos = pos;
    const beg = pos - 1;
    const bin = reg2bin(beg, beg + 1);
    let chunks = r.bins.get(bin);
    if (!chunks) r.bins.set(bin, (chunks = []));
    if (r.lastBin === bin && chunks.length && chunks[chunks.length - 1] === uStart) chunks[chunks.length - 1] = uEnd;
    else chunks.push(uStart, uEnd);
    r.lastBin = bin;
    const w = beg >> 14;
    while (r.linear.length <= w) r.linear.push(-1);
    if (r.linear[w] < 0) r.linear[w] = uStart;
    r.uLast = uEnd;
    r.n++;
  }

  /** The writer's next block starts at this compressed offset. */
  blockAt(offset: number): void {
    this.blocks.push(offset);
  }

  finishText(): void {
    if (this.carryLen && !this.failed) {
      const line = Buffer.concat(this.carry);
      this.line(line, this.u - line.length, this.u);
    }
    if (!this.failed && !this.cols) this.failed = 'no header line';
  }

  private voff(u: number): bigint {
    const k = Math.floor(u / BGZF_BLOCK);
    return (BigInt(this.blocks[k]) << 16n) | BigInt(u - k * BGZF_BLOCK);
  }

  /** The .tbi bytes (BGZF-compressed), or null when there is no index to write. */
  build(): Buffer | null {
    if (this.failed || !this.cols) return null;
    const parts: Buffer[] = [];
    const i32 = (v: number) => {
      const b = Buffer.alloc(4);
      b.writeInt32LE(v);
      parts.push(b);
    };
    const u64 = (v: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(v);
      parts.push(b);
    };
    parts.push(Buffer.from('TBI\x01', 'latin1'));
    i32(this.refs.length);
    for (const v of [0, this.cols.seq, this.cols.beg, 0, 35, this.cols.skip]) i32(v);
    const names = Buffer.from(this.refs.map((r) => r.name + '\0').join(''), 'latin1');
    i32(names.length);
    parts.push(names);
    for (const r of this.refs) {
      const bins = [...r.bins.keys()].sort((a, b) => a - b);
      i32(bins.length + 1);
      for (const bin of bins) {
        const c = r.bins.get(bin)!;
        i32(bin);
        i32(c.length / 2);
        for (const u of c) u64(this.voff(u));
      }
      i32(PSEUDO_BIN);
      i32(2);
      u64(this.voff(r.uFirst));
      u64(this.voff(r.uLast));
      u64(BigInt(r.n));
      u64(0n);
      // Windows no record overlaps take the offset of the window before (as htslib fills them).
      const lin = r.linear.slice();
      for (let j = 0; j < lin.length; j++) if (lin[j] < 0) lin[j] = j ? lin[j - 1] : r.uFirst;
      i32(lin.length);
      for (const u of lin) u64(this.voff(u));
    }
    u64(0n);
    return bgzfSync(Buffer.concat(parts));
  }
}

/**
 * The .tbi beside a BGZF output: written under a temporary name once the table is finished and
 * renamed right after it; an older FILE.tbi is removed when this table could not be indexed.
 */
export class TbiSidecar {
  private tmp: string | null = null;
  constructor(
    readonly indexer: TabixIndexer,
    private readonly tempFor: (p: string) => string,
    private readonly register: (p: string) => void,
    private readonly unregister: (p: string) => void,
  ) {}

  async write(target: string): Promise<void> {
    const bytes = this.indexer.build();
    if (!bytes) return;
    const tmp = this.tempFor(target + '.tbi');
    this.register(tmp);
    this.tmp = tmp;
    await fs.promises.writeFile(tmp, bytes, { flag: 'wx' });
  }

  async rename(target: string): Promise<void> {
    if (this.tmp) {
      await fs.promises.rename(this.tmp, target + '.tbi');
      this.unregister(this.tmp);
      this.tmp = null;
    } else {
      await fs.promises.rm(target + '.tbi', { force: true });
    }
  }

  remove(): void {
    if (!this.tmp) return;
    fs.rmSync(this.tmp, { force: true });
    this.unregister(this.tmp);
    this.tmp = null;
  }
}
