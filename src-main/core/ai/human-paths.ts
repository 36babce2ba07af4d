import { createRequire } from 'node:module';
import path from 'node:path';

/** Where the face runtime's files are on disk. */
export interface HumanPaths {
  /** `dist/human.node-wasm.js`, required by absolute path (the package's exports map has no `./` entry). */
  entry: string;
  /** The package's `models/` folder (blazeface, facemesh, faceres …), with a trailing separator. */
  modelsDir: string;
  /** The tfjs WASM backend's `dist/` folder holding the `.wasm` binaries, with a trailing separator. */
  wasmDir: string;
}

/**
 * Finds @vladmandic/human and @tensorflow/tfjs-backend-wasm in node_modules.
 *
 * @example
 * humanPaths().modelsDir; // '/app/node_modules/@vladmandic/human/models/'
 */
export function humanPaths(): HumanPaths {
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('@vladmandic/human'));
  const wasmDist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  return {
    entry: path.join(dist, 'human.node-wasm.js'),
    modelsDir: path.join(dist, '..', 'models') + path.sep,
    wasmDir: path.join(wasmDist, path.sep),
  };
}

/** The three Human models face detection and embedding use, as [registry name, category, file stem]. */
export const BUNDLED_FACE_MODELS = [
  ['human-blazeface', 'face_detection', 'blazeface'],
  ['human-facemesh', 'face_detection', 'facemesh'],
  ['human-faceres', 'face_embedding', 'faceres'],
] as const;
