// Issue 19 (peak RSS of scenario 12): assoc's start-up grew the main thread's new space to V8's
// 16 MB semi-spaces, ~32 MB committed for the whole run. The CLI holds it at its first size until
// the workers start (pipeline/nursery.ts, decision 0019). This checks, in a child Node, that the
// running V8 honours the hold and that release() lets it grow again (the workers' nurseries).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './lib/helpers.js';

const nursery = pathToFileURL(path.join(ROOT, 'dist/src/pipeline/nursery.js')).href;
const script = `
import * as v8 from 'node:v8';
import { holdNewSpaceFor, releaseNewSpace } from ${JSON.stringify(nursery)};
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
// Objects that survive a scavenge or two: what grows the new space.
const ring = new Array(40000);
const churn = () => { for (let i = 0; i < 3e6; i++) ring[i % ring.length] = { i, a: [i, i + 1] }; };
const first = newSpace();
holdNewSpaceFor('assoc');
churn();
const held = newSpace();
releaseNewSpace();
churn();
console.log(JSON.stringify({ first, held, released: newSpace() }));
`;

t.test('the main thread new space stays at its first size while held, and grows after release', (t) => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stderr, '', 'no V8 flag warning');
  const { first, held, released } = JSON.parse(r.stdout);
  // The first figure may count one semi-space (the second is committed at the first scavenge).
  t.ok(held <= 2 * first, `held: ${held} bytes (${first} at start)`);
  t.ok(released >= 4 * held, `released: grows (${held} -> ${released} bytes)`);
  t.end();
});
