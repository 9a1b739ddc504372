// Small helpers shared by the plots: escaping, axis ticks, number labels.

/** The generic family: resvg maps it to the bundled DejaVu Sans (report/png.ts), browsers to theirs. */
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

/**
 * The -log10 p axis. Linear up to BREAK_OVER; above it (a few extreme p-values such as 1e-320 would
 * flatten everything else) the axis is broken at `breakAt`: [0, breakAt] keeps LOWER_FRAC of the
 * height and [breakAt, max] is compressed into the rest above a GAP-pixel break, with its own ticks.
 */
export class YScale {
  static readonly BREAK_OVER = 40;
  static readonly LOWER_FRAC = 0.75;
  /** Pixels between the two parts of a broken axis. */
  static readonly GAP = 10;
  readonly max: number;
  readonly breakAt: number | null;
  readonly ticks: { v: number; label: string }[] = [];

  constructor(
    dataMax: number,
    minTop: number,
    private readonly y0: number,
    private readonly ph: number,
  ) {
    const top = Math.max(dataMax, minTop);
    if (top <= YScale.BREAK_OVER) {
      const a = niceAxis(top);
      this.max = a.max;
      this.breakAt = null;
      for (let v = 0; v <= a.max + 1e-9; v += a.step) this.ticks.push({ v, label: tickLabel(v, a.step) });
      return;
    }
    const b = Math.max(20, Math.ceil((minTop * 1.5) / 5) * 5);
    this.breakAt = b;
    const lowStep = niceStep(b, 4);
    for (let v = 0; v <= b + 1e-9; v += lowStep) this.ticks.push({ v, label: tickLabel(v, lowStep) });
    const upStep = niceStep(top - b, 3);
    this.max = Math.ceil((top * 1.02) / upStep) * upStep;
    for (let v = Math.ceil(b / upStep) * upStep; v <= this.max + 1e-9; v += upStep) {
      if (v - b < upStep * 0.4) continue;
      this.ticks.push({ v, label: tickLabel(v, upStep) });
    }
  }

  y(v: number): number {
    const y0 = this.y0;
    const ph = this.ph;
    const b = this.breakAt;
    if (b === null) return y0 + ph - (v / this.max) * ph;
    const lower = ph * YScale.LOWER_FRAC;
    if (v <= b) return y0 + ph - (v / b) * lower;
    const gap = YScale.GAP;
    return y0 + ph - lower - gap - ((v - b) / (this.max - b)) * (ph - lower - gap);
  }

  /** Pixels per unit below the break (or over the whole axis): where the thinned points live. */
  get lowerScale(): number {
    return this.breakAt === null ? this.ph / this.max : (this.ph * YScale.LOWER_FRAC) / this.breakAt;
  }

  /** Root-element attributes describing the mapping (tests read them back). */
  attrs(): string {
    return `data-ymax="${this.max}"` + (this.breakAt === null ? '' : ` data-ybreak="${this.breakAt}" data-ybreak-frac="${YScale.LOWER_FRAC}" data-ybreak-gap="${YScale.GAP}"`);
  }

  /** Grid lines, ticks and labels of the axis at x0 across width pw, plus the break mark. */
  axis(x0: number, pw: number): string {
    const o: string[] = [`<g class="yaxis" font-size="12" fill="${COLOURS.text}" text-anchor="end">`];
    for (const { v, label } of this.ticks) {
      const yy = r2(this.y(v));
      if (v > 0) o.push(`<line x1="${x0}" y1="${yy}" x2="${r2(x0 + pw)}" y2="${yy}" stroke="${COLOURS.grid}" stroke-width="1"/>`);
      o.push(`<line x1="${x0 - 5}" y1="${yy}" x2="${x0}" y2="${yy}" stroke="${COLOURS.axis}" stroke-width="1"/>`);
      o.push(`<text x="${x0 - 8}" y="${yy}" dy="0.35em">${label}</text>`);
    }
    if (this.breakAt !== null) {
      const yb = this.y(this.breakAt) - YScale.GAP / 2;
      o.push(`<line class="ybreak" x1="${x0}" y1="${r2(yb)}" x2="${r2(x0 + pw)}" y2="${r2(yb)}" stroke="#b0b0b0" stroke-width="1" stroke-dasharray="2 3"/>`);
      o.push(`<rect x="${x0 - 6}" y="${r2(yb - 3)}" width="12" height="6" fill="#ffffff"/>`);
      o.push(`<path d="M${x0 - 6} ${r2(yb - 1)}l12 -4M${x0 - 6} ${r2(yb + 4)}l12 -4" stroke="${COLOURS.axis}" stroke-width="1" fill="none"/>`);
    }
    o.push('</g>');
    return o.join('\n');
  }
}

function r2(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}
