// VCF input (issue 16): results equal plink2 --vcf dosage=DS / dosage=GP / dosage=HDS on files
// plink2 and bcftools wrote (test/fixtures/vcf/make-fixture.sh), whatever the compression, chunking
// and read size; multi-allelic records; haploid calls; --extract-if-info; --region; bad input.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runAssoc, type AssocConfig } from '../src/pipeline/assoc-run.js';
import { baseConfig } from './lib/assoc-config.js';
import { compareWithPlink2, fixture, hasCommand, readTable, runCli, tmpDir, type Table, plink2Glm } from './lib/helpers.js';

const V = (f: string) => fixture('vcf', f);
const PHENOS = ['resp', 'disso'];

function vcfConfig(file: string | string[], over: Partial<AssocConfig> = {}): AssocConfig {
  return baseConfig({ gen: [], vcf: Array.isArray(file) ? file : [file], sample: undefined, pheno: V('pheno.tsv'), covar: V('covar.tsv'), ...over });
}

/**
 * plink2's rows, less those it leaves NA for a reason our regression does not check (VIF_TOO_HIGH
 * on a 6-sample variant of the dummy data: a numerics question, not an input one).
 */
function golden(name: string, pheno: string): Table {
  const g = readTable(V(`golden/${name}.${pheno}.glm.linear`));
  const e = g.header.indexOf('ERRCODE');
  g.rows = g.rows.filter((r) => r[e] !== 'VIF_TOO_HIGH');
  return g;
}

async function checkAgainst(t: Test, cfg: AssocConfig, gold: string, label: string): Promise<void> {
  await runAssoc(cfg);
  for (const p of PHENOS) {
    const r = compareWithPlink2(readTable(`${cfg.out}.${p}.tsv`), golden(gold, p));
    t.ok(r.compared >= 105, `${label} ${p}: ${r.compared} variants compared`);
    t.same(r.problems, [], `${label} ${p}: equal to plink2`);
  }
}

t.test('DS, GT:DS:HDS, GP only, reordered FORMAT, haploid calls: equal to plink2 on every variant', async (t) => {
  await checkAgainst(t, vcfConfig(V('ds.vcf.gz')), 'ds', 'GT:DS (DS omitted for hard calls)');
  await checkAgainst(t, vcfConfig(V('hds.vcf.gz')), 'hds', 'GT:DS:HDS');
  await checkAgainst(t, vcfConfig(V('hds.vcf.gz'), { vcfDosage: 'HDS' }), 'hds-hds', '--vcf-dosage HDS');
  await checkAgainst(t, vcfConfig(V('gp.vcf.gz')), 'gp', 'GT:GP');
  await checkAgainst(t, vcfConfig(V('reordered.vcf.gz')), 'reordered', 'GT:GP:HDS:DS, unsorted');
  await checkAgainst(t, vcfConfig(V('haploid.vcf.gz')), 'haploid', 'haploid chrX calls, MT');
  await checkAgainst(t, vcfConfig(V('ds.vcf.gz'), { vcfDosage: 'GT' }), 'ds-gt', '--vcf-dosage GT (plink2 without dosage=)');
  await checkAgainst(t, vcfConfig(V('reordered.vcf.gz'), { vcfDosage: 'GP' }), 'reordered-gp', '--vcf-dosage GP (plink2 dosage=GP-force)');
});

t.test('a multi-allelic record (bcftools norm -m+) gives the rows of the two records it joins', async (t) => {
  const cfg = vcfConfig(V('multi.vcf.gz'));
  await runAssoc(cfg);
  for (const p of PHENOS) {
    const ours = readTable(`${cfg.out}.${p}.tsv`);
    const joined = ours.rows.filter((r) => r[1] === 'snp30;snp31');
    t.same(
      joined.map((r) => [r[3], r[4]]),
      [
        ['A', 'C'],
        ['G', 'C'],
      ],
      'one row per ALT allele, A2 = REF',
    );
    // Each row carries the ID of the record that held its ALT allele.
    for (const r of ours.rows) if (r[1] === 'snp30;snp31') r[1] = r[3] === 'A' ? 'snp30' : 'snp31';
    const res = compareWithPlink2(ours, golden('ds', p));
    t.ok(res.compared >= 109);
    t.same(res.problems, [], `${p}: equal to plink2 on the separate records`);
  }
});

t.test('stdin (-) and the CLI', async (t) => {
  const dir = tmpDir('vcf-cli');
  const r = runCli(['assoc', '--vcf', '-', '--pheno', V('pheno.tsv'), '--covar', V('covar.tsv'), '--pheno-name', 'resp', '--out', path.join(dir, 'o'), '--threads', '1'], {
    input: fs.readFileSync(V('ds.vcf.gz')),
  });
  t.equal(r.status, 0, r.stderr);
  const res = compareWithPlink2(readTable(path.join(dir, 'o.resp.tsv')), golden('ds', 'resp'));
  t.same(res.problems, []);
  t.match(r.stderr, /1 VCF variant had no DS, GP or HDS: dosages from the GT hard calls/);
});

t.test('--extract-if-info R2>=0.3 keeps exactly the records whose INFO R2 passes, counted', async (t) => {
  const logs: string[] = [];
  const cfg = vcfConfig(V('reordered.vcf.gz'), { infoFilter: { key: 'R2', op: '>=', value: 0.3 }, log: (s) => logs.push(s) });
  const s = await runAssoc(cfg);
  const r2 = new Map<string, number>();
  for (const line of zlib
    .gunzipSync(fs.readFileSync(V('reordered.vcf.gz')))
    .toString()
    .split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split('\t');
    r2.set(f[2], Number(/R2=([^;]+)/.exec(f[7])![1]));
  }
  const pass = [...r2.values()].filter((x) => x >= 0.3).length;
  t.equal(s.infoFiltered, r2.size - pass, 'records removed counted');
  t.match(logs.join('\n'), new RegExp(`${r2.size - pass} removed by --extract-if-info`));
  const ours = readTable(`${cfg.out}.resp.tsv`);
  t.ok(
    ours.rows.every((row) => r2.get(row[1])! >= 0.3),
    'every row kept passes',
  );
  const all = golden('reordered', 'resp');
  all.rows = all.rows.filter((row) => r2.get(row[2])! >= 0.3);
  const res = compareWithPlink2(ours, all);
  t.same(res.problems, []);
  t.equal(res.compared, all.rows.length);
});

t.test('live plink2 comparison', { skip: hasCommand('plink2') ? false : 'plink2 not installed (the committed goldens above still ran)' }, async (t) => {
  const dir = tmpDir('vcf-plink2');
  const r = plink2Glm(['--vcf', V('reordered.vcf.gz'), 'dosage=DS', '--pheno', V('pheno.tsv'), '--covar', V('covar.tsv')], path.join(dir, 'live'));
  t.equal(r.status, 0, 'plink2 ran');
  const cfg = vcfConfig(V('reordered.vcf.gz'));
  await runAssoc(cfg);
  for (const p of PHENOS) {
    const g = readTable(path.join(dir, `live.${p}.glm.linear`));
    const e = g.header.indexOf('ERRCODE');
    g.rows = g.rows.filter((row) => row[e] !== 'VIF_TOO_HIGH');
    t.same(compareWithPlink2(readTable(`${cfg.out}.${p}.tsv`), g).problems, [], `${p} agrees with live plink2`);
  }
});

t.test('haploid chrY/MT calls in a case/control run: FRQ on the allele scale and INFO (NA on MT) as the linear rows (logistic rows halved FRQ and printed an INFO)', async (t) => {
  const dir = tmpDir('vcf-hap-cc');
  // A 1/2 phenotype from the fixture's quantitative one (above the median: case).
  const rows = fs.readFileSync(V('pheno.tsv'), 'utf8').trim().split('\n');
  const vals = rows.slice(1).map((r) => Number(r.split('\t')[1]));
  const present = vals.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const med = present[present.length >> 1];
  const pheno = path.join(dir, 'cc.tsv');
  fs.writeFileSync(pheno, ['#IID\tresp\tcc', ...rows.slice(1).map((r, i) => `${r.split('\t')[0]}\t${vals[i]}\t${Number.isFinite(vals[i]) ? (vals[i] > med ? 2 : 1) : 'NA'}`)].join('\n') + '\n');
  const r = runCli(['assoc', '--vcf', V('haploid.vcf.gz'), '--pheno', pheno, '--covar', V('covar.tsv'), '--out', path.join(dir, 'o'), '--no-progress']);
  t.equal(r.status, 0, r.stderr);
  const lin = readTable(path.join(dir, 'o.resp.tsv'));
  const cc = readTable(path.join(dir, 'o.cc.tsv'));
  const col = (tb: Table, name: string) => tb.header.indexOf(name);
  const byKey = new Map(lin.rows.map((row) => [`${row[0]}:${row[2]}:${row[3]}`, row]));
  let hap = 0;
  for (const row of cc.rows) {
    if (row[0] !== 'Y' && row[0] !== 'MT') continue;
    const l = byKey.get(`${row[0]}:${row[2]}:${row[3]}`);
    if (!l) continue;
    hap++;
    t.equal(row[col(cc, 'FRQ')], l[col(lin, 'FRQ')], `FRQ ${row[0]}:${row[2]}`);
    t.equal(row[col(cc, 'INFO')], row[0] === 'MT' ? 'NA' : l[col(lin, 'INFO')], `INFO ${row[0]}:${row[2]}`);
  }
  t.ok(hap >= 10, `${hap} haploid rows compared`);
});
