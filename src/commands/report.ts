// `dosageflow report SUMSTATS --out DIR`: plots, lambda and the top loci of a summary-statistics table.
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { COLUMN_OPTIONS, mappingFromArgs } from '../io/sumstats.js';
import type { ReportOptions } from '../report/index.js';
import { REPORT_DEFAULTS } from '../report/config.js';
import { pLabel } from '../report/svg.js';

/** Command-line flags -> writeReport options (the values are checked in resolveReportConfig). */
export function reportOptionsFromArgs(a: Record<string, unknown>): { input: string; out: string; opts: ReportOptions } {
  const input = a.sumstats === undefined ? '' : String(a.sumstats);
  if (input === '') throw new UsageError('report needs a summary-statistics file (or - for stdin)');
  if (a.out === undefined || a.out === '' || a.out === true) throw new UsageError('report needs --out DIR');
  const opts: ReportOptions = {
    width: a.width as number | undefined,
    height: a.height as number | undefined,
    qqSize: a['qq-size'] as number | undefined,
    top: a.top as number | undefined,
    clumpKb: a['clump-kb'] as number | undefined,
    pThreshold: a['p-threshold'] as number | undefined,
    suggestive: a.suggestive as number | undefined,
    ldRef: a['ld-ref'] === undefined ? undefined : String(a['ld-ref']),
    ldRefSample: a['ld-ref-sample'] === undefined ? undefined : String(a['ld-ref-sample']),
    keep: a.keep === undefined ? undefined : String(a.keep),
    remove: a.remove === undefined ? undefined : String(a.remove),
    ldR2: a['ld-r2'] as number | undefined,
    ldMethod: a['ld-method'] === undefined ? undefined : String(a['ld-method']),
    title: a.title === undefined ? undefined : String(a.title),
    png: a.png === undefined ? undefined : Boolean(a.png),
    columns: mappingFromArgs(a),
    genes: a.genes === undefined ? undefined : String(a.genes),
    geneTypes: a['gene-types'] === undefined ? undefined : String(a['gene-types']),
  };
  return { input, out: String(a.out), opts };
}

/** ' (--keep removed N, --remove M)' for the flags given, else ''. */
function selectionNote(opts: ReportOptions, notKept: number, removed: number): string {
  const parts = [opts.keep !== undefined ? `--keep removed ${notKept}` : '', opts.remove !== undefined ? `--remove ${removed}` : ''].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export const reportCommand: CommandModule = {
  command: 'report <sumstats>',
  describe: 'Manhattan and QQ plots, genomic-control lambda and top loci of a summary-statistics table -> DIR',
  builder: (y: Argv) =>
    y
      .usage(
        '$0 report SUMSTATS --out DIR\n\n' +
          'Reads a summary-statistics table (header CHR SNP BP A1 A2 FRQ INFO N BETA SE T P LOG10P, as written\n' +
          'by `dosageflow assoc`; plain, gzip or zstd; - = stdin) in one streaming pass and writes into DIR:\n' +
          'summary.json (lambda_gc, counts, top loci), manhattan.svg/.png, qq.svg/.png and report.html\n' +
          '(one self-contained page). Loci are grouped by distance: in order of p, each variant below the\n' +
          'suggestive threshold not yet in a locus claims all such variants within --clump-kb.\n\n' +
          'With --ld-ref FILE (IMPUTE2 .gen, plain/gzip/zstd, BGEN or VCF) loci are LD-independent: an index\n' +
          'variant claims only the variants within --clump-kb whose r2 with it exceeds --ld-r2 (default\n' +
          `${REPORT_DEFAULTS.ldR2}), r2 computed over the reference samples as the squared correlation of the dosages\n` +
          '(--ld-method dosage, the default) or as plink 1.9 --clump does (plink1.9: haplotype EM on hard\n' +
          'calls). Variants are found in the reference by chromosome, position and alleles (A1/A2 in either\n' +
          'order); only those below the suggestive threshold are read, in one pass over FILE after the\n' +
          'table. Variants not in the reference are loci of their own (summary.json: in_ld_ref false).\n' +
          'The table needs A1 and A2 columns. --ld-ref-sample FILE (the Oxford .sample of the reference)\n' +
          'is optional: the number of samples is read from FILE and checked against it. A VCF reference\n' +
          'names its samples in its #CHROM line (--keep/--remove match them as IIDs); its dosages follow\n' +
          'assoc --vcf (DS, else GP, else HDS, else GT).\n\n' +
          "Other tools' tables are read as they are: plink2 --glm, regenie, SAIGE, BOLT-LMM and GWAS-SSF\n" +
          'headers are recognised (the effect allele as A1; docs/sumstats.md). Any other table: name its\n' +
          'columns with --col-chr, --col-pos, --col-p (and --col-snp, --col-a1, ...) or --columns.\n\n' +
          'With --genes FILE (GTF, GFF3 or BED; read in one streaming pass keeping only the genes) each top\n' +
          'locus gets its nearest gene: 0 when the index variant lies inside the gene, else the distance to\n' +
          'its nearest edge, among protein-coding genes (--gene-types) when the file gives biotypes; ties by\n' +
          'name. Names: gene_name, else gene_id (GTF); gene_name, Name, gene, ID (GFF3); column 4 (BED).\n' +
          'A file without gene lines has its transcripts (transcript, mRNA) aggregated per gene.',
      )
      .positional('sumstats', { type: 'string', describe: 'summary-statistics table (plain, .gz or .zst: detected from content); - = stdin' })
      .option('out', { alias: 'o', type: 'string', describe: 'output directory (created if missing)' })
      .option('width', { type: 'number', describe: `Manhattan plot width in pixels (default ${REPORT_DEFAULTS.width})` })
      .option('height', { type: 'number', describe: `Manhattan plot height in pixels (default ${REPORT_DEFAULTS.height})` })
      .option('qq-size', { type: 'number', describe: 'QQ plot side in pixels (default: --height)' })
      .option('top', { type: 'number', describe: `loci listed and labelled (default ${REPORT_DEFAULTS.top})` })
      .option('clump-kb', { type: 'number', describe: `grouping window in kb on either side of an index variant, with or without --ld-ref (default ${REPORT_DEFAULTS.clumpKb})` })
      .option('p-threshold', { type: 'number', describe: `genome-wide significance threshold (default ${pLabel(REPORT_DEFAULTS.pThreshold)})` })
      .option('suggestive', { type: 'number', describe: `suggestive threshold; loci are formed below it (default ${pLabel(REPORT_DEFAULTS.suggestive)})` })
      .option('ld-ref', { type: 'string', describe: 'LD reference (.gen, .gen.gz/.zst, .bgen or VCF): group loci by r2 instead of distance alone' })
      .option('ld-ref-sample', { type: 'string', describe: 'Oxford .sample of --ld-ref (optional: checks its sample count)' })
      .option('keep', { type: 'string', describe: 'with --ld-ref (and --ld-ref-sample, or a VCF): r2 over only the reference samples listed (plink format: FID IID or IID a line)' })
      .option('remove', { type: 'string', describe: 'with --ld-ref (and --ld-ref-sample, or a VCF): r2 over all reference samples but those listed' })
      .option('ld-r2', { type: 'number', describe: `with --ld-ref: claim variants whose r2 with the index variant exceeds this (default ${REPORT_DEFAULTS.ldR2})` })
      .option('ld-method', {
        type: 'string',
        describe: `with --ld-ref: r2 as the squared dosage correlation (dosage) or as plink 1.9 --clump (plink1.9) (default ${REPORT_DEFAULTS.ldMethod})`,
      })
      .option('title', { type: 'string', describe: 'page and plot title (default: from the input file name)' })
      .option('genes', {
        type: 'string',
        describe: "GTF, GFF3 or BED of genes (plain, .gz or .zst; e.g. GENCODE's annotation GTF): the nearest gene and its distance for each top locus (table, summary.json, Manhattan labels)",
      })
      .option('gene-types', { type: 'string', describe: 'with --genes: biotypes the nearest gene is chosen among, comma-separated, or all (default protein_coding; BED files have none: all)' })
      .option('png', { type: 'boolean', describe: 'also write PNG renderings of the plots (default true; --no-png to skip)' })
      .options(COLUMN_OPTIONS)
      .example('$0 report results/ket.response.tsv.gz --out results/ket-report', 'defaults: 1600x600 Manhattan, top 20 loci, 500 kb windows')
      .example('$0 report sumstats.tsv --out rep --width 2400 --height 800 --top 50 --clump-kb 250', 'bigger plot, more and narrower loci')
      .example('$0 report sumstats.tsv --out rep --p-threshold 1e-9 --suggestive 1e-6', 'stricter thresholds')
      .example('$0 report sumstats.tsv --out rep --ld-ref 1kg.chr22.vcf.gz --keep eur.txt', 'LD from a reference VCF, its European samples only')
      .example('$0 report sumstats.tsv --out rep --ld-ref 1kg.eur.gen.zst --ld-ref-sample 1kg.eur.sample --ld-r2 0.1', 'LD-independent loci: r2 > 0.1 within 500 kb')
      .example('$0 report ket.response.tsv.gz --genes gencode.v44.annotation.gtf.gz --out rep', "nearest protein-coding gene (distance) of each top locus, as a study's Table 2")
      .example('$0 report ket.response.tsv.gz --genes genes.bed --out rep', 'genes from a BED file (name in column 4)')
      .example('zstd -dc sumstats.tsv.zst | $0 report - --out rep', 'read from stdin')
      .example('$0 report ukb.height.regenie.gz --out rep', 'a regenie (plink2, SAIGE, BOLT-LMM, GWAS-SSF) table as it is')
      .example('$0 report meta.txt --col-chr Chromosome --col-pos Position --col-p P-value --out rep', 'any other table: name its columns')
      .example('$0 report meta.txt --columns chr=Chromosome,pos=Position,p=P-value,a1=Allele1,a2=Allele2 --out rep', 'the same in one option'),
  handler: async (argv) => {
    const { input, out, opts } = reportOptionsFromArgs(argv as Record<string, unknown>);
    const { writeReport } = await import('../report/index.js');
    const s = await writeReport(input, out, opts);
    const lam = s.lambda_gc === null ? 'NA' : s.lambda_gc.toFixed(4);
    const c = s.clumping;
    const ld =
      c.method === 'ld'
        ? ` (LD: r2 > ${c.r2} over ${c.ld_samples} reference samples${selectionNote(opts, c.ld_samples_not_kept ?? 0, c.ld_samples_removed ?? 0)}; ${c.candidates_not_in_ld_ref} of ${c.candidates_in_ld_ref + c.candidates_not_in_ld_ref} suggestive variants not in the reference)`
        : '';
    const fmt = s.input_format ? ` read as a ${s.input_format} table${s.n_rows_not_add ? ` (${s.n_rows_not_add} rows with a TEST other than ADD skipped)` : ''}:` : '';
    process.stderr.write(
      `dosageflow report:${fmt} ${s.n_variants} variants (${s.n_tested} tested), lambda_gc ${lam}, ` +
        `${s.n_gws} genome-wide significant in ${s.n_gws_loci} loci${ld}${s.genes ? `; nearest genes from ${s.genes.n_genes} ${s.genes.from === 'transcript' ? 'genes aggregated from transcripts' : 'genes'} of ${s.genes.file}` : ''} -> ${out}/report.html\n`,
    );
  },
};
