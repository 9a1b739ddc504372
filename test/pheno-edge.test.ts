// Phenotype and model edge cases as users have them, against plink2 2.00a3.5
// (test/fixtures/pheno-edge/make-fixture.sh: plink2 --dummy, exported by plink2; its goldens).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareWithPlink2, fixture, readTable, runCli, tmpDir } from './lib/helpers.js';
import { compareLogistic, rowsOfTable } from './lib/logistic-compare.js';

const E = (f: string) => fixture('pheno-edge', f);
const GEN = ['--gen', E('edge.gen.gz'), '--sample', E('edge.sample')];
const L = (f: string) => fixture('logistic', f);
/** assoc on the logistic fixture's 'rare' phenotype (its BGEN and covariates), with `flags`. */
const rareRun = (out: string, ...flags: string[]) =>
  runCli(['assoc', '--bgen', L('cc.bgen'), '--sample', L('cc.sample'), '--pheno', L('cc.pheno'), '--pheno-name', 'rare', '--covar', L('cc.covar'), ...flags, '--out', out, '--no-progress']);

t.test("a quantitative phenotype constant among a variant's present samples is INVALID_RESULT, not round-off", async (t) => {
  // spike is 0.5 but for two samples: a variant missing both dosages has a constant phenotype.
  // The round-off bar was the total over the variant's own samples, itself round-off there, so
  // BETA ~1e-19 with SE ~1e-9 and P = 1 was printed as a result (plink2: INVALID_RESULT, or its
  // round-off printed: snp8).
  const dir = tmpDir('pheno-edge-spike');
  const out = path.join(dir, 'o');
  const r = runCli(['assoc', ...GEN, '--pheno', E('edge.pheno'), '--pheno-name', 'spike,qt', '--covar', E('edge.covar'), '--covar-name', 'age,pc1', '--out', out, '--no-progress']);
  t.equal(r.status, 0, r.stderr);
  const gold = readTable(E('golden/edge.spike.glm.linear'));
  const ours = readTable(`${out}.spike.tsv`);
  const gb = gold.header.indexOf('BETA');
  const degenerate = new Set(gold.rows.filter((g) => g[gb] === 'NA' || Math.abs(Number(g[gb])) < 1e-10).map((g) => g[gold.header.indexOf('ID')]));
  t.ok(degenerate.size >= 5, `${degenerate.size} variants miss both spike samples`);
  const ob = ours.header.indexOf('BETA');
  const os = ours.header.indexOf('SNP');
  for (const row of ours.rows) if (degenerate.has(row[os])) t.equal(row[ob], 'NA', `${row[os]}: NA`);
  t.match(r.stderr, new RegExp(`spike: .*${degenerate.size} NA \\(${degenerate.size} INVALID_RESULT\\)`), 'counted as INVALID_RESULT');
  const rest = { header: gold.header, rows: gold.rows.filter((g) => !degenerate.has(g[gold.header.indexOf('ID')])) };
  t.same(compareWithPlink2(ours, rest).problems, [], 'every other row equals plink2');
  t.same(compareWithPlink2(readTable(`${out}.qt.tsv`), readTable(E('golden/edge.qt.glm.linear'))).problems, [], 'qt equals plink2');
});

t.test('a case/control phenotype with a covariate in the 1e10s: standardized as plink2 asks, not every row INVALID_RESULT', async (t) => {
  // plink2 stops on these scales ("try --covar-variance-standardize"); the logistic fits failed
  // plink2's variance floor (1e-20) on the big covariate's coefficient, so every row was NA.
  const dir = tmpDir('pheno-edge-big');
  const out = path.join(dir, 'o');
  const r = runCli(['assoc', ...GEN, '--pheno', E('edge.pheno'), '--pheno-name', 'cc', '--covar', E('edge.covar'), '--covar-name', 'big,pc1', '--out', out, '--no-progress']);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /covariate scales vary too widely .*phenotype cc.*standardized as --covar-variance-standardize/, 'warned');
  const ours = rowsOfTable(`${out}.cc.tsv`);
  // snp21 and snp37 against plink2 run on each alone (its stale padding moves their SE in the whole run).
  const res = compareLogistic(ours, E('golden/big.cc.glm.logistic.hybrid'), true);
  t.same(
    res.problems.filter((p) => !/^snp(21|37): SE/.test(p)),
    [],
    'every row equals plink2 --covar-variance-standardize',
  );
  t.equal(res.compared, 40, 'all 40 rows');
  t.same(compareLogistic(ours, E('golden/alone.cc.glm.logistic.hybrid'), true).problems, [], 'snp21 and snp37 equal plink2 alone');
  t.notMatch(r.stderr, /INVALID_RESULT/, 'no INVALID_RESULT');
  // Scales plink2 takes are left as they are (no warning).
  const r2 = runCli(['assoc', ...GEN, '--pheno', E('edge.pheno'), '--pheno-name', 'cc', '--covar', E('edge.covar'), '--covar-name', 'age,pc1', '--out', path.join(dir, 'p'), '--no-progress']);
  t.equal(r2.status, 0, r2.stderr);
  t.notMatch(r2.stderr, /scales vary/, 'age and pc1: no warning');
});

t.test('a phenotype column missing for every sample is said so, naming the file (was: check that the IDs match)', async (t) => {
  const dir = tmpDir('pheno-edge-allna');
  const pheno = path.join(dir, 'p.tsv');
  const ids = readTable(E('edge.pheno')).rows.map((r) => r[0]);
  fs.writeFileSync(pheno, `#IID\tnone\tqt\n${ids.map((id, i) => `${id}\t${i % 2 ? 'NA' : '-9'}\t${i / 7}`).join('\n')}\n`);
  const both = runCli(['assoc', ...GEN, '--pheno', pheno, '--out', path.join(dir, 'a'), '--no-progress']);
  t.equal(both.status, 0, both.stderr);
  t.match(both.stderr, /warning: phenotype none: every genotyped sample has it missing .*: skipped/, 'skipped with the reason');
  const alone = runCli(['assoc', ...GEN, '--pheno', pheno, '--pheno-name', 'none', '--out', path.join(dir, 'b'), '--no-progress']);
  t.equal(alone.status, 3, 'exit 3');
  t.match(alone.stderr, /^dosageflow: .*p\.tsv: phenotype none: every genotyped sample has it missing/, 'one line naming the file');
  t.notMatch(alone.stderr, /IDs match/, 'no hint about IDs');
});

t.test('--format plink2 --no-firth: ERRCODE SEPARATION names the allele as plink2 does (SEPARATION,REF / SEPARATION,ALT1)', async (t) => {
  // It printed SEPARATION alone. plink2 checks REF first (the omitted allele too), then ALT.
  const dir = tmpDir('pheno-edge-sep');
  const out = path.join(dir, 'o');
  const r = rareRun(out, '--no-firth', '--format', 'plink2');
  t.equal(r.status, 0, r.stderr);
  const gold = readTable(L('golden/nofirth.rare.glm.logistic'));
  // plink2 names the table .glm.logistic under no-firth, without a FIRTH? column.
  const ours = readTable(`${out}.rare.glm.logistic`);
  t.notOk(ours.header.includes('FIRTH?'), 'no FIRTH? column');
  const errOf = (tb: typeof gold) => new Map(tb.rows.map((row) => [row[tb.header.indexOf('ID')], row[tb.header.indexOf('ERRCODE')]]));
  const g = errOf(gold);
  const o = errOf(ours);
  let n = 0;
  for (const [id, e] of g) {
    if (!e.startsWith('SEPARATION')) continue;
    n++;
    t.equal(o.get(id), e, `${id}: ${e}`);
  }
  t.ok(n >= 20, `${n} separated rows`);
  t.ok([...g.values()].some((e) => e === 'SEPARATION,REF') && [...g.values()].some((e) => e === 'SEPARATION,ALT1'), 'both kinds');
});

t.test("--format plink2: a logistic row at plink2's unfinished 14th iterate has ERRCODE UNFINISHED, as plink2 prints it", async (t) => {
  // Its values are plink2's iterate (no finite MLE); ERRCODE was '.'. Compared with plink2 run on
  // each variant alone (golden/rare-alone), since the whole run's stale padding tips some of them.
  const dir = tmpDir('pheno-edge-unf');
  const out = path.join(dir, 'o');
  const r = rareRun(out, '--format', 'plink2');
  t.equal(r.status, 0, r.stderr);
  const gold = readTable(E('golden/rare-alone.glm.logistic.hybrid'));
  const ours = readTable(`${out}.rare.glm.logistic.hybrid`);
  const byId = (tb: typeof gold) => new Map(tb.rows.map((row) => [row[tb.header.indexOf('ID')], row]));
  const o = byId(ours);
  const [fi, ei] = [gold.header.indexOf('FIRTH?'), gold.header.indexOf('ERRCODE')];
  let unfinished = 0;
  for (const g of gold.rows) {
    if (g[fi] !== 'N') continue; // Firth rows: plink2's UNFINISHED Firth iterates are converged or NA here (docs/logistic.md)
    const row = o.get(g[gold.header.indexOf('ID')])!;
    if (g[ei] === 'UNFINISHED') unfinished++;
    t.equal(row[ei], g[ei], `${g[2]}: ${g[ei]}`);
  }
  t.ok(unfinished >= 10, `${unfinished} unfinished logistic rows`);
});

t.test('Firth with two maxima (6 samples, 5 predictors): the higher one, as plink2 reaches from 0', async (t) => {
  // From the covariates' null coefficients Firth converged to a lower maximum (snp152: BETA -0.195
  // where the penalised likelihood is -4.714; plink2 1.077 at -3.939), printed as a result.
  const dir = tmpDir('pheno-edge-tiny');
  const out = path.join(dir, 'o');
  const r = runCli([
    'assoc',
    '--gen',
    E('tiny.gen'),
    '--sample',
    E('tiny.sample'),
    '--pheno',
    E('tiny.pheno'),
    '--covar',
    E('tiny.covar'),
    '--covar-variance-standardize',
    '--out',
    out,
    '--no-progress',
  ]);
  t.equal(r.status, 0, r.stderr);
  const res = compareLogistic(rowsOfTable(`${out}.cc.tsv`), E('golden/tiny.cc.glm.logistic.hybrid'), true);
  t.same(res.problems, [], 'every row equals plink2');
  t.equal(res.compared, 5, 'all 5 rows');
});

t.test("--format plink2 --firth / --no-firth: plink2's file names (.glm.firth, .glm.logistic) and header (no FIRTH?)", async (t) => {
  // Both were written as .glm.logistic.hybrid with a FIRTH? column, which plink2 prints only under firth-fallback.
  const dir = tmpDir('pheno-edge-names');
  for (const [flag, ext] of [
    ['--firth', 'firth'],
    ['--no-firth', 'logistic'],
  ]) {
    const out = path.join(dir, ext);
    const r = rareRun(out, flag, '--format', 'plink2');
    t.equal(r.status, 0, r.stderr);
    t.notOk(fs.existsSync(`${out}.rare.glm.logistic.hybrid`), `${flag}: no .glm.logistic.hybrid`);
    const golden = readTable(L(`golden/${ext === 'firth' ? 'firth' : 'nofirth'}.rare.glm.${ext}`));
    const ours = readTable(`${out}.rare.glm.${ext}`);
    // The goldens were made with cols=+beta (BETA, SE where the default prints OR, LOG(OR)_SE).
    const want = golden.header.map((h) => (h === 'BETA' ? 'OR' : h === 'SE' ? 'LOG(OR)_SE' : h));
    t.same(ours.header, want, `${flag}: .glm.${ext} with plink2's columns`);
    t.notOk(ours.header.includes('FIRTH?'), `${flag}: no FIRTH? column, as plink2`);
  }
});
