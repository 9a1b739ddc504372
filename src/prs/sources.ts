// Streaming dosage rows out of the genotype files: IMPUTE2 .gen (plain, gzip or zstd) through the
// shared line decoder, or BGEN through the src/formats/bgen decoders. One row at a time; the caller
// copies what it keeps (the dosage buffer is reused).
import * as fs from 'node:fs';
import { DecodeError, InputError, fileError } from '../errors.js';
import { countFields, GenLineDecoder, headFields, type GenLayout } from '../formats/gen/decode.js';
import { wasmDisabled } from '../wasm/modules.js';
import { genFileLayout, withLayout } from '../formats/gen/layout.js';
import type { VariantMeta } from '../formats/types.js';
import { BgenBlockDecoder, BgenRecordParser, newVariantHeader } from '../formats/bgen/index.js';
import { bgenChunks, readBgenHeader } from '../pipeline/bgen-source.js';
import { bgenMagicOk } from '../formats/bgen/header.js';
import { openInput } from '../io/input.js';
import { readLines } from '../io/lines.js';

export type GenotypeFormat = 'gen' | 'bgen';

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
export function readDosages(file: string, format: GenotypeFormat, nSamples: number, chr: string | undefined, stats: SourceStats, want?: WantVariant, sampleFile?: string): AsyncGenerator<DosageRow> {
  return format === 'gen' ? readGen(file, nSamples, chr, stats, want, sampleFile) : readBgen(file, nSamples, stats, want);
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
