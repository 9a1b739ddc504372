// BGZF blocks inflated through the worker's reused raw-deflate handle (src/io/inflate-handle.ts,
// docs/decisions/0302) and through libdeflate where it was built (0303) against the public
// inflateRawSync path: the same bytes, and the same error (code, byte offset, message) for every
// corrupt, truncated or mislabelled block.
import t from 'tap';
import fc from 'fast-check';
import { inflateBlocks } from '../src/formats/vcf/bgzf.js';
import { ReusedInflate } from '../src/io/inflate-handle.js';
import { nativeDeflate } from '../src/io/native-deflate.js';
import { toBgzf } from './lib/bgzf.js';

function outcome(b: Uint8Array, inflater?: ReusedInflate): string {
  try {
    return `ok ${Buffer.from(inflateBlocks(b, 0, b.length, { buf: new Uint8Array(0) }, inflater)).toString('hex')}`;
  } catch (e) {
    const err = e as Error & { code?: string; byteOffset?: number };
    return `${err.constructor.name} ${err.code} ${err.byteOffset} ${err.message}`;
  }
}

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

class CountingInflate extends ReusedInflate {
  taken = 0;
  override inflate(input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, expected: number): boolean {
    const ok = super.inflate(input, inOff, inLen, out, outOff, expected);
    if (ok) this.taken++;
    return ok;
  }
}

t.test('the reused handle passes its self-test on this Node (raw deflate and zlib)', async (t) => {
  t.ok(new ReusedInflate('raw').available(), `Node ${process.version}`);
  t.ok(new ReusedInflate('zlib').available());
});

for (const native of nativeDeflate() ? [false, true] : [false])
  t.test(`${native ? 'libdeflate' : 'the reused zlib handle'} and inflateRawSync: the same bytes and the same errors`, async (t) => sameAsPublic(t, new CountingInflate('raw', native)));

async function sameAsPublic(t: Test, inflater: CountingInflate): Promise<void> {
  let good = 0;
  const DATA = fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 3000 }),
    fc.array(fc.constantFrom('0/1:1.0001:0.5,0.5\t', '1/1:2:1,1\t', '\n', 'rs1\t'), { maxLength: 300 }).map((a) => new TextEncoder().encode(a.join(''))),
  );
  // A corruption: none, a byte flipped, the file cut short, ISIZE or CRC32 of the first block changed.
  const HARM = fc.tuple(fc.constantFrom('none', 'none', 'flip', 'cut', 'isize', 'crc'), fc.nat(), fc.integer({ min: 1, max: 255 }));
  fc.assert(
    fc.property(DATA, fc.constantFrom(1, 100, 1000, 65536), HARM, (data, size, [harm, at, x]) => {
      const b = new Uint8Array(toBgzf(Buffer.from(data), size));
      const first = (b[16] | (b[17] << 8)) + 1; // the first block's length
      if (harm === 'flip') b[at % b.length] ^= x;
      const f = harm === 'cut' ? b.subarray(0, at % b.length) : b;
      if (harm === 'isize') f[first - 4] ^= x;
      if (harm === 'crc') f[first - 8] ^= x;
      const fast = outcome(f, inflater);
      const slow = outcome(f);
      if (fast.startsWith('ok')) good++;
      if (fast !== slow) t.fail(`${harm}: ${fast.slice(0, 200)} vs ${slow.slice(0, 200)}`);
      return fast === slow;
    }),
    { numRuns: 600, seed: 3021 },
  );
  t.ok(good > 100, `${good} files inflated`);
  t.ok(inflater.taken > 100, `the handle inflated ${inflater.taken} blocks`);
}
