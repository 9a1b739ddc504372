// OrderedWindow: tasks that finish in any order are drained in submission order, the window never
// holds more than its bounds, a failed task is thrown when its turn comes (not before the earlier
// ones are drained), and BufferPool hands back what it was given. fast-check drives the finishing
// order; no timers: tasks are resolved by hand, so the test is deterministic.
import t from 'tap';
import fc from 'fast-check';
import { BufferPool, OrderedWindow } from '../src/pipeline/ordered-window.js';

interface Task {
  id: number;
  promise: Promise<number>;
  resolve: () => void;
  reject: (e: Error) => void;
}

function makeTask(id: number): Task {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<number>((res, rej) => {
    resolve = () => res(id);
    reject = rej;
  });
  return { id, promise, resolve, reject };
}

/** Let every pending microtask and promise callback run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

/**
 * Submit `n` tasks through a window; whenever push() is blocked, finish one unfinished task chosen
 * by `pick` (an index into the unfinished ones). Returns the drained order and the largest number
 * of tasks held and unfinished seen.
 */
async function drive(n: number, bounds: { unfinished: number; held: number }, picks: number[], failAt = -1) {
  const drained: number[] = [];
  const unfinished: Task[] = [];
  const tasks: Task[] = [];
  let maxHeld = 0;
  let maxUnfinished = 0;
  let k = 0;
  const w = new OrderedWindow<number>(bounds, (id) => {
    drained.push(id);
  });
  const finishOne = () => {
    const i = picks.length ? picks[k++ % picks.length] % unfinished.length : 0;
    const task = unfinished.splice(i, 1)[0];
    if (task.id === failAt) task.reject(new Error(`task ${task.id} failed`));
    else task.resolve();
  };
  let error: unknown = null;
  try {
    for (let id = 0; id < n; id++) {
      const task = makeTask(id);
      tasks.push(task);
      unfinished.push(task);
      let done = false;
      const p = w.push(task.promise).then(() => {
        done = true;
      });
      p.catch(() => {});
      await settle();
      while (!done) {
        maxHeld = Math.max(maxHeld, w.size);
        maxUnfinished = Math.max(maxUnfinished, unfinished.length);
        if (unfinished.length === 0) break; // cannot happen while push() waits: checked below
        finishOne();
        await settle();
      }
      await p;
      maxHeld = Math.max(maxHeld, w.size);
    }
    while (unfinished.length) finishOne();
    await w.flush();
  } catch (e) {
    error = e;
    while (unfinished.length) finishOne();
    await w.settle();
  }
  return { drained, maxHeld, maxUnfinished, error };
}

t.test('results are drained in submission order whatever the finishing order', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.array(fc.nat(), { maxLength: 30 }), async (n, unf, extra, picks) => {
      const bounds = { unfinished: unf, held: unf + extra };
      const r = await drive(n, bounds, picks);
      if (r.error) throw r.error;
      if (r.drained.length !== n) throw new Error(`drained ${r.drained.length} of ${n}`);
      r.drained.forEach((id, i) => {
        if (id !== i) throw new Error(`position ${i} drained task ${id}`);
      });
      if (r.maxUnfinished > bounds.unfinished) throw new Error(`${r.maxUnfinished} unfinished > ${bounds.unfinished}`);
      if (r.maxHeld > bounds.held) throw new Error(`${r.maxHeld} held > ${bounds.held}`);
    }),
    { numRuns: 300, seed: 14 },
  );
  t.pass('300 finishing orders');
});

t.test('a failed task is thrown in its turn, after every earlier result was drained', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.nat(), fc.array(fc.nat(), { maxLength: 20 }), async (n, f, picks) => {
      const failAt = f % n;
      const r = await drive(n, { unfinished: 3, held: 6 }, picks, failAt);
      if (!(r.error instanceof Error) || r.error.message !== `task ${failAt} failed`) throw new Error(`expected task ${failAt} to fail, got ${String(r.error)}`);
      if (r.drained.length !== failAt || r.drained.some((id, i) => id !== i)) throw new Error(`drained ${r.drained.join(',')} before task ${failAt}`);
    }),
    { numRuns: 200, seed: 15 },
  );
  t.pass('200 failure orders');
});

t.test('a drain that throws stops the window; settle() waits for the rest', async (t) => {
  const w = new OrderedWindow<number>({ unfinished: 4, held: 4 }, (id) => {
    if (id === 1) throw new Error('bad chunk 1');
  });
  const tasks = [0, 1, 2].map(makeTask);
  for (const task of tasks) await w.push(task.promise);
  tasks[2].resolve();
  tasks[0].resolve();
  tasks[1].resolve();
  await t.rejects(w.flush(), /bad chunk 1/);
  t.equal(w.size, 1, 'task 2 still held');
  await w.settle();
});

t.test('BufferPool reuses a buffer big enough and keeps at most max', (t) => {
  const pool = new BufferPool(2);
  const a = pool.take(100);
  t.equal(a.byteLength, 100);
  pool.give(a);
  t.equal(pool.take(50), a, 'a returned buffer of enough bytes is reused');
  t.not(pool.take(50), a, 'and given out once');
  pool.give(new ArrayBuffer(10));
  t.equal(pool.take(20).byteLength, 20, 'a too small one is not');
  pool.give(new ArrayBuffer(8));
  pool.give(new ArrayBuffer(8));
  t.equal(pool.count, 2, 'at most max kept');
  t.end();
});
