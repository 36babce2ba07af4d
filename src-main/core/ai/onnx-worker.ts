// Worker thread holding one onnxruntime-node inference session, so a model never runs on the main thread.
// Started by OnnxModelLoader.load (onnx-loader.ts) with {runtime, file}; answers 'ready' or 'fatal' once,
// then one 'result' or 'error' per run request.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { OnnxRunRequest, OnnxTensor, OnnxWorkerData, OnnxWorkerMessage } from './onnx-protocol.js';

interface OrtTensor {
  type: string;
  dims: readonly number[];
  data: ArrayLike<number | bigint | boolean>;
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
interface Ort {
  InferenceSession: { create(path: string, options: object): Promise<OrtSession> };
  Tensor: new (type: string, data: unknown, dims: number[]) => OrtTensor;
}

const port = parentPort!;
const send = (m: OnnxWorkerMessage) => port.postMessage(m);
const { runtime, file } = workerData as OnnxWorkerData;

function toOrt(ort: Ort, t: OnnxTensor): OrtTensor {
  const data =
    t.type === 'float32' ? Float32Array.from(t.data)
      : t.type === 'int32' ? Int32Array.from(t.data)
        : t.type === 'int64' ? BigInt64Array.from(t.data.map((v) => BigInt(Math.trunc(v))))
          : t.type === 'uint8' ? Uint8Array.from(t.data)
            : Uint8Array.from(t.data.map((v) => (v ? 1 : 0)));
  return new ort.Tensor(t.type, data, t.dims);
}

function fromOrt(t: OrtTensor): OnnxTensor {
  const type = (['float32', 'int32', 'int64', 'uint8', 'bool'] as const).find((k) => k === t.type);
  if (!type) throw new Error(`the model answered a ${t.type} tensor, which Cairn does not read`);
  return { type, dims: [...t.dims], data: Array.from(t.data, (v) => Number(v)) };
}

let loaded: { ort: Ort; session: OrtSession } | undefined;
try {
  const ort = createRequire(import.meta.url)(runtime) as Ort;
  loaded = { ort, session: await ort.InferenceSession.create(file, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' }) };
  send({ type: 'ready', inputNames: [...loaded.session.inputNames], outputNames: [...loaded.session.outputNames] });
} catch (error) {
  // Nothing keeps the worker alive after this: it exits once the message is out.
  send({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
}

if (loaded) {
  const { ort, session } = loaded;
  port.on('message', (req: OnnxRunRequest) => {
    void (async () => {
      try {
        const feeds = Object.fromEntries(Object.entries(req.feeds).map(([name, t]) => [name, toOrt(ort, t)]));
        const out = await session.run(feeds);
        send({ type: 'result', id: req.id, outputs: Object.fromEntries(Object.entries(out).map(([name, t]) => [name, fromOrt(t)])) });
      } catch (error) {
        send({ type: 'error', id: req.id, message: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
}
