// Degenerate regressions (issue 15 item 3) and scale invariance (issue 15 item 9) against plink2
// goldens committed under test/fixtures/degenerate (make-golden.sh made them), with heavy
// missingness (issue 19: rs21-rs40 miss 30-70% of their dosages: the Gram downdate and the sum of
// the present rows).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAssoc } from '../src/pipeline/assoc-run.js';
import { baseConfig } from './lib/assoc-config.js';
import { compareWithPlink2, fixture, hasCommand, readTable, tmpDir, type Table, plink2Glm } from './lib/helpers.js';

const D = (f: string) => fixture('degenerate', f);
const COND = ['age', 'PC1', 'cond', 'near', 'combo', 'rare'];

function cfgFor(over: Parameters<typeof baseConfig>[0] = {}) {
  return baseConfig({ gen: [D('degenerate.gen')], sample: D('degenerate.sample'), pheno: D('degenerate.pheno'), covar: D('degenerate.covar'), covarNames: COND, ...over });
}

/** plink2's ERRCODE counts (rows that are not '.'). */
function errcodes(ref: Table): Record<string, number> {
  const i = ref.header.indexOf('ERRCODE');
  const out: Record<string, number> = {};
  for (const r of ref.rows) if (r[i] !== '.') out[r[i]] = (out[r[i]] ?? 0) + 1;
  return out;
}

t.test("15.3 degenerate regressions are NA with plink2's reason (CORR_TOO_HIGH, VIF_TOO_HIGH, VIF_INFINITE), counted in the summary", async (t) => {
  const logs: string[] = [];
  const cfg = cfgFor({ log: (l) => logs.push(l) });
  const s = await runAssoc(cfg);
  const ref = readTable(D('golden/cond.y.glm.linear'));
  const r = compareWithPlink2(readTable(`${cfg.out}.y.tsv`), ref);
  t.equal(r.compared, 40);
  t.same(r.problems, [], 'BETA SE T P N FRQ INFO (NA where plink2 prints NA) agree');
  t.same(s.phenos[0].naReasons, errcodes(ref), "NA rows by reason equal plink2's ERRCODE counts");
  t.same(s.phenos[0].naReasons, { CORR_TOO_HIGH: 2, VIF_TOO_HIGH: 1, VIF_INFINITE: 1 });
  t.match(logs.join('\n'), /4 NA \(.*2 CORR_TOO_HIGH/, 'the closing summary names the reasons');
});

t.test('15.3 the phenotype as its own covariate: NA on every row (INVALID_RESULT), not round-off', async (t) => {
  const cfg = cfgFor({ covarNames: ['age', 'PC1', 'y2'] });
  const s = await runAssoc(cfg);
  const rows = readTable(`${cfg.out}.y.tsv`).rows;
  t.equal(rows.length, 40);
  t.ok(
    rows.every((row) => row[8] === 'NA' && row[11] === 'NA'),
    'every BETA and P is NA',
  );
  t.same(s.phenos[0].naReasons, { INVALID_RESULT: 40 });
  t.match(s.warnings.join('\n'), /phenotype 'y' has no variance after covariates/);
  // plink2 prints INVALID_RESULT for most rows and round-off (BETA 5.55112e-16, P 1) for the rest.
  t.ok(errcodes(readTable(D('golden/self.y.glm.linear'))).INVALID_RESULT > 0);
});

t.test('15.3 --max-corr and --vif move the thresholds', async (t) => {
  const loose = await runAssoc(cfgFor({ vif: 1e9, maxCorr: 1 }));
  // rs6's covariate is its dosage to 6 decimals, not to the 1/16384 plink2 rounds to: not singular.
  t.same(loose.phenos[0].naReasons, { VIF_INFINITE: 1 }, 'only the singular one left (rs18: a covariate constant among its samples)');
  const strict = await runAssoc(cfgFor({ covarNames: ['age', 'PC1'], vif: 1.02 }));
  t.ok((strict.phenos[0].naReasons.VIF_TOO_HIGH ?? 0) > 0, 'a VIF limit near 1 flags ordinary variants');
});

/** Writes a copy of a table with column `col` multiplied by `f` (printed with 17 digits). */
function scaled(file: string, col: string, f: number, dir: string): string {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const h = lines[0].split(/\s+/);
  const c = h.indexOf(col);
  const out = [
    lines[0],
    ...lines.slice(1).map((l) => {
      const v = l.split(/\s+/);
      v[c] = (Number(v[c]) * f).toPrecision(17);
      return v.join(' ');
    }),
  ];
  const p = path.join(dir, `${path.basename(file)}.${col}.${f}`);
  fs.writeFileSync(p, out.join('\n') + '\n');
  return p;
}

t.test('15.9 P does not depend on the units: phenotype x1e150 and x1e-200, a covariate x1e300', async (t) => {
  const dir = tmpDir('scale');
  const covs = ['age', 'PC1'];
  const base = cfgFor({ covarNames: covs });
  await runAssoc(base);
  const want = readTable(`${base.out}.y.tsv`).rows;
  const cases: [string, Partial<Parameters<typeof baseConfig>[0]>, number][] = [
    ['phenotype x1e150', { pheno: scaled(D('degenerate.pheno'), 'y', 1e150, dir) }, 1e150],
    ['phenotype x1e-200', { pheno: scaled(D('degenerate.pheno'), 'y', 1e-200, dir) }, 1e-200],
    ['covariate x1e300', { covar: scaled(D('degenerate.covar'), 'age', 1e300, dir) }, 1],
    ['covariate x1e-300', { covar: scaled(D('degenerate.covar'), 'PC1', 1e-300, dir) }, 1],
  ];
  for (const [label, over, f] of cases) {
    const cfg = cfgFor({ covarNames: covs, ...over });
    const s = await runAssoc(cfg);
    const got = readTable(`${cfg.out}.y.tsv`).rows;
    t.equal(s.warnings.length, 0, `${label}: no warning (nothing called constant or without variance)`);
    let bad = 0;
    got.forEach((row, i) => {
      const rel = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.abs(b);
      if (!(rel(Number(row[11]), Number(want[i][11])) && rel(Number(row[8]), Number(want[i][8]) * f) && rel(Number(row[9]), Number(want[i][9]) * f))) bad++;
    });
    t.equal(got.length, want.length, `${label}: every row`);
    t.equal(bad, 0, `${label}: P equal, BETA and SE in the new units`);
  }
});

t.test('live plink2 comparison', { skip: hasCommand('plink2') ? false : 'plink2 not installed (the committed goldens above still ran)' }, async (t) => {
  const dir = tmpDir('plink2-degenerate');
  const r = plink2Glm(
    ['--gen', D('degenerate.gen'), 'ref-first', '--sample', D('degenerate.sample'), '--pheno', D('degenerate.pheno'), '--covar', D('degenerate.covar'), '--covar-name', COND.join(',')],
    path.join(dir, 'live'),
  );
  t.equal(r.status, 0, 'plink2 ran');
  const cfg = cfgFor();
  const s = await runAssoc(cfg);
  const ref = readTable(path.join(dir, 'live.y.glm.linear'));
  t.same(compareWithPlink2(readTable(`${cfg.out}.y.tsv`), ref).problems, []);
  t.same(s.phenos[0].naReasons, errcodes(ref));
});
