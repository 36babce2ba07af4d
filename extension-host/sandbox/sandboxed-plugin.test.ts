import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveWorkerFile } from '../../src-main/core/workers/spawn-worker.js';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { SandboxError } from './sandbox-error.js';
import { SandboxedPlugin, type SandboxedPluginOptions } from './sandboxed-plugin.js';
import { SharedTokenBucket } from './shared-token-bucket.js';
import { buildGuest } from './testing/guest-wat.js';
import { wat } from './testing/wat.js';

const hostModulePath = resolveWorkerFile(import.meta.url, './testing/test-host-module');
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** A well-behaved guest: relay (from the helpers), config, error_set, logs, and an export that outputs nothing. */
const GUEST_BODY = `
  (data (i32.const 0) "greeting")
  (data (i32.const 16) "bad input")
  (data (i32.const 32) "hello")
  (func (export "greet") (result i32)
    (local $h i64)
    (local.set $h (call $config_get (call $to_extism (i32.const 0) (i32.const 8))))
    (if (i64.eqz (local.get $h)) (then (call $output (i32.const 32) (i32.const 0)) (return (i32.const 0))))
    (call $output_set (local.get $h) (call $length (local.get $h)))
    (i32.const 0))
  (func (export "fail") (result i32)
    (call $error_set (call $to_extism (i32.const 16) (i32.const 9)))
    (i32.const 1))
  (func (export "chatty") (result i32)
    (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (i32.const 50)))
      (call $log_info (call $to_extism (i32.const 32) (i32.const 5)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.const 0))
  (func (export "silent") (result i32) (i32.const 0))
`;

function expectSandboxError(error: unknown, code: string, kind: string, pattern?: RegExp): void {
  expect(error).toBeInstanceOf(SandboxError);
  const e = error as SandboxError;
  expect({ code: e.code, kind: e.kind }).toEqual({ code, kind });
  if (pattern) expect(e.message).toMatch(pattern);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('SandboxedPlugin', () => {
  let wasm: Uint8Array;
  let plugin: SandboxedPlugin;
  const events: unknown[] = [];
  const logs: string[] = [];

  const start = (options: Partial<SandboxedPluginOptions> = {}): Promise<SandboxedPlugin> =>
    SandboxedPlugin.start({ extensionId: 'test-ext', wasm, hostModulePath, ...options });
  const relay = async (p: SandboxedPlugin, request: unknown): Promise<unknown> =>
    JSON.parse(text(await p.call('relay', typeof request === 'string' ? request : JSON.stringify(request))));

  beforeAll(async () => {
    wasm = await buildGuest(GUEST_BODY);
    plugin = await start({
      config: { greeting: 'Grüß dich' },
      hostInit: { library: '/tmp/lib', grants: ['tags.read'] },
      onEvent: (event) => events.push(event),
      onLog: (level, line) => logs.push(`${level}:${line}`),
      limits: { maxLogsPerCall: 10 },
    });
  });
  afterAll(async () => {
    await plugin?.close();
  });

  it('round-trips non-ASCII UTF-8 from input through guest memory, vdfs_call, and back to output', async () => {
    const payload = { text: 'Zoë — 日本語 🌍 \u0000 "quoted" \\', n: [1, 2.5, null, true] };
    expect(await relay(plugin, { method: 'echo', payload })).toEqual({ ok: payload });
  });

  it('round-trips any JSON payload unchanged (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (payload) => {
        // JSON itself turns -0 into 0; compare what JSON can carry.
        expect(await relay(plugin, { method: 'echo', payload })).toEqual({ ok: JSON.parse(JSON.stringify(payload)) ?? null });
      }),
      { numRuns: 40 },
    );
  });

  it('gives the host module its extension id and init data', async () => {
    expect(await relay(plugin, { method: 'init' })).toEqual({ ok: { extensionId: 'test-ext', data: { library: '/tmp/lib', grants: ['tags.read'] } } });
  });

  it('turns dispatcher failures into error values, never traps', async () => {
    expect(await relay(plugin, { method: 'throws' })).toEqual({ error: { code: 'INTERNAL', message: 'boom from the host' } });
    expect(await relay(plugin, { method: 'denied' })).toEqual({ error: { code: 'PERMISSION_DENIED', message: 'not granted' } });
    expect(await relay(plugin, { method: 'nope' })).toEqual({ error: { code: 'UNKNOWN_OPERATION', message: 'unknown method nope' } });
    expect(await relay(plugin, { method: 'promise' })).toMatchObject({ error: { code: 'INTERNAL', message: expect.stringMatching(/synchronous/) } });
  });

  it('answers any request bytes with {ok} or {error}, never a trap (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), fc.constantFrom('{"method":"echo"}', '{"method":1}', '[]', 'null', '')), async (request) => {
        const response = (await relay(plugin, request)) as Record<string, unknown>;
        expect('ok' in response || 'error' in response).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a vdfs_call response over the message size limit with an error value', async () => {
    const small = await start({ limits: { maxMessageBytes: 1000 } });
    try {
      expect(await relay(small, { method: 'big', payload: 100 })).toEqual({ ok: 'x'.repeat(100) });
      expect(await relay(small, { method: 'big', payload: 5000 })).toMatchObject({ error: { code: 'QUOTA_EXCEEDED' } });
    } finally {
      await small.close();
    }
  });

  it('passes Extism config to the guest', async () => {
    expect(text(await plugin.call('greet'))).toBe('Grüß dich');
  });

  it('rejects a guest error_set with a clear error and stays usable', async () => {
    expectSandboxError(await rejection(plugin.call('fail')), 'INTERNAL', 'guest_error', /"test-ext": fail\(\) reported an error: bad input/);
    expect(text(await plugin.call('greet'))).toBe('Grüß dich');
  });

  it('rejects a missing export with NOT_FOUND', async () => {
    expectSandboxError(await rejection(plugin.call('no_such_export')), 'NOT_FOUND', 'missing_export', /no_such_export/);
  });

  it('returns empty bytes when the guest sets no output', async () => {
    expect((await plugin.call('silent')).byteLength).toBe(0);
  });

  it('forwards host events and guest logs, at most maxLogsPerCall lines per call', async () => {
    expect(await relay(plugin, { method: 'emit', payload: { kind: 'progress', done: 3 } })).toEqual({ ok: true });
    logs.length = 0;
    await plugin.call('chatty');
    await new Promise((r) => setTimeout(r, 50)); // log messages arrive before the result, but let the loop drain
    expect(events).toContainEqual({ kind: 'progress', done: 3 });
    expect(logs).toHaveLength(10);
    expect(logs[0]).toBe('info:hello');
  });

  it('runs concurrent calls one at a time, in order', async () => {
    const first = (await relay(plugin, { method: 'counter' })) as { ok: number };
    const results = await Promise.all(Array.from({ length: 15 }, () => relay(plugin, { method: 'counter' })));
    expect(results).toEqual(Array.from({ length: 15 }, (_, i) => ({ ok: first.ok + 1 + i })));
  });

  it('does not detach or change the caller’s input buffer', async () => {
    const input = new TextEncoder().encode(JSON.stringify({ method: 'echo', payload: 'keep me' }));
    await plugin.call('relay', input);
    expect(text(input)).toBe(JSON.stringify({ method: 'echo', payload: 'keep me' }));
  });

  it('refuses input over maxInputBytes', async () => {
    const small = await start({ limits: { maxInputBytes: 10 } });
    try {
      expectSandboxError(await rejection(small.call('relay', 'x'.repeat(11))), 'QUOTA_EXCEEDED', 'quota', /input of 11 bytes/);
    } finally {
      await small.close();
    }
  });

  it('shares one rate limit between plugins given the same bucket', async () => {
    const bucket = new SharedTokenBucket({ perSecond: 0.001, burst: 3 });
    const [a, b] = await Promise.all([start({ rateLimit: bucket }), start({ rateLimit: bucket })]);
    try {
      const codes = [];
      for (const p of [a, b, a, b]) {
        const response = (await relay(p, { method: 'noop' })) as { error?: { code: string } };
        codes.push(response.error?.code ?? 'ok');
      }
      expect(codes).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('fails running and later calls with CANCELLED once closed', async () => {
    const spinWasm = await buildGuest(`(func (export "spin") (result i32) (loop $l (br $l)) (i32.const 0))`);
    const p = await start({ wasm: spinWasm, limits: { timeoutMs: 20_000 } });
    const running = rejection(p.call('spin'));
    await new Promise((r) => setTimeout(r, 100));
    await p.close();
    expectSandboxError(await running, 'CANCELLED', 'closed');
    expectSandboxError(await rejection(p.call('relay', '{}')), 'CANCELLED', 'closed');
  });

  it('fails a call waiting for a restarting worker with CANCELLED when closed', async () => {
    const spinWasm = await buildGuest(`(func (export "spin") (result i32) (loop $l (br $l)) (i32.const 0))`);
    const p = await start({ wasm: spinWasm, limits: { timeoutMs: 100 } });
    expectSandboxError(await rejection(p.call('spin')), 'TIMEOUT', 'timeout');
    const waiting = rejection(p.call('relay', '{}')); // starts a fresh worker lazily
    await new Promise((r) => setTimeout(r, 30)); // the call is now waiting for that worker to boot
    expect(p.workerStarts).toBe(2);
    await p.close();
    expectSandboxError(await waiting, 'CANCELLED', 'closed');
  });

  it('refuses limits that are not positive numbers', async () => {
    expectSandboxError(await rejection(start({ limits: { timeoutMs: 0 } })), 'VALIDATION', 'start', /timeoutMs must be a positive number/);
  });

  it('refuses modules that import what the host does not provide', async () => {
    const abort = await wat('(module (import "env" "abort" (func (param i32 i32 i32 i32))) (memory 1))');
    expectSandboxError(await rejection(start({ wasm: abort })), 'VALIDATION', 'invalid_module', /env\.abort/);
    const http = await wat('(module (import "extism:host/env" "http_request" (func (param i64 i64) (result i64))) (memory 1))');
    expectSandboxError(await rejection(start({ wasm: http })), 'VALIDATION', 'invalid_module', /http_request/);
    expectSandboxError(await rejection(start({ wasm: new Uint8Array([1, 2, 3]) })), 'VALIDATION', 'invalid_module', /not a WebAssembly binary/);
  });

  it('fails to start with a clear error when the host module is missing or wrong', async () => {
    const tmp = makeTempDir('cairn-sandbox');
    try {
      const missing = path.join(tmp.dir, 'missing.js');
      expectSandboxError(await rejection(start({ hostModulePath: missing })), 'INTERNAL', 'start', /failed to start/);
      const wrong = path.join(tmp.dir, 'wrong.mjs');
      fs.writeFileSync(wrong, 'export const nothing = 1;\n');
      expectSandboxError(await rejection(start({ hostModulePath: wrong })), 'INTERNAL', 'start', /does not export createDispatcher/);
    } finally {
      tmp.cleanup();
    }
  });
});
