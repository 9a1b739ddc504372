// Genome-sorted output with memory bounded whatever the input order. Rows that continue the current
// sorted run stream straight to the output (the common, sorted case costs nothing extra); rows that
// arrive out of order are buffered, and spilled to disk as sorted runs when the buffer is full. At
// the end the output-so-far, the spilled runs and the buffer are k-way merged.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RANK_OTHER } from '../formats/chrom.js';
import { copyFileTo, createOutput, isSpecialFile, writeAsync, type OutCompression, type OutputFile } from '../io/output.js';
import { compareKeys, type RowKey } from './order.js';
import { BatchWriter, maxOpenFor, mergeInPasses, type MergeSource } from './merge.js';
import { TableReader } from './merge-reader.js';
import type { Writable } from 'node:stream';
import type { RowConverter } from '../formats/out-format.js';

let sorterSeq = 0;

export type SortTarget = { kind: 'file'; path: string; compression: OutCompression } | { kind: 'stdout' };

export interface SorterOptions {
  header: string;
  target: SortTarget;
  /** Directory for spilled runs (created by the caller; removed by the caller). */
  tmpDir: string;
  /** Bytes of out-of-order rows held before spilling a run. */
  memoryBytes: number;
  /** Rewrites the finished table into another format (formats/out-format.ts); run 0 is then a temporary. */
  convert?: () => RowConverter;
}

const EMPTY = new Uint8Array(0);
const ROW_OVERHEAD = 96; // approximate heap bytes per buffered row besides its text

export class GenomeSorter {
  private run0: OutputFile;
  private last: RowKey | null = null;
  private pending: RowKey[] = [];
  private pendingBytes = 0;
  private spills: string[] = [];
  private outOfOrder = false;
  /** Sorters of several phenotypes share tmpDir: their run files need distinct names. */
  private readonly tag = `s${sorterSeq++}-${process.pid}`;
  rows = 0;
  /** The converter of the finished table (with its counts), once finish() made it. */
  converter: RowConverter | null = null;

  constructor(private opts: SorterOptions) {
    const t = opts.target;
    // Run 0 is the output itself unless it may have to be read back (stdout, a FIFO or device).
    this.run0 = t.kind === 'file' && !isSpecialFile(t.path) && !opts.convert ? createOutput(t.path, t.compression) : createOutput(path.join(opts.tmpDir, `run0-${Math.random().toString(36).slice(2)}.tsv`), 'none');
    this.run0.stream.write(opts.header + '\n');
  }

  /**
   * Add rows: `text` holds rows ending in '\n', `ends[i]` the end of row i; `rank`/`pos` per row.
   * Resolves when the output can take more (backpressure).
   */
  async add(text: Uint8Array, ends: Uint32Array, rank: ArrayLike<number>, pos: ArrayLike<number>): Promise<void> {
    let spanStart = 0;
    let start = 0;
    const w = this.run0.stream;
    // The last in-order row, when it is one of this chunk's: [lastS, lastE) of text. Keys and row
    // views only for ties and out-of-order rows: docs/decisions/0008-sorter-in-order-fast-path.md.
    let lastS = -1;
    let lastE = -1;
    for (let i = 0; i < ends.length; i++) {
      const end = ends[i];
      const rk = rank[i];
      const p = pos[i];
      let inOrder: boolean;
      if (this.last === null) inOrder = true;
      else if (rk !== this.last.rank) inOrder = rk > this.last.rank;
      else if (rk !== RANK_OTHER && p !== this.last.pos) inOrder = p > this.last.pos;
      else {
        if (lastS >= 0) this.last.line = text.subarray(lastS, lastE);
        const line = text.subarray(start, end - 1);
        inOrder = compareKeys(this.last, { rank: rk, chr: rk === RANK_OTHER ? chrOf(line) : '', pos: p, line }) <= 0;
      }
      if (inOrder) {
        if (this.last === null) this.last = { rank: rk, chr: '', pos: p, line: EMPTY };
        this.last.rank = rk;
        this.last.pos = p;
        this.last.chr = rk === RANK_OTHER ? chrOf(text.subarray(start, end - 1)) : '';
        lastS = start;
        lastE = end - 1;
      } else {
        if (start > spanStart) w.write(text.subarray(spanStart, start));
        spanStart = end;
        const line = text.slice(start, end - 1);
        this.pending.push({ rank: rk, chr: rk === RANK_OTHER ? chrOf(line) : '', pos: p, line });
        this.outOfOrder = true;
        this.pendingBytes += line.length + ROW_OVERHEAD;
        if (this.pendingBytes > this.opts.memoryBytes) await this.spill();
      }
      start = end;
      this.rows++;
    }
    // The last key keeps a copy of its row: it must not pin the whole chunk's text.
    if (lastS >= 0) this.last!.line = text.slice(lastS, lastE);
    if (start > spanStart) {
      const p = writeAsync(w, text.subarray(spanStart, start));
      if (p) await p;
    }
  }

  private async spill(): Promise<void> {
    this.pending.sort(compareKeys);
    const file = path.join(this.opts.tmpDir, `run-${this.tag}-${this.spills.length + 1}.tsv`);
    const ws = fs.createWriteStream(file, { highWaterMark: 1 << 20 });
    for (const k of this.pending) {
      const p1 = writeAsync(ws, k.line);
      if (p1) await p1;
      const p2 = writeAsync(ws, NL);
      if (p2) await p2;
    }
    await new Promise<void>((res, rej) => ws.end((err?: Error | null) => (err ? rej(err) : res())));
    this.spills.push(file);
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Whether every row so far arrived in order. */
  get sortedInput(): boolean {
    return !this.outOfOrder;
  }

  /**
   * Finish the sorted output; a file output is returned finished but not yet renamed (the caller
   * renames every table of the run together, see commitAll).
   */
  async finish(): Promise<OutputFile | null> {
    const t = this.opts.target;
    const conv = this.opts.convert?.() ?? null;
    this.converter = conv;
    if (this.sortedInput && !conv && t.kind === 'file' && this.run0.finalPath === t.path) {
      await this.run0.finish();
      return this.run0;
    }
    await this.run0.finish();
    if (t.kind === 'file') {
      const out = createOutput(t.path, t.compression, conv ?? undefined);
      try {
        await this.writeSorted(out.stream);
        await out.finish();
        return out;
      } catch (e) {
        out.abort();
        throw e;
      } finally {
        this.run0.abort();
      }
    }
    if (conv) conv.pipe(process.stdout, { end: false });
    await this.writeSorted(conv ?? process.stdout);
    if (conv) await new Promise<void>((res, rej) => conv.on('error', rej).on('end', res).end());
    this.run0.abort();
    return null;
  }

  /** The sorted table (header first) into `w`: run 0 as it is, or run 0, the spills and the held rows merged. */
  private async writeSorted(w: Writable): Promise<void> {
    if (this.sortedInput) {
      await copyFileTo(this.run0.tmpPath, w);
      return;
    }
    this.pending.sort(compareKeys);
    const pending = this.pending;
    this.pending = [];
    const sources: MergeSource[] = [
      { open: () => TableReader.open(this.run0.tmpPath, { header: true, checkSorted: false }), origins: [] },
      ...this.spills.map((f) => ({ open: () => TableReader.open(f, { header: false, checkSorted: false }), origins: [], temp: f })),
      { open: () => TableReader.fromBlocks('(memory)', linesOf(pending), { header: false, checkSorted: false }), origins: [] },
    ];
    const ctx = { maxOpen: maxOpenFor(this.opts.memoryBytes / (1 << 20)), tmpDir: () => this.opts.tmpDir, checkDuplicates: false };
    w.write(this.opts.header + '\n');
    await mergeInPasses(sources, new BatchWriter(w), ctx);
  }

  abort(): void {
    this.run0.abort();
  }
}

const NL = new Uint8Array([10]);

function chrOf(line: Uint8Array): string {
  const t = line.indexOf(9);
  return Buffer.from(line.buffer, line.byteOffset, t < 0 ? line.length : t).toString('latin1');
}

/** Sorted held rows as ~1 MB blocks of lines. */
function* linesOf(a: RowKey[]): Generator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let n = 0;
  for (const k of a) {
    parts.push(k.line, NL);
    n += k.line.length + 1;
    if (n >= 1 << 20) {
      yield Buffer.concat(parts, n);
      parts = [];
      n = 0;
    }
  }
  if (n) yield Buffer.concat(parts, n);
}
