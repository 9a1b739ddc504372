// Hard-call variants are tested in batches (docs/decisions/0202, session 11): the worker stages up
// to HARD_BATCH of them in the linear kernel, which makes each group's products class-major, and
// writes their rows when the batch is full, before any other variant's rows and at the chunk's end.
// The fixture (test/fixtures/hard-batch/make-fixture.sh) mixes runs of hard-call variants of 1 to 16
// (not multiples of the batch, and one of exactly 8) with variants carrying fractional dosages and
// 3-allele sites, at 203 samples. The rows must be the same bytes for any chunk size (1 byte: one
// variant a chunk, so batches of one), thread count and without WebAssembly (no batches), and equal
// plink2's.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BgenBlockDecoder, parseBgenHeader, scanVariants } from '../src/formats/bgen/index.js';
import { HARD_BATCH } from '../src/stats/linear.js';
import { compareWithPlink2, fixture, hasCommand, plink2Glm, readTable, runCli, tmpDir } from './lib/helpers.js';

const F = (f: string) => fixture('hard-batch', f);
const PHENOS = ['PHENO1', 'PHENO2'];

t.test('the fixture has what the test needs: runs of hard calls across batch sizes, dosage and multi-allelic variants', async (t) => {
  const bytes = new Uint8Array(fs.readFileSync(F('hb.bgen')));
  const h = parseBgenHeader(bytes, 'hb.bgen');
  const dec = new BgenBlockDecoder();
  let kinds = '';
  for (const v of scanVariants(bytes, h, 'hb.bgen')) {
    const out = new Float64Array((v.nAlleles - 1) * h.nSamples);
    dec.decode(bytes, v.blockStart, v.blockLength, h, v.nAlleles, out, v.uncompressedLength, { file: 'hb.bgen', byteOffset: v.blockFileOffset });
    kinds += v.nAlleles > 2 ? 'M' : dec.hard ? 'h' : 'd';
  }
  const runs = kinds
    .split(/[dM]+/)
    .map((r) => r.length)
    .filter((n) => n > 0);
  t.equal((kinds.match(/M/g) ?? []).length, 3, 'three multi-allelic sites');
  t.ok((kinds.match(/d/g) ?? []).length >= 4, 'variants with fractional dosages');
  t.ok(runs.includes(HARD_BATCH), `a run of exactly ${HARD_BATCH} hard-call variants (${kinds})`);
  t.ok(
    runs.some((n) => n > HARD_BATCH && n % HARD_BATCH !== 0),
    'a run longer than a batch, not a multiple of it',
  );
  t.ok(
    runs.some((n) => n > 1 && n < HARD_BATCH),
    'runs shorter than a batch',
  );
  t.equal(h.nSamples % 2, 1, 'an odd sample count');
});

t.test('hard-call batches: the same rows for any chunk size and thread count, without WebAssembly, and as plink2', async (t) => {
  const dir = tmpDir('hard-batch');
  const run = (tag: string, extra: string[], env?: NodeJS.ProcessEnv): string => {
    const out = path.join(dir, tag);
    const args = ['assoc', '--bgen', F('hb.bgen'), '--sample', F('hb.sample'), '--pheno', F('hb.pheno'), '--covar', F('covar.tsv'), '--out', out, '--no-progress', ...extra];
    const r = runCli(args, env ? { env: { ...process.env, ...env } } : {});
    if (r.status !== 0) throw new Error(r.stderr);
    return PHENOS.map((p) => fs.readFileSync(`${out}.${p}.tsv`, 'latin1')).join('\n');
  };
  const want = run('base', ['--threads', '1']);
  for (const p of PHENOS) {
    const ours = readTable(path.join(dir, `base.${p}.tsv`));
    t.equal(ours.rows.length, 54 + 3 * 2, `${p}: a row per biallelic variant and per ALT allele of the 3-allele sites`);
    const gold = readTable(F(`golden/hb.${p}.glm.linear`));
    const res = compareWithPlink2(ours, gold);
    t.same(res.problems, [], `${p}: equal to plink2's ${res.compared} rows`);
    t.equal(res.compared, 54, `${p}: every biallelic variant compared`);
  }
  for (const [threads, chunk] of [
    ['1', '1'],
    ['2', '7'],
    ['3', '600'],
    ['1', '4096'],
  ]) {
    t.equal(run(`t${threads}c${chunk}`, ['--threads', threads, '--chunk-size', chunk]), want, `threads ${threads}, chunk ${chunk}`);
  }
  t.equal(run('nowasm', ['--threads', '2'], { DOSAGEFLOW_NO_WASM: '1' }), want, 'DOSAGEFLOW_NO_WASM=1 (no batches)');
});

t.test('live plink2 reproduces the goldens', { skip: hasCommand('plink2') ? false : 'plink2 not installed (the goldens above still ran)' }, async (t) => {
  const out = path.join(tmpDir('hard-batch-live'), 'hb');
  const r = plink2Glm(['--bgen', F('hb.bgen'), 'ref-first', '--sample', F('hb.sample'), '--pheno', F('hb.pheno'), '--covar', F('covar.tsv')], out);
  t.equal(r.status, 0, 'plink2 ran');
  for (const p of PHENOS) t.same(readTable(`${out}.${p}.glm.linear`).rows, readTable(F(`golden/hb.${p}.glm.linear`)).rows, p);
});
