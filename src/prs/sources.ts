// Streaming dosage rows out of the genotype files: IMPUTE2 .gen (plain, gzip or zstd) through the
// shared line decoder, BGEN through the src/formats/bgen decoders, VCF (bgzip, gzip or plain)
// through assoc's VcfDecoder, on this thread. One row at a time; the caller copies what it keeps
// (the dosage buffer is reused).
import * as fs from 'node:fs';
import { DecodeError, InputError, fileError } from '../errors.js';
import { latin1String } from '../formats/bgen/bytes.js';
import { countFields, GenLineDecoder, headFields, type GenLayout } from '../formats/gen/decode.js';
import { wasmDisabled } from '../wasm/modules.js';
import { genFileLayout, withLayout } from '../formats/gen/layout.js';
import type { VariantMeta } from '../formats/types.js';
import { BgenBlockDecoder, BgenRecordParser, newVariantHeader } from '../formats/bgen/index.js';
import { bgenChunks, readBgenHeader } from '../pipeline/bgen-source.js';
import { bgenMagicOk } from '../formats/bgen/header.js';
import { openInput } from '../io/input.js';
import { readLines } from '../io/lines.js';
import { HEADER_AMONG_RECORDS, VcfDecoder, type VcfDosage } from '../formats/vcf/decode.js';
import { openVcf } from '../pipeline/vcf-source.js';

export type GenotypeFormat = 'gen' | 'bgen' | 'vcf';

export interface DosageRow {
  meta: VariantMeta;
  /** Dosage of meta.a1 (the counted allele) per sample, NaN = missing. Reused between rows. */
  dosage: Float64Array;
  file: string;
  /** 1-based line (.gen) or byte offset of the record (BGEN), for messages. */
  line?: number;
  byteOffset?: number;
}

export interface SourceStats {
  rows: number;
  /** BGEN variants with more than two alleles (skipped). */
  multiallelic: number;
  /** BGEN variants with one allele, no ALT to count (skipped). */
  oneAllele: number;
  /** VCF records whose dosages came from GT hard calls (no DS, GP or HDS). */
  gtOnly?: number;
}

/**
 * Which variants the caller needs, by chromosome (as the file writes it) and position. Rows of the
 * others are not yielded, and their genotypes are not decoded: a BGEN block is not decompressed, a
 * .gen line's fields are only counted (a line with the wrong number still stops the scan with its
 * message; a malformed probability in a line nobody needs does not). A reference panel's scan for
 * a few loci is then mostly record headers.
 */
export type WantVariant = (chr: string, pos: number) => boolean;

/** Rows of one genotype file, in file order (with `want`, only those it wants; stats count all). */
export function readDosages(
  file: string,
  format: GenotypeFormat,
  nSamples: number,
  chr: string | undefined,
  stats: SourceStats,
  want?: WantVariant,
  sampleFile?: string,
  vcfDosage?: VcfDosage,
): AsyncGenerator<DosageRow> {
  if (format === 'vcf') return readVcf(file, nSamples, stats, want, vcfDosage);
  return format === 'gen' ? readGen(file, nSamples, chr, stats, want, sampleFile) : readBgen(file, nSamples, stats, want);
}

/** The sample names of a VCF's #CHROM line (IIDs) and that line's number; BCF and non-VCF input are errors. */
export async function vcfSampleNames(file: string): Promise<{ samples: string[]; headerLines: number }> {
  const v = await openVcf(file);
  await v.close();
  return { samples: v.samples, headerLines: v.headerLines };
}

/**
 * VCF records through VcfDecoder (the dosage rules of assoc: DS, else GP, else HDS, else GT, or
 * --vcf-dosage), one row per ALT allele (A1 = that ALT, A2 = REF), on the diploid 0..2 scale of
 * the other formats (haploid calls doubled; no halving on chrY/MT, unlike assoc's regression).
 * Records without an ALT allele are skipped.
 */
async function* readVcf(file: string, nSamples: number, stats: SourceStats, want: WantVariant | undefined, force: VcfDosage | undefined): AsyncGenerator<DosageRow> {
  const inp = await openInput(file);
  const dec = new VcfDecoder({ nSamples, force, plink2Precision: true, wasm: !wasmDisabled() });
  const meta: VariantMeta = { chr: '', snp: '', pos: 0, a1: '', a2: '' };
  const row: DosageRow = { meta, dosage: new Float64Array(0), file, line: 0 };
  let lineNo = 0;
  let header = false;
  let records = false;
  for await (const b of readLines(inp.stream, file)) {
    lineNo++;
    const end = b.length > 0 && b[b.length - 1] === 13 ? b.length - 1 : b.length;
    if (end === 0) continue;
    if (b[0] === 35) {
      if (records) throw new InputError(HEADER_AMONG_RECORDS, { file, line: lineNo });
      if (b[1] === 67 && b[2] === 72) {
        const n = countTabs(b, end) - 8;
        if (n !== nSamples) throw new InputError(`${n} samples in the #CHROM line, but ${nSamples} expected`, { file, line: lineNo });
        header = true;
      }
      continue;
    }
    if (!header) throw new InputError('no #CHROM header line before the first record: not a VCF', { file, line: lineNo });
    records = true;
    if (want !== undefined) {
      const key = recordKey(b, end);
      if (key !== null && !want(key.chr, key.pos)) {
        stats.rows++;
        continue;
      }
    }
    let decoded: boolean;
    try {
      decoded = dec.decode(b, 0, end);
    } catch (e) {
      throw e instanceof DecodeError ? e.at({ file, line: lineNo }) : e;
    }
    stats.rows++;
    if (!decoded) continue;
    meta.chr = dec.chr;
    meta.pos = dec.pos;
    meta.snp = latin1String(b, dec.idStart, dec.idEnd);
    meta.a2 = dec.ref;
    row.line = lineNo;
    for (let j = 0; j < dec.alts.length; j++) {
      meta.a1 = dec.alts[j];
      row.dosage = dec.rows[j];
      yield row;
    }
  }
  stats.gtOnly = (stats.gtOnly ?? 0) + dec.gtOnly;
}

function countTabs(b: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (b[i] === 9) n++;
  return n;
}

/** CHROM and POS of a record line, or null when they do not parse (the decoder then reports it). */
function recordKey(b: Uint8Array, end: number): { chr: string; pos: number } | null {
  const t1 = b.indexOf(9);
  if (t1 <= 0 || t1 >= end) return null;
  let pos = 0;
  let i = t1 + 1;
  for (; i < end && b[i] !== 9; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) return null;
    pos = pos * 10 + d;
  }
  return i === t1 + 1 || i >= end ? null : { chr: latin1String(b, 0, t1), pos };
}

/** The format of a genotype file from its content: BGEN magic, a VCF's '#' header (or BCF), else .gen. */
export async function sniffGenotypeFormat(file: string): Promise<GenotypeFormat> {
  if (await looksLikeBgen(file)) return 'bgen';
  const inp = await openInput(file);
  try {
    for await (const c of inp.stream) {
      const b = c as Buffer;
      if (b.length === 0) continue;
      return b[0] === 35 || (b.length >= 3 && b.toString('latin1', 0, 3) === 'BCF') ? 'vcf' : 'gen';
    }
    return 'gen';
  } finally {
    inp.stream.destroy();
  }
}

async function* readGen(file: string, nSamples: number, chr: string | undefined, stats: SourceStats, want: WantVariant | undefined, sampleFile: string | undefined): AsyncGenerator<DosageRow> {
  const inp = await openInput(file);
  const dosage = new Float64Array(nSamples);
  const meta: VariantMeta = { chr: '', snp: '', pos: 0, a1: '', a2: '' };
  const decoder = new GenLineDecoder({ wasm: !wasmDisabled() });
  let layout: GenLayout | undefined;
  const row: DosageRow = { meta, dosage, file, line: 0 };
  let fields = 0;
  let lineNo = 0;
  for await (const b of readLines(inp.stream, file)) {
    lineNo++;
    let i = 0;
    while (i < b.length && (b[i] === 32 || b[i] === 9 || b[i] === 13)) i++;
    if (i === b.length) continue;
    if (layout === undefined) {
      // Decided from the first line (formats/gen/layout.ts).
      layout = withLayout({ nSamples, plink2Precision: true, sampleFile }, genFileLayout(b, 0, b.length, lineNo, { nSamples, chr, file, sampleFile }));
      fields = headFields(layout) + 3 * nSamples;
    }
    if (want !== undefined) {
      // An unwanted line with the right field count is counted; with any other it is decoded below,
      // which fails with its message (as does a line without a key).
      const key = decoder.key(b, i, b.length, layout);
      if (key !== null && !want(key.chr, key.pos) && countFields(b, i, b.length) === fields) {
        stats.rows++;
        continue;
      }
    }
    try {
      decoder.line(b, 0, b.length, layout, dosage, meta);
    } catch (e) {
      throw e instanceof DecodeError ? e.at({ file, line: lineNo }) : e;
    }
    stats.rows++;
    row.line = lineNo;
    yield row;
  }
}

const CHUNK = 1 << 20;

/**
 * BGEN rows through assoc's header and record readers (pipeline/bgen-source.ts: every length checked
 * against the file before it is read), each chunk's records parsed and decoded here.
 */
async function* readBgen(file: string, nSamples: number, stats: SourceStats, want: WantVariant | undefined): AsyncGenerator<DosageRow> {
  const header = await readBgenHeader(file);
  if (header.nSamples !== nSamples) {
    throw new InputError(`the bgen file has ${header.nSamples} samples but the sample file lists ${nSamples}`, { file, byteOffset: 12 });
  }
  const records = new BgenRecordParser();
  const blocks = new BgenBlockDecoder();
  blocks.plink2Quanta = true; // the store keeps 1/16384 units: plink2's own quanta, as --score reads them
  const vh = newVariantHeader();
  const out = new Float64Array(nSamples);
  const meta: VariantMeta = { chr: '', snp: '', pos: 0, a1: '', a2: '' };
  const row: DosageRow = { meta, dosage: out, file, byteOffset: 0 };
  for await (const chunk of bgenChunks(file, header, CHUNK)) {
    const buf = chunk.buf;
    let p = 0;
    for (let v = 0; v < chunk.nVariants; v++, p += vh.totalLength) {
      records.parseInto(buf, p, header, chunk.fileOffset, file, true, vh);
      if (vh.nAlleles !== 2) {
        if (vh.nAlleles > 2) stats.multiallelic++;
        else stats.oneAllele++; // no ALT allele (plink2 refuses the file)
        continue;
      }
      if (want !== undefined && !want(vh.chr, vh.position)) {
        stats.rows++;
        continue;
      }
      blocks.decode(buf, vh.blockStart, vh.blockLength, header, 2, out, vh.uncompressedLength, { file, byteOffset: vh.blockFileOffset });
      meta.chr = vh.chr;
      meta.snp = vh.rsid !== '' && vh.rsid !== '.' ? vh.rsid : vh.id;
      meta.pos = vh.position;
      meta.a2 = vh.alleles[0];
      meta.a1 = vh.alleles[1];
      row.byteOffset = vh.fileOffset;
      stats.rows++;
      yield row;
    }
  }
}

/** BGEN magic ('bgen' or four zero bytes at offset 16) in a plain file: used to sniff --ld-ref. */
export async function looksLikeBgen(file: string): Promise<boolean> {
  try {
    const fh = await fs.promises.open(file, 'r');
    try {
      const b = Buffer.alloc(20);
      const { bytesRead } = await fh.read(b, 0, 20, 0);
      if (bytesRead < 20 || !bgenMagicOk(b)) return false;
      // Four zero bytes (BGEN v1.1) are no text; still, the header length must fit its offset.
      const offset = b.readUInt32LE(0);
      const headerLength = b.readUInt32LE(4);
      return b[16] !== 0 || (headerLength >= 20 && headerLength <= offset);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw fileError(e, file);
  }
}
