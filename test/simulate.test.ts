// `dosageflow simulate`: determinism, file layouts (.gen, .sample, phenotype/covariate/truth tables),
// the genotype model's statistics (MAF spectrum, MACH R2 spread, LD), planted effects reaching their
// designed p-values, the BGEN writer (structure checked by an independent parser here, plus a round
// trip through the project's BGEN decoder), option validation and the CLI.
import t from 'tap';
import { cliCommand } from './lib/helpers.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { decompress as zstdDecompress } from 'zstd-napi';
import { UsageError } from '../src/errors.js';
import { simulate, resolveSimulateConfig, type SimulateOptions, type SimulateResult } from '../src/sim/simulate.js';
import { roundProbabilities } from '../src/sim/bgen-writer.js';
import { parseChromosomes, allocateVariants } from '../src/sim/genome.js';
import { Rng } from '../src/sim/random.js';
import { logPStudentT2 } from '../src/stats/distributions.js';
import { parseBgenHeader, scanVariants, decodeGenotypeBlock } from '../src/formats/bgen/index.js';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'dosageflow-simulate-'));
t.teardown(() => fs.rmSync(TMP, { recursive: true, force: true }));

let dirCount = 0;
function freshPrefix(name: string): string {
  const dir = path.join(TMP, `run${dirCount++}`);
  fs.mkdirSync(dir);
  return path.join(dir, name);
}

async function run(opts: Omit<SimulateOptions, 'out'>, name = 'sim'): Promise<SimulateResult> {
  return simulate({ ...opts, out: freshPrefix(name) });
}

interface GenLine {
  chr: string;
  snpid: string;
  rsid: string;
  pos: number;
  a: string;
  b: string;
  /** Probabilities in units of 1/10000. */
  p: Int32Array;
  fields: string[];
}

function readGen(file: string): GenLine[] {
  let text: string;
  const raw = fs.readFileSync(file);
  if (file.endsWith('.gz')) text = zlib.gunzipSync(raw).toString('latin1');
  else if (file.endsWith('.zst')) text = zstdDecompress(raw).toString('latin1');
  else text = raw.toString('latin1');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => {
    const f = line.split(' ');
    const p = new Int32Array(f.length - 6);
    for (let i = 6; i < f.length; i++) p[i - 6] = Math.round(Number(f[i]) * 10000);
    return { chr: f[0], snpid: f[1], rsid: f[2], pos: Number(f[3]), a: f[4], b: f[5], p, fields: f };
  });
}

/** Dosage of B per sample; NaN where missing (0 0 0). */
function dosages(g: GenLine): Float64Array {
  const n = g.p.length / 3;
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = g.p[3 * i] + g.p[3 * i + 1] + g.p[3 * i + 2];
    d[i] = s === 0 ? NaN : (g.p[3 * i + 1] + 2 * g.p[3 * i + 2]) / 10000;
  }
  return d;
}

function machR2(d: Float64Array): number {
  let n = 0;
  let s = 0;
  let ss = 0;
  for (const x of d) {
    if (Number.isNaN(x)) continue;
    n++;
    s += x;
    ss += x * x;
  }
  const mean = s / n;
  const p = mean / 2;
  const v = ss / n - mean * mean;
  return p <= 0 || p >= 1 ? NaN : v / (2 * p * (1 - p));
}

function readTable(file: string): string[][] {
  return fs
    .readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.split(/\s+/));
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function corr2(x: Float64Array, y: Float64Array): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
    n++;
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    syy += y[i] * y[i];
    sxy += x[i] * y[i];
  }
  const vx = sxx - (sx * sx) / n;
  const vy = syy - (sy * sy) / n;
  if (vx <= 1e-12 || vy <= 1e-12) return NaN;
  const c = sxy - (sx * sy) / n;
  return (c * c) / (vx * vy);
}

const files = (r: SimulateResult) => Object.values(r.files) as string[];

t.test('same seed gives byte-identical files; another seed differs', async (t) => {
  const opts = { samples: 40, variants: 700, chromosomes: '20-22', seed: 11 };
  const a = await run(opts);
  const b = await run(opts);
  const c = await run({ ...opts, seed: 12 });
  for (const [fa, fb] of files(a).map((f, i) => [f, files(b)[i]])) {
    t.ok(fs.readFileSync(fa).equals(fs.readFileSync(fb)), `${path.basename(fa)} identical`);
  }
  t.notOk(fs.readFileSync(a.files.genotypes).equals(fs.readFileSync(c.files.genotypes)), 'genotypes differ for another seed');
  t.notOk(fs.readFileSync(a.files.pheno).equals(fs.readFileSync(c.files.pheno)), 'phenotypes differ for another seed');
  // Compression does not change the data; the BGEN run has the same phenotypes.
  const z = await run({ ...opts, compress: 'zst' });
  const g = await run({ ...opts, compress: 'gz' });
  const bg = await run({ ...opts, format: 'bgen' });
  const plain = fs.readFileSync(a.files.genotypes);
  t.ok(zstdDecompress(fs.readFileSync(z.files.genotypes)).equals(plain), '.gen.zst decompresses to the plain .gen');
  t.ok(zlib.gunzipSync(fs.readFileSync(g.files.genotypes)).equals(plain), '.gen.gz decompresses to the plain .gen');
  t.equal(z.files.genotypes.slice(-8), '.gen.zst');
  t.equal(g.files.genotypes.slice(-7), '.gen.gz');
  t.ok(fs.readFileSync(bg.files.pheno).equals(fs.readFileSync(a.files.pheno)), 'bgen run: same phenotypes');
  t.ok(fs.readFileSync(bg.files.truth).equals(fs.readFileSync(a.files.truth)), 'bgen run: same truth');
  // No temporaries left behind.
  t.same(
    fs.readdirSync(path.dirname(a.files.genotypes)).filter((f) => f.includes('.tmp-')),
    [],
  );
});

t.test('.gen layout, order, ids and probabilities', async (t) => {
  const n = 50;
  const m = 1500;
  const r = await run({ samples: n, variants: m, chromosomes: '1,7,21-22', seed: 3 });
  const gen = readGen(r.files.genotypes);
  t.equal(gen.length, m, 'one line per variant');
  t.same(
    r.variantsPerChromosome.map((x) => x.chr),
    [1, 7, 21, 22],
  );
  let badFields = 0;
  let badSum = 0;
  let badDecimals = 0;
  let missing = 0;
  let order = 0;
  const rsids = new Set<string>();
  let prevChr = 0;
  let prevPos = 0;
  for (const g of gen) {
    if (g.fields.length !== 6 + 3 * n) badFields++;
    for (let i = 6; i < g.fields.length; i++) if (!/^(0|1|0\.\d{1,4})$/.test(g.fields[i])) badDecimals++;
    for (let i = 0; i < n; i++) {
      const s = g.p[3 * i] + g.p[3 * i + 1] + g.p[3 * i + 2];
      if (s === 0) missing++;
      else if (s !== 10000) badSum++;
    }
    const chr = Number(g.chr);
    if (chr < prevChr || (chr === prevChr && g.pos <= prevPos)) order++;
    prevChr = chr;
    prevPos = g.pos;
    if (g.snpid !== `${g.chr}:${g.pos}`) t.fail(`SNPID ${g.snpid} is not chr:pos`);
    if (!/^rs\d+$/.test(g.rsid)) t.fail(`rsid ${g.rsid}`);
    rsids.add(g.rsid);
    if (!/^[ACGT]+$/.test(g.a) || !/^[ACGT]+$/.test(g.b) || g.a === g.b) t.fail(`alleles ${g.a} ${g.b}`);
  }
  t.equal(badFields, 0, 'every line has 6 + 3N fields');
  t.equal(badDecimals, 0, 'probabilities printed as 0, 1 or 0.dddd');
  t.equal(badSum, 0, 'probabilities sum to 1');
  t.equal(order, 0, 'chromosomes in natural order, positions increasing');
  t.equal(rsids.size, m, 'rsids unique');
  t.ok(missing > 0 && missing < 0.005 * n * m, `a few missing genotypes (${missing} of ${n * m})`);
  t.same([...new Set(gen.map((g) => g.chr))], ['1', '7', '21', '22']);
  t.ok(
    gen.some((g) => g.a.length > 1 || g.b.length > 1),
    'some indels',
  );
});

t.test('sample, phenotype, covariate and truth tables', async (t) => {
  const n = 157;
  const r = await run({ samples: n, variants: 3000, seed: 5, effects: 3 });
  const sample = readTable(r.files.sample);
  t.same(sample[0], ['ID_1', 'ID_2', 'missing', 'sex']);
  t.same(sample[1], ['0', '0', '0', 'D']);
  const ids = sample.slice(2).map((row) => `${row[0]} ${row[1]}`);
  t.equal(ids.length, n);
  t.equal(new Set(ids).size, n, 'IDs unique');
  t.ok(sample.slice(2).every((row) => row.length === 4 && row[2] === '0' && (row[3] === '1' || row[3] === '2')));

  const pheno = readTable(r.files.pheno);
  t.same(pheno[0], ['FID', 'IID', 'response', 'dissociation']);
  t.same(
    pheno.slice(1).map((row) => `${row[0]} ${row[1]}`),
    ids,
    'phenotype IDs match the .sample',
  );
  const resp = pheno.slice(1).map((row) => row[2]);
  const diss = pheno.slice(1).map((row) => row[3]);
  const na = diss.filter((x) => x === 'NA').length;
  t.ok(na / n > 0.35 && na / n < 0.45, `~40% of dissociation is NA (${na}/${n})`);
  const minus9 = resp.filter((x) => x === '-9').length;
  t.ok(minus9 >= 1 && minus9 <= 0.05 * n, `a few -9 in response (${minus9})`);
  t.notOk(resp.includes('NA'), 'response uses -9, not NA');
  t.ok(
    [...resp, ...diss].filter((x) => x !== 'NA' && x !== '-9').every((x) => Number.isFinite(Number(x)) && Number(x) !== -9),
    'other values are numbers, never -9',
  );

  const covar = readTable(r.files.covar);
  t.same(covar[0], ['FID', 'IID', 'age', 'sex', ...Array.from({ length: 10 }, (_, j) => `PC${j + 1}`)]);
  t.same(
    covar.slice(1).map((row) => `${row[0]} ${row[1]}`),
    ids,
    'covariate IDs match the .sample',
  );
  t.ok(covar.slice(1).every((row) => row.length === 14 && row.slice(2).every((x) => Number.isFinite(Number(x)))));
  t.same(
    covar.slice(1).map((row) => row[3]),
    sample.slice(2).map((row) => row[3]),
    'sex agrees with the .sample',
  );

  const truth = readTable(r.files.truth);
  t.same(truth[0], ['PHENO', 'CHR', 'SNP', 'BP', 'A1', 'A2', 'BETA', 'EXPECTED_BETA', 'A1_FREQ', 'VAR_EXPLAINED', 'EXPECTED_P']);
  t.equal(truth.length - 1, 6, 'three causal variants per phenotype');
  const gen = new Map(readGen(r.files.genotypes).map((g) => [g.rsid, g]));
  for (const row of truth.slice(1)) {
    const g = gen.get(row[2]);
    t.ok(g, `${row[2]} is in the .gen`);
    if (!g) continue;
    t.same([row[1], Number(row[3]), row[4], row[5]], [g.chr, g.pos, g.b, g.a], 'CHR BP A1=B A2=A match the .gen');
    t.ok(['response', 'dissociation'].includes(row[0]));
    t.ok(Math.abs(Number(row[6])) > 0, 'nonzero effect');
  }
});

/** The single-variant test with covariates, as plink2 --glm fits it (OLS, df = n - 14). */
function glmNegLog10P(y: number[], covs: number[][], d: number[]): number {
  const n = y.length;
  const basis: Float64Array[] = [];
  const resid = (v: number[] | Float64Array) => {
    const r = Float64Array.from(v);
    for (let pass = 0; pass < 2; pass++)
      for (const q of basis) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += r[i] * q[i];
        for (let i = 0; i < n; i++) r[i] -= dot * q[i];
      }
    return r;
  };
  const add = (v: number[]) => {
    const r = resid(v);
    const norm = Math.hypot(...r);
    basis.push(r.map((x) => x / norm));
  };
  add(new Array(n).fill(1));
  for (const c of covs) add(c);
  const rd = resid(d);
  const ry = resid(y);
  let dd = 0;
  let dy = 0;
  let yy = 0;
  for (let i = 0; i < n; i++) {
    dd += rd[i] * rd[i];
    dy += rd[i] * ry[i];
    yy += ry[i] * ry[i];
  }
  const df = n - covs.length - 2;
  const beta = dy / dd;
  const rss = yy - (dy * dy) / dd;
  const tStat = beta / Math.sqrt(rss / df / dd);
  return -logPStudentT2(tStat, df) / Math.LN10;
}

t.test('planted effects reach the designed p-values', async (t) => {
  const n = 157;
  const r = await run({ samples: n, variants: 2000, chromosomes: '1-22', seed: 21, effects: 2, missingRate: 0 });
  const gen = new Map(readGen(r.files.genotypes).map((g) => [g.rsid, g]));
  const pheno = readTable(r.files.pheno).slice(1);
  const covar = readTable(r.files.covar).slice(1);
  t.equal(r.truth.length, 4);
  for (const tr of r.truth) {
    const col = tr.pheno === 'response' ? 2 : 3;
    const keep = pheno.map((row, i) => (row[col] !== 'NA' && row[col] !== '-9' ? i : -1)).filter((i) => i >= 0);
    const d = dosages(gen.get(tr.snp)!);
    const y = keep.map((i) => Number(pheno[i][col]));
    const covs = Array.from({ length: 12 }, (_, j) => keep.map((i) => Number(covar[i][2 + j])));
    const got = glmNegLog10P(
      y,
      covs,
      keep.map((i) => d[i]),
    );
    const want = -Math.log10(tr.expectedP);
    t.ok(want >= 5 && want <= 12.5, `${tr.pheno} ${tr.snp}: designed -log10 p ${want.toFixed(2)} in range`);
    t.ok(Math.abs(got - want) < 0.05 * want, `${tr.pheno} ${tr.snp}: observed -log10 p ${got.toFixed(3)} vs designed ${want.toFixed(3)}`);
  }
});

t.test('genotype statistics: MAF spectrum, MACH R2 spread, LD', async (t) => {
  const n = 157;
  const r = await run({ samples: n, variants: 4000, chromosomes: '1-3', seed: 8, effects: 0 });
  const gen = readGen(r.files.genotypes);
  const d = gen.map(dosages);
  const maf = d.map((x) => {
    let s = 0;
    let c = 0;
    for (const v of x)
      if (!Number.isNaN(v)) {
        s += v;
        c++;
      }
    const p = s / (2 * c);
    return Math.min(p, 1 - p);
  });
  const frac = (pred: (x: number) => boolean, xs: number[]) => xs.filter(pred).length / xs.length;
  t.ok(frac((x) => x < 0.01, maf) > 0.08, `rare variants (MAF < 1%): ${frac((x) => x < 0.01, maf).toFixed(3)}`);
  t.ok(frac((x) => x < 0.05, maf) > 0.3, `low-frequency (MAF < 5%): ${frac((x) => x < 0.05, maf).toFixed(3)}`);
  t.ok(frac((x) => x > 0.2, maf) > 0.1, `common (MAF > 20%): ${frac((x) => x > 0.2, maf).toFixed(3)}`);

  const r2 = d.map(machR2).filter((x, i) => Number.isFinite(x) && maf[i] >= 0.01);
  const q10 = quantile(r2, 0.1);
  const q50 = quantile(r2, 0.5);
  const q90 = quantile(r2, 0.9);
  t.ok(q10 > 0.25 && q10 < 0.6, `MACH R2 10th percentile ${q10.toFixed(3)}`);
  t.ok(q50 > 0.7 && q50 < 0.97, `MACH R2 median ${q50.toFixed(3)}`);
  t.ok(q90 > 0.95, `MACH R2 90th percentile ${q90.toFixed(3)}`);
  t.ok(frac((x) => x >= 0.3 && x <= 1.1, r2) > 0.9, 'MACH R2 mostly within 0.3..1.1');
  t.ok(frac((x) => x < 0.5, r2) > 0.05, 'a tail of poorly imputed variants');

  // LD: common variants usually have a near neighbour in strong LD; far variants do not.
  const best: number[] = [];
  const far: number[] = [];
  for (let i = 0; i < d.length; i++) {
    if (maf[i] < 0.05) continue;
    let b = 0;
    for (let j = Math.max(0, i - 10); j <= Math.min(d.length - 1, i + 10); j++) {
      if (j === i || maf[j] < 0.01 || gen[j].chr !== gen[i].chr) continue;
      const c = corr2(d[i], d[j]);
      if (c > b) b = c;
    }
    best.push(b);
    const k = (i + 1500) % d.length;
    if (maf[k] >= 0.05) far.push(corr2(d[i], d[k]));
  }
  t.ok(quantile(best, 0.5) > 0.5, `median best-tag r2 within 10 variants: ${quantile(best, 0.5).toFixed(3)}`);
  t.ok(quantile(far.filter(Number.isFinite), 0.5) < 0.05, 'distant variants unlinked');
});

// ---- BGEN ----

interface ParsedBgen {
  offset: number;
  lh: number;
  m: number;
  n: number;
  magic: string;
  flags: number;
  sampleIds: string[];
  variants: {
    id: string;
    rsid: string;
    chr: string;
    pos: number;
    alleles: string[];
    ploidy: Uint8Array;
    bits: number;
    /** Stored integers, two per sample. */
    x: number[];
  }[];
}

/** An independent little BGEN v1.2 layout 2 parser (biallelic, unphased), for checking the writer. */
function parseBgen(buf: Buffer, maxVariants = Infinity): ParsedBgen {
  const offset = buf.readUInt32LE(0);
  const lh = buf.readUInt32LE(4);
  const m = buf.readUInt32LE(8);
  const n = buf.readUInt32LE(12);
  const magic = buf.toString('latin1', 16, 20);
  const flags = buf.readUInt32LE(4 + lh - 4);
  const sampleIds: string[] = [];
  if (flags >>> 31) {
    let p = 4 + lh;
    const lsi = buf.readUInt32LE(p);
    if (buf.readUInt32LE(p + 4) !== n) throw new Error('sample block N');
    p += 8;
    for (let i = 0; i < n; i++) {
      const l = buf.readUInt16LE(p);
      sampleIds.push(buf.toString('utf8', p + 2, p + 2 + l));
      p += 2 + l;
    }
    if (p !== 4 + lh + lsi) throw new Error('sample block length');
  }
  const compression = flags & 3;
  const variants: ParsedBgen['variants'] = [];
  let p = 4 + offset;
  for (let v = 0; v < Math.min(m, maxVariants); v++) {
    const str2 = () => {
      const l = buf.readUInt16LE(p);
      const s = buf.toString('utf8', p + 2, p + 2 + l);
      p += 2 + l;
      return s;
    };
    const id = str2();
    const rsid = str2();
    const chr = str2();
    const pos = buf.readUInt32LE(p);
    const k = buf.readUInt16LE(p + 4);
    p += 6;
    const alleles: string[] = [];
    for (let j = 0; j < k; j++) {
      const l = buf.readUInt32LE(p);
      alleles.push(buf.toString('utf8', p + 4, p + 4 + l));
      p += 4 + l;
    }
    const c = buf.readUInt32LE(p);
    p += 4;
    let data: Buffer;
    if (compression === 0) data = buf.subarray(p, p + c);
    else {
      const dlen = buf.readUInt32LE(p);
      const comp = buf.subarray(p + 4, p + c);
      data = compression === 1 ? zlib.inflateSync(comp) : zstdDecompress(comp);
      if (data.length !== dlen) throw new Error('D mismatch');
    }
    p += c;
    if (data.readUInt32LE(0) !== n || data.readUInt16LE(4) !== 2 || data[6] !== 2 || data[7] !== 2) throw new Error('prob header');
    const ploidy = data.subarray(8, 8 + n);
    if (data[8 + n] !== 0) throw new Error('phased');
    const bits = data[9 + n];
    if (data.length !== 10 + n + Math.ceil((2 * n * bits) / 8)) throw new Error('D length');
    const x: number[] = [];
    let bitPos = 0;
    const base = 10 + n;
    for (let i = 0; i < 2 * n; i++) {
      let val = 0;
      for (let b = 0; b < bits; b++, bitPos++) {
        if ((data[base + (bitPos >> 3)] >> (bitPos & 7)) & 1) val += 2 ** b;
      }
      x.push(val);
    }
    variants.push({ id, rsid, chr, pos, alleles, ploidy: Uint8Array.from(ploidy), bits, x });
  }
  if (maxVariants >= m && p !== buf.length) throw new Error('trailing bytes');
  return { offset, lh, m, n, magic, flags, sampleIds, variants };
}

t.test('bgen: header, sample block and variant blocks parse; dosages match the .gen', async (t) => {
  const n = 37;
  const m = 120;
  const base = { samples: n, variants: m, chromosomes: '21-22', seed: 4, missingRate: 0.01 };
  const gen = readGen((await run(base)).files.genotypes);
  const sampleIds = readTable((await run(base)).files.sample)
    .slice(2)
    .map((row) => row[1]);
  for (const [compress, bits] of [
    ['zlib', 8],
    ['zstd', 16],
    ['none', 3],
    ['zlib', 1],
    ['zstd', 23],
    ['none', 32],
  ] as const) {
    const r = await run({ ...base, format: 'bgen', compress, bits });
    t.equal(path.extname(r.files.genotypes), '.bgen');
    const buf = fs.readFileSync(r.files.genotypes);
    const b = parseBgen(buf);
    const label = `${compress} ${bits}-bit`;
    t.equal(b.magic, 'bgen', `${label}: magic`);
    t.equal(b.m, m, `${label}: M`);
    t.equal(b.n, n, `${label}: N`);
    t.equal(b.flags & 3, { none: 0, zlib: 1, zstd: 2 }[compress], `${label}: CompressedSNPBlocks`);
    t.equal((b.flags >>> 2) & 15, 2, `${label}: layout 2`);
    t.equal(b.flags >>> 31, 1, `${label}: sample identifiers present`);
    t.ok(b.offset >= b.lh, `${label}: offset covers the header`);
    t.same(b.sampleIds, sampleIds, `${label}: sample ids are the .sample ID_2`);
    const scale = 2 ** bits - 1;
    let worst = 0;
    let missingMismatch = 0;
    let badSum = 0;
    b.variants.forEach((v, k) => {
      const g = gen[k];
      if (v.id !== g.snpid || v.rsid !== g.rsid || v.chr !== g.chr || v.pos !== g.pos || v.alleles.join() !== [g.a, g.b].join()) {
        t.fail(`${label}: variant ${k} identifying data`);
      }
      if (v.bits !== bits) t.fail(`${label}: bits`);
      const gd = dosages(g);
      for (let i = 0; i < n; i++) {
        const miss = (v.ploidy[i] & 0x80) !== 0;
        if ((v.ploidy[i] & 63) !== 2) t.fail('ploidy');
        if (miss !== Number.isNaN(gd[i])) missingMismatch++;
        const x0 = v.x[2 * i];
        const x1 = v.x[2 * i + 1];
        if (miss) {
          if (x0 !== 0 || x1 !== 0) t.fail('missing sample has nonzero probabilities');
          continue;
        }
        if (x0 + x1 > scale) badSum++;
        const x2 = scale - x0 - x1;
        const dose = (x1 + 2 * x2) / scale;
        worst = Math.max(worst, Math.abs(dose - gd[i]));
      }
    });
    t.equal(missingMismatch, 0, `${label}: missing samples agree with the .gen`);
    t.equal(badSum, 0, `${label}: stored probabilities sum to at most 2^B - 1`);
    // Both are roundings of the same probabilities: .gen to 1e-4, bgen to 1/(2^B - 1).
    const tol = 2 * (1e-4 + 1 / scale) + 1e-9;
    t.ok(worst <= tol, `${label}: dosages agree with the .gen within ${tol.toExponential(2)} (worst ${worst.toExponential(2)})`);
  }
});

t.test('bgen round trip through src/formats/bgen', async (t) => {
  const n = 29;
  const m = 80;
  const base = { samples: n, variants: m, chromosomes: '22', seed: 9, missingRate: 0.02 };
  const gen = readGen((await run(base)).files.genotypes);
  for (const [compress, bits] of [
    ['zlib', 8],
    ['zstd', 16],
    ['none', 11],
  ] as const) {
    const r = await run({ ...base, format: 'bgen', compress, bits });
    const bytes = fs.readFileSync(r.files.genotypes);
    const header = parseBgenHeader(bytes, r.files.genotypes, { fileSize: bytes.length });
    t.equal(header.nVariants, m);
    t.equal(header.nSamples, n);
    t.equal(header.compression, compress);
    t.equal(header.layout, 2);
    const out = new Float64Array(n);
    let k = 0;
    let worst = 0;
    let nanMismatch = 0;
    for (const v of scanVariants(bytes, header, r.files.genotypes)) {
      const g = gen[k++];
      t.same([v.rsid, v.chr, v.position, v.alleles], [g.rsid, g.chr, g.pos, [g.a, g.b]]);
      decodeGenotypeBlock(bytes.subarray(v.blockStart, v.blockStart + v.blockLength), header, v.nAlleles, out, {
        uncompressedLength: v.uncompressedLength,
      });
      const gd = dosages(g);
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(out[i]) !== Number.isNaN(gd[i])) nanMismatch++;
        else if (!Number.isNaN(out[i])) worst = Math.max(worst, Math.abs(out[i] - gd[i]));
      }
    }
    t.equal(k, m, 'every variant read');
    t.equal(nanMismatch, 0, `${compress} ${bits}-bit: missing samples round-trip`);
    const tol = 2 * (1e-4 + 1 / (2 ** bits - 1)) + 1e-9;
    t.ok(worst <= tol, `${compress} ${bits}-bit: decoded dosages agree (worst ${worst.toExponential(2)})`);
  }
});

t.test('bgen probability rounding follows the spec', async (t) => {
  const rng = new Rng(5);
  for (let trial = 0; trial < 2000; trial++) {
    const bits = 1 + rng.int(32);
    const v = [rng.float(), rng.float(), rng.float()];
    const s = v[0] + v[1] + v[2];
    const out = [0, 0, 0];
    roundProbabilities(v, bits, out);
    const scale = 2 ** bits - 1;
    if (out[0] + out[1] + out[2] !== scale) t.fail(`sum ${out} for ${bits} bits`);
    for (let i = 0; i < 3; i++) {
      const x = (v[i] / s) * scale;
      if (!(out[i] === Math.floor(x) || out[i] === Math.ceil(x))) t.fail(`entry ${i} not a floor/ceil`);
    }
  }
  const out = [0, 0, 0];
  roundProbabilities([0.5, 0.25, 0.25], 8, out); // 127.5, 63.75, 63.75: F = 1, largest fraction .75 (first)
  t.same(out, [127, 64, 64]);
  roundProbabilities([1, 0, 0], 16, out);
  t.same(out, [65535, 0, 0]);
});

t.test('option validation', async (t) => {
  const ok = { samples: 10, variants: 100, out: path.join(TMP, 'v') };
  const cfg = resolveSimulateConfig(ok);
  t.same([cfg.format, cfg.genCompression, cfg.bits, cfg.seed, cfg.effects, cfg.chromosomes.length], ['gen', 'none', 8, 1, 3, 22]);
  t.equal(resolveSimulateConfig({ ...ok, format: 'bgen' }).bgenCompression, 'zlib');
  t.equal(resolveSimulateConfig({ ...ok, format: 'bgen', compress: 'zst' }).bgenCompression, 'zstd');
  t.same(resolveSimulateConfig({ ...ok, chromosomes: '22,1-3, 5' }).chromosomes, [1, 2, 3, 5, 22]);
  const bad: [Partial<SimulateOptions>, RegExp][] = [
    [{ samples: 0 }, /--samples/],
    [{ samples: 1.5 }, /--samples/],
    [{ variants: -1 }, /--variants/],
    [{ chromosomes: '0-22' }, /--chromosomes/],
    [{ chromosomes: 'X' }, /--chromosomes/],
    [{ chromosomes: '5-2' }, /--chromosomes/],
    [{ format: 'vcf' as 'gen' }, /--format/],
    [{ compress: 'zlib' }, /--compress/],
    [{ format: 'bgen', compress: 'bz2' }, /--compress/],
    [{ bits: 16 }, /--bits/],
    [{ format: 'bgen', bits: 33 }, /--bits/],
    [{ format: 'bgen', bits: 0 }, /--bits/],
    [{ seed: -1 }, /--seed/],
    [{ effects: 60 }, /--effects/],
    [{ out: '' }, /--out/],
  ];
  for (const [patch, re] of bad) {
    let err: unknown = null;
    try {
      resolveSimulateConfig({ ...ok, ...patch });
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof UsageError && re.test((err as Error).message), `${JSON.stringify(patch)}: ${(err as Error)?.message}`);
  }
  t.same(parseChromosomes('1-22')?.length, 22);
  t.equal(parseChromosomes('23'), null);
  const alloc = allocateVariants([1, 21, 22], 1001);
  t.equal(
    alloc.reduce((a, b) => a + b, 0),
    1001,
  );
  t.ok(alloc[0] > alloc[1] && alloc[0] > alloc[2], 'longer chromosomes get more variants');
  // Output directory that does not exist: a file error, and nothing is left behind.
  await t.rejects(simulate({ ...ok, out: path.join(TMP, 'no-such-dir', 'x') }));
});

t.test('CLI', async (t) => {
  const prefix = freshPrefix('cli');
  const res = spawnSync(...cliCommand(['simulate', '--samples', '20', '--variants', '300', '--chromosomes', '22', '--seed', '3', '--out', prefix]), {
    encoding: 'utf8',
  });
  t.equal(res.status, 0, res.stderr);
  t.match(res.stderr, /^dosageflow simulate: wrote .*cli\.gen .*20 samples x 300 variants .* MB\/s\)\n$/);
  for (const ext of ['.gen', '.sample', '.pheno.tsv', '.covar.tsv', '.truth.tsv']) t.ok(fs.existsSync(prefix + ext), ext);
  const same = await simulate({ samples: 20, variants: 300, chromosomes: '22', seed: 3, out: freshPrefix('api') });
  t.ok(fs.readFileSync(prefix + '.gen').equals(fs.readFileSync(same.files.genotypes)), 'CLI and API agree');

  const bad = spawnSync(...cliCommand(['simulate', '--samples', '0', '--variants', '10', '--out', freshPrefix('bad')]), { encoding: 'utf8' });
  t.equal(bad.status, 2, 'usage error exit code');
  t.match(bad.stderr, /^dosageflow: --samples must be a positive integer\n$/);
  const help = spawnSync(...cliCommand(['simulate', '--help']), { encoding: 'utf8' });
  t.equal(help.status, 0);
  t.match(help.stdout, /--samples/);
  t.match(help.stdout, /Examples:/);
});
