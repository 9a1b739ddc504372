// Little-endian field readers shared by the BGEN decoders. Callers check bounds first; these do not.

export function readU16(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8);
}

/** Unsigned 32-bit: the top byte is multiplied in so values >= 2^31 stay positive. */
export function readU32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
}

const utf8 = new TextDecoder('utf-8');

// Buffer's native latin1 slicer builds a string in one allocation; for ASCII it equals decoding as
// UTF-8. Undocumented (but present since Node 0.x), so it is checked once and skipped if it is gone.
const latin1Slice = (() => {
  const f = (Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;
  try {
    if (typeof f === 'function' && f.call(new Uint8Array([0x72, 0x73, 0x31, 0x30]), 1, 3) === 's1') return f;
  } catch {
    // fall through
  }
  return undefined;
})();

const ONE_BYTE = Array.from({ length: 256 }, (_, c) => String.fromCharCode(c));

/**
 * Bytes [start, end) as latin1 (one character a byte, as VCF fields are read): one byte from a
 * table, longer by the native slicer (no Buffer object a call).
 */
export function latin1String(b: Uint8Array, start: number, end: number): string {
  if (end - start === 1) return ONE_BYTE[b[start]];
  if (latin1Slice !== undefined) return latin1Slice.call(b, start, end);
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
}

/**
 * Bytes [start, end) as a string. IDs and alleles are nearly always short ASCII: 1-4 characters
 * are built directly by String.fromCharCode (single characters come from V8's cache, no allocation),
 * longer ASCII by one native latin1 slice; TextDecoder for non-ASCII and long strings
 * (docs/decisions/0010).
 */
export function decodeString(b: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len <= 32) {
    for (let i = start; i < end; i++) if (b[i] >= 0x80) return utf8.decode(b.subarray(start, end));
    switch (len) {
      case 0:
        return '';
      case 1:
        return String.fromCharCode(b[start]);
      case 2:
        return String.fromCharCode(b[start], b[start + 1]);
      case 3:
        return String.fromCharCode(b[start], b[start + 1], b[start + 2]);
      case 4:
        return String.fromCharCode(b[start], b[start + 1], b[start + 2], b[start + 3]);
    }
    if (latin1Slice !== undefined) return latin1Slice.call(b, start, end);
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
    return s;
  }
  return utf8.decode(b.subarray(start, end));
}
