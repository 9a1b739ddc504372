// The optional native inflate (native/deflate.c: the system libdeflate), loaded once per thread;
// null when it was not built or DOSAGEFLOW_NO_NATIVE is set: callers then use Node's zlib, with the
// same results (docs/decisions/0303-native-libdeflate.md).
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';

export interface NativeDeflate {
  /** input[inOff, inOff + inLen) as one whole stream (0 raw deflate, 1 zlib) inflating to exactly `expected` bytes at out[outOff]. */
  inflate(format: 0 | 1, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, expected: number): boolean;
  /** gzip's CRC-32 of buf[off, off + len). */
  crc32(buf: Uint8Array, off: number, len: number): number;
}

let loaded: NativeDeflate | null | undefined;

/** The native inflate after a self-test, or null. */
export function nativeDeflate(): NativeDeflate | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.env.DOSAGEFLOW_NO_NATIVE) return null;
  try {
    // dist/src/io/ -> the package root's build/Release (node-gyp's output)
    const m = createRequire(import.meta.url)('../../../build/Release/dosageflow_deflate.node') as NativeDeflate;
    if (selfTest(m)) loaded = m;
  } catch {
    loaded = null;
  }
  return loaded;
}

/** CRC-32 of buf[off, off + len): libdeflate's when loaded, else zlib's. */
export function crc32(buf: Uint8Array, off: number, len: number): number {
  const n = nativeDeflate();
  return n ? n.crc32(buf, off, len) : zlib.crc32(buf.subarray(off, off + len));
}

/** Good, corrupt, truncated and wrongly sized streams of both formats must behave as zlib does. */
function selfTest(m: NativeDeflate): boolean {
  const raw = new Uint8Array(300);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 37) & 0xff;
  const out = new Uint8Array(raw.length + 8);
  for (const format of [0, 1] as const) {
    const z = format === 0 ? zlib.deflateRawSync(raw) : zlib.deflateSync(raw);
    const bad = Uint8Array.from(z);
    if (format === 0) bad[0] = 0x07;
    else bad[bad.length - 1] ^= 0xff;
    if (!m.inflate(format, z, 0, z.length, out, 4, raw.length) || !Buffer.from(out.buffer, 4, raw.length).equals(raw)) return false;
    if (m.inflate(format, bad, 0, bad.length, out, 4, raw.length) || m.inflate(format, z, 0, z.length - 5, out, 4, raw.length)) return false;
    if (m.inflate(format, z, 0, z.length, out, 4, raw.length - 1) || m.inflate(format, z, 0, z.length, out, 4, raw.length + 1)) return false;
  }
  return m.crc32(raw, 0, raw.length) === zlib.crc32(raw) && m.crc32(raw, 5, 0) === 0;
}
