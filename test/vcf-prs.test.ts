// VCF as a genotype input of prs (target --vcf, --ld-ref a VCF) and of report --ld-ref (issue 16):
// the same outputs as from the same genotypes as .gen. The twin test/fixtures/vcf/twin/ds.gen.gz is
// plink2's Oxford export of ds.vcf.gz (make-fixture.sh); with plink2 installed it is made again here.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fixture, hasCommand, runCli, tmpDir } from './lib/helpers.js';

const V = (f: string) => fixture('vcf', f);
const BASE = V('golden/ds.resp.glm.linear'); // plink2 --glm output, read as a prs base as it is
const TWIN = ['--gen', V('twin/ds.gen.gz'), '--sample', V('twin/ds.sample')];
const OUTS = ['clumped.tsv', 'scores.tsv', 'summary.tsv'];

function prs(t: Test, dir: string, name: string, target: string[], extra: string[] = []): Record<string, string> {
  const out = path.join(dir, name);
  const args = ['prs', '--base', BASE, ...target, '--pheno', V('pheno.tsv'), '--pheno-name', 'resp', '--thresholds', '0.05,0.5,1', '--out', out, ...extra];
  const r = runCli(args);
  t.equal(r.status, 0, `${name}: exit 0${r.status ? `: ${r.stderr}` : ''}`);
  return Object.fromEntries(OUTS.map((f) => [f, fs.existsSync(`${out}.${f}`) ? fs.readFileSync(`${out}.${f}`, 'utf8') : '']));
}

function sameOutputs(t: Test, a: Record<string, string>, b: Record<string, string>, label: string): void {
  for (const f of OUTS) t.equal(a[f], b[f], `${label}: ${f} identical`);
}

t.test('prs: a VCF target scores as its .gen twin (and multi-allelic, reordered, unsorted VCFs as the plain one)', async (t) => {
  const dir = tmpDir('vcf-prs');
  for (const method of ['plink1.9', 'dosage']) {
    const m = ['--ld-method', method];
    const gen = prs(t, dir, `gen-${method}`, TWIN, m);
    t.match(gen['summary.tsv'], /^THRESHOLD/);
    t.ok(gen['clumped.tsv'].split('\n').length > 10, 'some index variants');
    sameOutputs(t, prs(t, dir, `vcf-${method}`, ['--vcf', V('ds.vcf.gz')], m), gen, `--vcf ds.vcf.gz (${method})`);
    // --sample agreeing with the #CHROM line is accepted.
    sameOutputs(t, prs(t, dir, `vcf-s-${method}`, ['--vcf', V('ds.vcf.gz'), '--sample', V('twin/ds.sample')], m), gen, `--vcf with --sample (${method})`);
    // GT:GP:HDS:DS in reverse order (DS read by name), the two joined records of multi.vcf.gz (one row per ALT).
    sameOutputs(t, prs(t, dir, `reord-${method}`, ['--vcf', V('reordered.vcf.gz')], m), gen, `reordered FORMAT, unsorted (${method})`);
    sameOutputs(t, prs(t, dir, `multi-${method}`, ['--vcf', V('multi.vcf.gz')], m), gen, `multi-allelic record (${method})`);
    // LD from a VCF reference (samples from its #CHROM line, no --ld-ref-sample) = LD from the same target.
    sameOutputs(t, prs(t, dir, `ldref-${method}`, TWIN, [...m, '--ld-ref', V('ds.vcf.gz')]), gen, `--ld-ref ds.vcf.gz (${method})`);
  }
});

t.test('prs --vcf: --vcf-dosage, sample checks and bad records are one-line errors', async (t) => {
  const dir = tmpDir('vcf-prs-err');
  const common = ['--base', BASE, '--pheno', V('pheno.tsv'), '--pheno-name', 'resp'];
  // --vcf-dosage GT: the hard calls.
  const gt = runCli(['prs', ...common, '--vcf', V('ds.vcf.gz'), '--vcf-dosage', 'GT', '--out', path.join(dir, 'gt')]);
  t.equal(gt.status, 0, gt.stderr);
  const bad = runCli(['prs', ...common, '--vcf', V('ds.vcf.gz'), '--vcf-dosage', 'XX', '--out', path.join(dir, 'x')]);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--vcf-dosage takes DS, GP, HDS or GT/);
  const both = runCli(['prs', ...common, '--vcf', V('ds.vcf.gz'), ...TWIN, '--out', path.join(dir, 'x')]);
  t.equal(both.status, 2);
  // A sample file that disagrees with the #CHROM line.
  const s = path.join(dir, 'wrong.sample');
  fs.writeFileSync(s, fs.readFileSync(V('twin/ds.sample'), 'utf8').replace(' per3 ', ' nobody '));
  const ws = runCli(['prs', ...common, '--vcf', V('ds.vcf.gz'), '--sample', s, '--out', path.join(dir, 'ws')]);
  t.equal(ws.status, 3);
  t.match(ws.stderr, /ds\.vcf\.gz:\d+: sample 4 is 'per3' in the #CHROM line but 'nobody'/);
  // A DS that does not parse in a record the base needs: file and line.
  const text = spawnSync('gzip', ['-dc', V('ds.vcf.gz')], { encoding: 'utf8' }).stdout.split('\n');
  const i = text.findIndex((l) => l.startsWith('22\t16050000\t'));
  const f = text[i].split('\t');
  f[12] = f[12].replace(/:[^:]*$/, ':x');
  text[i] = f.join('\t');
  const broken = path.join(dir, 'broken.vcf');
  fs.writeFileSync(broken, text.join('\n'));
  const r = runCli(['prs', ...common, '--vcf', broken, '--out', path.join(dir, 'b')]);
  t.equal(r.status, 3, r.stderr);
  t.match(r.stderr, new RegExp(`broken\\.vcf:${i + 1}: .*DS 'x' does not parse`));
  t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  t.notOk(fs.existsSync(path.join(dir, 'b.scores.tsv')), 'nothing written');
});

t.test('report --ld-ref a VCF: the same loci as its .gen twin', async (t) => {
  const dir = tmpDir('vcf-report');
  for (const method of ['dosage', 'plink1.9']) {
    const common = ['report', BASE, '--suggestive', '0.5', '--p-threshold', '0.01', '--ld-r2', '0.1', '--ld-method', method, '--no-png'];
    const a = runCli([...common, '--out', path.join(dir, `v-${method}`), '--ld-ref', V('ds.vcf.gz')]);
    const b = runCli([...common, '--out', path.join(dir, `g-${method}`), '--ld-ref', V('twin/ds.gen.gz'), '--ld-ref-sample', V('twin/ds.sample')]);
    t.equal(a.status, 0, a.stderr);
    t.equal(b.status, 0, b.stderr);
    const sa = JSON.parse(fs.readFileSync(path.join(dir, `v-${method}`, 'summary.json'), 'utf8'));
    const sb = JSON.parse(fs.readFileSync(path.join(dir, `g-${method}`, 'summary.json'), 'utf8'));
    t.ok(sa.top_loci.length > 5, `${method}: loci found`);
    t.same(sa.top_loci, sb.top_loci, `${method}: same loci`);
    t.equal(sa.clumping.ld_ref_format, 'vcf');
    t.equal(sa.clumping.pairs, sb.clumping.pairs);
    // --keep with a VCF reference: IDs from the #CHROM line, no --ld-ref-sample needed.
    const keep = path.join(dir, 'keep.txt');
    fs.writeFileSync(keep, Array.from({ length: 30 }, (_, k) => `per${k}`).join('\n') + '\n');
    const k = runCli([...common, '--out', path.join(dir, `k-${method}`), '--ld-ref', V('ds.vcf.gz'), '--keep', keep]);
    t.equal(k.status, 0, k.stderr);
    const sk = JSON.parse(fs.readFileSync(path.join(dir, `k-${method}`, 'summary.json'), 'utf8'));
    t.equal(sk.clumping.ld_samples, 30);
  }
});

t.test("live: plink2 --export oxford of the VCF gives the committed twin's scores", { skip: hasCommand('plink2') ? false : 'plink2 not installed (the committed twin above still ran)' }, async (t) => {
  const dir = tmpDir('vcf-prs-live');
  const r = spawnSync('plink2', ['--vcf', V('ds.vcf.gz'), 'dosage=DS', '--export', 'oxford', '--out', path.join(dir, 'ds')], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const live = prs(t, dir, 'live', ['--gen', path.join(dir, 'ds.gen'), '--sample', path.join(dir, 'ds.sample')]);
  sameOutputs(t, prs(t, dir, 'vcf', ['--vcf', V('ds.vcf.gz')]), live, 'live twin');
});
