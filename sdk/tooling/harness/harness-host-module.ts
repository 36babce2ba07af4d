// The host module of the extension test harness, loaded inside the plugin's worker. It answers the guest's
// vdfs_calls from a real library on disk through the core's operation registry (`invokeSync`, caller =
// the extension), plus the runtime methods of a job step (`job.*`), `trace` and `ai.*`, with the payloads
// docs/extension-runtime.md gives them (`job.checkpoint {state}`, `job.isInterrupted` → boolean, `trace {message}`).
//
// HARNESS-ONLY: this stands in for the real bridge (`extension-host/bridge`), which was not ready when the
// SDK was written. Its permission check is by declared capability only (no folder scopes); the bridge
// enforces the user's scoped grants. Switch `ExtensionHarness` to the bridge's host module when it lands.
import { isOperationName } from '../../../src-shared/contract/index.js';
import { CairnError } from '../../../src-shared/errors.js';
import type { PermissionType } from '../../../src-shared/extensions/manifest.js';
import { CairnCore, type CoreOptions } from '../../../src-main/core/cairn-core.js';
import { testShellHandlers } from '../../../src-main/core/testing/test-core.js';
import type { DispatchResult, HostDispatcher, HostModuleInit } from '../../../extension-host/sandbox/sandbox-protocol.js';

/** What `ExtensionHarness` passes to this module as `hostInit`. */
export interface HarnessHostInit {
  homeDir: string;
  libraryId: string;
  /** Permission types the manifest declares and the test grants. */
  granted: PermissionType[];
  /** Int32Array over this buffer: [0] = 1 while the job is interrupted. */
  interruptFlag: SharedArrayBuffer;
  /** Fixture answers for host methods the core does not serve yet (`ai.*`, `places.*`); see `HostStub`. */
  stubs?: Record<string, HostStub>;
}

/** A stubbed answer as the bridge sends it. */
export type StubAnswer = { ok: unknown } | { error: { code: string; message: string } };

/**
 * Fixture answers for one host method (e.g. `ai.detectFaces` until the AI service reaches extensions): the
 * payload fields named by `keyBy`, joined with `,`, pick the answer; `otherwise` answers any other key
 * (default `NOT_FOUND`). The capability check still applies.
 */
export interface HostStub {
  keyBy: string[];
  answers: Record<string, StubAnswer>;
  otherwise?: StubAnswer;
}

/** Which capability each method needs (harness approximation of the bridge's table). */
export function requiredPermission(method: string, payload: Record<string, unknown>): PermissionType | null {
  if (method.startsWith('models.')) return 'WriteModels';
  if (method === 'tags.addToContent' || method === 'tags.removeFromContent' || method === 'tags.addToModel' || method === 'tags.apply' || method === 'tags.remove' || method === 'tags.create') return 'WriteTags';
  if (method.startsWith('collections.') && method !== 'collections.list' && method !== 'collections.items') return 'WriteCollections';
  if (method === 'sidecars.write') return 'WriteSidecars';
  if (method === 'sidecars.read') return 'ReadSidecars';
  if (method.startsWith('entries.') || method === 'search.entries') return 'ReadEntries';
  if (method.startsWith('ai.')) return payload['contentId'] !== undefined ? 'UseModel' : 'UseModel';
  return null;
}

const RUNTIME_METHODS = new Set(['job.checkpoint', 'job.progress', 'job.isInterrupted', 'job.start', 'trace', 'log']);

/** Builds the dispatcher: see the file comment. */
export async function createDispatcher(init: HostModuleInit): Promise<HostDispatcher> {
  const data = init.data as HarnessHostInit;
  const core = await CairnCore.start({ homeDir: data.homeDir, shell: testShellHandlers, checkOutputs: true, watch: false } as CoreOptions);
  await core.libraries.get(data.libraryId);
  const interrupted = new Int32Array(data.interruptFlag);
  const granted = new Set(data.granted);
  const ctx = { caller: { kind: 'extension' as const, extensionId: init.extensionId } };

  return (method, payload) => {
    const body = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
    if (RUNTIME_METHODS.has(method)) {
      if (method === 'job.isInterrupted') return { ok: Atomics.load(interrupted, 0) === 1 };
      init.emit({ method, payload: body });
      return { ok: null };
    }
    const stub = data.stubs?.[method];
    if (stub) {
      const need = requiredPermission(method, body);
      if (need !== null && !granted.has(need)) throw new CairnError('PERMISSION_DENIED', `${method} needs the ${need} permission, which is not granted`);
      const key = stub.keyBy.map((f) => String(body[f])).join(',');
      // Stub answers are fixture data: their error codes are taken as given.
      return (stub.answers[key] ?? stub.otherwise ?? { error: { code: 'NOT_FOUND', message: `no fixture answer for ${method} ${key}` } }) as DispatchResult;
    }
    if (method.startsWith('ai.')) {
      return { error: { code: 'NOT_SUPPORTED', message: 'AI models are not available in this version of Cairn' } };
    }
    if (!isOperationName(method)) return { error: { code: 'UNKNOWN_OPERATION', message: `Unknown operation: ${method}` } };
    const need = requiredPermission(method, body);
    if (need !== null && !granted.has(need)) {
      throw new CairnError('PERMISSION_DENIED', `${method} needs the ${need} permission, which is not granted`);
    }
    const result = core.registry.invokeSync(method, { ...body, libraryId: data.libraryId }, ctx);
    return result.ok ? { ok: result.value } : { error: result.error };
  };
}
