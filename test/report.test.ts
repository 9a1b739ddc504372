// The report: lambda against a sort-based median, counts, distance clumping, the thinned plots
// (every p < 1e-3 point kept), well-formed SVG, PNG sizes, compressed input, errors and atomic output.
import t from 'tap';
import { cliCommand } from './lib/helpers.js';
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
import { DEFAULT_CHROMS, HEADER, REPO_ROOT, assertWellFormedXml, logPIndependent, makeSumstats, mulberry32, pathPoints, pngSize, yAxisInverse, type FixtureRow } from './fixtures/report/helpers.js';
import { PLANTED_N, pearsonR2, plantedLdFixture, randomLdFixture } from './fixtures/report/ld-fixture.js';

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
    t.ok(
      rs.some((r) => r.pText === 'NA'),
      'fixture has NA rows',
    );
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
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: near ln 2 but not equal to it, on purpose
    Float64Array.from({ length: 5001 }, () => [0.5, 0.69314718, 0.7, 1e-300, 3][Math.floor(rnd() * 5)]),
    new Float64Array(1000).fill(Math.LN2),
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
    t.same(
      sel.values(),
      ranks.map((r) => sorted[r]),
      `exact ranks over ${values.length} values`,
    );
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
  const [px0, py0, , pph] = svg
    .match(/data-plot="([^"]+)"/)![1]
    .split(' ')
    .map(Number);
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
  const yKeep = py0 + pph - (3 / 20) * pph * 0.75;
  t.ok(
    thinStarts.every(([, y]) => y >= yKeep - 1),
    'thinned dots all below the p = 1e-3 line',
  );

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
  const rowsTxt = ['CHR SNP BP P', '1 rs1 100 0.5', 'NA rs2 200 1e-4', '1 rs3 NA 0.01', '2 rs4 300 NA', 'chr2 rs5 400 0.2'].join('\r\n');
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
    ['cols', [head, row('0.5'), row('0.5', '\textra')].join('\n'), /14 fields where the header has 13/, 3],
    ['bp', [head, row('0.5').replace('\t100\t', '\t1.5\t')].join('\n'), /BP must be a whole number/, 2],
    ['nohdr', ['CHR\tSNP\tLOCATION\tPV', '1\trs\t1\t0.1'].join('\n'), /header not recognised: no BP\/POS, P \(or LOG10P\) column .*columns found: CHR SNP LOCATION PV.*--col-pos --col-p NAME/, 1],
    ['empty', '', /empty report: no header line/, 1],
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
    genes: null,
  });
  t.same(resolveReportConfig({ ldRef: 'r.gen' }).ld, { ref: 'r.gen', sample: undefined, r2: 0.1, method: 'dosage' }, '--ld-ref defaults');
  t.same(resolveReportConfig({ ldRef: 'r.bgen', ldRefSample: 'r.sample', ldR2: 0.3, ldMethod: 'plink1.9' }).ld, {
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
  const r = spawnSync(...cliCommand(['report', '-', '--out', path.join(dir, 'cli'), '--no-png']), {
    input: zlib.gzipSync(text),
    encoding: 'utf8',
    timeout: 20000,
  });
  t.equal(r.status, 0, `exit 0 (${r.stderr})`);
  const c = JSON.parse(read(path.join(dir, 'cli'), 'summary.json')) as ReportSummary;
  t.equal(c.input, '-');
  t.equal(c.n_variants, text.trimEnd().split('\n').length - 1);
  const bad = spawnSync(...cliCommand(['report', f, '--out', path.join(dir, 'cli2'), '--width', '10']), {
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

// ---- LD-independent top loci (--ld-ref) ----

function writeFixture(dir: string, fx: { sumstats: string; gen: string; sample: string }): { sums: string; gen: string; sample: string } {
  const sums = path.join(dir, 'sumstats.tsv');
  const gen = path.join(dir, 'ref.gen');
  const sample = path.join(dir, 'ref.sample');
  fs.writeFileSync(sums, fx.sumstats);
  fs.writeFileSync(gen, fx.gen);
  fs.writeFileSync(sample, fx.sample);
  return { sums, gen, sample };
}

/** The table rows of report.html: cell texts. */
function tableRows(html: string): string[][] {
  const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
  return [...body.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]));
}

function tableHeader(html: string): string[] {
  const head = html.slice(html.indexOf('<thead>'), html.indexOf('</thead>'));
  return [...head.matchAll(/<th[^>]*>(.*?)<\/th>/g)].map((m) => m[1]);
}

t.test('LD loci: low-LD neighbours are separate loci, high-LD ones one locus; absent variants alone', async (t) => {
  const dir = t.testdir();
  const fx = plantedLdFixture();
  const f = writeFixture(dir, fx);
  const d = fx.dosage;
  // The fixture's premises, by an independent r^2.
  const r2 = (a: string, b: string) => pearsonR2(d.get(a)!, d.get(b)!);
  t.ok(r2('rsA', 'rsB') < 0.02, `rsA-rsB low LD (${r2('rsA', 'rsB').toFixed(4)})`);
  t.ok(r2('rsA', 'rsC') > 0.7, `rsA-rsC high LD (${r2('rsA', 'rsC').toFixed(4)})`);
  t.ok(r2('rsB', 'rsD') > 0.7, `rsB-rsD high LD (${r2('rsB', 'rsD').toFixed(4)})`);
  t.ok(r2('rsA', 'rsD') < 0.02 && r2('rsB', 'rsC') < 0.02, 'cross pairs low LD');
  t.ok(r2('rsX', 'rsY') > 0.7, 'rsX-rsY high LD');
  t.ok(Number.isNaN(r2('rsA', 'rsM')), 'rsM monomorphic in the reference');
  t.notOk(d.has('rsE') || d.has('rsF'), 'rsE (other alleles) and rsF not in the reference');

  // Distance alone (500 kb): everything near 1 Mb is one locus.
  const dist = await writeReport(f.sums, path.join(dir, 'dist'), { png: false });
  t.same(
    dist.top_loci.map((l) => [l.snp, l.locus_n_variants, l.locus_start, l.locus_end, l.in_ld_ref]),
    [
      ['rsA', 7, 1_000_000, 1_300_000, null],
      ['rsX', 2, 5_000_000, 5_200_000, null],
    ],
    'distance: two loci',
  );
  t.same(dist.clumping, { method: 'distance', window_kb: 500 });

  // With the LD reference: rsB (low LD with rsA) is its own locus, with rsD.
  const want = [
    ['rsA', 2, 1_000_000, 1_100_000, true],
    ['rsX', 2, 5_000_000, 5_200_000, true],
    ['rsB', 2, 1_050_000, 1_120_000, true],
    ['rsE', 1, 1_200_000, 1_200_000, false],
    ['rsF', 1, 1_300_000, 1_300_000, false],
    ['rsM', 1, 1_150_000, 1_150_000, true],
  ];
  for (const method of ['dosage', 'plink1.9'] as const) {
    const out = path.join(dir, `ld-${method}`);
    const s = await writeReport(f.sums, out, { png: false, ldRef: f.gen, ldRefSample: f.sample, ldMethod: method });
    t.same(
      s.top_loci.map((l) => [l.snp, l.locus_n_variants, l.locus_start, l.locus_end, l.in_ld_ref]),
      want,
      `${method}: LD loci`,
    );
    t.equal(s.n_loci, 6);
    t.equal(s.n_gws_loci, 3, 'rsA, rsX, rsB (rsC, p 2e-8, is in the locus of rsA)');
    t.same(s.clumping, {
      method: 'ld',
      window_kb: 500,
      r2: 0.1,
      ld_method: method,
      ld_ref: f.gen,
      ld_ref_format: 'gen',
      ld_ref_sample: f.sample,
      ld_samples: PLANTED_N,
      ld_ref_variants: fx.gen.trimEnd().split('\n').length,
      candidates_in_ld_ref: 7,
      candidates_not_in_ld_ref: 2,
      // chr1 (rsA rsB rsC rsD rsM in the reference): rsA with 4, rsB with rsA rsD rsM, rsM with rsA
      // rsB (prs clumping compares with earlier index variants too); chr2: rsX with rsY.
      pairs: 10,
    });
    const onDisk = JSON.parse(read(out, 'summary.json')) as ReportSummary;
    t.same(onDisk.top_loci, s.top_loci, 'summary.json top_loci');
    t.same(onDisk.clumping, s.clumping, 'summary.json clumping');

    // The HTML table: one row per locus, its VARIANTS and REGION, and whether it is in the reference.
    const html = read(out, 'report.html');
    const head = tableHeader(html);
    t.same(head.slice(-3), ['VARIANTS', 'REGION', 'LD REF']);
    const rows = tableRows(html);
    t.same(
      rows.map((r) => [r[2], r[head.indexOf('VARIANTS')], r[head.indexOf('REGION')], r[head.indexOf('LD REF')]]),
      [
        ['rsA', '2', '1,000,000-1,100,000', 'yes'],
        ['rsX', '2', '5,000,000-5,200,000', 'yes'],
        ['rsB', '2', '1,050,000-1,120,000', 'yes'],
        ['rsE', '1', '1,200,000-1,200,000', 'no'],
        ['rsF', '1', '1,300,000-1,300,000', 'no'],
        ['rsM', '1', '1,150,000-1,150,000', 'yes'],
      ],
      `${method}: HTML table`,
    );
    t.match(html, /Loci are grouped by LD: .* whose r&#178; with it exceeds 0\.1 /, 'note explains the LD grouping');
    t.match(html, /2 of the 9 variants with p &lt; 1e-5 are not in the LD reference/, 'note counts the absent variants');
    t.match(html, method === 'dosage' ? /squared correlation of the dosages over the 240 samples/ : /plink 1\.9/);
    assertWellFormedXml(read(out, 'manhattan.svg'));
    t.same(fs.readdirSync(out).sort(), ['manhattan.svg', 'qq.svg', 'report.html', 'summary.json'], 'no temporaries left');
  }
  // The distance page has no LD column.
  const dhtml = read(path.join(dir, 'dist'), 'report.html');
  t.notOk(tableHeader(dhtml).includes('LD REF'), 'no LD REF column without --ld-ref');
  t.match(dhtml, /Loci are grouped by distance/);

  // The window still applies: at 75 kb rsC (100 kb from rsA) and rsY (200 kb from rsX) head loci.
  const narrow = await writeReport(f.sums, path.join(dir, 'narrow'), { png: false, ldRef: f.gen, clumpKb: 75 });
  t.same(
    narrow.top_loci.map((l) => [l.snp, l.locus_n_variants]),
    [
      ['rsA', 1],
      ['rsX', 1],
      ['rsB', 2],
      ['rsC', 1],
      ['rsE', 1],
      ['rsY', 1],
      ['rsF', 1],
      ['rsM', 1],
    ],
    '--clump-kb bounds the LD grouping',
  );
  // A bound above the high-LD pairs' r^2: every variant its own locus; without the sample file.
  const strict = await writeReport(f.sums, path.join(dir, 'strict'), { png: false, ldRef: f.gen, ldR2: 0.99 });
  t.equal(strict.n_loci, 9, '--ld-r2 0.99: 9 loci');
  t.equal(strict.clumping.method === 'ld' && strict.clumping.ld_ref_sample, null, 'no --ld-ref-sample');
  // Compressed reference (sniffed), same answer.
  const gz = path.join(dir, 'ref.bin');
  fs.writeFileSync(gz, zlib.gzipSync(fx.gen));
  const z = await writeReport(f.sums, path.join(dir, 'gz'), { png: false, ldRef: gz });
  t.same(
    z.top_loci.map((l) => [l.snp, l.locus_n_variants]),
    want.map((w) => [w[0], w[1]]),
    'gzip LD reference',
  );
});

t.test('LD loci equal a naive greedy implementation (random blocks, r^2 from 0 to 1)', async (t) => {
  for (const seed of [101, 202]) {
    const dir = t.testdir();
    const { fixture: fx, vars } = randomLdFixture(seed);
    const f = writeFixture(dir, fx);
    for (const [kb, bound] of [
      [200, 0.1],
      [60, 0.5],
    ]) {
      const s = await writeReport(f.sums, path.join(dir, `o${kb}`), { png: false, top: 1000, ldRef: f.gen, clumpKb: kb, ldR2: bound });
      const cands = vars
        .map((v, i) => ({ v, i }))
        .filter((c) => c.v.p < 1e-5)
        .sort((a, b) => a.v.p - b.v.p || a.i - b.i);
      const claimed = new Set<number>();
      const want: [string, number, number, number, boolean][] = [];
      let nearBound = 0;
      for (const c of cands) {
        if (claimed.has(c.i)) continue;
        claimed.add(c.i);
        const dc = fx.dosage.get(c.v.snp);
        const locus: [string, number, number, number, boolean] = [c.v.snp, 1, c.v.bp, c.v.bp, dc !== undefined];
        want.push(locus);
        if (!dc) continue;
        for (const o of cands) {
          const dd = fx.dosage.get(o.v.snp);
          if (claimed.has(o.i) || !dd || o.v.chr !== c.v.chr || Math.abs(o.v.bp - c.v.bp) > kb * 1000) continue;
          const r = pearsonR2(dc, dd);
          if (Math.abs(r - bound) < 1e-6) nearBound++;
          if (r > bound) {
            claimed.add(o.i);
            locus[1]++;
            locus[2] = Math.min(locus[2], o.v.bp);
            locus[3] = Math.max(locus[3], o.v.bp);
          }
        }
      }
      t.equal(nearBound, 0, 'no pair within 1e-6 of the bound');
      t.ok(want.some((w) => w[1] > 1) && want.length > 10, `several loci, some with several variants (${want.length})`);
      t.ok(
        want.some((w) => !w[4]),
        'some index variants not in the reference',
      );
      t.same(
        s.top_loci.map((l) => [l.snp, l.locus_n_variants, l.locus_start, l.locus_end, l.in_ld_ref]),
        want,
        `seed ${seed}, ${kb} kb, r2 > ${bound}`,
      );
    }
  }
});

t.test('LD reference as BGEN equals the same genotypes as .gen (prs fixture; chr2 = 2)', async (t) => {
  const dir = t.testdir();
  const prs = path.join(REPO_ROOT, 'test/fixtures/prs');
  const gen = path.join(dir, 'target.gen');
  fs.writeFileSync(gen, fs.readFileSync(path.join(prs, 'target.chr1.gen'), 'utf8') + fs.readFileSync(path.join(prs, 'target.chr23.gen'), 'utf8'));
  const base = path.join(prs, 'base.tsv');
  for (const method of ['dosage', 'plink1.9'] as const) {
    const opts = { png: false, top: 1000, suggestive: 0.5, clumpKb: 250, ldR2: 0.2, ldMethod: method };
    const a = await writeReport(base, path.join(dir, `g-${method}`), { ...opts, ldRef: gen });
    const b = await writeReport(base, path.join(dir, `b-${method}`), { ...opts, ldRef: path.join(prs, 'target.bgen'), ldRefSample: path.join(prs, 'target.sample') });
    const loci = (s: ReportSummary) => s.top_loci.map((l) => [l.snp, l.locus_n_variants, l.locus_start, l.locus_end, l.in_ld_ref]);
    t.same(loci(b), loci(a), `${method}: same loci from .bgen and .gen`);
    t.ok(a.top_loci.some((l) => l.locus_n_variants > 1) && a.top_loci.some((l) => l.chr === '2' && l.in_ld_ref), 'grouped loci, chr2 found');
    t.equal(b.clumping.method === 'ld' && b.clumping.ld_ref_format, 'bgen');
    t.equal(a.clumping.method === 'ld' && a.clumping.ld_samples, 120);
  }
});

t.test('--ld-ref errors name the file; the table needs A1/A2; nothing is left behind', async (t) => {
  const dir = t.testdir();
  const fx = plantedLdFixture();
  const f = writeFixture(dir, fx);
  const lines = fx.gen.trimEnd().split('\n');
  const put = (name: string, body: string | Buffer) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, body);
    return p;
  };
  const badLine = put('bad3.gen', [lines[0], lines[1], lines[2].split(' ').slice(0, -3).join(' '), ...lines.slice(3)].join('\n') + '\n');
  const badFirst = put('bad1.gen', 'CHR SNP BP\n' + fx.gen);
  const empty = put('empty.gen', '');
  const shortSample = put('short.sample', fx.sample.split('\n').slice(0, -3).join('\n') + '\n');
  const badBgen = put('bad.bgen', Buffer.concat([Buffer.from([20, 0, 0, 0, 20, 0, 0, 0]), Buffer.alloc(8), Buffer.from('bgen')]));
  fs.mkdirSync(path.join(dir, 'adir'));
  const cases: [string, Record<string, unknown>, typeof FileError | typeof InputError, string, RegExp, number | undefined][] = [
    ['missing', { ldRef: path.join(dir, 'nope.gen') }, FileError, path.join(dir, 'nope.gen'), /no such file/, undefined],
    ['directory', { ldRef: path.join(dir, 'adir') }, FileError, path.join(dir, 'adir'), /directory/, undefined],
    ['missing sample', { ldRef: f.gen, ldRefSample: path.join(dir, 'nope.sample') }, FileError, path.join(dir, 'nope.sample'), /no such file/, undefined],
    ['sample count', { ldRef: f.gen, ldRefSample: shortSample }, InputError, f.gen, /has 240 samples but its sample file .*short\.sample lists 238/, undefined],
    ['first line', { ldRef: badFirst }, InputError, badFirst, /not a \.gen line: 3 fields/, 1],
    ['bad line', { ldRef: badLine }, InputError, badLine, /fields/, 3],
    ['empty', { ldRef: empty }, InputError, empty, /empty/, undefined],
    ['bad bgen', { ldRef: badBgen }, InputError, badBgen, /bgen/, undefined],
  ];
  for (const [name, opts, cls, file, re, line] of cases) {
    const out = path.join(dir, `out-${name.replace(/ /g, '-')}`);
    const err = await writeReport(f.sums, out, { png: false, ...opts }).then(
      () => null,
      (e: unknown) => e,
    );
    t.ok(err instanceof cls, `${name}: ${cls.name} (${String(err)})`);
    const e = err as InputError;
    t.equal(e.file, file, `${name}: names ${path.basename(file)}`);
    t.match(e.message, re, `${name}: message`);
    t.equal(e.line, line, `${name}: line`);
    t.same(fs.existsSync(out) ? fs.readdirSync(out) : [], [], `${name}: nothing left`);
  }
  // Before the scan: a missing reference is reported without creating the output directory.
  t.notOk(fs.existsSync(path.join(dir, 'out-missing')), 'checked before anything is written');
  // The table must have alleles to match the reference.
  const noAlleles = put('noalleles.tsv', 'CHR\tSNP\tBP\tP\n1\trsA\t1000000\t1e-12\n');
  const err = await writeReport(noAlleles, path.join(dir, 'o-na'), { ldRef: f.gen }).catch((e: unknown) => e);
  t.ok(err instanceof InputError);
  t.match((err as InputError).message, /no A1, A2 column for the report with --ld-ref/);
  t.equal((err as InputError).file, noAlleles);
  t.equal((err as InputError).line, 1);
  // Without candidates the reference is not read (but it was checked).
  const none = put('none.tsv', 'CHR\tSNP\tBP\tA1\tA2\tP\n1\trsA\t1000000\tA\tG\t0.5\n');
  const s = await writeReport(none, path.join(dir, 'o-none'), { png: false, ldRef: f.gen });
  t.equal(s.n_loci, 0);
  t.same(s.clumping.method === 'ld' && [s.clumping.ld_ref_variants, s.clumping.candidates_in_ld_ref], [0, 0]);
});

t.test('command: --ld-ref flags through yargs', async (t) => {
  const dir = t.testdir();
  const f = writeFixture(dir, plantedLdFixture());
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
    await parser().parseAsync(['report', f.sums, '--out', path.join(dir, 'o'), '--no-png', '--ld-ref', f.gen, '--ld-ref-sample', f.sample, '--ld-r2', '0.2', '--ld-method', 'plink1.9']);
  } finally {
    process.stderr.write = errWrite;
  }
  const s = JSON.parse(read(path.join(dir, 'o'), 'summary.json')) as ReportSummary;
  t.match(s.clumping, { method: 'ld', r2: 0.2, ld_method: 'plink1.9', ld_ref: f.gen, ld_ref_sample: f.sample });
  t.equal(s.n_loci, 6);
  t.match(said, /LD: r2 > 0\.2 over 240 reference samples; 2 of 9 suggestive variants not in the reference/);
  await t.rejects(parser().parseAsync(['report', f.sums, '--out', path.join(dir, 'p'), '--ld-ref', f.gen, '--ld-method', 'r']), /--ld-method takes dosage or plink1\.9, not 'r'/);
  await t.rejects(parser().parseAsync(['report', f.sums, '--out', path.join(dir, 'p'), '--ld-method', 'dosage']), /--ld-method needs --ld-ref/);
});
