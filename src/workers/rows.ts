// Turns decoded variants into formatted result rows for every phenotype. Used inside workers (and
// directly by tests, without threads).
import { GenLineDecoder, MAX_POSITION } from '../formats/gen/decode.js';
import { roundHalfEven } from '../stats/round.js';
import type { GenArenaPlace } from '../formats/gen/probs-wasm.js';
import { wasmDisabled } from '../wasm/modules.js';
import { withLayout, type GenFileLayout } from '../formats/gen/layout.js';
import { VariantSelect } from '../formats/select.js';
// The BGEN record decoders themselves, not formats/bgen/index.js: that also loads the .bgi reader
// (better-sqlite3, a native module), which a worker never uses (~11 ms of every worker's start).
import { BgenBlockDecoder, plink2Quantize } from '../formats/bgen/probs.js';
import { BgenRecordParser, newVariantHeader } from '../formats/bgen/variant.js';
import type { BgenHeader } from '../formats/bgen/header.js';
import { DecodeError, decodeErrorFields } from '../errors.js';
import { chrRank, normChr } from '../formats/chrom.js';
import type { VariantMeta } from '../formats/types.js';
import { negLog10 } from '../stats/distributions.js';
import { primeWriters, writeAscii, writeG, writePFromLog, writeUint } from '../stats/format.js';
import { NA_REASONS } from '../stats/gram.js';
import type { LogisticGroup, LogisticResult } from '../stats/logistic.js';
import { ModelKernels } from './model-kernels.js';
import type { PhenoRows, WorkerInit, WorkerRequest, WorkerResponse } from './protocol.js';
import { HEADER_AMONG_RECORDS, VcfDecoder } from '../formats/vcf/decode.js';
import { inflateBlocks, inflatedLength } from '../formats/vcf/bgzf.js';
import { ReusedInflate } from '../io/inflate-handle.js';

const LF = 10;
const TAB = 9;
/** A BGZF chunk inflating to more than this (a hostile ISIZE sum; real chunks are <= 16 MiB) is inflated outside the DS kernel's memory. */
const VCF_KERNEL_CHUNK = 32 << 20;

/** One phenotype's rows of one chunk, written straight into bytes. */
class GrowList {
  text: Uint8Array;
  len = 0;
  ends: Uint32Array;
  variant: Uint32Array;
  negLogP: Float64Array;
  rows = 0;
  filteredInfo = 0;
  filteredMaf = 0;
  na = 0;
  firth = 0;
  /** NA rows by reason (gram.ts NA_REASONS). */
  naWhy = new Array<number>(NA_REASONS.length).fill(0);

  /** Sized from the previous chunk's rows (RowFormatter.lists), so that growing is rare. */
  constructor(textBytes: number, rows: number) {
    this.text = new Uint8Array(textBytes);
    this.ends = new Uint32Array(rows);
    this.variant = new Uint32Array(rows);
    this.negLogP = new Float64Array(rows);
  }

  /** Make room for n more bytes of text. */
  room(n: number): Uint8Array {
    if (this.len + n > this.text.length) {
      const t = new Uint8Array(Math.max(this.text.length * 2, this.len + n));
      t.set(this.text.subarray(0, this.len));
      this.text = t;
    }
    return this.text;
  }

  endRow(vi: number, negLogP: number): void {
    if (this.rows === this.ends.length) {
      const cap = this.rows * 2;
      const e = new Uint32Array(cap);
      e.set(this.ends);
      this.ends = e;
      const v = new Uint32Array(cap);
      v.set(this.variant);
      this.variant = v;
      const c = new Float64Array(cap);
      c.set(this.negLogP);
      this.negLogP = c;
    }
    this.ends[this.rows] = this.len;
    this.variant[this.rows] = vi;
    this.negLogP[this.rows] = negLogP;
    this.rows++;
  }
}

/**
 * BGEN hard-call variants decoded and staged in the linear kernel (stageHardCalls), their rows not
 * yet written: the kernel makes each group's products of all of them in one pass (0202, session 11).
 * Written (flushHard) when full, before any other variant's rows, and at the chunk's end: the rows'
 * order and bytes are those of emitting each variant as it is decoded.
 */
class HardBatch {
  n = 0;
  readonly chr: string[] = [];
  readonly pos: number[] = [];
  readonly snp: string[] = [];
  readonly a1: string[] = [];
  readonly a2: string[] = [];

  push(m: VariantMeta): void {
    const b = this.n++;
    this.chr[b] = m.chr;
    this.pos[b] = m.pos;
    this.snp[b] = m.snp;
    this.a1[b] = m.a1;
    this.a2[b] = m.a2;
  }

  /** Variant b's fields into m. */
  load(b: number, m: VariantMeta): void {
    m.chr = this.chr[b];
    m.pos = this.pos[b];
    m.snp = this.snp[b];
    m.a1 = this.a1[b];
    m.a2 = this.a2[b];
  }
}

// frequencyFilter's verdicts (0: the row is written).
const FILTER_INFO = 1;
const FILTER_MAF = 2;

export class RowFormatter {
  // The kernels of the run's model, and chrX's and chrY's (made when the chromosome first comes:
  // kernelsOf; null: it is not tested).
  private main: ModelKernels;
  private sexKernels: { X?: ModelKernels | null; Y?: ModelKernels | null } = {};
  private dosage: Float64Array;
  private bgenOut = new Float64Array(0);
  // Views of bgenOut's rows (one per non-reference allele), the parsed record and the error location,
  // reused: the BGEN loop allocates nothing per variant but the ID strings (docs/decisions/0010).
  private bgenRows: Float64Array[] = [];
  private vh = newVariantHeader();
  private bgenWhere: { file: string; byteOffset: number } = { file: '', byteOffset: 0 };
  // The worker's BGEN decoders: record parser (walk, chromosome cache) and block decoder (inflate
  // handle, scratch, bit reader, tables).
  private bgenRecords = new BgenRecordParser();
  private bgenBlocks = new BgenBlockDecoder();
  private meta: VariantMeta = { chr: '', snp: '', pos: 0, a1: '', a2: '' };
  private batchMeta: VariantMeta = { chr: '', snp: '', pos: 0, a1: '', a2: '' };
  private chrCache = new Map<string, { norm: string; rank: number }>();
  private head = new Uint8Array(1024);
  private textHint: number[] = [];
  private rowHint: number[] = [];
  // head.subarray(0, len) by len, made once: copying from a cached view is fastest (docs/decisions/0006).
  private headViews: (Uint8Array | undefined)[] = new Array(this.head.length);
  private select: VariantSelect;
  private hard = new HardBatch();
  /** How many hard-call variants a batch holds (0: none are batched); the staged one being emitted, or -1. */
  private hardCap = 0;
  private stagedSlot = -1;

  // The worker's .gen decoder: WebAssembly unless DOSAGEFLOW_NO_WASM, in place when an arena place is given.
  private genDecoder: GenLineDecoder;

  constructor(
    private init: WorkerInit,
    genArenaPlace: GenArenaPlace | null = null,
  ) {
    this.genDecoder = new GenLineDecoder({ wasm: !wasmDisabled(), shared: genArenaPlace });
    primeWriters();
    this.select = new VariantSelect({ extract: init.extract, exclude: init.exclude });
    this.main = new ModelKernels(init.model);
    const cc = init.model.logistic ?? [];
    this.dosage = new Float64Array(Math.max(1, init.nSamples));
    // Only the logistic kernel reads a hard-call variant's dosages; the linear one takes its codes.
    this.bgenBlocks.hardCallDosages = cc.length > 0;
    // Batched only where the linear kernel alone tests them (a logistic model reads their dosages).
    this.hardCap = cc.length === 0 && init.model.groups.length > 0 ? this.main.kernel.batchCap : 0;
    // BGEN dosages as plink2 stores them unless --dosage-precision exact (README, "Inputs").
    this.bgenBlocks.plink2Quanta = init.dosagePrecision !== 'exact';
  }

  /** Decode and test every line of a .gen chunk. */
  gen(seq: number, b: Uint8Array, fileLayout: GenFileLayout): WorkerResponse {
    const layout = withLayout({ nSamples: this.init.nSamples, plink2Precision: this.init.dosagePrecision !== 'exact', idBytes: true, sampleFile: this.init.sampleFile }, fileLayout);
    const lists = this.lists();
    const rank: number[] = [];
    const pos: number[] = [];
    const dec = this.genDecoder;
    dec.begin(b, layout.nSamples);
    let lines = 0;
    let records = 0;
    let outside = 0;
    let start = 0;
    const len = b.length;
    // Buffer#indexOf is memchr; TypedArray#indexOf walked the ~2.7 KB lines at ~1 us each.
    const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
    try {
      while (start < len) {
        let e = buf.indexOf(LF, start);
        const next = e < 0 ? len : e + 1;
        if (e < 0) e = len;
        let end = e;
        if (end > start && b[end - 1] === 13) end--;
        lines++;
        if (!isBlank(b, start, end)) {
          dec.decode(start, end, layout, this.dosage, this.meta);
          records++;
          if (!this.inRegions()) outside++;
          else if (this.selected()) this.emitVariant(this.dosage, rank.length, lists, rank, pos);
        }
        start = next;
      }
    } catch (e) {
      if (e instanceof DecodeError) return { kind: 'error', seq, lineInChunk: lines - 1, ...decodeErrorFields(e) };
      throw e;
    }
    return this.pack(seq, lines, records, rank, pos, lists, 0, outside);
  }

  private inRegions(): boolean {
    const regs = this.init.regions;
    if (regs.length === 0) return true;
    const norm = this.chrInfo(this.meta.chr).norm;
    const p = this.meta.pos;
    for (const r of regs) if (r.chr === norm && p >= r.start && p <= r.end) return true;
    return false;
  }

  /**
   * --extract / --exclude on the variant in this.meta (counted in this.select), and the chrX
   * variants kept counted (the summary's sex-covariate note). Every source's rows pass here before
   * emitVariant: a new input format calls it too.
   */
  private selected(): boolean {
    const m = this.meta;
    if (this.select.active) {
      const id = m.idBytes ? Buffer.from(m.idBytes.buffer, m.idBytes.byteOffset + m.idStart!, m.idEnd! - m.idStart!).toString('latin1') : m.snp;
      if (!this.select.keep(id)) return false;
    }
    const rank = this.chrInfo(m.chr).rank;
    if (rank === 23) this.chrX++;
    else if (rank === 24) this.chrY++;
    return true;
  }

  private chrInfo(raw: string): { norm: string; rank: number } {
    if (raw === this.lastChr) return this.lastChrInfo;
    let c = this.chrCache.get(raw);
    if (!c) {
      const norm = normChr(raw);
      c = { norm, rank: chrRank(norm) };
      this.chrCache.set(raw, c);
    }
    this.lastChr = raw;
    this.lastChrInfo = c;
    return c;
  }

  /** Decode and test every record of a chunk of whole BGEN variant records. */
  bgen(req: Extract<WorkerRequest, { kind: 'bgen' }>): WorkerResponse {
    const b = new Uint8Array(req.buf, 0, req.length);
    const n = this.init.nSamples;
    const header = { layout: req.layout, compression: req.compression, nSamples: n } as BgenHeader;
    const lists = this.lists();
    const rank: number[] = [];
    const pos: number[] = [];
    let outside = 0;
    let skipped = 0;
    let oneAllele = 0;
    let p = 0;
    const vh = this.vh;
    const where = this.bgenWhere;
    where.file = req.file;
    try {
      for (let v = 0; v < req.nVariants; v++) {
        this.bgenRecords.parseInto(b, p, header, req.fileOffset, req.file, true, vh);
        if (vh.position > MAX_POSITION)
          throw new DecodeError('position', undefined, `position ${vh.position} is above ${MAX_POSITION}, the largest plink2 accepts`, { file: req.file, byteOffset: req.fileOffset + p });
        const m = this.meta;
        m.idBytes = undefined;
        m.chr = vh.chr;
        m.pos = vh.position;
        m.snp = vh.rsid !== '' && vh.rsid !== '.' ? vh.rsid : vh.id;
        m.a2 = vh.alleles[0] ?? '';
        const k = vh.nAlleles;
        if (!this.inRegions()) {
          outside++;
        } else if (!this.selected()) {
          // counted by the selection
        } else if (k > 2 && this.init.biallelicOnly) {
          skipped++;
        } else if (k >= 2) {
          if (this.bgenRows.length < k - 1) {
            this.bgenOut = new Float64Array((k - 1) * n);
            this.bgenRows = [];
            for (let j = 1; j < k; j++) this.bgenRows.push(this.bgenOut.subarray((j - 1) * n, j * n));
          }
          where.byteOffset = vh.blockFileOffset;
          this.bgenBlocks.decode(b, vh.blockStart, vh.blockLength, header, k, this.bgenOut, vh.uncompressedLength, where);
          if (this.stageHard(k, vh.alleles, lists, rank, pos)) {
            p += vh.totalLength;
            continue;
          }
          this.flushHard(lists, rank, pos);
          this.ploidy = this.bgenBlocks.ploidy;
          this.hardCalls = k === 2 && this.bgenBlocks.hard ? this.hardCodes(n) : null;
          this.bgenDosages(k, n, header.layout);
          this.emitAlleles(this.bgenRows, vh.alleles, 1, k, lists, rank, pos);
          this.ploidy = null;
          this.hardCalls = null;
        } else {
          oneAllele++; // K = 1: nothing to test (plink2 refuses the file)
        }
        p += vh.totalLength;
      }
      this.flushHard(lists, rank, pos);
    } catch (e) {
      this.hard.n = 0;
      if (e instanceof DecodeError) return { kind: 'error', seq: req.seq, byteOffset: e.byteOffset ?? req.fileOffset + p, ...decodeErrorFields(e) };
      throw e;
    }
    const res = this.pack(req.seq, req.nVariants, req.nVariants, rank, pos, lists, skipped, outside);
    if (oneAllele > 0) res.oneAllele = oneAllele;
    return res;
  }

  /**
   * The block just decoded, when a biallelic diploid hard-call variant tested by the main model's
   * linear kernel (not chrX and chrY, which may have their own models, nor MT, halved), staged in
   * that kernel's batch (HardBatch); then true, and its rows are written by flushHard.
   */
  private stageHard(k: number, alleles: string[], lists: GrowList[], rank: number[], pos: number[]): boolean {
    const bb = this.bgenBlocks;
    if (this.hardCap === 0 || k !== 2 || !bb.hard || bb.ploidy !== null) return false;
    const r = this.chrInfo(this.meta.chr).rank;
    if (r === 23 || r === 24 || r === 26) return false;
    this.meta.a1 = alleles[1];
    this.main.kernel.stageHardCalls(this.hard.n, bb.codes, this.init.nSamples);
    this.hard.push(this.meta);
    if (this.hard.n === this.hardCap) this.flushHard(lists, rank, pos);
    return true;
  }

  /**
   * The staged hard-call variants' rows, in order (emitVariant with the kernel on each staged slot),
   * through the batch's own meta: this.meta holds the variant just decoded, whose rows come next.
   */
  private flushHard(lists: GrowList[], rank: number[], pos: number[]): void {
    const h = this.hard;
    if (h.n === 0) return;
    const decoded = this.meta;
    this.meta = this.batchMeta;
    for (let b = 0; b < h.n; b++) {
      h.load(b, this.meta);
      this.stagedSlot = b;
      this.emitVariant(this.dosage, rank.length, lists, rank, pos);
    }
    this.meta = decoded;
    this.stagedSlot = -1;
    h.n = 0;
  }

  /**
   * The decoded hard-call variant's codes for the linear kernel, or null: on chrY and MT its row is
   * halved (emitAlleles) and the codes are 0/1/2 counts, so the kernel takes the dosages there,
   * written from the codes when the decoder left them out.
   */
  private hardCodes(n: number): Uint8Array | null {
    const r = this.chrInfo(this.meta.chr).rank;
    if (r !== 24 && r !== 26) return this.bgenBlocks.codes;
    if (!this.bgenBlocks.hardCallDosages) this.bgenBlocks.dosagesFromCodes(this.bgenOut, n);
    return null;
  }

  private vcfDec: VcfDecoder | null = null;
  /**
   * The rows of alleles[from..to), row j - from with A1 = alleles[j], through emitVariant. On chrY
   * (rank 24) and MT (26) plink2 regresses on the allele count 0..1: each diploid-scale row is
   * halved first, and frequencyFilter gives FRQ and INFO as plink2 prints them there (this.haploid).
   * The VCF and BGEN rows alike.
   */
  private emitAlleles(rows: Float64Array[], alleles: string[], from: number, to: number, lists: GrowList[], rank: number[], pos: number[]): void {
    const r = this.chrInfo(this.meta.chr).rank;
    this.haploid = r === 24 || r === 26 ? r : 0;
    for (let j = from; j < to; j++) {
      this.meta.a1 = alleles[j];
      const d = rows[j - from];
      if (this.haploid !== 0) for (let i = 0; i < d.length; i++) d[i] *= 0.5;
      this.emitVariant(d, rank.length, lists, rank, pos);
    }
    this.haploid = 0;
  }

  /**
   * A decoded BGEN row made what plink2 regresses on. Samples of ploidy 1 (chrX males) go on
   * plink2's diploid scale, twice their allele's probability, as the VCF decoder puts haploid calls,
   * and the row is then an ordinary diploid one (no byPloidy: FRQ and INFO as plink2 prints them).
   * plink2's 1/16384 quanta where the decoder did not apply them (--dosage-precision plink2, v1.1).
   * Hard calls are exact in 1/16384 units (their dosages may not have been written).
   */
  private bgenDosages(k: number, n: number, layout: number): void {
    const bb = this.bgenBlocks;
    const o = this.bgenOut;
    const z = this.ploidy;
    if (z !== null && k === 2 && bb.maxPloidy <= 2) {
      for (let i = 0; i < n; i++) if (z[i] === 1) o[i] *= 2;
      this.ploidy = null;
      if (bb.plink2Quanta && bb.bits <= 28) plink2Quantize(o, n, bb.bits);
    } else if (this.hardCalls === null && !bb.quantized && (this.init.dosagePrecision === 'plink2' || (layout === 1 && bb.plink2Quanta))) {
      for (let i = 0; i < (k - 1) * n; i++) o[i] = roundHalfEven(o[i] * 16384) / 16384;
    }
  }

  /** The haploid chromosome (emitAlleles) of the variant being emitted, 0 when diploid. */
  private haploid = 0;
  /** chrX and chrY variants kept since the last response; chrInfo's last answer. */
  private chrX = 0;
  private chrY = 0;
  private lastChr: string | null = null;
  private lastChrInfo = { norm: '', rank: 0 };
  /** Per-sample ploidy of the BGEN variant being emitted when not all diploid (else null): 15.8. */
  private ploidy: Uint8Array | null = null;
  /** Hard-call codes of the BGEN variant being emitted when every sample is one (else null): 0202. */
  private hardCalls: Uint8Array | null = null;
  private inflated = { buf: new Uint8Array(0) };
  // BGZF blocks inflated straight into `inflated` through one reused handle (docs/decisions/0302).
  private bgzfInflate = new ReusedInflate('raw');

  /**
   * A VCF chunk: BGZF blocks inflated here (the partial first and last lines go back to be
   * stitched on the main thread), or whole lines of text.
   */
  vcf(req: Extract<WorkerRequest, { kind: 'vcf' }>): WorkerResponse {
    const raw = new Uint8Array(req.buf, 0, req.length);
    if (!req.bgzf) return this.vcfLines(req.seq, raw, 0, raw.length);
    // Inflated into the DS kernel's memory where it has one: records decoded there, not copied (0302).
    const size = inflatedLength(raw, 0, raw.length);
    const inKernel = size >= 0 && size <= VCF_KERNEL_CHUNK ? this.vcfDecoder().chunkBuffer(size + 1) : null;
    let b: Uint8Array;
    try {
      b = inflateBlocks(raw, 0, raw.length, inKernel ? { buf: inKernel } : this.inflated, this.bgzfInflate);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return { kind: 'error', seq: req.seq, byteOffset: req.fileOffset + (e.byteOffset ?? 0), ...decodeErrorFields(e) };
    }
    const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
    let from = 0;
    if (req.startAt !== undefined) {
      // A --region segment: the index's offset must be a record start on the region's chromosome.
      const at = req.startAt;
      const bad = at > b.length || (at > 0 && b[at - 1] !== LF) || !this.vcfChrAt(b, at, req.expectChr!);
      if (bad)
        return {
          kind: 'error',
          seq: req.seq,
          byteOffset: req.fileOffset,
          code: 'record',
          message: "the tabix index does not match this file (its offset is not a record on the region's chromosome): rebuild it with tabix -p vcf, or remove it to scan",
        };
      from = at;
    }
    const first = req.startAt !== undefined ? from - 1 : buf.indexOf(LF);
    const last = buf.lastIndexOf(LF);
    if ((req.startAt === undefined && first < 0) || last < from) {
      const r = this.vcfLines(req.seq, b, 0, 0);
      if (r.kind === 'rows') Object.assign(r, { vcfHead: b.slice(from), vcfNoLF: true, vcfSegment: req.startAt !== undefined });
      return r;
    }
    const r = this.vcfLines(req.seq, b, first + 1, last + 1, inKernel !== null);
    // An error's line counts the stitched first line too: the head goes back either way.
    r.vcfHead = b.slice(from, first + 1);
    r.vcfSegment = req.startAt !== undefined;
    if (r.kind === 'rows') r.vcfTail = b.slice(last + 1);
    return r;
  }

  private vcfDecoder(): VcfDecoder {
    const v = this.init.vcf ?? { exact: false };
    return (this.vcfDec ??= new VcfDecoder({ nSamples: this.init.nSamples, force: v.force, plink2Precision: !v.exact, infoFilter: v.infoFilter, wasm: !wasmDisabled() }));
  }

  /** Whether the record at b[at] is on chromosome chr (normalised). */
  private vcfChrAt(b: Uint8Array, at: number, chr: string): boolean {
    let e = at;
    while (e < b.length && b[e] !== TAB && b[e] !== LF) e++;
    return e < b.length && b[e] === TAB && this.chrInfo(Buffer.from(b.buffer, b.byteOffset + at, e - at).toString('latin1')).norm === chr;
  }

  /**
   * Decode and test the VCF lines in b[s, e) (a last line without '\n' included). inKernel: b is
   * the DS kernel's chunkBuffer and b[e - 1] is a '\n', so a record's end is found by the kernel
   * as it decodes (decodeLine), not looked for first (docs/decisions/0302, session 11).
   */
  vcfLines(seq: number, b: Uint8Array, s: number, e: number, inKernel = false): WorkerResponse {
    const dec = this.vcfDecoder();
    dec.gtOnly = 0;
    dec.infoFiltered = 0;
    dec.noAlt = 0;
    const lists = this.lists();
    const rank: number[] = [];
    const pos: number[] = [];
    const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
    let lines = 0;
    let records = 0;
    let outside = 0;
    for (let start = s; start < e; ) {
      lines++;
      let decoded: boolean;
      let next: number;
      try {
        const lf = inKernel && b[start] !== 35 ? dec.decodeLine(b, start, e) : -1;
        if (lf >= 0) {
          decoded = true;
          next = lf + 1;
        } else {
          let le = buf.indexOf(LF, start);
          if (le < 0 || le >= e) le = e;
          next = le + 1;
          let end = le;
          if (end > start && b[end - 1] === 13) end--;
          if (!(end > start && b[start] !== 35)) {
            // The header was read before the chunks: a '#' line here is a second VCF's (files joined with cat).
            if (end > start) throw new DecodeError('field-count', 1, HEADER_AMONG_RECORDS);
            start = next;
            continue;
          }
          decoded = dec.decode(b, start, end);
        }
      } catch (err) {
        if (err instanceof DecodeError) return { kind: 'error', seq, lineInChunk: lines - 1, ...decodeErrorFields(err) };
        throw err;
      }
      records++;
      // Not decoded: removed by --extract-if-info (counted by the decoder) or no ALT allele.
      if (decoded && this.vcfRecord(dec, b, lists, rank, pos)) outside++;
      start = next;
    }
    this.meta.idBytes = undefined;
    const r = this.pack(seq, lines, records, rank, pos, lists, 0, outside);
    if (r.kind === 'rows') {
      r.gtOnly = dec.gtOnly;
      r.infoFiltered = dec.infoFiltered;
      r.skipped = 0;
      if (dec.noAlt > 0) r.oneAllele = dec.noAlt; // ALT '.' or '*': not tested, counted
    }
    return r;
  }

  /** The decoded record's rows through emitAlleles; true when it is outside --region. */
  private vcfRecord(dec: VcfDecoder, b: Uint8Array, lists: GrowList[], rank: number[], pos: number[]): boolean {
    const m = this.meta;
    m.chr = dec.chr;
    m.pos = dec.pos;
    m.snp = '';
    m.idBytes = b;
    m.idStart = dec.idStart;
    m.idEnd = dec.idEnd;
    if (!this.inRegions()) return true;
    if (this.selected()) {
      m.a2 = dec.ref;
      this.emitAlleles(dec.rows, dec.alts, 0, dec.alts.length, lists, rank, pos);
    }
    return false;
  }

  private emitVariant(dosage: Float64Array, vi: number, lists: GrowList[], rank: number[], pos: number[]): void {
    const m = this.meta;
    const c = this.chrInfo(m.chr);
    rank.push(c.rank);
    pos.push(m.pos);
    const mk = c.rank === 23 ? this.kernelsOf('X') : c.rank === 24 ? this.kernelsOf('Y') : this.main;
    if (mk === null) return; // chrX or chrY cannot be tested (the summary says why)
    const model = mk.model;
    const digits = this.init.digits;
    const errcode = this.init.errcode === true;
    // CHR SNP BP A1 A2 are the same for every phenotype: written once, copied per row.
    let hb = this.head;
    const idb = m.idBytes;
    const need = c.norm.length + (idb ? m.idEnd! - m.idStart! : m.snp.length) + m.a1.length + m.a2.length + 128;
    if (hb.length < need) {
      hb = this.head = new Uint8Array(need * 2);
      this.headViews = new Array(hb.length);
    }
    let h0 = writeAscii(hb, 0, c.norm);
    hb[h0++] = TAB;
    if (idb) {
      for (let i = m.idStart!, e = m.idEnd!; i < e; i++) hb[h0++] = idb[i];
    } else {
      h0 = writeAscii(hb, h0, m.snp);
    }
    hb[h0++] = TAB;
    h0 = writeUint(hb, h0, m.pos);
    hb[h0++] = TAB;
    h0 = writeAscii(hb, h0, m.a1);
    hb[h0++] = TAB;
    h0 = writeAscii(hb, h0, m.a2);
    hb[h0++] = TAB;
    // A staged hard-call variant is on the main model's chromosomes (stageHard).
    if (this.stagedSlot >= 0) mk.kernel.useStaged(this.stagedSlot);
    else if (model.groups.length > 0) mk.kernel.setVariant(dosage, this.hardCalls, this.init.nSamples);
    for (let gi = 0; gi < model.groups.length; gi++) {
      const gr = model.groups[gi];
      const res = mk.results[gi];
      mk.kernel.run(dosage, gr, res);
      const filtered = this.frequencyFilter(res, dosage, gr.idx);
      if (mk.infoNA !== null && mk.infoNA[gr.phenos[0]] === 1) res.info = NaN; // plink2's chrX model prints no MACH_R2
      // FRQ INFO N: the same for the group's phenotypes.
      let hl = writeG(hb, h0, res.frq, digits);
      hb[hl++] = TAB;
      hl = writeG(hb, hl, res.info, digits);
      hb[hl++] = TAB;
      hl = writeUint(hb, hl, res.nUsed);
      hb[hl++] = TAB;
      for (let k = 0; k < gr.phenos.length; k++) {
        const L = lists[mk.pheno(gr.phenos[k])];
        if (filtered !== 0) {
          if (filtered === FILTER_INFO) L.filteredInfo++;
          else L.filteredMaf++;
          continue;
        }
        const t = L.room(hl + 5 * 40);
        let hv = this.headViews[hl];
        if (hv === undefined) hv = this.headViews[hl] = hb.subarray(0, hl);
        t.set(hv, L.len);
        let o = L.len + hl;
        const lp = res.logp[k];
        if (lp !== lp) {
          L.na++;
          L.naWhy[res.why[k]]++;
          o = writeAscii(t, o, 'NA\tNA\tNA\tNA\tNA');
          if (errcode) o = writeAscii(t, writeAscii(t, o, '\t'), NA_REASONS[res.why[k]] || 'UNKNOWN');
          t[o++] = LF;
        } else {
          o = writeG(t, o, res.beta[k], digits);
          t[o++] = TAB;
          o = writeG(t, o, res.se[k], digits);
          t[o++] = TAB;
          o = writeG(t, o, res.t[k], digits);
          t[o++] = TAB;
          o = writePFromLog(t, o, lp, digits);
          t[o++] = TAB;
          o = writeG(t, o, negLog10(lp), digits);
          if (errcode) o = writeAscii(t, o, '\t.');
          t[o++] = LF;
        }
        L.len = o;
        // -ln p, not the chi-square the main thread wants the median of: chi2 is increasing in
        // -ln p, so the middle ranks agree and only those two values need converting there
        // (chi2FromLogP per row was ~0.15 us of a 157-sample variant's ~6.6 in the profile).
        L.endRow(vi, -lp);
      }
    }
    for (const gr of model.logistic ?? []) this.emitLogistic(mk, dosage, gr, lists[mk.pheno(gr.pheno)], vi, h0);
  }

  /** chrX's or chrY's kernels, made the first time (ModelKernels.sexChromosome). */
  private kernelsOf(chr: 'X' | 'Y'): ModelKernels | null {
    let k = this.sexKernels[chr];
    if (k === undefined) k = this.sexKernels[chr] = ModelKernels.sexChromosome(this.init.sexChromosomes, chr, this.main);
    return k;
  }

  /**
   * FRQ and INFO as the variant's ploidy has them (haploid chromosomes: dosages were halved;
   * BGEN ploidy other than 2: byPloidy), then the INFO and MAF filters: 0 (kept), FILTER_INFO or
   * FILTER_MAF. The same for the linear and the logistic rows.
   */
  private frequencyFilter(res: { frq: number; info: number; frqCase?: number; frqCtrl?: number }, dosage: Float64Array, idx: Int32Array, y?: Float64Array): number {
    if (this.haploid !== 0) {
      res.frq *= 2;
      // The allele's frequency p; plink2's MACH R2 on chrY is the diploid one of the doubled dosages,
      // Var(2h) / 2p(1-p) = info(h) (2-p)/(1-p), info(h) taken at frequency p/2; none on MT.
      res.info = this.haploid === 24 ? (res.info * (2 - res.frq)) / (1 - res.frq) : NaN;
      if (res.frqCase !== undefined) res.frqCase *= 2;
      if (res.frqCtrl !== undefined) res.frqCtrl *= 2;
    }
    if (this.ploidy !== null) byPloidy(res, dosage, this.ploidy, idx, y);
    const f = this.init.filters;
    if (!(res.info >= f.minInfo && res.info <= f.maxInfo) && (f.minInfo > 0 || f.maxInfo < Infinity)) return FILTER_INFO;
    // The minor allele's frequency only under --min-maf: its branch on FRQ is a coin toss (0302).
    if (f.minMaf > 0 && !((res.frq <= 0.5 ? res.frq : 1 - res.frq) >= f.minMaf)) return FILTER_MAF;
    return 0;
  }

  /** One case/control phenotype's row: the LogisticKernel's fit after the shared head (h0 bytes). */
  private emitLogistic(mk: ModelKernels, dosage: Float64Array, gr: LogisticGroup, L: GrowList, vi: number, h0: number): void {
    const res = mk.lres;
    const lk = mk.logistic!;
    // The filters first: a row --min-maf or --min-info removes is not fitted (rare variants are
    // most of the Firth fits).
    const css = lk.gatherVariant(dosage, gr, res);
    const filtered = this.frequencyFilter(res, dosage, gr.idx, gr.y);
    if (mk.infoNA !== null && mk.infoNA[gr.pheno] === 1) res.info = NaN; // plink2's chrX model prints no MACH_R2
    if (filtered !== 0) {
      if (filtered === FILTER_INFO) L.filteredInfo++;
      else L.filteredMaf++;
      return;
    }
    lk.fitGathered(gr, res, css);
    const digits = this.init.digits;
    const t = L.room(h0 + 12 * 40);
    t.set(this.head.subarray(0, h0), L.len);
    let o = L.len + h0;
    o = writeG(t, o, res.frq, digits);
    t[o++] = TAB;
    o = writeG(t, o, res.info, digits);
    t[o++] = TAB;
    o = writeUint(t, o, res.nUsed);
    t[o++] = TAB;
    o = writeUint(t, o, res.nCase);
    t[o++] = TAB;
    o = writeUint(t, o, res.nCtrl);
    t[o++] = TAB;
    o = writeG(t, o, res.frqCase, digits);
    t[o++] = TAB;
    o = writeG(t, o, res.frqCtrl, digits);
    t[o++] = TAB;
    const lp = res.logp;
    if (lp !== lp) {
      L.na++;
      const why = (NA_REASONS as readonly string[]).indexOf(res.err);
      if (why > 0) L.naWhy[why]++;
      o = writeAscii(t, o, 'NA\tNA\tNA\tNA\tNA\t');
    } else {
      o = writeG(t, o, res.beta, digits);
      t[o++] = TAB;
      o = writeG(t, o, res.se, digits);
      t[o++] = TAB;
      o = writeG(t, o, res.z, digits);
      t[o++] = TAB;
      o = writePFromLog(t, o, lp, digits);
      t[o++] = TAB;
      o = writeG(t, o, negLog10(lp), digits);
      t[o++] = TAB;
    }
    t[o++] = res.firth ? 89 : 78; // Y / N
    if (this.init.errcode) o = writeAscii(t, writeAscii(t, o, '\t'), lp !== lp ? errcodeOf(res) : res.unfinished ? 'UNFINISHED' : '.');
    t[o++] = LF;
    if (res.firth) L.firth++;
    L.len = o;
    L.endRow(vi, -lp);
  }

  /**
   * A chunk's row lists, sized 1/8 above the previous chunk's (they started at 64 KB and 512 rows
   * and doubled: ~1.7% of worker time copying at 157 samples, 1,500 rows a .gen chunk). The lists
   * are sent as views of their buffers, not copied to size.
   */
  private lists(): GrowList[] {
    // First chunk: small lists that grow (64 KB each made 5,000 phenotypes take 360 MB a chunk: 15.21).
    return this.init.model.phenoNames.map((_, j) => new GrowList(this.textHint[j] ?? 1 << 10, this.rowHint[j] ?? 16));
  }

  private pack(seq: number, lines: number, records: number, rank: number[], pos: number[], lists: GrowList[], skipped: number, outside: number): Extract<WorkerResponse, { kind: 'rows' }> {
    const phenos: PhenoRows[] = lists.map((L, j) => {
      this.textHint[j] = Math.max(1 << 10, L.len + (L.len >> 3) + 256);
      this.rowHint[j] = Math.max(16, L.rows + (L.rows >> 3) + 16);
      return {
        // latin1: IDs and alleles were decoded as latin1, so their bytes round-trip exactly.
        text: L.text.subarray(0, L.len),
        ends: L.ends.subarray(0, L.rows),
        variant: L.variant.subarray(0, L.rows),
        negLogP: L.negLogP.subarray(0, L.rows),
        filteredInfo: L.filteredInfo,
        filteredMaf: L.filteredMaf,
        na: L.na,
        firth: L.firth,
        naWhy: L.naWhy,
      };
    });
    const sel = this.select;
    const notExtracted = sel.notExtracted;
    const excluded = sel.excluded;
    sel.notExtracted = sel.excluded = 0;
    const chrX = this.chrX;
    const chrY = this.chrY;
    this.chrX = this.chrY = 0;
    return { kind: 'rows', seq, lines, records, nVariants: rank.length, rank: Int32Array.from(rank), pos: Float64Array.from(pos), phenos, skipped, outside, notExtracted, excluded, chrX, chrY };
  }
}

function isBlank(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = b[i];
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/**
 * A variant with samples that are not diploid (BGEN ploidy 1, 3..63; issue 15.8): FRQ is allele
 * dosage over allele count, sum(d) / sum(ploidy), over the samples used (case and control
 * frequencies likewise); INFO is NA, MACH R2 being defined for diploid dosages only (plink2 refuses
 * such files). Bare loop: a few per variant, only for these variants.
 */
function byPloidy(res: { frq: number; info: number; frqCase?: number; frqCtrl?: number }, dosage: Float64Array, ploidy: Uint8Array, idx: Int32Array, y?: Float64Array): void {
  let d = 0;
  let z = 0;
  let dCase = 0;
  let zCase = 0;
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j];
    const v = dosage[i];
    if (v !== v) continue;
    d += v;
    z += ploidy[i];
    if (y !== undefined && y[j] !== 0) {
      dCase += v;
      zCase += ploidy[i];
    }
  }
  res.frq = z > 0 ? d / z : NaN;
  res.info = NaN;
  if (y !== undefined) {
    res.frqCase = zCase > 0 ? dCase / zCase : NaN;
    res.frqCtrl = z > zCase ? (d - dCase) / (z - zCase) : NaN;
  }
}

/** A logistic NA row's ERRCODE as plink2 prints it (SEPARATION with the allele it names). */
function errcodeOf(res: LogisticResult): string {
  if (res.err === 'SEPARATION' && res.sepAllele !== undefined) return `SEPARATION,${res.sepAllele}`;
  return res.err || 'UNKNOWN';
}
