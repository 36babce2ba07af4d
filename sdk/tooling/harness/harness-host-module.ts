// The host module of the extension test harness, loaded inside the plugin's worker. Every vdfs_call goes
// through the real bridge (`extension-host/bridge`, the same checks as in the app: the method table, the
// user's grants with their folder scopes and globs, own models only, the scoped view of entries), except the
// runtime methods of a job step (`job.*`, `trace`, `log`), which the harness records itself (it plays the job
// runner), and methods the test answers with fixture data (`stubs`), checked against the declared capability.
import { CairnError } from '../../../src-shared/errors.js';
import type { PermissionType } from '../../../src-shared/extensions/manifest.js';
import { ExtensionBridge } from '../../../extension-host/bridge/extension-bridge.js';
import type { DispatchResult, HostDispatcher, HostModuleInit } from '../../../extension-host/sandbox/sandbox-protocol.js';

/** What `ExtensionHarness` passes to this module as `hostInit`. */
export interface HarnessHostInit {
  /** The test library's folder (the bridge opens it on this worker's own connection). */
  libraryPath: string;
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

/** Which capability a stubbed method needs (stubs bypass the bridge, so this stands in for its table). */
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

// job.start is not among them: the bridge checks the job is one the manifest declares, then emits it.
const RUNTIME_METHODS = new Set(['job.checkpoint', 'job.progress', 'job.isInterrupted', 'trace', 'log']);

/** Builds the dispatcher: see the file comment. Rejects when the library cannot be opened. */
export async function createDispatcher(init: HostModuleInit): Promise<HostDispatcher> {
  const data = init.data as HarnessHostInit;
  // A job the bridge let the guest start is recorded like the other runtime calls ({method, payload}).
  const bridge = await ExtensionBridge.open({
    libraryPath: data.libraryPath,
    extensionId: init.extensionId,
    emit: (event) => init.emit(event.type === 'job.start' ? { method: 'job.start', payload: { job: event.job, input: event.input } } : event),
  });
  const interrupted = new Int32Array(data.interruptFlag);
  const granted = new Set(data.granted);

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
    return bridge.dispatch(method, payload);
  };
}
