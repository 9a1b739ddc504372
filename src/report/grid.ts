// Thinning on the pixel grid: a point is reduced to the pixel cell it falls in, one bit per cell and
// colour layer, so millions of points cost a fixed w x h x layers bits. Each occupied cell is drawn as
// one dot at the cell centre. A vertical run of occupied cells in one pixel column is written as one
// round-capped stroke from the first to the last cell centre: that is exactly the union of the dots
// (same radius) and keeps the SVG a few hundred kilobytes however dense the bottom of the plot is.

export class PixelGrid {
  private readonly bits: Uint32Array;
  private readonly words: number;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly layers = 1,
  ) {
    this.words = Math.ceil((width * height) / 32);
    this.bits = new Uint32Array(this.words * layers);
  }

  /** Mark the cell of point (x, y) in a layer; points outside [0, width] x [0, height] are ignored. */
  add(layer: number, x: number, y: number): void {
    if (!(x >= 0 && y >= 0 && x <= this.width && y <= this.height)) return;
    // a point on the far edge (p = 1 sits on the x axis) belongs to the last cell
    const cx = Math.min(Math.floor(x), this.width - 1);
    const cy = Math.min(Math.floor(y), this.height - 1);
    const i = cx * this.height + cy; // column-major: runs are vertical
    this.bits[layer * this.words + (i >>> 5)] |= 1 << (i & 31);
  }

  has(layer: number, cx: number, cy: number): boolean {
    const i = cx * this.height + cy;
    return (this.bits[layer * this.words + (i >>> 5)] & (1 << (i & 31))) !== 0;
  }

  /** Occupied cells of a layer. */
  count(layer: number): number {
    let n = 0;
    const end = (layer + 1) * this.words;
    for (let w = layer * this.words; w < end; w++) {
      let v = this.bits[w];
      while (v) {
        v &= v - 1;
        n++;
      }
    }
    return n;
  }

  /**
   * SVG path data for a layer's occupied cells, offset by (ox, oy): "M x y h0" for a single cell,
   * "M x y V y2" for a vertical run. Draw with stroke-linecap="round" and stroke-width = dot diameter.
   */
  pathData(layer: number, ox: number, oy: number): string {
    const parts: string[] = [];
    const h = this.height;
    for (let cx = 0; cx < this.width; cx++) {
      let cy = 0;
      while (cy < h) {
        if (!this.has(layer, cx, cy)) {
          cy++;
          continue;
        }
        const y0 = cy;
        while (cy + 1 < h && this.has(layer, cx, cy + 1)) cy++;
        const x = fmt(ox + cx + 0.5);
        parts.push(y0 === cy ? `M${x} ${fmt(oy + y0 + 0.5)}h0` : `M${x} ${fmt(oy + y0 + 0.5)}V${fmt(oy + cy + 0.5)}`);
        cy++;
      }
    }
    return parts.join('');
  }
}

/** Coordinates with at most two decimals, no trailing zeros. */
export function fmt(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}
