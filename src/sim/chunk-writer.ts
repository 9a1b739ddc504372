// Batches many small encodes into large Buffers handed to a Writable, respecting backpressure.
// A Buffer, once written, is never touched again (a fresh one is allocated), so the stream may keep
// it as long as it likes.
import type { Writable } from 'node:stream';
import { writeAsync } from '../io/output.js';

export const DEFAULT_CHUNK = 4 << 20;

export class ChunkWriter {
  buf: Buffer;
  pos = 0;
  /** Bytes handed to the stream so far (not counting the unflushed tail). */
  flushedBytes = 0;

  constructor(
    private readonly out: Writable,
    private readonly chunkSize = DEFAULT_CHUNK,
  ) {
    this.buf = Buffer.allocUnsafe(chunkSize);
  }

  get totalBytes(): number {
    return this.flushedBytes + this.pos;
  }

  /**
   * Make room for `n` more bytes; returns a promise when the stream asked to wait (await it before
   * writing more), else null.
   */
  reserve(n: number): Promise<void> | null {
    if (this.pos + n <= this.buf.length) return null;
    const wait = this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(n, this.chunkSize));
    return wait;
  }

  /** Hand the buffered bytes to the stream; returns a promise if it asked to wait. */
  flush(): Promise<void> | null {
    if (this.pos === 0) return null;
    const data = this.buf.subarray(0, this.pos);
    this.flushedBytes += this.pos;
    this.buf = Buffer.allocUnsafe(Math.max(this.chunkSize, this.buf.length));
    this.pos = 0;
    return writeAsync(this.out, data);
  }

  /** Append bytes, flushing as needed. */
  async write(data: Uint8Array): Promise<void> {
    if (data.length >= this.chunkSize) {
      const w = this.flush();
      if (w) await w;
      this.flushedBytes += data.length;
      const w2 = writeAsync(this.out, data);
      if (w2) await w2;
      return;
    }
    const w = this.reserve(data.length);
    if (w) await w;
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }
}
