// The command line: help with examples, option validation messages, stdout streaming, exit codes.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateAssocOptions } from '../src/commands/assoc.js';
import { BIN, fixture, runCli, tmpDir, untracked } from './lib/helpers.js';

const A = (f: string) => fixture('assoc', f);
const base = ['assoc', '--gen', A('small.gen'), '--sample', A('small.sample'), '--pheno', A('small.pheno')];

t.test('--help lists the commands; assoc --help has examples and says A1 is allele B', async (t) => {
  const r = runCli(['--help']);
  t.equal(r.status, 0);
  t.match(r.stdout, /assoc/);
  const a = runCli(['assoc', '--help']);
  t.equal(a.status, 0);
  t.match(a.stdout, /Examples:/);
  t.match(a.stdout, /allele B/);
  t.match(a.stdout, /--min-info/);
});

t.test('option validation: one short message per mistake', async (t) => {
  const ok = { gen: ['x.gen'], sample: 's', pheno: 'p', out: 'o' };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...ok, gen: undefined }, /give the genotype files with --gen/],
    [{ ...ok, sample: undefined }, /--gen needs --sample FILE/],
    [{ ...ok, pheno: undefined }, /give the phenotypes with --pheno/],
    [{ ...ok, out: undefined }, /give an output prefix with --out/],
    [{ ...ok, compress: 'bz2' }, /--compress takes gz, zst or none, not 'bz2'/],
    [{ ...ok, out: '-', compress: 'gz' }, /--compress applies to files/],
    [{ ...ok, 'min-info': 0.9, 'max-info': 0.5 }, /--min-info 0.9 is above --max-info 0.5/],
    [{ ...ok, 'min-maf': 0.7 }, /--min-maf must be between 0 and 0.5, not 0.7/],
    [{ ...ok, threads: 0 }, /--threads must be between 1 and 256, not 0/],
    [{ ...ok, threads: 1.5 }, /--threads takes a whole number/],
    [{ ...ok, 'chunk-size': '4X' }, /--chunk-size takes a size like 4096, 64k or 4M, not '4X'/],
    [{ ...ok, region: ['1:500-100'] }, /end is before start/],
    [{ ...ok, region: ['1:a-b'] }, /--region takes CHR or CHR:START-END/],
    [{ ...ok, 'covar-name': ['age'] }, /--covar-name needs --covar FILE/],
    [{ ...ok, gen: ['-', '-'] }, /stdin \(-\) can be given only once/],
  ];
  for (const [args, re] of cases) t.throws(() => validateAssocOptions(args), { name: 'UsageError', message: re }, String(re));
  const cfg = validateAssocOptions({ ...ok, 'pheno-name': ['a,b', 'c'], 'chunk-size': '64k', region: ['chr1:1,000-2,000', 'X'] });
  t.same(cfg.phenoNames, ['a', 'b', 'c']);
  t.equal(cfg.chunkSize, 65536);
  t.same(cfg.regions, [
    { chr: '1', start: 1000, end: 2000 },
    { chr: 'X', start: 0, end: Infinity },
  ]);
});

t.test('usage errors exit 2 with one line and no stack trace', async (t) => {
  for (const args of [['assoc'], ['asoc'], [...base, '--out', 'x', '--bogus'], [...base, '--out', 'x', '--threads', '0']]) {
    const r = runCli(args);
    t.equal(r.status, 2, args.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    t.match(r.stderr, /^dosageflow: /);
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

t.test('--out - streams one phenotype to stdout; more than one is refused', async (t) => {
  const r = runCli([...base, '--pheno-name', 'response', '--out', '-']);
  t.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  t.equal(lines[0], 'CHR\tSNP\tBP\tA1\tA2\tFRQ\tINFO\tN\tBETA\tSE\tT\tP\tLOG10P');
  t.equal(lines.length, 241);
  t.match(r.stderr, /response: 116 samples, 239 variants tested/);
  const bad = runCli([...base, '--out', '-']);
  t.equal(bad.status, 3);
  t.match(bad.stderr, /--out - writes one phenotype to stdout, but 3 were selected/);
});

t.test('stdin input (-) and a downstream `head` closing the pipe: exit 0, no EPIPE noise', async (t) => {
  const dir = tmpDir('pipe');
  // ~60k rows: far more than a pipe buffer, so head closes the pipe while we still write.
  const one = fs.readFileSync(A('small.gen'), 'utf8').split('\n').filter(Boolean);
  const lines: string[] = [];
  for (let rep = 0; rep < 250; rep++) for (const l of one) lines.push(l.replace(/^(\S+ \S+ )(\S+)/, `$1$2_${rep}`));
  const big = path.join(dir, 'big.gen');
  fs.writeFileSync(big, lines.join('\n') + '\n');
  const cmd = `cat '${big}' | '${process.execPath}' '${BIN}' assoc --gen - --sample '${A('small.sample')}' --pheno '${A('small.pheno')}' --pheno-name response --out - | head -n 3; echo "status=\${PIPESTATUS[1]}" >&2`;
  const r = spawnSync(...untracked('bash', ['-c', cmd]), { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.stdout.trim().split('\n').length, 3);
  t.match(r.stderr, /status=0/);
  t.notMatch(r.stderr, /EPIPE|Error/);
});

t.test('a closing summary on stderr; no progress line when stderr is not a terminal', async (t) => {
  const dir = tmpDir('sum');
  const r = runCli([...base, '--covar', A('small.covar'), '--out', path.join(dir, 'o')]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /240 variants read from 1 file \(120 samples\) in [\d.]+ s \(\d+ variants\/s\)/);
  t.match(r.stderr, /response: 114 samples, 239 variants tested, 1 NA \(1 CONST_OMITTED_ALLELE\), lambda [\d.]+ -> /);
  t.match(r.stderr, /dissociation: 78 samples/);
  t.notMatch(r.stderr, /\r/);
  t.same(fs.readdirSync(dir).sort(), ['o.dissociation.tsv', 'o.log', 'o.madrs.tsv', 'o.response.tsv']);
});

t.test('a phenotype with too few samples is skipped with a warning (as plink2); the others run', async (t) => {
  const dir = tmpDir('skip');
  const rows = fs.readFileSync(A('small.pheno'), 'utf8').trim().split('\n');
  const pheno = path.join(dir, 'p.tsv');
  fs.writeFileSync(pheno, [rows[0] + ' rare', ...rows.slice(1).map((l, i) => `${l} ${i < 4 ? i : 'NA'}`)].join('\n') + '\n');
  const r = runCli(['assoc', '--gen', A('small.gen'), '--sample', A('small.sample'), '--pheno', pheno, '--covar', A('small.covar'), '--out', path.join(dir, 'o')]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /warning: phenotype rare: only 4 samples for \d+ covariates; need at least \d+: skipped/);
  t.same(
    fs
      .readdirSync(dir)
      .filter((f) => f.startsWith('o.'))
      .sort(),
    ['o.dissociation.tsv', 'o.log', 'o.madrs.tsv', 'o.response.tsv'],
  );
  const only = runCli(['assoc', '--gen', A('small.gen'), '--sample', A('small.sample'), '--pheno', pheno, '--pheno-name', 'rare', '--covar', A('small.covar'), '--out', path.join(dir, 'x')]);
  t.equal(only.status, 3);
  t.match(only.stderr, /phenotype rare: only 4 samples for \d+ covariates/);
});

t.test('bench times assoc on the head of a file and projects the whole file (issue 19)', async (t) => {
  const A = (f: string) => fixture('assoc', f);
  const r = runCli(['bench', A('small.gen'), '--sample', A('small.sample'), '--threads', '1,2', '--variants', '100']);
  t.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  t.equal(lines[0], 'threads\tvariants\tseconds\tvariants/s\tsample_variants/s/core\tprojected_s_whole_file');
  t.same(
    lines.slice(1, 3).map((l) => l.split('\t').slice(0, 2)),
    [
      ['1', '100'],
      ['2', '100'],
    ],
    'the first 100 variants at 1 and 2 threads',
  );
  t.match(lines[3], /^# whole file: ~\d+ variants/);
  const bad = runCli(['bench', A('small.gen'), '--sample', A('small.sample'), '--threads', '0']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--threads must be between 1 and 256/);
});

t.test('--chr with only --vcf or --bgen input is a usage error, not silently ignored (assoc and prs)', async (t) => {
  const V = (f: string) => fixture('vcf', f);
  const dir = tmpDir('chr-vcf');
  const a = runCli(['assoc', '--vcf', V('ds.vcf.gz'), '--pheno', V('pheno.tsv'), '--chr', '5', '--out', path.join(dir, 'a')]);
  t.equal(a.status, 2, a.stderr);
  t.match(a.stderr, /^dosageflow: --chr names the chromosome of IMPUTE2 \.gen files .*--region 5\)\n$/);
  const p = runCli(['prs', '--base', V('golden/ds.resp.glm.linear'), '--pheno', V('pheno.tsv'), '--pheno-name', 'resp', '--vcf', V('ds.vcf.gz'), '--chr', '5', '--out', path.join(dir, 'p')]);
  t.equal(p.status, 2, p.stderr);
  t.match(p.stderr, /^dosageflow: --chr names the chromosome .*--extract\)\n$/);
  t.notOk(fs.existsSync(path.join(dir, 'a.log')) || fs.existsSync(path.join(dir, 'p.scores.tsv')), 'nothing written');
});
