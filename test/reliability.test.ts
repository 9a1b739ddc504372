// Reliability: every bad input gets one clear line on stderr (what, which file, which line or byte),
// a distinct exit code (2 usage, 3 bad data, 4 file problems, 70 internal, 130 interrupted), no
// stack trace unless --debug, no hang, and nothing half-written: outputs are written to
// `.NAME.tmp-*` beside the target and renamed only when the run completes, so a failed or
// interrupted run leaves the output directory as it found it.
//
// Covered elsewhere (not repeated here):
//   - test/assoc-bgen.test.ts 'damaged BGEN files': a BGEN block whose declared length runs past
//     EOF, a BGEN cut at an arbitrary byte, and a patterned junk .bgen;
//     '--sample must agree with the identifiers stored in the BGEN file': BGEN sample count/IDs.
//   - test/cli.test.ts: usage errors (exit 2, one line), and `--out - | head` closing the pipe
//     (exit 0, no EPIPE noise).
//
import t from 'tap';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { compress as zstdCompress } from 'zstd-napi';
import { DosageflowError, InputError, formatError } from '../src/errors.js';
import { decodeGenotypeBlock, parseBgenHeader, parseVariantHeader, scanVariants, variantRecordLength, type BgenHeader } from '../src/formats/bgen/index.js';
import { readU32 } from '../src/formats/bgen/bytes.js';
import { READ_HIGH_WATER_MARK } from '../src/io/input.js';
import { createOutput } from '../src/io/output.js';
import { bgenChunks, bgenIndexedChunks } from '../src/pipeline/bgen-source.js';
import { chunkLines, countLines } from '../src/pipeline/chunker.js';
import { buildModel } from '../src/stats/model.js';
import { RowFormatter } from '../src/workers/rows.js';
import type { WorkerInit } from '../src/workers/protocol.js';
import { BIN, ROOT, fixture, readTable, runCli, tmpDir, cliCommand } from './lib/helpers.js';

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

const A = (f: string) => fixture('assoc', f);
const B = (f: string) => fixture('bgen', f);
const E = (f: string) => fixture('bgen-assoc', f);
const FAULT = fixture('reliability', 'worker-fault.mjs');

/** Inputs written by the tests live here; every run gets its own, initially empty, output dir. */
const IN = tmpDir('rel-in');
const GEN_LINES = fs.readFileSync(A('small.gen'), 'utf8').split('\n').filter(Boolean);
const PHENOS = ['dissociation', 'madrs', 'response'];

function write(name: string, data: string | Uint8Array): string {
  const f = path.join(IN, name);
  fs.writeFileSync(f, data);
  return f;
}

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replace the 1-based line `n` of small.gen by `edit(fields)`. */
function genWithLine(n: number, edit: (f: string[]) => string[]): string {
  return GEN_LINES.map((l, i) => (i === n - 1 ? edit(l.split(' ')).join(' ') : l)).join('\n') + '\n';
}

/** small.gen repeated `reps` times with distinct SNP ids (about 2.3 kB a line). */
function repeatedGen(reps: number): string {
  const out: string[] = [];
  for (let r = 0; r < reps; r++) for (const l of GEN_LINES) out.push(l.replace(/^(\S+ \S+ )(\S+)/, `$1$2_${r}`));
  return out.join('\n') + '\n';
}

interface RunOpts {
  gen?: string;
  bgen?: string;
  sample?: string | null;
  pheno?: string;
  covar?: string | null;
  extra?: string[];
  input?: string | Buffer;
}

/** `dosageflow assoc` on the small fixture (overridable), writing into a fresh directory. */
function assoc(o: RunOpts = {}): { r: SpawnSyncReturns<string>; dir: string; out: string } {
  const dir = tmpDir('rel-out');
  const out = path.join(dir, 'o');
  const args = ['assoc'];
  if (o.bgen) args.push('--bgen', o.bgen);
  else args.push('--gen', o.gen ?? A('small.gen'));
  const sample = o.sample === undefined ? (o.bgen ? E('example.sample') : A('small.sample')) : o.sample;
  if (sample !== null) args.push('--sample', sample);
  args.push('--pheno', o.pheno ?? (o.bgen ? E('example.pheno') : A('small.pheno')));
  const covar = o.covar === undefined ? (o.bgen ? null : A('small.covar')) : o.covar;
  if (covar !== null) args.push('--covar', covar);
  args.push('--out', out, ...(o.extra ?? []));
  return { r: runCli(args, { input: o.input }), dir, out };
}

/** stderr without the warning lines. */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !l.startsWith('dosageflow: warning: '));
}

/** What a run left in DIR, its log aside (PREFIX.log records failed runs too, by design: issue 18). */
function outputsIn(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => !f.endsWith('.log'));
}

/** A failed run: the exit code, exactly one error line matching `re`, no stack trace, no files left. */
function expectFailure(t: Test, run: { r: SpawnSyncReturns<string>; dir: string }, code: number, re: RegExp): void {
  const { r, dir } = run;
  t.equal(r.status, code, `exit ${code}; stderr: ${r.stderr.trim()}`);
  t.equal(r.signal, null, 'not killed');
  const lines = errorLines(r.stderr);
  t.equal(lines.length, 1, 'one line on stderr');
  t.match(lines[0] ?? '', re);
  t.match(lines[0] ?? '', /^dosageflow: /);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const left = outputsIn(dir);
  t.same(left, [], 'no output or temporary file left behind');
}

/** A successful run: exit 0 and the three tables, no temporary left. */
function expectSuccess(t: Test, run: { r: SpawnSyncReturns<string>; dir: string }, phenos = PHENOS): void {
  t.equal(run.r.status, 0, run.r.stderr);
  t.same(outputsIn(run.dir).sort(), phenos.map((p) => `o.${p}.tsv`).sort(), 'exactly the finished tables');
}

function tables(out: string, phenos = PHENOS): Record<string, string> {
  return Object.fromEntries(phenos.map((p) => [p, fs.readFileSync(`${out}.${p}.tsv`, 'utf8')]));
}

// The reference results of the unmodified fixture, computed once.
let refTables: Record<string, string> | undefined;
function reference(): Record<string, string> {
  if (!refTables) {
    const run = assoc();
    if (run.r.status !== 0) throw new Error(`reference run failed: ${run.r.stderr}`);
    refTables = tables(run.out);
  }
  return refTables;
}

// ---------------------------------------------------------------------------------------------
// Compressed streams

t.test('truncated gzip stream: exit 3, the file and the compressed byte offset reached', async (t) => {
  const gz = zlib.gzipSync(fs.readFileSync(A('small.gen')));
  const f = write('trunc.gen.gz', gz.subarray(0, Math.floor(gz.length * 0.6)));
  const size = fs.statSync(f).size;
  expectFailure(t, assoc({ gen: f }), 3, new RegExp(`^dosageflow: ${esc(f)}: byte ${size}: truncated gzip stream`));
  // Damaged rather than cut: the checksum at the end catches it.
  const bad = Buffer.from(gz);
  for (let i = 0; i < 16; i++) bad[(gz.length >> 1) + i] ^= 0x5a;
  const g = write('corrupt.gen.gz', bad);
  expectFailure(t, assoc({ gen: g }), 3, new RegExp(`^dosageflow: ${esc(g)}: byte \\d+: corrupt gzip stream \\(incorrect data check\\)$`));
});

t.test('truncated zstd stream: exit 3, the file and the compressed byte offset reached', async (t) => {
  const zst = zstdCompress(fs.readFileSync(A('small.gen')));
  const f = write('trunc.gen.zst', zst.subarray(0, Math.floor(zst.length * 0.6)));
  const size = fs.statSync(f).size;
  expectFailure(t, assoc({ gen: f }), 3, new RegExp(`^dosageflow: ${esc(f)}: byte ${size}: truncated zstd stream`));
});

t.test('gzip content with a plain name, plain text with a .gz name, zstd with a plain name: all work', async (t) => {
  const ref = reference();
  for (const [name, data] of [
    ['gzipped.gen', zlib.gzipSync(fs.readFileSync(A('small.gen')))],
    ['plain.gen.gz', fs.readFileSync(A('small.gen'))],
    ['zstd.gen', zstdCompress(fs.readFileSync(A('small.gen')))],
    // Multi-member gzip (what bgzip and `cat a.gz b.gz` produce).
    ['multi.gen.gz', Buffer.concat([zlib.gzipSync(GEN_LINES.slice(0, 100).join('\n') + '\n'), zlib.gzipSync(GEN_LINES.slice(100).join('\n') + '\n')])],
  ] as const) {
    const run = assoc({ gen: write(name, data) });
    expectSuccess(t, run);
    t.same(tables(run.out), ref, `${name}: same results as the plain file`);
  }
});

// ---------------------------------------------------------------------------------------------
// Malformed .gen lines: the file and the 1-based line number

t.test('a .gen line with too few fields: exit 3, file:line', async (t) => {
  const f = write(
    'few.gen',
    genWithLine(17, (x) => x.slice(0, -2)),
  );
  expectFailure(t, assoc({ gen: f }), 3, new RegExp(`^dosageflow: ${esc(f)}:17: too few fields: found 364, expected 366 \\(6 \\+ 3 x 120 samples\\)`));
});

t.test('a .gen line with too many fields: exit 3, file:line', async (t) => {
  const f = write(
    'many.gen',
    genWithLine(23, (x) => [...x, '0.5']),
  );
  expectFailure(t, assoc({ gen: f }), 3, new RegExp(`^dosageflow: ${esc(f)}:23: too many fields: found 367, expected 366`));
});

t.test('a non-numeric probability: exit 3, file:line, sample and field', async (t) => {
  const f = write(
    'nan.gen',
    genWithLine(31, (x) => x.map((v, i) => (i === 6 ? 'abc' : v))),
  );
  expectFailure(t, assoc({ gen: f }), 3, new RegExp(`^dosageflow: ${esc(f)}:31: probability 'abc' is not a number \\(sample 1, field 7\\)`));
});

t.test('a negative probability: exit 3, file:line', async (t) => {
  const f = write(
    'neg.gen',
    genWithLine(45, (x) => x.map((v, i) => (i === 10 ? '-0.25' : v))),
  );
  expectFailure(t, assoc({ gen: f }), 3, new RegExp(`^dosageflow: ${esc(f)}:45: negative probability '-0\\.25' \\(sample 2, field 11\\)`));
});

t.test('a probability greater than 1: exit 3, file:line', async (t) => {
  const f = write(
    'gt1.gen',
    genWithLine(58, (x) => x.map((v, i) => (i === 8 ? '1.5' : v))),
  );
  expectFailure(t, assoc({ gen: f }), 3, new RegExp(`^dosageflow: ${esc(f)}:58: probability '1\\.5' is greater than 1 \\(sample 1, field 9\\)`));
});

t.test('a .gen whose sample count disagrees with the .sample file: exit 3, line 1 and a hint about the .sample', async (t) => {
  const sampleLines = fs.readFileSync(A('small.sample'), 'utf8').split('\n').filter(Boolean);
  const fewer = write('fewer.sample', sampleLines.slice(0, 2 + 100).join('\n') + '\n');
  expectFailure(
    t,
    assoc({ sample: fewer }),
    3,
    new RegExp(`^dosageflow: ${esc(A('small.gen'))}:1: 366 fields: a \\.gen line for the 100 samples of ${esc(fewer)} .*; this line has 120 samples: does the \\.sample file belong to it\\?`),
  );
  const extra = Array.from({ length: 10 }, (_, i) => `F9 X${i} 0 1`);
  const more = write('more.sample', [...sampleLines, ...extra].join('\n') + '\n');
  expectFailure(t, assoc({ sample: more }), 3, /small\.gen:1: 366 fields: a \.gen line for the 130 samples of .*more\.sample .*this line has 120 samples: does the \.sample file belong to it\?/);
});

t.test('a .gen line error many chunks into the file reports the absolute line number', async (t) => {
  // With --chunk-size 1k small.gen is ~500 chunks; the 3.3 MB file below crosses chunk
  // boundaries with the default size.
  const f200 = write(
    'line200.gen',
    genWithLine(200, (x) => x.map((v, i) => (i === 9 ? 'x' : v))),
  );
  const re200 = /:200: probability 'x' is not a number \(sample 2, field 10\)/;
  expectFailure(t, assoc({ gen: f200, extra: ['--chunk-size', '1k', '--threads', '2'] }), 3, new RegExp(`^dosageflow: ${esc(f200)}${re200.source}`));
  // Line 1199 of 1200 (3.3 MB): in the last of four chunks, so no later chunk is in flight.
  const big = repeatedGen(5).split('\n');
  big[1198] = big[1198].replace(/ (\S+)$/, ' oops');
  const f1199 = write('line1199.gen', big.join('\n'));
  expectFailure(
    t,
    assoc({ gen: f1199, extra: ['--chunk-size', '64k', '--threads', '2'] }),
    3,
    new RegExp(`^dosageflow: ${esc(f1199)}:1199: probability 'oops' is not a number \\(sample 120, field 366\\)`),
  );
});

t.test('a line error while later chunks are still in the workers: exit 3, one line, never a crash', async (t) => {
  const f200 = write(
    'line200-stdin.gen',
    genWithLine(200, (x) => x.map((v, i) => (i === 9 ? 'x' : v))),
  );
  const input = fs.readFileSync(f200);
  const bad: string[] = [];
  for (let i = 0; i < 15; i++) {
    const run = assoc({ gen: '-', input, extra: ['--chunk-size', '1k', '--threads', '2'] });
    const lines = errorLines(run.r.stderr);
    const left = outputsIn(run.dir);
    if (run.r.status !== 3 || lines.length !== 1 || !/^dosageflow: -:200: probability 'x' is not a number/.test(lines[0]) || left.length) {
      bad.push(`exit ${run.r.status}, left ${JSON.stringify(left)}: ${run.r.stderr.split('\n').slice(0, 3).join(' | ')}`);
    }
  }
  t.same(bad, [], 'every run: exit 3, the line number, nothing left');
});

t.test('an empty .gen: exit 3, "no variants"', async (t) => {
  expectFailure(t, assoc({ gen: write('empty.gen', '') }), 3, new RegExp(`^dosageflow: ${esc(path.join(IN, 'empty.gen'))}: no variants`));
  expectFailure(t, assoc({ gen: write('empty.gen.gz', zlib.gzipSync('')) }), 3, /empty\.gen\.gz: no variants/);
});

t.test('a .gen of blank lines only: exit 3, "no variants"', async (t) => {
  expectFailure(t, assoc({ gen: write('blank.gen', '\n  \n\r\n\n') }), 3, /blank\.gen: no variants/);
});

// ---------------------------------------------------------------------------------------------
// Line endings and order

t.test('CRLF line endings in every input: same results as LF', async (t) => {
  const crlf = (f: string, name: string) => write(name, fs.readFileSync(f, 'utf8').replace(/\n/g, '\r\n'));
  const run = assoc({
    gen: crlf(A('small.gen'), 'crlf.gen'),
    sample: crlf(A('small.sample'), 'crlf.sample'),
    pheno: crlf(A('small.pheno'), 'crlf.pheno'),
    covar: crlf(A('small.covar'), 'crlf.covar'),
  });
  expectSuccess(t, run);
  t.same(tables(run.out), reference());
});

t.test('a final line without a newline (LF and CRLF files): works, nothing lost', async (t) => {
  const text = fs.readFileSync(A('small.gen'), 'utf8');
  for (const [name, data] of [
    ['nonl.gen', text.replace(/\n$/, '')],
    ['crlf-nonl.gen', text.replace(/\n/g, '\r\n').replace(/\r\n$/, '')],
  ]) {
    const run = assoc({ gen: write(name, data) });
    expectSuccess(t, run);
    t.match(run.r.stderr, /240 variants read/);
    t.same(tables(run.out), reference(), name);
  }
});

t.test("unsorted input: works, output genome-sorted and equal to the sorted input's", async (t) => {
  const rank = (c: string) => (c === 'X' ? 23 : Number(c));
  const key = (l: string) => {
    const f = l.split(' ');
    return [rank(f[0]), Number(f[3])];
  };
  const sorted = [...GEN_LINES].sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1]);
  // A fixed shuffle (LCG): deterministic across runs.
  const shuffled = [...GEN_LINES];
  let s = 12345;
  for (let i = shuffled.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const a = assoc({ gen: write('sorted.gen', sorted.join('\n') + '\n') });
  expectSuccess(t, a);
  t.notMatch(a.r.stderr, /not genome-sorted/);
  const b = assoc({ gen: write('shuffled.gen', shuffled.join('\n') + '\n'), extra: ['--memory', '16', '--chunk-size', '4k'] });
  expectSuccess(t, b);
  t.match(b.r.stderr, /input was not genome-sorted: output sorted/);
  t.same(tables(b.out), tables(a.out), 'same bytes as from sorted input');
  const rows = readTable(`${b.out}.response.tsv`).rows;
  t.equal(rows.length, 240);
  let ordered = true;
  for (let i = 1; i < rows.length; i++) {
    const p = [rank(rows[i - 1][0]), Number(rows[i - 1][2])];
    const q = [rank(rows[i][0]), Number(rows[i][2])];
    if (p[0] > q[0] || (p[0] === q[0] && p[1] > q[1])) ordered = false;
  }
  t.ok(ordered, 'rows sorted by chromosome then position');
});

// ---------------------------------------------------------------------------------------------
// Sample, phenotype and covariate tables

t.test('duplicate sample IDs in the .sample file: exit 3, file:line and the first occurrence', async (t) => {
  const lines = fs.readFileSync(A('small.sample'), 'utf8').split('\n');
  lines[9] = lines[2]; // line 10 repeats line 3 (F1 S001)
  const f = write('dup.sample', lines.join('\n'));
  expectFailure(t, assoc({ sample: f }), 3, new RegExp(`^dosageflow: ${esc(f)}:10: duplicate sample id 'F1 S001' \\(also on line 3\\)`));
});

t.test('duplicate sample IDs in the phenotype and covariate files: exit 3, file:line', async (t) => {
  const dup = (src: string, name: string) => {
    const lines = fs.readFileSync(src, 'utf8').split('\n');
    lines[9] = lines[1]; // line 10 repeats line 2 (F1 S001)
    return write(name, lines.join('\n'));
  };
  const p = dup(A('small.pheno'), 'dup.pheno');
  expectFailure(t, assoc({ pheno: p }), 3, new RegExp(`^dosageflow: ${esc(p)}:10: duplicate sample id 'F1 S001' \\(also on line 2\\)`));
  const c = dup(A('small.covar'), 'dup.covar');
  expectFailure(t, assoc({ covar: c }), 3, new RegExp(`^dosageflow: ${esc(c)}:10: duplicate sample id 'F1 S001' \\(also on line 2\\)`));
});

t.test('a phenotype file whose IDs match nobody: exit 3 naming it and showing both first IDs', async (t) => {
  const text = fs.readFileSync(A('small.pheno'), 'utf8').replace(/^F(\d+) S/gm, 'G$1 T');
  const f = write('nobody.pheno', text);
  expectFailure(t, assoc({ pheno: f, covar: null }), 3, new RegExp(`^dosageflow: ${esc(f)}: no sample id matches the 120 genotyped samples \\(first there: 'F1 S001', first here: 'G1 T001'\\)`));
  const c = write('nobody.covar', fs.readFileSync(A('small.covar'), 'utf8').replace(/^F(\d+) S/gm, 'G$1 T'));
  expectFailure(t, assoc({ covar: c }), 3, new RegExp(`^dosageflow: ${esc(c)}: no sample id matches the 120 genotyped samples`));
});

t.test('a phenotype file where only some IDs match: a warning with the count, the run succeeds', async (t) => {
  const lines = fs.readFileSync(A('small.pheno'), 'utf8').split('\n');
  for (let i = 1; i <= 20; i++) lines[i] = lines[i].replace(/^F(\d+) S/, 'G$1 T');
  const f = write('some.pheno', lines.join('\n'));
  const run = assoc({ pheno: f });
  expectSuccess(t, run);
  t.match(run.r.stderr, new RegExp(`^dosageflow: warning: 20 of 120 rows of ${esc(f)} match no genotyped sample$`, 'm'));
});

t.test('constant and collinear covariates: dropped with a warning naming them, results not NaN', async (t) => {
  const lines = fs.readFileSync(A('small.covar'), 'utf8').split('\n');
  const out = lines.map((l, i) => {
    if (l === '') return l;
    if (i === 0) return `${l} batch age_months`;
    const f = l.split(' ');
    return `${l} 7 ${Number(f[2]) * 12}`;
  });
  const f = write('degenerate.covar', out.join('\n'));
  const run = assoc({ covar: f });
  expectSuccess(t, run);
  for (const p of PHENOS) {
    t.match(run.r.stderr, new RegExp(`^dosageflow: warning: covariate 'batch' is constant among the \\d+ samples of ${p}: dropped$`, 'm'));
    t.match(run.r.stderr, new RegExp(`^dosageflow: warning: covariate 'age_months' is collinear with earlier covariates among the \\d+ samples of ${p}: dropped$`, 'm'));
  }
  const got = tables(run.out);
  for (const p of PHENOS) {
    const bad = got[p]
      .split('\n')
      .slice(1)
      .join('\t')
      .split('\t')
      .filter((v) => /^[-+]?(nan|inf)/i.test(v));
    t.same(bad, [], `${p}: no NaN or Inf`);
    t.equal(got[p], reference()[p], `${p}: same as without the dropped covariates`);
  }
});

t.test('a covariate missing for everyone: the error names the covariate file', async (t) => {
  const lines = fs.readFileSync(A('small.covar'), 'utf8').split('\n');
  const f = write('allna.covar', lines.map((l, i) => (l === '' ? l : i === 0 ? `${l} allna` : `${l} NA`)).join('\n'));
  expectFailure(t, assoc({ covar: f }), 3, new RegExp(`^dosageflow: ${esc(f)}: .*allna`));
});

// ---------------------------------------------------------------------------------------------
// Files that cannot be read

t.test('a missing file: exit 4, one line naming it', async (t) => {
  const nope = path.join(IN, 'does-not-exist');
  for (const [what, o] of [
    ['--gen', { gen: nope }],
    ['--sample', { sample: nope }],
    ['--pheno', { pheno: nope }],
    ['--covar', { covar: nope }],
    ['--bgen', { bgen: nope }],
  ] as const) {
    const run = assoc(o as RunOpts);
    t.test(what, async (t) => expectFailure(t, run, 4, new RegExp(`^dosageflow: ${esc(nope)}: no such file$`)));
  }
});

t.test('a directory given as a file: exit 4, one line naming it', async (t) => {
  const d = tmpDir('rel-adir');
  for (const [what, o] of [
    ['--gen', { gen: d }],
    ['--sample', { sample: d }],
    ['--pheno', { pheno: d }],
    ['--covar', { covar: d }],
    ['--bgen', { bgen: d }],
  ] as const) {
    const run = assoc(o as RunOpts);
    t.test(what, async (t) => expectFailure(t, run, 4, new RegExp(`^dosageflow: ${esc(d)}: is a directory, not a file$`)));
  }
});

// ---------------------------------------------------------------------------------------------
// BGEN (see also test/assoc-bgen.test.ts 'damaged BGEN files')

t.test('random bytes named .bgen: exit 3, bad magic at byte 16', async (t) => {
  let s = 987654321;
  const bytes = Buffer.alloc(8192);
  for (let i = 0; i < bytes.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    bytes[i] = s >>> 16;
  }
  bytes.write('xxxx', 16); // never 'bgen' nor four zero bytes by chance
  const f = write('random.bgen', bytes);
  expectFailure(t, assoc({ bgen: f, extra: ['--pheno-name', 'trait1'] }), 3, new RegExp(`^dosageflow: ${esc(f)}: byte 16: not a bgen file \\(bad magic\\)$`));
});

t.test('a BGEN cut mid-block and mid-header: exit 3, the exact byte offset of the broken record', async (t) => {
  const full = fs.readFileSync(B('example.8bits.bgen'));
  const h = parseBgenHeader(full, 'x');
  const vs = [...scanVariants(full, h, 'x')].slice(0, 4);
  const v = vs[2];
  // Cut 10 bytes into the third variant's genotype block: the layout-2 length field C sits 8 bytes
  // before the block (C, then D); the error points at C.
  const cut = write('cut-block.bgen', full.subarray(0, v.blockFileOffset + 10));
  expectFailure(
    t,
    assoc({ bgen: cut, extra: ['--pheno-name', 'trait1'] }),
    3,
    new RegExp(
      `^dosageflow: ${esc(cut)}: byte ${v.blockFileOffset - 8}: genotype block length ${v.blockLength} runs past the end of the file \\(10 bytes remain\\): a corrupt length or a truncated file$`,
    ),
  );
  // Cut 5 bytes into the fourth variant's identifying data: the error points at its first length
  // field (the variant id's, at the record's start), which runs past the end (issue 15.14: checked
  // against the file size before reading on).
  const w = vs[3];
  const cut2 = write('cut-header.bgen', full.subarray(0, w.fileOffset + 5));
  expectFailure(
    t,
    assoc({ bgen: cut2, extra: ['--pheno-name', 'trait1'] }),
    3,
    new RegExp(`^dosageflow: ${esc(cut2)}: byte ${w.fileOffset}: variant id length \\d+ runs past the end of the file \\(3 bytes remain\\): a corrupt length or a truncated file$`),
  );
  // Cut within a fixed-size field (the position, after three u16-length strings): the file ends
  // inside the variant header.
  let at = w.fileOffset;
  for (let s = 0; s < 3; s++) at += 2 + full.readUInt16LE(at);
  const cut4 = write('cut-pos.bgen', full.subarray(0, at + 2));
  expectFailure(
    t,
    assoc({ bgen: cut4, extra: ['--pheno-name', 'trait1'] }),
    3,
    new RegExp(`^dosageflow: ${esc(cut4)}: byte ${w.fileOffset}: truncated variant record: the file ends ${at + 2 - w.fileOffset} bytes into a variant header$`),
  );
  // Cut exactly between records: the header announces more variants than the file holds.
  const cut3 = write('cut-between.bgen', full.subarray(0, w.fileOffset));
  expectFailure(
    t,
    assoc({ bgen: cut3, extra: ['--pheno-name', 'trait1'] }),
    3,
    new RegExp(`^dosageflow: ${esc(cut3)}: byte ${w.fileOffset}: truncated: the header announces ${h.nVariants} variants but the file ends after 3$`),
  );
});

t.test('a message that quotes input bytes stays one line and escapes control characters', async (t) => {
  const full = Buffer.from(fs.readFileSync(B('example.8bits.bgen')));
  const at = full.indexOf('sample_019');
  t.ok(at > 0);
  full.write('\n\x1b[31m_019', at, 'latin1'); // same length: the block stays valid
  const f = write('ctrl-id.bgen', full);
  const run = assoc({ bgen: f, extra: ['--pheno-name', 'trait1'] });
  expectFailure(t, run, 3, new RegExp(`^dosageflow: ${esc(f)}: byte 24: sample 19 is '.*_019' in the file's identifier block but 'sample_019' in `));
  t.notMatch(run.r.stderr, /[\x00-\x08\x0b-\x1f\x7f]/, 'no raw control characters');
});

// ---------------------------------------------------------------------------------------------
// Workers that fail, and signals

const MED_GEN = () => {
  const f = path.join(IN, 'med.gen');
  // 1200 lines, 3.3 MB: four chunks of (at least) one 1 MiB read each.
  if (!fs.existsSync(f)) fs.writeFileSync(f, repeatedGen(5));
  return f;
};
/** The fault hits the last chunk. */
const LAST_SEQ = () => Math.ceil(fs.statSync(MED_GEN()).size / READ_HIGH_WATER_MARK) - 1;

function faultRun(mode: 'throw' | 'die', debug = false) {
  const dir = tmpDir('rel-fault');
  const args = [
    '--import',
    FAULT,
    BIN,
    'assoc',
    '--gen',
    MED_GEN(),
    '--sample',
    A('small.sample'),
    '--pheno',
    A('small.pheno'),
    // 1 MB work units, as LAST_SEQ counts them (the .gen default is larger).
    '--covar',
    A('small.covar'),
    '--threads',
    '2',
    '--chunk-size',
    String(READ_HIGH_WATER_MARK),
    '--out',
    path.join(dir, 'o'),
    ...(debug ? ['--debug'] : []),
  ];
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, DOSAGEFLOW_TEST_WORKER_FAULT: mode, DOSAGEFLOW_TEST_WORKER_FAULT_SEQ: String(LAST_SEQ()) },
  });
  return { r, dir };
}

t.test('a worker that throws ends the run with its error: exit 70, one line, nothing left, no hang', async (t) => {
  const run = faultRun('throw');
  t.equal(run.r.error, undefined, 'finished before the timeout');
  expectFailure(t, run, 70, /^dosageflow: internal error: unknown request injected-fault \(run with --debug for details\)$/);
  const dbg = faultRun('throw', true);
  t.equal(dbg.r.status, 70);
  t.match(dbg.r.stderr, /\n\s+at /, '--debug adds the stack trace');
  t.same(outputsIn(dbg.dir), []);
});

t.test('a worker that dies ends the run with its error: exit 70, one line, nothing left, no hang', async (t) => {
  const run = faultRun('die');
  t.equal(run.r.error, undefined, 'finished before the timeout');
  expectFailure(t, run, 70, /^dosageflow: internal error: .*(worker|terminat).*\(run with --debug for details\)$/i);
});

interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function waitExit(child: ReturnType<typeof spawn>, ms: number): Promise<Spawned> {
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within ${ms} ms; stderr: ${stderr}`));
    }, ms);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // Let the stderr pipe drain.
      setImmediate(() => resolve({ code, signal, stderr }));
    });
  });
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return cond();
}

t.test('SIGINT during a run: exit 130, one line, temporaries removed, no output', async (t) => {
  const big = path.join(IN, 'big.gen');
  fs.writeFileSync(big, repeatedGen(84)); // 20,160 lines, 55 MB: a few seconds on one thread
  const dir = tmpDir('rel-sigint');
  const child = spawn(...cliCommand(['assoc', '--gen', big, '--sample', A('small.sample'), '--pheno', A('small.pheno'), '--covar', A('small.covar'), '--threads', '1', '--out', path.join(dir, 'o')]), {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const done = waitExit(child, 60_000);
  let exited = false;
  child.on('exit', () => (exited = true));
  const sawTemp = await waitFor(() => exited || fs.readdirSync(dir).some((f) => /^\.o\..*\.tmp-/.test(f)), 30_000);
  t.ok(sawTemp && !exited, 'an output temporary exists while the run is going');
  child.kill('SIGINT');
  const r = await done;
  t.equal(r.code, 130, r.stderr);
  t.equal(errorLines(r.stderr).length, 1, 'one line');
  t.match(r.stderr, /^dosageflow: interrupted \(SIGINT\); partial outputs removed\n$/);
  t.same(outputsIn(dir), [], 'no temporary and no output left');
  fs.rmSync(big, { force: true });
});

t.test('SIGTERM while waiting for stdin: exit 143, temporaries removed', async (t) => {
  const dir = tmpDir('rel-sigterm');
  const child = spawn(...cliCommand(['assoc', '--gen', '-', '--sample', A('small.sample'), '--pheno', A('small.pheno'), '--out', path.join(dir, 'o')]), { stdio: ['pipe', 'ignore', 'pipe'] });
  const done = waitExit(child, 60_000);
  // Half the file, and the pipe is kept open: the run is stuck reading, deterministically.
  child.stdin!.write(GEN_LINES.slice(0, 120).join('\n') + '\n');
  const sawTemp = await waitFor(() => fs.readdirSync(dir).some((f) => /^\.o\..*\.tmp-/.test(f)), 30_000);
  t.ok(sawTemp, 'output temporaries exist while the run waits');
  await new Promise((r) => setTimeout(r, 200));
  child.kill('SIGTERM');
  const r = await done;
  child.stdin!.destroy();
  t.equal(r.code, 143, r.stderr);
  t.match(r.stderr, /^dosageflow: interrupted \(SIGTERM\); partial outputs removed\n$/);
  t.same(outputsIn(dir), [], 'no temporary and no output left');
});

t.test('an output aborted right after it is created leaves no temporary', async (t) => {
  const dir = tmpDir('rel-abort');
  const o = createOutput(path.join(dir, 'x.tsv'), 'none');
  o.abort();
  await new Promise((r) => setTimeout(r, 200));
  t.same(outputsIn(dir), []);
  // The same race through the CLI: stdin that is empty fails right after the outputs are created.
  let left = 0;
  for (let i = 0; i < 6; i++) {
    const run = assoc({ gen: '-', input: '' });
    t.equal(run.r.status, 3);
    left += outputsIn(run.dir).length;
  }
  t.equal(left, 0, 'no temporaries left by six empty-stdin runs');
});

// ---------------------------------------------------------------------------------------------
// Offsets past 2 GiB / 4 GiB: plain JS numbers all the way (no |0, >>>0 or Int32 wrapping)

const FOUR_GIB = 2 ** 32;

t.test('BGEN decoders carry absolute offsets above 2^32 exactly', async (t) => {
  t.equal(readU32(new Uint8Array([0xff, 0xff, 0xff, 0xff]), 0), 4294967295, 'u32 fields stay unsigned');
  const full = fs.readFileSync(B('example.8bits.bgen'));
  const h = parseBgenHeader(full, 'x');
  const rec = full.subarray(h.firstVariantOffset);
  const base = FOUR_GIB * 3 + 12345; // as if `rec` started 12 GiB into the file
  const v = parseVariantHeader(rec, 0, h, base, 'big.bgen', true)!;
  t.equal(v.fileOffset, base);
  t.equal(v.blockFileOffset, base + v.blockStart);
  t.equal(variantRecordLength(rec, 0, h, base, 'big.bgen'), v.totalLength);
  // A record cut short at the end of the file: the error names the absolute offset.
  const short = rec.subarray(0, v.blockStart + 3);
  const e1 = (() => {
    try {
      variantRecordLength(short, 0, h, base, 'big.bgen', true);
    } catch (e) {
      return e;
    }
  })();
  t.type(e1, InputError);
  t.equal((e1 as InputError).byteOffset, base + v.blockStart - 8, 'the length field of the record');
  t.match(formatError(e1), new RegExp(`^big\\.bgen: byte ${base + v.blockStart - 8}: genotype block length`));
  // A corrupt block: the decoder's error carries the where it was given.
  const block = Buffer.from(rec.subarray(v.blockStart, v.blockStart + v.blockLength));
  block[2] ^= 0xff;
  block[3] ^= 0xff;
  const out = new Float64Array(h.nSamples * (v.nAlleles - 1));
  let e2: unknown;
  try {
    decodeGenotypeBlock(block, h, v.nAlleles, out, { where: { file: 'big.bgen', byteOffset: v.blockFileOffset }, uncompressedLength: v.uncompressedLength });
  } catch (e) {
    e2 = e;
  }
  t.type(e2, InputError);
  t.equal((e2 as InputError).byteOffset, base + v.blockStart);
  t.equal(formatError(new InputError('x', { file: 'f.gen', line: 5_000_000_123 })), 'f.gen:5000000123: x', 'line numbers too');
});

t.test('the worker reports BGEN errors at absolute offsets above 2^32', async (t) => {
  const full = fs.readFileSync(B('example.8bits.bgen'));
  const h = parseBgenHeader(full, 'x');
  const vs = [...scanVariants(full, h, 'x')].slice(0, 3);
  const start = vs[0].fileOffset;
  const end = vs[2].fileOffset + vs[2].totalLength;
  const buf = new Uint8Array(full.subarray(start, end));
  const bad = vs[1].blockFileOffset - start + 5;
  buf[bad] ^= 0xff; // corrupt the second record's zlib stream
  const values = new Float64Array(h.nSamples).map((_, i) => Math.sin(i));
  const init: WorkerInit = {
    model: buildModel(h.nSamples, [{ name: 'y', values }], []),
    filters: { minInfo: 0, maxInfo: Infinity, minMaf: 0 },
    nSamples: h.nSamples,
    digits: 7,
    biallelicOnly: false,
    regions: [],
  };
  const fileOffset = FOUR_GIB + 777;
  const res = new RowFormatter(init).bgen({ kind: 'bgen', seq: 0, buf: buf.buffer, length: buf.length, fileOffset, file: 'big.bgen', layout: h.layout, compression: h.compression, nVariants: 3 });
  t.equal(res.kind, 'error');
  if (res.kind === 'error') t.equal(res.byteOffset, fileOffset + (vs[1].blockFileOffset - start), 'offset of the broken block, not wrapped');
});

t.test('reading BGEN records beyond 4 GiB of a (sparse) file: chunk offsets and errors are exact', async (t) => {
  const full = fs.readFileSync(B('example.8bits.bgen'));
  const h = parseBgenHeader(full, 'x');
  const vs = [...scanVariants(full, h, 'x')].slice(0, 3);
  const recs = full.subarray(vs[0].fileOffset, vs[2].fileOffset + vs[2].totalLength);
  const X = FOUR_GIB + 4096 + 7;
  const f = path.join(tmpDir('rel-sparse'), 'sparse.bgen');
  const fd = fs.openSync(f, 'w');
  fs.writeSync(fd, recs, 0, recs.length, X);
  fs.closeSync(fd);
  const st = fs.statSync(f);
  if (st.blocks * 512 > 64 << 20) {
    fs.rmSync(f);
    t.pass('skipped: the filesystem does not support sparse files');
    return;
  }
  try {
    const header: BgenHeader = { ...h, firstVariantOffset: X, nVariants: 3 };
    const chunks = [];
    for await (const c of bgenChunks(f, header, 1 << 16)) chunks.push(c);
    t.equal(chunks.length, 1);
    t.equal(chunks[0].fileOffset, X, 'first chunk at its absolute offset');
    t.equal(chunks[0].nVariants, 3);
    t.same(Buffer.from(chunks[0].buf), Buffer.from(recs), 'the bytes read at that offset');
    // Seeking through index entries past 4 GiB.
    const entries = vs.map((v) => ({ fileStart: X + v.fileOffset - vs[0].fileOffset, size: v.totalLength }));
    const ic = [];
    for await (const c of bgenIndexedChunks(f, entries, 1)) ic.push(c);
    t.same(
      ic.map((c) => c.fileOffset),
      entries.map((e) => e.fileStart),
    );
    t.same(Buffer.from(ic[1].buf), Buffer.from(recs.subarray(entries[1].fileStart - X, entries[1].fileStart - X + entries[1].size)));
    // The header announces a fourth record that is not there.
    const more: BgenHeader = { ...h, firstVariantOffset: X, nVariants: 4 };
    const err = await (async () => {
      try {
        for await (const _ of bgenChunks(f, more, 1 << 16)) void _;
      } catch (e) {
        return e;
      }
    })();
    t.type(err, DosageflowError);
    t.equal((err as DosageflowError).byteOffset, X + recs.length, 'end of the last whole record');
    // An index entry past the end of the file.
    const past = [{ fileStart: X + recs.length + 100, size: 50 }];
    const err2 = await (async () => {
      try {
        for await (const _ of bgenIndexedChunks(f, past, 1)) void _;
      } catch (e) {
        return e;
      }
    })();
    t.equal((err2 as DosageflowError).byteOffset, X + recs.length + 100);
    t.match(formatError(err2), new RegExp(`: byte ${X + recs.length + 100}: the index points past the end of the file`));
  } finally {
    fs.rmSync(f, { force: true });
  }
});

t.test('line and byte arithmetic in the readers uses plain numbers (static check)', async (t) => {
  // Offsets above 2^31 / 2^32 are wrapped by |0, >>>0 and Int32 arithmetic; none of the modules that
  // count lines or bytes of the input may use them on positions. Every module under these
  // directories is checked (a glob, not a list: a new reader is covered when it is added). Not
  // covered: formats/gen, whose parsers work on offsets within one chunk's line.
  const readerDirs = ['src/io', 'src/pipeline', 'src/formats/bgen', 'src/formats/vcf'];
  const readers = readerDirs
    .filter((d) => fs.existsSync(path.join(ROOT, d)))
    .flatMap((d) => fs.readdirSync(path.join(ROOT, d), { recursive: true, encoding: 'utf8' }).map((f) => path.join(d, f)))
    .filter((rel) => /\.c?ts$/.test(rel) && !rel.endsWith('.d.ts'))
    .sort();
  t.ok(readers.includes(path.join('src', 'io', 'line-chunks.ts')), `${readers.length} reader modules, io/line-chunks.ts among them`);
  for (const rel of readers) {
    const code = fs
      .readFileSync(path.join(ROOT, rel), 'utf8')
      .replace(/\/\/.*$/gm, '')
      .replace(/\/\*[\s\S]*?\*\//g, '');
    t.notMatch(code, /\|\s*0\b|>>>\s*0\b|~~/, `${rel}: no 32-bit truncation`);
  }
  // countLines returns a plain number; chunkLines keeps no running totals at all.
  async function* pieces() {
    const b = new Uint8Array(1 << 16).fill(65);
    for (let i = 0; i < b.length; i += 64) b[i + 63] = 10;
    for (let k = 0; k < 64; k++) yield b;
  }
  t.equal(await countLines(pieces()), 64 * 1024);
});

t.test('chunkLines honours --chunk-size even when the reader hands it bigger pieces', async (t) => {
  const text = Buffer.from(GEN_LINES.slice(0, 50).join('\n') + '\n'); // ~115 kB
  async function* one() {
    yield new Uint8Array(text);
  }
  const sizes: number[] = [];
  for await (const c of chunkLines(one(), 4096)) sizes.push(c.length);
  const longest = Math.max(...GEN_LINES.slice(0, 50).map((l) => l.length + 1));
  t.ok(sizes.length >= 20, `${sizes.length} chunks of a 115 kB piece at --chunk-size 4k`);
  t.ok(
    sizes.every((n) => n <= 4096 + longest),
    'each chunk at most target + one line',
  );
});
