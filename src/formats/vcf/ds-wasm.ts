// The WebAssembly decoder of a VCF record's sample columns for the common case (one ALT allele,
// dosage from DS): src/wasm/vcf-ds.wat, the same rules and arithmetic as VcfDecoder.samples, so
// the dosages are bit-identical (test/vcf-wasm.test.ts). A record it does not take (any unusual
// value or shape, any error) goes to the JavaScript path, which decodes it or explains the error.
// docs/decisions/0302-vcf-wasm-samples.md
import { growTo, wasmInstance } from '../../wasm/modules.js';

type DsFn = (p: number, n: number, gtIdx: number, dsIdx: number, out: number, round: number) => number;

/** 10^0..10^15, exact doubles: parseDecimal's divisors and the kernel's (one table: the same quotients). */
export const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
// Readable bytes past a record's '\n': the kernel's 16-byte vector loads start at or before it.
const LF = 10;
const PAD = 64;

const align64 = (x: number) => Math.ceil(x / 64) * 64;

/**
 * One kernel instance and its own memory (owned by one VcfDecoder): the dosages of n samples at
 * `outAt`, each record's sample columns copied to `recAt` (the memory grows to the longest record).
 */
export class VcfDsWasm {
  private readonly memory: WebAssembly.Memory;
  private readonly ds: DsFn;
  private readonly outAt: number;
  private readonly recAt: number;
  private bytes: Uint8Array;
  /** The kernel's output, n dosages: decodeToLF leaves them here (a view, remade when the memory grows). */
  out: Float64Array;

  private constructor(
    inst: WebAssembly.Instance,
    memory: WebAssembly.Memory,
    private readonly n: number,
  ) {
    this.memory = memory;
    this.ds = inst.exports.ds as DsFn;
    const at = (name: string) => (inst.exports[name] as { value: number }).value;
    if (at('pow10') + 8 * POW10.length > at('scratch')) throw new Error('vcf-ds.wasm: pow10 does not fit below its scratch');
    this.outAt = align64(at('scratch'));
    this.recAt = align64(this.outAt + 8 * n);
    // Room for the output (and a first record) before any view is made: 40,000 samples are 320 KB.
    const need = this.recAt + (1 << 16);
    growTo(memory, need);
    this.bytes = new Uint8Array(memory.buffer);
    this.out = new Float64Array(memory.buffer, this.outAt, n);
    new Float64Array(memory.buffer, at('pow10'), POW10.length).set(POW10);
  }

  /** The kernel for records of n samples, or null where WebAssembly is unavailable (see wasmInstance). */
  static create(n: number): VcfDsWasm | null {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const inst = wasmInstance('vcf-ds', { e: { m: memory } });
    return inst === null ? null : new VcfDsWasm(inst, memory, n);
  }

  /**
   * `bytes` of the kernel's memory (with PAD readable bytes after them) for a worker to inflate a
   * chunk into: records decoded there are not copied. Valid until the next call or the next record
   * decoded from another buffer (both may move or detach it).
   */
  chunkBuffer(bytes: number): Uint8Array {
    const need = this.recAt + bytes + PAD;
    if (need > this.memory.buffer.byteLength && growTo(this.memory, need)) {
      this.bytes = new Uint8Array(this.memory.buffer);
      this.out = new Float64Array(this.memory.buffer, this.outAt, this.n);
    }
    return this.bytes.subarray(this.recAt, this.recAt + bytes);
  }

  /**
   * The dosages of the sample columns at byte `at` of chunkBuffer's memory, up to the record's '\n',
   * into this.out (not copied: valid until the next call): the address of that '\n', or 0 when the
   * JavaScript path must take the record (this.out is then unspecified). The caller need not know
   * where the record ends (docs/decisions/0302, session 11).
   */
  decodeToLF(at: number, gtIdx: number, dsIdx: number, round: boolean): number {
    return this.ds(at, this.n, gtIdx, dsIdx, this.outAt, round ? 1 : 0);
  }

  /**
   * The dosages of the sample columns b[s, end) into out[0, n): true when decoded, false when the
   * JavaScript path must take the record (out is then unspecified). A record in chunkBuffer's
   * bytes is decoded where it is, its end byte replaced by a '\n' for the call.
   */
  decode(b: Uint8Array, s: number, end: number, gtIdx: number, dsIdx: number, round: boolean, out: Float64Array): boolean {
    if (b.buffer === this.memory.buffer) {
      const at = b.byteOffset + end;
      const saved = this.bytes[at];
      this.bytes[at] = LF;
      const ok = this.ds(b.byteOffset + s, this.n, gtIdx, dsIdx, this.outAt, round ? 1 : 0) === at;
      this.bytes[at] = saved;
      if (ok) out.set(this.out);
      return ok;
    }
    const len = end - s;
    const need = this.recAt + len + 1 + PAD;
    // Per record: only the comparison; growTo (page arithmetic) only when the record does not fit.
    if (need > this.memory.buffer.byteLength && growTo(this.memory, need)) {
      this.bytes = new Uint8Array(this.memory.buffer);
      this.out = new Float64Array(this.memory.buffer, this.outAt, this.n);
    }
    this.bytes.set(b.subarray(s, end), this.recAt);
    this.bytes[this.recAt + len] = LF; // the record's end, as in a chunk
    if (this.ds(this.recAt, this.n, gtIdx, dsIdx, this.outAt, round ? 1 : 0) !== this.recAt + len) return false;
    out.set(this.out);
    return true;
  }
}
