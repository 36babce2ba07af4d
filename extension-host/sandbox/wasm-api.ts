// Node 20's @types/node declares no WebAssembly types and tsconfig.node.json has no DOM lib, so this file
// types the few members the sandbox uses. It declares nothing global, so it cannot clash with lib.dom.

declare const compiledWasmBrand: unique symbol;

/** A compiled module (`WebAssembly.Module`): structured-clonable, so it can be sent to a worker as is. */
export interface CompiledWasm {
  readonly [compiledWasmBrand]: true;
}

/** One import of a module, as `WebAssembly.Module.imports` reports it. */
export interface WasmImportDescriptor {
  module: string;
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}

interface WasmApi {
  compile(bytes: Uint8Array): Promise<CompiledWasm>;
  Module: { imports(module: CompiledWasm): WasmImportDescriptor[]; exports(module: CompiledWasm): { name: string; kind: WasmImportDescriptor['kind'] }[] };
}

/**
 * The engine's `WebAssembly` object with the types above.
 *
 * @example
 * const module = await wasmApi.compile(bytes);
 * wasmApi.Module.imports(module); // [{ module: 'extism:host/env', name: 'alloc', kind: 'function' }, ...]
 */
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
