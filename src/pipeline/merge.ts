// `dosageflow merge`: k-way merge of genome-sorted summary-statistics tables (e.g. the shards of an
// assoc run) into one genome-sorted table, in the order of order.ts's compareKeys, so merging shards
// gives exactly the bytes of the unsharded run. Streaming: each input holds one block in memory, the
// merge awaits once per block (never per row), and runs of rows that come from one input are copied
// as whole byte spans. More inputs than may be open at once are merged in passes through a temporary
// directory. `--sort` (merge-sort.ts) sorts one unsorted table with sorted runs spilled to disk.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { FileError, InputError, fileError } from '../errors.js';
import { openInput } from '../io/input.js';
import { readLines } from '../io/lines.js';
import { createHash } from 'node:crypto';
import { ssfMetaPath } from '../formats/out-format.js';
import { createOutput, isSpecialFile, registerTemp, unregisterTemp, writeAsync, type OutCompression } from '../io/output.js';
import { compareKeys } from './order.js';
import { formatOf, type ColumnMapping } from '../io/sumstats.js';
import { TableReader, describeVariant, identOf, quoteField, type KeyColumns } from './merge-reader.js';

export { TableReader } from './merge-reader.js';

export interface MergeConfig {
  /** Input tables (files, '-' = stdin once); sorted unless `sort`. */
  inputs: string[];
  /** Output file, or '-' for stdout. */
  out: string;
  compress: OutCompression;
  /** Sort one unsorted table instead of merging sorted ones. */
  sort: boolean;
  /** Memory budget in MB: bounds the inputs open at once and, with `sort`, the rows held before a spill. */
  memoryMB: number;
  /** Directory for intermediate runs (default: beside the output; the system's for stdout). */
  tmpDir?: string;
  /** Inputs merged at once (default from memoryMB: one per 4 MB, 2..256). */
  maxOpen?: number;
  /** Closing summary line (stderr by default). */
  log?: (line: string) => void;
  /** --col-* / --columns: the key columns of a table whose header is not recognised. */
  columns?: ColumnMapping;
}

export interface MergeSummary {
  rows: number;
  inputs: number;
  /** Merge passes over the data (1 when every input fits in one merge). */
  passes: number;
  /** --sort: whether the input was already sorted; sorted runs spilled to disk. */
  sortedInput?: boolean;
  spilledRuns?: number;
  seconds: number;
  output: string;
}

/** Approximate memory of one open input (read-ahead, decoder and block). */
export const MB_PER_OPEN_INPUT = 4;

export function maxOpenFor(memoryMB: number): number {
  return Math.max(2, Math.min(256, Math.floor(memoryMB / MB_PER_OPEN_INPUT)));
}

/** Collects byte views and writes them in ~1 MB pieces, respecting backpressure. */
export class BatchWriter {
  private parts: Uint8Array[] = [];
  private bytes = 0;
  private out: Writable | null;
  private readonly make: (() => Writable) | null;
  /** `out` may be a function opening the stream on the first write (e.g. once the header is known). */
  constructor(out: Writable | (() => Writable)) {
    if (typeof out === 'function') {
      this.out = null;
      this.make = out;
    } else {
      this.out = out;
      this.make = null;
    }
  }
  stream(): Writable {
    return (this.out ??= this.make!());
  }
  add(v: Uint8Array): void {
    if (v.length === 0) return;
    this.parts.push(v);
    this.bytes += v.length;
  }
  get full(): boolean {
    return this.bytes >= 1 << 20;
  }
  async flush(): Promise<void> {
    if (this.bytes === 0) return;
    const buf = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    const p = writeAsync(this.stream(), buf);
    if (p) await p;
  }
}

export interface RowAt {
  reader: TableReader;
  line: number;
}

export interface MergeOptions {
  /** The same variant (CHR SNP BP A1 A2) from two different readers is an error. */
  checkDuplicates: boolean;
  /** Build the error for a duplicate (default: names both readers' files and lines). */
  duplicateError?: (first: RowAt, second: RowAt, row: Uint8Array) => Promise<Error>;
}

function siftDown(h: TableReader[], i: number): void {
  const n = h.length;
  const x = h[i];
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const m = r < n && compareKeys(h[r], h[l]) < 0 ? r : l;
    if (compareKeys(h[m], x) >= 0) break;
    h[i] = h[m];
    i = m;
  }
  h[i] = x;
}

async function defaultDuplicateError(first: RowAt, second: RowAt, row: Uint8Array): Promise<Error> {
  return new InputError(`duplicate variant ${describeVariant(second.reader.identOf(row, 0, row.length))}: also in ${first.reader.file}:${first.line}`, { file: second.reader.file, line: second.line });
}

/**
 * K-way merge of readers (each positioned on its first row, or done) into `w`; returns the rows
 * written. The reader with the least row emits rows until it passes the least row of the others,
 * so disjoint inputs (shards) are copied span by span.
 */
export async function mergeReaders(readers: TableReader[], w: BatchWriter, opts: MergeOptions): Promise<number> {
  const heap = readers.filter((r) => !r.done);
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
  const checkDup = opts.checkDuplicates;
  let rows = 0;
  let spanBuf: Buffer | null = null;
  let spanStart = 0;
  let spanEnd = 0;
  let last: TableReader | null = null;
  let lastRank = -1;
  let lastPos = -1;
  let lastBuf: Buffer = Buffer.alloc(0);
  let lastStart = 0;
  let lastEnd = 0;
  let lastLine = 0;
  while (heap.length) {
    const s = heap[0];
    let other: TableReader | null = null;
    if (heap.length === 2) other = heap[1];
    else if (heap.length > 2) other = compareKeys(heap[1], heap[2]) <= 0 ? heap[1] : heap[2];
    for (;;) {
      if (checkDup && last !== s && s.pos === lastPos && s.rank === lastRank && last !== null) {
        if (s.identOf(s.buf, s.start, s.end).equals(last.identOf(lastBuf, lastStart, lastEnd))) {
          const mk = opts.duplicateError ?? defaultDuplicateError;
          // Name them in input order: the error is at the later input.
          let a: RowAt = { reader: last, line: lastLine };
          let b: RowAt = { reader: s, line: s.lineNo };
          if (readers.indexOf(a.reader) > readers.indexOf(b.reader)) [a, b] = [b, a];
          throw await mk(a, b, s.buf.subarray(s.start, s.end));
        }
      }
      if (spanBuf === s.buf && spanEnd === s.start) {
        spanEnd = s.end + 1;
      } else {
        if (spanBuf) w.add(spanBuf.subarray(spanStart, spanEnd));
        spanBuf = s.buf;
        spanStart = s.start;
        spanEnd = s.end + 1;
      }
      rows++;
      if (checkDup) {
        last = s;
        lastRank = s.rank;
        lastPos = s.pos;
        lastBuf = s.buf;
        lastStart = s.start;
        lastEnd = s.end;
        lastLine = s.lineNo;
      }
      if (!s.advance()) {
        if (spanBuf) w.add(spanBuf.subarray(spanStart, spanEnd));
        spanBuf = null;
        if (w.full) await w.flush();
        if (!(await s.refill())) {
          const tail = heap.pop()!;
          if (heap.length) {
            heap[0] = tail;
            siftDown(heap, 0);
          }
          break;
        }
      }
      if (other !== null && compareKeys(s, other) > 0) {
        if (spanBuf) w.add(spanBuf.subarray(spanStart, spanEnd));
        spanBuf = null;
        if (w.full) await w.flush();
        siftDown(heap, 0);
        break;
      }
    }
  }
  await w.flush();
  return rows;
}

/** Something to merge: an input table or an intermediate run. */
export interface MergeSource {
  /** Open it, positioned on its first row (headers checked). */
  open(): Promise<TableReader>;
  /** The original inputs whose rows it holds. */
  origins: string[];
  /** Delete it once merged (intermediate runs). */
  temp?: string;
}

export interface PassContext {
  maxOpen: number;
  /** Directory for intermediate runs, created on first use. */
  tmpDir: () => string;
  checkDuplicates: boolean;
}

/** Open the sources in order; on failure close what was opened. */
async function openAll(sources: MergeSource[]): Promise<TableReader[]> {
  const readers: TableReader[] = [];
  try {
    for (const s of sources) {
      const r = await s.open();
      if (s.temp) r.origins = s.origins;
      readers.push(r);
    }
  } catch (e) {
    for (const r of readers) r.close();
    throw e;
  }
  return readers;
}

/** A duplicate found in an intermediate run: find the original file and line of each copy. */
async function locateDuplicate(first: RowAt, second: RowAt, row: Uint8Array): Promise<Error> {
  const keyCols = second.reader.keyCols;
  const key = Buffer.from(identOf(keyCols, row, 0, row.length));
  const find = async (at: RowAt): Promise<{ file: string; line: number }> => {
    if (!at.reader.origins) return { file: at.reader.file, line: at.line };
    for (const f of at.reader.origins) {
      if (f === '-') continue; // stdin cannot be read again
      const line = await findVariant(f, key, keyCols);
      if (line > 0) return { file: f, line };
    }
    return { file: at.reader.origins.join(', '), line: 0 };
  };
  const a = await find(first);
  const b = await find(second);
  return new InputError(`duplicate variant ${describeVariant(key)}: also in ${a.file}${a.line ? `:${a.line}` : ''}`, { file: b.file, line: b.line || undefined });
}

/** Line number of the first row of `file` whose variant (identOf: CHR SNP BP A1 A2) is `key` (0 if none). */
async function findVariant(file: string, key: Buffer, keyCols: KeyColumns | undefined): Promise<number> {
  const inp = await openInput(file);
  let n = 0;
  for await (const line of readLines(inp.stream, file)) {
    n++;
    if (n > 1 && line.length >= key.length && identOf(keyCols, line, 0, line.length).equals(key)) {
      inp.stream.destroy();
      return n;
    }
  }
  return 0;
}

/**
 * Merge sources into `w`, in passes of at most ctx.maxOpen open at once: each pass merges groups
 * into headerless runs in the temporary directory. Returns [rows, passes].
 */
export async function mergeInPasses(sources: MergeSource[], w: BatchWriter, ctx: PassContext): Promise<[number, number]> {
  let passes = 1;
  let round = 0;
  const tag = Math.random().toString(36).slice(2, 8); // the directory may be shared
  const opts: MergeOptions = { checkDuplicates: ctx.checkDuplicates, duplicateError: locateDuplicate };
  while (sources.length > ctx.maxOpen) {
    const next: MergeSource[] = [];
    for (let g = 0; g < sources.length; g += ctx.maxOpen) {
      const group = sources.slice(g, g + ctx.maxOpen);
      if (group.length === 1) {
        next.push(group[0]);
        continue;
      }
      const file = path.join(ctx.tmpDir(), `merge-${tag}-pass${round}-${g}.tsv`);
      const readers = await openAll(group);
      const key = readers[0].keyCols;
      try {
        const ws = fs.createWriteStream(file, { highWaterMark: 1 << 20 });
        const done = new Promise<void>((res, rej) => {
          ws.on('close', res);
          ws.on('error', (e) => rej(fileError(e, file)));
        });
        await mergeReaders(readers, new BatchWriter(ws), opts);
        ws.end();
        await done;
      } finally {
        for (const r of readers) r.close();
      }
      for (const s of group) if (s.temp) fs.rmSync(s.temp, { force: true });
      next.push({ open: () => TableReader.open(file, { header: false, checkSorted: false, key }), origins: group.flatMap((s) => s.origins), temp: file });
    }
    sources = next;
    round++;
    passes++;
  }
  const readers = await openAll(sources);
  try {
    const rows = await mergeReaders(readers, w, opts);
    for (const s of sources) if (s.temp) fs.rmSync(s.temp, { force: true });
    return [rows, passes];
  } finally {
    for (const r of readers) r.close();
  }
}

/**
 * Check there is a header; returns it. Which columns are the key is decided by the reader
 * (io/sumstats.ts recogniseHeader: ours, another tool's, or --col-* / --columns).
 */
export function checkHeaderColumns(header: string | null, file: string): string {
  if (header === null) throw new InputError('empty file: no header line', { file, line: 1 });
  return header;
}

/** The output: a file written under a temporary name and renamed, or stdout. */
export interface Sink {
  stream: Writable;
  commit(): Promise<void>;
  abort(): void;
}

export function openSink(out: string, compress: OutCompression): Sink {
  if (out === '-') return { stream: process.stdout, commit: async () => {}, abort: () => {} };
  return createOutput(out, compress);
}

/** Temporary directory for runs, created on first use beside the output (or in cfg.tmpDir). */
export function lazyTmpDir(cfg: Pick<MergeConfig, 'out' | 'tmpDir'>): { get: () => string; remove: () => void } {
  let dir: string | null = null;
  return {
    get() {
      if (dir) return dir;
      const base = cfg.tmpDir ?? (cfg.out === '-' ? os.tmpdir() : path.dirname(path.resolve(cfg.out)));
      try {
        dir = fs.mkdtempSync(path.join(base, '.dosageflow-merge-'));
      } catch (e) {
        throw fileError(e, base);
      }
      registerTemp(dir);
      return dir;
    },
    remove() {
      if (!dir) return;
      fs.rmSync(dir, { recursive: true, force: true });
      unregisterTemp(dir);
      dir = null;
    },
  };
}

export function checkOutputDir(out: string): void {
  if (out === '-') return;
  const dir = path.dirname(path.resolve(out));
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    throw fileError(e, dir);
  }
  if (!st.isDirectory()) throw new FileError('output directory is not a directory', { file: dir });
}

/** Merge sorted tables (checking headers, order and duplicates) into cfg.out. */
export async function mergeTables(cfg: MergeConfig, tmp: { get: () => string }): Promise<{ rows: number; passes: number; header: string | null }> {
  const maxOpen = cfg.maxOpen ?? maxOpenFor(cfg.memoryMB);
  const first = cfg.inputs[0];
  let expected: string | null = null;
  const sources: MergeSource[] = cfg.inputs.map((file) => ({
    origins: [file],
    async open() {
      const onHeader = (h: string) => {
        if (expected === null) expected = checkHeaderColumns(h, file);
        else if (h !== expected) throw new InputError(headerDiff(h, expected, first), { file, line: 1 });
      };
      const r = await TableReader.open(file, { header: true, checkSorted: true, checkRows: true, onHeader, columns: cfg.columns });
      if (r.header === null) {
        r.close();
        throw new InputError('empty file: no header line', { file, line: 1 });
      }
      return r;
    },
  }));
  // The header is known once the first input is open; the output starts only then.
  let sink: Sink | null = null;
  const w = new BatchWriter(() => {
    const k = openSink(cfg.out, cfg.compress);
    sink = k;
    k.stream.write(expected + '\n');
    return k.stream;
  });
  try {
    const [rows, passes] = await mergeInPasses(sources, w, { maxOpen, tmpDir: tmp.get, checkDuplicates: true });
    w.stream();
    await (sink as Sink | null)?.commit();
    return { rows, passes, header: expected };
  } catch (e) {
    (sink as Sink | null)?.abort();
    throw e;
  }
}

function headerDiff(h: string, want: string, first: string): string {
  const la = formatOf(h);
  const lb = formatOf(want);
  if (la !== lb) return `a ${la} table, but ${first} is a ${lb} table: merge tables of one format (assoc --format)`;
  const a = h.split('\t');
  const b = want.split('\t');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      const q = (x: string) => quoteField(x);
      const detail = a[i] === undefined ? `column ${i + 1} '${q(b[i])}' is missing` : b[i] === undefined ? `extra column ${i + 1} '${q(a[i])}'` : `column ${i + 1} is '${q(a[i])}', not '${q(b[i])}'`;
      return `header differs from that of ${first}: ${detail}`;
    }
  }
  return `header differs from that of ${first}`;
}

export async function runMerge(cfg: MergeConfig): Promise<MergeSummary> {
  const t0 = process.hrtime.bigint();
  const log = cfg.log ?? ((s: string) => process.stderr.write(s + '\n'));
  checkOutputDir(cfg.out);
  const tmp = lazyTmpDir(cfg);
  let summary: MergeSummary;
  try {
    if (cfg.sort) {
      const { sortTable } = await import('./merge-sort.js');
      const r = await sortTable(cfg, tmp);
      summary = { rows: r.rows, inputs: 1, passes: r.passes, sortedInput: r.sortedInput, spilledRuns: r.spilledRuns, seconds: 0, output: cfg.out };
    } else {
      const r = await mergeTables(cfg, tmp);
      summary = { rows: r.rows, inputs: cfg.inputs.length, passes: r.passes, seconds: 0, output: cfg.out };
      if (r.header !== null && formatOf(r.header) === 'gwas-ssf' && cfg.out !== '-') {
        const w = await carrySsfMeta(cfg.inputs, cfg.out);
        if (w) log(`dosageflow: warning: ${w}`);
      }
    }
  } finally {
    tmp.remove();
  }
  summary.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  log(summaryLine(summary));
  return summary;
}

/**
 * A merged GWAS-SSF table gets the metadata of its first input that has one (FILE-meta.yaml), with
 * the merged file's name and md5; returns a warning when no input had one.
 */
async function carrySsfMeta(inputs: string[], out: string): Promise<string | null> {
  const from = inputs.map(ssfMetaPath).find((f) => fs.existsSync(f));
  if (!from) return `no input has a -meta.yaml beside it: write ${ssfMetaPath(out)} for the GWAS Catalog by hand`;
  if (isSpecialFile(out)) return null;
  const h = createHash('md5');
  for await (const b of fs.createReadStream(out, { highWaterMark: 1 << 20 })) h.update(b as Buffer);
  const yaml = fs
    .readFileSync(from, 'utf8')
    .replace(/^data_file_name:.*$/m, `data_file_name: ${JSON.stringify(path.basename(out))}`)
    .replace(/^data_file_md5sum:.*$/m, `data_file_md5sum: ${h.digest('hex')}`);
  const o = createOutput(ssfMetaPath(out), 'none');
  o.stream.write(yaml);
  await o.commit();
  return null;
}

export function summaryLine(s: MergeSummary): string {
  const rate = s.seconds > 0 ? Math.round(s.rows / s.seconds) : 0;
  const what =
    s.sortedInput === undefined
      ? `merged ${s.inputs} table${s.inputs === 1 ? '' : 's'}`
      : s.sortedInput
        ? 'sorted 1 table (already in order)'
        : `sorted 1 table (${s.spilledRuns} run${s.spilledRuns === 1 ? '' : 's'} spilled)`;
  const passes = s.passes > 1 ? ` in ${s.passes} passes` : '';
  return `dosageflow merge: ${what}${passes}: ${s.rows} rows in ${s.seconds.toFixed(2)} s (${rate} rows/s) -> ${s.output === '-' ? 'stdout' : s.output}`;
}
