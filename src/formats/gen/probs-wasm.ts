// The WebAssembly .gen probability parser (src/wasm/gen-probs.wat): the same arithmetic as
// fastProbs (decode.ts), so the dosages are bit-identical (tested), without JavaScript's per-byte
// bounds checks. Lines it does not take (exponents, more than 9 digits, bad values, odd spacing)
// go through the JavaScript paths, which explain errors.
import { PAGE, pagesFor, wasmInstance } from '../../wasm/modules.js';

/** The tables the parser reads (decode.ts builds them; the module says where they go). */
export interface ProbTables {
  qtab: Uint16Array;
  qoff: Int32Array;
  qlim: Int32Array;
  pow10: Float64Array;
}

/** LEN_MASK: the low `i` bytes of a word, i = 0..4. */
const LEN_MASK = new Int32Array([0, 0xff, 0xffff, 0xffffff, -1]);

/**
 * Bytes at the start of any memory the parser uses: its read-only tables (the module's layout,
 * src/wasm/gen-probs.wat). Everything past them is the caller's.
 */
export const GEN_TABLES_BYTES = 22656;

// Most pages the module's shared memory may have (its import declares this maximum: 1 GiB).
const MAX_PAGES = 16384;

export type ProbsFn = (p: number, end: number, n: number, idx: number, out: number) => number;

export interface GenWasm {
  memory: WebAssembly.Memory;
  /** probs(p, end, n, plink2Precision ? 1 : 0): 1 when the dosages were written at outAt. */
  probs: (p: number, end: number, n: number, quant: number) => number;
  /** Byte address of the dosage output (n doubles). */
  outAt: number;
  /**
   * Where the lines of chunk b start in memory: b's own place when b is a view of this (shared)
   * memory (then the 64 bytes past it are zeroed: reads past its last line stop there), else the
   * copy's (the memory grows when needed).
   */
  load(b: Uint8Array): number;
}

/**
 * A shared memory (the main thread decompresses .gen chunks straight into it) and the byte where
 * this parser's dosages and blank index go (genScratchBytes of them). The memory's first
 * GEN_TABLES_BYTES hold the parser's tables.
 */
export interface GenArenaPlace {
  memory: WebAssembly.Memory;
  base: number;
}

const align64 = (x: number) => Math.ceil(x / 64) * 64;

/** Bytes one parser needs past the tables: n dosages and the blank index (3n + 1 positions and slack). */
export function genScratchBytes(n: number): number {
  return align64(8 * n) + align64(4 * (3 * n + 8));
}

/** Writes the tables where the module reads them (every parser of a shared memory writes the same values). */
function writeTables(memory: WebAssembly.Memory, exports: Record<string, unknown>, t: ProbTables): void {
  const at = (name: string) => (exports[name] as { value: number }).value;
  const end = at('tablesEnd');
  if (end !== GEN_TABLES_BYTES) throw new Error(`gen-probs.wasm tables end at ${end}, not ${GEN_TABLES_BYTES}`);
  const put = (name: string, next: string, src: Uint16Array | Int32Array | Float64Array) => {
    if (at(name) + src.byteLength > at(next)) throw new Error(`gen-probs.wasm: table ${name} does not fit`);
    new Uint8Array(memory.buffer, at(name), src.byteLength).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
  };
  put('qtab', 'qoff', t.qtab);
  put('qoff', 'qlim', t.qoff);
  put('qlim', 'pow10', t.qlim);
  put('pow10', 'lenMask', t.pow10);
  put('lenMask', 'tablesEnd', LEN_MASK);
}

/**
 * The parser for lines of n samples with these tables, or null where WebAssembly is unavailable
 * (an instantiation that fails is an error). With `shared`, one that reads chunks in place from
 * that memory (and cannot take others); else one with its own memory, chunks copied in.
 */
export function createGenWasm(t: ProbTables, n: number, shared?: GenArenaPlace): GenWasm | null {
  const scratchAt = shared ? shared.base : GEN_TABLES_BYTES;
  const outAt = scratchAt;
  const idxAt = scratchAt + align64(8 * n);
  const chunkAt = scratchAt + genScratchBytes(n);
  const memory = shared ? shared.memory : new WebAssembly.Memory({ initial: pagesFor(chunkAt + 64) + 16, maximum: MAX_PAGES, shared: true } as { initial: number; maximum: number });
  if (shared && chunkAt > memory.buffer.byteLength) throw new Error(`gen parser place at ${shared.base} is outside the shared memory`);
  const inst = wasmInstance('gen-probs', { e: { m: memory } });
  if (inst === null) return null;
  writeTables(memory, inst.exports, t);
  const probsExact = inst.exports.probs as ProbsFn;
  const probsQ = inst.exports.probsq as ProbsFn;
  return {
    memory,
    probs: (p, end, n, quant) => (quant ? probsQ(p, end, n, idxAt, outAt) : probsExact(p, end, n, idxAt, outAt)),
    outAt,
    load(b: Uint8Array): number {
      if (shared) {
        if (b.buffer !== memory.buffer) throw new Error('chunk outside the shared memory');
        new Uint8Array(memory.buffer, b.byteOffset + b.length, 64).fill(0);
        return b.byteOffset;
      }
      // 64 bytes of zeros past the chunk: reads past its last line stop there.
      const need = chunkAt + b.length + 64;
      if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
      const view = new Uint8Array(memory.buffer, chunkAt, b.length + 64);
      view.set(b);
      view.fill(0, b.length);
      return chunkAt;
    },
  };
}
