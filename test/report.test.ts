// The report: lambda against a sort-based median, counts, distance clumping, the thinned plots
// (every p < 1e-3 point kept), well-formed SVG, PNG sizes, compressed input, errors and atomic output.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import yargs from 'yargs';
import { Resvg } from '@resvg/resvg-js';
import { writeReport, resolveReportConfig, type ReportSummary } from '../src/report/index.js';
import { RankSelector, medianRanks, topBucket, HI } from '../src/report/select.js';
import { RESVG_OPTIONS } from '../src/report/png.js';
import { pText } from '../src/report/html.js';
import { reportCommand } from '../src/commands/report.js';
import { CHI2_1_MEDIAN, chi2FromLogP } from '../src/stats/distributions.js';
import { FileError, InputError, UsageError } from '../src/errors.js';
import {
  DEFAULT_CHROMS,
  HEADER,
  REPO_ROOT,
  assertWellFormedXml,
  logPIndependent,
  makeSumstats,
  mulberry32,
  pathPoints,
  pngSize,
  yAxisInverse,
  type FixtureRow,
} from './fixtures/report/helpers.js';

function read(dir: string, f: string): string {
  return fs.readFileSync(path.join(dir, f), 'utf8');
}

function independentLambda(rows: FixtureRow[]): { lambda: number; n: number } {
  const chi2 = rows
    .map(logPIndependent)
    .filter((l): l is number => l !== null)
    .map((l) => chi2FromLogP(l))
    .sort((a, b) => a - b);
  const n = chi2.length;
  const med = n % 2 ? chi2[(n - 1) / 2] : (chi2[n / 2 - 1] + chi2[n / 2]) / 2;
  return { lambda: med / CHI2_1_MEDIAN, n };
}

function closeRel(got: number | null, want: number, tol: number): boolean {
  return got !== null && Math.abs(got - want) <= tol * Math.abs(want);
}

t.test('lambda, counts: independent sort-based computation (odd and even n, NA, p underflow)', async (t) => {
  const dir = t.testdir();
  const { text, rows } = makeSumstats({ seed: 11, perChr: 150, inflate: 1.08 });
  // second table: one tested row fewer, so the other parity of n
  const lastTested = rows.map((r) => r.pText !== 'NA').lastIndexOf(true);
  const lines = text.trimEnd().split('\n');
  lines.splice(lastTested + 1, 1);
  const rows2 = rows.filter((_, i) => i !== lastTested);
  const cases: [string, string, FixtureRow[]][] = [
    ['a', text, rows],
    ['b', lines.join('\n') + '\n', rows2],
  ];
  const parities = new Set<number>();
  for (const [name, body, rs] of cases) {
    const file = path.join(dir, `${name}.tsv`);
    fs.writeFileSync(file, body);
    const s = await writeReport(file, path.join(dir, `out-${name}`), { png: false });
    const ind = independentLambda(rs);
    parities.add(ind.n % 2);
    t.equal(s.n_variants, rs.length, 'n_variants');
    t.equal(s.n_tested, ind.n, 'n_tested = rows with P not NA');
    t.ok(rs.some((r) => r.pText === 'NA'), 'fixture has NA rows');
    t.ok(closeRel(s.lambda_gc, ind.lambda, 1e-12), `lambda (${name}, n=${ind.n}): ${s.lambda_gc} vs ${ind.lambda}`);
    t.ok(s.lambda_gc! > 1.02, 'inflated fixture gives lambda > 1');
    const lp = rs.map(logPIndependent).filter((l): l is number => l !== null);
    t.equal(s.n_gws, lp.filter((l) => l < Math.log(5e-8)).length, 'n_gws');
    t.equal(s.n_suggestive, lp.filter((l) => l < Math.log(1e-5)).length, 'n_suggestive');
    const onDisk = JSON.parse(read(path.join(dir, `out-${name}`), 'summary.json')) as ReportSummary;
    t.same(onDisk, JSON.parse(JSON.stringify(s)), 'summary.json = returned summary');
  }
  t.same([...parities].sort(), [0, 1], 'both parities of n covered');
});

t.test('rank selection is exact when buckets are crowded (forced refinement passes)', async (t) => {
  const rnd = mulberry32(5);
  const pools = [
    Float64Array.from({ length: 5001 }, () => [0.5, 0.69314718, 0.7, 1e-300, 3][Math.floor(rnd() * 5)]),
    new Float64Array(1000).fill(0.6931471805599453),
    Float64Array.from({ length: 3000 }, () => -Math.log(rnd())),
    Float64Array.from({ length: 2048 }, (_, i) => (i % 2 ? 1 + i * 2 ** -50 : 1 - i * 2 ** -52)),
  ];
  for (const values of pools) {
    const u32 = new Uint32Array(values.buffer);
    const hist = new Uint32Array(1 << 20);
    for (let i = 0; i < values.length; i++) hist[topBucket(u32[2 * i + HI])]++;
    const sorted = Float64Array.from(values).sort();
    const ranks = [...medianRanks(values.length), 0, values.length - 1, Math.floor(values.length / 3)];
    const sel = new RankSelector(hist, ranks, 8);
    let passes = 0;
    while (sel.needsPass) {
      sel.visit(u32, values, values.length, 2);
      sel.endPass();
      passes++;
      if (passes > 5) break;
    }
    t.ok(passes <= 4, `at most 4 passes (${passes})`);
    t.same(sel.values(), ranks.map((r) => sorted[r]), `exact ranks over ${values.length} values`);
  }
});

t.test('top loci: greedy distance clumping matches a naive implementation', async (t) => {
  const dir = t.testdir();
  const { text, rows } = makeSumstats({ seed: 3, perChr: 120 });
  const file = path.join(dir, 's.tsv');
  fs.writeFileSync(file, text);
  for (const kb of [500, 50]) {
    const s = await writeReport(file, path.join(dir, `out${kb}`), { png: false, top: 1000, clumpKb: kb });
    const cands = rows
      .map((r, i) => ({ r, i, lp: logPIndependent(r) }))
      .filter((c) => c.lp !== null && c.lp < Math.log(1e-5))
      .sort((a, b) => a.lp! - b.lp! || a.i - b.i);
    const claimed = new Set<number>();
    const want: [string, number][] = [];
    for (const c of cands) {
      if (claimed.has(c.i)) continue;
      claimed.add(c.i);
      let n = 1;
      for (const d of cands) {
        if (!claimed.has(d.i) && d.r.chr === c.r.chr && Math.abs(d.r.bp - c.r.bp) <= kb * 1000) {
          claimed.add(d.i);
          n++;
        }
      }
      want.push([c.r.snp, n]);
    }
    t.ok(want.length >= 5, `several loci (${want.length})`);
    t.same(
      s.top_loci.map((l) => [l.snp, l.locus_n_variants]),
      want,
      `loci at ${kb} kb`,
    );
    t.equal(s.n_loci, want.length);
  }
  const s3 = await writeReport(file, path.join(dir, 'top3'), { png: false, top: 3 });
  t.equal(s3.top_loci.length, 3, '--top limits the table');
  t.equal(s3.top_loci[0].snp, 'rs_tiny0', 'P 0 with LOG10P 320 ranks first');
  t.equal(s3.top_loci[0].log10p, 320);
  t.equal(s3.top_loci[1].snp, 'rs_tiny1', 'subnormal P with LOG10P 320 second (tie: input order)');
  t.same(Object.keys(s3.top_loci[0]).slice(0, 13), ['rank', 'chr', 'snp', 'bp', 'a1', 'a2', 'frq', 'info', 'n', 'beta', 'se', 't', 'p']);
});

t.test('plots: all p < 1e-3 points kept, the rest thinned; SVG well-formed; PNG sizes; escaping', async (t) => {
  const dir = t.testdir();
  const { text, rows } = makeSumstats({ seed: 21, perChr: 150 });
  const file = path.join(dir, 's.tsv');
  fs.writeFileSync(file, text);
  // A small plot, so that many points share a pixel.
  const out = path.join(dir, 'out');
  const s = await writeReport(file, out, { width: 360, height: 220, qqSize: 310 });
  const svg = read(out, 'manhattan.svg');
  const qq = read(out, 'qq.svg');
  t.equal(assertWellFormedXml(svg).root, 'svg');
  t.equal(assertWellFormedXml(qq).root, 'svg');

  const tested = rows.map((r) => ({ r, lp: logPIndependent(r) })).filter((x) => x.lp !== null) as { r: FixtureRow; lp: number }[];
  const keep = tested.filter((x) => x.lp < Math.log(1e-3));
  const thin = tested.filter((x) => !(x.lp < Math.log(1e-3)));

  // Kept points: one per row, in genome order along x, at the right height.
  const [px0, py0, , pph] = svg.match(/data-plot="([^"]+)"/)![1].split(' ').map(Number);
  const ymax = Number(svg.match(/data-ymax="([^"]+)"/)![1]);
  const toMlp = yAxisInverse(svg);
  t.match(svg.slice(0, 300), /data-ybreak="20"/, 'p = 1e-320 breaks the axis at 20');
  const pts = pathPoints(svg, 'mh-points', 'pts').sort((a, b) => a[0] - b[0]);
  t.equal(pts.length, keep.length, `every p < 1e-3 point drawn (${keep.length})`);
  t.equal(s.plots.manhattan.points_kept, keep.length);
  const chrOrder = (c: string) => DEFAULT_CHROMS.indexOf(c);
  const want = keep.map((x) => ({ ord: chrOrder(x.r.chr), bp: x.r.bp, mlp: -x.lp / Math.LN10 })).sort((a, b) => a.ord - b.ord || a.bp - b.bp);
  let worst = 0;
  for (let i = 0; i < pts.length; i++) {
    const mlp = toMlp(pts[i][1]);
    // coordinates have two decimals: half a hundredth of a pixel, in -log10 p units of either part
    worst = Math.max(worst, Math.abs(mlp - want[i].mlp) / Math.max(1, want[i].mlp > 20 ? ymax / 20 : 1));
  }
  t.ok(worst < 0.01, `kept points at their -log10 p in genome order (worst ${worst})`);
  t.ok(pts[0][0] >= px0, 'points inside the plot');

  // Thinned points: fewer dots than points, all at or below the p = 1e-3 height.
  const m = s.plots.manhattan;
  t.equal(m.points_thinned, thin.length, 'every other point went through the grid');
  t.ok(m.thinned_cells < thin.length / 2, `thinned: ${thin.length} points -> ${m.thinned_cells} dots`);
  const thinStarts = pathPoints(svg, 'mh-thinned', 'thin');
  t.ok(thinStarts.length > 0 && thinStarts.length <= m.thinned_cells, 'one subpath per dot or vertical run of dots');
  const yKeep = py0 + pph - ((3 / 20) * pph * 0.75);
  t.ok(thinStarts.every(([, y]) => y >= yKeep - 1), 'thinned dots all below the p = 1e-3 line');

  // Labels and thresholds.
  t.match(svg, /class="genome-wide"/);
  t.match(svg, /class="suggestive"/);
  t.match(svg, />rs_tiny0</, 'top locus labelled with its SNP id');
  t.match(svg, /rs&lt;&amp;&gt;&quot;odd/, 'SNP ids escaped in SVG');
  t.notMatch(svg, /rs<&/);
  for (const c of ['1', '2', '10', 'X']) t.match(svg, new RegExp(`>${c}</text>`), `chromosome ${c} labelled`);

  // QQ: kept points and lambda.
  t.equal(pathPoints(qq, 'qq-points', 'pts').length, keep.length, 'QQ keeps every p < 1e-3 point');
  t.equal(s.plots.qq.points_thinned, thin.length);
  t.ok(s.plots.qq.thinned_cells < thin.length / 4, `QQ thinned to ${s.plots.qq.thinned_cells} dots`);
  t.match(qq, `= ${s.lambda_gc!.toFixed(3)}`, 'lambda printed on the QQ plot');
  t.match(qq, /id="qq-band"/, 'confidence band drawn');

  // PNG sizes.
  t.same(pngSize(fs.readFileSync(path.join(out, 'manhattan.png'))), { width: 360, height: 220 });
  t.same(pngSize(fs.readFileSync(path.join(out, 'qq.png'))), { width: 310, height: 310 });

  // HTML: self-contained, escaped, table.
  const html = read(out, 'report.html');
  t.notMatch(html, /<(script|link|img)\b[^>]*\b(src|href)="(?!data:)/i, 'no external resources');
  t.equal((html.match(/<svg\b/g) ?? []).length, 2, 'both plots inline');
  t.match(html, /rs&lt;&amp;&gt;&quot;odd/, 'SNP ids escaped in HTML');
  t.equal((html.match(/<tr/g) ?? []).length - 1, s.top_loci.length, 'one table row per top locus');
  for (const h of ['CHR', 'SNP', 'BP', 'A1', 'A2', 'FRQ', 'INFO', 'BETA', 'SE', 'P']) t.match(html, new RegExp(`<th( class="s")?>${h}</th>`), `column ${h}`);
  t.match(html, `${s.lambda_gc!.toFixed(4)}`, 'lambda on the page');
  t.same(fs.readdirSync(out).sort(), ['manhattan.png', 'manhattan.svg', 'qq.png', 'qq.svg', 'report.html', 'summary.json'], 'no temporaries left');
});

t.test('text renders with the system fonts (else: apt-get install fonts-dejavu-core)', async (t) => {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#fff"/>' +
    '<text x="4" y="28" font-family="sans-serif" font-size="20" fill="#000">rs123</text></svg>';
  const img = new Resvg(svg, RESVG_OPTIONS).render();
  const px = img.pixels;
  let dark = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i] < 128) dark++;
  t.ok(dark > 40, `text pixels drawn (${dark})`);
});

t.test('compressed input and unplaced rows', async (t) => {
  const dir = t.testdir();
  const { text } = makeSumstats({ seed: 8, perChr: 60 });
  const plain = path.join(dir, 's.tsv');
  const gz = path.join(dir, 's.tsv.bin'); // name says nothing: compression is sniffed
  fs.writeFileSync(plain, text);
  fs.writeFileSync(gz, zlib.gzipSync(text));
  const a = await writeReport(plain, path.join(dir, 'a'), { png: false, title: 'T' });
  const b = await writeReport(gz, path.join(dir, 'b'), { png: false, title: 'T' });
  t.same({ ...b, input: '' }, { ...a, input: '' }, 'gzip input gives the same summary');
  t.equal(read(path.join(dir, 'a'), 'manhattan.svg'), read(path.join(dir, 'b'), 'manhattan.svg'));

  // Rows without chromosome or position count (lambda, QQ) but are not on the Manhattan plot;
  // CRLF line ends and a space-separated header work too.
  const rowsTxt = [
    'CHR SNP BP P',
    '1 rs1 100 0.5',
    'NA rs2 200 1e-4',
    '1 rs3 NA 0.01',
    '2 rs4 300 NA',
    'chr2 rs5 400 0.2',
  ].join('\r\n');
  const f2 = path.join(dir, 'u.txt');
  fs.writeFileSync(f2, rowsTxt + '\r\n');
  const u = await writeReport(f2, path.join(dir, 'u'), { png: false });
  t.equal(u.n_variants, 5);
  t.equal(u.n_tested, 4);
  t.equal(u.n_unplaced, 2);
  t.equal(u.plots.manhattan.points_kept + u.plots.manhattan.points_thinned, 2);
  t.equal(u.plots.qq.points_kept + u.plots.qq.points_thinned, 4);
  const med = (chi2FromLogP(Math.log(0.2)) + chi2FromLogP(Math.log(0.01))) / 2;
  t.ok(closeRel(u.lambda_gc, med / CHI2_1_MEDIAN, 1e-12), `lambda of 4 values: ${u.lambda_gc}`);
  t.match(read(path.join(dir, 'u'), 'manhattan.svg'), />2<\/text>/, 'chr2 and 2 are one chromosome');

  // p = 1 lies on the x axis, the grid's far edge: still drawn.
  const ones = path.join(dir, 'ones.txt');
  fs.writeFileSync(ones, 'CHR SNP BP P\n' + [1, 2, 3].map((k) => `1 rs${k} ${k * 1000} 1`).join('\n') + '\n');
  const o1 = await writeReport(ones, path.join(dir, 'ones'), { png: false });
  t.equal(o1.plots.manhattan.points_thinned, 3);
  t.ok(o1.plots.manhattan.thinned_cells >= 2, 'p = 1 points drawn');
  t.equal(o1.lambda_gc, 0);
});

t.test('errors name the file and line; failed runs leave nothing behind', async (t) => {
  const dir = t.testdir();
  const head = HEADER.join('\t');
  const row = (p: string, extra = '') => `1\trs1\t100\tA\tG\t0.1\t0.9\t100\t0.1\t0.1\t1\t${p}\t1${extra}`;
  const cases: [string, string, RegExp, number | undefined][] = [
    ['badp', [head, row('0.5'), row('abc')].join('\n'), /P must be a number between 0 and 1/, 3],
    ['bigp', [head, row('1.5')].join('\n'), /P must be a number between 0 and 1/, 2],
    ['cols', [head, row('0.5'), row('0.5', '\textra')].join('\n'), /expected 13 columns as in the header, found 14/, 3],
    ['bp', [head, row('0.5').replace('\t100\t', '\t1.5\t')].join('\n'), /BP must be a whole number/, 2],
    ['nohdr', ['CHR\tSNP\tPOSITION\tPVAL', '1\trs\t1\t0.1'].join('\n'), /no BP, P columns/, 1],
    ['empty', '', /empty input/, undefined],
  ];
  for (const [name, body, re, line] of cases) {
    const f = path.join(dir, `${name}.tsv`);
    fs.writeFileSync(f, body + '\n');
    const out = path.join(dir, `out-${name}`);
    const err = await writeReport(f, out, {}).then(
      () => null,
      (e: unknown) => e,
    );
    t.ok(err instanceof InputError, `${name}: InputError`);
    const e = err as InputError;
    t.match(e.message, re, `${name}: message`);
    t.equal(e.file, f, `${name}: file`);
    t.equal(e.line, line, `${name}: line`);
    t.same(fs.readdirSync(out), [], `${name}: nothing left in the output directory`);
  }
  const missing = await writeReport(path.join(dir, 'nope.tsv'), path.join(dir, 'o'), {}).catch((e: unknown) => e);
  t.ok(missing instanceof FileError, 'missing input: FileError');

  for (const [opts, re] of [
    [{ ldR2: 0.2 }, /^--ld-r2 needs --ld-ref FILE/],
    [{ ldMethod: 'dosage' }, /^--ld-method needs --ld-ref FILE/],
    [{ ldRefSample: 'ref.sample' }, /^--ld-ref-sample needs --ld-ref FILE/],
    [{ ldRef: 'ref.gen', ldR2: 1 }, /^--ld-r2 must be at least 0 and below 1, not 1$/],
    [{ ldRef: 'ref.gen', ldR2: -0.1 }, /^--ld-r2 must be at least 0 and below 1/],
    [{ ldRef: 'ref.gen', ldR2: 'high' }, /^--ld-r2 takes a number, not 'high'/],
    [{ ldRef: 'ref.gen', ldMethod: 'pearson' }, /^--ld-method takes dosage or plink1\.9, not 'pearson'/],
    [{ ldRef: '-' }, /^--ld-ref cannot be read from stdin/],
    [{ width: 50 }, /--width must be between 200 and 8000/],
    [{ height: 1.5 }, /--height takes a whole number/],
    [{ suggestive: 1e-9 }, /--suggestive .* must not be below --p-threshold/],
    [{ pThreshold: 0 }, /--p-threshold must be a p-value/],
    [{ clumpKb: -1 }, /--clump-kb must be between/],
    [{ top: Number.NaN }, /--top takes a number/],
  ] as const) {
    t.throws(() => resolveReportConfig(opts as object), re);
    const e = (() => {
      try {
        resolveReportConfig(opts as object);
      } catch (x) {
        return x;
      }
    })();
    t.ok(e instanceof UsageError, `UsageError for ${JSON.stringify(opts)}`);
  }
  t.same(resolveReportConfig({}), {
    width: 1600,
    height: 600,
    qqSize: 600,
    top: 20,
    clumpKb: 500,
    pThreshold: 5e-8,
    suggestive: 1e-5,
    keepP: 1e-3,
    title: undefined,
    png: true,
    ld: null,
  });
  t.same(resolveReportConfig({ ldRef: 'r.gen' }).ld, { ref: 'r.gen', sample: undefined, r2: 0.1, method: 'dosage' }, '--ld-ref defaults');
  t.same(resolveReportConfig({ ldRef: 'r.bgen', ldRefSample: 'r.sample', ldR2: '0.3', ldMethod: 'plink1.9' }).ld, {
    ref: 'r.bgen',
    sample: 'r.sample',
    r2: 0.3,
    method: 'plink1.9',
  });
});

t.test('outputs replace earlier ones atomically', async (t) => {
  const dir = t.testdir();
  const out = path.join(dir, 'out');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'summary.json'), 'old');
  fs.writeFileSync(path.join(out, 'other.txt'), 'kept');
  const f = path.join(dir, 's.tsv');
  fs.writeFileSync(f, makeSumstats({ seed: 2, perChr: 30 }).text);
  await writeReport(f, out, { png: false });
  t.same(fs.readdirSync(out).sort(), ['manhattan.svg', 'other.txt', 'qq.svg', 'report.html', 'summary.json']);
  t.match(read(out, 'summary.json'), /"lambda_gc"/);
});

t.test('command: yargs module, --help examples, stdin through the CLI', async (t) => {
  const dir = t.testdir();
  const f = path.join(dir, 's.tsv');
  const { text } = makeSumstats({ seed: 4, perChr: 40 });
  fs.writeFileSync(f, text);
  const parser = () =>
    yargs()
      .command(reportCommand)
      .strict()
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      });
  const errWrite = process.stderr.write;
  let said = '';
  process.stderr.write = ((s: string) => {
    said += s;
    return true;
  }) as typeof process.stderr.write;
  try {
    await parser().parseAsync(['report', f, '--out', path.join(dir, 'o'), '--top', '2', '--width', '640', '--height', '300', '--no-png']);
  } finally {
    process.stderr.write = errWrite;
  }
  const s = JSON.parse(read(path.join(dir, 'o'), 'summary.json')) as ReportSummary;
  t.equal(s.top_loci.length, 2);
  t.equal(s.plots.manhattan.width, 640);
  t.notOk(fs.existsSync(path.join(dir, 'o', 'manhattan.png')), '--no-png');
  t.match(said, /lambda_gc \d\.\d{4}/, 'one-line summary on stderr');
  await t.rejects(parser().parseAsync(['report', f, '--out', path.join(dir, 'p'), '--ld-ref', path.join(dir, 'x.bgen')]), FileError);
  await t.rejects(parser().parseAsync(['report', f, '--out', path.join(dir, 'p'), '--ld-r2', '0.2']), /--ld-r2 needs --ld-ref/);
  await t.rejects(parser().parseAsync(['report', f]), /needs --out DIR/);
  let help = '';
  await parser().parseAsync(['report', '--help'], {}, (_e, _a, out) => {
    help = out;
  });
  t.match(help, /Examples:/);
  t.match(help, /--clump-kb/);
  for (const flag of ['--ld-ref ', '--ld-ref-sample', '--ld-r2', '--ld-method']) t.match(help, flag, `help lists ${flag}`);
  t.match(help, /LD-independent/);
  t.notMatch(help, /not yet supported/);

  // stdin, through the real launcher (gzip on the pipe).
  const main = path.join(REPO_ROOT, 'dist/src/cli/main.js');
  if (!fs.existsSync(main)) {
    t.pass('CLI launcher not built', { skip: 'dist/src/cli/main.js missing' });
    return;
  }
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/dosageflow'), 'report', '-', '--out', path.join(dir, 'cli'), '--no-png'], {
    input: zlib.gzipSync(text),
    encoding: 'utf8',
    timeout: 20000,
  });
  t.equal(r.status, 0, `exit 0 (${r.stderr})`);
  const c = JSON.parse(read(path.join(dir, 'cli'), 'summary.json')) as ReportSummary;
  t.equal(c.input, '-');
  t.equal(c.n_variants, text.trimEnd().split('\n').length - 1);
  const bad = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/dosageflow'), 'report', f, '--out', path.join(dir, 'cli2'), '--width', '10'], {
    encoding: 'utf8',
    timeout: 20000,
  });
  t.equal(bad.status, 2, 'usage error exits 2');
  t.match(bad.stderr, /^dosageflow: --width must be between/);
});

t.test('p-values in the table and a one-chromosome (regional) axis', async (t) => {
  const cases: [number, string][] = [
    [320, '1e-320'],
    [-Math.log10(3.3e-6), '3.3e-6'],
    [-Math.log10(0.5), '0.5'],
    [-Math.log10(0.00126), '0.00126'],
    [-Math.log10(5e-8), '5e-8'],
    [-Math.log10(9.999e-11), '1e-10'],
    [0, '1'],
  ];
  for (const [l, want] of cases) t.equal(pText(l), want, `p from -log10 p = ${l}`);

  const dir = t.testdir();
  const { text } = makeSumstats({ seed: 9, perChr: 200, chroms: ['7'] });
  const f = path.join(dir, 'r.tsv');
  fs.writeFileSync(f, text);
  await writeReport(f, path.join(dir, 'o'), { png: false, width: 900, height: 400 });
  const svg = read(path.join(dir, 'o'), 'manhattan.svg');
  assertWellFormedXml(svg);
  t.match(svg, /Chromosome 7 position \(Mb\)/, 'regional plot: x axis in Mb');
  t.notMatch(svg, /data-ybreak/, 'no axis break without extreme p-values');
});
