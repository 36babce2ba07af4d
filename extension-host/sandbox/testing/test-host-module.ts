import { CairnError } from '../../../src-shared/errors.js';
import type { HostDispatcher, HostModuleInit } from '../sandbox-protocol.js';

/**
 * A host module for sandbox tests and the benchmark: echo, a per-worker counter, methods that throw,
 * events, a large response, and a no-op. Loaded by path inside the plugin worker.
 *
 * @example
 * SandboxedPlugin.start({ extensionId: 't', wasm, hostModulePath: resolveWorkerFile(import.meta.url, './testing/test-host-module') });
 */
export function createDispatcher(init: HostModuleInit): HostDispatcher {
  let counter = 0;
  return (method, payload) => {
    switch (method) {
      case 'noop':
        return { ok: null };
      case 'echo':
        return { ok: payload };
      case 'counter':
        return { ok: ++counter };
      case 'init':
        return { ok: { extensionId: init.extensionId, data: init.data } };
      case 'throws':
        throw new Error('boom from the host');
      case 'denied':
        throw new CairnError('PERMISSION_DENIED', 'not granted');
      case 'emit':
        init.emit(payload);
        return { ok: true };
      case 'big':
        return { ok: 'x'.repeat(Number(payload)) };
      case 'promise':
        return Promise.resolve({ ok: 1 }) as never;
      default:
        return { error: { code: 'UNKNOWN_OPERATION', message: `unknown method ${method}` } };
    }
  };
}
