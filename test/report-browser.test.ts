// report.html in headless Chromium: the page is self-contained, both plots render, the table is there.
// Skipped when /usr/bin/chromium is absent (Debian: apt-get install chromium).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { writeReport } from '../src/report/index.js';
import { makeSumstats } from './fixtures/report/helpers.js';

const CHROMIUM = '/usr/bin/chromium';

interface Box {
  w: number;
  h: number;
}
interface PageInfo {
  title: string;
  svgs: { w: number; h: number; paths: number; texts: number }[];
  points: number;
  imgs: number[];
  manhattan: Box | null;
  qq: Box | null;
  rows: number;
  firstSnp: string;
  lambda: string;
}

t.test('report.html renders in Chromium', { skip: fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed` }, async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 's.tsv');
  fs.writeFileSync(file, makeSumstats({ seed: 31, perChr: 150 }).text);
  const out = path.join(dir, 'out');
  const summary = await writeReport(file, out, { width: 1200, height: 450 });

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 15000,
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
  });
  await page.goto(pathToFileURL(path.join(out, 'report.html')).href, { waitUntil: 'load', timeout: 15000 });

  // Evaluated in the page (as a string: the project's tsconfig has no DOM types).
  const info = (await page.evaluate(`(() => {
    const box = (sel) => {
      const el = document.querySelector(sel);
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { w: r.width, h: r.height };
    };
    const svgs = [...document.querySelectorAll('figure svg')];
    const p = document.querySelector('#mh-points path');
    return {
      title: document.title,
      svgs: svgs.map((s) => {
        const r = s.getBoundingClientRect();
        return { w: r.width, h: r.height, paths: s.querySelectorAll('path').length, texts: s.querySelectorAll('text').length };
      }),
      points: p ? p.getBBox().width : 0,
      imgs: [...document.images].map((i) => i.naturalWidth),
      manhattan: box('#manhattan svg'),
      qq: box('#qq svg'),
      rows: document.querySelectorAll('#top-loci tbody tr').length,
      firstSnp: document.querySelector('#top-loci tbody tr td:nth-child(3)')?.textContent ?? '',
      lambda: document.querySelector('#stats .stat b')?.textContent ?? '',
    };
  })()`)) as PageInfo;
  t.equal(info.svgs.length, 2, 'two inline SVG plots');
  for (const s of info.svgs) {
    t.ok(s.w > 100 && s.h > 100, `plot laid out (${Math.round(s.w)}x${Math.round(s.h)})`);
    t.ok(s.paths > 2 && s.texts > 5, 'plot has points and text');
  }
  t.ok(info.points > 50, 'kept points span the Manhattan plot');
  t.ok(
    info.imgs.every((w) => w > 0),
    'any <img> loaded',
  );
  t.ok(info.manhattan && info.manhattan.w > info.qq!.w, 'Manhattan wider than QQ');
  t.equal(info.rows, summary.top_loci.length, 'one row per top locus');
  t.equal(info.firstSnp, summary.top_loci[0].snp);
  t.equal(info.lambda, summary.lambda_gc!.toFixed(4), 'lambda shown');
  t.match(info.title, /dosageflow report/);
  t.same(problems, [], 'no console errors');
  t.same(requests, [], 'no network requests');
  const shot = path.join(dir, 'report.png');
  await page.screenshot({ path: shot, fullPage: true });
  t.ok(fs.statSync(shot).size > 10000, 'page screenshot taken');
  if (process.env.REPORT_SCREENSHOT) fs.copyFileSync(shot, process.env.REPORT_SCREENSHOT);
});
