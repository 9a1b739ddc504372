// The WebAssembly VCF sample decoder (src/wasm/vcf-ds.wat, docs/decisions/0302) against the
// JavaScript path: bit-identical rows and the same accept/reject (same error) on random records,
// every unusual case handed back to JavaScript; and the plink2 goldens with the kernel on and off.
import t from 'tap';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { VcfDecoder } from '../src/formats/vcf/decode.js';
import { buildModel } from '../src/stats/model.js';
import { RowFormatter } from '../src/workers/rows.js';
import type { WorkerInit, WorkerResponse } from '../src/workers/protocol.js';
import { toBgzf } from './lib/bgzf.js';
import { compareWithPlink2, fixture, readTable, runCli, tmpDir } from './lib/helpers.js';

type Outcome = { ok: boolean; source?: string; rows?: string[]; error?: string };

/** Decode b[start, end) and describe the outcome byte for byte (rows as hex: NaN and -0 compare exactly). */
function outcome(dec: VcfDecoder, b: Uint8Array, start: number, end: number): Outcome {
  try {
    const ok = dec.decode(b, start, end);
    if (!ok) return { ok };
    return { ok, source: dec.source, rows: dec.rows.map((r) => Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString('hex')) };
  } catch (e) {
    const err = e as Error & { code?: string; field?: number };
    return { ok: false, error: `${err.constructor.name} ${err.code} ${err.field} ${err.message}` };
  }
}

/**
 * A worker's way (session 11): decodeLine on the chunk in the kernel's memory, the record's end not
 * known; when it hands the record back (-1), decode on b[start, end) as before. Its '\n' must be `lf`.
 */
let byLineDecoded = 0;
function lineOutcome(dec: VcfDecoder, b: Uint8Array, start: number, limit: number, end: number, lf: number): Outcome {
  try {
    const at = dec.decodeLine(b, start, limit);
    if (at >= 0) {
      byLineDecoded++;
      if (at !== lf) return { ok: false, error: `decodeLine ended the record at ${at}, not at ${lf}` };
      return { ok: true, source: dec.source, rows: dec.rows.map((r) => Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString('hex')) };
    }
  } catch (e) {
    const err = e as Error & { code?: string; field?: number };
    return { ok: false, error: `${err.constructor.name} ${err.code} ${err.field} ${err.message}` };
  }
  return outcome(dec, b, start, end);
}

// Sample subfield texts: the shapes imputation servers write and every unusual one next to them.
const GT = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('0/0', '0/1', '1/1', '0|1', '1|0', '0|0', '1|1') },
  { weight: 3, arbitrary: fc.constantFrom('0', '1', '.', './.', '.|.', '0/.', './1') },
  { weight: 1, arbitrary: fc.constantFrom('', '0/', '/1', '01', '.1', '0.', '1/1/1', '0/1/.', '2/1', '0/2', '10/1', 'a', '0 /1', '0//1', '..', '1/.|0') },
);
const digits = (min: number, max: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));
const DECIMAL = fc.tuple(digits(0, 3), fc.boolean(), digits(0, 17)).map(([i, dot, f]) => (dot ? `${i}.${f}` : `${i}${f}`));
const DS = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('0', '2', '1', '1.0000', '0.5', '1.99915', '0.00006', '0.000061035', '1.5000305', '0.99997', '2.000', '.') },
  { weight: 5, arbitrary: DECIMAL },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('0', '1', '2', '0.5', '3', '-0', '+1'), fc.constantFrom('', 'e0', 'e-1', 'E1', 'e+0', ',0.5', 'x', '.')).map(([a, b]) => a + b) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', '-0', '-0.0', '+2', '1e-320', 'nan', 'Inf', '..', '.5', '5.', '2.0000000000000001', '1.99999999999999999', '0.0000000000000001', '2.1', '3', '1.00003051757812'),
  },
);
const HDS = fc.constantFrom('0.5,0.5', '1,1', '0.99957,0.99957', '0.3', '.', '.,.');
const GP = fc.constantFrom('1,0,0', '0.2,0.5,0.3', '0,0,1', '.');
const WILD: Record<string, fc.Arbitrary<string>> = { GT, DS, HDS, GP, XX: fc.constantFrom('abc', '', 'a:b') };
// The shapes of a well-formed record (most records of a real file), so that most go through the kernel.
const TAME: Record<string, fc.Arbitrary<string>> = {
  ...WILD,
  GT: fc.constantFrom('0/0', '0/1', '1/1', '0|1', '1|0', '0/0', '0/1', '1/1', '0|1', '1|0', '0', '1', '.', './.'),
  DS: fc.oneof(
    fc.constantFrom('0', '1', '2', '.', '1.0000'),
    fc.tuple(fc.constantFrom('0', '1'), digits(0, 7)).map(([i, f]) => (f ? `${i}.${f}` : i)),
  ),
  XX: fc.constantFrom('abc', ''),
};

/** A FORMAT string: DS almost always (the kernel's case), GT usually, others in any order. */
const FORMAT = fc
  .tuple(fc.boolean(), fc.integer({ min: 0, max: 19 }), fc.subarray(['HDS', 'GP', 'XX']), fc.integer({ min: 0, max: 100 }))
  .chain(([noGT, noDS, extra, seed]) => {
    const keys = [...(noGT && seed % 4 === 0 ? [] : ['GT']), ...(noDS === 0 ? [] : ['DS']), ...extra];
    return fc.shuffledSubarray(keys, { minLength: keys.length, maxLength: keys.length });
  })
  .filter((k) => k.length > 0);

interface Rec {
  text: string;
  n: number;
}

// Mostly one ALT and the header's column count; sometimes two ALTs, none ('.'), one column fewer,
// one more, or an empty one after the last (a trailing TAB: 2).
const ALT = fc.constantFrom(...Array<string>(10).fill('C'), 'C,G', '.');
const COLUMNS = fc.constantFrom(...Array<number>(12).fill(0), -1, 1, 2);

/** A record of n samples (the header's count) in some FORMAT. */
const recordOf = (n: number): fc.Arbitrary<Rec> =>
  fc.tuple(FORMAT, ALT, COLUMNS, fc.boolean()).chain(([keys, alt, colDelta, wild]) => {
    // Each sample: its subfields (sometimes fewer than FORMAT lists, sometimes one more).
    const value = wild ? WILD : TAME;
    const sample = fc
      .tuple(fc.tuple(...keys.map((k) => value[k])), fc.constantFrom(0, 0, 0, 0, 0, 0, 1, 2, -1))
      .map(([vals, cut]) => (cut === 0 ? vals : cut === -1 ? [...vals, '9'] : vals.slice(0, Math.max(0, vals.length - cut))).join(':'));
    return fc.array(sample, { minLength: Math.max(0, n + colDelta), maxLength: Math.max(0, n + colDelta) }).map((samples) => {
      const cols = ['22', '16050075', 'rs1', 'A', alt, '.', 'PASS', '.', keys.join(':'), ...samples];
      // colDelta 2: an empty column after the last (a trailing TAB).
      return { text: colDelta === 2 ? `${cols.slice(0, 9 + n).join('\t')}\t` : cols.join('\t'), n };
    });
  });

// A run of 1-4 records through one decoder (its FORMAT cache, scratch and kernel carry over).
const RECORDS = fc.integer({ min: 1, max: 6 }).chain((n) => fc.array(recordOf(n), { minLength: 1, maxLength: 4 }));

t.test('wasm (copied, in its own memory, or by line without the record end) and JavaScript give bit-identical rows and the same errors on random records', async (t) => {
  let kernel = 0;
  let handedBack = 0;
  let records = 0;
  for (const round of [true, false]) {
    fc.assert(
      fc.property(RECORDS, fc.constantFrom('', 'junk\n', '#x\t\t\n'), fc.constantFrom('\n', '\n', '\n', '\r\n'), (recs, prefix, eol) => {
        const n = recs[0].n;
        const wasm = new VcfDecoder({ nSamples: n, plink2Precision: round, wasm: true });
        const js = new VcfDecoder({ nSamples: n, plink2Precision: round, wasm: false });
        // Session 9: a worker inflates its chunk into the kernel's memory (chunkBuffer) and the
        // records are decoded there, the end byte turned into the TAB sentinel for the call.
        const inPlace = new VcfDecoder({ nSamples: n, plink2Precision: round, wasm: true });
        const byLine = new VcfDecoder({ nSamples: n, plink2Precision: round, wasm: true });
        for (const { text } of recs) {
          // The record inside a larger chunk: decode reads only b[start, end) (a '\r' before the
          // '\n' is not the record's, as vcfLines cuts it).
          const b = Buffer.from(`${prefix}${text}${eol}next\t1\t2\n`, 'latin1');
          const start = prefix.length;
          const end = start + text.length;
          const a = outcome(wasm, b, start, end);
          const j = outcome(js, b, start, end);
          const mem = inPlace.chunkBuffer(b.length)!;
          mem.set(b);
          const m = outcome(inPlace, mem, start, end);
          const lineMem = byLine.chunkBuffer(b.length)!;
          lineMem.set(b);
          const l = lineOutcome(byLine, lineMem, start, b.length, end, end + eol.length - 1);
          records++;
          if (JSON.stringify(a) !== JSON.stringify(j) || JSON.stringify(m) !== JSON.stringify(j) || JSON.stringify(l) !== JSON.stringify(j)) {
            t.fail(`differ on ${JSON.stringify(text)}: ${JSON.stringify(a)} / in place ${JSON.stringify(m)} / by line ${JSON.stringify(l)} vs ${JSON.stringify(j)}`);
            return false;
          }
          if (!Buffer.from(mem).equals(b) || !Buffer.from(lineMem).equals(b)) {
            t.fail(`the chunk changed: ${JSON.stringify(text)}`);
            return false;
          }
        }
        kernel += wasm.wasmRecords;
        handedBack += wasm.wasmFallbacks;
        return js.wasmRecords + js.wasmFallbacks === 0 && inPlace.wasmRecords === wasm.wasmRecords && inPlace.wasmFallbacks === wasm.wasmFallbacks;
      }),
      { numRuns: 1500, seed: round ? 302 : 303 },
    );
  }
  // Not vacuous: the kernel took many records and handed many back.
  t.ok(kernel > records / 4, `the kernel decoded ${kernel} of ${records} records`);
  t.ok(handedBack > records / 20, `and handed ${handedBack} back to JavaScript`);
  t.ok(byLineDecoded > records / 5, `decodeLine: the kernel decoded ${byLineDecoded} records without their end`);
});

t.test('the kernel takes the common shapes (it is not silently bypassed)', async (t) => {
  const cases: [string, number[]][] = [
    ['GT:DS:HDS\t0/1:1.0001:0.50006,0.50006\t1/1:2:1,1\t0|0:0:0,0', [1.0001220703125, 2, 0]],
    ['DS:GT\t.:0/1\t0.5:1\t.:.', [1, 1, NaN]],
    ['GT:DS\t1\t0:\t./.:1.5', [2, NaN, 1.5]],
  ];
  for (const [cols, want] of cases) {
    const dec = new VcfDecoder({ nSamples: want.length, plink2Precision: true, wasm: true });
    const b = Buffer.from(`1\t10\t.\tA\tG\t.\t.\t.\t${cols}`, 'latin1');
    if (cols.startsWith('GT:DS\t1\t0:')) {
      // '0:' has an empty DS: the kernel hands it back, JavaScript says why.
      t.throws(() => dec.decode(b, 0, b.length), /DS '' does not parse/);
      t.equal(dec.wasmFallbacks, 1);
      continue;
    }
    t.ok(dec.decode(b, 0, b.length));
    t.same([...dec.rows[0]], want, cols);
    t.equal(dec.wasmRecords, 1, `${cols}: decoded by the kernel`);
  }
});

t.test('regression: a kernel for 40,000 samples (output larger than its first memory page) and records longer than its memory: the same rows', async (t) => {
  const shapes = ['0/1:1.0001:0.5,0.5', '1/1:2:1,1', './.:.:.,.', '0|0:0.00006:0,0', '1:0.5:0.5', '0/1:1.99915:0.99957,0.99957'];
  const line = (n: number, shift: number) => `1\t10\tr\tA\tG\t.\t.\t.\tGT:DS:HDS\t${Array.from({ length: n }, (_, i) => shapes[(i * 7 + shift) % shapes.length]).join('\t')}`;
  for (const n of [5000, 40000]) {
    const wasm = new VcfDecoder({ nSamples: n, plink2Precision: true, wasm: true });
    const js = new VcfDecoder({ nSamples: n, plink2Precision: true, wasm: false });
    for (let r = 0; r < 3; r++) {
      const b = Buffer.from(line(n, r), 'latin1');
      const [a, j] = [outcome(wasm, b, 0, b.length), outcome(js, b, 0, b.length)];
      t.ok(a.ok && JSON.stringify(a) === JSON.stringify(j), `${n} samples (${b.length} bytes), record ${r + 1}: ${a.error ?? 'the same rows'}`);
    }
    t.equal(wasm.wasmRecords, 3, `${n} samples: by the kernel`);
  }
});

t.test("regression (session 9): a BGZF chunk inflated into the kernel's memory gives the rows of the JavaScript path, chunk after chunk; a hostile ISIZE stays an error", async (t) => {
  const n = 7;
  // A DS with an exponent: the kernel hands that record back to the JavaScript path.
  const shapes = ['0/1:1.0001:0.5,0.5', '1/1:2:1,1', './.:.:.,.', '0|0:0.00006:0,0', '1:0.5:0.5', '0/1:1.99915:0.99957,0.99957', '0/0:0:0,0', '0/1:5e-1:0.25,0.25'];
  const lines: string[] = [];
  for (let v = 0; v < 120; v++) {
    const alt = v % 17 === 5 ? 'C,G' : 'C'; // multi-allelic records: the JavaScript path, in the same chunk
    const cols = Array.from({ length: n }, (_, i) => (alt === 'C' ? shapes[(v * 3 + i * 5) % (v % 11 === 3 ? 8 : 7)] : ['0/2:1,1:0.5,0.5', '1|2:0.5,1.25:0.5,0.5', './.:.,.:.'][(v + i) % 3]));
    lines.push(['1', String(1000 + v), `rs${v}`, 'A', alt, '.', '.', '.', 'GT:DS:HDS', ...cols].join('\t'));
  }
  const text = Buffer.from(`${lines.join('\n')}\n`, 'latin1');
  const values = new Float64Array(n).map((_, i) => Math.sin(i + 1) * 3);
  const init = (): WorkerInit => ({
    model: buildModel(n, [{ name: 'y', values }], []),
    filters: { minInfo: 0, maxInfo: Infinity, minMaf: 0 },
    nSamples: n,
    digits: 7,
    biallelicOnly: false,
    regions: [],
    vcf: { exact: false },
  });
  const rowsOf = (r: WorkerResponse) => (r.kind === 'rows' ? Buffer.from(r.phenos[0].text).toString('latin1') : `error ${r.message}`);
  // Blocks of 700 bytes, chunks of 4 blocks: records span blocks and chunks (heads and tails).
  const z = toBgzf(text, 700);
  const blocks: [number, number][] = [];
  for (let p = 0; p + 28 < z.length; ) {
    const len = z.readUInt16LE(p + 16) + 1;
    blocks.push([p, p + len]);
    p += len;
  }
  const chunkReq = (i: number): Extract<Parameters<RowFormatter['vcf']>[0], { kind: 'vcf' }> => {
    const s = blocks[i][0];
    const e = blocks[Math.min(i + 3, blocks.length - 1)][1];
    return { kind: 'vcf', seq: i, buf: new Uint8Array(z.subarray(s, e)).buffer, length: e - s, bgzf: true, fileOffset: s };
  };
  const run = (f: RowFormatter) => {
    const out: string[] = [];
    for (let i = 0; i < blocks.length; i += 4) {
      const r = f.vcf(chunkReq(i));
      out.push(`${rowsOf(r)}|${Buffer.from(r.vcfHead ?? []).toString('latin1')}|${r.kind === 'rows' ? Buffer.from(r.vcfTail ?? []).toString('latin1') : ''}`);
    }
    return out;
  };
  // The decoders are made at the first chunk, which decides WebAssembly or not.
  const wasmF = new RowFormatter(init());
  const withKernel = run(wasmF);
  const prev = process.env.DOSAGEFLOW_NO_WASM;
  process.env.DOSAGEFLOW_NO_WASM = '1';
  let without: string[];
  try {
    without = run(new RowFormatter(init()));
  } finally {
    if (prev === undefined) delete process.env.DOSAGEFLOW_NO_WASM;
    else process.env.DOSAGEFLOW_NO_WASM = prev;
  }
  t.equal(withKernel.length, Math.ceil(blocks.length / 4));
  for (let k = 0; k < withKernel.length; k++) t.equal(withKernel[k], without[k], `chunk ${k + 1}: the same rows and partial lines`);
  const dec = (wasmF as unknown as { vcfDec: VcfDecoder }).vcfDec;
  t.ok(dec.wasmRecords > 50 && dec.wasmFallbacks > 3, `the kernel decoded ${dec.wasmRecords} records in its memory, handed ${dec.wasmFallbacks} back`);
  // A block declaring 4 GiB - 1 of data: not a 4 GiB buffer in the kernel's memory, the same error as before.
  const bad = new Uint8Array(z.subarray(0, blocks[1][1]));
  const isz = blocks[0][1] - 4;
  bad[isz] = bad[isz + 1] = bad[isz + 2] = bad[isz + 3] = 0xff;
  const r = new RowFormatter(init()).vcf({ kind: 'vcf', seq: 0, buf: bad.buffer, length: bad.length, bgzf: true, fileOffset: 0 });
  t.equal(r.kind, 'error');
  t.match(r.kind === 'error' ? r.message : '', /declares 4294967295 bytes of data \(at most 65536\)/);
});

// The plink2 goldens of test/vcf.test.ts, with the kernel and with DOSAGEFLOW_NO_WASM=1: the same bytes.
t.test('GT:DS, GT:DS:HDS, reordered FORMAT, haploid: the same tables with and without the kernel, equal to plink2', async (t) => {
  const V = (f: string) => fixture('vcf', f);
  const dir = tmpDir('vcf-wasm');
  for (const name of ['ds', 'hds', 'reordered', 'haploid']) {
    const tables: string[] = [];
    for (const env of [{}, { DOSAGEFLOW_NO_WASM: '1' }]) {
      const out = path.join(dir, `${name}${Object.keys(env).length ? '-js' : ''}`);
      const r = runCli(['assoc', '--vcf', V(`${name}.vcf.gz`), '--pheno', V('pheno.tsv'), '--covar', V('covar.tsv'), '--pheno-name', 'resp', '--threads', '1', '--out', out, '--no-progress'], { env });
      t.equal(r.status, 0, `${name}: exit 0 (${r.stderr.trim().split('\n')[0]})`);
      tables.push(fs.readFileSync(`${out}.resp.tsv`, 'latin1'));
      const g = readTable(V(`golden/${name}.resp.glm.linear`));
      const e = g.header.indexOf('ERRCODE');
      g.rows = g.rows.filter((row) => row[e] !== 'VIF_TOO_HIGH');
      t.same(compareWithPlink2(readTable(`${out}.resp.tsv`), g).problems, [], `${name}${Object.keys(env).length ? ' (no wasm)' : ''}: equal to plink2`);
    }
    t.equal(tables[0], tables[1], `${name}: identical bytes`);
  }
  // The fixtures are decoded by the kernel (not all handed back): hds.vcf.gz record by record.
  const text = zlib.gunzipSync(fs.readFileSync(V('hds.vcf.gz')));
  const dec = new VcfDecoder({ nSamples: 50, plink2Precision: true, wasm: true });
  for (const line of text.toString('latin1').split('\n')) if (line && line[0] !== '#') dec.decode(Buffer.from(line, 'latin1'), 0, line.length);
  t.ok(dec.wasmRecords >= 100, `hds.vcf.gz: ${dec.wasmRecords} records by the kernel, ${dec.wasmFallbacks} by JavaScript`);
});
