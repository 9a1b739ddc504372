// Single-thread micro-benchmark of the .gen worker: decode, regress and format the first lines of
// a .gen(.zst) file, the phases timed apart (user CPU via process.cpuUsage, best of --repeat).
//   node dist/bench/worker-gen.js PREFIX [--lines N] [--repeat R]
// PREFIX names PREFIX.gen.zst (or .gen), .sample, .pheno.tsv, .covar.tsv (bench/data layout).
import * as fs from 'node:fs';
import { fileLineChunks } from '../src/io/line-chunks.js';
import { prepareModel } from '../src/pipeline/assoc-run.js';
import { parseSampleFile } from '../src/formats/tables.js';
import { GenLineDecoder } from '../src/formats/gen/decode.js';
import { RowFormatter } from '../src/workers/rows.js';
import type { WorkerInit } from '../src/workers/protocol.js';
import type { VariantMeta } from '../src/formats/types.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

async function main(): Promise<void> {
  const prefix = process.argv[2];
  const maxLines = arg('--lines', 20000);
  const repeat = arg('--repeat', 5);
  const gen = fs.existsSync(`${prefix}.gen.zst`) ? `${prefix}.gen.zst` : `${prefix}.gen`;
  const samples = parseSampleFile(fs.readFileSync(`${prefix}.sample`, 'latin1'), `${prefix}.sample`);
  const { model } = await prepareModel(samples, { sample: `${prefix}.sample`, pheno: `${prefix}.pheno.tsv`, covar: `${prefix}.covar.tsv` });
  const chunks: Uint8Array[] = [];
  let lines = 0;
  for await (const c of fileLineChunks(gen, 1 << 20)) {
    const copy = c.slice();
    chunks.push(copy);
    for (let i = 0; i < copy.length; i++) if (copy[i] === 10) lines++;
    if (lines >= maxLines) break;
  }
  const init: WorkerInit = { model, filters: { minInfo: 0, maxInfo: Infinity, minMaf: 0 }, nSamples: samples.length, digits: 6, biallelicOnly: false, regions: [] };
  const decoder = new GenLineDecoder({ wasm: !process.argv.includes('--no-wasm') });
  const f = new RowFormatter(init);
  const dosage = new Float64Array(samples.length);
  const meta: VariantMeta = { chr: '', snp: '', pos: 0, a1: '', a2: '' };
  const layout = { nSamples: samples.length, plink2Precision: !process.argv.includes('--exact') };
  const time = (fn: () => void): number => {
    let best = Infinity;
    for (let r = 0; r < repeat; r++) {
      const t = process.cpuUsage();
      fn();
      best = Math.min(best, process.cpuUsage(t).user / 1e3);
    }
    return best;
  };
  const decodeMs = time(() => {
    for (const b of chunks) {
      decoder.begin(b, samples.length);
      // Buffer#indexOf (memchr), as rows.ts searches: TypedArray#indexOf cost ~0.5 us a line here.
      const lf = Buffer.from(b.buffer, b.byteOffset, b.length);
      let s = 0;
      while (s < b.length) {
        let e = lf.indexOf(10, s);
        if (e < 0) e = b.length;
        decoder.decode(s, e, layout, dosage, meta);
        s = e + 1;
      }
    }
  });
  const totalMs = time(() => {
    for (const b of chunks) f.gen(0, b, {});
  });
  const us = (ms: number) => ((ms * 1000) / lines).toFixed(2);
  console.log(
    `${lines} lines x ${samples.length} samples, ${model.groups.length} groups: decode ${decodeMs.toFixed(0)} ms (${us(decodeMs)} us/variant), whole worker ${totalMs.toFixed(0)} ms (${us(totalMs)} us/variant), rest ${us(totalMs - decodeMs)} us/variant`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
