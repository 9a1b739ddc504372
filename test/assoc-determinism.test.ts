// Output is byte-identical for any thread count, chunk size, input order and spill pattern.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAssoc } from '../src/pipeline/assoc-run.js';
import { fixture, tmpDir } from './lib/helpers.js';
import { baseConfig } from './lib/assoc-config.js';

const PHENOS = ['response', 'dissociation', 'madrs'];

async function outputs(over: Parameters<typeof baseConfig>[0]): Promise<Buffer[]> {
  const cfg = baseConfig(over);
  await runAssoc(cfg);
  return PHENOS.map((p) => fs.readFileSync(`${cfg.out}.${p}.tsv`));
}

/** The default run (2 threads, 64 KiB chunks): the reference of the order and spill tests. */
let defaults: Promise<Buffer[]> | undefined;
const defaultOutputs = () => (defaults ??= outputs({}));

t.test('identical across 1, 2, 4 threads and 1, 7, 4096-byte and 1 MiB chunks', async (t) => {
  const want = await outputs({ threads: 1, chunkSize: 1 << 20 });
  for (const threads of [1, 2, 4]) {
    for (const chunkSize of [1, 7, 4096, 1 << 20]) {
      const got = await outputs({ threads, chunkSize });
      t.ok(
        got.every((b, i) => b.equals(want[i])),
        `threads ${threads}, chunk ${chunkSize}`,
      );
    }
  }
});

t.test('several files in any order give one genome-sorted table', async (t) => {
  const dir = tmpDir('split');
  const lines = fs.readFileSync(fixture('assoc/small.gen'), 'utf8').split('\n').filter(Boolean);
  const byChr = new Map<string, string[]>();
  for (const l of lines) {
    const c = l.slice(0, l.indexOf(' '));
    byChr.set(c, [...(byChr.get(c) ?? []), l]);
  }
  const files = [...byChr.entries()].map(([c, ls]) => {
    const f = path.join(dir, `chr${c}.gen`);
    fs.writeFileSync(f, ls.join('\n') + '\n');
    return f;
  });
  const want = await defaultOutputs();
  for (const order of [files, [...files].reverse(), [files[2], files[0], files[3], files[1]]]) {
    const got = await outputs({ gen: order });
    t.ok(
      got.every((b, i) => b.equals(want[i])),
      order.map((f) => path.basename(f)).join(' '),
    );
  }
});

t.test('spilling sorted runs to disk (tiny sort memory) changes nothing', async (t) => {
  const want = await defaultOutputs();
  const got = await outputs({ memoryMB: 0.001 });
  t.ok(got.every((b, i) => b.equals(want[i])));
});
