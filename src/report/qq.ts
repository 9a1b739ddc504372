// The QQ plot: observed -log10 p of the i-th smallest p-value against its expectation
// -log10((i - 0.5) / n), with the pointwise 95% band of Beta(i, n - i + 1) order statistics.
// The ranks come without sorting the data: rows with p < keepP are kept and sorted (they are drawn
// one by one); the others are counted in a fine histogram of -log10 p (bins of 1e-4, far below a
// pixel), whose cumulative counts give each bin's ranks; each bin is drawn as its occupied pixel cells.
import type { ReportConfig } from './config.js';
import { PixelGrid, fmt } from './grid.js';
import type { PlotStats } from './manhattan.js';
import { logQBeta } from './qbeta.js';
import { QQ_BINS, QQ_RANGE } from './scan.js';
import { COLOURS, FONT_FAMILY, YScale, esc, niceAxis, thousands, tickLabel } from './svg.js';

const BAND_POINTS = 240;
const LOG10E = Math.LOG10E;

export interface QQInput {
  cfg: ReportConfig;
  nTested: number;
  maxNlp: number;
  lambda: number;
  /** -ln p of every tested row with p < keepP (any order). */
  keptNlp: Float64Array;
  qqHist: Uint32Array;
  title: string;
}

export function qqSvg(inp: QQInput): { svg: string; stats: PlotStats } {
  const { cfg, nTested: n } = inp;
  const S = cfg.qqSize;
  const left = 60;
  const right = 18;
  const top = 34;
  const bottom = 48;
  const x0 = left;
  const y0 = top;
  const pw = Math.max(10, S - left - right);
  const ph = Math.max(10, S - top - bottom);
  const xData = n > 0 ? -Math.log10(0.5 / n) : 1;
  const band = n > 0 ? confidenceBand(n) : [];
  const bandTop = band.reduce((m, b) => Math.max(m, b.upper), 0);
  const xa = niceAxis(xData, 0.03);
  const ys = new YScale(inp.maxNlp * LOG10E, Math.max(xData, bandTop), y0, ph);
  const sx = pw / xa.max;
  const sy = ys.lowerScale; // thinned points (p >= keepP) are below any break
  const X = (v: number) => x0 + v * sx;
  const Y = (v: number) => ys.y(v);
  const r = Math.max(1.4, Math.min(3, S / 260));
  const sw = fmt(2 * r);

  const o: string[] = [];
  o.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${S}" height="${S}" viewBox="0 0 ${S} ${S}" font-family="${FONT_FAMILY}" ` +
      `data-plot="${fmt(x0)} ${fmt(y0)} ${fmt(pw)} ${fmt(ph)}" data-xmax="${xa.max}" ${ys.attrs()}>`,
  );
  o.push(`<title>${esc(inp.title)}</title>`);
  o.push(`<rect width="${S}" height="${S}" fill="#ffffff"/>`);
  o.push(`<defs><clipPath id="qq-clip"><rect x="${x0}" y="${y0}" width="${fmt(pw)}" height="${fmt(ph)}"/></clipPath></defs>`);
  // axes
  o.push(`<g id="qq-yaxis">`, ys.axis(x0, pw), '</g>');
  o.push(`<g id="qq-axes" font-size="12" fill="${COLOURS.text}">`);
  for (let v = 0; v <= xa.max + 1e-9; v += xa.step) {
    const xx = fmt(X(v));
    if (v > 0) o.push(`<line x1="${xx}" y1="${y0}" x2="${xx}" y2="${fmt(y0 + ph)}" stroke="${COLOURS.grid}"/>`);
    o.push(`<line x1="${xx}" y1="${fmt(y0 + ph)}" x2="${xx}" y2="${fmt(y0 + ph + 5)}" stroke="${COLOURS.axis}"/>`);
    o.push(`<text x="${xx}" y="${fmt(y0 + ph + 18)}" text-anchor="middle">${tickLabel(v, xa.step)}</text>`);
  }
  o.push('</g>');
  o.push(`<text x="${fmt(x0 + pw / 2)}" y="${S - 8}" font-size="13" fill="${COLOURS.text}" text-anchor="middle">Expected -log10(p)</text>`);
  o.push(`<text x="16" y="${fmt(y0 + ph / 2)}" font-size="13" fill="${COLOURS.text}" text-anchor="middle" transform="rotate(-90 16 ${fmt(y0 + ph / 2)})">Observed -log10(p)</text>`);
  // band and diagonal
  if (band.length > 1) {
    const up = band.map((b) => `${fmt(X(b.x))},${fmt(Y(b.upper))}`);
    const lo = band.map((b) => `${fmt(X(b.x))},${fmt(Y(b.lower))}`).reverse();
    o.push(`<polygon id="qq-band" clip-path="url(#qq-clip)" points="${[...up, ...lo].join(' ')}" fill="${COLOURS.band}" stroke="none"/>`);
  }
  const dEnd = Math.min(xa.max, ys.breakAt ?? ys.max);
  o.push(`<line id="qq-diagonal" x1="${fmt(X(0))}" y1="${fmt(Y(0))}" x2="${fmt(X(dEnd))}" y2="${fmt(Y(dEnd))}" stroke="${COLOURS.gws}" stroke-width="1.2"/>`);

  // thinned points from the histogram: bins of descending -log10 p hold consecutive ranks
  const kept = Float64Array.from(inp.keptNlp).sort().reverse();
  const K = kept.length;
  const grid = new PixelGrid(Math.ceil(pw), Math.ceil(ph), 1);
  let rank = K + 1; // 1-based rank of the next (larger) p-value
  let thinnedPoints = 0;
  for (let j = QQ_BINS - 1; j >= 0; j--) {
    const c = inp.qqHist[j];
    if (c === 0) continue;
    thinnedPoints += c;
    const py = ph - ((j + 0.5) * QQ_RANGE * sy) / QQ_BINS;
    const end = rank + c;
    let i = rank;
    while (i < end) {
      const px = -Math.log10((i - 0.5) / n) * sx;
      grid.add(0, px, py);
      // every further rank up to the last one still in this pixel column can be skipped
      const col = Math.floor(px);
      const lastInCol = Math.floor(n * Math.pow(10, -col / sx) + 0.5);
      i = Math.max(i + 1, lastInCol + 1);
    }
    rank = end;
  }
  const cells = grid.count(0);
  o.push(`<g id="qq-thinned" fill="none" stroke-linecap="round" stroke-width="${sw}" data-cells="${cells}" data-points="${thinnedPoints}">`);
  const d = grid.pathData(0, x0, y0);
  if (d) o.push(`<path class="thin" stroke="${COLOURS.chrom[0]}" d="${d}"/>`);
  o.push('</g>');
  const pts: string[] = [];
  for (let i = 0; i < K; i++) {
    pts.push(`M${fmt(X(-Math.log10((i + 0.5) / n)))} ${fmt(Y(kept[i] * LOG10E))}h0`);
  }
  o.push(`<g id="qq-points" fill="none" stroke-linecap="round" stroke-width="${sw}" data-n="${K}">`);
  if (pts.length) o.push(`<path class="pts" stroke="${COLOURS.chrom[0]}" d="${pts.join('')}"/>`);
  o.push('</g>');
  o.push(`<path d="M${x0} ${y0}V${fmt(y0 + ph)}H${fmt(x0 + pw)}" fill="none" stroke="${COLOURS.axis}"/>`);
  const lam = Number.isFinite(inp.lambda) ? inp.lambda.toFixed(3) : 'NA';
  o.push(`<text id="qq-lambda" x="${x0 + 12}" y="${y0 + 20}" font-size="15" fill="${COLOURS.text}">&#955;<tspan font-size="11" dy="4">GC</tspan><tspan dy="-4"> = ${lam}</tspan></text>`);
  o.push(`<text x="${x0 + 12}" y="${y0 + 40}" font-size="12" fill="${COLOURS.text}">n = ${thousands(n)}</text>`);
  o.push(`<text x="${x0}" y="20" font-size="14" font-weight="bold" fill="${COLOURS.text}">${esc(inp.title)}</text>`);
  o.push('</svg>');
  return { svg: o.join('\n') + '\n', stats: { kept: K, thinnedCells: cells, thinnedPoints } };
}

export interface BandPoint {
  x: number;
  lower: number;
  upper: number;
}

/** The 2.5% and 97.5% quantiles of the i-th order statistic at about BAND_POINTS log-spaced ranks. */
export function confidenceBand(n: number): BandPoint[] {
  const ranks = new Set<number>([1, n]);
  const ln = Math.log(n);
  for (let k = 0; k <= BAND_POINTS; k++) ranks.add(Math.min(n, Math.max(1, Math.round(Math.exp((ln * k) / BAND_POINTS)))));
  const out: BandPoint[] = [];
  for (const i of [...ranks].sort((a, b) => a - b)) {
    const a = i;
    const b = n - i + 1;
    out.push({
      x: -Math.log10((i - 0.5) / n),
      upper: -logQBeta(0.025, a, b) * LOG10E,
      lower: Math.max(0, -logQBeta(0.975, a, b) * LOG10E),
    });
  }
  return out;
}
