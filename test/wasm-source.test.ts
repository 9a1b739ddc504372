// The WebAssembly kernels come from their .wat sources: the committed binaries are what wabt makes
// of src/wasm/*.wat (run `npm run build:wasm` after editing one), and a kernel that cannot be used
// is an error under DOSAGEFLOW_REQUIRE_WASM=1, never a silent fall-back.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compileWat } from '../src/wasm/build.js';
import { WASM_NAMES, wasmModule, wasmPath } from '../src/wasm/modules.js';
import { createGenWasm } from '../src/formats/gen/probs-wasm.js';

t.test('every committed .wasm is its .wat compiled by wabt', async (t) => {
  for (const name of WASM_NAMES) {
    const built = await compileWat(name);
    const committed = new Uint8Array(readFileSync(wasmPath(name, 'wasm')));
    t.same(Buffer.from(committed).equals(Buffer.from(built)), true, `src/wasm/${name}.wasm is up to date (npm run build:wasm)`);
    t.ok(wasmModule(name), `${name} compiles on this Node`);
  }
});

t.test('a parser that cannot be placed is an error, not a silent fall-back to JavaScript', async (t) => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as { initial: number; maximum: number });
  const tables = { qtab: new Uint16Array(1), qoff: new Int32Array(1), qlim: new Int32Array(1), pow10: new Float64Array(1) };
  t.throws(() => createGenWasm(tables, 157, { memory, base: 1 << 20 }), /outside the shared memory/);
});

t.test('DOSAGEFLOW_REQUIRE_WASM=1: a missing module is an error', async (t) => {
  // A child whose module loader is pointed at a name with no binary: readFileSync's ENOENT is thrown,
  // not turned into the JavaScript path.
  const modules = fileURLToPath(new URL('../src/wasm/modules.js', import.meta.url));
  const code = `import('${modules}').then((m) => { try { m.wasmModule('no-such-kernel'); console.log('fell back'); } catch (e) { console.log('threw ' + e.code); } })`;
  const r = spawnSync(process.execPath, ['-e', code], { env: { ...process.env, DOSAGEFLOW_REQUIRE_WASM: '1' }, encoding: 'utf8' });
  t.equal(r.stdout.trim(), 'threw ENOENT');
});
