// `dosageflow simulate`: a synthetic cohort, deterministic for a seed. Writes the genotype file
// (IMPUTE2 .gen, optionally gz/zst, or BGEN v1.2 layout 2), the Oxford .sample file, phenotypes,
// covariates and the truth table of planted causal variants. Genotypes are streamed: one variant is
// held at a time and encoded straight into large output buffers.
import * as fs from 'node:fs';
import { UsageError } from '../errors.js';
import { commitAll, createOutput, suffixFor, writeAsync, type OutCompression, type OutputFile } from '../io/output.js';
import { BgenVariantEncoder, encodeBgenHeader, type BgenCompression } from './bgen-writer.js';
import { ChunkWriter } from './chunk-writer.js';
import { PHENOTYPES, covarFileText, makeCohort, makePhenotypes, phenoFileText, sampleFileText, truthFileText, type CausalVariant, type PhenotypeName, type TruthRow } from './cohort.js';
import { encodeGenLine, maxGenLineBytes } from './gen-writer.js';
import { GenotypeSimulator } from './genotypes.js';
import { GRCH37_LENGTHS, allocateVariants, parseChromosomes } from './genome.js';
import { Rng, STREAM } from './random.js';

export type SimFormat = 'gen' | 'bgen';

/** Options as given (CLI or programmatic); validated into a SimulateConfig. */
export interface SimulateOptions {
  samples: number;
  variants: number;
  out: string;
  /** "1-22" (default), "22", "1,3,5-7", or a list of numbers. */
  chromosomes?: string | readonly number[];
  format?: SimFormat;
  /** gen: none (default) | gz | zst.  bgen: zlib (default) | zstd | none (gz/zst accepted as aliases). */
  compress?: string;
  /** BGEN bits per probability, 1..32 (default 8). */
  bits?: number;
  seed?: number;
  /** Causal variants per phenotype (default 3). */
  effects?: number;
  /** Fraction of genotypes written as missing (default 0.001). */
  missingRate?: number;
}

export interface SimulateConfig {
  samples: number;
  variants: number;
  out: string;
  chromosomes: number[];
  format: SimFormat;
  /** Whole-file compression of the .gen output (always 'none' for bgen). */
  genCompression: OutCompression;
  /** Per-variant compression inside the BGEN file. */
  bgenCompression: BgenCompression;
  bits: number;
  seed: number;
  effects: number;
  missingRate: number;
}

export interface SimulateFiles {
  genotypes: string;
  sample: string;
  pheno: string;
  covar: string;
  truth: string;
}

export interface SimulateResult {
  config: SimulateConfig;
  files: SimulateFiles;
  /** Bytes of genotype data produced (before any whole-file compression). */
  genotypeBytes: number;
  /** Size of the genotype file on disk. */
  genotypeFileBytes: number;
  /** Wall time of the genotype streaming, seconds. */
  seconds: number;
  /** genotypeBytes / seconds in MB/s (1 MB = 1e6 bytes). */
  mbPerSecond: number;
  variantsPerChromosome: { chr: number; variants: number }[];
  truth: TruthRow[];
}

export const DEFAULT_SEED = 1;
export const DEFAULT_EFFECTS = 3;
const MAX_VARIANTS = 500_000_000;
const MAX_SAMPLES = 10_000_000;

function isInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x);
}

/** Validate options into a config; bad options throw UsageError with a short lowercase message. */
export function resolveSimulateConfig(o: SimulateOptions): SimulateConfig {
  if (!isInt(o.samples) || o.samples < 1) throw new UsageError('--samples must be a positive integer');
  if (o.samples > MAX_SAMPLES) throw new UsageError(`--samples must be at most ${MAX_SAMPLES}`);
  if (!isInt(o.variants) || o.variants < 1) throw new UsageError('--variants must be a positive integer');
  if (o.variants > MAX_VARIANTS) throw new UsageError(`--variants must be at most ${MAX_VARIANTS}`);
  if (typeof o.out !== 'string' || o.out.trim() === '') throw new UsageError('--out needs a file prefix');
  if (o.out.endsWith('/')) throw new UsageError('--out must be a file prefix, not a directory');

  let chromosomes: number[];
  if (o.chromosomes === undefined) chromosomes = Array.from({ length: 22 }, (_, i) => i + 1);
  else if (typeof o.chromosomes === 'string') {
    const parsed = parseChromosomes(o.chromosomes);
    if (!parsed) throw new UsageError(`--chromosomes: expected autosomes like 1-22 or 1,3,5-7, got '${o.chromosomes}'`);
    chromosomes = parsed;
  } else {
    const parsed = parseChromosomes(o.chromosomes.join(','));
    if (!parsed) throw new UsageError('--chromosomes: expected autosomes 1..22');
    chromosomes = parsed;
  }

  const perChr = allocateVariants(chromosomes, o.variants);
  chromosomes.forEach((c, i) => {
    if (perChr[i] > GRCH37_LENGTHS[c - 1] / 2) throw new UsageError(`--variants: too many for chromosome ${c} (at most one per 2 bp)`);
  });

  const format = o.format ?? 'gen';
  if (format !== 'gen' && format !== 'bgen') throw new UsageError(`--format must be gen or bgen, got '${String(format)}'`);

  let genCompression: OutCompression = 'none';
  let bgenCompression: BgenCompression = 'zlib';
  const c = o.compress;
  if (format === 'gen') {
    if (c === undefined || c === 'none') genCompression = 'none';
    else if (c === 'gz' || c === 'gzip') genCompression = 'gz';
    else if (c === 'zst' || c === 'zstd') genCompression = 'zst';
    else throw new UsageError(`--compress for gen must be none, gz or zst, got '${c}'`);
  } else {
    if (c === undefined || c === 'zlib' || c === 'gz') bgenCompression = 'zlib';
    else if (c === 'zstd' || c === 'zst') bgenCompression = 'zstd';
    else if (c === 'none') bgenCompression = 'none';
    else throw new UsageError(`--compress for bgen must be zlib, zstd or none, got '${c}'`);
  }

  if (o.bits !== undefined && format !== 'bgen') throw new UsageError('--bits applies to --format bgen only');
  const bits = o.bits ?? 8;
  if (!isInt(bits) || bits < 1 || bits > 32) throw new UsageError('--bits must be an integer from 1 to 32');

  const seed = o.seed ?? DEFAULT_SEED;
  if (!isInt(seed) || seed < 0) throw new UsageError('--seed must be a non-negative integer');

  const effects = o.effects ?? DEFAULT_EFFECTS;
  if (!isInt(effects) || effects < 0) throw new UsageError('--effects must be a non-negative integer');
  if (2 * effects > o.variants) throw new UsageError('--effects: need at least 2 x effects variants (one set per phenotype)');

  const missingRate = o.missingRate ?? 0.001;
  if (typeof missingRate !== 'number' || !(missingRate >= 0 && missingRate < 1)) {
    throw new UsageError('missing rate must be in [0, 1)');
  }

  return {
    samples: o.samples,
    variants: o.variants,
    out: o.out,
    chromosomes,
    format,
    genCompression,
    bgenCompression,
    bits,
    seed,
    effects,
    missingRate,
  };
}

export function outputPaths(cfg: SimulateConfig): SimulateFiles {
  const p = cfg.out;
  return {
    genotypes: cfg.format === 'bgen' ? `${p}.bgen` : `${p}.gen${suffixFor(cfg.genCompression)}`,
    sample: `${p}.sample`,
    pheno: `${p}.pheno.tsv`,
    covar: `${p}.covar.tsv`,
    truth: `${p}.truth.tsv`,
  };
}

function isConfig(x: SimulateOptions | SimulateConfig): x is SimulateConfig {
  return 'genCompression' in x && 'bgenCompression' in x;
}

/** Generate the cohort and write all files. Deterministic for the seed (and the other options). */
export async function simulate(options: SimulateOptions | SimulateConfig): Promise<SimulateResult> {
  const cfg = resolveSimulateConfig(
    isConfig(options)
      ? {
          ...options,
          compress: options.format === 'bgen' ? options.bgenCompression : options.genCompression,
          bits: options.format === 'bgen' ? options.bits : undefined,
        }
      : options,
  );
  const files = outputPaths(cfg);
  const n = cfg.samples;
  const cohort = makeCohort(n, cfg.seed);

  // Causal variants: 2K distinct indices, split at random between the two phenotypes.
  const crng = new Rng(cfg.seed, STREAM.causal);
  const causalIdx = crng.sampleDistinct(cfg.variants, PHENOTYPES.length * cfg.effects);
  const order = causalIdx.slice();
  crng.shuffle(order);
  const causalPheno = new Map<number, PhenotypeName>();
  order.forEach((idx, k) => causalPheno.set(idx, PHENOTYPES[Math.floor(k / Math.max(1, cfg.effects))]));

  const sim = new GenotypeSimulator({
    nSamples: n,
    nVariants: cfg.variants,
    chromosomes: cfg.chromosomes,
    seed: cfg.seed,
    ancestry: cohort.ancestry,
    causalIndices: causalIdx,
    missingRate: cfg.missingRate,
  });

  const outputs: OutputFile[] = [];
  const open = (p: string, c: OutCompression) => {
    const o = createOutput(p, c);
    outputs.push(o);
    return o;
  };
  try {
    const t0 = process.hrtime.bigint();
    const geno = open(files.genotypes, cfg.format === 'gen' ? cfg.genCompression : 'none');
    const cw = new ChunkWriter(geno.stream);
    const causal: CausalVariant[] = [];
    const v = sim.variant;
    let wait: Promise<void> | null;
    if (cfg.format === 'gen') {
      while (sim.next()) {
        if (v.causal) causal.push(captureCausal(v, causalPheno));
        wait = cw.reserve(maxGenLineBytes(v, n));
        if (wait) await wait;
        cw.pos = encodeGenLine(v, n, cw.buf, cw.pos);
      }
    } else {
      const header = encodeBgenHeader({
        nSamples: n,
        nVariants: cfg.variants,
        compression: cfg.bgenCompression,
        sampleIds: cohort.iid,
        freeData: `dosageflow simulate seed=${cfg.seed}`,
      });
      await cw.write(header);
      const enc = new BgenVariantEncoder(n, cfg.bits, cfg.bgenCompression);
      while (sim.next()) {
        if (v.causal) causal.push(captureCausal(v, causalPheno));
        const block = enc.encode({ snpid: v.snpid, rsid: v.rsid, chr: v.chrName, pos: v.pos, a: v.a, b: v.b }, v.probs, v.missing);
        wait = cw.reserve(block.length);
        if (wait) await wait;
        block.copy(cw.buf, cw.pos);
        cw.pos += block.length;
      }
    }
    wait = cw.flush();
    if (wait) await wait;
    const genotypeBytes = cw.totalBytes;
    await geno.finish();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

    const pheno = makePhenotypes(cohort, causal, cfg.seed);
    const tables: [string, string][] = [
      [files.sample, sampleFileText(cohort)],
      [files.pheno, phenoFileText(cohort, pheno)],
      [files.covar, covarFileText(cohort)],
      [files.truth, truthFileText(pheno.truth)],
    ];
    for (const [p, text] of tables) {
      const o = open(p, 'none');
      const w = writeAsync(o.stream, text);
      if (w) await w;
      await o.finish();
    }
    // Everything written: give the files their final names.
    await commitAll(outputs);
    const genotypeFileBytes = fs.statSync(files.genotypes).size;
    return {
      config: cfg,
      files,
      genotypeBytes,
      genotypeFileBytes,
      seconds,
      mbPerSecond: seconds > 0 ? genotypeBytes / 1e6 / seconds : Infinity,
      variantsPerChromosome: cfg.chromosomes.map((chr, i) => ({ chr, variants: sim.variantsPerChromosome[i] })),
      truth: pheno.truth,
    };
  } catch (err) {
    for (const o of outputs) o.abort();
    throw err;
  }
}

function captureCausal(v: GenotypeSimulator['variant'], map: Map<number, PhenotypeName>): CausalVariant {
  return {
    pheno: map.get(v.index) ?? 'response',
    index: v.index,
    chr: v.chrName,
    rsid: v.rsid,
    snpid: v.snpid,
    pos: v.pos,
    a: v.a,
    b: v.b,
    bCount: v.bCount.slice(),
    dosage: Float64Array.from({ length: v.bCount.length }, (_, i) => (v.missing[i] ? v.bCount[i] : v.probs[3 * i + 1] + 2 * v.probs[3 * i + 2])),
  };
}

/** The one-line summary printed on stderr. */
export function summaryLine(r: SimulateResult): string {
  const mb = (b: number) => (b / 1e6).toFixed(1);
  const f = r.files;
  const size = r.genotypeFileBytes !== r.genotypeBytes ? `${mb(r.genotypeBytes)} MB, ${mb(r.genotypeFileBytes)} MB on disk` : `${mb(r.genotypeBytes)} MB`;
  return (
    `simulate: wrote ${f.genotypes} (${size}), ${f.sample}, ${f.pheno}, ${f.covar}, ${f.truth}: ` +
    `${r.config.samples} samples x ${r.config.variants} variants in ${r.seconds.toFixed(2)} s ` +
    `(${r.mbPerSecond.toFixed(1)} MB/s)`
  );
}
