import { JSON } from "json-as";
import { vdfsCall } from "./call";
import { JsonObject } from "./json-writer";
import { Result } from "./result";

/** A face found in an image: box in pixels, detector confidence, and an embedding when asked for. */
@json
export class Face {
  x: f64 = 0;
  y: f64 = 0;
  width: f64 = 0;
  height: f64 = 0;
  confidence: f64 = 0;
  embedding: f32[] = [];
}

/** An embedding vector. */
@json
export class Embedding {
  vector: f32[] = [];
  model: string = "";
}

/**
 * A model the user registered in Cairn's AI settings, referred to by name. Needs a `UseModel` permission of
 * the matching category. Until the host's AI service lands, every call returns `NOT_SUPPORTED` ("AI models
 * are not available in this version"); write your code against the types now.
 *
 * @example
 * const faces = ai.fromRegistered("faces-local").detectFaces(contentId);
 * if (!faces.ok && faces.error!.code == "NOT_SUPPORTED") log.info("no AI yet");
 */
export class AiModel {
  constructor(public name: string) {}

  /** Faces in the image content `contentId` (`ai.detectFaces`). */
  detectFaces(contentId: string): Result<Face[]> {
    return vdfsCall<Face[]>("ai.detectFaces", new JsonObject().str("model", this.name).str("contentId", contentId).toString());
  }

  /** An embedding of `text` (`ai.embed`). */
  embed(text: string): Result<Embedding> {
    return vdfsCall<Embedding>("ai.embed", new JsonObject().str("model", this.name).str("text", text).toString());
  }
}

/** AI models through the host (typed now; the host answers `NOT_SUPPORTED` for now). */
export namespace ai {
  /**
   * A handle on a registered model. Making the handle makes no host call.
   *
   * @example
   * const m = ai.fromRegistered("embedder");
   */
  export function fromRegistered(name: string): AiModel {
    return new AiModel(name);
  }

  /**
   * Faces in an image content, with the user's default face model.
   *
   * @example
   * const r = ai.detectFaces(contentId);
   */
  export function detectFaces(contentId: string): Result<Face[]> {
    return new AiModel("").detectFaces(contentId);
  }

  /**
   * An embedding of `text`, with the user's default embedding model.
   *
   * @example
   * const r = ai.embed("a cat on a sofa");
   */
  export function embed(text: string): Result<Embedding> {
    return new AiModel("").embed(text);
  }
}

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
