import type { Worker } from 'node:worker_threads';
import type { ErrorCode, WireError } from '../../src-shared/errors.js';
import { resolveWorkerFile, spawnWorker } from '../../src-main/core/workers/spawn-worker.js';
import { SandboxError, type SandboxFailureKind } from './sandbox-error.js';
import { HOST_NAMESPACE, VDFS_CALL, type MainToWorker, type WorkerLimits, type WorkerStartData, type WorkerToMain } from './sandbox-protocol.js';
import { SharedTokenBucket, type TokenBucketLimits } from './shared-token-bucket.js';
import { capWasmMemory } from './wasm-memory-limit.js';
import { wasmApi, type CompiledWasm } from './wasm-api.js';

/** Every limit of one sandboxed plugin. All have defaults ({@link DEFAULT_SANDBOX_LIMITS}). */
export interface SandboxLimits extends WorkerLimits {
  /** Time budget of one call, from the moment it reaches the worker. Past it the worker is terminated. */
  timeoutMs: number;
  /** Time allowed for a worker to boot, load the host module and instantiate the guest. */
  startTimeoutMs: number;
  /** Cap on the guest's linear memory, in 64 KiB pages (the module's memory maximum is rewritten to it). */
  maxMemoryPages: number;
  /** Largest input of one call, in bytes. */
  maxInputBytes: number;
  /** The worker's V8 heap limit (JS objects only; wasm memory is capped by maxMemoryPages). */
  maxHeapMb: number;
}

export const DEFAULT_SANDBOX_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  timeoutMs: 10_000,
  startTimeoutMs: 30_000,
  maxMemoryPages: 256, // 16 MiB
  maxInputBytes: 16 * 1024 * 1024,
  maxOutputBytes: 8 * 1024 * 1024,
  maxMessageBytes: 4 * 1024 * 1024,
  maxHostMemoryBytes: 64 * 1024 * 1024,
  maxVarBytes: 1024 * 1024,
  maxLogsPerCall: 100,
  maxHeapMb: 256,
});

export const DEFAULT_VDFS_RATE: Readonly<TokenBucketLimits> = Object.freeze({ perSecond: 20_000, burst: 20_000 });

/** How to start a {@link SandboxedPlugin}. */
export interface SandboxedPluginOptions {
  /** The extension's id, used in error messages and given to the host module. */
  extensionId: string;
  /** The guest's wasm bytes (an Extism plugin). */
  wasm: Uint8Array;
  /** Absolute path of the host module (see `HostModule` in sandbox-protocol.ts) loaded inside the worker. */
  hostModulePath: string;
  /** Structured-clonable data given to the host module's `createDispatcher` as `init.data`. */
  hostInit?: unknown;
  /** Extism config, readable by the guest with `config_get`. */
  config?: Record<string, string>;
  limits?: Partial<SandboxLimits>;
  /** vdfs_call rate. Pass one SharedTokenBucket to several plugins to give them one shared limit. */
  rateLimit?: TokenBucketLimits | SharedTokenBucket;
  /** Receives events the host module emits. Runs on the main thread: keep it cheap. */
  onEvent?: (event: unknown) => void;
  /** Receives guest log lines (at most `maxLogsPerCall` per call). Without it, guest logs are dropped in the worker. */
  onLog?: (level: string, text: string) => void;
}

/** Options of one call. */
export interface SandboxCallOptions {
  /** Overrides the plugin's time budget for this call. */
  timeoutMs?: number;
}

/** Extism host functions a guest may import. The http_* functions are left out: extensions get no network. */
const ALLOWED_EXTISM_IMPORTS = new Set([
  'alloc', 'free', 'length', 'length_unsafe', 'load_u8', 'load_u64', 'store_u8', 'store_u64',
  'input_offset', 'input_length', 'input_load_u8', 'input_load_u64', 'output_set', 'error_set', 'error_get',
  'config_get', 'var_get', 'var_set', 'log_trace', 'log_debug', 'log_info', 'log_warn', 'log_error', 'get_log_level',
]);

interface LiveWorker {
  worker: Worker;
  ready: Promise<void>;
  /** Rejects `ready` if it has not settled (a no-op afterwards), so no caller waits on a dead worker. */
  failReady: (error: Error) => void;
  exitReason: { code: ErrorCode; message: string } | null;
}

interface PendingCall {
  id: number;
  exportName: string;
  resolve: (output: Uint8Array) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const workerFile = resolveWorkerFile(import.meta.url, './plugin-worker');

/**
 * Runs one Extism extension in a worker thread we own, with limits the guest cannot escape: a per-call time
 * budget (the worker is terminated and a fresh one started lazily for the next call), a cap on linear memory
 * (the module is rewritten before compiling), caps on output, Extism memory and vdfs_call message sizes, and
 * a token-bucket rate limit on vdfs_calls (past it, vdfs_call answers `{error: {code: 'RATE_LIMITED'}}`).
 * Calls on one plugin run one at a time, in order. The main thread only posts messages, so no guest can
 * freeze it.
 *
 * The guest imports `cairn.vdfs_call(u64) -> u64`: it passes the handle of a JSON request
 * `{"method", "payload"}` in Extism memory and gets back the handle of `{"ok": value}` or
 * `{"error": {"code", "message"}}`. Errors are values; malformed requests get `VALIDATION`.
 *
 * Failure modes (all {@link SandboxError}): `start` rejects with VALIDATION for a module that is not wasm,
 * imports memory, declares shared/64-bit memory, or imports anything but Extism's env and vdfs_call, and
 * with INTERNAL when the worker or host module fails to start. `call` rejects with TIMEOUT (budget passed),
 * QUOTA_EXCEEDED (output, input or memory over its limit), NOT_FOUND (no such export), INTERNAL with kind
 * `trap` or `guest_error` (the plugin stays usable), INTERNAL with kind `worker_exit`, or CANCELLED after close.
 *
 * @example
 * const plugin = await SandboxedPlugin.start({ extensionId: 'photos', wasm, hostModulePath: '/abs/host.js', config: { mode: 'fast' } });
 * try {
 *   const out = await plugin.call('run', JSON.stringify({ entry: 42 }), { timeoutMs: 5000 });
 *   console.log(new TextDecoder().decode(out));
 * } finally {
 *   await plugin.close();
 * }
 */
export class SandboxedPlugin {
  readonly extensionId: string;
  readonly limits: Readonly<SandboxLimits>;
  #options: SandboxedPluginOptions;
  #module: CompiledWasm;
  #bucket: SharedTokenBucket;
  #live: LiveWorker | null = null;
  #pending: PendingCall | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #nextId = 1;
  #closed = false;
  #workerStarts = 0;

  private constructor(options: SandboxedPluginOptions, limits: SandboxLimits, module: CompiledWasm, bucket: SharedTokenBucket) {
    this.extensionId = options.extensionId;
    this.#options = options;
    this.limits = Object.freeze(limits);
    this.#module = module;
    this.#bucket = bucket;
  }

  /**
   * Checks and caps the module, compiles it, and starts its worker. Resolves once the guest is instantiated
   * and ready for calls. Rejects with VALIDATION for a refused module, INTERNAL/TIMEOUT for a failed start.
   *
   * @example
   * const plugin = await SandboxedPlugin.start({ extensionId: 'demo', wasm, hostModulePath });
   */
  static async start(options: SandboxedPluginOptions): Promise<SandboxedPlugin> {
    const limits: SandboxLimits = { ...DEFAULT_SANDBOX_LIMITS, ...options.limits };
    const id = options.extensionId;
    for (const [name, value] of Object.entries(limits)) {
      if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
        throw new SandboxError('VALIDATION', 'start', id, `Extension "${id}": limit ${name} must be a positive number, got ${String(value)}`);
      }
    }
    let module: CompiledWasm;
    try {
      module = await wasmApi.compile(capWasmMemory(options.wasm, limits.maxMemoryPages));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new SandboxError('VALIDATION', 'invalid_module', id, `Extension "${id}" was refused at load: ${message.replace(/^Invalid extension module: /, '')}`, { cause: error });
    }
    const refused = wasmApi.Module.imports(module).filter(
      (imp) =>
        imp.kind !== 'function' ||
        !((imp.module === 'extism:host/env' && ALLOWED_EXTISM_IMPORTS.has(imp.name)) || (imp.module === HOST_NAMESPACE && imp.name === VDFS_CALL)),
    );
    if (refused.length > 0) {
      const list = refused.map((imp) => `${imp.module}.${imp.name} (${imp.kind})`).join(', ');
      throw new SandboxError('VALIDATION', 'invalid_module', id, `Extension "${id}" was refused at load: it imports what the host does not provide: ${list}`);
    }
    const bucket = options.rateLimit instanceof SharedTokenBucket ? options.rateLimit : new SharedTokenBucket(options.rateLimit ?? DEFAULT_VDFS_RATE);
    const plugin = new SandboxedPlugin(options, limits, module, bucket);
    try {
      await plugin.#ensureWorker().ready;
    } catch (error) {
      await plugin.close();
      throw error;
    }
    return plugin;
  }

  /** How many workers this plugin has started (1 + restarts after timeouts or worker deaths). */
  get workerStarts(): number {
    return this.#workerStarts;
  }

  /**
   * Calls an exported function with `input` (a string is sent as UTF-8) and resolves with its output bytes
   * (empty when the guest set none). Calls are queued and run one at a time. See the class comment for
   * the errors; after any of them except CANCELLED the plugin keeps working.
   *
   * @example
   * const bytes = await plugin.call('greet', 'Zoë', { timeoutMs: 2000 });
   */
  call(exportName: string, input: Uint8Array | string = new Uint8Array(0), options: SandboxCallOptions = {}): Promise<Uint8Array> {
    const run = (): Promise<Uint8Array> => this.#run(exportName, input, options.timeoutMs ?? this.limits.timeoutMs);
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Stops the worker and fails queued and running calls with CANCELLED. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const live = this.#live;
    this.#live = null;
    const closed = this.#error('CANCELLED', 'closed', 'the plugin was closed');
    this.#failPending(closed);
    if (live) {
      live.failReady(closed);
      await live.worker.terminate();
    }
  }

  #error(code: ErrorCode, kind: SandboxFailureKind, detail: string, cause?: unknown): SandboxError {
    return new SandboxError(code, kind, this.extensionId, `Extension "${this.extensionId}": ${detail}`, cause === undefined ? undefined : { cause });
  }

  async #run(exportName: string, input: Uint8Array | string, timeoutMs: number): Promise<Uint8Array> {
    if (this.#closed) throw this.#error('CANCELLED', 'closed', 'the plugin was closed');
    // Always send a private copy: the buffer is transferred to the worker, and the caller keeps theirs.
    const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input.slice();
    if (bytes.byteLength > this.limits.maxInputBytes) {
      throw this.#error('QUOTA_EXCEEDED', 'quota', `input of ${bytes.byteLength} bytes is over the ${this.limits.maxInputBytes}-byte limit`);
    }
    const live = this.#ensureWorker();
    await live.ready;
    if (this.#closed) throw this.#error('CANCELLED', 'closed', 'the plugin was closed');
    if (this.#live !== live) throw this.#error('INTERNAL', 'worker_exit', `the worker stopped before ${exportName}() began`);
    return new Promise<Uint8Array>((resolve, reject) => {
      const id = this.#nextId++;
      const timer = setTimeout(() => {
        this.#pending = null;
        this.#recycle(live);
        reject(this.#error('TIMEOUT', 'timeout', `${exportName}() ran past its ${timeoutMs} ms time budget; its worker was stopped`));
      }, timeoutMs);
      this.#pending = { id, exportName, resolve, reject, timer };
      const message: MainToWorker = { type: 'call', id, exportName, input: bytes };
      live.worker.postMessage(message, [bytes.buffer as ArrayBuffer]);
    });
  }

  #ensureWorker(): LiveWorker {
    if (this.#live) return this.#live;
    const options = this.#options;
    const workerData: WorkerStartData = {
      extensionId: this.extensionId,
      module: this.#module,
      config: { ...options.config },
      hostModulePath: options.hostModulePath,
      hostInit: options.hostInit ?? null,
      limits: {
        maxOutputBytes: this.limits.maxOutputBytes,
        maxMessageBytes: this.limits.maxMessageBytes,
        maxHostMemoryBytes: this.limits.maxHostMemoryBytes,
        maxVarBytes: this.limits.maxVarBytes,
        maxLogsPerCall: this.limits.maxLogsPerCall,
      },
      rateBuffer: this.#bucket.buffer,
      rateLimits: this.#bucket.limits,
      forwardLogs: options.onLog !== undefined,
    };
    const worker = spawnWorker(workerFile, {
      workerData,
      name: `cairn-ext:${this.extensionId}`,
      resourceLimits: { maxOldGenerationSizeMb: this.limits.maxHeapMb },
      // @extism/extism imports node:wasi at load, which warns on every worker start; WASI stays disabled.
      execArgv: ['--disable-warning=ExperimentalWarning'],
    });
    this.#workerStarts++;
    let settleReady: { resolve: () => void; reject: (e: Error) => void } | undefined;
    const ready = new Promise<void>((resolve, reject) => (settleReady = { resolve, reject }));
    ready.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
    const live: LiveWorker = { worker, ready, failReady: (error) => settleReady?.reject(error), exitReason: null };
    const startTimer = setTimeout(() => {
      live.failReady(this.#error('TIMEOUT', 'start', `the worker did not start within ${this.limits.startTimeoutMs} ms`));
      this.#recycle(live);
    }, this.limits.startTimeoutMs);

    worker.on('message', (message: WorkerToMain) => {
      if (this.#live !== live) return; // a late message from a worker we already replaced
      switch (message.type) {
        case 'ready':
          clearTimeout(startTimer);
          worker.unref(); // an idle plugin does not keep the process alive; a pending call's timer does
          settleReady?.resolve();
          break;
        case 'startError':
          clearTimeout(startTimer);
          live.failReady(this.#error(message.error.code === 'VALIDATION' ? 'VALIDATION' : 'INTERNAL', 'start', `failed to start: ${message.error.message}`));
          this.#recycle(live);
          break;
        case 'result':
        case 'failure':
          this.#settle(message);
          break;
        case 'event':
          this.#options.onEvent?.(message.event);
          break;
        case 'log':
          this.#options.onLog?.(message.level, message.text);
          break;
      }
    });
    worker.on('error', (error: Error & { code?: string }) => {
      live.exitReason =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? { code: 'QUOTA_EXCEEDED', message: `its worker ran out of heap (limit ${this.limits.maxHeapMb} MB)` }
          : { code: 'INTERNAL', message: `its worker crashed: ${error.message}` };
    });
    worker.on('exit', (exitCode) => {
      clearTimeout(startTimer);
      if (this.#live !== live) return; // terminated on purpose
      this.#live = null;
      const reason = live.exitReason ?? { code: 'INTERNAL' as const, message: `its worker exited with code ${exitCode}` };
      live.failReady(this.#error(reason.code, 'start', `failed to start: ${reason.message}`));
      this.#failPending(this.#error(reason.code, 'worker_exit', reason.message));
    });
    this.#live = live;
    return live;
  }

  #settle(message: Extract<WorkerToMain, { type: 'result' | 'failure' }>): void {
    const pending = this.#pending;
    if (!pending || pending.id !== message.id) return;
    this.#pending = null;
    clearTimeout(pending.timer);
    if (message.type === 'result') {
      pending.resolve(message.output ?? new Uint8Array(0));
      return;
    }
    pending.reject(this.#callError(pending.exportName, message.kind, message.error));
  }

  #callError(exportName: string, kind: SandboxFailureKind, error: WireError): SandboxError {
    switch (kind) {
      case 'trap':
        return this.#error(error.code, kind, `${exportName}() trapped: ${error.message}`);
      case 'guest_error':
        return this.#error(error.code, kind, `${exportName}() reported an error: ${error.message}`);
      case 'quota':
        return this.#error(error.code, kind, `${exportName}() went over a limit: ${error.message}`);
      default:
        return this.#error(error.code, kind, `${exportName}(): ${error.message}`);
    }
  }

  #failPending(error: SandboxError): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = null;
    clearTimeout(pending.timer);
    pending.reject(error);
  }

  /** Drops a worker; the next call starts a fresh one. Termination is not awaited: the old thread dies on its own. */
  #recycle(live: LiveWorker): void {
    if (this.#live === live) this.#live = null;
    live.failReady(this.#error('INTERNAL', 'worker_exit', 'the worker was stopped before it was ready'));
    void live.worker.terminate();
  }
}
