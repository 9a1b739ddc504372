// VCF reader chunk edges (issue 16): 1-, 7- and 4096-byte reads, 1-, 7- and 4096-byte chunks,
// bgzip's blocks and 333-byte blocks (records span blocks and chunks), plain and gzip text: the
// output bytes are identical.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runAssoc, type AssocConfig } from '../src/pipeline/assoc-run.js';
import { setVcfReadSize } from '../src/pipeline/vcf-source.js';
import { baseConfig } from './lib/assoc-config.js';
import { toBgzf } from './lib/bgzf.js';
import { fixture, tmpDir } from './lib/helpers.js';

const V = (f: string) => fixture('vcf', f);

function vcfConfig(file: string, over: Partial<AssocConfig> = {}): AssocConfig {
  return baseConfig({ gen: [], vcf: [file], sample: undefined, pheno: V('pheno.tsv'), covar: V('covar.tsv'), ...over });
}

t.test('chunk edges: any read size, chunk size and block size give identical bytes', async (t) => {
  const ref = vcfConfig(V('ds.vcf.gz'), { phenoNames: ['resp'] });
  await runAssoc(ref);
  const want = fs.readFileSync(`${ref.out}.resp.tsv`);
  const dir = tmpDir('vcf-edges');
  const text = zlib.gunzipSync(fs.readFileSync(V('ds.vcf.gz')));
  const files: Record<string, string> = {
    plain: path.join(dir, 'plain.vcf'),
    gzip: path.join(dir, 'plain.vcf.gz'),
    smallBlocks: path.join(dir, 'small-blocks.vcf.gz'),
  };
  fs.writeFileSync(files.plain, text);
  fs.writeFileSync(files.gzip, zlib.gzipSync(text));
  fs.writeFileSync(files.smallBlocks, toBgzf(text, 333));
  try {
    // Every file with every read size; chunk sizes rotate (a full cross product costs minutes).
    let k = 0;
    for (const read of [1, 7, 4096]) {
      setVcfReadSize(read);
      for (const [name, f] of Object.entries({ bgzip: V('ds.vcf.gz'), ...files })) {
        if (read === 1 && name !== 'smallBlocks' && name !== 'bgzip') continue; // 1-byte reads of 200 KB of text: slow, nothing new
        const chunk = [1, 7, 4096][k++ % 3];
        const cfg = vcfConfig(f, { phenoNames: ['resp'], chunkSize: chunk, threads: 1 });
        await runAssoc(cfg);
        t.ok(fs.readFileSync(`${cfg.out}.resp.tsv`).equals(want), `${name}, ${read}-byte reads, ${chunk}-byte chunks`);
      }
    }
  } finally {
    setVcfReadSize(1 << 20);
  }
});
