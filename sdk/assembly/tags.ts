import { JSON } from "json-as";
import { vdfsCall } from "./call";
import { JsonObject } from "./json-writer";
import { Result } from "./result";

/** What a tagging call applied: the tag (created if missing) and how many new applications. */
@json
export class TagApplied {
  tagId: string = "";
  applied: f64 = 0;
}

/** What `tags.removeFromContent` removed: the tag (null when no tag has that path) and how many applications. */
@json
export class TagRemoved {
  tagId: string | null = null;
  removed: f64 = 0;
}

/** A tag of the hierarchy. */
@json
export class Tag {
  id: string = "";
  name: string = "";
  parentId: string | null = null;
  color: string | null = null;
  /** Names from the root down, joined with "/". */
  path: string = "";
  usage: f64 = 0;
}

/**
 * Tags by path (`Animals/Cats`): missing tags are created, and the application is recorded with this
 * extension as its source. Needs `WriteTags`.
 */
export namespace tags {
  /**
   * Tags up to 1000 contents (every copy of their bytes) with `tagPath` (`tags.addToContent`).
   * `confidence` 0–1, or negative for none. Failure modes: `PERMISSION_DENIED`, `VALIDATION` (empty path
   * part, more than 1000 ids), `NOT_FOUND` (unknown content).
   *
   * @example
   * tags.addToContent([entry.contentId!], "Kinds/Images");
   */
  export function addToContent(contentIds: string[], tagPath: string, confidence: f64 = -1): Result<TagApplied> {
    const o = new JsonObject().strs("contentIds", contentIds).str("tagPath", tagPath);
    if (confidence >= 0) o.num("confidence", confidence);
    return vdfsCall<TagApplied>("tags.addToContent", o.toString());
  }

  /**
   * Removes `tagPath` from up to 1000 contents (`tags.removeFromContent`) — only the applications THIS
   * extension made: the user's own application of the same tag, and other extensions', stay. No tag at that
   * path removes nothing. Failure modes: `PERMISSION_DENIED` (no WriteTags, or a content outside your
   * folders), `NOT_FOUND` (unknown content; nothing removed), `VALIDATION` (empty path part).
   *
   * @example
   * tags.removeFromContent(contentIds, "#person:" + oldName);
   */
  export function removeFromContent(contentIds: string[], tagPath: string): Result<TagRemoved> {
    return vdfsCall<TagRemoved>("tags.removeFromContent", new JsonObject().strs("contentIds", contentIds).str("tagPath", tagPath).toString());
  }

  /**
   * Tags one of your models with `tagPath` (`tags.addToModel`).
   *
   * @example
   * tags.addToModel(rec.id, "People/Ana", 0.93);
   */
  export function addToModel(modelId: string, tagPath: string, confidence: f64 = -1): Result<TagApplied> {
    const o = new JsonObject().str("modelId", modelId).str("tagPath", tagPath);
    if (confidence >= 0) o.num("confidence", confidence);
    return vdfsCall<TagApplied>("tags.addToModel", o.toString());
  }

  /**
   * The library's tag hierarchy (`tags.list`).
   *
   * @example
   * const all = tags.list();
   */
  export function list(): Result<Tag[]> {
    return vdfsCall<Tag[]>("tags.list", "{}");
  }
}
