import { parentPort } from 'node:worker_threads';
import { toWireError } from '../../../src-shared/errors.js';
import { hashFile, type ContentIdentity } from './content-identity.js';
import { detectFileKind, MAGIC_BYTES_NEEDED, type FileKind } from './file-kind.js';
import type { HashWorkerRequest, HashWorkerResponse } from './hash-worker.js';

/** What the identify worker returns per file (the `value` of a successful result). */
export interface IdentifiedFile {
  contentHash: string;
  contentId: string;
  size: number;
  sampled: boolean;
  kind: FileKind;
  mime: string;
}

// A drop-in worker for HashPool (`workerFile`): the same request and response shapes as hash-worker,
// but each value also carries the file kind and MIME type from its magic bytes. The leading bytes come
// from the hash's own first read, so sniffing costs no extra I/O. Paths arrive as strings or raw bytes;
// the name used for the extension fallback is the last path component.
parentPort?.on('message', (request: HashWorkerRequest) => {
  const concurrency = Math.max(1, request.concurrency ?? 32);
  const paths = request.paths.map((p) => (typeof p === 'string' ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
  const results: HashWorkerResponse['results'] = new Array(paths.length);
  let next = 0;
  const runner = async (): Promise<void> => {
    while (next < paths.length) {
      const i = next++;
      const p = paths[i]!;
      try {
        const id = await hashFile(p, { headBytes: MAGIC_BYTES_NEEDED });
        const text = typeof p === 'string' ? p : p.toString('utf8');
        const name = text.slice(text.lastIndexOf('/') + 1);
        const { kind, mime } = detectFileKind(name, id.head);
        const value: IdentifiedFile = { contentHash: id.contentHash, contentId: id.contentId, size: id.size, sampled: id.sampled, kind, mime };
        results[i] = { ok: true, value: value as unknown as ContentIdentity } as HashWorkerResponse['results'][number];
      } catch (error) {
        const wire = toWireError(error);
        results[i] = { ok: false, error: wire } as HashWorkerResponse['results'][number];
      }
    }
  };
  void Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, runner)).then(() => {
    const response: HashWorkerResponse = { id: request.id, results };
    parentPort!.postMessage(response);
  });
});
