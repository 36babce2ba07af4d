// Hostile guests. Each test runs one misbehaving guest (built from WAT here) and asserts three things:
// the main thread stays responsive while it runs (event-loop lag under a generous bound: containment, not
// speed), a second, healthy plugin keeps answering during and after, and the failure is a clear error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveWorkerFile } from '../../src-main/core/workers/spawn-worker.js';
import { SandboxError } from './sandbox-error.js';
import { SandboxedPlugin, type SandboxedPluginOptions } from './sandboxed-plugin.js';
import { buildGuest } from './testing/guest-wat.js';
import { probeLag } from './testing/lag-probe.js';
import { wat } from './testing/wat.js';

const hostModulePath = resolveWorkerFile(import.meta.url, './testing/test-host-module');
const MAX_LAG_MS = 1000;
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

const HOSTILE_BODY = `
  (data (i32.const 0) "{\\"method\\":\\"counter\\"}") ;; 20 bytes
  (data (i32.const 32) "{\\"method\\":\\"noop\\"}")    ;; 17 bytes

  (func (export "spin") (result i32) (loop $forever (br $forever)) (i32.const 0))

  ;; Grows memory one page at a time until the engine refuses, then outputs the final page count (i32 LE).
  (func (export "grow") (result i32)
    (block $refused (loop $more
      (br_if $refused (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
      (br $more)))
    (i32.store (i32.const 64) (memory.size))
    (call $output (i32.const 64) (i32.const 4))
    (i32.const 0))

  (func $down (param $n i64) (result i64) (i64.add (call $down (i64.add (local.get $n) (i64.const 1))) (i64.const 1)))
  (func (export "recurse") (result i32) (drop (call $down (i64.const 0))) (i32.const 0))

  ;; Claims a 2 MiB output.
  (func (export "huge_output") (result i32)
    (call $output_set (call $alloc (i64.const 2097152)) (i64.const 2097152))
    (i32.const 0))

  ;; Allocates 1 MiB Extism blocks and never frees them.
  (func (export "alloc_flood") (result i32)
    (loop $more (drop (call $alloc (i64.const 1048576))) (br $more))
    (i32.const 0))

  ;; Makes 300 vdfs_calls with one request; outputs (errors, oks) as two i32 LE.
  (func (export "flood") (result i32)
    (local $req i64) (local $res i64) (local $i i32) (local $errors i32) (local $oks i32)
    (local.set $req (call $to_extism (i32.const 32) (i32.const 17)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (i32.const 300)))
      (local.set $res (call $vdfs_call (local.get $req)))
      ;; byte 2 of the response is 'e' for {"error":...} and 'o' for {"ok":...}
      (if (i32.eq (call $load_u8 (i64.add (local.get $res) (i64.const 2))) (i32.const 101))
        (then (local.set $errors (i32.add (local.get $errors) (i32.const 1))))
        (else (local.set $oks (i32.add (local.get $oks) (i32.const 1)))))
      (call $free (local.get $res))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.store (i32.const 64) (local.get $errors))
    (i32.store (i32.const 68) (local.get $oks))
    (call $output (i32.const 64) (i32.const 8))
    (i32.const 0))

  ;; A host call with a side effect, then a trap.
  (func (export "trap_after_call") (result i32)
    (drop (call $vdfs_call (call $to_extism (i32.const 0) (i32.const 20))))
    (unreachable))
`;

describe('SandboxedPlugin against hostile guests', () => {
  let wasm: Uint8Array;
  let healthy: SandboxedPlugin;

  const start = (options: Partial<SandboxedPluginOptions> = {}): Promise<SandboxedPlugin> =>
    SandboxedPlugin.start({ extensionId: 'hostile', wasm, hostModulePath, ...options, limits: { timeoutMs: 5000, ...options.limits } });
  const relay = async (p: SandboxedPlugin, request: unknown): Promise<unknown> =>
    JSON.parse(text(await p.call('relay', typeof request === 'string' ? request : JSON.stringify(request))));

  /**
   * Runs `hostile` under the lag probe while the healthy plugin answers a call at the same time, then checks
   * the healthy plugin again afterwards. Returns the hostile call's outcome.
   */
  async function contained<T>(hostile: () => Promise<T>): Promise<{ value?: T; error?: unknown }> {
    const before = await healthy.call('relay', JSON.stringify({ method: 'echo', payload: 'before' }));
    expect(text(before)).toBe('{"ok":"before"}');
    const { value, error, maxLagMs } = await probeLag(async () => {
      const running = hostile();
      running.catch(() => undefined);
      // The healthy plugin answers while the hostile call is still in flight.
      expect(await relay(healthy, { method: 'echo', payload: 'during' })).toEqual({ ok: 'during' });
      return running;
    });
    expect(maxLagMs).toBeLessThan(MAX_LAG_MS);
    expect(await relay(healthy, { method: 'echo', payload: 'after' })).toEqual({ ok: 'after' });
    return { value, error };
  }

  function expectSandboxError(error: unknown, code: string, kind: string, pattern: RegExp): void {
    expect(error).toBeInstanceOf(SandboxError);
    const e = error as SandboxError;
    expect({ code: e.code, kind: e.kind, extensionId: e.extensionId }).toEqual({ code, kind, extensionId: 'hostile' });
    expect(e.message).toMatch(pattern);
  }

  beforeAll(async () => {
    wasm = await buildGuest(HOSTILE_BODY);
    healthy = await SandboxedPlugin.start({ extensionId: 'healthy', wasm, hostModulePath });
  });
  afterAll(async () => {
    await healthy?.close();
  });

  it('stops an infinite loop at its time budget, with TIMEOUT, and serves the next call from a fresh worker', async () => {
    const p = await start({ limits: { timeoutMs: 1000 } });
    try {
      const { error } = await contained(() => p.call('spin'));
      expectSandboxError(error, 'TIMEOUT', 'timeout', /spin\(\) ran past its 1000 ms time budget; its worker was stopped/);
      expect(await relay(p, { method: 'counter' })).toEqual({ ok: 1 }); // new worker: its counter restarted
      expect(p.workerStarts).toBe(2);
    } finally {
      await p.close();
    }
  });

  it('caps a memory.grow loop at maxMemoryPages', async () => {
    const p = await start({ limits: { maxMemoryPages: 64 } });
    try {
      const { value, error } = await contained(() => p.call('grow'));
      expect(error).toBeUndefined();
      expect(new DataView(value!.buffer, value!.byteOffset).getInt32(0, true)).toBe(64);
      expect(await relay(p, { method: 'noop' })).toEqual({ ok: null });
    } finally {
      await p.close();
    }
  });

  it('turns unbounded recursion into a trap error and stays usable', async () => {
    const p = await start();
    try {
      const { error } = await contained(() => p.call('recurse'));
      expectSandboxError(error, 'INTERNAL', 'trap', /recurse\(\) trapped: .*call stack/i);
      expect(await relay(p, { method: 'noop' })).toEqual({ ok: null });
    } finally {
      await p.close();
    }
  });

  it('refuses a huge output with QUOTA_EXCEEDED', async () => {
    const p = await start({ limits: { maxOutputBytes: 1024 * 1024 } });
    try {
      const { error } = await contained(() => p.call('huge_output'));
      expectSandboxError(error, 'QUOTA_EXCEEDED', 'quota', /huge_output\(\) went over a limit: output of 2097152 bytes is over the 1048576-byte limit/);
      expect(await relay(p, { method: 'noop' })).toEqual({ ok: null });
    } finally {
      await p.close();
    }
  });

  it('stops a flood of Extism allocations at maxHostMemoryBytes with QUOTA_EXCEEDED', async () => {
    const p = await start({ limits: { maxHostMemoryBytes: 8 * 1024 * 1024 } });
    try {
      const { error } = await contained(() => p.call('alloc_flood'));
      expectSandboxError(error, 'QUOTA_EXCEEDED', 'quota', /alloc of 1048576 bytes would pass the 8388608-byte limit/);
      expect(await relay(p, { method: 'noop' })).toEqual({ ok: null });
    } finally {
      await p.close();
    }
  });

  it('answers vdfs_calls past the rate limit with RATE_LIMITED error values', async () => {
    const p = await start({ rateLimit: { perSecond: 0.01, burst: 50 } }); // no refill within the test
    try {
      const { value, error } = await contained(() => p.call('flood'));
      expect(error).toBeUndefined();
      const view = new DataView(value!.buffer, value!.byteOffset);
      const [errors, oks] = [view.getInt32(0, true), view.getInt32(4, true)];
      expect(oks + errors).toBe(300);
      expect(oks).toBeGreaterThanOrEqual(50);
      expect(oks).toBeLessThanOrEqual(51); // the burst (refill is one token per 100 s)
      expect(await relay(p, { method: 'noop' })).toMatchObject({ error: { code: 'RATE_LIMITED', message: expect.stringMatching(/rate limit/) } });
      // A fresh worker does not get a fresh bucket: the limit lives with the plugin, not the thread.
      await expect(p.call('spin', '', { timeoutMs: 200 })).rejects.toMatchObject({ code: 'TIMEOUT' });
      expect(await relay(p, { method: 'noop' })).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    } finally {
      await p.close();
    }
  });

  it('answers malformed vdfs_call requests with VALIDATION error values', async () => {
    const p = await start();
    try {
      const { value, error } = await contained(() => p.call('relay', '{"method": "echo", payload'));
      expect(error).toBeUndefined();
      expect(JSON.parse(text(value!))).toMatchObject({ error: { code: 'VALIDATION', message: expect.stringMatching(/not valid UTF-8 JSON/) } });
      for (const bad of ['', '[1,2]', 'null', '{"method": 42}', '{"payload": 1}']) {
        expect(await relay(p, bad)).toMatchObject({ error: { code: 'VALIDATION' } });
      }
      const invalidUtf8 = new Uint8Array([...new TextEncoder().encode('{"method":"echo","payload":"'), 0xff, 0xfe, 0x22, 0x7d]);
      expect(JSON.parse(text(await p.call('relay', invalidUtf8)))).toMatchObject({ error: { code: 'VALIDATION' } });
      expect(await relay(p, { method: 'echo', payload: 'still fine' })).toEqual({ ok: 'still fine' });
    } finally {
      await p.close();
    }
  });

  it('rejects a trap in the middle of a call with a clear error; the plugin stays usable', async () => {
    const p = await start();
    try {
      const { error } = await contained(() => p.call('trap_after_call'));
      expectSandboxError(error, 'INTERNAL', 'trap', /"hostile": trap_after_call\(\) trapped: unreachable/);
      // The host call before the trap happened (counter was 1), and the same worker serves the next call.
      expect(await relay(p, { method: 'counter' })).toEqual({ ok: 2 });
      expect(p.workerStarts).toBe(1);
    } finally {
      await p.close();
    }
  });

  it.each([
    ['imported memory', '(module (import "env" "memory" (memory 1)))', {}, /imports its memory/],
    ['shared memory', '(module (memory 1 2 shared))', { threads: true }, /shared memory/],
    ['64-bit memory', '(module (memory i64 1 2))', { memory64: true }, /64-bit memory/],
  ])('refuses a module with %s at load', async (_name, source, features, pattern) => {
    const bad = await wat(source, features);
    const { error } = await contained(() => start({ wasm: bad }));
    expectSandboxError(error, 'VALIDATION', 'invalid_module', pattern);
    expect((error as SandboxError).message).toMatch(/^Extension "hostile" was refused at load: /);
  });
});
