// The self-contained report page: both plots inline as SVG (no external file, script or font), the
// counts, lambda, and the table of independent loci.
import { fmtG } from '../stats/format.js';
import type { ReportConfig } from './config.js';
import { esc, pLabel, thousands } from './svg.js';
import type { ReportSummary, TopLocus } from './types.js';

export interface HtmlInput {
  title: string;
  cfg: ReportConfig;
  summary: ReportSummary;
  manhattanSvg: string;
  qqSvg: string;
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px auto;max-width:1680px;padding:0 16px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}
.meta{color:#666;font-size:13px;margin:0 0 16px;word-break:break-all}
.stats{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0 20px}
.stat{border:1px solid #dde3ea;border-radius:6px;padding:8px 14px;min-width:120px}
.stat b{display:block;font-size:20px}.stat span{font-size:12px;color:#555}
figure{margin:0 0 20px}figure svg{max-width:100%;height:auto;display:block;border:1px solid #eee}
figcaption{font-size:13px;color:#555;margin-top:6px}
.plots{display:flex;flex-wrap:wrap;gap:20px;align-items:flex-start}
table.loci{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
table.loci th,table.loci td{padding:4px 9px;border-bottom:1px solid #e3e3e3;text-align:right;white-space:nowrap}
table.loci th{background:#f3f5f8;position:sticky;top:0}
table.loci td.s,table.loci th.s{text-align:left}
tr.gws td{background:#fdf0ee}
.note{font-size:13px;color:#555;max-width:1000px}
`;

function num(v: number | null, digits = 4): string {
  return v === null ? 'NA' : fmtG(v, digits);
}

/** A p-value from -log10 p with 3 significant digits: plain down to 0.001, then 1.23e-45 (any size). */
export function pText(log10p: number): string {
  if (!(log10p >= 0)) return 'NA';
  if (log10p < 3) return fmtG(Math.pow(10, -log10p), 3);
  let e = Math.floor(-log10p);
  let m = Math.pow(10, -log10p - e).toFixed(2);
  if (m === '10.00') {
    e += 1;
    m = '1.00';
  }
  return `${m.replace(/\.?0+$/, '')}e${e}`;
}

function row(l: TopLocus, withLd: boolean, withGenes: boolean): string {
  const cells = [
    [String(l.rank), ''],
    [l.chr, 's'],
    [l.snp, 's'],
    [l.bp === null ? 'NA' : String(l.bp), ''],
    [l.a1 ?? 'NA', 's'],
    [l.a2 ?? 'NA', 's'],
    [num(l.frq), ''],
    [num(l.info), ''],
    [num(l.beta), ''],
    [num(l.se), ''],
    [pText(l.log10p), ''],
    [String(l.locus_n_variants), ''],
    [l.locus_start === null ? 'NA' : `${thousands(l.locus_start)}-${thousands(l.locus_end ?? l.locus_start)}`, ''],
  ];
  if (withLd) cells.push([l.in_ld_ref ? 'yes' : 'no', 's']);
  if (withGenes) cells.splice(3, 0, [l.gene_label ?? 'NA', 's']);
  return '<tr>' + cells.map(([v, cls]) => `<td${cls ? ` class="${cls}"` : ''}>${esc(v)}</td>`).join('') + '</tr>';
}

/** How the loci were formed, for the note under the table (HTML). */
function clumpingNote(s: ReportSummary, cfg: ReportConfig): string {
  const c = s.clumping;
  const claim = `in order of ascending p, each variant with p &lt; ${pLabel(cfg.suggestive)} not yet in a locus becomes an index variant and claims every such variant within &#177;${fmtG(c.window_kb)} kb on its chromosome`;
  if (c.method === 'distance') return `Loci are grouped by distance: ${claim}.`;
  const how = c.ld_method === 'dosage' ? 'the squared correlation of the dosages' : 'plink 1.9&#8217;s r&#178; (haplotype EM on hard calls)';
  const absent = c.candidates_not_in_ld_ref
    ? ` ${thousands(c.candidates_not_in_ld_ref)} of the ${thousands(c.candidates_in_ld_ref + c.candidates_not_in_ld_ref)} variants with p &lt; ${pLabel(cfg.suggestive)} are not in the LD reference: their LD is unknown, so each is a locus of its own (LD REF: no).`
    : '';
  return `Loci are grouped by LD: ${claim} whose r&#178; with it exceeds ${fmtG(c.r2)} (${how} over the ${thousands(c.ld_samples)} samples of the LD reference ${esc(c.ld_ref)}).${absent}`;
}

export function reportHtml(inp: HtmlInput): string {
  const { summary: s, cfg } = inp;
  const gwsLog10 = -Math.log10(cfg.pThreshold);
  const lam = s.lambda_gc === null ? 'NA' : s.lambda_gc.toFixed(4);
  const stats: [string, string][] = [
    [lam, '&#955;<sub>GC</sub> (median &#967;&#178; / 0.4549)'],
    [thousands(s.n_variants), 'variants'],
    [thousands(s.n_tested), 'tested (P not NA)'],
    [thousands(s.n_gws), `p &lt; ${pLabel(cfg.pThreshold)}`],
    [thousands(s.n_suggestive), `p &lt; ${pLabel(cfg.suggestive)}`],
    [thousands(s.n_loci), `independent loci (p &lt; ${pLabel(cfg.suggestive)})`],
    [thousands(s.n_gws_loci), `genome-wide significant loci`],
  ];
  const withLd = s.clumping.method === 'ld';
  const withGenes = s.genes !== undefined;
  const header = ['#', 'CHR', 'SNP', 'BP', 'A1', 'A2', 'FRQ', 'INFO', 'BETA', 'SE', 'P', 'VARIANTS', 'REGION'];
  if (withLd) header.push('LD REF');
  if (withGenes) header.splice(3, 0, 'GENE (DISTANCE)');
  const leftCols = new Set(['CHR', 'SNP', 'A1', 'A2', 'LD REF', 'GENE (DISTANCE)']);
  const rows = s.top_loci.map((l) => row(l, withLd, withGenes).replace('<tr>', l.log10p > gwsLog10 ? '<tr class="gws">' : '<tr>')).join('\n');
  const shown = s.top_loci.length < s.n_loci ? ` (the first ${s.top_loci.length} of ${thousands(s.n_loci)})` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="dosageflow report">
<title>${esc(inp.title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(inp.title)}</h1>
<p class="meta">Input: ${esc(s.input)}</p>
<div class="stats" id="stats">
${stats.map(([v, l]) => `<div class="stat"><b>${v}</b><span>${l}</span></div>`).join('\n')}
</div>
<h2>Manhattan plot</h2>
<figure id="manhattan">
${inp.manhattanSvg.trim()}
<figcaption>Chromosomes in genome order on a cumulative position axis. Dashed lines: genome-wide (p = ${pLabel(cfg.pThreshold)}) and suggestive (p = ${pLabel(cfg.suggestive)}) thresholds. Every point with p &lt; ${pLabel(cfg.keepP)} is drawn; the others are thinned to one dot per pixel (${thousands(s.plots.manhattan.points_thinned)} points as ${thousands(s.plots.manhattan.thinned_cells)} dots). Index variants of the top loci are circled and labelled.</figcaption>
</figure>
<div class="plots">
<figure id="qq">
${inp.qqSvg.trim()}
<figcaption>Observed against expected -log10 p with the pointwise 95% band of uniform order statistics; &#955;<sub>GC</sub> = ${lam}.</figcaption>
</figure>
</div>
<h2>Top loci${shown}</h2>
<table class="loci" id="top-loci">
<thead><tr>${header.map((h) => `<th${leftCols.has(h) ? ' class="s"' : ''}>${h}</th>`).join('')}</tr></thead>
<tbody>
${rows || `<tr><td colspan="${header.length}" class="s">no variant with p &lt; ${pLabel(cfg.suggestive)}</td></tr>`}
</tbody>
</table>
<p class="note" id="clumping">${clumpingNote(s, cfg)} VARIANTS counts the variants of the locus, REGION spans them. Rows shaded red are genome-wide significant (p &lt; ${pLabel(cfg.pThreshold)}).${withGenes ? ` GENE: the ${esc(s.genes!.rule)} (${esc(s.genes!.file)}).` : ''}</p>
</body>
</html>
`;
}
