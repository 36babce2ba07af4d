import type { WireError } from '../../src-shared/errors.js';
import type { TokenBucketLimits } from './shared-token-bucket.js';
import type { CompiledWasm } from './wasm-api.js';

/** The import namespace of our host API: guests import `cairn.vdfs_call(u64) -> u64`. */
export const HOST_NAMESPACE = 'cairn';
/** The one host function a guest may import from {@link HOST_NAMESPACE}. */
export const VDFS_CALL = 'vdfs_call';

/** What a dispatcher returns for one `vdfs_call`: a value or an error value. It never throws on purpose. */
export type DispatchResult = { ok: unknown } | { error: WireError };

/**
 * Answers one `vdfs_call` synchronously, inside the plugin's worker. It must not return a promise: the guest
 * is blocked in the host call while it runs. Anything it throws becomes `{error: {code, message}}` (a
 * `CairnError` keeps its code, anything else is `INTERNAL`).
 */
export type HostDispatcher = (method: string, payload: unknown) => DispatchResult;

/** What a host module's `createDispatcher` receives. */
export interface HostModuleInit {
  /** The extension this worker runs, for permission checks and logs. */
  extensionId: string;
  /** The structured-clonable `hostInit` given to `SandboxedPlugin.start` (e.g. a library path and granted capabilities). */
  data: unknown;
  /** Sends an event to the main thread, where it reaches `SandboxedPluginOptions.onEvent`. */
  emit(event: unknown): void;
}

/**
 * The shape of a host module: an ES module, loaded by path inside the plugin's worker (functions cannot be
 * sent to a worker), that builds the dispatcher answering the guest's `vdfs_call`s. `createDispatcher` may be
 * async (to open a database, say); the dispatcher it returns must be synchronous.
 *
 * @example
 * // my-host.ts
 * export function createDispatcher(init: HostModuleInit): HostDispatcher {
 *   return (method, payload) => (method === 'echo' ? { ok: payload } : { error: { code: 'UNKNOWN_OPERATION', message: method } });
 * }
 */
export interface HostModule {
  createDispatcher(init: HostModuleInit): HostDispatcher | Promise<HostDispatcher>;
}

/** Limits the worker enforces itself (the time budget is enforced by the main thread). */
export interface WorkerLimits {
  /** Largest output a call may return, in bytes. */
  maxOutputBytes: number;
  /** Largest request or response body of one vdfs_call, in bytes. */
  maxMessageBytes: number;
  /** Bytes of Extism memory (guest `alloc`s and vdfs responses) live at once within one call. */
  maxHostMemoryBytes: number;
  /** Bytes of Extism vars. */
  maxVarBytes: number;
  /** Guest log lines forwarded per call; the rest are counted and dropped. */
  maxLogsPerCall: number;
}

/** `workerData` of the plugin worker. */
export interface WorkerStartData {
  extensionId: string;
  module: CompiledWasm;
  config: Record<string, string>;
  hostModulePath: string;
  hostInit: unknown;
  limits: WorkerLimits;
  rateBuffer: SharedArrayBuffer;
  rateLimits: TokenBucketLimits;
  forwardLogs: boolean;
}

export type MainToWorker = { type: 'call'; id: number; exportName: string; input: Uint8Array };

export type WorkerFailureKind = 'trap' | 'guest_error' | 'quota' | 'missing_export';

export type WorkerToMain =
  | { type: 'ready' }
  | { type: 'startError'; error: WireError }
  | { type: 'result'; id: number; output: Uint8Array | null }
  | { type: 'failure'; id: number; kind: WorkerFailureKind; error: WireError }
  | { type: 'event'; event: unknown }
  | { type: 'log'; level: 'trace' | 'debug' | 'info' | 'warn' | 'error'; text: string };
