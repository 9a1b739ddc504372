// assoc against plink2 --glm: committed goldens (test/fixtures/assoc/make-golden.sh made them), and
// the same comparison against a live plink2 run when plink2 is installed.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { compress as zstdCompress } from 'zstd-napi';
import { runAssoc } from '../src/pipeline/assoc-run.js';
import { baseConfig } from './lib/assoc-config.js';
import { compareWithPlink2, fixture, hasCommand, readTable, tmpDir, plink2Glm } from './lib/helpers.js';

const A = (f: string) => fixture('assoc', f);
const PHENOS = ['response', 'dissociation', 'madrs'];

t.test('three phenotypes with different missingness match the plink2 goldens', async (t) => {
  const cfg = baseConfig();
  const s = await runAssoc(cfg);
  t.same(
    s.phenos.map((p) => p.samples),
    [114, 78, 97],
    'samples used per phenotype (NA, -9 and missing covariates dropped)',
  );
  t.equal(s.variantsRead, 240);
  t.notOk(s.sortedInput, 'the fixture is deliberately out of genome order');
  for (const p of PHENOS) {
    const ours = readTable(`${cfg.out}.${p}.tsv`);
    t.same(ours.header, ['CHR', 'SNP', 'BP', 'A1', 'A2', 'FRQ', 'INFO', 'N', 'BETA', 'SE', 'T', 'P', 'LOG10P']);
    const r = compareWithPlink2(ours, readTable(A(`golden/small.${p}.glm.linear`)));
    t.equal(r.compared, 240, `${p}: every plink2 variant present`);
    t.same(r.problems, [], `${p}: BETA SE T P N FRQ INFO agree`);
  }
  // Missing dosages make N vary by variant, as in plink2.
  const ns = new Set(readTable(`${cfg.out}.response.tsv`).rows.map((r) => r[7]));
  t.ok(ns.size > 3, 'N varies with missing dosages');
});

t.test('no covariates', async (t) => {
  const cfg = baseConfig({ covar: undefined, phenoNames: ['response'] });
  await runAssoc(cfg);
  const r = compareWithPlink2(readTable(`${cfg.out}.response.tsv`), readTable(A('golden/small-nocovar.response.glm.linear')));
  t.equal(r.compared, 240);
  t.same(r.problems, []);
});

t.test('old 5-column layout with --chr equals the 6-column rows of that chromosome', async (t) => {
  const cfg = baseConfig({ gen: [A('small.chr22.old.gen')], chr: '22', phenoNames: ['response'] });
  await runAssoc(cfg);
  const ref = readTable(A('golden/small.response.glm.linear'));
  ref.rows = ref.rows.filter((r) => r[0] === '22');
  const r = compareWithPlink2(readTable(`${cfg.out}.response.tsv`), ref);
  t.equal(r.compared, 40);
  t.same(r.problems, []);
});

t.test('gzip and zstd input (detected by content, whatever the name) give identical output', async (t) => {
  const dir = tmpDir('codec');
  const raw = fs.readFileSync(A('small.gen'));
  const gz = path.join(dir, 'small.gen.gz');
  const zst = path.join(dir, 'small.gen.zst');
  const gzNoExt = path.join(dir, 'gzipped.gen');
  const plainGz = path.join(dir, 'plain.gen.gz');
  fs.writeFileSync(gz, zlib.gzipSync(raw));
  fs.writeFileSync(zst, zstdCompress(raw));
  fs.writeFileSync(gzNoExt, zlib.gzipSync(raw));
  fs.writeFileSync(plainGz, raw);
  const ref = baseConfig({ phenoNames: ['response'] });
  await runAssoc(ref);
  const want = fs.readFileSync(`${ref.out}.response.tsv`);
  for (const f of [gz, zst, gzNoExt, plainGz]) {
    const cfg = baseConfig({ gen: [f], phenoNames: ['response'] });
    await runAssoc(cfg);
    t.ok(fs.readFileSync(`${cfg.out}.response.tsv`).equals(want), `${path.basename(f)} gives the same bytes`);
  }
});

t.test('compressed output (--compress gz / zst) decompresses to the plain table', async (t) => {
  const ref = baseConfig({ phenoNames: ['madrs'] });
  await runAssoc(ref);
  const want = fs.readFileSync(`${ref.out}.madrs.tsv`);
  const g = baseConfig({ phenoNames: ['madrs'], compress: 'gz' });
  await runAssoc(g);
  t.ok(zlib.gunzipSync(fs.readFileSync(`${g.out}.madrs.tsv.gz`)).equals(want), 'gz');
  const z = baseConfig({ phenoNames: ['madrs'], compress: 'zst' });
  await runAssoc(z);
  const { decompress } = await import('zstd-napi');
  t.ok(decompress(fs.readFileSync(`${z.out}.madrs.tsv.zst`)).equals(want), 'zst');
  t.same(
    fs.readdirSync(path.dirname(z.out)).filter((f) => f.includes('tmp')),
    [],
    'no temporaries left',
  );
});

t.test('live plink2 comparison', { skip: hasCommand('plink2') ? false : 'plink2 not installed (the committed goldens above still ran)' }, async (t) => {
  const dir = tmpDir('plink2');
  const r = plink2Glm(['--gen', A('small.gen'), 'ref-first', '--sample', A('small.sample'), '--pheno', A('small.pheno'), '--covar', A('small.covar')], path.join(dir, 'live'));
  t.equal(r.status, 0, 'plink2 ran');
  const cfg = baseConfig();
  await runAssoc(cfg);
  for (const p of PHENOS) {
    const res = compareWithPlink2(readTable(`${cfg.out}.${p}.tsv`), readTable(path.join(dir, `live.${p}.glm.linear`)));
    t.equal(res.compared, 240);
    t.same(res.problems, [], `${p} agrees with live plink2`);
  }
});
