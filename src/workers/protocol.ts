// The closed message protocol between the main thread and the association workers.
import type { DecodeErrorFields } from '../errors.js';
import type { AssocModel } from '../stats/model.js';
import type { SexChromosomeInput } from '../stats/chrx-model.js';
import type { InfoFilter, VcfDosage } from '../formats/vcf/decode.js';
import type { GenFileLayout } from '../formats/gen/layout.js';

export interface Filters {
  minInfo: number;
  maxInfo: number;
  minMaf: number;
}

/** Sent once to every worker (Piscina workerData). */
export interface WorkerInit {
  model: AssocModel;
  /** The columns of chrX's (sex a covariate) and chrY's (known males) models; the worker builds one when it meets that chromosome. */
  sexChromosomes?: SexChromosomeInput;
  filters: Filters;
  /** Samples in the genotype files. */
  nSamples: number;
  /** The .sample file, named in .gen field-count errors. */
  sampleFile?: string;
  /**
   * --dosage-precision: 'plink2' rounds to plink2's 1/16384, 'exact' keeps the file's values;
   * undefined = plink2's quanta where plink2 reads the shape, other BGEN shapes as decoded.
   */
  dosagePrecision?: 'plink2' | 'exact';
  /** Significant digits printed. */
  digits: number;
  /** Append an ERRCODE column (`.` or the NA reason) to every row: for --format (formats/out-format.ts). */
  errcode?: boolean;
  /** Skip multi-allelic BGEN variants (counted) instead of testing each ALT allele. */
  biallelicOnly: boolean;
  /** Keep only variants inside one of these (normalised chromosome, inclusive range); empty = all. */
  regions: Region[];
  /** --extract / --exclude: variant IDs (the SNP column) kept / dropped (formats/select.ts). */
  extract?: string[];
  exclude?: string[];
  /**
   * The shared memory the main thread decompresses .gen chunks into (pipeline/gen-arena.ts, which
   * defines its layout): places for `places` workers' parsers of scratchBytes each. Absent: chunks
   * come as buffers.
   */
  genArena?: { memory: WebAssembly.Memory; scratchBytes: number; places: number };
  /** VCF: the FORMAT field forced by --vcf-dosage, exact dosages, the --extract-if-info filter. */
  vcf?: { force?: VcfDosage; exact: boolean; infoFilter?: InfoFilter };
}

export interface Region {
  chr: string;
  start: number;
  end: number;
}

export type WorkerRequest =
  | {
      kind: 'gen';
      seq: number;
      /** Whole lines of .gen text (transferred, not copied) in its first `length` bytes ... */
      buf?: ArrayBuffer;
      /** ... or at this byte of the shared arena (WorkerInit.genArena), not copied at all. */
      slot?: number;
      length: number;
      /** The file's layout, decided from its first line by the main thread (formats/gen/layout.ts). */
      layout: GenFileLayout;
    }
  | {
      kind: 'bgen';
      seq: number;
      /** Whole variant records, header and compressed genotype block (transferred), in its first `length` bytes. */
      buf: ArrayBuffer;
      length: number;
      /** File offset of buf[0], for error messages. */
      fileOffset: number;
      file: string;
      layout: 1 | 2;
      compression: 'none' | 'zlib' | 'zstd';
      nVariants: number;
    }
  | {
      kind: 'vcf';
      seq: number;
      /** Whole BGZF blocks (bgzf: the worker inflates) or whole lines of text (transferred): buf[0, length). */
      buf: ArrayBuffer;
      length: number;
      bgzf: boolean;
      /** File offset of buf[0] (BGZF), for messages. */
      fileOffset: number;
      /** --region via an index: a new segment whose first record starts at this inflated byte, on expectChr. */
      startAt?: number;
      expectChr?: string;
    };

/** Rows for one phenotype: TSV text of the rows that passed the filters. */
export interface PhenoRows {
  text: Uint8Array;
  /** End offset (exclusive) of each row in text. */
  ends: Uint32Array;
  /** Variant index (within the chunk) of each row. */
  variant: Uint32Array;
  /** -ln P of each row (NaN where NA), for genomic control (see assoc-run.ts). */
  negLogP: Float64Array;
  filteredInfo: number;
  filteredMaf: number;
  na: number;
  /** Case/control phenotypes: rows whose fit is Firth's. */
  firth?: number;
  /** NA rows by reason, indexed as stats/gram.ts NA_REASONS (plink2's ERRCODE names). */
  naWhy: number[];
}

export type WorkerResponse =
  | {
      kind: 'rows';
      seq: number;
      /** Lines (text) or records (binary) consumed, for error positions of later chunks. */
      lines: number;
      /** Result rows per phenotype before filters (one per ALT allele for multi-allelic BGEN). */
      nVariants: number;
      /** Variant records read (lines with a variant, BGEN records), including skipped ones. */
      records: number;
      /** Chromosome rank and position of each variant (see formats/chrom.ts). */
      rank: Int32Array;
      pos: Float64Array;
      phenos: PhenoRows[];
      /** Variant rows skipped as multi-allelic (BGEN, --biallelic-only). */
      skipped: number;
      /** BGEN variants with one allele (no ALT allele to test), skipped. */
      oneAllele?: number;
      /** Variants read but outside every --region. */
      outside: number;
      /** chrX and chrY variants among those kept (after --region, --extract, --exclude). */
      chrX?: number;
      chrY?: number;
      /** Variants (records) dropped because --extract does not list them, or --exclude does. */
      notExtracted: number;
      excluded: number;
      /** The request's .gen or BGEN chunk buffer, or its arena slot, handed back for reuse. */
      buf?: ArrayBuffer;
      slot?: number;
      /**
       * VCF from BGZF blocks: the bytes before the first line start (up to and including the first
       * '\n'), and after the last '\n', for the main thread to stitch (vcfNoLF: no '\n' at all,
       * vcfHead is everything). The rows are of the whole lines between.
       */
      vcfHead?: Uint8Array;
      vcfTail?: Uint8Array;
      vcfNoLF?: boolean;
      /** The chunk began a --region segment (vcfHead empty): the stitcher drops what it held. */
      vcfSegment?: boolean;
      /** VCF records whose dosages came from GT only; records removed by --extract-if-info. */
      gtOnly?: number;
      infoFiltered?: number;
    }
  | ({
      kind: 'error';
      seq: number;
      /** 0-based line within the chunk (text) ... */
      lineInChunk?: number;
      /** ... or byte offset in the file (binary). */
      byteOffset?: number;
      /** VCF from BGZF blocks: the partial first line, stitched (and counted) before the error's line. */
      vcfHead?: Uint8Array;
      vcfSegment?: boolean;
    } & DecodeErrorFields);
