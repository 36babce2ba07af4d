import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Resolves a worker module that sits beside the caller, whether the caller runs from TypeScript
 * sources (tests, `tsx`) or from the compiled `out/node` tree.
 *
 * @example
 * const file = resolveWorkerFile(import.meta.url, './hash-worker'); // .../hash-worker.ts or .js
 */
export function resolveWorkerFile(callerUrl: string, relative: string): string {
  for (const ext of ['.js', '.ts']) {
    const candidate = fileURLToPath(new URL(`${relative}${ext}`, callerUrl));
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`Worker module ${relative} not found beside ${callerUrl}`);
}

/**
 * Starts a worker thread from a `.js` or `.ts` file. TypeScript workers are loaded through tsx,
 * which is only present in development; built code always runs the `.js` file.
 *
 * @example
 * const worker = spawnWorker(resolveWorkerFile(import.meta.url, './hash-worker'), { workerData: { n: 1 } });
 */
export function spawnWorker(file: string, options: WorkerOptions = {}): Worker {
  if (file.endsWith('.ts')) {
    // `--import tsx` in execArgv does not reach a worker's loader on Node 20, so boot through tsx's API.
    const boot = `import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(pathToFileURL(file).href)}, ${JSON.stringify(import.meta.url)}))`;
    return new Worker(boot, { ...options, eval: true });
  }
  return new Worker(file, options);
}
