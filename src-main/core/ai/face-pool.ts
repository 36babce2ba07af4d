import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { CairnError } from '../../../src-shared/errors.js';
import { resolveWorkerFile, spawnWorker } from '../workers/spawn-worker.js';
import { DEFAULT_FACE_OPTIONS, type FaceDetectOptions, type FaceItemResult, type FaceWorkerMessage, type FaceWorkerRequest } from './face-protocol.js';

/** Options for {@link FacePool}. */
export interface FacePoolOptions {
  /** Worker threads, each holding its own copy of the models (~9 MB + WASM heap). Default: cores − 1, 1–2. */
  size?: number;
  /** An image that takes longer fails with `TIMEOUT` and its worker is replaced. Default 180 s (includes model loading). */
  itemTimeoutMs?: number;
  /** Worker module to run instead of `face-worker` (tests). */
  workerFile?: string;
}

interface Item {
  request: Omit<FaceWorkerRequest, 'id'>;
  resolve: (result: FaceItemResult) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  item: Item | undefined;
  itemId: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Face detection and embedding on a pool of worker threads (`face-worker.ts`: Human on tfjs WASM), so
 * the main thread never decodes an image or runs a model. One image per worker at a time; images queue.
 *
 * Every image yields a {@link FaceItemResult}: faces, or an error value (`NOT_FOUND` missing file,
 * `NOT_SUPPORTED` undecodable, `VALIDATION` over the pixel limit, `TIMEOUT`, `INTERNAL` when the worker
 * crashed or the models failed to load). A crashed or timed-out worker is replaced; the others go on.
 * `detect` after `close` rejects with `CANCELLED`. Workers start lazily on the first image.
 *
 * @example
 * const pool = new FacePool({ size: 1 });
 * const r = await pool.detect('/photos/portrait.jpg');
 * if (r.ok) console.log(r.faces.map((f) => f.box));
 * await pool.close();
 */
export class FacePool {
  readonly #size: number;
  readonly #timeoutMs: number;
  readonly #workerFile: string;
  readonly #slots: Slot[] = [];
  readonly #queue: Item[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: FacePoolOptions = {}) {
    this.#size = Math.max(1, Math.floor(options.size ?? Math.min(2, Math.max(1, os.availableParallelism() - 1))));
    this.#timeoutMs = options.itemTimeoutMs ?? 180_000;
    this.#workerFile = options.workerFile ?? resolveWorkerFile(import.meta.url, './face-worker');
  }

  get size(): number {
    return this.#size;
  }

  /** Detects faces in one image (a file path or its bytes). Never rejects for the image itself. */
  detect(input: string | Uint8Array, options: Partial<FaceDetectOptions> = {}): Promise<FaceItemResult> {
    if (this.#closed) return Promise.reject(new CairnError('CANCELLED', 'The face pool is closed.'));
    return new Promise((resolve) => {
      this.#queue.push({ request: { input, options: { ...DEFAULT_FACE_OPTIONS, ...options } }, resolve });
      this.#pump();
    });
  }

  /** Detects faces in many images; results in input order, one per image. */
  detectMany(inputs: readonly (string | Uint8Array)[], options: Partial<FaceDetectOptions> = {}): Promise<FaceItemResult[]> {
    return Promise.all(inputs.map((input) => this.detect(input, options)));
  }

  /** Starts every worker and waits until each has loaded its models (benchmarks call it to time loading apart). */
  async warm(): Promise<void> {
    while (this.#slots.length < this.#size) this.#start();
    await Promise.all(
      this.#slots.map(
        (slot) =>
          new Promise<void>((resolve) => {
            if (slot.ready) return resolve();
            const onMessage = (m: FaceWorkerMessage) => {
              if (m.type === 'ready' || m.type === 'fatal') {
                slot.worker.off('message', onMessage);
                resolve();
              }
            };
            slot.worker.on('message', onMessage);
            slot.worker.once('exit', () => resolve());
          }),
      ),
    );
  }

  /** Stops every worker. Queued and running images resolve as `CANCELLED` errors. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const cancelled: FaceItemResult = { ok: false, error: { code: 'CANCELLED', message: 'The face pool was closed.' } };
    for (const item of this.#queue.splice(0)) item.resolve(cancelled);
    const slots = this.#slots.splice(0);
    for (const slot of slots) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.item?.resolve(cancelled);
      slot.item = undefined;
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #pump(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      let slot = this.#slots.find((s) => s.item === undefined);
      if (!slot && this.#slots.length < this.#size) slot = this.#start();
      if (!slot) return;
      const item = this.#queue.shift()!;
      slot.item = item;
      slot.itemId = this.#nextId++;
      slot.worker.ref();
      const target = slot;
      slot.timer = setTimeout(() => this.#fail(target, { code: 'TIMEOUT', message: `Face detection took longer than ${this.#timeoutMs} ms.` }), this.#timeoutMs);
      slot.worker.postMessage({ id: slot.itemId, ...item.request } satisfies FaceWorkerRequest);
    }
  }

  #start(): Slot {
    const worker = spawnWorker(this.#workerFile);
    const slot: Slot = { worker, ready: false, item: undefined, itemId: 0, timer: undefined };
    worker.unref();
    worker.on('message', (message: FaceWorkerMessage) => {
      if (message.type === 'ready') {
        slot.ready = true;
        return;
      }
      if (message.type === 'fatal') {
        this.#fail(slot, { code: 'INTERNAL', message: `The face models failed to load: ${message.message}` });
        return;
      }
      if (slot.item === undefined || message.id !== slot.itemId) return;
      const item = slot.item;
      slot.item = undefined;
      if (slot.timer) clearTimeout(slot.timer);
      worker.unref();
      item.resolve(message.result);
      this.#pump();
    });
    worker.on('error', (error) => this.#fail(slot, { code: 'INTERNAL', message: `The face worker failed: ${error.message}` }));
    worker.on('exit', (code) => this.#fail(slot, { code: 'INTERNAL', message: `The face worker exited with code ${code}.` }));
    this.#slots.push(slot);
    return slot;
  }

  /** Gives the slot's image an error value and replaces the worker. */
  #fail(slot: Slot, error: { code: 'TIMEOUT' | 'INTERNAL'; message: string }): void {
    const index = this.#slots.indexOf(slot);
    if (index < 0) return;
    this.#slots.splice(index, 1);
    if (slot.timer) clearTimeout(slot.timer);
    const item = slot.item;
    slot.item = undefined;
    void slot.worker.terminate();
    item?.resolve({ ok: false, error });
    if (!this.#closed) this.#pump();
  }
}
