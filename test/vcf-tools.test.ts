// Session 12's hunt against plink2 2.00a3.5 on files other tools wrote (issues 16/17): one test per
// discrepancy found, named after it, on test/fixtures/vcf-tools/ (make-fixture.sh, plink2 goldens).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { inputsAreXYOnly } from '../src/pipeline/xy-only.js';
import { compareWithPlink2, fixture, readTable, runCli, tmpDir } from './lib/helpers.js';

const F = (f: string) => fixture('vcf-tools', f);
const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

t.test(
  '--extract-if-info: an absent key, a flag, `.`, a list or the INFO `.` fail every predicate but !=, which they pass (as plink2; was: a list used its first value, != removed them)',
  async (t) => {
    const dir = tmpDir('vcf-tools-info');
    const pheno = path.join(dir, 'p.tsv');
    fs.writeFileSync(pheno, `#IID\ty\n${Array.from({ length: 30 }, (_, i) => `per${i}\t${(i * 7) % 11}`).join('\n')}\n`);
    for (const [op, name] of [
      ['>=', 'ge'],
      ['<', 'lt'],
      ['!=', 'ne'],
      ['=', 'eq'],
    ]) {
      const out = path.join(dir, name);
      const r = runCli(['assoc', '--vcf', F('info.vcf.gz'), '--pheno', pheno, '--extract-if-info', `R2${op}0.3`, '--out', out, '--no-progress']);
      t.equal(r.status, 0, r.stderr);
      const ids = readTable(`${out}.y.tsv`).rows.map((row) => row[1]);
      const want = lines(F(`golden/extract-if-info.${name}.ids`));
      t.same(ids, want, `R2${op}0.3 keeps plink2's ${want.length} records`);
      t.match(r.stderr, new RegExp(`${40 - want.length} removed by --extract-if-info`), 'the others counted');
    }
  },
);

t.test('a FID IID table with an IID in two families, for samples without FIDs (a VCF): exit 3 naming both lines (was: the later row silently used)', async (t) => {
  const dir = tmpDir('vcf-tools-dupiid');
  const r = runCli(['assoc', '--vcf', F('info.vcf.gz'), '--pheno', F('dupiid.pheno'), '--out', path.join(dir, 'o'), '--no-progress']);
  t.equal(r.status, 3);
  t.match(r.stderr, /dupiid\.pheno:32: sample IID 'per3' is in several families of this table \(also on line 5\)/);
  t.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  t.same(
    fs.readdirSync(dir).filter((f) => f.endsWith('.tsv')),
    [],
    'no table written',
  );
});

t.test('an input error after the VCF header is read (a misnamed --pheno-name): one line on stderr (was: Node warnings of a file handle closed at garbage collection after it)', async (t) => {
  const dir = tmpDir('vcf-tools-close');
  for (let i = 0; i < 3; i++) {
    const r = runCli(['assoc', '--vcf', F('info.vcf.gz'), '--pheno', F('dupiid.pheno'), '--pheno-name', 'nosuch', '--out', path.join(dir, 'o'), '--no-progress']);
    t.equal(r.status, 3);
    t.same(r.stderr.trim().split('\n'), [`dosageflow: ${F('dupiid.pheno')}:1: no phenotype column 'nosuch' (columns: y)`]);
  }
});

t.test('a chrX-only VCF with its .tbi, sexes from --psam: MACH_R2 as plink2 prints it on this file alone (was: NA, plink2 prints NA only in runs with other chromosomes)', async (t) => {
  const dir = tmpDir('vcf-tools-xonly');
  const args = (vcf: string, out: string) => ['assoc', '--vcf', vcf, '--psam', F('xonly.psam'), '--pheno', F('xonly.psam'), '--pheno-name', 'PHENO1', '--out', out, '--no-progress'];
  const r = runCli(args(F('xonly.vcf.gz'), path.join(dir, 'idx')));
  t.equal(r.status, 0, r.stderr);
  const ours = readTable(path.join(dir, 'idx.PHENO1.tsv'));
  const res = compareWithPlink2(ours, readTable(F('golden/xonly.PHENO1.glm.linear')));
  t.same(res.problems, []);
  t.equal(res.compared, 30);
  t.ok(
    ours.rows.every((row) => row[6] !== 'NA'),
    'INFO printed on every row',
  );
  t.notMatch(r.stderr, /every variant read was on chrX/);
  // Without the index the file's chromosomes are not known before reading: NA, as in a whole-genome run, and a warning saying why.
  const u = runCli(args(F('xonly.vcf'), path.join(dir, 'plain')));
  t.equal(u.status, 0, u.stderr);
  const plain = readTable(path.join(dir, 'plain.PHENO1.tsv'));
  t.ok(
    plain.rows.every((row) => row[6] === 'NA'),
    'INFO NA without an index',
  );
  t.match(u.stderr, /every variant read was on chrX\/chrY, where plink2 on these files alone prints MACH_R2/);
  t.same(
    plain.rows.map((row) => row.filter((_, i) => i !== 6)),
    ours.rows.map((row) => row.filter((_, i) => i !== 6)),
    'the rest of each row the same',
  );
});

t.test('the inputs say chrX/chrY only before reading: --chr X (.gen), a .tbi, a .bgi; without one, or with another chromosome, not known', async (t) => {
  // The CLI test above covers the .tbi end to end; here each source of the answer (src/pipeline/xy-only.ts).
  const none = { gen: [] as string[], bgen: [] as string[] };
  t.equal(await inputsAreXYOnly({ ...none, gen: ['c.gen'], chr: 'X' }), true, '.gen with --chr X');
  t.equal(await inputsAreXYOnly({ ...none, gen: ['c.gen'], chr: '23' }), true, ".gen with --chr 23 (plink's number)");
  t.equal(await inputsAreXYOnly({ ...none, gen: ['c.gen'] }), false, '.gen with a chromosome column: not known');
  t.equal(await inputsAreXYOnly({ ...none, vcf: [F('xonly.vcf.gz')] }), true, 'chrX-only VCF with its .tbi');
  t.equal(await inputsAreXYOnly({ ...none, vcf: [F('xonly.vcf')] }), false, 'no index');
  t.equal(await inputsAreXYOnly({ ...none, vcf: [F('xonly.vcf.gz'), fixture('vcf', 'ds.vcf.gz')] }), false, 'a second VCF whose .tbi has chr1, chr22');
  t.equal(await inputsAreXYOnly({ ...none, vcf: [F('xonly.vcf.gz')], gen: ['c.gen'] }), false, 'a .gen beside it without --chr');
  // A .bgi names each variant's chromosome: the fixture's (chr 01) and the same with every variant on X.
  const dir = tmpDir('vcf-tools-xy-bgi');
  const bgen = fixture('bgen', 'example.8bits.bgen');
  t.equal(await inputsAreXYOnly({ ...none, bgen: [bgen] }), false, 'BGEN whose .bgi has chr 01');
  const x = path.join(dir, 'x.bgen');
  fs.copyFileSync(`${bgen}.bgi`, `${x}.bgi`);
  const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const db = new Sqlite(`${x}.bgi`);
  db.prepare("UPDATE Variant SET chromosome = 'X'").run();
  db.close();
  t.equal(await inputsAreXYOnly({ ...none, bgen: [x] }), true, 'BGEN whose .bgi has X only');
  t.equal(await inputsAreXYOnly({ ...none, bgen: [path.join(dir, 'none.bgen')] }), false, 'BGEN without a .bgi');
});

t.test("records with ALT '.' or '*' are counted in the summary as not tested (was: fewer variants tested than read, no word why)", async (t) => {
  const dir = tmpDir('vcf-tools-noalt');
  const lines = zlib
    .gunzipSync(fs.readFileSync(F('info.vcf.gz')))
    .toString()
    .split('\n');
  let n = 0;
  const edited = lines.map((l) => {
    if (l === '' || l.startsWith('#')) return l;
    const f = l.split('\t');
    n++;
    if (n === 3) f[4] = '.';
    if (n === 9) f[4] = '*';
    return f.join('\t');
  });
  const vcf = path.join(dir, 'noalt.vcf');
  fs.writeFileSync(vcf, edited.join('\n'));
  const pheno = path.join(dir, 'p.tsv');
  fs.writeFileSync(pheno, `#IID\ty\n${Array.from({ length: 30 }, (_, i) => `per${i}\t${(i * 7) % 11}`).join('\n')}\n`);
  const r = runCli(['assoc', '--vcf', vcf, '--pheno', pheno, '--out', path.join(dir, 'o'), '--no-progress']);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /40 variants read from 1 file \(30 samples\), 2 with one allele \(no ALT\) skipped/);
  t.match(r.stderr, /38 variants tested/);
});

t.test('--extract listing none of the IDs read (rsIDs for chr:pos IDs): a warning saying so (was: exit 0 and empty tables without a word; plink2 stops)', async (t) => {
  const dir = tmpDir('vcf-tools-extract');
  const pheno = path.join(dir, 'p.tsv');
  fs.writeFileSync(pheno, `#IID\ty\n${Array.from({ length: 30 }, (_, i) => `per${i}\t${(i * 7) % 11}`).join('\n')}\n`);
  const list = path.join(dir, 'rs.txt');
  fs.writeFileSync(list, 'rs123\nrs456\n');
  const r = runCli(['assoc', '--vcf', F('info.vcf.gz'), '--pheno', pheno, '--extract', list, '--out', path.join(dir, 'o'), '--no-progress']);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /warning: --extract \S+rs\.txt lists none of the 40 variants read: IDs are matched against the SNP column/);
  fs.writeFileSync(list, 'rs123\nsnp3\n');
  const k = runCli(['assoc', '--vcf', F('info.vcf.gz'), '--pheno', pheno, '--extract', list, '--out', path.join(dir, 'k'), '--no-progress']);
  t.equal(k.status, 0, k.stderr);
  t.notMatch(k.stderr, /lists none/, 'no warning when one is kept');
});

t.test('--psam with SEX written M/F (and U), as plink2 reads it: the same rows as 1/2 (was: exit 3, "not a number")', async (t) => {
  const dir = tmpDir('vcf-tools-psam-mf');
  const psam = path.join(dir, 'mf.psam');
  const rows = fs.readFileSync(F('xonly.psam'), 'utf8').split('\n');
  fs.writeFileSync(
    psam,
    rows
      .map((l, i) =>
        i === 0 || l === ''
          ? l
          : l
              .replace(/\t1\t/, '\tM\t')
              .replace(/\t2\t/, '\tF\t')
              .replace(/\tNA\t/, '\tU\t'),
      )
      .join('\n'),
  );
  t.match(fs.readFileSync(psam, 'utf8'), /\tM\t[^\n]*\n[^\n]*\tF\t|\tF\t[^\n]*\n[^\n]*\tM\t/, 'M and F written');
  const r = runCli(['assoc', '--vcf', F('xonly.vcf.gz'), '--psam', psam, '--pheno', F('xonly.psam'), '--pheno-name', 'PHENO1', '--out', path.join(dir, 'o'), '--no-progress']);
  t.equal(r.status, 0, r.stderr);
  const res = compareWithPlink2(readTable(path.join(dir, 'o.PHENO1.tsv')), readTable(F('golden/xonly.PHENO1.glm.linear')));
  t.same(res.problems, []);
  t.equal(res.compared, 30);
});

t.test("--psam given a .fam (no header: FID IID father mother sex phenotype), as plink2 --psam takes it: the .psam run's rows (was: exit 3, \"header starts with '0'\")", async (t) => {
  const dir = tmpDir('vcf-tools-fam');
  const fam = path.join(dir, 'x.fam');
  const rows = fs
    .readFileSync(F('xonly.psam'), 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l !== '');
  fs.writeFileSync(
    fam,
    rows
      .map((l) => l.split('\t'))
      .map((f) => `0 ${f[0]} 0 0 ${f[1] === 'NA' ? 0 : f[1]} -9`)
      .join('\n') + '\n',
  );
  const r = runCli(['assoc', '--vcf', F('xonly.vcf.gz'), '--psam', fam, '--pheno', F('xonly.psam'), '--pheno-name', 'PHENO1', '--out', path.join(dir, 'o'), '--no-progress']);
  t.equal(r.status, 0, r.stderr);
  const res = compareWithPlink2(readTable(path.join(dir, 'o.PHENO1.tsv')), readTable(F('golden/xonly.PHENO1.glm.linear')));
  t.same(res.problems, []);
  t.equal(res.compared, 30);
  fs.writeFileSync(fam, 'per0 per0 2\n');
  const bad = runCli(['assoc', '--vcf', F('xonly.vcf.gz'), '--psam', fam, '--pheno', F('xonly.psam'), '--pheno-name', 'PHENO1', '--out', path.join(dir, 'b'), '--no-progress']);
  t.equal(bad.status, 3);
  t.match(bad.stderr, /x\.fam:1: 3 fields: a \.fam line has 6/);
});

t.test('comma-delimited phenotype/covariate tables and plink2 column ranges (--covar-name PC1-PC3: header order), as plink2 takes them (was: exit 3)', async (t) => {
  const dir = tmpDir('vcf-tools-csv');
  const tsvPheno = path.join(dir, 'p.tsv');
  const tsvCovar = path.join(dir, 'c.tsv');
  const ids = Array.from({ length: 40 }, (_, i) => `per${i}`);
  fs.writeFileSync(tsvPheno, `#IID\ty\tz\n${ids.map((id, i) => `${id}\t${(i * 7) % 11}\t${i % 2 ? 'NA' : (i * 3) % 5}`).join('\n')}\n`);
  fs.writeFileSync(
    tsvCovar,
    `#IID\tage\tPC1\tPC5\tPC2\tPC3\n${ids.map((id, i) => `${id}\t${20 + ((i * 13) % 40)}\t${((i * 17) % 23) / 23}\t${((i * 5) % 7) / 7}\t${((i * 11) % 19) / 19}\t${((i * 3) % 29) / 29}`).join('\n')}\n`,
  );
  const csv = (f: string) => {
    const out = f.replace(/\.tsv$/, '.csv');
    fs.writeFileSync(out, fs.readFileSync(f, 'utf8').replaceAll('\t', ','));
    return out;
  };
  const run = (out: string, pheno: string, covar: string, names: string[]) => {
    const r = runCli(['assoc', '--vcf', F('xonly.vcf.gz'), '--pheno', pheno, '--covar', covar, ...names, '--out', path.join(dir, out), '--no-progress']);
    t.equal(r.status, 0, r.stderr);
    return ['y', 'z'].map((p) => fs.readFileSync(path.join(dir, `${out}.${p}.tsv`), 'utf8'));
  };
  const base = run('tsv', tsvPheno, tsvCovar, ['--covar-name', 'age,PC1,PC5,PC2']);
  t.same(run('csv', csv(tsvPheno), csv(tsvCovar), ['--covar-name', 'age,PC1,PC5,PC2']), base, 'CSV tables: the same tables');
  t.same(run('range', tsvPheno, tsvCovar, ['--covar-name', 'age,PC1-PC2', '--pheno-name', 'y-z']), base, 'PC1-PC2 is PC1, PC5, PC2 (header order); y-z is y, z');
  const bad = runCli(['assoc', '--vcf', F('xonly.vcf.gz'), '--pheno', tsvPheno, '--covar', tsvCovar, '--covar-name', 'PC2-PC1', '--out', path.join(dir, 'b'), '--no-progress']);
  t.equal(bad.status, 3);
  t.match(bad.stderr, /no covariate column 'PC2-PC1'/, 'a range backwards is no column');
});

/** info.vcf.gz twice, joined with cat (a second header among the records), in a new directory. */
function catJoined(name: string): { dir: string; joined: string; one: Buffer } {
  const dir = tmpDir(name);
  const joined = path.join(dir, 'cat.vcf.gz');
  const one = fs.readFileSync(F('info.vcf.gz'));
  fs.writeFileSync(joined, Buffer.concat([one, one]));
  return { dir, joined, one };
}

t.test(
  "two VCFs joined with cat (a second header among the records): exit 3 at its first line, as plink2 stops (was: the header skipped, the second file's samples silently taken in the first's order)",
  async (t) => {
    const { dir, joined, one } = catJoined('vcf-tools-cat');
    const headerLines = zlib
      .gunzipSync(one)
      .toString()
      .split('\n')
      .filter((l) => l.startsWith('#')).length;
    const r = runCli(['assoc', '--vcf', joined, '--pheno', F('xonly.psam'), '--pheno-name', 'PHENO1', '--out', path.join(dir, 'o'), '--no-progress']);
    t.equal(r.status, 3);
    t.equal(
      r.stderr.trim().split('\n').pop(),
      `dosageflow: ${joined}:${headerLines + 41}: a header line ('#') among the records: VCF files joined with cat? (bcftools concat joins them under one header)`,
    );
    t.same(
      fs.readdirSync(dir).filter((f) => f.endsWith('.tsv')),
      [],
      'no table',
    );
  },
);

t.test('prs: a VCF target joined with cat stops at the second header too (was: read on in the first header sample order)', async (t) => {
  const { dir, joined, one } = catJoined('vcf-tools-cat-prs');
  const recs = zlib
    .gunzipSync(one)
    .toString()
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split('\t'));
  const base = path.join(dir, 'base.tsv');
  fs.writeFileSync(base, `CHR\tSNP\tBP\tA1\tA2\tBETA\tSE\tP\n${recs.map((f) => `1\t${f[2]}\t${f[1]}\t${f[4]}\t${f[3]}\t0.1\t0.05\t0.01`).join('\n')}\n`);
  const r = runCli(['prs', '--base', base, '--vcf', joined, '--pheno', F('xonly.psam'), '--pheno-name', 'PHENO1', '--out', path.join(dir, 'o')]);
  t.equal(r.status, 3, r.stderr);
  t.match(r.stderr, /cat\.vcf\.gz:51: a header line \('#'\) among the records/);
});

t.test(".sample sex codes other than 1, 2, 0, NA (M/F, -9): exit 3 naming the line, as plink2 stops (was: read as unknown, so chrX's model silently lost its sex covariate)", async (t) => {
  const dir = tmpDir('vcf-tools-sample-sex');
  const H = (f: string) => fixture('bgen-haploid', f);
  const sample = path.join(dir, 'mf.sample');
  const rows = fs.readFileSync(H('hap.sample'), 'utf8').split('\n');
  fs.writeFileSync(sample, rows.map((l, i) => (i === 3 ? l.replace(/ 2$/, ' F') : l)).join('\n'));
  const r = runCli(['assoc', '--bgen', H('hap.bgen'), '--sample', sample, '--pheno', H('hap.pheno'), '--pheno-name', 'y', '--out', path.join(dir, 'o'), '--no-progress']);
  t.equal(r.status, 3, r.stderr);
  t.match(r.stderr, /mf\.sample:4: sex 'F': a \.sample sex column \(type D\) holds 1 \(male\), 2 \(female\), 0 or NA \(unknown\)/);
  const ok = runCli(['assoc', '--bgen', H('hap.bgen'), '--sample', H('hapna.sample'), '--pheno', H('hap.pheno'), '--pheno-name', 'y', '--out', path.join(dir, 'na'), '--no-progress']);
  t.equal(ok.status, 0, 'NA is unknown, no error');
});
