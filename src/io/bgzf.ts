// BGZF output (the blocked gzip of SAM/BAM, bgzip and tabix): a series of gzip members of at most
// 64 KiB of input each, every one carrying its compressed size, ending with the standard empty
// block. It is valid gzip (any gunzip reads it) and seekable by virtual offset
// (compressed block offset << 16 | offset inside the block), which a tabix index points into.
// The blocks are deflated on libuv's thread pool (zlib.deflateRaw), one at a time in order.
import * as zlib from 'node:zlib';
import { Transform, type TransformCallback } from 'node:stream';
import type { TabixIndexer } from './tabix.js';

/** Input bytes per block: bgzip's 0xff00, leaving room for incompressible data in 64 KiB. */
export const BGZF_BLOCK = 0xff00;

/** The 28-byte empty block that ends every BGZF file. */
export const BGZF_EOF = Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex');

/** One BGZF block from its deflated payload. */
export function bgzfBlock(raw: Uint8Array, deflated: Uint8Array): Buffer {
  const total = 18 + deflated.length + 8;
  if (total > 65536) throw new Error(`bgzf block of ${total} bytes`);
  const b = Buffer.alloc(total);
  b.set([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43, 2, 0], 0);
  b.writeUInt16LE(total - 1, 16);
  b.set(deflated, 18);
  b.writeUInt32LE(zlib.crc32(raw), total - 8);
  b.writeUInt32LE(raw.length, total - 4);
  return b;
}

/** BGZF of a whole buffer, synchronously (small files: the tabix index). */
export function bgzfSync(data: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += BGZF_BLOCK) {
    const raw = data.subarray(i, Math.min(data.length, i + BGZF_BLOCK));
    parts.push(bgzfBlock(raw, zlib.deflateRawSync(raw, { level: 6 })));
  }
  parts.push(BGZF_EOF);
  return Buffer.concat(parts);
}

function deflate(raw: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => zlib.deflateRaw(raw, { level: 6 }, (e, out) => (e ? reject(e) : resolve(out))));
}

/**
 * Uncompressed bytes in, BGZF out. Blocks are cut every BGZF_BLOCK input bytes, so the block of an
 * input position is position / BGZF_BLOCK; `indexer` (optional) sees the text and is told each
 * block's compressed offset, from which it makes virtual offsets when the index is written.
 */
export class BgzfWriter extends Transform {
  private pending = Buffer.alloc(BGZF_BLOCK);
  private fill = 0;
  private written = 0;
  /** Blocks being deflated on the thread pool, oldest first (pushed in this order). */
  private inflight: Promise<Buffer>[] = [];
  constructor(readonly indexer: TabixIndexer | null = null) {
    super({ highWaterMark: 1 << 20 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.indexer?.feed(chunk);
    this.absorb(chunk).then(() => cb(), cb);
  }

  override _flush(cb: TransformCallback): void {
    (async () => {
      if (this.fill > 0) await this.startBlock();
      while (this.inflight.length) await this.pushOldest();
      this.indexer?.blockAt(this.written);
      this.push(BGZF_EOF);
      this.written += BGZF_EOF.length;
      this.indexer?.finishText();
    })().then(() => cb(), cb);
  }

  private async absorb(chunk: Buffer): Promise<void> {
    let i = 0;
    while (i < chunk.length) {
      const n = Math.min(BGZF_BLOCK - this.fill, chunk.length - i);
      chunk.copy(this.pending, this.fill, i, i + n);
      this.fill += n;
      i += n;
      if (this.fill === BGZF_BLOCK) await this.startBlock();
    }
  }

  /** Up to 4 blocks deflate at once (libuv's default pool), so BGZF costs no more wall time than gzip. */
  private async startBlock(): Promise<void> {
    const raw = Buffer.from(this.pending.subarray(0, this.fill));
    this.fill = 0;
    const block = deflate(raw).then((d) => bgzfBlock(raw, d));
    block.catch(() => {}); // awaited in order by pushOldest; not unhandled if the stream is destroyed first
    this.inflight.push(block);
    if (this.inflight.length >= 4) await this.pushOldest();
  }

  private async pushOldest(): Promise<void> {
    const block = await this.inflight.shift()!;
    this.indexer?.blockAt(this.written);
    this.written += block.length;
    this.push(block);
  }
}
