// Issue 18: plots carry their own font (DejaVu Sans from the dejavu-fonts-ttf package) and the PRS
// bar chart leaves room for every label at 11 thresholds.
import t from 'tap';
import { Resvg } from '@resvg/resvg-js';
import { bundledFontFiles, RESVG_OPTIONS } from '../src/report/png.js';
import { barChartSvg, chartWidth } from '../src/prs/plot.js';

const TEXT_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="#fff"/><text x="10" y="28" font-family="sans-serif" font-size="20" fill="#000">P = 0.000292</text></svg>';

function darkPixels(svg: string, opts: ConstructorParameters<typeof Resvg>[1]): number {
  const px = new Resvg(svg, opts).render().pixels;
  let n = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i] < 128 && px[i + 3] > 0) n++;
  return n;
}

t.test('text renders from the bundled font with system fonts hidden', async (t) => {
  t.equal(bundledFontFiles().length, 2, 'DejaVu Sans regular and bold found');
  t.equal(RESVG_OPTIONS.font?.loadSystemFonts, false, 'system fonts are not consulted');
  const none = darkPixels(TEXT_SVG, { ...RESVG_OPTIONS, font: { fontFiles: [], loadSystemFonts: false } });
  t.equal(none, 0, 'without any font the text vanishes (what slim containers got)');
  const ours = darkPixels(TEXT_SVG, RESVG_OPTIONS);
  t.ok(ours > 150, `with the bundled font the text is drawn (${ours} dark pixels)`);
});

t.test('PRS bar chart at 11 thresholds: labels fit their bars, subtitle not clipped', async (t) => {
  const th = ['5e-08', '1e-05', '0.0001', '0.001', '0.01', '0.05', '0.1', '0.2', '0.3', '0.4', '0.5'];
  const bars = th.map((label, i) => ({ label, r2: 0.002 + i * 0.003, logp: Math.log(0.000292 * (i + 1)), nSnp: 12345 + i * 1111 }));
  const subtitle = 'base ket.response.tsv.gz, 11 thresholds, clump r2 0.2 within 250 kb, 12,345 target samples, covariates sex age PC1-PC10';
  const svg = barChartSvg(bars, 'scop: madrs_day3', subtitle);
  const w = chartWidth(11, 'scop: madrs_day3', subtitle);
  t.match(svg, new RegExp(`width="${w}"`));
  const slot = (w - 78 - 24) / 11;
  for (const m of svg.matchAll(/>(P = [^<]+|\d+ SNPs)</g)) t.ok(m[1].length * 6.5 < slot, `'${m[1]}' (${(m[1].length * 6.5).toFixed(0)} px) fits a ${slot.toFixed(0)} px slot`);
  t.ok(subtitle.length * 6.5 < w - 20, 'the subtitle fits the width');
  t.equal(chartWidth(7, 't', 's'), 760, "the study's 7 thresholds keep the usual size");
});
