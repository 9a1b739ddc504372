// The bar chart of variance explained (R2) by p-value threshold, with each bar's P printed above it
// (PRSice's bar plot, as in the study's Fig. 1): an SVG, and a PNG rendered from it with resvg.
import { Resvg } from '@resvg/resvg-js';
import { RESVG_OPTIONS } from '../report/png.js';
import { fmtPFromLog } from '../stats/format.js';

export interface Bar {
  label: string;
  r2: number;
  logp: number;
  nSnp: number;
}

const MIN_W = 760;
/** Pixels a bar needs so its label 'P = 0.000292' (11 px, ~6.5 px a character) and SNP count do not touch the next. */
const SLOT = 92;
const H = 460;
const M = { left: 78, right: 24, top: 56, bottom: 78 };
const FONT = 'DejaVu Sans, Arial, Helvetica, sans-serif';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function niceStep(range: number): number {
  const raw = range / 5;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / mag;
  return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * mag;
}

function tick(v: number, step: number): string {
  const d = step >= 1 ? 0 : Math.min(8, Math.ceil(-Math.log10(step) - 1e-9));
  return v.toFixed(d);
}

/** Bar colour from -log10 P: grey above 0.05, then deeper blue as P falls. */
function colour(logp: number): string {
  if (!(logp < Math.log(0.05))) return '#9aa5b1';
  const nl = Math.min(6, -logp / Math.LN10);
  const t = Math.min(1, (nl - 1.3) / 4.7);
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(111, 23)},${mix(160, 55)},${mix(216, 110)})`;
}

/** Chart width: wide enough for every bar's labels and for the title and subtitle (none clipped). */
export function chartWidth(nBars: number, title: string, subtitle: string): number {
  return Math.ceil(Math.max(MIN_W, M.left + M.right + SLOT * nBars, 40 + title.length * 10, 40 + subtitle.length * 6.5));
}

export function barChartSvg(bars: Bar[], title: string, subtitle: string): string {
  const W = chartWidth(bars.length, title, subtitle);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const top = Math.max(1e-6, ...bars.map((b) => (Number.isFinite(b.r2) ? b.r2 : 0)));
  const step = niceStep(top * 1.12);
  const ymax = Math.ceil((top * 1.12) / step - 1e-9) * step;
  const y = (v: number) => M.top + ph - (Math.max(0, v) / ymax) * ph;
  const slot = pw / Math.max(1, bars.length);
  const bw = Math.min(64, slot * 0.62);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold" fill="#222">${esc(title)}</text>`);
  parts.push(`<text x="${W / 2}" y="43" text-anchor="middle" font-size="11" fill="#555">${esc(subtitle)}</text>`);
  for (let v = 0; v <= ymax + step * 1e-9; v += step) {
    const yy = y(v).toFixed(1);
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${yy}" y2="${yy}" stroke="#e6e6e6"/>`);
    parts.push(`<text x="${M.left - 8}" y="${yy}" dy="4" text-anchor="end" font-size="11" fill="#333">${tick(v, step)}</text>`);
  }
  parts.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}" stroke="#333"/>`);
  parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>`);
  bars.forEach((b, k) => {
    const cx = M.left + slot * (k + 0.5);
    const v = Number.isFinite(b.r2) ? b.r2 : 0;
    const y0 = y(v);
    const h = M.top + ph - y0;
    parts.push(
      `<rect x="${(cx - bw / 2).toFixed(1)}" y="${y0.toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" fill="${colour(b.logp)}"><title>${esc(`P < ${b.label}: ${b.nSnp} SNPs, R2 ${v}`)}</title></rect>`,
    );
    const ptext = Number.isNaN(b.logp) ? 'P = NA' : `P = ${fmtPFromLog(b.logp, 3)}`;
    parts.push(`<text x="${cx.toFixed(1)}" y="${(y0 - 6).toFixed(1)}" text-anchor="middle" font-size="11" fill="#111">${esc(ptext)}</text>`);
    parts.push(`<text x="${cx.toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle" font-size="12" fill="#222">${esc(b.label)}</text>`);
    parts.push(`<text x="${cx.toFixed(1)}" y="${M.top + ph + 33}" text-anchor="middle" font-size="10" fill="#666">${b.nSnp} SNPs</text>`);
  });
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 14}" text-anchor="middle" font-size="13" fill="#222">p-value threshold of the base (SNPs with P &lt; threshold)</text>`);
  parts.push(`<text transform="translate(20 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="13" fill="#222">R² (variance explained)</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

export function svgToPng(svg: string): Buffer {
  const r = new Resvg(svg, RESVG_OPTIONS);
  return r.render().asPng();
}
