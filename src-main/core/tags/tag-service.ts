import { randomUUID } from 'node:crypto';
import type { Tag } from '../../../src-shared/contract/index.js';
import { CairnError } from '../../../src-shared/errors.js';
import type { TagSource } from '../db/vdfs-tables.js';
import type { Library } from '../library/library.js';
import { ensureMetadata, targetFor } from '../metadata/user-metadata.js';
import type { HybridLogicalClock } from '../sync/hlc.js';

export interface TagSourceInfo {
  source: TagSource;
  /** The extension id for `extension`, the model name for `ai`; null for the user. */
  sourceId: string | null;
  confidence: number | null;
}

export const USER_SOURCE: TagSourceInfo = { source: 'user', sourceId: null, confidence: null };

/**
 * The tag hierarchy and tag applications. Tagging at content scope applies to every entry with that
 * content, on every device; entry scope tags one path only. Bulk calls run in one transaction: either
 * every target is tagged or none is.
 *
 * @example
 * const tags = new TagService(clock, deviceId);
 * const vacation = tags.create(lib, 'Vacation', null);
 * tags.apply(lib, vacation.id, [entryId], 'content', USER_SOURCE);
 */
export class TagService {
  readonly #clock: HybridLogicalClock;
  readonly #deviceId: string;

  constructor(clock: HybridLogicalClock, deviceId: string) {
    this.#clock = clock;
    this.#deviceId = deviceId;
  }

  list(lib: Library): Tag[] {
    const rows = lib.raw
      .prepare(
        `WITH RECURSIVE tree(id, path) AS (
           SELECT id, name FROM tags WHERE parent_id IS NULL
           UNION ALL SELECT t.id, tree.path || '/' || t.name FROM tags t JOIN tree ON t.parent_id = tree.id)
         SELECT t.id, t.name, t.parent_id AS parentId, t.color, tree.path,
                (SELECT count(*) FROM tag_applications ta WHERE ta.tag_id = t.id) AS usage
         FROM tags t JOIN tree ON tree.id = t.id ORDER BY tree.path COLLATE NOCASE`,
      )
      .all() as Tag[];
    return rows;
  }

  get(lib: Library, tagId: string): Tag {
    const tag = this.list(lib).find((t) => t.id === tagId);
    if (!tag) throw new CairnError('NOT_FOUND', `No tag with id ${tagId}.`);
    return tag;
  }

  /** Finds a tag by name under a parent (null: top level). */
  findByName(lib: Library, name: string, parentId: string | null): Tag | null {
    const row = lib.raw.prepare("SELECT id FROM tags WHERE coalesce(parent_id, '') = ? AND name = ?").get(parentId ?? '', name) as
      | { id: string }
      | undefined;
    return row ? this.get(lib, row.id) : null;
  }

  /** Creates a tag. Fails with `NOT_FOUND` (parent) or `CONFLICT` (a sibling has that name). */
  create(lib: Library, name: string, parentId: string | null, color: string | null = null): Tag {
    if (parentId) this.#requireTag(lib, parentId);
    this.#requireFreeName(lib, name, parentId);
    const id = randomUUID();
    lib.raw
      .prepare('INSERT INTO tags (id, name, parent_id, color, created_at, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, name, parentId, color, new Date().toISOString(), this.#clock.now(), this.#deviceId);
    return this.get(lib, id);
  }

  rename(lib: Library, tagId: string, name: string): Tag {
    const tag = this.#requireTag(lib, tagId);
    if (tag.name !== name) this.#requireFreeName(lib, name, tag.parent_id);
    lib.raw.prepare('UPDATE tags SET name = ?, hlc = ? WHERE id = ?').run(name, this.#clock.now(), tagId);
    return this.get(lib, tagId);
  }

  /** Moves a tag under a new parent. Fails with `CONFLICT` when that would make a cycle or clash by name. */
  move(lib: Library, tagId: string, parentId: string | null): Tag {
    const tag = this.#requireTag(lib, tagId);
    if (parentId) {
      this.#requireTag(lib, parentId);
      const inSubtree = lib.raw
        .prepare(
          `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT t.id FROM tags t JOIN sub ON t.parent_id = sub.id) SELECT 1 FROM sub WHERE id = ?`,
        )
        .get(tagId, parentId);
      if (inSubtree) throw new CairnError('CONFLICT', `Cannot move "${tag.name}" inside itself or one of its children.`);
    }
    if ((tag.parent_id ?? null) !== parentId) this.#requireFreeName(lib, tag.name, parentId);
    lib.raw.prepare('UPDATE tags SET parent_id = ?, hlc = ? WHERE id = ?').run(parentId, this.#clock.now(), tagId);
    return this.get(lib, tagId);
  }

  /** Deletes a tag and its applications; its children move up to its parent. */
  delete(lib: Library, tagId: string): void {
    const tag = this.#requireTag(lib, tagId);
    lib.raw.transaction(() => {
      const children = lib.raw.prepare('SELECT id, name FROM tags WHERE parent_id = ?').all(tagId) as { id: string; name: string }[];
      for (const child of children) {
        const clash = lib.raw.prepare("SELECT 1 FROM tags WHERE coalesce(parent_id, '') = ? AND name = ?").get(tag.parent_id ?? '', child.name);
        if (clash) {
          throw new CairnError('CONFLICT', `Cannot delete "${tag.name}": its child "${child.name}" would clash with a tag of the same name one level up.`);
        }
        lib.raw.prepare('UPDATE tags SET parent_id = ?, hlc = ? WHERE id = ?').run(tag.parent_id, this.#clock.now(), child.id);
      }
      lib.raw.prepare('DELETE FROM tags WHERE id = ?').run(tagId);
    })();
  }

  /**
   * Applies a tag to entries (entry scope) or their contents (content scope). Returns how many new
   * applications were made (re-tagging is a no-op). All or nothing: an unknown entry, or content scope
   * on an entry without content, fails the whole call.
   */
  apply(lib: Library, tagId: string, entryIds: string[], scope: 'entry' | 'content', source: TagSourceInfo): number {
    this.#requireTag(lib, tagId);
    return lib.raw.transaction(() => {
      let applied = 0;
      const insert = lib.raw.prepare(
        `INSERT INTO tag_applications (tag_id, metadata_id, source, source_id, confidence, created_at, hlc, device_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tag_id, metadata_id) DO NOTHING`,
      );
      const now = new Date().toISOString();
      for (const target of new Set(entryIds.map((id) => JSON.stringify(targetFor(lib, id, scope))))) {
        const metadataId = ensureMetadata(lib, JSON.parse(target), this.#clock, this.#deviceId);
        applied += insert.run(tagId, metadataId, source.source, source.sourceId, source.confidence, now, this.#clock.now(), this.#deviceId).changes;
      }
      return applied;
    })();
  }

  /** Removes a tag from entries or their contents. Returns how many applications were removed. */
  remove(lib: Library, tagId: string, entryIds: string[], scope: 'entry' | 'content'): number {
    this.#requireTag(lib, tagId);
    return lib.raw.transaction(() => {
      let removed = 0;
      for (const id of new Set(entryIds)) {
        const target = targetFor(lib, id, scope);
        const column = 'entryUuid' in target ? 'entry_uuid' : 'content_uuid';
        const value = 'entryUuid' in target ? target.entryUuid : target.contentUuid;
        removed += lib.raw
          .prepare(`DELETE FROM tag_applications WHERE tag_id = ? AND metadata_id IN (SELECT id FROM user_metadata WHERE ${column} = ?)`)
          .run(tagId, value).changes;
      }
      return removed;
    })();
  }

  #requireTag(lib: Library, tagId: string): { id: string; name: string; parent_id: string | null } {
    const row = lib.raw.prepare('SELECT id, name, parent_id FROM tags WHERE id = ?').get(tagId) as
      | { id: string; name: string; parent_id: string | null }
      | undefined;
    if (!row) throw new CairnError('NOT_FOUND', `No tag with id ${tagId}.`);
    return row;
  }

  #requireFreeName(lib: Library, name: string, parentId: string | null): void {
    const clash = lib.raw.prepare("SELECT 1 FROM tags WHERE coalesce(parent_id, '') = ? AND name = ?").get(parentId ?? '', name);
    if (clash) throw new CairnError('CONFLICT', `A tag named "${name}" already exists ${parentId ? 'under that parent' : 'at the top level'}.`);
  }
}
