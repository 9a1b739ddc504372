// `dosageflow prs`: base summary statistics + target dosages -> clumped index variants, polygenic
// scores at each p-value threshold, and their association with a phenotype.
//
// Data flow and memory:
//   1. The base table is read whole into per-chromosome columns sorted by position (60-100 bytes per
//      row, measured: 59 on a 98,014-row dosageflow table).
//   2. The target genotype files are streamed once. Each variant matched to a base row (same
//      position, alleles equal, swapped or strand-flipped; A/T and C/G dropped unless asked) with
//      P <= --clump-p has its dosages of the base's A1 allele appended to a per-chromosome spill file
//      (2 bytes per sample); nothing else is kept. With --ld-ref the reference is streamed the same
//      way for the kept variants.
//   3. Chromosome by chromosome, clumping reads the LD dosages back through a cache of at most
//      --memory MB (default 512); the index variants' target dosages are then read once more and
//      added into the scores.
// Peak memory is therefore the base columns + ~30 bytes per kept variant + --memory + the scores
// (samples x thresholds doubles) + the phenotype/covariate tables, whatever the size of the target
// (measured: 224 MB RSS for 100,000 variants x 1,000 BGEN samples); the spill files take
// (kept variants) x (target samples [+ LD samples]) x 2 bytes of disk beside the output.
import { InputError, UsageError } from '../errors.js';
import { chrRank, normChr } from '../formats/chrom.js';
import { compareChrom } from '../pipeline/order.js';
import { alignTable, alignedColumn, displayId, parseSampleFile, readNumericTable, type SampleId } from '../formats/tables.js';
import { readTextFile } from '../io/input.js';
import { encodeBytes } from '../io/text.js';
import { commitAll, createOutput, writeAsync, type OutputFile } from '../io/output.js';
import { checkOutputDir, makeRunDir } from '../io/run-dir.js';
import { fmtG, fmtPFromLog } from '../stats/format.js';
import { countsOtherAllele, matchAlleles, isAmbiguous, type MatchKind } from './alleles.js';
import type { ColumnMapping } from '../io/sumstats.js';
import { findPos, readBase, type BaseChrom } from './base.js';
import { clumpChromosome, clumpRadius, comparePriority, type ClumpVariant } from './clump.js';
import { prepareDosage, prepareHardCalls, r2Dosage, r2HardCallEm, type LdMethod } from './ld.js';
import { barChartSvg, svgToPng } from './plot.js';
import { ScoreModel, type ScoreFit } from './regress.js';
import { BinaryScoreModel } from './regress-binary.js';
import { classifyPhenotype } from '../stats/logistic-model.js';
import type { VcfDosage } from '../formats/vcf/decode.js';
import { resolveSamples } from '../pipeline/assoc-run.js';
import { sniffGenotypeFormat, vcfSampleNames, readDosages, type GenotypeFormat, type SourceStats } from './sources.js';
import { DOSAGE_UNIT, MISSING_Q, SpillSet, quantize } from './store.js';
import { VariantSelect, readVariantIds, selectSamples, selectionSummary } from '../formats/select.js';

export interface Threshold {
  /** As written on the command line (names the score column P_<text>). */
  text: string;
  value: number;
}

export interface PrsConfig {
  base: string;
  /** --col-* / --columns: how to read the base's columns when its header is not recognised. */
  baseColumns?: ColumnMapping;
  targets: string[];
  format: GenotypeFormat;
  /** Oxford .sample of the target; with VCF targets optional (the #CHROM line names the samples). */
  sample?: string;
  /** --vcf-dosage: the FORMAT field forced for VCF targets and a VCF --ld-ref. */
  vcfDosage?: VcfDosage;
  pheno: string;
  phenoName?: string;
  /** Case/control coded 0 = control, 1 = case (plink2 --1). */
  one?: boolean;
  /** Run the phenotype as quantitative even when coded as case/control. */
  quantitative?: boolean;
  /** Disease prevalence, for the liability-scale R2 of a case/control phenotype. */
  prevalence?: number;
  covar?: string;
  covarNames?: string[];
  /** Chromosome for old-layout .gen files without a CHR column (target and LD reference). */
  chr?: string;
  /** Ascending. */
  thresholds: Threshold[];
  clumpR2: number;
  clumpKb: number;
  clumpP: number;
  ldRef?: string;
  ldRefSample?: string;
  ldMethod: LdMethod;
  keepAmbiguous: boolean;
  /** --keep / --remove (target samples) and --extract / --exclude (target variant IDs): files. */
  keep?: string;
  remove?: string;
  extract?: string;
  exclude?: string;
  out: string;
  digits: number;
  memoryMB: number;
  tmpDir?: string;
  log?: (line: string) => void;
}

export interface MatchCounts {
  baseRows: number;
  naRows: number;
  duplicateRows: number;
  same: number;
  swapped: number;
  strandFlipped: number;
  ambiguousDropped: number;
  ambiguousKept: number;
  alleleMismatch: number;
  notInTarget: number;
  notInLdRef: number;
  aboveClumpP: number;
}

export interface ThresholdResult extends ScoreFit {
  threshold: Threshold;
  nSnp: number;
  /** Case/control phenotypes with --prevalence: R2 on the liability scale. */
  liabilityR2?: number;
}

export interface PrsSummary {
  /** The phenotype is case/control: logistic fits, Nagelkerke R2. */
  binary?: boolean;
  targetVariants: number;
  targetSamples: number;
  ldSamples: number;
  ldSource: string;
  multiallelicSkipped: number;
  /** BGEN variants with one allele (no ALT), ignored. */
  oneAlleleSkipped: number;
  /** What --keep/--remove/--extract/--exclude removed ('' without them). */
  selection: string;
  counts: MatchCounts;
  /** Variants that entered clumping. */
  clumpInput: number;
  indexVariants: number;
  pairs: number;
  samplesUsed: number;
  results: ThresholdResult[];
  outputs: string[];
  warnings: string[];
  seconds: number;
}

/**
 * The kept variants of one chromosome, in target order; k-th = record k of the target spill file.
 * Columns of small integers, so a kept variant costs ~16 bytes besides its base row.
 */
interface KeptChrom {
  base: BaseChrom;
  /** Base row of each kept variant. */
  bi: number[];
  /** Target order (file order over all target files). */
  order: number[];
  /** Record in the LD spill file (-1: not in the LD reference). */
  ldRec: number[];
  /** Base row -> kept index (-1), for matching the LD reference. */
  keptOf: Int32Array;
}

interface IndexOut {
  base: BaseChrom;
  bi: number;
  order: number;
  nClumped: number;
}

export function outputPaths(prefix: string) {
  return {
    clumped: `${prefix}.clumped.tsv`,
    scores: `${prefix}.scores.tsv`,
    summary: `${prefix}.summary.tsv`,
    svg: `${prefix}.bar.svg`,
    png: `${prefix}.bar.png`,
  };
}

const STATUS_NONE = 0;
const STATUS_MISMATCH = 1;
const STATUS_AMBIGUOUS = 2;
const STATUS_MATCHED = 3;

export async function runPrs(cfg: PrsConfig): Promise<PrsSummary> {
  const t0 = process.hrtime.bigint();
  const log = cfg.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const warnings: string[] = [];
  // Before the target scan: a .gen or BGEN reference names no samples.
  const ldFormat = cfg.ldRef ? await sniffGenotypeFormat(cfg.ldRef) : undefined;
  if (ldFormat && ldFormat !== 'vcf' && !cfg.ldRefSample) throw new UsageError('--ld-ref needs --ld-ref-sample FILE (the Oxford .sample of a .gen or .bgen reference)');
  const target = await targetSamples(cfg, warnings);
  const { samples, N } = target;
  const pheno = await phenotypes(cfg, samples, warnings);
  if (cfg.prevalence !== undefined && !pheno.binary) throw new UsageError(`--prevalence applies to a case/control phenotype; ${pheno.phenoName} is quantitative`);
  const base = await readBase(cfg.base, cfg.baseColumns);
  if (base.rows === 0) throw new InputError(`no usable rows (${base.naRows} with NA BETA or P)`, { file: cfg.base });
  const outDir = checkOutputDir(cfg.out, { create: true });
  const tmp = makeRunDir(cfg.tmpDir ?? outDir, '.dosageflow-prs-');
  const outputs: OutputFile[] = [];
  try {
    const targetSpill = new SpillSet(tmp.path, 'target', N);
    const { keptByChr, counts, stats } = await matchTarget(cfg, base, target, targetSpill);
    const nMatched = counts.same + counts.swapped + counts.strandFlipped;
    if (stats.gtOnly) warnings.push(`${stats.gtOnly} VCF records have no DS, GP or HDS: their dosages are the GT hard calls`);
    const ld = cfg.ldRef ? await spillLdReference(cfg, cfg.ldRef, keptByChr, tmp.path) : { spill: targetSpill, samples: N, source: 'target', multiallelic: 0, oneAllele: 0 };
    const clumped = clumpAndScore(cfg, keptByChr, ld, targetSpill, N, counts);
    if (clumped.clumpInput === 0) throw new InputError(`none of the ${nMatched} matched variants is in the LD reference`, { file: cfg.ldRef });
    const results = testScores(cfg, pheno, clumped, warnings);
    const paths = await writeOutputs(cfg, samples, pheno, clumped, results, outputs);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const summary: PrsSummary = {
      targetVariants: stats.rows,
      targetSamples: N,
      ldSamples: ld.samples,
      ldSource: ld.source,
      multiallelicSkipped: stats.multiallelic + ld.multiallelic,
      oneAlleleSkipped: stats.oneAllele + ld.oneAllele,
      selection: selectionSummary(target.sel, target.vsel, cfg),
      counts,
      clumpInput: clumped.clumpInput,
      indexVariants: clumped.indexes.length,
      pairs: clumped.pairs,
      samplesUsed: pheno.used.length,
      binary: pheno.binary,
      results,
      outputs: Object.values(paths),
      warnings,
      seconds,
    };
    for (const w of warnings) log(`dosageflow: warning: ${w}`);
    for (const line of summaryLines(cfg, summary)) log(line);
    return summary;
  } catch (e) {
    for (const o of outputs) o.abort();
    throw e;
  } finally {
    tmp.remove();
  }
}

/** The target's samples after --keep/--remove, and the --extract/--exclude variant filter. */
interface TargetSamples {
  /** Samples of the genotype files, in file order. */
  all: SampleId[];
  /** The kept ones (all without --keep/--remove). */
  samples: SampleId[];
  N: number;
  /** File positions of the kept samples, and a buffer to gather their dosages into (undefined: all kept). */
  keptIdx?: Int32Array;
  kept?: Float64Array;
  sel: Awaited<ReturnType<typeof selectSamples>>;
  vsel: VariantSelect;
}

async function targetSamples(cfg: PrsConfig, warnings: string[]): Promise<TargetSamples> {
  const all = cfg.format === 'vcf' ? await vcfTargetSamples(cfg) : parseSampleFile(await readTextFile(cfg.sample!), cfg.sample!);
  if (all.length === 0) throw new InputError('no samples listed', { file: cfg.sample });
  // --keep/--remove: the kept samples' dosages are gathered from each row, so clumping r2 (without
  // --ld-ref), scores and the test see only them.
  const sel = await selectSamples(all, cfg);
  warnings.push(...sel.warnings);
  const keptIdx = sel.mask ? Int32Array.from(all.keys()).filter((i) => sel.mask![i] === 1) : undefined;
  const samples = keptIdx ? Array.from(keptIdx, (i) => all[i]) : all;
  const N = samples.length;
  const vsel = new VariantSelect({
    extract: cfg.extract === undefined ? undefined : await readVariantIds(cfg.extract),
    exclude: cfg.exclude === undefined ? undefined : await readVariantIds(cfg.exclude),
  });
  return { all, samples, N, keptIdx, kept: keptIdx ? new Float64Array(N) : undefined, sel, vsel };
}

/** VCF targets: the #CHROM line's IIDs, the same in every file, agreeing with --sample when given (as assoc). */
async function vcfTargetSamples(cfg: PrsConfig): Promise<SampleId[]> {
  const vcfs = [];
  for (const file of cfg.targets) vcfs.push({ file, ...(await vcfSampleNames(file)) });
  return resolveSamples({ sample: cfg.sample, gen: [], bgen: [] }, new Map(), vcfs);
}

function emptyCounts(base: Awaited<ReturnType<typeof readBase>>): MatchCounts {
  return {
    baseRows: base.rows,
    naRows: base.naRows,
    duplicateRows: base.duplicateRows,
    same: 0,
    swapped: 0,
    strandFlipped: 0,
    ambiguousDropped: 0,
    ambiguousKept: 0,
    alleleMismatch: 0,
    notInTarget: 0,
    notInLdRef: 0,
    aboveClumpP: 0,
  };
}

/**
 * Stream the target files once: each variant matched to a base row with P <= --clump-p has its A1
 * dosages appended to the target spill file; counts what matched and what did not, and why.
 */
async function matchTarget(
  cfg: PrsConfig,
  base: Awaited<ReturnType<typeof readBase>>,
  target: TargetSamples,
  targetSpill: SpillSet,
): Promise<{ keptByChr: Map<string, KeptChrom>; counts: MatchCounts; stats: SourceStats }> {
  const { N, keptIdx, kept, vsel } = target;
  const keptByChr = new Map<string, KeptChrom>();
  const counts = emptyCounts(base);
  const rec = new Uint16Array(N);
  const stats: SourceStats = { rows: 0, multiallelic: 0, oneAllele: 0 };
  let order = 0;
  // Only target variants at a base position are decoded (BGEN) or looked at.
  const inBase = (chr: string, pos: number) => {
    const c = base.byChr.get(normChr(chr));
    return c !== undefined && findPos(c, pos) >= 0;
  };
  for (const file of cfg.targets) {
    const before = stats.rows;
    for await (const row of readDosages(file, cfg.format, target.all.length, cfg.chr, stats, inBase, cfg.sample, cfg.vcfDosage)) {
      const m = row.meta;
      if (vsel.active && !vsel.keep(m.snp)) continue;
      const dosage = kept ? gatherInto(row.dosage, keptIdx!, kept) : row.dosage;
      const chr = normChr(m.chr);
      const tOrder = order++;
      const c = base.byChr.get(chr);
      if (!c) continue;
      const i0 = findPos(c, m.pos);
      if (i0 < 0) continue;
      for (let i = i0; i < c.n && c.pos[i] === m.pos; i++) {
        if (c.status[i] === STATUS_MATCHED) continue;
        const kind: MatchKind = matchAlleles(c.a1[i], c.a2[i], m.a1, m.a2, cfg.keepAmbiguous);
        if (kind === 'mismatch') {
          c.status[i] = Math.max(c.status[i], STATUS_MISMATCH);
          continue;
        }
        if (kind === 'ambiguous') {
          c.status[i] = Math.max(c.status[i], STATUS_AMBIGUOUS);
          continue;
        }
        c.status[i] = STATUS_MATCHED;
        if (kind === 'same') counts.same++;
        else if (kind === 'swapped') counts.swapped++;
        else counts.strandFlipped++;
        if (isAmbiguous(c.a1[i], c.a2[i])) counts.ambiguousKept++;
        if (c.p[i] > cfg.clumpP) {
          counts.aboveClumpP++;
          break;
        }
        quantize(dosage, N, countsOtherAllele(kind), rec);
        const tRec = targetSpill.append(chr, rec);
        let kc = keptByChr.get(chr);
        if (!kc) keptByChr.set(chr, (kc = { base: c, bi: [], order: [], ldRec: [], keptOf: new Int32Array(c.n).fill(-1) }));
        kc.keptOf[i] = kc.bi.length;
        kc.bi.push(i);
        kc.order.push(tOrder);
        kc.ldRec.push(cfg.ldRef ? -1 : tRec);
        break;
      }
    }
    if (stats.rows === before) throw new InputError('no variants: the file is empty', { file });
  }
  targetSpill.finish();
  countUnmatched(base, counts);
  if (counts.same + counts.swapped + counts.strandFlipped === 0) {
    throw new InputError(
      `no base variant matches a target variant by chromosome, position and alleles (${counts.notInTarget} not in the target, ${counts.alleleMismatch} with other alleles, ${counts.ambiguousDropped} strand-ambiguous)`,
      { file: cfg.base },
    );
  }
  return { keptByChr, counts, stats };
}

function countUnmatched(base: Awaited<ReturnType<typeof readBase>>, counts: MatchCounts): void {
  for (const c of base.byChr.values()) {
    for (let i = 0; i < c.n; i++) {
      const st = c.status[i];
      if (st === STATUS_NONE) counts.notInTarget++;
      else if (st === STATUS_MISMATCH) counts.alleleMismatch++;
      else if (st === STATUS_AMBIGUOUS) counts.ambiguousDropped++;
    }
  }
}

/** Where clumping's r2 comes from: the target's spill file, or the LD reference's. */
interface LdData {
  spill: SpillSet;
  samples: number;
  source: string;
  multiallelic: number;
  oneAllele: number;
}

/** Samples of --ld-ref: the VCF's #CHROM line (--ld-ref-sample, if given, must list as many), else --ld-ref-sample. */
async function ldRefSampleCount(ldRef: string, format: GenotypeFormat, sampleFile: string | undefined): Promise<number> {
  if (format !== 'vcf') {
    return parseSampleFile(await readTextFile(sampleFile!), sampleFile!).length;
  }
  const v = await vcfSampleNames(ldRef);
  if (sampleFile) {
    const n = parseSampleFile(await readTextFile(sampleFile), sampleFile).length;
    if (n !== v.samples.length) throw new InputError(`${v.samples.length} samples in the #CHROM line, but ${sampleFile} lists ${n}`, { file: ldRef, line: v.headerLines });
  }
  return v.samples.length;
}

/** Stream the LD reference once, spilling the dosages of the kept variants it has. */
async function spillLdReference(cfg: PrsConfig, ldRef: string, keptByChr: Map<string, KeptChrom>, tmpDir: string): Promise<LdData> {
  const ldFormat: GenotypeFormat = await sniffGenotypeFormat(ldRef);
  const ldSamples = await ldRefSampleCount(ldRef, ldFormat, cfg.ldRefSample);
  if (ldSamples < 2) throw new InputError('the LD reference needs at least 2 samples', { file: cfg.ldRefSample ?? ldRef });
  const ldSpill = new SpillSet(tmpDir, 'ldref', ldSamples);
  const lrec = new Uint16Array(ldSamples);
  const lstats: SourceStats = { rows: 0, multiallelic: 0, oneAllele: 0 };
  const wanted = (chr: string, pos: number) => {
    const kc = keptByChr.get(normChr(chr));
    return kc !== undefined && findPos(kc.base, pos) >= 0;
  };
  for await (const row of readDosages(ldRef, ldFormat, ldSamples, cfg.chr, lstats, wanted, cfg.ldRefSample, cfg.vcfDosage)) {
    const m = row.meta;
    const chr = normChr(m.chr);
    const kc = keptByChr.get(chr);
    if (!kc) continue;
    const c = kc.base;
    const i0 = findPos(c, m.pos);
    if (i0 < 0) continue;
    for (let i = i0; i < c.n && c.pos[i] === m.pos; i++) {
      const k = kc.keptOf[i];
      if (k < 0 || kc.ldRec[k] >= 0) continue;
      const kind = matchAlleles(c.a1[i], c.a2[i], m.a1, m.a2, true);
      if (kind === 'mismatch' || kind === 'ambiguous') continue;
      quantize(row.dosage, ldSamples, countsOtherAllele(kind), lrec);
      kc.ldRec[k] = ldSpill.append(chr, lrec);
      break;
    }
  }
  if (lstats.rows === 0) throw new InputError('no variants: the file is empty', { file: ldRef });
  ldSpill.finish();
  return { spill: ldSpill, samples: ldSamples, source: ldRef, multiallelic: lstats.multiallelic, oneAllele: lstats.oneAllele };
}

interface Clumped {
  /** Index variants, most significant first. */
  indexes: IndexOut[];
  /** Per threshold, each target sample's score. */
  scores: Float64Array[];
  clumpInput: number;
  pairs: number;
}

/** Clumping and scores, one chromosome at a time (memory: one chromosome's LD cache). */
function clumpAndScore(cfg: PrsConfig, keptByChr: Map<string, KeptChrom>, ld: LdData, targetSpill: SpillSet, N: number, counts: MatchCounts): Clumped {
  const maxT = cfg.thresholds[cfg.thresholds.length - 1].value;
  const scores = cfg.thresholds.map(() => new Float64Array(N));
  const indexes: IndexOut[] = [];
  let clumpInput = 0;
  let pairs = 0;
  const chrs = [...keptByChr.keys()].sort((a, b) => compareChrom(chrRank(a), a, chrRank(b), b));
  for (const chr of chrs) {
    const kc = keptByChr.get(chr)!;
    const c = kc.base;
    // Kept indices with LD data, sorted by position (then target order).
    const kl: number[] = [];
    for (let k = 0; k < kc.bi.length; k++) if (kc.ldRec[k] >= 0) kl.push(k);
    counts.notInLdRef += kc.bi.length - kl.length;
    if (kl.length === 0) continue;
    kl.sort((a, b) => c.pos[kc.bi[a]] - c.pos[kc.bi[b]] || kc.order[a] - kc.order[b]);
    clumpInput += kl.length;
    const result = clumpOne(cfg, chr, kc, kl, ld);
    pairs += result.pairs;
    for (let k = 0; k < result.index.length; k++) {
      const ki = kl[result.index[k]];
      indexes.push({ base: c, bi: kc.bi[ki], order: kc.order[ki], nClumped: result.nClumped[k] });
    }
    // Scores: the index variants below the largest threshold, in the order of their records (the
    // kept index is the record number in the target spill file).
    const scoring = result.index
      .map((i) => kl[i])
      .filter((k) => c.p[kc.bi[k]] < maxT)
      .sort((a, b) => a - b);
    if (scoring.length) addScores(cfg, chr, kc, scoring, targetSpill, N, scores);
  }
  indexes.sort((a, b) => comparePriority({ pos: 0, p: a.base.p[a.bi], log10p: a.base.log10p[a.bi], order: a.order }, { pos: 0, p: b.base.p[b.bi], log10p: b.base.log10p[b.bi], order: b.order }));
  return { indexes, scores, clumpInput, pairs };
}

/** Clump one chromosome's kept variants `kl` (sorted by position) with r2 from the LD spill file. */
function clumpOne(cfg: PrsConfig, chr: string, kc: KeptChrom, kl: number[], ld: LdData): ReturnType<typeof clumpChromosome> {
  const c = kc.base;
  const vars: ClumpVariant[] = kl.map((k) => ({ pos: c.pos[kc.bi[k]], p: c.p[kc.bi[k]], log10p: c.log10p[kc.bi[k]], order: kc.order[k] }));
  const radius = clumpRadius(cfg.clumpKb);
  const budget = cfg.memoryMB * (1 << 20);
  if (cfg.ldMethod === 'dosage') {
    const reader = ld.spill.reader(chr, budget, prepareDosage, 2 * ld.samples + 96);
    try {
      return clumpChromosome(vars, radius, cfg.clumpR2, (i, j) => {
        const a = reader.get(kc.ldRec[kl[i]]);
        return r2Dosage(a, reader.get(kc.ldRec[kl[j]]));
      });
    } finally {
      reader.close();
    }
  }
  const reader = ld.spill.reader(chr, budget, prepareHardCalls, ld.samples + 96);
  try {
    return clumpChromosome(vars, radius, cfg.clumpR2, (i, j) => {
      const a = reader.get(kc.ldRec[kl[i]]);
      return r2HardCallEm(a, reader.get(kc.ldRec[kl[j]]));
    });
  } finally {
    reader.close();
  }
}

/** Add the scoring index variants' BETA x A1 dosage (missing = 0) to each threshold's scores. */
function addScores(cfg: PrsConfig, chr: string, kc: KeptChrom, scoring: number[], targetSpill: SpillSet, N: number, scores: Float64Array[]): void {
  const c = kc.base;
  const T = cfg.thresholds.length;
  const reader = targetSpill.reader(chr, 0, prepareDosage, 2 * N);
  try {
    for (const k of scoring) {
      const q = reader.get(k);
      const beta = c.beta[kc.bi[k]];
      const p = c.p[kc.bi[k]];
      for (let t = 0; t < T; t++) {
        if (!(p < cfg.thresholds[t].value)) continue;
        const s = scores[t];
        for (let i = 0; i < N; i++) {
          const v = q[i];
          if (v !== MISSING_Q) s[i] += beta * (v / DOSAGE_UNIT);
        }
      }
    }
  } finally {
    reader.close();
  }
}

/** Each threshold's score tested against the phenotype, adjusted for the covariates. */
function testScores(cfg: PrsConfig, pheno: PhenoData, clumped: Clumped, warnings: string[]): ThresholdResult[] {
  const { y, cov, used } = pheno;
  const covUsed = cov.map((c) => gather(c.values, used));
  const model = new ScoreModel(gather(y, used), covUsed);
  const bmodel = pheno.binary ? new BinaryScoreModel(gather(y, used), covUsed, cfg.prevalence) : null;
  if (bmodel && !bmodel.nullOk) warnings.push('the covariate-only logistic model does not converge (separated covariates?): statistics are NA');
  for (const d of model.proj.dropped) {
    warnings.push(`covariate '${cov[d.index].name}' is ${d.reason === 'constant' ? 'constant' : 'collinear with earlier covariates'} among the ${used.length} samples used: dropped`);
  }
  const results: ThresholdResult[] = cfg.thresholds.map((th, t) => {
    const nSnp = clumped.indexes.filter((x) => x.base.p[x.bi] < th.value).length;
    const sc = nSnp > 0 ? gather(clumped.scores[t], used) : new Float64Array(used.length);
    const fit = bmodel ? bmodel.fit(sc) : model.fit(sc);
    return { ...fit, threshold: th, nSnp };
  });
  for (const r of results) if (r.nSnp === 0) warnings.push(`no index variant has P < ${r.threshold.text}: its score is 0 for everyone and its statistics are NA`);
  const maxT = cfg.thresholds[cfg.thresholds.length - 1].value;
  if (maxT > cfg.clumpP) warnings.push(`thresholds above --clump-p ${cfg.clumpP} add no variants: only variants with P <= --clump-p are clumped`);
  return results;
}

/** Write the clumped table, scores, summary and bar chart; each committed only when all are written. */
async function writeOutputs(cfg: PrsConfig, samples: SampleId[], pheno: PhenoData, clumped: Clumped, results: ThresholdResult[], outputs: OutputFile[]): Promise<ReturnType<typeof outputPaths>> {
  const { indexes, scores } = clumped;
  const { cov, used, phenoName } = pheno;
  const paths = outputPaths(cfg.out);
  const d = cfg.digits;
  const open = (p: string) => {
    const o = createOutput(p, 'none');
    outputs.push(o);
    return o;
  };
  const clumpedOut = open(paths.clumped);
  await writeLines(
    clumpedOut,
    ['CHR\tSNP\tBP\tA1\tA2\tBETA\tP\tN_CLUMPED'],
    indexes.map(({ base: b, bi: i, nClumped }) => {
      return `${b.chr}\t${b.snp[i]}\t${b.pos[i]}\t${b.a1[i]}\t${b.a2[i]}\t${fmtG(b.beta[i], d)}\t${fmtG(b.p[i], d)}\t${nClumped}`;
    }),
  );
  const scoresOut = open(paths.scores);
  await writeLines(
    scoresOut,
    [['FID', 'IID', ...cfg.thresholds.map((t) => `P_${t.text}`)].join('\t')],
    samples.map((s, i) => {
      return [s.fid ?? s.iid, s.iid, ...scores.map((sc) => fmtG(sc[i], Math.max(d, 10)))].join('\t');
    }),
  );
  const summaryOut = open(paths.summary);
  const liab = cfg.prevalence !== undefined;
  await writeLines(
    summaryOut,
    ['THRESHOLD\tN_SNP\tR2\tPARTIAL_R2\tP\tBETA\tSE' + (liab ? '\tLIABILITY_R2' : '')],
    results.map((r) =>
      [r.threshold.text, r.nSnp, fmtG(r.r2, d), fmtG(r.partialR2, d), fmtPFromLog(r.logp, d), fmtG(r.beta, d), fmtG(r.se, d), ...(liab ? [fmtG(r.liabilityR2 ?? NaN, d)] : [])].join('\t'),
    ),
  );
  const svg = barChartSvg(
    results.map((r) => ({ label: r.threshold.text, r2: r.r2, logp: r.logp, nSnp: r.nSnp })),
    `Polygenic score: variance explained in ${phenoName}`,
    `${used.length} samples; clumped at r² > ${cfg.clumpR2} within ${cfg.clumpKb} kb (${indexes.length} index variants)${cov.length ? `; adjusted for ${cov.map((c) => c.name).join(', ')}` : ''}`,
  );
  const svgOut = open(paths.svg);
  await writeLines(svgOut, [], [svg.trimEnd()]);
  const pngOut = open(paths.png);
  const png = svgToPng(svg);
  await writeAsync(pngOut.stream, png);
  await commitAll(outputs);
  return paths;
}

async function writeLines(o: OutputFile, head: string[], lines: string[]): Promise<void> {
  let buf = head.length ? head.join('\n') + '\n' : '';
  for (const l of lines) {
    buf += l + '\n';
    if (buf.length > 1 << 16) {
      await writeAsync(o.stream, encodeBytes(buf));
      buf = '';
    }
  }
  if (buf) await writeAsync(o.stream, encodeBytes(buf)); // sample IDs keep their bytes (15.6)
}

function gatherInto(v: Float64Array, idx: Int32Array, out: Float64Array): Float64Array {
  for (let i = 0; i < idx.length; i++) out[i] = v[idx[i]];
  return out;
}

function gather(v: Float64Array, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = v[idx[i]];
  return out;
}

interface PhenoData {
  y: Float64Array;
  /** Case/control (y is 1/0): logistic fits. */
  binary: boolean;
  cov: { name: string; values: Float64Array }[];
  /** Target-sample indices with the phenotype and every covariate. */
  used: Int32Array;
  phenoName: string;
}

async function phenotypes(cfg: PrsConfig, samples: SampleId[], warnings: string[]): Promise<PhenoData> {
  const pt = await readNumericTable(cfg.pheno, cfg.phenoName ? [cfg.phenoName] : undefined, 'phenotype');
  if (pt.names.length > 1) {
    throw new UsageError(`${cfg.pheno} has ${pt.names.length} phenotype columns (${pt.names.join(', ')}): choose one with --pheno-name`);
  }
  const pal = alignTable(samples, pt);
  if (pal.matched === 0) {
    throw new InputError(`no sample id matches the ${samples.length} samples of ${cfg.sample} (first there: '${displayId(samples[0])}', first here: '${pt.ids[0] ? displayId(pt.ids[0]) : 'none'}')`, {
      file: cfg.pheno,
    });
  }
  const selected = cfg.keep !== undefined || cfg.remove !== undefined ? ' kept by --keep/--remove' : '';
  if (pal.matched < pt.ids.length) warnings.push(`${pt.ids.length - pal.matched} of ${pt.ids.length} rows of ${cfg.pheno} match no target sample${selected}`);
  const cls = cfg.quantitative ? { kind: 'qt' as const, values: pt.values[0] } : classifyPhenotype(pt.names[0], pt.values[0], pt.lines, cfg.pheno, cfg.one ?? false);
  const y = alignedColumn({ ...pt, values: [cls.values] }, 0, pal);
  const cov: PhenoData['cov'] = [];
  if (cfg.covar) {
    const ct = await readNumericTable(cfg.covar, cfg.covarNames?.length ? cfg.covarNames : undefined, 'covariate');
    const cal = alignTable(samples, ct);
    if (cal.matched === 0) throw new InputError(`no sample id matches the ${samples.length} samples of ${cfg.sample}`, { file: cfg.covar });
    if (cal.matched < ct.ids.length) warnings.push(`${ct.ids.length - cal.matched} of ${ct.ids.length} rows of ${cfg.covar} match no target sample${selected}`);
    ct.names.forEach((name, j) => cov.push({ name, values: alignedColumn(ct, j, cal) }));
  }
  const idx: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    if (Number.isNaN(y[i])) continue;
    if (cov.some((c) => Number.isNaN(c.values[i]))) continue;
    idx.push(i);
  }
  if (idx.length < cov.length + 3) {
    throw new InputError(`only ${idx.length} samples have the phenotype${cov.length ? ' and every covariate' : ''}; need at least ${cov.length + 3}`, { file: cfg.covar ?? cfg.pheno });
  }
  const binary = cls.kind === 'cc';
  if (binary) {
    let cases = 0;
    for (const i of idx) cases += y[i];
    if (cases === 0 || cases === idx.length)
      throw new InputError(`case/control phenotype ${pt.names[0]}: all ${idx.length} samples used are ${cases ? 'cases' : 'controls'}${cases ? '' : ' (0/1-coded? give --1)'}`, { file: cfg.pheno });
  }
  return { y, cov, used: Int32Array.from(idx), phenoName: pt.names[0], binary };
}

export function summaryLines(cfg: PrsConfig, s: PrsSummary): string[] {
  const c = s.counts;
  const dropped = [
    c.ambiguousDropped ? `${c.ambiguousDropped} strand-ambiguous (A/T, C/G)` : '',
    c.alleleMismatch ? `${c.alleleMismatch} with other alleles` : '',
    c.notInTarget ? `${c.notInTarget} not in the target` : '',
    c.naRows ? `${c.naRows} NA rows` : '',
    c.duplicateRows ? `${c.duplicateRows} duplicate rows` : '',
  ].filter(Boolean);
  const matched = c.same + c.swapped + c.strandFlipped;
  const out = [
    `dosageflow prs: ${c.baseRows + c.naRows + c.duplicateRows} base rows, ${s.targetVariants} target variants (${s.targetSamples} samples) in ${s.seconds.toFixed(2)} s`,
    `  matched ${matched} (${c.same} same alleles, ${c.swapped} A1/A2 swapped, ${c.strandFlipped} strand-flipped${c.ambiguousKept ? `, ${c.ambiguousKept} ambiguous kept` : ''})${dropped.length ? `; skipped ${dropped.join(', ')}` : ''}${s.multiallelicSkipped ? `; ${s.multiallelicSkipped} multi-allelic bgen variants ignored` : ''}${s.oneAlleleSkipped ? `; ${s.oneAlleleSkipped} one-allele bgen variants (no ALT) ignored` : ''}`,
    ...(s.selection ? [`  selection: ${s.selection}${cfg.extract !== undefined || cfg.exclude !== undefined ? ' (variants: of the target variants at base positions)' : ''}`] : []),
    `  clumping: ${s.clumpInput} variants with P <= ${cfg.clumpP}${c.aboveClumpP ? ` (${c.aboveClumpP} above)` : ''}${c.notInLdRef ? `, ${c.notInLdRef} not in the LD reference` : ''}; r2 > ${cfg.clumpR2} (${cfg.ldMethod}) within ${cfg.clumpKb} kb over ${s.ldSamples} ${s.ldSource === 'target' ? 'target' : 'reference'} samples -> ${s.indexVariants} index variants`,
    `  association: ${s.samplesUsed} samples with the phenotype${cfg.covar ? ' and covariates' : ''}${s.binary ? ' (case/control: logistic regression; R2 = Nagelkerke R2 over the covariate-only model)' : ''}`,
  ];
  for (const r of s.results) {
    out.push(
      `    P < ${r.threshold.text}: ${r.nSnp} SNPs, R2 ${fmtG(r.r2, 4)} (partial ${fmtG(r.partialR2, 4)}${r.liabilityR2 !== undefined && cfg.prevalence !== undefined ? `, liability ${fmtG(r.liabilityR2, 4)}` : ''}), P ${fmtPFromLog(r.logp, 4)}`,
    );
  }
  out.push(`  -> ${s.outputs.join(', ')}`);
  return out;
}
