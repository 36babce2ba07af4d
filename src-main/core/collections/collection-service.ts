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

  list(lib: Library): Collection[] {
    return lib.raw
      .prepare(
        `SELECT c.id, c.name, c.description, c.updated_at AS updatedAt, (SELECT count(*) FROM collection_items i WHERE i.collection_id = c.id) AS itemCount
         FROM collections c ORDER BY c.name COLLATE NOCASE`,
      )
      .all() as Collection[];
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
  items(lib: Library, id: string, offset: number, limit: number) {
    this.get(lib, id);
    const rows = lib.raw
      .prepare(
        `SELECT i.entry_uuid, i.content_uuid, i.model_uuid,
                coalesce(i.entry_uuid, (SELECT e.uuid FROM entries e WHERE e.content_uuid = i.content_uuid ORDER BY e.id LIMIT 1)) AS shown_entry
         FROM collection_items i WHERE i.collection_id = ? ORDER BY i.position LIMIT ? OFFSET ?`,
      )
      .all(id, limit, offset) as { entry_uuid: string | null; content_uuid: string | null; model_uuid: string | null; shown_entry: string | null }[];
    const summaries = new Map(summariesByUuid(lib, rows.flatMap((r) => (r.shown_entry ? [r.shown_entry] : []))).map((s) => [s.id, s]));
    const { n } = lib.raw.prepare('SELECT count(*) AS n FROM collection_items WHERE collection_id = ?').get(id) as { n: number };
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
