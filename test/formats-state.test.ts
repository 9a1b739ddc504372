// Decoders keep their state in objects (issue 14): no module-level `let` in src/formats/, found by
// scanning every .ts file under it (a glob, not a list); and two BGEN decoders interleaved on one
// thread give exactly what each gives alone (nothing shared between them).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, fixture } from './lib/helpers.js';
import { BgenBlockDecoder, BgenRecordParser, newVariantHeader, parseBgenHeader, scanVariants, type BgenHeader, type VariantHeader } from '../src/formats/bgen/index.js';

const dir = path.join(ROOT, 'src/formats');
const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();

t.ok(files.length > 5, `${files.length} files under src/formats`);
for (const f of files) {
  const lines = fs.readFileSync(path.join(dir, f), 'utf8').split('\n');
  const lets = lines.flatMap((l, i) => (/^(export\s+)?let\s/.test(l) ? [`${f}:${i + 1}: ${l.trim().slice(0, 60)}`] : []));
  t.same(lets, [], `no module-level let in src/formats/${f}`);
}

interface Decoded {
  chr: string;
  pos: number;
  alleles: string;
  dosages: number[];
  info: string;
}

function load(name: string): { bytes: Uint8Array; header: BgenHeader; records: VariantHeader[] } {
  const bytes = new Uint8Array(fs.readFileSync(fixture('bgen', name)));
  const header = parseBgenHeader(bytes, name);
  return { bytes, header, records: [...scanVariants(bytes, header, name)] };
}

/** Record i of a file through the given parser and decoder. */
function decodeOne(f: ReturnType<typeof load>, i: number, parser: BgenRecordParser, dec: BgenBlockDecoder): Decoded {
  const vh = newVariantHeader();
  parser.parseInto(f.bytes, f.records[i].fileOffset, f.header, 0, 'x', true, vh);
  const out = new Float64Array((vh.nAlleles - 1) * f.header.nSamples);
  dec.decode(f.bytes, vh.blockStart, vh.blockLength, f.header, vh.nAlleles, out, vh.uncompressedLength, { file: 'x' });
  // Read after the decode call: the info fields must still be this block's when the other decoder ran since.
  return { chr: vh.chr, pos: vh.position, alleles: vh.alleles.join('/'), dosages: Array.from(out), info: JSON.stringify(dec.info()) };
}

t.test('two BGEN decoders interleaved on one thread: each gives what it gives alone', async (t) => {
  // zlib 8-bit diploid (the fast path) against a file with multi-allelic, phased and ploidy-varying
  // records (the general path: bit reader, genotype tables) and a zstd 16-bit one.
  const a = load('example.8bits.bgen');
  const b = load('complex.bgen');
  const c = load('example.16bits.zstd.bgen');
  const alone = (f: ReturnType<typeof load>) => {
    const p = new BgenRecordParser();
    const d = new BgenBlockDecoder();
    return f.records.map((_, i) => decodeOne(f, i, p, d));
  };
  const wantA = alone(a);
  const wantB = alone(b);
  const wantC = alone(c);
  const [pa, da, pb, db] = [new BgenRecordParser(), new BgenBlockDecoder(), new BgenRecordParser(), new BgenBlockDecoder()];
  let bad = 0;
  const rounds = Math.max(a.records.length, b.records.length);
  for (let i = 0; i < rounds; i++) {
    // a then b then a's info read again after b's decode; c on b's decoder between b's blocks.
    const ia = i % a.records.length;
    const ib = i % b.records.length;
    const gotA = decodeOne(a, ia, pa, da);
    const gotB = decodeOne(b, ib, pb, db);
    if (JSON.stringify(da.info()) !== wantA[ia].info) bad++;
    const gotC = decodeOne(c, i % c.records.length, pb, db);
    if (JSON.stringify(gotA) !== JSON.stringify(wantA[ia])) bad++;
    if (JSON.stringify(gotB) !== JSON.stringify(wantB[ib])) bad++;
    if (JSON.stringify(gotC) !== JSON.stringify(wantC[i % c.records.length])) bad++;
  }
  t.equal(bad, 0, `${rounds} interleaved rounds, every record and block info as decoded alone`);
  t.ok(wantB.some((r) => JSON.parse(r.info).phased) && wantB.some((r) => r.alleles.split('/').length > 2), 'complex.bgen exercises phased and multi-allelic blocks');
});
