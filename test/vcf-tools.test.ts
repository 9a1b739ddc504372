// Session 12's hunt against plink2 2.00a3.5 on files other tools wrote (issues 16/17): one test per
// discrepancy found, named after it, on test/fixtures/vcf-tools/ (make-fixture.sh, plink2 goldens).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, readTable, runCli, tmpDir } from './lib/helpers.js';

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
