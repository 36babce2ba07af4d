import type { ResourceLimits } from 'node:worker_threads';
import { CairnError, isErrorCode } from '../../../src-shared/errors.js';
import { spawnWorker } from '../workers/spawn-worker.js';
import type { WorkerMessage } from './serve-worker-task.js';

/** Options for {@link runInWorker}. */
export interface RunInWorkerOptions {
  /** Aborting terminates the worker at once (even mid-computation) and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Terminates the worker and rejects with `TIMEOUT` after this long. */
  timeoutMs?: number;
  /** Called with what the worker reports through `report(...)` (see `serveWorkerTask`). */
  onProgress?: (value: unknown) => void;
  resourceLimits?: ResourceLimits;
}

/**
 * Runs a CPU-heavy function in a fresh worker thread and resolves with its result, so the main thread stays
 * responsive. `file` is a module (`.ts` in development, `.js` when built; see `resolveWorkerFile`) that calls
 * `serveWorkerTask(fn)`; `data` reaches `fn` through structured clone.
 *
 * Fails with the worker's error (its Cairn code kept, else `INTERNAL`), with `INTERNAL` when the worker
 * exits without answering, with `TIMEOUT`, or with the abort reason. The worker never outlives the promise.
 *
 * @example
 * const file = resolveWorkerFile(import.meta.url, './hash-worker');
 * const digest = await runInWorker<string>(file, { path }, { signal: task.signal });
 */
export function runInWorker<T>(file: string, data: unknown, options: RunInWorkerOptions = {}): Promise<T> {
  const { signal, timeoutMs, onProgress, resourceLimits } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const worker = spawnWorker(file, { workerData: data, ...(resourceLimits ? { resourceLimits } : {}) });
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
      // Terminate in every case: a worker that answered may still hold handles open.
      void worker.terminate().catch(() => undefined);
    };
    const onAbort = () => finish(() => reject(signal?.reason ?? new CairnError('CANCELLED', 'Worker cancelled')));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined && timeoutMs > 0) {
      timer = setTimeout(
        () => finish(() => reject(new CairnError('TIMEOUT', `Worker ${file} did not finish within ${timeoutMs} ms`))),
        timeoutMs,
      );
    }
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') {
        if (!settled) onProgress?.(message.value);
      } else if (message.type === 'result') {
        finish(() => resolve(message.value as T));
      } else if (message.type === 'error') {
        const code = isErrorCode(message.code) ? message.code : 'INTERNAL';
        finish(() => reject(new CairnError(code, message.message)));
      }
    });
    worker.on('error', (error) => finish(() => reject(new CairnError('INTERNAL', `Worker ${file} crashed: ${error.message}`, { cause: error }))));
    worker.on('exit', (code) =>
      finish(() => reject(new CairnError('INTERNAL', `Worker ${file} exited with code ${code} before it answered`))),
    );
  });
}
