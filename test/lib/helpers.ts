// Shared test helpers: paths, temporary directories, running the CLI, reading tables, and the
// comparison with plink2 output (which prints 6 significant digits).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DecodeError } from '../../src/errors.js';

/** Repository root (tests run from dist/test/...). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIX = path.join(ROOT, 'test/fixtures');
export const BIN = path.join(ROOT, 'bin/dosageflow');
export const SHARED = path.resolve(ROOT, '../shared');

export function fixture(...p: string[]): string {
  return path.join(FIX, ...p);
}

const made: string[] = [];

/**
 * A fresh directory under the system's temporary directory, removed when the test process exits
 * (before, every `npm test` left ~60 behind: 600 MB in /tmp after a week of runs). Set
 * DOSAGEFLOW_KEEP_TEST_TMP=1 to keep them for a look.
 */
export function tmpDir(tag = 'df'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dosageflow-test-${tag}-`));
  if (made.length === 0 && !process.env.DOSAGEFLOW_KEEP_TEST_TMP) process.on('exit', removeMade);
  made.push(dir);
  return dir;
}

function removeMade(): void {
  for (const dir of made) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // A directory a test made read-only (as a non-root user): leave it.
    }
  }
}

/**
 * The command line that starts the CLI with ARGS: [command, argv]. Under tap (coverage off, in
 * package.json) `env -u NODE_OPTIONS` runs it as a user runs it: tap's @tapjs/processinfo wraps
 * child_process to put its module hooks in every child's NODE_OPTIONS, and so into each worker
 * thread, which took 2.5x the CPU of a small assoc run (1.6 s instead of 0.65 s). `env` execs node,
 * so the child's pid and signals are node's.
 */
export function cliCommand(args: string[]): [string, string[]] {
  return untracked(process.execPath, [BIN, ...args]);
}

/** CMD ARGS likewise without tap's hooks: a shell or snakemake whose children run the CLI. */
export function untracked(cmd: string, args: string[]): [string, string[]] {
  return UNTRACKED ? ['/usr/bin/env', ['-u', 'NODE_OPTIONS', cmd, ...args]] : [cmd, args];
}

const UNTRACKED = process.env.TAP_DISABLE_COVERAGE === '1' && !!process.env.NODE_OPTIONS?.includes('@tapjs/processinfo') && fs.existsSync('/usr/bin/env');

export function runCli(args: string[], opts: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(...cliCommand(args), {
    input: opts.input,
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: 120_000,
    // A child that hangs where its SIGTERM handler cannot run is killed, so the test fails (status
    // null) instead of stalling the whole file until tap's timeout (seen once in CI, in 15.5).
    killSignal: 'SIGKILL',
  });
}

export function hasCommand(cmd: string): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0;
}

export interface Table {
  header: string[];
  rows: string[][];
}

export function readTable(file: string): Table {
  const text = fs.readFileSync(file, 'utf8');
  return parseTable(text);
}

export function parseTable(text: string): Table {
  const lines = text.split('\n').filter((l) => l !== '');
  const header = lines[0].replace(/^#/, '').split('\t');
  return { header, rows: lines.slice(1).map((l) => l.split('\t')) };
}

function num(s: string): number {
  if (s === 'NA' || s === 'nan' || s === 'inf' || s === '-inf') return NaN;
  return Number(s);
}

/** |ours - ref| within half a unit in plink2's 6th significant digit, plus 1e-6 relative. */
export function closeToPrinted(ours: number, refText: string): boolean {
  const ref = num(refText);
  if (Number.isNaN(ref) || Number.isNaN(ours)) return Number.isNaN(ref) && Number.isNaN(ours);
  if (ref === 0) return Math.abs(ours) < 5e-7;
  const digitsBefore = Math.floor(Math.log10(Math.abs(ref)));
  const halfUlp = 0.5 * Math.pow(10, digitsBefore - 5);
  return Math.abs(ours - ref) <= halfUlp * 1.001 + 1e-6 * Math.abs(ref);
}

export interface CompareResult {
  compared: number;
  problems: string[];
}

/**
 * Every plink2 row must be in ours with the same N and, aligned by allele, BETA/SE/T/P/FRQ/INFO equal
 * to plink2's printed precision. Ours must be genome-sorted.
 */
export function compareWithPlink2(ours: Table, ref: Table): CompareResult {
  const oi = (c: string) => ours.header.indexOf(c);
  const ri = (c: string) => ref.header.indexOf(c);
  const byKey = new Map<string, string[]>();
  for (const r of ours.rows) byKey.set(`${r[oi('CHR')]}:${r[oi('BP')]}:${r[oi('SNP')]}`, r);
  const problems: string[] = [];
  let compared = 0;
  for (const r of ref.rows) {
    const key = `${r[ri('CHROM')]}:${r[ri('POS')]}:${r[ri('ID')]}`;
    const o = byKey.get(key);
    if (!o) {
      problems.push(`missing ${key}`);
      continue;
    }
    compared++;
    const flip = o[oi('A1')] === r[ri('A1')] ? 1 : -1;
    if (flip < 0 && o[oi('A2')] !== r[ri('A1')]) problems.push(`${key}: alleles differ`);
    const check = (name: string, ov: number, rc: string) => {
      if (!closeToPrinted(ov, rc)) problems.push(`${key}: ${name} ours ${ov} plink2 ${rc}`);
    };
    if (o[oi('N')] !== r[ri('OBS_CT')]) problems.push(`${key}: N ours ${o[oi('N')]} plink2 ${r[ri('OBS_CT')]}`);
    const frq = num(o[oi('FRQ')]);
    if (flip > 0) check('FRQ', frq, r[ri('A1_FREQ')]);
    // 1 - FRQ carries our 7th digit of a number near 1 (5e-8) into a small one.
    else if (!(closeToPrinted(1 - frq, r[ri('A1_FREQ')]) || Math.abs(1 - frq - num(r[ri('A1_FREQ')])) <= 6e-8)) problems.push(`${key}: FRQ ours ${1 - frq} plink2 ${r[ri('A1_FREQ')]}`);
    if (r[ri('BETA')] !== 'NA') check('INFO', num(o[oi('INFO')]), r[ri('MACH_R2')]);
    check('BETA', flip * num(o[oi('BETA')]), r[ri('BETA')]);
    check('SE', num(o[oi('SE')]), r[ri('SE')]);
    check('T', flip * num(o[oi('T')]), r[ri('T_STAT')]);
    check('P', num(o[oi('P')]), r[ri('P')]);
  }
  // Sorted by chromosome rank then position.
  const rank = (c: string) => (/^\d+$/.test(c) ? Number(c) : (({ X: 23, Y: 24, XY: 25, MT: 26 } as Record<string, number>)[c] ?? 1000));
  for (let i = 1; i < ours.rows.length; i++) {
    const a = ours.rows[i - 1];
    const b = ours.rows[i];
    const ka = [rank(a[0]), Number(a[2])];
    const kb = [rank(b[0]), Number(b[2])];
    if (ka[0] > kb[0] || (ka[0] === kb[0] && ka[1] > kb[1])) problems.push(`out of order at row ${i + 1}`);
  }
  return { compared, problems };
}

/** A decoder's message for what it rejected, or null when it decoded (other errors are thrown). */
export function decodeMessage(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof DecodeError) return e.message;
    throw e;
  }
}

/** A live plink2 association as the goldens were made: plink2 INPUTS --glm cols=+a1freq,+machr2 hide-covar EXTRA --out OUT. */
export function plink2Glm(inputs: string[], out: string, extra: string[] = []): SpawnSyncReturns<string> {
  return spawnSync('plink2', [...inputs, '--glm', 'cols=+a1freq,+machr2', 'hide-covar', ...extra, '--out', out], { encoding: 'utf8' });
}
