// Entry point: parse the command line with yargs, run the command, and turn any error into one line
// on stderr with a distinct exit code (2 usage, 3 bad input, 4 file, 70 internal, 130 interrupted).
import yargs, { type Argv, type CommandModule } from 'yargs';
import { EXIT, UsageError, exitCodeFor, formatError } from '../errors.js';
import { removeAllTemps } from '../io/output.js';
import { commands } from './commands.js';

let debug = false;

export async function main(argv: string[]): Promise<void> {
  debug = argv.includes('--debug');
  installSignalHandlers();
  // A downstream reader that closes the pipe (`| head`) ends the run quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      removeAllTemps();
      process.exit(EXIT.ok);
    }
  });
  try {
    const parser = buildParser(argv);
    await parser.parseAsync();
    process.exitCode = process.exitCode ?? EXIT.ok;
  } catch (err) {
    removeAllTemps();
    process.stderr.write(`dosageflow: ${formatError(err)}\n`);
    if (debug && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = exitCodeFor(err);
  }
}

// yargs reads a lone '-' as a positional, not as the value of the option before it; '-' means
// stdin/stdout here, so it travels through the parser under another name.
const DASH = '\u0000stdio';

function restoreDash(v: unknown): unknown {
  if (v === DASH) return '-';
  if (Array.isArray(v)) return v.map(restoreDash);
  return v;
}

export function buildParser(argv: string[]): Argv {
  let y = yargs(argv.map((a) => (a === '-' ? DASH : a)))
    .middleware((args) => {
      for (const k of Object.keys(args)) args[k] = restoreDash(args[k]);
    }, true)
    .scriptName('dosageflow')
    .usage('$0 <command> [options]\n\nStreaming GWAS over imputed dosage files (IMPUTE2 .gen, BGEN).')
    .option('debug', { type: 'boolean', describe: 'print stack traces on errors', global: true })
    .strict()
    .demandCommand(1, 'name a command: ' + commands.map((c) => String(c.command).split(' ')[0]).join(', '))
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilogue('Run `dosageflow <command> --help` for a command\'s options and examples.')
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg ? msg.charAt(0).toLowerCase() + msg.slice(1) : 'bad usage (see --help)');
    });
  for (const c of commands) y = y.command(c as CommandModule);
  // .fail() above never prints yargs' pre-rendered help: skip rendering it (docs/decisions/0007-lazy-imports.md).
  const usage = (y as unknown as { getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?(): void } } }).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
  return y;
}

function installSignalHandlers(): void {
  // A fault outside the awaited pipeline (an emitter without a listener): one line, clean up, 70.
  process.on('uncaughtException', (err) => {
    removeAllTemps();
    process.stderr.write(`dosageflow: ${formatError(err)}\n`);
    if (debug && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exit(exitCodeFor(err));
  });
  const onSignal = (sig: NodeJS.Signals) => {
    removeAllTemps();
    process.stderr.write(`dosageflow: interrupted (${sig}); partial outputs removed\n`);
    process.exit(EXIT.interrupted);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
