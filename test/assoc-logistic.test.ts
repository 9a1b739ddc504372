// assoc with case/control phenotypes, end to end, against the plink2 goldens of
// test/fixtures/logistic (make-fixture.sh): one pass over BGEN and .gen.gz with two binary
// phenotypes of different missingness, a 4-case one and a quantitative one; detection and flags.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAssoc } from '../src/pipeline/assoc-run.js';
import { baseConfig } from './lib/assoc-config.js';
import { compareWithPlink2, fixture, readTable, runCli, tmpDir } from './lib/helpers.js';
import { compareLogistic, rowsOfTable } from './lib/logistic-compare.js';

const L = (f: string) => fixture('logistic', f);
const cc = (over = {}) => baseConfig({ gen: [], bgen: [L('cc.bgen')], sample: L('cc.sample'), pheno: L('cc.pheno'), covar: L('cc.covar'), ...over });

t.test('BGEN: bal, rare, cc2 (logistic) and qt (linear) in one pass equal plink2', async (t) => {
  const cfg = cc({ phenoNames: ['bal', 'rare', 'cc2', 'qt'], dosagePrecision: 'plink2' });
  const s = await runAssoc(cfg);
  t.same(
    s.phenos.map((p) => p.cc && [p.cc.cases, p.cc.controls]),
    [[128, 122], [4, 246], [59, 160], undefined],
    'cases and controls per phenotype',
  );
  t.ok(s.phenos[1].cc!.firth >= 30, 'rare: Firth fits counted');
  for (const p of ['bal', 'rare', 'cc2']) {
    const file = `${cfg.out}.${p}.tsv`;
    t.same(readTable(file).header, ['CHR', 'SNP', 'BP', 'A1', 'A2', 'FRQ', 'INFO', 'N', 'N_CASE', 'N_CTRL', 'FRQ_CASE', 'FRQ_CTRL', 'BETA', 'SE', 'Z', 'P', 'LOG10P', 'FIRTH']);
    const r = compareLogistic(rowsOfTable(file), L(`golden/bgen.${p}.glm.logistic.hybrid`), true);
    t.equal(r.compared, 300, `${p}: every variant`);
    t.same(r.problems, [], `${p}: N, BETA, SE, Z, FIRTH agree`);
    t.ok(r.flagDiff.length <= 1, `${p}: FIRTH differs on ${r.flagDiff.length} plink2-UNFINISHED rows (snp50 of rare: decision 0220)`);
  }
  // qt runs linear; its digits are checked on the .gen below (plink2 converts 8-bit BGEN v1.2
  // probabilities to dosages with its own rounding, which moves linear results in the 5th digit).
  const q = compareWithPlink2(readTable(`${cfg.out}.qt.tsv`), readTable(L('golden/bgen.qt.glm.linear')));
  t.equal(q.compared, 300, 'qt: linear table, every variant');
});

t.test('.gen.gz: the same phenotypes equal plink2 on the .gen', async (t) => {
  const cfg = cc({ bgen: [], gen: [L('cc.gen.gz')], chr: '1', phenoNames: ['bal', 'rare', 'cc2', 'qt'] });
  await runAssoc(cfg);
  for (const p of ['bal', 'rare', 'cc2']) {
    const r = compareLogistic(rowsOfTable(`${cfg.out}.${p}.tsv`), L(`golden/gen.${p}.glm.logistic.hybrid`), true);
    t.equal(r.compared, 300);
    t.same(r.problems, [], p);
  }
  const q = compareWithPlink2(readTable(`${cfg.out}.qt.tsv`), readTable(L('golden/gen.qt.glm.linear')));
  t.equal(q.compared, 300);
  t.same(q.problems, [], 'qt (linear, same pass) equals plink2 to its printed digits');
});

t.test('identical output for any thread count and chunk size; shards merge to the whole', async (t) => {
  const a = cc({ phenoNames: ['rare'], threads: 1 });
  await runAssoc(a);
  const b = cc({ phenoNames: ['rare'], threads: 2, chunkSize: 4096 });
  await runAssoc(b);
  const want = fs.readFileSync(`${a.out}.rare.tsv`);
  t.ok(fs.readFileSync(`${b.out}.rare.tsv`).equals(want), 'threads 1 vs 2, 4 KB chunks');
  const dir = tmpDir('lshard');
  for (const i of [1, 2]) await runAssoc(cc({ phenoNames: ['rare'], shard: { index: i, count: 2 }, out: path.join(dir, `s${i}`) }));
  const m = runCli(['merge', path.join(dir, 's1.rare.tsv'), path.join(dir, 's2.rare.tsv'), '--out', path.join(dir, 'merged.tsv')]);
  t.equal(m.status, 0, m.stderr);
  t.ok(fs.readFileSync(path.join(dir, 'merged.tsv')).equals(want), 'merged shards = unsharded');
  const rep = runCli(['report', `${a.out}.rare.tsv`, '--out', path.join(dir, 'rep')]);
  t.equal(rep.status, 0, rep.stderr);
  const sum = JSON.parse(fs.readFileSync(path.join(dir, 'rep', 'summary.json'), 'utf8'));
  t.ok(sum.lambda_gc > 0.5 && sum.lambda_gc < 1.5, `report: lambda from P (${sum.lambda_gc})`);
});

t.test('CLI: detection, overrides and bad input', async (t) => {
  const dir = tmpDir('lcli');
  const base = ['assoc', '--bgen', L('cc.bgen'), '--sample', L('cc.sample'), '--covar', L('cc.covar')];
  const q = runCli([...base, '--pheno', L('cc.pheno'), '--pheno-name', 'bal', '--pheno-quantitative', 'bal', '--out', path.join(dir, 'q')]);
  t.equal(q.status, 0, q.stderr);
  t.equal(readTable(path.join(dir, 'q.bal.tsv')).header[10], 'T', '--pheno-quantitative: a 1/2 phenotype runs linear');
  const lines = fs.readFileSync(L('cc.pheno'), 'utf8').split('\n');
  const f = lines[5].split('\t');
  f[1] = '3';
  lines[5] = f.join('\t');
  fs.writeFileSync(path.join(dir, 'bad.pheno'), lines.join('\n'));
  const bad = runCli([...base, '--pheno', path.join(dir, 'bad.pheno'), '--pheno-name', 'bal', '--out', path.join(dir, 'b')]);
  t.equal(bad.status, 3, 'a 3 in a 1/2 phenotype: exit 3');
  t.match(bad.stderr, /bad\.pheno:6: phenotype 'bal' is coded 1\/2 .*value 3/, 'names file, line and phenotype');
  t.notOk(fs.existsSync(path.join(dir, 'b.bal.tsv')), 'no output left');
  const nf = runCli([...base, '--pheno', L('cc.pheno'), '--pheno-name', 'rare', '--no-firth', '--out', path.join(dir, 'x')]);
  t.equal(nf.status, 0, nf.stderr);
  const nfr = rowsOfTable(path.join(dir, 'x.rare.tsv'));
  t.ok([...nfr.values()].filter((r) => Number.isNaN(r.beta)).length >= 30, '--no-firth: NA where logistic fails');
  t.notOk(
    [...nfr.values()].some((r) => r.firth),
    '--no-firth: no Firth row',
  );
  t.match(nf.stderr, /rare \(case\/control.*NA \(\d+ SEPARATION, \d+ LOGISTIC_CONVERGE_FAIL/, '--no-firth: NA rows counted by reason');
  const ctl = fs
    .readFileSync(L('cc.pheno'), 'utf8')
    .split('\n')
    .map((l, i) => (i === 0 ? l : l.replace(/^(\S+)\t2\t/, '$1\t1\t')))
    .join('\n');
  fs.writeFileSync(path.join(dir, 'ctl.pheno'), ctl);
  const one = runCli([...base, '--pheno', path.join(dir, 'ctl.pheno'), '--pheno-name', 'bal,qt', '--out', path.join(dir, 'c')]);
  t.equal(one.status, 0, one.stderr);
  t.match(one.stderr, /bal: all 250 samples used are controls.*skipped/, 'one class only: skipped with a warning');
  const f1 = runCli([...base, '--1', '--pheno', L('cc.pheno'), '--pheno-name', 'one01', '--firth', '--out', path.join(dir, 'o')]);
  t.equal(f1.status, 0, f1.stderr);
  t.match(f1.stderr, /one01 \(case\/control, logistic: \d+ cases, \d+ controls; 300 Firth fits\)/, '--1 and --firth: summary');
});

t.test('--min-maf / --min-info on case/control rows: the rows of the unfiltered run that pass, counted (the filter now acts before the fit)', async (t) => {
  const all = cc({ phenoNames: ['bal', 'rare'] });
  await runAssoc(all);
  const filt = cc({ phenoNames: ['bal', 'rare'], filters: { minInfo: 0.8, maxInfo: Infinity, minMaf: 0.05 } });
  const s = await runAssoc(filt);
  for (const [j, p] of ['bal', 'rare'].entries()) {
    const a = readTable(`${all.out}.${p}.tsv`);
    const f = readTable(`${filt.out}.${p}.tsv`);
    const frq = a.header.indexOf('FRQ');
    const info = a.header.indexOf('INFO');
    const pass = a.rows.filter((r) => Number(r[info]) >= 0.8 && Math.min(Number(r[frq]), 1 - Number(r[frq])) >= 0.05);
    t.ok(pass.length > 10 && pass.length < a.rows.length, `${p}: ${pass.length} of ${a.rows.length} rows pass`);
    t.same(f.rows, pass, `${p}: the same rows, digit for digit, FIRTH flags included`);
    const ps = s.phenos[j];
    t.equal(ps.filteredInfo + ps.filteredMaf, a.rows.length - pass.length, `${p}: the removed rows counted`);
  }
});
