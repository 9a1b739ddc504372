// A minimal WebAssembly binary writer: enough to emit the few small kernels dosageflow runs in
// WebAssembly, with their source in TypeScript (no toolchain, no committed binaries).
// Spec: https://webassembly.github.io/spec/core/binary/

/** DOSAGEFLOW_NO_WASM=1 turns every WebAssembly kernel off (their JavaScript twins give the same results). */
export function wasmDisabled(): boolean {
  return !!process.env.DOSAGEFLOW_NO_WASM;
}

export const PAGE = 65536;

/** Memory pages (64 KiB) holding `bytes`, at least one. */
export function pagesFor(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / PAGE));
}

export const T = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b, void: 0x40 } as const;

export function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

export function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Buffer.from(s, 'utf8')];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** Instruction emitter for one function body; methods chain. */
export class Code {
  b: number[] = [];
  op(...ops: number[]): this {
    this.b.push(...ops);
    return this;
  }
  get(l: number): this {
    return this.op(0x20, ...uleb(l));
  }
  set(l: number): this {
    return this.op(0x21, ...uleb(l));
  }
  tee(l: number): this {
    return this.op(0x22, ...uleb(l));
  }
  i32(v: number): this {
    return this.op(0x41, ...sleb(v | 0));
  }
  f64(v: number): this {
    const b = new Uint8Array(new Float64Array([v]).buffer);
    return this.op(0x44, ...b);
  }
  /** Structured control: block / loop / if with a result type (T.void for none), then end. */
  block(t: number = T.void): this {
    return this.op(0x02, t);
  }
  loop(t: number = T.void): this {
    return this.op(0x03, t);
  }
  if(t: number = T.void): this {
    return this.op(0x04, t);
  }
  else(): this {
    return this.op(0x05);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, ...uleb(depth));
  }
  brIf(depth: number): this {
    return this.op(0x0d, ...uleb(depth));
  }
  ret(): this {
    return this.op(0x0f);
  }
  // Memory access: natural alignment, constant offset.
  load8u(offset = 0): this {
    return this.op(0x2d, 0, ...uleb(offset));
  }
  load16u(offset = 0): this {
    return this.op(0x2f, 1, ...uleb(offset));
  }
  load32(offset = 0): this {
    return this.op(0x28, 2, ...uleb(offset));
  }
  load64(offset = 0): this {
    return this.op(0x29, 3, ...uleb(offset));
  }
  /** i64.const (small values: the same signed LEB128 as i32). */
  i64(v: number): this {
    return this.op(0x42, ...sleb(v | 0));
  }
  loadF64(offset = 0): this {
    return this.op(0x2b, 3, ...uleb(offset));
  }
  store32(offset = 0): this {
    return this.op(0x36, 2, ...uleb(offset));
  }
  storeF64(offset = 0): this {
    return this.op(0x39, 3, ...uleb(offset));
  }
  simd(op: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(op), ...imm);
  }
  /** local.get a; local.get b; i32.add */
  addr(a: number, b: number): this {
    return this.get(a).get(b).op(OP.i32Add);
  }
  v128Load(offset: number): this {
    return this.simd(0x00, 4, ...uleb(offset));
  }
  v128Zero(): this {
    return this.simd(0x0c, ...new Array(16).fill(0));
  }
  /** i8x16.splat: the low byte of an i32 in every lane. */
  i8x16Splat(): this {
    return this.simd(0x0f);
  }
  i8x16Eq(): this {
    return this.simd(0x23);
  }
  v128Or(): this {
    return this.simd(0x50);
  }
  /** i8x16.bitmask: the lanes' high bits as the low 16 bits of an i32. */
  i8x16Bitmask(): this {
    return this.simd(0x64);
  }
  f64x2Add(): this {
    return this.simd(0xf0);
  }
  f64x2Mul(): this {
    return this.simd(0xf2);
  }
  /** f64x2.extract_lane k */
  lane(k: number): this {
    return this.simd(0x21, k);
  }
}

/** i32 and f64 opcodes by name (the subset used). */
export const OP = {
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtU: 0x49,
  i32GtU: 0x4b,
  i32LeU: 0x4d,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  i32Xor: 0x73,
  i32Ctz: 0x68,
  i32Popcnt: 0x69,
  i32WrapI64: 0xa7,
  i64ShrU: 0x88,
  i64ExtendI32U: 0xad,
  f64Eq: 0x61,
  f64Gt: 0x64,
  f64Nearest: 0x9e,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Div: 0xa3,
  f64ConvertI32S: 0xb7,
  i32TruncF64S: 0xaa,
} as const;

export interface WasmFunction {
  name: string;
  params: number[];
  results: number[];
  /** Extra locals by type, in order after the parameters: [count, type] pairs. */
  locals: [number, number][];
  code: Code;
}

/**
 * A module of exported functions. Memory: `{ export: name, minPages }` defines and exports one,
 * `{ import: [module, field], minPages }` imports it (`shared: true, maxPages` a shared one).
 */
export function moduleBytes(fns: WasmFunction[], memory: { export?: string; import?: [string, string]; minPages: number; shared?: boolean; maxPages?: number }): Uint8Array {
  const types = fns.map((f) => [0x60, ...uleb(f.params.length), ...f.params, ...uleb(f.results.length), ...f.results]);
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  out.push(...section(1, [...uleb(types.length), ...types.flat()]));
  // Limits: 0x00 min; 0x03 min and max, shared (threads proposal: a memory several workers use).
  const limits = memory.shared ? [0x03, ...uleb(memory.minPages), ...uleb(memory.maxPages ?? memory.minPages)] : [0x00, ...uleb(memory.minPages)];
  if (memory.import) out.push(...section(2, [1, ...name(memory.import[0]), ...name(memory.import[1]), 0x02, ...limits]));
  out.push(...section(3, [...uleb(fns.length), ...fns.flatMap((_, i) => uleb(i))]));
  if (!memory.import) out.push(...section(5, [1, 0x00, ...uleb(memory.minPages)]));
  const exports: number[][] = fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  if (memory.export) exports.push([...name(memory.export), 0x02, 0]);
  out.push(...section(7, [...uleb(exports.length), ...exports.flat()]));
  const bodies = fns.map((f) => {
    const body = [...uleb(f.locals.length), ...f.locals.flatMap(([n, t]) => [...uleb(n), t]), ...f.code.b, 0x0b];
    return [...uleb(body.length), ...body];
  });
  out.push(...section(10, [...uleb(bodies.length), ...bodies.flat()]));
  return Uint8Array.from(out);
}
