// The one pass over the summary statistics. Memory stays flat in the number of rows: per row it only
// updates counters and histograms and appends a 16-byte record to a spill file; what is kept in
// memory is what the plots draw individually (rows with p < 1e-3: 16 bytes each) and the loci
// candidates (rows with p < the suggestive threshold: 32 bytes each; their text goes to a spill).
import { openSumstats, type SumstatsLayout, type SumstatsRows } from '../io/sumstats.js';
import type { ReportConfig } from './config.js';
import type { RecordSpill, LineSpill } from './spill.js';
import { topBucket, TOP_BITS } from './select.js';
import { ChromTable, NO_BP, bpOf } from './sumstats.js';

/** Chromosome index of records without a usable chromosome or position. */
export const NO_CHR = 0xffffffff;
/** QQ histogram of -log10 p over [0, 3] (the thinned part): bins of 1e-4, far below a pixel. */
export const QQ_BINS = 30000;
export const QQ_RANGE = 3;

export class GrowU32 {
  a = new Uint32Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Uint32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  get view(): Uint32Array {
    return this.a.subarray(0, this.n);
  }
}

export class GrowF64 {
  a = new Float64Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  get view(): Float64Array {
    return this.a.subarray(0, this.n);
  }
}

export interface ChromExtent {
  /** Smallest and largest position of tested variants (Infinity / -Infinity when none). */
  min: number;
  max: number;
  /** Tested variants with a position. */
  n: number;
}

export interface ScanResult {
  header: SumstatsLayout;
  /** Rows skipped as not a variant's result (plink2's covariate rows, TEST other than ADD). */
  nSkipped: number;
  nVariants: number;
  /** Rows with a P value (not NA). */
  nTested: number;
  nGws: number;
  nSuggestive: number;
  /** Tested rows without chromosome or position (counted, not drawn on the Manhattan plot). */
  nUnplaced: number;
  /** Largest -ln p. */
  maxNlp: number;
  chroms: ChromTable;
  extents: ChromExtent[];
  /** Counts of topBucket(high word of -ln p) for the exact median. */
  hist: Uint32Array;
  /** Counts of -log10 p in QQ_BINS bins over [0, 3] for rows with p >= keepP. */
  qqHist: Uint32Array;
  /** Rows with p < keepP: chromosome index (NO_CHR if unplaced), position, -ln p. */
  kept: { chr: Uint32Array; bp: Uint32Array; nlp: Float64Array };
  /**
   * Rows with p < suggestive: as kept, plus where their text is in the line spill and their line
   * number; with an LD reference (cfg.ld) also their A1 and A2, to find them in it (else null).
   */
  cand: {
    chr: Uint32Array;
    bp: Uint32Array;
    nlp: Float64Array;
    off: Float64Array;
    len: Uint32Array;
    lineNo: Float64Array;
    a1: string[] | null;
    a2: string[] | null;
  };
  records: RecordSpill;
  lines: LineSpill;
}

/** Rows with p < suggestive (ScanResult.cand), collected while scanning. */
class Candidates {
  private chr = new GrowU32();
  private bp = new GrowU32();
  private nlp = new GrowF64();
  private off = new GrowF64();
  private len = new GrowU32();
  private line = new GrowF64();
  private a1: string[] | null;
  private a2: string[] | null;
  constructor(withAlleles: boolean) {
    this.a1 = withAlleles ? [] : null;
    this.a2 = withAlleles ? [] : null;
  }
  push(chr: number, bp: number, nlp: number, span: [number, number], lineNo: number, row: SumstatsRows): void {
    this.chr.push(chr);
    this.bp.push(bp);
    this.nlp.push(nlp);
    this.off.push(span[0]);
    this.len.push(span[1]);
    this.line.push(lineNo);
    if (this.a1 && this.a2) {
      this.a1.push(row.text('a1')!);
      this.a2.push(row.text('a2')!);
    }
  }
  view(): ScanResult['cand'] {
    return { chr: this.chr.view, bp: this.bp.view, nlp: this.nlp.view, off: this.off.view, len: this.len.view, lineNo: this.line.view, a1: this.a1, a2: this.a2 };
  }
}

/** Widen chromosome chr's extent to bp. */
function extend(extents: ChromExtent[], chr: number, bp: number): void {
  let e = extents[chr];
  if (!e) e = extents[chr] = { min: Infinity, max: -Infinity, n: 0 };
  if (bp < e.min) e.min = bp;
  if (bp > e.max) e.max = bp;
  e.n++;
}

export async function scanSumstats(file: string, cfg: ReportConfig, records: RecordSpill, lines: LineSpill): Promise<ScanResult> {
  const logGws = Math.log(cfg.pThreshold);
  const logSugg = Math.log(cfg.suggestive);
  const logKeep = Math.log(cfg.keepP);
  const chroms = new ChromTable();
  const extents: ChromExtent[] = [];
  const hist = new Uint32Array(1 << TOP_BITS);
  const qqHist = new Uint32Array(QQ_BINS);
  const kChr = new GrowU32();
  const kBp = new GrowU32();
  const kNlp = new GrowF64();
  const withAlleles = cfg.ld !== null;
  const cand = new Candidates(withAlleles);
  const table = await openSumstats(file, {
    required: withAlleles ? ['chr', 'bp', 'p', 'a1', 'a2'] : ['chr', 'bp', 'p'],
    mapping: cfg.columns,
    what: withAlleles ? 'report with --ld-ref (it matches variants by alleles)' : 'report',
  });
  const row = table.row;
  const colBp = table.layout.col.bp;
  let nVariants = 0;
  let nTested = 0;
  let nGws = 0;
  let nSuggestive = 0;
  let nUnplaced = 0;
  let maxNlp = 0;
  const qqScale = QQ_BINS / QQ_RANGE / Math.LN10;

  for await (const lineNo of table.rows) {
    nVariants++;
    const chr = chroms.index(row.text('chr')!);
    const bp = bpOf(row.field(colBp), file, lineNo);
    const logP = row.logP();
    if (logP !== logP) continue; // NA
    nTested++;
    const nlp = 0 - logP; // never -0
    if (nlp > maxNlp) maxNlp = nlp;
    const placed = chr >= 0 && bp >= 0;
    if (placed) extend(extents, chr, bp);
    else nUnplaced++;
    const rChr = placed ? chr : NO_CHR;
    const rBp = placed ? bp : NO_BP;
    hist[topBucket(records.push(nlp, rBp, rChr))]++;
    if (logP < logKeep) {
      kChr.push(rChr);
      kBp.push(rBp);
      kNlp.push(nlp);
    } else {
      const b = Math.floor(nlp * qqScale);
      qqHist[b < QQ_BINS ? b : QQ_BINS - 1]++;
    }
    if (logP < logSugg) {
      nSuggestive++;
      if (logP < logGws) nGws++;
      cand.push(rChr, rBp, nlp, lines.push(row.bytes.toString('utf8')), lineNo, row);
    }
  }
  records.flush();
  lines.flush();
  const kept = { chr: kChr.view, bp: kBp.view, nlp: kNlp.view };
  const counts = { nSkipped: table.skipped(), nVariants, nTested, nGws, nSuggestive, nUnplaced, maxNlp };
  return { header: table.layout, ...counts, chroms, extents, hist, qqHist, kept, cand: cand.view(), records, lines };
}
