import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { CairnError } from '../../../src-shared/errors.js';
import { resolveWorkerFile, spawnWorker } from '../workers/spawn-worker.js';
import type { OnnxRunRequest, OnnxTensor, OnnxWorkerData, OnnxWorkerMessage } from './onnx-protocol.js';

export type { OnnxTensor } from './onnx-protocol.js';

/** The message every ONNX path gives when onnxruntime-node is not installed. */
export const ONNX_NOT_INSTALLED = 'install onnxruntime-node to use custom ONNX models';

/** A loaded model that can be run; only what the loaders share. */
export interface LoadedModel {
  readonly name: string;
  /** Releases native or WASM memory. */
  dispose(): Promise<void>;
}

/**
 * Loads a model file of one format. Implementations: the Human face models (run inside the face worker pool,
 * see `face-pool.ts`), LLM endpoints (`llm-providers.ts`, nothing to load) and ONNX (this file).
 */
export interface ModelLoader {
  readonly format: string;
  /** Whether this loader can work on this machine, and why not. Cheap; never throws. */
  availability(): { available: true } | { available: false; reason: string };
  /** Loads the model at `file`. Fails with `NOT_SUPPORTED` when the runtime is missing. */
  load(name: string, file: string): Promise<LoadedModel>;
}

/** A custom ONNX model loaded in its own worker thread. */
export interface OnnxModel extends LoadedModel {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /**
   * Runs the model once on `feeds` (by input name) in its worker and answers every output by name.
   * Failure modes: `VALIDATION` (feeds the model refuses: a missing input, a wrong type or shape),
   * `TIMEOUT` (the worker is stopped; load the model again), `CANCELLED` (disposed meanwhile).
   */
  run(feeds: Record<string, OnnxTensor>, options?: { timeoutMs?: number }): Promise<Record<string, OnnxTensor>>;
}

/**
 * Custom ONNX models through onnxruntime-node (an optional dependency, CPU only; the project's .npmrc skips
 * its install script, which would fetch GPU files from GitHub). Each loaded model gets its own worker thread
 * holding the inference session, so inference never blocks the main thread; `dispose()` stops it.
 *
 * Failure modes of `load`: `NOT_SUPPORTED` when the runtime is missing or cannot load ("install
 * onnxruntime-node to use custom ONNX models"), `NOT_FOUND` for a missing file, `VALIDATION` when the file is
 * not a model onnxruntime accepts (the worker is stopped).
 *
 * @example
 * const model = await new OnnxModelLoader().load('adder', '/models/add.onnx');
 * const out = await model.run({ a: { type: 'float32', dims: [3], data: [1, 2, 3] }, b: { type: 'float32', dims: [3], data: [1, 1, 1] } });
 * out.sum.data; // [2, 3, 4]
 * await model.dispose();
 */
export class OnnxModelLoader implements ModelLoader {
  readonly format = 'onnx';
  readonly #resolve: (id: string) => string;

  /** `resolve` finds the runtime package (tests pass one that fails). */
  constructor(resolve: (id: string) => string = (id) => createRequire(import.meta.url).resolve(id)) {
    this.#resolve = resolve;
  }

  availability(): { available: true } | { available: false; reason: string } {
    try {
      this.#resolve('onnxruntime-node');
      return { available: true };
    } catch {
      return { available: false, reason: ONNX_NOT_INSTALLED };
    }
  }

  async load(name: string, file: string): Promise<OnnxModel> {
    let runtime: string;
    try {
      runtime = this.#resolve('onnxruntime-node');
    } catch {
      throw new CairnError('NOT_SUPPORTED', `Cannot run ${name}: ${ONNX_NOT_INSTALLED}.`);
    }
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new CairnError('NOT_FOUND', `No model file at ${file}.`);
    const data: OnnxWorkerData = { runtime, file: path.resolve(file) };
    const worker = spawnWorker(resolveWorkerFile(import.meta.url, './onnx-worker'), { workerData: data });
    const ready = await new Promise<OnnxWorkerMessage>((resolve) => {
      const onMessage = (m: OnnxWorkerMessage) => {
        if (m.type !== 'ready' && m.type !== 'fatal') return;
        worker.off('message', onMessage);
        resolve(m);
      };
      worker.on('message', onMessage);
      worker.once('error', (error) => resolve({ type: 'fatal', message: error.message }));
      worker.once('exit', (code) => resolve({ type: 'fatal', message: `the ONNX worker exited (code ${code})` }));
    });
    if (ready.type !== 'ready') {
      await worker.terminate();
      const message = ready.type === 'fatal' ? ready.message : 'unexpected answer';
      if (/Cannot find module|onnxruntime_binding|\.node/.test(message)) throw new CairnError('NOT_SUPPORTED', `Cannot run ${name}: onnxruntime-node failed to load (${message}).`);
      throw new CairnError('VALIDATION', `${name} is not a model onnxruntime can load: ${message}`);
    }
    return new WorkerOnnxModel(name, worker, ready.inputNames, ready.outputNames);
  }
}

class WorkerOnnxModel implements OnnxModel {
  readonly name: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (v: Record<string, OnnxTensor>) => void; reject: (e: Error) => void; timer: NodeJS.Timeout | undefined }>();
  #nextId = 1;
  #gone: CairnError | undefined;

  constructor(name: string, worker: Worker, inputNames: string[], outputNames: string[]) {
    this.name = name;
    this.inputNames = inputNames;
    this.outputNames = outputNames;
    this.#worker = worker;
    worker.on('message', (m: OnnxWorkerMessage) => {
      if (m.type !== 'result' && m.type !== 'error') return;
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (p.timer) clearTimeout(p.timer);
      if (m.type === 'result') p.resolve(m.outputs);
      else p.reject(new CairnError('VALIDATION', `${name} refused its input: ${m.message}`));
    });
    worker.once('exit', () => this.#fail(this.#gone ?? new CairnError('INTERNAL', `The worker of ${name} stopped.`)));
  }

  run(feeds: Record<string, OnnxTensor>, options: { timeoutMs?: number } = {}): Promise<Record<string, OnnxTensor>> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
        this.#gone = new CairnError('TIMEOUT', `${this.name} took longer than ${options.timeoutMs} ms; its worker was stopped.`);
        void this.#worker.terminate();
      }, options.timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.#worker.postMessage({ id, feeds } satisfies OnnxRunRequest);
    });
  }

  async dispose(): Promise<void> {
    this.#gone ??= new CairnError('CANCELLED', `${this.name} was disposed.`);
    await this.#worker.terminate();
    this.#fail(this.#gone);
  }

  #fail(error: CairnError): void {
    this.#gone ??= error;
    for (const [, p] of this.#pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(error);
    }
    this.#pending.clear();
  }
}
