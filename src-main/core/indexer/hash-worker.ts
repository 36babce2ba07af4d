import { parentPort } from 'node:worker_threads';
import { hashFiles, type HashFileResult } from './content-identity.js';

/** A request sent to the hash worker: hash `paths` and answer with the same `id`. */
export interface HashWorkerRequest {
  id: number;
  /** Paths as strings, or as raw bytes for names that are not valid UTF-8. */
  paths: (string | Uint8Array)[];
  concurrency?: number;
}

/** The worker's answer: one result per path, in order. Paths are echoed back only by index. */
export interface HashWorkerResponse {
  id: number;
  results: Omit<HashFileResult, 'path'>[];
}

// Entry point of the worker thread started by HashPool. Each request is answered even when every file
// fails: hashFiles turns per-file failures into error values, so only a bug could make it reject.
parentPort?.on('message', (request: HashWorkerRequest) => {
  // Structured clone turns a Buffer into a plain Uint8Array; fs wants a Buffer for byte paths.
  const paths = request.paths.map((p) => (typeof p === 'string' ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
  const options = request.concurrency === undefined ? {} : { concurrency: request.concurrency };
  hashFiles(paths, options).then(
    (results) => {
      const response: HashWorkerResponse = { id: request.id, results: results.map(({ path: _path, ...rest }) => rest) };
      parentPort!.postMessage(response);
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      const response: HashWorkerResponse = {
        id: request.id,
        results: paths.map(() => ({ ok: false as const, error: { code: 'INTERNAL' as const, message } })),
      };
      parentPort!.postMessage(response);
    },
  );
});
