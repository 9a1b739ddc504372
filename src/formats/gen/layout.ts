// Which of the three .gen layouts a file has, decided once from its first line (README, "Inputs"):
//   6 + 3N fields                      CHR SNPID RSID POS A B ...  (--chr, if given, must agree)
//   5 + 3N, first field a chromosome   CHR ID POS A B ...          (plink2 --export oxford; same)
//   5 + 3N, first field anything else  SNPID RSID POS A B ...      (IMPUTE2 per chromosome: --chr)
// The decoder then holds every line of the file to that layout (decode.ts, chrColumnMessage).
import { InputError } from '../../errors.js';
import { isChromosomeCode, normChr } from '../chrom.js';
import { countFields, type GenLayout } from './decode.js';

export interface GenFileLayout {
  chr?: string;
  head5?: boolean;
  expectChr?: string;
}

export interface LayoutContext {
  nSamples: number;
  /** --chr as given, if any. */
  chr?: string;
  file: string;
  sampleFile?: string;
}

/** A BGEN or VCF given as a .gen, said as such (its "first line" is no .gen line at all). */
function otherFormat(b: Uint8Array, start: number, end: number): string | null {
  // BGEN: 'bgen' at byte 16 (the header's magic number).
  if (start + 20 <= b.length && b[start + 16] === 98 && b[start + 17] === 103 && b[start + 18] === 101 && b[start + 19] === 110) {
    return "a BGEN file ('bgen' at byte 16), not a .gen: give it with --bgen";
  }
  const head = Buffer.from(b.buffer, b.byteOffset + start, Math.min(end - start, 16)).toString('latin1');
  if (head.startsWith('##fileformat=VCF') || head.startsWith('#CHROM')) return 'a VCF, not a .gen: give it with --vcf';
  return null;
}

/**
 * The layout of the file whose first non-blank line is b[start, end) (line number `line`), or null
 * when [start, end) holds only blank lines (look at the next chunk). Throws an InputError naming the
 * file, the line and the .sample file when the line fits no layout.
 */
export function genFileLayout(b: Uint8Array, start: number, end: number, line: number, ctx: LayoutContext): GenFileLayout {
  const n = ctx.nSamples;
  const nf = countFields(b, start, end);
  const where = { file: ctx.file, line };
  const expectChr = ctx.chr === undefined ? undefined : normChr(ctx.chr);
  if (nf === 6 + 3 * n) return { expectChr };
  const of = ctx.sampleFile === undefined ? `${n} samples` : `${n} samples of ${ctx.sampleFile}`;
  if (nf !== 5 + 3 * n) {
    // Old Mac line ends: the whole file reads as one line of CR-separated lines (issue 15.22).
    const cr = b.indexOf(13, start);
    if (cr >= 0 && cr < end) throw new InputError("the file has CR line ends (old Mac OS), not LF: convert it, e.g. tr '\\r' '\\n' < IN > OUT", where);
    const other = otherFormat(b, start, end);
    if (other !== null) throw new InputError(other, where);
    let msg = `${nf} fields: a .gen line for the ${of} has 6 + 3 x ${n} (CHR SNPID RSID POS A B) or 5 + 3 x ${n} (CHR ID POS A B, or SNPID RSID POS A B with --chr)`;
    const k = (nf - 6) % 3 === 0 ? (nf - 6) / 3 : (nf - 5) % 3 === 0 ? (nf - 5) / 3 : -1;
    if (k > 0) msg += `; this line has ${k} samples: does the .sample file belong to it?`;
    throw new InputError(msg, where);
  }
  const first = firstField(b, start, end);
  if (isChromosomeCode(first)) {
    if (expectChr !== undefined && normChr(first) !== expectChr) {
      throw new InputError(
        `chromosome '${first}' in the first column, but --chr ${ctx.chr} was given (--chr is for IMPUTE2 files without a chromosome column: drop it; to test one chromosome, as plink2 --chr does, give --region ${ctx.chr})`,
        where,
      );
    }
    return { head5: true, expectChr };
  }
  if (ctx.chr === undefined) {
    throw new InputError(`first column '${first.slice(0, 30)}' is not a chromosome code: a 5-column line SNPID RSID POS A B (IMPUTE2, one chromosome a file) needs --chr CODE`, where);
  }
  return { chr: ctx.chr };
}

/** The layout of a file as the decoder takes it. */
export function withLayout(base: GenLayout, l: GenFileLayout): GenLayout {
  return { ...base, chr: l.chr, head5: l.head5, expectChr: l.expectChr };
}

/** [start, end) of the first line of b[from, to) that is not blank, and its index; null if none. */
export function firstLine(b: Uint8Array, from: number, to: number): { start: number; end: number; index: number } | null {
  let s = from;
  let index = 0;
  while (s < to) {
    let e = b.indexOf(10, s);
    if (e < 0 || e >= to) e = to;
    let end = e;
    if (end > s && b[end - 1] === 13) end--;
    for (let i = s; i < end; i++) {
      const c = b[i];
      if (c !== 32 && c !== 9 && c !== 13) return { start: s, end, index };
    }
    s = e + 1;
    index++;
  }
  return null;
}

function firstField(b: Uint8Array, start: number, end: number): string {
  let i = start;
  while (i < end && (b[i] === 32 || b[i] === 9)) i++;
  let j = i;
  while (j < end && b[j] !== 32 && b[j] !== 9 && b[j] !== 13) j++;
  return Buffer.from(b.buffer, b.byteOffset + i, j - i).toString('latin1');
}
