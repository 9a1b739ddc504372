// The process's resource limits (`ulimit -n`, `ulimit -v`), read from /proc/self/limits so a run can
// say which limit it needs before it fails part-way (issue 15.18, 15.21). null: unlimited or unknown
// (not Linux).
import * as fs from 'node:fs';

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
