import { operations, isOperationName } from '../../src-shared/contract/index.js';
import { CairnError, toWireError } from '../../src-shared/errors.js';
import { BlobCodec } from '../../src-main/core/blobs/blob-codec.js';
import { BlobStore } from '../../src-main/core/blobs/blob-store.js';
import { collectionHandlers } from '../../src-main/core/collections/collection-handlers.js';
import { CollectionService } from '../../src-main/core/collections/collection-service.js';
import { entryHandlers } from '../../src-main/core/entries/entry-handlers.js';
import { EventBus } from '../../src-main/core/events/event-bus.js';
import { Library } from '../../src-main/core/library/library.js';
import { MetadataService } from '../../src-main/core/metadata/metadata-service.js';
import { modelHandlers } from '../../src-main/core/models/model-handlers.js';
import { ModelService, type ModelQuota } from '../../src-main/core/models/model-service.js';
import { TagPathWriter } from '../../src-main/core/models/tag-paths.js';
import { OperationRegistry, type CallContext, type Handlers } from '../../src-main/core/registry/operation-registry.js';
import { searchHandlers } from '../../src-main/core/search/search-handlers.js';
import { SEARCH_COUNT_CAP, searchEntries, toFtsQuery } from '../../src-main/core/search/search-service.js';
import { SidecarStore } from '../../src-main/core/sidecars/sidecar-store.js';
import { HybridLogicalClock } from '../../src-main/core/sync/hlc.js';
import { tagHandlers } from '../../src-main/core/tags/tag-handlers.js';
import { TagService } from '../../src-main/core/tags/tag-service.js';
import { AUDIT_ALLOWED, AuditTrail, type AuditTrailOptions } from '../permissions/audit-trail.js';
import { GrantState } from '../permissions/grant-state.js';
import { PermissionGuard } from '../permissions/permission-guard.js';
import type { DispatchResult } from '../sandbox/sandbox-protocol.js';

/** Something the bridge tells the main thread (through the sandbox's `emit`). */
export type BridgeEvent =
  | { type: 'core-event'; name: string; payload: unknown }
  | { type: 'log'; level: 'trace' | 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { type: 'job.checkpoint'; state: unknown }
  | { type: 'job.progress'; progress: unknown }
  | { type: 'job.runTask'; key: string; task: string; input: unknown }
  /** `job.start`: the extension asked to enqueue one of its own declared jobs (checked here and again by the runtime). */
  | { type: 'job.start'; job: string; input: unknown };

/** Options of {@link ExtensionBridge.open}. */
export interface ExtensionBridgeOptions {
  libraryPath: string;
  extensionId: string;
  /** Device id for sync metadata of rows the extension writes. */
  deviceId?: string;
  emit?: (event: BridgeEvent) => void;
  quota?: ModelQuota;
  audit?: AuditTrailOptions;
  /** Set when the plugin runs a job step: `job.*` methods become available. */
  job?: { interruptFlag?: SharedArrayBuffer | undefined };
}

const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error']);

/**
 * The bridge from an extension's `vdfs_call` to the operation registry. It owns a connection to the library
 * (opened in the plugin's worker), an {@link OperationRegistry} with the core's handlers bound to it, and the
 * {@link PermissionGuard}. Each request `{method, payload}` is answered synchronously:
 *
 * 1. `log`/`trace` and, inside a job, `job.*` are handled by the bridge itself;
 * 2. the guard re-reads grants if they changed, checks the capability and every argument's scope, and may
 *    rewrite the payload; a denial is audited and returned as `PERMISSION_DENIED`;
 * 3. the payload gets the library id injected (a guest cannot name another library) and runs through
 *    `registry.invokeSync` with caller `{kind: 'extension', extensionId}`; actions run inside a transaction
 *    begun IMMEDIATE (so concurrent writers wait on the busy timeout instead of failing with "database is
 *    locked") that is rolled back when they fail, so nothing is half-applied.
 *
 * Failure modes: `open` fails like `Library.open`; `dispatch` never throws (errors are values).
 *
 * @example
 * const bridge = await ExtensionBridge.open({ libraryPath, extensionId: 'com.example.photos' });
 * bridge.dispatch('tags.list', {}); // { ok: [...] } or { error: { code: 'PERMISSION_DENIED', message } }
 * await bridge.close();
 */
export class ExtensionBridge {
  readonly extensionId: string;
  readonly library: Library;
  readonly guard: PermissionGuard;
  readonly audit: AuditTrail;
  readonly #registry: OperationRegistry;
  readonly #ctx: CallContext;
  readonly #emit: (event: BridgeEvent) => void;
  readonly #job: ExtensionBridgeOptions['job'];
  readonly #grants: GrantState;

  private constructor(lib: Library, options: ExtensionBridgeOptions, codec: BlobCodec) {
    this.extensionId = options.extensionId;
    this.library = lib;
    this.#emit = options.emit ?? (() => undefined);
    this.#job = options.job;
    this.#ctx = { caller: { kind: 'extension', extensionId: options.extensionId } };
    this.audit = new AuditTrail(lib.path, options.extensionId, options.audit);
    this.#grants = new GrantState(lib.raw, options.extensionId);
    this.guard = new PermissionGuard(lib, options.extensionId, this.#grants, this.audit);
    this.guard.install();

    const deviceId = options.deviceId ?? 'extension-host';
    const clock = new HybridLogicalClock(deviceId);
    const events = new EventBus();
    events.onAny((name, payload) => this.#emit({ type: 'core-event', name, payload }));
    const tags = new TagService(clock, deviceId);
    const collections = new CollectionService(clock, deviceId);
    const extensionId = options.extensionId;
    const handlers: Partial<Handlers> = {
      ...entryHandlers(new MetadataService(clock, deviceId), events),
      ...tagHandlers(tags, events),
      ...collectionHandlers(collections, events),
      ...searchHandlers(),
      ...modelHandlers({ models: new ModelService(clock, deviceId, new BlobStore(codec), options.quota), tagPaths: new TagPathWriter(tags, clock, deviceId), sidecars: new SidecarStore(), events }),
      // Tags an extension applies carry its id as their source.
      'tags.apply': ({ libraryId, tagId, entryIds, scope }, ctx) => {
        const applied = tags.apply(ctx.library(libraryId), tagId, entryIds, scope, { source: 'extension', sourceId: extensionId, confidence: null });
        events.emit('tags.onDidChange', { libraryId });
        if (applied > 0) events.emit('tags.onDidApply', { libraryId, tagId, entryIds, contentIds: [], sourceId: extensionId });
        return { applied };
      },
      // Collections an extension creates are owned by it (and only it may change them).
      'collections.create': ({ libraryId, name, description }, ctx) => {
        const created = collections.create(ctx.library(libraryId), name, description ?? null, extensionId);
        events.emit('collections.onDidChange', { libraryId });
        return created;
      },
      // An extension reads only its own collections, and of their items only those it may still see (a grant
      // narrowed since an item was added hides that item rather than leaking its id).
      'collections.list': ({ libraryId }, ctx) => collections.list(ctx.library(libraryId), { owner: extensionId, visibleTo: extensionId }),
      'collections.items': ({ libraryId, collectionId, offset, limit }, ctx) =>
        collections.items(ctx.library(libraryId), collectionId, offset, limit, { visibleTo: extensionId }),
      // Totals of an unfiltered keyword search come from the FTS index alone; recount through the scoped view.
      'search.entries': (input, ctx) => {
        const l = ctx.library(input.libraryId);
        const result = searchEntries(l, input);
        const fts = toFtsQuery(input.query);
        const filtered = input.fileKind || input.locationId || input.tagId || input.from || input.to;
        if (fts && !filtered) {
          const { n } = l.raw
            .prepare('SELECT count(*) AS n FROM (SELECT 1 FROM entries_fts f JOIN entries e ON e.id = f.rowid WHERE entries_fts MATCH ? LIMIT ?)')
            .get(fts, SEARCH_COUNT_CAP + 1) as { n: number };
          return { ...result, total: Math.min(n, SEARCH_COUNT_CAP), totalCapped: n > SEARCH_COUNT_CAP };
        }
        return result;
      },
    };
    this.#registry = new OperationRegistry(handlers, {
      libraries: { open: async () => lib, peek: (id) => (id === lib.id ? lib : undefined) },
    });
  }

  /** Opens the library on a connection of its own and builds the bridge. */
  static async open(options: ExtensionBridgeOptions): Promise<ExtensionBridge> {
    const codec = await BlobCodec.load();
    const lib = await Library.open(options.libraryPath);
    try {
      return new ExtensionBridge(lib, options, codec);
    } catch (error) {
      await lib.close();
      throw error;
    }
  }

  /** Answers one request. Never throws. */
  dispatch(method: string, payload: unknown): DispatchResult {
    try {
      return this.#dispatch(method, payload);
    } catch (error) {
      return { error: toWireError(error) };
    }
  }

  async close(): Promise<void> {
    await this.library.close();
  }

  #dispatch(method: string, payload: unknown): DispatchResult {
    if (method === 'log' || method === 'trace') return this.#log(method, payload);
    if (method === 'job.start') return this.#startJob(payload);
    if (method.startsWith('job.')) return this.#jobCall(method, payload);
    const input = payload === null || payload === undefined ? {} : payload;
    if (typeof input !== 'object' || Array.isArray(input)) {
      return { error: { code: 'VALIDATION', message: `The payload of ${method.slice(0, 100)} must be a JSON object.` } };
    }
    this.guard.refresh();
    const authorized = this.guard.authorize(method, input as Record<string, unknown>);
    const request = { ...authorized, libraryId: this.library.id };
    const isAction = isOperationName(method) && operations[method].kind === 'action';
    const raw = this.library.raw;
    // An action takes the write lock before it reads (BEGIN IMMEDIATE waits out another connection's write with
    // the busy timeout). A deferred transaction that read first would fail at once with "database is locked"
    // whenever another connection (a second plugin of the same job, the scheduler) committed in between.
    const own = isAction && !raw.inTransaction;
    if (own) raw.exec('BEGIN IMMEDIATE');
    else if (isAction) raw.exec('SAVEPOINT cairn_bridge_call');
    let result: ReturnType<OperationRegistry['invokeSync']>;
    try {
      result = this.#registry.invokeSync(method, request, this.#ctx);
    } catch (error) {
      if (own && raw.inTransaction) raw.exec('ROLLBACK');
      else if (isAction) raw.exec('ROLLBACK TO cairn_bridge_call; RELEASE cairn_bridge_call');
      throw error;
    }
    if (own) raw.exec(result.ok ? 'COMMIT' : 'ROLLBACK');
    else if (isAction) {
      if (!result.ok) raw.exec('ROLLBACK TO cairn_bridge_call');
      raw.exec('RELEASE cairn_bridge_call');
    }
    if (!result.ok && result.error.code === 'PERMISSION_DENIED') this.guard.audit(method, result.error.code, result.error.message);
    // Writes it was allowed go in the trail too, so the user sees what it changed (reads are too many to log).
    if (isAction && result.ok) this.audit.append({ method, code: AUDIT_ALLOWED, message: '' });
    return result.ok ? { ok: result.value } : { error: result.error };
  }

  #log(method: 'log' | 'trace', payload: unknown): DispatchResult {
    const p = (typeof payload === 'object' && payload !== null ? payload : { message: payload }) as { level?: unknown; message?: unknown };
    const level = method === 'trace' ? 'trace' : typeof p.level === 'string' && LOG_LEVELS.has(p.level) ? (p.level as 'info') : 'info';
    const message = typeof p.message === 'string' ? p.message : JSON.stringify(p.message ?? null);
    this.#emit({ type: 'log', level, message: message.slice(0, 4096) });
    return { ok: null };
  }

  /**
   * `job.start {job, input?}`: queues one of the extension's OWN declared jobs (from a hook, an init export or a
   * job). Refused with PERMISSION_DENIED (audited) when the extension is not active or the manifest declares no
   * such job; the runtime checks the install again before it enqueues `ext:<id>:<job>` with the extension as owner.
   */
  #startJob(payload: unknown): DispatchResult {
    const p = (typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload : {}) as Record<string, unknown>;
    if (typeof p.job !== 'string' || p.job.length === 0 || p.job.length > 64) throw new CairnError('VALIDATION', 'job.start needs {job: the name of one of your jobs, input?}.');
    this.guard.refresh();
    const snap = this.#grants.snapshot;
    const deny = (message: string): DispatchResult => {
      this.guard.audit('job.start', 'PERMISSION_DENIED', message);
      return { error: { code: 'PERMISSION_DENIED', message } };
    };
    if (!snap.active || !snap.manifest) return deny(`${this.extensionId} may not start jobs: ${snap.inactiveReason ?? 'it is not active'}.`);
    const declared = snap.manifest.jobs.map((j) => j.name);
    if (!declared.includes(p.job)) {
      return deny(`job.start: ${this.extensionId} declares no job named "${p.job.slice(0, 64)}" (an extension starts only its own jobs${declared.length ? `: ${declared.join(', ')}` : ''}).`);
    }
    this.#emit({ type: 'job.start', job: p.job, input: p.input ?? {} });
    this.audit.append({ method: 'job.start', code: AUDIT_ALLOWED, message: p.job });
    return { ok: { queued: true } };
  }

  #jobCall(method: string, payload: unknown): DispatchResult {
    if (!this.#job) throw new CairnError('NOT_SUPPORTED', `${method.slice(0, 100)} is only available while the extension runs a job.`);
    const p = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
    switch (method) {
      case 'job.checkpoint':
        this.#emit({ type: 'job.checkpoint', state: 'state' in p ? p.state : payload });
        return { ok: null };
      case 'job.progress':
        this.#emit({ type: 'job.progress', progress: payload });
        return { ok: null };
      case 'job.isInterrupted': {
        const flag = this.#job.interruptFlag;
        return { ok: flag ? Atomics.load(new Int32Array(flag), 0) !== 0 : false };
      }
      case 'job.runTask':
        if (typeof p.key !== 'string' || typeof p.task !== 'string') throw new CairnError('VALIDATION', 'job.runTask needs {key: string, task: string, input?}.');
        this.#emit({ type: 'job.runTask', key: p.key, task: p.task, input: p.input ?? null });
        return { ok: { queued: true } };
      default:
        throw new CairnError('UNKNOWN_OPERATION', `Unknown job method ${method.slice(0, 100)}.`);
    }
  }
}
