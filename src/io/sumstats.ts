// The one summary-statistics table reader (report, prs --base, merge, the library's readSumstats).
// A header is recognised as one of the tools' layouts (ours, plink2 --glm, regenie, SAIGE, BOLT-LMM,
// GWAS-SSF) or mapped with --col-* / --columns, giving a column map; rows are cut over bytes (lines
// from io/lines.ts, capped at 64 MiB) and their values read through the map, with the tools'
// conventions applied: the effect allele as A1, BETA = ln(OR), P from -log10 P. See docs/sumstats.md.
import { InputError, UsageError } from '../errors.js';
import { openInput } from './input.js';
import { readLines } from './lines.js';
import { MIN_NORMAL } from '../stats/format.js';

/** The values a table row can give, in our column names (lower case). */
export type ColumnKey = 'chr' | 'snp' | 'bp' | 'a1' | 'a2' | 'frq' | 'info' | 'n' | 'beta' | 'se' | 't' | 'p' | 'log10p';
export const COLUMN_KEYS: ColumnKey[] = ['chr', 'snp', 'bp', 'a1', 'a2', 'frq', 'info', 'n', 'beta', 'se', 't', 'p', 'log10p'];

/** Columns that shape how a row is read rather than giving a value. */
type HelperKey = 'or' | 'ref' | 'alt' | 'test';
type AnyKey = ColumnKey | HelperKey;

export type SumstatsFormat = 'dosageflow' | 'plink2' | 'regenie' | 'saige' | 'bolt-lmm' | 'gwas-ssf' | 'generic';

interface FormatSpec {
  name: SumstatsFormat;
  /** Whether an (upper-cased) header is this tool's. */
  is: (u: string[]) => boolean;
  /** Header names of each key, upper case, in order of preference. */
  cols: Partial<Record<AnyKey, string[]>>;
}

const has = (u: string[], ...names: string[]) => names.every((n) => u.includes(n));

/** The tools' layouts, tried in this order (the effect allele becomes A1). See docs/sumstats.md. */
const FORMATS: FormatSpec[] = [
  {
    name: 'dosageflow',
    is: (u) => u[0] === 'CHR' && u[1] === 'SNP' && u[2] === 'BP' && u[3] === 'A1' && u[4] === 'A2',
    cols: { chr: ['CHR'], snp: ['SNP'], bp: ['BP'], a1: ['A1'], a2: ['A2'], frq: ['FRQ'], info: ['INFO'], n: ['N'], beta: ['BETA'], se: ['SE'], t: ['T', 'Z'], p: ['P'], log10p: ['LOG10P'] },
  },
  {
    // plink2 --glm (.glm.linear, .glm.logistic[.hybrid], .glm.firth): A1 is the counted allele.
    name: 'plink2',
    is: (u) => u[0] === '#CHROM' && has(u, 'POS', 'A1'),
    cols: {
      chr: ['#CHROM'],
      bp: ['POS'],
      snp: ['ID'],
      a1: ['A1'],
      a2: ['OMITTED', 'AX'],
      ref: ['REF'],
      alt: ['ALT'],
      frq: ['A1_FREQ'],
      info: ['MACH_R2'],
      n: ['OBS_CT'],
      beta: ['BETA'],
      or: ['OR'],
      se: ['SE', 'LOG(OR)_SE'],
      t: ['T_STAT', 'Z_STAT'],
      p: ['P'],
      log10p: ['LOG10_P', 'NEG_LOG10_P'],
      test: ['TEST'],
    },
  },
  {
    // regenie step 2 (.regenie): BETA is the effect of ALLELE1; only LOG10P (= -log10 p).
    name: 'regenie',
    is: (u) => has(u, 'CHROM', 'GENPOS', 'ALLELE0', 'ALLELE1', 'LOG10P'),
    cols: {
      chr: ['CHROM'],
      bp: ['GENPOS'],
      snp: ['ID'],
      a1: ['ALLELE1'],
      a2: ['ALLELE0'],
      frq: ['A1FREQ'],
      info: ['INFO'],
      n: ['N'],
      beta: ['BETA'],
      se: ['SE'],
      p: ['P'],
      log10p: ['LOG10P'],
      test: ['TEST'],
    },
  },
  {
    // SAIGE step 2: BETA is the effect of Allele2 (AF_Allele2 its frequency).
    name: 'saige',
    is: (u) => has(u, 'CHR', 'POS', 'ALLELE1', 'ALLELE2', 'P.VALUE'),
    cols: {
      chr: ['CHR'],
      bp: ['POS'],
      snp: ['MARKERID', 'SNPID', 'RSID'],
      a1: ['ALLELE2'],
      a2: ['ALLELE1'],
      frq: ['AF_ALLELE2'],
      info: ['IMPUTATIONINFO'],
      n: ['N'],
      beta: ['BETA'],
      se: ['SE'],
      t: ['TSTAT'],
      p: ['P.VALUE'],
    },
  },
  {
    // BOLT-LMM --statsFile: BETA is the effect of ALLELE1; P_BOLT_LMM (non-infinitesimal) preferred.
    name: 'bolt-lmm',
    is: (u) => has(u, 'SNP', 'CHR', 'BP', 'ALLELE1', 'ALLELE0') && (u.includes('P_BOLT_LMM') || u.includes('P_BOLT_LMM_INF')),
    cols: { chr: ['CHR'], bp: ['BP'], snp: ['SNP'], a1: ['ALLELE1'], a2: ['ALLELE0'], frq: ['A1FREQ'], info: ['INFO'], beta: ['BETA'], se: ['SE'], p: ['P_BOLT_LMM', 'P_BOLT_LMM_INF'] },
  },
  {
    // GWAS-SSF (the GWAS Catalog's standard): effect_allele / other_allele, beta or odds_ratio.
    name: 'gwas-ssf',
    is: (u) => has(u, 'CHROMOSOME', 'BASE_PAIR_LOCATION'),
    cols: {
      chr: ['CHROMOSOME'],
      bp: ['BASE_PAIR_LOCATION'],
      snp: ['RSID', 'VARIANT_ID'],
      a1: ['EFFECT_ALLELE'],
      a2: ['OTHER_ALLELE'],
      frq: ['EFFECT_ALLELE_FREQUENCY'],
      info: ['INFO'],
      n: ['N'],
      beta: ['BETA'],
      or: ['ODDS_RATIO'],
      se: ['STANDARD_ERROR'],
      p: ['P_VALUE'],
      log10p: ['NEG_LOG_10_P_VALUE'],
    },
  },
  {
    // Anything else naming a chromosome, a position and a P (the spellings plink 1.9 and others use).
    name: 'generic',
    is: () => true,
    cols: {
      chr: ['CHR', '#CHROM', 'CHROM', '#CHR', 'CHROMOSOME'],
      snp: ['SNP', 'ID', 'RSID', 'MARKERNAME', 'SNPID', 'VARIANT_ID'],
      bp: ['BP', 'POS', 'POSITION', 'BASE_PAIR_LOCATION'],
      a1: ['A1', 'EFFECT_ALLELE'],
      a2: ['A2', 'OTHER_ALLELE'],
      frq: ['FRQ', 'A1_FREQ', 'FREQ', 'EAF'],
      info: ['INFO'],
      n: ['N', 'OBS_CT', 'NMISS'],
      beta: ['BETA'],
      or: ['OR'],
      se: ['SE'],
      t: ['T', 'T_STAT', 'STAT', 'Z'],
      p: ['P', 'PVAL', 'P_VALUE', 'P-VALUE'],
      log10p: ['LOG10P', 'LOG10_P'],
      test: ['TEST'],
    },
  },
];

/** Names of the mapping keys (--col-KEY, --columns KEY=NAME) and the column each gives. */
export const MAPPING_KEYS: Record<string, ColumnKey | 'or'> = {
  chr: 'chr',
  pos: 'bp',
  bp: 'bp',
  snp: 'snp',
  a1: 'a1',
  a2: 'a2',
  beta: 'beta',
  or: 'or',
  se: 'se',
  frq: 'frq',
  info: 'info',
  n: 'n',
  p: 'p',
  log10p: 'log10p',
};
/** The --col-* flags (plink/PRSice style names). */
export const COL_FLAGS = ['chr', 'pos', 'snp', 'a1', 'a2', 'beta', 'se', 'frq', 'p'] as const;

/** yargs definitions of --col-* and --columns (report, prs, merge). */
export const COLUMN_OPTIONS = {
  'col-chr': { type: 'string', describe: 'column of the chromosome, for a table whose header is not recognised (or to override it)' },
  'col-pos': { type: 'string', describe: 'column of the base-pair position' },
  'col-snp': { type: 'string', describe: 'column of the variant ID (default: CHR:POS)' },
  'col-a1': { type: 'string', describe: 'column of the effect allele (BETA is its effect)' },
  'col-a2': { type: 'string', describe: 'column of the other allele' },
  'col-beta': { type: 'string', describe: 'column of the effect size (use --columns or=NAME for an odds ratio)' },
  'col-se': { type: 'string', describe: 'column of the standard error of BETA' },
  'col-frq': { type: 'string', describe: 'column of the effect allele frequency' },
  'col-p': { type: 'string', describe: 'column of the p-value' },
  columns: {
    type: 'string',
    describe: 'the same in one option: KEY=COLUMN,... with keys chr, pos, snp, a1, a2, beta, or, se, frq, info, n, p, log10p (e.g. chr=CHR,pos=BP,p=PVAL)',
  },
} as const;

/** User's column names by key (from --col-* / --columns). */
export type ColumnMapping = Partial<Record<ColumnKey | 'or', string>>;

/** --col-chr ... and --columns chr=CHR,pos=BP,... -> a mapping (UsageError naming the flag). */
export function mappingFromArgs(a: Record<string, unknown>): ColumnMapping | undefined {
  const m: ColumnMapping = {};
  if (a.columns !== undefined) {
    const spec = String(a.columns);
    for (const part of spec.split(',')) {
      const eq = part.indexOf('=');
      const k = eq < 0 ? '' : part.slice(0, eq).trim().toLowerCase();
      const v = eq < 0 ? '' : part.slice(eq + 1).trim();
      if (!(k in MAPPING_KEYS) || v === '') {
        throw new UsageError(`--columns takes KEY=COLUMN pairs separated by commas (keys: ${Object.keys(MAPPING_KEYS).join(', ')}), not '${clip(part)}'`);
      }
      m[MAPPING_KEYS[k]] = v;
    }
  }
  for (const f of COL_FLAGS) {
    const v = a[`col-${f}`];
    if (v === undefined) continue;
    if (v === '' || v === true || Array.isArray(v)) throw new UsageError(`--col-${f} takes one column name`);
    m[MAPPING_KEYS[f]] = String(v);
  }
  return Object.keys(m).length ? m : undefined;
}

export interface SumstatsLayout {
  format: SumstatsFormat;
  /** The header's names as written. */
  names: string[];
  nCols: number;
  /** 'tab' when the header has a tab, else runs of spaces and tabs. */
  delim: 'tab' | 'space';
  /** Column of each value, -1 when absent. */
  col: Record<ColumnKey, number>;
  /** No A2 column (plink2): the other allele is whichever of REF and ALT is not A1. */
  ref: number;
  alt: number;
  /** No BETA but an odds ratio: BETA = ln(OR). */
  or: number;
  /** A TEST column: only its ADD rows are variants' results (plink2's covariate rows, regenie's other tests are skipped). */
  test: number;
}

export interface LayoutOptions {
  /** Values the reader needs (an error lists those missing). */
  required: ColumnKey[];
  mapping?: ColumnMapping;
  /** What the table is for, in messages ('base table', ...). */
  what?: string;
}

/** A field quoted in a message: at most 40 characters (a 20 MB field must not fill the terminal). */
export function quoteField(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}... (${s.length} characters)` : s;
}

function clip(s: string, n = 40): string {
  return s.length > n ? s.slice(0, n) + '...' : s;
}

/** "A, B, C" of the header's names for messages (each clipped, at most 30). */
function listNames(names: string[]): string {
  const shown = names.slice(0, 30).map((n) => clip(n, 30));
  return shown.join(' ') + (names.length > 30 ? ` ... (${names.length} columns)` : '');
}

export function splitHeader(line: string): { names: string[]; delim: 'tab' | 'space' } {
  const delim = line.includes('\t') ? 'tab' : 'space';
  if (delim === 'tab') return { names: line.split('\t'), delim };
  const t = line.trim();
  return { names: t === '' ? [] : t.split(/[ \t]+/), delim };
}

/** The tool whose layout a header line is ('generic' for any other). */
export function formatOf(line: string): SumstatsFormat {
  const upper = splitHeader(line).names.map((n) => n.trim().toUpperCase());
  return FORMATS.find((f) => f.is(upper))!.name;
}

/** Flag that maps a key, for messages. */
function flagOf(k: ColumnKey | 'or'): string {
  const f = Object.entries(MAPPING_KEYS).find(([, v]) => v === k)![0];
  return (COL_FLAGS as readonly string[]).includes(f) ? `--col-${f}` : `--columns ${f}=`;
}

const EXPECTED = `a header of dosageflow (CHR SNP BP A1 A2 ... P), plink2 --glm, regenie, SAIGE, BOLT-LMM or GWAS-SSF`;

/**
 * The column map of a header line: the first tool layout it matches, then the user's mapping on top.
 * InputError (FILE:LINE) for a required value without a column, a column named twice, a mapped name
 * the header does not have.
 */
export function recogniseHeader(line: string, file: string, lineNo: number, o: LayoutOptions): SumstatsLayout {
  const { names, delim } = splitHeader(line);
  const upper = names.map((s) => s.trim().toUpperCase());
  const spec = FORMATS.find((f) => f.is(upper))!;
  const at = (k: AnyKey): number => {
    for (const name of spec.cols[k] ?? []) {
      const i = upper.indexOf(name);
      if (i >= 0) return i;
    }
    return -1;
  };
  const col = {} as Record<ColumnKey, number>;
  for (const k of COLUMN_KEYS) col[k] = at(k);
  const or = col.beta < 0 ? at('or') : -1;
  const layout: SumstatsLayout = { format: spec.name, names, nCols: names.length, delim, col, ref: at('ref'), alt: at('alt'), or, test: at('test') };
  if (o.mapping) applyMapping(layout, upper, o.mapping, file, lineNo);
  if (layout.col.a2 >= 0 || layout.ref < 0 || layout.alt < 0) layout.ref = layout.alt = -1;
  checkTwice(layout, upper, file, lineNo);
  const missing = o.required.filter((k) => !available(layout, k));
  if (missing.length) {
    const what = o.what ?? 'summary-statistics table';
    const label = (k: ColumnKey) => (k === 'p' ? 'P (or LOG10P)' : k === 'bp' ? 'BP/POS' : k.toUpperCase());
    const basic = available(layout, 'chr') && available(layout, 'bp') && available(layout, 'p');
    const known = spec.name !== 'generic' ? `${spec.name} header: ` : basic ? '' : 'header not recognised: ';
    throw new InputError(
      `${known}no ${missing.map(label).join(', ')} column for the ${what} (columns found: ${listNames(names)}); ` +
        `expected ${EXPECTED}, or map the columns with ${missing.map((k) => flagOf(k)).join(' ')} NAME (or --columns chr=..,pos=..,p=..)`,
      { file, line: lineNo },
    );
  }
  return layout;
}

function available(l: SumstatsLayout, k: ColumnKey): boolean {
  if (k === 'p') return l.col.p >= 0 || l.col.log10p >= 0;
  if (k === 'a2') return l.col.a2 >= 0 || (l.ref >= 0 && l.alt >= 0);
  if (k === 'beta') return l.col.beta >= 0 || l.or >= 0;
  return l.col[k] >= 0;
}

function applyMapping(l: SumstatsLayout, upper: string[], m: ColumnMapping, file: string, lineNo: number): void {
  for (const [k, name] of Object.entries(m) as [ColumnKey | 'or', string][]) {
    let i = l.names.indexOf(name);
    if (i < 0) i = upper.indexOf(name.toUpperCase());
    if (i < 0) {
      throw new InputError(`${flagOf(k)} ${quoteField(name)}: the header has no such column (columns found: ${listNames(l.names)})`, { file, line: lineNo });
    }
    if (k === 'or') {
      l.or = i;
      l.col.beta = m.beta !== undefined ? l.col.beta : -1;
    } else {
      l.col[k] = i;
      if (k === 'beta') l.or = -1;
      // A P column given by the user is used as it is, not a LOG10P found by name beside it.
      if (k === 'p' && m.log10p === undefined) l.col.log10p = -1;
    }
  }
}

/** A column the map reads from that the header names twice (two P columns: which one?). */
function checkTwice(l: SumstatsLayout, upper: string[], file: string, lineNo: number): void {
  const used = [...COLUMN_KEYS.map((k) => l.col[k]), l.or, l.ref, l.alt, l.test].filter((i) => i >= 0);
  for (const i of used) {
    const j = upper.indexOf(upper[i]);
    const k = upper.indexOf(upper[i], j + 1);
    if (k >= 0) {
      throw new InputError(`column ${quoteField(l.names[i])} appears twice in the header (columns ${j + 1} and ${k + 1}): which one is meant is unclear`, { file, line: lineNo });
    }
  }
}

/** Spellings of a missing value (GWAS-SSF writes #NA). */
export function isNA(s: string): boolean {
  switch (s) {
    case '':
    case 'NA':
    case 'na':
    case 'NaN':
    case 'nan':
    case '.':
    case '#NA':
      return true;
    default:
      return false;
  }
}

/** Whether b[s, e) is a decimal number (sign, digits, point, exponent) or NA, nan, inf, -inf. */
export function isNumberField(b: Uint8Array, s: number, e: number): boolean {
  let i = s;
  if (i < e && (b[i] === 43 || b[i] === 45)) i++;
  let digits = 0;
  while (i < e && b[i] >= 48 && b[i] <= 57) {
    i++;
    digits++;
  }
  if (i < e && b[i] === 46) {
    i++;
    while (i < e && b[i] >= 48 && b[i] <= 57) {
      i++;
      digits++;
    }
  }
  if (digits > 0 && i < e && (b[i] === 101 || b[i] === 69)) {
    i++;
    if (i < e && (b[i] === 43 || b[i] === 45)) i++;
    let ed = 0;
    while (i < e && b[i] >= 48 && b[i] <= 57) {
      i++;
      ed++;
    }
    if (ed === 0) return false;
  }
  if (digits > 0 && i === e) return true;
  const word = Buffer.from(b.buffer, b.byteOffset + s, e - s)
    .toString('latin1')
    .toLowerCase();
  return word === 'na' || word === 'nan' || word === 'inf' || word === '-inf' || word === '+inf' || word === '.' || word === '#na';
}

/** Columns of our own tables (and plink2's) whose values must be numbers (or NA/nan/inf) in merge. */
export const NUMERIC_COLUMNS = new Set(['BP', 'FRQ', 'INFO', 'N', 'BETA', 'SE', 'T', 'P', 'LOG10P', 'OR', 'Z', 'Z_STAT', 'CHISQ', 'SCORE', 'OBS_CT', 'A1_FREQ', 'MACH_R2', 'LOG10_P']);

/** Which columns of a layout hold numbers: ours by name, another tool's by the values mapped. */
export function numericColumns(l: SumstatsLayout): boolean[] {
  if (l.format === 'dosageflow') return l.names.map((n) => NUMERIC_COLUMNS.has(n));
  const num = new Array<boolean>(l.nCols).fill(false);
  for (const k of ['bp', 'frq', 'info', 'n', 'beta', 'se', 't', 'p', 'log10p'] as ColumnKey[]) if (l.col[k] >= 0) num[l.col[k]] = true;
  if (l.or >= 0) num[l.or] = true;
  return num;
}

/** The field count of a row differs from the header's. */
export function fieldCountError(found: number, want: number, file: string, line: number): InputError {
  return new InputError(`${found} field${found === 1 ? '' : 's'} where the header has ${want}${found < want ? ' (a row cut short?)' : ''}`, { file, line });
}

/** log(Number.MIN_VALUE): the bound used for P = 0 when no LOG10P says how small it is. */
export const LOG_MIN_DOUBLE = Math.log(Number.MIN_VALUE);
const TAB = 9;
const SPACE = 32;
const ADD = Buffer.from('ADD');

/**
 * Cuts rows of one table into fields over their bytes and reads values through the layout. One per
 * table; `cut` reuses its offset arrays, so the values of a row are read before the next is cut.
 */
export class SumstatsRows {
  private s = new Int32Array(64);
  private e = new Int32Array(64);
  private b: Buffer = Buffer.alloc(0);
  /** Fields of the current row. */
  n = 0;
  /** Line number of the current row (for messages). */
  line = 0;

  constructor(
    readonly layout: SumstatsLayout,
    readonly file: string,
  ) {}

  /**
   * Cut a row. False for a row that is not a variant's result (a blank line, a TEST other than
   * ADD). A field count other than the header's is an InputError.
   */
  cut(bytes: Uint8Array, lineNo: number): boolean {
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    this.b = b;
    this.line = lineNo;
    const n = this.layout.delim === 'tab' ? this.splitTab(b) : this.splitSpace(b);
    this.n = n;
    if (n === 0 || (n === 1 && b.toString('latin1', this.s[0], this.e[0]).trim() === '')) return false;
    if (n !== this.layout.nCols) throw fieldCountError(n, this.layout.nCols, this.file, lineNo);
    const t = this.layout.test;
    if (t >= 0 && !(this.e[t] - this.s[t] === 3 && b.compare(ADD, 0, 3, this.s[t], this.e[t]) === 0)) return false;
    return true;
  }

  private grow(): void {
    const s = new Int32Array(this.s.length * 2);
    s.set(this.s);
    const e = new Int32Array(this.e.length * 2);
    e.set(this.e);
    this.s = s;
    this.e = e;
  }

  private splitTab(b: Buffer): number {
    let n = 0;
    let fs = 0;
    for (;;) {
      const j = b.indexOf(TAB, fs);
      if (n === this.s.length) this.grow();
      this.s[n] = fs;
      this.e[n] = j < 0 ? b.length : j;
      n++;
      if (j < 0) return n;
      fs = j + 1;
    }
  }

  private splitSpace(b: Buffer): number {
    let n = 0;
    let i = 0;
    const len = b.length;
    for (;;) {
      while (i < len && (b[i] === SPACE || b[i] === TAB)) i++;
      if (i >= len) return n;
      const fs = i;
      while (i < len && b[i] !== SPACE && b[i] !== TAB) i++;
      if (n === this.s.length) this.grow();
      this.s[n] = fs;
      this.e[n] = i;
      n++;
    }
  }

  /** The current row's bytes. */
  get bytes(): Buffer {
    return this.b;
  }

  /** Field i of the current row as text. */
  field(i: number): string {
    return this.b.toString('utf8', this.s[i], this.e[i]);
  }

  /** Whether field i is a number (or NA/nan/inf). */
  isNumber(i: number): boolean {
    return isNumberField(this.b, this.s[i], this.e[i]);
  }

  /** The value of a key as text, undefined when the table has no such column. */
  text(k: ColumnKey): string | undefined {
    const l = this.layout;
    if (k === 'a2' && l.col.a2 < 0 && l.ref >= 0) return this.otherAllele();
    if (k === 'chr') return l.col.chr < 0 ? undefined : chrText(this.field(l.col.chr), l.format);
    if (k === 'snp' && l.col.snp < 0) return `${this.text('chr')}:${this.text('bp')}`;
    return l.col[k] < 0 ? undefined : this.field(l.col[k]);
  }

  /** plink2: the one of REF and ALT that is not A1 (ALT when A1 is neither, as for a multi-allelic ALT list). */
  private otherAllele(): string {
    const l = this.layout;
    const a1 = this.field(l.col.a1);
    const ref = this.field(l.ref);
    return a1 === ref ? this.field(l.alt) : ref;
  }

  /** A numeric value (NaN for NA or a value that is no number); BETA from ln(OR) when the table has OR. */
  num(k: ColumnKey): number {
    const l = this.layout;
    if (k === 'beta' && l.col.beta < 0 && l.or >= 0) {
      const t = this.field(l.or);
      return isNA(t) ? NaN : lnDecimal(t);
    }
    if (k === 'p') return Math.exp(this.logP());
    const c = l.col[k];
    if (c < 0) return NaN;
    const t = this.field(c);
    return isNA(t) ? NaN : Number(t);
  }

  /**
   * Natural log of the row's p-value, NaN when missing. -log10 P is used when P is 0 or subnormal
   * (it underflowed when written) or the table has only that (regenie). P outside [0, 1] is an error.
   */
  logP(): number {
    const l = this.layout;
    const pc = l.col.p;
    const lc = l.col.log10p;
    if (pc >= 0) {
      const t = this.field(pc);
      if (isNA(t)) return NaN;
      const p = Number(t);
      if (!(p >= 0 && p <= 1)) throw new InputError(`P must be a number between 0 and 1 or NA, not '${quoteField(t)}'`, { file: this.file, line: this.line });
      if (p >= MIN_NORMAL) return Math.log(p);
      const l10 = lc >= 0 ? this.log10p() : NaN;
      if (l10 > 0) return -l10 * Math.LN10;
      return p > 0 ? Math.log(p) : LOG_MIN_DOUBLE;
    }
    const l10 = this.log10p();
    if (l10 !== l10) return NaN;
    return l10 === 0 ? 0 : -l10 * Math.LN10;
  }

  /**
   * P as written (NaN for NA; from -log10 P when the table has no P), and -log10 P (from its column
   * when there is one, so P values that underflowed to 0 keep their order).
   */
  pAndLog10p(): [number, number] {
    const l = this.layout;
    if (l.col.p < 0) {
      const l10 = this.log10p();
      return [l10 === l10 ? Math.pow(10, -l10) : NaN, l10];
    }
    const t = this.field(l.col.p);
    if (isNA(t)) return [NaN, NaN];
    const p = Number(t);
    if (!(p >= 0 && p <= 1)) throw new InputError(`P must be a number between 0 and 1 or NA, not '${quoteField(t)}'`, { file: this.file, line: this.line });
    const l10 = l.col.log10p >= 0 ? this.log10p() : NaN;
    return [p, l10 === l10 ? l10 : p > 0 ? -Math.log10(p) : Infinity];
  }

  private log10p(): number {
    const t = this.field(this.layout.col.log10p);
    if (isNA(t)) return NaN;
    const v = Number(t);
    if (!(v >= 0)) throw new InputError(`${this.layout.names[this.layout.col.log10p]} (-log10 P) must be a number >= 0 or NA, not '${quoteField(t)}'`, { file: this.file, line: this.line });
    return v;
  }
}

/**
 * Natural log of a positive decimal, also beyond the range of a double: plink2 prints the OR of a
 * coefficient that ran off as 3.78783e+2795 (and would print 2.64e-2796), so ln = ln(mantissa) +
 * exponent x ln 10 there. NaN for what is no number, -Infinity for 0.
 */
export function lnDecimal(t: string): number {
  const v = Number(t);
  if ((v >= MIN_NORMAL && v < Infinity) || !(v >= 0)) return Math.log(v);
  const m = /^\+?(\d+\.?\d*|\.\d+)[eE]([+-]?\d+)$/.exec(t);
  if (m === null) return Math.log(v);
  const mant = Number(m[1]);
  return mant > 0 ? Math.log(mant) + Number(m[2]) * Math.LN10 : Math.log(mant);
}

/** GWAS-SSF codes chromosomes 23, 24, 25 as X, Y, MT (plink's 25 is XY). */
function chrText(raw: string, format: SumstatsFormat): string {
  return format === 'gwas-ssf' && raw === '25' ? 'MT' : raw;
}

export interface SumstatsTable {
  layout: SumstatsLayout;
  /** The current row after each step of `rows`. */
  row: SumstatsRows;
  /** Yields the line number of each variant row (row cut and ready to read). */
  rows: AsyncGenerator<number>;
  /** Rows skipped as not a variant's result (TEST other than ADD). */
  skipped(): number;
  close(): void;
}

/**
 * Open a table (plain, gzip/BGZF or zstd by content; '-' = stdin), recognise its header (the first
 * non-blank line) and iterate over its rows.
 */
export async function openSumstats(file: string, o: LayoutOptions): Promise<SumstatsTable> {
  const inp = await openInput(file);
  const lines = readLines(inp.stream, file)[Symbol.asyncIterator]();
  let lineNo = 0;
  let layout: SumstatsLayout | null = null;
  try {
    for (;;) {
      const r = await lines.next();
      if (r.done) break;
      lineNo++;
      const text = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.length).toString('utf8');
      if (text.trim() === '') continue;
      layout = recogniseHeader(text, file, lineNo, o);
      break;
    }
  } catch (e) {
    inp.stream.destroy();
    throw e;
  }
  if (layout === null) {
    inp.stream.destroy();
    throw new InputError(`empty ${o.what ?? 'summary-statistics table'}: no header line (expected ${EXPECTED})`, { file, line: 1 });
  }
  const row = new SumstatsRows(layout, file);
  let skipped = 0;
  async function* rows(): AsyncGenerator<number> {
    try {
      for (;;) {
        const r = await lines.next();
        if (r.done) return;
        lineNo++;
        if (row.cut(r.value, lineNo)) yield lineNo;
        else if (row.n > 1) skipped++;
      }
    } finally {
      inp.stream.destroy();
    }
  }
  return { layout, row, rows: rows(), skipped: () => skipped, close: () => inp.stream.destroy() };
}
