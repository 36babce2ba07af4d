import type { WireError } from '../../../src-shared/errors.js';

/** How one image is decoded and searched. */
export interface FaceDetectOptions {
  /** Longest side the image is shrunk to before detection (default 1600 px). */
  maxSide: number;
  /** Images with more pixels are refused before decoding (default 80 MP), so memory stays bounded. */
  maxInputPixels: number;
  /** Faces below this confidence are dropped (0–1, default 0.5). */
  minScore: number;
  /** At most this many faces (default 20). */
  maxFaces: number;
  /** Also return a WebP crop of each face (default true). */
  crops: boolean;
  /** Longest side of a crop in pixels (default 224). */
  cropSize: number;
}

export const DEFAULT_FACE_OPTIONS: FaceDetectOptions = { maxSide: 1600, maxInputPixels: 80_000_000, minScore: 0.5, maxFaces: 20, crops: true, cropSize: 224 };

/** A face as the worker reports it; coordinates in source pixels (EXIF orientation applied). */
export interface RawFace {
  box: { x: number; y: number; w: number; h: number };
  landmarks: { name: 'rightEye' | 'leftEye' | 'nose' | 'mouthRight' | 'mouthLeft'; x: number; y: number }[];
  score: number;
  /** Unit-length embedding (1024-d from Human's faceres), or null when the description model gave none. */
  embedding: Float32Array | null;
  /** WebP bytes of the face, when crops were asked for. */
  crop: Uint8Array | null;
}

/** One image's outcome: faces, or an error value (undecodable, too large, missing, worker crash, timeout). */
export type FaceItemResult =
  | { ok: true; width: number; height: number; decodedWidth: number; decodedHeight: number; faces: RawFace[]; ms: number }
  | { ok: false; error: WireError };

/** Main → worker. `input` is a file path or the image bytes. */
export interface FaceWorkerRequest {
  id: number;
  input: string | Uint8Array;
  options: FaceDetectOptions;
}

/** Worker → main. */
export type FaceWorkerMessage =
  | { type: 'ready'; loadMs: number; backend: string }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; result: FaceItemResult };
