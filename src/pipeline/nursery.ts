// The main thread's new space during assoc's start-up (decision 0019, "Session 9"). Reading the
// tables and building the model makes short-lived objects in bursts with many survivors, which
// grows V8's semi-spaces from 1 to 16 MB; after that the main thread allocates little, but the
// grown pair stays committed (~32 MB of the run's peak RSS at 10,000 samples). Growth is held off
// (V8 reads the factor at each growth) until the workers start, whose nurseries must grow
// (decision 0003). Only the CLI holds it: a library caller's process keeps its own settings.
import * as v8 from 'node:v8';

let held = false;

/** The commands whose start-up is held: those that run assoc's pipeline. */
const HELD = new Set(['assoc', 'example', 'bench']);

/**
 * Keep the new space at its size until release(), for the CLI's `command`. bin/dosageflow calls it
 * before loading the CLI's modules (loading them grew it 1 -> 4 MB), main() again (no-op then).
 */
export function holdNewSpaceFor(command: string | undefined): void {
  if (held || command === undefined || !HELD.has(command)) return;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  held = true;
}

/** V8's default growth again (before the workers start); nothing when not held. */
export function releaseNewSpace(): void {
  if (!held) return;
  v8.setFlagsFromString('--semi-space-growth-factor=2');
  held = false;
}
