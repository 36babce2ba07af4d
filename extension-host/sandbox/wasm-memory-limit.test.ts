import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src-shared/errors.js';
import { wat } from './testing/wat.js';
import { capWasmMemory } from './wasm-memory-limit.js';

/** Instantiates a module exporting `mem` and grows it one page at a time until the engine refuses: the real maximum. */
function effectiveMaxPages(bytes: Uint8Array<ArrayBuffer>): { initial: number; max: number } {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const mem = instance.exports.mem as WebAssembly.Memory;
  const initial = mem.buffer.byteLength / 65536;
  // Stop well past any cap used here, so a broken cap fails the test instead of reserving 4 GiB.
  while (mem.buffer.byteLength / 65536 < 200) {
    try {
      mem.grow(1);
    } catch {
      break;
    }
  }
  return { initial, max: mem.buffer.byteLength / 65536 };
}

function expectValidation(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).code).toBe('VALIDATION');
    expect((error as CairnError).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a VALIDATION error');
}

describe('capWasmMemory', () => {
  it('sets a maximum on a memory that declared none', async () => {
    const bytes = await wat('(module (memory (export "mem") 1))');
    expect(effectiveMaxPages(capWasmMemory(bytes, 8))).toEqual({ initial: 1, max: 8 });
  });

  it('lowers a declared maximum above the cap and keeps one below it', async () => {
    const high = await wat('(module (memory (export "mem") 2 100))');
    expect(effectiveMaxPages(capWasmMemory(high, 10))).toEqual({ initial: 2, max: 10 });
    const low = await wat('(module (memory (export "mem") 2 5))');
    expect(effectiveMaxPages(capWasmMemory(low, 10))).toEqual({ initial: 2, max: 5 });
  });

  it('keeps imports, code and data working after the rewrite', async () => {
    const bytes = await wat(`(module
      (import "env" "f" (func $f (param i32) (result i32)))
      (import "env" "t" (table 1 funcref))
      (import "env" "g" (global i32))
      (memory (export "mem") 1)
      (data (i32.const 16) "h\\c3\\a9llo")
      (func (export "run") (result i32) (call $f (i32.load8_u (i32.const 17)))))`);
    const capped = capWasmMemory(bytes, 4);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(capped), {
      env: { f: (x: number) => x + 1, t: new WebAssembly.Table({ initial: 1, element: 'anyfunc' }), g: 7 },
    });
    expect((instance.exports.run as () => number)()).toBe(0xc3 + 1);
  });

  it('returns a module without memory unchanged', async () => {
    const bytes = await wat('(module (func (export "f") (result i32) (i32.const 1)))');
    expect(capWasmMemory(bytes, 4)).toEqual(bytes);
  });

  it('refuses imported memory', async () => {
    const bytes = await wat('(module (import "env" "memory" (memory 1)))');
    expectValidation(() => capWasmMemory(bytes, 16), /imports its memory.*"env"."memory"/);
  });

  it('refuses shared memory', async () => {
    const bytes = await wat('(module (memory 1 2 shared))', { threads: true });
    expectValidation(() => capWasmMemory(bytes, 16), /shared memory/);
  });

  it('refuses 64-bit memory', async () => {
    const bytes = await wat('(module (memory i64 1 2))', { memory64: true });
    expectValidation(() => capWasmMemory(bytes, 16), /64-bit memory/);
  });

  it('refuses a module whose initial memory is above the cap', async () => {
    const bytes = await wat('(module (memory 20))');
    expectValidation(() => capWasmMemory(bytes, 16), /needs 20 memory pages/);
  });

  it('refuses bytes that are not a wasm module, and truncated modules', async () => {
    expectValidation(() => capWasmMemory(new TextEncoder().encode('not wasm at all'), 16), /bad magic/);
    const bytes = await wat('(module (memory 1) (func (export "f")))');
    expectValidation(() => capWasmMemory(bytes.subarray(0, bytes.length - 2), 16), /unexpected end/);
  });

  it('never lets memory exceed the cap nor changes the initial size (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 8 }),
        fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
        fc.integer({ min: 1, max: 24 }),
        async (min, extra, cap) => {
          const max = extra === undefined ? '' : String(min + extra);
          const data = min > 0 ? '(data (i32.const 0) "x")' : '';
          const bytes = await wat(`(module (memory (export "mem") ${min} ${max}) ${data})`);
          if (min > cap) {
            expectValidation(() => capWasmMemory(bytes, cap), /more than the cap/);
            return;
          }
          const declaredMax = extra === undefined ? Infinity : min + extra;
          expect(effectiveMaxPages(capWasmMemory(bytes, cap))).toEqual({ initial: min, max: Math.min(declaredMax, cap) });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never crashes on corrupted input: it returns bytes or throws a VALIDATION error (property)', async () => {
    const base = await wat('(module (import "extism:host/env" "alloc" (func (param i64) (result i64))) (memory 1 4) (func (export "f")))');
    fc.assert(
      fc.property(fc.integer({ min: 8, max: base.length - 1 }), fc.integer({ min: 0, max: 255 }), (index, value) => {
        const mutated = base.slice();
        mutated[index] = value;
        try {
          capWasmMemory(mutated, 8);
        } catch (error) {
          expect((error as CairnError).code).toBe('VALIDATION');
        }
      }),
      { numRuns: 300 },
    );
  });
});
