// dosageflow prs against plink: index variants equal plink 1.9 --clump, score sums equal plink2
// --score (goldens made by test/fixtures/prs/make-golden.sh, and live runs when plink is installed),
// and the association statistics equal an independent least-squares fit by normal equations.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { countsOtherAllele, isAmbiguous, matchAlleles } from '../src/prs/alleles.js';
import { clumpChromosome, clumpRadius } from '../src/prs/clump.js';
import { prepareHardCalls, r2Dosage, r2FromCounts, r2HardCallEm } from '../src/prs/ld.js';
import { runPrs, type PrsConfig, type PrsSummary } from '../src/prs/run.js';
import { readDosages, type GenotypeFormat, type SourceStats, type WantVariant } from '../src/prs/sources.js';
import { parseBgenHeader, parseVariantHeader, type VariantHeader } from '../src/formats/bgen/index.js';
import { parseSampleFile } from '../src/formats/tables.js';
import { DOSAGE_UNIT, MISSING_Q } from '../src/prs/store.js';
import { parseThresholds, validatePrsOptions } from '../src/commands/prs.js';
import { logPStudentT2 } from '../src/stats/distributions.js';
import { closeToPrinted, fixture, hasCommand, readTable, runCli, tmpDir, type Table } from './lib/helpers.js';

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

const P = (f: string) => fixture('prs', f);
const THRESHOLDS = ['0.01', '0.05', '0.1', '0.2', '0.3', '0.4', '0.5'];
const TARGET = [P('target.chr1.gen'), P('target.chr23.gen')];

function config(over: Partial<PrsConfig> = {}): PrsConfig {
  return {
    base: P('base.tsv'),
    targets: TARGET,
    format: 'gen',
    sample: P('target.sample'),
    pheno: P('pheno.tsv'),
    covar: P('covar.tsv'),
    covarNames: [],
    thresholds: parseThresholds(THRESHOLDS.join(',')),
    clumpR2: 0.2,
    clumpKb: 250,
    clumpP: 1,
    ldMethod: 'plink1.9',
    keepAmbiguous: false,
    out: path.join(tmpDir('prs'), 'out'),
    digits: 7,
    memoryMB: 64,
    log: () => {},
    ...over,
  };
}

/** plink 1.9 .clumped: index SNP -> TOTAL (whitespace-aligned, blank lines at the end). */
function readClumped(file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || f[0] === 'CHR') continue;
    out.set(f[2], Number(f[5]));
  }
  return out;
}

function oursIndex(prefix: string): Map<string, number> {
  const tb = readTable(`${prefix}.clumped.tsv`);
  return new Map(tb.rows.map((r) => [r[tb.header.indexOf('SNP')], Number(r[tb.header.indexOf('N_CLUMPED')])]));
}

function sameMap(t: Test, ours: Map<string, number>, ref: Map<string, number>, what: string): void {
  t.same([...ours.entries()].sort(), [...ref.entries()].sort(), what);
}

/** Every plink2 SCOREk_SUM equals our P_<threshold k> column (plink2 prints 6 significant digits). */
function compareScores(t: Test, ours: Table, sscore: Table): void {
  const byId = new Map(ours.rows.map((r) => [`${r[0]} ${r[1]}`, r]));
  const problems: string[] = [];
  let compared = 0;
  for (const r of sscore.rows) {
    const o = byId.get(`${r[0]} ${r[1]}`);
    if (!o) {
      problems.push(`missing ${r[0]} ${r[1]}`);
      continue;
    }
    THRESHOLDS.forEach((th, k) => {
      const ov = Number(o[ours.header.indexOf(`P_${th}`)]);
      const rv = r[sscore.header.indexOf(`SCORE${k + 1}_SUM`)];
      compared++;
      if (!closeToPrinted(ov, rv)) problems.push(`${r[1]} P_${th}: ours ${ov} plink2 ${rv}`);
    });
  }
  t.equal(compared, 120 * THRESHOLDS.length, 'every sample and threshold compared');
  t.same(problems, [], 'score sums equal plink2 --score no-mean-imputation');
}

t.test('allele matching, window and thresholds', async (t) => {
  t.equal(matchAlleles('G', 'A', 'G', 'A', false), 'same');
  t.equal(matchAlleles('A', 'G', 'G', 'A', false), 'swapped');
  t.equal(matchAlleles('C', 'T', 'G', 'A', false), 'complement');
  t.equal(matchAlleles('T', 'C', 'G', 'A', false), 'complement-swapped');
  t.equal(matchAlleles('A', 'T', 'A', 'T', false), 'ambiguous');
  t.equal(matchAlleles('G', 'C', 'C', 'G', true), 'swapped', 'kept ambiguous SNPs match on the letters');
  t.equal(matchAlleles('A', 'T', 'T', 'A', true), 'swapped');
  t.equal(matchAlleles('A', 'C', 'A', 'G', false), 'mismatch');
  t.equal(matchAlleles('A', 'AT', 'T', 'A', false), 'mismatch', 'indels never match through the complement');
  t.equal(matchAlleles('a', 'g', 'A', 'G', false), 'same', 'case-insensitive');
  t.ok(isAmbiguous('c', 'g'));
  t.notOk(isAmbiguous('A', 'G'));
  t.ok(countsOtherAllele('swapped') && countsOtherAllele('complement-swapped') && !countsOtherAllele('complement'));
  t.equal(clumpRadius(250), 249999, 'plink 1.9: --clump-kb 250 reaches 249,999 bp');
  t.equal(clumpRadius(0.1), 99);
  t.equal(clumpRadius(250.001), 250000);
  const th = parseThresholds('0.5,1e-3,0.05');
  t.same(
    th.map((x) => x.text),
    ['1e-3', '0.05', '0.5'],
    'sorted, written as given',
  );
  t.throws(() => parseThresholds('0.1,0.10'), /given twice/);
  t.throws(() => parseThresholds('0'), /not in \(0, 1\]/);
  t.throws(() => parseThresholds('abc'), /not a p-value/);
});

t.test('r2: dosage correlation and plink 1.9 EM', async (t) => {
  const q = (g: (number | null)[]) => Uint16Array.from(g.map((x) => (x === null ? MISSING_Q : x * DOSAGE_UNIT)));
  const a = q([0, 1, 2, 1, 0, 2, 1, 1, null, 0]);
  const b = q([0, 1, 2, 2, 0, 1, 1, 0, 2, null]);
  // Independent Pearson correlation over the 8 complete pairs.
  const x: number[] = [0, 1, 2, 1, 0, 2, 1, 1];
  const y: number[] = [0, 1, 2, 2, 0, 1, 1, 0];
  const mx = x.reduce((s, v) => s + v, 0) / 8;
  const my = y.reduce((s, v) => s + v, 0) / 8;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < 8; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  t.ok(Math.abs(r2Dosage(a, b) - (sxy * sxy) / (sxx * syy)) < 1e-14, 'squared correlation over pairwise-complete samples');
  t.ok(Number.isNaN(r2Dosage(a, q([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))), 'monomorphic: undefined');
  t.ok(Math.abs(r2HardCallEm(prepareHardCalls(a), prepareHardCalls(a)) - 1) < 1e-12, 'identical variants: r2 = 1');
  t.ok(Number.isNaN(r2HardCallEm(prepareHardCalls(a), prepareHardCalls(q([0, 0, 0, 0, 0, 0, 0, 0, 0, 0])))), 'monomorphic: EM has no answer');
  // Without double heterozygotes the haplotypes are known: r2 = D^2 / (pA pa pB pb) directly.
  const c = [3, 2, 0, 1, 0, 2, 0, 1, 4]; // rows hom-A1, het, hom-A2 of the first; columns of the second
  const k11 = 2 * c[0] + c[1] + c[3];
  const k12 = 2 * c[2] + c[1] + c[5];
  const k21 = 2 * c[6] + c[3] + c[7];
  const k22 = 2 * c[8] + c[5] + c[7];
  const tot = k11 + k12 + k21 + k22;
  const pA = (k11 + k12) / tot;
  const pB = (k11 + k21) / tot;
  const d = k11 / tot - pA * pB;
  t.ok(Math.abs(r2FromCounts(c) - (d * d) / (pA * (1 - pA) * pB * (1 - pB))) < 1e-12, 'no double heterozygotes: r2 from counted haplotypes');
  // Hard calls: within 0.1 of an integer, else missing.
  t.same([...prepareHardCalls(Uint16Array.from([0, 1638, 1639, 16384, 24576, 32768, MISSING_Q]))], [0, 0, 3, 1, 3, 2, 3]);
});

t.test('greedy clumping: ascending P, window, strict bound, ties by file order', async (t) => {
  const vars = [
    { pos: 100, p: 0.01, log10p: 2, order: 0 },
    { pos: 200, p: 0.001, log10p: 3, order: 1 },
    { pos: 300, p: 0.001, log10p: 3, order: 2 },
    { pos: 1300, p: 0.5, log10p: 0.3, order: 3 },
    { pos: 1301, p: 0.2, log10p: 0.7, order: 4 },
  ];
  const r2 = (i: number, j: number) => {
    const pair = [i, j].sort().join('');
    return ({ '01': 0.3, '12': 0.9, '02': 0.2, '34': 1, '23': 0.9 } as Record<string, number>)[pair] ?? 0;
  };
  const res = clumpChromosome(vars, 1000, 0.2, r2);
  // 1 (tie with 2, earlier in the file) claims 0 (0.3 > 0.2) and 2 (0.9); 3 is 1100 bp from 1: out of the
  // window. 4 (P 0.2) becomes an index and claims 3; 2's r2 with 3 would not matter (2 is clumped).
  t.same(res.index, [1, 4]);
  t.same(res.nClumped, [2, 1]);
  t.same(clumpChromosome(vars, 1000, 0.3, r2).index, [1, 0, 4], 'r2 equal to the bound is not clumped');
});

let defaultRun: { cfg: PrsConfig; s: PrsSummary } | null = null;

t.test('fixture: matching counts, plink 1.9 index variants, plink2 score sums, outputs', async (t) => {
  const cfg = config();
  const s = await runPrs(cfg);
  defaultRun = { cfg, s };
  // Planted categories (test/fixtures/prs/planted.tsv).
  const planted = readTable(P('planted.tsv')).rows.map((r) => r[1]);
  const n = (c: string) => planted.filter((x) => x === c).length;
  t.equal(s.counts.same + s.counts.swapped, n('same') + n('swapped'), 'same + swapped');
  t.equal(s.counts.strandFlipped, n('complement'));
  t.equal(s.counts.ambiguousDropped, n('ambiguous'));
  t.equal(s.counts.alleleMismatch, n('mismatch'));
  t.equal(s.counts.notInTarget, n('absent'));
  t.equal(s.counts.naRows, n('na'));
  t.equal(s.targetVariants, 65);
  t.equal(s.samplesUsed, 115, 'NA/-9 phenotypes and NA covariates dropped');
  sameMap(t, oursIndex(cfg.out), readClumped(P('golden/target-r0.2.clumped')), 'index variants and N_CLUMPED = plink 1.9 --clump (SNP, TOTAL)');
  const clumped = readTable(`${cfg.out}.clumped.tsv`);
  t.same(clumped.header, ['CHR', 'SNP', 'BP', 'A1', 'A2', 'BETA', 'P', 'N_CLUMPED']);
  const ps = clumped.rows.map((r) => Number(r[6]));
  t.ok(
    ps.every((p, i) => i === 0 || ps[i - 1] <= p),
    'index variants in order of P',
  );
  const snps = clumped.rows.map((r) => r[1]);
  t.ok(snps.includes('rs_edge_hi') && snps.includes('rs_tie_a') && !snps.includes('rs_tie_b') && !snps.includes('rs_edge_lo'), 'window edge and P tie as plink');
  const scores = readTable(`${cfg.out}.scores.tsv`);
  t.same(scores.header, ['FID', 'IID', ...THRESHOLDS.map((x) => `P_${x}`)]);
  t.equal(scores.rows.length, 120, 'every target sample scored');
  compareScores(t, scores, readTable(P('golden/target-r0.2.sscore')));
  const summary = readTable(`${cfg.out}.summary.tsv`);
  t.same(summary.header, ['THRESHOLD', 'N_SNP', 'R2', 'PARTIAL_R2', 'P', 'BETA', 'SE']);
  t.same(
    summary.rows.map((r) => r[0]),
    THRESHOLDS,
  );
  // N_SNP: plink 1.9 index variants with P < T (weights of the golden score file).
  const w = readTable(P('golden/target-r0.2.score-input.tsv'));
  THRESHOLDS.forEach((th, k) => {
    const nz = w.rows.filter((r) => Number(r[2 + k]) !== 0).length;
    t.equal(Number(summary.rows[k][1]), nz, `N_SNP at ${th}`);
  });
  const svg = fs.readFileSync(`${cfg.out}.bar.svg`, 'utf8');
  t.match(svg, /^<svg /);
  t.equal((svg.match(/>P = [0-9.e-]+</g) ?? []).length, THRESHOLDS.length, 'P printed on every bar');
  const png = fs.readFileSync(`${cfg.out}.bar.png`);
  t.same([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  t.equal(png.readUInt32BE(16), 760, 'PNG width');
  const left = fs.readdirSync(path.dirname(cfg.out)).filter((f) => f.startsWith('.'));
  t.same(left, [], 'no temporaries or spill directories left');
});

t.test('R2, PARTIAL_R2, P, BETA, SE equal normal equations solved by explicit inverse', async (t) => {
  if (!defaultRun) return t.fail('needs the fixture run');
  const { cfg } = defaultRun;
  const scores = readTable(`${cfg.out}.scores.tsv`);
  const pheno = readTable(P('pheno.tsv'));
  const covar = readTable(P('covar.tsv'));
  const ph = new Map(pheno.rows.map((r) => [`${r[0]} ${r[1]}`, r[2]]));
  const cv = new Map(covar.rows.map((r) => [`${r[0]} ${r[1]}`, r.slice(2)]));
  const summary = readTable(`${cfg.out}.summary.tsv`);
  THRESHOLDS.forEach((th, k) => {
    const y: number[] = [];
    const X0: number[][] = [];
    const s: number[] = [];
    for (const r of scores.rows) {
      const id = `${r[0]} ${r[1]}`;
      const yv = ph.get(id)!;
      const c = cv.get(id)!;
      if (yv === 'NA' || yv === '-9' || c.some((v) => v === 'NA')) continue;
      y.push(Number(yv));
      X0.push([1, ...c.map(Number)]);
      s.push(Number(r[2 + k]));
    }
    const n = y.length;
    const X1 = X0.map((row, i) => [...row, s[i]]);
    const f0 = ols(X0, y);
    const f1 = ols(X1, y);
    const ybar = y.reduce((a, b) => a + b, 0) / n;
    const tss = y.reduce((a, b) => a + (b - ybar) ** 2, 0);
    const r2 = (f0.rss - f1.rss) / tss;
    const partial = 1 - (1 - (1 - f1.rss / tss)) / (1 - (1 - f0.rss / tss));
    const p = X1[0].length;
    const beta = f1.beta[p - 1];
    const se = Math.sqrt((f1.rss / (n - p)) * f1.inv[p - 1][p - 1]);
    const pval = Math.exp(logPStudentT2(beta / se, n - p));
    const row = summary.rows[k];
    const near = (ours: string, ref: number, what: string) => t.ok(Math.abs(Number(ours) - ref) <= 1e-6 * Math.abs(ref) + 1e-12, `${th} ${what}: ${ours} vs ${ref}`);
    t.equal(n, 115);
    near(row[2], r2, 'R2');
    near(row[3], partial, 'PARTIAL_R2');
    near(row[4], pval, 'P');
    near(row[5], beta, 'BETA');
    near(row[6], se, 'SE');
  });
});

/** Least squares by the normal equations with an explicit (Gauss-Jordan) inverse of X'X. */
function ols(X: number[][], y: number[]): { beta: number[]; rss: number; inv: number[][] } {
  const p = X[0].length;
  const A: number[][] = Array.from({ length: p }, (_, i) => Array.from({ length: 2 * p }, (_, j) => (j === p + i ? 1 : 0)));
  const xty = new Array(p).fill(0);
  for (let r = 0; r < X.length; r++) {
    for (let i = 0; i < p; i++) {
      xty[i] += X[r][i] * y[r];
      for (let j = 0; j < p; j++) A[i][j] += X[r][i] * X[r][j];
    }
  }
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
    [A[c], A[piv]] = [A[piv], A[c]];
    const d = A[c][c];
    for (let j = 0; j < 2 * p; j++) A[c][j] /= d;
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = A[r][c];
      for (let j = 0; j < 2 * p; j++) A[r][j] -= f * A[c][j];
    }
  }
  const inv = A.map((row) => row.slice(p));
  const beta = inv.map((row) => row.reduce((acc, v, j) => acc + v * xty[j], 0));
  let rss = 0;
  for (let r = 0; r < X.length; r++) {
    const e = y[r] - X[r].reduce((acc, v, j) => acc + v * beta[j], 0);
    rss += e * e;
  }
  return { beta, rss, inv };
}

t.test('clumping equals plink 1.9 at r2 0.5 and with a separate LD reference', async (t) => {
  const c5 = config({ clumpR2: 0.5 });
  await runPrs(c5);
  sameMap(t, oursIndex(c5.out), readClumped(P('golden/target-r0.5.clumped')), 'r2 > 0.5');
  const cl = config({ ldRef: P('ldref.gen'), ldRefSample: P('ldref.sample') });
  const s = await runPrs(cl);
  t.equal(s.ldSamples, 90);
  t.equal(s.counts.notInLdRef, 1, 'the kept variant missing from the reference is left out, as plink does');
  sameMap(t, oursIndex(cl.out), readClumped(P('golden/ldref-r0.2.clumped')), 'LD from the reference cohort (some alleles stored swapped)');
});

// The target and reference scans pass `want` (variants at a base position, or the candidates):
// rows of other variants are not yielded, and their BGEN genotype blocks are not decompressed.
// The proof of the second: a block damaged where nobody looks does not stop the scan, while the
// unfiltered scan of the same file fails there.
t.test('readDosages with want: only the wanted rows; genotypes nobody wants are not decoded', async (t) => {
  const n = parseSampleFile(fs.readFileSync(P('target.sample'), 'latin1'), P('target.sample')).length;
  const collect = async (file: string, format: GenotypeFormat, want?: WantVariant) => {
    const stats: SourceStats = { rows: 0, multiallelic: 0, oneAllele: 0 };
    const rows: string[] = [];
    for await (const r of readDosages(file, format, n, undefined, stats, want)) rows.push([r.meta.chr, r.meta.pos, r.meta.a1, r.meta.a2, Array.from(r.dosage).join(',')].join(' '));
    return { rows, stats };
  };
  const bgen = P('target.bgen');
  const bytes = fs.readFileSync(bgen);
  const header = parseBgenHeader(bytes, bgen, { fileSize: bytes.length });
  const vhs: VariantHeader[] = [];
  for (let v = 0, at = header.firstVariantOffset; v < header.nVariants; v++) {
    const vh = parseVariantHeader(bytes, at, header, 0, bgen, true)!;
    vhs.push(vh);
    at += vh.totalLength;
  }
  const victim = vhs[1];
  const wanted = new Set(vhs.filter((_, i) => i % 3 === 0).map((vh) => vh.position));
  t.notOk(wanted.has(victim.position), 'the damaged variant is not wanted');
  const damaged = path.join(tmpDir('prs-want'), 'damaged.bgen');
  const copy = Buffer.from(bytes);
  copy.fill(0xff, victim.blockStart, victim.blockStart + victim.blockLength);
  fs.writeFileSync(damaged, copy);
  const want: WantVariant = (_chr, pos) => wanted.has(pos);
  const all = await collect(bgen, 'bgen');
  const got = await collect(damaged, 'bgen', want);
  t.ok(got.rows.length > 10, `${got.rows.length} rows wanted`);
  t.same(
    got.rows,
    all.rows.filter((r) => wanted.has(Number(r.split(' ')[1]))),
    'the wanted rows, as the intact file gives them',
  );
  t.equal(got.stats.rows, all.stats.rows, 'every variant counted as read');
  await t.rejects(collect(damaged, 'bgen'), 'unfiltered, the damaged block is an error');
  const gen = P('target.chr1.gen');
  const genAll = await collect(gen, 'gen');
  const genGot = await collect(gen, 'gen', want);
  t.ok(genGot.rows.length > 10 && genGot.rows.length < genAll.rows.length, '.gen: some rows, not all');
  t.same(
    genGot.rows,
    genAll.rows.filter((r) => wanted.has(Number(r.split(' ')[1]))),
    '.gen: the wanted rows',
  );
  // .gen lines nobody wants are only counted: a bad probability there passes, a wrong number of
  // fields does not (with its line number).
  const lines = fs.readFileSync(gen, 'latin1').trimEnd().split('\n');
  const k = lines.findIndex((l) => !wanted.has(Number(l.split(' ')[3])));
  const f = lines[k].split(' ');
  const badProb = path.join(path.dirname(damaged), 'badprob.gen');
  fs.writeFileSync(badProb, [...lines.slice(0, k), [...f.slice(0, 7), 'x', ...f.slice(8)].join(' '), ...lines.slice(k + 1)].join('\n') + '\n');
  t.same((await collect(badProb, 'gen', want)).rows, genGot.rows, '.gen: a bad probability in an unwanted line is not read');
  await t.rejects(collect(badProb, 'gen'), /probability 'x' is not a number/, 'unfiltered, it is an error');
  const short = path.join(path.dirname(damaged), 'short.gen');
  fs.writeFileSync(short, [...lines.slice(0, k), f.slice(0, -3).join(' '), ...lines.slice(k + 1)].join('\n') + '\n');
  await t.rejects(collect(short, 'gen', want), { message: /too few fields/, line: k + 1 }, '.gen: a short unwanted line is an error, with its line');
});

t.test('BGEN target, compressed base, tiny cache, --clump-p at the largest threshold: same results', async (t) => {
  if (!defaultRun) return t.fail('needs the fixture run');
  const ref = defaultRun.cfg.out;
  const dir = tmpDir('prs-var');
  const gzBase = path.join(dir, 'base.tsv.gz');
  fs.writeFileSync(gzBase, zlib.gzipSync(fs.readFileSync(P('base.tsv'))));
  const runs: [string, Partial<PrsConfig>][] = [
    ['bgen', { targets: [P('target.bgen')], format: 'bgen' }],
    ['gzip base + 1 kB cache', { base: gzBase, memoryMB: 0.001 }],
    ['targets in the other order', { targets: [...TARGET].reverse() }],
  ];
  for (const [what, over] of runs) {
    const cfg = config({ ...over, out: path.join(dir, what.replace(/\W+/g, '_')) });
    await runPrs(cfg);
    for (const f of ['clumped', 'scores', 'summary']) {
      t.equal(fs.readFileSync(`${cfg.out}.${f}.tsv`, 'utf8'), fs.readFileSync(`${ref}.${f}.tsv`, 'utf8'), `${what}: identical ${f}.tsv`);
    }
  }
  const cp = config({ clumpP: 0.5, out: path.join(dir, 'clump-p') });
  const s = await runPrs(cp);
  t.ok(s.counts.aboveClumpP > 0, 'variants above --clump-p are not kept');
  for (const f of ['scores', 'summary']) {
    t.equal(fs.readFileSync(`${cp.out}.${f}.tsv`, 'utf8'), fs.readFileSync(`${ref}.${f}.tsv`, 'utf8'), `--clump-p 0.5: identical ${f}.tsv`);
  }
});

t.test('--keep-ambiguous, the dosage method, no covariates', async (t) => {
  const ka = await runPrs(config({ keepAmbiguous: true }));
  t.equal(ka.counts.ambiguousDropped, 0);
  t.equal(ka.counts.ambiguousKept, 3);
  t.equal(ka.counts.same + ka.counts.swapped + ka.counts.strandFlipped, 63);
  const ds = config({ ldMethod: 'dosage' });
  const s = await runPrs(ds);
  t.ok(s.indexVariants > 0);
  // On this fixture the squared dosage correlation happens to give plink's index variants at 0.2.
  sameMap(t, oursIndex(ds.out), readClumped(P('golden/target-r0.2.clumped')), 'dosage r2 at 0.2');
  // ... but it is not plink's r2: at 0.5 the index variants differ (why plink1.9 is the default).
  const d5 = config({ ldMethod: 'dosage', clumpR2: 0.5 });
  await runPrs(d5);
  t.notSame([...oursIndex(d5.out).entries()].sort(), [...readClumped(P('golden/target-r0.5.clumped')).entries()].sort(), 'dosage r2 at 0.5 differs from plink 1.9');
  const nc = config({ covar: undefined });
  await runPrs(nc);
  const sm = readTable(`${nc.out}.summary.tsv`);
  for (const r of sm.rows) t.equal(r[2], r[3], `no covariates: R2 = PARTIAL_R2 at ${r[0]}`);
});

t.test('CLI: help, usage errors, input errors with file and line', async (t) => {
  const help = runCli(['prs', '--help']);
  t.equal(help.status, 0);
  t.match(help.stdout, /PARTIAL_R2 = 1 - \(1 - R2\(full\)\)\/\(1 - R2\(null\)\)/);
  t.match(help.stdout, /R2 = R2\(full\) - R2\(null\)/);
  t.match(help.stdout, /Examples:/);
  const base = ['prs', '--base', P('base.tsv'), '--gen', ...TARGET, '--sample', P('target.sample'), '--pheno', P('pheno.tsv')];
  const dir = tmpDir('prs-cli');
  const bad = runCli([...base, '--thresholds', '0.1,2', '--out', path.join(dir, 'x')]);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--thresholds: 2 is not in \(0, 1\]/);
  t.equal(runCli(['prs', '--gen', TARGET[0], '--out', 'x']).status, 2, 'missing --base');
  t.throws(() => validatePrsOptions({ base: 'b', gen: ['g'], bgen: ['b'], sample: 's', pheno: 'p', out: 'o' }), /one of them/);
  t.throws(() => validatePrsOptions({ base: 'b', gen: ['g'], vcf: ['v'], pheno: 'p', out: 'o' }), /one of them/);
  const noSample = runCli([...base, '--ld-ref', P('ldref.gen'), '--out', path.join(dir, 'z')]);
  t.equal(noSample.status, 2, 'a .gen --ld-ref without --ld-ref-sample');
  t.match(noSample.stderr, /--ld-ref needs --ld-ref-sample FILE/);
  t.throws(() => validatePrsOptions({ base: 'b', gen: ['g'], sample: 's', pheno: 'p', out: 'o', 'ld-method': 'r' }), /--ld-method/);
  const broken = path.join(dir, 'broken.tsv');
  const lines = fs.readFileSync(P('base.tsv'), 'utf8').split('\n');
  lines[4] = lines[4].replace(/\t\d+\t/, '\t12x\t');
  fs.writeFileSync(broken, lines.join('\n'));
  const r = runCli(['prs', '--base', broken, ...base.slice(3), '--out', path.join(dir, 'y')]);
  t.equal(r.status, 3);
  t.match(r.stderr, new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: BP '12x' is not a whole number`));
  t.same(
    fs.readdirSync(dir).filter((f) => f !== 'broken.tsv' && !f.endsWith('.log')),
    [],
    'nothing written on error but the log',
  );
  const ok = runCli([...base, '--covar', P('covar.tsv'), '--out', path.join(dir, 'ok')]);
  t.equal(ok.status, 0, ok.status === 0 ? 'a full CLI run succeeds' : ok.stderr);
  t.match(ok.stderr, /matched 60 \(\d+ same alleles, \d+ A1\/A2 swapped, 1 strand-flipped\); skipped 3 strand-ambiguous/);
  t.match(ok.stderr, /-> 25 index variants/);
});

const missingPlink = ['plink1.9', 'plink2'].filter((c) => !hasCommand(c));
const liveSkip = missingPlink.length ? `${missingPlink.join(' and ')} not installed (the committed goldens were checked above)` : false;

t.test('live: plink 1.9 --clump and plink2 --score on the fixture', { skip: liveSkip }, async (t) => {
  if (!defaultRun) return t.fail('needs the fixture run');
  const dir = tmpDir('prs-live');
  const gen = path.join(dir, 'target.gen');
  fs.writeFileSync(gen, Buffer.concat(TARGET.map((f) => fs.readFileSync(f))));
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: dir });
    t.equal(r.status, 0, `${cmd} ${args.slice(0, 4).join(' ')}...: ${r.status === 0 ? 'ok' : r.stdout + r.stderr}`);
  };
  run('plink2', ['--gen', gen, 'ref-first', '--sample', P('target.sample'), '--make-bed', '--out', 'target']);
  run('plink1.9', [
    '--bfile',
    'target',
    '--clump',
    P('golden/clump-input.tsv'),
    '--clump-p1',
    '1',
    '--clump-p2',
    '1',
    '--clump-r2',
    '0.2',
    '--clump-kb',
    '250',
    '--clump-snp-field',
    'SNP',
    '--clump-field',
    'P',
    '--out',
    'live',
  ]);
  sameMap(t, oursIndex(defaultRun.cfg.out), readClumped(path.join(dir, 'live.clumped')), 'index variants = live plink 1.9');
  // Score weights from the live plink 1.9 index variants.
  const base = new Map(readTable(P('base.tsv')).rows.map((r) => [r[1], r]));
  const a1 = new Map(readTable(P('planted.tsv')).rows.map((r) => [r[0], r[2]]));
  const lines = ['SNP\tA1\t' + THRESHOLDS.map((x) => `W_${x}`).join('\t')];
  for (const snp of readClumped(path.join(dir, 'live.clumped')).keys()) {
    const b = base.get(snp)!;
    lines.push(`${snp}\t${a1.get(snp)}\t` + THRESHOLDS.map((x) => (Number(b[11]) < Number(x) ? b[8] : '0')).join('\t'));
  }
  fs.writeFileSync(path.join(dir, 'weights.tsv'), lines.join('\n') + '\n');
  run('plink2', [
    '--gen',
    gen,
    'ref-first',
    '--sample',
    P('target.sample'),
    '--score',
    'weights.tsv',
    '1',
    '2',
    'header',
    'no-mean-imputation',
    'cols=+scoresums',
    '--score-col-nums',
    '3-9',
    '--out',
    'live',
  ]);
  compareScores(t, readTable(`${defaultRun.cfg.out}.scores.tsv`), readTable(path.join(dir, 'live.sscore')));
});
