// SVG -> PNG with resvg (no browser). Text is set in DejaVu Sans from the bundled npm package
// dejavu-fonts-ttf, not from the system: plots render the same on a slim container or an HPC node
// with no fonts at all (they used to lose every label there, silently).
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';

/** The TTF files given to resvg (regular and bold DejaVu Sans). */
export function bundledFontFiles(): string[] {
  try {
    const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    const files = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => path.join(dir, f));
    return files.every((f) => fs.existsSync(f)) ? files : [];
  } catch {
    return [];
  }
}

const FONT_FILES = bundledFontFiles();

export const RESVG_OPTIONS: ResvgRenderOptions = {
  // System fonts only when the bundled package is missing (a broken install).
  font: { fontFiles: FONT_FILES, loadSystemFonts: FONT_FILES.length === 0, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  fitTo: { mode: 'original' },
  background: '#ffffff',
  logLevel: 'off',
};

/** Render an SVG at its own size (width/height attributes = PNG pixels). */
export async function svgToPng(svg: string): Promise<Buffer> {
  const img = await renderAsync(svg, RESVG_OPTIONS);
  return img.asPng();
}
