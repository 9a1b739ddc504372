// Genome-sorted output with memory bounded whatever the input order. Rows that continue the current
// sorted run stream straight to the output (the common, sorted case costs nothing extra); rows that
// arrive out of order are buffered, and spilled to disk as sorted runs when the buffer is full. At
// the end the output-so-far, the spilled runs and the buffer are k-way merged.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { RANK_OTHER } from '../formats/chrom.js';
import { openInput } from '../io/input.js';
import { readLines } from '../io/lines.js';
import { createOutput, writeAsync, type OutCompression, type OutputFile } from '../io/output.js';
import { InputError } from '../errors.js';
import { compareKeys, keyOfLine, type RowKey } from './order.js';

export type SortTarget = { kind: 'file'; path: string; compression: OutCompression } | { kind: 'stdout' };

export interface SorterOptions {
  header: string;
  target: SortTarget;
  /** Directory for spilled runs (created by the caller; removed by the caller). */
  tmpDir: string;
  /** Bytes of out-of-order rows held before spilling a run. */
  memoryBytes: number;
}

const ROW_OVERHEAD = 96; // approximate heap bytes per buffered row besides its text

export class GenomeSorter {
  private run0: OutputFile;
  private last: RowKey | null = null;
  private pending: RowKey[] = [];
  private pendingBytes = 0;
  private spills: string[] = [];
  rows = 0;

  constructor(private opts: SorterOptions) {
    const t = opts.target;
    this.run0 = t.kind === 'file' ? createOutput(t.path, t.compression) : createOutput(path.join(opts.tmpDir, `run0-${Math.random().toString(36).slice(2)}.tsv`), 'none');
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
    for (let i = 0; i < ends.length; i++) {
      const end = ends[i];
      const line = text.subarray(start, end - 1);
      const rk = rank[i];
      const key: RowKey = { rank: rk, chr: rk === RANK_OTHER ? chrOf(line) : '', pos: pos[i], line };
      if (this.last === null || compareKeys(this.last, key) <= 0) {
        this.last = key;
      } else {
        if (start > spanStart) w.write(text.subarray(spanStart, start));
        spanStart = end;
        key.line = line.slice();
        this.pending.push(key);
        this.pendingBytes += line.length + ROW_OVERHEAD;
        if (this.pendingBytes > this.opts.memoryBytes) await this.spill();
      }
      start = end;
      this.rows++;
    }
    if (start > spanStart) {
      const p = writeAsync(w, text.subarray(spanStart, start));
      if (p) await p;
    }
    // The last key must not pin the whole chunk's text.
    if (this.last && this.last.line.buffer === text.buffer) this.last = { ...this.last, line: this.last.line.slice() };
  }

  private async spill(): Promise<void> {
    this.pending.sort(compareKeys);
    const file = path.join(this.opts.tmpDir, `run${this.spills.length + 1}.tsv`);
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
    return this.pending.length === 0 && this.spills.length === 0;
  }

  async finish(): Promise<void> {
    const t = this.opts.target;
    if (this.sortedInput) {
      if (t.kind === 'file') {
        await this.run0.commit();
      } else {
        await this.run0.finish();
        await copyToStdout(this.run0.tmpPath);
        this.run0.abort();
      }
      return;
    }
    await this.run0.finish();
    this.pending.sort(compareKeys);
    const sources: AsyncIterator<RowKey>[] = [fileKeys(this.run0.tmpPath, true), ...this.spills.map((f) => fileKeys(f, false)), arrayKeys(this.pending)];
    if (t.kind === 'file') {
      const out = createOutput(t.path, t.compression);
      try {
        out.stream.write(this.opts.header + '\n');
        await mergeKeys(sources, out.stream);
        await out.commit();
      } catch (e) {
        out.abort();
        throw e;
      } finally {
        this.run0.abort();
      }
    } else {
      const so = process.stdout;
      so.write(this.opts.header + '\n');
      await mergeKeys(sources, so);
      this.run0.abort();
    }
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

async function copyToStdout(file: string): Promise<void> {
  const rs = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  for await (const b of rs) {
    const p = writeAsync(process.stdout, b as Buffer);
    if (p) await p;
  }
}

async function* arrayKeys(a: RowKey[]): AsyncGenerator<RowKey> {
  yield* a;
}

/** Row keys of a sorted table file (any compression); `header` skips its first line. */
export async function* fileKeys(file: string, header: boolean): AsyncGenerator<RowKey> {
  const inp = await openInput(file);
  let lineNo = 0;
  for await (const line of readLines(inp.stream)) {
    lineNo++;
    if (header && lineNo === 1) continue;
    if (line.length === 0) continue;
    const k = keyOfLine(line);
    if (!k) throw new InputError('row without CHR and BP columns', { file, line: lineNo });
    k.line = line.slice();
    yield k;
  }
}

/** K-way merge of sorted key streams into `out` (with backpressure). */
export async function mergeKeys(sources: AsyncIterator<RowKey>[], out: Writable): Promise<number> {
  const heap: { k: RowKey; s: number }[] = [];
  const push = (e: { k: RowKey; s: number }) => {
    heap.push(e);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (compareKeys(heap[p].k, heap[i].k) <= 0) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  };
  const pop = () => {
    const top = heap[0];
    const lastE = heap.pop()!;
    if (heap.length) {
      heap[0] = lastE;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && compareKeys(heap[l].k, heap[m].k) < 0) m = l;
        if (r < heap.length && compareKeys(heap[r].k, heap[m].k) < 0) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };
  for (let s = 0; s < sources.length; s++) {
    const r = await sources[s].next();
    if (!r.done) push({ k: r.value, s });
  }
  let batch: Uint8Array[] = [];
  let batchLen = 0;
  let rows = 0;
  const flush = async () => {
    if (!batchLen) return;
    const buf = Buffer.concat(batch, batchLen);
    batch = [];
    batchLen = 0;
    const p = writeAsync(out, buf);
    if (p) await p;
  };
  while (heap.length) {
    const { k, s } = pop();
    batch.push(k.line, NL);
    batchLen += k.line.length + 1;
    rows++;
    if (batchLen >= 1 << 20) await flush();
    const r = await sources[s].next();
    if (!r.done) push({ k: r.value, s });
  }
  await flush();
  return rows;
}
