// `dosageflow assoc`: options -> validated AssocConfig -> runAssoc.
import * as path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { runAssoc, type AssocConfig, type AssocSummary } from '../pipeline/assoc-run.js';
import { checkChrOption, fileList, listOption, selectionOptions, SELECTION_OPTIONS, parseFraction, parseNumber, parseRegion, parseSize, parseThreads, PREFIX_HELP } from './options.js';
import type { InfoFilter, VcfDosage } from '../formats/vcf/decode.js';
import { TABLE_FORMATS, type TableFormat } from '../formats/out-format.js';
import type { ReportOptions } from '../report/config.js';

/** Largest --chunk-size: every chunk in flight is a buffer this big (2-4G aborted natively, issue 15.17). */
const MAX_CHUNK_SIZE = 256 << 20;

// --- VCF input options (issue 16 part 2) ---
/** --extract-if-info 'KEY OP VALUE' (plink2's syntax: R2>=0.3, 'DR2 > 0.8'). */
export function parseInfoFilter(v: unknown): InfoFilter | undefined {
  if (v === undefined) return undefined;
  const s = (Array.isArray(v) ? v.join(' ') : String(v)).trim();
  const m = /^([A-Za-z_][A-Za-z0-9_.]*)\s*(<=|>=|!=|==|=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)$/.exec(s);
  if (!m) throw new UsageError(`--extract-if-info takes KEY OP VALUE on an INFO key, e.g. 'R2>=0.3' or 'DR2 > 0.8', not '${s}'`);
  const op = (m[2] === '==' ? '=' : m[2]) as InfoFilter['op'];
  return { key: m[1], op, value: Number(m[3]) };
}

export function parseVcfDosage(v: unknown): VcfDosage | undefined {
  if (v === undefined) return undefined;
  const s = String(v).toUpperCase();
  if (!['DS', 'GP', 'HDS', 'GT'].includes(s)) throw new UsageError(`--vcf-dosage takes DS, GP, HDS or GT, not '${v}'`);
  return s as VcfDosage;
}

/** The VCF part of AssocConfig, checked. */
function vcfConfig(a: Record<string, unknown>, gen: string[]): Pick<AssocConfig, 'vcf' | 'vcfDosage' | 'infoFilter'> {
  const vcf = fileList(a.vcf);
  if ([...gen, ...vcf].filter((f) => f === '-').length > 1) throw new UsageError('stdin (-) can be given only once');
  if (vcf.length === 0 && (a['vcf-dosage'] !== undefined || a['extract-if-info'] !== undefined)) throw new UsageError('--vcf-dosage and --extract-if-info apply to --vcf input');
  if (vcf.length && a.shard !== undefined) throw new UsageError('--shard slices --gen and --bgen files; for VCF run one job per file or per --region');
  return { vcf, vcfDosage: parseVcfDosage(a['vcf-dosage']), infoFilter: parseInfoFilter(a['extract-if-info']) };
}

function vcfOptions(y: Argv): Argv {
  return y
    .option('vcf', { type: 'string', array: true, describe: 'VCF files with dosages (bgzip, gzip or plain: detected from content; - = stdin); samples from the #CHROM line' })
    .option('vcf-dosage', { type: 'string', describe: 'FORMAT field for the dosage: DS, GP, HDS (sum of the haplotype dosages) or GT (default: DS, else GP, else HDS, else GT, per record)' })
    .option('extract-if-info', {
      type: 'string',
      array: true,
      describe: "keep VCF variants whose INFO key passes, e.g. 'R2>=0.3' (minimac), 'DR2>=0.8' (Beagle), 'INFO>0.4'; as plink2, a key absent, '.' or not one number fails every operator but !=",
    })
    .example('$0 assoc --vcf chr*.dose.vcf.gz --pheno p.tsv --covar c.tsv --extract-if-info "R2>=0.3" --out res', 'imputation-server VCFs (DS), minimac R2 filter')
    .example('$0 assoc --vcf chr22.dose.vcf.gz --region 22:16000000-17000000 --pheno p.tsv --out res', 'a tabix .tbi/.csi beside the file: seeks to the region');
}
// --- end of VCF options ---

function parseShard(v: unknown, gen: string[]): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(String(v).trim());
  if (!m) throw new UsageError(`--shard takes I/N (the I-th of N slices, 1-based), not '${v}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new UsageError(`--shard ${v}: I must be between 1 and N`);
  if (gen.includes('-')) throw new UsageError('--shard reads its input twice, so it cannot read stdin');
  return { index, count };
}

/** --format (assoc and merge): one of TABLE_FORMATS; GWAS-SSF tables are plain or gzip (.tsv, .tsv.gz). */
export function tableFormatOption(v: unknown, compress: string): TableFormat {
  if (v === undefined) return 'dosageflow';
  const f = String(v).toLowerCase();
  if (!(TABLE_FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format takes ${TABLE_FORMATS.join(', ')}, not '${String(v)}'`);
  if (f === 'gwas-ssf' && compress === 'zst') throw new UsageError('GWAS-SSF tables are .tsv or .tsv.gz: use --compress gz (or none) with --format gwas-ssf');
  return f as TableFormat;
}

/** Turn parsed argv into a config, or throw a UsageError naming the option. */
export function validateAssocOptions(a: Record<string, unknown>): AssocConfig {
  const gen = fileList(a.gen);
  const bgen = fileList(a.bgen);
  const vcf = vcfConfig(a, gen);
  if (gen.length === 0 && bgen.length === 0 && vcf.vcf!.length === 0) throw new UsageError('give the genotype files with --gen FILE..., --bgen FILE... or --vcf FILE...');
  if (bgen.includes('-')) throw new UsageError('--bgen reads files (it seeks); stdin is for --gen');
  checkChrOption(a.chr, gen, `to choose a chromosome, --region ${String(a.chr)}`);
  // The same file twice would test each of its variants twice (merge refuses it too: issue 15.23).
  const seen = new Map<string, string>();
  for (const f of [...gen, ...bgen, ...(vcf.vcf ?? [])]) {
    const key = f === '-' ? '-' : path.resolve(f);
    if (seen.has(key)) throw new UsageError(`${f} is given twice as a genotype file${f === seen.get(key) ? '' : ` (also as ${seen.get(key)})`}`);
    seen.set(key, f);
  }
  if (gen.includes('-') && a.pheno === '-') throw new UsageError('--gen - and --pheno - both read stdin: only one input can');
  if (gen.length && !a.sample) throw new UsageError('--gen needs --sample FILE (the Oxford .sample listing the samples in genotype order)');
  if (!a.pheno) throw new UsageError('give the phenotypes with --pheno FILE');
  if (!a.out) throw new UsageError('give an output prefix with --out PREFIX (or --out - for stdout)');
  // bgz is gz: .gz output is BGZF (valid gzip) with a tabix index.
  const compress = String(a.compress ?? 'none').replace(/^bgz$/, 'gz');
  if (!['none', 'gz', 'zst'].includes(compress)) throw new UsageError(`--compress takes gz, zst or none, not '${compress}'`);
  if (a.out === '-' && compress !== 'none') throw new UsageError('--compress applies to files; with --out - pipe into a compressor');
  if (a.out === '-' && a.report) throw new UsageError('--report needs output files, not --out -');
  const format = tableFormatOption(a.format, compress);
  if (a['genome-build'] !== undefined && format !== 'gwas-ssf') throw new UsageError('--genome-build is written to the GWAS-SSF metadata: use it with --format gwas-ssf');
  const minInfo = a['min-info'] === undefined ? 0 : parseNumber(a['min-info'], '--min-info', 0);
  const maxInfo = a['max-info'] === undefined ? Infinity : parseNumber(a['max-info'], '--max-info', 0);
  if (minInfo > maxInfo) throw new UsageError(`--min-info ${minInfo} is above --max-info ${maxInfo}`);
  const minMaf = a['min-maf'] === undefined ? 0 : parseFraction(a['min-maf'], '--min-maf', 0.5);
  const covarNames = listOption(a['covar-name']);
  if (covarNames.length && !a.covar) throw new UsageError('--covar-name needs --covar FILE');
  const digits = a.digits === undefined ? 7 : parseNumber(a.digits, '--digits', 3, 17);
  const maxCorr = a['max-corr'] === undefined ? undefined : parseNumber(a['max-corr'], '--max-corr', 0, 1);
  const vif = a.vif === undefined ? undefined : parseNumber(a.vif, '--vif', 1);
  return {
    one: Boolean(a['1']),
    phenoQuantitative: listOption(a['pheno-quantitative']),
    // yargs reads --no-firth as firth = false (the last of the two wins).
    firth: a.firth === true ? 'always' : a.firth === false ? 'never' : 'fallback',
    gen,
    bgen,
    ...vcf,
    sample: a.sample ? String(a.sample) : undefined,
    psam: a.psam ? String(a.psam) : undefined,
    biallelicOnly: Boolean(a['biallelic-only']),
    pheno: String(a.pheno),
    phenoNames: listOption(a['pheno-name']),
    covar: a.covar ? String(a.covar) : undefined,
    covarNames,
    chr: a.chr === undefined ? undefined : String(a.chr),
    dosagePrecision: a['dosage-precision'] === undefined ? undefined : (String(a['dosage-precision']) as 'plink2' | 'exact'),
    out: String(a.out),
    compress: compress as AssocConfig['compress'],
    format,
    genomeBuild: a['genome-build'] === undefined ? undefined : String(a['genome-build']),
    threads: parseThreads(a.threads),
    chunkSize: a['chunk-size'] === undefined ? undefined : parseSize(a['chunk-size'], '--chunk-size', MAX_CHUNK_SIZE),
    filters: { minInfo, maxInfo, minMaf },
    maxCorr,
    vif,
    covarVarianceStandardize: Boolean(a['covar-variance-standardize']),
    // yargs reads --no-x-sex as x-sex = false.
    noXSex: a['x-sex'] === false,
    regions: fileList(a.region).map(parseRegion),
    ...selectionOptions(a),
    shard: a.shard === undefined ? undefined : parseShard(a.shard, gen),
    digits: Math.round(digits),
    memoryMB: a.memory === undefined ? 256 : parseNumber(a.memory, '--memory', 16),
    tmpDir: a['tmp-dir'] ? String(a['tmp-dir']) : undefined,
    progress: a.progress === undefined ? Boolean(process.stderr.isTTY) : Boolean(a.progress),
  };
}

/** assoc's phenotype, covariate and model options (plink2's names where it has them). */
function modelOptions(y: Argv): Argv {
  return y
    .option('pheno', { type: 'string', describe: 'phenotype table with a header (FID IID ... or IID ...), whitespace- or comma-delimited; NA and -9 are missing' })
    .option('pheno-name', { type: 'string', array: true, describe: "phenotype columns to test (default: all); plink2's ranges in header order, e.g. 'y1-y5'" })
    .option('1', { type: 'boolean', describe: 'case/control phenotypes are coded 0 = control, 1 = case (plink2 --1; default 1/2 with 0 missing)' })
    .option('pheno-quantitative', { type: 'string', array: true, describe: 'phenotypes to run as quantitative (linear) even when coded 1/2' })
    .option('firth', {
      type: 'boolean',
      describe: 'case/control: Firth regression for every variant (plink2 --glm firth); --no-firth: no Firth fallback, NA where logistic regression fails (plink2 --glm no-firth)',
    })
    .option('covar', { type: 'string', describe: 'covariate table with a header, as --pheno' })
    .option('covar-name', { type: 'string', array: true, describe: "covariate columns to use (default: all); plink2's ranges in header order, e.g. 'age,PC1-PC10'" })
    .option('covar-variance-standardize', {
      type: 'boolean',
      describe:
        "as plink2: covariates to mean 0 and variance 1 over the samples kept. Results are unchanged; give it when comparing with a plink2 run that used it, as plink2's single-precision logistic fit (which decides the FIRTH flags) sees the standardized values. Covariate scales plink2 refuses for a case/control phenotype are standardized so without it, with a warning",
    })
    .option('x-sex', {
      type: 'boolean',
      describe:
        "--no-x-sex: no sex covariate on chrX (plink2 --glm no-x-sex). By default, as plink2, chrX is regressed with sex (from --psam or the .sample's sex column: male 1, female 2) as an extra covariate when both sexes occur, on the samples of known sex; a covariate named sex in --covar is taken as that covariate instead",
    })
    .option('chr', { type: 'string', describe: 'chromosome of IMPUTE2 .gen files without a CHR column (SNPID RSID POS A B); with a CHR column it must agree' })
    .option('dosage-precision', {
      type: 'string',
      choices: ['plink2', 'exact'],
      describe:
        "plink2 (default): dosages in plink2's own 1/16384 quanta, so results equal plink2's digit for digit; exact: as decoded (BGEN shapes plink2 does not read — over 28 bits, ploidy other than 2, multi-allelic — are as decoded unless plink2 is given)",
    });
}

export const assocCommand: CommandModule = {
  command: 'assoc',
  describe: 'linear regression of phenotypes on imputed dosages -> genome-sorted summary statistics',
  builder: (y: Argv) =>
    modelOptions(
      vcfOptions(y)
        .usage(
          '$0 assoc (--gen FILE... | --bgen FILE... | --vcf FILE...) [--sample FILE] --pheno FILE [--covar FILE] --out PREFIX\n\n' +
            'Regresses each phenotype on the dosage of allele B (the second allele of the .gen line or of\n' +
            'the BGEN variant; for a multi-allelic BGEN variant, each ALT allele in turn) with the\n' +
            'covariates, as plink2 --glm does, and writes PREFIX.<PHENO>.tsv: CHR SNP BP A1 A2 FRQ INFO N\n' +
            'BETA SE T P LOG10P, where A1 is the counted allele B, sorted by chromosome then position.\n\n' +
            'Case/control phenotypes (non-missing values all 1 = control, 2 = case; 0, -9, NA missing; with\n' +
            '--1: 0 = control, 1 = case) run as logistic regression with Firth fallback, as plink2 --glm:\n' +
            'CHR SNP BP A1 A2 FRQ INFO N N_CASE N_CTRL FRQ_CASE FRQ_CTRL BETA SE Z P LOG10P FIRTH, BETA the\n' +
            "ln(odds ratio) of A1, Z the Wald statistic, FIRTH Y where Firth's penalised fit was used.",
        )
        .option('gen', { type: 'string', array: true, describe: 'IMPUTE2 .gen files (plain, gzip or zstd: detected from content); - = stdin' })
        .option('bgen', { type: 'string', array: true, describe: 'BGEN files (v1.1-v1.3, any bit depth, zlib/zstd); a FILE.bgi index is used for --region' })
        .option('biallelic-only', { type: 'boolean', describe: 'skip multi-allelic BGEN variants (default: test each ALT allele against the rest)' })
        .option('sample', { type: 'string', describe: 'Oxford .sample file: samples in genotype order (ID_1/ID_2 = FID/IID)' })
        .option('psam', {
          type: 'string',
          describe:
            "the samples' sexes from a plink2 .psam (#FID IID SEX or #IID SEX; 1/M male, 2/F female, else unknown) or a .fam, matched by ID, for chrX and chrY as plink2 --psam gives them (any input; over a .sample's sex column)",
        }),
    )
      .option('out', { type: 'string', describe: `output prefix${PREFIX_HELP}; - writes the (single) phenotype table to stdout` })
      .option('compress', {
        type: 'string',
        choices: ['none', 'gz', 'bgz', 'zst'],
        describe: 'compress the output tables: gz (= bgz) is BGZF with a tabix index FILE.gz.tbi (`tabix FILE.gz 6:1-2000000`); zst',
      })
      .option('format', {
        type: 'string',
        describe:
          'table layout: dosageflow (default), gwas-ssf (GWAS Catalog GWAS-SSF v1.0: PREFIX.<PHENO>.tsv with FILE-meta.yaml beside it), plink2 (PREFIX.<PHENO>.glm.linear / .glm.logistic.hybrid, .glm.firth with --firth, .glm.logistic with --no-firth, as plink2 --glm cols=+a1freq,+machr2 writes them) or regenie (PREFIX_<PHENO>.regenie)',
      })
      .option('genome-build', { type: 'string', describe: 'genome assembly of the positions (GRCh37, GRCh38; hg19/hg38 accepted), for the GWAS-SSF metadata' })
      .option('min-info', { type: 'number', describe: 'drop variants with INFO (MACH R2 over the samples used) below this' })
      .option('max-info', { type: 'number', describe: 'drop variants with INFO above this' })
      .option('min-maf', { type: 'string', describe: 'drop variants with minor allele frequency below this (0.01 or 1%)' })
      .option('max-corr', {
        type: 'number',
        describe: 'as plink2: a row is NA (CORR_TOO_HIGH) when the dosage or a covariate correlates with another above this among the samples used (default 0.999)',
      })
      .option('vif', { type: 'number', describe: "as plink2: a row is NA (VIF_TOO_HIGH) when a predictor's variance inflation factor exceeds this (default 50)" })
      .option('region', { type: 'string', array: true, describe: 'only variants in CHR or CHR:START-END (repeatable)' })
      .options(SELECTION_OPTIONS)
      .option('shard', { type: 'string', describe: "I/N: only the I-th of N near-equal contiguous slices of each file's variants (for cluster runs; see merge)" })
      .option('threads', { type: 'number', describe: 'worker threads (default: available cores)' })
      .option('chunk-size', { type: 'string', describe: 'bytes of input per work unit, 1 to 256M (default 4M for .gen, 1M for BGEN)' })
      .option('memory', { type: 'number', describe: 'MB for sorting out-of-order input before spilling to disk (default 256)' })
      .option('tmp-dir', { type: 'string', describe: 'directory for sort spills (default: beside the output)' })
      .option('digits', { type: 'number', describe: 'significant digits printed (default 7)' })
      .option('report', { type: 'boolean', describe: 'also write PREFIX.<PHENO>.report/ (lambda, Manhattan and QQ plots, top loci, report.html)' })
      .option('genes', { type: 'string', describe: 'with --report: GTF, GFF3 or BED of genes, read once before the run: the nearest gene of each top locus (see report --help)' })
      .option('gene-types', { type: 'string', describe: 'with --report --genes: biotypes the nearest gene is chosen among, or all (default protein_coding)' })
      .option('progress', { type: 'boolean', describe: 'progress line on stderr (default: when stderr is a terminal)' })
      .example('$0 assoc --gen chr*.gen.zst --sample cohort.sample --pheno pheno.tsv --covar covar.tsv --out results/ket', 'all phenotypes, all covariates')
      .example('$0 assoc --gen plink.gen --sample plink.sample --pheno p.tsv --out res', 'a .gen from plink2 --export oxford (CHR ID POS A B, several chromosomes): no --chr')
      .example('$0 assoc --gen chr22.impute2.gen.gz --chr 22 --sample s.sample --pheno p.tsv --out res', 'an IMPUTE2 file without a chromosome column (SNPID RSID POS A B)')
      .example(
        '$0 assoc --gen study.gen.gz --sample s.sample --pheno p.tsv --pheno-name response --covar c.tsv --covar-name age,sex,PC1,PC2 --min-info 0.6 --max-info 1.2 --min-maf 0.01 --out res',
        "the study's filters",
      )
      .example(
        '$0 assoc --gen chr*.gen.gz --sample s.sample --pheno p.tsv --keep eur.txt --remove related.txt --exclude bad-snps.txt --out res',
        'samples and variants chosen as plink2 --keep/--remove/--extract/--exclude',
      )
      .example('$0 assoc --bgen ukb_chr*.bgen --sample ukb.sample --pheno p.tsv --covar c.tsv --region 22:16000000-17000000 --out res', 'BGEN with a .bgi index: seeks to the region')
      .example('$0 assoc --bgen c.bgen --pheno p.tsv --compress bgz --out res && tabix res.response.tsv.gz 6:1-2000000', 'BGZF tables with a tabix index: query a region')
      .example(
        '$0 assoc --bgen c.bgen --pheno p.tsv --format gwas-ssf --genome-build GRCh38 --compress gz --out gcst',
        'GWAS Catalog submission: gcst.<PHENO>.tsv.gz and gcst.<PHENO>.tsv.gz-meta.yaml',
      )
      .example('$0 assoc --gen c.gen --sample s.sample --pheno p.tsv --format plink2 --out res', 'res.<PHENO>.glm.linear, as plink2 --glm names and lays it out')
      .example('$0 assoc --gen chr22.gen --sample s.sample --pheno p.tsv --pheno-name response --out - | head', 'stream one phenotype to stdout')
      .example('$0 assoc --bgen cc.bgen --sample cc.sample --pheno p.tsv --pheno-name t2d,bmi --covar c.tsv --out res', 't2d coded 1/2: logistic with Firth fallback; bmi: linear')
      .example(
        '$0 assoc --gen cc.gen.zst --sample cc.sample --pheno cc.tsv --covar c.tsv --covar-variance-standardize --out res',
        'case/control, FIRTH flags as plink2 --covar-variance-standardize --glm firth-fallback gives them',
      )
      .example('$0 assoc --bgen cc.bgen --sample cc.sample --1 --pheno p.tsv --pheno-quantitative score --firth --out res', '0/1-coded case/control, Firth everywhere; score stays linear')
      .example('$0 assoc --gen chr1.gen --sample s.sample --pheno p.tsv --covar c.tsv --covar-name age,sex,rs123 --vif 100 --out cond', 'conditioning on a variant (its own row is NA: CORR_TOO_HIGH)'),
  handler: async (argv) => {
    const a = argv as Record<string, unknown>;
    const cfg = validateAssocOptions(a);
    const genes = await reportGenes(a);
    const summary = await runAssoc(cfg);
    if (argv.report) await reportsFor(summary, cfg, undefined, genes);
  },
};

/** --genes / --gene-types for assoc --report: the genes read before the run (a bad file stops it early). */
async function reportGenes(a: Record<string, unknown>): Promise<GeneOptions | undefined> {
  if (a.genes === undefined && a['gene-types'] === undefined) return undefined;
  if (!a.report) throw new UsageError(`${a.genes !== undefined ? '--genes' : '--gene-types'} annotates the report: use it with --report`);
  const { resolveReportConfig } = await import('../report/config.js');
  const g = resolveReportConfig({ genes: a.genes as string | undefined, geneTypes: a['gene-types'] as string | undefined }).genes!;
  const { readGenes } = await import('../report/genes.js');
  return { genes: g.file, geneTypes: a['gene-types'] as string | undefined, geneSet: await readGenes(g.file) };
}

type GeneOptions = Pick<ReportOptions, 'genes' | 'geneTypes' | 'geneSet'>;

/** The post-GWAS report beside each phenotype's table (assoc --report). */
export async function reportsFor(summary: AssocSummary, cfg: AssocConfig, log: (s: string) => void = (s) => process.stderr.write(s + '\n'), genes?: GeneOptions): Promise<string[]> {
  const dirs: string[] = [];
  for (const p of summary.phenos) {
    const dir = `${cfg.out}.${p.name}.report`;
    // Loaded on demand (docs/decisions/0007-lazy-imports.md).
    const { writeReport } = await import('../report/index.js');
    await writeReport(p.output, dir, { title: `${p.name} (${p.samples} samples)`, ...genes });
    log(`  report: ${dir}/report.html`);
    dirs.push(dir);
  }
  return dirs;
}
