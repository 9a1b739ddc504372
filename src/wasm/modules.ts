// The WebAssembly modules dosageflow runs, compiled from the readable .wat sources beside this file
// (src/wasm/*.wat -> *.wasm by `npm run build:wasm`, wabt; test/wasm-source.test.ts checks that the
// committed binaries are their sources'). Each kernel has a JavaScript twin giving bit-identical
// results. Why .wat and committed binaries: docs/decisions/0101-webassembly-from-source.md.
import { readFileSync } from 'node:fs';

export type WasmName = 'bgen-hard' | 'gen-probs' | 'gram' | 'logit' | 'logit-f32' | 'matvec' | 'vcf-ds';
export const WASM_NAMES: readonly WasmName[] = ['bgen-hard', 'gen-probs', 'gram', 'logit', 'logit-f32', 'matvec', 'vcf-ds'];

export const PAGE = 65536;

/** Memory pages (64 KiB) holding `bytes`, at least one. */
export function pagesFor(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / PAGE));
}

/** Grow `mem` to hold `bytes` bytes; true when it grew (views over its old buffer are then stale). */
export function growTo(mem: WebAssembly.Memory, bytes: number): boolean {
  const have = mem.buffer.byteLength / PAGE;
  const need = pagesFor(bytes);
  if (need <= have) return false;
  mem.grow(need - have);
  return true;
}

/** DOSAGEFLOW_NO_WASM=1 turns every WebAssembly kernel off (their JavaScript twins give the same results). */
export function wasmDisabled(): boolean {
  return !!process.env.DOSAGEFLOW_NO_WASM;
}

/** DOSAGEFLOW_REQUIRE_WASM=1 (set in CI): a kernel that cannot be used is an error, not a fall-back to JavaScript. */
export function wasmRequired(): boolean {
  return !!process.env.DOSAGEFLOW_REQUIRE_WASM;
}

/** Where the sources and binaries are: src/wasm of the package (this file runs as dist/src/wasm/modules.js). */
export function wasmPath(name: WasmName, ext: 'wat' | 'wasm'): URL {
  return new URL(`../../../src/wasm/${name}.${ext}`, import.meta.url);
}

const compiled = new Map<WasmName, WebAssembly.Module | null>();

/**
 * The compiled module (once per thread), or null where this Node has no WebAssembly SIMD/threads
 * (then the JavaScript twin runs). Any other failure (a missing or broken binary) is thrown; with
 * DOSAGEFLOW_REQUIRE_WASM=1 so is the absence of WebAssembly.
 */
export function wasmModule(name: WasmName): WebAssembly.Module | null {
  const have = compiled.get(name);
  if (have !== undefined) return have;
  const bytes = readFileSync(wasmPath(name, 'wasm'));
  let mod: WebAssembly.Module | null = null;
  if (typeof WebAssembly === 'object' && WebAssembly.validate(bytes)) mod = new WebAssembly.Module(bytes);
  else if (wasmRequired()) throw new Error(`WebAssembly module ${name} does not validate on this Node (DOSAGEFLOW_REQUIRE_WASM=1)`);
  compiled.set(name, mod);
  return mod;
}

/** An instance of `name` with these imports; failures are errors (see wasmModule for unavailability). */
export function wasmInstance(name: WasmName, imports: Record<string, Record<string, unknown>>): WebAssembly.Instance | null {
  const mod = wasmModule(name);
  return mod === null ? null : new WebAssembly.Instance(mod, imports);
}
