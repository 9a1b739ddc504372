// Cuts a byte stream into chunks of whole lines, each in its own ArrayBuffer so it can be
// transferred to a worker without a copy. Runs on the main thread: it looks only for '\n'.

import { MAX_LINE_BYTES, countLF, lineTooLong } from '../io/lines.js';

const LF = 10;

/**
 * Yields chunks of whole lines, each ending at the first line end at or after `target` bytes (a line
 * longer than `target` makes a larger chunk; the last chunk may be shorter). A final line without
 * '\n' is kept.
 */
export async function* chunkLines(source: AsyncIterable<Uint8Array>, target: number, file?: string, linesBefore = 0): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let have = 0;
  let lines = linesBefore; // lines before the chunk being cut (a VCF's header too), for the message about a line too long
  for await (const piece0 of source) {
    let piece = piece0;
    while (piece.length > 0) {
      // The first '\n' at or after the target, counting what is already held.
      const from = Math.max(0, target - have - 1);
      const j = from < piece.length ? piece.indexOf(LF, from) : -1;
      if (j < 0) {
        parts.push(piece);
        have += piece.length;
        // No '\n' for MAX_LINE_BYTES past the target: the line that crosses it is too long.
        if (have > target + MAX_LINE_BYTES) throw lineTooLong(file, lines + parts.reduce((n, p) => n + countLF(p), 0) + 1, piece);
        break;
      }
      parts.push(piece.subarray(0, j + 1));
      have += j + 1;
      const chunk = concat(parts, have);
      lines += countLF(chunk);
      yield chunk;
      parts = [];
      have = 0;
      piece = piece.subarray(j + 1);
    }
  }
  if (have > 0) yield concat(parts, have);
}

/** Copy the first `n` bytes of parts into a fresh, exactly sized buffer. */
function concat(parts: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(new ArrayBuffer(n));
  let o = 0;
  for (const p of parts) {
    const take = Math.min(p.length, n - o);
    out.set(take === p.length ? p : p.subarray(0, take), o);
    o += take;
    if (o >= n) break;
  }
  return out;
}

/** Count the lines of a byte stream (a final line without '\n' counts). */
export async function countLines(source: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  let last = LF;
  for await (const piece of source) {
    if (piece.length === 0) continue;
    let i = -1;
    while ((i = piece.indexOf(LF, i + 1)) >= 0) n++;
    last = piece[piece.length - 1];
  }
  return last === LF ? n : n + 1;
}

/** Pass through only lines [from, to) (0-based) of a byte stream. */
export async function* sliceLines(source: AsyncIterable<Uint8Array>, from: number, to: number): AsyncGenerator<Uint8Array> {
  let line = 0;
  for await (const piece of source) {
    if (line >= to) break;
    let start = line >= from ? 0 : -1;
    let i = -1;
    let end = piece.length;
    while ((i = piece.indexOf(LF, i + 1)) >= 0) {
      line++;
      if (line === from) start = i + 1;
      if (line === to) {
        end = i + 1;
        break;
      }
    }
    if (start >= 0 && start < end) yield piece.subarray(start, end);
  }
}
