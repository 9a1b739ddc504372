// The version, Node version and git commit of this build: `dosageflow --version` and every PREFIX.log.
// In a git checkout the commit is asked of git (it may have moved since the last build); an installed
// package has no .git and reads build-info.json, written at build/pack time (scripts/build-info.mjs).
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface VersionInfo {
  version: string;
  commit: string;
  node: string;
}

/** The package root: dist/src/version.js -> ../.. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let cached: VersionInfo | null = null;
const GIT_ARGS = ['-C', PACKAGE_ROOT, 'describe', '--always', '--dirty', '--abbrev=12', '--exclude', '*'];
// The commit from an asynchronous `git describe` (prefetchVersion): undefined until it answers.
let fetched: string | null | undefined;
let asked = false;

/**
 * Ask git for the commit in the background, so that a run's log does not wait for it at start-up
 * (a blocking spawn on the main thread before the workers start: docs/decisions/0202, Session 10
 * part 2). versionInfo() uses the answer when it has come, else asks git synchronously as before.
 */
export function prefetchVersion(): void {
  if (cached || asked || !fs.existsSync(path.join(PACKAGE_ROOT, '.git'))) return;
  asked = true;
  try {
    const child = execFile('git', GIT_ARGS, { encoding: 'utf8', timeout: 5000 }, (err, stdout) => {
      fetched = err ? null : stdout.trim() || null;
    });
    child.stdin?.end();
  } catch {
    /* versionInfo() asks synchronously */
  }
}

export function versionInfo(): VersionInfo {
  if (cached) return cached;
  let version = 'unknown';
  try {
    version = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;
  } catch {
    /* reported as unknown */
  }
  const commit = fetched !== undefined ? fetched : gitCommit();
  cached = { version, commit: commit ?? builtCommit() ?? 'unknown', node: process.version };
  return cached;
}

function gitCommit(): string | null {
  if (!fs.existsSync(path.join(PACKAGE_ROOT, '.git'))) return null;
  try {
    return execFileSync('git', GIT_ARGS, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim() || null;
  } catch {
    return null;
  }
}

function builtCommit(): string | null {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'build-info.json'), 'utf8'));
    return typeof info.commit === 'string' ? info.commit : null;
  } catch {
    return null;
  }
}

export function versionLine(): string {
  const v = versionInfo();
  return `dosageflow ${v.version} (commit ${v.commit}, Node ${v.node.replace(/^v/, '')})`;
}
