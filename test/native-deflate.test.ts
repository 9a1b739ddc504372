// The optional native inflate (native/deflate.c on the system libdeflate, docs/decisions/0303):
// built wherever libdeflate's header is installed, and indistinguishable from Node's zlib: the same
// bytes for every stream zlib accepts, a refusal for every stream zlib refuses or sizes otherwise,
// and the same tables from the CLI with it and without it (DOSAGEFLOW_NO_NATIVE).
import t from 'tap';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { crc32, nativeDeflate } from '../src/io/native-deflate.js';
import { fixture, runCli, tmpDir } from './lib/helpers.js';

const native = nativeDeflate();
const header = ['/usr/include/libdeflate.h', '/usr/local/include/libdeflate.h'].find((h) => fs.existsSync(h));

t.test('libdeflate is built and loaded wherever its header is installed', async (t) => {
  if (process.env.DOSAGEFLOW_NO_NATIVE) t.equal(native, null, 'DOSAGEFLOW_NO_NATIVE keeps it off');
  else if (header) t.ok(native, `${header} is here, so npm install must have built build/Release/dosageflow_deflate.node`);
  else t.equal(native, null, 'no libdeflate header: Node zlib is used (the other tests of this file are skipped)');
});

/** zlib's verdict on a stream: its bytes when it inflates to exactly `expected`, else null. */
function zlibOutcome(format: 0 | 1, z: Uint8Array, expected: number): Buffer | null {
  try {
    const d = format === 0 ? zlib.inflateRawSync(z) : zlib.inflateSync(z);
    return d.length === expected ? d : null;
  } catch {
    return null;
  }
}

t.test('libdeflate and zlib agree on good, corrupt, truncated and wrongly sized streams', { skip: native ? false : 'libdeflate not built' }, async (t) => {
  if (!native) return;
  let good = 0;
  const DATA = fc.oneof(
    fc.uint8Array({ maxLength: 4000 }),
    fc
      .array(fc.constantFrom(0, 1, 2, 255), { maxLength: 30000 })
      .map((a) => Uint8Array.from(a)), // BGEN-like probabilities
  );
  const HARM = fc.tuple(fc.constantFrom('none', 'none', 'flip', 'cut', 'short', 'long', 'tail'), fc.nat(), fc.integer({ min: 1, max: 255 }));
  fc.assert(
    fc.property(DATA, fc.constantFrom(0 as const, 1 as const), fc.integer({ min: 0, max: 9 }), HARM, (data, format, level, [harm, at, x]) => {
      let z: Uint8Array = format === 0 ? zlib.deflateRawSync(data, { level }) : zlib.deflateSync(data, { level });
      let expected = data.length;
      if (harm === 'flip') z[at % z.length] ^= x;
      if (harm === 'cut') z = z.subarray(0, at % z.length);
      if (harm === 'short') expected = Math.max(0, expected - 1 - (at % 3));
      if (harm === 'long') expected += 1 + (at % 3);
      if (harm === 'tail') z = Buffer.concat([z, Buffer.from([x, at & 255])]); // bytes after the stream: ignored by both
      const want = zlibOutcome(format, z, expected);
      // The input placed at an offset of a larger buffer, the output too, as the decoders call it.
      const input = new Uint8Array(z.length + 7);
      input.set(z, 3);
      const out = new Uint8Array(expected + 9).fill(0xaa);
      const ok = native.inflate(format, input, 3, z.length, out, 5, expected);
      if (ok) good++;
      const same = ok === (want !== null) && (!ok || Buffer.from(out.buffer, 5, expected).equals(want as Buffer));
      if (!same) t.fail(`${harm} format ${format} level ${level}: libdeflate ${ok}, zlib ${want !== null}`);
      return same;
    }),
    { numRuns: 800, seed: 303 },
  );
  t.ok(good > 200, `${good} streams inflated`);
  t.notOk(native.inflate(0, new Uint8Array(4), 2, 5, new Uint8Array(8), 0, 1), 'an input range past the array is refused, not read');
  t.notOk(native.inflate(1, new Uint8Array(4), 0, 4, new Uint8Array(8), 4, 5), 'an output range past the array is refused, not written');
});

t.test('crc32: libdeflate equals zlib', { skip: native ? false : 'libdeflate not built' }, async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 5000 }), fc.nat(), (b, at) => {
      const off = b.length ? at % b.length : 0;
      return crc32(b, off, b.length - off) === zlib.crc32(b.subarray(off));
    }),
    { numRuns: 300, seed: 304 },
  );
  t.pass('300 buffers');
});

t.test('the CLI writes the same tables with libdeflate and with Node zlib (BGEN and BGZF VCF)', { skip: native ? false : 'libdeflate not built' }, async (t) => {
  const dir = tmpDir('native');
  const runs: [string, string[]][] = [
    [
      'bgen',
      ['--bgen', fixture('bgen-quanta', 'b8.bgen'), '--sample', fixture('bgen-quanta', 'q.sample'), '--pheno', fixture('bgen-quanta', 'q.pheno'), '--covar', fixture('bgen-quanta', 'covar.tsv')],
    ],
    ['vcf', ['--vcf', fixture('vcf', 'hds.vcf.gz'), '--pheno', fixture('vcf', 'pheno.tsv'), '--covar', fixture('vcf', 'covar.tsv')]],
  ];
  for (const [name, input] of runs) {
    const outs: string[] = [];
    for (const off of ['', '1']) {
      const out = path.join(dir, `${name}${off}`);
      const r = runCli(['assoc', ...input, '--out', out, '--no-progress', '--threads', '2'], { env: { DOSAGEFLOW_NO_NATIVE: off } });
      t.equal(r.status, 0, `${name} ${off ? 'zlib' : 'libdeflate'}: ${r.stderr.trim().split('\n').pop()}`);
      const tables = fs
        .readdirSync(dir)
        .filter((f) => f.startsWith(`${name}${off}.`) && f.endsWith('.tsv'))
        .sort();
      outs.push(tables.map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n'));
    }
    t.ok(outs[0].split('\n').length > 50, `${name}: ${outs[0].split('\n').length} lines`);
    t.equal(outs[0], outs[1], `${name}: identical tables`);
  }
});
