// Regression: BGEN hard calls coded diploid on chrY (and MT) were regressed on their 0/1/2 codes
// while the row's dosages were halved for plink2's haploid model (emitAlleles), so FRQ came out
// doubled, MACH R2 above 1 and BETA halved (e.g. FRQ 0.593, INFO 3.53, BETA -0.181 where plink2
// prints 0.296, 1.02, -0.361). The kernel now takes the halved dosages there. Fixture and golden:
// test/fixtures/hard-chry/make-fixture.sh (plink2's records with chromosome 1 renamed Y).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BgenBlockDecoder, parseBgenHeader, scanVariants } from '../src/formats/bgen/index.js';
import { compareWithPlink2, fixture, readTable, runCli, tmpDir } from './lib/helpers.js';

const F = (f: string) => fixture('hard-chry', f);

t.test('the fixture is diploid hard calls on chrY', async (t) => {
  const bytes = new Uint8Array(fs.readFileSync(F('y.bgen')));
  const h = parseBgenHeader(bytes, 'y.bgen');
  const dec = new BgenBlockDecoder();
  let hard = 0;
  let n = 0;
  for (const v of scanVariants(bytes, h, 'y.bgen')) {
    dec.decode(bytes, v.blockStart, v.blockLength, h, 2, new Float64Array(h.nSamples), v.uncompressedLength, { file: 'y.bgen', byteOffset: v.blockFileOffset });
    if (dec.hard && v.chr === 'Y') hard++;
    n++;
  }
  t.equal(hard, n, `all ${n} variants`);
});

t.test('chrY hard calls coded diploid equal plink2 (FRQ, MACH R2, BETA of the halved dosages)', async (t) => {
  const dir = tmpDir('chry-hard');
  for (const [tag, env] of [
    ['wasm', {}],
    ['nowasm', { DOSAGEFLOW_NO_WASM: '1' }],
  ] as const) {
    const out = path.join(dir, tag);
    const r = runCli(['assoc', '--bgen', F('y.bgen'), '--sample', F('y.sample'), '--pheno', F('y.pheno'), '--out', out, '--no-progress'], { env: { ...process.env, ...env } });
    t.equal(r.status, 0, r.stderr);
    const gold = readTable(F('golden/y.PHENO1.glm.linear'));
    const res = compareWithPlink2(readTable(`${out}.PHENO1.tsv`), gold);
    t.same(res.problems, [], `${tag}: no differences`);
    t.equal(res.compared, gold.rows.length, `${tag}: all ${gold.rows.length} rows compared`);
  }
});
