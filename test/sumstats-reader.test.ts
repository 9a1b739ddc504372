// The one summary-statistics reader (src/io/sumstats.ts) under report, prs --base, merge and the
// library's readSumstats: header recognition, rows over bytes at any chunk edge, the line cap, a
// column named twice, the tools' headers (fixtures in test/fixtures/sumstats) and --col-* mappings.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { readLineBlocks, readLines } from '../src/io/lines.js';
import { readSumstats } from '../src/index.js';
import { recogniseHeader, SumstatsRows, type ColumnMapping } from '../src/io/sumstats.js';
import { writeReport } from '../src/report/index.js';
import { makeSumstats } from './fixtures/report/helpers.js';
import { fixture, runCli, tmpDir } from './lib/helpers.js';

async function* pieces(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, Math.min(buf.length, i + size));
}

t.test('readLineBlocks and readLines give the same lines at 1-, 7- and 4096-byte reads', async (t) => {
  const text = Buffer.from('CHR\tSNP\tBP\tP\r\n1\trs1\t100\t0.5\n\n2\trs2\t200\t1e-300\n3\trs3\t300\tNA');
  const want = text
    .toString()
    .split('\n')
    .map((l) => l.replace(/\r$/, ''));
  for (const size of [1, 7, 4096]) {
    const got: string[] = [];
    for await (const l of readLines(pieces(text, size))) got.push(Buffer.from(l).toString());
    t.same(got, want, `readLines, ${size}-byte reads`);
    const blocks: Buffer[] = [];
    for await (const b of readLineBlocks(pieces(text, size))) blocks.push(b);
    t.equal(Buffer.concat(blocks).toString(), text.toString(), `blocks join to the input, ${size}-byte reads`);
    t.ok(
      blocks.slice(0, -1).every((b) => b[b.length - 1] === 10),
      'every block but the last ends a line',
    );
  }
  await fc.assert(
    fc.asyncProperty(fc.array(fc.constantFrom('a', 'b', '\n', '\r', '\t'), { maxLength: 60 }), fc.integer({ min: 1, max: 9 }), async (chars, size) => {
      const buf = Buffer.from(chars.join(''));
      const blocks: Buffer[] = [];
      for await (const b of readLineBlocks(pieces(buf, size))) blocks.push(b);
      return Buffer.concat(blocks).equals(buf);
    }),
  );
});

t.test('15.16 merge and report stop at the 64 MiB line cap on a file of NULs (exit 3, file:line, short message)', async (t) => {
  const d = tmpDir('ss-nul');
  const f = path.join(d, 'nul.tsv');
  fs.writeFileSync(f, Buffer.alloc(65 << 20));
  for (const args of [
    ['merge', f, '--out', path.join(d, 'm.tsv')],
    ['merge', '--sort', f, '--out', path.join(d, 'm.tsv')],
    ['report', f, '--out', path.join(d, 'rep'), '--no-png'],
  ]) {
    const r = runCli(args);
    t.equal(r.status, 3, `${args[0]} ${args[1]}: ${r.stderr}`);
    t.match(r.stderr, /nul\.tsv:1: line longer than 64 MiB/);
    t.ok(r.stderr.length < 600, 'a short message');
    t.notOk(fs.existsSync(path.join(d, 'm.tsv')), 'no output');
  }
  fs.rmSync(f);
});

t.test('15.16 a 20 MB header field is quoted in a few characters', async (t) => {
  const d = tmpDir('ss-wide');
  const f = path.join(d, 'wide.tsv');
  fs.writeFileSync(f, `${'X'.repeat(20 << 20)}\tSNP\tBP\tA1\tA2\tP\n1\trs1\t1\tA\tG\t0.5\n`);
  const r = runCli(['merge', f, '--out', path.join(d, 'm.tsv')]);
  t.equal(r.status, 3, r.stderr);
  t.match(r.stderr, /wide\.tsv:1: header not recognised: no CHR column for the merge \(columns found: X{30}\.\.\. SNP BP A1 A2 P\)/);
  t.ok(r.stderr.length < 600, `short: ${r.stderr.length} characters`);
  const rep = runCli(['report', f, '--out', path.join(d, 'rep'), '--no-png']);
  t.equal(rep.status, 3, rep.stderr);
  t.ok(rep.stderr.length < 1200, `report's message is short: ${rep.stderr.length} characters`);
});

t.test('15.23 a column named twice (two P columns) is an error naming the column and file', async (t) => {
  const d = tmpDir('ss-twice');
  const f = path.join(d, 'twice.tsv');
  fs.writeFileSync(f, 'CHR\tSNP\tBP\tA1\tA2\tBETA\tP\tP\n1\trs1\t100\tA\tG\t0.1\t0.5\t0.01\n');
  for (const args of [
    ['merge', f, '--out', path.join(d, 'm.tsv')],
    ['report', f, '--out', path.join(d, 'rep'), '--no-png'],
  ]) {
    const r = runCli(args);
    t.equal(r.status, 3, r.stderr);
    t.match(r.stderr, /twice\.tsv:1: column P appears twice in the header \(columns 7 and 8\)/);
  }
  t.throws(() => recogniseHeader('CHR SNP BP A1 A2 BETA P p', 'x', 1, { required: ['p'] }), { message: /column P appears twice in the header \(columns 7 and 8\)/ });
  // A column the reader does not use may repeat.
  t.doesNotThrow(() => recogniseHeader('CHR\tSNP\tBP\tA1\tA2\tNOTE\tNOTE\tP', 'x', 1, { required: ['p'] }));
});

t.test('rows: tab and space delimiters, field counts, NA spellings, TEST rows other than ADD skipped', async (t) => {
  const l = recogniseHeader('#CHROM\tPOS\tID\tREF\tALT\tA1\tTEST\tOBS_CT\tOR\tLOG(OR)_SE\tZ_STAT\tP', 'g.glm.logistic', 1, { required: ['chr', 'bp', 'a1', 'a2', 'beta', 'p'] });
  t.equal(l.format, 'plink2');
  const r = new SumstatsRows(l, 'g.glm.logistic');
  t.ok(r.cut(Buffer.from('1\t100\trs1\tC\tG\tG\tADD\t250\t2\t0.3\t2.31\t0.0209'), 2));
  t.equal(r.text('a1'), 'G');
  t.equal(r.text('a2'), 'C', 'the other allele is whichever of REF/ALT is not A1');
  t.equal(r.num('beta'), Math.log(2), 'BETA = ln(OR)');
  t.equal(r.num('se'), 0.3, 'LOG(OR)_SE is the SE of BETA');
  t.ok(r.cut(Buffer.from('1\t101\trs2\tC\tG\tC\tADD\t250\t0.5\t0.3\t2.31\tNA'), 3));
  t.equal(r.text('a2'), 'G');
  t.ok(Number.isNaN(r.logP()), 'NA');
  t.notOk(r.cut(Buffer.from('1\t101\trs2\tC\tG\tC\tage\t250\t0.5\t0.3\t2.31\t0.1'), 4), 'a covariate row is skipped');
  t.notOk(r.cut(Buffer.from(''), 5), 'a blank line is skipped');
  t.throws(() => r.cut(Buffer.from('1\t101\trs2'), 6), { message: /^3 fields where the header has 12 \(a row cut short\?\)$/, line: 6 });

  const s = recogniseHeader('CHROM GENPOS ID ALLELE0 ALLELE1 A1FREQ INFO N TEST BETA SE CHISQ LOG10P EXTRA', 'r.regenie', 1, { required: ['p'] });
  t.equal(s.format, 'regenie');
  const rr = new SumstatsRows(s, 'r.regenie');
  t.ok(rr.cut(Buffer.from('1  1 1 2 1 0.2 1 500 ADD 0.07 0.23 0.11 400 NA'), 2), 'runs of spaces');
  t.equal(rr.logP(), -400 * Math.LN10, 'P from LOG10P keeps p = 1e-400');
  t.equal(rr.text('a1'), '1');
  t.equal(rr.text('a2'), '2');
});

// ---------------------------------------------------------------------------------------------
// Other tools' tables: the header samples in test/fixtures/sumstats (see its README for sources).

const S = (f: string) => fixture('sumstats', f);

async function rowsOf(file: string, columns?: ColumnMapping) {
  const out = [];
  for await (const r of readSumstats(file, columns)) out.push(r);
  return out;
}

t.test("the tools' headers are recognised, with the effect allele as A1", async (t) => {
  const cases: [string, string, Record<string, unknown>, number][] = [
    // plink2: A1 counted; the other allele is REF or ALT, whichever is not A1; covariate rows skipped.
    ['plink2.glm.linear', 'plink2', { chr: '10', snp: 'rs1140', bp: 203819, a1: 'G', a2: 'C', beta: -0.0812892, se: 0.278675, p: 0.771087, n: 113 }, 2],
    ['plink2.glm.logistic.hybrid', 'plink2', { snp: 'snp3', a1: 'C', a2: 'A', beta: Math.log(1.03093), se: 0.213802, p: 0.886695 }, 5],
    // regenie: ALLELE1 is the effect allele; P = 10^-LOG10P.
    ['regenie.regenie', 'regenie', { chr: '1', snp: '1', bp: 1, a1: '1', a2: '2', beta: 0.0775674, p: Math.pow(10, -0.133163), frq: 0.214575 }, 4],
    // SAIGE: BETA is Allele2's effect.
    ['saige.txt', 'saige', { chr: '2', snp: 'rs92', bp: 92, a1: 'C', a2: 'A', beta: -0.254884, p: 0.318938, frq: 0.1085 }, 3],
    // BOLT-LMM: ALLELE1 is the effect allele; P_BOLT_LMM preferred to P_BOLT_LMM_INF.
    ['bolt-lmm.stats', 'bolt-lmm', { snp: 'rs58108140', bp: 10583, a1: 'A', a2: 'G', beta: 0.074942, p: 0.097, frq: 0.10981 }, 3],
    // GWAS-SSF: effect_allele / other_allele.
    ['gwas-ssf.tsv', 'gwas-ssf', { chr: '2', snp: 'rs142640435', bp: 70478797, a1: 'T', a2: 'TG', beta: 0.0187528, p: 3.5e-30 }, 5],
  ];
  for (const [file, format, want, n] of cases) {
    const rows = await rowsOf(S(file));
    t.equal(rows.length, n, `${file}: ${n} variant rows`);
    const text = fs.readFileSync(S(file), 'utf8').split('\n')[0];
    t.equal(recogniseHeader(text, file, 1, { required: ['chr', 'bp', 'p', 'a1', 'a2', 'beta'] }).format, format, `${file}: ${format}`);
    const key = (want.snp as string) ?? rows[0].snp;
    const row = rows.find((r) => r.snp === key)!;
    t.ok(row, `${file}: row ${key}`);
    for (const [k, v] of Object.entries(want)) {
      const got = (row as unknown as Record<string, unknown>)[k];
      if (typeof v === 'number') t.ok(Math.abs((got as number) - v) <= 1e-12 * Math.abs(v), `${file} ${k}: ${got} = ${v}`);
      else t.equal(got, v, `${file} ${k}`);
    }
  }
});

/** Our table re-written in another tool's layout (the same numbers). */
function asTool(ours: string, tool: string): string {
  const [head, ...rows] = ours.trimEnd().split('\n');
  const h = head.split('\t');
  const out: string[] = [];
  const at = (f: string[], c: string) => f[h.indexOf(c)];
  rows.forEach((line, i) => {
    const f = line.split('\t');
    const [chr, snp, bp, a1, a2, frq, info, n, beta, se, tt, p, l10] = ['CHR', 'SNP', 'BP', 'A1', 'A2', 'FRQ', 'INFO', 'N', 'BETA', 'SE', 'T', 'P', 'LOG10P'].map((c) => at(f, c));
    const ref = i % 2 ? a1 : a2;
    const alt = i % 2 ? a2 : a1;
    const or = beta === 'NA' ? 'NA' : String(Math.exp(Number(beta)));
    switch (tool) {
      case 'plink2-linear':
        out.push([chr, bp, snp, ref, alt, a1, frq, info, 'ADD', n, beta, se, tt, p, '.', l10].join('\t'));
        out.push([chr, bp, snp, ref, alt, a1, frq, info, 'age', n, '0.1', '0.01', '10', '1e-50', '.', '50'].join('\t'));
        break;
      case 'plink2-logistic':
        out.push([chr, bp, snp, ref, alt, a1, frq, 'N', 'ADD', n, or, se, tt, p, '.'].join('\t'));
        break;
      case 'regenie':
        out.push([chr, bp, snp, a2, a1, frq, info, n, 'ADD', beta, se, tt === 'NA' ? 'NA' : String(Number(tt) ** 2), l10].join(' '));
        break;
      case 'saige':
        out.push([chr, bp, snp, a2, a1, frq, beta, se, tt, p].join('\t'));
        break;
      case 'bolt-lmm':
        out.push([snp, chr, bp, '0', a1, a2, frq, '0', beta, se, '1', p].join('\t'));
        break;
      case 'gwas-ssf':
        out.push([chr === 'X' ? '23' : chr, bp, a1, a2, beta, se, frq, p === 'NA' ? '#NA' : p, `${chr}_${bp}_${a2}_${a1}`, snp].join('\t'));
        break;
    }
  });
  const headers: Record<string, string> = {
    'plink2-linear': '#CHROM\tPOS\tID\tREF\tALT\tA1\tA1_FREQ\tMACH_R2\tTEST\tOBS_CT\tBETA\tSE\tT_STAT\tP\tERRCODE\tLOG10_P',
    'plink2-logistic': '#CHROM\tPOS\tID\tREF\tALT\tA1\tA1_FREQ\tFIRTH?\tTEST\tOBS_CT\tOR\tLOG(OR)_SE\tZ_STAT\tP\tERRCODE',
    regenie: 'CHROM GENPOS ID ALLELE0 ALLELE1 A1FREQ INFO N TEST BETA SE CHISQ LOG10P',
    saige: 'CHR\tPOS\tMarkerID\tAllele1\tAllele2\tAF_Allele2\tBETA\tSE\tTstat\tp.value',
    'bolt-lmm': 'SNP\tCHR\tBP\tGENPOS\tALLELE1\tALLELE0\tA1FREQ\tF_MISS\tBETA\tSE\tP_BOLT_LMM_INF\tP_BOLT_LMM',
    'gwas-ssf': 'chromosome\tbase_pair_location\teffect_allele\tother_allele\tbeta\tstandard_error\teffect_allele_frequency\tp_value\tvariant_id\trsid',
  };
  return [headers[tool], ...out].join('\n') + '\n';
}

const close = (a: number | null, b: number | null, rel = 1e-9) => a === b || (a !== null && b !== null && Math.abs(a - b) <= rel * Math.abs(b));

t.test("report on each tool's table gives the same lambda and top loci as on the same results in our format", async (t) => {
  const d = tmpDir('ss-tools');
  const { text } = makeSumstats({ seed: 5, perChr: 40, extremes: false });
  const ours = path.join(d, 'ours.tsv');
  fs.writeFileSync(ours, text);
  const ref = await writeReport(ours, path.join(d, 'r-ours'), { png: false });
  t.ok(ref.top_loci.length >= 3, `${ref.top_loci.length} loci`);
  t.notOk('input_format' in ref, 'our own summary.json has no input_format');
  for (const tool of ['plink2-linear', 'plink2-logistic', 'regenie', 'saige', 'bolt-lmm', 'gwas-ssf']) {
    const f = path.join(d, `t.${tool}`);
    fs.writeFileSync(f, asTool(text, tool));
    const s = await writeReport(f, path.join(d, `r-${tool}`), { png: false });
    t.equal(s.input_format, tool.replace(/-(linear|logistic)$/, ''), `${tool}: recognised`);
    t.equal(s.n_rows_not_add, tool === 'plink2-linear' ? ref.n_variants : 0, `${tool}: covariate rows skipped`);
    t.equal(s.n_variants, ref.n_variants, `${tool}: variants`);
    t.equal(s.n_tested, ref.n_tested, `${tool}: tested`);
    t.equal(s.n_gws, ref.n_gws, `${tool}: genome-wide significant`);
    // regenie has only LOG10P, printed here to 6 digits as P is: P agrees to that precision.
    const rel = tool === 'regenie' ? 1e-5 : 1e-9;
    t.ok(close(s.lambda_gc, ref.lambda_gc, rel), `${tool}: lambda ${s.lambda_gc} = ${ref.lambda_gc}`);
    t.same(
      s.top_loci.map((l) => [l.chr, l.snp, l.bp, l.a1, l.a2, l.locus_n_variants, l.locus_start, l.locus_end]),
      ref.top_loci.map((l) => [l.chr, l.snp, l.bp, l.a1, l.a2, l.locus_n_variants, l.locus_start, l.locus_end]),
      `${tool}: the same loci, index variants and alleles`,
    );
    t.ok(
      s.top_loci.every((l, i) => close(l.log10p, ref.top_loci[i].log10p, rel) && close(l.beta, ref.top_loci[i].beta) && close(l.se, ref.top_loci[i].se) && close(l.frq, ref.top_loci[i].frq)),
      `${tool}: P, BETA, SE, FRQ of the index variants`,
    );
  }
});

t.test('regenie: P below the smallest double is kept through LOG10P', async (t) => {
  const d = tmpDir('ss-regenie');
  const f = path.join(d, 'tiny.regenie');
  fs.writeFileSync(f, 'CHROM GENPOS ID ALLELE0 ALLELE1 A1FREQ INFO N TEST BETA SE CHISQ LOG10P\n1 100 rs1 A G 0.2 1 500 ADD 0.5 0.01 2500 400\n1 200 rs2 A G 0.2 1 500 ADD 0.1 0.1 1 0.5\n');
  const s = await writeReport(f, path.join(d, 'rep'), { png: false });
  t.equal(s.top_loci[0].snp, 'rs1');
  t.ok(close(s.top_loci[0].log10p, 400, 1e-12), `log10p ${s.top_loci[0].log10p}`);
});

// ---------------------------------------------------------------------------------------------
// --col-* and --columns

/** A table with its own column names (METAL-like), the same values as ours. */
function renamed(ours: string, names: Record<string, string>, drop: string[] = []): string {
  const [head, ...rows] = ours.trimEnd().split('\n');
  const h = head.split('\t');
  const keep = h.map((c, i) => (drop.includes(c) ? -1 : i)).filter((i) => i >= 0);
  const out = [keep.map((i) => names[h[i]] ?? h[i]).join('\t')];
  for (const r of rows) {
    const f = r.split('\t');
    out.push(keep.map((i) => f[i]).join('\t'));
  }
  return out.join('\n') + '\n';
}

t.test('report --col-* / --columns on a table with its own names equals report on ours', async (t) => {
  const d = tmpDir('ss-cols');
  const { text } = makeSumstats({ seed: 9, perChr: 30, extremes: false });
  const ours = path.join(d, 'ours.tsv');
  fs.writeFileSync(ours, text);
  const names = { CHR: 'seqname', BP: 'location', SNP: 'MarkerName', A1: 'Allele1', A2: 'Allele2', BETA: 'Effect', SE: 'StdErr', FRQ: 'Freq1', P: 'P-value.meta' };
  const metal = path.join(d, 'metal.txt');
  fs.writeFileSync(metal, renamed(text, names, ['LOG10P', 'T', 'INFO', 'N']));
  const run = (extra: string[], out: string) => runCli(['report', metal, '--out', path.join(d, out), '--no-png', ...extra]);
  const no = run([], 'no');
  t.equal(no.status, 3, 'unrecognised without a mapping');
  t.match(
    no.stderr,
    /metal\.txt:1: header not recognised: no CHR, BP\/POS, P \(or LOG10P\) column for the report \(columns found: seqname MarkerName location Allele1 Allele2 Freq1 Effect StdErr P-value.meta\); .* --col-chr --col-pos --col-p NAME/,
  );
  t.notMatch(no.stderr, /\n./, 'one line');
  const ref = runCli(['report', ours, '--out', path.join(d, 'ref'), '--no-png']);
  t.equal(ref.status, 0, ref.stderr);
  const want = JSON.parse(fs.readFileSync(path.join(d, 'ref', 'summary.json'), 'utf8'));
  const flags = [
    '--col-chr',
    'seqname',
    '--col-pos',
    'location',
    '--col-snp',
    'MarkerName',
    '--col-a1',
    'Allele1',
    '--col-a2',
    'Allele2',
    '--col-beta',
    'Effect',
    '--col-se',
    'StdErr',
    '--col-frq',
    'Freq1',
    '--col-p',
    'P-value.meta',
  ];
  const one = ['--columns', 'chr=seqname,pos=location,snp=MarkerName,a1=Allele1,a2=Allele2,beta=Effect,se=StdErr,frq=Freq1,p=P-value.meta'];
  for (const [tag, extra] of [
    ['flags', flags],
    ['columns', one],
  ] as const) {
    const r = run([...extra], tag);
    t.equal(r.status, 0, r.stderr);
    const s = JSON.parse(fs.readFileSync(path.join(d, tag, 'summary.json'), 'utf8'));
    t.equal(s.input_format, 'generic');
    t.equal(s.lambda_gc, want.lambda_gc, `${tag}: lambda`);
    const pick = (l: Record<string, unknown>) => [l.chr, l.snp, l.bp, l.a1, l.a2, l.beta, l.se, l.frq, l.p, l.locus_start, l.locus_end];
    t.same(s.top_loci.map(pick), want.top_loci.map(pick), `${tag}: the same top loci`);
  }
  // The library's readSumstats takes the same mapping.
  const lib = await rowsOf(metal, { chr: 'seqname', bp: 'location', snp: 'MarkerName', a1: 'Allele1', a2: 'Allele2', beta: 'Effect', p: 'P-value.meta' });
  const first = text.split('\n')[1].split('\t');
  t.same(
    [lib[0].chr, lib[0].snp, lib[0].bp, lib[0].a1, lib[0].a2, lib[0].beta, lib[0].p],
    [first[0], first[1], Number(first[2]), first[3], first[4], Number(first[8]), Number(first[11])],
    'readSumstats(file, columns)',
  );
  // Mistakes: a name the header does not have, a malformed --columns.
  const bad = run(['--col-chr', 'seqname', '--col-pos', 'location', '--col-p', 'PVAL'], 'bad');
  t.equal(bad.status, 3);
  t.match(bad.stderr, /metal\.txt:1: --col-p PVAL: the header has no such column \(columns found: seqname MarkerName /);
  const usage = run(['--columns', 'chr=seqname,position'], 'usage');
  t.equal(usage.status, 2);
  t.match(usage.stderr, /--columns takes KEY=COLUMN pairs .* not 'position'/);
});

t.test('prs --base with --col-* reads a renamed base as the original', async (t) => {
  const d = tmpDir('ss-prs');
  const P = (f: string) => fixture('prs', f);
  const base = path.join(d, 'gwas.txt');
  fs.writeFileSync(base, renamed(fs.readFileSync(P('base.tsv'), 'utf8'), { CHR: 'Chr', BP: 'Pos', SNP: 'MarkerName', A1: 'EA', A2: 'NEA', BETA: 'Effect', P: 'Pval' }, ['LOG10P']).replace(/\t/g, ' '));
  const common = ['--gen', P('target.chr1.gen'), P('target.chr23.gen'), '--sample', P('target.sample'), '--pheno', P('pheno.tsv')];
  const a = runCli(['prs', '--base', P('base.tsv'), ...common, '--out', path.join(d, 'a')]);
  t.equal(a.status, 0, a.stderr);
  const b = runCli([
    'prs',
    '--base',
    base,
    '--col-chr',
    'Chr',
    '--col-pos',
    'Pos',
    '--col-snp',
    'MarkerName',
    '--col-a1',
    'EA',
    '--col-a2',
    'NEA',
    '--col-beta',
    'Effect',
    '--col-p',
    'Pval',
    ...common,
    '--out',
    path.join(d, 'b'),
  ]);
  t.equal(b.status, 0, b.stderr);
  for (const f of ['clumped.tsv', 'scores.tsv', 'summary.tsv']) {
    t.equal(fs.readFileSync(path.join(d, `b.${f}`), 'utf8'), fs.readFileSync(path.join(d, `a.${f}`), 'utf8'), `${f} identical`);
  }
  const c = runCli(['prs', '--base', base, ...common, '--out', path.join(d, 'c')]);
  t.equal(c.status, 3);
  t.match(c.stderr, /gwas\.txt:1: no A1, A2, BETA column for the base table \(columns found: Chr MarkerName Pos EA NEA .*--col-a1 --col-a2 --col-beta NAME/);
});

// ---------------------------------------------------------------------------------------------
// merge of other tools' tables

/** Split a table (header + rows) into files by chromosome, each with the header. */
function byChrom(d: string, name: string, text: string, chrCol: number, sep: string): string[] {
  const [head, ...rows] = text.trimEnd().split('\n');
  const groups = new Map<string, string[]>();
  for (const r of rows) {
    const c = r.split(sep)[chrCol];
    if (!groups.has(c)) groups.set(c, []);
    groups.get(c)!.push(r);
  }
  return [...groups].map(([c, rs]) => {
    const f = path.join(d, `${name}.chr${c}`);
    fs.writeFileSync(f, [head, ...rs].join('\n') + '\n');
    return f;
  });
}

t.test('merge: regenie per-chromosome tables (space-separated) into one genome-sorted table, rows as written', async (t) => {
  const d = tmpDir('ss-merge');
  const { text } = makeSumstats({ seed: 3, perChr: 20, extremes: false, chroms: ['1', '2', '10', 'X'] });
  const whole = asTool(text, 'regenie');
  const files = byChrom(d, 'step2', whole, 0, ' ').reverse();
  const out = path.join(d, 'all.regenie');
  const r = runCli(['merge', ...files, '--out', out]);
  t.equal(r.status, 0, r.stderr);
  t.equal(fs.readFileSync(out, 'utf8'), whole, 'header and rows unchanged, in genome order');
  // In passes (two inputs open at once), as a large merge does.
  const { runMerge } = await import('../src/pipeline/merge.js');
  const out2 = path.join(d, 'all2.regenie');
  await runMerge({ inputs: files, out: out2, compress: 'none', sort: false, memoryMB: 64, maxOpen: 2, log: () => {} });
  t.equal(fs.readFileSync(out2, 'utf8'), whole, 'merged in passes: the same');
  // A variant in two inputs, found through a pass: named by its identity and both files.
  const dupRow = whole.split('\n')[3];
  const extra = path.join(d, 'extra.regenie');
  fs.writeFileSync(extra, `${whole.split('\n')[0]}\n${dupRow}\n`);
  const err = await runMerge({ inputs: [...files, extra], out: path.join(d, 'x'), compress: 'none', sort: false, memoryMB: 64, maxOpen: 2, log: () => {} }).catch((e: Error) => e);
  const [c, bp, id, a0, a1] = dupRow.split(' ');
  t.match((err as Error).message, new RegExp(`^duplicate variant ${c}:${bp} ${id} ${a1}/${a0}: also in `), `${(err as Error).message}`);
});

t.test('merge --sort of a shuffled plink2 table; a plink2 duplicate inside one input', async (t) => {
  const d = tmpDir('ss-sort');
  const { text } = makeSumstats({ seed: 4, perChr: 30, extremes: false, chroms: ['1', '3', 'X'] });
  const whole = asTool(text, 'plink2-logistic');
  const [head, ...rows] = whole.trimEnd().split('\n');
  const shuffled = [...rows].sort((a, b) => ((a.length * 7919 + a.charCodeAt(a.length - 3)) % 101) - ((b.length * 7919 + b.charCodeAt(b.length - 3)) % 101));
  const f = path.join(d, 'shuffled.glm.logistic');
  fs.writeFileSync(f, [head, ...shuffled].join('\n') + '\n');
  const out = path.join(d, 'sorted.glm.logistic');
  const r = runCli(['merge', '--sort', f, '--out', out, '--memory', '16']);
  t.equal(r.status, 0, r.stderr);
  t.equal(fs.readFileSync(out, 'utf8'), whole);
  const dup = path.join(d, 'dup.glm.logistic');
  fs.writeFileSync(dup, [head, rows[0], rows[1], rows[1]].join('\n') + '\n');
  const m = runCli(['merge', dup, '--out', path.join(d, 'm')]);
  t.equal(m.status, 3);
  const [c, bp, id, ref, alt] = rows[1].split('\t');
  t.match(m.stderr, new RegExp(`dup\\.glm\\.logistic:4: duplicate variant ${c}:${bp} ${id} ${ref}/${alt}: also at line 3`));
});

t.test('merge --col-chr --col-pos on a table with its own names', async (t) => {
  const d = tmpDir('ss-merge-cols');
  const { text } = makeSumstats({ seed: 6, perChr: 15, extremes: false, chroms: ['1', '2', '5'] });
  const whole = renamed(text, { CHR: 'seqname', BP: 'location', SNP: 'MarkerName' });
  const files = byChrom(d, 'meta', whole, 1, '\t').reverse();
  const out = path.join(d, 'meta.tbl');
  const no = runCli(['merge', ...files, '--out', out]);
  t.equal(no.status, 3);
  t.match(no.stderr, /header not recognised: no CHR, BP\/POS column for the merge \(columns found: seqname MarkerName location .*--col-chr --col-pos NAME/);
  const r = runCli(['merge', ...files, '--col-chr', 'seqname', '--col-pos', 'location', '--col-snp', 'MarkerName', '--out', out]);
  t.equal(r.status, 0, r.stderr);
  t.equal(fs.readFileSync(out, 'utf8'), whole);
  const s = runCli(['merge', '--sort', files[0], '--columns', 'chr=seqname,pos=location', '--out', path.join(d, 's.tbl')]);
  t.equal(s.status, 0, s.stderr);
});
