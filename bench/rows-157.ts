// In-process timing of a worker's per-record work after decoding (regression, P, formatting, rows.ts
// assembly) on a bgzipped VCF: its first chunks decoded once, their dosage rows kept, then
// RowFormatter.emitVariant over every row, as the worker calls it; or (--whole) RowFormatter.vcf over
// the chunks (inflate and decode too); or (--kernel) the linear kernel alone. Several builds (--builds
// dist,dist2: directories beside dist/ holding another build) are timed in one process, passes in a
// random order each round, so that the machine's drift hits them alike; their outputs must agree.
// User + system CPU a record, min / q1 / median of --repeat rounds. Decision 0302, "Session 12".
//   node dist/bench/rows-157.js FILE.vcf.gz --pheno P --covar C [--chunks 20] [--repeat 12] [--builds dist,dist2] [--whole | --kernel]
import { prepareModel } from '../src/pipeline/assoc-run.js';
import { openVcf, VCF_BGZF_CHUNK } from '../src/pipeline/vcf-source.js';
import { inflateBlocks } from '../src/formats/vcf/bgzf.js';
import { VcfDecoder } from '../src/formats/vcf/decode.js';
import { ReusedInflate } from '../src/io/inflate-handle.js';
import type { RowFormatter } from '../src/workers/rows.js';
import type { WorkerInit } from '../src/workers/protocol.js';
import type { ModelKernels } from '../src/workers/model-kernels.js';
import type { AssocModel } from '../src/stats/model.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

interface Rec {
  chr: string;
  pos: number;
  id: Uint8Array;
  ref: string;
  alt: string;
  d: Float64Array;
}

/** RowFormatter's private row path, as the worker calls it. */
interface RowsPrivate {
  meta: { chr: string; pos: number; snp: string; a1: string; a2: string; idBytes?: Uint8Array; idStart?: number; idEnd?: number };
  lists(): unknown[];
  emitVariant(d: Float64Array, vi: number, lists: unknown[], rank: number[], pos: number[]): void;
  pack(seq: number, lines: number, records: number, rank: number[], pos: number[], lists: unknown[], skipped: number, outside: number): { phenos: { text: Uint8Array }[] };
}

/** The first `maxChunks` BGZF chunks (copies, for --whole) and their one-ALT records decoded. */
async function load(file: string, n: number, maxChunks: number): Promise<{ recs: Rec[]; raw: ArrayBuffer[] }> {
  const src = await openVcf(file);
  const handle = new ReusedInflate('raw');
  const out = { buf: new Uint8Array(0) };
  const dec = new VcfDecoder({ nSamples: n, plink2Precision: true, wasm: true });
  const recs: Rec[] = [];
  const raw: ArrayBuffer[] = [];
  for await (const c of src.chunks(VCF_BGZF_CHUNK)) {
    raw.push(c.buf.slice().buffer);
    const b = inflateBlocks(c.buf, 0, c.buf.length, out, handle);
    const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
    let s = buf.indexOf(10) + 1;
    const last = buf.lastIndexOf(10) + 1;
    while (s < last) {
      const e = buf.indexOf(10, s);
      if (b[s] !== 35 && dec.decode(b, s, e)) recs.push({ chr: dec.chr, pos: dec.pos, id: b.slice(dec.idStart, dec.idEnd), ref: dec.ref, alt: dec.alts[0], d: dec.rows[0].slice() });
      s = e + 1;
    }
    if (raw.length >= maxChunks) break;
  }
  await src.close();
  return { recs, raw };
}

/** One pass of a build: emitVariant over every record (1,500 a chunk), or vcf(), or the kernel alone; the rows' text. */
function makePass(f: RowsPrivate & Pick<RowFormatter, 'vcf'>, mk: ModelKernels, model: AssocModel, recs: Rec[], raw: ArrayBuffer[], n: number): () => string {
  // Each row copied into one scratch row first, as the worker's are: just written by the decoder (in cache).
  const row = new Float64Array(n);
  if (process.argv.includes('--whole')) return () => raw.map((c) => JSON.stringify(f.vcf({ kind: 'vcf', seq: 0, buf: c, length: c.byteLength, bgzf: true, fileOffset: 0 }).kind)).join();
  if (process.argv.includes('--kernel'))
    return () => {
      let s = 0;
      for (const r of recs) {
        row.set(r.d);
        mk.kernel.setVariant(row, null, n);
        for (let gi = 0; gi < model.groups.length; gi++) {
          mk.kernel.run(row, model.groups[gi], mk.results[gi]);
          s += mk.results[gi].logp[0];
        }
      }
      return String(s);
    };
  return () => {
    let text = '';
    for (let c = 0; c < recs.length; c += 1500) {
      const lists = f.lists();
      const rank: number[] = [];
      const pos: number[] = [];
      for (let i = c; i < Math.min(recs.length, c + 1500); i++) {
        const r = recs[i];
        const m = f.meta;
        m.chr = r.chr;
        m.pos = r.pos;
        m.snp = '';
        m.idBytes = r.id;
        m.idStart = 0;
        m.idEnd = r.id.length;
        m.a2 = r.ref;
        m.a1 = r.alt;
        row.set(r.d);
        f.emitVariant(row, rank.length, lists, rank, pos);
      }
      const res = f.pack(0, 0, 0, rank, pos, lists, 0, 0);
      if (c === 0) text = Buffer.from(res.phenos[0].text).toString('latin1');
    }
    return text;
  };
}

async function main(): Promise<void> {
  const file = process.argv[2];
  const repeat = Number(arg('--repeat') ?? 12);
  const builds = (arg('--builds') ?? 'dist').split(',');
  const src = await openVcf(file);
  const samples = src.samples.map((iid) => ({ iid }));
  await src.close();
  const { model } = await prepareModel(samples, { pheno: arg('--pheno')!, covar: arg('--covar'), covarVarianceStandardize: true });
  const n = samples.length;
  const { recs, raw } = await load(file, n, Number(arg('--chunks') ?? 20));
  const init: WorkerInit = { model, filters: { minInfo: 0, maxInfo: Infinity, minMaf: 0 }, nSamples: n, digits: 7, biallelicOnly: false, regions: [], vcf: { exact: false } };
  const passes: (() => string)[] = [];
  for (const [i, b] of builds.entries()) {
    // A query per build: its own RowFormatter module, even for the same directory twice (an A/A check).
    const rows = await import(new URL(`../../${b}/src/workers/rows.js?b${i}`, import.meta.url).href);
    const kernels = await import(new URL(`../../${b}/src/workers/model-kernels.js?b${i}`, import.meta.url).href);
    passes.push(makePass(new rows.RowFormatter(init), new kernels.ModelKernels(model), model, recs, raw, n));
  }
  const first = passes.map((p) => p());
  for (let i = 1; i < builds.length; i++) if (first[i] !== first[0]) console.log(`${builds[i]}: output differs from ${builds[0]}'s`);
  const times: number[][] = builds.map(() => []);
  for (let r = 0; r < repeat; r++) {
    for (const i of [...builds.keys()].sort(() => Math.random() - 0.5)) {
      const t = process.cpuUsage();
      passes[i]();
      const u = process.cpuUsage(t);
      times[i].push((u.user + u.system) / recs.length);
    }
  }
  for (const [i, b] of builds.entries()) {
    const t = times[i].sort((x, y) => x - y);
    console.log(`${b}#${i}: ${recs.length} records x ${n}, us a record: min ${t[0].toFixed(3)}, q1 ${t[t.length >> 2].toFixed(3)}, median ${t[t.length >> 1].toFixed(3)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
