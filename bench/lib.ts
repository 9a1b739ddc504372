// Benchmark machinery: generating/reusing the simulated inputs, running a command while measuring
// wall time, CPU time and peak RSS of its whole process tree, and counting output rows.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ccPhenoTable, dataFiles, dummyTables, manyPhenoSeed, manyPhenoTable, simulateArgs, type DataFiles, type DataSpec } from './scenarios.js';

/** Repository root (this file runs from dist/bench/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/dosageflow');

/**
 * Copy the built engine (dist/src + the bin launcher) to `dest` and return the launcher there. The
 * benchmark runs this snapshot, so a rebuild of dist/ by someone else during a long run (npm test
 * runs tsc) cannot change, or break, what is measured. Module resolution still finds the
 * repository's node_modules because `dest` lies inside the repository.
 */
export function snapshotEngine(dest: string): string {
  const src = path.join(ROOT, 'dist/src');
  if (!fs.existsSync(path.join(src, 'cli/main.js'))) throw new Error('dist/src/cli/main.js missing: run npm run build');
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(path.join(dest, 'bin'), { recursive: true });
  fs.cpSync(src, path.join(dest, 'dist/src'), { recursive: true });
  // The committed WebAssembly binaries are loaded from src/wasm beside dist/ (src/wasm/modules.ts).
  fs.mkdirSync(path.join(dest, 'src/wasm'), { recursive: true });
  for (const f of fs.readdirSync(path.join(ROOT, 'src/wasm'))) if (f.endsWith('.wasm')) fs.copyFileSync(path.join(ROOT, 'src/wasm', f), path.join(dest, 'src/wasm', f));
  // The native inflate (decision 0303) is loaded from build/Release beside dist/, where npm install built it.
  const native = path.join(ROOT, 'build/Release/dosageflow_deflate.node');
  if (fs.existsSync(native)) {
    fs.mkdirSync(path.join(dest, 'build/Release'), { recursive: true });
    fs.copyFileSync(native, path.join(dest, 'build/Release/dosageflow_deflate.node'));
  }
  const bin = path.join(dest, 'bin/dosageflow');
  fs.copyFileSync(BIN, bin);
  return bin;
}

export function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || null : null;
}

/** GNU time with -v (its "Maximum resident set size" comes from wait4's rusage of the child). */
export function findGnuTime(): string | null {
  for (const p of ['/usr/bin/time', '/bin/time']) {
    if (!fs.existsSync(p)) continue;
    const r = spawnSync(p, ['-v', 'true'], { encoding: 'utf8' });
    if (r.status === 0 && /Maximum resident set size/.test(r.stderr)) return p;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Data

const STAMP = '.bench-ok.json';

/** Approximate on-disk bytes of a data set (for the free-space check). */
export function estimateBytes(d: DataSpec): number {
  // Measured on the simulator: zstd .gen ~4 B per genotype; BGEN 8-bit zlib ~1.3 B/genotype at
  // 157 samples, ~0.6 at 10k (LD-copied haplotypes compress better with more samples).
  // VCF GT:DS:HDS bgzipped: ~5.5 bytes a genotype (157 x 30k plink2 --dummy export: 27.7 MB).
  // plink2 --dummy hard calls exported as BGEN 8-bit: 0.29 B/genotype (0.37 half missing) plus its
  // temporary .pgen, 0.16 (2,000 x 2,000): inside the 0.65 of the 10k-sample BGENs.
  const perGeno = d.format === 'vcf' ? 5.5 : d.format === 'gen' ? (d.compress === 'zst' ? 4.1 : d.compress === 'gz' ? 5 : 17.5) : d.samples < 1000 ? 1.35 : 0.65;
  return d.samples * d.variants * perGeno + 200 * d.variants;
}

export function freeBytes(dir: string): number {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return Infinity;
  }
}

function sameSpec(file: string, d: DataSpec): boolean {
  try {
    return JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8')).spec) === JSON.stringify(d);
  } catch {
    return false;
  }
}

/** Run plink2 (from PATH) with `args`; rejects with the end of its stderr when it fails. */
async function runPlink2(args: string[], what: string): Promise<void> {
  const plink2 = which('plink2');
  if (!plink2) throw new Error(`this data set needs plink2 to write its input (${what})`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(plink2, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed (${code}): ${err.trim()}`))));
  });
}

/** The simulated PREFIX.gen as plink2 writes a bgzipped GT:DS:HDS VCF (sample IDs = IID); the .gen removed. */
async function exportVcf(prefix: string): Promise<void> {
  const args = ['--gen', `${prefix}.gen`, 'ref-first', '--sample', `${prefix}.sample`, '--export', 'vcf', 'bgz', 'vcf-dosage=HDS-force', 'id-paste=iid', '--out', prefix];
  await runPlink2(args, 'plink2 --export vcf bgz vcf-dosage=HDS-force');
  fs.rmSync(`${prefix}.gen`, { force: true });
  fs.rmSync(`${prefix}.log`, { force: true });
  // The VCF names samples by IID only: the tables drop their FID column, so plink2 (which matches
  // FID+IID) and dosageflow read the same samples.
  for (const f of [`${prefix}.pheno.tsv`, `${prefix}.covar.tsv`]) {
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    fs.writeFileSync(f, lines.map((l, i) => (l === '' ? l : (i === 0 ? '#' : '') + l.split('\t').slice(1).join('\t'))).join('\n'));
  }
}

/** plink2 --dummy arguments for a data set (the issue's command line, plus the seed). */
export function dummyArgs(d: DataSpec, outPrefix: string): string[] {
  if (!d.dummy) throw new Error('not a plink2 --dummy data set');
  return ['--dummy', String(d.samples), String(d.variants), d.dummy.missing, '0', 'acgt', '--seed', String(d.seed), '--out', outPrefix];
}

/**
 * PREFIX.bgen + .sample from plink2 --dummy, exported by plink2 as BGEN 1.2 8-bit zlib (ref-first,
 * as the timed plink2 runs read it back), and the seeded pheno/covar tables (dummyTables). The
 * dummy's own .pgen is temporary.
 */
async function makeDummy(prefix: string, d: DataSpec): Promise<void> {
  const tmp = `${prefix}.dummy-tmp`;
  try {
    await runPlink2(dummyArgs(d, tmp), 'plink2 --dummy');
    await runPlink2(['--pfile', tmp, '--export', 'bgen-1.2', 'bits=8', 'ref-first', '--out', prefix], 'plink2 --export bgen-1.2 bits=8');
  } finally {
    for (const ext of ['pgen', 'pvar', 'psam', 'log']) fs.rmSync(`${tmp}.${ext}`, { force: true });
    fs.rmSync(`${prefix}.log`, { force: true });
  }
  // plink2's exported .sample carries the dummy's phenotype, which its own --sample import then
  // rejects: keep ID_1 ID_2 missing sex (as test/fixtures/missing/make-fixture.sh does).
  const lines = fs
    .readFileSync(`${prefix}.sample`, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const cut = lines.map((l) => l.split(' ').slice(0, 4).join(' '));
  fs.writeFileSync(`${prefix}.sample`, cut.join('\n') + '\n');
  const t = dummyTables(
    cut.slice(2).map((l) => l.split(' ')[1]),
    d.seed,
  );
  fs.writeFileSync(`${prefix}.pheno.tsv`, t.pheno);
  fs.writeFileSync(`${prefix}.covar.tsv`, t.covar);
}

/** PREFIX.* from `dosageflow simulate` (bin: the launcher to run). */
async function simulate(prefix: string, d: DataSpec, bin: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...simulateArgs(d, prefix)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`dosageflow simulate failed (${code}): ${err.trim()}`))));
  });
}

/**
 * Make sure the data set exists in `dir` (generated by `dosageflow simulate` with the spec's seed,
 * or by plink2 --dummy for `dummy` specs; reused when a stamp with the same spec is present).
 * Returns the files and whether it was generated now (with the generation time, which is not part
 * of any measurement).
 */
export async function ensureData(dir: string, d: DataSpec, log: (s: string) => void = () => {}, bin: string = BIN): Promise<{ files: DataFiles; generated: boolean; seconds: number }> {
  fs.mkdirSync(dir, { recursive: true });
  const files = dataFiles(dir, d);
  const stamp = `${files.genotypes}${STAMP}`;
  const present = [files.genotypes, files.sample, files.pheno, files.covar, ...(files.manyPheno ? [files.manyPheno] : []), ...(files.ccPheno ? [files.ccPheno] : [])].every((f) => fs.existsSync(f));
  if (present && sameSpec(stamp, d)) return { files, generated: false, seconds: 0 };
  const t0 = process.hrtime.bigint();
  fs.rmSync(stamp, { force: true });
  const prefix = files.genotypes.replace(/\.(bgen|vcf\.gz|gen(\.zst|\.gz)?)$/, '');
  log(`generating ${path.basename(prefix)} (${d.samples} samples x ${d.variants} variants, ${d.format}${d.bits ? ` ${d.bits}-bit` : ''} ${d.compress}${d.dummy ? ', plink2 --dummy' : ''})`);
  if (d.dummy) await makeDummy(prefix, d);
  else await simulate(prefix, d, bin);
  if (d.ccCases && files.ccPheno) fs.writeFileSync(files.ccPheno, ccPhenoTable(fs.readFileSync(files.pheno, 'utf8'), d.ccCases));
  if (d.format === 'vcf') await exportVcf(prefix);
  if (d.extraPhenos && files.manyPheno) {
    fs.writeFileSync(files.manyPheno, manyPhenoTable(fs.readFileSync(files.pheno, 'utf8'), d.extraPhenos, manyPhenoSeed(d)));
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.writeFileSync(stamp, JSON.stringify({ spec: d, generatedAt: new Date().toISOString(), seconds }, null, 1) + '\n');
  return { files, generated: true, seconds };
}

/** Read a file once so both tools start from a warm page cache. */
export async function warmCache(file: string): Promise<void> {
  const s = fs.createReadStream(file, { highWaterMark: 1 << 22 });
  for await (const _ of s) void _;
}

// ---------------------------------------------------------------------------------------------
// Measuring a command

export interface Measurement {
  command: string;
  exitCode: number | null;
  /** Wall time from spawn to exit, seconds (process start-up included). */
  wallSeconds: number;
  userSeconds: number | null;
  sysSeconds: number | null;
  /** Peak RSS in MB (1 MB = 2^20 bytes): GNU time's maximum when available, else the polled peak. */
  peakRssMB: number;
  peakRssSource: 'time -v' | 'poll';
  /** Peak of the summed VmRSS over the process tree, polled every pollMs (a cross-check). */
  polledTreeRssMB: number;
  /** Largest VmHWM seen for any process of the tree while polling. */
  polledHwmMB: number;
  stderrTail: string;
  /** 1-minute load average just before the start (other work on the machine skews wall times). */
  loadBefore: number;
  /**
   * CPU time the rest of the machine used during the run (all CPUs' busy time from /proc/stat minus
   * this command's user+sys), as a share of wall x CPUs: 0 = the machine was ours alone.
   */
  foreignLoad: number | null;
}

/** Busy and total seconds of all CPUs so far, from /proc/stat. */
export function cpuTimes(): { busy: number; total: number } | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'latin1').split('\n')[0];
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: (total - idle) / 100, total: total / 100 };
  } catch {
    return null;
  }
}

/** Share of all CPUs busy over the next `ms` milliseconds. */
export async function busyShare(ms = 1000): Promise<number | null> {
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTimes();
  if (!a || !b || b.total <= a.total) return null;
  return (b.busy - a.busy) / (b.total - a.total);
}

/**
 * Wait (at most maxSeconds) until the machine is nearly idle: under 15% of all CPUs busy over a
 * second. Returns the last busy share seen.
 */
export async function waitIdle(maxSeconds: number, log: (s: string) => void = () => {}): Promise<number | null> {
  const t0 = Date.now();
  let share = await busyShare(1000);
  let said = false;
  while (share !== null && share > 0.15 && (Date.now() - t0) / 1000 < maxSeconds) {
    if (!said) log(`  waiting for the machine to go idle (${(100 * share).toFixed(0)}% of CPUs busy; at most ${maxSeconds} s)`);
    said = true;
    share = await busyShare(2000);
  }
  return share;
}

function readProcStatus(pid: number): { ppid: number; rssKB: number; hwmKB: number } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
    const get = (k: string) => {
      const m = new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s);
      return m ? Number(m[1]) : 0;
    };
    return { ppid: get('PPid'), rssKB: get('VmRSS'), hwmKB: get('VmHWM') };
  } catch {
    return null;
  }
}

/** Children of a process from /proc/<pid>/task/<tid>/children (all its threads), or null if unsupported. */
function childrenOf(pid: number): number[] | null {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const t of tids) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'latin1');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && fs.existsSync(`/proc/${pid}/task/${t}`)) return null; // no CONFIG_PROC_CHILDREN
      continue;
    }
    for (const c of text.trim().split(/\s+/)) if (c) out.push(Number(c));
  }
  return out;
}

/**
 * Sum of VmRSS and max VmHWM over `root` and all its descendants (threads share their process).
 * Walks the tree through /proc/<pid>/task/<tid>/children, reading only the tree's own files (a
 * scan of all of /proc every 50 ms cost enough CPU to slow plink2, whose threads wait by
 * sched_yield); falls back to the full scan where the children files do not exist.
 */
export function treeRss(root: number): { rssKB: number; hwmKB: number } {
  return sumTree(root, readProcStatus, childrenOf) ?? treeRssScan(root);
}

type Usage = { rssKB: number; hwmKB: number };

/** Walk the tree below root; null when `children` cannot tell (no children files). */
function sumTree(root: number, status: (pid: number) => Usage | null | undefined, children: (pid: number) => number[] | null): Usage | null {
  let rssKB = 0;
  let hwmKB = 0;
  const stack = [root];
  const seen = new Set<number>();
  while (stack.length) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    const st = status(p);
    if (!st) continue;
    rssKB += st.rssKB;
    hwmKB = Math.max(hwmKB, st.hwmKB);
    const kids = children(p);
    if (kids === null) return null;
    stack.push(...kids);
  }
  return { rssKB, hwmKB };
}

function treeRssScan(root: number): Usage {
  const byParent = new Map<number, number[]>();
  const info = new Map<number, Usage>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return { rssKB: 0, hwmKB: 0 };
  }
  for (const e of entries) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const st = readProcStatus(pid);
    if (!st) continue;
    info.set(pid, st);
    const list = byParent.get(st.ppid);
    if (list) list.push(pid);
    else byParent.set(st.ppid, [pid]);
  }
  return sumTree(
    root,
    (p) => info.get(p),
    (p) => byParent.get(p) ?? [],
  )!;
}

function parseGnuTime(text: string): { maxRssKB: number | null; user: number | null; sys: number | null } {
  const num = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : null;
  };
  return {
    maxRssKB: num(/Maximum resident set size \(kbytes\):\s*(\d+)/),
    user: num(/User time \(seconds\):\s*([\d.]+)/),
    sys: num(/System time \(seconds\):\s*([\d.]+)/),
  };
}

/**
 * Run `cmd args` (under GNU `time -v` when `gnuTime` is given), polling the RSS of its process tree
 * every `pollMs`. stdout is discarded, the stderr tail is kept.
 */
export async function measure(cmd: string, args: string[], opts: { gnuTime: string | null; pollMs?: number; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<Measurement> {
  const pollMs = opts.pollMs ?? 50;
  const timeFile = opts.gnuTime ? path.join(os.tmpdir(), `dosageflow-bench-time-${process.pid}-${Date.now()}.txt`) : null;
  const [exe, argv] = opts.gnuTime ? [opts.gnuTime, ['-v', '-o', timeFile!, cmd, ...args]] : [cmd, args];
  const loadBefore = Math.round(os.loadavg()[0] * 100) / 100;
  const cpu0 = cpuTimes();
  const t0 = process.hrtime.bigint();
  const child = spawn(exe, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-16000)));
  let peakTree = 0;
  let peakHwm = 0;
  const poll = () => {
    if (child.pid === undefined) return;
    const r = treeRss(child.pid);
    peakTree = Math.max(peakTree, r.rssKB);
    peakHwm = Math.max(peakHwm, r.hwmKB);
  };
  const timer = setInterval(poll, pollMs);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  }).finally(() => clearInterval(timer));
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu1 = cpuTimes();
  let user: number | null = null;
  let sys: number | null = null;
  let maxRssKB: number | null = null;
  if (timeFile) {
    try {
      const g = parseGnuTime(fs.readFileSync(timeFile, 'utf8'));
      ({ user, sys, maxRssKB } = g);
    } catch {
      /* time failed to write: fall back to polling */
    }
    fs.rmSync(timeFile, { force: true });
  }
  const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
  const useTime = maxRssKB !== null && maxRssKB > 0;
  const ncpu = os.cpus().length || 1;
  const foreignLoad = cpu0 && cpu1 && user !== null && sys !== null && wallSeconds > 0 ? Math.round(Math.max(0, (cpu1.busy - cpu0.busy - user - sys) / (wallSeconds * ncpu)) * 1000) / 1000 : null;
  return {
    command: [cmd, ...args].join(' '),
    exitCode,
    wallSeconds,
    userSeconds: user,
    sysSeconds: sys,
    peakRssMB: useTime ? mb(maxRssKB!) : mb(Math.max(peakTree, peakHwm)),
    peakRssSource: useTime ? 'time -v' : 'poll',
    polledTreeRssMB: mb(peakTree),
    polledHwmMB: mb(peakHwm),
    stderrTail: stderr.slice(-6000),
    loadBefore,
    foreignLoad,
  };
}

// ---------------------------------------------------------------------------------------------
// Outputs

/** Data rows (lines after the header) of a text table. */
export async function countRows(file: string): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 22 }) as AsyncIterable<Buffer>) {
    let i = -1;
    while ((i = chunk.indexOf(10, i + 1)) !== -1) lines++;
    if (chunk.length) last = chunk[chunk.length - 1];
  }
  if (last !== 10) lines++;
  return Math.max(0, lines - 1);
}

/** Rows per output file in `dir` whose name starts with `prefix` and matches `re`. */
export async function outputRows(dir: string, prefix: string, re: RegExp): Promise<{ file: string; rows: number }[]> {
  const out: { file: string; rows: number }[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.startsWith(prefix) || !re.test(f)) continue;
    out.push({ file: f, rows: await countRows(path.join(dir, f)) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Environment

export function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  const git = (args: string[]) => {
    const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  const plink2 = which('plink2');
  const p2v = plink2 ? spawnSync(plink2, ['--version'], { encoding: 'utf8' }).stdout.trim() : null;
  return {
    host: os.hostname(),
    cpus: cpus.length,
    availableParallelism: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? null,
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    plink2: plink2 ? { path: plink2, version: p2v } : null,
    gitCommit: git(['rev-parse', '--short', 'HEAD']),
    gitDirty: (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '',
  };
}
