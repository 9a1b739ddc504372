// The assoc pipeline. Main thread: read -> decompress -> cut at line boundaries -> hand chunks to
// the Piscina pool (a bounded window of chunks in flight: the reader waits when it is full) ->
// restore order by sequence number -> genome-sorted writers. Workers parse and regress.
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { DecodeError, FileError, InputError, UsageError } from '../errors.js';
import { openFilesLimit, threadsUnderLimit } from '../io/limits.js';
import type { BgenHeader } from '../formats/bgen/index.js';
import { listBgiOffsets } from '../formats/bgen/index.js';
import { bgenChunks, bgenIndexedChunks, bgiEntriesFor, readBgenHeader, verifyBgi, type BgenChunk } from './bgen-source.js';
import { parseFamSexes, parseNumericTable, parseSampleFile, psamSexCode, readNumericTable, alignTable, alignedColumn, type SampleId, displayId } from '../formats/tables.js';
import { openInput, readTextFile, sniffCompression } from '../io/input.js';
import { showBytes } from '../io/text.js';
import { commitAll, suffixFor, type OutCompression, type OutputFile } from '../io/output.js';
import { checkOutputDir, makeRunDir, tmpBaseFor } from '../io/run-dir.js';
import { MedianAccumulator } from '../stats/median.js';
import { CHI2_1_MEDIAN, medianChi2 } from '../stats/distributions.js';
import type { AssocModel, NamedColumn } from '../stats/model.js';
import type { FirthMode } from '../stats/logistic.js';
import { buildAlignedModel, classifyPhenotypes, unstableCovariateScale } from '../stats/logistic-model.js';
import { buildSexChromosomeModel, sexChromosomeInput, type SexChromosomeInput } from '../stats/chrx-model.js';
import { NA_REASONS } from '../stats/gram.js';
import type { Filters, Region, WorkerInit, WorkerRequest, WorkerResponse } from '../workers/protocol.js';
import { chunkLines, countLines, sliceLines } from './chunker.js';
import { SLACK, fileLineChunks } from '../io/line-chunks.js';
import { GenArena } from './gen-arena.js';
import { BufferPool, OrderedWindow } from './ordered-window.js';
import { wasmDisabled } from '../wasm/modules.js';
import { GenomeSorter } from './sorter.js';
import { releaseNewSpace } from './nursery.js';
import { inputsAreXYOnly, xyOnlyUnknownNote } from './xy-only.js';
import { indexedSegments, openVcf, segmentChunks, VCF_BGZF_CHUNK, vcfIndexFor, VcfStitcher, type VcfChunk, type VcfSource } from './vcf-source.js';
import { RowFormatter } from '../workers/rows.js';
import { RowConverter, convertNote, genomeBuildName, ssfMetaPath, ssfMetaYaml, tableFileName, type TableFormat } from '../formats/out-format.js';
import { createOutput } from '../io/output.js';
import { versionInfo } from '../version.js';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { InfoFilter, VcfDosage } from '../formats/vcf/decode.js';
import { firstLine as firstLineOf, genFileLayout, type GenFileLayout } from '../formats/gen/layout.js';
import { extractKeptNoneNote, readVariantIds, selectSamples, selectionSummary } from '../formats/select.js';

// Bytes of input per work unit: docs/decisions/0001-chunk-sizes.md.
export const GEN_CHUNK = 4 << 20;
export const BGEN_CHUNK = 1 << 20;
/** Chunks queued at a worker at once, .gen; BGEN keeps 1: docs/decisions/0002-window-of-chunks-in-flight.md. */
const GEN_TASKS_PER_WORKER = 3;
/** BGZF VCF chunks queued at a worker at once (docs/decisions/0002-window-of-chunks-in-flight.md, session 12). */
const VCF_TASKS_PER_WORKER = 2;
/** Open files of a run besides its tables: stdio, inputs, log, spills, worker threads' event loops. */
const OPEN_FILES_BESIDES = 64;

export const OUTPUT_HEADER = 'CHR\tSNP\tBP\tA1\tA2\tFRQ\tINFO\tN\tBETA\tSE\tT\tP\tLOG10P';
/** Case/control phenotypes: logistic regression (Firth where it fails), BETA = ln(odds ratio). */
export const LOGISTIC_HEADER = 'CHR\tSNP\tBP\tA1\tA2\tFRQ\tINFO\tN\tN_CASE\tN_CTRL\tFRQ_CASE\tFRQ_CTRL\tBETA\tSE\tZ\tP\tLOG10P\tFIRTH';

export interface AssocConfig {
  gen: string[];
  bgen: string[];
  /** VCF files (bgzip, gzip or plain); samples from the #CHROM line. */
  vcf?: string[];
  /** --vcf-dosage: the FORMAT field to use (default DS, else GP, else HDS, else GT). */
  vcfDosage?: VcfDosage;
  /** --extract-if-info on a VCF INFO key. */
  infoFilter?: InfoFilter;
  /** Oxford .sample; optional when every BGEN file carries sample identifiers. */
  sample?: string;
  /** Skip multi-allelic BGEN variants instead of testing each ALT allele against the rest. */
  biallelicOnly: boolean;
  pheno: string;
  phenoNames?: string[];
  covar?: string;
  covarNames?: string[];
  /** plink2's --1: case/control phenotypes coded 0 = control, 1 = case (default 1/2, 0 missing). */
  one?: boolean;
  /** Phenotypes run as quantitative even when coded as case/control. */
  phenoQuantitative?: string[];
  /** Logistic fits: Firth as fallback (default), always (--firth), never (--no-firth). */
  firth?: FirthMode;
  chr?: string;
  /**
   * Dosage precision: 'plink2' rounds to 1/16384 as plink2 stores dosages; 'exact' uses the
   * probabilities as decoded. Default: plink2's quanta wherever plink2 reads the shape (.gen, VCF,
   * BGEN diploid biallelic up to 28 bits), so results equal plink2's; other BGEN shapes as decoded.
   */
  dosagePrecision?: 'plink2' | 'exact';
  out: string;
  compress: OutCompression;
  /** --format: the tables' layout (default our own; formats/out-format.ts). */
  format?: TableFormat;
  /** --genome-build, for GWAS-SSF's metadata (genome_assembly). */
  genomeBuild?: string;
  threads: number;
  /** Bytes of input per work unit; default GEN_CHUNK for .gen, BGEN_CHUNK for BGEN. */
  chunkSize?: number;
  filters: Filters;
  /** plink2's --max-corr and --vif (defaults 0.999 and 50). */
  maxCorr?: number;
  /** plink2's --covar-variance-standardize: covariates to mean 0, variance 1 (see varianceStandardize). */
  covarVarianceStandardize?: boolean;
  /** plink2's --glm no-x-sex: no sex covariate on chrX (stats/chrx-model.ts). */
  noXSex?: boolean;
  /** A plink2 .psam whose SEX column gives the samples' sexes (over the .sample's). */
  psam?: string;
  vif?: number;
  regions: Region[];
  /** --keep / --remove (plink sample lists) and --extract / --exclude (variant ID lists): files. */
  keep?: string;
  remove?: string;
  extract?: string;
  exclude?: string;
  /** The index-th (1-based) of count near-equal contiguous slices of each input's variants. */
  shard?: { index: number; count: number };
  digits: number;
  memoryMB: number;
  tmpDir?: string;
  progress: boolean;
  /** Where to write the closing summary (stderr by default). */
  log?: (line: string) => void;
}

export interface PhenoSummary {
  name: string;
  /** Case/control phenotypes: cases, controls and Firth fits. */
  cc?: { cases: number; controls: number; firth: number };
  samples: number;
  tested: number;
  na: number;
  /** NA rows by reason (plink2's ERRCODE names: CONST_OMITTED_ALLELE, CORR_TOO_HIGH, VIF_TOO_HIGH, ...). */
  naReasons: Record<string, number>;
  filteredInfo: number;
  filteredMaf: number;
  lambda: number;
  output: string;
  /** What --format left out of the table ('' when nothing), for the summary. */
  formatNote?: string;
}

export interface AssocSummary {
  matching: string;
  variantsRead: number;
  outsideRegions: number;
  multiallelicSkipped: number;
  /** BGEN variants with a single allele (no ALT allele), not tested. */
  oneAlleleSkipped: number;
  /** What --keep/--remove/--extract/--exclude removed ('' without them). */
  selection: string;
  files: number;
  seconds: number;
  phenos: PhenoSummary[];
  warnings: string[];
  sampleCount: number;
  sortedInput: boolean;
  /** VCF records removed by --extract-if-info, and records whose dosages came from GT only. */
  infoFiltered?: number;
  gtOnly?: number;
  /** How chrX and chrY were modelled where the sexes changed their models. */
  sexChromosomes?: string[];
}

const WORKER_FILE = fileURLToPath(new URL('../workers/assoc-entry.cjs', import.meta.url));

interface Prepared {
  model: AssocModel;
  warnings: string[];
  /** How the tables matched the genotyped samples, for the summary. */
  matching: string;
  /** Covariate names as read (GWAS-SSF metadata: adjusted_covariates). */
  covariates: string[];
  /** The columns of chrX's model (sex a covariate, as plink2 --glm adds it) and chrY's (known males): stats/chrx-model.ts. */
  sexChromosomes?: SexChromosomeInput;
}

/**
 * The genotype samples, in file order: from --sample, else from the BGEN sample-identifier block.
 * Every BGEN file must have that many samples, and identifiers that agree with --sample.
 */
export async function resolveSamples(
  cfg: Pick<AssocConfig, 'sample' | 'bgen' | 'gen'>,
  headers: Map<string, BgenHeader>,
  vcfs: Pick<VcfSource, 'file' | 'samples' | 'headerLines'>[] = [],
): Promise<SampleId[]> {
  let samples: SampleId[] | undefined;
  let from = cfg.sample;
  if (cfg.sample) {
    samples = parseSampleFile(await readTextFile(cfg.sample), cfg.sample);
    if (samples.length === 0) throw new InputError('no samples listed', { file: cfg.sample });
  }
  // VCF: the #CHROM line's names are IIDs; every VCF (and --sample) must list the same, in order.
  for (const v of vcfs) {
    if (!samples) {
      samples = v.samples.map((iid) => ({ iid }));
      from = v.file;
      continue;
    }
    if (v.samples.length !== samples.length) throw new InputError(`${v.samples.length} samples in the #CHROM line, but ${from} lists ${samples.length}`, { file: v.file, line: v.headerLines });
    for (let i = 0; i < samples.length; i++) {
      const id = v.samples[i];
      const s = samples[i];
      if (id !== s.iid && id !== `${s.fid}_${s.iid}`)
        throw new InputError(`sample ${i + 1} is '${showBytes(id)}' in the #CHROM line but '${displayId(s)}' in ${from}`, { file: v.file, line: v.headerLines });
    }
  }
  for (const [file, h] of headers) {
    if (!samples) {
      if (!h.sampleIds) throw new UsageError(`${file} has no sample identifiers: give --sample FILE`);
      samples = h.sampleIds.map((iid) => ({ iid }));
      from = file;
      continue;
    }
    if (h.nSamples !== samples.length) {
      throw new InputError(`${h.nSamples} samples, but ${from} lists ${samples.length}`, { file });
    }
    if (h.sampleIds) {
      for (let i = 0; i < samples.length; i++) {
        const id = h.sampleIds[i];
        const s = samples[i];
        if (id !== s.iid && id !== s.fid && id !== `${s.fid}_${s.iid}`) {
          throw new InputError(`sample ${i + 1} is '${showBytes(id)}' in the file's identifier block but '${displayId(s)}' in ${from}`, { file, byteOffset: 24 });
        }
      }
    }
  }
  if (!samples) throw new UsageError('give the samples with --sample FILE');
  return samples;
}

/**
 * Read the phenotype and covariate tables, align them to the samples and build the model. Samples
 * outside `mask` (--keep/--remove) get missing phenotypes, so no test uses them.
 */
export async function prepareModel(
  samples: SampleId[],
  cfg: Pick<AssocConfig, 'sample' | 'pheno' | 'phenoNames' | 'covar' | 'covarNames' | 'one' | 'phenoQuantitative' | 'firth' | 'maxCorr' | 'vif' | 'covarVarianceStandardize' | 'noXSex'>,
  mask?: Uint8Array,
): Promise<Prepared> {
  const warnings: string[] = [];
  const pt = await readNumericTable(cfg.pheno, cfg.phenoNames, 'phenotype');
  const pal = alignTable(samples, pt);
  if (pal.matched === 0) {
    throw new InputError(`no sample id matches the ${samples.length} genotyped samples (first there: '${displayId(samples[0])}', first here: '${pt.ids[0] ? displayId(pt.ids[0]) : 'none'}')`, {
      file: cfg.pheno,
    });
  }
  if (pal.matched < pt.ids.length) warnings.push(`${pt.ids.length - pal.matched} of ${pt.ids.length} rows of ${cfg.pheno} match no genotyped sample`);
  const align = (v: Float64Array) => {
    const a = alignedColumn({ ...pt, values: [v] }, 0, pal);
    if (mask) for (let i = 0; i < mask.length; i++) if (mask[i] === 0) a[i] = NaN;
    return a;
  };
  const covars: NamedColumn[] = [];
  let covMatched = 0;
  if (cfg.covar) {
    const ct = await readNumericTable(cfg.covar, cfg.covarNames, 'covariate');
    const cal = alignTable(samples, ct);
    if (cal.matched === 0) throw new InputError(`no sample id matches the ${samples.length} genotyped samples`, { file: cfg.covar });
    if (cal.matched < ct.ids.length) warnings.push(`${ct.ids.length - cal.matched} of ${ct.ids.length} rows of ${cfg.covar} match no genotyped sample`);
    ct.names.forEach((name, j) => covars.push({ name, values: alignedColumn(ct, j, cal) }));
    covMatched = cal.matched;
  }
  const mixed = {
    one: cfg.one ?? false,
    quantitative: cfg.phenoQuantitative ?? [],
    firth: cfg.firth ?? 'fallback',
    file: cfg.pheno,
    lines: pt.lines,
    raw: pt.values,
    align,
    maxCorr: cfg.maxCorr,
    vif: cfg.vif,
  };
  const cols = classifyPhenotypes(pt.names, mixed);
  // --covar-variance-standardize, or covariate scales plink2 refuses for a case/control phenotype (the
  // logistic fits fail plink2's variance floor of 1e-20 on a covariate in the 1e10s otherwise): the
  // covariates standardized once, after the phenotypes are classified (which does not read them).
  const unstable = cfg.covarVarianceStandardize || !covars.length ? undefined : cols.find((c) => c.kind === 'cc' && unstableCovariateScale(c.values, covars));
  if (cfg.covarVarianceStandardize || unstable) for (const c of covars) varianceStandardize(c.values, mask);
  if (unstable) {
    warnings.push(
      `covariate scales vary too widely for plink2's logistic regression (phenotype ${unstable.name}: plink2 stops and suggests --covar-variance-standardize): covariates standardized as --covar-variance-standardize does, so results equal plink2's run with it`,
    );
  }
  const model = buildAlignedModel(samples.length, cols, covars, mixed, cfg.covar);
  warnings.push(...model.warnings);
  const sexChromosomes = sexChromosomeInput(
    model,
    cols,
    covars,
    samples.map((s) => s.sex),
    { ...mixed, noXSex: cfg.noXSex },
  );
  const by = samples[0]?.fid !== undefined && pt.ids[0]?.fid !== undefined ? 'FID+IID' : 'IID';
  let matching = `${pal.matched} of ${samples.length} genotyped samples have a row in ${cfg.pheno} (matched on ${by})`;
  if (cfg.covar) matching += `, ${covMatched} in ${cfg.covar}`;
  return { model, warnings, matching, covariates: covars.map((c) => c.name), sexChromosomes };
}

/**
 * --psam: the samples' sexes from a plink2 .psam's SEX column (1/M/m male, 2/F/f female, anything
 * else or an absent sample unknown, as plink2), matched as the phenotype tables are; they replace a .sample's.
 */
async function readSexes(samples: SampleId[], file: string): Promise<void> {
  const text = await readTextFile(file);
  // A .psam has a header (#IID / #FID IID); a .fam, which plink2 --psam takes too, none.
  const t = /^\s*#?(FID|IID)\s/i.test(text) ? parseNumericTable(text, file, ['SEX'], 'sex', psamSexCode) : parseFamSexes(text, file);
  const al = alignTable(samples, t);
  if (al.matched === 0) throw new InputError(`no sample id matches the ${samples.length} genotyped samples`, { file });
  samples.forEach((s, i) => {
    const v = al.rowOf[i] < 0 ? NaN : t.values[0][al.rowOf[i]];
    s.sex = v === 1 || v === 2 ? v : undefined;
  });
}

/**
 * The sex chromosomes' lines of the summary, and their warnings: chrX with sex as a covariate
 * (plink2's default), chrY on the known males, or why they could not be tested. The models are
 * built again here only for their messages (the workers built theirs from the same columns).
 */
function sexChromosomeNotes(
  counts: { chrX: number; chrY: number; variantsRead: number },
  input: SexChromosomeInput | undefined,
  mainWarnings: string[],
  sampleFile?: string,
): { lines: string[]; warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  const file = sampleFile ?? 'the sample file';
  if (!input) return { lines, warnings };
  for (const chr of ['X', 'Y'] as const) {
    const n = chr === 'X' ? counts.chrX : counts.chrY;
    const x = n === 0 ? null : buildSexChromosomeModel(input, chr);
    if (x === null) continue;
    const how = chr === 'X' ? `sex (from ${file}) as a covariate there, as plink2 --glm does (--no-x-sex leaves it out)` : `only the samples ${file} says are male, as plink2 --glm`;
    const variants = `${n} chr${chr} variant${n === 1 ? '' : 's'}`;
    if ('error' in x) {
      warnings.push(`${variants} not tested: with ${how}, ${x.error}`);
      continue;
    }
    warnings.push(...x.model.warnings.filter((w) => !mainWarnings.includes(w)).map((w) => `chr${chr}: ${w}`));
    const missing = input.phenos.filter((p) => !x.model.phenoNames.includes(p.name)).map((p) => p.name);
    if (missing.length) warnings.push(`chr${chr}: phenotype${missing.length === 1 ? '' : 's'} ${missing.join(', ')} not tested there`);
    lines.push(`${variants}: ${how}`);
    const xyNote = chr === 'X' && x.own.some((o) => o === 1) ? xyOnlyUnknownNote(counts.chrX + counts.chrY, counts.variantsRead, input.xyOnly) : null;
    if (xyNote !== null) warnings.push(xyNote);
  }
  return { lines, warnings };
}

/**
 * plink2's --covar-variance-standardize, in its order of operations: over the samples kept (mask)
 * with a value, shift by the first value, mean and sum of squares, then (v - mean) / sd. Results do
 * not change mathematically; the covariates plink2's single-precision logistic iteration sees do,
 * and with them some FIRTH flags (docs/logistic.md). A constant covariate is left as it is.
 */
export function varianceStandardize(v: Float64Array, mask?: Uint8Array): void {
  const keep = (i: number) => v[i] === v[i] && (!mask || mask[i] !== 0);
  let first = -1;
  let ct = 0;
  let sum = 0;
  let ssq = 0;
  for (let i = 0; i < v.length; i++) {
    if (!keep(i)) continue;
    ct++;
    if (first < 0) {
      first = i;
      continue;
    }
    const d = v[i] - v[first];
    sum += d;
    ssq += d * d;
  }
  if (ct < 2) return;
  const shift = v[first];
  const mean = sum / ct;
  const numer = ssq - sum * mean;
  if (!(numer > 0)) return;
  const recip = Math.sqrt((ct - 1) / numer);
  for (let i = 0; i < v.length; i++) if (keep(i)) v[i] = (v[i] - shift - mean) * recip;
}

export function outputPathFor(prefix: string, pheno: string, c: OutCompression, format: TableFormat = 'dosageflow', logistic = false, firth: FirthMode = 'fallback'): string {
  return tableFileName(prefix, pheno, format, logistic, firth) + suffixFor(c);
}

/** Each phenotype's table stays open during the run: say so before starting when `ulimit -n` is too low. */
function checkOpenFiles(phenos: number, file: string): void {
  const limit = openFilesLimit();
  const need = 2 * phenos + OPEN_FILES_BESIDES;
  if (limit !== null && need > limit) {
    throw new FileError(
      `${phenos} phenotypes need up to ${need} open files (a table and a median spill file each, and the inputs), but \`ulimit -n\` is ${limit}: raise it (\`ulimit -n ${need}\`) or select fewer with --pheno-name`,
      { file },
    );
  }
}

export async function runAssoc(cfg: AssocConfig): Promise<AssocSummary> {
  const t0 = process.hrtime.bigint();
  const log = cfg.log ?? ((s: string) => process.stderr.write(s + '\n'));
  cfg = { ...cfg, threads: threadsUnderLimit(cfg.threads, (w) => log(`dosageflow: warning: ${w}`)) }; // ulimit -v (15.18)
  const headers = new Map<string, BgenHeader>();
  for (const f of cfg.bgen) headers.set(f, await readBgenHeader(f));
  // VCF headers are read first (the samples); each source continues from there in its turn.
  const vcfs: VcfSource[] = [];
  try {
    for (const f of cfg.vcf ?? []) vcfs.push(await openVcf(f));
    return await runOpened(cfg, log, t0, headers, vcfs);
  } catch (e) {
    // An error before the VCFs are read (a phenotype column misnamed): close them now, not at
    // garbage collection (Node's warning after the one-line message).
    await Promise.all(vcfs.map((v) => v.close().catch(() => {})));
    throw e;
  }
}

async function runOpened(cfg: AssocConfig, log: (s: string) => void, t0: bigint, headers: Map<string, BgenHeader>, vcfs: VcfSource[]): Promise<AssocSummary> {
  const samples = await resolveSamples(cfg, headers, vcfs);
  if (cfg.psam) await readSexes(samples, cfg.psam);
  const sel = await selectSamples(samples, cfg);
  const { model, warnings, matching, covariates, sexChromosomes } = await prepareModel(samples, cfg, sel.mask);
  if (sexChromosomes?.x) sexChromosomes.xyOnly = await inputsAreXYOnly(cfg);
  warnings.unshift(...sel.warnings);
  for (const w of warnings) log(`dosageflow: warning: ${w}`);
  if (cfg.out === '-' && model.phenoNames.length !== 1) {
    throw new InputError(`--out - writes one phenotype to stdout, but ${model.phenoNames.length} were selected (${model.phenoNames.join(', ')}): choose one with --pheno-name`, { file: cfg.pheno });
  }
  checkOpenFiles(model.phenoNames.length, cfg.pheno);
  // The prefix's directory is created, as report creates its own (--out res/x makes res/).
  checkOutputDir(cfg.out, { create: true });
  const tmp = makeRunDir(tmpBaseFor(cfg.out, cfg.tmpDir), '.dosageflow-tmp-');
  const outputs = new PhenoOutputs(cfg, model, tmp.path, covariates);
  const plan = planWorkers(cfg, model, samples.length, sexChromosomes);
  if (cfg.extract !== undefined) plan.init.extract = await readVariantIds(cfg.extract);
  if (cfg.exclude !== undefined) plan.init.exclude = await readVariantIds(cfg.exclude);
  releaseNewSpace();
  const pool = startPool(plan);
  const run = newRun(cfg, plan, pool.pool, outputs, headers);
  const progress = cfg.progress ? startProgress(() => run, progressTotal(cfg, headers)) : null;
  try {
    for (const file of cfg.gen) await runInput(run, 'gen', file);
    for (const file of cfg.bgen) await runInput(run, 'bgen', file);
    for (const v of vcfs) await runInput(run, 'vcf', v.file, v);
    await outputs.finish();
  } catch (e) {
    outputs.abort();
    throw e;
  } finally {
    progress?.stop();
    outputs.close();
    tmp.remove();
    // A result arriving at a destroyed pool is an unhandled error in Piscina: settle them first.
    await run.window?.settle();
    await pool.pool.destroy();
  }
  if (pool.error()) throw pool.error();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (run.gtOnly) {
    warnings.push(`${run.gtOnly} VCF variant${run.gtOnly === 1 ? '' : 's'} had no DS, GP or HDS: dosages from the GT hard calls`);
    log(`dosageflow: warning: ${warnings[warnings.length - 1]}`);
  }
  const xNote = sexChromosomeNotes(run, sexChromosomes, warnings, cfg.psam ?? cfg.sample);
  const noneKept = extractKeptNoneNote(cfg.extract, run.removed.notExtracted, Math.max(0, ...outputs.summaries.map((p) => p.tested + p.na + p.filteredInfo + p.filteredMaf)));
  if (noneKept !== null) xNote.warnings.push(noneKept);
  for (const w of xNote.warnings) {
    warnings.push(w);
    log(`dosageflow: warning: ${w}`);
  }
  const summary: AssocSummary = {
    matching,
    variantsRead: run.variantsRead,
    outsideRegions: run.outside,
    multiallelicSkipped: run.skipped,
    oneAlleleSkipped: run.oneAllele,
    selection: selectionSummary(sel, run.removed, cfg),
    files: cfg.gen.length + cfg.bgen.length + vcfs.length,
    seconds,
    phenos: outputs.summaries,
    warnings,
    sampleCount: samples.length,
    sortedInput: outputs.sortedInput,
    infoFiltered: run.infoFiltered,
    gtOnly: run.gtOnly,
    sexChromosomes: xNote.lines,
  };
  for (const line of summaryLines(summary)) log(line);
  return summary;
}

/** One phenotype's sorted table and median accumulator, and its summary counts. */
class PhenoOutputs {
  readonly summaries: PhenoSummary[];
  private readonly sorters: GenomeSorter[];
  private readonly medians: MedianAccumulator[];

  private readonly format: TableFormat;

  constructor(
    private readonly cfg: AssocConfig,
    model: AssocModel,
    tmpDir: string,
    private readonly covariates: string[],
  ) {
    const toStdout = cfg.out === '-';
    const perPhenoMem = Math.max(1 << 10, Math.floor((cfg.memoryMB * (1 << 20)) / model.phenoNames.length));
    const isCc = model.phenoNames.map((_, j) => model.logistic?.some((g) => g.pheno === j) ?? false);
    const format = (this.format = cfg.format ?? 'dosageflow');
    // Other formats: rows carry an ERRCODE column, and the finished table is rewritten (formats/out-format.ts).
    const own = format === 'dosageflow';
    const convert = own ? undefined : () => new RowConverter(format, cfg.digits, cfg.firth);
    const outPath = (name: string, j: number) => (toStdout ? '-' : outputPathFor(cfg.out, name, cfg.compress, format, isCc[j], cfg.firth));
    this.sorters = model.phenoNames.map(
      (name, j) =>
        new GenomeSorter({
          header: (isCc[j] ? LOGISTIC_HEADER : OUTPUT_HEADER) + (own ? '' : '\tERRCODE'),
          target: toStdout ? { kind: 'stdout' } : { kind: 'file', path: outPath(name, j), compression: cfg.compress },
          tmpDir,
          memoryBytes: perPhenoMem,
          convert,
        }),
    );
    this.medians = model.phenoNames.map(() => new MedianAccumulator(tmpDir));
    this.summaries = model.phenoNames.map((name, j) => ({
      name,
      samples: model.phenoN[j],
      tested: 0,
      na: 0,
      naReasons: {} as Record<string, number>,
      filteredInfo: 0,
      filteredMaf: 0,
      lambda: NaN,
      output: outPath(name, j),
    }));
    for (const g of model.logistic ?? []) this.summaries[g.pheno].cc = { cases: g.nCase, controls: g.n - g.nCase, firth: 0 };
  }

  /** A chunk's rows, in chunk order: counted, and fed to each phenotype's sorter. */
  async add(r: Extract<WorkerResponse, { kind: 'rows' }>): Promise<void> {
    for (let j = 0; j < r.phenos.length; j++) {
      const pr = r.phenos[j];
      const s = this.summaries[j];
      s.tested += pr.ends.length - pr.na;
      s.na += pr.na;
      pr.naWhy?.forEach((c, w) => {
        if (c > 0) s.naReasons[NA_REASONS[w]] = (s.naReasons[NA_REASONS[w]] ?? 0) + c;
      });
      s.filteredInfo += pr.filteredInfo;
      s.filteredMaf += pr.filteredMaf;
      if (s.cc) s.cc.firth += pr.firth ?? 0;
      this.medians[j].add(pr.negLogP);
      const rank = new Int32Array(pr.ends.length);
      const pos = new Float64Array(pr.ends.length);
      for (let i = 0; i < pr.ends.length; i++) {
        rank[i] = r.rank[pr.variant[i]];
        pos[i] = r.pos[pr.variant[i]];
      }
      await this.sorters[j].add(pr.text, pr.ends, rank, pos);
    }
  }

  async finish(): Promise<void> {
    // All tables or none: each is finished under its temporary name, then all are renamed.
    const done: OutputFile[] = [];
    for (let j = 0; j < this.sorters.length; j++) {
      const o = await this.sorters[j].finish();
      this.summaries[j].formatNote = convertNote(this.format, this.sorters[j].converter?.stats);
      if (o) done.push(o);
      if (o && this.format === 'gwas-ssf') done.push(await this.ssfMeta(j, o));
    }
    await commitAll(done);
    // The medians are of -ln p (see medianChi2), as in the report.
    this.summaries.forEach((s, j) => (s.lambda = medianChi2(this.medians[j].middle() ?? []) / CHI2_1_MEDIAN));
  }

  abort(): void {
    for (const s of this.sorters) s.abort();
  }

  /** GWAS-SSF's FILE-meta.yaml for phenotype j's finished (not yet renamed) table. */
  private async ssfMeta(j: number, o: OutputFile): Promise<OutputFile> {
    const md5 = await md5File(o.tmpPath);
    const s = this.summaries[j];
    const v = versionInfo();
    const yaml = ssfMetaYaml({
      dataFile: path.basename(o.finalPath),
      md5,
      trait: s.name,
      sampleSize: s.samples,
      cases: s.cc?.cases,
      controls: s.cc?.controls,
      genomeBuild: this.cfg.genomeBuild === undefined ? undefined : genomeBuildName(this.cfg.genomeBuild),
      minMaf: this.cfg.filters.minMaf,
      covariates: this.covariates,
      software: `dosageflow ${v.version} (${v.commit})`,
      date: new Date().toISOString().slice(0, 10),
    });
    const meta = createOutput(ssfMetaPath(o.finalPath), 'none');
    meta.stream.write(yaml);
    return meta;
  }

  close(): void {
    for (const m of this.medians) m.close();
  }

  get sortedInput(): boolean {
    return this.sorters.every((s) => s.sortedInput);
  }
}

interface WorkerPlan {
  init: WorkerInit;
  threads: number;
  /** Chunks queued at a worker at once. */
  tasksPerWorker: number;
  /** Chunks unfinished at once (docs/decisions/0002-window-of-chunks-in-flight.md). */
  window: number;
  /** Heap caps of each worker (docs/decisions/0003-worker-heap-limits.md). */
  youngMB: number;
  oldMB: number;
  arena: GenArena | null;
}

function planWorkers(cfg: AssocConfig, model: AssocModel, nSamples: number, sexChromosomes?: SexChromosomeInput): WorkerPlan {
  const init: WorkerInit = {
    model,
    sexChromosomes,
    filters: cfg.filters,
    nSamples,
    sampleFile: cfg.sample,
    dosagePrecision: cfg.dosagePrecision,
    digits: cfg.digits,
    errcode: (cfg.format ?? 'dosageflow') !== 'dosageflow',
    regions: cfg.regions,
    biallelicOnly: cfg.biallelicOnly,
    vcf: { force: cfg.vcfDosage, exact: cfg.dosagePrecision === 'exact', infoFilter: cfg.infoFilter },
  };
  const nVcf = cfg.vcf?.length ?? 0;
  const tasksPerWorker = cfg.bgen.length > 0 ? 1 : nVcf > 0 ? VCF_TASKS_PER_WORKER : GEN_TASKS_PER_WORKER;
  const window = cfg.threads * (tasksPerWorker + 1) + 1;
  // .gen files read directly (not sharded, no BGEN alongside) go through the shared arena when the
  // WebAssembly parser runs: slots for every chunk held (2 windows) and the two being filled.
  const arena = cfg.bgen.length === 0 && nVcf === 0 && !cfg.shard && !wasmDisabled() ? GenArena.create(nSamples, cfg.threads, 2 * window + 4, (cfg.chunkSize ?? GEN_CHUNK) + SLACK) : null;
  if (arena) init.genArena = { memory: arena.memory, scratchBytes: arena.scratchBytes, places: cfg.threads };
  // The sex chromosomes' columns; a worker that meets chrX (chrY) builds another model of about the
  // same size from them (chrY's from a males-only copy of the phenotypes).
  let bytes = modelBytes(model);
  const sc = sexChromosomes;
  if (sc) bytes += 8 * nSamples * (sc.phenos.length + sc.covars.length + 1) + (sc.x ? modelBytes(model) : 0) + (sc.y ? modelBytes(model) + 8 * nSamples * sc.phenos.length : 0);
  const modelMB = bytes / (1 << 20);
  return { init, threads: cfg.threads, tasksPerWorker, window, arena, youngMB: 8, oldMB: Math.ceil(64 + 3 * modelMB + nSamples / 2000) };
}

/** A run's state before its first input: counters at zero, a window of chunk buffers to reuse. */
function newRun(cfg: AssocConfig, plan: WorkerPlan, pool: Piscina, outputs: PhenoOutputs, headers: Map<string, BgenHeader>): AssocRun {
  return {
    cfg,
    plan,
    pool,
    outputs,
    headers,
    buffers: new BufferPool(2 * plan.window + 2),
    seq: 0,
    variantsRead: 0,
    outside: 0,
    chrX: 0,
    chrY: 0,
    skipped: 0,
    oneAllele: 0,
    removed: { notExtracted: 0, excluded: 0 },
    bytesRead: 0,
    window: null,
    infoFiltered: 0,
    gtOnly: 0,
    mainFormatter: null,
  };
}

function startPool(plan: WorkerPlan): { pool: Piscina; error: () => unknown } {
  const pool = new Piscina({
    filename: WORKER_FILE,
    workerData: plan.init,
    minThreads: plan.threads,
    maxThreads: plan.threads,
    idleTimeout: 60_000,
    concurrentTasksPerWorker: plan.tasksPerWorker,
    resourceLimits: { maxYoungGenerationSizeMb: plan.youngMB, maxOldGenerationSizeMb: plan.oldMB },
  });
  let error: unknown = null;
  pool.on('error', (e) => {
    error = error ?? e;
  });
  return { pool, error: () => error };
}

/** The state of one assoc run across its input files. */
interface AssocRun {
  cfg: AssocConfig;
  plan: WorkerPlan;
  pool: Piscina;
  outputs: PhenoOutputs;
  headers: Map<string, BgenHeader>;
  /** Sequence number of the next chunk. */
  seq: number;
  variantsRead: number;
  outside: number;
  /** chrX and chrY variants kept (sexChromosomeNotes). */
  chrX: number;
  chrY: number;
  skipped: number;
  oneAllele: number;
  /** Variants --extract / --exclude removed. */
  removed: { notExtracted: number; excluded: number };
  bytesRead: number;
  /** .gen, BGEN and BGZF VCF chunk buffers handed back by the workers, reused for later chunks. */
  buffers: BufferPool;
  /** The current file's chunks in flight. */
  window: OrderedWindow<WorkerResponse> | null;
  /** VCF records removed by --extract-if-info; records with GT only. */
  infoFiltered: number;
  gtOnly: number;
  /** The main thread's own formatter, for VCF records cut by a BGZF chunk boundary (one a chunk). */
  mainFormatter: RowFormatter | null;
}

/** Where a file's chunks come from, and how its positions are counted. */
interface ReadPath {
  requests: AsyncIterable<{ req: WorkerRequest; bytes: number }>;
  /** Lines before the first chunk (a .gen shard), for error lines. */
  firstLine: number;
  /** A shard may be empty; a whole .gen file may not. */
  mayBeEmpty: boolean;
}

/** The one place that chooses how a file is read: .gen (shared arena, buffers, shard) or BGEN (scan, .bgi, shard). */
async function chooseReadPath(run: AssocRun, kind: 'gen' | 'bgen' | 'vcf', file: string, vcf?: VcfSource): Promise<ReadPath> {
  const { cfg, plan } = run;
  if (kind === 'vcf') {
    const target = cfg.chunkSize ?? (vcf!.bgzf ? VCF_BGZF_CHUNK : GEN_CHUNK);
    const index = cfg.regions.length && vcf!.bgzf ? vcfIndexFor(file) : null;
    if (index) {
      // --region through the .tbi/.csi: only the blocks of the regions' records (error lines are not known: byte offsets).
      await vcf!.close();
      const segs = await indexedSegments(file, index, cfg.regions);
      return { requests: vcfRequests(run, segmentChunks(file, segs, target, vcf!.state, run.buffers.take)), firstLine: 0, mayBeEmpty: true };
    }
    vcf!.state.eof = true;
    return { requests: vcfRequests(run, vcf!.chunks(target, run.buffers.take)), firstLine: vcf!.headerLines, mayBeEmpty: true };
  }
  if (kind === 'gen') {
    const target = cfg.chunkSize ?? GEN_CHUNK;
    if (cfg.shard) {
      // A first pass counts lines (bytes only, nothing parsed); the second keeps this shard's.
      const total = await countLines((await openInput(file)).stream);
      const from = Math.floor(((cfg.shard.index - 1) * total) / cfg.shard.count);
      const to = Math.floor((cfg.shard.index * total) / cfg.shard.count);
      const chunks = chunkLines(sliceLines((await openInput(file)).stream, from, to), target, file, from);
      return { requests: genRequests(run, file, from, chunks, null), firstLine: from, mayBeEmpty: true };
    }
    const arena = plan.arena;
    const take = (minBytes: number): Uint8Array => arena?.take(minBytes) ?? new Uint8Array(run.buffers.take(minBytes));
    return { requests: genRequests(run, file, 0, fileLineChunks(file, target, take), arena), firstLine: 0, mayBeEmpty: false };
  }
  const h = run.headers.get(file)!;
  const target = cfg.chunkSize ?? BGEN_CHUNK;
  const bgi = `${file}.bgi`;
  const hasBgi = (cfg.shard || cfg.regions.length > 0) && fs.existsSync(bgi);
  if (hasBgi) await verifyBgi(bgi, file, h);
  let chunks: AsyncIterable<BgenChunk>;
  if (cfg.shard) {
    const m = h.nVariants;
    const skip = Math.floor(((cfg.shard.index - 1) * m) / cfg.shard.count);
    const take = Math.floor((cfg.shard.index * m) / cfg.shard.count) - skip;
    chunks = hasBgi ? bgenIndexedChunks(file, listBgiOffsets(bgi).slice(skip, skip + take), target, run.buffers.take) : bgenChunks(file, h, target, { skip, take }, undefined, run.buffers.take);
  } else if (cfg.regions.length && hasBgi) {
    chunks = bgenIndexedChunks(file, bgiEntriesFor(bgi, cfg.regions), target, run.buffers.take);
  } else {
    chunks = bgenChunks(file, h, target, undefined, undefined, run.buffers.take);
  }
  return { requests: bgenRequests(run, file, h, chunks), firstLine: 0, mayBeEmpty: true };
}

async function* genRequests(run: AssocRun, file: string, firstLine: number, chunks: AsyncIterable<Uint8Array>, arena: GenArena | null): AsyncGenerator<{ req: WorkerRequest; bytes: number }> {
  // The layout is decided from the file's first non-blank line (formats/gen/layout.ts).
  let layout: GenFileLayout | undefined;
  let blankLines = 0;
  const ctx = { nSamples: run.plan.init.nSamples, chr: run.cfg.chr, file, sampleFile: run.cfg.sample };
  for await (const chunk of chunks) {
    if (layout === undefined) {
      const fl = firstLineOf(chunk, 0, chunk.length);
      if (fl === null) blankLines += countLf(chunk);
      else layout = genFileLayout(chunk, fl.start, fl.end, firstLine + blankLines + fl.index + 1, ctx);
    }
    const lay = layout ?? {};
    // The chunk is a prefix of its buffer or arena slot (the rest is unused room): the worker
    // reads `length` bytes there.
    const req: WorkerRequest = arena?.holds(chunk)
      ? { kind: 'gen', seq: run.seq++, slot: chunk.byteOffset, length: chunk.length, layout: lay }
      : { kind: 'gen', seq: run.seq++, buf: chunk.buffer as ArrayBuffer, length: chunk.length, layout: lay };
    yield { req, bytes: chunk.length };
  }
}

async function* bgenRequests(run: AssocRun, file: string, h: BgenHeader, chunks: AsyncIterable<BgenChunk>): AsyncGenerator<{ req: WorkerRequest; bytes: number }> {
  for await (const c of chunks) {
    const req: WorkerRequest = {
      kind: 'bgen',
      seq: run.seq++,
      buf: c.buf.buffer as ArrayBuffer,
      length: c.buf.length,
      fileOffset: c.fileOffset,
      file,
      layout: h.layout,
      compression: h.compression,
      nVariants: c.nVariants,
    };
    yield { req, bytes: c.buf.length };
  }
}

async function* vcfRequests(run: AssocRun, chunks: AsyncIterable<VcfChunk>): AsyncGenerator<{ req: WorkerRequest; bytes: number }> {
  for await (const c of chunks)
    yield {
      req: { kind: 'vcf', seq: run.seq++, buf: c.buf.buffer as ArrayBuffer, length: c.buf.length, bgzf: c.bgzf, fileOffset: c.fileOffset, startAt: c.startAt, expectChr: c.expectChr },
      bytes: c.buf.length,
    };
}

/** Read one file through the pool, merging its chunks' rows in order. */
async function runInput(run: AssocRun, kind: 'gen' | 'bgen' | 'vcf', file: string, vcf?: VcfSource): Promise<void> {
  const { plan, pool, buffers } = run;
  const source = await chooseReadPath(run, kind, file, vcf);
  let lineBase = source.firstLine;
  let fileRecords = 0;
  // BGZF VCF: records cut by a chunk boundary are joined and decoded here, before the chunk's rows.
  const stitcher = vcf?.bgzf
    ? new VcfStitcher(
        vcf.carry,
        (text) => (run.mainFormatter ??= new RowFormatter(plan.init)).vcfLines(-1, text, 0, text.length),
        file,
        () => lineBase + 1,
      )
    : null;
  const drain = async (r: WorkerResponse) => {
    if (stitcher && r.vcfHead) {
      const joined = stitcher.take(r);
      if (joined) await drainOne(joined);
    }
    await drainOne(r);
  };
  const drainOne = async (r: WorkerResponse) => {
    if (r.kind === 'rows') {
      if (r.slot !== undefined) plan.arena!.give(r.slot);
      else if (r.buf) buffers.give(r.buf);
    }
    if (r.kind === 'error') {
      // The decoder's error rebuilt with the file and the absolute line (or offset).
      const where = kind === 'gen' || r.lineInChunk !== undefined ? { file, line: lineBase + (r.lineInChunk ?? 0) + 1 } : { file, byteOffset: r.byteOffset };
      throw new DecodeError(r.code, r.field, r.message, where);
    }
    lineBase += r.lines;
    fileRecords += r.records;
    run.variantsRead += r.records;
    run.outside += r.outside;
    run.chrX += r.chrX ?? 0;
    run.chrY += r.chrY ?? 0;
    run.skipped += r.skipped;
    run.oneAllele += r.oneAllele ?? 0;
    run.removed.notExtracted += r.notExtracted;
    run.removed.excluded += r.excluded;
    run.infoFiltered += r.infoFiltered ?? 0;
    run.gtOnly += r.gtOnly ?? 0;
    await run.outputs.add(r);
  };
  // .gen and VCF wait on unfinished chunks, BGEN on the oldest (docs/decisions/0002-window-of-chunks-in-flight.md).
  const window = new OrderedWindow<WorkerResponse>({ unfinished: plan.window, held: kind === 'bgen' ? plan.window : 2 * plan.window }, drain);
  run.window = window;
  for await (const { req, bytes } of source.requests) {
    run.bytesRead += bytes;
    await window.push(pool.run(req, { transferList: req.buf ? [req.buf] : [] }) as Promise<WorkerResponse>);
  }
  await window.flush();
  const last = stitcher?.finish(vcf!.state.eof);
  if (last) await drainOne(last);
  if (kind === 'gen') plan.arena?.reset();
  if (fileRecords === 0 && !source.mayBeEmpty) throw new InputError('no variants: the file is empty or blank', { file });
}

export function summaryLines(s: AssocSummary): string[] {
  const rate = s.seconds > 0 ? Math.round(s.variantsRead / s.seconds) : 0;
  const out = [
    `dosageflow assoc: ${s.variantsRead} variants read from ${s.files} file${s.files === 1 ? '' : 's'} (${s.sampleCount} samples)${s.outsideRegions ? `, ${s.outsideRegions} outside --region` : ''}${s.multiallelicSkipped ? `, ${s.multiallelicSkipped} multi-allelic skipped` : ''}${s.oneAlleleSkipped ? `, ${s.oneAlleleSkipped} with one allele (no ALT) skipped` : ''}${s.infoFiltered ? `, ${s.infoFiltered} removed by --extract-if-info` : ''} in ${s.seconds.toFixed(2)} s (${rate} variants/s)${s.sortedInput ? '' : '; input was not genome-sorted: output sorted'}`,
  ];
  if (s.selection) out.push(`  selection: ${s.selection}`);
  out.push(`  samples: ${s.matching}`);
  for (const line of s.sexChromosomes ?? []) out.push(`  ${line}`);
  for (const p of s.phenos) {
    const filt = [p.filteredInfo ? `${p.filteredInfo} filtered by INFO` : '', p.filteredMaf ? `${p.filteredMaf} filtered by MAF` : '', p.na ? `${p.na} NA (${naReasonText(p.naReasons)})` : '']
      .filter(Boolean)
      .join(', ');
    const cc = p.cc ? ` (case/control, logistic: ${p.cc.cases} cases, ${p.cc.controls} controls; ${p.cc.firth} Firth fits)` : '';
    out.push(`  ${p.name}${cc}: ${p.samples} samples, ${p.tested} variants tested${filt ? `, ${filt}` : ''}, lambda ${Number.isNaN(p.lambda) ? 'NA' : p.lambda.toFixed(4)} -> ${p.output}`);
    if (p.formatNote) out.push(`    ${p.formatNote}`);
  }
  return out;
}

/**
 * What the progress line can count towards: the variants BGEN headers announce, or the bytes of
 * plain .gen files (compressed .gen and stdin have no known total: no percentage is shown).
 */
export function progressTotal(cfg: AssocConfig, headers: Map<string, BgenHeader>): ProgressTotal | null {
  if (cfg.shard || cfg.regions.length || cfg.vcf?.length) return null;
  if (cfg.gen.length === 0) return { unit: 'variants', total: [...headers.values()].reduce((a, h) => a + h.nVariants, 0) };
  if (cfg.bgen.length > 0) return null;
  let total = 0;
  for (const f of cfg.gen) {
    if (f === '-') return null;
    try {
      const fd = fs.openSync(f, 'r');
      const head = new Uint8Array(4);
      fs.readSync(fd, head, 0, 4, 0);
      fs.closeSync(fd);
      if (sniffCompression(head) !== 'none') return null;
      total += fs.statSync(f).size;
    } catch {
      return null;
    }
  }
  return { unit: 'bytes', total };
}

export interface ProgressTotal {
  unit: 'variants' | 'bytes';
  total: number;
}

/** The progress line: counts and rate, and with a known total the percentage and time left. */
export function progressLine(variantsRead: number, bytesRead: number, sec: number, total: ProgressTotal | null): string {
  const rate = `${Math.round(variantsRead / Math.max(sec, 0.001))} variants/s`;
  if (!total || total.total <= 0) return `${variantsRead} variants, ${(bytesRead / 1e6).toFixed(0)} MB, ${rate}`;
  const done = Math.min(1, (total.unit === 'variants' ? variantsRead : bytesRead) / total.total);
  const of = total.unit === 'variants' ? `${variantsRead} of ${total.total} variants` : `${(bytesRead / 1e6).toFixed(0)} of ${(total.total / 1e6).toFixed(0)} MB`;
  const eta = done > 0 ? (sec * (1 - done)) / done : NaN;
  return `${of} (${(100 * done).toFixed(0)}%), ${rate}, ETA ${Number.isFinite(eta) ? clock(eta) : '?'}`;
}

function clock(sec: number): string {
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

function naReasonText(r: Record<string, number>): string {
  return Object.entries(r)
    .map(([k, c]) => `${c} ${k}`)
    .join(', ');
}

function startProgress(get: () => { variantsRead: number; bytesRead: number }, total: ProgressTotal | null) {
  const t0 = Date.now();
  const timer = setInterval(() => {
    const { variantsRead, bytesRead } = get();
    process.stderr.write(`\r\x1b[K${progressLine(variantsRead, bytesRead, (Date.now() - t0) / 1000, total)}`);
  }, 500);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      process.stderr.write('\r\x1b[K');
    },
  };
}

/** md5 of a file's bytes, streamed (GWAS-SSF's data_file_md5sum). */
async function md5File(file: string): Promise<string> {
  const h = createHash('md5');
  for await (const b of fs.createReadStream(file, { highWaterMark: 1 << 20 })) h.update(b as Buffer);
  return h.digest('hex');
}

function countLf(b: Uint8Array): number {
  let n = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  return n;
}

/** Bytes of the typed arrays a worker holds for the model. */
function modelBytes(model: AssocModel): number {
  let b = 0;
  for (const g of model.groups) b += g.idx.byteLength + g.q.byteLength + g.yr.byteLength + g.cov.byteLength + g.y.byteLength;
  for (const g of model.logistic ?? []) b += g.idx.byteLength + g.x.byteLength + g.y.byteLength;
  for (const g of model.logisticChecks ?? []) if (g) b += g.gram.xa.byteLength;
  return b;
}
