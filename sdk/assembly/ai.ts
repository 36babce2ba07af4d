// AI through the host. A guest never runs a model itself and there is no direct `vdfs_call` for inference:
// a job step asks for it as a host task, which the app runs off the guest's worker (it may take seconds),
// checks against the extension's `UseModel` grant and the entry's scope, retries, and hands back as a result:
//
//   step.runHostTask<DetectInput>("faces:" + contentId, "ai.detectFaces", input);   // in one step
//   const r = step.result<DetectedFaces>("faces:" + contentId);                      // in a later step
//
// The classes below are the shapes of those results (the contract's outputs, src-shared/contract/ai.ts).
import { JSON } from "json-as";

// ---- Results of host tasks (`JobStep.runHostTask`): the contract's outputs (src-shared/contract/ai.ts) ----

/** A face box in source pixels (the image as displayed, EXIF orientation applied). */
@json
export class HostFaceBox {
  x: f64 = 0;
  y: f64 = 0;
  w: f64 = 0;
  h: f64 = 0;
}

/** A face landmark (`rightEye`, `leftEye`, `nose`, `mouthRight`, `mouthLeft`) in source pixels. */
@json
export class FaceLandmark {
  name: string = "";
  x: f64 = 0;
  y: f64 = 0;
}

/** One face of `ai.detectFaces`. `index` is what `ai.embed` takes as `faceIndex`. */
@json
export class DetectedFace {
  index: i32 = 0;
  box: HostFaceBox = new HostFaceBox();
  landmarks: FaceLandmark[] = [];
  score: f64 = 0;
}

/**
 * The result of the host task `host:ai.detectFaces` (input `{entryId, minScore?, maxFaces?}`). Embeddings are
 * not inline: the host stores them as `face_embedding` sidecars; ask `host:ai.embed` per face.
 *
 * @example
 * const r = step.result<DetectedFaces>("faces:" + contentId);
 */
@json
export class DetectedFaces {
  entryId: string = "";
  width: f64 = 0;
  height: f64 = 0;
  faces: DetectedFace[] = [];
  embeddingsStored: bool = false;
  model: string = "";
}

/** The result of the host task `host:ai.embed` (input `{entryId, faceIndex}`): a unit-length vector. */
@json
export class FaceEmbedding {
  vector: f32[] = [];
  dim: i32 = 0;
  model: string = "";
  fromCache: bool = false;
}
