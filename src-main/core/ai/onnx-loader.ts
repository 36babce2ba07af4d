import { createRequire } from 'node:module';
import { CairnError } from '../../../src-shared/errors.js';

/** The message every ONNX path gives while onnxruntime-node is not installed. */
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

/**
 * Custom ONNX models through onnxruntime-node. The runtime is an optional dependency that this build does
 * not ship (its install script downloads CUDA files and fails offline; see STACK.md), so `availability()`
 * says why and `load` fails with `NOT_SUPPORTED` "install onnxruntime-node to use custom ONNX models".
 * When the package is installed, `load` opens an inference session on the CPU.
 *
 * @example
 * const onnx = new OnnxModelLoader();
 * onnx.availability(); // { available: false, reason: 'install onnxruntime-node to use custom ONNX models' }
 */
export class OnnxModelLoader implements ModelLoader {
  readonly format = 'onnx';
  readonly #resolve: (id: string) => string;

  /** `resolve` finds the runtime package (tests pass one that fails or succeeds). */
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

  async load(name: string, file: string): Promise<LoadedModel> {
    const status = this.availability();
    if (!status.available) throw new CairnError('NOT_SUPPORTED', `Cannot run ${name}: ${status.reason}.`);
    interface OrtSession {
      release(): Promise<void>;
    }
    interface Ort {
      InferenceSession: { create(path: string, options: object): Promise<OrtSession> };
    }
    let ort: Ort;
    try {
      ort = (await import(this.#resolve('onnxruntime-node'))) as Ort;
    } catch (error) {
      throw new CairnError('NOT_SUPPORTED', `Cannot run ${name}: onnxruntime-node failed to load (${(error as Error).message}).`);
    }
    const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'] });
    return { name, dispose: () => session.release() };
  }
}
