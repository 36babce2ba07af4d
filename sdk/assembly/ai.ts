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
