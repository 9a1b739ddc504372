// Compiles src/wasm/*.wat to the committed *.wasm with wabt: `npm run build:wasm` writes them,
// test/wasm-source.test.ts checks that they are up to date.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type wabtInit from 'wabt';
import { WASM_NAMES, wasmPath, type WasmName } from './modules.js';

// Every proposal the modules use: SIMD (the blank index, the dot products), threads (a shared
// memory), multi-value (a parser helper returns three values).
const FEATURES = { simd: true, threads: true, multi_value: true };

/** The binary of src/wasm/NAME.wat (with its names section, so profiles show function names). */
export async function compileWat(name: WasmName): Promise<Uint8Array> {
  const wabt = await (createRequire(import.meta.url)('wabt') as typeof wabtInit)();
  const src = wasmPath(name, 'wat');
  const mod = wabt.parseWat(src.pathname, readFileSync(src, 'utf8'), FEATURES);
  try {
    mod.resolveNames();
    (mod.validate as (features: typeof FEATURES) => void).call(mod, FEATURES); // the typings omit its features argument
    return Uint8Array.from(mod.toBinary({ log: false, write_debug_names: true }).buffer);
  } finally {
    mod.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const name of WASM_NAMES) {
    const bytes = await compileWat(name);
    writeFileSync(wasmPath(name, 'wasm'), bytes);
    console.log(`src/wasm/${name}.wasm: ${bytes.length} bytes`);
  }
}
