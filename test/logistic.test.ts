// LogisticKernel against plink2 --glm firth-fallback goldens (test/fixtures/logistic/make-fixture.sh),
// without the pipeline: dosages from the fixture's BGEN, groups built as assoc builds them.
import t from 'tap';
import * as fs from 'node:fs';
import { readDosages } from '../src/prs/sources.js';
import { alignTable, alignedColumn, parseNumericTable, parseSampleFile } from '../src/formats/tables.js';
import { buildLogisticGroup, classifyPhenotype } from '../src/stats/logistic-model.js';
import { LogisticKernel, newLogisticResult, type FirthMode, type LogisticGroup } from '../src/stats/logistic.js';
import { fixture } from './lib/helpers.js';
import { compareLogistic, type Row } from './lib/logistic-compare.js';
import { InputError } from '../src/errors.js';

const L = (f: string) => fixture('logistic', f);

async function setup(names: string[], one = false) {
  const samples = parseSampleFile(fs.readFileSync(L('cc.sample'), 'utf8'), L('cc.sample'));
  const ph = parseNumericTable(fs.readFileSync(L('cc.pheno'), 'utf8'), L('cc.pheno'), names, 'phenotype');
  const cv = parseNumericTable(fs.readFileSync(L('cc.covar'), 'utf8'), L('cc.covar'), undefined, 'covariate');
  const pa = alignTable(samples, ph);
  const ca = alignTable(samples, cv);
  const covars = cv.names.map((name, j) => ({ name, values: alignedColumn(cv, j, ca) }));
  const groups: LogisticGroup[] = [];
  names.forEach((name, j) => {
    const cls = classifyPhenotype(name, ph.values[j], ph.lines, ph.file, one);
    const tab = { ...ph, values: ph.values.map((v, k) => (k === j ? cls.values : v)) };
    const b = buildLogisticGroup(j, name, alignedColumn(tab, j, pa), covars);
    if (!b.group) throw new Error(b.skip);
    groups.push(b.group);
  });
  return { samples, groups };
}

async function run(names: string[], mode: FirthMode, one = false): Promise<Map<string, Row>[]> {
  const { samples, groups } = await setup(names, one);
  const k = new LogisticKernel(samples.length, 8, { firth: mode });
  const res = newLogisticResult();
  const out = groups.map(() => new Map<string, Row>());
  for await (const r of readDosages(L('cc.bgen'), 'bgen', samples.length, undefined, { rows: 0, multiallelic: 0, oneAllele: 0 })) {
    groups.forEach((g, j) => {
      k.run(r.dosage, g, res);
      out[j].set(`${r.meta.chr}:${r.meta.pos}`, { key: r.meta.snp, a1: r.meta.a1, n: res.nUsed, beta: res.beta, se: res.se, z: res.z, p: Math.exp(res.logp), firth: res.firth, err: res.err });
    });
  }
  return out;
}

t.test('balanced, few-case and differently-missing phenotypes equal plink2 firth-fallback', async (t) => {
  const res = await run(['bal', 'rare', 'cc2'], 'fallback');
  for (const [j, name] of ['bal', 'rare', 'cc2'].entries()) {
    const r = compareLogistic(res[j], L(`golden/bgen.${name}.glm.logistic.hybrid`), true);
    t.equal(r.compared, 300, `${name}: every variant`);
    t.same(r.problems, [], `${name}: BETA SE Z P N FIRTH agree`);
    if (name === 'rare') t.ok(r.firthRows >= 30, `rare: ${r.firthRows} Firth fits`);
    // plink2's float iteration is emulated (decision 0220), but its padding lanes carry state from
    // the variant before, which is not known here: snp50 of 'rare' (UNFINISHED in plink2) can differ.
    t.ok(r.flagDiff.length <= 1, `${name}: FIRTH differs only on ${r.flagDiff.length} UNFINISHED rows ${r.flagDiff.join('; ')}`);
  }
});

t.test('--firth (always) and no-firth equal plink2', async (t) => {
  const [f] = await run(['rare'], 'always');
  const r = compareLogistic(f, L('golden/firth.rare.glm.firth'), false);
  t.same(r.problems, [], 'firth');
  const [nf] = await run(['rare'], 'never');
  const r2 = compareLogistic(nf, L('golden/nofirth.rare.glm.logistic'), false);
  t.same(r2.problems, [], 'no-firth');
});

t.test('--1 coding', async (t) => {
  const [o] = await run(['one01'], 'fallback', true);
  t.same(compareLogistic(o, L('golden/one.one01.glm.logistic.hybrid'), true).problems, []);
});

t.test('detection rules', async (t) => {
  const v = (a: number[]) => Float64Array.from(a);
  t.equal(classifyPhenotype('a', v([1, 2, 2, NaN, 0, 1]), undefined, undefined, false).kind, 'cc', '1/2 with 0 and NA missing');
  t.same(Array.from(classifyPhenotype('a', v([1, 2, 0]), undefined, undefined, false).values), [0, 1, NaN]);
  t.equal(classifyPhenotype('a', v([0, 1, 1, 0]), undefined, undefined, true).kind, 'cc', '--1: 0/1');
  t.same(Array.from(classifyPhenotype('a', v([0, 1, NaN]), undefined, undefined, true).values), [0, 1, NaN]);
  t.equal(classifyPhenotype('a', v([1.5, 2, 1]), undefined, undefined, false).kind, 'qt', 'a fraction: quantitative');
  t.equal(classifyPhenotype('a', v([0, 1, 1, 0]), undefined, undefined, false).kind, 'cc', '0/1 without --1 reads as controls only');
  const ones = Array.from({ length: 40 }, (_, i) => (i % 2) + 1);
  ones[17] = 3;
  let caught: unknown;
  try {
    classifyPhenotype(
      'dx',
      v(ones),
      ones.map((_, i) => i + 2),
      'p.tsv',
      false,
    );
  } catch (e) {
    caught = e;
  }
  t.ok(caught instanceof InputError && caught.line === 19 && /dx.*value 3.*--pheno-quantitative dx/.test(caught.message), 'a 3 in a 1/2 column: error naming its line');
  // --1 on a 1/2 column with few cases (1s and a 2): the message says the column looks 1/2-coded
  // (it said 'coded 0/1 (--1) except for the value 2' of a column without a 0).
  const few: number[] = Array.from({ length: 40 }, (_, i) => (i === 7 ? 2 : 1));
  t.throws(() => classifyPhenotype('few', v(few), undefined, 'p.tsv', true), /few.*value 2: it looks coded 1\/2 .*without --1/, '--1 on a 1/2 column: says so');
  few[3] = 0;
  t.throws(() => classifyPhenotype('few', v(few), undefined, 'p.tsv', true), /value 2: fix or blank it/, '--1 on a 0/1 column with a stray 2: fix it');
  const b = buildLogisticGroup(0, 'ctl', v([0, 0, 0, 0, NaN]), []);
  t.match(b.skip, /all 4 samples used are controls/, 'one class only: skipped');
});
