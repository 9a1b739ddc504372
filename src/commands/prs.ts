// `dosageflow prs`: options -> validated PrsConfig -> runPrs.
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import type { PrsConfig, Threshold } from '../prs/run.js';
import { COLUMN_OPTIONS, mappingFromArgs } from '../io/sumstats.js';
import { parseVcfDosage } from './assoc.js';
import { checkChrOption, fileList, listOption, selectionOptions, SELECTION_OPTIONS, parseNumber, PREFIX_HELP } from './options.js';

export const DEFAULT_THRESHOLDS = '0.01,0.05,0.1,0.2,0.3,0.4,0.5';

export function parseThresholds(v: unknown): Threshold[] {
  const texts = listOption(v === undefined ? DEFAULT_THRESHOLDS : v);
  if (texts.length === 0) throw new UsageError('--thresholds takes a comma-separated list of p-values, e.g. 0.01,0.05,0.5');
  const out: Threshold[] = [];
  for (const text of texts) {
    if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new UsageError(`--thresholds: '${text}' is not a p-value`);
    const value = Number(text);
    if (!(value > 0 && value <= 1)) throw new UsageError(`--thresholds: ${text} is not in (0, 1]`);
    const dup = out.find((t) => t.value === value);
    if (dup) throw new UsageError(`--thresholds: ${text} is given twice${dup.text !== text ? ` (as ${dup.text})` : ''}`);
    out.push({ text, value });
  }
  return out.sort((a, b) => a.value - b.value);
}

/** Turn parsed argv into a config, or throw a UsageError naming the option. */
export function validatePrsOptions(a: Record<string, unknown>): PrsConfig {
  if (!a.base) throw new UsageError('give the base summary statistics with --base FILE (a dosageflow assoc table)');
  const gen = fileList(a.gen);
  const bgen = fileList(a.bgen);
  const vcf = fileList(a.vcf);
  if ([gen, bgen, vcf].filter((l) => l.length > 0).length > 1) throw new UsageError('give the target as --gen FILE..., --bgen FILE... or --vcf FILE..., one of them');
  if (!gen.length && !bgen.length && !vcf.length) throw new UsageError('give the target genotypes with --gen FILE..., --bgen FILE... or --vcf FILE...');
  if (bgen.includes('-')) throw new UsageError('--bgen files cannot be read from stdin');
  checkChrOption(a.chr, gen, 'to choose variants, --extract');
  if (vcf.includes('-')) throw new UsageError('prs reads a --vcf file twice (its #CHROM line first): give a file, not stdin');
  if (!vcf.length && a['vcf-dosage'] !== undefined) throw new UsageError('--vcf-dosage applies to --vcf input');
  const targets = gen.length ? gen : bgen.length ? bgen : vcf;
  if (targets.filter((f) => f === '-').length > 1) throw new UsageError('stdin (-) can be given only once');
  if (!a.sample && !vcf.length) throw new UsageError('give the target samples with --sample FILE (Oxford .sample, samples in genotype order)');
  if (!a.pheno) throw new UsageError('give the phenotype with --pheno FILE');
  if (!a.out) throw new UsageError('give an output prefix with --out PREFIX');
  if (a.out === '-') throw new UsageError('prs writes several files: --out takes a prefix, not -');
  const phenoNames = listOption(a['pheno-name']);
  if (phenoNames.length > 1) throw new UsageError(`--pheno-name takes one phenotype, not ${phenoNames.length} (${phenoNames.join(', ')})`);
  const covarNames = listOption(a['covar-name']);
  if (covarNames.length && !a.covar) throw new UsageError('--covar-name needs --covar FILE');
  const clumpR2 = a['clump-r2'] === undefined ? 0.2 : parseNumber(a['clump-r2'], '--clump-r2', 0, 1);
  const clumpKb = a['clump-kb'] === undefined ? 250 : parseNumber(a['clump-kb'], '--clump-kb', 0.001, 1e6);
  const clumpP = a['clump-p'] === undefined ? 1 : parseNumber(a['clump-p'], '--clump-p', 0, 1);
  // As plink 1.9 --clump-p1: a P-value bound in (0, 1]; at 0 no variant could pass (issue 15.22).
  if (clumpP === 0) throw new UsageError('--clump-p must be above 0 and at most 1, not 0 (no variant has P <= 0)');
  const ldRef = a['ld-ref'] ? String(a['ld-ref']) : undefined;
  const ldRefSample = a['ld-ref-sample'] ? String(a['ld-ref-sample']) : undefined;
  if (ldRefSample && !ldRef) throw new UsageError('--ld-ref-sample needs --ld-ref FILE');
  if (ldRef === '-') throw new UsageError('--ld-ref cannot be read from stdin');
  const ldMethod = String(a['ld-method'] ?? 'plink1.9');
  if (ldMethod !== 'dosage' && ldMethod !== 'plink1.9') throw new UsageError(`--ld-method takes dosage or plink1.9, not '${ldMethod}'`);
  const digits = a.digits === undefined ? 7 : parseNumber(a.digits, '--digits', 3, 17);
  return {
    base: String(a.base),
    baseColumns: mappingFromArgs(a),
    targets,
    format: gen.length ? 'gen' : bgen.length ? 'bgen' : 'vcf',
    sample: a.sample ? String(a.sample) : undefined,
    vcfDosage: parseVcfDosage(a['vcf-dosage']),
    pheno: String(a.pheno),
    phenoName: phenoNames[0],
    one: Boolean(a['1']),
    quantitative: Boolean(a['pheno-quantitative']),
    prevalence: a.prevalence === undefined ? undefined : parseNumber(a.prevalence, '--prevalence', 1e-9, 1 - 1e-9),
    covar: a.covar ? String(a.covar) : undefined,
    covarNames,
    chr: a.chr === undefined ? undefined : String(a.chr),
    thresholds: parseThresholds(a.thresholds),
    clumpR2,
    clumpKb,
    clumpP,
    ldRef,
    ldRefSample,
    ldMethod,
    keepAmbiguous: Boolean(a['keep-ambiguous']),
    ...selectionOptions(a),
    out: String(a.out),
    digits: Math.round(digits),
    memoryMB: a.memory === undefined ? 512 : parseNumber(a.memory, '--memory', 1),
    tmpDir: a['tmp-dir'] ? String(a['tmp-dir']) : undefined,
  };
}

export const prsCommand: CommandModule = {
  command: 'prs',
  describe: 'polygenic scores from summary statistics: clump, score at p-value thresholds, test against a phenotype',
  builder: (y: Argv) =>
    y
      .usage(
        '$0 prs --base SUMSTATS (--gen|--bgen|--vcf) TARGET... [--sample FILE] --pheno FILE [--covar FILE] --out PREFIX\n\n' +
          'Matches the base (a dosageflow assoc table: CHR SNP BP A1 A2 ... BETA ... P LOG10P, or plink2 --glm,\n' +
          'regenie, SAIGE, BOLT-LMM or GWAS-SSF output as it is; any other table with --col-* / --columns) to the target\n' +
          'by chromosome, position and alleles (A1/A2 swapped: the score counts the other target allele;\n' +
          'strand-flipped SNPs are matched through the complement; A/T and C/G SNPs are dropped unless\n' +
          '--keep-ambiguous). Clumps as plink 1.9 --clump: by ascending P, each variant not yet clumped\n' +
          'becomes an index variant and claims the unclumped variants less than --clump-kb away whose r2\n' +
          'with it exceeds --clump-r2 (r2 over the target samples, or --ld-ref; computed as plink 1.9\n' +
          'does, or as the squared dosage correlation with --ld-method dosage). For each threshold T the\n' +
          'score is the sum over index variants with P < T of BETA x dosage of A1 (a missing dosage\n' +
          'counts 0, as plink2 --score no-mean-imputation). Each score is tested by least squares, null model\n' +
          'pheno ~ covariates, full model pheno ~ covariates + score, on the samples with the phenotype\n' +
          'and every covariate:\n' +
          '- R2 = R2(full) - R2(null): the variance explained, as the study reports it;\n' +
          "- PARTIAL_R2 = 1 - (1 - R2(full))/(1 - R2(null)): PRSice-2's R2;\n" +
          "- P, BETA, SE: the t-test of the score's coefficient in the full model.\n\n" +
          'Writes PREFIX.clumped.tsv (index variants: CHR SNP BP A1 A2 BETA P N_CLUMPED),\n' +
          'PREFIX.scores.tsv (FID IID P_<threshold>...), PREFIX.summary.tsv (THRESHOLD N_SNP R2 PARTIAL_R2\n' +
          'P BETA SE) and the bar chart PREFIX.bar.svg / PREFIX.bar.png. Memory: the base table, at most\n' +
          '--memory MB of cached dosages and the scores; kept dosages are spilled to disk (2 bytes each).',
      )
      .option('base', { type: 'string', describe: 'base summary statistics (plain, gzip or zstd); rows with NA BETA or P are skipped' })
      .options(COLUMN_OPTIONS)
      .option('gen', { type: 'string', array: true, describe: 'target IMPUTE2 .gen files (plain, gzip or zstd); - = stdin' })
      .option('bgen', { type: 'string', array: true, describe: 'target BGEN files (v1.1-1.3; biallelic variants)' })
      .option('vcf', {
        type: 'string',
        array: true,
        describe: 'target VCF files (bgzip, gzip or plain; samples = the #CHROM line, as IIDs; one row per ALT allele)',
      })
      .option('vcf-dosage', { type: 'string', describe: 'with --vcf: FORMAT field for the dosage, DS, GP, HDS or GT (default: DS, else GP, else HDS, else GT, per record)' })
      .option('sample', { type: 'string', describe: 'Oxford .sample of the target (ID_1/ID_2 = FID/IID); with --vcf optional (checked against the #CHROM line)' })
      .option('pheno', { type: 'string', describe: 'phenotype table with a header (FID IID ... or IID ...); NA and -9 are missing' })
      .option('pheno-name', { type: 'string', describe: 'the phenotype column (needed when the table has several)' })
      .option('1', { type: 'boolean', describe: 'a case/control phenotype is coded 0 = control, 1 = case (plink2 --1; default 1/2, 0 missing)' })
      .option('pheno-quantitative', { type: 'boolean', describe: 'run the phenotype as quantitative (linear) even when coded 1/2' })
      .option('prevalence', { type: 'number', describe: 'case/control: population prevalence K; adds LIABILITY_R2 (Lee et al. 2012) to the summary' })
      .option('covar', { type: 'string', describe: 'covariate table with a header, as --pheno' })
      .option('covar-name', { type: 'string', array: true, describe: 'covariate columns to adjust for (default: all)' })
      .option('thresholds', { type: 'string', describe: `p-value thresholds, comma-separated (default ${DEFAULT_THRESHOLDS})` })
      .option('clump-r2', { type: 'number', describe: 'clump variants with r2 greater than this (default 0.2)' })
      .option('clump-kb', { type: 'number', describe: 'clumping window: kb either side of the index variant (default 250)' })
      .option('clump-p', { type: 'number', describe: 'only variants with P <= this are clumped and scored, in (0, 1] (default 1)' })
      .option('ld-ref', { type: 'string', describe: 'LD reference (.gen, .bgen or VCF, told apart by content) for the r2 of clumping (default: the target)' })
      .option('ld-ref-sample', { type: 'string', describe: 'Oxford .sample of --ld-ref (needed for .gen and .bgen; with a VCF optional, its count checked)' })
      .option('ld-method', {
        type: 'string',
        choices: ['plink1.9', 'dosage'],
        describe: 'r2 as plink 1.9 --clump computes it (default: haplotype EM on hard calls) or the squared correlation of the dosages',
      })
      .options(SELECTION_OPTIONS)
      .option('keep-ambiguous', { type: 'boolean', describe: 'keep strand-ambiguous A/T and C/G SNPs (matched on the letters as written)' })
      .option('chr', { type: 'string', describe: 'chromosome of IMPUTE2 .gen files without a CHR column (SNPID RSID POS A B); with a CHR column it must agree' })
      .option('out', { type: 'string', describe: `output prefix${PREFIX_HELP}` })
      .option('memory', { type: 'number', describe: 'MB of dosages cached while clumping (default 512)' })
      .option('tmp-dir', { type: 'string', describe: 'directory for the dosage spill files (default: beside the output)' })
      .option('digits', { type: 'number', describe: 'significant digits printed (default 7)' })
      .example(
        '$0 prs --base ket.response.tsv.gz --gen scop/chr*.gen.gz --sample scop.sample --pheno scop.pheno --pheno-name madrs_day3 --covar scop.covar --covar-name sex,age,PC1,PC2,PC3,PC4,PC5,PC6,PC7,PC8,PC9,PC10 --clump-r2 0.2 --clump-kb 250 --out prs/scop',
        "the study's PRS analysis (thresholds 0.01 ... 0.5)",
      )
      .example(
        '$0 prs --base base.tsv --bgen target.bgen --sample target.sample --pheno p.tsv --thresholds 5e-8,1e-5,0.001,0.05,1 --ld-ref 1kg.eur.gen.zst --ld-ref-sample 1kg.eur.sample --out res/prs',
        'BGEN target, LD from a reference panel',
      )
      .example(
        '$0 prs --base base.tsv --gen t.gen --sample t.sample --pheno p.tsv --keep unrelated.txt --extract hapmap3.snplist --out res/k',
        'target samples and variants as plink2 --keep/--extract (LD, scores and the test over the kept samples)',
      )
      .example(
        '$0 prs --base t2d.tsv --gen t.gen --sample t.sample --pheno p.tsv --pheno-name t2d --covar c.tsv --prevalence 0.1 --out res/t2d',
        'case/control target (t2d coded 1/2): logistic fits, Nagelkerke R2, liability-scale R2 for a 10% prevalence',
      )
      .example(
        '$0 prs --base base.tsv --vcf chr*.dose.vcf.gz --pheno p.tsv --ld-ref 1kg.eur.chr22.vcf.gz --out res/v',
        'imputation-server VCFs as the target (DS, else GP/HDS/GT), LD from a reference VCF',
      )
      .example('$0 prs --base base.tsv --gen t.gen --sample t.sample --pheno p.tsv --ld-method dosage --clump-r2 0.5 --out res/d', 'r2 from the imputed dosages instead of hard calls')
      .example(
        '$0 prs --base gwas.txt --col-chr Chr --col-pos Pos --col-a1 EA --col-a2 NEA --col-beta Effect --col-p Pval --gen t.gen --sample t.sample --pheno p.tsv --out res/x',
        'a base table with its own column names',
      ),
  handler: async (argv) => {
    const cfg = validatePrsOptions(argv as Record<string, unknown>);
    const { runPrs } = await import('../prs/run.js');
    await runPrs(cfg);
  },
};
