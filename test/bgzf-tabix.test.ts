// Issue 18: .gz outputs are BGZF with a tabix index written by us. Checked three ways: the index's
// structure read back by hand, region queries through @gmod/tabix (JBrowse's reader), and Debian's
// `tabix FILE 6:1-2000000` when it is installed; chunk edges (1-, 7-, 4096-byte writes) give the
// same bytes; a table tabix could not use gets no index (and a stale one is removed).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { TabixIndexedFile } from '@gmod/tabix';
import { createOutput } from '../src/io/output.js';
import { BGZF_BLOCK } from '../src/io/bgzf.js';
import { reg2bin, tabixColumns } from '../src/io/tabix.js';
import { fixture, hasCommand, runCli, tmpDir } from './lib/helpers.js';

const HEADER = 'CHR\tSNP\tBP\tA1\tA2\tP';

/** A sorted table over three chromosomes, long enough for many BGZF blocks and 16 kb windows. */
function table(n = 6000): string {
  const lines = [HEADER];
  for (const [c, chr] of ['1', '6', 'X'].entries()) {
    for (let i = 0; i < n; i++) lines.push(`${chr}\trs${c}_${i}\t${1000 + i * 997 + (i % 7)}\tA\tG\t${((i * 7919) % 1000) / 1000}`);
  }
  return lines.join('\n') + '\n';
}

async function write(file: string, text: string, piece: number): Promise<void> {
  const o = createOutput(file, 'gz');
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += piece) o.stream.write(b.subarray(i, i + piece));
  await o.commit();
}

function expected(text: string, chr: string, from: number, to: number): string[] {
  return text
    .split('\n')
    .slice(1)
    .filter((l) => {
      const f = l.split('\t');
      return f[0] === chr && Number(f[2]) >= from && Number(f[2]) <= to;
    });
}

t.test('BGZF: valid gzip, blocks of at most 64 KiB with their sizes, the EOF block', async (t) => {
  const dir = tmpDir('bgzf');
  const text = table();
  const f = path.join(dir, 'a.tsv.gz');
  await write(f, text, 1 << 16);
  const gz = fs.readFileSync(f);
  t.equal(zlib.gunzipSync(gz).toString(), text, 'gunzip gives the table back');
  let off = 0;
  let blocks = 0;
  let raw = 0;
  while (off < gz.length) {
    t.same([gz[off], gz[off + 1], gz[off + 3], gz[off + 12], gz[off + 13]], [0x1f, 0x8b, 4, 0x42, 0x43], `block ${blocks}: gzip with the BC field`);
    const bsize = gz.readUInt16LE(off + 16) + 1;
    raw += gz.readUInt32LE(off + bsize - 4);
    off += bsize;
    blocks++;
  }
  t.equal(off, gz.length, 'blocks tile the file');
  t.equal(raw, Buffer.byteLength(text));
  t.equal(blocks, Math.ceil(Buffer.byteLength(text) / BGZF_BLOCK) + 1, 'full blocks, then the empty EOF block');
  t.equal(gz.subarray(gz.length - 28).toString('hex'), '1f8b08040000000000ff0600424302001b0003000000000000000000');
  if (hasCommand('bgzip')) t.equal(spawnSync('bgzip', ['-t', f]).status, 0, 'bgzip -t');
});

t.test('the index: structure, and region queries equal a scan of the text', async (t) => {
  const dir = tmpDir('tbi');
  const text = table();
  const f = path.join(dir, 'a.tsv.gz');
  await write(f, text, 4096);
  const tbi = zlib.gunzipSync(fs.readFileSync(f + '.tbi'));
  t.equal(tbi.toString('latin1', 0, 4), 'TBI\x01');
  t.equal(tbi.readInt32LE(4), 3, 'three sequences');
  t.same(
    [0, 1, 2, 3, 4, 5].map((i) => tbi.readInt32LE(8 + 4 * i)),
    [0, 1, 3, 0, 35, 1],
    'generic, CHR col 1, BP col 3, no end column, #, one header line',
  );
  const l = tbi.readInt32LE(32);
  t.same(tbi.toString('latin1', 36, 36 + l).split('\0'), ['1', '6', 'X', '']);
  t.equal(reg2bin(0, 1), 4681);
  t.equal(reg2bin(1 << 14, (1 << 14) + 1), 4682);
  t.equal(reg2bin(0, 1 << 26), 1);
  const ix = new TabixIndexedFile({ path: f, tbiPath: f + '.tbi' });
  for (const [chr, from, to] of [
    ['6', 1, 2_000_000],
    ['1', 16_000, 16_400],
    ['X', 5_000_000, 5_982_000],
    ['1', 1, 1000],
    ['6', 5_990_000, 9_000_000],
  ] as const) {
    const got: string[] = [];
    await ix.getLines(chr, from - 1, to, (line: string) => got.push(line));
    t.same(got, expected(text, chr, from, to), `${chr}:${from}-${to}`);
  }
  if (hasCommand('tabix')) {
    const r = spawnSync('tabix', [f, '6:1-2000000'], { encoding: 'utf8' });
    t.equal(r.status, 0, r.stderr);
    t.same(r.stdout.split('\n').filter(Boolean), expected(text, '6', 1, 2_000_000), 'Debian tabix FILE 6:1-2000000');
  } else t.pass('tabix not installed: the CLI check is skipped', { skip: true });
});

t.test('chunk edges: the same bytes and index for 1-, 7- and 4096-byte writes', async (t) => {
  const dir = tmpDir('edge');
  const text = table(300);
  const out: Buffer[] = [];
  for (const piece of [1, 7, 4096]) {
    const f = path.join(dir, `p${piece}.tsv.gz`);
    await write(f, text, piece);
    out.push(Buffer.concat([fs.readFileSync(f), fs.readFileSync(f + '.tbi')]));
  }
  t.ok(out[0].equals(out[1]) && out[1].equals(out[2]));
});

t.test('no index for a table tabix could not use; a stale index is removed', async (t) => {
  const dir = tmpDir('noidx');
  const f = path.join(dir, 'u.tsv.gz');
  fs.writeFileSync(f + '.tbi', 'stale');
  await write(f, `${HEADER}\n1\ta\t500\tA\tG\t0.1\n2\tb\t5\tA\tG\t0.1\n1\tc\t900\tA\tG\t0.1\n`, 64);
  t.notOk(fs.existsSync(f + '.tbi'), 'chromosome 1 twice: no index, the stale one gone');
  const g = path.join(dir, 'v.tsv.gz');
  await write(g, 'a\tb\n1\t2\n', 64);
  t.notOk(fs.existsSync(g + '.tbi'), 'no CHR/BP columns: no index');
  t.same(tabixColumns('chromosome\tbase_pair_location\teffect_allele'), { seq: 1, beg: 2, skip: 1 });
  t.same(tabixColumns('#CHROM\tGENPOS\tID'), { seq: 1, beg: 2, skip: 0 });
});

t.test('assoc --compress gz (and bgz) writes BGZF tables with their .tbi', async (t) => {
  const dir = tmpDir('assocgz');
  const A = (x: string) => fixture('assoc', x);
  for (const c of ['gz', 'bgz']) {
    const r = runCli(['assoc', '--gen', A('small.gen'), '--sample', A('small.sample'), '--pheno', A('small.pheno'), '--pheno-name', 'response', '--compress', c, '--out', path.join(dir, c)]);
    t.equal(r.status, 0, r.stderr);
    const f = path.join(dir, `${c}.response.tsv.gz`);
    t.ok(fs.existsSync(f + '.tbi'), `${c}: index beside the table`);
    const text = zlib.gunzipSync(fs.readFileSync(f)).toString();
    const first = text.split('\n')[1].split('\t');
    const ix = new TabixIndexedFile({ path: f, tbiPath: f + '.tbi' });
    const got: string[] = [];
    await ix.getLines(first[0], Number(first[2]) - 1, Number(first[2]), (line: string) => got.push(line));
    t.same(got, expected(text, first[0], Number(first[2]), Number(first[2])), `${c}: the first variant found by region`);
  }
});
