// What writeReport returns and writes to summary.json.

/** One LD-independent locus: its index variant's row, plus the extent of the group it claimed. */
export interface TopLocus {
  rank: number;
  chr: string;
  snp: string;
  bp: number | null;
  a1: string | null;
  a2: string | null;
  frq: number | null;
  info: number | null;
  n: number | null;
  beta: number | null;
  se: number | null;
  t: number | null;
  /** The p-value as a double (0 when below ~1e-308: see log10p). */
  p: number;
  /** -log10 p, exact also where p underflows. */
  log10p: number;
  /** Candidates (p < suggestive) grouped into this locus, the index variant included. */
  locus_n_variants: number;
  locus_start: number | null;
  locus_end: number | null;
  /** Line of the index variant in the input. */
  line: number;
  /**
   * LD grouping (--ld-ref): whether the index variant was found in the LD reference (false: its LD
   * is unknown and it is a locus of its own); null with distance grouping.
   */
  in_ld_ref: boolean | null;
  /**
   * With --genes: the nearest gene of the index variant (null when its chromosome has none), its
   * id, biotype and distance (0 inside the gene, else bp to its nearest edge), and "NAME (distance)".
   */
  gene?: string | null;
  gene_id?: string | null;
  gene_biotype?: string | null;
  gene_distance?: number | null;
  gene_label?: string | null;
}

/** How the loci were formed. */
export type ClumpingSummary =
  | { method: 'distance'; window_kb: number }
  | {
      method: 'ld';
      window_kb: number;
      /** Candidates are claimed when r^2 with the index variant is greater than this. */
      r2: number;
      ld_method: 'dosage' | 'plink1.9';
      ld_ref: string;
      ld_ref_format: 'gen' | 'bgen' | 'vcf';
      ld_ref_sample: string | null;
      ld_samples: number;
      /** With --keep / --remove: reference samples not listed in --keep, listed in --remove. */
      ld_samples_not_kept?: number;
      ld_samples_removed?: number;
      /** Biallelic variants read from the reference (0 when there was no candidate to look up). */
      ld_ref_variants: number;
      /** Placed candidates found in the reference, and those not found (each a locus of its own). */
      candidates_in_ld_ref: number;
      candidates_not_in_ld_ref: number;
      /** Candidate pairs whose r^2 was computed. */
      pairs: number;
    };

export interface PlotSummary {
  file: string;
  png: string | null;
  width: number;
  height: number;
  /** Points drawn one by one (p < keep_p). */
  points_kept: number;
  /** Points thinned to one dot per occupied pixel cell, and the number of dots. */
  points_thinned: number;
  thinned_cells: number;
}

export interface ReportSummary {
  input: string;
  /** How the header was read, when it is not dosageflow's: plink2, regenie, saige, bolt-lmm, gwas-ssf or generic. */
  input_format?: string;
  /** With input_format: rows skipped as not a variant's additive result (a TEST column other than ADD: plink2's covariate rows). */
  n_rows_not_add?: number;
  /** median(chi2 from P) / qchisq(0.5, 1); null when nothing was tested. */
  lambda_gc: number | null;
  median_chi2: number | null;
  n_variants: number;
  /** Rows with a P value (not NA). */
  n_tested: number;
  /** p < genome-wide threshold. */
  n_gws: number;
  /** p < suggestive threshold. */
  n_suggestive: number;
  /** Tested rows without chromosome or position (not on the Manhattan plot). */
  n_unplaced: number;
  /** Independent loci among the suggestive variants, and those whose index variant is genome-wide significant. */
  n_loci: number;
  n_gws_loci: number;
  thresholds: { genome_wide: number; suggestive: number; keep_p: number };
  clumping: ClumpingSummary;
  /** With --genes: the annotation read and the rule applied. */
  genes?: { file: string; format: 'gtf' | 'gff3' | 'bed'; n_genes: number; from: 'gene' | 'transcript' | 'bed'; types: string[] | 'all'; rule: string };
  /** The first `top` loci by p. */
  top_loci: TopLocus[];
  plots: { manhattan: PlotSummary; qq: PlotSummary };
  files: string[];
}
