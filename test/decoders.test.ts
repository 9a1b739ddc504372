// Decoder objects hold all their state (issue 14): two decoders interleaved line by line on one
// thread give what each gives alone, and a decoder's error is the typed DecodeError.
import t from 'tap';
import { GenLineDecoder, type GenLayout } from '../src/formats/gen/decode.js';
import type { VariantMeta } from '../src/formats/types.js';
import { DecodeError } from '../src/errors.js';
import { mulberry32 } from '../src/sim/random.js';
import { decodeMessage } from './lib/helpers.js';

const enc = new TextEncoder();

/** A chunk of .gen lines for n samples (some with odd shapes the WebAssembly parser leaves to JavaScript, one bad). */
function genChunk(n: number, lines: number, seed: number, chr: string): Uint8Array {
  const r = mulberry32(seed);
  const out: string[] = [];
  for (let v = 0; v < lines; v++) {
    const toks: string[] = [];
    for (let i = 0; i < 3 * n; i++) toks.push(r() < 0.2 ? (r() < 0.5 ? '0' : '1') : r().toFixed(1 + Math.floor(r() * 6)));
    if (v % 9 === 4) toks[1] = '5e-1';
    if (v === 17) toks[2] = 'x';
    out.push([chr, `s${v}`, v % 3 ? `rs${seed}_${v}` : '.', String(1000 + v), 'A', 'G', ...toks].join(' '));
  }
  return enc.encode(out.join('\n'));
}

/** Line spans [start, end) of a chunk. */
function spans(b: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  let s = 0;
  while (s < b.length) {
    let e = b.indexOf(10, s);
    if (e < 0) e = b.length;
    out.push([s, e]);
    s = e + 1;
  }
  return out;
}

function row(dec: GenLineDecoder, s: number, e: number, layout: GenLayout): string {
  const d = new Float64Array(layout.nSamples);
  const meta: VariantMeta = { chr: '', snp: '', pos: 0, a1: '', a2: '' };
  const err = decodeMessage(() => dec.decode(s, e, layout, d, meta));
  return err ?? `${meta.chr} ${meta.snp} ${meta.pos} ${meta.a1} ${meta.a2} ${Array.from(d).join(',')}`;
}

for (const wasm of [true, false]) {
  for (const plink2Precision of [true, false]) {
    t.test(`two .gen decoders interleaved on one thread = each alone (${wasm ? 'WebAssembly' : 'JavaScript'}, ${plink2Precision ? 'plink2' : 'exact'} precision)`, async (t) => {
      const files = [
        { b: genChunk(5, 40, 1, '3'), layout: { nSamples: 5, plink2Precision } },
        { b: genChunk(13, 40, 2, 'X'), layout: { nSamples: 13, plink2Precision } },
      ];
      const alone = files.map((f) => {
        const dec = new GenLineDecoder({ wasm });
        dec.begin(f.b, f.layout.nSamples);
        return spans(f.b).map(([s, e]) => row(dec, s, e, f.layout));
      });
      const decs = files.map(() => new GenLineDecoder({ wasm }));
      decs.forEach((dec, i) => dec.begin(files[i].b, files[i].layout.nSamples));
      const lines = files.map((f) => spans(f.b));
      const together: string[][] = [[], []];
      for (let v = 0; v < 40; v++) {
        for (let i = 0; i < 2; i++) together[i].push(row(decs[i], lines[i][v][0], lines[i][v][1], files[i].layout));
      }
      t.same(together, alone);
      t.match(alone[0][17], /not a number/, 'the bad line is rejected in both');
      if (wasm) t.ok(decs[0].wasmLines > 20 && decs[1].wasmLines > 20, 'the WebAssembly parsers did the work');
    });
  }
}

t.test('a .gen decoder throws the typed DecodeError: code, field; the caller adds file and line', async (t) => {
  const dec = new GenLineDecoder({ wasm: true });
  const b = enc.encode('1 s r 5 A G 1 0 0 0 x 0');
  const meta: VariantMeta = { chr: '', snp: '', pos: 0, a1: '', a2: '' };
  try {
    dec.line(b, 0, b.length, { nSamples: 2, plink2Precision: true }, new Float64Array(2), meta);
    t.fail('no error');
  } catch (e) {
    t.ok(e instanceof DecodeError);
    const d = e as DecodeError;
    t.equal(d.code, 'probability');
    t.equal(d.field, 11);
    const at = d.at({ file: 'x.gen', line: 7 });
    t.ok(at instanceof DecodeError);
    t.same([at.code, at.field, at.file, at.line, at.message], ['probability', 11, 'x.gen', 7, d.message]);
  }
  const short = enc.encode('1 s r 5 A G 1 0 0');
  t.throws(() => dec.line(short, 0, short.length, { nSamples: 2, plink2Precision: true }, new Float64Array(2), meta), { code: 'field-count' });
});

t.test('the VCF decoder throws the same DecodeError shape: code, field (the column); no error strings', async (t) => {
  const { VcfDecoder, parseVcfHeaderLine } = await import('../src/formats/vcf/decode.js');
  const { inflateBlocks } = await import('../src/formats/vcf/bgzf.js');
  const dec = new VcfDecoder({ nSamples: 2, plink2Precision: true });
  const rec = (s: string) => {
    const b = enc.encode(s);
    return () => dec.decode(b, 0, b.length);
  };
  t.equal(rec('1\t5\trs1\tA\tG\t.\tPASS\t.\tDS\t0.5\t1.5')(), true, 'decoded');
  t.same(Array.from(dec.rows[0]), [0.5, 1.5]);
  t.equal(rec('1\t5\trs1\tA\t.\t.\tPASS\t.\tDS\t0.5\t1.5')(), false, 'no ALT: not decoded, no error');
  const cases: [string, string, number, RegExp][] = [
    ['1\t5\trs1\tA\tG', 'field-count', 5, /^5 tab-separated fields; a VCF record has 9 before the samples$/],
    ['1\tx5\trs1\tA\tG\t.\tPASS\t.\tDS\t0.5\t1.5', 'position', 2, /^POS 'x5' is not a whole number$/],
    ['1\t5\trs1\tA\tG\t.\tPASS\t.\tAD\t0.5\t1.5', 'record', 9, /^FORMAT 'AD' has none of DS, GP, HDS, GT$/],
    ['1\t5\trs1\tA\tG\t.\tPASS\t.\tDS\t0.5\t2.5', 'probability', 11, /^sample 2: DS outside \[0, 2\] '2\.5'$/],
    ['1\t5\trs1\tA\tG\t.\tPASS\t.\tDS\t0.5', 'field-count', 11, /^1 sample columns, but the header lists 2$/],
    ['1\t5\trs1\tA\tG\t.\tPASS\t.\tDS\t0.5\t1\t1', 'field-count', 12, /^more sample columns than the 2 the header lists$/],
  ];
  for (const [line, code, field, message] of cases) {
    try {
      rec(line)();
      t.fail(`${line}: no error`);
    } catch (e) {
      t.ok(e instanceof DecodeError, `${code}: a DecodeError`);
      t.match(e, { code, field, message }, line);
      t.match((e as DecodeError).at({ file: 'x.vcf', line: 9 }), { code, field, file: 'x.vcf', line: 9 });
    }
  }
  t.throws(() => parseVcfHeaderLine('#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\tb\ta'), { code: 'record', field: 12, message: /duplicate sample name 'a' \(columns 10 and 12\)/ });
  t.same(parseVcfHeaderLine('#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\tb'), ['a', 'b']);
  // BGZF blocks: the same class, byteOffset the block's offset in the buffer given.
  const junk = new Uint8Array(40).fill(7);
  t.throws(() => inflateBlocks(junk, 20, 40, { buf: new Uint8Array(0) }), { code: 'block', byteOffset: 20, message: /not a BGZF block header/ });
});
