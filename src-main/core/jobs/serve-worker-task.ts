import { parentPort, workerData } from 'node:worker_threads';

/** Messages a worker started by `runInWorker` sends to its parent. */
export type WorkerMessage =
  | { type: 'result'; value: unknown }
  | { type: 'error'; code: string; message: string }
  | { type: 'progress'; value: unknown };

/**
 * The worker side of `runInWorker`: call it once at the top level of a worker module. It runs `fn` with the
 * `data` given to `runInWorker` and posts the result (or the error's `{ code, message }`) back. `report(value)`
 * sends progress to the parent's `onProgress`. Results must survive structured clone.
 *
 * Does nothing when the module is not running in a worker thread (so importing it elsewhere is harmless).
 *
 * @example
 * // sum-worker.ts
 * serveWorkerTask<{ n: number }, number>(({ n }, report) => { let s = 0; for (let i = 0; i < n; i++) s += i; report(n); return s; });
 */
export function serveWorkerTask<D, R>(fn: (data: D, report: (value: unknown) => void) => R | Promise<R>): void {
  const port = parentPort;
  if (!port) return;
  const post = (m: WorkerMessage) => port.postMessage(m);
  Promise.resolve()
    .then(() => fn(workerData as D, (value) => post({ type: 'progress', value })))
    .then(
      (value) => post({ type: 'result', value }),
      (error: unknown) => {
        const e = error as { code?: unknown; message?: unknown };
        post({
          type: 'error',
          code: typeof e?.code === 'string' ? e.code : 'INTERNAL',
          message: typeof e?.message === 'string' ? e.message : String(error),
        });
      },
    );
}
