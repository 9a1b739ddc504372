// The base: a summary-statistics table (dosageflow's own output, or any table with the columns
// CHR SNP BP A1 A2 BETA P, optionally LOG10P), read whole into a compact per-chromosome index.
// Rows with NA (or otherwise non-numeric) BETA or P are skipped and counted; anything else that
// is malformed is an InputError naming the file and line.
import { InputError } from '../errors.js';
import { normChr } from '../formats/chrom.js';
import { openInput } from '../io/input.js';
import { readLines } from '../io/lines.js';

export interface BaseRow {
  /** Row number among the base's data rows (0-based), for stable ordering. */
  row: number;
  snp: string;
  chr: string;
  pos: number;
  a1: string;
  a2: string;
  beta: number;
  p: number;
  /** -log10 P when the table has LOG10P (keeps the order of P values that underflow to 0). */
  log10p: number;
  /** Set while matching: the target variant this row was matched to (-1 none yet). */
  matchedTo: number;
}

export interface BaseTable {
  file: string;
  /** chromosome (normalised) -> position -> rows at that position. */
  byChr: Map<string, Map<number, BaseRow[]>>;
  rows: number;
  naRows: number;
  duplicateRows: number;
}

const REQUIRED = ['CHR', 'SNP', 'BP', 'A1', 'A2', 'BETA', 'P'] as const;
const NA = new Set(['NA', 'na', 'NaN', 'nan', '.', '']);

const utf8 = new TextDecoder('utf-8');

export async function readBase(file: string): Promise<BaseTable> {
  const inp = await openInput(file);
  const byChr = new Map<string, Map<number, BaseRow[]>>();
  let col: Record<string, number> | null = null;
  let nCols = 0;
  let lineNo = 0;
  let rows = 0;
  let naRows = 0;
  let duplicateRows = 0;
  for await (const bytes of readLines(inp.stream)) {
    lineNo++;
    const line = utf8.decode(bytes);
    if (line.trim() === '') continue;
    const f = line.trim().split(/\s+/);
    if (col === null) {
      const names = f.map((s) => s.replace(/^#/, '').toUpperCase());
      col = {};
      for (const r of [...REQUIRED, 'LOG10P']) col[r] = names.indexOf(r);
      const missing = REQUIRED.filter((r) => col![r] < 0);
      if (missing.length) {
        throw new InputError(`base table header lacks ${missing.join(', ')} (expected a dosageflow summary table: CHR SNP BP A1 A2 FRQ INFO N BETA SE T P LOG10P)`, { file, line: lineNo });
      }
      nCols = f.length;
      continue;
    }
    if (f.length !== nCols) throw new InputError(`${f.length} fields where the header has ${nCols}`, { file, line: lineNo });
    const betaS = f[col.BETA];
    const pS = f[col.P];
    if (NA.has(betaS) || NA.has(pS)) {
      naRows++;
      continue;
    }
    const bpS = f[col.BP];
    if (!/^\d+$/.test(bpS)) throw new InputError(`BP '${bpS.slice(0, 30)}' is not a whole number`, { file, line: lineNo });
    const beta = Number(betaS);
    if (!Number.isFinite(beta)) throw new InputError(`BETA '${betaS.slice(0, 30)}' is not a number (use NA for missing)`, { file, line: lineNo });
    const p = Number(pS);
    if (!Number.isFinite(p) || p < 0 || p > 1) throw new InputError(`P '${pS.slice(0, 30)}' is not a p-value between 0 and 1 (use NA for missing)`, { file, line: lineNo });
    let log10p = NaN;
    if (col.LOG10P >= 0) {
      const l = Number(f[col.LOG10P]);
      if (Number.isFinite(l)) log10p = l;
    }
    if (Number.isNaN(log10p)) log10p = p > 0 ? -Math.log10(p) : Infinity;
    const chr = normChr(f[col.CHR]);
    const pos = Number(bpS);
    const a1 = f[col.A1].toUpperCase();
    const a2 = f[col.A2].toUpperCase();
    let byPos = byChr.get(chr);
    if (!byPos) byChr.set(chr, (byPos = new Map()));
    let list = byPos.get(pos);
    if (!list) byPos.set(pos, (list = []));
    if (list.some((r) => (r.a1 === a1 && r.a2 === a2) || (r.a1 === a2 && r.a2 === a1))) {
      duplicateRows++;
      continue;
    }
    list.push({ row: rows, snp: f[col.SNP], chr, pos, a1, a2, beta, p, log10p, matchedTo: -1 });
    rows++;
  }
  if (col === null) throw new InputError('empty base table (expected a header line CHR SNP BP A1 A2 ... BETA ... P)', { file, line: 1 });
  return { file, byChr, rows, naRows, duplicateRows };
}
