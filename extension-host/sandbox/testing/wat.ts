/**
 * Builds a wasm binary from WebAssembly text with wabt, for tests and benchmarks. Feature flags turn on
 * proposals a test needs to express (e.g. `threads` for shared memory, `memory64` for 64-bit memory).
 * Throws wabt's parse error, with line numbers, when the text is invalid.
 *
 * @example
 * const bytes = await wat('(module (memory 1))');
 */
export async function wat(text: string, features: Record<string, boolean> = {}): Promise<Uint8Array> {
  const wabt = await (await import('wabt')).default();
  const module = wabt.parseWat('test.wat', text, features);
  try {
    module.resolveNames();
    if (Object.keys(features).length === 0) module.validate(); // wabt's validate ignores parse-time feature flags
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
