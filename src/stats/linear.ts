// Per-variant linear regression y ~ 1 + d + covariates for every phenotype of a group, as plink2
// --glm computes it, with its NA checks (--max-corr, --vif). With no missing dosage only dot
// products remain (see projection.ts); a variant with missing dosages is fitted on its own sample
// subset from the downdated covariate Gram matrix (gram.ts), exactly as plink2 drops those samples.
import { logPStudentT2 } from './distributions.js';
import type { ModelGroup } from './model.js';
import { checkFull, DEFAULT_MAX_CORR, DEFAULT_VIF, INVALID_SHARE, MissingSolver, NA_CONST, NA_CORR, NA_INVALID, type FitSink, type MissingVariant } from './gram.js';
import { matVecJs, matVecModule, type MatVecWasm } from './matvec.js';
import { growTo, pagesFor, wasmDisabled } from '../wasm/modules.js';

/** Results for one variant and one group; per-phenotype arrays have the group's phenotype count. */
export interface GroupResult {
  nUsed: number;
  /** Mean dosage / 2 over the samples used (frequency of the counted allele). */
  frq: number;
  /** MACH R2: Var(d) / (2p(1-p)), population variance; NaN when p is 0 or 1. */
  info: number;
  beta: Float64Array;
  se: Float64Array;
  t: Float64Array;
  logp: Float64Array;
  /** Why the row is NA (gram.ts NA_REASONS), 0 when it is not. */
  why: Uint8Array;
}

export function newGroupResult(m: number): GroupResult {
  return { nUsed: 0, frq: NaN, info: NaN, beta: new Float64Array(m), se: new Float64Array(m), t: new Float64Array(m), logp: new Float64Array(m), why: new Uint8Array(m) };
}

export interface KernelOptions {
  /** plink2's --max-corr and --vif (defaults 0.999 and 50). */
  maxCorr?: number;
  vif?: number;
  /** Groups to copy into wasm memory now (others are copied when first seen). */
  groups?: ModelGroup[];
  /** false: the JS dot products even where WebAssembly SIMD is available (tests, benchmarks). */
  wasm?: boolean;
}

/** Where a group's stacked [Q; Yr] matrix and its r + m results live in wasm memory (bytes). */
interface WasmSlot {
  mat: number;
  out: number;
  ldb: number;
  /** The group's sample indices (gr.idx) as i32, for the hard-call gather; 0 until first needed. */
  idx: number;
  /** [Q; Yr] transposed (cpf, cs) and their 16 results; 0 until first needed. */
  qt: number;
  tout: number;
  /** Genotype sample -> group position or -1 (i32, nPos of them), for cms and cpf; 0 until first needed. */
  pos: number;
  nPos: number;
  /** The group's samples as bitmasks over the genotype samples (i64 words: all, then by class; cpf's gm), made with pos. */
  gm: number;
  /** Genotype sample -> byte offset of its row in qt (i32, cpf), made with pos. */
  roff: number;
  /** Per staged variant: hn's counts (16 bytes) and the 16 products (128 bytes); 0 until first needed. */
  bcnt: number;
  bout: number;
  /** The batch (LinearKernel.epoch) whose products bcnt and bout hold. */
  epoch: number;
}

type GatherWasm = (codes: number, idx: number, n: number, g: number, miss: number, cnt: number) => void;

type ZeroCountWasm = (d: number, n: number) => number;
type FlipWasm = (codes: number, n: number, masks: number) => number;
type HardCountsWasm = (codes: number, masks: number, gm: number, words: number, ilast: number, cnt: number) => void;
type MissingBitsWasm = (masks: number, gm: number, words: number, pos: number, miss: number) => number;
type CarrierSumsWasm = (masks: number, mstride: number, nb: number, gm: number, words: number, roff: number, qt: number, n: number, acc: number, outs: number, cnts: number, wide: number) => void;

/**
 * Hard-call variants staged at once (stageHardCalls): each group's products of all of them are made
 * in one class-major pass (cpb), class j of every variant while that class's rows are in cache
 * (docs/decisions/0202, session 11).
 */
export const HARD_BATCH = 8;
type SparseWasm = (d: number, idx: number, n: number, qt: number, lists: number, lcap: number, acc: number, out: number, miss: number, cnt: number, vals: number) => void;

// The r + m dot products of g with the rows of Q and Yr, the kernel's only O(n (r + m)) work, run
// as one matrix-vector product in WebAssembly SIMD (matvec.ts) on a per-kernel copy of [Q; Yr]
// (docs/decisions/0009). DOSAGEFLOW_NO_WASM=1 (or { wasm: false }) selects the JS products, which give identical results.
export class LinearKernel {
  /** The gathered dosages; with wasm a view onto its memory, so the gather writes straight in. */
  private g = new Float64Array(0);
  private u: Float64Array;
  private w: Float64Array;
  private miss: Int32Array;
  private solver: MissingSolver;
  private mv_: MissingVariant;
  private sink = new ResultSink();
  private maxCorr: number;
  private vif: number;
  /** JS path: the r + m dot products. */
  private dots = new Float64Array(0);
  private maxN: number;
  private mem: WebAssembly.Memory | null = null;
  private mv: MatVecWasm | null = null;
  /** The whole wasm memory as doubles; re-derived (with g) whenever the memory grows. */
  private f64 = new Float64Array(0);
  private top = 0;
  private slots = new WeakMap<ModelGroup, WasmSlot>();
  private gc: GatherWasm | null = null;
  private gd: GatherWasm | null = null;
  /** The dosage row copied into wasm memory at dosAt by setVariant (run checks it is the same row). */
  private staged: Float64Array | null = null;
  private dosAt = 0;
  private dosCap = 0;
  private dosIn: Float64Array = new Float64Array(0);
  private cs: SparseWasm | null = null;
  private zc: ZeroCountWasm | null = null;
  private cf: FlipWasm | null = null;
  private hn: HardCountsWasm | null = null;
  private cms: MissingBitsWasm | null = null;
  private cpf: CarrierSumsWasm | null = null;
  /** The current codes' bitmasks (carriers, 2s, missing: made by cf with the flip, read by hn, cpf). */
  private masksAt = 0;
  private nCodes = 0;
  /**
   * Whether the current variant's codes were flipped to the other allele (setHardCalls): the
   * products are then of 2 - g, and run turns them back (0202, "minor allele").
   */
  private flipped = false;
  /**
   * The staged hard-call variants (stageHardCalls): HARD_BATCH slots of codes (codesStride bytes
   * apart from codesBase) and of masks (masksStride), the variants' flips, how many are staged, the
   * one being run (useStaged), and the batch's number (a group's products are made once a batch).
   */
  private codesBase = 0;
  private codesStride = 0;
  private masksBase = 0;
  private masksStride = 0;
  private flips = new Uint8Array(HARD_BATCH);
  private nStaged = 0;
  private cur = 0;
  private epoch = 0;
  private u8 = new Uint8Array(0);
  /** Views of the staged codes, one a slot (useStaged's this.codes), re-made when the memory grows. */
  private codeViews: Uint8Array[] = [];
  /** JS path: the flipped codes. */
  private flipBuf = new Uint8Array(0);
  /** Whether the staged row is mostly exact zeros (then cs, else gd and mv). */
  private sparseRow = false;
  private valsAt = 0;
  /** The current variant's hard-call codes (setHardCalls), null when it has none. */
  private codes: Uint8Array | null = null;
  /** Byte addresses in wasm memory: the current codes, the gather's counts and missing list; 0 until needed. */
  private codesAt = 0;
  private cntAt = 0;
  private missAt = 0;
  private listsAt = 0;
  private listCap = 0;
  private accAt = 0;
  private i32: Int32Array = new Int32Array(0);
  // The gather's results, read by run.
  private sum = 0;
  private sumsq = 0;
  private nmiss = 0;
  private missList: Int32Array = new Int32Array(0);
  private missW: Int32Array = new Int32Array(0);

  constructor(maxN: number, maxR: number, opts: KernelOptions = {}) {
    this.maxN = Math.max(1, maxN);
    this.u = new Float64Array(Math.max(1, maxR));
    this.w = new Float64Array(Math.max(1, maxR));
    this.miss = new Int32Array(maxN);
    this.solver = new MissingSolver(Math.max(1, maxR), 1, opts.wasm !== false);
    this.mv_ = { miss: this.miss, nmiss: 0, sum: 0, css: 0, dots: this.dots, qBase: 0, yBase: 0 };
    this.maxCorr = opts.maxCorr ?? DEFAULT_MAX_CORR;
    this.vif = opts.vif ?? DEFAULT_VIF;
    const mod = opts.wasm === false || wasmDisabled() ? null : matVecModule();
    if (mod) {
      // g first, at byte 0 (16-byte aligned for v128 loads); the groups' matrices after it.
      this.top = align16(this.maxN * 8);
      this.mem = new WebAssembly.Memory({ initial: pagesFor(this.top) });
      const ex = new WebAssembly.Instance(mod, { e: { m: this.mem } }).exports;
      this.mv = ex.mv as MatVecWasm;
      this.gc = ex.gc as GatherWasm;
      this.gd = ex.gd as GatherWasm;
      this.cs = ex.cs as SparseWasm;
      this.zc = ex.zc as ZeroCountWasm;
      this.cf = ex.cf as FlipWasm;
      this.hn = ex.hn as HardCountsWasm;
      this.cms = ex.cms as MissingBitsWasm;
      this.cpf = ex.cpf as CarrierSumsWasm;
      this.views();
      for (const gr of opts.groups ?? []) this.slot(gr);
    } else {
      this.g = new Float64Array(this.maxN);
    }
  }

  /** Whether the dot products run in WebAssembly. */
  get usesWasm(): boolean {
    return this.mv !== null;
  }

  /** How many hard-call variants stageHardCalls takes before they are run (0: none, the JS kernel). */
  get batchCap(): number {
    return this.mv === null ? 0 : HARD_BATCH;
  }

  private views(): void {
    this.f64 = new Float64Array(this.mem!.buffer);
    this.i32 = new Int32Array(this.mem!.buffer);
    this.u8 = new Uint8Array(this.mem!.buffer);
    this.g = this.f64.subarray(0, this.maxN);
    // Views made from the old buffer are remade on their next use (their checks are then a length).
    this.dosIn = new Float64Array(0);
    this.missW = new Int32Array(0);
  }

  /** The wasm gathers' counts (48 bytes), missing list, cs's lists and the class sums (512 bytes a staged variant), once. */
  private reserveCounts(): void {
    if (this.cntAt !== 0) return;
    this.cntAt = this.alloc(48);
    this.missAt = this.alloc(this.maxN * 4);
    this.listCap = align16(4 * (Math.ceil(this.maxN / 4) + 1));
    this.listsAt = this.alloc(4 * this.listCap);
    this.valsAt = this.alloc(8 * this.listCap);
    this.accAt = this.alloc(512 * HARD_BATCH);
  }

  /** `bytes` more of wasm memory at its top (16-byte aligned), growing it; returns the address. */
  private alloc(bytes: number): number {
    const at = this.top;
    this.top = at + align16(bytes);
    if (growTo(this.mem!, this.top)) this.views();
    return at;
  }

  /**
   * The next variant: its dosage row `d` (genotype-sample order, NaN = missing) and, for hard
   * calls, their codes (see setHardCalls). A dosage row is copied into wasm memory once here and
   * gathered there for each group (any sample count: docs/decisions/0302); run(d) uses that copy
   * only for this same row object, until the next setVariant (the caller must not change the row
   * in between). Same results as without (the same gather, in WebAssembly).
   */
  setVariant(d: Float64Array | null, codes: Uint8Array | null, nSamples: number): void {
    this.setHardCalls(codes, nSamples);
    this.staged = null;
    if (codes !== null || d === null || this.mv === null) return;
    this.reserveCounts();
    if (this.dosCap < nSamples) {
      this.dosAt = this.alloc(nSamples * 8);
      this.dosCap = nSamples;
    }
    if (this.dosIn.length !== nSamples) this.dosIn = new Float64Array(this.mem!.buffer, this.dosAt, nSamples);
    this.dosIn.set(d.length === nSamples ? d : d.subarray(0, nSamples));
    this.staged = d;
    this.sparseRow = 2 * this.zc!(this.dosAt, nSamples) > nSamples;
  }

  /**
   * The next variant's hard-call codes (BgenBlockDecoder.codes: allele-1 count 0/1/2, 3 missing, in
   * genotype-sample order), or null: then run gathers the dosages. Exact either way: the counts
   * are the dosages (docs/decisions/0202).
   */
  setHardCalls(codes: Uint8Array | null, nSamples: number): void {
    this.codes = codes;
    this.flipped = false;
    if (codes === null) return;
    if (this.mv === null) {
      if (this.flipBuf.length < nSamples) this.flipBuf = new Uint8Array(nSamples);
      this.flipped = flipCodes(codes, nSamples, this.flipBuf);
      if (this.flipped) this.codes = this.flipBuf;
      return;
    }
    this.stageHardCalls(0, codes, nSamples);
    this.useStaged(0);
  }

  /**
   * Stages hard-call variant `b` of a batch (b < batchCap; 0 starts a new batch, and the variants
   * of the previous one are gone): its codes copied into wasm memory, flipped to the minor allele
   * and made bitmasks (cf). useStaged(b) then makes it the variant that run tests. Each group's
   * products of every staged variant are made at the group's first run (cpb): the same bits as
   * variant by variant (setHardCalls).
   */
  stageHardCalls(b: number, codes: Uint8Array, nSamples: number): void {
    if (this.codesStride < nSamples) {
      this.codesStride = (nSamples + 63) & ~63;
      this.masksStride = 24 * words(nSamples);
      this.codesBase = this.alloc(this.codesStride * HARD_BATCH);
      this.masksBase = this.alloc(this.masksStride * HARD_BATCH);
      this.reserveCounts();
    }
    if (b === 0) this.epoch++;
    this.nStaged = b + 1;
    this.nCodes = nSamples;
    const at = this.codesBase + b * this.codesStride;
    this.u8.set(codes.length === nSamples ? codes : codes.subarray(0, nSamples), at);
    this.flips[b] = this.cf!(at, nSamples, this.masksBase + b * this.masksStride);
  }

  /** Staged variant b (stageHardCalls) is the next one tested: as setVariant with its codes. */
  useStaged(b: number): void {
    this.staged = null;
    this.cur = b;
    this.codesAt = this.codesBase + b * this.codesStride;
    this.masksAt = this.masksBase + b * this.masksStride;
    if (this.codeViews.length === 0 || this.codeViews[0].buffer !== this.u8.buffer || this.codeViews[0].length !== this.nCodes)
      this.codeViews = Array.from({ length: HARD_BATCH }, (_, v) => this.u8.subarray(this.codesBase + v * this.codesStride, this.codesBase + v * this.codesStride + this.nCodes));
    this.codes = this.codeViews[b];
    this.flipped = this.flips[b] !== 0;
  }

  /** The group's place in wasm memory; its matrices are copied in when first needed. */
  private slot(gr: ModelGroup): WasmSlot {
    let s = this.slots.get(gr);
    if (s) return s;
    const n = gr.n;
    s = { mat: 0, out: 0, ldb: (n + (n & 1)) * 8, idx: 0, qt: 0, tout: 0, pos: 0, nPos: 0, gm: 0, roff: 0, bcnt: 0, bout: 0, epoch: 0 };
    this.slots.set(gr, s);
    return s;
  }

  /** The group's [Q; Yr] as rows (padded to even length) for mv, copied in on first use. */
  private matrix(s: WasmSlot, gr: ModelGroup): void {
    if (s.mat !== 0) return;
    const n = gr.n;
    const rows = gr.r + gr.phenos.length;
    const ld = s.ldb / 8;
    s.mat = this.alloc(rows * ld * 8);
    s.out = this.alloc(rows * 8);
    const f = this.f64;
    for (let l = 0; l < gr.r; l++) f.set(gr.q.subarray(l * n, l * n + n), s.mat / 8 + l * ld);
    for (let k = 0; k < gr.phenos.length; k++) f.set(gr.yr.subarray(k * n, k * n + n), s.mat / 8 + (gr.r + k) * ld);
  }

  /**
   * The group's [Q; Yr] transposed for cpf and cs: 16 doubles a sample (rows past r + m zero),
   * samples by class i mod 4 (matvec.wat), with the group's sample indices; copied in on first use.
   */
  private transposed(s: WasmSlot, gr: ModelGroup): void {
    this.indices(s, gr);
    if (s.qt !== 0) return;
    const n = gr.n;
    const r = gr.r;
    const q4 = (n + 3) >>> 2;
    // Rows on cache lines (64-byte aligned): a sample's 128 bytes then span two lines, not three.
    this.top = (this.top + 63) & ~63;
    s.qt = this.alloc(4 * q4 * 128);
    s.tout = this.alloc(128);
    const f = this.f64;
    for (let i = 0; i < n; i++) {
      // Class by class (i mod 4), as cpf and cs read them.
      const at = s.qt / 8 + 16 * ((i & 3) * q4 + (i >>> 2));
      for (let l = 0; l < r; l++) f[at + l] = gr.q[l * n + i];
      for (let k = 0; k < gr.phenos.length; k++) f[at + r + k] = gr.yr[k * n + i];
    }
  }

  /**
   * The group's inverse index and sample bitmasks over the current codes' samples (hn, cms, cpf),
   * made on first use: all its samples, then those of each class i mod 4, less the last sample when
   * n is odd (kept out of the classes, as mv does).
   */
  private positions(s: WasmSlot, gr: ModelGroup): void {
    if (s.nPos === this.nCodes) return;
    if (s.nPos < this.nCodes) {
      s.pos = this.alloc(this.nCodes * 4);
      s.roff = this.alloc(this.nCodes * 4);
      s.gm = this.alloc(5 * 8 * words(this.nCodes));
    }
    s.nPos = this.nCodes;
    const w = 2 * words(this.nCodes);
    const q4 = (gr.n + 3) >>> 2;
    const pos = this.i32.subarray(s.pos >>> 2, (s.pos >>> 2) + this.nCodes).fill(-1);
    const roff = this.i32.subarray(s.roff >>> 2, (s.roff >>> 2) + this.nCodes).fill(0);
    const gm = this.i32.subarray(s.gm >>> 2, (s.gm >>> 2) + 5 * w).fill(0);
    for (let i = 0; i < gr.n; i++) {
      const g = gr.idx[i];
      if (g >= this.nCodes) continue;
      pos[g] = i;
      roff[g] = 128 * ((i & 3) * q4 + (i >>> 2));
      gm[g >>> 5] |= 1 << (g & 31);
      if (i !== gr.n - 1 || (gr.n & 1) === 0) gm[(1 + (i & 3)) * w + (g >>> 5)] |= 1 << (g & 31);
    }
  }

  private indices(s: WasmSlot, gr: ModelGroup): void {
    if (s.idx !== 0) return;
    s.idx = this.alloc(gr.n * 4);
    this.i32.set(gr.idx.subarray(0, gr.n), s.idx >>> 2);
  }

  /** Test dosage row `d` (genotype-sample order, NaN = missing) against group `gr`. */
  run(d: Float64Array, gr: ModelGroup, out: GroupResult): void {
    const n = gr.n;
    const r = gr.r;
    const m = gr.phenos.length;
    // dots[base + l] = Q_l'g (l < r), dots[base + r + k] = Yr_k'g, computed before the early NA
    // exits below: those are rare, and one call for all r + m rows loads g once per four rows.
    const base = this.products(d, gr);
    const dots = this.mv !== null ? this.f64 : this.dots;
    const nmiss = this.nmiss;
    const ns = n - nmiss;
    // Flipped codes (0202, "minor allele"): the products, sums and css are of 2 - g, and the
    // sink negates BETA; FRQ and INFO are g's (freqInfo).
    const sum = this.sum;
    const meanUsed = sum / ns;
    const cssUsed = Math.max(0, this.sumsq - ns * meanUsed * meanUsed);
    out.nUsed = ns;
    if (this.flipped) this.freqInfoFlipped(out, ns);
    else setFreqInfo(out, meanUsed, cssUsed, ns);
    this.sink.sign = this.flipped ? -1 : 1;
    this.sink.out = out;
    this.sink.scale = gr.yScale;
    if (gr.covCorrTooHigh) {
      this.sink.na(NA_CORR);
      return;
    }
    if (nmiss > 0) {
      const v = this.mv_;
      v.miss = this.missList;
      v.nmiss = nmiss;
      v.sum = sum;
      v.css = cssUsed;
      v.dots = dots;
      v.qBase = base;
      v.yBase = base + r;
      this.solver.solve(gr.gram, r, n, m, v, this.maxCorr, this.vif, this.sink);
      return;
    }
    if (!(cssUsed > 0)) {
      this.sink.na(NA_CONST);
      return;
    }
    // g stays uncentred: Q and y_r are orthogonal to 1 up to rounding, and that rounding is
    // subtracted exactly below.
    const mean = sum / n;
    const qsum = gr.qsum;
    let uu = 0;
    for (let l = 0; l < r; l++) {
      const dot = dots[base + l] - mean * qsum[l];
      this.u[l] = dot;
      uu += dot * dot;
    }
    const ssd = cssUsed - uu;
    const why = checkFull(gr.gram, r, this.u, cssUsed, ssd, this.maxCorr, this.vif, this.w);
    if (why !== 0) {
      this.sink.na(why);
      return;
    }
    const df = ns - r - 2;
    const yoff = base + r;
    for (let k = 0; k < m; k++) this.sink.fit(k, dots[yoff + k] - mean * gr.yrsum[k], ssd, gr.yy[k], df, gr.gram.yctot[k]);
  }

  /** FRQ and INFO of g = 2 - (the flipped codes), from exact integer sums: the unflipped bits. */
  private freqInfoFlipped(out: GroupResult, ns: number): void {
    const sum = 2 * ns - this.sum;
    const sumsq = 4 * ns - 4 * this.sum + this.sumsq;
    const mean = sum / ns;
    setFreqInfo(out, mean, Math.max(0, sumsq - ns * mean * mean), ns);
  }

  /**
   * The r + m dot products and the gather's sums (this.sum, sumsq, nmiss, missList); returns where
   * the products start in this.f64 (wasm) or this.dots (JS). With at most 16 rows, hard calls and
   * staged dosage rows mostly of zeros: from the non-zero samples only (hn + cpf, cs, on the transposed
   * copy; an all-hard-call file never makes the row-major one); else the gather and mv, or their
   * JS twins (0009, 0202).
   */
  private products(d: Float64Array, gr: ModelGroup): number {
    const n = gr.n;
    const rows = gr.r + gr.phenos.length;
    if (this.mv === null) {
      if (this.codes !== null) this.gatherCodes(this.codes, gr, null);
      else this.gather(d, gr);
      if (this.dots.length < rows) this.dots = new Float64Array(rows);
      matVecJs(gr.q, 0, n, gr.r, n, this.g, this.dots, 0);
      matVecJs(gr.yr, 0, n, gr.phenos.length, n, this.g, this.dots, gr.r);
      return 0;
    }
    // Copies into wasm memory first: they may grow it, which moves g.
    const slot = this.slot(gr);
    if (this.codes !== null && rows <= 16 && this.hn !== null) return this.carrierProducts(slot, gr);
    if (this.staged === d && this.sparseRow && rows <= 16 && this.cs !== null) {
      this.transposed(slot, gr);
      this.cs(this.dosAt, slot.idx, n, slot.qt, this.listsAt, this.listCap, this.accAt, slot.tout, this.missAt, this.cntAt, this.valsAt);
      this.stagedCounts();
      return slot.tout >>> 3;
    }
    this.matrix(slot, gr);
    if (this.codes !== null) this.gatherCodes(this.codes, gr, slot);
    else if (this.staged === d) this.gatherStaged(gr, slot);
    else this.gather(d, gr);
    this.mv(slot.mat, 0, slot.out, rows, n, slot.ldb);
    return slot.out >>> 3;
  }

  /**
   * The hard-call products of the current staged variant from its carriers (0202): at the group's
   * first run in a batch, the counts (hn) and the products (cpf, class-major) of every staged
   * variant; the missing list, when there are missing samples, from the bitmasks (cms). Returns
   * where the products are.
   */
  private carrierProducts(slot: WasmSlot, gr: ModelGroup): number {
    const n = gr.n;
    this.transposed(slot, gr);
    this.positions(slot, gr);
    if (slot.bcnt === 0) {
      slot.bcnt = this.alloc(16 * HARD_BATCH);
      slot.bout = this.alloc(128 * HARD_BATCH);
    }
    const w = words(this.nCodes);
    if (slot.epoch !== this.epoch) {
      slot.epoch = this.epoch;
      const ilast = n & 1 ? gr.idx[n - 1] : -1;
      for (let b = 0; b < this.nStaged; b++) this.hn!(this.codesBase + b * this.codesStride, this.masksBase + b * this.masksStride, slot.gm, w, ilast, slot.bcnt + 16 * b);
      // Rows 14 and 15 of the transposed copy are zero with at most 14 rows: not read (wide 0).
      const wide = gr.r + gr.phenos.length > 14 ? 1 : 0;
      this.cpf!(this.masksBase, this.masksStride, this.nStaged, slot.gm, w, slot.roff, slot.qt, n, this.accAt, slot.bout, slot.bcnt, wide);
    }
    const c = (slot.bcnt + 16 * this.cur) >>> 2;
    this.sum = this.i32[c];
    this.sumsq = this.i32[c + 1];
    this.nmiss = this.i32[c + 2];
    if (this.nmiss > 0) {
      if (this.missW.buffer !== this.i32.buffer) this.missW = this.i32.subarray(this.missAt >>> 2, (this.missAt >>> 2) + this.maxN);
      this.cms!(this.masksAt, slot.gm, w, slot.pos, this.missAt);
      this.missList = this.missW;
    }
    return (slot.bout + 128 * this.cur) >>> 3;
  }

  /** gather, in wasm from the row setVariant copied in (gd): the same g, sums and missing list. */
  private gatherStaged(gr: ModelGroup, slot: WasmSlot): void {
    this.indices(slot, gr);
    this.gd!(this.dosAt, slot.idx, gr.n, 0, this.missAt, this.cntAt);
    this.stagedCounts();
  }

  /** The counts of gd and cs: as gc's, with the sums as doubles. */
  private stagedCounts(): void {
    this.counts();
    this.sum = this.f64[(this.cntAt + 32) >>> 3];
    this.sumsq = this.f64[(this.cntAt + 40) >>> 3];
  }

  /** The wasm gather's sums and missing list (gc, gd, cs). */
  private counts(): void {
    const c = this.cntAt >>> 2;
    this.sum = this.i32[c];
    this.sumsq = this.i32[c + 1];
    this.nmiss = this.i32[c + 2];
    if (this.missW.length === 0) this.missW = this.i32.subarray(this.missAt >>> 2, (this.missAt >>> 2) + this.maxN);
    this.missList = this.missW;
  }

  /** Gathers the group's dosages into g (missing: 0, listed in miss) with their sum and sum of squares. */
  private gather(d: Float64Array, gr: ModelGroup): void {
    const n = gr.n;
    const idx = gr.idx;
    const g = this.g;
    const miss = this.miss;
    // The gather keeps its sums here (in the wasm product they were slower: docs/decisions/0009).
    let sum = 0;
    let sumsq = 0;
    let nmiss = 0;
    for (let i = 0; i < n; i++) {
      const v = d[idx[i]];
      if (v !== v) {
        miss[nmiss++] = i;
        g[i] = 0;
      } else {
        g[i] = v;
        sum += v;
        sumsq += v * v;
      }
    }
    this.sum = sum;
    this.sumsq = sumsq;
    this.nmiss = nmiss;
    this.missList = miss;
  }

  /** As gather, from hard-call codes: the same g, sums and missing list (integers, so exact). */
  private gatherCodes(codes: Uint8Array, gr: ModelGroup, slot: WasmSlot | null): void {
    const n = gr.n;
    if (slot !== null) {
      this.indices(slot, gr);
      this.gc!(this.codesAt, slot.idx, n, 0, this.missAt, this.cntAt);
      this.counts();
      return;
    }
    const idx = gr.idx;
    const g = this.g;
    const miss = this.miss;
    let sum = 0;
    let sumsq = 0;
    let nmiss = 0;
    for (let i = 0; i < n; i++) {
      let c = codes[idx[i]];
      if (c === 3) {
        miss[nmiss++] = i;
        c = 0;
      }
      g[i] = c;
      sum += c;
      sumsq += c * c;
    }
    this.sum = sum;
    this.sumsq = sumsq;
    this.nmiss = nmiss;
    this.missList = miss;
  }
}

/** Writes a variant's per-phenotype results (finish) or NA with a reason. */
class ResultSink implements FitSink {
  out!: GroupResult;
  scale!: Float64Array;
  /** -1 when the products were of 2 - g (flipped codes): sdy's sign is g's again. */
  sign = 1;
  fit(k: number, sdy: number, ssd: number, yy: number, df: number, ytot: number): void {
    finish(this.out, k, this.sign * sdy, ssd, yy, df, ytot, this.scale[k]);
  }
  na(reason: number): void {
    fillNA(this.out, reason);
  }
}

/**
 * JS twin of matvec.wat's cf: when the codes hold more 2s than 0s, writes them flipped (x < 3 ->
 * 2 - x) into `out` and returns true.
 */
function flipCodes(codes: Uint8Array, n: number, out: Uint8Array): boolean {
  let d = 0;
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    if (c === 2) d++;
    else if (c === 0) d--;
  }
  if (d <= 0) return false;
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    out[i] = c < 3 ? 2 - c : c;
  }
  return true;
}

/** i64 words of a bitmask over n samples. */
function words(n: number): number {
  return (n + 63) >>> 6;
}

function align16(bytes: number): number {
  return (bytes + 15) & ~15;
}

function setFreqInfo(out: GroupResult, mean: number, css: number, n: number): void {
  const p = mean / 2;
  out.frq = p;
  const denom = 2 * p * (1 - p);
  out.info = denom > 0 ? css / n / denom : NaN;
}

function finish(out: GroupResult, k: number, sdy: number, ssd: number, yy: number, df: number, ytot: number, scale: number): void {
  const beta = sdy / ssd;
  const rss = yy - beta * sdy;
  // Round-off, not a residual: the phenotype is a combination of the predictors.
  if (!(rss > ytot * INVALID_SHARE)) {
    naOne(out, k, NA_INVALID);
    return;
  }
  const se = Math.sqrt(rss / df / ssd);
  const t = beta / se;
  out.beta[k] = beta * scale;
  out.se[k] = se * scale;
  out.why[k] = 0;
  out.t[k] = t;
  out.logp[k] = logPStudentT2(t, df);
}

function naOne(out: GroupResult, k: number, reason: number): void {
  out.beta[k] = NaN;
  out.se[k] = NaN;
  out.t[k] = NaN;
  out.logp[k] = NaN;
  out.why[k] = reason;
}

function fillNA(out: GroupResult, reason: number): void {
  for (let k = 0; k < out.beta.length; k++) naOne(out, k, reason);
}
