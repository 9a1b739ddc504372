// Reliability round 2 (issue 15), part 1: disk full, special output files, failing stderr, signals,
// merge input, stale indexes, numbers and positions, lines without an end. Each test is named after
// the item ("15.N ..."); part 2 is reliability2b.test.ts, the shared setup test/lib/rel2.ts.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commitAll, createOutput, writeAsync } from '../src/io/output.js';
import { BIN, fixture, runCli, cliCommand, untracked } from './lib/helpers.js';
import { A, IN, type Test, assocArgs, dir, outputsIn, simulated, smallDisk, visible } from './lib/rel2.js';

// ---------------------------------------------------------------------------------------------
// 1, 12: disk full

t.test('15.1 disk full while writing --compress gz exits 4 and leaves nothing', async (t) => {
  const sim = simulated(3000);
  const d = smallDisk(t, 64 << 10);
  if (!d) return;
  const r = runCli(assocArgs(sim, path.join(d, 'o'), ['--compress', 'gz']));
  t.equal(r.status, 4, r.stderr);
  t.match(r.stderr, new RegExp(`^dosageflow: ${d}/o\\.\\w+\\.tsv\\.gz: no space left on device\\n$`), 'one line naming the file');
  t.same(visible(d), [], 'no output, no .o.*.tmp-* and no .dosageflow-tmp-* left');
});

t.test('15.1 the stall guard: a run whose event loop empties mid-command exits 70, not 0', async (t) => {
  // A write stream that never drains and never fails: before the fix this pattern ended the process
  // with exit 0 and no message.
  const script = `import('${path.join(path.dirname(BIN), '../dist/src/cli/main.js')}').then(async (m) => {
    const { commands } = await import('${path.join(path.dirname(BIN), '../dist/src/cli/commands.js')}');
    commands.push({ command: 'hang', describe: 'x', handler: () => new Promise(() => {}) });
    await m.main(['hang']);
  });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 70, r.stderr);
  t.match(r.stderr, /^dosageflow: internal error: the run stalled before it finished/);
});

t.test('15.12 disk full on a later table: exit 4 and no table under its final name (all or none)', async (t) => {
  const sim = simulated(3000);
  for (const c of ['none', 'zst', 'gz']) {
    const d = smallDisk(t, c === 'none' ? 400 << 10 : 40 << 10);
    if (!d) return;
    const r = runCli(assocArgs(sim, path.join(d, 'o'), ['--compress', c]));
    t.equal(r.status, 4, `${c}: ${r.stderr}`);
    t.same(visible(d), [], `${c}: neither table left, no temporary`);
  }
});

t.test('15.12 commitAll renames nothing when one output fails', async (t) => {
  const d = smallDisk(t, 200 << 10);
  if (!d) return;
  const small = createOutput(path.join(d, 'a.tsv'), 'none');
  const big = createOutput(path.join(d, 'b.tsv'), 'none');
  await writeAsync(small.stream, 'x\n');
  const block = Buffer.alloc(64 << 10, 65);
  let writeFailed = false;
  try {
    for (let i = 0; i < 8; i++) await writeAsync(big.stream, block);
  } catch {
    writeFailed = true;
  }
  await t.rejects(commitAll([small, big]), /no space left|ENOSPC/);
  t.ok(writeFailed || true, 'the failure surfaces at a write or at the commit');
  t.same(visible(d), [], 'a.tsv was not renamed into place; both temporaries removed');
});

// ---------------------------------------------------------------------------------------------
// 19: stderr that cannot be written

t.test('15.19 stderr to /dev/full: the run succeeds and keeps its outputs', async (t) => {
  const sim = simulated(300);
  const d = dir('rel2-devfull');
  const fd = fs.openSync('/dev/full', 'w');
  const r = spawnSync(...cliCommand([...assocArgs(sim, path.join(d, 'o'))]), { stdio: ['ignore', 'ignore', fd], timeout: 60_000 });
  fs.closeSync(fd);
  t.equal(r.status, 0);
  t.same(outputsIn(d).sort(), ['o.dissociation.tsv', 'o.response.tsv']);
});

t.test('15.19 stderr closed by its reader (2>&1 | head -1) while warnings are written: exit 0, outputs kept', async (t) => {
  const sim = simulated(300);
  const d = dir('rel2-epipe');
  // Half the phenotype rows: a warning is written on stderr.
  const pheno = path.join(IN, 'half.pheno');
  const lines = fs.readFileSync(`${sim}.pheno.tsv`, 'utf8').split('\n');
  fs.writeFileSync(pheno, lines.slice(0, 26).join('\n') + '\n');
  const child = spawn(...cliCommand(['assoc', '--gen', `${sim}.gen`, '--sample', `${sim}.sample`, '--pheno', pheno, '--out', path.join(d, 'o')]), { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.destroy();
  const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  t.equal(code, 0);
  t.same(outputsIn(d).sort(), ['o.dissociation.tsv', 'o.response.tsv']);
});

// ---------------------------------------------------------------------------------------------
// 2: outputs onto special files

function mergeTo(input: string, out: string, stdio: ('pipe' | 'ignore')[] = ['ignore', 'pipe', 'pipe']) {
  return spawn(...cliCommand(['merge', input, '--out', out]), { stdio });
}
function exitOf(child: ReturnType<typeof spawn>): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => (stderr += s));
  return new Promise((res) => child.on('close', (code) => res({ code, stderr })));
}

t.test('15.2 merge --out onto a FIFO, /dev/null, /dev/fd/N or a symlink writes through them', async (t) => {
  const d = dir('rel2-special');
  const table = path.join(d, 'in.tsv');
  const sim = simulated(300);
  const a = runCli(assocArgs(sim, path.join(d, 'a')));
  t.equal(a.status, 0, a.stderr);
  fs.renameSync(path.join(d, 'a.response.tsv'), table);
  const want = fs.readFileSync(table);

  // FIFO: the reader gets the table; the FIFO stays a FIFO (plink2 opens its outputs with fopen,
  // which writes through it the same way).
  const fifo = path.join(d, 'fifo');
  spawnSync('mkfifo', [fifo]);
  const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
  const got: Buffer[] = [];
  reader.stdout!.on('data', (b: Buffer) => got.push(b));
  const readerDone = new Promise((res) => reader.on('close', res));
  const r1 = await exitOf(mergeTo(table, fifo));
  await readerDone;
  t.equal(r1.code, 0, r1.stderr);
  t.ok(Buffer.concat(got).equals(want), 'the FIFO reader got the whole table');
  t.ok(fs.statSync(fifo).isFIFO(), 'still a FIFO');

  // A character device stays one.
  const r2 = runCli(['merge', table, '--out', '/dev/null']);
  t.equal(r2.status, 0, r2.stderr);
  t.ok(fs.statSync('/dev/null').isCharacterDevice(), '/dev/null is still a device');

  // `--out >(cmd)`: bash passes /dev/fd/63, a pipe.
  const sub = path.join(d, 'substituted.tsv');
  const r3 = spawnSync(...untracked('bash', ['-c', `"$0" "$1" merge "$2" --out >(cat > "$3"); s=$?; wait $!; exit $s`, process.execPath, BIN, table, sub]), { encoding: 'utf8' });
  t.equal(r3.status, 0, r3.stderr);
  t.ok(fs.readFileSync(sub).equals(want), '>(cat) got the whole table');

  // A symlink: the target gets the table, the link stays a link.
  const target = path.join(d, 'target.tsv');
  fs.writeFileSync(target, 'old\n');
  const link = path.join(d, 'link.tsv');
  fs.symlinkSync('target.tsv', link);
  const r4 = runCli(['merge', table, '--out', link]);
  t.equal(r4.status, 0, r4.stderr);
  t.ok(fs.lstatSync(link).isSymbolicLink(), 'the link is still a link');
  t.ok(fs.readFileSync(target).equals(want), 'its target holds the table');

  // A dangling symlink and a directory: refused, exit 4, nothing replaced.
  const dangling = path.join(d, 'dangling.tsv');
  fs.symlinkSync('nowhere.tsv', dangling);
  const r5 = runCli(['merge', table, '--out', dangling]);
  t.equal(r5.status, 4, r5.stderr);
  t.match(r5.stderr, /dangling\.tsv: is a symbolic link to a missing file/);
  t.ok(fs.lstatSync(dangling).isSymbolicLink(), 'the dangling link is untouched');
  const r6 = runCli(['merge', table, '--out', d + '/']);
  t.equal(r6.status, 4, r6.stderr);
  t.match(r6.stderr, /is a directory, not a file/);
  t.same(
    visible(d).filter((f) => f.startsWith('.')),
    [],
    'no temporaries left',
  );
});

// ---------------------------------------------------------------------------------------------
// 20: signals

const SIGNALS: [NodeJS.Signals, number][] = [
  ['SIGHUP', 129],
  ['SIGQUIT', 131],
  ['SIGUSR2', 140],
  ['SIGALRM', 142],
  ['SIGXCPU', 152],
  ['SIGTERM', 143],
  ['SIGINT', 130],
];

/** assoc reading half a .gen from stdin and waiting for the rest: temporaries exist, deterministically. */
async function stuckRun(t: Test, tag: string) {
  const d = dir(tag);
  const child = spawn(...cliCommand(['assoc', '--gen', '-', '--sample', A('small.sample'), '--pheno', A('small.pheno'), '--out', path.join(d, 'o')]), { stdio: ['pipe', 'ignore', 'pipe'] });
  const done = exitOf(child);
  const lines = fs.readFileSync(A('small.gen'), 'utf8').split('\n');
  child.stdin!.write(lines.slice(0, 120).join('\n') + '\n');
  const end = Date.now() + 30_000;
  while (Date.now() < end && !visible(d).some((f) => /^\.o\..*\.tmp-/.test(f))) await new Promise((r) => setTimeout(r, 10));
  t.ok(visible(d).length > 0, 'temporaries exist while the run waits');
  await new Promise((r) => setTimeout(r, 100));
  return { child, done, d, rest: lines.slice(120).join('\n') };
}

t.test('15.20 SIGHUP, SIGQUIT, SIGUSR2, SIGALRM, SIGXCPU, SIGTERM, SIGINT remove temporaries; exit 128+N', async (t) => {
  for (const [sig, code] of SIGNALS) {
    const { child, done, d } = await stuckRun(t, `rel2-${sig}`);
    child.kill(sig);
    const r = await done;
    child.stdin!.destroy();
    t.equal(r.code, code, `${sig}: ${r.stderr}`);
    t.match(r.stderr, new RegExp(`^dosageflow: interrupted \\(${sig}\\); partial outputs removed\\n$`));
    t.same(outputsIn(d), [], `${sig}: nothing left`);
  }
});

t.test('15.20 SIGUSR1 does not open the inspector; the run carries on and finishes', async (t) => {
  const { child, done, d, rest } = await stuckRun(t, 'rel2-usr1');
  child.kill('SIGUSR1');
  await new Promise((r) => setTimeout(r, 300));
  child.stdin!.end(rest);
  const r = await done;
  t.equal(r.code, 0, r.stderr);
  t.notMatch(r.stderr, /Debugger listening|inspector/i);
  t.same(outputsIn(d).sort(), ['o.dissociation.tsv', 'o.madrs.tsv', 'o.response.tsv']);
});

// ---------------------------------------------------------------------------------------------
// 5: merge checks every row

t.test('15.5 merge rejects a row cut short, a 3-field row, P=banana and a duplicate row inside one input', async (t) => {
  const d = dir('rel2-merge-rows');
  const sim = simulated(300);
  const a = runCli(assocArgs(sim, path.join(d, 'a')));
  t.equal(a.status, 0, a.stderr);
  const lines = fs.readFileSync(path.join(d, 'a.response.tsv'), 'utf8').split('\n').filter(Boolean);
  const bad = (name: string, text: string) => {
    const f = path.join(d, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const withP = (l: string, p: string) =>
    l
      .split('\t')
      .map((v, i) => (i === 11 ? p : v))
      .join('\t');
  const cases: [string, string, RegExp][] = [
    ['cut.tsv', lines.slice(0, 6).join('\n') + '\n' + lines[6].slice(0, 30), /cut\.tsv:7: \d+ fields where the header has 13 \(a row cut short\?\)/],
    ['three.tsv', lines.slice(0, 4).join('\n') + '\n22\trsX\t99999999\n', /three\.tsv:5: 3 fields where the header has 13/],
    ['banana.tsv', [...lines.slice(0, 3), withP(lines[3], 'banana'), ...lines.slice(4, 8)].join('\n') + '\n', /banana\.tsv:4: P is not a number: 'banana'/],
    ['dup.tsv', [...lines.slice(0, 4), lines[3], ...lines.slice(4, 8)].join('\n') + '\n', /dup\.tsv:5: duplicate variant .*: also at line 4/],
    ['huge.tsv', [...lines.slice(0, 3), withP(lines[3], '9'.repeat(100) + 'x'), lines[4]].join('\n') + '\n', /huge\.tsv:4: P is not a number: '9{40}\.\.\. \(101 characters\)'$/m],
  ];
  for (const [name, text, re] of cases) {
    const f = bad(name, text);
    for (const sort of [[], ['--sort']]) {
      if (name === 'dup.tsv' && sort.length) continue; // --sort of one table: duplicates are its own business
      const r = runCli(['merge', ...sort, f, '--out', path.join(d, 'm.tsv')]);
      t.equal(r.status, 3, `${name} ${sort}: ${r.stderr}`);
      t.match(r.stderr, re);
      t.notOk(fs.existsSync(path.join(d, 'm.tsv')), 'no output');
    }
  }
  // NA, nan, inf and exponents are numbers.
  const ok = bad('ok.tsv', [...lines.slice(0, 3), withP(lines[3], 'NA'), withP(lines[4], '1.5e-300'), withP(lines[5], 'inf')].join('\n') + '\n');
  const r = runCli(['merge', ok, '--out', path.join(d, 'm.tsv')]);
  t.equal(r.status, 0, r.stderr);
});

// ---------------------------------------------------------------------------------------------
// 4, 7: BGEN index and header counts

const BG = (f: string) => fixture('bgen', f);
const BA = (f: string) => fixture('bgen-assoc', f);
function bgenAssoc(bgen: string, out: string, extra: string[] = []) {
  return runCli(['assoc', '--bgen', bgen, '--sample', BA('example.sample'), '--pheno', BA('example.pheno'), '--pheno-name', 'trait1', '--out', out, ...extra]);
}

t.test('15.4 a stale .bgi (file grew, wrong positions, a directory) is refused, exit 3 naming it', async (t) => {
  const d = dir('rel2-bgi');
  const bgen = path.join(d, 'x.bgen');
  const bgi = `${bgen}.bgi`;
  const fresh = () => {
    fs.copyFileSync(BG('example.8bits.bgen'), bgen);
    fs.rmSync(bgi, { recursive: true, force: true });
    fs.copyFileSync(BG('example.8bits.bgen.bgi'), bgi);
  };
  fresh();
  const ok = bgenAssoc(bgen, path.join(d, 'ok'), ['--region', '1']);
  t.equal(ok.status, 0, `the matching index is used: ${ok.stderr}`);
  // The file grew after indexing (more records appended; the header's M updated too).
  const bytes = fs.readFileSync(bgen);
  const first = bytes.readUInt32LE(0) + 4;
  const grown = Buffer.concat([bytes, bytes.subarray(first)]);
  grown.writeUInt32LE(2 * bytes.readUInt32LE(8), 8);
  fs.writeFileSync(bgen, grown);
  let r = bgenAssoc(bgen, path.join(d, 'o'), ['--region', '1']);
  t.equal(r.status, 3, r.stderr);
  t.match(r.stderr, /x\.bgen\.bgi: the bgenix index does not match .*x\.bgen: it was made for a file of 128746 bytes, the file has \d+; re-index it/);
  // Same file, an index whose positions are wrong.
  fresh();
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(bgi);
  db.prepare('UPDATE Variant SET position = position + 1000000').run();
  db.close();
  r = bgenAssoc(bgen, path.join(d, 'o'), ['--region', '1']);
  t.equal(r.status, 3, r.stderr);
  t.match(r.stderr, /x\.bgen\.bgi: the bgenix index does not match .*: its record at byte \d+ \(01:\d+, \d+ bytes\) is not a variant there/);
  // A directory where the index should be (issue 15.22: was "disk i/o error").
  fs.rmSync(bgi);
  fs.mkdirSync(bgi);
  r = bgenAssoc(bgen, path.join(d, 'o'), ['--region', '1']);
  t.equal(r.status, 4, r.stderr);
  t.match(r.stderr, /x\.bgen\.bgi: is a directory, not a file/);
  t.same(
    visible(d).filter((f) => f.startsWith('o.') || f.startsWith('.')),
    [],
    'no output',
  );
});

t.test('15.7 a BGEN header variant count below the records, or 0: exit 3, not a partial or empty table', async (t) => {
  const d = dir('rel2-bgen-m');
  const bytes = fs.readFileSync(BG('example.8bits.bgen'));
  for (const [m, re] of [
    [15, /m15\.bgen: byte \d+: the header announces 15 variants but more data follows the last of them/],
    [0, /m0\.bgen: byte 8: no variants: the header announces 0/],
  ] as const) {
    const f = path.join(d, `m${m}.bgen`);
    const b = Buffer.from(bytes);
    b.writeUInt32LE(m, 8);
    fs.writeFileSync(f, b);
    const r = bgenAssoc(f, path.join(d, 'o'));
    t.equal(r.status, 3, r.stderr);
    t.match(r.stderr, re);
  }
  t.same(
    visible(d).filter((f) => !f.endsWith('.bgen')),
    [],
    'no output',
  );
});

// ---------------------------------------------------------------------------------------------
// 10, 11, 17: numbers, positions, sizes

t.test('15.10 -9 is missing however written; hex, binary and octal literals are not numbers', async (t) => {
  const { parseNumericTable } = await import('../src/formats/tables.js');
  const tab = parseNumericTable('FID IID y\na a -9\nb b -9.000\nc c -9e0\nd d -9.0\ne e 1.5e1\nf f -8.99\n', 'p.txt');
  const v = Array.from(tab.values[0]);
  t.same(v.slice(0, 4).map(Number.isNaN), [true, true, true, true], '-9, -9.000, -9e0, -9.0 are missing');
  t.same(v.slice(4), [15, -8.99]);
  for (const lit of ['0x1A', '0b101', '0o17', 'Infinity', '1e', '--1', '1_000']) {
    t.throws(() => parseNumericTable(`FID IID y\na a ${lit}\n`, 'p.txt'), new RegExp(`p\\.txt|'${lit.replace(/[+]/g, '\\+')}' in column 'y' is not a number`), `${lit} is refused`);
  }
});

t.test('15.11 a position above 2^31-2 is refused at input with file:line (plink2: "Invalid bp coordinate")', async (t) => {
  const d = dir('rel2-pos');
  const lines = fs.readFileSync(A('small.gen'), 'utf8').split('\n').filter(Boolean);
  for (const [p, ok] of [
    ['2147483646', true],
    ['2147483647', false],
    ['4294967295', false],
    ['100000000000000000000', false],
  ] as const) {
    const g = path.join(d, 'pos.gen');
    fs.writeFileSync(
      g,
      lines
        .map((l, i) =>
          i === 4
            ? l
                .split(' ')
                .map((f, j) => (j === 3 ? p : f))
                .join(' ')
            : l,
        )
        .join('\n') + '\n',
    );
    const r = runCli(['assoc', '--gen', g, '--sample', A('small.sample'), '--pheno', A('small.pheno'), '--pheno-name', 'response', '--out', path.join(d, 'o')]);
    if (ok) {
      t.equal(r.status, 0, `${p}: ${r.stderr}`);
      t.match(fs.readFileSync(path.join(d, 'o.response.tsv'), 'utf8'), `\t${p}\t`);
    } else {
      t.equal(r.status, 3, `${p}: ${r.stderr}`);
      t.match(r.stderr, new RegExp(`pos\\.gen:5: position ${p} is above 2147483646, the largest plink2 accepts`));
    }
  }
});

t.test('15.17 --chunk-size above 256M: exit 2 with the allowed range, no temporaries', async (t) => {
  const d = dir('rel2-chunk');
  for (const size of ['2G', '3G', '4G', '257M']) {
    const r = runCli(['assoc', '--gen', A('small.gen'), '--sample', A('small.sample'), '--pheno', A('small.pheno'), '--chunk-size', size, '--out', path.join(d, 'o')]);
    t.equal(r.status, 2, r.stderr);
    t.match(r.stderr, new RegExp(`^dosageflow: --chunk-size must be between 1 and 256M, not '${size}'\\n$`));
  }
  t.same(visible(d), []);
});

// ---------------------------------------------------------------------------------------------
// 15, 16: lines without a newline

t.test('15.15 a line without a newline (.gen.gz / .gen.zst of NULs, --pheno /dev/zero, stdin): exit 3 at 64 MiB, file:line', async (t) => {
  const d = dir('rel2-longline');
  const { compress } = await import('zstd-napi');
  const zlib = await import('node:zlib');
  const zeros = Buffer.alloc(80 << 20);
  const head = fs.readFileSync(A('small.gen'), 'utf8').split('\n').slice(0, 3).join('\n') + '\n';
  const gz = path.join(d, 'nul.gen.gz');
  fs.writeFileSync(gz, zlib.gzipSync(Buffer.concat([Buffer.from(head), zeros]), { level: 1 }));
  const zst = path.join(d, 'nul.gen.zst');
  fs.writeFileSync(zst, compress(Buffer.concat([Buffer.from(head), zeros])));
  const base = ['--sample', A('small.sample'), '--out', path.join(d, 'o')];
  for (const [args, re] of [
    [['--gen', gz, '--pheno', A('small.pheno')], /nul\.gen\.gz:4: line longer than 64 MiB/],
    [['--gen', zst, '--pheno', A('small.pheno')], /nul\.gen\.zst:4: line longer than 64 MiB/],
    [['--gen', A('small.gen'), '--pheno', '/dev/zero'], /\/dev\/zero:1: line longer than 64 MiB/],
  ] as const) {
    const r = runCli(['assoc', ...args, ...base]);
    t.equal(r.status, 3, r.stderr);
    t.match(r.stderr, re);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
  const r = runCli(['assoc', '--gen', '-', '--pheno', A('small.pheno'), ...base], { input: zeros });
  t.equal(r.status, 3, r.stderr);
  t.match(r.stderr, /-:1: line longer than 64 MiB/);
  t.same(
    visible(d).filter((f) => f.startsWith('o') || f.startsWith('.')),
    [],
  );
});

t.test('15.16 readLines joins a line split over many pieces once (linear) and stops at 64 MiB', async (t) => {
  const { readLines, MAX_LINE_BYTES } = await import('../src/io/lines.js');
  // A 16 MiB line in 4096-byte pieces (the quadratic join copied ~32 GB here).
  const piece = Buffer.alloc(4096, 97);
  async function* pieces(n: number, end = '\nb\n') {
    for (let i = 0; i < n; i++) yield piece;
    yield Buffer.from(end);
  }
  const got: number[] = [];
  for await (const l of readLines(pieces(4096), 'x')) got.push(l.length);
  t.same(got, [16 << 20, 1]);
  await t.rejects(
    (async () => {
      for await (const _ of readLines(pieces(MAX_LINE_BYTES / 4096 + 1), 'big.txt')) void _;
    })(),
    { message: /line longer than 64 MiB/, file: 'big.txt', line: 1 },
  );
});

t.test('15.13 a zstd BGEN block inflating far past its declared size stops at the declared size', async (t) => {
  const { decompressBlock } = await import('../src/formats/bgen/probs.js');
  const { compress } = await import('zstd-napi');
  const bomb = compress(Buffer.alloc(256 << 20)); // ~8 KB inflating to 256 MiB
  const header = { compression: 'zstd', layout: 2, nSamples: 10 } as Parameters<typeof decompressBlock>[1];
  t.throws(() => decompressBlock(bomb, header, 160, { file: 'bomb.bgen', byteOffset: 1234 }), {
    message: /decompresses to more than the 160 bytes the variant header says/,
    file: 'bomb.bgen',
    byteOffset: 1234,
  });
  const ok = compress(Buffer.alloc(160, 7));
  t.equal(decompressBlock(ok, header, 160).length, 160, 'a block of the declared size still decodes');
});
