// `dosageflow merge --sort`: external merge sort of one table into genome order (order.ts), memory
// bounded by --memory. Rows that continue the sorted run stream straight to the output (a sorted
// input costs one pass and nothing else); rows out of order are held, and spilled to the temporary
// directory as sorted runs when the budget is full. At the end the output-so-far, the runs and the
// held rows are merged (in passes if there are more runs than may be open at once).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError, fileError } from '../errors.js';
import { RANK_OTHER } from '../formats/chrom.js';
import { copyFileTo, createOutput, isSpecialFile, writeAsync } from '../io/output.js';
import { compareChrom } from './order.js';
import { TableReader } from './merge-reader.js';
import { BatchWriter, checkHeaderColumns, maxOpenFor, mergeInPasses, openSink, type MergeConfig, type MergeSource, type Sink } from './merge.js';

const NL = 10;
const SLAB = 1 << 20;

export interface SortResult {
  rows: number;
  passes: number;
  sortedInput: boolean;
  spilledRuns: number;
}

export async function sortTable(cfg: MergeConfig, tmp: { get: () => string }): Promise<SortResult> {
  const file = cfg.inputs[0];
  const memoryBytes = Math.max(1, cfg.memoryMB * (1 << 20));
  const maxOpen = cfg.maxOpen ?? maxOpenFor(cfg.memoryMB);
  const r = await TableReader.open(file, { header: true, checkSorted: false, checkRows: true, onHeader: (h) => checkHeaderColumns(h, file), columns: cfg.columns });
  if (r.header === null) {
    r.close();
    throw new InputError('empty file: no header line', { file, line: 1 });
  }
  const header = r.header;
  const toStdout = cfg.out === '-';
  // Run 0 holds the rows in order; it is the output itself when the whole input is in order.
  // Run 0 is read back when the input is not in order: a FIFO or device output cannot be.
  const special = toStdout || isSpecialFile(cfg.out);
  const run0 = special ? createOutput(path.join(tmp.get(), 'run0.tsv'), 'none') : createOutput(cfg.out, cfg.compress);
  let sink: Sink | null = null;
  let held = new HeldRows();
  const spills: string[] = [];
  let rows = 0;
  try {
    run0.stream.write(header + '\n');
    const w0 = new BatchWriter(run0.stream);
    const split = await splitInOrder(r, w0, memoryBytes, (k) => path.join(tmp.get(), `run${k}.tsv`));
    held = split.held;
    spills.push(...split.spills);
    rows = split.rows;
    if (held.rows === 0 && spills.length === 0) {
      if (special) {
        await run0.finish();
        const k = openSink(cfg.out, cfg.compress);
        sink = k;
        await copyFileTo(run0.tmpPath, k.stream);
        await k.commit();
      } else {
        await run0.commit();
      }
      return { rows, passes: 1, sortedInput: true, spilledRuns: 0 };
    }
    await run0.finish();
    const last = held;
    held = new HeldRows();
    const key = r.keyCols;
    const sources: MergeSource[] = [
      { open: () => TableReader.open(run0.tmpPath, { header: true, checkSorted: false, key }), origins: [file] },
      ...spills.map((f) => ({ open: () => TableReader.open(f, { header: false, checkSorted: false, key }), origins: [file], temp: f })),
      { open: () => TableReader.fromBlocks('(memory)', last.sortedBlocks(), { header: false, checkSorted: false, key }), origins: [file] },
    ];
    const k = openSink(cfg.out, cfg.compress);
    sink = k;
    k.stream.write(header + '\n');
    const [n, passes] = await mergeInPasses(sources, new BatchWriter(k.stream), { maxOpen, tmpDir: tmp.get, checkDuplicates: false });
    await k.commit();
    return { rows: n, passes: passes + 1, sortedInput: false, spilledRuns: spills.length };
  } catch (e) {
    (sink as Sink | null)?.abort();
    throw e;
  } finally {
    r.close();
    run0.abort();
  }
}

/**
 * One pass over the table: rows that continue the sorted run go to run 0 (w0) in spans of the
 * reader's buffer; the others are held, and spilled as sorted runs when they pass memoryBytes.
 */
async function splitInOrder(r: TableReader, w0: BatchWriter, memoryBytes: number, spillPath: (k: number) => string): Promise<{ rows: number; held: HeldRows; spills: string[] }> {
  let held = new HeldRows();
  const spills: string[] = [];
  let rows = 0;
  let has = false;
  let lastRank = 0;
  let lastChr = '';
  let lastPos = 0;
  let lastBuf: Buffer = Buffer.alloc(0);
  let lastStart = 0;
  let lastEnd = 0;
  let spanBuf: Buffer | null = null;
  let spanStart = 0;
  let spanEnd = 0;
  while (!r.done) {
    let c = 1;
    if (has) {
      c = compareChrom(r.rank, r.chr, lastRank, lastChr);
      if (c === 0) c = r.pos - lastPos;
      if (c === 0) c = Buffer.compare(r.buf.subarray(r.start, r.end), lastBuf.subarray(lastStart, lastEnd));
    }
    if (c >= 0) {
      if (spanBuf === r.buf && spanEnd === r.start) {
        spanEnd = r.end + 1;
      } else {
        if (spanBuf) w0.add(spanBuf.subarray(spanStart, spanEnd));
        spanBuf = r.buf;
        spanStart = r.start;
        spanEnd = r.end + 1;
      }
      has = true;
      lastRank = r.rank;
      lastChr = r.chr;
      lastPos = r.pos;
      lastBuf = r.buf;
      lastStart = r.start;
      lastEnd = r.end;
    } else {
      held.add(r.buf, r.start, r.end, r.rank, r.chr, r.pos);
      if (held.bytes > memoryBytes) {
        spills.push(await spill(held, spillPath(spills.length + 1)));
        held = new HeldRows();
      }
    }
    rows++;
    if (!r.advance()) {
      if (spanBuf) w0.add(spanBuf.subarray(spanStart, spanEnd));
      spanBuf = null;
      if (w0.full) await w0.flush();
      await r.refill();
    }
  }
  if (spanBuf) w0.add(spanBuf.subarray(spanStart, spanEnd));
  await w0.flush();
  return { rows, held, spills };
}

/**
 * Rows held in memory for sorting: their text packed into 1 MB slabs and their keys in typed arrays,
 * so a row costs its bytes plus 40 (no object per row), and `bytes` is what it really uses.
 */
export class HeldRows {
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

  add(b: Buffer, s: number, e: number, rank: number, chr: string, pos: number): void {
    const n = e - s;
    if (this.used + n > this.slab.length) {
      this.slab = Buffer.allocUnsafe(Math.max(SLAB, n));
      this.slabs.push(this.slab);
      this.used = 0;
      this.bytes += this.slab.length;
    }
    if (this.rows === this.len.length) this.grow();
    const i = this.rows++;
    b.copy(this.slab, this.used, s, e);
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
    let out = Buffer.allocUnsafe(SLAB);
    let o = 0;
    for (const i of idx) {
      const n = this.len[i];
      if (o + n + 1 > out.length) {
        if (o > 0) yield out.subarray(0, o);
        out = Buffer.allocUnsafe(Math.max(SLAB, n + 1));
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

/** Write held rows, sorted, as a headerless run. */
async function spill(rows: HeldRows, file: string): Promise<string> {
  const ws = fs.createWriteStream(file, { highWaterMark: 1 << 20 });
  const closed = new Promise<void>((res, rej) => {
    ws.on('close', res);
    ws.on('error', (e) => rej(fileError(e, file)));
  });
  for (const block of rows.sortedBlocks()) {
    const p = writeAsync(ws, block);
    if (p) await p;
  }
  ws.end();
  await closed;
  return file;
}

