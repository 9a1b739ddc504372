// Sample and variant selection as plink2 does it: --keep/--remove FILE (`FID IID` or `IID` a line,
// header optional) and --extract/--exclude FILE (variant IDs, whitespace-separated). Every genotype
// source applies them: samples by masking (assoc: the phenotypes of removed samples are missing;
// prs: dosages gathered to the kept samples), variants by the ID in the SNP column dosageflow
// prints (.gen: the RSID, or SNPID when it is '.'; CHR ID POS A B files: ID; BGEN: rsid, else the
// variant id), which is the ID plink2 gives the same files.
import { InputError } from '../errors.js';
import { readTextFile } from '../io/input.js';
import { displayId, type SampleId } from './tables.js';

export interface SampleLists {
  keep?: string;
  remove?: string;
}

export interface SampleSelection {
  /** 1 = kept, per genotype sample; undefined = every sample kept (no --keep/--remove). */
  mask?: Uint8Array;
  kept: number;
  /** Samples not listed in --keep. */
  notKept: number;
  /** Samples listed in --remove (of those --keep kept). */
  removed: number;
  warnings: string[];
}

/** A plink sample list: `FID IID` or `IID` a line (more columns ignored); header line optional. */
export function parseSampleList(text: string, file: string): SampleId[] {
  const lines = text.split('\n');
  const out: SampleId[] = [];
  let cols = 0; // 0: decided per line by its field count; 1: IID; 2: FID IID
  let first = true;
  for (let i = 0; i < lines.length; i++) {
    const f = lines[i]
      .trim()
      .split(/\s+/)
      .filter((x) => x !== '');
    if (f.length === 0) continue;
    if (first) {
      first = false;
      const h = f[0].replace(/^#/, '').toUpperCase();
      if (h === 'FID' && f[1]?.toUpperCase() === 'IID') {
        cols = 2;
        continue;
      }
      if (h === 'IID') {
        cols = 1;
        continue;
      }
      if (f[0].startsWith('#')) throw new InputError(`header starts with '${f[0]}': expected #FID IID or #IID (or no header)`, { file, line: i + 1 });
    }
    const two = cols === 2 || (cols === 0 && f.length >= 2);
    if (cols === 2 && f.length < 2) throw new InputError('one field where the header has FID IID', { file, line: i + 1 });
    out.push(two ? { fid: f[0], iid: f[1] } : { iid: f[0] });
  }
  return out;
}

/**
 * Which genotype samples --keep and --remove leave. A listed ID matches a sample on FID and IID when
 * both have a FID, else on IID (as phenotype tables match; a .sample with ID_1 = 0 has none).
 */
export async function selectSamples(samples: SampleId[], lists: SampleLists): Promise<SampleSelection> {
  const warnings: string[] = [];
  if (lists.keep === undefined && lists.remove === undefined) return { kept: samples.length, notKept: 0, removed: 0, warnings };
  const mask = new Uint8Array(samples.length).fill(1);
  const apply = (ids: SampleId[], file: string, keep: boolean): number => {
    const byIid = new Map<string, (string | undefined)[]>();
    for (const id of ids) {
      const l = byIid.get(id.iid);
      if (l) l.push(id.fid);
      else byIid.set(id.iid, [id.fid]);
    }
    const used = new Set<string>();
    let changed = 0;
    samples.forEach((s, i) => {
      const fids = byIid.get(s.iid);
      const hit = fids?.some((f) => f === undefined || s.fid === undefined || f === s.fid) === true;
      if (hit) used.add(s.iid);
      if (mask[i] === 1 && hit !== keep) {
        mask[i] = 0;
        changed++;
      }
    });
    const unknown = ids.filter((id) => !used.has(id.iid));
    if (unknown.length) warnings.push(`${unknown.length} of ${ids.length} IDs in ${file} are not genotyped samples (first: '${displayId(unknown[0])}')`);
    return changed;
  };
  let notKept = 0;
  let removed = 0;
  if (lists.keep !== undefined) notKept = apply(parseSampleList(await readTextFile(lists.keep), lists.keep), lists.keep, true);
  if (lists.remove !== undefined) removed = apply(parseSampleList(await readTextFile(lists.remove), lists.remove), lists.remove, false);
  const kept = samples.length - notKept - removed;
  if (kept === 0) throw new InputError(`no sample is left after --keep/--remove (${notKept} not kept, ${removed} removed)`, { file: lists.remove ?? lists.keep });
  return { mask, kept, notKept, removed, warnings };
}

/** Variant IDs of an --extract/--exclude file (whitespace-separated, as plink2 reads them). */
export async function readVariantIds(file: string): Promise<string[]> {
  const text = await readTextFile(file);
  return text.split(/\s+/).filter((x) => x !== '');
}

export interface VariantLists {
  extract?: string[];
  exclude?: string[];
}

/** The --extract/--exclude test on a variant's ID, with counts of what each removed. */
export class VariantSelect {
  private readonly extract: Set<string> | null;
  private readonly exclude: Set<string> | null;
  readonly active: boolean;
  notExtracted = 0;
  excluded = 0;

  constructor(lists: VariantLists) {
    this.extract = lists.extract ? new Set(lists.extract) : null;
    this.exclude = lists.exclude ? new Set(lists.exclude) : null;
    this.active = this.extract !== null || this.exclude !== null;
  }

  /** Whether the variant with this ID stays (counted when not). */
  keep(id: string): boolean {
    if (this.extract !== null && !this.extract.has(id)) {
      this.notExtracted++;
      return false;
    }
    if (this.exclude?.has(id)) {
      this.excluded++;
      return false;
    }
    return true;
  }
}

/** The closing-summary phrase for what the selection removed ('' when nothing was asked). */
export function selectionSummary(
  s: { notKept: number; removed: number } | undefined,
  v: { notExtracted: number; excluded: number },
  lists: SampleLists & { extract?: unknown; exclude?: unknown },
): string {
  const parts: string[] = [];
  if (lists.keep !== undefined) parts.push(`--keep removed ${s?.notKept ?? 0} samples`);
  if (lists.remove !== undefined) parts.push(`--remove ${s?.removed ?? 0} samples`);
  if (lists.extract !== undefined) parts.push(`--extract removed ${v.notExtracted} variants`);
  if (lists.exclude !== undefined) parts.push(`--exclude ${v.excluded} variants`);
  return parts.join(', ');
}

/**
 * The warning where --extract kept none of the variants read (plink2 stops there: "No variants
 * remaining after main filters"; a cluster shard may hold none of the IDs, so here it is a warning):
 * the commonest cause is a list of rsIDs for a file whose IDs are chr:pos:ref:alt, or the reverse.
 */
export function extractKeptNoneNote(file: string | undefined, notExtracted: number, rowsOut: number): string | null {
  if (file === undefined || notExtracted === 0 || rowsOut > 0) return null;
  return `--extract ${file} lists none of the ${notExtracted} variants read: IDs are matched against the SNP column (a VCF's ID, e.g. chr1:10000:C:A from imputation servers, not an rsID); the tables have no rows`;
}
