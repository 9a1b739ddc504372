// BGZF writer for tests: blocks of `size` bytes of data (bgzip has no block-size option), so
// records span blocks and chunks; ends with the standard empty EOF block.
import * as zlib from 'node:zlib';

export function toBgzf(data: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let p = 0; p < data.length; p += size) {
    const piece = data.subarray(p, Math.min(p + size, data.length));
    const c = zlib.deflateRawSync(piece);
    const h = Buffer.from([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 66, 67, 2, 0, 0, 0]);
    h.writeUInt16LE(c.length + 25, 16);
    const f = Buffer.alloc(8);
    f.writeUInt32LE(zlib.crc32(piece), 0);
    f.writeUInt32LE(piece.length, 4);
    parts.push(h, c, f);
  }
  parts.push(Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex'));
  return Buffer.concat(parts);
}
