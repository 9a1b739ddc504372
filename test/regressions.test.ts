// Regression tests, each named after the bug it pins down.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runAssoc } from '../src/pipeline/assoc-run.js';
import { baseConfig } from './lib/assoc-config.js';
import { MedianAccumulator } from '../src/stats/median.js';
import { spawnSync } from 'node:child_process';
import { BIN, SHARED, fixture, hasCommand, tmpDir, cliCommand, untracked } from './lib/helpers.js';
import { looksLikeBgen, readDosages } from '../src/prs/sources.js';
import { openLdRef } from '../src/report/ldref.js';

t.test('regression: lambda was NA beyond 65,536 variants (median spill file closed before it was read)', async (t) => {
  const dir = tmpDir('lambda');
  const n = 6;
  fs.writeFileSync(path.join(dir, 's.sample'), 'ID_1 ID_2 missing\n0 0 0\n' + Array.from({ length: n }, (_, i) => `F${i} I${i} 0`).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'p.tsv'), 'FID IID y\n' + Array.from({ length: n }, (_, i) => `F${i} I${i} ${[0.3, 1.9, -0.4, 2.2, 0.8, -1.1][i]}`).join('\n') + '\n');
  const lines: string[] = [];
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
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

t.test('regression: -ln p of p = 1 is -0, whose sign bit binned it above every positive value in the median', async (t) => {
  // The workers send -ln p for genomic control; -(0) is -0.
  const m = new MedianAccumulator(tmpDir('median0'));
  m.add(Float64Array.from([-0, -0, -0, 1, 2, 3, 4, NaN]));
  t.same(m.middle(), [1, 1]);
  m.close();
  // The two middle values, through the spill file, against a sort (even and odd counts).
  for (const n of [70001, 70002]) {
    const acc = new MedianAccumulator(tmpDir('median'));
    const v = new Float64Array(n);
    let seed = n;
    for (let i = 0; i < n; i++) v[i] = -Math.log(((seed = (seed * 1103515245 + 12345) % 2147483648) + 1) / 2147483649);
    for (let i = 0; i < n; i += 1000) acc.add(v.subarray(i, Math.min(n, i + 1000)));
    const s = Float64Array.from(v).sort();
    t.same(acc.middle(), [s[(n - 1) >>> 1], s[n >>> 1]], `${n} values`);
    t.equal(acc.median(), (s[(n - 1) >>> 1] + s[n >>> 1]) / 2);
    acc.close();
  }
});

t.test("regression: phenotypes overwrote each other's spilled sort runs (shared run names in one temp dir)", async (t) => {
  // Unsorted input, two phenotypes, a sort memory so small that every phenotype spills runs.
  const dir = tmpDir('spill');
  const src = fs
    .readFileSync(new URL('../../test/fixtures/assoc/small.gen', import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean);
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

t.test('regression: --gen <(zcat x.gen.gz) failed with ESPIPE (the input was read by position)', async (t) => {
  // Process substitution hands over a pipe (/dev/fd/N): text inputs must stream from it; BGEN,
  // which is read by offset, must say so in one line.
  const dir = tmpDir('pipe');
  const A = (f: string) => fixture('assoc', f);
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const common = `--sample <(cat ${q(A('small.sample'))}) --pheno ${q(A('small.pheno'))} --covar ${q(A('small.covar'))} --threads 2 --no-progress`;
  const run = (gen: string, out: string) =>
    spawnSync(...untracked('bash', ['-c', `${q(process.execPath)} ${q(BIN)} assoc --gen ${gen} ${common} --out ${q(path.join(dir, out))}`]), { encoding: 'utf8' });
  const file = run(q(A('small.gen')), 'file');
  t.equal(file.status, 0, file.stderr);
  for (const [label, gen] of [
    ['plain pipe', `<(cat ${q(A('small.gen'))})`],
    ['zstd pipe', `<(zstd -q -c ${q(A('small.gen'))})`],
    ['gzip pipe', `<(gzip -c ${q(A('small.gen'))})`],
  ]) {
    if (label === 'zstd pipe' && !hasCommand('zstd')) continue;
    const r = run(gen, label.replace(' ', '-'));
    t.equal(r.status, 0, `${label}: ${r.stderr.trim().split('\n')[0]}`);
    t.equal(fs.readFileSync(path.join(dir, `${label.replace(' ', '-')}.response.tsv`), 'utf8'), fs.readFileSync(path.join(dir, 'file.response.tsv'), 'utf8'), `${label}: same table`);
  }
  const b = spawnSync(
    'bash',
    [
      '-c',
      `${q(process.execPath)} ${q(BIN)} assoc --bgen <(cat ${q(A('small.plink2-v13.bgen'))}) --sample ${q(A('small.plink2-v13.sample'))} --pheno ${q(A('small.pheno'))} --out ${q(path.join(dir, 'b'))}`,
    ],
    { encoding: 'utf8' },
  );
  t.equal(b.status, 4, 'BGEN from a pipe: exit 4');
  t.match(b.stderr, /^dosageflow: \/dev\/fd\/\d+: cannot seek in a pipe: this input is read by position \(BGEN, an LD reference, a --region with an index\): give a regular file\n$/);
});

// The shared .gen arena (pipeline/gen-arena.ts) hands out a fixed set of slots; the reader's last
// buffer of each file was never handed back, so a run over many files used up the slots (from then
// on chunks were copied: slower, not wrong). Slots are reset between files; output must equal the
// single-file run's, whatever the split.
t.test('regression: many .gen files in one run (arena slots reused across files) = one file', async (t) => {
  const dir = tmpDir('manyfiles');
  const lines = fs
    .readFileSync(fixture('assoc/small.gen'), 'latin1')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const files: string[] = [];
  const per = Math.ceil(lines.length / 40);
  for (let i = 0; i * per < lines.length; i++) {
    const f = path.join(dir, `part${i}.gen`);
    // Every other part without its final newline.
    fs.writeFileSync(f, lines.slice(i * per, (i + 1) * per).join('\n') + (i % 2 ? '' : '\n'));
    files.push(f);
  }
  t.ok(files.length >= 30, `${files.length} files`);
  const one = baseConfig({ out: path.join(dir, 'one'), chunkSize: 4096 });
  const many = baseConfig({ gen: files, out: path.join(dir, 'many'), chunkSize: 4096 });
  const a = await runAssoc(one);
  const b = await runAssoc(many);
  t.equal(b.variantsRead, a.variantsRead);
  for (const p of a.phenos) t.equal(fs.readFileSync(`${many.out}.${p.name}.tsv`, 'latin1'), fs.readFileSync(`${one.out}.${p.name}.tsv`, 'latin1'), p.name);
});

t.test('regression: looksLikeBgen took a zero-magic BGEN v1.1 file for .gen (report --ld-ref / prs --ld-ref)', async (t) => {
  const v11 = path.join(SHARED, 'testdata/bgen/example.v11.bgen');
  if (!fs.existsSync(v11)) {
    t.comment(`${v11} not present: skipped`);
    return;
  }
  const dir = tmpDir();
  const zero = path.join(dir, 'zero-magic.v11.bgen');
  const b = fs.readFileSync(v11);
  b.fill(0, 16, 20); // early v1.1 writers wrote four zero bytes where 'bgen' is now
  fs.writeFileSync(zero, b);
  t.equal(await looksLikeBgen(zero), true, 'sniffed as BGEN (prs --ld-ref uses this)');
  t.equal(await looksLikeBgen(path.join(SHARED, 'testdata/bgen/example.gen')), false, 'a .gen is not');
  const ref = await openLdRef({ ref: zero, sample: undefined, r2: 0.1, method: 'dosage' });
  t.same([ref.format, ref.nSamples], ['bgen', 500], 'report --ld-ref reads it as BGEN');
  const stats = { rows: 0, multiallelic: 0, oneAllele: 0 };
  let first = '';
  for await (const row of readDosages(zero, ref.format, ref.nSamples, undefined, stats)) {
    first ||= `${row.meta.chr}:${row.meta.pos}`;
  }
  t.ok(stats.rows > 100 && first !== '', `its variants are read (${stats.rows}, first ${first})`);
});

// assoc --shard cut the .gen without telling the line cutter the file or where the shard starts:
// "dosageflow: line 118: line longer than 64 MiB", no file named, and lines counted from the shard.
t.test("regression: --shard's 'line longer than 64 MiB' named no file (and counted lines from the shard's start)", async (t) => {
  const dir = tmpDir('shard-long-line');
  const A = (f: string) => fixture('assoc', f);
  const all = fs
    .readFileSync(A('small.gen'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  // A line that never ends for 100 MB (gzip: ~100 KB on disk) after two copies of the variants,
  // then a third: shard 2/2 holds it, shard 1/2 does not.
  const lines = [...all, ...all, `22 x${'1'.repeat(100e6)}`, ...all];
  const long = 2 * all.length + 1;
  const gen = path.join(dir, 'long.gen.gz');
  fs.writeFileSync(gen, zlib.gzipSync(`${lines.join('\n')}\n`, { level: 1 }));
  const run = (shard: string) =>
    spawnSync(...cliCommand(['assoc', '--gen', gen, '--sample', A('small.sample'), '--pheno', A('small.pheno'), '--shard', shard, '--out', path.join(dir, 'o')]), { encoding: 'utf8' });
  const r = run('2/2');
  t.equal(r.status, 3, r.stderr);
  t.match(r.stderr, new RegExp(`^dosageflow: [^\\n]*long\\.gen\\.gz:${long}: line longer than 64 MiB[^\\n]*\\n$`));
  t.equal(run('1/2').status, 0, 'the other shard runs');
});
