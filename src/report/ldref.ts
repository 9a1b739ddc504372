// The LD reference of `report --ld-ref`: dosages of the loci candidates (the variants below the
// suggestive threshold: few) read from a .gen (plain, gzip or zstd) or .bgen file, and r^2 between
// them for the LD grouping of the top loci (clump.ts clumpByLd).
//
// Everything but the dosage arithmetic is the prs command's machinery, imported: readDosages /
// looksLikeBgen stream the reference, matchAlleles pairs its alleles with the table's, quantize /
// SpillSet store one record of 2 bytes per reference sample per matched candidate on disk (in the
// report's build directory), and clumping reads them back through an LRU cache of LD_CACHE_BYTES
// with r2Dosage or r2HardCallEm. So memory does not grow with the number of reference samples x
// candidates, and the reference is read exactly once (after the table's scan, when the candidates
// are known).
//
// A candidate is found in the reference by chromosome (normalised: chr1 = 01 = 1, 23 = X),
// position and alleles in either order (A1/A2 = counted/other or other/counted; letters compared
// case-insensitively, no strand flips). The first matching reference variant is used. Candidates
// without chromosome, position or alleles, or with none matching, are "not in the LD reference".
import { InputError, UsageError } from '../errors.js';
import { normChr } from '../formats/chrom.js';
import { countFields } from '../formats/gen/decode.js';
import { parseSampleFile } from '../formats/tables.js';
import { openInput, readTextFile } from '../io/input.js';
import { readLines } from '../io/lines.js';
import { readBgenHeader } from '../pipeline/bgen-source.js';
import { countsOtherAllele, matchAlleles } from '../prs/alleles.js';
import { prepareDosage, prepareHardCalls, r2Dosage, r2HardCallEm, type LdMethod } from '../prs/ld.js';
import { readDosages, sniffGenotypeFormat, vcfSampleNames, type GenotypeFormat, type SourceStats } from '../prs/sources.js';
import { SpillSet, quantize } from '../prs/store.js';
import type { LdLookup } from './clump.js';
import type { LdConfig } from './config.js';
import { isNA } from './sumstats.js';
import { selectSamples } from '../formats/select.js';

/** Bytes of LD records cached while grouping one chromosome. */
export const LD_CACHE_BYTES = 256 << 20;

export interface LdRefSource {
  file: string;
  format: GenotypeFormat;
  /** Samples in the file. */
  nSamples: number;
  sampleFile: string | undefined;
  /** --keep / --remove: the reference samples r^2 is computed over (undefined = all). */
  kept?: Int32Array;
  /** What --keep / --remove removed, for the summary. */
  notKept: number;
  removed: number;
}

/** The samples r^2 is computed over. */
export function ldSampleCount(src: LdRefSource): number {
  return src.kept ? src.kept.length : src.nSamples;
}

/**
 * Check the reference before the (long) scan of the table: it opens, its format, its number of
 * samples (from the BGEN header, or from the field count of the first .gen line: 6 + 3 x samples),
 * and, with --ld-ref-sample, that the sample file lists as many. Errors name the file.
 */
export async function openLdRef(ld: LdConfig): Promise<LdRefSource> {
  const file = ld.ref;
  const format = await sniffGenotypeFormat(file);
  const vcf = format === 'vcf' ? await vcfSampleNames(file) : undefined;
  const nSamples = vcf ? vcf.samples.length : format === 'bgen' ? (await readBgenHeader(file)).nSamples : await genSamples(file);
  let sel: { kept?: Int32Array; notKept: number; removed: number } = { notKept: 0, removed: 0 };
  if ((ld.keep !== undefined || ld.remove !== undefined) && ld.sample === undefined && !vcf)
    throw new UsageError(`${ld.keep !== undefined ? '--keep' : '--remove'} needs --ld-ref-sample FILE (the reference's sample IDs) for a .gen or .bgen reference`);
  if (ld.sample !== undefined || vcf) {
    // A VCF names its samples (IIDs); a sample file given with it must list as many.
    const ids = ld.sample !== undefined ? parseSampleFile(await readTextFile(ld.sample), ld.sample) : vcf!.samples.map((iid) => ({ iid }));
    if (ids.length !== nSamples) {
      throw new InputError(`the LD reference has ${nSamples} samples but its sample file ${ld.sample} lists ${ids.length}`, { file });
    }
    const s = await selectSamples(ids, { keep: ld.keep, remove: ld.remove });
    for (const w of s.warnings) process.stderr.write(`dosageflow: warning: ${w}\n`);
    sel = { kept: s.mask ? Int32Array.from(ids.keys()).filter((i) => s.mask![i] === 1) : undefined, notKept: s.notKept, removed: s.removed };
  }
  const src: LdRefSource = { file, format, nSamples, sampleFile: ld.sample, ...sel };
  if (ldSampleCount(src) < 2) throw new InputError(`the LD reference needs at least 2 samples, not ${ldSampleCount(src)}`, { file: ld.keep ?? file });
  return src;
}

async function genSamples(file: string): Promise<number> {
  const inp = await openInput(file);
  let lineNo = 0;
  try {
    for await (const b of readLines(inp.stream, file)) {
      lineNo++;
      const nf = countFields(b, 0, b.length);
      if (nf === 0) continue;
      // 6 leading fields (CHR SNPID RSID POS A B) or 5 (CHR ID POS A B, plink's export).
      const n = (nf - 6) % 3 === 0 ? (nf - 6) / 3 : (nf - 5) / 3;
      if (!Number.isInteger(n) || n < 1) {
        throw new InputError(`not a .gen line: ${nf} fields, expected 6 or 5 + 3 x samples (CHR SNPID RSID POS A B or CHR ID POS A B, then 3 genotype probabilities per sample)`, {
          file,
          line: lineNo,
        });
      }
      return n;
    }
  } finally {
    inp.stream.destroy();
  }
  throw new InputError('no variants: the file is empty', { file });
}

/** The loci candidates as the LD reference needs them (index = candidate index). */
export interface LdCandidates {
  /** Normalised chromosome of each candidate, null when unplaced. */
  chr: (string | null)[];
  bp: ArrayLike<number>;
  a1: string[];
  a2: string[];
}

export interface LdData {
  source: LdRefSource;
  spill: SpillSet;
  /** Per candidate: its record in the spill file of its chromosome, -1 = not in the reference. */
  rec: Int32Array;
  /** Candidates found in the reference. */
  matched: number;
  /** Variants read from the reference (biallelic), and multi-allelic BGEN variants skipped. */
  rows: number;
  multiallelic: number;
}

/** Stream the reference once and keep the dosages (of each candidate's A1) of the candidates only. */
export async function loadLdDosages(src: LdRefSource, cands: LdCandidates, dir: string): Promise<LdData> {
  const n = cands.chr.length;
  const rec = new Int32Array(n).fill(-1);
  const byKey = new Map<string, number[]>();
  for (let k = 0; k < n; k++) {
    const chr = cands.chr[k];
    if (chr === null || isNA(cands.a1[k]) || isNA(cands.a2[k])) continue;
    const key = `${chr}:${cands.bp[k]}`;
    const l = byKey.get(key);
    if (l) l.push(k);
    else byKey.set(key, [k]);
  }
  const nLd = ldSampleCount(src);
  const spill = new SpillSet(dir, 'ldref', nLd);
  const buf = new Uint16Array(nLd);
  const kept = src.kept;
  const gathered = new Float64Array(kept ? nLd : 0);
  const stats: SourceStats = { rows: 0, multiallelic: 0, oneAllele: 0 };
  let matched = 0;
  let finished = false;
  try {
    // Nothing to look up (no placed candidate with alleles): the reference is not read.
    if (byKey.size > 0) {
      const want = (chr: string, pos: number) => byKey.has(`${normChr(chr)}:${pos}`);
      for await (const row of readDosages(src.file, src.format, src.nSamples, undefined, stats, want)) {
        const m = row.meta;
        const list = byKey.get(`${normChr(m.chr)}:${m.pos}`);
        if (!list) continue;
        for (const k of list) {
          if (rec[k] >= 0) continue;
          const kind = matchAlleles(cands.a1[k], cands.a2[k], m.a1, m.a2, true);
          if (kind !== 'same' && kind !== 'swapped') continue;
          let d = row.dosage;
          if (kept) {
            for (let i = 0; i < nLd; i++) gathered[i] = d[kept[i]];
            d = gathered;
          }
          quantize(d, nLd, countsOtherAllele(kind), buf);
          rec[k] = spill.append(cands.chr[k]!, buf);
          matched++;
        }
      }
      if (stats.rows === 0) throw new InputError('no variants: the file is empty', { file: src.file });
    }
    spill.finish();
    finished = true;
  } finally {
    if (!finished) {
      try {
        spill.finish();
      } catch {
        /* the build directory is removed anyway */
      }
    }
  }
  return { source: src, spill, rec, matched, rows: stats.rows, multiallelic: stats.multiallelic };
}

/** r^2 between the stored candidates of one chromosome at a time, by `method` (see src/prs/ld.ts). */
export function ldLookup(data: LdData, chrLabels: string[], method: LdMethod, budgetBytes = LD_CACHE_BYTES): LdLookup {
  const n = ldSampleCount(data.source);
  return {
    rec: data.rec,
    open(chr: number) {
      const label = chrLabels[chr];
      if (method === 'dosage') {
        const reader = data.spill.reader(label, budgetBytes, prepareDosage, 2 * n + 96);
        return { r2: (a: number, b: number) => r2Dosage(reader.get(a), reader.get(b)), close: () => reader.close() };
      }
      const reader = data.spill.reader(label, budgetBytes, prepareHardCalls, n + 96);
      return { r2: (a: number, b: number) => r2HardCallEm(reader.get(a), reader.get(b)), close: () => reader.close() };
    },
  };
}
