// The process's resource limits (`ulimit -n`, `ulimit -v`), read from /proc/self/limits so a run can
// say which limit it needs before it fails part-way (issue 15.18, 15.21). null: unlimited or unknown
// (not Linux).
import * as fs from 'node:fs';
import { FileError } from '../errors.js';

function softLimit(name: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync('/proc/self/limits', 'latin1');
  } catch {
    return null;
  }
  const line = text.split('\n').find((l) => l.startsWith(name));
  const v = line?.slice(name.length).trim().split(/\s+/)[0];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
}

/** `ulimit -n`: open files at once. */
export const openFilesLimit = (): number | null => softLimit('Max open files');

/** `ulimit -v` (SGE h_vmem): bytes of address space. */
export const addressSpaceLimit = (): number | null => softLimit('Max address space');

const GB = 1 << 30;
const gb = (bytes: number) => (bytes / GB).toFixed(1);
const kb = (bytes: number) => Math.ceil(bytes / 1024);

// Address space a run reserves, measured on Node 20 x64 (smallest `ulimit -v` that runs): 1.8 GB
// with 1 worker thread, 2.4 GB with 2, 3.6 GB with 4, 6.0 GB with 8 (each worker's V8 heap and code
// range, malloc arena, stack). docs/decisions/0019-address-space-limits.md
const BASE_BYTES = 1.25 * GB;
const PER_THREAD_BYTES = 0.625 * GB;

/**
 * Whether the WebAssembly kernels may run. V8 reserves ~10 GB of address space for each WebAssembly
 * memory (its bounds checks use guard pages; a worker has several), so under any `ulimit -v` they
 * fail or crash: the JavaScript kernels run instead (identical results, slower) — DOSAGEFLOW_NO_WASM
 * is set for this process and its workers, and a warning says why. With DOSAGEFLOW_REQUIRE_WASM=1
 * it is an error (exit 4) naming the limit. docs/decisions/0019-address-space-limits.md
 */
export function checkWasmMemory(warn: (s: string) => void, limit = addressSpaceLimit()): void {
  if (process.env.DOSAGEFLOW_NO_WASM) return;
  if (limit === null && wasmMemoryWorks()) return;
  const why = `WebAssembly memory cannot be reserved under the address-space limit${limit === null ? '' : ` (\`ulimit -v\` ${kb(limit)} kB)`}: V8 reserves ~10 GB for each`;
  if (process.env.DOSAGEFLOW_REQUIRE_WASM) throw new FileError(`${why}: lift the limit (\`ulimit -v unlimited\`) or unset DOSAGEFLOW_REQUIRE_WASM`);
  process.env.DOSAGEFLOW_NO_WASM = '1';
  if (limit !== null && limit < BASE_BYTES + PER_THREAD_BYTES) return; // too low to run at all: threadsUnderLimit says so
  warn(`${why}; the JavaScript kernels run instead (same results, slower)`);
}

function wasmMemoryWorks(): boolean {
  try {
    new WebAssembly.Memory({ initial: 1 });
    return true;
  } catch (e) {
    if (e instanceof RangeError) return false;
    throw e;
  }
}

/**
 * The worker threads that fit under `ulimit -v`: `threads` when they do; fewer, with a warning; an
 * error (exit 4) naming the limit to set when not even one does. Results do not depend on the count.
 */
export function threadsUnderLimit(threads: number, warn: (s: string) => void, limit = addressSpaceLimit()): number {
  if (limit === null) return threads;
  const fit = Math.floor((limit - BASE_BYTES) / PER_THREAD_BYTES);
  if (fit >= threads) return threads;
  const need = BASE_BYTES + PER_THREAD_BYTES;
  if (fit < 1) {
    throw new FileError(
      `the address-space limit (\`ulimit -v\` ${kb(limit)} kB, ${gb(limit)} GB) is below the ${gb(need)} GB a run reserves with one worker thread: raise it (\`ulimit -v ${kb(need)}\`; SGE: -l h_vmem=${Math.ceil(need / GB)}G)`,
    );
  }
  warn(
    `--threads ${threads} lowered to ${fit}: the address-space limit (\`ulimit -v\` ${kb(limit)} kB) leaves room for ${fit} worker thread${fit === 1 ? '' : 's'} (each reserves ~${gb(PER_THREAD_BYTES)} GB; ${threads} need \`ulimit -v ${kb(BASE_BYTES + threads * PER_THREAD_BYTES)}\`)`,
  );
  return fit;
}
