import { CairnError } from '../../src-shared/errors.js';
import type { AI_CATEGORIES } from '../../src-shared/extensions/manifest.js';
import type { CairnCore } from '../../src-main/core/cairn-core.js';
import type { Library } from '../../src-main/core/library/library.js';
import { AuditTrail } from '../permissions/audit-trail.js';
import { GrantState } from '../permissions/grant-state.js';
import { PermissionGuard } from '../permissions/permission-guard.js';

/**
 * Heavy host work an extension job may ask for as a task named `host:<operation>`. A guest cannot await
 * inside a host function, so instead of calling these through `vdfs_call` a job step lists them among its
 * tasks (`{key, task: 'host:ai.detectFaces', input: {entryId}}`); the host runs them on the main side through
 * the registry, durably like any task, and hands the result back in the next step's `completedTasks`.
 */
const HOST_TASKS: Record<string, { useModel?: (typeof AI_CATEGORIES)[number]; entry: boolean; library: boolean }> = {
  'ai.detectFaces': { useModel: 'face_detection', entry: true, library: true },
  'ai.embed': { useModel: 'face_embedding', entry: true, library: true },
  'places.reverseGeocode': { entry: false, library: false },
};

/** The host tasks an extension job may request, without the `host:` prefix. */
export const HOST_TASK_NAMES = Object.keys(HOST_TASKS);

/**
 * Runs one `host:` task for an extension after the same two-key checks as the bridge: the operation must be
 * allow-listed, the extension active, a UseModel permission of the right category declared AND granted, and
 * any entry it names inside the folders granted for ReadEntries. A denial is recorded in the extension's
 * audit trail and throws PERMISSION_DENIED; the core's own checks (e.g. "a local grant never reaches the
 * cloud") still apply because the call carries the extension as caller.
 *
 * @example
 * await runHostTask(core, lib, 'app.cairn.photos', 'host:ai.detectFaces', { entryId });
 */
export async function runHostTask(core: Pick<CairnCore, 'registry'>, lib: Library, extensionId: string, task: string, input: unknown, signal?: AbortSignal): Promise<unknown> {
  const name = task.startsWith('host:') ? task.slice('host:'.length) : task;
  const spec = HOST_TASKS[name];
  const state = new GrantState(lib.raw, extensionId);
  const guard = new PermissionGuard(lib, extensionId, state, new AuditTrail(lib.path, extensionId));
  guard.refresh();
  const deny = (message: string, capability?: string): never => {
    guard.audit(task, 'PERMISSION_DENIED', message, capability);
    throw new CairnError('PERMISSION_DENIED', message);
  };
  if (!spec) return deny(`"${task.slice(0, 80)}" is not a host task extensions may run; they are ${HOST_TASK_NAMES.map((n) => `host:${n}`).join(', ')}.`);
  if (!state.snapshot.active) return deny(`Extension ${extensionId} may not run host tasks: ${state.snapshot.inactiveReason ?? 'it is not active'}.`);
  const payload = (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
  if (spec.useModel) {
    const granted = state.effective('UseModel').some((e) => e.permission.type === 'UseModel' && e.permission.category === spec.useModel);
    if (!granted) {
      const why = state.declares('UseModel') ? 'the user has not granted it' : 'the manifest does not declare it';
      deny(`${name} needs UseModel(${spec.useModel}), and ${why}.`, 'UseModel');
    }
  }
  // Entries are checked against ReadEntries exactly as the bridge would (denials are audited there).
  if (spec.entry) guard.authorize('entries.get', { entryId: payload.entryId });
  const result = await core.registry.invoke(name, spec.library ? { ...payload, libraryId: lib.id } : payload, { caller: { kind: 'extension', extensionId }, ...(signal ? { signal } : {}) });
  if (!result.ok) throw new CairnError(result.error.code, result.error.message);
  return result.value;
}
