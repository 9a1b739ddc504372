// Byte-level line splitting of a decompressed stream (no string decoding on the hot path).

const LF = 10;

/** Yields each line without its '\n' (and without a trailing '\r'). Views may share buffers. */
export async function* readLines(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let carry: Uint8Array | null = null;
  for await (const piece0 of source) {
    let piece = piece0 as Uint8Array;
    let start = 0;
    if (carry) {
      const j = piece.indexOf(LF);
      if (j < 0) {
        carry = cat(carry, piece);
        continue;
      }
      const line = cat(carry, piece.subarray(0, j));
      carry = null;
      yield trimCR(line);
      start = j + 1;
    }
    for (;;) {
      const j = piece.indexOf(LF, start);
      if (j < 0) break;
      yield trimCR(piece.subarray(start, j));
      start = j + 1;
    }
    if (start < piece.length) carry = piece.slice(start);
    piece = piece.subarray(0, 0);
  }
  if (carry?.length) yield trimCR(carry);
}

function trimCR(b: Uint8Array): Uint8Array {
  return b.length && b[b.length - 1] === 13 ? b.subarray(0, b.length - 1) : b;
}

function cat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
