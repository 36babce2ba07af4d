import { JSON } from "json-as";
import { vdfsCall } from "./call";
import { JsonObject } from "./json-writer";
import { Entry } from "./vdfs";
import { Result } from "./result";

/** A collection: a named set of entries, contents and models. */
@json
export class Collection {
  id: string = "";
  name: string = "";
  description: string | null = null;
  itemCount: f64 = 0;
  updatedAt: string = "";
}

/** How many items a call added or removed. */
@json
export class ItemsChanged {
  added: f64 = 0;
  removed: f64 = 0;
}

/** One item of a collection: its kind (`entry`, `content`, `model`), id, and for files a summary. */
@json
export class CollectionItem {
  kind: string = "";
  id: string = "";
  entry: Entry | null = null;
}

/** A page of collection items. */
@json
export class CollectionItems {
  items: CollectionItem[] = [];
  total: f64 = 0;
}

/**
 * Items to add to or remove from a collection: entries, contents and models, in any mix.
 *
 * @example
 * const items = new ItemRefs().entries([a, b]).models([albumId]);
 */
export class ItemRefs {
  parts: string[] = [];
  /** Adds entry ids. */
  entries(ids: string[]): ItemRefs { for (let i = 0; i < ids.length; i++) this.parts.push(new JsonObject().str("entryId", ids[i]).toString()); return this; }
  /** Adds content ids. */
  contents(ids: string[]): ItemRefs { for (let i = 0; i < ids.length; i++) this.parts.push(new JsonObject().str("contentId", ids[i]).toString()); return this; }
  /** Adds model ids. */
  models(ids: string[]): ItemRefs { for (let i = 0; i < ids.length; i++) this.parts.push(new JsonObject().str("modelId", ids[i]).toString()); return this; }
  toJson(): string { return "[" + this.parts.join(",") + "]"; }
}

/** Collections (`collections.*`). Writing needs `WriteCollections`. */
export namespace collections {
  /**
   * Every collection of the library.
   *
   * @example
   * const all = collections.list();
   */
  export function list(): Result<Collection[]> {
    return vdfsCall<Collection[]>("collections.list", "{}");
  }

  /**
   * Creates a collection. `VALIDATION` for an empty name.
   *
   * @example
   * const c = collections.create("Best of 2024", "picked by my extension");
   */
  export function create(name: string, description: string | null = null): Result<Collection> {
    return vdfsCall<Collection>("collections.create", new JsonObject().str("name", name).optStr("description", description).toString());
  }

  /**
   * Adds items (already present ones are skipped). `NOT_FOUND` for an unknown collection.
   *
   * @example
   * collections.addItems(c.id, new ItemRefs().contents([contentId]));
   */
  export function addItems(collectionId: string, items: ItemRefs): Result<ItemsChanged> {
    return vdfsCall<ItemsChanged>("collections.addItems", new JsonObject().str("collectionId", collectionId).raw("items", items.toJson()).toString());
  }

  /**
   * Removes items.
   *
   * @example
   * collections.removeItems(c.id, new ItemRefs().entries([entryId]));
   */
  export function removeItems(collectionId: string, items: ItemRefs): Result<ItemsChanged> {
    return vdfsCall<ItemsChanged>("collections.removeItems", new JsonObject().str("collectionId", collectionId).raw("items", items.toJson()).toString());
  }

  /**
   * One page of a collection's items.
   *
   * @example
   * const page = collections.items(c.id, 0, 100);
   */
  export function items(collectionId: string, offset: i32 = 0, limit: i32 = 200): Result<CollectionItems> {
    return vdfsCall<CollectionItems>("collections.items", new JsonObject().str("collectionId", collectionId).num("offset", offset).num("limit", limit).toString());
  }
}
