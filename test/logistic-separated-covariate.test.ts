// Regression: 'plink2 fits every variant by Firth when a covariate is (quasi-)separated by the
// case/control phenotype; dosageflow fitted logistic first and used Firth on 12 of 39'. plink2
// --glm firth-fallback tests each covariate with its own range check (plink2_glm.cc) and, when one
// is flagged, fits the whole phenotype by Firth. Its check has a quirk (a class's range widens on
// one side per sample), reproduced: test/fixtures/degenerate/make-golden.sh, golden/rare-cc.
import t from 'tap';
import { runAssoc } from '../src/pipeline/assoc-run.js';
import { covariateSeparation } from '../src/stats/logistic-model.js';
import { baseConfig } from './lib/assoc-config.js';
import { fixture } from './lib/helpers.js';
import { compareLogistic, rowsOfTable } from './lib/logistic-compare.js';

const D = (f: string) => fixture('degenerate', f);
const sep = (v: number[], y: number[]) => covariateSeparation(Float64Array.from(v), Float64Array.from(y), v.length);

t.test("plink2's covariate separation test, case by case", async (t) => {
  t.equal(sep([1, 2, 3, 4], [0, 0, 1, 1]), 2, 'complete: every case above every control');
  t.equal(sep([1, 2, 2, 3], [0, 0, 1, 1]), 1, 'quasi: the classes touch at one value');
  t.equal(sep([1, 3, 2, 4], [0, 0, 1, 1]), 0, 'overlapping ranges');
  t.equal(sep([5], [1]), 2, 'fewer than two samples');
  // The quirk: the first case is at 1, the later cases at 0; its range never widens back up to 1.
  t.equal(sep([1, 1, 0, 0, 0, 1], [0, 1, 0, 1, 1, 0]), 1, 'a 0/1 covariate with both classes at both values, as plink2 reads it');
  t.equal(sep([0, 0, 1, 1, 0, 1], [0, 1, 0, 1, 1, 0]), 0, 'the same values in another order: not separated');
  t.equal(sep([0, 0, 0, 0], [0, 1, 0, 1]), 1, 'a constant covariate reads as quasi-separated (plink2 removes those first; so does dosageflow)');
});

for (const [label, covarNames, golden, firthRows] of [
  ['with rare (flagged): Firth on every variant', ['age', 'PC1', 'rare'], 'golden/rare-cc.cc.glm.logistic.hybrid', 39],
  ['without it: logistic first, as usual', ['age', 'PC1'], 'golden/norare-cc.cc.glm.logistic.hybrid', 0],
] as const) {
  t.test(`case/control on the degenerate fixture ${label}`, async (t) => {
    const cfg = baseConfig({ gen: [D('degenerate.gen')], sample: D('degenerate.sample'), pheno: D('degenerate-cc.pheno'), covar: D('degenerate.covar'), covarNames: [...covarNames] });
    const s = await runAssoc(cfg);
    t.equal(
      s.warnings.some((w) => /covariate 'rare' is \(quasi-\)separated by the phenotype by plink2's test/.test(w)),
      firthRows > 0,
      'the warning says why',
    );
    const r = compareLogistic(rowsOfTable(`${cfg.out}.cc.tsv`), D(golden), true);
    t.equal(r.compared, 40);
    t.equal(r.firthRows, firthRows, `plink2 used Firth on ${firthRows}`);
    t.same(r.problems, [], "every row plink2's: FIRTH flag, N, BETA/SE/Z within its single-precision noise, NA where it is");
    t.same(r.flagDiff, []);
  });
}
