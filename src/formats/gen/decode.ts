// IMPUTE2 .gen decoder: a GenLineDecoder object over bytes (its cursor, string cache and WebAssembly
// parser are its own; a worker owns one). One line = one variant, in one of three layouts
// (chosen per file by layout.ts from its first line):
//   CHR SNPID RSID POS A B  P(AA) P(AB) P(BB) x N samples     (qctool, IMPUTE2 with chromosome)
//   CHR ID POS A B          P(AA) P(AB) P(BB) x N samples     (plink2 --export oxford, plink 1.9)
//   SNPID RSID POS A B      P(AA) P(AB) P(BB) x N samples     (IMPUTE2 per chromosome; from --chr)
// The dosage is of allele B: (P(AB) + 2 P(BB)) / (P(AA) + P(AB) + P(BB)); all three zero = missing.
// Dividing by the sum reproduces plink2, which normalises probabilities that do not sum to 1.

import type { VariantMeta } from '../types.js';
import { createGenWasm, type GenArenaPlace, type GenWasm } from './probs-wasm.js';
import { DecodeError } from '../../errors.js';
import { isChromosomeCode, normChr } from '../chrom.js';
import { roundHalfEven } from '../../stats/round.js';

const SP = 32;
const TAB = 9;
const CR = 13;
const LF = 10;

// Exact powers of ten: m / 10^k with m < 2^53 and k <= 22 is correctly rounded, so the fast path
// gives the same double as parseFloat for the <= 15-digit decimals IMPUTE2 writes.
const POW10 = new Float64Array(23);
for (let k = 0; k < 23; k++) POW10[k] = Number('1e' + k);

export interface GenLayout {
  nSamples: number;
  /** Chromosome for the 5-column IMPUTE2 layout (no CHR column); undefined = a CHR column. */
  chr?: string;
  /** With a CHR column: 5 leading fields (CHR ID POS A B, plink's export) instead of 6. */
  head5?: boolean;
  /** With a CHR column: the normalised code (--chr) every line's CHR must hold. */
  expectChr?: string;
  /** The .sample file, named when a line's field count does not fit its samples. */
  sampleFile?: string;
  /**
   * Round as plink2's .gen import does (probabilities to 1/32768, dosage to 1/16384) so results
   * equal plink2's; false uses the probabilities exactly as written.
   */
  plink2Precision: boolean;
  /** Give the SNP column as a byte span (meta.idBytes/idStart/idEnd), not as meta.snp. */
  idBytes?: boolean;
}

function isSpace(c: number): boolean {
  return c === SP || c === TAB || c === CR;
}

/** Count whitespace-separated fields in [start, end). Used only to explain errors. */
export function countFields(b: Uint8Array, start: number, end: number): number {
  let n = 0;
  let i = start;
  while (i < end) {
    while (i < end && isSpace(b[i])) i++;
    if (i >= end) break;
    n++;
    while (i < end && !isSpace(b[i])) i++;
  }
  return n;
}

/** b[s, e) as a latin1 string (uncached: error messages and rare paths). */
function latin1(b: Uint8Array, s: number, e: number): string {
  return (Buffer.from(b.buffer, b.byteOffset, b.byteLength) as Buffer & { latin1Slice(s: number, e: number): string }).latin1Slice(s, e);
}

function sameBytes(b: Uint8Array, s: number, e: number, str: string): boolean {
  if (e - s !== str.length) return false;
  for (let i = s; i < e; i++) if (b[i] !== str.charCodeAt(i - s)) return false;
  return true;
}

const ONE_BYTE = Array.from({ length: 256 }, (_, c) => String.fromCharCode(c));

const BAD = -1; // sentinel: not a number
const MISSING_FIELD = -2; // sentinel: line ended
const NEGATIVE = -3; // sentinel: a negative number

function slowNum(b: Uint8Array, s: number, e: number): number {
  const str = latin1(b, s, e);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(str)) return BAD;
  const v = Number(str);
  if (v < 0) return NEGATIVE;
  return v;
}

/** Index of the end of the line starting at `start` (position of '\n' or `end`). */
export function lineEnd(b: Uint8Array, start: number, end: number): number {
  const j = b.indexOf(LF, start);
  return j < 0 || j >= end ? end : j;
}

/** Largest base-pair position (plink2: "Invalid bp coordinate" above 2^31 - 2). */
export const MAX_POSITION = 2 ** 31 - 2;

/** The whole number written in b[s, e) (digits only; more than 15 read exactly), or -1. */
function wholeNumber(b: Uint8Array, s: number, e: number): number {
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return e - s > 15 ? Number(latin1(b, s, e)) : v;
}

// plink2's quanta (roundHalfEven(p * 32768)) of every decimal 0.d..d with at most TABLE_SCALE (4) fraction
// digits, by the general path's arithmetic: a table read per probability (docs/decisions/0005).
const TABLE_SCALE = 4;

/** The tables the parsers read (the WebAssembly one gets a copy). */
interface QuantumTables {
  qtab: Uint16Array;
  qoff: Int32Array;
  qlim: Int32Array;
  pow10: Float64Array;
}

// A memo of constants, not decoder state (filled once, never changed).
const memo: { tables: QuantumTables | null } = { tables: null };

/** Built at first use, not at import: ~9 ms in every thread, also in runs that read no .gen (decision 0007). */
function quantumTables(): QuantumTables {
  if (memo.tables !== null) return memo.tables;
  const qoff = new Int32Array(TABLE_SCALE + 2);
  for (let k = 0; k <= TABLE_SCALE; k++) qoff[k + 1] = qoff[k] + 10 ** k + 1;
  const qtab = new Uint16Array(qoff[TABLE_SCALE + 1]);
  for (let k = 0; k <= TABLE_SCALE; k++) {
    for (let m = 0; m <= 10 ** k; m++) qtab[qoff[k] + m] = quantum(m, k);
  }
  const qlim = new Int32Array(TABLE_SCALE + 1);
  for (let k = 0; k <= TABLE_SCALE; k++) qlim[k] = 10 ** k;
  memo.tables = { qtab, qoff, qlim, pow10: POW10 };
  return memo.tables;
}

/** roundHalfEven(m / 10^scale * 32768): plink2's 1/32768 quantum of a probability. */
function quantum(m: number, scale: number): number {
  return roundHalfEven((m / POW10[scale]) * 32768);
}

// The parsed probabilities of one sample: mantissa and fraction digits (fastProbs' scratch).
const M3 = new Int32Array(3);
const S3 = new Int32Array(3);

/**
 * The hot loop: plain decimals only, straight from bytes (docs/decisions/0005). Returns false at the first thing it does not handle; nothing it wrote then matters.
 * It reads b[end] (the line's '\n' or '\r') as a terminator instead of bounds-checking every byte;
 * past the end of the buffer that read is undefined, which stops a number and sends the line (the
 * last of a file without a final newline) to the careful path. Mantissas are int32 (at most 9
 * digits, else the careful path): an integer multiply-add chain per digit instead of a float one.
 */
function fastProbs(b: Uint8Array, i: number, end: number, n: number, quant: boolean, dosage: Float64Array): boolean {
  const m3 = M3;
  const s3 = S3;
  const { qtab: QTAB, qoff: QOFF, qlim: QLIM } = quantumTables();
  for (let s = 0; s < n; s++) {
    for (let k = 0; k < 3; k++) {
      let c = b[i];
      while (c === SP || c === TAB) c = b[++i];
      const st = i;
      let m = 0;
      while (c >= 48 && c <= 57) {
        m = (m * 10 + c - 48) | 0;
        c = b[++i];
      }
      let nd = i - st;
      let scale = 0;
      if (c === 46) {
        const fs = ++i;
        c = b[i];
        while (c >= 48 && c <= 57) {
          m = (m * 10 + c - 48) | 0;
          c = b[++i];
        }
        scale = i - fs;
        nd += scale;
      }
      if (nd === 0 || nd > 9 || i > end || (c !== SP && c !== TAB && c !== LF && c !== CR)) return false;
      m3[k] = m;
      s3[k] = scale;
    }
    if (quant) {
      // plink2's import: probabilities to 1/32768, dosage to 1/16384, ties to even.
      let a: number;
      let bq: number;
      let cq: number;
      const k0 = s3[0];
      const k1 = s3[1];
      const k2 = s3[2];
      const v0 = m3[0];
      const v1 = m3[1];
      const v2 = m3[2];
      if (k0 <= TABLE_SCALE && k1 <= TABLE_SCALE && k2 <= TABLE_SCALE && v0 <= QLIM[k0] && v1 <= QLIM[k1] && v2 <= QLIM[k2]) {
        a = QTAB[QOFF[k0] + v0];
        bq = QTAB[QOFF[k1] + v1];
        cq = QTAB[QOFF[k2] + v2];
      } else {
        if (v0 / POW10[k0] > 1.000001 || v1 / POW10[k1] > 1.000001 || v2 / POW10[k2] > 1.000001) return false;
        a = quantum(v0, k0);
        bq = quantum(v1, k1);
        cq = quantum(v2, k2);
      }
      const tot = a + bq + cq;
      const num2 = bq + 2 * cq;
      // (num2 * 16384) / 32768 is num2 / 2 exactly.
      if (tot === 0) dosage[s] = NaN;
      else dosage[s] = roundHalfEven(tot === 32768 ? num2 / 2 : (num2 * 16384) / tot) * (1 / 16384);
    } else {
      const p0 = m3[0] / POW10[s3[0]];
      const p1 = m3[1] / POW10[s3[1]];
      const p2 = m3[2] / POW10[s3[2]];
      if (p0 > 1.000001 || p1 > 1.000001 || p2 > 1.000001) return false;
      const sum = p0 + p1 + p2;
      dosage[s] = sum === 0 ? NaN : (p1 + 2 * p2) / sum;
    }
  }
  while (i < end) {
    const c = b[i++];
    if (c !== SP && c !== TAB && c !== CR) return false;
  }
  return true;
}

/** Leading fields before the probabilities: 6 (CHR SNPID RSID POS A B) or 5. */
export function headFields(layout: GenLayout): 5 | 6 {
  return layout.chr === undefined && layout.head5 !== true ? 6 : 5;
}

/** Why the chromosome column `chr` does not fit the layout, or null (see layout.ts). */
function chrColumnError(chr: string, layout: GenLayout): DecodeError | null {
  if (layout.head5 === true && !isChromosomeCode(chr))
    return new DecodeError('chromosome', 1, `first column '${chr.slice(0, 30)}' is not a chromosome code, but this file's first line has one (CHR ID POS A B layout)`);
  if (layout.expectChr !== undefined && normChr(chr) !== layout.expectChr)
    return new DecodeError(
      'chromosome',
      1,
      `chromosome '${chr.slice(0, 30)}' in the first column, but --chr ${layout.expectChr} was given (--chr is for files without a chromosome column: drop it; to test one chromosome, as plink2 --chr does, give --region ${layout.expectChr})`,
    );
  return null;
}

function fieldCountError(b: Uint8Array, start: number, end: number, layout: GenLayout): DecodeError {
  const n = layout.nSamples;
  const nf = countFields(b, start, end);
  const head = headFields(layout);
  const want = head + 3 * n;
  const dir = nf < want ? 'too few' : 'too many';
  const of = layout.sampleFile === undefined ? '' : ` for the samples of ${layout.sampleFile}`;
  let msg = `${dir} fields: found ${nf}, expected ${want} (${head} + 3 x ${n} samples)${of}`;
  if ((nf - head) % 3 === 0 && nf > head) msg += `; that is ${(nf - head) / 3} samples: does the .sample file match?`;
  else if (head === 6 && (nf - 5) % 3 === 0) msg += `; with 5 leading fields that is ${(nf - 5) / 3} samples, but this file's first line has 6`;
  else if (head === 5 && nf === 6 + 3 * n) msg += "; a line with 6 leading fields, but this file's first line has 5";
  return new DecodeError('field-count', Math.min(nf, want) + 1, msg);
}

function probError(b: Uint8Array, start: number, end: number, layout: GenLayout, s: number, p0: number, p1: number, p2: number): DecodeError {
  const vals = [p0, p1, p2];
  for (let k = 0; k < 3; k++) {
    const v = vals[k];
    if (v === MISSING_FIELD) return fieldCountError(b, start, end, layout);
  }
  // Recover the offending text for the message.
  const head = headFields(layout);
  const toks = latin1(b, start, end)
    .trim()
    .split(/[ \t]+/);
  for (let k = 0; k < 3; k++) {
    const v = vals[k];
    const field = head + 3 * s + k + 1;
    const text = toks[field - 1] ?? '';
    if (v === BAD) return new DecodeError('probability', field, `probability '${text.slice(0, 20)}' is not a number (sample ${s + 1}, field ${field})`);
    if (v === NEGATIVE) return new DecodeError('probability', field, `negative probability '${text.slice(0, 20)}' (sample ${s + 1}, field ${field})`);
    if (v > 1.000001) return new DecodeError('probability', field, `probability '${text.slice(0, 20)}' is greater than 1 (sample ${s + 1}, field ${field})`);
  }
  return new DecodeError('probability', undefined, 'bad probability');
}

/** How a GenLineDecoder parses probabilities (the worker decides; workers/ passes it in). */
export interface GenDecoderOptions {
  /** Use the WebAssembly parser (false: the JavaScript one; the two give identical dosages). */
  wasm: boolean;
  /**
   * A place in a shared memory whose chunks this decoder parses where they lie (the caller's
   * arena); chunks elsewhere are copied into the parser's own memory.
   */
  shared?: GenArenaPlace | null;
}

/**
 * Decodes the lines of .gen chunks. All its state is its own (cursor, string cache, chromosome
 * check, WebAssembly parsers and their memory), so decoders can be interleaved on one thread.
 * begin(chunk) then decode(start, end, ...) for each line of it; line(b, ...) for a line alone.
 */
export class GenLineDecoder {
  /** Lines the WebAssembly parser has decoded (tests check it is used). */
  wasmLines = 0;
  /** Chunks read in place from the shared memory (tests check it is used). */
  inPlaceChunks = 0;
  private chunk: Uint8Array = new Uint8Array(0);
  // Tokenizer scratch: the last field found by span() is [spanStart, cur). (Cursor fields, not a
  // result object per number: ~25% faster.)
  private cur = 0;
  private spanStart = 0;
  // Buffer#latin1Slice, a fast native call, instead of TextDecoder (docs/decisions/0005).
  private view = Buffer.alloc(0) as Buffer & { latin1Slice(s: number, e: number): string };
  private viewOf: Uint8Array | null = null;
  private lastChr = '';
  // The last chromosome column checked against the layout (chromosome code, --chr) and for which.
  private checkedChr = '';
  private checkedFor: GenLayout | null = null;
  // The WebAssembly parsers (own memory; in place in the shared one), made for nSamples samples
  // (docs/decisions/0005).
  private own: GenWasm | null = null;
  private ownFor = -1;
  private inPlace: GenWasm | null = null;
  private inPlaceFor = -1;
  /** The parser for the current chunk (null: JavaScript), where the chunk starts in its memory, its output. */
  private active: GenWasm | null = null;
  private chunkBase = 0;
  private wasmOut = new Float64Array(0);

  constructor(private readonly opts: GenDecoderOptions) {}

  /**
   * The chunk whose lines decode() reads next, of nSamples-sample lines: the WebAssembly parser
   * reads it in place when it lies in the shared memory, else from a copy in its own memory.
   */
  begin(b: Uint8Array, nSamples: number): void {
    this.chunk = b;
    this.active = null;
    if (!this.opts.wasm) return;
    const shared = this.opts.shared;
    let w: GenWasm | null;
    if (shared && b.buffer === shared.memory.buffer) {
      if (this.inPlaceFor !== nSamples) {
        this.inPlaceFor = nSamples;
        this.inPlace = createGenWasm(quantumTables(), nSamples, shared);
      }
      w = this.inPlace;
      if (w !== null) this.inPlaceChunks++;
    } else {
      if (this.ownFor !== nSamples) {
        this.ownFor = nSamples;
        this.own = createGenWasm(quantumTables(), nSamples);
      }
      w = this.own;
    }
    if (w === null) return;
    this.chunkBase = w.load(b);
    this.active = w;
    if (this.wasmOut.buffer !== w.memory.buffer || this.wasmOut.byteOffset !== w.outAt || this.wasmOut.length !== nSamples) {
      this.wasmOut = new Float64Array(w.memory.buffer, w.outAt, nSamples);
    }
  }

  /** One line b[start, end) on its own: begin(b) and decode(start, end, ...). */
  line(b: Uint8Array, start: number, end: number, layout: GenLayout, dosage: Float64Array, meta: VariantMeta): void {
    this.begin(b, layout.nSamples);
    this.decode(start, end, layout, dosage, meta);
  }

  private latin1Slice(b: Uint8Array, s: number, e: number): string {
    if (this.viewOf !== b) {
      this.viewOf = b;
      this.view = Buffer.from(b.buffer, b.byteOffset, b.byteLength) as typeof this.view;
    }
    return this.view.latin1Slice(s, e);
  }

  /** A field as a string; one-byte fields (most alleles) from a table. */
  private shortString(b: Uint8Array, s: number, e: number): string {
    return e - s === 1 ? ONE_BYTE[b[s]] : this.latin1Slice(b, s, e);
  }

  /** Find the next whitespace-separated field; false at the end of the line. */
  private span(b: Uint8Array, end: number): boolean {
    let i = this.cur;
    let c = b[i];
    while (i < end && (c === SP || c === TAB)) c = b[++i];
    if (i >= end || c === CR) {
      this.cur = i;
      return false;
    }
    this.spanStart = i;
    while (i < end && c !== SP && c !== TAB && c !== CR) c = b[++i];
    this.cur = i;
    return true;
  }

  /**
   * Chromosome and position of the line [start, end) from its leading fields, read as decodeGenLine
   * reads them (CHR SNPID RSID POS, or SNPID RSID POS with `chr` given), without its probabilities;
   * null when those fields are missing or the position is no whole number (decodeGenLine then says
   * what is wrong).
   */
  key(b: Uint8Array, start: number, end: number, layout: GenLayout): { chr: string; pos: number } | null {
    this.cur = start;
    let c = layout.chr;
    if (c === undefined) {
      if (!this.span(b, end)) return null;
      c = this.latin1Slice(b, this.spanStart, this.cur);
    }
    if (!this.span(b, end) || (layout.head5 !== true && !this.span(b, end)) || !this.span(b, end)) return null;
    const pos = wholeNumber(b, this.spanStart, this.cur);
    return pos < 0 ? null : { chr: c, pos };
  }

  /**
   * Decode one line [start, end) (without its '\n'; a trailing '\r' is tolerated) into `meta` and
   * `dosage` (length >= nSamples, NaN = missing); the line is one of the chunk given to begin().
   * Throws a DecodeError (code, field; the caller adds file and line).
   */
  decode(start: number, end: number, layout: GenLayout, dosage: Float64Array, meta: VariantMeta): void {
    const b = this.chunk;
    const n = layout.nSamples;
    this.cur = start;
    // The six leading fields as byte spans; strings only for what the output needs, one-byte fields
    // and a repeated chromosome reuse strings (docs/decisions/0005).
    let chr: string | null;
    if (layout.chr === undefined) {
      if (!this.span(b, end)) throw fieldCountError(b, start, end, layout);
      chr = sameBytes(b, this.spanStart, this.cur, this.lastChr) ? this.lastChr : (this.lastChr = this.latin1Slice(b, this.spanStart, this.cur));
      if (chr !== this.checkedChr || this.checkedFor !== layout) {
        const err = chrColumnError(chr, layout);
        if (err !== null) throw err;
        this.checkedChr = chr;
        this.checkedFor = layout;
      }
    } else {
      chr = layout.chr;
    }
    if (!this.span(b, end)) throw fieldCountError(b, start, end, layout);
    const idStart = this.spanStart;
    const idEnd = this.cur;
    // CHR ID POS: the ID is the SNP column (as plink2 reads it); SNPID RSID POS: the RSID unless '.'.
    if (layout.head5 !== true && !this.span(b, end)) throw fieldCountError(b, start, end, layout);
    const noRsid = this.cur - this.spanStart === 1 && b[this.spanStart] === 46 && layout.head5 !== true;
    const rsStart = this.spanStart;
    const rsEnd = this.cur;
    if (!this.span(b, end)) throw fieldCountError(b, start, end, layout);
    const posStart = this.spanStart;
    const posEnd = this.cur;
    if (!this.span(b, end)) throw fieldCountError(b, start, end, layout);
    const a = this.shortString(b, this.spanStart, this.cur);
    if (!this.span(b, end)) throw fieldCountError(b, start, end, layout);
    const bAllele = this.shortString(b, this.spanStart, this.cur);
    const pos = wholeNumber(b, posStart, posEnd);
    if (pos < 0) {
      const posTok = this.latin1Slice(b, posStart, posEnd);
      const nf = countFields(b, start, end);
      if (nf !== headFields(layout) + 3 * n) throw fieldCountError(b, start, end, layout);
      throw new DecodeError('position', headFields(layout) - 2, `position '${posTok}' is not a whole number`);
    }
    if (pos > MAX_POSITION)
      throw new DecodeError('position', headFields(layout) - 2, `position ${this.latin1Slice(b, posStart, posEnd).slice(0, 40)} is above ${MAX_POSITION}, the largest plink2 accepts`);
    meta.chr = chr;
    if (layout.idBytes) {
      // The worker copies these bytes into the output row: no string a line (~0.1 us).
      meta.snp = '';
      meta.idBytes = b;
      meta.idStart = noRsid ? idStart : rsStart;
      meta.idEnd = noRsid ? idEnd : rsEnd;
    } else {
      meta.snp = noRsid ? this.latin1Slice(b, idStart, idEnd) : this.shortString(b, rsStart, rsEnd);
      meta.idBytes = undefined;
    }
    meta.pos = pos;
    meta.a2 = a;
    meta.a1 = bAllele;
    const probStart = this.cur;
    const w = this.active;
    if (w !== null && w.probs(this.chunkBase + probStart, this.chunkBase + end, n, layout.plink2Precision ? 1 : 0) === 1) {
      const o = this.wasmOut;
      for (let s = 0; s < n; s++) dosage[s] = o[s];
      this.wasmLines++;
      return;
    }
    if (fastProbs(b, probStart, end, n, layout.plink2Precision, dosage)) return;
    // Anything unusual (exponents, signs, bad values, wrong field count): the careful path, which
    // accepts what is valid and explains what is not.
    this.cur = probStart;
    this.slowProbs(b, start, end, layout, dosage);
  }

  /** Parse a non-negative decimal at this.cur; returns BAD / MISSING_FIELD sentinels (< 0) on failure. */
  private num(b: Uint8Array, end: number): number {
    let i = this.cur;
    let c = 0;
    while (i < end && ((c = b[i]) === SP || c === TAB)) i++;
    if (i >= end || c === CR) {
      this.cur = i;
      return MISSING_FIELD;
    }
    const start = i;
    let mant = 0;
    let digits = 0;
    let scale = 0;
    while (i < end && (c = b[i]) >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
      i++;
    }
    if (i < end && c === 46) {
      i++;
      while (i < end && (c = b[i]) >= 48 && c <= 57) {
        mant = mant * 10 + (c - 48);
        digits++;
        scale++;
        i++;
      }
    }
    if (i >= end || c === SP || c === TAB || c === CR) {
      this.cur = i;
      if (digits === 0) return BAD;
      if (digits <= 15 && scale <= 22) return scale === 0 ? mant : mant / POW10[scale];
      return slowNum(b, start, i);
    }
    // Exponents, signs, 'nan' and the like: rare; take the exact slow path.
    while (i < end && (c = b[i]) !== SP && c !== TAB && c !== CR) i++;
    this.cur = i;
    return slowNum(b, start, i);
  }

  private slowProbs(b: Uint8Array, start: number, end: number, layout: GenLayout, dosage: Float64Array): void {
    const n = layout.nSamples;
    const q = layout.plink2Precision;
    for (let s = 0; s < n; s++) {
      const p0 = this.num(b, end);
      const p1 = this.num(b, end);
      const p2 = this.num(b, end);
      if (p0 < 0 || p1 < 0 || p2 < 0 || p0 > 1.000001 || p1 > 1.000001 || p2 > 1.000001) {
        throw probError(b, start, end, layout, s, p0, p1, p2);
      }
      if (q) {
        // plink2's import: probabilities to 1/32768, dosage to 1/16384, ties to even (measured: this
        // reproduces plink2's stored dosage for all 99,498 genotypes of the BGEN example .gen).
        const a = roundHalfEven(p0 * 32768);
        const bq = roundHalfEven(p1 * 32768);
        const c = roundHalfEven(p2 * 32768);
        const tot = a + bq + c;
        dosage[s] = tot === 0 ? NaN : roundHalfEven(((bq + 2 * c) * 16384) / tot) / 16384;
      } else {
        const sum = p0 + p1 + p2;
        dosage[s] = sum === 0 ? NaN : (p1 + 2 * p2) / sum;
      }
    }
    // Nothing but whitespace may follow the last probability.
    let i = this.cur;
    while (i < end && isSpace(b[i])) i++;
    if (i < end) throw fieldCountError(b, start, end, layout);
  }
}
