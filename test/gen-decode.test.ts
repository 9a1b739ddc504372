// The .gen decoder and the line chunker: records straddling chunk edges, layouts, odd numbers,
// and the messages for malformed lines.
import t from 'tap';
import * as fs from 'node:fs';
import { chunkLines } from '../src/pipeline/chunker.js';
import { GenLineDecoder, type GenLayout } from '../src/formats/gen/decode.js';
import { GenArena, claimGenArenaPlace } from '../src/pipeline/gen-arena.js';
import { mulberry32 } from '../src/sim/random.js';
import type { VariantMeta } from '../src/formats/types.js';
import { decodeMessage, fixture } from './lib/helpers.js';

const enc = new TextEncoder();
const wasmDecoder = new GenLineDecoder({ wasm: true });
const jsDecoder = new GenLineDecoder({ wasm: false });

function decode(line: string, layout: GenLayout): { err: string | null; meta: VariantMeta; d: number[] } {
  const b = enc.encode(line);
  const d = new Float64Array(layout.nSamples);
  const meta: VariantMeta = { chr: '', snp: '', pos: 0, a1: '', a2: '' };
  const err = decodeMessage(() => wasmDecoder.line(b, 0, b.length, layout, d, meta));
  return { err, meta, d: Array.from(d) };
}

/** Straightforward reference: split on whitespace, parseFloat. */
function referenceDosages(text: string, n: number): number[][] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const f = l.trim().split(/\s+/);
      const out: number[] = [];
      for (let s = 0; s < n; s++) {
        const [a, b, c] = f.slice(6 + 3 * s, 9 + 3 * s).map(Number);
        const sum = a + b + c;
        out.push(sum === 0 ? NaN : (b + 2 * c) / sum);
      }
      return out;
    });
}

async function* pieces(buf: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, Math.min(buf.length, i + size));
}

t.test('records straddling 1-, 7- and 4096-byte reads decode as a straightforward parse', async (t) => {
  const full = fs.readFileSync(fixture('assoc/small.gen'));
  const n = 120;
  for (const read of [1, 7, 4096]) {
    // 1-byte reads of the whole file take seconds; 20 lines straddle plenty of edges.
    const raw = read === 1 ? full.subarray(0, full.indexOf(10, 54000) + 1) : full;
    const want = referenceDosages(raw.toString('latin1'), n);
    for (const target of [1, 7, 4096, 1 << 20]) {
      const got: number[][] = [];
      let total = 0;
      for await (const chunk of chunkLines(pieces(raw, read), target)) {
        total += chunk.length;
        t.equal(chunk.byteOffset, 0);
        t.equal(chunk.buffer.byteLength, chunk.length, 'each chunk owns an exactly sized (transferable) buffer');
        const text = Buffer.from(chunk).toString('latin1');
        for (const line of text.split('\n')) {
          if (!line) continue;
          const r = decode(line, { nSamples: n, plink2Precision: false });
          if (r.err) t.fail(r.err);
          got.push(r.d);
        }
      }
      t.equal(total, raw.length, `read ${read}, target ${target}: every byte once`);
      t.same(got, want, `read ${read}, target ${target}: dosages equal the reference parse`);
    }
  }
});

t.test('chunks end on line boundaries; a final line without newline is kept', async (t) => {
  const text = 'a 1\nbb 2\nccc 3';
  const out: string[] = [];
  for await (const c of chunkLines(pieces(enc.encode(text), 3), 2)) out.push(Buffer.from(c).toString());
  t.equal(out.join(''), text);
  for (const c of out.slice(0, -1)) t.ok(c.endsWith('\n'), JSON.stringify(c));
});

t.test('layouts, normalisation, missing and number forms', async (t) => {
  const L = { nSamples: 3, plink2Precision: false };
  let r = decode('01 snp1 rs1 100 A G 1 0 0 0 1 0 0 0 1', L);
  t.equal(r.err, null);
  t.same(r.meta, { chr: '01', snp: 'rs1', pos: 100, a1: 'G', a2: 'A' }, 'A1 is the second allele (B), SNP is the rsid');
  t.same(r.d, [0, 1, 2]);
  r = decode('1 snp1 . 100 A G 0 0 0 0 0 0.9 0.2 0.2 0.1', L);
  t.equal(r.meta.snp, 'snp1', 'rsid "." falls back to the SNP id');
  t.ok(Number.isNaN(r.d[0]), 'all-zero probabilities are missing');
  t.equal(r.d[1], 2, '0 0 0.9 is normalised to 2 (as plink2)');
  t.ok(Math.abs(r.d[2] - 0.8) < 1e-15);
  r = decode('1 s r 5 A G 1e-1 9.0E-1 0 .5 0.5 0 1.000000 0 0\r', L);
  t.equal(r.err, null, 'exponents, leading dots and a trailing CR');
  t.ok(Math.abs(r.d[0] - 0.9) < 1e-15);
  t.ok(Math.abs(r.d[1] - 0.5) < 1e-15);
  r = decode('s r 5 A G 1 0 0 0 1 0 0 0 1', { ...L, chr: '7' });
  t.equal(r.err, null, 'old layout with --chr');
  t.equal(r.meta.chr, '7');
  r = decode('1\ts\tr\t5\tA\tG\t1\t0\t0\t0  1 0 0 0 1', L);
  t.equal(r.err, null, 'tabs and repeated spaces');
});

t.test('plink2 precision: probabilities to 1/32768, dosage to 1/16384, ties to even', async (t) => {
  const L = { nSamples: 2, plink2Precision: true };
  const r = decode('1 s r 5 A G 0.0278015 0.00863647 0.963531 0 0 0.9', L);
  t.equal(r.d[0], 31715 / 16384, 'the value plink2 stores for sample_002 of the BGEN example');
  t.equal(r.d[1], 2);
  // Ties at 1/32768: 16384.5 and 16383.5 quanta both go to 16384 (even), as plink2: dosage 1.5.
  t.equal(decode(`1 s r 5 A G 0 ${0.5 + 1 / 65536} ${0.5 - 1 / 65536} 0 1 0`, L).d[0], 1.5);
});

t.test('malformed lines give one clear message', async (t) => {
  const L = { nSamples: 2, plink2Precision: false };
  t.match(decode('1 s r 5 A G 1 0 0 0', L).err, /too few fields: found 10, expected 12 \(6 \+ 3 x 2 samples\)/);
  t.match(decode('1 s r 5 A G 1 0 0 0 1 0 0', L).err, /too many fields: found 13, expected 12/);
  t.match(decode('1 s r 5 A G 1 0 0 0 1 0 0 0 1', L).err, /too many fields.*that is 3 samples: does the \.sample file match\?/);
  t.match(decode('s r 5 A G 1 0 0 0 1 0', L).err, /with 5 leading fields that is 2 samples, but this file's first line has 6/);
  t.match(decode('1 s r 5 A G 1 0 x 0 1 0', L).err, /probability 'x' is not a number \(sample 1, field 9\)/);
  t.match(decode('1 s r 5 A G 1 0 0 0 -0.5 0', L).err, /negative probability '-0\.5' \(sample 2, field 11\)/);
  t.match(decode('1 s r 5 A G 1 0 0 0 1.5 0', L).err, /probability '1\.5' is greater than 1 \(sample 2, field 11\)/);
  t.match(decode('1 s r five A G 1 0 0 0 1 0', L).err, /position 'five' is not a whole number/);
  t.match(decode('1 s r 5 A G 1 0 0 0 1 0', { ...L, chr: '1' }).err, /too many fields: found 12, expected 11.*6 leading fields, but this file's first line has 5/);
});

/** Every line of `chunk` decoded (error text or dosages), by WebAssembly or by the JavaScript paths. */
function decodeChunk(chunk: Uint8Array, layout: GenLayout, wasm: boolean): string[] {
  const n = layout.nSamples;
  const dec = wasm ? wasmDecoder : jsDecoder;
  dec.begin(chunk, n);
  const out: string[] = [];
  const d = new Float64Array(n);
  const meta: VariantMeta = { chr: '', snp: '', pos: 0, a1: '', a2: '' };
  let s = 0;
  while (s <= chunk.length) {
    let e = chunk.indexOf(10, s);
    if (e < 0) e = chunk.length;
    let end = e;
    if (end > s && chunk[end - 1] === 13) end--;
    d.fill(-1);
    const err = decodeMessage(() => dec.decode(s, end, layout, d, meta));
    out.push(err ?? Array.from(d).join(','));
    s = e + 1;
  }
  return out;
}

// The WebAssembly tokenizer reads each probability as one 8-byte word and checks the line's end
// once per sample. It must never take the next line's fields for this line's, nor accept what the
// JavaScript paths reject. Lines of one chunk, damaged in every way we could think of, decoded
// both ways: the same error text or the same dosages.
for (const n of [7, 13]) {
  t.test(`wasm tokenizer: damaged lines in one chunk decode exactly as the JavaScript paths do (${n} samples)`, async (t) => {
    const r = mulberry32(5 + n);
    const odd = [
      '1.0001',
      '1.00000',
      '1.0000',
      '0.5e-1',
      '.5',
      '5.',
      '-0.1',
      'nan',
      '00.5',
      '0.99999',
      '01',
      '1.',
      '0.',
      '2',
      '0.12a',
      '0.1234567',
      '0.123456789',
      '1.000001',
      '0x1',
      '0.5\r',
      '',
      '0.1.2',
      '1..5',
      '0,5',
      '0.5/',
      '0.:1',
      '3.1',
      '/.5',
      '0.0009',
      '1.0',
    ];
    const lines: string[] = [];
    for (let v = 0; v < 600; v++) {
      const toks: string[] = [];
      for (let i = 0; i < 3 * n; i++) toks.push(r() < 0.2 ? (r() < 0.5 ? '0' : '1') : r().toFixed(1 + Math.floor(r() * 4)));
      const kind = v % 12;
      if (kind === 1)
        toks.splice(Math.floor(r() * toks.length), 1); // too few fields
      else if (kind === 2)
        toks.push('0.5'); // too many
      else if (kind === 3 || kind === 9) toks[Math.floor(r() * toks.length)] = odd[Math.floor(r() * odd.length)].replace('\\r', '\r');
      let line = ['2', `s${v}`, `rs${v}`, String(100 + v), 'C', 'T', ...toks].join(kind === 4 ? '\t' : ' ');
      if (kind === 5) line = line.replace(/ /g, () => (r() < 0.1 ? '  ' : ' '));
      if (kind === 6) line += '  ';
      if (kind === 7) line += '\r';
      if (kind === 8) line = line.slice(0, line.length - 1 - Math.floor(r() * 3)); // cut inside a token
      lines.push(line);
    }
    const chunk = enc.encode(lines.join('\n'));
    for (const plink2Precision of [true, false]) {
      const layout: GenLayout = { nSamples: n, plink2Precision };
      const before = wasmDecoder.wasmLines;
      const js = decodeChunk(chunk, layout, false);
      const wasm = decodeChunk(chunk, layout, true);
      t.equal(js.length, lines.length);
      let bad = 0;
      for (let i = 0; i < js.length; i++) if (js[i] !== wasm[i] && bad++ < 5) t.equal(wasm[i], js[i], `line ${i + 1}: ${lines[i].slice(0, 60)}`);
      t.equal(bad, 0, `${lines.length} lines decode alike (${plink2Precision ? 'plink2 precision' : 'exact'})`);
      t.ok(wasmDecoder.wasmLines - before > lines.length / 2, 'the WebAssembly parser took most lines');
      t.ok(js.filter((x) => !/^[-0-9.,N]/.test(x[0] ?? '')).length > 100, 'many lines are rejected');
    }
  });
}

// Every probability with at most 4 decimals, written in each way IMPUTE2 and others write it
// ("0", "1", "0.5", "0.50", "1.0000", ...), at pseudo-random places of a line, with unnormalised
// and all-zero (missing) triples, must give the JavaScript path's dosages bit for bit.
t.test('wasm tokenizer: every 4-decimal probability, in every spelling, and hard calls decode as in JavaScript', async (t) => {
  const n = 13;
  const r = mulberry32(77);
  const spell = (v: number): string => {
    if ((v === 0 || v === 10000) && r() < 0.5) return v === 0 ? '0' : '1';
    let s = (v / 10000).toFixed(4);
    const trim = Math.floor(r() * 4);
    for (let i = 0; i < trim && s.endsWith('0') && s[s.length - 2] !== '.'; i++) s = s.slice(0, -1);
    return s;
  };
  const values: number[] = [];
  for (let v = 0; v <= 10000; v++) values.push(v);
  // Shuffled, so each value lands at a pseudo-random place of a triple and of a group.
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [values[i], values[j]] = [values[j], values[i]];
  }
  const lines: string[] = [];
  let at = 0;
  for (let v = 0; at < values.length; v++) {
    const toks: string[] = [];
    for (let i = 0; i < 3 * n; i++) toks.push(spell(values[at++ % values.length]));
    if (v % 5 === 0) toks.splice(3 * (v % n), 3, '0', '0', '0.0'); // a missing genotype
    lines.push(['1', `s${v}`, `rs${v}`, String(1000 + v), 'A', 'G', ...toks].join(' '));
  }
  // Hard calls: a blank every other byte, eight in a 16-byte block (the index writes four
  // positions unconditionally, then the rest one by one).
  for (let v = 0; v < 20; v++) {
    const toks: string[] = [];
    for (let i = 0; i < n; i++) toks.push(...['1 0 0', '0 1 0', '0 0 1', '0 0 0'][Math.floor(r() * 4)].split(' '));
    lines.push(['1', `h${v}`, `rs${v}`, String(5000 + v), 'A', 'G', ...toks].join(v % 2 ? ' ' : '\t'));
  }
  const chunk = enc.encode(lines.join('\n') + '\n');
  const layout: GenLayout = { nSamples: n, plink2Precision: true };
  const before = wasmDecoder.wasmLines;
  const js = decodeChunk(chunk, layout, false);
  const wasm = decodeChunk(chunk, layout, true);
  t.equal(wasmDecoder.wasmLines - before, lines.length, 'the WebAssembly parser took every line');
  let bad = 0;
  for (let i = 0; i < js.length; i++) if (js[i] !== wasm[i] && bad++ < 5) t.equal(wasm[i], js[i], `line ${i + 1}`);
  t.equal(bad, 0, `${lines.length} lines, ${lines.length * 3 * n} probabilities decode alike`);
  t.ok(
    js.slice(0, -1).every((x) => /^[-0-9.,NaN]+$/.test(x)),
    'no line rejected',
  );
});

// The shared arena (pipeline/gen-arena.ts): the main thread decompresses chunks into its slots and
// a worker parses them where they are. Slots are reused, so bytes of an older, longer chunk lie
// past a chunk's end; the last line of a chunk may lack its newline. Every line must decode as it
// does from a private copy, and in place.
t.test('arena: chunks parsed in place in a reused slot decode exactly as copies do', async (t) => {
  const r = mulberry32(9);
  const n = 5;
  const lines: string[] = [];
  for (let v = 0; v < 300; v++) {
    const toks: string[] = [];
    for (let i = 0; i < 3 * n; i++) toks.push(r() < 0.2 ? (r() < 0.5 ? '0' : '1') : r().toFixed(1 + Math.floor(r() * 5)));
    if (v % 17 === 3) toks.pop(); // too few fields
    if (v % 23 === 5) toks[2] = '0.5x';
    lines.push(['3', `s${v}`, v % 4 === 0 ? '.' : `rs${v}`, String(500 + v), 'A', 'C', ...toks].join(' '));
  }
  const arena = GenArena.create(n, 1, 2, 1 << 16)!;
  t.ok(arena, 'shared WebAssembly memory is available');
  const place = claimGenArenaPlace({ memory: arena.memory, scratchBytes: arena.scratchBytes, places: 1 })!;
  const copying = new GenLineDecoder({ wasm: true });
  const inPlace = new GenLineDecoder({ wasm: true, shared: place });
  for (const plink2Precision of [true, false]) {
    const layout: GenLayout = { nSamples: n, plink2Precision };
    const decodeAll = (dec: GenLineDecoder, b: Uint8Array) => {
      dec.begin(b, n);
      const out: string[] = [];
      const d = new Float64Array(n);
      const meta: VariantMeta = { chr: '', snp: '', pos: 0, a1: '', a2: '' };
      let s = 0;
      while (s < b.length) {
        let e = b.indexOf(10, s);
        if (e < 0) e = b.length;
        out.push(decodeMessage(() => dec.decode(s, e, layout, d, meta)) ?? `${meta.snp} ${meta.pos} ${Array.from(d).join(',')}`);
        s = e + 1;
      }
      return out;
    };
    for (const [from, to] of [
      [0, 300],
      [0, 120],
      [120, 121],
    ]) {
      const text = enc.encode(lines.slice(from, to).join('\n')); // no final newline
      const copied = decodeAll(copying, text.slice());
      const slot = arena.take(text.length)!;
      slot.fill(49); // stale digits ('1') past the chunk, as a reused slot has
      slot.set(text);
      const before = inPlace.inPlaceChunks;
      const inPlaceRows = decodeAll(inPlace, slot.subarray(0, text.length));
      t.equal(inPlace.inPlaceChunks, before + 1, 'read in place');
      arena.give(slot.byteOffset);
      t.same(inPlaceRows, copied, `lines ${from}-${to} (${plink2Precision ? 'plink2' : 'exact'} precision)`);
    }
  }
  t.ok(copying.wasmLines > 0 && inPlace.wasmLines > 0);
});
