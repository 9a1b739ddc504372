// VCF bad input (issue 16): exit code 3 and one line naming the file and line (or byte offset), for
// plain text and BGZF alike; --region through an index equals the matching rows of a whole-file
// run, and an index that belongs to another file is an error, never wrong rows.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { fixture, hasCommand, runCli, tmpDir } from './lib/helpers.js';
import { toBgzf } from './lib/bgzf.js';
import { openVcf, VCF_BGZF_CHUNK, VCF_BGZF_INFLATED } from '../src/pipeline/vcf-source.js';

const V = (f: string) => fixture('vcf', f);
const dir = tmpDir('vcf-errors');
const dsText = zlib.gunzipSync(fs.readFileSync(V('ds.vcf.gz'))).toString('latin1');
const gpText = zlib.gunzipSync(fs.readFileSync(V('gp.vcf.gz'))).toString('latin1');

function run(file: string, extra: string[] = []) {
  return runCli(['assoc', '--vcf', file, '--pheno', V('pheno.tsv'), '--pheno-name', 'resp', '--out', path.join(dir, 'o'), '--threads', '1', ...extra]);
}

/** The text with line `n` (1-based) changed by f; written plain and as small-block BGZF. */
function variants(name: string, text: string, n: number, f: (line: string) => string): string[] {
  const lines = text.split('\n');
  lines[n - 1] = f(lines[n - 1]);
  const out = lines.join('\n');
  const plain = path.join(dir, `${name}.vcf`);
  const bgz = path.join(dir, `${name}.vcf.gz`);
  fs.writeFileSync(plain, out, 'latin1');
  fs.writeFileSync(bgz, toBgzf(Buffer.from(out, 'latin1'), 1000));
  return [plain, bgz];
}

const firstRecord = dsText.split('\n').findIndex((l) => !l.startsWith('#')) + 1;
const L = firstRecord + 40;

function expectError(t: Test, files: string[], code: number, re: RegExp): void {
  for (const f of files) {
    const r = run(f);
    t.equal(r.status, code, `${path.basename(f)}: exit ${code}`);
    const lines = r.stderr.trim().split('\n');
    t.equal(lines.length, 1, `${path.basename(f)}: one line`);
    t.match(lines[0], re, `${path.basename(f)}: ${lines[0]}`);
    t.notMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  }
}

t.test('a record with fewer sample columns than the header', async (t) => {
  const files = variants('fewer', dsText, L, (l) => l.split('\t').slice(0, -1).join('\t'));
  expectError(t, files, 3, new RegExp(`fewer\\.vcf(\\.gz)?:${L}: 49 sample columns, but the header lists 50$`));
});

t.test('a DS outside [0, 2]', async (t) => {
  const files = variants('ds-range', dsText, L, (l) => {
    const f = l.split('\t');
    f[12] = '0/1:2.5';
    return f.join('\t');
  });
  expectError(t, files, 3, new RegExp(`ds-range\\.vcf(\\.gz)?:${L}: sample 4: DS outside \\[0, 2\\] '2\\.5'$`));
});

t.test('a GP that does not parse', async (t) => {
  const files = variants('gp-bad', gpText, L, (l) => {
    const f = l.split('\t');
    f[11] = '0/1:0.1,abc,0.9';
    return f.join('\t');
  });
  expectError(t, files, 3, new RegExp(`gp-bad\\.vcf(\\.gz)?:${L}: sample 3: GP '0\\.1,abc,0\\.9' does not parse$`));
});

t.test('no DS, GP, HDS or GT in FORMAT', async (t) => {
  const files = variants('no-dosage', dsText, L, (l) => {
    const f = l.split('\t');
    f[8] = 'AB:CD';
    return f.join('\t');
  });
  expectError(t, files, 3, new RegExp(`no-dosage\\.vcf(\\.gz)?:${L}: FORMAT 'AB:CD' has none of DS, GP, HDS, GT$`));
});

t.test('duplicate sample names in the header', async (t) => {
  const lines = dsText.split('\n');
  const h = firstRecord - 1;
  const files = variants('dup', dsText, h, (l) => l.replace('\tper7\t', '\tper3\t'));
  expectError(t, files, 3, new RegExp(`dup\\.vcf(\\.gz)?:${h}: duplicate sample name 'per3' \\(columns 13 and 17\\)$`));
  t.ok(lines.length > 100);
});

t.test('a truncated BGZF file', async (t) => {
  const whole = toBgzf(Buffer.from(dsText, 'latin1'), 1000);
  const cut = path.join(dir, 'truncated.vcf.gz');
  fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
  expectError(t, [cut], 3, /truncated\.vcf\.gz: byte \d+: truncated BGZF file: the block at byte \d+ is cut short$/);
  // bgzip's own file cut inside its only block.
  const cut2 = path.join(dir, 'truncated2.vcf.gz');
  fs.writeFileSync(cut2, fs.readFileSync(V('ds.vcf.gz')).subarray(0, 5000));
  expectError(t, [cut2], 3, /truncated2\.vcf\.gz: byte 0: truncated BGZF file/);
});

t.test('a BCF file: one line saying how to convert it', async (t) => {
  const bcf = path.join(dir, 'x.bcf');
  if (hasCommand('bcftools')) spawnSync('bcftools', ['view', '-Ob', '-o', bcf, V('ds.vcf.gz')]);
  else fs.writeFileSync(bcf, toBgzf(Buffer.concat([Buffer.from('BCF\x02\x02', 'latin1'), Buffer.alloc(100)]), 1000));
  expectError(t, [bcf], 3, /x\.bcf: a BCF file: convert it with `bcftools view -Oz/);
});

/** One BGZF block of 65,536 '1' bytes: repeated, a long line (or much data) from a few bytes a block. */
function onesBlock(): Buffer {
  const piece = Buffer.alloc(65536, '1');
  const c = zlib.deflateRawSync(piece, { level: 9 });
  const h = Buffer.from([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 66, 67, 2, 0, 0, 0]);
  h.writeUInt16LE(c.length + 25, 16);
  const f = Buffer.alloc(8);
  f.writeUInt32LE(zlib.crc32(piece), 0);
  f.writeUInt32LE(piece.length, 4);
  return Buffer.concat([h, c, f]);
}

t.test('a line longer than 64 MiB: file and line for BGZF and gzip/plain text (BGZF used to stitch it whole, memory unbounded)', async (t) => {
  // The header, three records, then a record that never ends: 1,100 x 64 KiB = 72 MB.
  const head = `${dsText
    .split('\n')
    .slice(0, firstRecord + 2)
    .join('\n')}\n22\t16099999\tbig\tA\tC\t.\t.\t.\tDS\t`;
  const long = firstRecord + 3;
  const eof = Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex');
  const bgz = path.join(dir, 'long-line.vcf.gz');
  const ones = onesBlock();
  const withoutEof = toBgzf(Buffer.from(head, 'latin1'), 1000);
  fs.writeFileSync(bgz, Buffer.concat([withoutEof.subarray(0, withoutEof.length - eof.length), ...Array<Buffer>(1100).fill(ones), eof]));
  // gzip (and so plain text, the same reader) named no file, and counted lines from the first record.
  const gz = path.join(dir, 'long-line-gzip.vcf.gz');
  fs.writeFileSync(gz, zlib.gzipSync(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.alloc(1100 * 65536, '1')]), { level: 1 }));
  expectError(t, [bgz, gz], 3, new RegExp(`long-line(-gzip)?\\.vcf\\.gz:${long}: line longer than 64 MiB`));
});

t.test('BGZF chunks stop at 16 MiB of inflated data however well it compresses (a worker once inflated ~1 GiB from a 1 MiB chunk)', async (t) => {
  const eof = Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex');
  const withoutEof = toBgzf(Buffer.from(dsText, 'latin1'), 1000);
  const ones = onesBlock();
  const f = path.join(dir, 'compressible.vcf.gz');
  // 40 MB of data in ~60 KB of blocks: one chunk of the 1 MiB target before.
  fs.writeFileSync(f, Buffer.concat([withoutEof.subarray(0, withoutEof.length - eof.length), ...Array<Buffer>(600).fill(ones), eof]));
  const v = await openVcf(f);
  let chunks = 0;
  let total = 0;
  for await (const c of v.chunks(VCF_BGZF_CHUNK)) {
    const b = Buffer.from(c.buf.buffer, c.buf.byteOffset, c.buf.length);
    let inflated = 0;
    for (let p = 0; p < b.length; ) {
      const len = b.readUInt16LE(p + 16) + 1;
      inflated += b.readUInt32LE(p + len - 4);
      p += len;
    }
    t.ok(inflated <= VCF_BGZF_INFLATED + 65536, `chunk ${chunks}: ${inflated} bytes inflated`);
    total += inflated;
    chunks++;
  }
  t.ok(chunks >= 3, `${chunks} chunks`);
  t.equal(total + v.carry.length + dsText.indexOf('\n', dsText.indexOf('#CHROM')) + 1, dsText.length + 600 * 65536, 'every byte in some chunk');
});

/** Rows of a table (header dropped) whose CHR and BP fall in the region. */
function rowsIn(file: string, chr: string, start: number, end: number): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => {
      const f = l.split('\t');
      return f[0] === chr && Number(f[2]) >= start && Number(f[2]) <= end;
    });
}

t.test('--region through the .tbi equals the matching rows of a whole-file run', async (t) => {
  const whole = run(V('ds.vcf.gz'));
  t.equal(whole.status, 0);
  const all = path.join(dir, 'whole.tsv');
  fs.copyFileSync(path.join(dir, 'o.resp.tsv'), all);
  const files = [V('ds.vcf.gz')];
  if (hasCommand('tabix')) {
    // Blocks of 700 bytes: the region's records span many blocks and segments.
    const small = path.join(dir, 'small-blocks.vcf.gz');
    fs.writeFileSync(small, toBgzf(Buffer.from(dsText, 'latin1'), 700));
    t.equal(spawnSync('tabix', ['-p', 'vcf', small]).status, 0, 'tabix indexed the small-block file');
    files.push(small);
  }
  for (const f of files) {
    for (const [reg, chr, s, e] of [
      ['22:16060000-16090000', '22', 16060000, 16090000],
      ['X', 'X', 0, Infinity],
      ['MT:200-1000', 'MT', 200, 1000],
      ['1:1000010-1000030', '1', 1000010, 1000030],
    ] as const) {
      const r = run(f, ['--region', reg, '--region', '22:16120000-16125000']);
      t.equal(r.status, 0, r.stderr);
      const want = [...rowsIn(all, '22', 16120000, 16125000), ...rowsIn(all, chr, s, e)];
      const got = fs.readFileSync(path.join(dir, 'o.resp.tsv'), 'utf8').split('\n').slice(1).filter(Boolean);
      t.same(got.sort(), want.filter(Boolean).sort(), `${path.basename(f)} --region ${reg}`);
    }
  }
});

t.test('an index that belongs to another file: an error, never wrong rows', async (t) => {
  // hds.vcf.gz with ds.vcf.gz's index (different header length and blocks).
  const f = path.join(dir, 'foreign.vcf.gz');
  fs.copyFileSync(V('hds.vcf.gz'), f);
  fs.copyFileSync(V('ds.vcf.gz.tbi'), `${f}.tbi`);
  const r = run(f, ['--region', '22:16060000-16090000']);
  t.equal(r.status, 3, r.stderr);
  t.match(r.stderr.trim(), /^dosageflow: .*foreign\.vcf\.gz: byte \d+: the tabix index does not match this file .*rebuild it with tabix -p vcf, or remove it to scan$/);
  // A small file with a big file's index: the offsets point past its end.
  const g = path.join(dir, 'short.vcf.gz');
  const lines = dsText.split('\n');
  fs.writeFileSync(g, toBgzf(Buffer.from(lines.slice(0, firstRecord + 3).join('\n') + '\n', 'latin1'), 65000));
  fs.copyFileSync(V('ds.vcf.gz.tbi'), `${g}.tbi`);
  const r2 = run(g, ['--region', 'MT']);
  t.equal(r2.status, 3, r2.stderr);
  t.match(r2.stderr, /(points past the end|does not match this file)/);
});
