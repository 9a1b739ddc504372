// The output directory check and the run's temporary directory, shared by assoc, merge, prs and
// report: created beside the output (or under --tmp-dir), registered so an interrupt removes it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileError, fileError } from '../errors.js';
import { registerTemp, unregisterTemp } from './output.js';

/**
 * Make `dir` and its missing parents. A failure names the directory that could not be written
 * (Node's recursive mkdir reports a read-only parent as ENOENT, "no such file": issue 15.22).
 */
export function makeDirectory(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    return;
  } catch (e) {
    let parent = path.resolve(dir);
    while (!fs.existsSync(path.dirname(parent)) && path.dirname(parent) !== parent) parent = path.dirname(parent);
    const base = path.dirname(parent);
    try {
      fs.mkdirSync(parent);
    } catch (e2) {
      const code = (e2 as NodeJS.ErrnoException).code;
      if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
        throw new FileError(`cannot create the directory: ${base} is not writable (${fileError(e2, base).message})`, { file: dir }, { cause: e2 });
      }
      throw fileError(e2, dir);
    }
    throw fileError(e, dir);
  }
}

/** The directory `out` will be written in (the working directory for `-`); it must exist, or with `create` it is made. */
export function checkOutputDir(out: string, opts: { create?: boolean } = {}): string {
  const dir = out === '-' ? process.cwd() : path.dirname(path.resolve(out));
  let st: fs.Stats;
  try {
    if (opts.create) makeDirectory(dir);
    st = fs.statSync(dir);
  } catch (e) {
    throw fileError(e, dir);
  }
  if (!st.isDirectory()) throw new FileError('output directory is not a directory', { file: dir });
  return dir;
}

/** Where a run's temporary directory goes: --tmp-dir, else beside the output (the system's for `-`). */
export function tmpBaseFor(out: string, tmpDir: string | undefined): string {
  return tmpDir ?? (out === '-' ? os.tmpdir() : path.dirname(path.resolve(out)));
}

export interface RunDir {
  readonly path: string;
  /** Remove the directory and everything in it (idempotent). */
  remove(): void;
}

/** A fresh directory `base/PREFIXxxxxxx`, removed by remove() or, on an interrupt, by the CLI. */
export function makeRunDir(base: string, prefix: string): RunDir {
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(base, prefix));
  } catch (e) {
    throw fileError(e, base);
  }
  registerTemp(dir);
  let live = true;
  return {
    path: dir,
    remove() {
      if (!live) return;
      live = false;
      fs.rmSync(dir, { recursive: true, force: true });
      unregisterTemp(dir);
    },
  };
}

/** A run directory made on first use (merge needs one only when it spills). */
export function lazyRunDir(base: string, prefix: string): { get: () => string; remove: () => void } {
  let dir: RunDir | null = null;
  return {
    get: () => (dir ??= makeRunDir(base, prefix)).path,
    remove() {
      dir?.remove();
      dir = null;
    },
  };
}
