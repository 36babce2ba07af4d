import { parentPort, workerData } from 'node:worker_threads';
import { toWireError, type WireError } from '../../../src-shared/errors.js';
import type { DiscoveryBatch, DiscoveryOptions } from './discovery.js';
import { discoverSync } from './discovery-sync.js';

/** Start parameters of the discovery worker. */
export interface DiscoveryWorkerData {
  root: string;
  options: Omit<DiscoveryOptions, 'fs'>;
  /** Batches the worker may post ahead of the consumer. */
  window: number;
}

/** Worker → main messages. Main answers each `batch` with `'ack'`. */
export type DiscoveryWorkerMessage = { type: 'batch'; batch: DiscoveryBatch } | { type: 'done' } | { type: 'error'; error: WireError };

// Entry point of the thread started by discoverInWorker: walks synchronously (fast, and blocking only
// this thread) and posts batches, never more than `window` ahead of the consumer.
if (parentPort) {
  const port = parentPort;
  const data = workerData as DiscoveryWorkerData;
  let credits = Math.max(1, data.window);
  let wake: (() => void) | undefined;
  port.on('message', (message: unknown) => {
    if (message === 'ack') {
      credits += 1;
      wake?.();
    }
  });
  const run = async (): Promise<void> => {
    try {
      for (const batch of discoverSync(data.root, data.options)) {
        while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
        credits -= 1;
        port.postMessage({ type: 'batch', batch } satisfies DiscoveryWorkerMessage);
      }
      port.postMessage({ type: 'done' } satisfies DiscoveryWorkerMessage);
    } catch (error) {
      port.postMessage({ type: 'error', error: toWireError(error) } satisfies DiscoveryWorkerMessage);
    }
    // No port.close() here: the thread would exit, and its exit could overtake the last message.
    // The consumer terminates the worker once it has read `done` or `error`.
  };
  void run();
}
