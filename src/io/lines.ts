// Byte-level line splitting of a decompressed stream (no string decoding on the hot path).

import { InputError } from '../errors.js';

const LF = 10;

/**
 * Longest line any reader accepts: 64 MiB. A real line is far shorter (a 500,000-sample .gen line is
 * 3.5-6 MB); without a cap a file without newlines (/dev/zero, a bomb of NULs) is held whole.
 */
export const MAX_LINE_BYTES = 64 << 20;

export function lineTooLong(file: string | undefined, line: number, bytes?: Uint8Array): InputError {
  // Old Mac line ends (CR only) make a whole file one line: say so (issue 15.22).
  const head = bytes && Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1 << 20));
  if (head && head.indexOf(13) >= 0)
    return new InputError(`line longer than ${MAX_LINE_BYTES >> 20} MiB: the file has CR line ends (old Mac OS), not LF: convert it, e.g. tr '\\r' '\\n' < IN > OUT`, { file, line });
  return new InputError(`line longer than ${MAX_LINE_BYTES >> 20} MiB (pathologically long line: is this a text file with newlines?)`, { file, line });
}

/**
 * Number of '\n' in b. Searched through a Buffer view of the same bytes (no copy): Buffer#indexOf is
 * memchr, ~13x faster than Uint8Array#indexOf, and this runs on the main thread over every chunk.
 */
export function countLF(b: Uint8Array): number {
  const v = Buffer.from(b.buffer, b.byteOffset, b.length);
  let n = 0;
  for (let i = v.indexOf(LF); i >= 0; i = v.indexOf(LF, i + 1)) n++;
  return n;
}

/**
 * Yields blocks of whole lines: each block but the last ends with '\n' (the last is the input's final
 * line when it has no '\n'). A block is a piece of the source cut at its last '\n', with the line
 * carried over from the piece before joined once (linear in its length). A line longer than
 * MAX_LINE_BYTES is an InputError naming FILE and the line. Views may share the source's buffers.
 */
export async function* readLineBlocks(source: AsyncIterable<Uint8Array>, file?: string): AsyncGenerator<Buffer> {
  let carry: Buffer[] = [];
  let carried = 0;
  let lines = 0;
  for await (const piece0 of source) {
    const piece = asBuffer(piece0 as Uint8Array);
    const last = piece.lastIndexOf(LF);
    if (last < 0) {
      if (piece.length === 0) continue;
      carry.push(piece);
      carried += piece.length;
      if (carried > MAX_LINE_BYTES) throw lineTooLong(file, lines + 1, piece);
      continue;
    }
    let block: Buffer;
    if (carried) {
      if (carried + piece.indexOf(LF) > MAX_LINE_BYTES) throw lineTooLong(file, lines + 1);
      carry.push(piece.subarray(0, last + 1));
      block = Buffer.concat(carry, carried + last + 1);
      carry = [];
      carried = 0;
    } else {
      block = piece.subarray(0, last + 1);
    }
    lines += countLF(block);
    if (last + 1 < piece.length) {
      // A copy of the tail, so the block yielded does not keep the whole piece alive.
      carry.push(Buffer.from(piece.subarray(last + 1)));
      carried = piece.length - last - 1;
      if (carried > MAX_LINE_BYTES) throw lineTooLong(file, lines + 1);
    }
    yield block;
  }
  if (carried) yield Buffer.concat(carry, carried);
}

/**
 * Yields each line without its '\n' (and without a trailing '\r'), from readLineBlocks (so the same
 * joining and MAX_LINE_BYTES cap). Views may share buffers.
 */
export async function* readLines(source: AsyncIterable<Uint8Array>, file?: string): AsyncGenerator<Uint8Array> {
  for await (const block of readLineBlocks(source, file)) {
    let start = 0;
    for (;;) {
      const j = block.indexOf(LF, start);
      if (j < 0) break;
      yield trimCR(block.subarray(start, j));
      start = j + 1;
    }
    if (start < block.length) yield trimCR(block.subarray(start));
  }
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
}

function trimCR(b: Uint8Array): Uint8Array {
  return b.length && b[b.length - 1] === 13 ? b.subarray(0, b.length - 1) : b;
}
