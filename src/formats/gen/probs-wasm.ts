// The .gen probability loop in WebAssembly: the same arithmetic as fastProbs (decode.ts), so the
// dosages are bit-identical (tested), without JavaScript's per-byte bounds checks. A chunk is
// copied once into the module's memory; each line's probabilities are then parsed there, by
// probsq (plink2 precision, the default: blanks indexed, then tokens read a word at a time) or
// probs (exact dosages: digit by digit). Anything unusual (exponents, more than 9 digits, bad
// values, odd spacing) returns 0 and the line goes through the JavaScript paths, which explain
// errors.
import { Code, OP, PAGE, T, moduleBytes, pagesFor } from '../../wasm/asm.js';

// Memory layout (bytes): the quantum table, its offsets and limits, powers of ten, then the
// dosage output and the chunk.
export interface ProbTables {
  qtab: Uint16Array;
  qoff: Int32Array;
  qlim: Int32Array;
  pow10: Float64Array;
}

interface Layout {
  qtab: number;
  qoff: number;
  qlim: number;
  pow10: number;
  /** LEN_MASK: the low `i` bytes of a word, i = 0..4. */
  lenMask: number;
  /** The most fraction digits the table covers. */
  maxScale: number;
  /** First free byte. */
  end: number;
}

const LEN_MASK = new Int32Array([0, 0xff, 0xffff, 0xffffff, -1]);

function layout(t: ProbTables, base = 0): Layout {
  const up = (x: number) => Math.ceil(x / 64) * 64;
  const qtab = up(base);
  const qoff = up(qtab + t.qtab.byteLength);
  const qlim = up(qoff + t.qoff.byteLength);
  const pow10 = up(qlim + t.qlim.byteLength);
  const lenMask = up(pow10 + t.pow10.byteLength);
  return { qtab, qoff, qlim, pow10, lenMask, maxScale: t.qlim.length - 1, end: up(lenMask + 4 * LEN_MASK.length) };
}

// Parameters and locals of probs / probsq(p, end, n, quant, out) -> 1 ok / 0 not handled. (quant,
// parameter 3, picks the function on the JavaScript side; neither reads it.)
const P = 0;
const END = 1;
const N = 2;
const OUT = 4;
const C = 5;
const ST = 6;
const M = 7;
const ND = 8;
const SC = 9;
const FS = 10;
const S = 11;
const MK = [12, 13, 14];
const SK = [15, 16, 17];
const QK = [18, 19, 20];
const TOT = 21;
const PK = [22, 23, 24];
const SUM = 25;
const IP = 26;
const C1 = 27;
const W = 28;
const LEN = 29;
const X = 30;
const W64 = 31; // i64
// probsq's separator index (two-stage tokenizer).
const MSK = 32;
const STOP = 33;
const CNT = 34;
const NT = 35;
const BITS = 36;
const BLK = 37;
const I = 38;
const V = 39; // v128

/** Push (local x is one of the given bytes). */
function isIn(c: Code, x: number, ...bytes: number[]): void {
  bytes.forEach((v, i) => {
    c.get(x).i32(v).op(OP.i32Eq);
    if (i > 0) c.op(OP.i32Or);
  });
}

/** c = mem[++p] */
function advance(c: Code): void {
  c.get(P).i32(1).op(OP.i32Add).tee(P).load8u().set(C);
}

/** m = m * 10 + digit while c is a digit. */
function digits(c: Code): void {
  c.block().loop();
  c.get(C).i32(48).op(OP.i32Sub).i32(10).op(OP.i32GeU).brIf(1);
  c.get(M).i32(10).op(OP.i32Mul).get(C).op(OP.i32Add).i32(48).op(OP.i32Sub).set(M);
  advance(c);
  c.br(0).end().end();
}

/** The next number's mantissa and fraction digits into M and SC (fast: try fastNumber first). */
function numberMS(c: Code, fast: boolean): void {
  c.get(P).load8u().set(C);
  c.block().loop();
  isIn(c, C, 32, 9);
  c.op(OP.i32Eqz).brIf(1);
  advance(c);
  c.br(0).end().end();
  c.block(); // $done: M and SC set, P past the number
  c.block(); // $general
  if (fast) fastNumber(c);
  c.end(); // $general: any shape, digit by digit
  c.get(P).set(ST).i32(0).set(M);
  digits(c);
  c.get(P).get(ST).op(OP.i32Sub).set(ND);
  c.i32(0).set(SC);
  c.get(C).i32(46).op(OP.i32Eq).if();
  c.get(P).i32(1).op(OP.i32Add).tee(P).set(FS);
  c.get(P).load8u().set(C);
  digits(c);
  c.get(P).get(FS).op(OP.i32Sub).tee(SC).get(ND).op(OP.i32Add).set(ND);
  c.end();
  // No digits, more than 9 (the int32 mantissa), past the line, or not followed by a separator.
  c.get(ND).op(OP.i32Eqz).get(ND).i32(9).op(OP.i32GtU).op(OP.i32Or);
  c.get(P).get(END).op(OP.i32GtU).op(OP.i32Or);
  isIn(c, C, 32, 9, 10, 13);
  c.op(OP.i32Eqz, OP.i32Or);
  c.if().i32(0).ret().end();
  c.end(); // $done
}

function number(c: Code, k: number): void {
  numberMS(c, true);
  c.get(M).set(MK[k]).get(SC).set(SK[k]);
}

/**
 * "0", "1" and "0.d" .. "1.dddd" without a branch per digit (SWAR on the four bytes after the
 * point): the value in units of 1e-4 (m / 10^L and m * 10^(4 - L) / 10^4 are the same rational,
 * so they round to the same double and the same quantum). Branches to $general (depth 0 here)
 * for anything else, $done (depth 1) when done. Measured: parse 4.0 -> 3.7 us a 157-sample line;
 * the loop is now bound by instruction count, not by mispredicted digit-loop exits.
 */
function fastNumber(c: Code): void {
  c.get(C).i32(48).op(OP.i32Sub).tee(IP).i32(1).op(OP.i32GtU).brIf(0);
  c.get(P).load8u(1).set(C1);
  c.get(C1).i32(46).op(OP.i32Eq).if();
  c.get(P).load32(2).tee(W).i32(0x80808080 | 0).op(OP.i32And).brIf(1); // non-ASCII: general path
  // High bit of each byte that is not a digit: (b + 0x46) reaches 0x80 above '9'; (b | 0x80) - 0x30
  // loses it below '0' (no borrow crosses bytes).
  c.get(W).i32(0x46464646).op(OP.i32Add);
  c.get(W).i32(0x80808080 | 0).op(OP.i32Or).i32(0x30303030).op(OP.i32Sub).i32(-1).op(OP.i32Xor);
  c.op(OP.i32Or).i32(0x80808080 | 0).op(OP.i32And).op(OP.i32Ctz).i32(3).op(OP.i32ShrU).tee(LEN);
  c.op(OP.i32Eqz).brIf(1);
  // The L digits (low nibbles), then pairs, then four: d0 d1 d2 d3 -> a 4-digit number.
  c.get(W).i32(0x0f0f0f0f).op(OP.i32And).i32(-1).i32(32).get(LEN).i32(3).op(OP.i32Shl).op(OP.i32Sub).op(OP.i32ShrU).op(OP.i32And).tee(X);
  c.i32(10).op(OP.i32Mul).get(X).i32(8).op(OP.i32ShrU).op(OP.i32Add).i32(0x00ff00ff).op(OP.i32And).tee(X);
  c.i32(100).op(OP.i32Mul).get(X).i32(16).op(OP.i32ShrU).op(OP.i32Add).i32(0xffff).op(OP.i32And);
  c.get(IP).i32(10000).op(OP.i32Mul).op(OP.i32Add).tee(X);
  c.i32(10000).op(OP.i32GtU).brIf(1);
  // A separator must follow (a fifth digit sends the number to the general path).
  // (C1 holds that byte: C must stay the number's first byte for the general path.)
  c.get(P).i32(2).op(OP.i32Add).get(LEN).op(OP.i32Add).tee(FS).load8u().set(C1);
  isIn(c, C1, 32, 9, 10, 13);
  c.op(OP.i32Eqz).brIf(1);
  c.get(X).set(M).i32(4).set(SC).get(FS).set(P).get(C1).set(C);
  c.br(2);
  c.end();
  // "0" or "1" alone.
  isIn(c, C1, 32, 9, 10, 13);
  c.if();
  c.get(IP).i32(10000).op(OP.i32Mul).set(M).i32(4).set(SC);
  c.get(P).i32(1).op(OP.i32Add).set(P).get(C1).set(C);
  c.br(2);
  c.end();
}

/** probs(p, end, n, _, out): exact dosages (--dosage-precision exact), digit by digit. */
function probsFunction(L: Layout): Code {
  const c = new Code();
  c.i32(0).set(S);
  c.block().loop();
  c.get(S).get(N).op(OP.i32GeU).brIf(1);
  for (let k = 0; k < 3; k++) number(c, k);
  for (let k = 0; k < 3; k++) {
    c.get(MK[k]).op(OP.f64ConvertI32S).get(SK[k]).i32(3).op(OP.i32Shl).loadF64(L.pow10).op(OP.f64Div).tee(PK[k]);
    c.f64(1.000001).op(OP.f64Gt).if().i32(0).ret().end();
  }
  c.get(PK[0]).get(PK[1]).op(OP.f64Add).get(PK[2]).op(OP.f64Add).set(SUM);
  c.get(OUT).get(S).i32(3).op(OP.i32Shl).op(OP.i32Add);
  c.get(SUM).f64(0).op(OP.f64Eq).if(T.f64).f64(NaN).else();
  c.get(PK[1]).f64(2).get(PK[2]).op(OP.f64Mul, OP.f64Add).get(SUM).op(OP.f64Div);
  c.end().storeF64();
  c.get(S).i32(1).op(OP.i32Add).set(S);
  c.br(0).end().end();
  // Nothing but blanks may follow the last probability.
  c.block().loop();
  c.get(P).get(END).op(OP.i32GeU).brIf(1);
  c.get(P).load8u().set(C);
  isIn(c, C, 32, 9, 13);
  c.op(OP.i32Eqz).if().i32(0).ret().end();
  c.get(P).i32(1).op(OP.i32Add).set(P);
  c.br(0).end().end();
  c.i32(1);
  return c;
}

/** plink2's quantum of the number in M / 10^SC into QK[k] (table when it holds it). */
function quantFromMS(c: Code, L: Layout, k: number): void {
  c.get(SC).i32(L.maxScale).op(OP.i32GtU);
  c.get(M).get(SC).i32(2).op(OP.i32Shl).load32(L.qlim).op(OP.i32GtU).op(OP.i32Or);
  c.if();
  // Outside the table (more fraction digits than it covers, or above 1): computed as decode.ts's
  // quantum() does, f64.nearest being round-half-even; above 1.000001 goes to the JavaScript paths.
  c.get(M).op(OP.f64ConvertI32S).get(SC).i32(3).op(OP.i32Shl).loadF64(L.pow10).op(OP.f64Div).tee(PK[k]);
  c.f64(1.000001).op(OP.f64Gt).if().i32(0).ret().end();
  c.get(PK[k]).f64(32768).op(OP.f64Mul, OP.f64Nearest, OP.i32TruncF64S).set(QK[k]);
  c.else();
  c.get(SC).i32(2).op(OP.i32Shl).load32(L.qoff).get(M).op(OP.i32Add).i32(1).op(OP.i32Shl).load16u(L.qtab).set(QK[k]);
  c.end();
}

/**
 * One probability's quantum into QK[k], from the token [P, STOP) (its bounds known from the
 * separator index). "0"/"1", and "0.d" .. "1.dddd" read as one 8-byte word (a 16-bit compare for
 * the "0."/"1.", a SWAR non-digit mask over the digits, their value by two multiplies) with the
 * quantum from the 4-digit table (m * 10^(4 - L) / 10^4 is the same rational as m / 10^L, so the
 * same quantum). Anything else goes digit by digit (numberMS); what that does not take, the
 * JavaScript paths do.
 */
function tokenQ(c: Code, L: Layout, qtab4: number, k: number): void {
  c.block(); // $done
  c.block(); // $general
  c.get(P).load64().tee(W64).op(OP.i32WrapI64).set(W);
  c.get(STOP).get(P).op(OP.i32Sub).tee(LEN).i32(1).op(OP.i32Eq);
  c.if(); // one byte; depths: $general 1, $done 2
  c.get(W).i32(0xfe).op(OP.i32And).i32(0x30).op(OP.i32Ne).brIf(1);
  c.get(W).i32(1).op(OP.i32And).i32(15).op(OP.i32Shl).set(QK[k]);
  c.br(2);
  c.end();
  // 3 to 6 bytes, "0." or "1." then digits.
  c.get(LEN).i32(3).op(OP.i32Sub).i32(3).op(OP.i32GtU).brIf(0);
  c.get(W).i32(0xfeff).op(OP.i32And).i32(0x2e30).op(OP.i32Ne).brIf(0);
  c.get(LEN).i32(2).op(OP.i32Sub).i32(2).op(OP.i32Shl).load32(L.lenMask).set(MSK);
  // Bytes 2..5 XOR '0': a digit becomes its value; anything else is above 9 or has its high bit.
  c.get(W64).i64(16).op(OP.i64ShrU).op(OP.i32WrapI64).i32(0x30303030).op(OP.i32Xor).tee(X);
  c.i32(0x7f7f7f7f).op(OP.i32And).i32(0x76767676).op(OP.i32Add).get(X).op(OP.i32Or).i32(0x80808080 | 0).op(OP.i32And);
  c.get(MSK).op(OP.i32And).brIf(0);
  // d0 d1 d2 d3 (zeros past the digits) -> d0d1d2d3: pairs by one multiply, then the four.
  c.get(X).get(MSK).op(OP.i32And);
  c.i32(0x0a01).op(OP.i32Mul).i32(8).op(OP.i32ShrU).i32(0x00ff00ff).op(OP.i32And);
  c.i32(0x00640001).op(OP.i32Mul).i32(16).op(OP.i32ShrU);
  c.get(W).i32(1).op(OP.i32And).i32(10000).op(OP.i32Mul).op(OP.i32Add).tee(X);
  c.i32(10000).op(OP.i32GtU).brIf(0);
  c.get(X).i32(1).op(OP.i32Shl).load16u(qtab4).set(QK[k]);
  c.br(1);
  c.end(); // $general
  numberMS(c, false);
  // The number must fill the token (a '\r' inside it ends numberMS's digits but is no separator).
  c.get(P).get(STOP).op(OP.i32Ne).if().i32(0).ret().end();
  quantFromMS(c, L, k);
  c.end(); // $done
}

/**
 * probsq(p, end, n, _, out): plink2-precision dosages (see probsFunction) in two stages. First the
 * blanks of the line are found 16 bytes at a time (i8x16 compares and bitmask) and their positions
 * listed: exactly 3n of them, one before each probability (more, or two in a row, and the line
 * goes to JavaScript). Then each token is parsed from its known bounds. Why: parsing token after
 * token, each start waited on the previous token's length (a load, a mask, a count: ~15 cycles a
 * token whatever the instruction count); from the index the tokens are independent. Measured on
 * 157-sample lines, one thread (V8 profile, self time): the byte loop 3.0 us a line, a token as one
 * word 2.5, two stages 2.3 (stage 1 ~0.6 of it).
 */
function probsQFunction(L: Layout, qtab4: number, idxAt: number): Code {
  const c = new Code();
  // Blanks at the end of the line are not separators.
  c.block().loop();
  c.get(END).get(P).op(OP.i32LeU).brIf(1);
  c.get(END).i32(1).op(OP.i32Sub).load8u().set(C);
  isIn(c, C, 32, 9);
  c.op(OP.i32Eqz).brIf(1);
  c.get(END).i32(1).op(OP.i32Sub).set(END);
  c.br(0).end().end();
  // Stage 1: the blanks' positions into the index (bytes of a block past END masked off).
  c.get(N).i32(3).op(OP.i32Mul).set(NT);
  c.i32(0).set(CNT);
  c.get(P).set(BLK);
  c.block().loop();
  c.get(BLK).get(END).op(OP.i32GeU).brIf(1);
  c.get(BLK).v128Load(0).tee(V).i32(32).i8x16Splat().i8x16Eq();
  c.get(V).i32(9).i8x16Splat().i8x16Eq().v128Or().i8x16Bitmask().set(BITS);
  c.get(END).get(BLK).op(OP.i32Sub).i32(16).op(OP.i32LtU).if();
  c.get(BITS).i32(1).get(END).get(BLK).op(OP.i32Sub).op(OP.i32Shl).i32(1).op(OP.i32Sub).op(OP.i32And).set(BITS);
  c.end();
  // Four positions are written whatever the count, then the rest one by one, and CNT moves by the
  // count (writes past it are overwritten or unused: the index has room for 7 more). A block of
  // .gen text holds about three blanks, so no loop exit to mispredict per block: decode 2.88 ->
  // 2.66 us a 157-sample line; 157 x 300k .gen.zst wall 2.09-2.14 -> 2.00-2.05 s (interleaved A/B).
  // Here STOP holds the block's count and MSK the index's byte offset (stage 2 reuses both).
  c.get(BITS).op(OP.i32Popcnt).set(STOP);
  c.get(CNT).get(STOP).op(OP.i32Add).get(NT).op(OP.i32GtU).if().i32(0).ret().end();
  c.get(CNT).i32(2).op(OP.i32Shl).set(MSK);
  for (let j = 0; j < 4; j++) {
    c.get(MSK).get(BLK).get(BITS).op(OP.i32Ctz).op(OP.i32Add).store32(idxAt + 4 * j);
    c.get(BITS).get(BITS).i32(1).op(OP.i32Sub).op(OP.i32And).set(BITS);
  }
  c.get(MSK).i32(16).op(OP.i32Add).set(MSK);
  c.block().loop();
  c.get(BITS).op(OP.i32Eqz).brIf(1);
  c.get(MSK).get(BLK).get(BITS).op(OP.i32Ctz).op(OP.i32Add).store32(idxAt);
  c.get(MSK).i32(4).op(OP.i32Add).set(MSK);
  c.get(BITS).get(BITS).i32(1).op(OP.i32Sub).op(OP.i32And).set(BITS);
  c.br(0).end().end();
  c.get(CNT).get(STOP).op(OP.i32Add).set(CNT);
  c.get(BLK).i32(16).op(OP.i32Add).set(BLK);
  c.br(0).end().end();
  c.get(CNT).get(NT).op(OP.i32Ne).if().i32(0).ret().end();
  // The first blank must be where the probabilities begin; the last token ends at END.
  c.get(P).i32(0).load32(idxAt).op(OP.i32Ne).if().i32(0).ret().end();
  c.get(NT).i32(2).op(OP.i32Shl).get(END).store32(idxAt);
  // Stage 2: every token from its bounds.
  c.i32(0).set(S);
  c.i32(idxAt).set(I);
  c.block().loop();
  c.get(S).get(N).op(OP.i32GeU).brIf(1);
  for (let k = 0; k < 3; k++) {
    c.get(I).load32(4 * k).i32(1).op(OP.i32Add).set(P);
    c.get(I).load32(4 * k + 4).set(STOP);
    tokenQ(c, L, qtab4, k);
  }
  c.get(QK[0]).get(QK[1]).op(OP.i32Add).get(QK[2]).op(OP.i32Add).set(TOT);
  c.get(OUT).get(S).i32(3).op(OP.i32Shl).op(OP.i32Add);
  c.get(TOT).op(OP.i32Eqz).if(T.f64).f64(NaN).else();
  c.get(QK[1]).get(QK[2]).i32(1).op(OP.i32Shl).op(OP.i32Add).op(OP.f64ConvertI32S).f64(16384).op(OP.f64Mul);
  c.get(TOT).op(OP.f64ConvertI32S).op(OP.f64Div, OP.f64Nearest).f64(1 / 16384).op(OP.f64Mul);
  c.end().storeF64();
  c.get(I).i32(12).op(OP.i32Add).set(I);
  c.get(S).i32(1).op(OP.i32Add).set(S);
  c.br(0).end().end();
  c.i32(1);
  return c;
}

export type ProbsFn = (p: number, end: number, n: number, quant: number, out: number) => number;

export interface GenWasm {
  memory: WebAssembly.Memory;
  probs: ProbsFn;
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
 * A shared memory (the main thread decompresses .gen chunks straight into it, see assoc-run.ts)
 * and the byte where this worker's tables, dosages and blank index go (genScratchBytes of them).
 */
export interface GenArenaPlace {
  memory: WebAssembly.Memory;
  base: number;
}

/** Memory after the tables: n dosages, the separator index (3n + 1 positions and slack); then the copy. */
function places(L: Layout, n: number): { outAt: number; idxAt: number; end: number } {
  const outAt = L.end;
  const idxAt = Math.ceil((outAt + 8 * n) / 64) * 64;
  return { outAt, idxAt, end: Math.ceil((idxAt + 4 * (3 * n + 8)) / 64) * 64 };
}

/**
 * Bytes to set aside for one worker's parser in a shared memory (GenArenaPlace): its tables (the
 * plink2 quanta to 4 fraction digits take ~22 KB), n dosages and the blank index.
 */
export function genScratchBytes(n: number): number {
  return (1 << 16) + Math.ceil((8 * n + 4 * (3 * n + 8) + 256) / 64) * 64;
}

/**
 * The parser for lines of n samples with these tables, or null where WebAssembly is unavailable.
 * One per worker thread (module-level state in decode.ts); with `shared`, one that reads chunks
 * in place from that memory (and cannot take others).
 */
export function createGenWasm(t: ProbTables, n: number, shared?: GenArenaPlace): GenWasm | null {
  try {
    const L = layout(t, shared?.base ?? 0);
    const params = [T.i32, T.i32, T.i32, T.i32, T.i32];
    const locals: [number, number][] = [[17, T.i32], [4, T.f64], [5, T.i32], [1, T.i64], [7, T.i32], [1, T.v128]];
    const { outAt, idxAt, end } = places(L, n);
    if (shared && end > shared.base + genScratchBytes(n)) return null;
    const chunkAt = end;
    const fns = [
      { name: 'probs', params, results: [T.i32], locals, code: probsFunction(L) },
      { name: 'probsq', params, results: [T.i32], locals, code: probsQFunction(L, L.qtab + 2 * t.qoff[4], idxAt) },
    ];
    let memory: WebAssembly.Memory;
    let inst: WebAssembly.Instance;
    if (shared) {
      memory = shared.memory;
      const pages = memory.buffer.byteLength / PAGE;
      const bytes = moduleBytes(fns, { import: ['e', 'm'], minPages: pages, maxPages: pages, shared: true });
      inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { e: { m: memory } });
    } else {
      const bytes = moduleBytes(fns, { export: 'mem', minPages: pagesFor(chunkAt + 64) + 16 });
      inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
      memory = inst.exports.mem as WebAssembly.Memory;
    }
    const probsExact = inst.exports.probs as ProbsFn;
    const probsQ = inst.exports.probsq as ProbsFn;
    const probs: ProbsFn = (p, end, n, quant, out) => (quant ? probsQ(p, end, n, quant, out) : probsExact(p, end, n, quant, out));
    new Uint16Array(memory.buffer, L.qtab, t.qtab.length).set(t.qtab);
    new Int32Array(memory.buffer, L.qoff, t.qoff.length).set(t.qoff);
    new Int32Array(memory.buffer, L.qlim, t.qlim.length).set(t.qlim);
    new Float64Array(memory.buffer, L.pow10, t.pow10.length).set(t.pow10);
    new Int32Array(memory.buffer, L.lenMask, LEN_MASK.length).set(LEN_MASK);
    return {
      memory,
      probs,
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
  } catch {
    // No WebAssembly here (or no shared memory): decode.ts parses in JavaScript, or copies.
    return null;
  }
}
