// The benchmark's scenarios must measure real work: every run of every scenario, generated at a tiny
// scale with the same generator, options and command lines as `npm run bench`, gives dosageflow
// output rows (and plink2's too when it is installed). Also checks the derived many-phenotype table
// and the RSS/row-count helpers.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { countRows, dummyArgs, ensureData, measure, treeRss, which } from '../bench/lib.js';
import { MANY_PHENOS, TINY, ccPhenoTable, dataFiles, dosageflowArgs, dummyTables, manyPhenoName, manyPhenoTable, plink2Args, scenarios } from '../bench/scenarios.js';
import { compareWithPlink2, readTable, cliCommand } from './lib/helpers.js';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'dosageflow-bench-test-'));
t.teardown(() => fs.rmSync(TMP, { recursive: true, force: true }));
const PLINK2 = which('plink2');

t.test('scenario definitions', async (t) => {
  const full = scenarios('full');
  t.same(
    full.map((s) => s.id),
    ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13'],
  );
  // Issue 19's plink2 --dummy inputs: hard calls, and half the variants missing 50/60/70%.
  t.same(
    ['12', '13'].map((id) => full.find((s) => s.id === id)!.runs.map((r) => [r.data.samples, r.data.variants, r.data.format, r.data.bits, r.data.dummy, r.nPhenos, r.nCovars])),
    [[[10_000, 100_000, 'bgen', 8, { missing: '0' }, 2, 12]], [[10_000, 100_000, 'bgen', 8, { missing: '0,0,0,0.5,0.6,0.7' }, 2, 12]]],
  );
  t.same(dummyArgs(full.find((s) => s.id === '12')!.runs[0].data, 'P'), ['--dummy', '10000', '100000', '0', '0', 'acgt', '--seed', '113', '--out', 'P'], "the issue's command line");
  // Issue 19's missing-genotype shapes.
  t.same(
    full.find((s) => s.id === '9')!.runs.map((r) => [r.data.samples, r.data.variants, r.data.format, r.data.missing]),
    [[10_000, 20_000, 'bgen', 0.02]],
  );
  t.same(
    full.find((s) => s.id === '10')!.runs.map((r) => r.data.missing),
    [0, 0.01],
  );
  t.same(
    full.find((s) => s.id === '11')!.runs.map((r) => [r.data.samples, r.data.variants, r.data.missing]),
    [[157, 6_000_000, 0.01]],
  );
  const quick = scenarios('quick');
  for (let i = 0; i < full.length; i++) {
    t.equal(quick[i].runs.length, full[i].runs.length);
    for (let j = 0; j < full[i].runs.length; j++) {
      const f = full[i].runs[j].data;
      const q = quick[i].runs[j].data;
      t.equal(q.samples, f.samples, 'quick keeps the sample count');
      t.ok(q.variants * 9 <= f.variants && q.variants * 11 >= f.variants, `quick is ~10x smaller (${f.variants} -> ${q.variants})`);
    }
  }
  const s4 = full.find((s) => s.id === '4')!;
  t.same(
    s4.runs.map((r) => r.data.variants),
    [100_000, 1_000_000, 6_000_000],
  );
  t.ok(s4.runs.every((r) => r.data.samples === 157 && r.data.format === 'bgen' && r.data.bits === 8));
  const s2 = full.find((s) => s.id === '2')!.runs[0].data;
  t.same([s2.samples, s2.variants, s2.format, s2.bits], [10_000, 100_000, 'bgen', 8]);
  const s1 = full.find((s) => s.id === '1')!.runs[0].data;
  t.same([s1.samples, s1.variants, s1.format, s1.compress], [157, 1_000_000, 'gen', 'zst']);
  const s8 = full.find((s) => s.id === '8')!;
  t.same(
    s8.runs.map((r) => [r.data.samples, r.data.variants, r.data.format]),
    [
      [157, 300_000, 'vcf'],
      [2_000, 100_000, 'vcf'],
    ],
  );
  const s3 = full.find((s) => s.id === '3')!;
  t.same(
    s3.runs.map((r) => r.nPhenos),
    [1, MANY_PHENOS],
  );
  const s6 = full.find((s) => s.id === '6')!.runs[0];
  t.same([s6.data.samples, s6.data.variants, s6.data.format, s6.data.bits, s6.data.ccCases, s6.phenoTable], [10_000, 100_000, 'bgen', 8, 0.2, 'cc']);
  const s7 = full.find((s) => s.id === '7')!.runs[0];
  t.same([s7.data.samples, s7.data.variants, s7.data.compress, s7.data.ccCases], [157, 300_000, 'zst', 0.1]);
  // Seeds fixed: the same definition twice is the same.
  t.same(scenarios('full'), full);
});

t.test('derived case/control table: the top share of responses are cases, NA stays NA', async (t) => {
  const sim = ['FID\tIID\tresponse\tdissociation', ...Array.from({ length: 100 }, (_, i) => `F\tS${i}\t${i === 7 ? 'NA' : (i * 37) % 100}\t1`)].join('\n');
  const rows = ccPhenoTable(sim, 0.2)
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  t.same(rows[0], ['FID', 'IID', 'cc']);
  t.equal(rows.filter((r) => r[2] === '2').length, 20, '20% cases');
  t.equal(rows[8][2], 'NA');
});

t.test('derived phenotype table keeps missingness patterns', async (t) => {
  const sim =
    ['FID\tIID\tresponse\tdissociation', ...Array.from({ length: 50 }, (_, i) => `F${i}\tI${i}\t${i % 7 === 0 ? '-9' : (i * 1.5 - 20).toFixed(3)}\t${i % 3 === 0 ? 'NA' : (i % 11).toFixed(3)}`)].join(
      '\n',
    ) + '\n';
  const text = manyPhenoTable(sim, 20, 42);
  t.equal(text, manyPhenoTable(sim, 20, 42), 'deterministic');
  t.not(text, manyPhenoTable(sim, 20, 43), 'seed matters');
  const rows = text
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  t.same(rows[0], ['FID', 'IID', ...Array.from({ length: 20 }, (_, j) => manyPhenoName(j))]);
  t.equal(rows.length, 51);
  const pattern = (j: number) =>
    rows
      .slice(1)
      .map((r) => (r[2 + j] === 'NA' ? '1' : '0'))
      .join('');
  const respPattern = rows
    .slice(1)
    .map((_, i) => (i % 7 === 0 ? '1' : '0'))
    .join('');
  const dissPattern = rows
    .slice(1)
    .map((_, i) => (i % 3 === 0 ? '1' : '0'))
    .join('');
  t.equal(pattern(0), respPattern, 'q01 follows response');
  t.equal(pattern(7), respPattern, 'q08 follows response');
  t.equal(pattern(8), dissPattern, 'q09 follows dissociation');
  t.equal(pattern(14), pattern(15), 'a shared fresh pattern');
  const patterns = new Set(Array.from({ length: 20 }, (_, j) => pattern(j)));
  t.ok(patterns.size >= 4 && patterns.size < 20, `several columns share patterns (${patterns.size} distinct)`);
  for (const r of rows.slice(1)) for (const c of r.slice(2)) t.ok(c === 'NA' || Number.isFinite(Number(c)), 'numeric or NA');
});

t.test("plink2 --dummy cohorts: seeded tables with the simulator's names and missingness", async (t) => {
  const iids = Array.from({ length: 2000 }, (_, i) => `per${i}`);
  const a = dummyTables(iids, 7);
  t.same(a, dummyTables(iids, 7), 'deterministic');
  t.not(a.pheno, dummyTables(iids, 8).pheno, 'seed matters');
  const rows = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
  const ph = rows(a.pheno);
  const cv = rows(a.covar);
  t.same(ph[0], ['#IID', 'response', 'dissociation']);
  t.same(cv[0], ['#IID', 'age', 'sex', 'PC1', 'PC2', 'PC3', 'PC4', 'PC5', 'PC6', 'PC7', 'PC8', 'PC9', 'PC10']);
  t.equal(ph.length, 2001);
  t.same(
    ph.slice(1).map((r) => r[0]),
    iids,
    'one row per sample, in .sample order',
  );
  const share = (j: number, na: string) => ph.slice(1).filter((r) => r[j] === na).length / 2000;
  t.ok(share(1, '-9') > 0.01 && share(1, '-9') < 0.035, `response ~2% missing (${share(1, '-9')})`);
  t.ok(share(2, 'NA') > 0.36 && share(2, 'NA') < 0.44, `dissociation ~40% missing (${share(2, 'NA')})`);
  for (const r of cv.slice(1)) {
    t.ok(r.length === 13 && (r[2] === '1' || r[2] === '2') && r.slice(1).every((c) => Number.isFinite(Number(c))), 'numeric covariates, sex 1/2');
  }
});

t.test('measure: wall time, peak RSS and rows', async (t) => {
  const m = await measure(process.execPath, ['-e', 'const a = Buffer.alloc(64 << 20, 1); setTimeout(() => process.exit(a[5] === 1 ? 0 : 1), 300)'], { gnuTime: null, pollMs: 20 });
  t.equal(m.exitCode, 0);
  t.ok(m.wallSeconds >= 0.3, `wall ${m.wallSeconds}`);
  t.equal(m.peakRssSource, 'poll');
  t.ok(m.peakRssMB >= 64, `polled peak RSS ${m.peakRssMB} MB covers the 64 MB buffer`);
  t.ok(treeRss(process.pid).rssKB > 0, 'own process tree has RSS');
  const f = path.join(TMP, 'rows.tsv');
  fs.writeFileSync(f, 'H\na\nb\nc');
  t.equal(await countRows(f), 3);
  fs.writeFileSync(f, 'H\n');
  t.equal(await countRows(f), 0);
});

// Every scenario at TINY scale (60 samples x 200 variants: with 20 samples the ~40%-missing
// dissociation phenotype has fewer samples than the 12 covariates need, and dosageflow stops).
const tiny = scenarios('tiny');
for (const sc of tiny) {
  const needsPlink2 = sc.runs.some((r) => r.data.format === 'vcf' || r.data.dummy) && !PLINK2;
  t.test(`scenario ${sc.id} (${sc.name}) does real work`, { skip: needsPlink2 ? 'plink2 not installed: it makes this input' : false }, async (t) => {
    const dataDir = path.join(TMP, 'data');
    for (const run of sc.runs) {
      t.equal(run.data.samples, TINY.samples);
      t.equal(run.data.variants, TINY.variants);
      const { files } = await ensureData(dataDir, run.data);
      t.ok(fs.statSync(files.genotypes).size > 0, 'genotypes written');
      t.same(files, dataFiles(dataDir, run.data));
      const again = await ensureData(dataDir, run.data);
      t.equal(again.generated, false, 'reused when present');

      const out = path.join(TMP, `out-${sc.id}-${run.label.replace(/\W+/g, '_')}`);
      fs.mkdirSync(out, { recursive: true });
      const r = spawnSync(...cliCommand([...dosageflowArgs(run, files, path.join(out, 'df'), 2)]), { encoding: 'utf8', timeout: 120_000 });
      t.equal(r.status, 0, r.status === 0 ? 'dosageflow assoc exits 0' : `dosageflow assoc failed: ${r.stderr}`);
      const dfOut = fs.readdirSync(out).filter((f) => f.startsWith('df.') && f.endsWith('.tsv'));
      t.equal(dfOut.length, run.nPhenos, `one table per phenotype (${dfOut.join(', ')})`);
      for (const f of dfOut) t.equal(await countRows(path.join(out, f)), run.data.variants, `${f}: a row per variant`);
      const tested = /(\d+) variants tested/.exec(r.stderr);
      t.ok(tested && Number(tested[1]) > 0, 'some variants actually tested (not all NA)');

      if (PLINK2) {
        const p = spawnSync(PLINK2, plink2Args(run, files, path.join(out, 'p2'), 2), { encoding: 'utf8', cwd: out, timeout: 120_000 });
        t.equal(p.status, 0, p.status === 0 ? 'plink2 exits 0' : `plink2 failed: ${p.stderr}${p.stdout}`);
        const pOut = fs.readdirSync(out).filter((f) => f.startsWith('p2.') && (f.endsWith('.glm.linear') || f.endsWith('.glm.logistic.hybrid')));
        t.equal(pOut.length, run.nPhenos, 'plink2: one table per phenotype');
        for (const f of pOut) t.ok((await countRows(path.join(out, f))) > 0, `plink2 ${f} has rows`);
        // plink2 --dummy hard calls are exact in 8 bits: every row equal to plink2's (the simulated
        // BGENs' fractional 8-bit dosages are rounded differently by plink2's import).
        if (run.data.dummy) {
          for (const f of dfOut) {
            const ref = readTable(path.join(out, f.replace(/^df\.(.*)\.tsv$/, 'p2.$1.glm.linear')));
            const res = compareWithPlink2(readTable(path.join(out, f)), ref);
            t.same(res.problems, [], `${f}: every row equals plink2's`);
            t.equal(res.compared, run.data.variants, `${f}: all rows compared`);
          }
        }
      }
    }
  });
}
