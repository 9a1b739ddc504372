// The one summary-statistics reader (src/io/sumstats.ts) under report, prs --base, merge and the
// library's readSumstats: header recognition, rows over bytes at any chunk edge, the line cap, a
// column named twice, the tools' headers (fixtures in test/fixtures/sumstats) and --col-* mappings.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { readLineBlocks, readLines } from '../src/io/lines.js';
import { recogniseHeader, SumstatsRows } from '../src/io/sumstats.js';
import { runCli, tmpDir } from './lib/helpers.js';

const made: string[] = [];
t.teardown(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});
function dir(tag: string): string {
  const d = tmpDir(tag);
  made.push(d);
  return d;
}

async function* pieces(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, Math.min(buf.length, i + size));
}

t.test('readLineBlocks and readLines give the same lines at 1-, 7- and 4096-byte reads', async (t) => {
  const text = Buffer.from('CHR\tSNP\tBP\tP\r\n1\trs1\t100\t0.5\n\n2\trs2\t200\t1e-300\n3\trs3\t300\tNA');
  const want = text.toString().split('\n').map((l) => l.replace(/\r$/, ''));
  for (const size of [1, 7, 4096]) {
    const got: string[] = [];
    for await (const l of readLines(pieces(text, size))) got.push(Buffer.from(l).toString());
    t.same(got, want, `readLines, ${size}-byte reads`);
    const blocks: Buffer[] = [];
    for await (const b of readLineBlocks(pieces(text, size))) blocks.push(b);
    t.equal(Buffer.concat(blocks).toString(), text.toString(), `blocks join to the input, ${size}-byte reads`);
    t.ok(blocks.slice(0, -1).every((b) => b[b.length - 1] === 10), 'every block but the last ends a line');
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
  const d = dir('ss-nul');
  const f = path.join(d, 'nul.tsv');
  fs.writeFileSync(f, Buffer.alloc(65 << 20));
  for (const args of [['merge', f, '--out', path.join(d, 'm.tsv')], ['merge', '--sort', f, '--out', path.join(d, 'm.tsv')], ['report', f, '--out', path.join(d, 'rep'), '--no-png']]) {
    const r = runCli(args);
    t.equal(r.status, 3, `${args[0]} ${args[1]}: ${r.stderr}`);
    t.match(r.stderr, /nul\.tsv:1: line longer than 64 MiB/);
    t.ok(r.stderr.length < 600, 'a short message');
    t.notOk(fs.existsSync(path.join(d, 'm.tsv')), 'no output');
  }
  fs.rmSync(f);
});

t.test('15.16 a 20 MB header field is quoted in 40 characters', async (t) => {
  const d = dir('ss-wide');
  const f = path.join(d, 'wide.tsv');
  fs.writeFileSync(f, `${'X'.repeat(20 << 20)}\tSNP\tBP\tA1\tA2\tP\n1\trs1\t1\tA\tG\t0.5\n`);
  const r = runCli(['merge', f, '--out', path.join(d, 'm.tsv')]);
  t.equal(r.status, 3, r.stderr);
  t.match(r.stderr, /wide\.tsv:1: .*'X{40}\.\.\. \(20971520 characters\)'/);
  t.ok(r.stderr.length < 600, `short: ${r.stderr.length} characters`);
  const rep = runCli(['report', f, '--out', path.join(d, 'rep'), '--no-png']);
  t.equal(rep.status, 3, rep.stderr);
  t.ok(rep.stderr.length < 1200, `report's message is short: ${rep.stderr.length} characters`);
});

t.test('15.23 a column named twice (two P columns) is an error naming the column and file', async (t) => {
  const d = dir('ss-twice');
  const f = path.join(d, 'twice.tsv');
  fs.writeFileSync(f, 'CHR\tSNP\tBP\tA1\tA2\tBETA\tP\tP\n1\trs1\t100\tA\tG\t0.1\t0.5\t0.01\n');
  for (const args of [['merge', f, '--out', path.join(d, 'm.tsv')], ['report', f, '--out', path.join(d, 'rep'), '--no-png']]) {
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
