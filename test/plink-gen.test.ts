// .gen files as plink writes them (issue 16, part 1): plink2 --export oxford and plink 1.9 --recode
// oxford (CHR ID POS A B, several chromosomes a file, .sample with ID_1 = 0 and `sex D` holding NA),
// compared with plink2 --glm on the same files for every variant; the other two layouts; the errors
// that keep a layout from being silently wrong. Fixture and goldens: test/fixtures/plink-gen/make-*.sh.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAssoc, type AssocConfig } from '../src/pipeline/assoc-run.js';
import { baseConfig } from './lib/assoc-config.js';
import { compareWithPlink2, fixture, hasCommand, readTable, runCli, tmpDir, type Table, plink2Glm } from './lib/helpers.js';

const P = (f: string) => fixture('plink-gen', f);

function config(over: Partial<AssocConfig> = {}): AssocConfig {
  return baseConfig({ gen: [P('plink2.gen')], sample: P('plink2.sample'), pheno: P('pheno.tsv'), covar: P('covar.tsv'), chunkSize: 4096, threads: 1, ...over });
}

async function rows(cfg: AssocConfig): Promise<Table> {
  await runAssoc(cfg);
  return readTable(`${cfg.out}.y.tsv`);
}

/** Our table against a plink2 golden: every golden variant equal, and no row more. */
function same(t: Test, ours: Table, golden: Table, what: string): void {
  const r = compareWithPlink2(ours, golden);
  t.equal(r.compared, golden.rows.length, `${what}: every plink2 variant present`);
  t.equal(ours.rows.length, golden.rows.length, `${what}: no variant more`);
  t.same(r.problems, [], `${what}: BETA SE T P N FRQ INFO agree`);
}

/** A copy of plink2.gen rewritten line by line (the other layouts are derived from it). */
function derived(name: string, f: (fields: string[]) => string[] | null): string {
  const out = path.join(tmpDir('layout'), name);
  const lines = fs.readFileSync(P('plink2.gen'), 'utf8').trimEnd().split('\n');
  fs.writeFileSync(
    out,
    lines
      .map((l) => f(l.split(' ')))
      .filter((l) => l !== null)
      .map((l) => l!.join(' '))
      .join('\n') + '\n',
  );
  return out;
}

const golden = (name: string) => readTable(P(`golden/${name}.y.glm.linear`));

t.test('plink2 --export oxford: CHR ID POS A B over three chromosomes equals plink2 on every variant', async (t) => {
  const ours = await rows(config());
  same(t, ours, golden('plink2'), 'plink2.gen');
  t.same([...new Set(ours.rows.map((r) => r[0]))], ['1', '2', '22'], 'each line labelled with its own chromosome');
  t.equal(ours.rows[0][1], 'snp0', 'the SNP column is the ID column');
});

t.test('plink 1.9 --recode oxford (hard calls) equals plink2 on every variant', async (t) => {
  same(t, await rows(config({ gen: [P('plink19.gen')], sample: P('plink19.sample') })), golden('plink19'), 'plink19.gen');
});

t.test('the 6-column layout (CHR SNPID RSID POS A B) of the same data gives the same rows', async (t) => {
  const six = derived('six.gen', (f) => [f[0], `${f[0]}:${f[2]}`, ...f.slice(1)]);
  same(t, await rows(config({ gen: [six] })), golden('plink2'), 'six.gen');
  // --chr that agrees with the chromosome column is accepted; one that does not is an error.
  const c22 = derived('six22.gen', (f) => (f[0] === '22' ? [f[0], `${f[0]}:${f[2]}`, ...f.slice(1)] : null));
  const g22 = golden('plink2');
  g22.rows = g22.rows.filter((r) => r[0] === '22');
  same(t, await rows(config({ gen: [c22], chr: 'chr22' })), g22, 'six-column chr22 with --chr chr22');
  await t.rejects(runAssoc(config({ gen: [six], chr: '1' })), { message: /chromosome '2' in the first column, but --chr 1 was given/, line: 81 });
});

t.test('the IMPUTE2 layout (SNPID RSID POS A B) takes its chromosome from --chr, and needs it', async (t) => {
  const imp = derived('impute2.chr22.gen', (f) => (f[0] === '22' ? ['---', ...f.slice(1)] : null));
  const g22 = golden('plink2');
  g22.rows = g22.rows.filter((r) => r[0] === '22');
  same(t, await rows(config({ gen: [imp], chr: '22' })), g22, 'IMPUTE2 chr22 with --chr 22');
  await t.rejects(runAssoc(config({ gen: [imp] })), { message: /first column '---' is not a chromosome code: .*needs --chr CODE/, line: 1, file: imp });
  // An rsid or chr:pos ID in the first column is an ID too.
  const rs = derived('rs.gen', (f) => (f[0] === '22' ? [`22:${f[2]}_${f[3]}_${f[4]}`, ...f.slice(1)] : null));
  same(t, await rows(config({ gen: [rs], chr: '22' })), g22, 'IMPUTE2 with chr:pos SNPIDs');
});

t.test('plink-layout .gen with --chr: equal codes accepted, a different code is an error on its line', async (t) => {
  const c1 = derived('chr1.gen', (f) => (f[0] === '1' ? f : null));
  const g1 = golden('plink2');
  g1.rows = g1.rows.filter((r) => r[0] === '1');
  same(t, await rows(config({ gen: [c1], chr: '1' })), g1, 'chr1 with --chr 1');
  await t.rejects(runAssoc(config({ chr: '1' })), { message: /chromosome '2' in the first column, but --chr 1 was given .*as plink2 --chr does, give --region 1\)$/, line: 81 });
  await t.rejects(runAssoc(config({ gen: [c1], chr: '23' })), { message: /chromosome '1' in the first column, but --chr 23 was given .*give --region 23\)$/, line: 1 });
  // plink's numbering and the chr prefix are chromosome codes too.
  const x = derived('chrx.gen', (f) => (f[0] === '22' ? ['chr23', ...f.slice(1)] : null));
  const xr = await rows(config({ gen: [x], chr: 'X' }));
  t.equal(xr.rows[0][0], 'X', 'chr23 is X');
});

t.test('a later line whose first column is no chromosome code stops the run (never relabelled)', async (t) => {
  let n = 0;
  const bad = derived('bad.gen', (f) => (++n === 100 ? ['rs999', ...f.slice(1)] : f));
  await t.rejects(runAssoc(config({ gen: [bad] })), { message: /first column 'rs999' is not a chromosome code, but this file's first line has one/, line: 100 });
});

t.test('sample-count mismatch: the error names the .gen line and the .sample file', async (t) => {
  const dir = tmpDir('mismatch');
  const sample = path.join(dir, 'fewer.sample');
  const lines = fs.readFileSync(P('plink2.sample'), 'utf8').trimEnd().split('\n');
  fs.writeFileSync(sample, lines.slice(0, -2).join('\n') + '\n');
  await t.rejects(runAssoc(config({ sample })), {
    message: new RegExp(`185 fields: a \\.gen line for the 58 samples of ${sample.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} .*this line has 60 samples`),
    line: 1,
  });
  const r = runCli(['assoc', '--gen', P('plink2.gen'), '--sample', sample, '--pheno', P('pheno.tsv'), '--out', path.join(dir, 'o')]);
  t.equal(r.status, 3, 'exit 3 (bad input)');
  const err = r.stderr
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('dosageflow: warning:'));
  t.equal(err.length, 1, 'one line');
  t.match(err[0], `plink2.gen:1: 185 fields`);
  t.match(err[0], 'fewer.sample');
  t.notOk(fs.existsSync(path.join(dir, 'o.y.tsv')), 'no output left');
});

t.test('.sample with ID_1 = 0 has no FIDs: a FID IID table matches on IID', async (t) => {
  const dir = tmpDir('fid0');
  const pheno = path.join(dir, 'pheno.tsv');
  const text = fs.readFileSync(P('pheno.tsv'), 'utf8').trimEnd().split('\n');
  fs.writeFileSync(pheno, text.map((l, i) => (i === 0 ? `FID\t${l.slice(1)}` : `fam${i}\t${l}`)).join('\n') + '\n');
  const s = await runAssoc(config({ pheno }));
  t.match(s.matching, /60 of 60 .*\(matched on IID\)/);
  same(t, readTable(s.phenos[0].output), golden('plink2'), 'FID IID phenotype table');
});

t.test('regression: a .sample without its column types line lost its first sample and blamed the .gen', async (t) => {
  // plink2: "Unrecognized .sample variable type 'FAM0001'"; the types are one of 0 D C P B a column.
  const dir = tmpDir('sample-types');
  const lines = fs.readFileSync(P('plink2.sample'), 'utf8').trimEnd().split('\n');
  const noTypes = path.join(dir, 'no-types.sample');
  fs.writeFileSync(noTypes, [lines[0], ...lines.slice(2)].join('\n') + '\n');
  await t.rejects(runAssoc(config({ sample: noTypes })), { message: /^the second header line holds the column types \(0, D, C, P or B\), not '.+': is it missing\?$/, file: noTypes, line: 2 });
  const fewTypes = path.join(dir, 'few-types.sample');
  fs.writeFileSync(fewTypes, [lines[0], '0 0 0', ...lines.slice(2)].join('\n') + '\n');
  await t.rejects(runAssoc(config({ sample: fewTypes })), { message: /^3 column types on the second header line, where the first has 4 columns$/, line: 2 });
});

t.test('live plink2 on the committed files gives the committed goldens', { skip: !hasCommand('plink2') && 'plink2 not installed (the goldens above still ran)' }, async (t) => {
  const dir = tmpDir('live');
  const r = plink2Glm(['--gen', P('plink2.gen'), 'ref-first', '--sample', P('plink2.sample'), '--pheno', P('pheno.tsv'), '--covar', P('covar.tsv')], path.join(dir, 'live'));
  t.equal(r.status, 0, 'plink2 ran');
  same(t, await rows(config()), readTable(path.join(dir, 'live.y.glm.linear')), 'live plink2');
});

t.test('layout from the first non-blank line at any chunk edge, in shards and from stdin', async (t) => {
  const text = fs.readFileSync(P('plink2.gen'), 'utf8');
  const dir = tmpDir('edges');
  const blank = path.join(dir, 'blank-first.gen');
  fs.writeFileSync(blank, `\n  \n${text}`);
  const g = golden('plink2');
  for (const chunkSize of [1, 7, 4096]) same(t, await rows(config({ gen: [blank], chunkSize })), g, `leading blank lines, ${chunkSize}-byte chunks`);
  const mixed = path.join(dir, 'mixed.gen');
  fs.writeFileSync(mixed, `\n  \n${text.replace(/^22 /gm, '--- ')}`);
  for (const chunkSize of [1, 7, 4096]) {
    await t.rejects(
      runAssoc(config({ gen: [mixed], chunkSize })),
      { message: /first column '---' is not a chromosome code, but this file's first line has one/, line: 163 },
      `${chunkSize}-byte chunks: the line`,
    );
  }
  const imp = path.join(dir, 'imp.gen');
  fs.writeFileSync(imp, `\n\n${text.replace(/^1 /gm, '--- ')}`);
  await t.rejects(runAssoc(config({ gen: [imp], chunkSize: 7 })), { message: /first column '---' is not a chromosome code: .*needs --chr/, line: 3 });
  // --shard 2/3 is lines 81-160: chromosome 2.
  const g2 = golden('plink2');
  g2.rows = g2.rows.filter((r) => r[0] === '2');
  same(t, await rows(config({ shard: { index: 2, count: 3 } })), g2, 'shard 2/3');
  const out = path.join(dir, 'stdin');
  const r = runCli(['assoc', '--gen', '-', '--sample', P('plink2.sample'), '--pheno', P('pheno.tsv'), '--covar', P('covar.tsv'), '--threads', '1', '--out', out], { input: text });
  t.equal(r.status, 0, 'stdin');
  same(t, readTable(`${out}.y.tsv`), g, 'stdin');
});
