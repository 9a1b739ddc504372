// assoc on BGEN: every version, layout, bit depth and codec through the same engine; plink2 goldens
// (test/fixtures/bgen-assoc/make-golden.sh); regions with and without the .bgi index; multi-allelic
// variants; and the errors for damaged files.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAssoc } from '../src/pipeline/assoc-run.js';
import { baseConfig } from './lib/assoc-config.js';
import { compareWithPlink2, fixture, readTable, runCli, tmpDir, type Table } from './lib/helpers.js';
import { compareLogistic, rowsOfTable } from './lib/logistic-compare.js';

const B = (f: string) => fixture('bgen', f);
const E = (f: string) => fixture('bgen-assoc', f);

function bgenConfig(files: string[], over: Parameters<typeof baseConfig>[0] = {}) {
  return baseConfig({ gen: [], bgen: files, sample: E('example.sample'), pheno: E('example.pheno'), covar: E('example.covar'), ...over });
}

/**
 * Exact dosages against plink2's 1/16384-rounded ones: statistics agree to what that rounding
 * allows (measured worst on these files: BETA 3e-4 SE, SE 3e-5 relative).
 */
function compareWithinRounding(ours: Table, ref: Table): { compared: number; problems: string[] } {
  const oi = (c: string) => ours.header.indexOf(c);
  const ri = (c: string) => ref.header.indexOf(c);
  const byKey = new Map(ours.rows.map((r) => [`${r[oi('CHR')]}:${r[oi('BP')]}:${r[oi('SNP')]}`, r]));
  const problems: string[] = [];
  let compared = 0;
  for (const r of ref.rows) {
    const key = `${r[ri('CHROM')]}:${r[ri('POS')]}:${r[ri('ID')]}`;
    const o = byKey.get(key);
    if (!o) {
      problems.push(`missing ${key}`);
      continue;
    }
    compared++;
    if (r[ri('BETA')] === 'NA') {
      if (o[oi('BETA')] !== 'NA') problems.push(`${key}: plink2 NA, ours ${o[oi('BETA')]}`);
      continue;
    }
    const flip = o[oi('A1')] === r[ri('A1')] ? 1 : -1;
    const se = Number(r[ri('SE')]);
    const ok =
      o[oi('N')] === r[ri('OBS_CT')] &&
      Math.abs(flip * Number(o[oi('BETA')]) - Number(r[ri('BETA')])) <= 2e-3 * se &&
      Math.abs(Number(o[oi('SE')]) - se) <= 2e-4 * se &&
      Math.abs(Math.log10(Number(o[oi('P')])) - Math.log10(Number(r[ri('P')]))) <= 2e-3 &&
      Math.abs((flip > 0 ? Number(o[oi('FRQ')]) : 1 - Number(o[oi('FRQ')])) - Number(r[ri('A1_FREQ')])) <= 1e-4 &&
      Math.abs(Number(o[oi('INFO')]) - Number(r[ri('MACH_R2')])) <= 1e-3;
    if (!ok) problems.push(`${key}: ours ${o.join(' ')} plink2 ${r.join(' ')}`);
  }
  return { compared, problems };
}

for (const [file, golden, n] of [
  ['example.8bits.bgen', 'example.8bits', 199],
  ['example.16bits.first50.bgen', 'example.16bits.first50', 50],
  ['example.v11.first50.bgen', 'example.v11.first50', 50],
] as const) {
  t.test(`${file}: exact dosages agree with plink2 within its 1/16384 rounding`, async (t) => {
    const cfg = bgenConfig([B(file)]);
    const s = await runAssoc(cfg);
    t.equal(s.variantsRead, n);
    for (const p of ['trait1', 'trait2']) {
      const r = compareWithinRounding(readTable(`${cfg.out}.${p}.tsv`), readTable(E(`golden/${golden}.${p}.glm.linear`)));
      t.equal(r.compared, n);
      t.same(r.problems, [], p);
    }
  });
}

t.test('BGEN v1.1 with --dosage-precision plink2 equals plink2 digit for digit', async (t) => {
  const cfg = bgenConfig([B('example.v11.first50.bgen')], { dosagePrecision: 'plink2' });
  await runAssoc(cfg);
  for (const p of ['trait1', 'trait2']) {
    const r = compareWithPlink2(readTable(`${cfg.out}.${p}.tsv`), readTable(E(`golden/example.v11.first50.${p}.glm.linear`)));
    t.equal(r.compared, 50);
    t.same(r.problems, [], p);
  }
});

t.test('every bit depth and codec gives the same associations within its rounding', async (t) => {
  // The dosages as decoded (not plink2's 1/16384 quanta, the default): what each depth itself holds.
  const ref = bgenConfig([B('example.16bits.first50.bgen')], { phenoNames: ['trait1'], dosagePrecision: 'exact' });
  await runAssoc(ref);
  const want = readTable(`${ref.out}.trait1.tsv`);
  const zst = bgenConfig([B('example.16bits.zstd.bgen')], { phenoNames: ['trait1'], dosagePrecision: 'exact' });
  await runAssoc(zst);
  const zrows = readTable(`${zst.out}.trait1.tsv`).rows;
  const first50 = new Set(want.rows.map((r) => r[1]));
  t.same(
    zrows.filter((r) => first50.has(r[1])),
    want.rows,
    'zstd 16-bit = zlib 16-bit, byte for byte',
  );
  for (const [file, tol] of [
    ['example.32bits.first50.bgen', 1e-4],
    ['example.8bits.bgen', 0.02],
    ['example.3bits.bgen', 0.6],
  ] as const) {
    const cfg = bgenConfig([B(file)], { phenoNames: ['trait1'], dosagePrecision: 'exact' });
    await runAssoc(cfg);
    const got = new Map(readTable(`${cfg.out}.trait1.tsv`).rows.map((r) => [r[1], r]));
    let worst = 0;
    for (const r of want.rows) {
      const o = got.get(r[1])!;
      worst = Math.max(worst, Math.abs(Number(o[8]) - Number(r[8])) / Number(r[9]));
    }
    t.ok(worst <= tol, `${file}: worst BETA difference ${worst.toExponential(2)} SE (bound ${tol})`);
  }
});

t.test('--region reads the same rows with the .bgi index as by scanning', async (t) => {
  const dir = tmpDir('bgi');
  const withIdx = path.join(dir, 'idx.bgen');
  const noIdx = path.join(dir, 'noidx.bgen');
  fs.copyFileSync(B('example.8bits.bgen'), withIdx);
  fs.copyFileSync(B('example.8bits.bgen.bgi'), `${withIdx}.bgi`);
  fs.copyFileSync(B('example.8bits.bgen'), noIdx);
  const regions = [
    { chr: '1', start: 10000, end: 30000 },
    { chr: '1', start: 60000, end: 70000 },
  ];
  const a = bgenConfig([withIdx], { regions, phenoNames: ['trait1'] });
  const sa = await runAssoc(a);
  const b = bgenConfig([noIdx], { regions, phenoNames: ['trait1'] });
  const sb = await runAssoc(b);
  const ta = fs.readFileSync(`${a.out}.trait1.tsv`, 'utf8');
  t.equal(ta, fs.readFileSync(`${b.out}.trait1.tsv`, 'utf8'));
  const rows = ta.trim().split('\n').slice(1);
  t.ok(rows.length > 10, `${rows.length} rows in the regions`);
  t.ok(
    rows.every((r) => {
      const bp = Number(r.split('\t')[2]);
      return (bp >= 10000 && bp <= 30000) || (bp >= 60000 && bp <= 70000);
    }),
  );
  t.equal(sa.outsideRegions, 0, 'the index read only the region');
  t.equal(sb.outsideRegions, 199 - rows.length, 'the scan read everything');
});

t.test('multi-allelic, phased and mixed-ploidy variants: one row per ALT allele, or skipped', async (t) => {
  const dir = tmpDir('complex');
  const pheno = path.join(dir, 'p.tsv');
  fs.writeFileSync(pheno, 'IID y\nsample_0 1.2\nsample_1 0.4\nsample_2 2.5\nsample_3 -0.3\n');
  const cfg = baseConfig({ gen: [], bgen: [B('complex.bgen')], sample: undefined, pheno, covar: undefined });
  const s = await runAssoc(cfg);
  const rows = readTable(`${cfg.out}.y.tsv`).rows;
  const vcf = fs
    .readFileSync(B('complex.vcf'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  const altRows = vcf.reduce((acc, l) => acc + l.split('\t')[4].split(',').length, 0);
  t.equal(rows.length, altRows, 'one row per ALT allele');
  t.equal(s.variantsRead, 10);
  const m = rows.filter((r) => r[1] === 'M8');
  t.ok(m.length >= 2 && m.every((r) => r[4] === 'A'), 'each ALT of M8 is tested against the first allele');
  const cfg2 = baseConfig({ gen: [], bgen: [B('complex.bgen')], sample: undefined, pheno, covar: undefined, biallelicOnly: true });
  const s2 = await runAssoc(cfg2);
  t.ok(s2.multiallelicSkipped > 0, `${s2.multiallelicSkipped} skipped with --biallelic-only`);
});

t.test('damaged BGEN files: one line naming the file and byte offset', async (t) => {
  const dir = tmpDir('badbgen');
  const full = fs.readFileSync(B('example.8bits.bgen'));
  const pheno = E('example.pheno');
  const run = (file: string) => runCli(['assoc', '--bgen', file, '--sample', E('example.sample'), '--pheno', pheno, '--pheno-name', 'trait1', '--out', path.join(dir, 'o')]);
  const cut = path.join(dir, 'cut.bgen');
  fs.writeFileSync(cut, full.subarray(0, 60000));
  let r = run(cut);
  t.equal(r.status, 3);
  t.match(r.stderr, new RegExp(`^dosageflow: ${cut.replace(/[.]/g, '\\.')}: byte \\d+: .*(truncated|past the end)`));
  const junk = path.join(dir, 'junk.bgen');
  fs.writeFileSync(junk, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
  r = run(junk);
  t.equal(r.status, 3);
  t.match(r.stderr, /junk\.bgen: byte 16: not a bgen file \(bad magic\)/);
  // A block whose declared length runs past the end of the file.
  const long = Buffer.from(full.subarray(0, 200000));
  const first = 4 + long.readUInt32LE(0);
  // Find the first record's C field: skip id, rsid, chr, pos, K, alleles.
  let p = first;
  for (let k = 0; k < 3; k++) p += 2 + long.readUInt16LE(p);
  p += 4;
  const K = long.readUInt16LE(p);
  p += 2;
  for (let k = 0; k < K; k++) p += 4 + long.readUInt32LE(p);
  long.writeUInt32LE(0x7fffffff, p);
  const lf = path.join(dir, 'long.bgen');
  fs.writeFileSync(lf, long);
  r = run(lf);
  t.equal(r.status, 3);
  t.match(r.stderr, /long\.bgen: byte \d+: /);
  t.equal(r.stderr.trim().split('\n').length, 1);
  t.same(
    fs.readdirSync(dir).filter((f) => (f.startsWith('o.') && !f.endsWith('.log')) || f.includes('tmp')),
    [],
    'no output left behind',
  );
});

t.test('--sample must agree with the identifiers stored in the BGEN file', async (t) => {
  const dir = tmpDir('ids');
  const bad = path.join(dir, 'bad.sample');
  const lines = fs.readFileSync(E('example.sample'), 'utf8').split('\n');
  lines[5] = 'someone_else';
  fs.writeFileSync(bad, lines.join('\n'));
  const r = runCli(['assoc', '--bgen', B('example.8bits.bgen'), '--sample', bad, '--pheno', E('example.pheno'), '--out', path.join(dir, 'o')]);
  t.equal(r.status, 3);
  t.match(r.stderr, /example\.8bits\.bgen: byte 24: sample 4 is 'sample_004' in the file's identifier block but 'someone_else' in .*bad\.sample/);
  const short = path.join(dir, 'short.sample');
  fs.writeFileSync(short, lines.slice(0, 100).join('\n') + '\n');
  const r2 = runCli(['assoc', '--bgen', B('example.8bits.bgen'), '--sample', short, '--pheno', E('example.pheno'), '--out', path.join(dir, 'o')]);
  t.equal(r2.status, 3);
  t.match(r2.stderr, /500 samples, but .*short\.sample lists 98/);
});

t.test('BGEN written by plink2 (v1.1; v1.3 16-bit) gives the plink2 results of the same data', async (t) => {
  const A = (f: string) => fixture('assoc', f);
  for (const [file, prec] of [
    ['small.plink2-v11', undefined],
    ['small.plink2-v13', undefined], // plink2's quanta are the default for BGEN too
  ] as const) {
    const cfg = baseConfig({ gen: [], bgen: [A(`${file}.bgen`)], sample: A(`${file}.sample`), dosagePrecision: prec });
    await runAssoc(cfg);
    for (const p of ['response', 'dissociation', 'madrs']) {
      const r = compareWithPlink2(readTable(`${cfg.out}.${p}.tsv`), readTable(A(`golden/small.${p}.glm.linear`)));
      t.equal(r.compared, 240);
      t.same(r.problems, [], `${file} ${p}`);
    }
  }
  const exact = baseConfig({ gen: [], bgen: [A('small.plink2-v13.bgen')], sample: A('small.plink2-v13.sample'), phenoNames: ['response'], dosagePrecision: 'exact' });
  await runAssoc(exact);
  const r = compareWithinRounding(readTable(`${exact.out}.response.tsv`), readTable(A('golden/small.response.glm.linear')));
  t.same(r.problems, [], 'exact 16-bit dosages: within the rounding');
});

t.test('--shard I/N: the shards of a BGEN file, with and without .bgi, are its variants once each', async (t) => {
  const dir = tmpDir('bshard');
  const noIdx = path.join(dir, 'noidx.bgen');
  const withIdx = path.join(dir, 'idx.bgen');
  fs.copyFileSync(B('example.8bits.bgen'), noIdx);
  fs.copyFileSync(B('example.8bits.bgen'), withIdx);
  fs.copyFileSync(B('example.8bits.bgen.bgi'), `${withIdx}.bgi`);
  const whole = bgenConfig([noIdx], { phenoNames: ['trait1'] });
  await runAssoc(whole);
  const want = readTable(`${whole.out}.trait1.tsv`)
    .rows.map((r) => r.join('\t'))
    .sort();
  for (const file of [noIdx, withIdx]) {
    const rows: string[] = [];
    let read = 0;
    for (let i = 1; i <= 3; i++) {
      const cfg = bgenConfig([file], { phenoNames: ['trait1'], shard: { index: i, count: 3 } });
      read += (await runAssoc(cfg)).variantsRead;
      rows.push(...readTable(`${cfg.out}.trait1.tsv`).rows.map((r) => r.join('\t')));
    }
    t.equal(read, 199, `${path.basename(file)}: 199 variants over 3 shards`);
    t.same(rows.sort(), want, `${path.basename(file)}: the same rows as one run`);
  }
});

t.test('regression: bgen 8-bit dosages rounded half-even, where plink2 rounds the first allele count up', async (t) => {
  // plink2 stores floor((c·16384 + 2^(bits-1)) / (2^bits - 1)) of the first allele's count c; rounding
  // the decoded dosage to 1/16384 moved 1 genotype in 255 by a quantum (71 of 260 rows off in the 6th
  // digit at 41 samples, 8 bits). test/fixtures/bgen-quanta/make-fixture.sh made files and goldens.
  const Q = (f: string) => fixture('bgen-quanta', f);
  for (const [file, rows] of [
    ['b8', 300],
    ['b3', 300],
    ['b1', 300],
    ['p8', 150], // phased: the haplotypes' summed count, the same rule
  ] as const) {
    const cfg = baseConfig({ gen: [], bgen: [Q(`${file}.bgen`)], sample: Q('q.sample'), pheno: Q('q.pheno'), covar: Q('covar.tsv') });
    await runAssoc(cfg);
    for (const p of ['PHENO1', 'PHENO2']) {
      const r = compareWithPlink2(readTable(`${cfg.out}.${p}.tsv`), readTable(Q(`golden/${file}.${p}.glm.linear`)));
      t.equal(r.compared, rows);
      t.same(r.problems, [], `${file}.bgen, ${p}: plink2's digits (the default)`);
    }
  }
  const exact = baseConfig({ gen: [], bgen: [Q('b8.bgen')], sample: Q('q.sample'), pheno: Q('q.pheno'), covar: Q('covar.tsv'), dosagePrecision: 'exact' });
  await runAssoc(exact);
  const r = compareWithPlink2(readTable(`${exact.out}.PHENO1.tsv`), readTable(Q('golden/b8.PHENO1.glm.linear')));
  t.ok(r.problems.length > 0, `--dosage-precision exact keeps the decoded dosages: ${r.problems.length} values off plink2's digits`);
});

t.test('regression: bgen ploidy-1 samples counted as haploid alleles, plink2 counts them on the diploid scale', async (t) => {
  // chrX males, chrY and MT as plink2 exports them (ploidy 1): FRQ was dosage over ploidy and INFO NA,
  // and chrY/MT missed plink2's quanta, so every chrX row and most chrY/MT rows were off plink2.
  // test/fixtures/bgen-haploid/make-fixture.sh made the file and the golden (plink2 --glm no-x-sex).
  const cfg = hapConfig({ noXSex: true });
  const s = await runAssoc(cfg);
  t.notOk(
    s.sexChromosomes?.some((l) => /chrX/.test(l)),
    '--no-x-sex: no sex covariate on chrX',
  );
  const ours = readTable(`${cfg.out}.y.tsv`);
  const r = compareWithPlink2(ours, readTable(H('golden/hap.y.glm.linear')));
  t.equal(r.compared, 120);
  t.same(r.problems, [], 'chrX, chrY and MT: plink2 --glm no-x-sex digit for digit');
  const info = ours.header.indexOf('INFO');
  t.ok(
    ours.rows.every((row) => (row[0] === 'MT') === (row[info] === 'NA')),
    'INFO on chrX and chrY (plink2 prints MACH R2 there), NA on MT',
  );
  const vcf = baseConfig({ gen: [], vcf: [H('hap.vcf.gz')], sample: undefined, pheno: H('hap.pheno'), phenoNames: ['y'], covar: H('hap.pheno'), covarNames: ['C1', 'C2'] });
  await runAssoc(vcf);
  const rv = compareWithPlink2(readTable(`${vcf.out}.y.tsv`), readTable(H('golden/hapvcf.y.glm.linear')));
  t.equal(rv.compared, 120);
  t.same(rv.problems, [], 'the same calls as VCF (plink2 --vcf dosage=DS --psam): chrY INFO was NA');
});

const H = (f: string) => fixture('bgen-haploid', f);
const hapConfig = (over: Parameters<typeof baseConfig>[0] = {}) =>
  baseConfig({ gen: [], bgen: [H('hap.bgen')], sample: H('hap.sample'), pheno: H('hap.pheno'), phenoNames: ['y'], covar: H('hap.pheno'), covarNames: ['C1', 'C2'], ...over });

t.test('regression: chrX tested without the sex covariate plink2 --glm adds there by default', async (t) => {
  // hap.sample gives both sexes: plink2 regresses chrX with sex (male 1, female 2) as one more
  // covariate and prints MACH_R2 NA there; the rows were plink2 no-x-sex's, with a warning.
  const cfg = hapConfig();
  const s = await runAssoc(cfg);
  t.ok(
    s.sexChromosomes?.some((l) => /^60 chrX variants: sex \(from .*hap\.sample\) as a covariate there, as plink2 --glm does \(--no-x-sex leaves it out\)$/.test(l)),
    'the summary says how chrX was modelled',
  );
  t.same(
    s.warnings.filter((w) => /chr[XY]/.test(w)),
    [],
    'no chrX warning',
  );
  const r = compareWithPlink2(readTable(`${cfg.out}.y.tsv`), readTable(H('golden/hapsex.y.glm.linear')));
  t.equal(r.compared, 120);
  t.same(r.problems, [], "every row plink2's default run's digit for digit, chrX's INFO NA as plink2 prints it");
  // sex in --covar: that covariate is the sex covariate (plink2 would stop: two copies of one covariate).
  const sexed = hapConfig({ covarNames: ['C1', 'C2', 'sex'] });
  const ss = await runAssoc(sexed);
  t.notOk(
    ss.sexChromosomes?.some((l) => /chrX/.test(l)),
    'no sex covariate added when one is named sex',
  );
  const x = (tb: Table) => ({ header: tb.header, rows: tb.rows.filter((r) => r[0] === 'X' || r[0] === '23') });
  const rx = compareWithPlink2(x(readTable(`${sexed.out}.y.tsv`)), x(readTable(H('golden/hapsex.y.glm.linear'))));
  t.equal(rx.compared, 60);
  t.same(
    rx.problems.filter((p) => !/: INFO ours \S+ plink2 NA$/.test(p)),
    [],
    "chrX with sex in --covar: plink2's default run digit for digit (BETA, SE, T, P, N, FRQ)",
  );
});

t.test('regression: samples of unknown sex kept on chrX and chrY, plink2 drops them there (and females on chrY)', async (t) => {
  // hapna.sample: every 5th sample's sex NA. plink2 2.00a3.5 regresses chrX on the samples of known
  // sex (sex a covariate) and chrY on the known males only: N 32 and 16 there, 41 elsewhere.
  const cfg = hapConfig({ sample: H('hapna.sample') });
  const s = await runAssoc(cfg);
  t.ok(
    s.sexChromosomes?.some((l) => /^30 chrY variants: only the samples .*hapna\.sample says are male/.test(l)),
    'the summary says chrY used the known males',
  );
  const ours = readTable(`${cfg.out}.y.tsv`);
  const r = compareWithPlink2(ours, readTable(H('golden/hapna.y.glm.linear')));
  t.equal(r.compared, 120);
  t.same(r.problems, [], "every row plink2's digit for digit");
  const n = ours.header.indexOf('N');
  t.same([...new Set(ours.rows.map((row) => `${row[0]}:${row[n]}`))].sort(), ['MT:41', 'X:32', 'Y:16']);
});

t.test('--psam gives a VCF its sexes: chrX and chrY as plink2 --vcf --psam', async (t) => {
  const cfg = hapConfig({ bgen: [], vcf: [H('hap.vcf.gz')], sample: undefined, psam: H('hap.psam') });
  const s = await runAssoc(cfg);
  t.ok(
    s.sexChromosomes?.some((l) => /^60 chrX variants: sex \(from .*hap\.psam\) as a covariate there/.test(l)),
    'the summary names the .psam',
  );
  const r = compareWithPlink2(readTable(`${cfg.out}.y.tsv`), readTable(H('golden/hapvcfsex.y.glm.linear')));
  t.equal(r.compared, 120);
  t.same(r.problems, [], "every row plink2's digit for digit");
  const bad = runCli(['assoc', '--vcf', H('hap.vcf.gz'), '--psam', H('hap.pheno'), '--pheno', H('hap.pheno'), '--out', path.join(tmpDir('psam'), 'x')]);
  t.equal(bad.status, 3, 'a .psam without SEX: bad input');
  t.match(bad.stderr, /hap\.pheno:1: no sex column 'SEX'/);
});

t.test('case/control on chrX: logistic with the sex covariate, as plink2 --glm firth-fallback', async (t) => {
  const cfg = hapConfig({ pheno: H('hapcc.pheno'), phenoNames: undefined });
  await runAssoc(cfg);
  const file = `${cfg.out}.cc.tsv`;
  const r = compareLogistic(rowsOfTable(file), H('golden/hapcc.cc.glm.logistic.hybrid'), true);
  t.equal(r.compared, 120);
  t.same(r.problems, [], "plink2's rows within its single-precision noise, FIRTH flags equal");
  const tb = readTable(file);
  const info = tb.header.indexOf('INFO');
  t.ok(
    tb.rows.every((row) => (row[0] === 'X' || row[0] === 'MT') === (row[info] === 'NA')),
    'INFO NA on chrX (plink2 prints no MACH_R2 on its chrX model) and MT',
  );
});
