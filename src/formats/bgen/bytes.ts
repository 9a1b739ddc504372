// Little-endian field readers shared by the BGEN decoders. Callers check bounds first; these do not.

export function readU16(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8);
}

/** Unsigned 32-bit: the top byte is multiplied in so values >= 2^31 stay positive. */
export function readU32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Bytes [start, end) as a string. IDs and alleles are nearly always short ASCII, for which building
 * the string directly beats a TextDecoder call (which also copies the subarray view).
 */
export function decodeString(b: Uint8Array, start: number, end: number): string {
  if (end - start <= 32) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = b[i];
      if (c >= 0x80) return utf8.decode(b.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(b.subarray(start, end));
}
