import { JSON } from "json-as";
import { vdfsCall } from "./call";
import { JsonObject } from "./json-writer";
import { Result } from "./result";
import { base64Decode, base64Encode } from "./base64";

/** One file, folder or symlink as the library lists it (`EntrySummary` in the contract). */
@json
export class Entry {
  id: string = "";
  locationId: string = "";
  parentId: string | null = null;
  name: string = "";
  relPath: string = "";
  /** `file`, `dir` or `symlink`. */
  kind: string = "";
  /** `image`, `video`, `audio`, `document`, `text`, `archive`, `code`, `executable`, `font`, `unknown`, or null. */
  fileKind: string | null = null;
  extension: string | null = null;
  size: f64 = 0;
  modifiedAt: string | null = null;
  /** The content identity (shared by every copy of the same bytes); null until hashed. */
  contentId: string | null = null;
  hasThumbnail: bool = false;
  favorite: bool = false;
}

/** A page of entries and the total count of matches. */
@json
export class EntryPage {
  items: Entry[] = [];
  total: f64 = 0;
}

/** `entries.getMany`: the entries found and the ids that were not (or are outside your grant). */
@json
export class EntryBatch {
  items: Entry[] = [];
  missing: string[] = [];
}

/** Bytes read from a file: base64 `data` plus the position; `bytes()` decodes. */
@json
export class FileBytes {
  data: string = "";
  offset: f64 = 0;
  bytesRead: f64 = 0;
  size: f64 = 0;
  eof: bool = false;

  /** The decoded bytes. */
  bytes(): Uint8Array {
    return base64Decode(this.data);
  }
  /** The decoded bytes as UTF-8 text. */
  text(): string {
    const b = this.bytes();
    return String.UTF8.decodeUnsafe(b.dataStart, <usize>b.length, false);
  }
}

/** A sidecar read back: base64 `data`, its format and size. */
@json
export class Sidecar {
  data: string = "";
  format: string = "";
  size: f64 = 0;
  extensionId: string | null = null;

  /** The decoded bytes. */
  bytes(): Uint8Array {
    return base64Decode(this.data);
  }
}

/** Where a sidecar was stored. */
@json
export class SidecarWritten {
  size: f64 = 0;
  relPath: string = "";
}

/**
 * Filters and paging for `vdfs.queryEntries` (`entries.list`), built fluently. Unset filters are left out.
 *
 * @example
 * const q = new EntryQuery().inLocation(loc).kind("image").sortBy("modified", true).page(0, 100);
 */
export class EntryQuery {
  locationId: string | null = null;
  parentId: string | null = null;
  topLevel: bool = false;
  fileKind: string | null = null;
  tagId: string | null = null;
  favorite: i32 = -1;
  sort: string = "name";
  descending: bool = false;
  offset: i32 = 0;
  limit: i32 = 200;

  /** Only entries of one location. */
  inLocation(locationId: string): EntryQuery { this.locationId = locationId; return this; }
  /** Only the children of one folder. */
  inFolder(parentId: string): EntryQuery { this.parentId = parentId; this.topLevel = false; return this; }
  /** Only the location's top level (needs `inLocation`). */
  atTopLevel(): EntryQuery { this.topLevel = true; this.parentId = null; return this; }
  /** Only one file kind (`image`, `document`, …). */
  kind(fileKind: string): EntryQuery { this.fileKind = fileKind; return this; }
  /** Only entries carrying a tag. */
  tagged(tagId: string): EntryQuery { this.tagId = tagId; return this; }
  /** Only favourites (true) or non-favourites (false). */
  favorites(value: bool): EntryQuery { this.favorite = value ? 1 : 0; return this; }
  /** Sort by `name`, `modified`, `size` or `kind`. */
  sortBy(field: string, descending: bool = false): EntryQuery { this.sort = field; this.descending = descending; return this; }
  /** Page window: `limit` 1–1000. */
  page(offset: i32, limit: i32): EntryQuery { this.offset = offset; this.limit = limit; return this; }

  /** The payload of `entries.list`. */
  toJson(): string {
    const o = new JsonObject().optStr("locationId", this.locationId);
    if (this.topLevel) o.nul("parentId");
    else o.optStr("parentId", this.parentId);
    o.optStr("fileKind", this.fileKind).optStr("tagId", this.tagId);
    if (this.favorite >= 0) o.bool("favorite", this.favorite == 1);
    return o.str("sort", this.sort).bool("descending", this.descending).num("offset", this.offset).num("limit", this.limit).toString();
  }
}

/**
 * Walks every page of an `EntryQuery`, one host call per page.
 *
 * @example
 * const pager = new EntryPager(new EntryQuery().kind("image").page(0, 500));
 * while (pager.hasNext()) {
 *   const page = pager.next();
 *   if (!page.ok) return Host.failWith(page.error!);
 *   // page.value.items …
 * }
 */
export class EntryPager {
  private done: bool = false;
  constructor(public query: EntryQuery) {}

  /** False once a page came back short, empty or failed. */
  hasNext(): bool {
    return !this.done;
  }

  /** Fetches the next page and advances the offset. */
  next(): Result<EntryPage> {
    const r = vdfs.queryEntries(this.query);
    if (!r.ok) { this.done = true; return r; }
    const n = r.value.items.length;
    this.query.offset += n;
    if (n < this.query.limit || <f64>this.query.offset >= r.value.total) this.done = true;
    return r;
  }
}

/**
 * Entries, file bytes and sidecars of the library. Every call is checked by the host against what the user
 * granted: entries outside granted folders are invisible (`PERMISSION_DENIED` or left out of pages).
 */
export namespace vdfs {
  /**
   * One page of entries matching `query` (`entries.list`). Needs `ReadEntries`.
   * Failure modes: `PERMISSION_DENIED`, `VALIDATION` (bad kind, limit over 1000).
   *
   * @example
   * const r = vdfs.queryEntries(new EntryQuery().kind("image").page(0, 100));
   */
  export function queryEntries(query: EntryQuery): Result<EntryPage> {
    return vdfsCall<EntryPage>("entries.list", query.toJson());
  }

  /**
   * Keyword search over names and paths (`search.entries`), with an optional file kind, paged.
   *
   * @example
   * const r = vdfs.searchEntries("invoice", "document", 0, 50);
   */
  export function searchEntries(text: string, fileKind: string | null = null, offset: i32 = 0, limit: i32 = 200): Result<EntryPage> {
    const o = new JsonObject().str("query", text).optStr("fileKind", fileKind).num("offset", offset).num("limit", limit);
    return vdfsCall<EntryPage>("search.entries", o.toString());
  }

  /**
   * Summaries of up to 1000 entries by id in one call (`entries.getMany`); unknown ids come back in `missing`.
   *
   * @example
   * const r = vdfs.getEntries([a, b, c]);
   */
  export function getEntries(entryIds: string[]): Result<EntryBatch> {
    return vdfsCall<EntryBatch>("entries.getMany", new JsonObject().strs("entryIds", entryIds).toString());
  }

  /**
   * One entry by id (from `entries.getMany`). `NOT_FOUND` when it does not exist or is not visible to you.
   *
   * @example
   * const e = vdfs.getEntry(id);
   */
  export function getEntry(entryId: string): Result<Entry> {
    const r = getEntries([entryId]);
    if (!r.ok) return Result.from<Entry>(r.error!);
    if (r.value.items.length == 0) return Result.failure<Entry>("NOT_FOUND", "no entry " + entryId);
    return Result.success<Entry>(r.value.items[0]);
  }

  /**
   * Reads up to 4 MiB of a file by entry id (`entries.readBytes`), from `offset`. Needs `ReadEntries` covering
   * the file. Loop on `eof` for larger files.
   *
   * @example
   * const r = vdfs.readEntryBytes(entry.id, 0, 65536);
   * if (r.ok) { const head = r.value.bytes(); }
   */
  export function readEntryBytes(entryId: string, offset: i64 = 0, length: i32 = 4 * 1024 * 1024): Result<FileBytes> {
    const o = new JsonObject().str("entryId", entryId).num("offset", <f64>offset).num("length", length);
    return vdfsCall<FileBytes>("entries.readBytes", o.toString());
  }

  /**
   * Reads bytes by a path inside a location (relative to its root). Same limits as `readEntryBytes`.
   *
   * @example
   * const r = vdfs.readPathBytes(locationId, "notes/todo.txt");
   */
  export function readPathBytes(locationId: string, path: string, offset: i64 = 0, length: i32 = 4 * 1024 * 1024): Result<FileBytes> {
    const o = new JsonObject().str("locationId", locationId).str("path", path).num("offset", <f64>offset).num("length", length);
    return vdfsCall<FileBytes>("entries.readBytes", o.toString());
  }

  /**
   * Reads a sidecar of a content (`sidecars.read`). Needs `ReadSidecars` for `kind`. `NOT_FOUND` when absent.
   *
   * @example
   * const r = vdfs.readSidecar(contentId, "ocr_text");
   */
  export function readSidecar(contentId: string, kind: string, variant: string = ""): Result<Sidecar> {
    const o = new JsonObject().str("contentId", contentId).str("kind", kind).str("variant", variant);
    return vdfsCall<Sidecar>("sidecars.read", o.toString());
  }

  /**
   * Writes (or replaces) a sidecar of a content (`sidecars.write`), up to 4 MiB. Needs `WriteSidecars` for
   * `kind`. `format` is `webp`, `jpg`, `png`, `json`, `txt` or `bin`.
   *
   * @example
   * vdfs.writeSidecar(contentId, "ocr_text", "", "txt", Uint8Array.wrap(String.UTF8.encode(text)));
   */
  export function writeSidecar(contentId: string, kind: string, variant: string, format: string, data: Uint8Array): Result<SidecarWritten> {
    const o = new JsonObject().str("contentId", contentId).str("kind", kind).str("variant", variant).str("format", format).str("data", base64Encode(data));
    return vdfsCall<SidecarWritten>("sidecars.write", o.toString());
  }
}

