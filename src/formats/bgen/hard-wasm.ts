// The memory a BgenBlockDecoder inflates 8-bit blocks into, and the WebAssembly hard-call
// detector reading them there (src/wasm/bgen-hard.wat; docs/decisions/0202-hard-calls.md). One per
// decoder, so nothing is shared between decoders on a thread.
//
// Layout: [0, scratchCap) the decompression scratch; at codesAt - 4 the missing count h8 stores,
// then codesCap bytes of codes. Both regions only grow, and only before a block is inflated
// (reserve), so a block's bytes never move while it is decoded.
import { growTo, wasmInstance, wasmDisabled } from '../../wasm/modules.js';

type H8 = (data: number, n: number, codes: number) => number;

export class HardCallWasm {
  private readonly mem: WebAssembly.Memory;
  private readonly h8: H8;
  /** The whole memory as bytes; re-derived when it grows. */
  u8: Uint8Array = new Uint8Array(0);
  private i32: Int32Array = new Int32Array(0);
  scratchCap = 0;
  codesAt = 16;
  private codesCap = 0;
  private codesView: Uint8Array = new Uint8Array(0);

  private constructor(mem: WebAssembly.Memory, h8: H8) {
    this.mem = mem;
    this.h8 = h8;
    this.views();
  }

  /** A detector with its own memory, or null where WebAssembly is off or unavailable. */
  static create(): HardCallWasm | null {
    if (wasmDisabled()) return null;
    const mem = new WebAssembly.Memory({ initial: 1 });
    const inst = wasmInstance('bgen-hard', { e: { m: mem } });
    return inst === null ? null : new HardCallWasm(mem, inst.exports.h8 as H8);
  }

  private views(): void {
    this.u8 = new Uint8Array(this.mem.buffer);
    this.i32 = new Int32Array(this.mem.buffer);
  }

  /** Room for `scratchBytes` of block and n codes; call before inflating (it may move the memory). */
  reserve(scratchBytes: number, n: number): void {
    if (scratchBytes <= this.scratchCap && n <= this.codesCap) return;
    if (scratchBytes > this.scratchCap) this.scratchCap = align16(Math.max(scratchBytes, 2 * this.scratchCap));
    this.codesCap = Math.max(this.codesCap, n);
    this.codesAt = this.scratchCap + 16;
    growTo(this.mem, this.codesAt + this.codesCap + 16);
    this.views();
  }

  /** Whether `data` lies in this memory's scratch (then `detect` can read it). */
  holds(data: Uint8Array): boolean {
    return data.buffer === this.mem.buffer && data.byteOffset + data.length <= this.scratchCap;
  }

  /**
   * Codes of the block `data` (in this memory) of n samples (n <= the reserved count): returns the
   * first sample that is not an exact hard call (n when all are); `missing` then holds the number of
   * missing samples before it and `codes` their codes.
   */
  detect(data: Uint8Array, n: number): number {
    return this.h8(data.byteOffset, n, this.codesAt);
  }

  get missing(): number {
    return this.i32[(this.codesAt - 4) >>> 2];
  }

  codes(n: number): Uint8Array {
    const v = this.codesView;
    if (v.length !== n || v.buffer !== this.mem.buffer || v.byteOffset !== this.codesAt) this.codesView = this.u8.subarray(this.codesAt, this.codesAt + n);
    return this.codesView;
  }
}

function align16(bytes: number): number {
  return (bytes + 15) & ~15;
}
