// Test support: a stand-in for hash-worker.ts that dies on its first request, so HashPool's recovery
// path can be exercised with a real worker thread.
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', () => {
  process.exit(3);
});
