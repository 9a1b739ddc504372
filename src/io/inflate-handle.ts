// One Node-internal zlib handle, reset per block and writing straight into the caller's buffer:
// no stream object, output buffer or concatenation per block (BGEN blocks: docs/decisions/0010;
// BGZF blocks: docs/decisions/0302). Self-tested at first use; a block it does not inflate exactly
// is redone by the caller's public zlib call, which gives the error message.
import * as zlib from 'node:zlib';
import { type NativeDeflate, nativeDeflate } from './native-deflate.js';

interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  reset(): void;
  onerror: (message: string, errno: number, code?: string) => void;
}

const Z_FINISH = zlib.constants.Z_FINISH;

/** Inflates zlib ('zlib') or raw deflate ('raw', BGZF's members) blocks of known inflated size. */
export class ReusedInflate {
  // undefined: not set up yet; null: unavailable (self-test failed): the caller's public path runs.
  private handle: ZlibHandle | null | undefined;
  private state: Uint32Array = new Uint32Array(2);
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: written, never read: it keeps the stream that owns the handle alive
  private engine: unknown;
  private failed = false;
  // libdeflate when it was built (docs/decisions/0303): tried before the zlib handle.
  private readonly native: NativeDeflate | null;
  private readonly format: 0 | 1;

  /** `useNative` false: the zlib handle even where libdeflate was built (tests, benchmarks). */
  constructor(
    private readonly kind: 'zlib' | 'raw',
    useNative = true,
  ) {
    this.format = kind === 'raw' ? 0 : 1;
    this.native = useNative ? nativeDeflate() : null;
  }

  /** Whether the handle passed its self-test and is used (tests and benchmarks). */
  available(): boolean {
    return this.native !== null || this.setUp() !== null;
  }

  /**
   * Inflate input[inOff, inOff + inLen) into out[outOff, outOff + expected]: true when the stream
   * ends with exactly `expected` bytes (out needs one byte more, to see an overrun); false when the
   * handle is unavailable or the block is corrupt, truncated or of another size (out is then
   * unspecified there, and the caller's public path says why).
   */
  inflate(input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, expected: number): boolean {
    if (this.native !== null) return this.native.inflate(this.format, input, inOff, inLen, out, outOff, expected);
    const h = this.setUp();
    if (h === null) return false;
    this.failed = false;
    h.reset();
    const cap = expected + 1;
    h.writeSync(Z_FINISH, input, inOff, inLen, out, outOff, cap);
    // No error and space left over means zlib reached the end of the stream (Node reports an
    // unfinished stream with room to spare as an error); bytes after it are ignored, as the public
    // calls ignore them.
    return !this.failed && cap - this.state[0] === expected;
  }

  private setUp(): ZlibHandle | null {
    if (this.handle !== undefined) return this.handle;
    this.handle = null;
    try {
      const engine = (this.kind === 'raw' ? zlib.createInflateRaw() : zlib.createInflate()) as unknown as { _handle?: ZlibHandle; _writeState?: Uint32Array };
      const h = engine._handle;
      const st = engine._writeState;
      if (!h || typeof h.writeSync !== 'function' || typeof h.reset !== 'function' || !(st instanceof Uint32Array) || st.length < 2) return null;
      // Replacing onerror keeps a bad block from destroying the stream (the handle stays usable after
      // reset()); the error itself is reproduced by the caller's public path.
      h.onerror = () => {
        this.failed = true;
      };
      this.state = st;
      if (!this.selfTest(h)) return null;
      this.engine = engine;
      this.handle = h;
    } catch {
      this.handle = null;
    }
    return this.handle;
  }

  /** A good block, a corrupt one, a truncated one and a good one again must behave as the public calls do. */
  private selfTest(h: ZlibHandle): boolean {
    const raw = new Uint8Array(300);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 37) & 0xff;
    const z = this.kind === 'raw' ? zlib.deflateRawSync(raw) : zlib.deflateSync(raw);
    const out = new Uint8Array(raw.length + 1);
    const run = (input: Uint8Array): number => {
      this.failed = false;
      h.reset();
      h.writeSync(Z_FINISH, input, 0, input.length, out, 0, out.length);
      return this.failed ? -1 : out.length - this.state[0];
    };
    // A corrupt block: the zlib trailer (adler32) flipped; for raw deflate, an invalid block type.
    const bad = Uint8Array.from(z);
    if (this.kind === 'raw') bad[0] = 0x07;
    else bad[bad.length - 1] ^= 0xff;
    if (run(z) !== raw.length || !Buffer.from(out.buffer, 0, raw.length).equals(raw)) return false;
    if (run(bad) !== -1 || run(z.subarray(0, z.length - 5)) !== -1) return false;
    out.fill(0);
    return run(z) === raw.length && Buffer.from(out.buffer, 0, raw.length).equals(raw);
  }
}
