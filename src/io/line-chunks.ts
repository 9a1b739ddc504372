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
  const dctx = zstd ? new binding.DCtx() : null;
  const inBuf = zstd ? new Uint8Array(READ_SIZE) : null;
  let inStart = 0;
  let inEnd = 0;
  let filePos = 0;
  let eof = false;
  // zstd: the last return value; 0 = at a frame boundary (nothing buffered inside the codec).
  let frameOpen = false;
  let pending = false;
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
    if (eof && (!zstd || (inStart >= inEnd && !pending))) {
      if (frameOpen) throw new InputError(`truncated zstd stream: input ended after ${filePos} compressed bytes`, { file, byteOffset: filePos });
      break;
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
    if (!zstd) {
      let n: number;
      try {
        n = (await fh.read(buf, fill, cap - fill, filePos)).bytesRead;
      } catch (e) {
        throw fileError(e, file);
      }
      if (n === 0) eof = true;
      filePos += n;
      fill += n;
      continue;
    }
    if (inStart >= inEnd && !pending) {
      let n: number;
      try {
        n = (await fh.read(inBuf!, 0, READ_SIZE, filePos)).bytesRead;
      } catch (e) {
        throw fileError(e, file);
      }
      filePos += n;
      inStart = 0;
      inEnd = n;
      if (n === 0) {
        eof = true;
        continue;
      }
    }
    const room = cap - fill;
    let ret: number;
    let produced: number;
    let consumed: number;
    try {
      [ret, produced, consumed] = dctx!.decompressStream(buf.subarray(fill, cap), inBuf!.subarray(inStart, inEnd));
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new InputError(`corrupt zstd stream (${msg.toLowerCase()})`, { file, byteOffset: filePos - (inEnd - inStart) }, { cause: e });
    }
    fill += produced;
    inStart += consumed;
    frameOpen = ret !== 0;
    // A full output buffer may leave decoded bytes inside the codec: call again before reading on.
    pending = produced === room;
  }
  if (fill > 0) yield buf.subarray(0, fill);
}
