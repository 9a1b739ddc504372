// --keep / --remove / --extract / --exclude (issue 16, part 3): assoc against plink2 with the same
// flags on the same files (.gen and BGEN; goldens from test/fixtures/plink-gen/make-golden.sh), the
// closing summary's counts, the list formats, and prs (its LD, scores and test over the kept samples
// and variants: equal to a run on a target that holds only those).
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAssoc, summaryLines, type AssocConfig } from '../src/pipeline/assoc-run.js';
import { parseSampleList, selectSamples } from '../src/formats/select.js';
import { runPrs, type PrsConfig } from '../src/prs/run.js';
import { parseThresholds, validatePrsOptions } from '../src/commands/prs.js';
import { validateAssocOptions } from '../src/commands/assoc.js';
import { writeReport } from '../src/report/index.js';
import { resolveReportConfig } from '../src/report/config.js';
import { PLANTED_N, plantedLdFixture } from './fixtures/report/ld-fixture.js';
import { baseConfig } from './lib/assoc-config.js';
import { compareWithPlink2, fixture, readTable, runCli, tmpDir, type Table } from './lib/helpers.js';

const G = (f: string) => fixture('plink-gen', f);

function config(over: Partial<AssocConfig> = {}): AssocConfig {
  return baseConfig({ gen: [G('plink2.gen')], sample: G('plink2.sample'), pheno: G('pheno.tsv'), covar: G('covar.tsv'), chunkSize: 4096, threads: 1, ...over });
}

function same(t: Test, ours: Table, golden: Table, what: string): void {
  const r = compareWithPlink2(ours, golden);
  t.equal(r.compared, golden.rows.length, `${what}: every plink2 variant present`);
  t.equal(ours.rows.length, golden.rows.length, `${what}: no variant more`);
  t.same(r.problems, [], `${what}: BETA SE T P N FRQ INFO agree`);
}

const golden = (name: string) => readTable(G(`golden/${name}.y.glm.linear`));

t.test('--keep (FID IID with a header) equals plink2 --keep', async (t) => {
  const cfg = config({ keep: G('keep.txt') });
  const s = await runAssoc(cfg);
  same(t, readTable(s.phenos[0].output), golden('keep'), '--keep');
  t.equal(s.selection, '--keep removed 20 samples');
  t.ok(s.phenos[0].samples < 40, 'only kept samples with the phenotype are used');
});

t.test('--remove (IID only, no header) equals plink2 --remove', async (t) => {
  const s = await runAssoc(config({ remove: G('remove.txt') }));
  same(t, readTable(s.phenos[0].output), golden('remove'), '--remove');
  t.equal(s.selection, '--remove 15 samples');
});

t.test('--extract with --exclude equals plink2; the summary counts what each removed', async (t) => {
  const lines: string[] = [];
  const s = await runAssoc(config({ extract: G('extract.txt'), exclude: G('exclude.txt'), log: (l) => lines.push(l) }));
  same(t, readTable(s.phenos[0].output), golden('extract-exclude'), '--extract --exclude');
  t.equal(s.selection, '--extract removed 120 variants, --exclude 24 variants');
  t.ok(lines.includes('  selection: --extract removed 120 variants, --exclude 24 variants'), 'closing summary line');
  t.same(summaryLines(s).filter((l) => l.startsWith('  selection')).length, 1);
});

t.test('all four at once, and across chunk edges and threads', async (t) => {
  for (const [chunkSize, threads] of [
    [4096, 1],
    [777, 2],
  ] as const) {
    const s = await runAssoc(config({ keep: G('keep.txt'), remove: G('remove.txt'), exclude: G('exclude.txt'), chunkSize, threads }));
    same(t, readTable(s.phenos[0].output), golden('keep-remove-exclude'), `chunks of ${chunkSize} bytes, ${threads} threads`);
    t.equal(s.selection, '--keep removed 20 samples, --remove 10 samples, --exclude 48 variants');
  }
});

t.test('BGEN: --extract matches the rsid, as plink2 does', async (t) => {
  const s = await runAssoc(config({ gen: [], bgen: [G('plink2.bgen')], extract: G('extract.txt'), dosagePrecision: 'plink2' }));
  same(t, readTable(s.phenos[0].output), golden('bgen-extract'), 'BGEN --extract');
  t.equal(s.selection, '--extract removed 120 variants');
});

t.test('sample lists: plink formats, header optional', async (t) => {
  t.same(parseSampleList('#FID IID\nf1 a\nf2 b\n', 'k'), [
    { fid: 'f1', iid: 'a' },
    { fid: 'f2', iid: 'b' },
  ]);
  t.same(parseSampleList('FID IID\nf1 a\n', 'k'), [{ fid: 'f1', iid: 'a' }]);
  t.same(parseSampleList('#IID SEX\na 1\nb 2\n', 'k'), [{ iid: 'a' }, { iid: 'b' }]);
  t.same(parseSampleList('a\n\nb\n', 'k'), [{ iid: 'a' }, { iid: 'b' }]);
  t.same(parseSampleList('f1 a extra\n', 'k'), [{ fid: 'f1', iid: 'a' }], 'no header, two or more fields: FID IID');
  t.throws(() => parseSampleList('#ID\na\n', 'k.txt'), { message: /header starts with '#ID'/, file: 'k.txt', line: 1 });
  const samples = [
    { fid: 'F1', iid: 'a' },
    { fid: 'F2', iid: 'a' },
    { fid: 'F3', iid: 'c' },
  ];
  const dir = tmpDir('lists');
  const keep = path.join(dir, 'keep.txt');
  fs.writeFileSync(keep, 'F2 a\nc\nnobody\n');
  const sel = await selectSamples(samples, { keep });
  t.same(Array.from(sel.mask!), [0, 1, 1], 'FID and IID when both have FIDs; IID alone otherwise');
  t.match(sel.warnings[0], /1 of 3 IDs in .*keep\.txt are not genotyped samples \(first: 'nobody'\)/);
  const all = path.join(dir, 'all.txt');
  fs.writeFileSync(all, 'a\nc\n');
  await t.rejects(selectSamples(samples, { remove: all }), { message: /no sample is left/ });
});

t.test('CLI: the options, their help, and a missing list file', async (t) => {
  const c = validateAssocOptions({ gen: ['x.gen'], sample: 's', pheno: 'p', out: 'o', keep: 'k', remove: 'r', extract: 'e', exclude: 'x' });
  t.same([c.keep, c.remove, c.extract, c.exclude], ['k', 'r', 'e', 'x']);
  t.throws(() => validateAssocOptions({ gen: ['x.gen'], sample: 's', pheno: 'p', out: 'o', keep: ['a', 'b'] }), { message: '--keep takes one file' });
  const p = validatePrsOptions({ base: 'b', gen: ['t.gen'], sample: 's', pheno: 'p', out: 'o', keep: 'k', extract: 'e' });
  t.same([p.keep, p.extract], ['k', 'e']);
  const help = runCli(['assoc', '--help']).stdout;
  for (const o of ['--keep', '--remove', '--extract', '--exclude']) t.match(help, o);
  const dir = tmpDir('cli');
  const r = runCli(['assoc', '--gen', G('plink2.gen'), '--sample', G('plink2.sample'), '--pheno', G('pheno.tsv'), '--keep', path.join(dir, 'none.txt'), '--out', path.join(dir, 'o')]);
  t.equal(r.status, 4, 'a missing list file: exit 4');
  t.match(r.stderr, 'none.txt');
});

// prs: the same run on a target cut down to the kept samples / variants gives identical outputs.
const R = (f: string) => fixture('prs', f);

function prsConfig(over: Partial<PrsConfig> = {}): PrsConfig {
  return {
    base: R('base.tsv'),
    targets: [R('target.chr1.gen'), R('target.chr23.gen')],
    format: 'gen',
    sample: R('target.sample'),
    pheno: R('pheno.tsv'),
    covar: R('covar.tsv'),
    covarNames: [],
    thresholds: parseThresholds('0.01,0.1,0.5'),
    clumpR2: 0.2,
    clumpKb: 250,
    clumpP: 1,
    ldMethod: 'plink1.9',
    keepAmbiguous: false,
    out: path.join(tmpDir('prs-sel'), 'out'),
    digits: 7,
    memoryMB: 64,
    log: () => {},
    ...over,
  };
}

function outputsEqual(t: Test, a: string, b: string, what: string): void {
  for (const ext of ['clumped.tsv', 'scores.tsv', 'summary.tsv']) {
    t.equal(fs.readFileSync(`${a}.${ext}`, 'utf8'), fs.readFileSync(`${b}.${ext}`, 'utf8'), `${what}: ${ext} identical`);
  }
}

t.test('prs --keep/--remove: LD, scores and test over the kept samples (= a target of only those)', async (t) => {
  const dir = tmpDir('prs-keep');
  const sampleLines = fs.readFileSync(R('target.sample'), 'utf8').trimEnd().split('\n');
  const n = sampleLines.length - 2;
  const keepIdx = [...Array(n).keys()].filter((i) => i % 3 !== 1);
  fs.writeFileSync(path.join(dir, 'keep.txt'), keepIdx.map((i) => sampleLines[i + 2].split(' ').slice(0, 2).join(' ')).join('\n') + '\n');
  fs.writeFileSync(
    path.join(dir, 'remove.txt'),
    [...Array(n).keys()]
      .filter((i) => i % 3 === 1)
      .map((i) => sampleLines[i + 2].split(' ')[1])
      .join('\n') + '\n',
  );
  fs.writeFileSync(path.join(dir, 'sub.sample'), [sampleLines[0], sampleLines[1], ...keepIdx.map((i) => sampleLines[i + 2])].join('\n') + '\n');
  const subGen = ['target.chr1.gen', 'target.chr23.gen'].map((g) => {
    const out = path.join(dir, g);
    const lines = fs.readFileSync(R(g), 'utf8').trimEnd().split('\n');
    fs.writeFileSync(
      out,
      lines
        .map((l) => {
          const f = l.split(' ');
          return [...f.slice(0, 6), ...keepIdx.flatMap((i) => f.slice(6 + 3 * i, 9 + 3 * i))].join(' ');
        })
        .join('\n') + '\n',
    );
    return out;
  });
  const ref = prsConfig({ targets: subGen, sample: path.join(dir, 'sub.sample') });
  await runPrs(ref);
  const k = prsConfig({ keep: path.join(dir, 'keep.txt') });
  const s = await runPrs(k);
  t.equal(s.targetSamples, keepIdx.length);
  t.equal(s.selection, `--keep removed ${n - keepIdx.length} samples`);
  outputsEqual(t, k.out, ref.out, '--keep');
  const r = prsConfig({ remove: path.join(dir, 'remove.txt') });
  await runPrs(r);
  outputsEqual(t, r.out, ref.out, '--remove');
});

t.test('prs --extract/--exclude: only the listed target variants (= a target of only those)', async (t) => {
  const dir = tmpDir('prs-extract');
  const ids: string[] = [];
  const subGen = ['target.chr1.gen', 'target.chr23.gen'].map((g) => {
    const out = path.join(dir, g);
    const lines = fs.readFileSync(R(g), 'utf8').trimEnd().split('\n');
    const keep = lines.filter((_, i) => i % 4 !== 0);
    for (const l of lines.filter((_, i) => i % 4 === 0)) ids.push(l.split(' ')[2]);
    fs.writeFileSync(out, keep.join('\n') + '\n');
    return out;
  });
  fs.writeFileSync(path.join(dir, 'exclude.txt'), ids.join('\n') + '\n');
  const ref = prsConfig({ targets: subGen });
  await runPrs(ref);
  const x = prsConfig({ exclude: path.join(dir, 'exclude.txt') });
  const s = await runPrs(x);
  t.match(s.selection, /^--exclude \d+ variants$/);
  outputsEqual(t, x.out, ref.out, '--exclude');
  const kept = readTable(`${ref.out}.clumped.tsv`).rows.map((r) => r[1]);
  t.ok(
    kept.every((id) => !ids.includes(id)),
    'no excluded variant is an index variant',
  );
});

t.test('report --keep/--remove: r2 over the kept LD-reference samples (= a reference of only those)', async (t) => {
  const f = plantedLdFixture();
  const dir = tmpDir('report-keep');
  const w = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const sums = w('sums.tsv', f.sumstats);
  const gen = w('ref.gen', f.gen);
  const sample = w('ref.sample', f.sample);
  const keepIdx = [...Array(PLANTED_N).keys()].filter((i) => i % 3 !== 2);
  const keep = w('keep.txt', keepIdx.map((i) => `L${i + 1}`).join('\n') + '\n');
  const remove = w(
    'remove.txt',
    [...Array(PLANTED_N).keys()]
      .filter((i) => i % 3 === 2)
      .map((i) => `L${i + 1} L${i + 1}`)
      .join('\n') + '\n',
  );
  const cutGen = w(
    'cut.gen',
    f.gen
      .trimEnd()
      .split('\n')
      .map((l) => {
        const x = l.split(' ');
        return [...x.slice(0, 6), ...keepIdx.flatMap((i) => x.slice(6 + 3 * i, 9 + 3 * i))].join(' ');
      })
      .join('\n') + '\n',
  );
  const sl = f.sample.trimEnd().split('\n');
  const cutSample = w('cut.sample', [sl[0], sl[1], ...keepIdx.map((i) => sl[i + 2])].join('\n') + '\n');
  for (const method of ['dosage', 'plink1.9'] as const) {
    const ref = await writeReport(sums, path.join(dir, `cut-${method}`), { png: false, ldRef: cutGen, ldRefSample: cutSample, ldMethod: method });
    for (const [flag, opts] of [
      ['--keep', { keep }],
      ['--remove', { remove }],
    ] as const) {
      const s = await writeReport(sums, path.join(dir, `${flag}-${method}`), { png: false, ldRef: gen, ldRefSample: sample, ldMethod: method, ...opts });
      t.same(s.top_loci, ref.top_loci, `${method} ${flag}: the loci of the cut reference`);
      const c = s.clumping as { ld_samples: number; ld_samples_not_kept?: number; ld_samples_removed?: number };
      t.same([c.ld_samples, c.ld_samples_not_kept, c.ld_samples_removed], [keepIdx.length, flag === '--keep' ? PLANTED_N - keepIdx.length : 0, flag === '--remove' ? PLANTED_N - keepIdx.length : 0]);
    }
  }
  t.throws(() => resolveReportConfig({ keep }), { message: /^--keep needs --ld-ref FILE/ });
  // A .gen reference names no samples (a VCF does: its #CHROM line).
  await t.rejects(writeReport(sums, path.join(dir, 'no-sample'), { png: false, ldRef: gen, remove }), { message: /^--remove needs --ld-ref-sample FILE/ });
});
