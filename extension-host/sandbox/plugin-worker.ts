// The worker thread that runs one extension. It owns an Extism plugin in same-thread mode (fast guest→host
// calls, see STACK.md) and answers the guest's single host function, `cairn.vdfs_call`, with the dispatcher
// built by the host module. The main thread enforces the time budget by terminating this worker, so nothing
// here needs to be interruptible.
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import createPlugin, { type CallContext, type Plugin } from '@extism/extism';
import { isErrorCode, toWireError, type ErrorCode, type WireError } from '../../src-shared/errors.js';
import { HOST_NAMESPACE, VDFS_CALL, type DispatchResult, type HostDispatcher, type HostModule, type MainToWorker, type WorkerFailureKind, type WorkerStartData, type WorkerToMain } from './sandbox-protocol.js';
import { SharedTokenBucket } from './shared-token-bucket.js';

const data = workerData as WorkerStartData;
const port = parentPort!;
const post = (message: WorkerToMain, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const bucket = SharedTokenBucket.attach(data.rateBuffer, data.rateLimits);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const utf8 = new TextEncoder();

/** Per-call bookkeeping: Extism memory handed out, whether a quota tripped, and log lines forwarded. */
const ledger = { handles: [] as bigint[], bytes: 0, quotaMessage: null as string | null, logs: 0 };

function resetLedger(): void {
  ledger.handles.length = 0;
  ledger.bytes = 0;
  ledger.quotaMessage = null;
  ledger.logs = 0;
}

/**
 * Charges `size` bytes of Extism memory to the current call. The running total only counts up; when it would
 * pass the cap we recount the blocks still live (freed blocks report length 0), so alloc/free loops are fine.
 */
function charge(ctx: CallContext, size: number): boolean {
  const cap = data.limits.maxHostMemoryBytes;
  if (ledger.bytes + size > cap) {
    let live = 0;
    const kept: bigint[] = [];
    for (const handle of ledger.handles) {
      const length = Number(ctx.length(handle));
      if (length > 0) {
        live += length;
        kept.push(handle);
      }
    }
    ledger.handles = kept;
    ledger.bytes = live;
  }
  if (ledger.bytes + size > cap) return false;
  ledger.bytes += size;
  return true;
}

function guestAlloc(ctx: CallContext, requested: bigint): bigint {
  const size = Number(BigInt.asUintN(64, requested));
  if (!charge(ctx, size)) {
    ledger.quotaMessage = `alloc of ${size} bytes would pass the ${data.limits.maxHostMemoryBytes}-byte limit on Extism memory per call`;
    throw new Error(ledger.quotaMessage);
  }
  const handle = ctx.alloc(size);
  ledger.handles.push(handle);
  return handle;
}

function err(code: ErrorCode, message: string): DispatchResult {
  return { error: { code, message } };
}

/** Normalises whatever the dispatcher returned into exactly `{ok}` or `{error: {code, message}}`. */
function normalise(result: unknown): DispatchResult {
  if (typeof result === 'object' && result !== null) {
    if ('error' in result) {
      const e = (result as { error: unknown }).error as Partial<WireError> | null;
      const code = isErrorCode(e?.code) ? e.code : 'INTERNAL';
      return err(code, typeof e?.message === 'string' ? e.message : 'Host error');
    }
    if ('ok' in result) return { ok: (result as { ok: unknown }).ok ?? null };
    if (typeof (result as { then?: unknown }).then === 'function') {
      return err('INTERNAL', 'The host dispatcher returned a promise; dispatchers must be synchronous');
    }
  }
  return err('INTERNAL', 'The host dispatcher returned neither {ok} nor {error}');
}

function answer(ctx: CallContext, dispatch: HostDispatcher, handle: bigint): DispatchResult {
  if (!bucket.tryTake()) {
    return err('RATE_LIMITED', `vdfs_call rate limit reached (${data.rateLimits.perSecond}/s, burst ${data.rateLimits.burst})`);
  }
  const block = ctx.read(handle);
  if (block === null) return err('VALIDATION', 'vdfs_call: the request handle does not point to Extism memory');
  const requestBytes = block.bytes();
  if (requestBytes.byteLength > data.limits.maxMessageBytes) {
    return err('QUOTA_EXCEEDED', `vdfs_call: request of ${requestBytes.byteLength} bytes is over the ${data.limits.maxMessageBytes}-byte limit`);
  }
  let request: unknown;
  try {
    request = JSON.parse(strictUtf8.decode(requestBytes));
  } catch (error) {
    return err('VALIDATION', `vdfs_call: the request is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request) || typeof (request as { method?: unknown }).method !== 'string') {
    return err('VALIDATION', 'vdfs_call: the request must be a JSON object {"method": string, "payload": any}');
  }
  const { method, payload } = request as { method: string; payload?: unknown };
  try {
    return normalise(dispatch(method, payload ?? null));
  } catch (error) {
    return { error: toWireError(error) };
  }
}

function respond(ctx: CallContext, result: DispatchResult): bigint {
  let json: string;
  try {
    json = JSON.stringify(result);
  } catch (error) {
    json = JSON.stringify(err('INTERNAL', `vdfs_call: the host result is not JSON-serialisable (${(error as Error).message})`));
  }
  // TextEncoder gives a whole, unshared ArrayBuffer, which Extism adopts as the block without copying
  // (Buffer.from would hand back a slice of its pool, which Extism has to copy).
  let bytes = utf8.encode(json);
  if (bytes.length > data.limits.maxMessageBytes) {
    bytes = utf8.encode(JSON.stringify(err('QUOTA_EXCEEDED', `vdfs_call: response of ${bytes.length} bytes is over the ${data.limits.maxMessageBytes}-byte limit`)));
  }
  if (!charge(ctx, bytes.length)) {
    bytes = utf8.encode(JSON.stringify(err('QUOTA_EXCEEDED', 'vdfs_call: the per-call Extism memory limit is reached; free earlier responses')));
    ledger.bytes += bytes.length; // tiny, and the guest must get an answer
  }
  const handle = ctx.store(bytes);
  ledger.handles.push(handle);
  return handle;
}

async function loadHostModule(file: string): Promise<HostModule> {
  const url = pathToFileURL(file).href;
  // Development and tests run TypeScript host modules; built code always passes a .js file.
  const loaded = (file.endsWith('.ts') ? await (await import('tsx/esm/api')).tsImport(url, import.meta.url) : await import(url)) as Partial<HostModule>;
  if (typeof loaded.createDispatcher !== 'function') {
    throw new Error(`Host module ${file} does not export createDispatcher(init)`);
  }
  return loaded as HostModule;
}

function makeLogger(): Console {
  const forward = (level: 'trace' | 'debug' | 'info' | 'warn' | 'error') => (text: unknown) => {
    if (!data.forwardLogs || ledger.logs >= data.limits.maxLogsPerCall) return;
    ledger.logs++;
    post({ type: 'log', level, text: String(text).slice(0, 4096) });
  };
  return { trace: forward('trace'), debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') } as unknown as Console;
}

function classify(error: unknown): { kind: WorkerFailureKind; error: WireError } {
  const message = error instanceof Error ? error.message : String(error);
  if (ledger.quotaMessage !== null) return { kind: 'quota', error: { code: 'QUOTA_EXCEEDED', message: ledger.quotaMessage } };
  const guestPrefix = 'Plugin-originated error: ';
  if (message.startsWith(guestPrefix)) return { kind: 'guest_error', error: { code: 'INTERNAL', message: message.slice(guestPrefix.length) } };
  return { kind: 'trap', error: { code: 'INTERNAL', message } };
}

async function runCall(plugin: Plugin, message: MainToWorker): Promise<void> {
  resetLedger();
  const { id, exportName, input } = message;
  try {
    if (!(await plugin.functionExists(exportName))) {
      post({ type: 'failure', id, kind: 'missing_export', error: { code: 'NOT_FOUND', message: `the module has no exported function "${exportName}"` } });
      return;
    }
    const output = await plugin.call(exportName, input);
    // A guest with exception handling could catch our quota error and carry on; the call still fails.
    if (ledger.quotaMessage !== null) throw new Error(ledger.quotaMessage);
    const outputBytes = output?.bytes() ?? null;
    if (outputBytes !== null && outputBytes.byteLength > data.limits.maxOutputBytes) {
      post({ type: 'failure', id, kind: 'quota', error: { code: 'QUOTA_EXCEEDED', message: `output of ${outputBytes.byteLength} bytes is over the ${data.limits.maxOutputBytes}-byte limit` } });
      return;
    }
    const copy = outputBytes === null ? null : outputBytes.slice();
    post({ type: 'result', id, output: copy }, copy ? [copy.buffer as ArrayBuffer] : []);
  } catch (error) {
    post({ type: 'failure', id, ...classify(error) });
  }
}

async function main(): Promise<void> {
  let plugin: Plugin;
  try {
    const host = await loadHostModule(data.hostModulePath);
    const dispatch = await host.createDispatcher({
      extensionId: data.extensionId,
      data: data.hostInit,
      emit: (event) => post({ type: 'event', event }),
    });
    if (typeof dispatch !== 'function') throw new Error('createDispatcher did not return a function');
    plugin = await createPlugin(
      { wasm: [{ module: data.module }] },
      {
        runInWorker: false,
        useWasi: false,
        config: data.config,
        logger: makeLogger(),
        logLevel: data.forwardLogs ? 'info' : 'silent',
        memory: { maxVarBytes: data.limits.maxVarBytes },
        functions: {
          // Replacing `alloc` is how guest allocations get counted: Extism checks its own limit only after
          // allocating, and the block stays allocated even when the check fails.
          'extism:host/env': { alloc: guestAlloc },
          [HOST_NAMESPACE]: { [VDFS_CALL]: (ctx: CallContext, handle: bigint) => respond(ctx, answer(ctx, dispatch, handle)) },
        },
      },
    );
  } catch (error) {
    post({ type: 'startError', error: toWireError(error) });
    return;
  }
  // Calls arrive one at a time (the main thread serialises them), but chain anyway so they can never overlap.
  let queue = Promise.resolve();
  port.on('message', (message: MainToWorker) => {
    if (message.type === 'call') queue = queue.then(() => runCall(plugin, message));
  });
  post({ type: 'ready' });
}

void main();
