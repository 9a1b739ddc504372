// The base: a summary-statistics table (dosageflow's own output, or any table with the columns
// CHR SNP BP A1 A2 BETA P, optionally LOG10P), read whole into compact per-chromosome columns sorted
// by position (about 100 bytes per row: typed arrays, interned allele strings, the SNP name).
// Rows with NA (or otherwise non-numeric) BETA or P are skipped and counted; anything else that is
// malformed is an InputError naming the file and line. A row repeating an earlier row's chromosome,
// position and alleles (in either order) is dropped and counted.
import { InputError } from '../errors.js';
import { normChr } from '../formats/chrom.js';
import { isNA, openSumstats, quoteField, type ColumnMapping } from '../io/sumstats.js';

/** One chromosome's base rows, sorted by position (ties: file order). */
export interface BaseChrom {
  chr: string;
  n: number;
  pos: Float64Array;
  beta: Float64Array;
  p: Float64Array;
  /** -log10 P (from LOG10P when the table has it: keeps the order of P values that underflow to 0). */
  log10p: Float64Array;
  a1: string[];
  a2: string[];
  snp: string[];
  /** Matching state, set by the caller: 0 none, 1 other alleles, 2 ambiguous, 3 matched. */
  status: Uint8Array;
}

export interface BaseTable {
  file: string;
  byChr: Map<string, BaseChrom>;
  rows: number;
  naRows: number;
  duplicateRows: number;
}

/** Index of the first row at `pos` (or -1). */
export function findPos(c: BaseChrom, pos: number): number {
  let lo = 0;
  let hi = c.n;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (c.pos[m] < pos) lo = m + 1;
    else hi = m;
  }
  return lo < c.n && c.pos[lo] === pos ? lo : -1;
}

interface Builder {
  pos: number[];
  beta: number[];
  p: number[];
  log10p: number[];
  a1: string[];
  a2: string[];
  snp: string[];
}

export async function readBase(file: string, columns?: ColumnMapping): Promise<BaseTable> {
  const table = await openSumstats(file, { required: ['chr', 'bp', 'a1', 'a2', 'beta', 'p'], mapping: columns, what: 'base table' });
  const { row, layout } = table;
  const builders = new Map<string, Builder>();
  const alleles = new Map<string, string>();
  const intern = (s: string): string => {
    const u = s.toUpperCase();
    if (u.length > 12) return u;
    let v = alleles.get(u);
    if (v === undefined) alleles.set(u, (v = u));
    return v;
  };
  let rows = 0;
  let naRows = 0;
  for await (const lineNo of table.rows) {
    const betaS = layout.col.beta >= 0 ? row.field(layout.col.beta) : row.field(layout.or);
    const [p, log10p] = row.pAndLog10p();
    if (isNA(betaS) || Number.isNaN(p)) {
      naRows++;
      continue;
    }
    const bpS = row.field(layout.col.bp);
    if (!/^\d+$/.test(bpS)) throw new InputError(`BP '${quoteField(bpS)}' is not a whole number`, { file, line: lineNo });
    const beta = row.num('beta');
    if (!Number.isFinite(beta))
      throw new InputError(`${layout.names[layout.col.beta >= 0 ? layout.col.beta : layout.or]} '${quoteField(betaS)}' is not a number (use NA for missing)`, { file, line: lineNo });
    const chr = normChr(row.text('chr')!);
    let b = builders.get(chr);
    if (!b) builders.set(chr, (b = { pos: [], beta: [], p: [], log10p: [], a1: [], a2: [], snp: [] }));
    b.pos.push(Number(bpS));
    b.beta.push(beta);
    b.p.push(p);
    b.log10p.push(log10p);
    b.a1.push(intern(row.text('a1')!));
    b.a2.push(intern(row.text('a2')!));
    // A copy, so the string does not keep the whole line alive.
    b.snp.push((' ' + row.text('snp')!).slice(1));
    rows++;
  }
  const byChr = new Map<string, BaseChrom>();
  let duplicateRows = 0;
  for (const [chr, b] of builders) {
    const order = Array.from({ length: b.pos.length }, (_, i) => i).sort((x, y) => b.pos[x] - b.pos[y] || x - y);
    const keep: number[] = [];
    for (let k = 0; k < order.length; k++) {
      const i = order[k];
      let dup = false;
      for (let m = keep.length - 1; m >= 0 && b.pos[keep[m]] === b.pos[i]; m--) {
        const j = keep[m];
        if ((b.a1[j] === b.a1[i] && b.a2[j] === b.a2[i]) || (b.a1[j] === b.a2[i] && b.a2[j] === b.a1[i])) dup = true;
      }
      if (dup) duplicateRows++;
      else keep.push(i);
    }
    const n = keep.length;
    const c: BaseChrom = {
      chr,
      n,
      pos: Float64Array.from(keep, (i) => b.pos[i]),
      beta: Float64Array.from(keep, (i) => b.beta[i]),
      p: Float64Array.from(keep, (i) => b.p[i]),
      log10p: Float64Array.from(keep, (i) => b.log10p[i]),
      a1: keep.map((i) => b.a1[i]),
      a2: keep.map((i) => b.a2[i]),
      snp: keep.map((i) => b.snp[i]),
      status: new Uint8Array(n),
    };
    byChr.set(chr, c);
    builders.delete(chr);
  }
  return { file, byChr, rows: rows - duplicateRows, naRows, duplicateRows };
}
