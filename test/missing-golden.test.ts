// Heavy missingness equal to plink2 (issue 19): half the variants missing 50-70% of their dosages
// (.gen exported by plink2), hard calls with 2% missing (BGEN 8-bit exported by plink2), two
// phenotypes with their own missingness, and a covariate present in 6 samples only, so that some
// variants' present samples make the fit singular (plink2's VIF_INFINITE). Goldens: plink2 2.00a3.5
// (test/fixtures/missing/make-fixture.sh). Every row equal to plink2's printed precision, NA rows
// where plink2 has them with the same reason, at several thread counts and chunk sizes.
import t from 'tap';
import * as path from 'node:path';
import { compareWithPlink2, fixture, hasCommand, plink2Glm, readTable, runCli, tmpDir, type Table } from './lib/helpers.js';

const M = (f: string) => fixture('missing', f);
const PHENOS = ['PHENO1', 'PHENO2'];
const INPUTS: Record<string, string[]> = {
  half: ['--gen', M('half.gen.gz'), '--sample', M('half.sample'), '--pheno', M('half.pheno')],
  hard: ['--bgen', M('hard.bgen'), '--sample', M('hard.sample'), '--pheno', M('hard.pheno')],
};

function naReasons(tb: Table, col: string): Record<string, number> {
  const c = tb.header.indexOf(col);
  const out: Record<string, number> = {};
  for (const r of tb.rows) if (r[c] !== '.' && r[c] !== undefined) out[r[c]] = (out[r[c]] ?? 0) + 1;
  return out;
}

for (const [name, inputs] of Object.entries(INPUTS)) {
  for (const extra of [[], ['--threads', '1', '--chunk-size', '4096'], ['--threads', '3', '--chunk-size', '777']]) {
    t.test(`${name}${extra.length ? ` (${extra.join(' ')})` : ''}: every row equals plink2's`, async (t) => {
      const dir = tmpDir(`missing-${name}`);
      const out = path.join(dir, 'o');
      const r = runCli(['assoc', ...inputs, '--covar', M('covar.tsv'), '--out', out, '--no-progress', ...extra]);
      t.equal(r.status, 0, r.stderr);
      for (const p of PHENOS) {
        const gold = readTable(M(`golden/${name}.${p}.glm.linear`));
        const ours = readTable(`${out}.${p}.tsv`);
        const res = compareWithPlink2(ours, gold);
        t.same(res.problems, [], `${p}: no differences`);
        t.equal(res.compared, gold.rows.length, `${p}: all ${gold.rows.length} rows compared`);
        const reasons = naReasons(gold, 'ERRCODE');
        // The closing summary counts the NA rows by plink2's reason.
        for (const [why, n] of Object.entries(reasons)) t.match(r.stderr, new RegExp(`${p}: .*${n} NA \\(.*${n} ${why}`), `${p}: ${n} ${why} as plink2`);
      }
    });
  }
}

t.test('half: at least one variant is NA for a singular subset and many are half missing (the fixture tests what it says)', async (t) => {
  const gold = readTable(M('golden/half.PHENO2.glm.linear'));
  t.ok((naReasons(gold, 'ERRCODE').VIF_INFINITE ?? 0) > 0, 'plink2 has VIF_INFINITE rows');
  const n = gold.header.indexOf('OBS_CT');
  const low = gold.rows.filter((r) => Number(r[n]) < 100).length;
  t.ok(low >= 50, `${low} variants with under half the samples present`);
});

t.test('live plink2 reproduces the goldens', { skip: hasCommand('plink2') ? false : 'plink2 not installed (the goldens above still ran)' }, async (t) => {
  const dir = tmpDir('missing-live');
  const r1 = plink2Glm(['--gen', M('half.gen.gz'), 'ref-first', '--sample', M('half.sample'), '--pheno', M('half.pheno'), '--covar', M('covar.tsv')], path.join(dir, 'half'));
  const r2 = plink2Glm(['--bgen', M('hard.bgen'), 'ref-first', '--sample', M('hard.sample'), '--pheno', M('hard.pheno'), '--covar', M('covar.tsv')], path.join(dir, 'hard'));
  t.equal(r1.status, 0, 'plink2 ran (half)');
  t.equal(r2.status, 0, 'plink2 ran (hard)');
  for (const x of ['half', 'hard']) for (const p of PHENOS) t.same(readTable(path.join(dir, `${x}.${p}.glm.linear`)).rows, readTable(M(`golden/${x}.${p}.glm.linear`)).rows, `${x} ${p}`);
});
