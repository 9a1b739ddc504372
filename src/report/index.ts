// writeReport: summary statistics -> DIR/{summary.json, manhattan.svg/.png, qq.svg/.png, report.html}.
//
// One streaming pass over the table (any compression; stdin as '-') collects counts, histograms, the
// rows with p < 1e-3 and the loci candidates, and spills one 16-byte record per tested row into a
// private build directory inside DIR. One sequential read of that spill then thins the Manhattan
// points on the final pixel grid and collects the few values around the median (select.ts); rarely,
// with massively repeated p-values, up to three more reads of the spill finish the exact median.
// Memory is flat in the number of rows; disk use is 16 bytes per tested row while the report is built.
// All outputs are written into the build directory and renamed into DIR when everything succeeded.
//
// With an LD reference (--ld-ref) the loci are grouped by r^2 instead of distance alone: the
// reference is checked before the scan, the scan keeps the candidates' alleles too, and the
// reference is then streamed once for the candidates' dosages (ldref.ts), spilled into the build
// directory as well.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileError } from '../errors.js';
import { registerTemp, unregisterTemp } from '../io/output.js';
import { makeDirectory } from '../io/run-dir.js';
import { CHI2_1_MEDIAN, medianChi2 } from '../stats/distributions.js';
import { clumpByDistance, clumpByLd, type Locus } from './clump.js';
import { resolveReportConfig, type ReportConfig, type ReportOptions } from './config.js';
import { reportHtml } from './html.js';
import { geneLabel, nearestGene, readGenes, type GeneSet } from './genes.js';
import { ldLookup, ldSampleCount, loadLdDosages, openLdRef, type LdData } from './ldref.js';
import { ManhattanPlot, type ManhattanLabel } from './manhattan.js';
import { svgToPng } from './png.js';
import { qqSvg } from './qq.js';
import { NO_CHR, scanSumstats, type ScanResult } from './scan.js';
import { RankSelector, medianRanks } from './select.js';
import { LineSpill, RecordSpill } from './spill.js';
import { isNA, SumstatsRows, type ColumnKey } from '../io/sumstats.js';
import type { ClumpingSummary, ReportSummary, TopLocus } from './types.js';

export type { ReportOptions, ReportConfig } from './config.js';
export { resolveReportConfig, REPORT_DEFAULTS } from './config.js';
export type { ReportSummary, TopLocus, PlotSummary, ClumpingSummary } from './types.js';

/**
 * Loci labelled on the Manhattan plot: of the top loci, the genome-wide significant ones (at most
 * MAX_LABELS), and the first MIN_LABELS whatever their p (the table lists all top loci).
 */
export const MAX_LABELS = 30;
export const MIN_LABELS = 5;

export const REPORT_FILES = ['manhattan.svg', 'manhattan.png', 'qq.svg', 'qq.png', 'report.html', 'summary.json'] as const;

export async function writeReport(sumstatsPath: string, outDir: string, opts: ReportOptions = {}): Promise<ReportSummary> {
  const cfg = resolveReportConfig(opts);
  // The LD reference opens and its samples add up, before the scan (errors name the file).
  const ldSource = cfg.ld ? await openLdRef(cfg.ld) : null;
  // The genes are read first too: a bad annotation file stops the report before the table is read.
  const genes = cfg.genes ? (opts.geneSet ?? (await readGenes(cfg.genes.file))) : null;
  makeDirectory(outDir);
  const build = path.join(outDir, `.report.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    await fs.promises.mkdir(build);
  } catch (e) {
    throw fileError(e, outDir);
  }
  registerTemp(build);
  let records: RecordSpill | null = null;
  let lines: LineSpill | null = null;
  try {
    records = new RecordSpill(path.join(build, 'records.bin'));
    lines = new LineSpill(path.join(build, 'candidates.txt'));
    const scan = await scanSumstats(sumstatsPath, cfg, records, lines);
    let ld: LdData | null = null;
    if (ldSource) {
      const labels = scan.chroms.labels;
      ld = await loadLdDosages(
        ldSource,
        {
          chr: Array.from(scan.cand.chr, (c) => (c === NO_CHR ? null : labels[c])),
          bp: scan.cand.bp,
          a1: scan.cand.a1!,
          a2: scan.cand.a2!,
        },
        build,
      );
    }
    const summary = await buildReport(sumstatsPath, cfg, scan, build, ld, genes);
    records.close();
    lines.close();
    // Everything is complete: move the files into place, the summary last.
    for (const f of summary.files) {
      try {
        await fs.promises.rename(path.join(build, f), path.join(outDir, f));
      } catch (e) {
        throw fileError(e, path.join(outDir, f));
      }
    }
    return summary;
  } finally {
    records?.close();
    lines?.close();
    fs.rmSync(build, { recursive: true, force: true });
    unregisterTemp(build);
  }
}

async function buildReport(input: string, cfg: ReportConfig, scan: ScanResult, build: string, ld: LdData | null, genes: GeneSet | null): Promise<ReportSummary> {
  const title = cfg.title ?? `dosageflow report: ${input === '-' ? 'stdin' : path.basename(input)}`;
  const mh = new ManhattanPlot(cfg, scan.chroms, scan.extents, scan.maxNlp);
  const mChi2 = spillPasses(scan, mh);
  const lambda = mChi2 / CHI2_1_MEDIAN;
  const { loci, clumping } = findLoci(scan, cfg, ld);
  const gwsNlp = -Math.log(cfg.pThreshold);
  const top = loci.slice(0, cfg.top).map((l, k) => topLocus(scan, l, k + 1));
  if (genes) for (const t of top) annotateGene(t, genes, cfg.genes!.types);
  // Labelled: the genome-wide significant loci among the top ones, or the first few when they are fewer.
  const labels: ManhattanLabel[] = loci
    .slice(0, cfg.top)
    .map((l, k) => ({ chr: scan.cand.chr[l.index], bp: scan.cand.bp[l.index], nlp: scan.cand.nlp[l.index], text: top[k].gene ?? top[k].snp }))
    .filter((l, k) => k < MIN_LABELS || l.nlp > gwsNlp)
    .slice(0, MAX_LABELS)
    .filter((l) => l.chr !== NO_CHR);

  const m = mh.svg(scan.kept, labels, title);
  const q = qqSvg({ cfg, nTested: scan.nTested, maxNlp: scan.maxNlp, lambda, keptNlp: scan.kept.nlp, qqHist: scan.qqHist, title: `QQ plot` });
  const write = writerInto(build);
  const files = await writePlots(write, cfg, m.svg, q.svg);

  const summary: ReportSummary = {
    input,
    // Only for other tools' tables (our own tables' summary.json is unchanged).
    ...(scan.header.format !== 'dosageflow' ? { input_format: scan.header.format, n_rows_not_add: scan.nSkipped } : {}),
    lambda_gc: Number.isFinite(lambda) ? lambda : null,
    median_chi2: Number.isFinite(mChi2) ? mChi2 : null,
    n_variants: scan.nVariants,
    n_tested: scan.nTested,
    n_gws: scan.nGws,
    n_suggestive: scan.nSuggestive,
    n_unplaced: scan.nUnplaced,
    n_loci: loci.length,
    n_gws_loci: loci.filter((l) => scan.cand.nlp[l.index] > gwsNlp).length,
    thresholds: { genome_wide: cfg.pThreshold, suggestive: cfg.suggestive, keep_p: cfg.keepP },
    clumping,
    ...(genes ? { genes: genesSummary(genes, cfg.genes!.types) } : {}),
    top_loci: top,
    plots: {
      manhattan: { file: 'manhattan.svg', png: cfg.png ? 'manhattan.png' : null, width: cfg.width, height: cfg.height, ...plotStats(m.stats) },
      qq: { file: 'qq.svg', png: cfg.png ? 'qq.png' : null, width: cfg.qqSize, height: cfg.qqSize, ...plotStats(q.stats) },
    },
    files,
  };
  await write('report.html', reportHtml({ title, cfg, summary, manhattanSvg: m.svg, qqSvg: q.svg }));
  await write('summary.json', JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

/** The spill pass(es): Manhattan thinning on the final grid and the exact median chi2 (from -ln p). */
function spillPasses(scan: ScanResult, mh: ManhattanPlot): number {
  const selector = new RankSelector(scan.hist, medianRanks(scan.nTested));
  scan.records.scan(mh.visit, selector.visit);
  selector.endPass();
  while (selector.needsPass) {
    scan.records.scan(selector.visit);
    selector.endPass();
  }
  return medianChi2(selector.values());
}

/** Loci by r2 from the --ld-ref panel, or by distance; with the summary of how. */
function findLoci(scan: ScanResult, cfg: ReportConfig, ld: LdData | null): { loci: Locus[]; clumping: ClumpingSummary } {
  if (!(cfg.ld && ld)) return { loci: clumpByDistance(scan.cand, cfg.clumpKb * 1000, NO_CHR), clumping: { method: 'distance', window_kb: cfg.clumpKb } };
  const r = clumpByLd(scan.cand, cfg.clumpKb * 1000, NO_CHR, cfg.ld.r2, ldLookup(ld, scan.chroms.labels, cfg.ld.method));
  const clumping: ClumpingSummary = {
    method: 'ld',
    window_kb: cfg.clumpKb,
    r2: cfg.ld.r2,
    ld_method: cfg.ld.method,
    ld_ref: ld.source.file,
    ld_ref_format: ld.source.format,
    ld_ref_sample: ld.source.sampleFile ?? null,
    ld_samples: ldSampleCount(ld.source),
    ...(ld.source.kept ? { ld_samples_not_kept: ld.source.notKept, ld_samples_removed: ld.source.removed } : {}),
    ld_ref_variants: ld.rows,
    candidates_in_ld_ref: r.inLdRef,
    candidates_not_in_ld_ref: r.notInLdRef,
    pairs: r.pairs,
  };
  return { loci: r.loci, clumping };
}

type WriteFn = (name: string, data: string | Buffer) => Promise<void>;

/** Writes a file into the build directory; a failure names the file. */
function writerInto(build: string): WriteFn {
  return async (name, data) => {
    try {
      await fs.promises.writeFile(path.join(build, name), data);
    } catch (e) {
      throw fileError(e, path.join(build, name));
    }
  };
}

/** The SVGs (and PNGs with --png); returns every file of the report, in the order summary.json lists them. */
async function writePlots(write: WriteFn, cfg: ReportConfig, manhattan: string, qq: string): Promise<string[]> {
  const files: string[] = ['manhattan.svg', 'qq.svg'];
  await write('manhattan.svg', manhattan);
  await write('qq.svg', qq);
  if (cfg.png) {
    const [mp, qp] = await Promise.all([svgToPng(manhattan), svgToPng(qq)]);
    await write('manhattan.png', mp);
    await write('qq.png', qp);
    files.splice(1, 0, 'manhattan.png');
    files.push('qq.png');
  }
  files.push('report.html', 'summary.json');
  return files;
}

function plotStats(s: { kept: number; thinnedPoints: number; thinnedCells: number }): { points_kept: number; points_thinned: number; thinned_cells: number } {
  return { points_kept: s.kept, points_thinned: s.thinnedPoints, thinned_cells: s.thinnedCells };
}

/** With --genes: the nearest gene of a top locus' index variant (genes.ts). */
function annotateGene(t: TopLocus, genes: GeneSet, types: Set<string> | null): void {
  const g = t.bp === null ? null : nearestGene(genes, t.chr, t.bp, types);
  t.gene = g?.name ?? null;
  t.gene_id = g?.id ?? null;
  t.gene_biotype = g?.biotype ?? null;
  t.gene_distance = g?.distance ?? null;
  t.gene_label = g ? geneLabel(g) : null;
}

function genesSummary(g: GeneSet, types: Set<string> | null): NonNullable<ReportSummary['genes']> {
  const typed = types !== null && g.format !== 'bed';
  const among = typed ? `genes of biotype ${[...types].join(', ')}` : 'all genes';
  return {
    file: g.file,
    format: g.format,
    n_genes: g.count,
    from: g.from,
    types: typed ? [...types] : 'all',
    rule: `nearest of ${among} to the index variant: distance 0 inside the gene, else to its nearest edge; ties by name`,
  };
}

/** The table row of a locus: its index variant's line read back from the candidate spill. */
function topLocus(scan: ScanResult, l: Locus, rank: number): TopLocus {
  const i = l.index;
  const row = new SumstatsRows(scan.header, 'candidate');
  row.cut(Buffer.from(scan.lines.read(scan.cand.off[i], scan.cand.len[i]), 'utf8'), scan.cand.lineNo[i]);
  const str = (k: ColumnKey): string | null => {
    const v = row.text(k);
    return v === undefined || isNA(v) ? null : v;
  };
  const nm = (k: ColumnKey): number | null => {
    const v = row.num(k);
    return Number.isFinite(v) ? v : null;
  };
  const nlp = scan.cand.nlp[i];
  const placed = scan.cand.chr[i] !== NO_CHR;
  return {
    rank,
    chr: placed ? scan.chroms.labels[scan.cand.chr[i]] : (str('chr') ?? 'NA'),
    snp: row.text('snp') ?? '',
    bp: placed ? scan.cand.bp[i] : null,
    a1: str('a1'),
    a2: str('a2'),
    frq: nm('frq'),
    info: nm('info'),
    n: nm('n'),
    beta: nm('beta'),
    se: nm('se'),
    t: nm('t'),
    p: Math.exp(-nlp),
    log10p: nlp / Math.LN10,
    locus_n_variants: l.nVariants,
    locus_start: placed ? l.start : null,
    locus_end: placed ? l.end : null,
    line: scan.cand.lineNo[i],
    in_ld_ref: l.inLdRef === undefined ? null : l.inLdRef,
  };
}
