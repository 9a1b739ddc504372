// SVG -> PNG with resvg (no browser). Text uses the system fonts through the generic sans-serif
// family; a system without any font renders plots without text (CI: apt-get install fonts-dejavu-core).
import { renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';

export const RESVG_OPTIONS: ResvgRenderOptions = {
  font: { loadSystemFonts: true },
  fitTo: { mode: 'original' },
  background: '#ffffff',
  logLevel: 'off',
};

/** Render an SVG at its own size (width/height attributes = PNG pixels). */
export async function svgToPng(svg: string): Promise<Buffer> {
  const img = await renderAsync(svg, RESVG_OPTIONS);
  return img.asPng();
}
