// Entry point: parse the command line with yargs, run the command, and turn any error into one line
// on stderr with a distinct exit code (2 usage, 3 bad input, 4 file, 70 internal, 128+N on signal N).
import * as os from 'node:os';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { EXIT, UsageError, exitCodeFor, formatError } from '../errors.js';
import { removeAllTemps } from '../io/output.js';
import { finishRunLog, startRunLog } from '../io/runlog.js';
import { checkWasmMemory } from '../io/limits.js';
import { versionLine } from '../version.js';
import { holdNewSpaceFor } from '../pipeline/nursery.js';
import { commands } from './commands.js';
import { PREFIX_COMMANDS, outPrefix } from '../commands/options.js';

/** The commands that run WebAssembly kernels (assoc's pipeline). */
const WASM_COMMANDS = new Set(['assoc', 'example', 'bench']);
let debug = false;

export async function main(argv: string[]): Promise<void> {
  // assoc's start-up would grow the main thread's new space for the whole run (decision 0019).
  holdNewSpaceFor(argv[0]);
  debug = argv.includes('--debug');
  if (argv.includes('--version') && !argv.includes('--help')) {
    process.stdout.write(versionLine() + '\n');
    return;
  }
  guardStderr();
  installSignalHandlers();
  // Safety net: if the event loop empties while a command is still awaiting (a stream that will
  // never emit), the run must not end with exit 0 and nothing said.
  let running = true;
  process.on('beforeExit', () => {
    if (!running) return;
    running = false;
    removeAllTemps();
    process.stderr.write('dosageflow: internal error: the run stalled before it finished (outputs removed)\n');
    process.exitCode = EXIT.internal;
    finishRunLog(EXIT.internal);
  });
  // A downstream reader that closes the pipe (`| head`) ends the run quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      removeAllTemps();
      process.exit(EXIT.ok);
    }
  });
  try {
    const parser = buildParser(argv);
    // PREFIX.log of the commands that write files, started once the options are parsed.
    parser.middleware((args) => {
      if (args.help) return;
      startRunLog(String(args._[0] ?? ''), argv, args as Record<string, unknown>);
      // The commands that run WebAssembly kernels; under ulimit -v they fall back (15.18).
      if (WASM_COMMANDS.has(String(args._[0]))) checkWasmMemory((w) => process.stderr.write(`dosageflow: warning: ${w}\n`));
    });
    await parser.parseAsync();
    running = false;
    process.exitCode = process.exitCode ?? EXIT.ok;
  } catch (err) {
    running = false;
    removeAllTemps();
    process.stderr.write(`dosageflow: ${formatError(err)}\n`);
    if (debug && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = exitCodeFor(err);
  }
  finishRunLog(Number(process.exitCode));
}

// yargs reads a lone '-' as a positional, not as the value of the option before it; '-' means
// stdin/stdout here, so it travels through the parser under another name.
const DASH = '\u0000stdio';

function restoreDash(v: unknown): unknown {
  if (v === DASH) return '-';
  if (Array.isArray(v)) return v.map(restoreDash);
  return v;
}

/** The text given for --NAME on the command line (a number option that yargs turned into NaN). */
export function rawValue(argv: readonly string[], name: string): string {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3);
    if (argv[i] === `--${name}` && i + 1 < argv.length) return argv[i + 1];
  }
  return 'NaN';
}

export function buildParser(argv: string[]): Argv {
  let y = yargs(argv.map((a) => (a === '-' ? DASH : a)))
    .middleware((args) => {
      checkRepeats(args, y);
      for (const k of Object.keys(args)) {
        args[k] = restoreDash(args[k]);
        if (Number.isNaN(args[k])) throw new UsageError(`--${k} takes a number, not '${rawValue(argv, k)}'`);
      }
      if (PREFIX_COMMANDS.has(String(args._[0])) && typeof args.out === 'string') {
        args.out = outPrefix(args.out);
        if (args.o !== undefined) args.o = args.out;
      }
    }, true)
    .scriptName('dosageflow')
    .usage('$0 <command> [options]\n\nStreaming GWAS over imputed dosage files (IMPUTE2 .gen, BGEN).')
    .option('debug', { type: 'boolean', describe: 'print stack traces on errors', global: true })
    .strict()
    .demandCommand(1, 'name a command: ' + commands.map((c) => String(c.command).split(' ')[0]).join(', '))
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(false)
    .option('version', { type: 'boolean', describe: 'print the version, the Node version and the git commit' })
    // Options are read by their dashed names; camelCase copies only doubled them in messages
    // ("unknown arguments: condition-list, conditionList").
    .parserConfiguration({ 'camel-case-expansion': false })
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilogue("Run `dosageflow <command> --help` for a command's options and examples.")
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg ? yargsMessage(msg) : 'bad usage (see --help)');
    });
  for (const c of commands) y = y.command(c as CommandModule);
  // .fail() above never prints yargs' pre-rendered help: skip rendering it (docs/decisions/0007-lazy-imports.md).
  const usage = (y as unknown as { getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?(): void } } }).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
  return y;
}

/**
 * An option given twice that takes one value (`--sample a --sample b`, `--out e/x --out ''`) is a
 * usage error, as in plink2 ("Duplicate --sample flag"); yargs would hand on both, which the
 * commands then joined with commas. Options declared `array` (several files) may repeat.
 */
function checkRepeats(args: Record<string, unknown>, y: Argv): void {
  const arrays = new Set((y as unknown as { getOptions(): { array: string[] } }).getOptions().array);
  // Long names first: `--out a -o b` is reported as --out.
  for (const k of Object.keys(args).sort((a, b) => b.length - a.length)) {
    const v = args[k];
    if (k === '_' || k === '$0' || !Array.isArray(v) || arrays.has(k)) continue;
    const given = v.map((x) => `'${restoreDash(x)}'`).join(', ');
    throw new UsageError(`--${k} given twice (${given}): it takes one value`);
  }
}

/** yargs' multi-line messages as one line: a choice error names the option, its choices and the value. */
export function yargsMessage(msg: string): string {
  const lines = msg
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const choices = lines.map((l) => /^Argument: (.+?), Given: (.+?), Choices: (.+)$/.exec(l)).filter((m) => m !== null);
  if (/^Invalid values:/.test(lines[0] ?? '') && choices.length) {
    return choices.map((m) => `--${m[1]} takes one of ${m[3].replace(/"/g, '')}, not ${m[2].replace(/^"(.*)"$/, "'$1'")}`).join('; ');
  }
  const one = lines.join('; ');
  return one.charAt(0).toLowerCase() + one.slice(1);
}

function installSignalHandlers(): void {
  // A fault outside the awaited pipeline (an emitter without a listener): one line, clean up, 70.
  process.on('uncaughtException', (err) => {
    removeAllTemps();
    process.stderr.write(`dosageflow: ${formatError(err)}\n`);
    if (debug && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    finishRunLog(exitCodeFor(err));
    process.exit(exitCodeFor(err));
  });
  // Every signal that ends a run (Ctrl-C, kill, a closed ssh session, a batch scheduler's warning
  // before its kill) removes the temporaries; the exit code is 128 + the signal number, as a shell
  // reports a process killed by it (SIGINT 130, SIGTERM 143).
  const onSignal = (sig: NodeJS.Signals) => {
    removeAllTemps();
    process.stderr.write(`dosageflow: interrupted (${sig}); partial outputs removed\n`);
    const code = 128 + (os.constants.signals[sig] ?? 2);
    finishRunLog(code);
    process.exit(code);
  };
  for (const sig of TERMINATING_SIGNALS) process.once(sig, onSignal);
  // A SIGUSR1 listener keeps Node from opening its inspector on 127.0.0.1:9229 (bin/dosageflow
  // installs one before anything loads; this one is for main() called from elsewhere).
  if (process.listenerCount('SIGUSR1') === 0) process.on('SIGUSR1', () => {});
}

export const TERMINATING_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGALRM', 'SIGXCPU'];

/**
 * Messages on stderr are for the user; a failing stderr (`2>&1 | head -1` closing the pipe,
 * `2>/dev/full`) must neither stop the run nor cost its outputs. Writes to a file or pipe on stderr
 * are synchronous and throw; they are dropped instead, and asynchronous errors are ignored.
 */
function guardStderr(): void {
  const err = process.stderr;
  if ((err as { guarded?: boolean }).guarded) return;
  const write = err.write.bind(err) as (...a: unknown[]) => boolean;
  err.write = ((...a: unknown[]) => {
    try {
      return write(...a);
    } catch {
      return true;
    }
  }) as typeof err.write;
  err.on('error', () => {});
  (err as { guarded?: boolean }).guarded = true;
}
