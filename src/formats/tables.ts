// Sample, phenotype and covariate tables. Small enough to read whole; every problem is reported
// with the file and 1-based line number.
import { InputError } from '../errors.js';
import { readTextFile } from '../io/input.js';
import { showBytes } from '../io/text.js';

export interface SampleId {
  fid?: string;
  iid: string;
  /** From a .sample `sex` column of type D: 1 male, 2 female; absent when unknown. */
  sex?: number;
}

/**
 * Oxford .sample: two header lines (names, types); ID_1/ID_2 = FID/IID (ID_1 = 0 throughout: no
 * FIDs), or ID_1 alone = IID. A `sex` column of type D (1 male, 2 female, 0/NA unknown, else an
 * error, as plink2 reads it) gives SampleId.sex; further columns (`missing`, phenotypes, ...) are not read.
 */
export function parseSampleFile(text: string, file: string): SampleId[] {
  const lines = text.split('\n');
  const rows: SampleId[] = [];
  const header = splitWs(lines[0] ?? '');
  if (header.length === 0) throw new InputError('empty sample file (expected a header line `ID_1 ID_2 missing ...`)', { file, line: 1 });
  if (!/^ID_1$/i.test(header[0])) throw new InputError(`first column is '${header[0]}', expected ID_1 (Oxford .sample format)`, { file, line: 1 });
  const hasId2 = header.length > 1 && /^ID_2$/i.test(header[1]);
  if (lines.length < 2 || splitWs(lines[1]).length === 0) throw new InputError('missing the second header line (column types, e.g. `0 0 0`)', { file, line: 2 });
  const seen = new Map<string, number>();
  const types = splitWs(lines[1]);
  // As plink2 reads them: one of 0 D C P B per column (a sample row here means the types line is missing).
  const bad = types.find((ty) => !/^[0DCPB]$/.test(ty));
  if (bad !== undefined) throw new InputError(`the second header line holds the column types (0, D, C, P or B), not '${showBytes(bad.slice(0, 30))}': is it missing?`, { file, line: 2 });
  if (types.length !== header.length) throw new InputError(`${types.length} column types on the second header line, where the first has ${header.length} columns`, { file, line: 2 });
  const sexCol = header.findIndex((h, j) => /^sex$/i.test(h) && types[j] === 'D');
  for (let i = 2; i < lines.length; i++) {
    const f = splitWs(lines[i]);
    if (f.length === 0) continue;
    if (f.length !== header.length) throw new InputError(`${f.length} fields where the header has ${header.length}`, { file, line: i + 1 });
    const id: SampleId = hasId2 ? { fid: f[0], iid: f[1] } : { iid: f[0] };
    if (sexCol > 0) id.sex = sampleSex(f[sexCol], file, i + 1);
    noDuplicate(seen, id, file, i + 1);
    rows.push(id);
  }
  dropZeroFids(rows);
  return rows;
}

/** Each sample once in a file: `seen` maps an id to its line; a repeat is an error naming both lines. */
function noDuplicate(seen: Map<string, number>, id: SampleId, file: string, line: number): void {
  const key = idKey(id);
  const prev = seen.get(key);
  if (prev !== undefined) throw new InputError(`duplicate sample id '${displayId(id)}' (also on line ${prev})`, { file, line });
  seen.set(key, line);
}

/** FID 0 on every row (plink2 --export oxford, plink 1.9 --recode oxford, a .fam without families): no family IDs. */
function dropZeroFids(ids: SampleId[]): void {
  if (ids.length > 0 && ids.every((r) => r.fid === '0')) for (const r of ids) r.fid = undefined;
}

/** A .sample sex (type D) as plink2 reads it: 1 male, 2 female, 0 or NA unknown; any other code is an error there too. */
function sampleSex(v: string, file: string, line: number): number | undefined {
  if (v === '1' || v === '2') return Number(v);
  if (v === '0' || v === 'NA') return undefined;
  throw new InputError(`sex '${showBytes(v.slice(0, 30))}': a .sample sex column (type D) holds 1 (male), 2 (female), 0 or NA (unknown), as plink2 reads it (--psam FILE takes M/F)`, { file, line });
}

export function idKey(id: SampleId): string {
  return id.fid === undefined ? id.iid : `${id.fid}\u0000${id.iid}`;
}

export function displayId(id: SampleId): string {
  return showBytes(id.fid === undefined ? id.iid : `${id.fid} ${id.iid}`);
}

function splitWs(line: string): string[] {
  const t = line.trim();
  return t === '' ? [] : t.split(/[ \t]+/);
}

function splitCsv(line: string): string[] {
  const t = line.trim();
  return t === '' ? [] : t.split(/[ \t]*,[ \t]*/);
}

/** plink2's `FIRST-LAST` column range: the columns from FIRST to LAST in header order, or null. */
function columnRange(w: string, column: Map<string, number>): number[] | null {
  const dash = w.indexOf('-', 1);
  if (dash < 0) return null;
  const a = column.get(w.slice(0, dash));
  const b = column.get(w.slice(dash + 1));
  if (a === undefined || b === undefined || b < a) return null;
  return Array.from({ length: b - a + 1 }, (_, k) => a + k);
}

export interface NumericTable {
  file: string;
  /** Value columns (excluding ID columns). */
  names: string[];
  ids: SampleId[];
  /** values[col][row]; NaN = missing (NA, -9, empty). */
  values: Float64Array[];
  /** 1-based line of each row, for messages. */
  lines: number[];
}

const MISSING = new Set(['NA', 'na', 'NaN', 'nan', '.']);
/** A decimal number: no hex, binary or octal literals, no Infinity (issue 15.10). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A whitespace-delimited table with a header: `FID IID ...`, `#FID IID ...`, `IID ...` or `#IID ...`;
 * comma-delimited where the header line is (as plink2 takes them: `#IID,age,PC1`). `wanted` selects
 * value columns by name (all non-ID columns when omitted), or by plink2's ranges in header order
 * (`PC1-PC10`: PC1, PC10 and the columns between; a column whose name has the dash wins).
 */
export function parseNumericTable(text: string, file: string, wanted?: string[], what = 'value', code?: (field: string) => number): NumericTable {
  const lines = text.split('\n');
  let h = 0;
  while (h < lines.length && lines[h].trim() === '') h++;
  if (h >= lines.length) throw new InputError('empty file (expected a header line starting FID IID or IID)', { file, line: 1 });
  const split = /^[^\s,]+,/.test(lines[h].trim()) ? splitCsv : splitWs;
  const header = split(lines[h]);
  const c0 = header[0].replace(/^#/, '').toUpperCase();
  let idCols: number;
  let hasFid: boolean;
  if (c0 === 'FID' && header.length > 1 && header[1].toUpperCase() === 'IID') {
    idCols = 2;
    hasFid = true;
  } else if (c0 === 'IID') {
    idCols = 1;
    hasFid = false;
  } else {
    throw new InputError(`header starts with '${header[0]}': expected FID IID, #FID IID, IID or #IID`, { file, line: h + 1 });
  }
  const allNames = header.slice(idCols);
  const column = columnIndex(allNames, file, h + 1);
  let cols: number[];
  if (wanted?.length) {
    cols = wanted.flatMap((w) => {
      const j = column.get(w) ?? -1;
      if (j >= 0) return [j];
      const range = columnRange(w, column);
      if (range === null) throw new InputError(`no ${what} column '${w}' (columns: ${listNames(allNames)})`, { file, line: h + 1 });
      return range;
    });
    cols = [...new Set(cols)]; // a column named twice (PC1,PC1-PC3) is read once
  } else {
    cols = allNames.map((_, j) => j);
  }
  if (cols.length === 0) throw new InputError(`no ${what} columns after the ID columns`, { file, line: h + 1 });
  const ids: SampleId[] = [];
  const rowLines: number[] = [];
  const raw: number[][] = cols.map(() => []);
  const seen = new Map<string, number>();
  for (let i = h + 1; i < lines.length; i++) {
    const f = split(lines[i]);
    if (f.length === 0) continue;
    if (f.length !== header.length) throw new InputError(`${f.length} fields where the header has ${header.length}`, { file, line: i + 1 });
    const id: SampleId = hasFid ? { fid: f[0], iid: f[1] } : { iid: f[0] };
    noDuplicate(seen, id, file, i + 1);
    ids.push(id);
    rowLines.push(i + 1);
    for (let k = 0; k < cols.length; k++) {
      const s = f[idCols + cols[k]];
      let v: number;
      if (code) v = code(s);
      else if (MISSING.has(s)) v = NaN;
      else {
        v = DECIMAL.test(s) ? Number(s) : NaN;
        if (!Number.isFinite(v)) {
          throw new InputError(
            `${what} '${s.slice(0, 30)}' in column '${allNames[cols[k]]}' is not a number (use NA for missing${what === 'covariate' ? '; code categorical covariates as numbers' : ''})`,
            { file, line: i + 1 },
          );
        }
      }
      raw[k].push(v === -9 ? NaN : v); // -9 is missing however written (-9.000, -9e0), as in plink2
    }
  }
  return { file, names: cols.map((j) => allNames[j]), ids, values: raw.map((r) => Float64Array.from(r)), lines: rowLines };
}

/** Names for a message: the first 20 and how many in all (a header can have 100k columns). */
function listNames(names: string[]): string {
  if (names.length === 0) return 'none';
  return names.length <= 20 ? names.join(', ') : `${names.slice(0, 20).join(', ')}, ... (${names.length} in all)`;
}

/** Column name -> index; a name twice is an error. Linear: a 100k-column header is one pass (15.21). */
export function columnIndex(names: string[], file: string, line: number): Map<string, number> {
  const index = new Map<string, number>();
  for (let j = 0; j < names.length; j++) {
    if (index.has(names[j])) throw new InputError(`column '${showBytes(names[j])}' appears twice in the header`, { file, line });
    index.set(names[j], j);
  }
  return index;
}

export async function readNumericTable(file: string, wanted: string[] | undefined, what: string, code?: (field: string) => number): Promise<NumericTable> {
  return parseNumericTable(await readTextFile(file), file, wanted, what, code);
}

/**
 * A plink .fam (no header: FID IID father mother SEX phenotype), which plink2 --psam also takes: its
 * SEX column as a one-column table (psamSexCode; FID 0 throughout: no FIDs, as plink2 reads it).
 */
export function parseFamSexes(text: string, file: string): NumericTable {
  const ids: SampleId[] = [];
  const sex: number[] = [];
  const rowLines: number[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const f = splitWs(lines[i]);
    if (f.length === 0) continue;
    if (f.length < 5 || f.length > 6) throw new InputError(`${f.length} fields: a .fam line has 6 (FID IID father mother sex phenotype), a .psam a header line (#IID SEX ...)`, { file, line: i + 1 });
    const id: SampleId = { fid: f[0], iid: f[1] };
    noDuplicate(seen, id, file, i + 1);
    ids.push(id);
    sex.push(psamSexCode(f[4]));
    rowLines.push(i + 1);
  }
  dropZeroFids(ids);
  return { file, names: ['SEX'], ids, values: [Float64Array.from(sex)], lines: rowLines };
}

/** A .psam SEX field as plink2 reads it: 1, M or m male (1); 2, F or f female (2); anything else unknown (NaN), never an error. */
export function psamSexCode(field: string): number {
  if (field === '1' || field === 'M' || field === 'm') return 1;
  if (field === '2' || field === 'F' || field === 'f') return 2;
  return NaN;
}

export interface Alignment {
  /** For each genotype sample, the table row it matched, or -1. */
  rowOf: Int32Array;
  matched: number;
  tableRows: number;
}

/**
 * Match table rows to genotype samples: by (FID, IID) where both sides have FIDs, else by IID alone.
 * Samples absent from the table get -1 (their values are missing).
 */
export function alignTable(samples: SampleId[], table: NumericTable): Alignment {
  const both = samples.length > 0 && samples[0].fid !== undefined && table.ids.length > 0 && table.ids[0].fid !== undefined;
  const index = new Map<string, number>();
  // Matched on IID alone, an IID the table has in several families names no one row (its first line kept).
  const twice = new Map<string, number>();
  table.ids.forEach((id, r) => {
    const key = both ? idKey(id) : id.iid;
    const prev = index.get(key);
    if (prev !== undefined && !both) twice.set(key, prev);
    index.set(key, r);
  });
  const rowOf = new Int32Array(samples.length).fill(-1);
  let matched = 0;
  let ambiguous: string | undefined;
  if (!both) {
    // IID-only matching must be unambiguous on the sample side.
    const seen = new Set<string>();
    for (const s of samples) {
      if (seen.has(s.iid)) ambiguous = s.iid;
      seen.add(s.iid);
    }
  }
  if (ambiguous !== undefined) {
    throw new InputError(`sample IID '${showBytes(ambiguous)}' occurs in several families; give FID IID columns to match on both`, { file: table.file });
  }
  samples.forEach((s, i) => {
    const r = index.get(both ? idKey(s) : s.iid);
    const first = twice.get(s.iid);
    if (r !== undefined && first !== undefined) {
      throw new InputError(
        `sample IID '${showBytes(s.iid)}' is in several families of this table (also on line ${table.lines[first]}) and the genotype samples have no FIDs: cannot tell which row is theirs`,
        { file: table.file, line: table.lines[r] },
      );
    }
    if (r !== undefined) {
      rowOf[i] = r;
      matched++;
    }
  });
  return { rowOf, matched, tableRows: table.ids.length };
}

/** Values of table column `col` in genotype-sample order (NaN where unmatched or missing). */
export function alignedColumn(table: NumericTable, col: number, al: Alignment): Float64Array {
  const out = new Float64Array(al.rowOf.length);
  const v = table.values[col];
  for (let i = 0; i < out.length; i++) {
    const r = al.rowOf[i];
    out[i] = r < 0 ? NaN : v[r];
  }
  return out;
}
