import { JSON } from "json-as";
import { vdfsCall } from "./call";
import { JsonObject } from "./json-writer";
import { Result } from "./result";

/** Model scopes, as the manifest spells them. */
export namespace ModelScope {
  /** Attached to one path on one device. */
  export const ENTRY = "entry";
  /** Attached to a content identity: every copy of the same bytes, on every device. */
  export const CONTENT = "content";
  /** Attached to nothing (e.g. a person, an album). */
  export const STANDALONE = "standalone";
}

/** Sync strategies, as the manifest spells them. */
export namespace SyncStrategy {
  export const SHARED = "shared";
  export const DEVICE_OWNED = "device_owned";
}

/**
 * A model type, declared once: its PascalCase type name, scope, sync strategy and blob fields. Write it as a
 * static field of the model class, with literal arguments, so `cairn ext validate` can read it from source
 * and check (or generate, with `--write-models`) the manifest's `models` entry:
 *
 * @example
 * @json
 * export class PhotoNote {
 *   static readonly MODEL: ModelDescriptor = new ModelDescriptor("PhotoNote", "content", "shared", ["embedding"]);
 *   caption: string = "";
 * }
 */
export class ModelDescriptor {
  constructor(
    public type: string,
    public scope: string,
    public syncStrategy: string = "shared",
    public blobFields: string[] = [],
  ) {}

  /** True when `field` is one of the declared blob fields. */
  hasBlobField(field: string): bool {
    return this.blobFields.includes(field);
  }
}

/**
 * Blob field values for a create or update, field by field. Values are any json-as value; they are stored
 * compressed and content-addressed and only loaded on request (`ModelRecord.blob`). `clear(field)` removes one.
 *
 * @example
 * const blobs = new BlobValues().set<f32[]>("embedding", vector);
 */
export class BlobValues {
  fields: string[] = [];
  values: string[] = [];

  /** Sets `field` to `value` (serialised with json-as). */
  set<V>(field: string, value: V): BlobValues {
    return this.setJson(field, JSON.stringify<V>(value));
  }
  /** Sets `field` to already-serialised JSON. */
  setJson(field: string, json: string): BlobValues {
    this.fields.push(field);
    this.values.push(json);
    return this;
  }
  /** Clears `field` (updates only). */
  clear(field: string): BlobValues {
    return this.setJson(field, "null");
  }
  /** The blobs object as JSON. */
  toJson(): string {
    const o = new JsonObject();
    for (let i = 0; i < this.fields.length; i++) o.raw(this.fields[i], this.values[i]);
    return o.toString();
  }
}

/** `models.getBlob`'s answer, with the value still as JSON text. */
@json
export class BlobPayload {
  field: string = "";
  value: JSON.Raw = new JSON.Raw("null");
  sizeBytes: f64 = 0;
  storedBytes: f64 = 0;
}

/**
 * A stored model with typed inline `data: T`. Blob fields are not loaded: `blobFields` names the ones it
 * has, and `blob<V>(field)` fetches one on request (one host call, cached for this record).
 *
 * @example
 * const r = models.getByContent<PhotoNote>(PhotoNote.MODEL, contentId);
 * const emb = r.value[0].blob<f32[]>("embedding");
 */
@json
export class ModelRecord<T> {
  id: string = "";
  extensionId: string = "";
  type: string = "";
  scope: string = "";
  entryId: string | null = null;
  contentId: string | null = null;
  data!: T;
  blobFields: string[] = [];
  syncStrategy: string = "";
  createdAt: string = "";
  updatedAt: string = "";

  @omit
  private cachedField: string = "";
  @omit
  private cachedJson: string = "";

  /**
   * Loads one blob field lazily (`models.getBlob`). `NOT_FOUND` when the model has no such blob.
   *
   * @example
   * const thumb = record.blob<string>("preview");
   */
  blob<V>(field: string): Result<V> {
    if (this.cachedField != field) {
      const r = vdfsCall<BlobPayload>("models.getBlob", new JsonObject().str("modelId", this.id).str("field", field).toString());
      if (!r.ok) return Result.from<V>(r.error!);
      this.cachedField = field;
      this.cachedJson = r.value.value.toString();
    }
    return Result.success<V>(JSON.parse<V>(this.cachedJson));
  }
}

/** A page of models and the total count. */
@json
export class ModelPage<T> {
  items: ModelRecord<T>[] = [];
  total: f64 = 0;
}

/** `models.delete`'s answer. */
@json
export class Deleted {
  deleted: string = "";
}

/**
 * Equality filters and paging for `models.query`. Filters compare JSON fields of `data` (dotted paths
 * allowed, at most 16). The projection is always inline-only: blob fields are never loaded by a query.
 *
 * @example
 * const q = new ModelQuery().whereStr("label", "cat").whereNum("rank", 1).page(0, 50);
 */
export class ModelQuery {
  contentId: string | null = null;
  entryId: string | null = null;
  where: JsonObject = new JsonObject();
  whereCount: i32 = 0;
  offset: i32 = 0;
  limit: i32 = 100;

  /** Only models attached to this content. */
  forContent(contentId: string): ModelQuery { this.contentId = contentId; return this; }
  /** Only models attached to this entry. */
  forEntry(entryId: string): ModelQuery { this.entryId = entryId; return this; }
  /** `data.<path> == value` (string). */
  whereStr(path: string, value: string): ModelQuery { this.where.str(path, value); this.whereCount++; return this; }
  /** `data.<path> == value` (number). */
  whereNum(path: string, value: f64): ModelQuery { this.where.num(path, value); this.whereCount++; return this; }
  /** `data.<path> == value` (boolean). */
  whereBool(path: string, value: bool): ModelQuery { this.where.bool(path, value); this.whereCount++; return this; }
  /** Page window: `limit` 1–1000. */
  page(offset: i32, limit: i32): ModelQuery { this.offset = offset; this.limit = limit; return this; }
}

function checkBlobs(desc: ModelDescriptor, blobs: BlobValues | null): string | null {
  if (blobs === null) return null;
  for (let i = 0; i < blobs.fields.length; i++) {
    if (!desc.hasBlobField(blobs.fields[i])) return "\"" + blobs.fields[i] + "\" is not a declared blob field of " + desc.type;
  }
  return null;
}

function newModelJson<T>(desc: ModelDescriptor, data: T, blobs: BlobValues | null, key: string | null): JsonObject {
  const o = new JsonObject().str("type", desc.type).raw("data", JSON.stringify<T>(data)).str("syncStrategy", desc.syncStrategy).optStr("key", key);
  if (blobs !== null) o.raw("blobs", blobs.toJson());
  return o;
}

/**
 * Extension models: typed records owned by this extension, attached to a content, an entry, or nothing.
 * Every call needs the `WriteModels` permission (queries of your own models too). The descriptor's scope and
 * blob fields are checked here before any host call: a mismatch returns `VALIDATION` without touching the
 * library.
 */
export namespace models {
  /**
   * Creates (or, with the same `key`, updates) a content-scoped model (`models.createForContent`).
   * Failure modes: `VALIDATION` (descriptor is not content-scoped, undeclared blob field, data over 1 MiB),
   * `NOT_FOUND` (no such content), `PERMISSION_DENIED`, `QUOTA_EXCEEDED`.
   *
   * @example
   * const r = models.createForContent<PhotoNote>(PhotoNote.MODEL, entry.contentId!, note, new BlobValues().set<f32[]>("embedding", v), "note:" + entry.contentId!);
   */
  export function createForContent<T>(desc: ModelDescriptor, contentId: string, data: T, blobs: BlobValues | null = null, key: string | null = null): Result<ModelRecord<T>> {
    if (desc.scope != ModelScope.CONTENT) return Result.failure<ModelRecord<T>>("VALIDATION", desc.type + " is " + desc.scope + "-scoped, not content-scoped");
    const bad = checkBlobs(desc, blobs);
    if (bad !== null) return Result.failure<ModelRecord<T>>("VALIDATION", bad);
    return vdfsCall<ModelRecord<T>>("models.createForContent", newModelJson<T>(desc, data, blobs, key).str("contentId", contentId).toString());
  }

  /**
   * Creates a standalone model, or an entry-scoped one when `entryId` is given (`models.create`).
   * Failure modes as `createForContent` (the descriptor must be `standalone`, or `entry` with an `entryId`).
   *
   * @example
   * const r = models.create<Album>(Album.MODEL, album, null, "album:2024");
   */
  export function create<T>(desc: ModelDescriptor, data: T, blobs: BlobValues | null = null, key: string | null = null, entryId: string | null = null): Result<ModelRecord<T>> {
    if (desc.scope == ModelScope.CONTENT) return Result.failure<ModelRecord<T>>("VALIDATION", desc.type + " is content-scoped: use models.createForContent");
    if (desc.scope == ModelScope.ENTRY && entryId === null) return Result.failure<ModelRecord<T>>("VALIDATION", desc.type + " is entry-scoped: pass an entryId");
    if (desc.scope == ModelScope.STANDALONE && entryId !== null) return Result.failure<ModelRecord<T>>("VALIDATION", desc.type + " is standalone: it takes no entryId");
    const bad = checkBlobs(desc, blobs);
    if (bad !== null) return Result.failure<ModelRecord<T>>("VALIDATION", bad);
    const o = newModelJson<T>(desc, data, blobs, key);
    if (entryId !== null) o.str("entryId", entryId);
    else o.bool("standalone", true);
    return vdfsCall<ModelRecord<T>>("models.create", o.toString());
  }

  /**
   * This extension's models of the descriptor's type on a content (`models.getByContent`), inline fields only.
   *
   * @example
   * const notes = models.getByContent<PhotoNote>(PhotoNote.MODEL, contentId);
   */
  export function getByContent<T>(desc: ModelDescriptor, contentId: string): Result<ModelRecord<T>[]> {
    const o = new JsonObject().str("contentId", contentId).str("type", desc.type).str("include", "inline");
    return vdfsCall<ModelRecord<T>[]>("models.getByContent", o.toString());
  }

  /**
   * One model by id (`models.get`), inline fields only. `NOT_FOUND` when missing or not yours.
   *
   * @example
   * const m = models.get<Album>(id);
   */
  export function get<T>(modelId: string): Result<ModelRecord<T>> {
    return vdfsCall<ModelRecord<T>>("models.get", new JsonObject().str("modelId", modelId).str("include", "inline").toString());
  }

  /**
   * Pages through models of the descriptor's type (`models.query`) with the inline-only projection.
   *
   * @example
   * const page = models.query<PhotoNote>(PhotoNote.MODEL, new ModelQuery().whereStr("label", "cat"));
   */
  export function query<T>(desc: ModelDescriptor, q: ModelQuery): Result<ModelPage<T>> {
    const o = new JsonObject().str("type", desc.type).optStr("contentId", q.contentId).optStr("entryId", q.entryId);
    if (q.whereCount > 0) o.raw("where", q.where.toString());
    o.str("include", "inline").num("offset", q.offset).num("limit", q.limit);
    return vdfsCall<ModelPage<T>>("models.query", o.toString());
  }

  /**
   * Replaces (or with `merge`, merges into) a model's data, and sets or clears blob fields (`models.update`).
   * `NOT_FOUND` when the model is missing or belongs to another extension.
   *
   * @example
   * models.update<PhotoNote>(PhotoNote.MODEL, rec.id, rec.data, false, new BlobValues().clear("embedding"));
   */
  export function update<T>(desc: ModelDescriptor, modelId: string, data: T, merge: bool = false, blobs: BlobValues | null = null): Result<ModelRecord<T>> {
    const bad = checkBlobs(desc, blobs);
    if (bad !== null) return Result.failure<ModelRecord<T>>("VALIDATION", bad);
    const o = new JsonObject().str("modelId", modelId).raw("data", JSON.stringify<T>(data)).bool("merge", merge);
    if (blobs !== null) o.raw("blobs", blobs.toJson());
    return vdfsCall<ModelRecord<T>>("models.update", o.toString());
  }

  /**
   * Deletes a model with its tags and blob references (`models.delete`).
   *
   * @example
   * models.delete(rec.id);
   */
  export function remove(modelId: string): Result<Deleted> {
    return vdfsCall<Deleted>("models.delete", new JsonObject().str("modelId", modelId).toString());
  }

  /**
   * Loads one blob field of a model by id (`models.getBlob`); `ModelRecord.blob` is the usual way.
   *
   * @example
   * const v = models.getBlob<f32[]>(id, "embedding");
   */
  export function getBlob<V>(modelId: string, field: string): Result<V> {
    const r = vdfsCall<BlobPayload>("models.getBlob", new JsonObject().str("modelId", modelId).str("field", field).toString());
    if (!r.ok) return Result.from<V>(r.error!);
    return Result.success<V>(JSON.parse<V>(r.value.value.toString()));
  }
}
