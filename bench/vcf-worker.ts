// Single-thread micro-benchmark of the VCF worker on a bgzipped VCF: the chunks the main thread
// cuts (1 MiB of BGZF blocks) are inflated, decoded and regressed in-process, the phases timed
// apart (user + system CPU via process.cpuUsage, best of --repeat). Decision 0302, "Session 9".
//   node dist/bench/vcf-worker.js FILE.vcf.gz --pheno P --covar C [--chunks N] [--repeat R]
import { prepareModel } from '../src/pipeline/assoc-run.js';
import { openVcf, VCF_BGZF_CHUNK } from '../src/pipeline/vcf-source.js';
import { inflateBlocks, inflatedLength } from '../src/formats/vcf/bgzf.js';
import { VcfDecoder } from '../src/formats/vcf/decode.js';
import { ReusedInflate } from '../src/io/inflate-handle.js';
import { RowFormatter } from '../src/workers/rows.js';
import type { WorkerInit } from '../src/workers/protocol.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const file = process.argv[2];
  const maxChunks = Number(arg('--chunks') ?? 20);
  const repeat = Number(arg('--repeat') ?? 5);
  const src = await openVcf(file);
  const samples = src.samples.map((iid) => ({ iid }));
  const { model } = await prepareModel(samples, { pheno: arg('--pheno')!, covar: arg('--covar') });
  const chunks: Uint8Array[] = [];
  for await (const c of src.chunks(VCF_BGZF_CHUNK)) {
    chunks.push(c.buf);
    if (chunks.length >= maxChunks) break;
  }
  await src.close();
  const n = samples.length;
  const init: WorkerInit = { model, filters: { minInfo: 0, maxInfo: Infinity, minMaf: 0 }, nSamples: n, digits: 6, biallelicOnly: false, regions: [], vcf: { exact: false } };
  const handle = new ReusedInflate('raw');
  const out = { buf: new Uint8Array(0) };
  const dec = new VcfDecoder({ nSamples: n, plink2Precision: true, wasm: !process.argv.includes('--no-wasm') });
  let records = 0;
  let bytes = 0;
  const time = (fn: () => void): number => {
    let best = Infinity;
    for (let r = 0; r < repeat; r++) {
      const t = process.cpuUsage();
      fn();
      const u = process.cpuUsage(t);
      best = Math.min(best, (u.user + u.system) / 1e3);
    }
    return best;
  };
  const inflateMs = time(() => {
    bytes = 0;
    for (const c of chunks) bytes += inflateBlocks(c, 0, c.length, out, handle).length;
  });
  // As a worker decodes (rows.ts vcf): inflated into the kernel's memory, records taken by line
  // (decodeLine: the kernel finds each record's end), the others found first and decoded.
  const decodeMs = time(() => {
    records = 0;
    for (const c of chunks) {
      const mem = dec.chunkBuffer(inflatedLength(c, 0, c.length) + 1);
      const b = inflateBlocks(c, 0, c.length, mem ? { buf: mem } : out, handle);
      const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
      let s = buf.indexOf(10) + 1;
      const last = buf.lastIndexOf(10) + 1;
      while (s < last) {
        const lf = mem ? dec.decodeLine(b, s, last) : -1;
        const e = lf >= 0 ? lf : buf.indexOf(10, s);
        if (lf < 0) dec.decode(b, s, e);
        records++;
        s = e + 1;
      }
    }
  });
  // RowFormatter.vcf takes the chunk's ArrayBuffer (transferred in the pool; here reused).
  const f = new RowFormatter(init);
  const copies = chunks.map((c) => c.slice().buffer);
  const wholeMs = time(() => {
    for (const c of copies) f.vcf({ kind: 'vcf', seq: 0, buf: c, length: c.byteLength, bgzf: true, fileOffset: 0 });
  });
  const us = (ms: number) => ((ms * 1000) / records).toFixed(2);
  console.log(
    `${chunks.length} chunks, ${records} records x ${n} samples, ${(bytes / 1e6).toFixed(1)} MB of text: inflate ${inflateMs.toFixed(0)} ms (${us(inflateMs)} us/record), ` +
      `+ decode ${decodeMs.toFixed(0)} ms (${us(decodeMs - inflateMs)} us/record), whole worker ${wholeMs.toFixed(0)} ms (${us(wholeMs)} us/record; rest ${us(wholeMs - decodeMs)})`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
