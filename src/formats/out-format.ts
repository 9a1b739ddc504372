// Output table formats other than our own (assoc/merge --format): GWAS-SSF v1.0 (the GWAS Catalog's),
// plink2's .glm.linear / .glm.logistic.hybrid and regenie's step-2 table. Rows are made in our own
// layout (with an ERRCODE column appended) and sorted as usual; RowConverter rewrites the sorted
// table on its way to the file, so order, sharding and compression work as for our own tables:
// docs/decisions/0012-output-formats-converted-at-the-end.md.
import { Transform, type TransformCallback } from 'node:stream';
import { normChr } from './chrom.js';
import { MIN_NORMAL, fmtG } from '../stats/format.js';
import type { FirthMode } from '../stats/logistic.js';

export type TableFormat = 'dosageflow' | 'gwas-ssf' | 'plink2' | 'regenie';
export const TABLE_FORMATS: readonly TableFormat[] = ['dosageflow', 'gwas-ssf', 'plink2', 'regenie'];

/**
 * The table file of one phenotype, named as the tool of the format names it (before compression);
 * plink2's case/control tables by its Firth mode: .glm.logistic.hybrid, .glm.firth (--firth),
 * .glm.logistic (--no-firth).
 */
export function tableFileName(prefix: string, pheno: string, format: TableFormat, logistic: boolean, firth: FirthMode = 'fallback'): string {
  if (format === 'plink2') return `${prefix}.${pheno}.glm.${logistic ? PLINK2_LOGISTIC[firth] : 'linear'}`;
  if (format === 'regenie') return `${prefix}_${pheno}.regenie`;
  return `${prefix}.${pheno}.tsv`;
}

const PLINK2_LOGISTIC: Record<FirthMode, string> = { fallback: 'logistic.hybrid', always: 'firth', never: 'logistic' };

/** GWAS-SSF's metadata file beside a table: FILE-meta.yaml (x.tsv-meta.yaml, x.tsv.gz-meta.yaml). */
export function ssfMetaPath(table: string): string {
  return `${table}-meta.yaml`;
}

/** GWAS-SSF chromosome codes: 1-22, X = 23, Y = 24, MT = 25; null for codes it has none for (XY, contigs). */
export function ssfChrom(chr: string): string | null {
  const n = normChr(chr);
  if (/^([1-9]|1\d|2[0-2])$/.test(n)) return n;
  return n === 'X' ? '23' : n === 'Y' ? '24' : n === 'MT' ? '25' : null;
}

/** regenie's chromosome codes: plink's numbers (X = 23, Y = 24, XY = 25, MT = 26), other codes as they are. */
function numericChrom(chr: string): string {
  const n = normChr(chr);
  return n === 'X' ? '23' : n === 'Y' ? '24' : n === 'XY' ? '25' : n === 'MT' ? '26' : n;
}

/** Rows the converter left out, by reason (GWAS-SSF: rows without results, chromosomes it cannot code). */
export interface ConvertStats {
  rows: number;
  naLeftOut: number;
  chromLeftOut: number;
}

type RowFn = (f: string[]) => string | null;

/** Column positions of our own header (linear or logistic, ERRCODE last). */
interface Cols {
  chr: number;
  snp: number;
  bp: number;
  a1: number;
  a2: number;
  frq: number;
  info: number;
  n: number;
  beta: number;
  se: number;
  stat: number;
  p: number;
  log10p: number;
  firth: number;
  err: number;
  logistic: boolean;
}

function colsOf(header: string): Cols {
  const h = header.split('\t');
  const at = (name: string) => h.indexOf(name);
  const logistic = at('Z') >= 0;
  return {
    chr: at('CHR'),
    snp: at('SNP'),
    bp: at('BP'),
    a1: at('A1'),
    a2: at('A2'),
    frq: at('FRQ'),
    info: at('INFO'),
    n: at('N'),
    beta: at('BETA'),
    se: at('SE'),
    stat: logistic ? at('Z') : at('T'),
    p: at('P'),
    log10p: at('LOG10P'),
    firth: at('FIRTH'),
    err: at('ERRCODE'),
    logistic,
  };
}

const isNA = (s: string) => s === 'NA' || s === 'nan';
const RSID = /^rs\d+$/;

/**
 * OR = exp(BETA) as plink2 prints it, also where exp over- or underflows a double (a coefficient
 * running off, |BETA| > ~708, that plink2 still reports: it prints OR 3.78783e+2795): the mantissa
 * and exponent then come from BETA / ln 10.
 */
export function fmtOddsRatio(beta: number, digits: number): string {
  const x = Math.exp(beta);
  if (!Number.isFinite(beta) || (x >= MIN_NORMAL && x < Infinity)) return fmtG(x, digits);
  const l10 = beta / Math.LN10;
  let exp = Math.floor(l10);
  let ms = fmtG(Math.pow(10, l10 - exp), digits);
  if (ms === '10') {
    exp += 1;
    ms = '1';
  }
  return `${ms}e${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
}

/** The header and the row function of a format, from our own header. */
function plan(format: Exclude<TableFormat, 'dosageflow'>, c: Cols, digits: number, stats: ConvertStats, firth: FirthMode = 'fallback'): { header: string; row: RowFn } {
  // Chromosome codes change rarely: the last one is remembered.
  let lastChr = '';
  let lastCode: string | null = null;
  const code = (chr: string, f: (c: string) => string | null) => {
    if (chr !== lastChr) {
      lastChr = chr;
      lastCode = f(chr);
    }
    return lastCode;
  };
  const err = (f: string[]) => (c.err >= 0 ? f[c.err] : '.');
  if (format === 'plink2') {
    // plink2 prints FIRTH? only under firth-fallback (its default).
    const hybrid = firth === 'fallback';
    const header = c.logistic
      ? `#CHROM\tPOS\tID\tREF\tALT\tA1\tA1_FREQ\tMACH_R2\t${hybrid ? 'FIRTH?\t' : ''}TEST\tOBS_CT\tOR\tLOG(OR)_SE\tZ_STAT\tP\tERRCODE`
      : '#CHROM\tPOS\tID\tREF\tALT\tA1\tA1_FREQ\tMACH_R2\tTEST\tOBS_CT\tBETA\tSE\tT_STAT\tP\tERRCODE';
    return {
      header,
      row: (f) => {
        const head = `${f[c.chr]}\t${f[c.bp]}\t${f[c.snp]}\t${f[c.a2]}\t${f[c.a1]}\t${f[c.a1]}\t${f[c.frq]}\t${f[c.info]}\t`;
        if (!c.logistic) return `${head}ADD\t${f[c.n]}\t${f[c.beta]}\t${f[c.se]}\t${f[c.stat]}\t${f[c.p]}\t${err(f)}`;
        const or = isNA(f[c.beta]) ? 'NA' : fmtOddsRatio(Number(f[c.beta]), digits);
        return `${head}${hybrid ? `${f[c.firth]}\t` : ''}ADD\t${f[c.n]}\t${or}\t${f[c.se]}\t${f[c.stat]}\t${f[c.p]}\t${err(f)}`;
      },
    };
  }
  if (format === 'regenie') {
    return {
      header: 'CHROM\tGENPOS\tID\tALLELE0\tALLELE1\tA1FREQ\tINFO\tN\tTEST\tBETA\tSE\tCHISQ\tLOG10P\tEXTRA',
      row: (f) => {
        const na = isNA(f[c.p]);
        const t = Number(f[c.stat]);
        const chisq = na ? 'NA' : fmtG(t * t, digits);
        const info = isNA(f[c.info]) ? 'NA' : f[c.info];
        return `${code(f[c.chr], numericChrom)}\t${f[c.bp]}\t${f[c.snp]}\t${f[c.a2]}\t${f[c.a1]}\t${f[c.frq]}\t${info}\t${f[c.n]}\tADD\t${f[c.beta]}\t${f[c.se]}\t${chisq}\t${f[c.log10p]}\t${na ? 'TEST_FAIL' : 'NA'}`;
      },
    };
  }
  // GWAS-SSF: mandatory columns in order, then variant_id rsid info n; #NA for missing values.
  return {
    header: 'chromosome\tbase_pair_location\teffect_allele\tother_allele\tbeta\tstandard_error\teffect_allele_frequency\tp_value\tvariant_id\trsid\tinfo\tn',
    row: (f) => {
      const chr = code(f[c.chr], ssfChrom);
      if (chr === null) {
        stats.chromLeftOut++;
        return null;
      }
      // beta, standard_error and p_value are mandatory (non-null): rows without results are left out.
      if (isNA(f[c.p]) || isNA(f[c.beta]) || isNA(f[c.se])) {
        stats.naLeftOut++;
        return null;
      }
      const snp = f[c.snp];
      const rsid = RSID.test(snp) ? snp : '#NA';
      // info is 0..1 in GWAS-SSF; MACH R2 can exceed 1 (noise around 1): capped.
      const info = isNA(f[c.info]) ? '#NA' : Number(f[c.info]) > 1 ? '1' : f[c.info];
      return `${chr}\t${f[c.bp]}\t${f[c.a1]}\t${f[c.a2]}\t${f[c.beta]}\t${f[c.se]}\t${f[c.frq]}\t${f[c.p]}\t${chr}_${f[c.bp]}_${f[c.a2]}_${f[c.a1]}\t${rsid}\t${info}\t${f[c.n]}`;
    },
  };
}

/**
 * A stream rewriting a table of our own layout (header first, then rows, '\n'-terminated) into
 * `format`. Stateful (the carried partial line, the column plan); one per output table.
 */
export class RowConverter extends Transform {
  readonly stats: ConvertStats = { rows: 0, naLeftOut: 0, chromLeftOut: 0 };
  private carry = '';
  private row: RowFn | null = null;

  constructor(
    private readonly format: Exclude<TableFormat, 'dosageflow'>,
    private readonly digits: number,
    private readonly firth: FirthMode = 'fallback',
  ) {
    super({ highWaterMark: 1 << 20 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const text = this.carry + chunk.toString('utf8');
    const last = text.lastIndexOf('\n');
    if (last < 0) {
      this.carry = text;
      cb();
      return;
    }
    this.carry = text.slice(last + 1);
    cb(null, this.convert(text.slice(0, last)));
  }

  override _flush(cb: TransformCallback): void {
    const rest = this.carry;
    this.carry = '';
    cb(null, rest ? this.convert(rest) : undefined);
  }

  /** Whole lines (without the final '\n') -> converted lines, each ending in '\n'. */
  private convert(block: string): string {
    const lines = block.split('\n');
    let out = '';
    for (const line of lines) {
      if (line === '') continue;
      if (this.row === null) {
        const p = plan(this.format, colsOf(line), this.digits, this.stats, this.firth);
        this.row = p.row;
        out += p.header + '\n';
        continue;
      }
      const r = this.row(line.split('\t'));
      if (r === null) continue;
      out += r + '\n';
      this.stats.rows++;
    }
    return out;
  }
}

/** A line for the closing summary on what the converter left out ('' when nothing). */
export function convertNote(format: TableFormat, s: ConvertStats | undefined): string {
  if (!s || format !== 'gwas-ssf' || (s.naLeftOut === 0 && s.chromLeftOut === 0)) return '';
  const parts = [
    s.naLeftOut ? `${s.naLeftOut} NA row${s.naLeftOut === 1 ? '' : 's'} (GWAS-SSF requires beta, SE and p)` : '',
    s.chromLeftOut ? `${s.chromLeftOut} on chromosomes it has no code for (XY, contigs; plink2 --merge-par puts XY into X)` : '',
  ];
  return `GWAS-SSF left out ${parts.filter(Boolean).join(' and ')}`;
}

export interface SsfMeta {
  dataFile: string;
  md5: string;
  trait: string;
  sampleSize: number;
  cases?: number;
  controls?: number;
  genomeBuild?: string;
  minMaf?: number;
  covariates: string[];
  software: string;
  date: string;
}

/** The GWAS-SSF metadata YAML: what the run knows; the rest (ancestry, technology, ...) is for the submitter. */
export function ssfMetaYaml(m: SsfMeta): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [
    '# GWAS-SSF v1.0 metadata written by dosageflow; add what the run cannot know',
    '# (sample_ancestry_category, genotyping_technology, imputation_panel, ontology_mapping, ...).',
    'trait_description:',
    `  - ${q(m.trait)}`,
    `genome_assembly: ${q(m.genomeBuild ?? '#NA')}`,
    'coordinate_system: 1-based',
    'samples:',
    `  - sample_size: ${m.sampleSize}`,
    `    case_control_study: ${m.cases !== undefined}`,
  ];
  if (m.cases !== undefined) lines.push(`    case_count: ${m.cases}`, `    control_count: ${m.controls}`);
  lines.push(`data_file_name: ${q(m.dataFile)}`, 'file_type: GWAS-SSF v1.0', `data_file_md5sum: ${m.md5}`, `analysis_software: ${q(m.software)}`);
  if (m.covariates.length) lines.push('adjusted_covariates:', ...m.covariates.map((c) => `  - ${q(c)}`));
  if (m.minMaf !== undefined && m.minMaf > 0) lines.push(`minor_allele_freq_lower_limit: ${m.minMaf}`);
  lines.push('is_harmonised: false', 'is_sorted: true', `date_metadata_last_modified: ${m.date}`);
  return lines.join('\n') + '\n';
}

/** hg19/hg38/GRCh37/GRCh38 (any case) in GWAS-SSF's spelling; other names as given. */
export function genomeBuildName(s: string): string {
  const t = s.trim();
  if (/^(hg19|grch37|b37)$/i.test(t)) return 'GRCh37';
  if (/^(hg38|grch38|b38)$/i.test(t)) return 'GRCh38';
  if (/^(hg18|ncbi36|b36)$/i.test(t)) return 'NCBI36';
  return t;
}
