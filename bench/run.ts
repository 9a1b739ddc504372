// `npm run bench [-- --only 1,2 --quick ...]`: dosageflow vs plink2 on simulated cohorts.
// For every run: wall time, variants/s, peak RSS of the whole process tree, the same for plink2 on
// the identical input (its import included), and the ratio plink2_wall / dosageflow_wall.
// Writes bench/results/<date>[-quick][-only-..].json (replaced by a later run that day; git keeps history) and (full
// runs) the table in bench/README.md.
// Progress goes to stderr; the final table to stdout. See bench/README.md.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, ensureData, snapshotEngine, waitIdle, estimateBytes, findGnuTime, freeBytes, machineInfo, measure, outputRows, warmCache, which, type Measurement } from './lib.js';
import { HARD_CALLS_RSS_MB, dataFiles, dataPrefix, dosageflowArgs, plink2Args, scenarios, type RunSpec, type Scale, type Scenario } from './scenarios.js';

interface Options {
  only: string[] | null;
  scale: Scale;
  repeat: number;
  threads: number;
  /** plink2 thread counts to try (each timed; the fastest is plink2's result). */
  plink2Threads: number[] | null;
  plink2: boolean;
  keep: boolean;
  dataDir: string;
  readme: boolean | null;
  /** Re-render the table and goals from a results JSON instead of running. */
  from: string | null;
  /** RSS polling interval; default 50 ms, or 250 ms when GNU time gives the peak (polling is then a cross-check). */
  pollMs: number | null;
  waitIdle: number;
}

const USAGE = `usage: npm run bench -- [options]
  --only 1,2      run only these scenarios (1 seed shape, 2 biobank slice, 3 many phenotypes, 6/7 case/control,
                  4 memory scaling, 5 goal .gen.zst 157 x 300k, 8 VCF GT:DS:HDS 157 x 300k and 2,000 x 100k,
                  9-11 missing genotypes, 12/13 plink2 --dummy hard calls / half missing; 8, 12 and 13
                  need plink2 to make their inputs)
  --quick         shrink every scenario ~10x (variant counts) for a smoke run
  --repeat N      time each command N times, report the fastest (default 1)
  --threads N     threads for both tools (default: available cores)
  --plink2-threads LIST  plink2 thread counts to time, fastest reported (default: --threads and 1;
                  on this 2-vCPU VM plink2 2.00a3.5 is faster with 1 thread, see README)
  --no-plink2     skip plink2 even if it is on PATH
  --keep          keep the association outputs (bench/data/runs/)
  --data-dir DIR  where the simulated inputs live (default bench/data)
  --readme / --no-readme   (do not) rewrite the table in bench/README.md
                  (default: full runs yes, --quick runs no)
  --poll-ms N     RSS polling interval (default 50 ms; 250 ms when GNU time -v gives the peak)
  --from FILE     do not run: re-render the table and goals of a results JSON (with --readme:
                  into bench/README.md); a top-level "note" in the JSON is added to the header
  --wait-idle S   before each timed command wait up to S seconds for the machine to go idle
                  (< 15% of CPUs busy); the share of the machine others used during each
                  command is recorded either way`;

function parseArgs(argv: string[]): Options {
  const o: Options = {
    only: null,
    scale: 'full',
    repeat: 1,
    threads: os.availableParallelism(),
    plink2Threads: null,
    plink2: true,
    keep: false,
    dataDir: path.join(ROOT, 'bench/data'),
    readme: null,
    from: null,
    pollMs: null,
    waitIdle: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const flag = a.replace(/=.*$/, '');
    switch (flag) {
      case '--only':
        o.only = val()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case '--quick':
        o.scale = 'quick';
        break;
      case '--repeat':
        o.repeat = Math.max(1, Math.floor(Number(val())));
        break;
      case '--threads':
        o.threads = Math.max(1, Math.floor(Number(val())));
        break;
      case '--plink2-threads':
        o.plink2Threads = val()
          .split(',')
          .map((x) => Math.max(1, Math.floor(Number(x))))
          .filter(Number.isFinite);
        break;
      case '--no-plink2':
        o.plink2 = false;
        break;
      case '--keep':
        o.keep = true;
        break;
      case '--data-dir':
        o.dataDir = path.resolve(val());
        break;
      case '--readme':
        o.readme = true;
        break;
      case '--no-readme':
        o.readme = false;
        break;
      case '--from':
        o.from = path.resolve(val());
        break;
      case '--wait-idle':
        o.waitIdle = Math.max(0, Number(val()));
        break;
      case '--poll-ms':
        o.pollMs = Math.max(5, Number(val()));
        break;
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  if (!Number.isFinite(o.repeat) || !Number.isFinite(o.threads)) throw new Error('--repeat and --threads take numbers');
  return o;
}

const log = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

interface ToolResult extends Measurement {
  /** All wall times when --repeat > 1 (the reported one is the fastest). */
  wallAll: number[];
  variantsPerSecond: number;
  rowsOut: number;
  outputs: { file: string; rows: number }[];
  /** dosageflow's own "in X s" (engine time, after Node start-up and module loading). */
  engineSeconds?: number;
  ok: boolean;
  error?: string;
  /** Threads the tool was given. */
  threads: number;
}

interface RunResult {
  scenario: string;
  scenarioName: string;
  label: string;
  samples: number;
  variants: number;
  input: string;
  inputBytes: number;
  nPhenos: number;
  nCovars: number;
  dosageflow: ToolResult;
  plink2: ToolResult | null;
  /** plink2 wall / dosageflow wall. */
  ratio: number | null;
  /** plink2 per thread count: every wall time and the fastest (ratio uses the overall fastest). */
  plink2ByThreads?: { threads: number; wallAll: number[]; best: number | null; cpuBest: number | null; peakRssMB: number }[];
  skipped?: string;
}

interface Goal {
  id: string;
  text: string;
  measured: string;
  pass: boolean | null;
}

function fmtS(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
function fmtRate(x: number): string {
  return !Number.isFinite(x) || x <= 0 ? '-' : Math.round(x).toLocaleString('en-US');
}
function fmtMB(x: number | null | undefined): string {
  return x === null || x === undefined ? '-' : x.toFixed(0);
}

/** user + system CPU seconds (GNU time), or null. */
function cpu(m: Measurement): number | null {
  return m.userSeconds === null || m.sysSeconds === null ? null : m.userSeconds + m.sysSeconds;
}

function cpuRatio(r: RunResult): string {
  const a = cpu(r.dosageflow);
  const b = r.plink2?.ok && r.dosageflow.ok ? cpu(r.plink2) : null;
  return a && b ? (b / a).toFixed(2) + 'x' : '-';
}

function pctLoad(x: number | null | undefined): string {
  return x === null || x === undefined ? '?' : (100 * x).toFixed(0);
}

function describeInput(r: RunSpec): string {
  const d = r.data;
  return d.format === 'gen' ? `.gen.${d.compress}` : d.format === 'vcf' ? 'VCF GT:DS:HDS bgzip' : `BGEN ${d.bits ?? 8}-bit ${d.compress}${d.dummy ? ' (plink2 --dummy)' : ''}`;
}

/** One execution of one tool; outputs counted, then removed unless --keep. */
async function runTool(
  tool: 'dosageflow' | 'plink2',
  threads: number,
  run: RunSpec,
  files: ReturnType<typeof dataFiles>,
  opts: Options,
  gnuTime: string | null,
  plink2: string,
  engine: string,
): Promise<ToolResult> {
  const outDir = path.join(opts.dataDir, 'runs', `${dataPrefix(run.data)}-${run.label.replace(/\W+/g, '_')}-${tool}${threads}`);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, 'out');
  const m =
    tool === 'dosageflow'
      ? await measure(process.execPath, [engine, ...dosageflowArgs(run, files, out, threads)], { gnuTime, pollMs: opts.pollMs ?? 50 })
      : await measure(plink2, plink2Args(run, files, out, threads), { gnuTime, pollMs: opts.pollMs ?? 50, cwd: outDir });
  const outputs = await outputRows(outDir, 'out.', tool === 'dosageflow' ? /\.tsv(\.gz|\.zst)?$/ : /\.glm\.(linear|logistic(\.hybrid|\.firth)?)$/);
  const rowsOut = outputs.reduce((s, x) => s + x.rows, 0);
  const ok = m.exitCode === 0 && rowsOut > 0;
  const engineMatch = tool === 'dosageflow' ? /variants read .* in ([\d.]+) s/.exec(m.stderrTail) : null;
  if (!opts.keep) fs.rmSync(outDir, { recursive: true, force: true });
  return {
    ...m,
    wallAll: [m.wallSeconds],
    variantsPerSecond: run.data.variants / m.wallSeconds,
    rowsOut,
    outputs,
    ...(engineMatch ? { engineSeconds: Number(engineMatch[1]) } : {}),
    ok,
    threads,
    ...(ok ? {} : { error: m.exitCode !== 0 ? `exit ${m.exitCode}: ${m.stderrTail.trim().split('\n').slice(-3).join(' | ')}` : 'no output rows' }),
  };
}

/** Keep the fastest successful execution (or the first failure); remember every wall time. */
function better(prev: ToolResult | null, r: ToolResult): ToolResult {
  if (!prev) return r;
  const all = [...prev.wallAll, r.wallSeconds];
  const pick = !prev.ok ? prev : !r.ok ? r : r.wallSeconds < prev.wallSeconds ? r : prev;
  return { ...pick, wallAll: all };
}

/** Rough bytes a run writes besides its input: plink2's temporary .pgen and both tools' tables. */
function runScratchBytes(run: RunSpec): number {
  const g = run.data.samples * run.data.variants;
  return g * 2.3 + run.data.variants * run.nPhenos * 260;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.from) return rerender(opts);
  const all = scenarios(opts.scale);
  const chosen: Scenario[] = opts.only ? all.filter((s) => opts.only!.includes(s.id)) : all;
  if (opts.only) {
    const unknown = opts.only.filter((id) => !all.some((s) => s.id === id));
    if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')} (have ${all.map((s) => s.id).join(', ')})`);
  }
  const p2Threads = [...new Set(opts.plink2Threads ?? [opts.threads, 1])];
  const gnuTime = findGnuTime();
  if (opts.pollMs === null) opts.pollMs = gnuTime ? 250 : 50;
  const plink2 = opts.plink2 ? which('plink2') : null;
  const machine = machineInfo();
  log(`dosageflow bench (${opts.scale}), scenarios ${chosen.map((s) => s.id).join(',')}, threads ${opts.threads}, repeat ${opts.repeat}`);
  log(`peak RSS via ${gnuTime ? `${gnuTime} -v (ru_maxrss)` : 'polling /proc every ' + opts.pollMs + ' ms'}; plink2: ${plink2 ?? 'not used'}`);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const engine = snapshotEngine(path.join(opts.dataDir, '.engine'));
  log(`engine: snapshot of dist/src at commit ${machine.gitCommit}${machine.gitDirty ? ' (dirty tree)' : ''} -> ${path.relative(ROOT, engine)}`);
  const native = fs.existsSync(path.join(path.dirname(engine), '..', 'build/Release/dosageflow_deflate.node'));
  log(`inflate: ${native ? 'libdeflate (native, decision 0303)' : "Node's zlib (no native build: libdeflate-dev missing at npm install?)"}`);

  const results: RunResult[] = [];
  const generation: { data: string; seconds: number }[] = [];
  for (const sc of chosen) {
    log(`scenario ${sc.id} (${sc.name}): ${sc.description}`);
    for (const run of sc.runs) {
      const files = dataFiles(opts.dataDir, run.data);
      const base: Omit<RunResult, 'dosageflow' | 'plink2' | 'ratio'> = {
        scenario: sc.id,
        scenarioName: sc.name,
        label: run.label,
        samples: run.data.samples,
        variants: run.data.variants,
        input: describeInput(run),
        inputBytes: 0,
        nPhenos: run.nPhenos,
        nCovars: run.nCovars,
      };
      if ((run.data.dummy || run.data.format === 'vcf') && !fs.existsSync(files.genotypes) && !which('plink2')) {
        const why = 'plink2 not on PATH: it makes this input';
        log(`  ${run.label}: SKIPPED, ${why}`);
        results.push({ ...base, skipped: why } as RunResult);
        continue;
      }
      const need = (fs.existsSync(files.genotypes) ? 0 : estimateBytes(run.data)) + runScratchBytes(run) + 2 ** 30;
      const free = freeBytes(opts.dataDir);
      if (need > free) {
        const why = `not enough disk: needs ~${(need / 1e9).toFixed(1)} GB, ${(free / 1e9).toFixed(1)} GB free in ${opts.dataDir}`;
        log(`  ${run.label}: SKIPPED, ${why}`);
        results.push({ ...base, skipped: why } as RunResult);
        continue;
      }
      const g = await ensureData(opts.dataDir, run.data, (s) => log(`  ${s}`), engine);
      if (g.generated) {
        log(`  generated in ${g.seconds.toFixed(1)} s (not timed)`);
        generation.push({ data: dataPrefix(run.data), seconds: g.seconds });
      }
      base.inputBytes = fs.statSync(files.genotypes).size;
      await warmCache(files.genotypes);
      // Repeats alternate the order (dosageflow first, then plink2 first, ...) so no command
      // always runs right after the same other one; the fastest of each is reported. plink2 is
      // timed with each thread count of --plink2-threads and its fastest overall is compared.
      type Job = { tool: 'dosageflow' | 'plink2'; threads: number };
      const jobs: Job[] = [{ tool: 'dosageflow', threads: opts.threads }, ...(plink2 ? p2Threads.map((t) => ({ tool: 'plink2' as const, threads: t })) : [])];
      let df: ToolResult | null = null;
      const p2: Map<number, ToolResult> = new Map();
      for (let rep = 0; rep < opts.repeat; rep++) {
        for (const { tool, threads } of rep % 2 === 0 ? jobs : [...jobs].reverse()) {
          const prev = tool === 'dosageflow' ? df : (p2.get(threads) ?? null);
          if (prev && !prev.ok) continue;
          if (opts.waitIdle > 0) await waitIdle(opts.waitIdle, log);
          const what = `${tool}${tool === 'plink2' ? ` --threads ${threads}` : ''}`;
          log(`  ${run.label}: ${what}${opts.repeat > 1 ? ` (${rep + 1}/${opts.repeat})` : ''} ...`);
          const r = await runTool(tool, threads, run, files, opts, gnuTime, plink2 ?? '', engine);
          const load = `CPU ${fmtS(cpu(r))} s, others used ${r.foreignLoad === null ? '?' : (100 * r.foreignLoad).toFixed(0)}% of the machine`;
          if (!r.ok) log(`  ${what} FAILED: ${r.error}`);
          else if (tool === 'dosageflow')
            log(`  ${run.label}: dosageflow ${fmtS(r.wallSeconds)} s (${load}), ${fmtRate(r.variantsPerSecond)} variants/s, peak RSS ${fmtMB(r.peakRssMB)} MB, ${r.rowsOut} rows`);
          else log(`  ${run.label}: ${what} ${fmtS(r.wallSeconds)} s (${load}), peak RSS ${fmtMB(r.peakRssMB)} MB, ${r.rowsOut} rows`);
          if (tool === 'dosageflow') df = better(df, r);
          else p2.set(threads, better(p2.get(threads) ?? null, r));
        }
      }
      if (!df) throw new Error('internal: no dosageflow result');
      let p2best: ToolResult | null = null;
      for (const r of p2.values()) if (!p2best || (r.ok && (!p2best.ok || r.wallSeconds < p2best.wallSeconds))) p2best = r;
      const ratio = p2best?.ok && df.ok ? p2best.wallSeconds / df.wallSeconds : null;
      if (ratio !== null) log(`  ${run.label}: plink2 (best: --threads ${p2best!.threads}) / dosageflow = ${ratio.toFixed(2)}`);
      const plink2ByThreads = [...p2.values()].map((r) => ({ threads: r.threads, wallAll: r.wallAll, best: r.ok ? r.wallSeconds : null, cpuBest: r.ok ? cpu(r) : null, peakRssMB: r.peakRssMB }));
      results.push({ ...base, dosageflow: df, plink2: p2best, ratio, ...(plink2 ? { plink2ByThreads } : {}) });
    }
  }

  const goals = evaluateGoals(results, opts.scale);
  const marginal = marginalCost(results);
  const date = localDate();
  const suffix = (opts.scale === 'quick' ? '-quick' : '') + (opts.only ? `-only-${opts.only.join('-')}` : '');
  const resultsDir = path.join(ROOT, 'bench/results');
  fs.mkdirSync(resultsDir, { recursive: true });
  // A later run of the same day and scenarios replaces the file: git keeps the earlier ones.
  const jsonFile = path.join(resultsDir, `${date}${suffix}.json`);
  const doc = {
    date: new Date().toISOString(),
    mode: opts.scale,
    options: { ...opts, dataDir: path.relative(ROOT, opts.dataDir) || '.' },
    rssMethod: gnuTime
      ? `${gnuTime} -v: Maximum resident set size (wait4 ru_maxrss of the child; worker threads share the process); plus /proc tree polling every ${opts.pollMs} ms`
      : `polling /proc/<pid>/status of the process tree every ${opts.pollMs} ms`,
    machine,
    generation,
    runs: results,
    marginalCost: marginal,
    goals,
  };
  fs.writeFileSync(jsonFile, JSON.stringify(doc, null, 1) + '\n');
  log(`wrote ${path.relative(ROOT, jsonFile)}`);

  const md = markdown(results, goals, marginal, doc, path.relative(path.join(ROOT, 'bench'), jsonFile));
  process.stdout.write(md + '\n');
  const writeReadme = opts.readme ?? opts.scale === 'full';
  if (writeReadme) {
    updateReadme(path.join(ROOT, 'bench/README.md'), md);
    log('updated bench/README.md');
  }
  const failed = results.filter((r) => !r.skipped && (!r.dosageflow.ok || (r.plink2 && !r.plink2.ok)));
  if (failed.length) {
    log(`${failed.length} run(s) failed: ${failed.map((r) => `${r.scenario}/${r.label}`).join(', ')}`);
    process.exitCode = 1;
  }
}

/** --from: goals and table again from a stored results file (e.g. after changing a goal rule). */
function rerender(opts: Options): void {
  const doc = JSON.parse(fs.readFileSync(opts.from!, 'utf8'));
  const results = doc.runs as RunResult[];
  doc.goals = evaluateGoals(results, doc.mode);
  doc.marginalCost = marginalCost(results);
  fs.writeFileSync(opts.from!, JSON.stringify(doc, null, 1) + '\n');
  const md = markdown(results, doc.goals, doc.marginalCost, doc, path.relative(path.join(ROOT, 'bench'), opts.from!));
  process.stdout.write(md + '\n');
  if (opts.readme) {
    updateReadme(path.join(ROOT, 'bench/README.md'), md);
    log('updated bench/README.md');
  }
}

function localDate(): string {
  const d = new Date();
  const p = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

interface Marginal {
  /** dosageflow wall with 1 phenotype, s. */
  first: number;
  /** (wall with K phenotypes - wall with 1) / (K - 1), s. */
  perExtra: number;
  k: number;
  plink2First: number | null;
  plink2PerExtra: number | null;
}

function marginalCost(results: RunResult[]): Marginal | null {
  const s3 = results.filter((r) => r.scenario === '3' && !r.skipped && r.dosageflow.ok);
  const one = s3.find((r) => r.nPhenos === 1);
  const many = s3.find((r) => r.nPhenos > 1);
  if (!one || !many) return null;
  const k = many.nPhenos;
  const p2ok = one.plink2?.ok && many.plink2?.ok;
  return {
    first: one.dosageflow.wallSeconds,
    perExtra: (many.dosageflow.wallSeconds - one.dosageflow.wallSeconds) / (k - 1),
    k,
    plink2First: p2ok ? one.plink2!.wallSeconds : null,
    plink2PerExtra: p2ok ? (many.plink2!.wallSeconds - one.plink2!.wallSeconds) / (k - 1) : null,
  };
}

function evaluateGoals(results: RunResult[], scale: Scale): Goal[] {
  const goals: Goal[] = [];
  const done = (r: RunResult | undefined) => r && !r.skipped && r.dosageflow.ok;
  const ratioGoal = (id: string, text: string, r: RunResult | undefined, target: number) => {
    if (!done(r)) return;
    goals.push({
      id,
      text,
      measured:
        r!.ratio === null
          ? 'no plink2 timing'
          : `${r!.ratio.toFixed(2)}x (plink2 ${fmtS(r!.plink2!.wallSeconds)} s with --threads ${r!.plink2!.threads} / dosageflow ${fmtS(r!.dosageflow.wallSeconds)} s)`,
      pass: r!.ratio === null ? null : r!.ratio >= target,
    });
  };
  const s2 = results.find((r) => r.scenario === '2');
  ratioGoal('bgen-10k', `BGEN ${s2?.samples ?? ''} x ${s2?.variants ?? ''}, 12 covariates: plink2/dosageflow >= 3`, s2, 3);
  const s5 = results.find((r) => r.scenario === '5');
  ratioGoal('gen-zst', `zstd .gen ${s5?.samples ?? ''} x ${s5?.variants ?? ''}, 2 phenotypes, 12 covariates: plink2/dosageflow >= 2`, s5, 2);
  const s4 = results.filter((r) => r.scenario === '4' && done(r));
  if (s4.length) {
    const big = s4.reduce((a, b) => (b.variants > a.variants ? b : a));
    const small = s4.reduce((a, b) => (b.variants < a.variants ? b : a));
    goals.push({ id: 'rss-300', text: `${big.samples} x ${big.variants} BGEN: peak RSS <= 300 MB`, measured: `${fmtMB(big.dosageflow.peakRssMB)} MB`, pass: big.dosageflow.peakRssMB <= 300 });
    ratioGoal('bgen-157-ratio', `${big.samples} x ${big.variants} BGEN: plink2/dosageflow >= 2`, big, 2);
    if (s4.length > 1) {
      // "Must not grow with M": memory should plateau once the pipeline is warm (V8 heaps reach
      // their working size in the first seconds, which the smallest run barely covers). Rule: the
      // largest M may use at most 10% + 16 MB more than the next largest (6x fewer variants at full
      // scale); growth from the smallest is shown too.
      const sorted = [...s4].sort((a, b) => a.variants - b.variants);
      const prev = sorted[sorted.length - 2];
      const growth = big.dosageflow.peakRssMB - prev.dosageflow.peakRssMB;
      goals.push({
        id: 'rss-flat',
        text: `peak RSS flat in M (${sorted.map((r) => r.label).join(' -> ')}; allowed from ${prev.label} to ${big.label}: +10% + 16 MB)`,
        measured:
          sorted.map((r) => `${fmtMB(r.dosageflow.peakRssMB)}`).join(' -> ') +
          ` MB (${prev.label} -> ${big.label}: ${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MB; ${small.label} -> ${big.label}: +${(big.dosageflow.peakRssMB - small.dosageflow.peakRssMB).toFixed(0)} MB)`,
        pass: growth <= 0.1 * prev.dosageflow.peakRssMB + 16,
      });
    }
  }
  // Issue 19's plink2 --dummy inputs.
  const s12 = results.find((r) => r.scenario === '12');
  ratioGoal('dummy-hard', `BGEN ${s12?.samples ?? ''} x ${s12?.variants ?? ''} hard calls (plink2 --dummy): plink2/dosageflow >= 2`, s12, 2);
  if (done(s12)) {
    const rss = s12!.dosageflow.peakRssMB;
    goals.push({
      id: 'dummy-hard-rss',
      text: `BGEN ${s12!.samples} x ${s12!.variants} hard calls: peak RSS no more than before issue 19 (<= ${HARD_CALLS_RSS_MB} MB)`,
      measured: `${fmtMB(rss)} MB`,
      pass: rss <= HARD_CALLS_RSS_MB,
    });
  }
  const s13 = results.find((r) => r.scenario === '13');
  ratioGoal('dummy-half', `BGEN ${s13?.samples ?? ''} x ${s13?.variants ?? ''}, half the variants missing 50-70% (plink2 --dummy): plink2/dosageflow >= 2`, s13, 2);
  const m = marginalCost(results);
  if (m) {
    // "Well under": at most a quarter of the whole single-phenotype run.
    goals.push({
      id: 'pheno-marginal',
      text: `${m.k} phenotypes: cost per extra phenotype well under the first's (<= 25%)`,
      measured: `${fmtS(m.perExtra)} s per extra vs ${fmtS(m.first)} s for the first (${((100 * m.perExtra) / m.first).toFixed(0)}%)`,
      pass: m.perExtra <= 0.25 * m.first,
    });
  }
  if (scale !== 'full') for (const g of goals) g.text += ' [quick scale: indicative only]';
  return goals;
}

function markdown(
  results: RunResult[],
  goals: Goal[],
  m: Marginal | null,
  doc: { date: string; mode: string; machine: Record<string, unknown>; options: Options; rssMethod: string; note?: string },
  jsonRel: string,
): string {
  const mach = doc.machine as { cpus: number; cpuModel: string; memGiB: number; node: string; plink2: { version: string } | null; gitCommit: string; gitDirty: boolean };
  const lines: string[] = [];
  lines.push(
    `Run ${doc.date.slice(0, 16).replace('T', ' ')} UTC, mode **${doc.mode}**, commit ${mach.gitCommit}${mach.gitDirty ? ' (dirty tree)' : ''}; ${mach.cpus} x ${mach.cpuModel}, ${mach.memGiB} GiB, Node ${mach.node}, ${mach.plink2?.version ?? 'no plink2'}; dosageflow --threads ${doc.options.threads}, plink2 fastest of --threads ${(doc.options.plink2Threads ?? [doc.options.threads, 1]).join(' / ')}${doc.options.repeat > 1 ? `; fastest of ${doc.options.repeat} runs each` : ''}.${doc.note ? ` ${doc.note}` : ''} Raw numbers: [${jsonRel}](${jsonRel}).`,
  );
  lines.push('');
  lines.push(
    "| # | scenario | run | input | samples x variants | phenos | dosageflow wall s | CPU s | variants/s | peak RSS MB | plink2 wall s (per thread count) | CPU s | plink2 peak RSS MB | plink2 / dosageflow wall | CPU ratio | others' load % |",
  );
  lines.push('|---|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const dims = `${r.samples.toLocaleString('en-US')} x ${r.variants.toLocaleString('en-US')}`;
    if (r.skipped) {
      lines.push(`| ${r.scenario} | ${r.scenarioName} | ${r.label} | ${r.input} | ${dims} | ${r.nPhenos} | skipped: ${r.skipped} | | | | | | | | | |`);
      continue;
    }
    const df = r.dosageflow;
    const p2 = r.plink2;
    const dfWall = df.ok ? fmtS(df.wallSeconds) : `FAILED`;
    const byT = r.plink2ByThreads && r.plink2ByThreads.length > 1 ? ` (${r.plink2ByThreads.map((x) => `${x.threads}t: ${fmtS(x.best)}`).join(', ')})` : '';
    const p2Wall = !p2 ? 'n/a' : p2.ok ? `**${fmtS(p2.wallSeconds)}**${byT}` : 'FAILED';
    lines.push(
      `| ${r.scenario} | ${r.scenarioName} | ${r.label} | ${r.input} | ${dims} | ${r.nPhenos} | ${dfWall} | ${fmtS(cpu(df))} | ${df.ok ? fmtRate(df.variantsPerSecond) : '-'} | ${fmtMB(df.peakRssMB)} | ${p2Wall} | ${p2 ? fmtS(cpu(p2)) : '-'} | ${p2 ? fmtMB(p2.peakRssMB) : '-'} | ${r.ratio === null ? '-' : r.ratio.toFixed(2) + 'x'} | ${cpuRatio(r)} | ${pctLoad(df.foreignLoad)} / ${p2 ? pctLoad(p2.foreignLoad) : '-'} |`,
    );
  }
  if (m) {
    lines.push('');
    lines.push(
      `Marginal cost per phenotype (scenario 3): first phenotype ${fmtS(m.first)} s, each extra ${fmtS(m.perExtra)} s (${((100 * m.perExtra) / m.first).toFixed(0)}% of the first)` +
        (m.plink2First !== null ? `; plink2: first ${fmtS(m.plink2First)} s, each extra ${fmtS(m.plink2PerExtra)} s.` : '.'),
    );
  }
  if (goals.length) {
    lines.push('');
    lines.push('| goal | measured | met |');
    lines.push('|---|---|---|');
    for (const g of goals) lines.push(`| ${g.text} | ${g.measured} | ${g.pass === null ? '-' : g.pass ? 'yes' : '**no**'} |`);
  }
  lines.push('');
  lines.push(
    `Peak RSS: ${doc.rssMethod}. Wall time: spawn to exit, Node start-up included; data generation excluded. CPU s = user + system (GNU time); CPU ratio = plink2 CPU / dosageflow CPU. Others' load = share of the machine's CPU time (all cores) used by other processes while dosageflow / plink2 ran: anything well above 0 inflates wall times, so read those ratios with care.`,
  );
  return lines.join('\n');
}

export const README_BEGIN = '<!-- bench-results:begin (generated by npm run bench; do not edit by hand) -->';
export const README_END = '<!-- bench-results:end -->';

function updateReadme(file: string, md: string): void {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# dosageflow benchmark\n';
  const block = `${README_BEGIN}\n${md}\n${README_END}`;
  const b = text.indexOf(README_BEGIN);
  const e = text.indexOf(README_END);
  const next = b >= 0 && e > b ? text.slice(0, b) + block + text.slice(e + README_END.length) : text.trimEnd() + '\n\n## Results\n\n' + block + '\n';
  fs.writeFileSync(file, next);
}

main().catch((e) => {
  log(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 2;
});
