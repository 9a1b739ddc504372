// assoc --format gwas-ssf | plink2 | regenie: the layouts against plink2's own header lines
// (test/fixtures/formats/make-goldens.sh), a live plink2 when installed, and GWAS-SSF's column rules
// (the spec's Table 1) checked on the spec's own example and on ours; metadata, shards + merge,
// BGZF + tabix, stdout and the converter at chunk edges.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runAssoc } from '../src/pipeline/assoc-run.js';
import { runMerge } from '../src/pipeline/merge.js';
import { RowConverter, ssfChrom } from '../src/formats/out-format.js';
import { InputError } from '../src/errors.js';
import { baseConfig } from './lib/assoc-config.js';
import { compareWithPlink2, fixture, hasCommand, parseTable, readTable, runCli, tmpDir, type Table, plink2Glm } from './lib/helpers.js';

const A = (f: string) => fixture('assoc', f);
const L = (f: string) => fixture('logistic', f);
const FMT = (f: string) => fixture('formats', f);
const firstLine = (f: string) => fs.readFileSync(f, 'utf8').split('\n')[0];
const cc = (over = {}) => baseConfig({ gen: [], bgen: [L('cc.bgen')], sample: L('cc.sample'), pheno: L('cc.pheno'), covar: L('cc.covar'), phenoNames: ['bal'], ...over });

/** A plink2-format table seen as our own columns (for compareWithPlink2). */
function asOwn(p: Table): Table {
  const i = (c: string) => p.header.indexOf(c);
  const cols = ['CHROM', 'ID', 'POS', 'A1', 'REF', 'A1_FREQ', 'MACH_R2', 'OBS_CT', 'BETA', 'SE', 'T_STAT', 'P'].map(i);
  return { header: ['CHR', 'SNP', 'BP', 'A1', 'A2', 'FRQ', 'INFO', 'N', 'BETA', 'SE', 'T', 'P'], rows: p.rows.map((r) => cols.map((c) => r[c])) };
}

t.test('--format plink2 (linear): plink2 --glm cols=+a1freq,+machr2 header, values equal the goldens', async (t) => {
  const cfg = baseConfig({ format: 'plink2' });
  await runAssoc(cfg);
  for (const p of ['response', 'dissociation', 'madrs']) {
    const file = `${cfg.out}.${p}.glm.linear`;
    t.equal(firstLine(file), firstLine(FMT('plink2.glm.linear.header')), `${p}: header as plink2 writes it`);
    const r = compareWithPlink2(asOwn(readTable(file)), readTable(A(`golden/small.${p}.glm.linear`)));
    t.equal(r.compared, 240);
    t.same(r.problems, [], `${p}: values agree with plink2`);
    const tab = readTable(file);
    const na = tab.rows.filter((r) => r[tab.header.indexOf('P')] === 'NA');
    t.ok(na.length > 0 && na.every((r) => r[tab.header.indexOf('ERRCODE')] === 'CONST_OMITTED_ALLELE'), 'NA rows carry their ERRCODE');
    t.ok(
      tab.rows.filter((r) => r[13] !== 'NA').every((r) => r[14] === '.' && r[8] === 'ADD' && r[5] === r[4]),
      'ERRCODE . otherwise; TEST ADD; A1 = ALT',
    );
  }
});

t.test('--format plink2 (case/control): .glm.logistic.hybrid with OR, LOG(OR)_SE, FIRTH?', async (t) => {
  const own = cc();
  await runAssoc(own);
  const cfg = cc({ format: 'plink2' });
  await runAssoc(cfg);
  const file = `${cfg.out}.bal.glm.logistic.hybrid`;
  t.equal(firstLine(file), firstLine(FMT('plink2.glm.logistic.hybrid.header')), 'header as plink2 writes it');
  const p = readTable(file);
  const o = readTable(`${own.out}.bal.tsv`);
  t.equal(p.rows.length, o.rows.length);
  const oi = (c: string) => o.header.indexOf(c);
  const pi = (c: string) => p.header.indexOf(c);
  let bad = 0;
  p.rows.forEach((r, k) => {
    const q = o.rows[k];
    const beta = Number(q[oi('BETA')]);
    if (Math.abs(Number(r[pi('OR')]) / Math.exp(beta) - 1) > 1e-6) bad++;
    if (r[pi('LOG(OR)_SE')] !== q[oi('SE')] || r[pi('Z_STAT')] !== q[oi('Z')] || r[pi('P')] !== q[oi('P')] || r[pi('FIRTH?')] !== q[oi('FIRTH')]) bad++;
  });
  t.equal(bad, 0, 'OR = exp(BETA); SE, Z, P and the Firth flag carried over');
  if (!hasCommand('plink2')) {
    t.comment('plink2 not installed: live header not checked');
    return;
  }
  const dir = tmpDir('fmt-live');
  const r = plink2Glm(['--bgen', L('cc.bgen'), 'ref-first', '--sample', L('cc.sample'), '--pheno', L('cc.pheno'), '--pheno-name', 'bal', '--covar', L('cc.covar')], path.join(dir, 'live'), [
    '--threads',
    '1',
  ]);
  t.equal(r.status, 0, 'plink2 ran');
  t.equal(firstLine(file), firstLine(path.join(dir, 'live.bal.glm.logistic.hybrid')), 'header equals a live plink2 run');
});

t.test('--format regenie: regenie step-2 columns, CHISQ = T^2, TEST_FAIL on NA rows', async (t) => {
  const own = baseConfig({ phenoNames: ['response'] });
  await runAssoc(own);
  const cfg = baseConfig({ phenoNames: ['response'], format: 'regenie' });
  await runAssoc(cfg);
  const file = `${cfg.out}_response.regenie`;
  t.equal(firstLine(file), 'CHROM\tGENPOS\tID\tALLELE0\tALLELE1\tA1FREQ\tINFO\tN\tTEST\tBETA\tSE\tCHISQ\tLOG10P\tEXTRA');
  const g = readTable(file);
  const o = readTable(`${own.out}.response.tsv`);
  let bad = 0;
  g.rows.forEach((r, k) => {
    const q = o.rows[k];
    if (r[0] !== q[0] || r[1] !== q[2] || r[2] !== q[1] || r[3] !== q[4] || r[4] !== q[3] || r[12] !== q[12] || r[9] !== q[8]) bad++;
    if (q[11] === 'NA') {
      if (r[13] !== 'TEST_FAIL' || r[11] !== 'NA') bad++;
    } else if (Math.abs(Number(r[11]) / Number(q[10]) ** 2 - 1) > 1e-6 || r[13] !== 'NA') bad++;
  });
  t.equal(bad, 0);
});

/** GWAS-SSF v1.0 column rules (the spec's Table 1), and genome order when `sorted`; returns the problems found. */
function ssfProblems(text: string, sorted = true): string[] {
  const lines = text.split('\n').filter((l) => l !== '');
  const h = lines[0].split('\t');
  const problems: string[] = [];
  const mandatory = [
    'chromosome',
    'base_pair_location',
    'effect_allele',
    'other_allele',
    ['beta', 'odds_ratio', 'hazard_ratio'],
    'standard_error',
    'effect_allele_frequency',
    ['p_value', 'neg_log_10_p_value'],
  ];
  mandatory.forEach((m, i) => {
    const ok = Array.isArray(m) ? m.includes(h[i]) : h[i] === m;
    if (!ok) problems.push(`column ${i + 1} is '${h[i]}', not ${String(m)}`);
  });
  const num = (s: string) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s);
  const missing = (s: string) => s === '#NA' || s === 'NA';
  const rules: Record<string, (s: string) => boolean> = {
    chromosome: (s) => /^([1-9]|1\d|2[0-5])$/.test(s),
    base_pair_location: (s) => /^\d+$/.test(s) && Number(s) > 0,
    effect_allele: (s) => /^[ACGT]+$/.test(s),
    other_allele: (s) => /^[ACGT]+$/.test(s),
    beta: num,
    standard_error: num,
    effect_allele_frequency: (s) => num(s) && Number(s) >= 0 && Number(s) <= 1,
    p_value: (s) => num(s) && Number(s) >= 0 && Number(s) <= 1,
    rsid: (s) => missing(s) || /^rs\d+$/.test(s),
    variant_id: (s) => missing(s) || /^([1-9]|1\d|2[0-5])_\d+_([ACGT]+_[ACGT]+|LONG_STRING)$/.test(s),
    info: (s) => missing(s) || (num(s) && Number(s) >= 0 && Number(s) <= 1),
    n: (s) => missing(s) || num(s),
  };
  let last = [0, 0];
  for (let k = 1; k < lines.length && problems.length < 10; k++) {
    const f = lines[k].split('\t');
    if (f.length !== h.length) problems.push(`line ${k + 1}: ${f.length} fields`);
    h.forEach((c, i) => {
      if (rules[c] && !rules[c](f[i])) problems.push(`line ${k + 1}: ${c} '${f[i]}'`);
    });
    const key = [Number(f[0]), Number(f[1])];
    if (sorted && (key[0] < last[0] || (key[0] === last[0] && key[1] < last[1]))) problems.push(`line ${k + 1}: not sorted`);
    last = key;
  }
  return problems;
}

t.test("--format gwas-ssf: the spec's column rules hold (checked on the spec's own example first)", async (t) => {
  t.same(ssfProblems(fs.readFileSync(FMT('gwas-ssf-spec-example.tsv'), 'utf8'), false), [], 'the spec example passes (it is not sorted: is_sorted false in its metadata)');
  t.ok(
    ssfProblems('chromosome\tbase_pair_location\teffect_allele\tother_allele\tbeta\tstandard_error\teffect_allele_frequency\tp_value\nX\t1\tA\tG\tNA\t1\t0.5\t2\n').length >= 3,
    'the checker catches X, NA and p > 1',
  );
  const cfg = baseConfig({ format: 'gwas-ssf', genomeBuild: 'hg19', filters: { minInfo: 0, maxInfo: Infinity, minMaf: 0.01 } });
  const s = await runAssoc(cfg);
  for (const p of ['response', 'dissociation', 'madrs']) {
    const file = `${cfg.out}.${p}.tsv`;
    const text = fs.readFileSync(file, 'utf8');
    t.equal(text.split('\n')[0], 'chromosome\tbase_pair_location\teffect_allele\tother_allele\tbeta\tstandard_error\teffect_allele_frequency\tp_value\tvariant_id\trsid\tinfo\tn');
    t.same(ssfProblems(text), [], `${p}: every row follows the rules`);
    t.notMatch(text, /\tNA(\t|\n)/, 'missing values are #NA');
    const meta = fs.readFileSync(`${file}-meta.yaml`, 'utf8');
    const md5 = createHash('md5').update(fs.readFileSync(file)).digest('hex');
    t.match(meta, new RegExp(`^data_file_md5sum: ${md5}$`, 'm'), 'md5 of the table');
    t.match(meta, new RegExp(`^data_file_name: "out.${p}.tsv"$`, 'm'));
    t.match(meta, /^genome_assembly: "GRCh37"$/m, '--genome-build hg19 as GRCh37');
    t.match(meta, /^is_sorted: true$/m);
    t.match(meta, /^coordinate_system: 1-based$/m);
    t.match(meta, /^minor_allele_freq_lower_limit: 0.01$/m, 'from --min-maf');
    t.match(meta, new RegExp(`^  - sample_size: ${s.phenos.find((q) => q.name === p)!.samples}$`, 'm'));
    t.match(meta, /^analysis_software: "dosageflow \d/m);
    t.match(meta, /^adjusted_covariates:\n {2}- "age"/m);
  }
  const own = baseConfig({ phenoNames: ['response'], filters: { minInfo: 0, maxInfo: Infinity, minMaf: 0.01 } });
  await runAssoc(own);
  const o = readTable(`${own.out}.response.tsv`);
  const g = readTable(`${cfg.out}.response.tsv`);
  t.equal(g.rows.length, o.rows.filter((r) => r[11] !== 'NA').length, 'NA rows are left out (beta, SE and p are mandatory)');
  const one = baseConfig({ phenoNames: ['response'], format: 'gwas-ssf' });
  const s1 = await runAssoc(one);
  t.match(s1.phenos[0].formatNote, /GWAS-SSF left out 1 NA row/, 'and counted in the summary (the CONST_OMITTED_ALLELE row, without --min-maf)');
});

t.test('GWAS-SSF chromosome coding: X=23, Y=24, MT=25; XY and contigs have none', async (t) => {
  t.same(['1', '22', 'X', 'chrX', '23', 'Y', 'MT', 'M', 'XY', '25', 'GL000192.1'].map(ssfChrom), ['1', '22', '23', '23', '23', '24', '25', '25', null, null, null]);
});

t.test('RowConverter: the same output at 1-, 7- and 4096-byte writes; XY, contigs and NA rows left out and counted', async (t) => {
  const head = 'CHR\tSNP\tBP\tA1\tA2\tFRQ\tINFO\tN\tBETA\tSE\tT\tP\tLOG10P\tERRCODE\n';
  const rows = [
    '1\trs1\t10\tA\tG\t0.1\t1.02\t100\t0.5\t0.1\t5\t1e-6\t6\t.',
    '1\tx2\t11\tA\tG\t0.1\tNA\t100\tNA\tNA\tNA\tNA\tNA\tCONST_OMITTED_ALLELE',
    'X\trs3\t5\tC\tT\t0.2\t0.9\t90\t-0.1\t0.2\t-0.5\t0.6\t0.22\t.',
    'Y\trs4\t5\tC\tT\t0.2\tNA\t90\t-0.1\t0.2\t-0.5\t0.6\t0.22\t.',
    'XY\trs5\t5\tC\tT\t0.2\t0.9\t90\t-0.1\t0.2\t-0.5\t0.6\t0.22\t.',
    'MT\trs6\t5\tC\tT\t0.2\tNA\t90\t-0.1\t0.2\t-0.5\t0.6\t0.22\t.',
    'GL1.1\trs7\t5\tC\tT\t0.2\t0.9\t90\t-0.1\t0.2\t-0.5\t0.6\t0.22\t.',
  ];
  const input = Buffer.from(head + rows.join('\n') + '\n');
  const run = async (step: number) => {
    const c = new RowConverter('gwas-ssf', 7);
    const out: Buffer[] = [];
    c.on('data', (b: Buffer) => out.push(Buffer.from(b)));
    const ended = new Promise((r) => c.on('end', r));
    for (let i = 0; i < input.length; i += step) c.write(input.subarray(i, i + step));
    c.end();
    await ended;
    return { text: Buffer.concat(out).toString(), stats: c.stats };
  };
  const whole = await run(input.length);
  t.same(
    whole.text.split('\n').slice(1, -1),
    [
      '1\t10\tA\tG\t0.5\t0.1\t0.1\t1e-6\t1_10_G_A\trs1\t1\t100',
      '23\t5\tC\tT\t-0.1\t0.2\t0.2\t0.6\t23_5_T_C\trs3\t0.9\t90',
      '24\t5\tC\tT\t-0.1\t0.2\t0.2\t0.6\t24_5_T_C\trs4\t#NA\t90',
      '25\t5\tC\tT\t-0.1\t0.2\t0.2\t0.6\t25_5_T_C\trs6\t#NA\t90',
    ],
    'INFO above 1 capped at 1; NA INFO is #NA',
  );
  t.same(whole.stats, { rows: 4, naLeftOut: 1, chromLeftOut: 2 });
  for (const step of [1, 7, 4096]) t.equal((await run(step)).text, whole.text, `${step}-byte writes`);
});

t.test('shards in a format merge to the unsharded bytes (gz + tabix); formats do not mix', async (t) => {
  const dir = tmpDir('fmt-shard');
  const base = { phenoNames: ['response'], compress: 'gz' as const };
  const whole = baseConfig({ ...base, format: 'gwas-ssf', out: path.join(dir, 'all') });
  await runAssoc(whole);
  const parts: string[] = [];
  for (const i of [1, 2, 3]) {
    const cfg = baseConfig({ ...base, format: 'gwas-ssf', out: path.join(dir, `s${i}`), shard: { index: i, count: 3 } });
    await runAssoc(cfg);
    parts.push(`${cfg.out}.response.tsv.gz`);
  }
  const merged = path.join(dir, 'merged.tsv.gz');
  await runMerge({ inputs: [parts[2], parts[0], parts[1]], out: merged, compress: 'gz', sort: false, memoryMB: 64, log: () => {} });
  t.same(zlib.gunzipSync(fs.readFileSync(merged)), zlib.gunzipSync(fs.readFileSync(`${whole.out}.response.tsv.gz`)), 'merged = unsharded');
  t.ok(fs.existsSync(`${merged}.tbi`), 'tabix index beside the merged table');
  const meta = fs.readFileSync(`${merged}-meta.yaml`, 'utf8');
  t.match(meta, new RegExp(`data_file_md5sum: ${createHash('md5').update(fs.readFileSync(merged)).digest('hex')}`), 'metadata carried over with the merged md5');
  t.match(meta, /data_file_name: "merged.tsv.gz"/);
  if (hasCommand('tabix')) {
    const r = spawnSync('tabix', [merged, '2:1-20000'], { encoding: 'utf8' });
    t.equal(r.status, 0);
    t.ok(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .every((l) => l.startsWith('2\t') && Number(l.split('\t')[1]) <= 20000) && r.stdout.length > 0,
      'tabix finds chromosome 2 rows by base_pair_location',
    );
  }
  const p2 = baseConfig({ ...base, format: 'plink2', out: path.join(dir, 'p2'), shard: { index: 2, count: 3 } });
  await runAssoc(p2);
  await t.rejects(runMerge({ inputs: [parts[0], `${p2.out}.response.glm.linear.gz`], out: path.join(dir, 'x.tsv'), compress: 'none', sort: false, memoryMB: 64, log: () => {} }), InputError);
  const r = runCli(['merge', parts[0], `${p2.out}.response.glm.linear.gz`, '--out', path.join(dir, 'y.tsv')]);
  t.equal(r.status, 3);
  t.match(r.stderr, /a plink2 table, but .* is a gwas-ssf table: merge tables of one format/);
});

t.test('VCF input: records cut by BGZF chunk boundaries carry their ERRCODE; X, Y, MT coded 23, 24, 25 in GWAS-SSF', async (t) => {
  const V = (f: string) => fixture('vcf', f);
  const dir = tmpDir('fmt-vcf');
  const run = async (format: 'plink2' | 'gwas-ssf', chunkSize: number | undefined, tag: string) => {
    const cfg = baseConfig({ gen: [], sample: undefined, vcf: [V('haploid.vcf.gz')], pheno: V('pheno.tsv'), covar: V('covar.tsv'), phenoNames: ['resp'], format, chunkSize, out: path.join(dir, tag) });
    await runAssoc(cfg);
    return cfg.out;
  };
  const small = await run('plink2', 2000, 'small');
  const big = await run('plink2', undefined, 'big');
  const a = fs.readFileSync(`${small}.resp.glm.linear`, 'utf8');
  t.equal(a, fs.readFileSync(`${big}.resp.glm.linear`, 'utf8'), '2,000-byte chunks = default chunks');
  t.match(a, /\tNA\tSAMPLE_CT<=PREDICTOR_CT\n/, 'NA rows with their reason');
  const ssf = await run('gwas-ssf', 2000, 'ssf');
  const chroms = new Set(readTable(`${ssf}.resp.tsv`).rows.map((r) => r[0]));
  t.same([...chroms], ['1', '22', '23', '24', '25']);
  t.same(
    ssfProblems(fs.readFileSync(`${ssf}.resp.tsv`, 'utf8')).filter((p) => !/allele/.test(p)),
    [],
  );
});

t.test('--format to stdout, and usage errors', async (t) => {
  const r = runCli(['assoc', '--gen', A('small.gen'), '--sample', A('small.sample'), '--pheno', A('small.pheno'), '--pheno-name', 'response', '--format', 'regenie', '--threads', '1', '--out', '-']);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^CHROM\tGENPOS\tID\tALLELE0\tALLELE1\t/);
  t.equal(r.stdout.trim().split('\n').length, 241);
  for (const [args, msg] of [
    [['--format', 'bolt'], /--format takes dosageflow, gwas-ssf, plink2, regenie, not 'bolt'/],
    [['--format', 'gwas-ssf', '--compress', 'zst'], /GWAS-SSF tables are .tsv or .tsv.gz/],
    [['--genome-build', 'GRCh38'], /--genome-build .* --format gwas-ssf/],
  ] as const) {
    const u = runCli(['assoc', '--gen', A('small.gen'), '--sample', A('small.sample'), '--pheno', A('small.pheno'), '--out', path.join(tmpDir('fmt-u'), 'x'), ...args]);
    t.equal(u.status, 2, args.join(' '));
    t.match(u.stderr, msg);
  }
});

t.test('assoc --report reads its --format tables (the same top locus and lambda as our own layout)', async (t) => {
  const dir = tmpDir('fmt-report');
  const json = (fmt: string) => {
    const out = path.join(dir, fmt);
    const r = runCli([
      'assoc',
      '--gen',
      A('small.gen'),
      '--sample',
      A('small.sample'),
      '--pheno',
      A('small.pheno'),
      '--pheno-name',
      'response',
      '--covar',
      A('small.covar'),
      '--format',
      fmt,
      '--threads',
      '1',
      '--report',
      '--out',
      out,
    ]);
    t.equal(r.status, 0, r.stderr);
    return JSON.parse(fs.readFileSync(`${out}.response.report/summary.json`, 'utf8'));
  };
  const own = json('dosageflow');
  for (const fmt of ['plink2', 'gwas-ssf', 'regenie']) {
    const j = json(fmt);
    t.equal(j.top_loci[0].snp, own.top_loci[0].snp, `${fmt}: top locus`);
    t.ok(Math.abs(j.lambda_gc - own.lambda_gc) < 1e-6, `${fmt}: lambda`);
  }
});

t.test('parseTable sanity for the plink2 header (the leading # is dropped)', async (t) => {
  t.same(parseTable(fs.readFileSync(FMT('plink2.glm.linear.header'), 'utf8')).header[0], 'CHROM');
});
