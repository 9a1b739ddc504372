// `dosageflow merge`: shards of an assoc run merge to the unsharded bytes (any split, any input order,
// any mix of compressions, in one pass or several); --sort sorts; every check's message and exit code.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { compress as zstdCompress, decompress as zstdDecompress } from 'zstd-napi';
import { runAssoc } from '../src/pipeline/assoc-run.js';
import { runMerge, type MergeConfig } from '../src/pipeline/merge.js';
import { validateMergeOptions } from '../src/commands/merge.js';
import { compareKeys, type RowKey } from '../src/pipeline/order.js';
import { chrRank, normChr } from '../src/formats/chrom.js';
import { GenomeSorter } from '../src/pipeline/sorter.js';
import { UsageError } from '../src/errors.js';
import { runCli, tmpDir } from './lib/helpers.js';
import { baseConfig } from './lib/assoc-config.js';
import { mulberry32 as rng } from '../src/sim/random.js';

/** Key of a table row `CHR\tSNP\tBP\t...` (test helper: the pipeline keys rows in merge-reader and sorter). */
function keyOfLine(line: Uint8Array): RowKey {
  const [chr, , pos] = Buffer.from(line).toString('latin1').split('\t', 3);
  return { rank: chrRank(normChr(chr)), chr, pos: Number(pos), line };
}

const PHENOS = ['response', 'dissociation', 'madrs'];
const HEADER = 'CHR\tSNP\tBP\tA1\tA2\tFRQ\tINFO\tN\tBETA\tSE\tT\tP\tLOG10P';
type Codec = 'none' | 'gz' | 'zst';

let unshardedRun: Promise<Map<string, Buffer>> | null = null;
/** The unsharded assoc output of the small fixture, per phenotype. */
function unsharded(): Promise<Map<string, Buffer>> {
  unshardedRun ??= (async () => {
    const cfg = baseConfig({ out: path.join(tmpDir('merge-full'), 'full') });
    await runAssoc(cfg);
    return new Map(PHENOS.map((p) => [p, fs.readFileSync(`${cfg.out}.${p}.tsv`)]));
  })();
  return unshardedRun;
}

function rowsOf(table: Buffer): { header: string; rows: string[] } {
  const lines = table.toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return { header: lines[0], rows: lines.slice(1) };
}

function shuffle<T>(a: T[], r: () => number): T[] {
  const b = [...a];
  for (let i = b.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [b[i], b[j]] = [b[j], b[i]];
  }
  return b;
}

function encode(text: string, codec: Codec): Buffer {
  const raw = Buffer.from(text);
  if (codec === 'gz') return zlib.gzipSync(raw);
  if (codec === 'zst') return Buffer.from(zstdCompress(raw));
  return raw;
}

function writeTable(file: string, header: string, rows: string[], codec: Codec = 'none'): string {
  fs.writeFileSync(file, encode(header + '\n' + rows.map((r) => r + '\n').join(''), codec));
  return file;
}

/** Decompressed contents (by magic bytes). */
function readOut(file: string): Buffer {
  const b = fs.readFileSync(file);
  if (b[0] === 0x1f && b[1] === 0x8b) return zlib.gunzipSync(b);
  if (b[0] === 0x28 && b[1] === 0xb5) return Buffer.from(zstdDecompress(b));
  return b;
}

function mergeConfig(over: Partial<MergeConfig>): MergeConfig {
  return { inputs: [], out: '-', compress: 'none', sort: false, memoryMB: 256, log: () => {}, ...over };
}

/** Pieces of a sorted row list, each keeping the order. */
function splitBy(rows: string[], pieceOf: (row: string, i: number) => number, n: number): string[][] {
  const out: string[][] = Array.from({ length: n }, () => []);
  rows.forEach((r, i) => out[pieceOf(r, i)].push(r));
  return out;
}

function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.startsWith('.'));
}

t.test('merging pieces of an assoc output gives its bytes: any split, order, compression, passes', async (t) => {
  const full = await unsharded();
  const dir = tmpDir('merge-split');
  const codecs: Codec[] = ['zst', 'none', 'gz'];
  for (const pheno of PHENOS) {
    const want = full.get(pheno)!;
    const { header, rows } = rowsOf(want);
    const chrs = [...new Set(rows.map((r) => r.split('\t')[0]))];
    const r = rng(7);
    const cuts = [0, 1, 8, 60, 60, 61, 150, rows.length];
    const splits: Record<string, string[][]> = {
      'by chromosome': splitBy(rows, (row) => chrs.indexOf(row.split('\t')[0]), chrs.length),
      'by row ranges (one empty, one single row)': cuts.slice(1).map((c, i) => rows.slice(cuts[i], c)),
      'rows dealt at random to 5 pieces': splitBy(rows, () => Math.floor(r() * 5), 5),
    };
    for (const [how, pieces] of Object.entries(splits)) {
      const files = pieces.map((p, i) => writeTable(path.join(dir, `${pheno}.${how.replace(/\W+/g, '_')}.${i}`), header, p, codecs[i % 3]));
      for (const seed of [1, 2, 3]) {
        const order = shuffle(files, rng(seed));
        for (const maxOpen of [undefined, 2]) {
          const out = path.join(dir, `merged.${seed}.tsv${seed === 2 ? '.zst' : seed === 3 ? '.gz' : ''}`);
          const compress = seed === 2 ? 'zst' : seed === 3 ? 'gz' : 'none';
          const s = await runMerge(mergeConfig({ inputs: order, out, compress, maxOpen }));
          t.ok(readOut(out).equals(want), `${pheno}, ${how}, order ${seed}${maxOpen ? ', two at a time' : ''}`);
          t.equal(s.rows, rows.length);
          if (maxOpen && files.length > 2) t.ok(s.passes > 1, 'merged in passes');
        }
      }
    }
  }
  t.same(leftovers(dir), [], 'no temporaries left');
});

t.test('assoc --shard I/N outputs merge (CLI) to the unsharded run, byte for byte', async (t) => {
  const full = await unsharded();
  const dir = tmpDir('merge-shard');
  for (const count of [4]) {
    const prefixes: string[] = [];
    for (let i = 1; i <= count; i++) {
      const out = path.join(dir, `n${count}.shard${i}`);
      await runAssoc(baseConfig({ out, shard: { index: i, count }, compress: i % 2 ? 'gz' : 'zst' }));
      prefixes.push(out);
    }
    for (const pheno of PHENOS) {
      const shards = prefixes.map((p, i) => `${p}.${pheno}.tsv${i % 2 ? '.zst' : '.gz'}`);
      const out = path.join(dir, `n${count}.${pheno}.tsv.gz`);
      const r = runCli(['merge', ...shuffle(shards, rng(count)), '--out', out]);
      t.equal(r.status, 0, r.stderr);
      t.match(r.stderr, new RegExp(`^dosageflow merge: merged ${count} tables: \\d+ rows in `));
      t.ok(readOut(out).equals(full.get(pheno)!), `${count} shards, ${pheno}`);
      t.equal(fs.readFileSync(out)[0], 0x1f, '.gz output is gzip');
    }
  }
});

t.test('merge to stdout, and stdin as an input', async (t) => {
  const full = await unsharded();
  const dir = tmpDir('merge-stdio');
  const want = full.get('response')!;
  const { header, rows } = rowsOf(want);
  const a = writeTable(
    path.join(dir, 'a.tsv'),
    header,
    rows.filter((_, i) => i % 3 === 0),
  );
  const b = rows.filter((_, i) => i % 3 !== 0);
  const r = runCli(['merge', a, '-', '--out', '-'], { input: encode(header + '\n' + b.join('\n') + '\n', 'gz') });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, want.toString('utf8'));
});

t.test('--sort sorts one table, spilling runs and merging in passes when memory is small', async (t) => {
  const full = await unsharded();
  const dir = tmpDir('merge-sort');
  const want = full.get('madrs')!;
  const { header, rows } = rowsOf(want);
  const shuffled = writeTable(path.join(dir, 'shuffled.tsv'), header, shuffle(rows, rng(11)), 'gz');
  for (const [memoryMB, maxOpen] of [
    [256, undefined],
    [0.002, undefined],
    [0.002, 2],
  ] as const) {
    const out = path.join(dir, `sorted-${memoryMB}-${maxOpen}.tsv.zst`);
    const s = await runMerge(mergeConfig({ inputs: [shuffled], out, compress: 'zst', sort: true, memoryMB, maxOpen }));
    t.ok(readOut(out).equals(want), `memory ${memoryMB} MB, ${maxOpen ?? 'default'} open`);
    t.equal(s.sortedInput, false);
    if (memoryMB < 1) t.ok(s.spilledRuns! > 2, `${s.spilledRuns} runs spilled`);
    if (maxOpen) t.ok(s.passes > 2, `${s.passes} passes`);
  }
  const sorted = writeTable(path.join(dir, 'sorted.tsv'), header, rows);
  const s = await runMerge(mergeConfig({ inputs: [sorted], out: path.join(dir, 'again.tsv'), sort: true }));
  t.equal(s.sortedInput, true, 'a sorted input is recognised');
  t.ok(fs.readFileSync(path.join(dir, 'again.tsv')).equals(want));
  const r = runCli(['merge', '--sort', shuffled, '--out', '-', '--memory', '16']);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, want.toString('utf8'), 'CLI --sort to stdout');
  t.match(r.stderr, /sorted 1 table/);
  t.same(leftovers(dir), [], 'no temporaries left');
});

/** Rows with ties (several alleles at one position), odd chromosome codes, and no duplicates. */
const rowArb = fc.record({
  chr: fc.constantFrom('1', '2', '10', 'X', 'MT', 'chr3', 'GL000192.1', 'Un', 'HLA-A'),
  pos: fc.integer({ min: 1, max: 30 }),
  snp: fc.constantFrom('rs1', 'rs2', '.', 'rs10'),
  a1: fc.constantFrom('A', 'C', 'G', 'T', 'AT'),
  a2: fc.constantFrom('A', 'C', 'G', 'T', 'CAG'),
  beta: fc.integer({ min: -999, max: 999 }),
});

function sortRows(rows: string[]): string[] {
  const keys = rows.map((r) => keyOfLine(Buffer.from(r))) as RowKey[];
  return keys.sort(compareKeys).map((k) => Buffer.from(k.line).toString('utf8'));
}

/** The table (header first) that merging or sorting `rows` must give. */
function sortedTable(rows: string[]): string {
  return (
    HEADER +
    '\n' +
    sortRows(rows)
      .map((r) => `${r}\n`)
      .join('')
  );
}

/** Table rows of the generated records, one per distinct CHR SNP BP A1 A2. */
function uniqueRows(recs: { chr: string; snp: string; pos: number; a1: string; a2: string; beta: number }[]): string[] {
  const seen = new Set<string>();
  const rows: string[] = [];
  for (const x of recs) {
    const id = `${x.chr}\t${x.snp}\t${x.pos}\t${x.a1}\t${x.a2}`;
    if (seen.has(id)) continue;
    seen.add(id);
    rows.push(`${id}\t0.5\t1\t100\t${x.beta / 1000}\t0.1\t1\t0.5\t0.3`);
  }
  return rows;
}

t.test('property: merging sorted pieces = sorting the whole (order.ts compareKeys); --sort too', async (t) => {
  const dir = tmpDir('merge-prop');
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(rowArb, { maxLength: 60 }), fc.integer({ min: 1, max: 6 }), fc.integer(), async (recs, k, seed) => {
      const rows = uniqueRows(recs);
      const want = sortedTable(rows);
      const r = rng(seed);
      const pieces = splitBy(sortRows(rows), () => Math.floor(r() * k), k);
      const sub = path.join(dir, String(run++));
      fs.mkdirSync(sub);
      const files = pieces.map((p, i) => writeTable(path.join(sub, `p${i}`), HEADER, p, (['none', 'gz', 'zst'] as const)[i % 3]));
      await runMerge(mergeConfig({ inputs: files, out: path.join(sub, 'm.tsv'), maxOpen: 1 + Math.floor(r() * 3) + 1 }));
      const got = fs.readFileSync(path.join(sub, 'm.tsv'), 'utf8');
      const u = writeTable(path.join(sub, 'u'), HEADER, shuffle(rows, r));
      await runMerge(mergeConfig({ inputs: [u], out: path.join(sub, 's.tsv'), sort: true, memoryMB: 0.0005, maxOpen: 3 }));
      const sorted = fs.readFileSync(path.join(sub, 's.tsv'), 'utf8');
      fs.rmSync(sub, { recursive: true });
      return got === want && sorted === want;
    }),
    { numRuns: 60, seed: 20261125 },
  );
  t.pass('merge and --sort agree with compareKeys');
});

// GenomeSorter (assoc's output) compares rows by rank and position without building their keys,
// and builds keys only for ties and out-of-order rows: any mix of those, in chunks of any size,
// must come out as compareKeys sorts them.
t.test('property: GenomeSorter output = compareKeys order, mostly-sorted rows in chunks, ties, other chromosomes', async (t) => {
  const dir = tmpDir('sorter-prop');
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(rowArb, { maxLength: 80 }), fc.integer({ min: 1, max: 9 }), fc.integer(), async (recs, chunk, seed) => {
      const rows = uniqueRows(recs);
      const want = sortedTable(rows);
      // Sorted, then a few rows moved: the common case (long in-order runs) and its exceptions.
      const r = rng(seed);
      const input = sortRows(rows);
      for (let m = 0; m < Math.floor(r() * 4); m++) {
        if (input.length < 2) break;
        const [row] = input.splice(Math.floor(r() * input.length), 1);
        input.splice(Math.floor(r() * input.length), 0, row);
      }
      const sub = path.join(dir, String(run++));
      fs.mkdirSync(sub);
      const out = path.join(sub, 'o.tsv');
      const sorter = new GenomeSorter({ header: HEADER, target: { kind: 'file', path: out, compression: 'none' }, tmpDir: sub, memoryBytes: 1 + Math.floor(r() * 400) });
      for (let i = 0; i < input.length; i += chunk) {
        const part = input.slice(i, i + chunk);
        const text = Buffer.from(part.map((x) => x + '\n').join(''));
        const ends = new Uint32Array(part.length);
        let e = 0;
        part.forEach((x, j) => (ends[j] = e += Buffer.byteLength(x) + 1));
        const keys = part.map((x) => keyOfLine(Buffer.from(x)));
        await sorter.add(
          new Uint8Array(text),
          ends,
          keys.map((k) => k.rank),
          keys.map((k) => k.pos),
        );
      }
      await (await sorter.finish())?.rename();
      const got = fs.readFileSync(out, 'utf8');
      fs.rmSync(sub, { recursive: true });
      return got === want;
    }),
    { numRuns: 150, seed: 20261126 },
  );
  t.pass('GenomeSorter agrees with compareKeys');
});

t.test('CRLF line ends, a missing final newline and blank lines are normalised', async (t) => {
  const full = await unsharded();
  const want = full.get('response')!;
  const { header, rows } = rowsOf(want);
  const dir = tmpDir('merge-crlf');
  const a = path.join(dir, 'a.tsv');
  fs.writeFileSync(a, [header, ...rows.slice(0, 100)].join('\r\n') + '\r\n\r\n');
  const b = path.join(dir, 'b.tsv');
  fs.writeFileSync(b, [header, ...rows.slice(100, 120), '', ...rows.slice(120)].join('\n'));
  const r = runCli(['merge', b, a, '--out', '-']);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, want.toString('utf8'));
});

t.test('checks: message (file and line) and exit code, and no output left behind', async (t) => {
  const full = await unsharded();
  const { header, rows } = rowsOf(full.get('response')!);
  const dir = tmpDir('merge-checks');
  const a = writeTable(path.join(dir, 'a.tsv'), header, rows.slice(0, 100));
  const b = writeTable(path.join(dir, 'b.tsv.gz'), header, rows.slice(100), 'gz');
  const out = path.join(dir, 'out.tsv.gz');
  const check = (name: string, args: string[], code: number, msg: RegExp) => {
    const r = runCli(args);
    t.equal(r.status, code, `${name}: exit ${code}`);
    t.match(r.stderr, msg, `${name}: message`);
    t.equal(r.stderr.trim().split('\n').length, 1, `${name}: one line`);
    t.notOk(fs.existsSync(out), `${name}: no output`);
    t.same(leftovers(dir), [], `${name}: no temporaries`);
  };
  // Input errors (exit 3).
  const unsorted = writeTable(path.join(dir, 'unsorted.tsv'), header, [rows[100], rows[102], rows[101], rows[103]]);
  const [c101, bp101] = [rows[101].split('\t')[0], rows[101].split('\t')[2]];
  const [c102, bp102] = [rows[102].split('\t')[0], rows[102].split('\t')[2]];
  check('unsorted', ['merge', a, unsorted, '--out', out], 3, new RegExp(`^dosageflow: ${esc(unsorted)}:4: not genome-sorted: ${c101}:${bp101} after ${c102}:${bp102}\n$`));
  const rest = '\t0.5\t1\t100\t0.1\t0.1\t1\t0.3\t0.5';
  const tie = writeTable(path.join(dir, 'tie.tsv'), header, ['1\trs9\t5\tG\tA' + rest, '1\trs9\t5\tC\tA' + rest]);
  check('tie out of byte order', ['merge', tie, '--out', out], 3, new RegExp(`^dosageflow: ${esc(tie)}:3: not genome-sorted: 1:5 after 1:5 \\(rows at one position are ordered by their bytes\\)\n$`));
  const dup = writeTable(path.join(dir, 'dup.tsv'), header, [rows[5].replace(/\t[^\t]+$/, '\t0.5')]);
  const [c5, s5, bp5, a15, a25] = rows[5].split('\t');
  check('duplicate variant', ['merge', b, a, dup, '--out', out], 3, new RegExp(`^dosageflow: ${esc(dup)}:2: duplicate variant ${c5}:${bp5} ${s5} ${a15}/${a25}: also in ${esc(a)}:7\n$`));
  check(
    'duplicate variant, named in input order',
    ['merge', dup, b, a, '--out', out],
    3,
    new RegExp(`^dosageflow: ${esc(a)}:7: duplicate variant ${c5}:${bp5} ${s5} ${a15}/${a25}: also in ${esc(dup)}:2\n$`),
  );
  const hdr = writeTable(path.join(dir, 'hdr.tsv'), header.replace('FRQ', 'FREQ'), rows.slice(0, 3));
  check('header differs', ['merge', a, hdr, '--out', out], 3, new RegExp(`^dosageflow: ${esc(hdr)}:1: header differs from that of ${esc(a)}: column 6 is 'FREQ', not 'FRQ'\n$`));
  const short = writeTable(path.join(dir, 'short.tsv'), header.split('\t').slice(0, 12).join('\t'), []);
  check('header with a column missing', ['merge', a, short, '--out', out], 3, new RegExp(`^dosageflow: ${esc(short)}:1: header differs from that of ${esc(a)}: column 13 'LOG10P' is missing\n$`));
  const notTable = writeTable(path.join(dir, 'plink.tsv'), 'ID\tLOCATION\tWHAT', ['rs1\t5\tx']);
  check(
    'not a summary-statistics table',
    ['merge', notTable, '--out', out],
    3,
    /^dosageflow: .*plink\.tsv:1: header not recognised: no CHR, BP\/POS column for the merge \(columns found: ID LOCATION WHAT\).*--col-chr --col-pos NAME/,
  );
  const empty = path.join(dir, 'empty.tsv');
  fs.writeFileSync(empty, '');
  check('empty input', ['merge', a, empty, '--out', out], 3, new RegExp(`^dosageflow: ${esc(empty)}:1: empty file: no header line\n$`));
  const badRow = writeTable(path.join(dir, 'badrow.tsv'), header, [rows[0], 'garbage']);
  check('row without columns', ['merge', badRow, '--out', out], 3, /badrow\.tsv:3: row without CHR and BP columns/);
  const badBp = writeTable(path.join(dir, 'badbp.tsv'), header, ['1\trs1\t12x\tA\tG']);
  check('BP not a number', ['merge', badBp, '--out', out], 3, /badbp\.tsv:2: BP is not a position: '12x'\n$/);
  const corrupt = path.join(dir, 'corrupt.tsv.gz');
  fs.writeFileSync(corrupt, fs.readFileSync(b).subarray(0, 200));
  check('truncated gzip', ['merge', a, corrupt, '--out', out], 3, /corrupt\.tsv\.gz: byte \d+: truncated gzip stream/);
  check('--sort checks the header too', ['merge', '--sort', notTable, '--out', out], 3, /plink\.tsv:1: header not recognised/);
  check('--sort: empty input', ['merge', '--sort', empty, '--out', out], 3, /empty\.tsv:1: empty file: no header line\n$/);
  // File errors (exit 4).
  check('missing input', ['merge', a, path.join(dir, 'nope.tsv'), '--out', out], 4, /nope\.tsv: no such file\n$/);
  check('input is a directory', ['merge', a, dir, '--out', out], 4, /is a directory, not a file\n$/);
  check('output directory missing', ['merge', a, '--out', path.join(dir, 'no/such/out.tsv')], 4, /no\/such: no such file\n$/);
  // Usage errors (exit 2).
  check('no inputs', ['merge', '--out', out], 2, /^dosageflow: give the tables to merge: dosageflow merge FILE\.\.\. --out FILE\n$/);
  check('no --out', ['merge', a], 2, /^dosageflow: give the output with --out FILE \(or --out - for stdout\)\n$/);
  check('--sort with two', ['merge', '--sort', a, b, '--out', out], 2, /^dosageflow: --sort takes one table, not 2 \(merge sorted tables without --sort\)\n$/);
  check('suffix contradicts --compress', ['merge', a, '--out', out, '--compress', 'zst'], 2, /^dosageflow: --compress zst contradicts the \.gz suffix of --out\n$/);
  check('--compress to stdout', ['merge', a, '--out', '-', '--compress', 'gz'], 2, /^dosageflow: --compress applies to files; with --out - pipe into a compressor\n$/);
  check('bad --compress', ['merge', a, '--out', out, '--compress', 'lz4'], 2, /^dosageflow: --compress takes gz, zst or none, not 'lz4'\n$/);
  check('--memory too small', ['merge', a, '--out', out, '--memory', '4'], 2, /^dosageflow: --memory must be between 16 and Infinity, not 4\n$/);
  check('same file twice', ['merge', a, b, a, '--out', out], 2, new RegExp(`^dosageflow: ${esc(a)} is given twice\n$`));
  check('stdin twice', ['merge', '-', '-', '--out', out], 2, /^dosageflow: stdin \(-\) can be given only once\n$/);
  check('unknown option', ['merge', a, '--out', out, '--frobnicate'], 2, /^dosageflow: unknown argument: frobnicate\n$/);
});

t.test('a duplicate found in a later pass still names the original files and lines', async (t) => {
  const full = await unsharded();
  const { header, rows } = rowsOf(full.get('response')!);
  const dir = tmpDir('merge-dup-pass');
  const files = [0, 1, 2, 3].map((i) =>
    writeTable(
      path.join(dir, `p${i}.tsv`),
      header,
      rows.filter((_, j) => j % 4 === i),
    ),
  );
  const extra = writeTable(path.join(dir, 'extra.tsv'), header, [rows[41]]);
  const err = await runMerge(mergeConfig({ inputs: [...files, extra], out: path.join(dir, 'o.tsv'), maxOpen: 2 })).then(
    () => null,
    (e: Error & { file?: string; line?: number }) => e,
  );
  t.ok(err, 'fails');
  // Row 41 (0-based) is in p1.tsv at line 41 div 4 + 2 = 12.
  const [c, snp, bp, a1, a2] = rows[41].split('\t');
  t.equal(err!.message, `duplicate variant ${c}:${bp} ${snp} ${a1}/${a2}: also in ${files[1]}:12`);
  t.equal(err!.file, extra);
  t.equal(err!.line, 2);
  t.same(leftovers(dir), [], 'no temporaries left');
});

t.test('options: compression from the output name; typed config', async (t) => {
  t.equal(validateMergeOptions({ files: ['a'], out: 'x.tsv.gz' }).compress, 'gz');
  t.equal(validateMergeOptions({ files: ['a'], out: 'x.tsv.zst' }).compress, 'zst');
  t.equal(validateMergeOptions({ files: ['a'], out: 'x.tsv' }).compress, 'none');
  t.equal(validateMergeOptions({ files: ['a'], out: 'x.tsv', compress: 'gz' }).compress, 'gz', '--compress names what a plain name gets');
  t.equal(validateMergeOptions({ files: ['a'], out: 'x.tsv.gz', compress: 'gz' }).compress, 'gz');
  t.same(validateMergeOptions({ files: ['-'], out: '-', sort: true, memory: 64, 'tmp-dir': '/scratch' }), {
    inputs: ['-'],
    out: '-',
    compress: 'none',
    sort: true,
    memoryMB: 64,
    tmpDir: '/scratch',
  });
  t.throws(() => validateMergeOptions({ files: ['a'], out: 'x.gz', compress: 'none' }), UsageError);
});

t.test('--help shows usage and examples', async (t) => {
  const r = runCli(['merge', '--help']);
  t.equal(r.status, 0);
  t.match(r.stdout, /dosageflow merge FILE\.\.\. --out FILE/);
  t.match(r.stdout, /--sort/);
  t.match(r.stdout, /Examples:/);
  t.match(r.stdout, /dosageflow merge res\/s\*\.response\.tsv\.gz --out/);
  const top = runCli(['--help']);
  t.match(top.stdout, /merge \[files\.\.\]/);
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
