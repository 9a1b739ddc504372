// The fast paths added for throughput, each checked against the straightforward code it replaces:
// byte formatting (writeG) against fmtG, the table-driven .gen probability decoder against plain
// parse-and-round, and direct file chunking (fileLineChunks) against the stream chunker.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compress as zstdCompress } from 'zstd-napi';
import { fmtG, fmtPFromLog, writeG, writePFromLog, writeUint } from '../src/stats/format.js';
import { GenLineDecoder } from '../src/formats/gen/decode.js';
import { roundHalfEven as rhe } from '../src/stats/round.js';
import type { VariantMeta } from '../src/formats/types.js';
import { chunkLines } from '../src/pipeline/chunker.js';
import { fileLineChunks } from '../src/io/line-chunks.js';
import { InputError } from '../src/errors.js';
import { fixture, runCli, tmpDir, decodeMessage } from './lib/helpers.js';
import { mulberry32 as rng } from '../src/sim/random.js';

const latin1 = new TextDecoder('latin1');

/** writeG against fmtG: check(x, d) counts the value (st.n) and reports the first few that differ (st.bad). */
function fmtChecker(t: Test) {
  const out = new Uint8Array(64);
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  const st = { n: 0, bad: 0 };
  const check = (x: number, d: number) => {
    st.n++;
    const o = writeG(out, 0, x, d);
    const got = latin1.decode(out.subarray(0, o));
    if (got !== fmtG(x, d) && st.bad++ < 5) t.equal(got, fmtG(x, d), `${x} at ${d} digits`);
  };
  return { out, f64, u32, st, check };
}

t.test('writeG writes exactly fmtG text', async (t) => {
  const r = rng(7);
  const { out, f64, u32, st, check } = fmtChecker(t);
  const specials = [
    0,
    -0,
    NaN,
    Infinity,
    -Infinity,
    1,
    9.9999996,
    9.99999949,
    0.5,
    1e-7,
    1e-6,
    9.999999e-7,
    0.000123456789,
    123456.75,
    1234567,
    12345678,
    1e21,
    1e-300,
    5e-324,
    1.7976931348623157e308,
    0.1,
    0.3,
    999999.95,
    9999999.5,
    1.0000005,
    2.5e-7,
    0.45,
  ];
  for (const x of specials)
    for (const d of [3, 6, 7, 8, 9, 10, 15, 17]) {
      check(x, d);
      check(-x, d);
    }
  for (let i = 0; i < 200_000; i++) {
    const d = [3, 6, 7, 7, 7, 8, 9, 12][i % 8];
    let x: number;
    switch (i % 5) {
      case 0:
        x = (r() - 0.5) * 10 ** (Math.floor(r() * 40) - 20);
        break;
      case 1:
        u32[0] = Math.floor(r() * 2 ** 32);
        u32[1] = Math.floor(r() * 2 ** 32);
        x = f64[0];
        break;
      case 2:
        // Decimal ties at the printed precision.
        x = (Math.floor(r() * 2e7) + 0.5) / 10 ** Math.floor(r() * 14);
        break;
      case 3:
        x = Math.round(r() * 1e7) / 10 ** Math.floor(r() * 12);
        break;
      default:
        x = r();
    }
    check(x, d);
  }
  for (let i = 0; i < 20_000; i++) {
    const lp = -r() * 900;
    st.n++;
    const o = writePFromLog(out, 0, lp, 7);
    if (latin1.decode(out.subarray(0, o)) !== fmtPFromLog(lp, 7) && st.bad++ < 10) t.equal(latin1.decode(out.subarray(0, o)), fmtPFromLog(lp, 7), `log p ${lp}`);
  }
  for (const v of [0, 1, 9, 10, 99, 100, 101, 999, 1000, 123456789, 2 ** 31 - 1, 2 ** 31, 2 ** 53 - 1]) {
    const o = writeUint(out, 0, v);
    t.equal(latin1.decode(out.subarray(0, o)), String(v));
  }
  t.equal(st.bad, 0, `${st.n} values formatted as fmtG does`);
});

t.test('writeG equals fmtG on a second random set: near-ties, powers of ten, extreme exponents, digits 1-9', async (t) => {
  // Aimed at the exponent estimate from the double's bits (off by one below a power of ten), the
  // carry into the next power of ten, and the placement of the point and trimmed zeros.
  const r = rng(2024);
  const { out, f64, u32, st, check } = fmtChecker(t);
  for (let i = 0; i < 300_000; i++) {
    const d = 1 + (i % 9);
    const sc = 10 ** (Math.floor(r() * 40) - 20 - d);
    let x: number;
    switch (i % 7) {
      case 0:
        x = (r() - 0.5) * 10 ** (Math.floor(r() * 60) - 30);
        break;
      case 1:
        // Decimal ties at d digits, and just off them.
        x = (Math.floor(r() * 10 ** d) + 0.5 + (r() - 0.5) * 1e-9 * Math.floor(r() * 3)) * sc;
        break;
      case 2: {
        // Powers of ten, exact and a few ulps either side.
        const p = 10 ** (Math.floor(r() * 600) - 300);
        f64[0] = p;
        u32[0] += Math.floor(r() * 7) - 3;
        x = f64[0];
        break;
      }
      case 3:
        // Just under 10^d at the printed precision: rounds up to the next power of ten, or not.
        x = (10 ** d - 0.5 + (r() - 0.5) * 1e-5) * sc;
        break;
      case 4:
        // Tiny and huge: the plain range's edges and the exact fallback beyond them.
        x = (1 + r() * 9) * 10 ** (Math.floor(r() * 620) - 310);
        break;
      case 5:
        // Short decimals (trailing zeros to trim) in and around the fixed-point range.
        x = Number((r() * 10).toPrecision(1 + Math.floor(r() * d))) * 10 ** (Math.floor(r() * 16) - 8);
        break;
      default:
        u32[0] = Math.floor(r() * 2 ** 32);
        u32[1] = Math.floor(r() * 2 ** 32);
        x = f64[0];
    }
    check(x, d);
    check(-x, d);
  }
  for (const d of [1, 2, 3, 4, 5, 6, 7, 8, 9]) for (let k = -10; k <= 10; k++) for (const m of [1, 9.5, 9.999999999, 0.99999999999]) check(m * 10 ** k, d);
  for (let i = 0; i < 100_000; i++) {
    const v = Math.floor(r() * 10 ** Math.floor(r() * 16));
    const o = writeUint(out, 0, v);
    st.n++;
    if (latin1.decode(out.subarray(0, o)) !== String(v) && st.bad++ < 5) t.equal(latin1.decode(out.subarray(0, o)), String(v));
  }
  t.equal(st.bad, 0, `${st.n} values formatted as fmtG (writeUint: String) does`);
});

t.test('writeG equals fmtG at the edge of its tie guard (scaled fraction 0.5 +- 1e-6) and at every sign and point layout', async (t) => {
  // The guard is one compare of |fraction - 0.5| (session 12, 0302): values just inside it go to
  // toPrecision, just outside it are rounded by floor(y + 0.5), so both sides must print alike.
  const r = rng(12);
  const { st, check } = fmtChecker(t);
  for (let i = 0; i < 100_000; i++) {
    const d = [3, 6, 7, 7, 9][i % 5];
    const off = [0.999e-6, 1.001e-6, 1.5e-6, 2e-6, 0.5e-6][(i >> 3) % 5] * (i & 1 ? 1 : -1);
    const scaled = 10 ** (d - 1) + Math.floor(r() * 9 * 10 ** (d - 1)) + 0.5 + off;
    const x = (scaled / 10 ** Math.floor(r() * 16)) * (i & 2 ? -1 : 1);
    check(x, d);
  }
  t.equal(st.bad, 0, `${st.n} values formatted as fmtG does`);
});

t.test('the .gen probability decoders (JS and WebAssembly) equal parse-and-round for every decimal shape', async (t) => {
  const r = rng(11);
  const n = 40;
  const lines: string[] = [];
  const probs: number[][] = [];
  for (let v = 0; v < 400; v++) {
    const fields = ['1', `snp${v}`, `rs${v}`, String(1000 + v), 'A', 'G'];
    const ps: number[] = [];
    for (let s = 0; s < n; s++) {
      for (let k = 0; k < 3; k++) {
        // 0 to 8 fraction digits (9 digits in all: the parsers' int32 mantissa), '0' or '1' alone,
        // trailing zeros kept; every 50th line has a 9-digit fraction, which only the careful
        // JavaScript path reads.
        const shape = Math.floor(r() * 11);
        let txt: string;
        if (shape === 9) txt = r() < 0.5 ? '0' : '1';
        else if (shape === 10) txt = r() < 0.5 ? '1.0' : '0.00000';
        else txt = r().toFixed(shape);
        if (v % 50 === 49 && s === 0 && k === 0) txt = r().toFixed(9);
        fields.push(txt);
        ps.push(Number(txt));
      }
    }
    lines.push(fields.join(v % 3 === 0 ? '\t' : ' '));
    probs.push(ps);
  }
  const meta: VariantMeta = { chr: '', snp: '', pos: 0, a1: '', a2: '' };
  const d = new Float64Array(n);
  let bad = 0;
  const wasmDecoder = new GenLineDecoder({ wasm: true });
  const jsDecoder = new GenLineDecoder({ wasm: false });
  for (const [quant, wasm] of [
    [true, false],
    [false, false],
    [true, true],
    [false, true],
  ]) {
    for (let v = 0; v < lines.length; v++) {
      const b = new TextEncoder().encode(lines[v] + '\n');
      const dec = wasm ? wasmDecoder : jsDecoder;
      const err = decodeMessage(() => dec.line(b, 0, b.length - 1, { nSamples: n, plink2Precision: quant }, d, meta));
      if (err !== null) {
        t.fail(err);
        continue;
      }
      for (let s = 0; s < n; s++) {
        const [p0, p1, p2] = probs[v].slice(3 * s, 3 * s + 3);
        let want: number;
        if (quant) {
          const a = rhe(p0 * 32768);
          const bq = rhe(p1 * 32768);
          const c = rhe(p2 * 32768);
          const tot = a + bq + c;
          want = tot === 0 ? NaN : rhe(((bq + 2 * c) * 16384) / tot) / 16384;
        } else {
          const sum = p0 + p1 + p2;
          want = sum === 0 ? NaN : (p1 + 2 * p2) / sum;
        }
        if (!Object.is(d[s], want) && bad++ < 5) t.equal(d[s], want, `line ${v} sample ${s} (${quant ? 'plink2' : 'exact'}, ${wasm ? 'wasm' : 'js'})`);
      }
    }
  }
  t.equal(bad, 0, 'every dosage equal');
  // Both passes with the WebAssembly parser take every line but the 8 with a 9-digit fraction.
  t.equal(wasmDecoder.wasmLines, 784, `the WebAssembly parser decoded ${wasmDecoder.wasmLines} of the 800 lines`);
});

async function collect(it: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const c of it) out.push(latin1.decode(c));
  return out;
}

async function failure(p: Promise<unknown>): Promise<InputError | undefined> {
  try {
    await p;
  } catch (e) {
    return e as InputError;
  }
  return undefined;
}

async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

t.test('fileLineChunks cuts plain and zstd files exactly where chunkLines does', async (t) => {
  const dir = tmpDir('chunks');
  const r = rng(3);
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) lines.push('x'.repeat(Math.floor(r() * 300)) + ` line ${i}`);
  // One line far longer than any buffer's slack, to make the buffer grow.
  lines[1500] = 'y'.repeat(300_000);
  for (const finalNewline of [true, false]) {
    const text = Buffer.from(lines.join('\n') + (finalNewline ? '\n' : ''), 'latin1');
    const plain = path.join(dir, `plain${finalNewline}.gen`);
    const zst = path.join(dir, `z${finalNewline}.gen.zst`);
    // Two zstd frames back to back (what `cat a.zst b.zst` makes).
    const half = text.length >> 1;
    fs.writeFileSync(plain, text);
    fs.writeFileSync(zst, Buffer.concat([zstdCompress(text.subarray(0, half)), zstdCompress(text.subarray(half))]));
    for (const target of [1, 7, 4096, 1 << 20]) {
      const want = await collect(chunkLines(once(text), target));
      t.same(await collect(fileLineChunks(plain, target)), want, `plain, target ${target}, final newline ${finalNewline}`);
      t.same(await collect(fileLineChunks(zst, target)), want, `zstd, target ${target}, final newline ${finalNewline}`);
    }
  }
  const empty = path.join(dir, 'empty.gen');
  fs.writeFileSync(empty, '');
  t.same(await collect(fileLineChunks(empty, 100)), [], 'an empty file has no chunks');
});

t.test('fileLineChunks: a cut or damaged zstd file is an input error with the byte offset', async (t) => {
  const dir = tmpDir('chunks-bad');
  const text = Buffer.from(Array.from({ length: 5000 }, (_, i) => `1 s${i} r${i} ${i} A G 0.1 0.2 0.7`).join('\n') + '\n');
  const z = zstdCompress(text);
  const cut = path.join(dir, 'cut.gen.zst');
  fs.writeFileSync(cut, z.subarray(0, z.length - 100));
  const e1 = await failure(collect(fileLineChunks(cut, 4096)));
  t.ok(e1 instanceof InputError, 'an InputError');
  t.match(e1?.message, /^truncated zstd stream: input ended after \d+ compressed bytes$/);
  t.equal(e1?.byteOffset, z.length - 100, 'at the end of the input');
  const bad = Buffer.from(z);
  for (let i = 0; i < 64; i++) bad[(z.length >> 1) + i] ^= 0xa5;
  const dam = path.join(dir, 'damaged.gen.zst');
  fs.writeFileSync(dam, bad);
  const e2 = await failure(collect(fileLineChunks(dam, 4096)));
  t.ok(e2 instanceof InputError, 'an InputError');
  t.match(e2?.message, /^corrupt zstd stream \(/);
  t.type(e2?.byteOffset, 'number');
});

t.test('regression: reused chunk buffers — a stale newline past the filled part is not a line end', async (t) => {
  // Buffers come back from the workers holding old lines; the reader must only cut inside what it
  // has filled (a 1M-variant run merged two lines once the pool started recycling).
  const dir = tmpDir('chunks-reuse');
  const text = Buffer.from(Array.from({ length: 4000 }, (_, i) => `1 s${i} r${i} ${i} A G ${'0.25 0.5 0.25 '.repeat(1 + (i % 7))}`.trim()).join('\n') + '\n');
  const plain = path.join(dir, 'reuse.gen');
  const zst = path.join(dir, 'reuse.gen.zst');
  fs.writeFileSync(plain, text);
  fs.writeFileSync(zst, zstdCompress(text));
  const stale = (n: number) => {
    const b = new Uint8Array(n + 977);
    b.fill(10); // nothing but newlines
    return b;
  };
  for (const target of [1, 100, 4096]) {
    const want = await collect(chunkLines(once(text), target));
    t.same(await collect(fileLineChunks(plain, target, stale)), want, `plain, target ${target}`);
    t.same(await collect(fileLineChunks(zst, target, stale)), want, `zstd, target ${target}`);
  }
});

t.test('DOSAGEFLOW_NO_WASM=1 (JavaScript parser and dot products) writes the same bytes', async (t) => {
  const dir = tmpDir('nowasm');
  const run = (tag: string, env: NodeJS.ProcessEnv) => {
    const out = path.join(dir, tag);
    const r = runCli(
      [
        'assoc',
        '--gen',
        fixture('assoc/small.gen'),
        '--sample',
        fixture('assoc/small.sample'),
        '--pheno',
        fixture('assoc/small.pheno'),
        '--covar',
        fixture('assoc/small.covar'),
        '--threads',
        '2',
        '--chunk-size',
        '20000',
        '--out',
        out,
        '--no-progress',
      ],
      { env },
    );
    t.equal(r.status, 0, `${tag}: exit 0 (${r.stderr.trim().split('\n')[0]})`);
    return fs
      .readdirSync(dir)
      .filter((f) => f.startsWith(`${tag}.`) && !f.endsWith('.log'))
      .sort()
      .map((f) => [f.slice(tag.length), fs.readFileSync(path.join(dir, f), 'latin1')]);
  };
  const wasm = run('wasm', {});
  const js = run('js', { DOSAGEFLOW_NO_WASM: '1' });
  t.ok(wasm.length >= 2, 'one table per phenotype');
  t.same(js, wasm, 'identical tables');
});
