// The Manhattan plot: -log10 p against a cumulative genome axis (chromosomes in genome order, each
// spanning its first..last tested position, small gaps between them, alternating colours).
// Rows with p < keepP are drawn one by one; the rest are thinned on the pixel grid (grid.ts) while the
// record spill is read back, so the SVG stays small and looks the same.
import type { ReportConfig } from './config.js';
import { PixelGrid, fmt } from './grid.js';
import type { ChromExtent } from './scan.js';
import { NO_CHR } from './scan.js';
import type { BatchVisitor } from './select.js';
import type { ChromTable } from './sumstats.js';
import { COLOURS, FONT_FAMILY, YScale, esc, niceStep, overlaps, pLabel, textWidth, tickLabel, type Box } from './svg.js';

/** A white outline under text so labels stay legible over points. */
const HALO = 'stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"';

export interface ManhattanLabel {
  chr: number;
  bp: number;
  nlp: number;
  text: string;
}

export interface PlotStats {
  /** Points drawn individually (p < keepP). */
  kept: number;
  /** Dots drawn for the thinned points (occupied pixel cells). */
  thinnedCells: number;
  /** Points that were thinned. */
  thinnedPoints: number;
}

export class ManhattanPlot {
  readonly W: number;
  readonly H: number;
  readonly x0: number;
  readonly y0: number;
  readonly pw: number;
  readonly ph: number;
  readonly ys: YScale;
  readonly r: number;
  /** Chromosome indices in drawing order. */
  readonly order: number[];
  private readonly offset: Float64Array;
  private readonly layer: Uint8Array;
  private readonly sx: number;
  private readonly keepNlp: number;
  readonly grid: PixelGrid;
  private thinnedPoints = 0;

  constructor(
    private readonly cfg: ReportConfig,
    private readonly chroms: ChromTable,
    private readonly extents: ChromExtent[],
    maxNlp: number,
  ) {
    this.W = cfg.width;
    this.H = cfg.height;
    const left = 64;
    const right = 18;
    const top = 34;
    const bottom = 48;
    this.x0 = left;
    this.y0 = top;
    this.pw = Math.max(10, this.W - left - right);
    this.ph = Math.max(10, this.H - top - bottom);
    const used: number[] = [];
    for (let c = 0; c < extents.length; c++) if (extents[c] && extents[c].n > 0) used.push(c);
    this.order = chroms.order(used);
    const totalSpan = this.order.reduce((s, c) => s + (extents[c].max - extents[c].min), 0);
    const gap = totalSpan > 0 ? (0.1 * totalSpan) / Math.max(1, this.order.length) : 1;
    this.offset = new Float64Array(chroms.labels.length).fill(NaN);
    this.layer = new Uint8Array(chroms.labels.length);
    let pos = gap / 2;
    this.order.forEach((c, k) => {
      this.offset[c] = pos;
      this.layer[c] = k % 2;
      pos += extents[c].max - extents[c].min + gap;
    });
    const totalLen = pos - gap / 2;
    this.sx = this.pw / totalLen;
    const maxMlp = maxNlp / Math.LN10;
    const gwsMlp = -Math.log10(cfg.pThreshold);
    this.ys = new YScale(maxMlp, gwsMlp + 0.5, this.y0, this.ph);
    this.r = Math.max(1.4, Math.min(3, this.W / 700));
    this.keepNlp = -Math.log(cfg.keepP);
    this.grid = new PixelGrid(Math.ceil(this.pw), Math.ceil(this.ph), 2);
  }

  x(chr: number, bp: number): number {
    return this.x0 + (this.offset[chr] + bp - this.extents[chr].min) * this.sx;
  }

  y(mlp: number): number {
    return this.ys.y(mlp);
  }

  /** Thinning visitor for the record spill (records with p >= keepP and a position: below any axis break). */
  readonly visit: BatchVisitor = (u32, f64, n, stride) => {
    const half = stride >> 1;
    const keepNlp = this.keepNlp;
    const offset = this.offset;
    const extents = this.extents;
    const sx = this.sx;
    const syL = this.ys.lowerScale / Math.LN10;
    const grid = this.grid;
    const layer = this.layer;
    const ph = this.ph;
    for (let i = 0; i < n; i++) {
      const nlp = f64[i * half];
      if (nlp > keepNlp) continue;
      const chr = u32[i * stride + 3];
      if (chr === NO_CHR) continue;
      const bp = u32[i * stride + 2];
      this.thinnedPoints++;
      grid.add(layer[chr], (offset[chr] + bp - extents[chr].min) * sx, ph - nlp * syL);
    }
  };

  svg(kept: { chr: Uint32Array; bp: Uint32Array; nlp: Float64Array }, labels: ManhattanLabel[], title: string): { svg: string; stats: PlotStats } {
    const { W, H, x0, y0, pw, ph } = this;
    const cfg = this.cfg;
    const o: string[] = [];
    o.push(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT_FAMILY}" ` +
        `data-plot="${fmt(x0)} ${fmt(y0)} ${fmt(pw)} ${fmt(ph)}" ${this.ys.attrs()}>`,
    );
    o.push(`<title>${esc(title)}</title>`);
    o.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
    // y grid, ticks and labels
    o.push(`<g id="mh-yaxis">`, this.ys.axis(x0, pw), '</g>');
    o.push(`<text x="16" y="${fmt(y0 + ph / 2)}" font-size="13" fill="${COLOURS.text}" text-anchor="middle" transform="rotate(-90 16 ${fmt(y0 + ph / 2)})">-log10(p)</text>`);
    o.push(`<g id="mh-xaxis" font-size="12" fill="${COLOURS.text}" text-anchor="middle">`);
    let xTitle = 'Chromosome';
    const one = this.order.length === 1 ? this.order[0] : -1;
    if (one >= 0 && this.extents[one].max > this.extents[one].min) {
      // one chromosome (a region): positions in Mb
      const e = this.extents[one];
      const step = niceStep((e.max - e.min) / 1e6, Math.max(2, Math.min(8, Math.floor(pw / 110))));
      for (let v = Math.ceil(e.min / 1e6 / step) * step; v <= e.max / 1e6 + 1e-9; v += step) {
        const xx = fmt(this.x(one, v * 1e6));
        o.push(`<line x1="${xx}" y1="${fmt(y0 + ph)}" x2="${xx}" y2="${fmt(y0 + ph + 5)}" stroke="${COLOURS.axis}"/>`);
        o.push(`<text x="${xx}" y="${fmt(y0 + ph + 18)}">${tickLabel(v, step)}</text>`);
      }
      xTitle = `Chromosome ${esc(this.chroms.labels[one])} position (Mb)`;
    } else {
      // chromosome labels, skipping those that would overlap the previous one
      let lastRight = -Infinity;
      for (const c of this.order) {
        const e = this.extents[c];
        const cx = this.x(c, (e.min + e.max) / 2);
        const label = this.chroms.labels[c];
        const w = textWidth(label, 12);
        if (cx - w / 2 < lastRight + 3) continue;
        lastRight = cx + w / 2;
        o.push(`<text x="${fmt(cx)}" y="${fmt(y0 + ph + 18)}">${esc(label)}</text>`);
      }
    }
    o.push('</g>');
    o.push(`<text x="${fmt(x0 + pw / 2)}" y="${fmt(H - 8)}" font-size="13" fill="${COLOURS.text}" text-anchor="middle">${xTitle}</text>`);
    // thresholds
    o.push(`<g id="mh-thresholds">`);
    const thresholdText: string[] = [];
    // the genome-wide label sits above its line, the suggestive one below its line: never on each other
    for (const [p, colour, id, dy] of [
      [cfg.suggestive, COLOURS.suggestive, 'suggestive', '12'],
      [cfg.pThreshold, COLOURS.gws, 'genome-wide', '-4'],
    ] as const) {
      const yy = fmt(this.y(-Math.log10(p)));
      o.push(`<line class="${id}" x1="${x0}" y1="${yy}" x2="${fmt(x0 + pw)}" y2="${yy}" stroke="${colour}" stroke-width="1.2" stroke-dasharray="6 4"/>`);
      thresholdText.push(`<text x="${fmt(x0 + pw - 4)}" y="${yy}" dy="${dy}" ${HALO} fill="${colour}" text-anchor="end">p = ${pLabel(p)}</text>`);
    }
    o.push('</g>');
    // thinned points: one dot per occupied pixel cell and colour
    const sw = fmt(2 * this.r);
    const cells = this.grid.count(0) + this.grid.count(1);
    o.push(`<g id="mh-thinned" fill="none" stroke-linecap="round" stroke-width="${sw}" data-cells="${cells}" data-points="${this.thinnedPoints}">`);
    for (let l = 0; l < 2; l++) {
      const d = this.grid.pathData(l, x0, y0);
      if (d) o.push(`<path class="thin c${l}" stroke="${COLOURS.chrom[l]}" d="${d}"/>`);
    }
    o.push('</g>');
    // kept points, each drawn
    const parts: string[][] = [[], []];
    let nKept = 0;
    for (let i = 0; i < kept.nlp.length; i++) {
      const c = kept.chr[i];
      if (c === NO_CHR) continue;
      nKept++;
      parts[this.layer[c]].push(`M${fmt(this.x(c, kept.bp[i]))} ${fmt(this.y(kept.nlp[i] / Math.LN10))}h0`);
    }
    o.push(`<g id="mh-points" fill="none" stroke-linecap="round" stroke-width="${sw}" data-n="${nKept}">`);
    for (let l = 0; l < 2; l++) {
      if (parts[l].length) o.push(`<path class="pts c${l}" stroke="${COLOURS.chrom[l]}" d="${parts[l].join('')}"/>`);
    }
    o.push('</g>');
    o.push(`<g id="mh-threshold-labels" font-size="11">`, ...thresholdText, '</g>');
    o.push(this.labelLayer(labels, title));
    // frame and title
    o.push(`<path d="M${x0} ${y0}V${fmt(y0 + ph)}H${fmt(x0 + pw)}" fill="none" stroke="${COLOURS.axis}" stroke-width="1"/>`);
    o.push(`<text x="${x0}" y="20" font-size="14" font-weight="bold" fill="${COLOURS.text}">${esc(title)}</text>`);
    if (this.order.length === 0) {
      o.push(`<text x="${fmt(x0 + pw / 2)}" y="${fmt(y0 + ph / 2)}" font-size="14" fill="${COLOURS.text}" text-anchor="middle">no tested variants with a position</text>`);
    }
    o.push('</svg>');
    return { svg: o.join('\n') + '\n', stats: { kept: nKept, thinnedCells: cells, thinnedPoints: this.thinnedPoints } };
  }

  /** Rings round the index variants and their SNP ids, placed above the point without overlaps. */
  private labelLayer(labels: ManhattanLabel[], title: string): string {
    const o: string[] = [`<g id="mh-labels" font-size="11" text-anchor="middle">`];
    // the title (bold 14 px at the top left) is an obstacle too
    const boxes: Box[] = [{ x0: this.x0 - 2, x1: this.x0 + textWidth(title, 14) * 1.1 + 4, y0: 0, y1: 25 }];
    const size = 11;
    for (const l of labels) {
      if (!(this.offset[l.chr] >= 0)) continue;
      const px = this.x(l.chr, l.bp);
      const py = this.y(l.nlp / Math.LN10);
      o.push(`<circle cx="${fmt(px)}" cy="${fmt(py)}" r="${fmt(this.r + 2.5)}" fill="none" stroke="${COLOURS.ring}" stroke-width="1.2"/>`);
      const w = textWidth(l.text, size);
      const tx = Math.min(Math.max(px, w / 2 + 2), this.W - w / 2 - 2);
      // candidate places: above the point (then higher, with a leader line), then beside it
      const rr = this.r + 4;
      const candidates: { cx: number; baseline: number; leader: boolean }[] = [];
      for (let k = 0; k < 4; k++) candidates.push({ cx: tx, baseline: py - this.r - 5 - k * (size + 3), leader: k > 0 });
      candidates.push({ cx: px + rr + w / 2, baseline: py + size / 2 - 1, leader: false });
      candidates.push({ cx: px - rr - w / 2, baseline: py + size / 2 - 1, leader: false });
      for (const c of candidates) {
        const box = { x0: c.cx - w / 2, x1: c.cx + w / 2, y0: c.baseline - size, y1: c.baseline + 2 };
        if (box.y0 < 2 || box.x0 < 1 || box.x1 > this.W - 1 || box.y1 > this.y0 + this.ph) continue;
        if (boxes.some((b) => overlaps(b, box))) continue;
        boxes.push(box);
        if (c.leader) {
          o.push(`<line x1="${fmt(px)}" y1="${fmt(py - this.r - 2.5)}" x2="${fmt(c.cx)}" y2="${fmt(c.baseline + 2)}" stroke="${COLOURS.ring}" stroke-width="0.8"/>`);
        }
        o.push(`<text class="locus" x="${fmt(c.cx)}" y="${fmt(c.baseline)}" ${HALO} fill="${COLOURS.label}">${esc(l.text)}</text>`);
        break;
      }
    }
    o.push('</g>');
    return o.join('\n');
  }
}
