// Reliability round 2 (issue 15), part 2: hostile BGEN lengths, byte-string IDs, messages that name
// the cause, memory per phenotype, --out forms, address-space limits, polyploid BGEN. Each test is
// named after the issue's item ("15.N ..."); part 1 is reliability2.test.ts, the shared setup
// test/lib/rel2.ts.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, fixture, runCli, untracked } from './lib/helpers.js';
import { A, IN, assocArgs, dir, outputsIn, simulated, smallDisk, unmountAtEnd, visible } from './lib/rel2.js';

// ---------------------------------------------------------------------------------------------
// 14, 22: corrupt BGEN lengths and what the messages say

const PR = (f: string) => fixture('prs', f);

/** The prs fixture's target.bgen (120 samples, zlib, layout 2) with record `rec` edited, optionally grown (sparse) to `gib` GiB. */
async function editedBgen(out: string, edit: (b: Buffer, v: { fileOffset: number; blockStart: number }) => void, rec = 10, gib = 0): Promise<void> {
  const { parseBgenHeader, scanVariants } = await import('../src/formats/bgen/index.js');
  const b = Buffer.from(fs.readFileSync(PR('target.bgen')));
  const h = parseBgenHeader(b, 'target.bgen');
  edit(b, [...scanVariants(b, h, 'target.bgen')][rec]);
  fs.writeFileSync(out, b);
  if (gib > 0) fs.truncateSync(out, gib * 2 ** 30); // sparse: no disk used
}

/** The four BGEN readers: assoc, report --ld-ref, prs --bgen and prs --ld-ref, each given `bgen`. */
function bgenReaders(bgen: string, d: string): [string, string[]][] {
  const sums = path.join(d, 'good.response.tsv');
  if (!fs.existsSync(sums)) {
    const r = runCli(['assoc', '--bgen', PR('target.bgen'), '--sample', PR('target.sample'), '--pheno', PR('pheno.tsv'), '--out', path.join(d, 'good')]);
    if (r.status !== 0) throw new Error(r.stderr);
  }
  const prs = ['prs', '--base', PR('base.tsv'), '--sample', PR('target.sample'), '--pheno', PR('pheno.tsv')];
  return [
    ['assoc', ['assoc', '--bgen', bgen, '--sample', PR('target.sample'), '--pheno', PR('pheno.tsv'), '--out', path.join(d, 'a')]],
    // --suggestive 0.5: enough candidates that the reference is read
    ['report --ld-ref', ['report', sums, '--out', path.join(d, 'r'), '--no-png', '--suggestive', '0.5', '--ld-ref', bgen]],
    ['prs --bgen', [...prs, '--bgen', bgen, '--out', path.join(d, 'p')]],
    ['prs --ld-ref', [...prs, '--gen', PR('target.chr1.gen'), PR('target.chr23.gen'), '--ld-ref', bgen, '--ld-ref-sample', PR('target.sample'), '--out', path.join(d, 'q')]],
  ];
}

t.test('15.14 one corrupt block length in a multi-GB BGEN: exit 3 naming the byte offset, nothing buffered (assoc, report --ld-ref, prs)', async (t) => {
  const d = dir('rel2-bgen-len');
  const big = path.join(d, 'big.bgen');
  let at = 0;
  // 4 GiB - 16 in a 6 GiB sparse file: assoc buffered the rest of the file (4.3 GB RSS), report
  // --ld-ref aborted natively in fs.read (exit 134).
  await editedBgen(big, (b, v) => b.writeUInt32LE(0xfffffff0, (at = v.blockStart - 8)), 10, 6);
  for (const [what, args] of bgenReaders(big, d)) {
    const r = runCli(args);
    t.equal(r.status, 3, `${what}: ${r.stderr}`);
    t.match(
      r.stderr,
      new RegExp(`^dosageflow: ${big}: byte ${at}: genotype block length 4294967276 is above the 1073741824-byte maximum for one variant: a corrupt length\\n$`),
      `${what}: one line with the offset`,
    );
  }
  // The run log's peak RSS: nothing of the 6 GiB was buffered (assoc reached 4.3 GB before).
  const peak = Number(/peak memory (\d+) MB RSS/.exec(fs.readFileSync(path.join(d, 'a.log'), 'utf8'))?.[1]);
  t.ok(peak > 0 && peak < 500, `assoc peak RSS ${peak} MB`);
  // Below the maximum but past the end of the file: said as such, at once.
  const past = path.join(d, 'past.bgen');
  await editedBgen(past, (b, v) => b.writeUInt32LE(1_000_000, (at = v.blockStart - 8)));
  for (const [what, args] of bgenReaders(past, d)) {
    const r = runCli(args);
    t.equal(r.status, 3, `${what}: ${r.stderr}`);
    t.match(
      r.stderr,
      new RegExp(`^dosageflow: ${past}: byte ${at}: genotype block length 999996 runs past the end of the file \\(\\d+ bytes remain\\): a corrupt length or a truncated file\\n$`),
      what,
    );
  }
  t.same(
    outputsIn(d)
      .filter((f) => f !== 'r')
      .sort(),
    ['big.bgen', 'good.response.tsv', 'past.bgen'],
    'no output of the failed runs',
  );
  t.same(outputsIn(path.join(d, 'r')), [], 'report: its log only');
});

t.test('15.22 BGEN: a misaligned first-variant offset or a 4 GB allele length names the length, not "the file ends"', async (t) => {
  const d = dir('rel2-bgen-msg');
  const off = path.join(d, 'offset.bgen');
  const good = fs.readFileSync(PR('target.bgen'));
  for (const delta of [1, 3, 100]) {
    const b = Buffer.from(good);
    b.writeUInt32LE(b.readUInt32LE(0) + delta, 0);
    fs.writeFileSync(off, b);
    for (const [what, args] of bgenReaders(off, d)) {
      const r = runCli(args);
      t.equal(r.status, 3, `offset +${delta}, ${what}: ${r.stderr}`);
      t.match(
        r.stderr,
        new RegExp(
          `^dosageflow: ${off}: byte \\d+: [a-z0-9 ]+ length \\d+ (runs past the end of the file|is above).*: a corrupt length, or the first-variant offset in the header \\(byte 0\\) is wrong\\n$`,
        ),
        `offset +${delta}, ${what}`,
      );
      t.notMatch(r.stderr, /the file ends/);
    }
  }
  const al = path.join(d, 'allele.bgen');
  let at = 0;
  await editedBgen(al, (b, v) => {
    let p = v.fileOffset;
    for (let s = 0; s < 3; s++) p += 2 + b.readUInt16LE(p);
    b.writeUInt32LE(0xffffffff, (at = p + 6)); // after the position and K: allele 1's length
  });
  for (const [what, args] of bgenReaders(al, d)) {
    const r = runCli(args);
    t.equal(r.status, 3, `${what}: ${r.stderr}`);
    t.match(r.stderr, new RegExp(`^dosageflow: ${al}: byte ${at}: allele 1 length 4294967295 is above the 1073741824-byte maximum for one variant: a corrupt length\\n$`), what);
  }
});

t.test('15.22 BGEN: a duplicate ID in the sample identifier block is named, not "occurs in several families"', async (t) => {
  const d = dir('rel2-bgen-dup');
  const sim = path.join(d, 'sim');
  const r0 = runCli(['simulate', '-n', '20', '-m', '30', '--chromosomes', '22', '--format', 'bgen', '--out', sim]);
  t.equal(r0.status, 0, r0.stderr);
  const b = fs.readFileSync(`${sim}.bgen`);
  const second = b.indexOf('ID0002');
  b.write('ID0001', second, 'latin1');
  fs.writeFileSync(`${sim}.bgen`, b);
  const r = runCli(['assoc', '--bgen', `${sim}.bgen`, '--pheno', `${sim}.pheno.tsv`, '--out', path.join(d, 'o')]);
  t.equal(r.status, 3, r.stderr);
  t.match(r.stderr, new RegExp(`^dosageflow: ${sim}\\.bgen: byte ${second - 2}: duplicate sample ID 'ID0001' in the BGEN sample identifier block \\(samples 1 and 2\\)\\n$`));
  t.notMatch(r.stderr, /several families/);
});

/** A layout-2 uncompressed BGEN of 8 samples (no IDs) whose variants have the given allele counts (8-bit, diploid). */
function bgenWithAlleles(file: string, ks: number[]): void {
  const n = 8;
  const u16 = (v: number) => Buffer.from([v & 255, v >> 8]);
  const u32 = (v: number) => {
    const x = Buffer.alloc(4);
    x.writeUInt32LE(v);
    return x;
  };
  const str16 = (s: string) => Buffer.concat([u16(s.length), Buffer.from(s)]);
  const recs = ks.map((k, i) => {
    const probs: number[] = [];
    if (k === 2) for (let s = 0; s < n; s++) probs.push((s * 37) % 200, (s * 53) % 55);
    if (k === 3) for (let s = 0; s < n; s++) probs.push((s * 29) % 60, 30, 20, (s * 13) % 50, 50);
    const block = Buffer.concat([u32(n), u16(k), Buffer.from([2, 2]), Buffer.alloc(n, 2), Buffer.from([0, 8]), Buffer.from(probs)]);
    const alleles = ['A', 'C', 'G'].slice(0, k).map((a) => Buffer.concat([u32(1), Buffer.from(a)]));
    return Buffer.concat([str16(`v${i}`), str16(`rs${i}`), str16('01'), u32(1000 + i), u16(k), ...alleles, u32(block.length), block]);
  });
  const header = Buffer.concat([u32(20), u32(20), u32(ks.length), u32(n), Buffer.from('bgen'), u32(2 << 2)]);
  fs.writeFileSync(file, Buffer.concat([header, ...recs]));
}

t.test('15.22 BGEN: a 1-allele variant is counted as such (no ALT allele), not as multi-allelic', async (t) => {
  const d = dir('rel2-bgen-k1');
  const bgen = path.join(d, 'k1.bgen');
  bgenWithAlleles(bgen, [2, 1, 2, 3]);
  const sample = path.join(d, 'k1.sample');
  fs.writeFileSync(sample, `ID_1 ID_2 missing\n0 0 0\n${[...Array(8).keys()].map((i) => `s${i} s${i} 0`).join('\n')}\n`);
  const pheno = path.join(d, 'p.txt');
  fs.writeFileSync(pheno, `FID IID y\n${[...Array(8).keys()].map((i) => `s${i} s${i} ${(i * 7) % 5}.5`).join('\n')}\n`);
  const r = runCli(['assoc', '--bgen', bgen, '--sample', sample, '--pheno', pheno, '--out', path.join(d, 'o')]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /4 variants read from 1 file \(8 samples\), 1 with one allele \(no ALT\) skipped in/);
  t.notMatch(r.stderr, /multi-allelic skipped/, 'the 3-allele variant is tested (one row per ALT), the 1-allele one is not multi-allelic');
  const b = runCli(['assoc', '--bgen', bgen, '--sample', sample, '--pheno', pheno, '--biallelic-only', '--out', path.join(d, 'b')]);
  t.match(b.stderr, /, 1 multi-allelic skipped, 1 with one allele \(no ALT\) skipped in/);
  // plink2 refuses such a file ("fewer than two alleles"); checked live when it is installed.
  const p2 = spawnSync('plink2', ['--bgen', bgen, 'ref-first', '--sample', sample, '--make-pgen', '--out', path.join(d, 'p2')], { encoding: 'utf8' });
  if (p2.error) t.skip('plink2 not installed', () => {});
  else t.match(p2.stdout + p2.stderr, /fewer than two alleles/, 'plink2 2.00a3.5: "Error: .bgen variant has fewer than two alleles."');
});

t.test('15.23 --gen f f (the same file twice) and 15.22 --gen - with --pheno -: exit 2, one line', async (t) => {
  const g = A('small.gen');
  let r = runCli(['assoc', '--gen', g, path.join(path.dirname(g), '../assoc/small.gen'), '--sample', A('small.sample'), '--pheno', A('small.pheno'), '--out', path.join(IN, 'o')]);
  t.equal(r.status, 2, r.stderr);
  t.match(r.stderr, /^dosageflow: .*small\.gen is given twice as a genotype file/);
  r = runCli(['assoc', '--gen', '-', '--sample', A('small.sample'), '--pheno', '-', '--out', path.join(IN, 'o')], { input: '' });
  t.equal(r.status, 2, r.stderr);
  t.match(r.stderr, /^dosageflow: --gen - and --pheno - both read stdin: only one input can\n$/);
});

// ---------------------------------------------------------------------------------------------
// 6: sample IDs that are not UTF-8

t.test('15.6 non-UTF-8 sample IDs are compared as bytes (.sample, tables, --remove, BGEN block, VCF header)', async (t) => {
  const d = dir('rel2-bytes');
  const sim = path.join(d, 'b');
  const r0 = runCli(['simulate', '-n', '20', '-m', '30', '--chromosomes', '22', '--format', 'bgen', '--out', sim]);
  t.equal(r0.status, 0, r0.stderr);
  // Samples 1 and 2 become IDx\xe9xx and IDx\xe8xx (Latin-1 é and è, invalid UTF-8: both used to
  // decode to IDx\ufffdxx); the phenotype row of sample 1 becomes IDx\xe7xx, nobody's.
  const swap = (b: Buffer, pairs: [string, number][]) => {
    for (const [from, byte] of pairs) {
      const i = b.indexOf(from, 0, 'latin1');
      t.ok(i >= 0, `${from} found`);
      b.write('IDx', i, 'latin1');
      b[i + 3] = byte;
      b.write('xx', i + 4, 'latin1');
    }
    return b;
  };
  const edit = (f: string, pairs: [string, number][], out = f) => fs.writeFileSync(out, swap(fs.readFileSync(f), pairs));
  edit(`${sim}.bgen`, [
    ['ID0001', 0xe9],
    ['ID0002', 0xe8],
  ]);
  edit(`${sim}.sample`, [
    ['ID0001', 0xe9],
    ['ID0002', 0xe8],
  ]);
  edit(`${sim}.pheno.tsv`, [
    ['ID0001', 0xe7],
    ['ID0002', 0xe8],
  ]);
  // The same samples without family IDs: IID-only matching, where the two used to look like one
  // IID in two families.
  const noFid = path.join(d, 'nofid.sample');
  fs.writeFileSync(noFid, Buffer.from(fs.readFileSync(`${sim}.sample`, 'latin1').replace(/^FAM\d+ /gm, '0 '), 'latin1'));
  const run = (extra: string[]) => runCli(['assoc', ...extra, '--pheno', `${sim}.pheno.tsv`, '--pheno-name', 'response', '--out', path.join(d, 'o')]);
  for (const [what, args] of [
    ['.sample with FIDs', ['--bgen', `${sim}.bgen`, '--sample', `${sim}.sample`]],
    ['.sample without FIDs', ['--bgen', `${sim}.bgen`, '--sample', noFid]],
    ['BGEN identifier block', ['--bgen', `${sim}.bgen`]],
  ] as const) {
    const r = run([...args]);
    t.equal(r.status, 0, `${what}: ${r.stderr}`);
    t.match(r.stderr, /19 of 20 genotyped samples have a row in/, `${what}: IDx\\xe9xx matches no row (IDx\\xe7xx is someone else)`);
  }
  // --remove IDx\xe8xx removes that sample only.
  const rm = path.join(d, 'rm.txt');
  fs.writeFileSync(rm, Buffer.from('IDx\xe8xx\n', 'latin1'));
  let r = run(['--bgen', `${sim}.bgen`, '--remove', rm]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /--remove 1 samples/);
  // A VCF whose #CHROM line names the same samples.
  const names = fs
    .readFileSync(noFid, 'latin1')
    .split('\n')
    .slice(2)
    .filter(Boolean)
    .map((l) => l.split(' ')[1]);
  const recs = [1, 2, 3].map((v) => `22\t${v * 1000}\trs${v}\tA\tG\t.\tPASS\t.\tDS\t${names.map((_, i) => ((i * 7 + v * 3) % 21) / 10).join('\t')}`);
  const vcf = path.join(d, 'b.vcf');
  fs.writeFileSync(vcf, Buffer.from(['##fileformat=VCFv4.2', `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${names.join('\t')}`, ...recs, ''].join('\n'), 'latin1'));
  r = run(['--vcf', vcf]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /19 of 20 genotyped samples have a row in/, 'VCF: matched as bytes');
  // A .sample that disagrees with the block in one byte is named, the byte shown as \xHH.
  const other = path.join(d, 'other.sample');
  edit(noFid, [['IDx\xe9xx', 0xea]], other);
  r = run(['--bgen', `${sim}.bgen`, '--sample', other]);
  t.equal(r.status, 3, r.stderr);
  t.match(r.stderr, /sample 1 is 'IDx\\xe9xx' in the file's identifier block but 'IDx\\xeaxx' in .*other\.sample/);
});

t.test('15.6 decodeBytes/encodeBytes: every byte string survives, distinct bytes stay distinct', async (t) => {
  const fc = (await import('fast-check')).default;
  const { decodeBytes, encodeBytes } = await import('../src/io/text.js');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
      const sa = decodeBytes(a);
      if (!encodeBytes(sa).equals(Buffer.from(a))) return false;
      return (sa === decodeBytes(b)) === Buffer.from(a).equals(Buffer.from(b));
    }),
    { numRuns: 3000, seed: 15 },
  );
  t.equal(decodeBytes(Buffer.from('café 𐂀 ID', 'utf8')), 'café 𐂀 ID', 'valid UTF-8 (astral too) decodes as UTF-8');
  t.not(decodeBytes(Buffer.from([0x49, 0xe9])), decodeBytes(Buffer.from([0x49, 0xe8])));
});

// ---------------------------------------------------------------------------------------------
// 22: messages that name the cause

t.test('15.22 a zstd file starting with a skippable frame (as pzstd writes) is read', async (t) => {
  const d = dir('rel2-skippable');
  const { compress } = await import('zstd-napi');
  const sim = simulated(300);
  // Skippable frame: magic 0x184D2A50..5F little-endian, 4-byte LE payload size, payload; then a normal frame.
  for (const magic of [0x184d2a50, 0x184d2a5f]) {
    const skip = Buffer.alloc(8 + 5);
    skip.writeUInt32LE(magic, 0);
    skip.writeUInt32LE(5, 4);
    skip.write('hello', 8);
    const f = path.join(d, `skip-${magic.toString(16)}.gen.zst`);
    fs.writeFileSync(f, Buffer.concat([skip, compress(fs.readFileSync(`${sim}.gen`))]));
    const r = runCli(assocArgs(sim, path.join(d, 'z'), ['--pheno-name', 'response']).map((a) => (a === `${sim}.gen` ? f : a)));
    t.equal(r.status, 0, r.stderr);
    const plain = runCli(assocArgs(sim, path.join(d, 'p'), ['--pheno-name', 'response']));
    t.equal(plain.status, 0, plain.stderr);
    t.ok(fs.readFileSync(path.join(d, 'z.response.tsv')).equals(fs.readFileSync(path.join(d, 'p.response.tsv'))), `${magic.toString(16)}: same table as the plain .gen`);
  }
});

t.test('15.22 a path flag given twice is a usage error, not two paths joined with a comma', async (t) => {
  const sim = simulated(300);
  const d = dir('rel2-twice');
  const cases: [string[], RegExp][] = [
    [assocArgs(sim, path.join(d, 'o'), ['--sample', `${sim}.sample`]), /^dosageflow: --sample given twice \('.*sim300\.sample', '.*sim300\.sample'\): it takes one value\n$/],
    [['merge', 'a.tsv', '--out', 'x.tsv', '-o', 'y.tsv'], /^dosageflow: --out given twice \('x\.tsv', 'y\.tsv'\): it takes one value\n$/],
    [['prs', '--base', 'a', '--base', 'b'], /^dosageflow: --base given twice/],
  ];
  for (const [args, re] of cases) {
    const r = runCli(args);
    t.equal(r.status, 2, r.stderr);
    t.match(r.stderr, re);
  }
  // Flags that take several files may repeat.
  const r = runCli([
    'assoc',
    '--gen',
    `${sim}.gen`,
    '--sample',
    `${sim}.sample`,
    '--pheno',
    `${sim}.pheno.tsv`,
    '--pheno-name',
    'response',
    '--pheno-name',
    'dissociation',
    '--region',
    '22',
    '--region',
    '21',
    '--out',
    path.join(d, 'o'),
  ]);
  t.equal(r.status, 0, r.stderr);
  t.same(outputsIn(d).sort(), ['o.dissociation.tsv', 'o.response.tsv']);
});

t.test('15.22 prs --clump-p 0 is out of range (as plink --clump-p1), exit 2', async (t) => {
  const r = runCli(['prs', '--base', 'b.tsv', '--gen', 'g.gen', '--sample', 's', '--pheno', 'p', '--out', path.join(IN, 'prs'), '--clump-p', '0']);
  t.equal(r.status, 2, r.stderr);
  t.match(r.stderr, /^dosageflow: --clump-p must be above 0 and at most 1, not 0 \(no variant has P <= 0\)\n$/);
});

t.test('15.22 a choice error is one line naming the option and its choices (no literal \\n)', async (t) => {
  const r = runCli(['prs', '--ld-method', 'foo', '--base', 'b']);
  t.equal(r.status, 2, r.stderr);
  t.equal(r.stderr, "dosageflow: --ld-method takes one of plink1.9, dosage, not 'foo'\n");
  const { yargsMessage } = await import('../src/cli/main.js');
  t.equal(yargsMessage('Invalid values:\n  Argument: a, Given: "x", Choices: "p", "q"\n  Argument: b, Given: 3, Choices: 1, 2'), "--a takes one of p, q, not 'x'; --b takes one of 1, 2, not 3");
  t.equal(yargsMessage('Not enough arguments\nfollowing: x'), 'not enough arguments; following: x');
});

t.test('15.22 system errors in plain words naming the path (EROFS, EFBIG, EBUSY, ...)', async (t) => {
  const { formatError, fileError } = await import('../src/errors.js');
  const sys = (code: string, message: string, p?: string) => Object.assign(new Error(message), { code, path: p, syscall: 'open' });
  t.equal(formatError(fileError(sys('EROFS', "EROFS: read-only file system, open 'ro/.x.tmp'"), 'ro/x.tsv')), 'ro/x.tsv: read-only file system');
  t.equal(formatError(fileError(sys('EFBIG', 'EFBIG: file too large, write'), 'big.tsv')), "big.tsv: file too large (the file system's limit or ulimit -f)");
  t.equal(formatError(fileError(sys('EBUSY', "EBUSY: resource busy or locked, rename 'a' -> 'b'"), 'mnt')), 'mnt: busy (a mount point or a file in use)');
  t.equal(formatError(sys('EXDEV', "EXDEV: cross-device link not permitted, rename 'a' -> 'b'", 'a')), 'a: cross-device link not permitted');
  t.equal(formatError(fileError(sys('ENOTEMPTY', "ENOTEMPTY: directory not empty, rmdir 'd'"), 'd')), 'd: directory not empty');
  // A read-only file system, when the test may mount one.
  const d = dir('rel2-readonly');
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', d], { encoding: 'utf8' });
  if (m.status !== 0) return void t.skip('cannot mount a read-only tmpfs here', () => {});
  unmountAtEnd(d);
  const sim = simulated(300);
  const r = runCli(assocArgs(sim, path.join(d, 'o')));
  t.equal(r.status, 4, r.stderr);
  t.match(r.stderr, new RegExp(`^dosageflow: ${d}: read-only file system\\n`), 'names the directory');
  t.notMatch(r.stderr, /EROFS|erofs/);
  // example in a read-only directory: says the directory is not writable (was "example-out: no such file").
  const e = runCli(['example'], { cwd: d });
  t.equal(e.status, 4, e.stderr);
  t.match(e.stderr, new RegExp(`^dosageflow: example-out: cannot create the directory: ${d} is not writable \\(read-only file system\\)\\n$`));
});

t.test('a kernel whose WebAssembly memory reaches its limit in a worker: exit 4 with advice, not an internal error (review of session 8)', async (t) => {
  const { formatError, exitCodeFor } = await import('../src/errors.js');
  const { Worker } = await import('node:worker_threads');
  // The RangeError a worker's memory.grow throws, as the main thread receives it.
  const err = await new Promise<unknown>((resolve) => {
    const w = new Worker('new WebAssembly.Memory({ initial: 1, maximum: 2 }).grow(5);', { eval: true });
    w.on('error', resolve);
  });
  t.ok(err instanceof RangeError, 'the class survives the thread boundary');
  t.equal(exitCodeFor(err), 4);
  t.match(formatError(err), /^a WebAssembly kernel reached its 4 GiB memory limit .*DOSAGEFLOW_NO_WASM=1/);
  t.notMatch(formatError(err), /internal error/);
  // Other RangeErrors stay internal errors.
  t.equal(exitCodeFor(new RangeError('Invalid array length')), 70);
});

t.test('15.22 a BGEN or a VCF given to --gen says which option takes it, not blaming the .sample', async (t) => {
  const d = dir('rel2-notgen');
  const sample = fixture('bgen-haploid', 'hap.sample');
  for (const [file, re] of [
    [fixture('bgen-haploid', 'hap.bgen'), /hap\.bgen:1: a BGEN file \('bgen' at byte 16\), not a \.gen: give it with --bgen\n$/],
    [fixture('bgen-haploid', 'hap.vcf.gz'), /hap\.vcf\.gz:1: a VCF, not a \.gen: give it with --vcf\n$/],
  ] as const) {
    const r = runCli(['assoc', '--gen', file, '--sample', sample, '--pheno', fixture('bgen-haploid', 'hap.pheno'), '--pheno-name', 'y', '--out', path.join(d, 'o')]);
    t.equal(r.status, 3, r.stderr);
    t.match(r.stderr, re);
    t.notMatch(r.stderr, /fields/);
  }
});

t.test('15.22 a CR-only .gen (old Mac line ends) says so, not blaming the .sample', async (t) => {
  const sim = simulated(300);
  const d = dir('rel2-cr');
  const g = path.join(d, 'mac.gen');
  fs.writeFileSync(g, fs.readFileSync(`${sim}.gen`, 'latin1').replace(/\n/g, '\r'), 'latin1');
  const r = runCli(assocArgs(sim, path.join(d, 'o')).map((a) => (a === `${sim}.gen` ? g : a)));
  t.equal(r.status, 3, r.stderr);
  t.match(r.stderr, /^dosageflow: .*mac\.gen:1: the file has CR line ends \(old Mac OS\), not LF: convert it, e\.g\. tr '\\r' '\\n' < IN > OUT\n$/);
  t.notMatch(r.stderr, /\.sample/);
  // CRLF (Windows) line ends are read.
  fs.writeFileSync(g, fs.readFileSync(`${sim}.gen`, 'latin1').replace(/\n/g, '\r\n'), 'latin1');
  const w = runCli(assocArgs(sim, path.join(d, 'o')).map((a) => (a === `${sim}.gen` ? g : a)));
  t.equal(w.status, 0, w.stderr);
  // A CR-only file past the 64 MiB line cap says the same (readLines; the .gen chunker shares lineTooLong).
  const { readLines, MAX_LINE_BYTES } = await import('../src/io/lines.js');
  const piece = Buffer.from('1 rs1 100 A G 0 1 0\r'.repeat(205).slice(0, 4096));
  async function* mac() {
    for (let i = 0; i <= MAX_LINE_BYTES / 4096; i++) yield piece;
  }
  await t.rejects(
    (async () => {
      for await (const _ of readLines(mac(), 'mac.txt')) void _;
    })(),
    { message: /^line longer than 64 MiB: the file has CR line ends \(old Mac OS\), not LF/, file: 'mac.txt', line: 1 },
  );
});

// ---------------------------------------------------------------------------------------------
// 21: many phenotypes, wide tables

t.test('15.21 a 100,000-column covariate header parses in one pass (the duplicate check was quadratic)', async (t) => {
  const { parseNumericTable, columnIndex } = await import('../src/formats/tables.js');
  const names = Array.from({ length: 100_000 }, (_, j) => `c${j}`);
  const row = (id: string) => `${id}\t${names.map((_, j) => j % 7).join('\t')}`;
  const text = [`IID\t${names.join('\t')}`, row('a'), row('b'), ''].join('\n');
  const tab = parseNumericTable(text, 'wide.covar', ['c99999', 'c0'], 'covariate');
  t.same(tab.names, ['c99999', 'c0']);
  t.same([...tab.values[0]], [99999 % 7, 99999 % 7]);
  // A name twice, at the very end: found, in a map of 100,000 (was 5e9 comparisons).
  t.throws(() => columnIndex([...names, 'c5'], 'wide.covar', 1), { message: "column 'c5' appears twice in the header", file: 'wide.covar', line: 1 });
  // A missing name lists the first 20 columns, not 100,000.
  t.throws(() => parseNumericTable(text, 'wide.covar', ['PC1'], 'covariate'), { message: /^no covariate column 'PC1' \(columns: c0, c1, .*c19, \.\.\. \(100000 in all\)\)$/ });
});

t.test('15.21 3,000 phenotypes x 6 variants: peak memory flat (5,000 took 1.64 GB), and ulimit -n too low is said first', async (t) => {
  const d = dir('rel2-phenos');
  const sim = path.join(d, 's');
  const r0 = runCli(['simulate', '-n', '20', '-m', '6', '--chromosomes', '22', '--out', sim]);
  t.equal(r0.status, 0, r0.stderr);
  const ids = fs
    .readFileSync(`${sim}.pheno.tsv`, 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split('\t').slice(0, 2).join('\t'));
  const P = 3000;
  let seed = 21;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648).toFixed(3);
  const pheno = path.join(d, 'many.pheno');
  fs.writeFileSync(pheno, [`FID\tIID\t${Array.from({ length: P }, (_, j) => `P${j}`).join('\t')}`, ...ids.map((id) => `${id}\t${Array.from({ length: P }, rnd).join('\t')}`), ''].join('\n'));
  const out = path.join(d, 'o');
  // The run's own log records its peak RSS (process.resourceUsage().maxRSS, workers included).
  const r = spawnSync(
    ...untracked('bash', ['-c', `ulimit -n 6100 2>/dev/null || exit 99; exec "${process.execPath}" "${BIN}" assoc --gen ${sim}.gen --sample ${sim}.sample --pheno ${pheno} --out ${out}`]),
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (r.status === 99) t.skip('the hard limit of open files is below 6,100 here: the memory part is not exercised', () => {});
  else {
    t.equal(r.status, 0, r.stderr.slice(-500));
    t.equal(outputsIn(d).filter((f) => f.startsWith('o.P')).length, P, 'a table per phenotype');
    const peak = Number(/peak memory (\d+) MB RSS/.exec(fs.readFileSync(`${out}.log`, 'utf8'))?.[1]);
    // Before: 72 KB of row lists per phenotype per chunk, 768 KB of median buffers each (~1 GB here).
    t.ok(peak > 0 && peak < 500, `peak RSS ${peak} MB < 500 MB`);
  }
  // Under `ulimit -n 1024` (a common default) the run stops before it starts, saying what it needs.
  const low = spawnSync(
    ...untracked('bash', ['-c', `ulimit -n 1024 && exec "${process.execPath}" "${BIN}" assoc --gen ${sim}.gen --sample ${sim}.sample --pheno ${pheno} --out ${path.join(d, 'low')}`]),
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  t.equal(low.status, 4, low.stderr);
  t.match(low.stderr, /^dosageflow: .*many\.pheno: 3000 phenotypes need up to 6064 open files .* but `ulimit -n` is 1024: raise it \(`ulimit -n 6064`\) or select fewer with --pheno-name\n$/);
  t.notOk(
    outputsIn(d).some((f) => f.startsWith('low.') || f.startsWith('.low')),
    'nothing written',
  );
});

t.test('15.23 --out DIR/ (or an existing directory) writes DIR/dosageflow.*, never a hidden DIR/.response.tsv', async (t) => {
  const sim = simulated(300);
  const d = dir('rel2-outdir');
  const sub = path.join(d, 'new');
  let r = runCli(assocArgs(sim, sub + '/'));
  t.equal(r.status, 0, r.stderr);
  t.same(fs.readdirSync(sub).sort(), ['dosageflow.dissociation.tsv', 'dosageflow.log', 'dosageflow.response.tsv'], 'DIR/ is created, the default prefix in it');
  fs.rmSync(sub, { recursive: true });
  fs.mkdirSync(sub);
  r = runCli(assocArgs(sim, sub, ['--pheno-name', 'response']));
  t.equal(r.status, 0, r.stderr);
  t.same(fs.readdirSync(sub).sort(), ['dosageflow.log', 'dosageflow.response.tsv'], 'an existing directory without the slash: the same');
  r = runCli(['simulate', '-n', '10', '-m', '20', '--chromosomes', '22', '--out', path.join(d, 'sim') + '/']);
  t.equal(r.status, 0, r.stderr);
  t.ok(fs.existsSync(path.join(d, 'sim', 'dosageflow.gen')), 'simulate: DIR/dosageflow.gen');
  const help = runCli(['assoc', '--help']);
  t.match(help.stdout.replace(/\s+/g, ' '), /a directory \(DIR\/, or one that exists\) means DIR\/dosageflow\.\*/, '--help says so');
  const hidden = fs
    .readdirSync(d, { recursive: true })
    .map(String)
    .filter((f) => path.basename(f).startsWith('.'));
  t.same(hidden, [], 'no hidden file anywhere');
});

t.test("15.23 --out e/x --out '' is '--out given twice', exit 2 (wrote e/x,.response.tsv)", async (t) => {
  const sim = simulated(300);
  const d = dir('rel2-out-twice');
  const r = runCli(assocArgs(sim, path.join(d, 'x'), ['--out', '']));
  t.equal(r.status, 2, r.stderr);
  t.equal(r.stderr, `dosageflow: --out given twice ('${path.join(d, 'x')}', ''): it takes one value\n`);
  t.same(fs.readdirSync(d), []);
});

// ---------------------------------------------------------------------------------------------
// 18: ulimit -v

t.test('15.18 under ulimit -v 4 and 8 GB a run works (JavaScript kernels, same bytes); too low: exit 4 naming the limit', async (t) => {
  const sim = simulated(300);
  const d = dir('rel2-ulimit');
  const ref = runCli(assocArgs(sim, path.join(d, 'ref')));
  t.equal(ref.status, 0, ref.stderr);
  // The CLI as a user runs it: without tap's NODE_OPTIONS instrumentation, loaded into every thread.
  const under = (kb: number, out: string, extra = '', env = '') =>
    spawnSync('bash', ['-c', `ulimit -v ${kb} || exit 99; unset NODE_OPTIONS; ${env} exec "${process.execPath}" "${BIN}" ${assocArgs(sim, path.join(d, out)).join(' ')} ${extra}`], {
      encoding: 'utf8',
      timeout: 120_000,
    });
  for (const kb of [4000000, 8000000]) {
    const r = under(kb, `v${kb}`, '--threads 8', 'DOSAGEFLOW_REQUIRE_WASM=');
    if (r.status === 99) return t.skip('ulimit -v cannot be set here', () => {});
    t.equal(r.status, 0, `${kb} kB: ${r.stderr}`);
    t.match(
      r.stderr,
      new RegExp(
        `^dosageflow: warning: WebAssembly memory cannot be reserved under the address-space limit \\(\`ulimit -v\` ${kb} kB\\).*the JavaScript kernels run instead \\(same results, slower\\)\\n`,
      ),
    );
    if (kb === 4000000) t.match(r.stderr, /warning: --threads 8 lowered to 4: the address-space limit \(`ulimit -v` 4000000 kB\) leaves room for 4 worker threads/);
    for (const p of ['response', 'dissociation']) t.equal(fs.readFileSync(path.join(d, `v${kb}.${p}.tsv`), 'utf8'), fs.readFileSync(path.join(d, `ref.${p}.tsv`), 'utf8'), `${kb} kB: ${p} identical`);
  }
  // DOSAGEFLOW_REQUIRE_WASM=1: loud, but a resource error (exit 4), not an internal one.
  let r = under(4000000, 'req', '', 'DOSAGEFLOW_REQUIRE_WASM=1');
  t.equal(r.status, 4, r.stderr);
  t.match(
    r.stderr,
    /^dosageflow: WebAssembly memory cannot be reserved under the address-space limit \(`ulimit -v` 4000000 kB\): V8 reserves ~10 GB for each: lift the limit \(`ulimit -v unlimited`\) or unset DOSAGEFLOW_REQUIRE_WASM\n$/,
  );
  // Below what one worker thread needs: one line, before anything runs (V8 would abort natively).
  r = under(1000000, 'low', '', 'DOSAGEFLOW_REQUIRE_WASM=');
  t.equal(r.status, 4, r.stderr);
  t.match(
    r.stderr,
    /^dosageflow: the address-space limit \(`ulimit -v` 1000000 kB, 1\.0 GB\) is below the 1\.9 GB a run reserves with one worker thread: raise it \(`ulimit -v 1966080`; SGE: -l h_vmem=2G\)\n$/,
  );
  t.same(
    outputsIn(d).filter((f) => !f.startsWith('ref.') && !/^v\d+\./.test(f)),
    [],
    'no output or temporary from the failed runs',
  );
});

t.test('15.18 threadsUnderLimit: the worker count that fits, from the measured reservations', async (t) => {
  const { threadsUnderLimit } = await import('../src/io/limits.js');
  const warnings: string[] = [];
  const w = (s: string) => warnings.push(s);
  const GB = 2 ** 30;
  t.equal(threadsUnderLimit(8, w, null), 8, 'no limit');
  t.equal(threadsUnderLimit(2, w, 4 * GB), 2);
  t.equal(threadsUnderLimit(16, w, 8 * GB), 10);
  t.equal(threadsUnderLimit(4, w, 1.9 * GB), 1);
  t.equal(warnings.length, 2);
  t.throws(() => threadsUnderLimit(1, w, 1.5 * GB), { message: /is below the 1\.9 GB a run reserves with one worker thread/ });
});

// ---------------------------------------------------------------------------------------------
// 8: ploidy > 2

/** A phased layout-2 BGEN (uncompressed, 8 bits), every sample of ploidy z; haps(i, h): haplotype h of sample i carries G. */
async function polyploidBgen(file: string, n: number, z: number, variants: ((i: number, h: number) => boolean)[]): Promise<string[]> {
  const { encodeBgenHeader } = await import('../src/sim/bgen-writer.js');
  const ids = Array.from({ length: n }, (_, i) => `s${i + 1}`);
  const str = (s: string, w: 2 | 4) => {
    const l = Buffer.alloc(w);
    if (w === 2) l.writeUInt16LE(s.length);
    else l.writeUInt32LE(s.length);
    return Buffer.concat([l, Buffer.from(s, 'latin1')]);
  };
  const u = (x: number, w: 2 | 4) => {
    const b = Buffer.alloc(w);
    if (w === 2) b.writeUInt16LE(x);
    else b.writeUInt32LE(x);
    return b;
  };
  const parts = [encodeBgenHeader({ nSamples: n, nVariants: variants.length, compression: 'none', sampleIds: ids })];
  variants.forEach((haps, v) => {
    const probs = Buffer.alloc(n * z);
    for (let i = 0; i < n; i++) for (let h = 0; h < z; h++) probs[i * z + h] = haps(i, h) ? 0 : 255; // stored: P(allele A)
    const block = Buffer.concat([u(n, 4), u(2, 2), Buffer.from([z, z]), Buffer.alloc(n, z), Buffer.from([1, 8]), probs]);
    parts.push(str(`v${v + 1}`, 2), str(`rs${v + 1}`, 2), str('1', 2), u(1000 * (v + 1), 4), u(2, 2), str('A', 4), str('G', 4), u(block.length, 4), block);
  });
  fs.writeFileSync(file, Buffer.concat(parts));
  return ids;
}

t.test('15.8 ploidy 4 and 63: FRQ = dosage / ploidy, INFO NA, --min-maf on that FRQ (plink2 refuses such files)', async (t) => {
  const d = dir('rel2-ploidy');
  const n = 40;
  const haps = [(i: number, h: number) => (i * 7 + h * 3) % 5 === 0, (i: number, h: number) => (i + h) % 2 === 0, (i: number, h: number) => i === 0 && h === 0];
  for (const z of [4, 63]) {
    const bgen = path.join(d, `p${z}.bgen`);
    const ids = await polyploidBgen(bgen, n, z, haps);
    const pheno = path.join(d, `p${z}.pheno`);
    fs.writeFileSync(pheno, 'IID y\n' + ids.map((id, i) => `${id} ${((i * 37) % 11) - 5 + (i % 3) * 0.5}`).join('\n') + '\n');
    const r = runCli(['assoc', '--bgen', bgen, '--pheno', pheno, '--out', path.join(d, `o${z}`)]);
    t.equal(r.status, 0, r.stderr);
    const rows = fs
      .readFileSync(path.join(d, `o${z}.y.tsv`), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t'));
    haps.forEach((hap, v) => {
      let count = 0;
      for (let i = 0; i < n; i++) for (let h = 0; h < z; h++) count += hap(i, h) ? 1 : 0;
      t.equal(Number(rows[v][5]), Number((count / (n * z)).toPrecision(7)), `ploidy ${z} rs${v + 1}: FRQ ${count} / ${n * z} (was / ${2 * n})`);
      t.equal(rows[v][6], 'NA', 'INFO NA: MACH R2 is for diploid dosages');
    });
    // One copy in the cohort: MAF 1/(n z) = 0.00625 or 0.0004 (was 1/(2n) = 0.0125, kept by 0.01).
    const m = runCli(['assoc', '--bgen', bgen, '--pheno', pheno, '--min-maf', '0.01', '--out', path.join(d, `m${z}`)]);
    t.equal(m.status, 0, m.stderr);
    t.match(m.stderr, /1 filtered by MAF/);
    t.notMatch(fs.readFileSync(path.join(d, `m${z}.y.tsv`), 'utf8'), /\trs3\t/, 'rs3 removed by --min-maf 0.01');
  }
});

t.test('15.22 disk full while spilling sorted runs (assoc and merge --sort) names the run file', async (t) => {
  const d = smallDisk(t, 8 << 10);
  if (!d) return;
  const { formatError } = await import('../src/errors.js');
  const { GenomeSorter } = await import('../src/pipeline/sorter.js');
  const { runMerge } = await import('../src/pipeline/merge.js');
  const out = dir('rel2-spill-out');
  const sim = simulated(300);
  const a = runCli(assocArgs(sim, path.join(out, 'a'), ['--pheno-name', 'response']));
  t.equal(a.status, 0, a.stderr);
  const lines = fs.readFileSync(path.join(out, 'a.response.tsv'), 'utf8').split('\n').filter(Boolean);
  const spillError = new RegExp(`^${d}/(?:\\.dosageflow-merge-\\w+/)?run-[\\w-]+\\.tsv: no space left on device$`);
  // assoc's sorter: rows in reverse order, a 2 kB budget, the spill directory on the full disk.
  const sorter = new GenomeSorter({ header: lines[0], target: { kind: 'file', path: path.join(out, 'g.tsv'), compression: 'none' }, tmpDir: d, memoryBytes: 2048 });
  const rows = lines.slice(1).reverse();
  const text = Buffer.from(rows.join('\n') + '\n');
  const ends = new Uint32Array(rows.length);
  let e = 0;
  rows.forEach((r, i) => (ends[i] = e += Buffer.byteLength(r) + 1));
  const rank = rows.map(() => 22);
  const pos = rows.map((r) => Number(r.split('\t')[2]));
  const err = await sorter
    .add(text, ends, rank, pos)
    .then(() => sorter.finish())
    .then(
      () => null,
      (x: unknown) => x,
    );
  sorter.abort();
  t.ok(err, 'the spill fails');
  t.match(formatError(err), spillError, 'assoc: the message names the run file');
  // merge --sort of the same rows, its runs on the full disk.
  const shuffled = path.join(out, 'rev.tsv');
  fs.writeFileSync(shuffled, [lines[0], ...rows].join('\n') + '\n');
  const m = await runMerge({ inputs: [shuffled], out: path.join(out, 'm.tsv'), compress: 'none', sort: true, memoryMB: 0.002, tmpDir: d, log: () => {} }).then(
    () => null,
    (x: unknown) => x,
  );
  t.ok(m, 'merge --sort fails');
  t.match(formatError(m), spillError, 'merge --sort: the message names the run file');
  t.same(visible(d), [], 'no run left on the disk');
  t.notOk(fs.existsSync(path.join(out, 'm.tsv')) || fs.existsSync(path.join(out, 'g.tsv')), 'no output');
});
