// Byte-level line splitting of a decompressed stream (no string decoding on the hot path).

import { InputError } from '../errors.js';

const LF = 10;

/**
 * Longest line any reader accepts: 64 MiB. A real line is far shorter (a 500,000-sample .gen line is
 * 3.5-6 MB); without a cap a file without newlines (/dev/zero, a bomb of NULs) is held whole.
 */
export const MAX_LINE_BYTES = 64 << 20;

export function lineTooLong(file: string | undefined, line: number): InputError {
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
 * Yields each line without its '\n' (and without a trailing '\r'). Views may share buffers. A line
 * split over many pieces is joined once (linear in its length), and one longer than MAX_LINE_BYTES
 * is an InputError naming FILE and the line.
 */
export async function* readLines(source: AsyncIterable<Uint8Array>, file?: string): AsyncGenerator<Uint8Array> {
  let carry: Uint8Array[] = [];
  let carried = 0;
  let lines = 0;
  for await (const piece0 of source) {
    const piece = piece0 as Uint8Array;
    let start = 0;
    if (carried) {
      const j = piece.indexOf(LF);
      if (j < 0) {
        carry.push(piece);
        carried += piece.length;
        if (carried > MAX_LINE_BYTES) throw lineTooLong(file, lines + 1);
        continue;
      }
      carry.push(piece.subarray(0, j));
      const line = Buffer.concat(carry, carried + j);
      carry = [];
      carried = 0;
      if (line.length > MAX_LINE_BYTES) throw lineTooLong(file, lines + 1);
      lines++;
      yield trimCR(line);
      start = j + 1;
    }
    for (;;) {
      const j = piece.indexOf(LF, start);
      if (j < 0) break;
      lines++;
      yield trimCR(piece.subarray(start, j));
      start = j + 1;
    }
    if (start < piece.length) {
      carry.push(piece.slice(start));
      carried = piece.length - start;
      if (carried > MAX_LINE_BYTES) throw lineTooLong(file, lines + 1);
    }
  }
  if (carried) yield trimCR(Buffer.concat(carry, carried));
}

function trimCR(b: Uint8Array): Uint8Array {
  return b.length && b[b.length - 1] === 13 ? b.subarray(0, b.length - 1) : b;
}

