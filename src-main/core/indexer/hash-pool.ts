import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { CairnError } from '../../../src-shared/errors.js';
import { resolveWorkerFile, spawnWorker } from '../workers/spawn-worker.js';
import type { HashFileResult } from './content-identity.js';
import type { HashWorkerRequest, HashWorkerResponse } from './hash-worker.js';

/** Options for {@link HashPool}. */
export interface HashPoolOptions {
  /** Worker threads. Default: available parallelism − 1, at least 1, at most 4. */
  size?: number;
  /** Files each worker hashes at once (async reads). Default 32. */
  concurrencyPerWorker?: number;
  /** Paths sent to a worker per message. Default 256. */
  chunkSize?: number;
  /** Worker module to run instead of `hash-worker` (tests use it to inject a failing worker). */
  workerFile?: string;
}

interface Job {
  paths: (string | Buffer)[];
  resolve: (results: Omit<HashFileResult, 'path'>[]) => void;
  reject: (error: CairnError) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  jobId: number;
}

/**
 * A small pool of worker threads running `hash-worker.ts`, so content hashing stays off the main thread.
 * Work is split into chunks and spread over idle workers; results come back in input order.
 * A file that cannot be hashed yields an error value at its index. If a worker dies, the files of its
 * current chunk get `INTERNAL` errors and a fresh worker replaces it. Idle workers do not keep the
 * process alive, but call {@link HashPool.close} when done. `hash` after `close` rejects with `CANCELLED`.
 *
 * @example
 * const pool = new HashPool({ size: 2 });
 * const results = await pool.hash(['/photos/a.jpg', '/photos/b.jpg']);
 * await pool.close();
 */
export class HashPool {
  readonly #size: number;
  readonly #concurrency: number;
  readonly #chunkSize: number;
  readonly #workerFile: string;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: HashPoolOptions = {}) {
    this.#size = Math.max(1, Math.floor(options.size ?? Math.min(4, Math.max(1, os.availableParallelism() - 1))));
    this.#concurrency = Math.max(1, Math.floor(options.concurrencyPerWorker ?? 32));
    this.#chunkSize = Math.max(1, Math.floor(options.chunkSize ?? 256));
    this.#workerFile = options.workerFile ?? resolveWorkerFile(import.meta.url, './hash-worker');
  }

  /** Number of worker threads currently started. */
  get workerCount(): number {
    return this.#slots.length;
  }

  /**
   * Hashes `paths` on the workers. Resolves with one result per path, in order; never rejects for a file.
   * Rejects with `CANCELLED` if the pool is closed before or while the work runs.
   *
   * @example
   * const [first] = await pool.hash(['/a.txt']);
   * if (first.ok) console.log(first.value.contentId);
   */
  async hash(paths: readonly (string | Buffer)[]): Promise<HashFileResult[]> {
    if (this.#closed) throw new CairnError('CANCELLED', 'Hash pool is closed');
    const chunks: Promise<Omit<HashFileResult, 'path'>[]>[] = [];
    for (let i = 0; i < paths.length; i += this.#chunkSize) {
      const chunk = paths.slice(i, i + this.#chunkSize);
      chunks.push(new Promise((resolve, reject) => this.#queue.push({ paths: chunk, resolve, reject })));
    }
    this.#pump();
    const parts = await Promise.all(chunks);
    const flat = parts.flat();
    return flat.map((r, i) => ({ ...r, path: paths[i]! }) as HashFileResult);
  }

  /** Stops every worker. Pending work resolves as `CANCELLED`. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const cancelled = new CairnError('CANCELLED', 'Hash pool was closed');
    for (const job of this.#queue.splice(0)) job.reject(cancelled);
    const slots = this.#slots.splice(0);
    for (const slot of slots) {
      slot.job?.reject(cancelled);
      slot.job = undefined;
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => s.job === undefined);
      if (!slot && this.#slots.length < this.#size) slot = this.#start();
      if (!slot) return;
      const job = this.#queue.shift()!;
      slot.job = job;
      slot.jobId = this.#nextId++;
      slot.worker.ref();
      const request: HashWorkerRequest = { id: slot.jobId, paths: job.paths, concurrency: this.#concurrency };
      slot.worker.postMessage(request);
    }
  }

  #start(): Slot {
    const worker = spawnWorker(this.#workerFile);
    const slot: Slot = { worker, job: undefined, jobId: 0 };
    worker.on('message', (response: HashWorkerResponse) => {
      if (slot.job === undefined || response.id !== slot.jobId) return;
      const job = slot.job;
      slot.job = undefined;
      worker.unref();
      job.resolve(response.results);
      this.#pump();
    });
    const fail = (reason: string): void => {
      const index = this.#slots.indexOf(slot);
      if (index < 0) return; // already replaced or closed
      this.#slots.splice(index, 1);
      const job = slot.job;
      slot.job = undefined;
      void worker.terminate();
      job?.resolve(job.paths.map(() => ({ ok: false as const, error: { code: 'INTERNAL' as const, message: reason } })));
      if (!this.#closed) this.#pump();
    };
    worker.on('error', (error) => fail(`Hash worker failed: ${error.message}`));
    worker.on('exit', (code) => fail(`Hash worker exited with code ${code}`));
    this.#slots.push(slot);
    return slot;
  }
}
