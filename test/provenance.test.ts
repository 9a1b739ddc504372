// Issue 18, the record of a run: PREFIX.log, --version, and the small CLI habits (--min-maf 1%, a
// non-number echoed as given, assoc creating its output directory, no camelCase copies in messages,
// progress with a total, percentage and ETA).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { logPathFor } from '../src/io/runlog.js';
import { progressLine } from '../src/pipeline/assoc-run.js';
import { fixture, runCli, tmpDir } from './lib/helpers.js';

const A = (f: string) => fixture('assoc', f);
const base = ['assoc', '--gen', A('small.gen'), '--sample', A('small.sample'), '--pheno', A('small.pheno')];

t.test('--version: version, Node and commit', async (t) => {
  const r = runCli(['--version']);
  t.equal(r.status, 0);
  t.match(r.stdout, /^dosageflow \d+\.\d+\.\d+\S* \(commit ([0-9a-f]{7,}(-dirty)?|unknown), Node \d+\.\d+\.\d+\)\n$/);
});

t.test('assoc writes PREFIX.log: version, command, host, inputs with sizes, what stderr said, exit code', async (t) => {
  const dir = tmpDir('log');
  // --out into a directory that does not exist yet: assoc creates it, as report does.
  const out = path.join(dir, 'res', 'x');
  const r = runCli([...base, '--out', out, '--min-maf', '1%']);
  t.equal(r.status, 0, r.stderr);
  const log = fs.readFileSync(out + '.log', 'utf8');
  t.match(log, /^dosageflow \S+ \(commit \S+, Node \S+\)\n/);
  t.match(log, `command: dosageflow assoc --gen ${A('small.gen')}`);
  t.match(log, /--min-maf 1%/);
  t.match(log, /host: .*, \d+ cores/);
  t.match(log, /start: \d{4}-\d\d-\d\dT/);
  t.match(log, `--gen ${A('small.gen')}  ${fs.statSync(A('small.gen')).size} bytes`);
  t.match(log, `--pheno ${A('small.pheno')}  ${fs.statSync(A('small.pheno')).size} bytes`);
  for (const line of r.stderr.split('\n').filter(Boolean)) t.ok(log.includes(line + '\n'), `log has: ${line}`);
  t.match(log, /samples: \d+ of \d+ genotyped samples have a row/);
  t.match(log, /\nend: \S+ \(\d+\.\d\d s\), exit code 0, peak memory \d+ MB RSS\n$/);
});

t.test('a failed run is logged with its error and exit code', async (t) => {
  const dir = tmpDir('logfail');
  const out = path.join(dir, 'x');
  const r = runCli(['assoc', '--gen', A('small.gen'), '--sample', A('small.sample'), '--pheno', path.join(dir, 'nope.pheno'), '--out', out]);
  t.equal(r.status, 4);
  const log = fs.readFileSync(out + '.log', 'utf8');
  t.match(log, /--pheno \S+nope\.pheno {2}missing/);
  t.match(log, /dosageflow: \S+nope\.pheno: no such file\n/);
  t.match(log, /exit code 4, peak memory \d+ MB RSS\n$/);
  t.same(fs.readdirSync(dir), ['x.log'], 'only the log: no table');
});

t.test('log names per command', async (t) => {
  t.equal(logPathFor('assoc', { out: 'r/x' }), 'r/x.log');
  t.equal(logPathFor('assoc', { out: '-' }), null);
  t.equal(logPathFor('prs', { out: 'p/s' }), 'p/s.log');
  t.equal(logPathFor('simulate', { out: 's' }), 's.log');
  t.equal(logPathFor('merge', { out: 'm/all.tsv.gz' }), 'm/all.log');
  t.equal(logPathFor('report', { out: 'rep' }), path.join('rep', 'report.log'));
  // Regression: merge --out /dev/null wrote /dev/null.log, and --out DIR/ wrote DIR/.log.
  t.equal(logPathFor('merge', { out: '/dev/null' }), null);
  t.equal(logPathFor('merge', { out: '/dev/fd/63' }), null);
  t.equal(logPathFor('merge', { out: tmpDir('dirout') + '/' }), null);
  t.equal(logPathFor('merge', { out: tmpDir('dirout') }), null, 'a directory');
});

t.test('number options echo what was given; --min-maf takes a percentage', async (t) => {
  const r = runCli([...base, '--out', path.join(tmpDir('maf'), 'x'), '--min-maf', '1x']);
  t.equal(r.status, 2);
  t.equal(r.stderr, "dosageflow: --min-maf takes a number such as 0.01 or 1%, not '1x'\n");
  const i = runCli([...base, '--out', path.join(tmpDir('maf'), 'x'), '--min-info', 'abc']);
  t.equal(i.status, 2);
  t.equal(i.stderr, "dosageflow: --min-info takes a number, not 'abc'\n");
});

t.test('unknown options are named once (no camelCase copies)', async (t) => {
  const r = runCli([...base, '--out', path.join(tmpDir('cc'), 'x'), '--condition-list', 'a']);
  t.equal(r.status, 2);
  t.equal(r.stderr, 'dosageflow: unknown argument: condition-list\n');
});

t.test('progress: total, percentage and ETA when the total is known', async (t) => {
  t.equal(progressLine(250, 5e6, 2, { unit: 'variants', total: 1000 }), '250 of 1000 variants (25%), 125 variants/s, ETA 0:06');
  t.equal(progressLine(100, 50e6, 10, { unit: 'bytes', total: 200e6 }), '50 of 200 MB (25%), 10 variants/s, ETA 0:30');
  t.equal(progressLine(100, 50e6, 10, null), '100 variants, 50 MB, 10 variants/s');
  t.equal(progressLine(0, 0, 1, { unit: 'variants', total: 10 }), '0 of 10 variants (0%), 0 variants/s, ETA ?');
});
