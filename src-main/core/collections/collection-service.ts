import { randomUUID } from 'node:crypto';
import type { Collection, CollectionItemRef } from '../../../src-shared/contract/index.js';
import type { z } from 'zod';
import { CairnError } from '../../../src-shared/errors.js';
import { summariesByUuid } from '../entries/entry-queries.js';
import type { Library } from '../library/library.js';
import type { HybridLogicalClock } from '../sync/hlc.js';

type ItemRef = z.infer<typeof CollectionItemRef>;

function itemColumns(item: ItemRef): { column: 'entry_uuid' | 'content_uuid' | 'model_uuid'; table: string; value: string } {
  if ('entryId' in item) return { column: 'entry_uuid', table: 'entries', value: item.entryId };
  if ('contentId' in item) return { column: 'content_uuid', table: 'content_identities', value: item.contentId };
  return { column: 'model_uuid', table: 'models', value: item.modelId };
}

/**
 * An item an extension (bound as the one parameter) may see. `entries` is unqualified on purpose: on an
 * extension's connection it is the temp view scoped to the extension's grants (see PermissionGuard.install).
 */
const VISIBLE_ITEM_SQL = `(CASE
  WHEN i.entry_uuid IS NOT NULL THEN EXISTS (SELECT 1 FROM entries e WHERE e.uuid = i.entry_uuid)
  WHEN i.content_uuid IS NOT NULL THEN EXISTS (SELECT 1 FROM entries e WHERE e.content_uuid = i.content_uuid)
  ELSE EXISTS (SELECT 1 FROM models m WHERE m.uuid = i.model_uuid AND m.extension_id = ?) END)`;

/**
 * Collections: named, ordered sets whose items are entries, contents or extension models.
 *
 * @example
 * const c = collections.create(lib, 'Best of 2024');
 * collections.addItems(lib, c.id, [{ contentId }]);
 */
export class CollectionService {
  readonly #clock: HybridLogicalClock;
  readonly #deviceId: string;

  constructor(clock: HybridLogicalClock, deviceId: string) {
    this.#clock = clock;
    this.#deviceId = deviceId;
  }

  /**
   * Every collection, by name; with `owner`, only the collections that owner created (`'user'` or an
   * extension id). With `visibleTo` (an extension id), `itemCount` counts only the items that extension may
   * see (see {@link CollectionService.items}).
   *
   * @example
   * collections.list(lib, { owner: 'com.example.photos', visibleTo: 'com.example.photos' });
   */
  list(lib: Library, options: { owner?: string; visibleTo?: string } = {}): Collection[] {
    const visible = options.visibleTo === undefined ? '' : `AND ${VISIBLE_ITEM_SQL}`;
    const params = options.visibleTo === undefined ? [] : [options.visibleTo];
    return lib.raw
      .prepare(
        `SELECT c.id, c.name, c.description, c.updated_at AS updatedAt, (SELECT count(*) FROM collection_items i WHERE i.collection_id = c.id ${visible}) AS itemCount
         FROM collections c ${options.owner === undefined ? '' : 'WHERE c.owner = ?'} ORDER BY c.name COLLATE NOCASE`,
      )
      .all(...params, ...(options.owner === undefined ? [] : [options.owner])) as Collection[];
  }

  get(lib: Library, id: string): Collection {
    const found = this.list(lib).find((c) => c.id === id);
    if (!found) throw new CairnError('NOT_FOUND', `No collection with id ${id}.`);
    return found;
  }

  create(lib: Library, name: string, description: string | null = null, owner = 'user'): Collection {
    const id = randomUUID();
    const now = new Date().toISOString();
    lib.raw
      .prepare('INSERT INTO collections (id, name, description, owner, created_at, updated_at, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, name, description, owner, now, now, this.#clock.now(), this.#deviceId);
    return this.get(lib, id);
  }

  rename(lib: Library, id: string, name: string): Collection {
    this.get(lib, id);
    lib.raw.prepare('UPDATE collections SET name = ?, updated_at = ?, hlc = ? WHERE id = ?').run(name, new Date().toISOString(), this.#clock.now(), id);
    return this.get(lib, id);
  }

  delete(lib: Library, id: string): void {
    if (lib.raw.prepare('DELETE FROM collections WHERE id = ?').run(id).changes === 0) {
      throw new CairnError('NOT_FOUND', `No collection with id ${id}.`);
    }
  }

  /** Adds items; ones already present are skipped. All or nothing: an unknown item fails the call. */
  addItems(lib: Library, id: string, items: ItemRef[]): number {
    this.get(lib, id);
    return lib.raw.transaction(() => {
      let position = (lib.raw.prepare('SELECT coalesce(max(position), -1) AS p FROM collection_items WHERE collection_id = ?').get(id) as { p: number }).p;
      let added = 0;
      const now = new Date().toISOString();
      for (const item of items) {
        const { column, table, value } = itemColumns(item);
        if (!lib.raw.prepare(`SELECT 1 FROM ${table} WHERE uuid = ?`).get(value)) {
          throw new CairnError('NOT_FOUND', `Cannot add to the collection: no ${column.replace('_uuid', '')} with id ${value}.`);
        }
        const exists = lib.raw.prepare(`SELECT 1 FROM collection_items WHERE collection_id = ? AND ${column} = ?`).get(id, value);
        if (exists) continue;
        lib.raw
          .prepare(`INSERT INTO collection_items (collection_id, ${column}, position, added_at, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?)`)
          .run(id, value, ++position, now, this.#clock.now(), this.#deviceId);
        added++;
      }
      lib.raw.prepare('UPDATE collections SET updated_at = ?, hlc = ? WHERE id = ?').run(now, this.#clock.now(), id);
      return added;
    })();
  }

  removeItems(lib: Library, id: string, items: ItemRef[]): number {
    this.get(lib, id);
    return lib.raw.transaction(() => {
      let removed = 0;
      for (const item of items) {
        const { column, value } = itemColumns(item);
        removed += lib.raw.prepare(`DELETE FROM collection_items WHERE collection_id = ? AND ${column} = ?`).run(id, value).changes;
      }
      return removed;
    })();
  }

  /** A page of items in order. Contents are shown through one of their entries, when they have one. */
  /**
   * A page of a collection's items in order, each with the entry a list shows for it. With `visibleTo` (an
   * extension id) the page and the total hold only items that extension may see: entries and contents with a
   * copy in the connection's `entries` (on an extension's connection, the view scoped to its grants) and
   * models it owns. Fails with `NOT_FOUND` for an unknown collection.
   *
   * @example
   * const { items, total } = collections.items(lib, collectionId, 0, 50);
   */
  items(lib: Library, id: string, offset: number, limit: number, options: { visibleTo?: string } = {}) {
    this.get(lib, id);
    const visible = options.visibleTo === undefined ? '' : `AND ${VISIBLE_ITEM_SQL}`;
    const params = options.visibleTo === undefined ? [] : [options.visibleTo];
    const rows = lib.raw
      .prepare(
        `SELECT i.entry_uuid, i.content_uuid, i.model_uuid,
                coalesce(i.entry_uuid, (SELECT e.uuid FROM entries e WHERE e.content_uuid = i.content_uuid ORDER BY e.id LIMIT 1)) AS shown_entry
         FROM collection_items i WHERE i.collection_id = ? ${visible} ORDER BY i.position LIMIT ? OFFSET ?`,
      )
      .all(id, ...params, limit, offset) as { entry_uuid: string | null; content_uuid: string | null; model_uuid: string | null; shown_entry: string | null }[];
    const summaries = new Map(summariesByUuid(lib, rows.flatMap((r) => (r.shown_entry ? [r.shown_entry] : []))).map((s) => [s.id, s]));
    const { n } = lib.raw.prepare(`SELECT count(*) AS n FROM collection_items i WHERE i.collection_id = ? ${visible}`).get(id, ...params) as { n: number };
    return {
      items: rows.map((r) => ({
        kind: r.entry_uuid ? ('entry' as const) : r.content_uuid ? ('content' as const) : ('model' as const),
        id: (r.entry_uuid ?? r.content_uuid ?? r.model_uuid)!,
        entry: r.shown_entry ? (summaries.get(r.shown_entry) ?? null) : null,
      })),
      total: n,
    };
  }
}
