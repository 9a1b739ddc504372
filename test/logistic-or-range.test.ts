// plink2 --glm prints the OR of a logistic coefficient that ran off beyond the range of a double
// (OR 3.78783e+2795; fixture test/fixtures/logistic-or-range, made by its make-fixture.sh, golden by
// plink2 2.00a3.5). Regressions: 'prs --base of a plink2 .glm.logistic.hybrid: OR 3.78783e+2795 is
// not a number' (exit 3) and 'assoc --format plink2 printed OR 0 (or inf) where exp(BETA) leaves
// the doubles'.
import t from 'tap';
import fc from 'fast-check';
import * as path from 'node:path';
import { runAssoc } from '../src/pipeline/assoc-run.js';
import { runPrs } from '../src/prs/run.js';
import { parseThresholds } from '../src/commands/prs.js';
import { fmtOddsRatio } from '../src/formats/out-format.js';
import { lnDecimal } from '../src/io/sumstats.js';
import { fmtG } from '../src/stats/format.js';
import { baseConfig } from './lib/assoc-config.js';
import { fixture, readTable, tmpDir } from './lib/helpers.js';

const F = (f: string) => fixture('logistic-or-range', f);
const GOLDEN = F('golden/or.cc.glm.logistic.hybrid');

t.test('fmtOddsRatio: exp(BETA) as fmtG inside the doubles, mantissa and exponent outside; lnDecimal reads both back', async (t) => {
  t.equal(fmtOddsRatio(-6437.057, 7), '2.640373e-2796', 'underflow: was 0');
  t.equal(fmtOddsRatio(6437.057, 7), '3.787344e+2795', 'overflow: was inf');
  t.equal(fmtOddsRatio(Math.log(2), 7), '2');
  t.equal(fmtOddsRatio(Math.LN10 * 1000, 7), '1e+1000', 'a mantissa rounding to 10 moves the exponent');
  t.ok(Math.abs(lnDecimal('3.78783e+2795') - (Math.log(3.78783) + 2795 * Math.LN10)) < 1e-9, 'ln of an OR beyond the doubles');
  t.equal(lnDecimal('2'), Math.log(2));
  t.equal(lnDecimal('0'), Number.NEGATIVE_INFINITY);
  t.ok(Number.isNaN(lnDecimal('abc')), 'no number: NaN');
  fc.assert(
    fc.property(fc.double({ min: -1e5, max: 1e5, noNaN: true }), (beta) => {
      const s = fmtOddsRatio(beta, 7);
      const x = Math.exp(beta);
      if (x >= 2.2250738585072014e-308 && x < Infinity) return s === fmtG(x, 7);
      return Math.abs(lnDecimal(s) - beta) <= 1e-6 * Math.max(1, Math.abs(beta)) && /^\d(\.\d+)?e[+-]\d+$/.test(s);
    }),
  );
});

t.test('assoc --format plink2: OR of a runaway coefficient as plink2 prints it (2.640373e-2796, was 0)', async (t) => {
  const cfg = baseConfig({
    gen: [F('or.gen')],
    bgen: [],
    sample: F('or.sample'),
    pheno: F('or.pheno'),
    covar: F('or.covar'),
    phenoNames: ['cc'],
    format: 'plink2',
    out: path.join(tmpDir('or-range'), 'or'),
  });
  await runAssoc(cfg);
  const ours = readTable(`${cfg.out}.cc.glm.logistic.hybrid`);
  const ref = readTable(GOLDEN);
  const oi = (c: string) => ours.header.indexOf(c);
  const ri = (c: string) => ref.header.indexOf(c);
  const byId = new Map(ours.rows.map((r) => [r[oi('ID')], r]));
  let compared = 0;
  const bad: string[] = [];
  for (const r of ref.rows) {
    const o = byId.get(r[ri('ID')])!;
    if (r[ri('OR')] === 'NA') {
      if (o[oi('OR')] !== 'NA') bad.push(`${r[ri('ID')]}: OR ${o[oi('OR')]} where plink2 has NA`);
      continue;
    }
    compared++;
    const flip = o[oi('A1')] === r[ri('A1')] ? 1 : -1;
    const lo = lnDecimal(o[oi('OR')]);
    const lr = flip * lnDecimal(r[ri('OR')]);
    // plink2 prints 6 digits of OR and fits in single precision (its Firth rows to ~1e-4): ln(OR) to 1e-3.
    if (!(Math.abs(lo - lr) <= 1e-3 * Math.max(1, Math.abs(lr)))) bad.push(`${r[ri('ID')]}: OR ${o[oi('OR')]} plink2 ${r[ri('OR')]} (A1 ${flip > 0 ? 'same' : 'swapped'})`);
  }
  t.equal(compared, 12);
  t.same(bad, [], 'every OR equals plink2 aligned by allele, e+2795 included');
  t.equal(byId.get('rs482982021')![oi('OR')], '2.640373e-2796', 'the row plink2 prints as 3.78783e+2795 for the other allele');
});

t.test('prs --base golden .glm.logistic.hybrid with OR 3.78783e+2795: BETA = ln(OR), the run completes', async (t) => {
  const dir = tmpDir('or-range-prs');
  const s = await runPrs({
    base: GOLDEN,
    targets: [F('or.gen')],
    format: 'gen',
    sample: F('or.sample'),
    pheno: F('or.pheno'),
    phenoName: 'cc',
    covar: F('or.covar'),
    covarNames: [],
    thresholds: parseThresholds('0.5,1'),
    clumpR2: 0.2,
    clumpKb: 250,
    clumpP: 1,
    ldMethod: 'plink1.9',
    keepAmbiguous: true,
    out: path.join(dir, 'prs'),
    digits: 7,
    memoryMB: 64,
    log: () => {},
  });
  t.equal(s.counts.naRows, 1, 'the CONST_OMITTED_ALLELE row skipped as NA');
  const cl = readTable(path.join(dir, 'prs.clumped.tsv'));
  const row = cl.rows.find((r) => r[1] === 'rs482982021');
  t.ok(row, 'the runaway variant is scored');
  // Our A1 is the base's A1 (T): BETA = ln(3.78783e+2795).
  t.equal(row![3], 'T');
  t.ok(Math.abs(Number(row![5]) - (Math.log(3.78783) + 2795 * Math.LN10)) < 1e-2, `BETA ${row![5]} = ln(OR)`);
});
