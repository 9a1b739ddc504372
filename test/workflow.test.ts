// The Snakemake workflow (workflows/Snakefile): the small fixture in 3 shards, run from a directory
// outside the checkout, merges per phenotype to exactly the bytes of one unsharded assoc run.
// Skipped (with the reason shown) only when snakemake is not installed.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runAssoc } from '../src/pipeline/assoc-run.js';
import { ROOT, fixture, hasCommand, tmpDir, untracked } from './lib/helpers.js';
import { baseConfig } from './lib/assoc-config.js';

const SNAKEFILE = path.join(ROOT, 'workflows/Snakefile');
const PHENOS = ['response', 'dissociation', 'madrs'];
const skip = hasCommand('snakemake') ? false : 'snakemake is not installed (Debian: apt-get install snakemake)';

function snakemake(cwd: string, args: string[]) {
  return spawnSync(...untracked('snakemake', ['-s', SNAKEFILE, ...args]), { cwd, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26 });
}

/** YAML for a flat config of strings, numbers, booleans and lists of strings. */
function yaml(cfg: Record<string, unknown>): string {
  return (
    Object.entries(cfg)
      .map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(', ')}]` : JSON.stringify(v)}`)
      .join('\n') + '\n'
  );
}

t.test('3 shards of small.gen, merged per phenotype, equal one assoc run byte for byte; reports made', { skip }, async (t) => {
  const want = baseConfig({ out: path.join(tmpDir('wf-ref'), 'ref') });
  await runAssoc(want);
  const dir = tmpDir('wf');
  fs.writeFileSync(
    path.join(dir, 'cfg.yaml'),
    yaml({
      gen: [fixture('assoc/small.gen')],
      sample: fixture('assoc/small.sample'),
      pheno: fixture('assoc/small.pheno'),
      pheno_name: PHENOS,
      covar: fixture('assoc/small.covar'),
      shards: 3,
      out: 'res/ket',
    }),
  );
  const r = snakemake(dir, ['--configfile', 'cfg.yaml', '--cores', '2']);
  t.equal(r.status, 0, 'snakemake succeeds');
  if (r.status !== 0) t.comment(r.stderr);
  t.match(r.stderr, /rule assoc:[\s\S]*wildcards: f=0, s=3/, 'one assoc job per shard');
  for (const p of PHENOS) {
    const merged = zlib.gunzipSync(fs.readFileSync(path.join(dir, `res/ket.${p}.tsv.gz`)));
    t.ok(merged.equals(fs.readFileSync(`${want.out}.${p}.tsv`)), `${p}: merged shards = unsharded run`);
    t.ok(fs.existsSync(path.join(dir, `res/ket.${p}.report/report.html`)), `${p}: report`);
    t.match(fs.readFileSync(path.join(dir, `res/ket.logs/merge.${p}.log`), 'utf8'), /^dosageflow merge: merged 3 tables: 240 rows/);
  }
  t.notOk(fs.existsSync(path.join(dir, 'res/ket.shards')), 'shard tables are temporary');
  const again = snakemake(dir, ['--configfile', 'cfg.yaml', '--cores', '2']);
  t.equal(again.status, 0);
  t.match(again.stderr, /Nothing to be done/, 'a second run has nothing to do');
});

t.test('BGEN config (dry run): --bgen per file and shard, options passed, report off', { skip }, async (t) => {
  const dir = tmpDir('wf-bgen');
  const E = (f: string) => fixture('bgen-assoc', f);
  fs.writeFileSync(
    path.join(dir, 'cfg.yaml'),
    yaml({
      bgen: [fixture('bgen/example.16bits.zstd.bgen'), fixture('bgen/example.8bits.bgen')],
      sample: E('example.sample'),
      pheno: E('example.pheno'),
      pheno_name: ['trait1', 'trait2'],
      covar: E('example.covar'),
      covar_name: ['age'],
      shards: 2,
      out: 'out/b',
      threads: 3,
      extra: ['--min-info', '0.3'],
      report: false,
      dosageflow: '/opt/dosageflow/bin/dosageflow',
    }),
  );
  const r = snakemake(dir, ['--configfile', 'cfg.yaml', '--cores', '4', '-n', '-p']);
  t.equal(r.status, 0, r.stderr);
  const out = r.stdout + r.stderr;
  t.match(
    out,
    /\/opt\/dosageflow\/bin\/dosageflow assoc --bgen \S+example\.8bits\.bgen --shard 2\/2 --sample \S+ --pheno \S+ --covar \S+ --pheno-name trait1 trait2 --covar-name age --threads 3 --no-progress --compress zst --out out\/b\.shards\/f1\.s2 --min-info 0\.3/,
  );
  t.match(
    out,
    /dosageflow merge out\/b\.shards\/f0\.s1\.trait2\.tsv\.zst out\/b\.shards\/f0\.s2\.trait2\.tsv\.zst out\/b\.shards\/f1\.s1\.trait2\.tsv\.zst out\/b\.shards\/f1\.s2\.trait2\.tsv\.zst --out out\/b\.trait2\.tsv\.gz/,
  );
  t.notMatch(out, /dosageflow report/, 'report: false');
});

t.test('config errors are reported before anything runs', { skip }, async (t) => {
  const dir = tmpDir('wf-bad');
  fs.writeFileSync(path.join(dir, 'cfg.yaml'), yaml({ gen: ['a.gen'], bgen: ['b.bgen'], pheno: 'p', pheno_name: ['y'], out: 'o' }));
  const r = snakemake(dir, ['--configfile', 'cfg.yaml', '--cores', '1', '-n']);
  t.not(r.status, 0);
  t.match(r.stdout + r.stderr, /give the genotype files as exactly one of 'gen' or 'bgen'/);
});
