// Cuts a byte stream into chunks of whole lines, each in its own ArrayBuffer so it can be
// transferred to a worker without a copy. Runs on the main thread: it looks only for '\n'.

const LF = 10;

/**
 * Yields chunks of at least `target` bytes (except the last) that end on a line boundary. A line
 * longer than `target` makes a larger chunk. A final line without '\n' is kept.
 */
export async function* chunkLines(source: AsyncIterable<Uint8Array>, target: number): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let have = 0;
  for await (const piece of source) {
    if (piece.length === 0) continue;
    parts.push(piece);
    have += piece.length;
    if (have < target) continue;
    const j = piece.lastIndexOf(LF);
    if (j < 0) continue;
    const tail = piece.length - (j + 1);
    const out = concat(parts, have - tail);
    parts = tail > 0 ? [piece.subarray(j + 1)] : [];
    have = tail;
    yield out;
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
