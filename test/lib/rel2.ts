// Shared by reliability2.test.ts and reliability2b.test.ts (issue 15, reliability round 2; one file
// ran ~300 s on a loaded 2-core machine, tap's per-file limit, so the items are split over two files).
// Hostile inputs are made here, never committed; ENOSPC uses a 1 MiB tmpfs when the test may mount
// one (root, as in CI), and skips with a note otherwise.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, runCli, tmpDir } from './helpers.js';

export type Test = Parameters<Parameters<typeof t.test>[0]>[0];

export const A = (f: string) => fixture('assoc', f);
const mounts: string[] = [];
// Unmounted here; the directories themselves go when the process exits (tmpDir).
t.teardown(() => {
  for (const m of mounts) spawnSync('umount', [m]);
});
/** Unmount D (a tmpfs the test mounted) when the test file ends. */
export function unmountAtEnd(d: string): void {
  mounts.push(d);
}
/** A temporary directory, removed when the test file ends (tmpDir). */
export const dir = tmpDir;
export const IN = dir('rel2-in');

/** A simulated cohort (50 samples): PREFIX.gen, .sample, .pheno.tsv (response, dissociation). */
export function simulated(variants: number): string {
  const prefix = path.join(IN, `sim${variants}`);
  if (!fs.existsSync(`${prefix}.gen`)) {
    const r = runCli(['simulate', '-n', '50', '-m', String(variants), '--chromosomes', '22', '--out', prefix]);
    if (r.status !== 0) throw new Error(r.stderr);
  }
  return prefix;
}
export function assocArgs(prefix: string, out: string, extra: string[] = []): string[] {
  return ['assoc', '--gen', `${prefix}.gen`, '--sample', `${prefix}.sample`, '--pheno', `${prefix}.pheno.tsv`, '--out', out, ...extra];
}

/** A 1 MiB tmpfs, filled but for `free` bytes; null (and the test skips) when mount is not allowed. */
export function smallDisk(t: Test, free: number): string | null {
  const d = dir('rel2-tmpfs');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', d], { encoding: 'utf8' });
  if (r.status !== 0) {
    t.skip(`cannot mount a tmpfs here (${(r.stderr || r.error?.message || '').trim()}): ENOSPC not exercised; CI runs as root`, () => {});
    return null;
  }
  mounts.push(d);
  const filler = path.join(d, 'filler');
  const fd = fs.openSync(filler, 'w');
  try {
    fs.writeSync(fd, Buffer.alloc((1 << 20) - free));
  } catch {
    /* filled up to the page: fine */
  }
  fs.closeSync(fd);
  return d;
}
/** What a run left in D, its log aside (PREFIX.log records failed and interrupted runs too: issue 18). */
export const outputsIn = (d: string) => fs.readdirSync(d).filter((f) => !f.endsWith('.log'));
export const visible = (d: string) => outputsIn(d).filter((f) => f !== 'filler');
