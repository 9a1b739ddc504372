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
