// VCF records -> per-ALT dosage rows. A VcfDecoder is owned by one worker: it holds its cursor into
// the chunk, the FORMAT layout of the last record (servers differ in order; looked up by name per
// record, cached while the FORMAT string repeats) and the dosage scratch, over a Uint8Array.
// Dosage source per record: DS, else GP, else the sum of HDS, else GT (see docs/decisions/0301).
import { roundHalfEven } from '../../stats/round.js';
import { showBytes } from '../../io/text.js';
import { DecodeError, type DecodeErrorCode } from '../../errors.js';
import { POW10, VcfDsWasm } from './ds-wasm.js';
import { latin1String } from '../bgen/bytes.js';

export type VcfDosage = 'DS' | 'GP' | 'HDS' | 'GT';

export interface InfoFilter {
  key: string;
  op: '<' | '<=' | '>' | '>=' | '=' | '!=';
  value: number;
}

export interface VcfOptions {
  nSamples: number;
  /** Force one FORMAT field; undefined = DS, else GP, else HDS, else GT. */
  force?: VcfDosage;
  /** Round to 1/16384 of a diploid dosage as plink2 stores it. */
  plink2Precision: boolean;
  infoFilter?: InfoFilter;
  /** Decode one-ALT DS records with the WebAssembly kernel (the JavaScript path takes what it does not). */
  wasm?: boolean;
}

const TAB = 9;
const LF = 10;
const COLON = 58;
const COMMA = 44;
const DOT = 46;
const SEMI = 59;
const enum Src {
  DS = 0,
  GP = 1,
  HDS = 2,
  GT = 3,
}
const SRC_NAMES: VcfDosage[] = ['DS', 'GP', 'HDS', 'GT'];
// header()'s verdicts besides a dosage source: no ALT allele, removed by the INFO filter.
const NO_ALT = -1;
const FILTERED = -2;

/** A '#' line after the first record: a second file's header (VCFs joined with cat); plink2 stops there too. */
export const HEADER_AMONG_RECORDS = "a header line ('#') among the records: VCF files joined with cat? (bcftools concat joins them under one header)";

export class VcfDecoder {
  /** Next byte to read in the current chunk. */
  cursor = 0;
  // The record just decoded: fixed fields as byte spans of the chunk, alleles as strings.
  chr = '';
  pos = 0;
  idStart = 0;
  idEnd = 0;
  ref = '';
  /** The ALT alleles (an array reused while there is one: read it before the next decode). */
  alts: string[] = [];
  /** Dosage rows, one of nSamples per ALT allele (NaN = missing for that sample). */
  rows: Float64Array[] = [];
  /** Records whose dosages came from GT (no DS, GP or HDS), and records the INFO filter removed. */
  gtOnly = 0;
  infoFiltered = 0;
  /** Records with ALT `.` or `*` (not tested; counted in the summary as one-allele variants). */
  noAlt = 0;
  /** Which field the last record used. */
  source: VcfDosage = 'DS';
  /** Records the WebAssembly kernel decoded, and those it handed back to the JavaScript path. */
  wasmRecords = 0;
  wasmFallbacks = 0;
  // The kernel (made on the first one-ALT DS record; null where WebAssembly is unavailable).
  private dsWasm: VcfDsWasm | null | undefined = undefined;
  private scratch = new Float64Array(0);
  /** this.rows over scratch (rowsFor), and over the kernel's output (decodeLine). */
  private scratchRows: Float64Array[] = [];
  private kernelRows: Float64Array[] = [];
  private oneAlt = [''];
  private chrBytes = new Uint8Array(16);
  private chrLen = -1;
  private fmt = new Uint8Array(64);
  private fmtLen = -1;
  private fmtIdx = [-1, -1, -1, -1];
  private vals = new Float64Array(64);
  private gt = new Int32Array(8);
  /** Starts of the 9 fixed fields and of the first sample. */
  private fields = new Int32Array(10);

  constructor(private readonly o: VcfOptions) {}

  /**
   * Decode the record in b[start, end): true when decoded (rows filled), false when the INFO filter
   * removes it or it has no ALT allele. A malformed record throws DecodeError (code, 1-based field;
   * the caller adds the file and line).
   */
  decode(b: Uint8Array, start: number, end: number): boolean {
    const f = this.fields;
    let p = start;
    for (let k = 0; k < 9; k++) {
      f[k] = p;
      while (p < end && b[p] !== TAB) p++;
      if (p >= end) throw bad('field-count', k + 1, `${k + 1} tab-separated fields; a VCF record has 9 before the samples`);
      p++;
    }
    f[9] = p;
    const src = this.header(b);
    if (src === NO_ALT) {
      this.noAlt++;
      return false;
    }
    if (src === FILTERED) {
      this.infoFiltered++;
      return false;
    }
    if (src === Src.GT && !this.o.force) this.gtOnly++;
    this.source = SRC_NAMES[src];
    this.samples(b, f[9], end, src);
    return true;
  }

  /**
   * The record at b[start] of a chunk in the kernel's memory (chunkBuffer's bytes, a '\n' before
   * `limit`), its end not looked for: when the kernel decodes it (one ALT, DS, the usual shapes),
   * the rows are filled and the index of its '\n' is returned. Else -1 with nothing counted: the
   * caller finds the record's end and calls decode, which decodes it or explains its error (the
   * errors thrown here, POS and FORMAT, are decode's for the same line). docs/decisions/0302.
   */
  decodeLine(b: Uint8Array, start: number, limit: number): number {
    const k = this.dsWasm;
    if (!k) return -1;
    const f = this.fields;
    let p = start;
    for (let j = 0; j < 9; j++) {
      f[j] = p;
      while (p < limit && b[p] !== TAB && b[p] !== LF) p++;
      if (p >= limit || b[p] === LF) return -1;
      p++;
    }
    f[9] = p;
    if (this.header(b) !== Src.DS || this.alts.length !== 1) return -1;
    const lf = k.decodeToLF(b.byteOffset + p, this.fmtIdx[Src.GT], this.fmtIdx[Src.DS], this.o.plink2Precision);
    if (lf === 0) return -1; // decode counts the record handed back
    // The row is the kernel's output itself (read before the next record; not copied).
    if (this.kernelRows[0] !== k.out) this.kernelRows = [k.out];
    this.rows = this.kernelRows;
    this.wasmRecords++;
    this.source = 'DS';
    return lf - b.byteOffset;
  }

  /**
   * Chromosome, position, ID, REF, ALT, the INFO filter and the FORMAT layout of the record whose
   * fixed fields are at this.fields: the dosage source, or NO_ALT / FILTERED (nothing counted).
   */
  private header(b: Uint8Array): number {
    const f = this.fields;
    this.chrOf(b, f[0], f[1] - 1);
    let pos = 0;
    for (let i = f[1]; i < f[2] - 1; i++) {
      const d = b[i] - 48;
      if (d < 0 || d > 9) throw bad('position', 2, `POS '${latin1(b, f[1], f[2] - 1)}' is not a whole number`);
      pos = pos * 10 + d;
    }
    this.pos = pos;
    this.idStart = f[2];
    this.idEnd = f[3] - 1;
    this.ref = latin1(b, f[3], f[4] - 1);
    const altText = latin1(b, f[4], f[5] - 1);
    if (altText === '.' || altText === '*') return NO_ALT;
    if (altText.indexOf(',') < 0) {
      this.oneAlt[0] = altText;
      this.alts = this.oneAlt;
    } else this.alts = altText.split(',');
    if (this.o.infoFilter && !this.infoPasses(b, f[7], f[8] - 1)) return FILTERED;
    const src = this.formatLayout(b, f[8], f[9] - 1);
    if (src < 0) throw bad('record', 9, `FORMAT '${latin1(b, f[8], f[9] - 1)}' has none of DS, GP, HDS, GT${this.o.force ? ` (--vcf-dosage ${this.o.force} asks for ${this.o.force})` : ''}`);
    return src;
  }

  /** this.rows: A rows of nSamples over this.scratch. */
  private rowsFor(A: number): void {
    const n = this.o.nSamples;
    if (this.scratch.length < A * n) {
      this.scratch = new Float64Array(A * n * 2);
      this.scratchRows = [];
    }
    if (this.scratchRows.length !== A) {
      this.scratchRows = [];
      for (let j = 0; j < A; j++) this.scratchRows.push(this.scratch.subarray(j * n, (j + 1) * n));
    }
    this.rows = this.scratchRows;
  }

  /** this.chr from b[s, e): the same string while the bytes repeat (records come by chromosome). */
  private chrOf(b: Uint8Array, s: number, e: number): void {
    const n = e - s;
    let same = n === this.chrLen;
    for (let i = 0; same && i < n; i++) same = this.chrBytes[i] === b[s + i];
    if (same) return;
    this.chr = latin1(b, s, e);
    if (n > this.chrBytes.length) this.chrBytes = new Uint8Array(n);
    this.chrBytes.set(b.subarray(s, e));
    this.chrLen = n;
  }

  /** FORMAT key indices (cached while the string repeats); the dosage source, or -1. */
  private formatLayout(b: Uint8Array, s: number, e: number): number {
    const n = e - s;
    let same = n === this.fmtLen;
    for (let i = 0; same && i < n; i++) same = this.fmt[i] === b[s + i];
    if (!same) {
      if (this.fmt.length < n) this.fmt = new Uint8Array(n * 2);
      this.fmt.set(b.subarray(s, e));
      this.fmtLen = n;
      this.fmtIdx.fill(-1);
      let k = 0;
      let a = s;
      for (let i = s; i <= e; i++) {
        if (i === e || b[i] === COLON) {
          const key = latin1(b, a, i);
          const j = SRC_NAMES.indexOf(key as VcfDosage);
          if (j >= 0 && this.fmtIdx[j] < 0) this.fmtIdx[j] = k;
          k++;
          a = i + 1;
        }
      }
    }
    if (this.o.force) {
      const j = SRC_NAMES.indexOf(this.o.force);
      return this.fmtIdx[j] >= 0 ? j : -1;
    }
    for (let j = 0; j < 4; j++) if (this.fmtIdx[j] >= 0) return j;
    return -1;
  }

  /** Every sample's dosages from field src (GT where a sample's own value is absent); throws DecodeError. */
  private samples(b: Uint8Array, s0: number, end: number, src: number): void {
    const n = this.o.nSamples;
    const A = this.alts.length;
    this.rowsFor(A);
    const out = this.scratch;
    const srcIdx = this.fmtIdx[src];
    const gtIdx = this.fmtIdx[Src.GT];
    const round = this.o.plink2Precision;
    if (src === Src.DS && A === 1 && this.o.wasm && this.wasmSamples(b, s0, end, gtIdx, srcIdx)) return;
    let p = s0;
    for (let i = 0; i < n; i++) {
      if (p > end || (p === end && i > 0 && b[p - 1] !== TAB)) throw bad('field-count', 10 + i, `${i} sample columns, but the header lists ${n}`);
      // One pass over the sample's bytes: its end, and the GT and source subfields.
      let gs = -1;
      let ge = -1;
      let vs = -1;
      let ve = -1;
      let k = 0;
      let a = p;
      let e = p;
      for (; ; e++) {
        const c = e < end ? b[e] : TAB;
        if (c === COLON || c === TAB) {
          if (k === gtIdx) {
            gs = a;
            ge = e;
          }
          if (k === srcIdx) {
            vs = a;
            ve = e;
          }
          if (c === TAB) break;
          k++;
          a = e + 1;
        }
      }
      // Ploidy and hard-call dosages from GT, when present.
      let ploidy = 2;
      let gtSeen = false;
      if (gs >= 0) {
        const r = this.parseGT(b, gs, ge, A);
        if (r === -2) throw bad('probability', 10 + i, `sample ${i + 1}: GT '${latin1(b, gs, ge)}' does not parse`);
        if (r > 0) ploidy = r;
        gtSeen = true;
        if (r === 0) ploidy = ge - gs === 1 ? 1 : 2;
      }
      let got = -1;
      if (src !== Src.GT && vs >= 0 && !(ve - vs === 1 && b[vs] === DOT)) {
        if (src === Src.DS && A === 1) {
          // The common case: one DS value.
          const x = parseDecimal(b, vs, ve);
          if (x !== x) throw bad('probability', 10 + i, `sample ${i + 1}: DS '${latin1(b, vs, ve)}' does not parse`);
          if (!(x >= 0 && x <= ploidy)) throw bad('probability', 10 + i, `sample ${i + 1}: DS outside [0, ${ploidy}] '${latin1(b, vs, ve)}'`);
          out[i] = ploidy === 1 ? 2 * x : x;
          got = 1;
        } else {
          got = this.parseNumbers(b, vs, ve);
          if (got < 0) throw bad('probability', 10 + i, `sample ${i + 1}: ${SRC_NAMES[src]} '${latin1(b, vs, ve)}' does not parse`);
          let known = 0;
          for (let q = 0; q < got; q++) if (this.vals[q] === this.vals[q]) known++;
          // '.,.' (HDS of a missing call) is absent, as '.' is.
          if (known === 0) got = -1;
          else {
            const err = this.toDosage(src, got, A, ploidy, gtSeen, out, i, n);
            if (err) throw bad('probability', 10 + i, `sample ${i + 1}: ${err} '${latin1(b, vs, ve)}'`);
          }
        }
      }
      if (got < 0) this.fromGT(out, i, n, A, ploidy, gtSeen);
      else if (round) for (let j = 0; j < A; j++) out[j * n + i] = roundHalfEven(out[j * n + i] * 16384) / 16384;
      p = e + 1;
    }
    if (p <= end) throw bad('field-count', 10 + n, `more sample columns than the ${n} the header lists`);
  }

  /** Sample i's value absent or '.': its hard call from GT (plink2 does the same), else missing. */
  private fromGT(out: Float64Array, i: number, n: number, A: number, ploidy: number, gtSeen: boolean): void {
    if (gtSeen && this.gt[0] >= 0) {
      for (let j = 0; j < A; j++) {
        const c = this.gtCount(j, ploidy);
        out[j * n + i] = ploidy === 1 ? 2 * c : c;
      }
    } else {
      for (let j = 0; j < A; j++) out[j * n + i] = NaN;
    }
  }

  /**
   * A buffer of `bytes` in the kernel's memory to inflate a chunk into (its records are then decoded
   * without a copy; valid until the next call), or null without the kernel (docs/decisions/0302).
   */
  chunkBuffer(bytes: number): Uint8Array | null {
    if (!this.o.wasm) return null;
    if (this.dsWasm === undefined) this.dsWasm = VcfDsWasm.create(this.o.nSamples);
    return this.dsWasm === null ? null : this.dsWasm.chunkBuffer(bytes);
  }

  /** A one-ALT DS record's samples by the WebAssembly kernel; false when it hands the record back (docs/decisions/0302). */
  private wasmSamples(b: Uint8Array, s0: number, end: number, gtIdx: number, dsIdx: number): boolean {
    if (this.dsWasm === undefined) this.dsWasm = VcfDsWasm.create(this.o.nSamples);
    if (this.dsWasm === null) return false;
    if (this.dsWasm.decode(b, s0, end, gtIdx, dsIdx, this.o.plink2Precision, this.scratch)) {
      this.wasmRecords++;
      return true;
    }
    this.wasmFallbacks++;
    return false;
  }

  /**
   * GT alleles into this.gt: the ploidy; 0 when missing ('.', './.'; gt[0] = -1); -1 when the
   * subfield is absent; -2 when it does not parse.
   */
  private parseGT(b: Uint8Array, s: number, e: number, A: number): number {
    let k = 0;
    let missing = false;
    let v = -1;
    for (let i = s; i <= e; i++) {
      const c = i < e ? b[i] : 47;
      if (c === 47 || c === 124) {
        if (k >= this.gt.length) return -2;
        if (v < 0) missing = true;
        else if (v > A) return -2;
        this.gt[k++] = v;
        v = -1;
      } else if (c === DOT) {
        if (v >= 0) return -2;
      } else if (c >= 48 && c <= 57) {
        v = (v < 0 ? 0 : v * 10) + c - 48;
      } else {
        return -2;
      }
    }
    if (missing) {
      this.gt[0] = -1;
      return 0;
    }
    return k;
  }

  /** Copies of ALT allele j among the GT alleles just parsed. */
  private gtCount(j: number, ploidy: number): number {
    let c = 0;
    for (let k = 0; k < ploidy; k++) if (this.gt[k] === j + 1) c++;
    return c;
  }

  /** Comma-separated numbers into this.vals; their count, or -1. */
  private parseNumbers(b: Uint8Array, s: number, e: number): number {
    let k = 0;
    let a = s;
    for (let i = s; i <= e; i++) {
      if (i === e || b[i] === COMMA) {
        // '.' for one value of a list (bcftools norm -m+ writes 'DS=0.39,.'): that one is missing.
        const x = i - a === 1 && b[a] === DOT ? NaN : parseDecimal(b, a, i);
        if (x !== x && !(i - a === 1 && b[a] === DOT)) return -1;
        if (k >= this.vals.length) {
          const v = new Float64Array(this.vals.length * 2);
          v.set(this.vals);
          this.vals = v;
        }
        this.vals[k++] = x;
        a = i + 1;
      }
    }
    return k;
  }

  /** this.vals[0, got) of field src -> diploid-scale dosages of sample i; an error or null. */
  private toDosage(src: number, got: number, A: number, ploidy: number, gtKnown: boolean, out: Float64Array, i: number, n: number): string | null {
    const v = this.vals;
    if (src === Src.DS) {
      if (got !== A) return `${got} DS values for ${A} ALT allele${A > 1 ? 's' : ''}`;
      for (let j = 0; j < A; j++) {
        let x = v[j];
        if (x !== x) {
          // One ALT's value '.': its hard call when GT has one, else missing.
          x = gtKnown && this.gt[0] >= 0 ? this.gtCount(j, ploidy) : NaN;
        } else if (!(x >= 0 && x <= ploidy)) return `DS outside [0, ${ploidy}]`;
        out[j * n + i] = ploidy === 1 ? 2 * x : x;
      }
      return null;
    }
    if (src === Src.HDS) {
      // One value per haplotype (plink2 writes one on chrY and MT whatever GT says).
      const h = got === A ? 1 : got === 2 * A ? 2 : 0;
      if (h === 0 || (gtKnown && h > ploidy)) return `${got} HDS values for ploidy ${ploidy} and ${A} ALT allele${A > 1 ? 's' : ''}`;
      for (let j = 0; j < A; j++) {
        let d = 0;
        for (let k = 0; k < h; k++) {
          const x = v[k * A + j];
          if (!(x >= 0 && x <= 1)) return 'HDS outside [0, 1]';
          d += x;
        }
        out[j * n + i] = h === 1 ? 2 * d : d;
      }
      return null;
    }
    // GP: one probability per genotype, VCF order (diploid: a <= b at b(b+1)/2 + a; haploid: a).
    const G2 = ((A + 1) * (A + 2)) / 2;
    const hap = got === A + 1 && (ploidy === 1 || !gtKnown);
    if (!hap && got !== G2) return `${got} GP values; ${G2} genotypes for ${A} ALT allele${A > 1 ? 's' : ''} (or ${A + 1} haploid)`;
    let sum = 0;
    for (let g = 0; g < got; g++) {
      if (!(v[g] >= 0 && v[g] <= 1.001)) return 'GP outside [0, 1]';
      sum += v[g];
    }
    if (!(sum > 0)) return 'GP sums to 0';
    for (let j = 0; j < A; j++) out[j * n + i] = 0;
    if (hap) {
      for (let j = 0; j < A; j++) out[j * n + i] = (2 * v[j + 1]) / sum;
      return null;
    }
    let g = 0;
    for (let bb = 0; bb <= A; bb++) {
      for (let aa = 0; aa <= bb; aa++, g++) {
        const pr = v[g] / sum;
        if (aa > 0) out[(aa - 1) * n + i] += pr;
        if (bb > 0) out[(bb - 1) * n + i] += pr;
      }
    }
    return null;
  }

  /**
   * Whether the INFO column passes the --extract-if-info filter. As plink2: a key that is absent, a
   * flag, `.` or not one number (a list `0.8,0.1` included) fails every comparison but `!=`, which it passes.
   */
  private infoPasses(b: Uint8Array, s: number, e: number): boolean {
    const f = this.o.infoFilter!;
    const key = f.key;
    let a = s;
    for (let i = s; i <= e; i++) {
      if (i === e || b[i] === SEMI) {
        let eq = a;
        while (eq < i && b[eq] !== 61) eq++;
        if (eq - a === key.length && latin1(b, a, eq) === key) {
          const x = eq < i ? parseDecimal(b, eq + 1, i) : NaN;
          if (x !== x) return f.op === '!=';
          switch (f.op) {
            case '<':
              return x < f.value;
            case '<=':
              return x <= f.value;
            case '>':
              return x > f.value;
            case '>=':
              return x >= f.value;
            case '=':
              return x === f.value;
            default:
              return x !== f.value;
          }
        }
        a = i + 1;
      }
    }
    return f.op === '!=';
  }
}

/** A decimal number (digits, '.', exponent, sign); NaN when it does not parse. Correctly rounded. */
export function parseDecimal(b: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (i < e && (b[i] === 45 || b[i] === 43)) neg = b[i++] === 45;
  let m = 0;
  let digits = 0;
  let scale = 0;
  let dot = false;
  for (; i < e; i++) {
    const c = b[i];
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (dot) scale++;
    } else if (c === DOT && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (digits === 0) return NaN;
  if (i === e && digits <= 15 && scale < POW10.length) {
    // m and 10^scale are exact doubles: one correctly rounded division.
    const x = m / POW10[scale];
    return neg ? -x : x;
  }
  const t = latin1(b, s, e);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return NaN;
  return Number(t);
}

const latin1 = latin1String;

/** A decoder error without its position: the worker (or reader) adds the file and line. */
function bad(code: DecodeErrorCode, field: number, message: string): DecodeError {
  return new DecodeError(code, field, message);
}

/** The header's sample names (the #CHROM line); a malformed line throws DecodeError (field = column). */
export function parseVcfHeaderLine(line: string): string[] {
  const cols = line.replace(/\r$/, '').split('\t');
  const fixed = ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO'];
  for (let i = 0; i < fixed.length; i++) {
    if (cols[i] !== fixed[i]) throw bad('record', i + 1, `the #CHROM header line has '${cols[i] ?? ''}' where VCF has ${fixed[i]}`);
  }
  if (cols[8] !== 'FORMAT' || cols.length < 10) throw bad('field-count', 9, 'the #CHROM header line lists no samples (no FORMAT column)');
  const samples = cols.slice(9);
  const seen = new Map<string, number>();
  for (let i = 0; i < samples.length; i++) {
    const j = seen.get(samples[i]);
    if (j !== undefined) throw bad('record', i + 10, `duplicate sample name '${showBytes(samples[i])}' (columns ${j + 10} and ${i + 10})`);
    seen.set(samples[i], i);
  }
  return samples;
}
