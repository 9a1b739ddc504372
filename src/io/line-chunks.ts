// Whole-line chunks of a text file, decompressed straight into the buffers that go to the workers:
// plain files are read, and zstd frames decompressed, directly into the chunk's own ArrayBuffer; only
// the partial line at its end is copied into the next one. gzip and stdin keep the stream path
// (openInput, then chunkLines). Why: docs/decisions/0004-shared-gen-arena.md.
import type * as fs from 'node:fs';
import binding from 'zstd-napi/binding.js';
import { InputError, fileError } from '../errors.js';
import { chunkLines } from '../pipeline/chunker.js';
import { openInput, openSniffed } from './input.js';
import { MAX_LINE_BYTES, countLF, lineTooLong } from './lines.js';

const LF = 10;
const READ_SIZE = 1 << 20;
// Room past the target so most chunks end without growing (a line longer than this grows the
// buffer; 10,000-sample .gen lines are ~60 KB).
export const SLACK = 1 << 16;

/**
 * Where chunk buffers come from: a pool that gets buffers back from the workers (or slots of a
 * shared arena), or fresh ones. At least minBytes long; any byteOffset.
 */
export type ChunkAlloc = (minBytes: number) => Uint8Array;

const fresh: ChunkAlloc = (n) => new Uint8Array(n);

/**
 * Yields chunks of whole lines of `file`, each ending at the first '\n' at or after `target`
 * bytes, exactly as chunkLines does (the last may be shorter; a final line without '\n' is kept).
 * Each chunk is a view at the start of a buffer of its own (from `alloc`), which may be longer
 * than the view.
 */
export async function* fileLineChunks(file: string, target: number, alloc: ChunkAlloc = fresh): AsyncGenerator<Uint8Array> {
  if (file === '-') {
    yield* chunkLines((await openInput(file)).stream, target, file);
    return;
  }
  const opened = await openSniffed(file);
  if (opened.compression === null || opened.compression === 'gzip') {
    // Pipes and FIFOs cannot be read by position, and gzip decompresses as a stream: the stream
    // path, which takes over the open file.
    yield* chunkLines((await openInput(file, opened)).stream, target, file);
    return;
  }
  try {
    yield* directChunks(opened.fh, file, target, opened.compression === 'zstd', alloc);
  } finally {
    await opened.fh.close().catch(() => {});
  }
}

async function* directChunks(fh: fs.promises.FileHandle, file: string, target: number, zstd: boolean, alloc: ChunkAlloc): AsyncGenerator<Uint8Array> {
  const src = new FileBytes(fh, file, zstd);
  let buf = alloc(Math.max(target, 1) + SLACK);
  let cap = buf.length;
  let fill = 0;
  let lines = 0; // lines in the chunks yielded, for the message about a line too long
  // Where to look for the next '\n' (bytes before it are known to hold none past the target).
  let scan = 0;
  for (;;) {
    // Cut as many chunks as the buffer holds.
    for (;;) {
      const from = Math.max(scan, target - 1);
      let j = from < fill ? buf.indexOf(LF, from) : -1;
      // A reused buffer holds old bytes past `fill`: a '\n' there is not a line end.
      if (j >= fill) j = -1;
      if (j < 0) {
        scan = Math.max(scan, fill);
        break;
      }
      const tail = fill - (j + 1);
      const next = alloc(Math.max(cap, tail + SLACK));
      if (tail > 0) next.set(buf.subarray(j + 1, fill));
      lines += countLF(buf.subarray(0, j + 1));
      yield buf.subarray(0, j + 1);
      buf = next;
      cap = buf.length;
      fill = tail;
      scan = 0;
    }
    // No '\n' for MAX_LINE_BYTES past the target: the line that crosses it is too long.
    if (fill > target + MAX_LINE_BYTES) throw lineTooLong(file, lines + countLF(buf.subarray(0, fill)) + 1, buf.subarray(0, fill));
    if (fill === cap) {
      // A line longer than the buffer: grow it.
      const bigger = alloc(cap * 2);
      bigger.set(buf);
      buf = bigger;
      cap = buf.length;
    }
    const n = await src.read(buf, fill, cap);
    if (n === 0) break;
    fill += n;
  }
  if (fill > 0) yield buf.subarray(0, fill);
}

/** The bytes of an open file, in order: positioned reads, or decoded by a zstd context with its input buffer. */
class FileBytes {
  private filePos = 0;
  private readonly dctx: InstanceType<typeof binding.DCtx> | null;
  private readonly inBuf: Uint8Array;
  private inStart = 0;
  private inEnd = 0;
  /** zstd: the last return value was not 0 (inside a frame: nothing may end here). */
  private frameOpen = false;
  /** zstd: the last call filled the output: decoded bytes may wait inside the codec. */
  private pending = false;

  constructor(
    private readonly fh: fs.promises.FileHandle,
    private readonly file: string,
    zstd: boolean,
  ) {
    this.dctx = zstd ? new binding.DCtx() : null;
    this.inBuf = zstd ? new Uint8Array(READ_SIZE) : new Uint8Array(0);
  }

  /** Fills buf[at, end) (end > at) with what comes next: the count, 0 only at the end of the input. */
  async read(buf: Uint8Array, at: number, end: number): Promise<number> {
    if (!this.dctx) {
      const n = await this.readAt(buf, at, end - at);
      this.filePos += n;
      return n;
    }
    for (;;) {
      if (this.inStart >= this.inEnd && !this.pending) {
        const n = await this.readAt(this.inBuf, 0, READ_SIZE);
        this.filePos += n;
        this.inStart = 0;
        this.inEnd = n;
        if (n === 0) {
          if (this.frameOpen) throw new InputError(`truncated zstd stream: input ended after ${this.filePos} compressed bytes`, { file: this.file, byteOffset: this.filePos });
          return 0;
        }
      }
      let ret: number;
      let produced: number;
      let consumed: number;
      try {
        [ret, produced, consumed] = this.dctx.decompressStream(buf.subarray(at, end), this.inBuf.subarray(this.inStart, this.inEnd));
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new InputError(`corrupt zstd stream (${msg.toLowerCase()})`, { file: this.file, byteOffset: this.filePos - (this.inEnd - this.inStart) }, { cause: e });
      }
      this.inStart += consumed;
      this.frameOpen = ret !== 0;
      this.pending = produced === end - at;
      if (produced > 0) return produced;
    }
  }

  private async readAt(b: Uint8Array, off: number, len: number): Promise<number> {
    try {
      return (await this.fh.read(b, off, len, this.filePos)).bytesRead;
    } catch (e) {
      throw fileError(e, this.file);
    }
  }
}
