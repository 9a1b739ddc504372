// Regression tests, each named after the bug it pins down.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAssoc } from '../src/pipeline/assoc-run.js';
import { baseConfig } from './lib/assoc-config.js';
import { tmpDir } from './lib/helpers.js';

t.test('regression: lambda was NA beyond 65,536 variants (median spill file closed before it was read)', async (t) => {
  const dir = tmpDir('lambda');
  const n = 6;
  fs.writeFileSync(path.join(dir, 's.sample'), 'ID_1 ID_2 missing\n0 0 0\n' + Array.from({ length: n }, (_, i) => `F${i} I${i} 0`).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'p.tsv'), 'FID IID y\n' + Array.from({ length: n }, (_, i) => `F${i} I${i} ${[0.3, 1.9, -0.4, 2.2, 0.8, -1.1][i]}`).join('\n') + '\n');
  const lines: string[] = [];
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let v = 0; v < 70000; v++) {
    const probs: string[] = [];
    for (let s = 0; s < n; s++) {
      const g = Math.floor(rnd() * 3);
      probs.push(g === 0 ? '1 0 0' : g === 1 ? '0 1 0' : '0 0 1');
    }
    lines.push(`1 v${v} rs${v} ${1000 + v} A G ${probs.join(' ')}`);
  }
  fs.writeFileSync(path.join(dir, 'x.gen'), lines.join('\n') + '\n');
  const cfg = baseConfig({ gen: [path.join(dir, 'x.gen')], sample: path.join(dir, 's.sample'), pheno: path.join(dir, 'p.tsv'), covar: undefined, out: path.join(dir, 'o') });
  const s = await runAssoc(cfg);
  t.ok(s.phenos[0].tested > 65536);
  t.ok(Number.isFinite(s.phenos[0].lambda) && s.phenos[0].lambda > 0, `lambda ${s.phenos[0].lambda}`);
});

t.test('regression: phenotypes overwrote each other\'s spilled sort runs (shared run names in one temp dir)', async (t) => {
  // Unsorted input, two phenotypes, a sort memory so small that every phenotype spills runs.
  const dir = tmpDir('spill');
  const src = fs.readFileSync(new URL('../../test/fixtures/assoc/small.gen', import.meta.url), 'utf8').split('\n').filter(Boolean);
  const lines: string[] = [];
  for (let rep = 0; rep < 12; rep++) for (const l of src) lines.push(l.replace(/^(\S+) (\S+) (\S+) (\d+)/, (_m, c, a, b, p) => `${c} ${a}_${rep} ${b}_${rep} ${Number(p) + rep}`));
  for (let i = lines.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [lines[i], lines[j]] = [lines[j], lines[i]];
  }
  const gen = path.join(dir, 'shuffled.gen');
  fs.writeFileSync(gen, lines.join('\n') + '\n');
  const small = baseConfig({ gen: [gen], memoryMB: 0.0001, phenoNames: ['response', 'dissociation'] });
  const big = baseConfig({ gen: [gen], memoryMB: 512, phenoNames: ['response', 'dissociation'] });
  await runAssoc(small);
  await runAssoc(big);
  for (const p of ['response', 'dissociation']) {
    const a = fs.readFileSync(`${small.out}.${p}.tsv`);
    t.ok(a.equals(fs.readFileSync(`${big.out}.${p}.tsv`)), `${p}: spilled output equals in-memory output`);
    t.equal(a.toString().trim().split('\n').length, lines.length + 1);
  }
});
