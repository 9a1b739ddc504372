// Summarise V8 .cpuprofile files (from `node --cpu-prof --cpu-prof-dir=DIR ...`): per thread, the
// top functions by self time, and the total time per source file.
//   node dist/bench/profile-top.js DIR [--top 25]
// One file per thread: with the worker pool, the main thread and each worker write their own.
import * as fs from 'node:fs';
import * as path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  where: string;
  selfMs: number;
}

function shortUrl(url: string): string {
  if (!url) return '';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) return u.slice(nm + 1);
  const i = u.indexOf('/dist/');
  if (i >= 0) return u.slice(i + 1);
  return u;
}

/** Self time per function (ms) and per file, and the profile's wall span. */
export function summarise(p: Profile): { functions: FunctionTime[]; files: Map<string, number>; spanMs: number; idleMs: number } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    // timeDeltas[i] is the time since the previous sample: attribute the next delta to this one.
    const dt = i + 1 < p.timeDeltas.length ? p.timeDeltas[i + 1] : 0;
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + Math.max(0, dt));
  }
  const agg = new Map<string, FunctionTime>();
  const files = new Map<string, number>();
  let idleMs = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const cf = n.callFrame;
    const name = cf.functionName || '(anonymous)';
    const where = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : '';
    if (name === '(idle)') idleMs += us / 1000;
    const key = `${name}@${where}`;
    const e = agg.get(key) ?? { name, where, selfMs: 0 };
    e.selfMs += us / 1000;
    agg.set(key, e);
    const file = cf.url ? shortUrl(cf.url) : name.startsWith('(') ? name : '(native)';
    files.set(file, (files.get(file) ?? 0) + us / 1000);
  }
  return { functions: [...agg.values()].sort((a, b) => b.selfMs - a.selfMs), files, spanMs: (p.endTime - p.startTime) / 1000, idleMs };
}

function main(): void {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--'));
  const ti = args.indexOf('--top');
  const top = ti >= 0 ? Number(args[ti + 1]) : 25;
  if (!dir) {
    process.stderr.write('usage: node dist/bench/profile-top.js DIR [--top N]\n');
    process.exit(2);
  }
  const files =
    fs.existsSync(dir) && fs.statSync(dir).isDirectory()
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.cpuprofile'))
          .sort()
          .map((f) => path.join(dir, f))
      : [dir];
  for (const f of files) {
    const s = summarise(JSON.parse(fs.readFileSync(f, 'utf8')) as Profile);
    const busy = s.spanMs - s.idleMs;
    process.stdout.write(`\n## ${path.basename(f)}: span ${(s.spanMs / 1000).toFixed(2)} s, idle ${(s.idleMs / 1000).toFixed(2)} s\n\n`);
    process.stdout.write('| self ms | % busy | function | where |\n|---:|---:|---|---|\n');
    const pct = (ms: number, name: string) => (name === '(idle)' ? '-' : ((100 * ms) / Math.max(1, busy)).toFixed(1));
    for (const fn of s.functions.slice(0, top)) {
      process.stdout.write(`| ${fn.selfMs.toFixed(0)} | ${pct(fn.selfMs, fn.name)} | ${fn.name} | ${fn.where} |\n`);
    }
    process.stdout.write('\n| self ms | % busy | file |\n|---:|---:|---|\n');
    for (const [file, ms] of [...s.files].sort((a, b) => b[1] - a[1]).slice(0, 12)) process.stdout.write(`| ${ms.toFixed(0)} | ${pct(ms, file)} | ${file} |\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) main();
