// The one pass over the summary statistics. Memory stays flat in the number of rows: per row it only
// updates counters and histograms and appends a 16-byte record to a spill file; what is kept in
// memory is what the plots draw individually (rows with p < 1e-3: 16 bytes each) and the loci
// candidates (rows with p < the suggestive threshold: 32 bytes each; their text goes to a spill).
import { StringDecoder } from 'node:string_decoder';
import { InputError } from '../errors.js';
import { openInput } from '../io/input.js';
import type { ReportConfig } from './config.js';
import type { RecordSpill, LineSpill } from './spill.js';
import { topBucket, TOP_BITS } from './select.js';
import { ChromTable, FieldCutter, NO_BP, bpOf, logPOf, parseHeader, type SumstatsHeader } from './sumstats.js';

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
  header: SumstatsHeader;
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
  const cChr = new GrowU32();
  const cBp = new GrowU32();
  const cNlp = new GrowF64();
  const cOff = new GrowF64();
  const cLen = new GrowU32();
  const cLine = new GrowF64();
  const withAlleles = cfg.ld !== null;
  const cA1: string[] = [];
  const cA2: string[] = [];
  let header: SumstatsHeader | null = null;
  let cutter: FieldCutter | null = null;
  let hasLog10p = false;
  let lineNo = 0;
  let nVariants = 0;
  let nTested = 0;
  let nGws = 0;
  let nSuggestive = 0;
  let nUnplaced = 0;
  let maxNlp = 0;
  const qqScale = QQ_BINS / QQ_RANGE / Math.LN10;

  const handle = (raw: string): void => {
    lineNo++;
    const line = raw.length && raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (header === null) {
      if (line.trim() === '') return;
      header = parseHeader(line, file, lineNo);
      const wanted = [header.col.chr, header.col.bp, header.col.p, header.col.log10p];
      if (withAlleles) {
        // Only with --ld-ref: candidates are matched to the reference by their alleles too.
        if (header.col.a1 < 0 || header.col.a2 < 0) {
          throw new InputError('--ld-ref matches variants by chromosome, position and alleles: the table needs A1 and A2 columns', { file, line: lineNo });
        }
        wanted.push(header.col.a1, header.col.a2);
      }
      cutter = new FieldCutter(header, wanted);
      hasLog10p = header.col.log10p >= 0;
      return;
    }
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '')) return;
    const nf = cutter!.cut(line);
    if (nf !== header.nCols) {
      throw new InputError(`expected ${header.nCols} columns as in the header, found ${nf}`, { file, line: lineNo });
    }
    const f = cutter!.out;
    nVariants++;
    const chr = chroms.index(f[0]);
    const bp = bpOf(f[1], file, lineNo);
    const logP = logPOf(f[2], hasLog10p ? f[3] : undefined, file, lineNo);
    if (logP !== logP) return; // NA
    nTested++;
    const nlp = 0 - logP; // never -0
    if (nlp > maxNlp) maxNlp = nlp;
    const placed = chr >= 0 && bp >= 0;
    if (placed) {
      let e = extents[chr];
      if (!e) e = extents[chr] = { min: Infinity, max: -Infinity, n: 0 };
      if (bp < e.min) e.min = bp;
      if (bp > e.max) e.max = bp;
      e.n++;
    } else {
      nUnplaced++;
    }
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
      const [off, len] = lines.push(line);
      cChr.push(rChr);
      cBp.push(rBp);
      cNlp.push(nlp);
      cOff.push(off);
      cLen.push(len);
      cLine.push(lineNo);
      if (withAlleles) {
        cA1.push(f[4]);
        cA2.push(f[5]);
      }
    }
  };

  const inp = await openInput(file);
  const decoder = new StringDecoder('utf8');
  let carry = '';
  try {
    for await (const chunk of inp.stream) {
      const text = carry + decoder.write(chunk as Buffer);
      let start = 0;
      for (;;) {
        const e = text.indexOf('\n', start);
        if (e < 0) break;
        handle(text.slice(start, e));
        start = e + 1;
      }
      carry = text.slice(start);
    }
    const rest = carry + decoder.end();
    if (rest.length) handle(rest);
  } finally {
    inp.stream.destroy();
  }
  if (header === null) throw new InputError('empty input: no header line (expected CHR SNP BP ... P)', { file });
  records.flush();
  lines.flush();
  return {
    header,
    nVariants,
    nTested,
    nGws,
    nSuggestive,
    nUnplaced,
    maxNlp,
    chroms,
    extents,
    hist,
    qqHist,
    kept: { chr: kChr.view, bp: kBp.view, nlp: kNlp.view },
    cand: {
      chr: cChr.view,
      bp: cBp.view,
      nlp: cNlp.view,
      off: cOff.view,
      len: cLen.view,
      lineNo: cLine.view,
      a1: withAlleles ? cA1 : null,
      a2: withAlleles ? cA2 : null,
    },
    records,
    lines,
  };
}
