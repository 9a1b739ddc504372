// BGEN decoding against independent references: example.gen for the example files at every bit
// depth, complex.vcf (multi-allelic, phased, mixed ploidy) and haplotypes.haps.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { parseBgenHeader, scanVariants, decodeGenotypeBlock, type BgenHeader, type VariantHeader, type BlockInfo } from '../src/formats/bgen/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'test/fixtures/bgen');
const fixture = (name: string) => path.join(fixtures, name);
// The full-size originals (only some are copied into fixtures) when the shared data is present.
const shared = path.join(root, '../shared/testdata/bgen');

interface GenRow {
  chr: string;
  id: string;
  rsid: string;
  pos: number;
  a: string;
  b: string;
  probs: number[];
}

/** Reference parser for IMPUTE2 .gen: CHR SNPID RSID POS A B then (AA, AB, BB) per sample. */
function parseGen(text: string): GenRow[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const f = l.trim().split(/\s+/);
      return { chr: f[0], id: f[1], rsid: f[2], pos: Number(f[3]), a: f[4], b: f[5], probs: f.slice(6).map(Number) };
    });
}

const gen = parseGen(zlib.brotliDecompressSync(fs.readFileSync(fixture('example.gen.br'))).toString('utf8'));

interface Decoded {
  header: BgenHeader;
  variants: VariantHeader[];
  dosages: Float64Array[];
  infos: BlockInfo[];
}

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

function decodeFile(file: string): Decoded {
  return decodeBytes(fs.readFileSync(file), file);
}

function decodeBytes(bytes: Uint8Array, file: string): Decoded {
  const header = parseBgenHeader(bytes, file, { fileSize: bytes.length });
  const variants: VariantHeader[] = [];
  const dosages: Float64Array[] = [];
  const infos: BlockInfo[] = [];
  for (const v of scanVariants(bytes, header, file)) {
    const out = new Float64Array((v.nAlleles - 1) * header.nSamples).fill(-1);
    infos.push(
      decodeGenotypeBlock(bytes.subarray(v.blockStart, v.blockStart + v.blockLength), header, v.nAlleles, out, {
        uncompressedLength: v.uncompressedLength,
        where: { file, byteOffset: v.blockFileOffset },
      }),
    );
    variants.push(v);
    dosages.push(out);
  }
  return { header, variants, dosages, infos };
}

/**
 * Compare a decoded example file with example.gen. The BGEN writer renormalised each sample's three
 * probabilities to sum to one and then rounded them with the spec's rule (every value is the floor
 * or ceiling of v*(2^B-1), the largest fractional parts rounded up). Writing e_i for the errors, they
 * sum to zero, so the dosage error e_AB + 2 e_BB = e_BB - e_AA; working through which entries can be
 * rounded up shows it is at most 1/(2^B-1) in magnitude. `tol` is that bound (plus slack for
 * floating point); against the unnormalised text the error can additionally be up to twice the
 * row's |sum - 1| (at most ~3e-5 in example.gen).
 */
function checkAgainstGen(t: Test, d: Decoded, tol: number, nExpected: number): void {
  t.equal(d.header.nSamples, 500);
  t.equal(d.variants.length, nExpected);
  let metaBad = 0;
  let worst = 0;
  let worstRaw = 0;
  let rawExcess = 0;
  let missingBad = 0;
  let nMissing = 0;
  for (let i = 0; i < d.variants.length; i++) {
    const v = d.variants[i];
    const g = gen[i];
    if (v.chr !== g.chr || v.id !== g.id || v.rsid !== g.rsid || v.position !== g.pos || v.alleles.join(',') !== `${g.a},${g.b}`) {
      if (metaBad++ < 3) t.fail(`metadata of variant ${i}: ${JSON.stringify([v.chr, v.id, v.rsid, v.position, v.alleles])} vs ${JSON.stringify(g)}`);
    }
    const out = d.dosages[i];
    for (let s = 0; s < 500; s++) {
      const aa = g.probs[3 * s];
      const ab = g.probs[3 * s + 1];
      const bb = g.probs[3 * s + 2];
      const sum = aa + ab + bb;
      if (sum === 0) {
        nMissing++;
        if (!Number.isNaN(out[s])) missingBad++;
        continue;
      }
      const raw = ab + 2 * bb;
      const err = Math.abs(out[s] - raw / sum);
      if (err > worst) worst = err;
      const errRaw = Math.abs(out[s] - raw);
      if (errRaw > worstRaw) worstRaw = errRaw;
      const allowedRaw = tol + 2 * Math.abs(sum - 1) + 1e-12;
      if (errRaw > allowedRaw) rawExcess++;
    }
  }
  t.equal(metaBad, 0, 'chr, ids, positions and alleles match example.gen');
  t.ok(nMissing > 0, 'example.gen has missing samples');
  t.equal(missingBad, 0, `all ${nMissing} missing samples decode to NaN`);
  t.ok(worst <= tol, `max |dosage - gen dosage (renormalised)| = ${worst} <= ${tol}`);
  t.equal(rawExcess, 0, `against P(AB)+2P(BB) as written (max error ${worstRaw}) within tol + 2|sum-1|`);
}

const boundFor = (bits: number) => (1 / (2 ** bits - 1)) * (1 + 1e-9) + 1e-15;

t.test('example.*bits.bgen (layout 2, zlib) match example.gen', async (t) => {
  for (const bits of [1, 2, 3, 8]) {
    const d = decodeFile(fixture(`example.${bits}bits.bgen`));
    t.equal(d.header.layout, 2);
    t.equal(d.header.compression, 'zlib');
    t.ok(
      d.infos.every((x) => x.bits === bits && !x.phased && x.maxPloidy === 2),
      `every block stores ${bits}-bit unphased diploid data`,
    );
    t.test(`${bits} bits`, async (t) => checkAgainstGen(t, d, boundFor(bits), 199));
  }
  const d16 = decodeFile(fixture('example.16bits.first50.bgen'));
  t.test('16 bits (first 50 variants)', async (t) => checkAgainstGen(t, d16, boundFor(16), 50));
  const d32 = decodeFile(fixture('example.32bits.first50.bgen'));
  t.ok(d32.infos.every((x) => x.bits === 32));
  t.test('32 bits (first 50 variants)', async (t) => checkAgainstGen(t, d32, boundFor(32), 50));
});

t.test('example.16bits.zstd.bgen matches example.gen and the zlib file', async (t) => {
  const d = decodeFile(fixture('example.16bits.zstd.bgen'));
  t.equal(d.header.compression, 'zstd');
  checkAgainstGen(t, d, boundFor(16), 199);
  const z = decodeFile(fixture('example.16bits.first50.bgen'));
  let same = true;
  for (let i = 0; i < 50; i++) if (!sameArray(d.dosages[i], z.dosages[i])) same = false;
  t.ok(same, 'zstd and zlib blocks decode identically');
});

t.test('example.v11.bgen (layout 1) matches example.gen', async (t) => {
  const d = decodeFile(fixture('example.v11.first50.bgen'));
  t.equal(d.header.layout, 1);
  t.equal(d.header.compression, 'zlib');
  t.equal(d.header.hasSampleIds, false);
  // Layout 1 stores each probability as round(p * 32768); example.gen's values are already
  // multiples of 1/32768 printed to 6 significant digits, so only the print rounding remains.
  checkAgainstGen(t, d, 2e-6, 50);
});

const haveShared = fs.existsSync(path.join(shared, 'example.32bits.bgen'));
t.test('full-size originals, when the shared test data is present', { skip: haveShared ? false : `no shared test data at ${shared}` }, async (t) => {
  for (const [name, tol] of [
    ['example.16bits.bgen', boundFor(16)],
    ['example.32bits.bgen', boundFor(32)],
    ['example.v11.bgen', 2e-6],
  ] as const) {
    t.test(name, async (t) => checkAgainstGen(t, decodeFile(path.join(shared, name)), tol, 199));
  }
});

t.test('sample identifiers', async (t) => {
  const d = decodeFile(fixture('example.8bits.bgen'));
  t.equal(d.header.hasSampleIds, true);
  t.equal(d.header.sampleIds?.length, 500);
  t.same(d.header.sampleIds?.slice(0, 2), ['sample_001', 'sample_002']);
  t.equal(d.header.sampleIds?.[499], 'sample_500');
  const c = decodeFile(fixture('complex.bgen'));
  t.same(c.header.sampleIds, fs.readFileSync(fixture('complex.sample'), 'utf8').trim().split('\n').slice(2));
});

/** VCF genotype order for ploidy z, k alleles: sorted allele tuples, last element varying slowest. */
function vcfGenotypes(z: number, k: number): number[][] {
  const tuples: number[][] = [];
  const rec = (prefix: number[], min: number) => {
    if (prefix.length === z) {
      tuples.push(prefix);
      return;
    }
    for (let a = min; a < k; a++) rec([...prefix, a], a);
  };
  rec([], 0);
  tuples.sort((x, y) => {
    for (let i = z - 1; i >= 0; i--) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  });
  return tuples;
}

t.test('vcf genotype order sanity (VCF spec: diploid index of j/k is k(k+1)/2 + j)', async (t) => {
  const g = vcfGenotypes(2, 4);
  for (let k = 0; k < 4; k++) for (let j = 0; j <= k; j++) t.same(g[(k * (k + 1)) / 2 + j], [j, k]);
});

t.test('complex.bgen matches complex.vcf (multi-allelic, phased, mixed ploidy)', async (t) => {
  const d = decodeFile(fixture('complex.bgen'));
  const lines = fs
    .readFileSync(fixture('complex.vcf'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  t.equal(d.variants.length, lines.length);
  for (let i = 0; i < lines.length; i++) {
    const f = lines[i].split('\t');
    const v = d.variants[i];
    const ids = f[2].split(',');
    const alleles = [f[3], ...f[4].split(',')];
    const k = alleles.length;
    t.same({ chr: v.chr, pos: v.position, rsid: v.rsid, id: v.id, alleles: v.alleles }, { chr: f[0], pos: Number(f[1]), rsid: ids[0], id: ids[1] ?? '', alleles }, `metadata of ${f[2]}`);
    const format = f[8].split(':');
    const phased = format[1] === 'HP';
    const nSamples = f.length - 9;
    let maxPloidy = 0;
    let minPloidy = 63;
    const expected = new Float64Array((k - 1) * nSamples);
    for (let s = 0; s < nSamples; s++) {
      const [gt, probText] = f[9 + s].split(':');
      const probs = probText.split(',').map(Number);
      const z = gt.split(/[/|]/).length;
      maxPloidy = Math.max(maxPloidy, z);
      minPloidy = Math.min(minPloidy, z);
      const counts = new Array<number>(k).fill(0);
      if (phased) {
        t.equal(probs.length, z * k, `${f[2]} sample ${s}: HP has ploidy x K values`);
        for (let h = 0; h < z; h++) for (let a = 0; a < k; a++) counts[a] += probs[h * k + a];
      } else {
        const gts = vcfGenotypes(z, k);
        t.equal(probs.length, gts.length, `${f[2]} sample ${s}: GP has one value per genotype`);
        gts.forEach((g, gi) => g.forEach((a) => (counts[a] += probs[gi])));
      }
      for (let a = 1; a < k; a++) expected[(a - 1) * nSamples + s] = counts[a];
    }
    // All-haploid rows are stored phased in complex.bgen but written with GP in the VCF: for one
    // haplotype the two encodings coincide, so the flag only has to agree when someone is polyploid.
    if (maxPloidy > 1) t.equal(d.infos[i].phased, phased, `${f[2]} phased flag`);
    t.equal(d.infos[i].maxPloidy, maxPloidy, `${f[2]} max ploidy`);
    t.equal(d.infos[i].minPloidy, minPloidy, `${f[2]} min ploidy`);
    t.ok(closeArrays(d.dosages[i], expected, 1e-9), `${f[2]} dosages ${Array.from(d.dosages[i])} = ${Array.from(expected)}`);
  }
});

t.test('haplotypes.bgen matches haplotypes.haps', async (t) => {
  const d = decodeFile(fixture('haplotypes.bgen'));
  const rows = fs
    .readFileSync(fixture('haplotypes.haps'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));
  t.equal(d.variants.length, rows.length);
  rows.forEach((f, i) => {
    const v = d.variants[i];
    t.same([v.chr, v.id, v.rsid, v.position, ...v.alleles], [f[0], f[1], f[2], Number(f[3]), f[4], f[5]]);
    const haps = f.slice(6).map(Number);
    const expected = new Float64Array(haps.length / 2).map((_, s) => haps[2 * s] + haps[2 * s + 1]);
    t.ok(d.infos[i].phased);
    t.ok(sameArray(d.dosages[i], expected), `${f[1]} dosages ${Array.from(d.dosages[i])}`);
  });
});

t.test('uncompressed files decode like their compressed originals', async (t) => {
  // Rewrite example files with CompressedSNPBlocks=0: layout 2 (C = D, no D field) and layout 1
  // (6N raw bytes, no length field), exercising the boundary rules for both.
  for (const name of ['example.8bits.bgen', 'example.v11.first50.bgen', 'complex.bgen']) {
    const src = fixture(name);
    const bytes = fs.readFileSync(src);
    const header = parseBgenHeader(bytes, src);
    const orig = decodeFile(src);
    const d = decodeBytes(rewriteUncompressed(bytes, header), `${name} (uncompressed)`);
    t.equal(d.header.compression, 'none');
    t.equal(d.variants.length, orig.variants.length, `${name}: variant count`);
    let same = true;
    for (let i = 0; i < d.variants.length; i++) {
      if (!sameArray(d.dosages[i], orig.dosages[i])) same = false;
      if (d.variants[i].rsid !== orig.variants[i].rsid || d.variants[i].blockLength !== d.variants[i].uncompressedLength) same = false;
    }
    t.ok(same, `${name}: identical dosages and metadata without compression`);
  }
});

function rewriteUncompressed(bytes: Uint8Array, header: BgenHeader): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.from(bytes.subarray(0, header.firstVariantOffset));
  const flagsAt = 4 + header.headerLength - 4;
  head.writeUInt32LE((head.readUInt32LE(flagsAt) & ~3) >>> 0, flagsAt);
  parts.push(head);
  for (const v of scanVariants(bytes, header, 'x')) {
    const idEnd = v.blockStart - (header.layout === 1 ? 4 : 8);
    const ident = Buffer.from(bytes.subarray(v.fileOffset, idEnd));
    const block = zlib.inflateSync(bytes.subarray(v.blockStart, v.blockStart + v.blockLength));
    parts.push(ident);
    if (header.layout === 2) {
      const c = Buffer.alloc(4);
      c.writeUInt32LE(block.length);
      parts.push(c);
    }
    parts.push(block);
  }
  return Buffer.concat(parts);
}

function sameArray(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function closeArrays(a: Float64Array, b: Float64Array, tol: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) {
      if (!(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
    } else if (Math.abs(a[i] - b[i]) > tol) return false;
  }
  return true;
}
