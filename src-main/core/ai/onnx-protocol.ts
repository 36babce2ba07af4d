/** A tensor crossing the worker boundary: element type, shape and values (row-major). */
export interface OnnxTensor {
  type: 'float32' | 'int32' | 'int64' | 'uint8' | 'bool';
  dims: number[];
  data: number[];
}

/** What the ONNX worker is started with. */
export interface OnnxWorkerData {
  /** The resolved path of the onnxruntime-node entry point. */
  runtime: string;
  file: string;
}

/** Main → worker: run the session once. */
export interface OnnxRunRequest {
  id: number;
  feeds: Record<string, OnnxTensor>;
}

/** Worker → main. */
export type OnnxWorkerMessage =
  | { type: 'ready'; inputNames: string[]; outputNames: string[] }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; outputs: Record<string, OnnxTensor> }
  | { type: 'error'; id: number; message: string };
