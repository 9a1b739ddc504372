// Small helpers shared by the plots: escaping, axis ticks, number labels.

/** The generic family: resvg resolves it from the system fonts (loadSystemFonts), browsers too. */
export const FONT_FAMILY = 'sans-serif';

export const COLOURS = {
  chrom: ['#1f4e79', '#6fa0d8'],
  gws: '#c0392b',
  suggestive: '#7f8c8d',
  axis: '#333333',
  grid: '#e6e6e6',
  text: '#222222',
  band: '#d6dbe1',
  label: '#111111',
  ring: '#c0392b',
} as const;

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** A 1-2-5 step giving about `target` intervals over [0, range]. */
export function niceStep(range: number, target = 6): number {
  if (!(range > 0)) return 1;
  const raw = range / target;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const m = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
  return m * mag;
}

/** Axis maximum (a multiple of the step) above v with a little headroom, and its step. */
export function niceAxis(v: number, headroom = 0.04, target = 6): { max: number; step: number } {
  const top = Math.max(v, 1e-9) * (1 + headroom);
  const step = niceStep(top, target);
  return { max: Math.ceil(top / step - 1e-9) * step, step };
}

export function tickLabel(v: number, step: number): string {
  const decimals = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
  return v.toFixed(decimals);
}

/** p-value threshold as written by people: 5e-8, 1e-5, 0.001. */
export function pLabel(p: number): string {
  if (p >= 1e-3) return String(p);
  const e = Math.floor(Math.log10(p) + 1e-12);
  const m = Math.round((p / Math.pow(10, e)) * 1000) / 1000;
  return `${m}e${e}`;
}

/** Integer with thousands separators (locale-independent). */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Rough advance width of a label in a sans-serif face (for placement only). */
export function textWidth(s: string, size: number): number {
  return s.length * size * 0.6;
}

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function overlaps(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}
