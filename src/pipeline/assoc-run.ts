// The assoc pipeline. Main thread: read -> decompress -> cut at line boundaries -> hand chunks to
// the Piscina pool (a bounded window of chunks in flight: the reader waits when it is full) ->
// restore order by sequence number -> genome-sorted writers. Workers parse and regress.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { FileError, InputError, UsageError, fileError } from '../errors.js';
import type { BgenHeader } from '../formats/bgen/index.js';
import { listBgiOffsets } from '../formats/bgen/index.js';
import { bgenChunks, bgenIndexedChunks, bgiEntriesFor, readBgenHeader, type BgenChunk } from './bgen-source.js';
import { parseSampleFile, readNumericTable, alignTable, alignedColumn, type SampleId, displayId } from '../formats/tables.js';
import { openInput, readTextFile } from '../io/input.js';
import { registerTemp, suffixFor, unregisterTemp, type OutCompression } from '../io/output.js';
import { MedianAccumulator } from '../stats/median.js';
import { CHI2_1_MEDIAN, medianChi2 } from '../stats/distributions.js';
import { buildModel, type AssocModel, type NamedColumn } from '../stats/model.js';
import type { Filters, Region, WorkerInit, WorkerRequest, WorkerResponse } from '../workers/protocol.js';
import { chunkLines, countLines, sliceLines } from './chunker.js';
import { SLACK, fileLineChunks } from '../io/line-chunks.js';
import { GenArena } from './gen-arena.js';
import { wasmDisabled } from '../wasm/asm.js';
import { GenomeSorter } from './sorter.js';

// Default work units. .gen: 4 MB (157 x 300k .gen.zst, wall: 1 MB 2.85-2.93 s, 2 MB 2.64-2.76,
// 4 MB 2.54-2.65, 8 MB 2.43-2.48 at +30 MB RSS; fewer, larger chunks mean fewer thread wake-ups
// interrupting the main thread's zstd stream). BGEN: 1 MB (157 x 1M: 4 MB was no faster and
// +130 MB RSS, a chunk holding ~20,000 variants' rows).
export const GEN_CHUNK = 4 << 20;
export const BGEN_CHUNK = 1 << 20;
/**
 * Chunks queued at a worker at once, .gen (see the window in runAssoc). BGEN keeps 1: its main
 * thread does little per chunk, so workers waited less, and queueing cost memory: 157 x 1M BGEN
 * 1 a worker 4.45-4.61 s, 214 MB peak RSS; 3 4.23-4.32 s, 290-299 MB (the 6M run must stay under
 * 300 MB); 2 4.37-4.60 s, 222-224 MB.
 */
const GEN_TASKS_PER_WORKER = 3;

export const OUTPUT_HEADER = 'CHR\tSNP\tBP\tA1\tA2\tFRQ\tINFO\tN\tBETA\tSE\tT\tP\tLOG10P';

export interface AssocConfig {
  gen: string[];
  bgen: string[];
  /** Oxford .sample; optional when every BGEN file carries sample identifiers. */
  sample?: string;
  /** Skip multi-allelic BGEN variants instead of testing each ALT allele against the rest. */
  biallelicOnly: boolean;
  pheno: string;
  phenoNames?: string[];
  covar?: string;
  covarNames?: string[];
  chr?: string;
  /**
   * Dosage precision: 'plink2' rounds to 1/16384 as plink2 stores dosages; 'exact' uses the
   * probabilities as decoded. Default: plink2 for .gen (results equal plink2's), exact for BGEN.
   */
  dosagePrecision?: 'plink2' | 'exact';
  out: string;
  compress: OutCompression;
  threads: number;
  /** Bytes of input per work unit; default GEN_CHUNK for .gen, BGEN_CHUNK for BGEN. */
  chunkSize?: number;
  filters: Filters;
  regions: Region[];
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
  samples: number;
  tested: number;
  na: number;
  filteredInfo: number;
  filteredMaf: number;
  lambda: number;
  output: string;
}

export interface AssocSummary {
  matching: string;
  variantsRead: number;
  outsideRegions: number;
  multiallelicSkipped: number;
  files: number;
  seconds: number;
  phenos: PhenoSummary[];
  warnings: string[];
  sampleCount: number;
  sortedInput: boolean;
}

const WORKER_FILE = fileURLToPath(new URL('../workers/assoc-entry.cjs', import.meta.url));

interface Prepared {
  model: AssocModel;
  warnings: string[];
  /** How the tables matched the genotyped samples, for the summary. */
  matching: string;
}

/**
 * The genotype samples, in file order: from --sample, else from the BGEN sample-identifier block.
 * Every BGEN file must have that many samples, and identifiers that agree with --sample.
 */
export async function resolveSamples(cfg: Pick<AssocConfig, 'sample' | 'bgen' | 'gen'>, headers: Map<string, BgenHeader>): Promise<SampleId[]> {
  let samples: SampleId[] | undefined;
  let from = cfg.sample;
  if (cfg.sample) {
    samples = parseSampleFile(await readTextFile(cfg.sample), cfg.sample);
    if (samples.length === 0) throw new InputError('no samples listed', { file: cfg.sample });
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
          throw new InputError(`sample ${i + 1} is '${id}' in the file's identifier block but '${displayId(s)}' in ${from}`, { file, byteOffset: 24 });
        }
      }
    }
  }
  if (!samples) throw new UsageError('give the samples with --sample FILE');
  return samples;
}

/** Read the phenotype and covariate tables, align them to the samples and build the model. */
export async function prepareModel(samples: SampleId[], cfg: Pick<AssocConfig, 'sample' | 'pheno' | 'phenoNames' | 'covar' | 'covarNames'>): Promise<Prepared> {
  const warnings: string[] = [];
  const pt = await readNumericTable(cfg.pheno, cfg.phenoNames, 'phenotype');
  const pal = alignTable(samples, pt);
  if (pal.matched === 0) {
    throw new InputError(`no sample id matches the ${samples.length} genotyped samples (first there: '${displayId(samples[0])}', first here: '${pt.ids[0] ? displayId(pt.ids[0]) : 'none'}')`, { file: cfg.pheno });
  }
  if (pal.matched < pt.ids.length) warnings.push(`${pt.ids.length - pal.matched} of ${pt.ids.length} rows of ${cfg.pheno} match no genotyped sample`);
  const phenos: NamedColumn[] = pt.names.map((name, j) => ({ name, values: alignedColumn(pt, j, pal) }));
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
  const model = buildModel(samples.length, phenos, covars, cfg.covar);
  warnings.push(...model.warnings);
  const by = samples[0]?.fid !== undefined && pt.ids[0]?.fid !== undefined ? 'FID+IID' : 'IID';
  let matching = `${pal.matched} of ${samples.length} genotyped samples have a row in ${cfg.pheno} (matched on ${by})`;
  if (cfg.covar) matching += `, ${covMatched} in ${cfg.covar}`;
  return { model, warnings, matching };
}

export function outputPathFor(prefix: string, pheno: string, c: OutCompression): string {
  return `${prefix}.${pheno}.tsv${suffixFor(c)}`;
}

export async function runAssoc(cfg: AssocConfig): Promise<AssocSummary> {
  const t0 = process.hrtime.bigint();
  const log = cfg.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const headers = new Map<string, BgenHeader>();
  for (const f of cfg.bgen) headers.set(f, await readBgenHeader(f));
  const samples = await resolveSamples(cfg, headers);
  const { model, warnings, matching } = await prepareModel(samples, cfg);
  for (const w of warnings) log(`dosageflow: warning: ${w}`);
  const toStdout = cfg.out === '-';
  if (toStdout && model.phenoNames.length !== 1) {
    throw new InputError(`--out - writes one phenotype to stdout, but ${model.phenoNames.length} were selected (${model.phenoNames.join(', ')}): choose one with --pheno-name`, { file: cfg.pheno });
  }
  const outDir = toStdout ? process.cwd() : path.dirname(path.resolve(cfg.out));
  try {
    const st = fs.statSync(outDir);
    if (!st.isDirectory()) throw new FileError('output directory is not a directory', { file: outDir });
  } catch (e) {
    throw fileError(e, outDir);
  }
  const tmpBase = cfg.tmpDir ?? (toStdout ? os.tmpdir() : outDir);
  let tmpDir: string;
  try {
    tmpDir = fs.mkdtempSync(path.join(tmpBase, '.dosageflow-tmp-'));
  } catch (e) {
    throw fileError(e, tmpBase);
  }
  registerTemp(tmpDir);
  const perPhenoMem = Math.max(1 << 10, Math.floor((cfg.memoryMB * (1 << 20)) / model.phenoNames.length));
  const sorters = model.phenoNames.map(
    (name) =>
      new GenomeSorter({
        header: OUTPUT_HEADER,
        target: toStdout ? { kind: 'stdout' } : { kind: 'file', path: outputPathFor(cfg.out, name, cfg.compress), compression: cfg.compress },
        tmpDir,
        memoryBytes: perPhenoMem,
      }),
  );
  const medians = model.phenoNames.map(() => new MedianAccumulator(tmpDir));
  const ph = model.phenoNames.map((name, j) => ({ name, samples: model.phenoN[j], tested: 0, na: 0, filteredInfo: 0, filteredMaf: 0, lambda: NaN, output: toStdout ? '-' : outputPathFor(cfg.out, name, cfg.compress) }));
  const init: WorkerInit = {
    model,
    filters: cfg.filters,
    nSamples: samples.length,
    genChr: cfg.chr,
    genExact: cfg.dosagePrecision === 'exact',
    bgenRound: cfg.dosagePrecision === 'plink2',
    digits: cfg.digits,
    regions: cfg.regions,
    biallelicOnly: cfg.biallelicOnly,
  };
  // Workers' heaps are capped: left to V8's defaults they grew with the run (157 samples, BGEN:
  // 355 MB peak RSS at 100k variants, 422 MB at 600k; with these caps 194 MB, and no slower). The
  // old generation gets room for the model the worker holds (its arrays scale with the samples).
  // Young generation 8 MB: once rows were written as bytes a BGEN chunk's row buffers (thousands of
  // variants) outlived a 4 MB nursery and were promoted: 157 x 1M BGEN peak RSS 4 MB: ~285 MB,
  // 8 MB: ~210 MB, 16 MB: ~235 MB, same speed; .gen (370 variants a chunk): 172 -> ~180 MB.
  const modelMB = modelBytes(model) / (1 << 20);
  const tasksPerWorker = cfg.bgen.length > 0 ? 1 : GEN_TASKS_PER_WORKER;
  // Window of chunks in flight: enough to keep every worker busy while the oldest is merged.
  // Each worker is handed up to GEN_TASKS_PER_WORKER .gen chunks at once (Piscina queues them on
  // its port): with one, a worker that finished a chunk waited for the main thread to hand it the
  // next, and the main thread answers only between zstd calls of ~5 ms; ~15% of the two cores sat
  // idle mid-run. 157 x 300k .gen.zst, wall: 1 a worker and a window of 5 chunks 2.29-2.35 s; 2 and
  // 9 2.18-2.19; 3 and 9 2.13-2.14 (+20 MB peak RSS); 4 and 9-11 2.14-2.24.
  const window = cfg.threads * (tasksPerWorker + 1) + 1;
  // .gen files read directly (not sharded, not BGEN alongside) go through a shared arena when the
  // WebAssembly parser runs: slots for every chunk held (2 windows) and the two being filled.
  const arena =
    cfg.bgen.length === 0 && !cfg.shard && !wasmDisabled() ? GenArena.create(samples.length, cfg.threads, 2 * window + 4, (cfg.chunkSize ?? GEN_CHUNK) + SLACK) : null;
  if (arena) init.genArena = { memory: arena.memory, scratchBytes: arena.scratchBytes, places: cfg.threads };
  const pool = new Piscina({
    filename: WORKER_FILE,
    workerData: init,
    minThreads: cfg.threads,
    maxThreads: cfg.threads,
    idleTimeout: 60_000,
    concurrentTasksPerWorker: tasksPerWorker,
    resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: Math.ceil(64 + 3 * modelMB + samples.length / 2000) },
  });
  let variantsRead = 0;
  let outside = 0;
  let skipped = 0;
  let bytesRead = 0;
  const progress = cfg.progress ? startProgress(() => ({ variantsRead, bytesRead })) : null;
  // Chunks submitted and not yet merged; on failure they are awaited before the pool goes away (a
  // result arriving at a destroyed pool is an unhandled error in Piscina).
  const inflight: Promise<WorkerResponse>[] = [];
  let poolError: unknown = null;
  pool.on('error', (e) => {
    poolError = poolError ?? e;
  });
  try {
    const buffers = new BufferPool(2 * window + 2);
    const takeChunk = (minBytes: number): Uint8Array => arena?.take(minBytes) ?? new Uint8Array(buffers.take(minBytes));
    let unfinished = 0;
    let wake: (() => void) | null = null;
    const settled = new WeakSet<Promise<WorkerResponse>>();
    let seq = 0;
    const inputs = [...cfg.gen.map((file) => ({ kind: 'gen' as const, file })), ...cfg.bgen.map((file) => ({ kind: 'bgen' as const, file }))];
    for (const { kind, file } of inputs) {
      let lineBase = 0;
      let fileRecords = 0;
      inflight.length = 0;
      const emit = async (r: WorkerResponse) => {
        if (r.kind === 'rows') {
          if (r.slot !== undefined) arena!.give(r.slot);
          else if (r.buf) buffers.give(r.buf);
        }
        if (r.kind === 'error') {
          if (kind === 'gen') throw new InputError(r.message, { file, line: lineBase + (r.lineInChunk ?? 0) + 1 });
          throw new InputError(r.message, { file, byteOffset: r.byteOffset });
        }
        lineBase += r.lines;
        fileRecords += r.records;
        variantsRead += r.records;
        outside += r.outside;
        skipped += r.skipped;
        for (let j = 0; j < r.phenos.length; j++) {
          const pr = r.phenos[j];
          const s = ph[j];
          s.tested += pr.ends.length - pr.na;
          s.na += pr.na;
          s.filteredInfo += pr.filteredInfo;
          s.filteredMaf += pr.filteredMaf;
          medians[j].add(pr.negLogP);
          const rank = new Int32Array(pr.ends.length);
          const pos = new Float64Array(pr.ends.length);
          for (let i = 0; i < pr.ends.length; i++) {
            rank[i] = r.rank[pr.variant[i]];
            pos[i] = r.pos[pr.variant[i]];
          }
          await sorters[j].add(pr.text, pr.ends, rank, pos);
        }
      };
      // .gen: the reader waits while `window` chunks are unfinished, not while the oldest is: waiting
      // for the oldest, a worker that had finished its queue sat idle behind the other's (157 x 300k
      // .gen.zst: ~7% of the cores idle mid-run; wall 2.17-2.23 -> 2.12-2.20 s, interleaved).
      // Finished chunks wait for the older ones to be merged in order, at most `window` of them.
      // BGEN waits for the oldest (157 x 1M: 4.25 -> 4.36 s and +8 MB the other way).
      const maxHeld = kind === 'gen' ? 2 * window : window;
      const submit = async (req: WorkerRequest) => {
        const p = pool.run(req, { transferList: req.buf ? [req.buf] : [] }) as Promise<WorkerResponse>;
        unfinished++;
        const done = () => {
          unfinished--;
          settled.add(p);
          const w = wake;
          wake = null;
          w?.();
        };
        p.then(done, done); // also marks a rejection handled: it is thrown when merged, in order
        inflight.push(p);
        for (;;) {
          while (inflight.length > 0 && settled.has(inflight[0])) await emit(await inflight.shift()!);
          if (unfinished < window && inflight.length < maxHeld) return;
          await new Promise<void>((r) => (wake = r));
        }
      };
      if (kind === 'gen') {
        let chunks: AsyncIterable<Uint8Array>;
        if (cfg.shard) {
          let source: AsyncIterable<Uint8Array> = (await openInput(file)).stream;
          // A first pass counts lines (bytes only, nothing parsed); the second keeps this shard's.
          const total = await countLines((await openInput(file)).stream);
          const from = Math.floor(((cfg.shard.index - 1) * total) / cfg.shard.count);
          const to = Math.floor((cfg.shard.index * total) / cfg.shard.count);
          source = sliceLines(source, from, to);
          lineBase = from;
          fileRecords = -1; // an empty shard is fine
          chunks = chunkLines(source, cfg.chunkSize ?? GEN_CHUNK);
        } else {
          chunks = fileLineChunks(file, cfg.chunkSize ?? GEN_CHUNK, takeChunk);
        }
        for await (const chunk of chunks) {
          bytesRead += chunk.length;
          // The chunk is a prefix of its buffer or arena slot (the rest is unused room): the worker
          // reads `length` bytes there.
          if (arena?.holds(chunk)) await submit({ kind: 'gen', seq: seq++, slot: chunk.byteOffset, length: chunk.length });
          else await submit({ kind: 'gen', seq: seq++, buf: chunk.buffer as ArrayBuffer, length: chunk.length });
        }
        while (inflight.length) await emit(await inflight.shift()!);
        arena?.reset();
        if (fileRecords === 0) throw new InputError('no variants: the file is empty or blank', { file });
      } else {
        const h = headers.get(file)!;
        const bgenChunk = cfg.chunkSize ?? BGEN_CHUNK;
        const bgi = `${file}.bgi`;
        let chunks: AsyncIterable<BgenChunk>;
        const hasBgi = fs.existsSync(bgi);
        if (cfg.shard) {
          const m = h.nVariants;
          const skip = Math.floor(((cfg.shard.index - 1) * m) / cfg.shard.count);
          const take = Math.floor((cfg.shard.index * m) / cfg.shard.count) - skip;
          chunks = hasBgi ? bgenIndexedChunks(file, listBgiOffsets(bgi).slice(skip, skip + take), bgenChunk) : bgenChunks(file, h, bgenChunk, { skip, take });
        } else if (cfg.regions.length && hasBgi) {
          chunks = bgenIndexedChunks(file, bgiEntriesFor(bgi, cfg.regions), bgenChunk);
        } else {
          chunks = bgenChunks(file, h, bgenChunk);
        }
        for await (const c of chunks) {
          bytesRead += c.buf.length;
          await submit({ kind: 'bgen', seq: seq++, buf: c.buf.buffer as ArrayBuffer, fileOffset: c.fileOffset, file, layout: h.layout, compression: h.compression, nVariants: c.nVariants });
        }
        while (inflight.length) await emit(await inflight.shift()!);
      }
    }
    for (const s of sorters) await s.finish();
    // The medians are of -ln p (see medianChi2), as in the report.
    ph.forEach((s, j) => (s.lambda = medianChi2(medians[j].middle() ?? []) / CHI2_1_MEDIAN));
  } catch (e) {
    for (const s of sorters) s.abort();
    throw e;
  } finally {
    progress?.stop();
    for (const m of medians) m.close();
    fs.rmSync(tmpDir, { recursive: true, force: true });
    unregisterTemp(tmpDir);
    await Promise.allSettled(inflight);
    await pool.destroy();
  }
  if (poolError) throw poolError;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const summary: AssocSummary = { matching, variantsRead, outsideRegions: outside, multiallelicSkipped: skipped, files: cfg.gen.length + cfg.bgen.length, seconds, phenos: ph, warnings, sampleCount: samples.length, sortedInput: sorters.every((s) => s.sortedInput) };
  for (const line of summaryLines(summary)) log(line);
  return summary;
}

export function summaryLines(s: AssocSummary): string[] {
  const rate = s.seconds > 0 ? Math.round(s.variantsRead / s.seconds) : 0;
  const out = [
    `dosageflow assoc: ${s.variantsRead} variants read from ${s.files} file${s.files === 1 ? '' : 's'} (${s.sampleCount} samples)${s.outsideRegions ? `, ${s.outsideRegions} outside --region` : ''}${s.multiallelicSkipped ? `, ${s.multiallelicSkipped} multi-allelic skipped` : ''} in ${s.seconds.toFixed(2)} s (${rate} variants/s)${s.sortedInput ? '' : '; input was not genome-sorted: output sorted'}`,
  ];
  out.push(`  samples: ${s.matching}`);
  for (const p of s.phenos) {
    const filt = [p.filteredInfo ? `${p.filteredInfo} filtered by INFO` : '', p.filteredMaf ? `${p.filteredMaf} filtered by MAF` : '', p.na ? `${p.na} NA (no variance)` : ''].filter(Boolean).join(', ');
    out.push(`  ${p.name}: ${p.samples} samples, ${p.tested} variants tested${filt ? `, ${filt}` : ''}, lambda ${Number.isNaN(p.lambda) ? 'NA' : p.lambda.toFixed(4)} -> ${p.output}`);
  }
  return out;
}

function startProgress(get: () => { variantsRead: number; bytesRead: number }) {
  const t0 = Date.now();
  const timer = setInterval(() => {
    const { variantsRead, bytesRead } = get();
    const sec = (Date.now() - t0) / 1000;
    process.stderr.write(`\r\x1b[K${variantsRead} variants, ${(bytesRead / 1e6).toFixed(0)} MB, ${Math.round(variantsRead / Math.max(sec, 0.001))} variants/s`);
  }, 500);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      process.stderr.write('\r\x1b[K');
    },
  };
}

/** Bytes of the typed arrays a worker holds for the model. */
function modelBytes(model: AssocModel): number {
  let b = 0;
  for (const g of model.groups) b += g.idx.byteLength + g.q.byteLength + g.yr.byteLength + g.cov.byteLength + g.y.byteLength;
  return b;
}

/** .gen chunk buffers handed back by the workers, reused for later chunks. */
class BufferPool {
  private free: ArrayBuffer[] = [];
  constructor(private readonly max: number) {}
  take = (minBytes: number): ArrayBuffer => {
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i].byteLength >= minBytes) {
        const b = this.free[i];
        this.free[i] = this.free[this.free.length - 1];
        this.free.pop();
        return b;
      }
    }
    return new ArrayBuffer(minBytes);
  };
  give(b: ArrayBuffer): void {
    if (this.free.length < this.max) this.free.push(b);
  }
}
