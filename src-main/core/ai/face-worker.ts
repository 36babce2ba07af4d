/**
 * Worker thread: face detection and embedding with @vladmandic/human on the tfjs WASM backend.
 * Started by `FacePool`; never imported by the main thread. Uses the three workarounds from STACK.md:
 * the `dist/human.node-wasm.js` bundle by absolute path, a `fetch('file://…')` shim that reads model files
 * from disk (the worker can reach nothing else), and still-photo settings (`cacheSensitivity: 0`, no frame
 * skipping, so a second photo is never answered from the first one's cache).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';
import type { ErrorCode } from '../../../src-shared/errors.js';
import type { FaceDetectOptions, FaceItemResult, FaceWorkerMessage, FaceWorkerRequest, RawFace } from './face-protocol.js';
import { humanPaths } from './human-paths.js';
import { normalize } from './embedding-codec.js';

interface HumanTensor {
  dispose(): void;
}
interface HumanFace {
  box: [number, number, number, number];
  score: number;
  mesh: [number, number, number?][];
  embedding?: number[];
}
interface HumanLike {
  load(): Promise<void>;
  detect(input: HumanTensor, config?: object): Promise<{ face: HumanFace[]; error?: string | null }>;
  tf: { tensor3d(data: Uint8Array, shape: [number, number, number], dtype: 'int32'): HumanTensor; getBackend(): string };
}

const port = parentPort;
if (!port) throw new Error('face-worker must run in a worker thread');

/** Only model files are fetched, and only from disk: the worker has no network access. */
function installFileFetch(): void {
  globalThis.fetch = (async (url: string | URL | Request) => {
    const href = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url;
    if (!href.startsWith('file://')) throw new Error(`The face worker does not fetch ${href}`);
    const file = fileURLToPath(href);
    const bytes = await fs.promises.readFile(file);
    const type = file.endsWith('.json') ? 'application/json' : file.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream';
    return new Response(bytes, { status: 200, headers: { 'content-type': type } });
  }) as typeof fetch;
}

const LANDMARKS: [RawFace['landmarks'][number]['name'], number[]][] = [
  ['rightEye', [33, 133]],
  ['leftEye', [362, 263]],
  ['nose', [1]],
  ['mouthRight', [61]],
  ['mouthLeft', [291]],
];

class ItemError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

async function start(): Promise<void> {
  const started = Date.now();
  installFileFetch();
  const paths = humanPaths();
  const require = createRequire(import.meta.url);
  const { Human } = require(paths.entry) as { Human: new (config: object) => HumanLike };
  const human = new Human({
    backend: 'wasm',
    wasmPath: pathToFileURL(paths.wasmDir).href,
    modelBasePath: pathToFileURL(paths.modelsDir).href,
    debug: false,
    async: true,
    warmup: 'none',
    cacheSensitivity: 0,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { rotation: false, maxDetected: 20, minConfidence: 0.5, skipFrames: 0, skipTime: 0, return: false },
      mesh: { enabled: true },
      iris: { enabled: false },
      description: { enabled: true, skipFrames: 0, skipTime: 0 },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      attention: { enabled: false },
      gear: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  });
  await human.load();
  const post = (message: FaceWorkerMessage) => port!.postMessage(message);
  post({ type: 'ready', loadMs: Date.now() - started, backend: human.tf.getBackend() });

  let chain = Promise.resolve();
  port!.on('message', (request: FaceWorkerRequest) => {
    chain = chain.then(async () => {
      const result = await detectOne(human, request.input, request.options);
      const transfer = result.ok ? result.faces.flatMap((f) => [f.embedding?.buffer, f.crop?.buffer]).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer) : [];
      port!.postMessage({ type: 'result', id: request.id, result } satisfies FaceWorkerMessage, transfer);
    });
  });
}

async function detectOne(human: HumanLike, input: string | Uint8Array, o: FaceDetectOptions): Promise<FaceItemResult> {
  const started = Date.now();
  try {
    const source = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (typeof source === 'string' && !fs.existsSync(source)) throw new ItemError('NOT_FOUND', 'The image file is missing.');
    const open = () => sharp(source, { limitInputPixels: o.maxInputPixels, failOn: 'error' });
    let meta: sharp.Metadata;
    try {
      // The header only: the pixel limit is checked below, with a clear message.
      meta = await sharp(source, { limitInputPixels: false }).metadata();
    } catch (error) {
      throw new ItemError('NOT_SUPPORTED', `Cannot decode the image: ${(error as Error).message}`);
    }
    if (!meta.width || !meta.height) throw new ItemError('NOT_SUPPORTED', 'Cannot decode the image: no dimensions.');
    // Refuse by the header, before any pixel is decoded: a 100-megapixel image must not blow memory.
    if (meta.width * meta.height > o.maxInputPixels) {
      throw new ItemError('VALIDATION', `The image has ${Math.round((meta.width * meta.height) / 1e6)} megapixels; the limit is ${Math.round(o.maxInputPixels / 1e6)}.`);
    }
    const swapped = (meta.orientation ?? 1) >= 5;
    const width = swapped ? meta.height : meta.width;
    const height = swapped ? meta.width : meta.height;
    let decoded: { data: Buffer; info: sharp.OutputInfo };
    try {
      decoded = await open()
        .rotate()
        .resize({ width: o.maxSide, height: o.maxSide, fit: 'inside', withoutEnlargement: true })
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
    } catch (error) {
      throw new ItemError('NOT_SUPPORTED', `Cannot decode the image: ${(error as Error).message}`);
    }
    const { data, info } = decoded;
    if (info.channels !== 3) throw new ItemError('NOT_SUPPORTED', `Unexpected ${info.channels}-channel image.`);
    const tensor = human.tf.tensor3d(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), [info.height, info.width, 3], 'int32');
    let found: HumanFace[];
    try {
      const result = await human.detect(tensor, { face: { detector: { maxDetected: o.maxFaces, minConfidence: o.minScore } } });
      if (result.error) throw new ItemError('INTERNAL', `Face detection failed: ${result.error}`);
      found = result.face;
    } finally {
      tensor.dispose();
    }
    const sx = width / info.width;
    const sy = height / info.height;
    const faces: RawFace[] = [];
    for (const face of found.filter((f) => f.score >= o.minScore).sort((a, b) => b.score - a.score).slice(0, o.maxFaces)) {
      const [bx, by, bw, bh] = face.box;
      const landmarks = face.mesh.length >= 468
        ? LANDMARKS.map(([name, idx]) => ({
            name,
            x: round((idx.reduce((s, i) => s + face.mesh[i]![0], 0) / idx.length) * sx),
            y: round((idx.reduce((s, i) => s + face.mesh[i]![1], 0) / idx.length) * sy),
          }))
        : [];
      const crop = o.crops ? await cropFace(data, info, face.box, o.cropSize) : null;
      faces.push({
        box: { x: round(bx * sx), y: round(by * sy), w: round(bw * sx), h: round(bh * sy) },
        landmarks,
        score: Math.round(face.score * 1000) / 1000,
        embedding: face.embedding && face.embedding.length > 0 ? normalize(face.embedding) : null,
        crop,
      });
    }
    return { ok: true, width, height, decodedWidth: info.width, decodedHeight: info.height, faces, ms: Date.now() - started };
  } catch (error) {
    const code: ErrorCode = error instanceof ItemError ? error.code : 'INTERNAL';
    return { ok: false, error: { code, message: (error as Error).message } };
  }
}

/** A WebP of the face with a 20 % margin, cut from the decoded pixels (no second decode). */
async function cropFace(data: Buffer, info: sharp.OutputInfo, box: HumanFace['box'], size: number): Promise<Uint8Array> {
  const [x, y, w, h] = box;
  const margin = 0.2;
  const left = Math.max(0, Math.floor(x - w * margin));
  const top = Math.max(0, Math.floor(y - h * margin));
  const right = Math.min(info.width, Math.ceil(x + w * (1 + margin)));
  const bottom = Math.min(info.height, Math.ceil(y + h * (1 + margin)));
  const bytes = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
    .extract({ left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) })
    .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 82 })
    .toBuffer();
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice();
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

start().catch((error: unknown) => {
  port.postMessage({ type: 'fatal', message: (error as Error).message } satisfies FaceWorkerMessage);
});
