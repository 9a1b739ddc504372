// PREFIX.log: the record of a run, as plink2, regenie and PRSice leave one — version and commit, the
// command line, start and end, the host, every input with its size, then everything the run said on
// stderr (warnings, samples matched, the closing summary or the error) and the exit code. The stderr
// lines are taken as they are written (progress redraws excepted), so the log says exactly what the
// terminal said. Written under a temporary name and renamed; a log is never needed for the results.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileError } from '../errors.js';
import { prefetchVersion, versionLine } from '../version.js';

/** Options naming input files, in the order the log lists them. */
const INPUT_OPTIONS = ['gen', 'bgen', 'sample', 'sumstats', 'files', 'base', 'pheno', 'covar', 'ld-ref', 'ld-ref-sample', 'genes'];

/** Where a command's log goes, or null (stdout output, or a command that writes no files). */
export function logPathFor(command: string, a: Record<string, unknown>): string | null {
  const out = a.out === undefined || a.out === true ? '' : String(a.out);
  if (out === '' || out === '-') return command === 'example' ? path.join(String(a['out-dir'] ?? 'example-out'), 'example.log') : null;
  // Output written through a device, a FIFO or a directory name (merge --out /dev/null, >(cmd)): no log beside it.
  if (command !== 'report' && (out.endsWith('/') || isSpecial(out))) return null;
  if (command === 'report') return path.join(out, 'report.log');
  if (command === 'merge') return out.replace(/\.(gz|bgz|zst)$/, '').replace(/\.(tsv|txt)$/, '') + '.log';
  if (command === 'assoc' || command === 'prs' || command === 'simulate') return out + '.log';
  return null;
}

function isSpecial(p: string): boolean {
  if (/^\/(dev|proc)\//.test(path.resolve(p))) return true;
  try {
    return !fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function inputLines(a: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of INPUT_OPTIONS) {
    const v = a[k];
    if (v === undefined || v === null || typeof v === 'boolean') continue;
    for (const f of (Array.isArray(v) ? v : [v]).map(String)) {
      if (f === '' || f === '-') {
        if (f === '-') out.push(`  --${k} -  (stdin)`);
        continue;
      }
      let size = 'missing';
      try {
        const st = fs.statSync(f);
        size = st.isFile() ? `${st.size} bytes` : 'not a file';
      } catch {
        /* reported as missing */
      }
      out.push(`  --${k} ${path.resolve(f)}  ${size}`);
    }
  }
  return out;
}

export class RunLog {
  private readonly started = new Date();
  private readonly t0 = process.hrtime.bigint();
  private readonly header: string[];
  private readonly lines: string[] = [];
  private partial = '';
  private readonly origWrite: typeof process.stderr.write;
  private done = false;

  constructor(
    readonly file: string,
    argv: readonly string[],
    args: Record<string, unknown>,
  ) {
    const inputs = inputLines(args);
    // The version line is made at finish(): git answers meanwhile (prefetchVersion).
    prefetchVersion();
    this.header = [
      `command: dosageflow ${argv.map(shellQuote).join(' ')}`,
      `working directory: ${process.cwd()}`,
      `host: ${os.hostname()}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}`,
      `start: ${this.started.toISOString()}`,
      ...(inputs.length ? ['inputs:', ...inputs] : []),
    ];
    this.origWrite = process.stderr.write;
    const self = this;
    // Everything written to stderr is also kept for the log.
    process.stderr.write = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
      self.capture(chunk);
      return (self.origWrite as (...a: unknown[]) => boolean).call(process.stderr, chunk, ...rest);
    } as typeof process.stderr.write;
  }

  private capture(chunk: unknown): void {
    const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk);
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) {
      // A progress line is redrawn in place (\r, erase line); only what remains after the last \r counts.
      const kept = p.slice(p.lastIndexOf('\r') + 1).replace(/\x1b\[K/g, '');
      if (kept !== '') this.lines.push(kept);
    }
    const cr = this.partial.lastIndexOf('\r');
    if (cr >= 0) this.partial = this.partial.slice(cr + 1).replace(/\x1b\[K/g, '');
  }

  /** Restore stderr and write the log (once). A log that cannot be written is skipped with a note. */
  finish(exitCode: number): void {
    if (this.done) return;
    this.done = true;
    process.stderr.write = this.origWrite;
    if (this.partial.trim() !== '') this.lines.push(this.partial);
    const seconds = Number(process.hrtime.bigint() - this.t0) / 1e9;
    const text = [
      versionLine(),
      ...this.header,
      '',
      ...this.lines,
      '',
      `end: ${new Date().toISOString()} (${seconds.toFixed(2)} s), exit code ${exitCode}, peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MB RSS`,
      '',
    ].join('\n');
    const dir = path.dirname(path.resolve(this.file));
    // A usage error stops before anything runs: it is said on stderr, and leaves no log.
    if (exitCode === 2 || !fs.existsSync(dir)) return;
    const tmp = path.join(dir, `.${path.basename(this.file)}.tmp-${process.pid}`);
    try {
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, this.file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      process.stderr.write(`dosageflow: note: the log ${this.file} could not be written (${fileError(e, this.file).message})\n`);
    }
  }
}

let current: RunLog | null = null;

/** Start the log of this run (the CLI calls it once the command is parsed). */
export function startRunLog(command: string, argv: readonly string[], args: Record<string, unknown>): RunLog | null {
  const file = logPathFor(command, args);
  if (file === null) return null;
  current?.finish(0);
  current = new RunLog(file, argv, args);
  return current;
}

export function finishRunLog(exitCode: number): void {
  current?.finish(exitCode);
  current = null;
}
