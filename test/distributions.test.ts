// P-values and chi-square quantiles against 50-digit mpmath references, into the far tail.
import t from 'tap';
import { chi2FromLogP, logPStudentT2, negLog10, CHI2_1_MEDIAN } from '../src/stats/distributions.js';
import { fmtG, fmtPFromLog } from '../src/stats/format.js';

// log P(|T_df| > t) from mpmath.betainc(df/2, 1/2, 0, df/(df+t^2), regularized=True), 50 digits.
const T_CASES: [number, number, number][] = [
  [0.5, 10, -0.46538454447345319305],
  [2.0, 5, -2.2833759866018668058],
  [1.96, 1000, -2.9902834462973790681],
  [10, 100, -36.851241233805067366],
  [40, 150, -186.94376837912843918],
  [100, 155, -326.86949262913018407],
  [300, 9998, -11516.301026255237703],
  [1000, 50, -249.7752172665007481],
  [5, 3, -4.1738789243604759225],
];

t.test('two-sided Student t p-values, in log space past 1e-300', async (t) => {
  for (const [tv, df, ref] of T_CASES) {
    const v = logPStudentT2(tv, df);
    t.ok(Math.abs(v - ref) <= 1e-9 * Math.abs(ref), `t=${tv} df=${df}: ${v} vs ${ref}`);
    t.equal(logPStudentT2(-tv, df), v, 'symmetric');
  }
  t.equal(logPStudentT2(0, 10), 0);
  t.ok(Number.isNaN(logPStudentT2(NaN, 10)));
});

t.test('chi-square(1) quantile from log p', async (t) => {
  const cases: [number, number][] = [
    [Math.log(0.5), 0.45493642311957275194],
    [Math.log(0.05), 3.8414588206941259584],
    [Math.log(1e-8), 32.841253361236785262],
    [Math.log(1e-300), 1373.8726312223941371],
    [-1000 * Math.LN10, 4596.2851647018905176],
  ];
  for (const [lp, ref] of cases) t.ok(Math.abs(chi2FromLogP(lp) - ref) <= 1e-9 * ref, `${lp}: ${chi2FromLogP(lp)} vs ${ref}`);
  t.ok(Math.abs(CHI2_1_MEDIAN - 0.4549364) < 1e-7);
});

t.test('formatting: 7 significant digits, p from its log never 0', async (t) => {
  t.equal(fmtG(0.123456789), '0.1234568');
  t.equal(fmtG(1.5e-7), '1.5e-7');
  t.equal(fmtG(12345678), '1.234568e+7');
  t.equal(fmtG(NaN), 'NA');
  t.equal(fmtG(0), '0');
  t.equal(fmtPFromLog(Math.log(0.05)), '0.05');
  t.equal(fmtPFromLog(-400 * Math.LN10), '1e-400');
  t.equal(fmtPFromLog(-326.86949262913018407), '1.102511e-142');
  t.equal(fmtPFromLog(-11516.301026255237703), '3.419892e-5002');
  t.equal(fmtG(negLog10(-11516.301026255237703)), '5001.466');
});
