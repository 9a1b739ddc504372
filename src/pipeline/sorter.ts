// The one external sorter (issue 14): genome-sorted output with memory bounded whatever the input
// order. Rows that continue the current sorted run stream straight to run 0 (the output itself when
// it is a regular file: a sorted input costs nothing extra); rows out of order are held (HeldRows),
// and spilled to the temporary directory as sorted runs when the budget is full. At the end run 0,
// the spills and the held rows are k-way merged (in passes when there are more runs than may be open
// at once). ExternalSort is that mechanism; GenomeSorter (assoc's rows from the workers) and
// merge-sort.ts (`merge --sort`, rows from a TableReader) only decide which rows are in order.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { fileError } from '../errors.js';
import { RANK_OTHER } from '../formats/chrom.js';
import type { RowConverter } from '../formats/out-format.js';
import { copyFileTo, createOutput, isSpecialFile, writeAsync, type OutCompression, type OutputFile } from '../io/output.js';
import { compareChrom, compareKeys, type RowKey } from './order.js';
import { BatchWriter, maxOpenFor, mergeInPasses, type MergeSource } from './merge.js';
import { TableReader, type KeyColumns } from './merge-reader.js';

let sorterSeq = 0;
const NL = 10;
const SLAB = 1 << 20;

export interface ExternalSortOptions {
  header: string;
  /** The output, when run 0 may be it (a regular file written in order); null: run 0 is a temporary. */
  output: { path: string; compression: OutCompression } | null;
  /** Directory for run 0 (when temporary), spills and merge passes; made by the caller, on first use. */
  tmpDir: () => string;
  /** Bytes of out-of-order rows held before spilling a run. */
  memoryBytes: number;
  /** Runs merged at once (default from memoryBytes: maxOpenFor). */
  maxOpen?: number;
  /** Where the chromosome and position are in a row (merge-reader.ts); default: ours, CHR and BP first. */
  key?: KeyColumns;
}

/** Run 0, the held rows and the spilled runs of one sorted table. */
export class ExternalSort {
  readonly run0: OutputFile;
  private held: HeldRows;
  readonly spills: string[] = [];
  /** Sorters of several phenotypes share a directory: their run files need distinct names. */
  private readonly tag = `s${sorterSeq++}-${process.pid}`;

  constructor(private readonly opts: ExternalSortOptions) {
    const o = opts.output;
    // Run 0 is read back when the input is out of order: stdout, a FIFO or a device cannot be.
    this.run0 = o && !isSpecialFile(o.path) ? createOutput(o.path, o.compression) : createOutput(path.join(opts.tmpDir(), `run0-${this.tag}.tsv`), 'none');
    this.run0.stream.write(opts.header + '\n');
    // Slabs of a quarter of a small budget: a few rows per spill, not one (1 MB from a 4 MB budget up).
    this.held = new HeldRows(Math.min(SLAB, Math.max(64, Math.floor(opts.memoryBytes / 4))));
  }

  private outOfOrder = false;

  /** Whether every row so far was in order (run 0 is the whole table); still so after writeSorted. */
  get sortedInput(): boolean {
    return !this.outOfOrder;
  }

  /** Whether run 0 is the output file itself (not yet renamed). */
  get run0IsOutput(): boolean {
    return this.opts.output !== null && this.run0.finalPath === this.opts.output.path;
  }

  /** Hold an out-of-order row b[s, e) (without its '\n'); spills a sorted run when the budget is full. */
  async hold(b: Uint8Array, s: number, e: number, rank: number, chr: string, pos: number): Promise<void> {
    this.outOfOrder = true;
    this.held.add(b, s, e, rank, chr, pos);
    if (this.held.bytes > this.opts.memoryBytes) {
      const file = path.join(this.opts.tmpDir(), `run-${this.tag}-${this.spills.length + 1}.tsv`);
      await writeRun(file, this.held.sortedBlocks());
      this.spills.push(file);
      this.held = new HeldRows(this.held.slabSize);
    }
  }

  /**
   * The sorted table (header first) into `w`, run 0 finished before: run 0 copied as it is, or run
   * 0, the spills and the held rows merged. Returns the merge passes made (1 for a copy).
   */
  async writeSorted(w: Writable): Promise<number> {
    if (this.sortedInput) {
      await copyFileTo(this.run0.tmpPath, w);
      return 1;
    }
    const held = this.held;
    this.held = new HeldRows(held.slabSize);
    const key = this.opts.key;
    const run = (f: string, header: boolean) => () => TableReader.open(f, { header, checkSorted: false, key });
    const sources: MergeSource[] = [
      { open: run(this.run0.tmpPath, true), origins: [] },
      ...this.spills.map((f) => ({ open: run(f, false), origins: [], temp: f })),
      { open: () => TableReader.fromBlocks('(memory)', held.sortedBlocks(), { header: false, checkSorted: false, key }), origins: [] },
    ];
    const maxOpen = this.opts.maxOpen ?? maxOpenFor(this.opts.memoryBytes / (1 << 20));
    w.write(this.opts.header + '\n');
    const [, passes] = await mergeInPasses(sources, new BatchWriter(w), { maxOpen, tmpDir: this.opts.tmpDir, checkDuplicates: false });
    return passes + 1;
  }

  /** Remove run 0 (unless renamed into place) and the spilled runs. */
  abort(): void {
    this.run0.abort();
    for (const f of this.spills.splice(0)) fs.rmSync(f, { force: true });
  }
}

/** Write sorted blocks as a headerless run; a failure (a full disk) names the run's file. */
async function writeRun(file: string, blocks: Iterable<Uint8Array>): Promise<void> {
  const ws = fs.createWriteStream(file, { highWaterMark: 1 << 20 });
  const closed = new Promise<void>((res, rej) => {
    ws.on('close', res);
    ws.on('error', rej);
  });
  try {
    for (const block of blocks) {
      const p = writeAsync(ws, block);
      if (p) await p;
    }
    ws.end();
    await closed;
  } catch (e) {
    ws.destroy();
    closed.catch(() => {});
    fs.rmSync(file, { force: true });
    throw fileError(e, file);
  }
}

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

/** assoc's sorted table: rows from the workers, in chunks with their ranks and positions. */
export class GenomeSorter {
  private readonly sort: ExternalSort;
  private last: RowKey | null = null;
  rows = 0;
  /** The converter of the finished table (with its counts), once finish() made it. */
  converter: RowConverter | null = null;

  constructor(private opts: SorterOptions) {
    const t = opts.target;
    const output = t.kind === 'file' && !opts.convert ? { path: t.path, compression: t.compression } : null;
    this.sort = new ExternalSort({ header: opts.header, output, tmpDir: () => opts.tmpDir, memoryBytes: opts.memoryBytes });
  }

  /**
   * Add rows: `text` holds rows ending in '\n', `ends[i]` the end of row i; `rank`/`pos` per row.
   * Resolves when the output can take more (backpressure).
   */
  async add(text: Uint8Array, ends: Uint32Array, rank: ArrayLike<number>, pos: ArrayLike<number>): Promise<void> {
    let spanStart = 0;
    let start = 0;
    const w = this.sort.run0.stream;
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
        await this.sort.hold(text, start, end - 1, rk, rk === RANK_OTHER ? chrOf(text.subarray(start, end - 1)) : '', p);
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

  /** Whether every row so far arrived in order. */
  get sortedInput(): boolean {
    return this.sort.sortedInput;
  }

  /**
   * Finish the sorted output; a file output is returned finished but not yet renamed (the caller
   * renames every table of the run together, see commitAll).
   */
  async finish(): Promise<OutputFile | null> {
    const t = this.opts.target;
    const run0 = this.sort.run0;
    const conv = this.opts.convert?.() ?? null;
    this.converter = conv;
    await run0.finish();
    if (this.sort.sortedInput && this.sort.run0IsOutput) return run0;
    try {
      if (t.kind === 'file') {
        const out = createOutput(t.path, t.compression, conv ?? undefined);
        try {
          await this.sort.writeSorted(out.stream);
          await out.finish();
          return out;
        } catch (e) {
          out.abort();
          throw e;
        }
      }
      if (conv) conv.pipe(process.stdout, { end: false });
      await this.sort.writeSorted(conv ?? process.stdout);
      if (conv) await new Promise<void>((res, rej) => conv.on('error', rej).on('end', res).end());
      return null;
    } finally {
      run0.abort();
    }
  }

  abort(): void {
    this.sort.abort();
  }
}

function chrOf(line: Uint8Array): string {
  const t = line.indexOf(9);
  return Buffer.from(line.buffer, line.byteOffset, t < 0 ? line.length : t).toString('latin1');
}

/**
 * Rows held in memory for sorting: their text packed into slabs (1 MB, less for a smaller budget)
 * and their keys in typed arrays, so a row costs its bytes plus 40 (no object per row), and `bytes`
 * is what it really uses.
 */
export class HeldRows {
  constructor(readonly slabSize = SLAB) {}
  private slabs: Buffer[] = [];
  private slab: Buffer = Buffer.alloc(0);
  private used = 0;
  private slabOf = new Uint32Array(1024);
  private offset = new Uint32Array(1024);
  private len = new Uint32Array(1024);
  private rank = new Int32Array(1024);
  private chrId = new Int32Array(1024);
  private pos = new Float64Array(1024);
  private chrNames: string[] = [];
  private chrIds = new Map<string, number>();
  rows = 0;
  bytes = 0;

  add(b: Uint8Array, s: number, e: number, rank: number, chr: string, pos: number): void {
    const n = e - s;
    if (this.used + n > this.slab.length) {
      this.slab = Buffer.allocUnsafe(Math.max(this.slabSize, n));
      this.slabs.push(this.slab);
      this.used = 0;
      this.bytes += this.slab.length;
    }
    if (this.rows === this.len.length) this.grow();
    const i = this.rows++;
    this.slab.set(b.subarray(s, e), this.used);
    this.slabOf[i] = this.slabs.length - 1;
    this.offset[i] = this.used;
    this.len[i] = n;
    this.rank[i] = rank;
    this.pos[i] = pos;
    let id = 0;
    if (rank === RANK_OTHER) {
      id = this.chrIds.get(chr) ?? -1;
      if (id < 0) {
        id = this.chrNames.push(chr) - 1;
        this.chrIds.set(chr, id);
      }
    }
    this.chrId[i] = id;
    this.used += n;
    this.bytes += 40;
  }

  private grow(): void {
    const m = this.len.length * 2;
    const g = <T extends Uint32Array | Int32Array | Float64Array>(a: T, mk: new (n: number) => T): T => {
      const out = new mk(m);
      out.set(a as never);
      return out;
    };
    this.slabOf = g(this.slabOf, Uint32Array);
    this.offset = g(this.offset, Uint32Array);
    this.len = g(this.len, Uint32Array);
    this.rank = g(this.rank, Int32Array);
    this.chrId = g(this.chrId, Int32Array);
    this.pos = g(this.pos, Float64Array);
  }

  private view(i: number): Buffer {
    return this.slabs[this.slabOf[i]].subarray(this.offset[i], this.offset[i] + this.len[i]);
  }

  /** Row indices in genome order (order.ts compareKeys: rank, name for other codes, position, bytes). */
  private order(): Uint32Array {
    const idx = new Uint32Array(this.rows);
    for (let i = 0; i < idx.length; i++) idx[i] = i;
    const { rank, pos, chrId, chrNames } = this;
    idx.sort((a, b) => {
      // chrId is only set (and names only compared) for RANK_OTHER codes.
      if (rank[a] !== rank[b] || chrId[a] !== chrId[b]) {
        const c = compareChrom(rank[a], chrNames[chrId[a]], rank[b], chrNames[chrId[b]]);
        if (c !== 0) return c;
      }
      if (pos[a] !== pos[b]) return pos[a] - pos[b];
      return Buffer.compare(this.view(a), this.view(b));
    });
    return idx;
  }

  /** The rows in genome order as ~1 MB blocks of lines. */
  *sortedBlocks(): Generator<Buffer> {
    const idx = this.order();
    let out = Buffer.allocUnsafe(this.slabSize);
    let o = 0;
    for (const i of idx) {
      const n = this.len[i];
      if (o + n + 1 > out.length) {
        if (o > 0) yield out.subarray(0, o);
        out = Buffer.allocUnsafe(Math.max(this.slabSize, n + 1));
        o = 0;
      }
      const off = this.offset[i];
      this.slabs[this.slabOf[i]].copy(out, o, off, off + n);
      o += n;
      out[o++] = NL;
    }
    if (o > 0) yield out.subarray(0, o);
  }
}
