import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Library } from '../library/library.js';
import { SearchIndexInserts } from '../search/search-deferral.js';

export interface SeedFile {
  /** Path inside the location, `/`-separated; parent folders are created as entries. */
  relPath: string;
  /** Files with the same content share one content identity. Omit for no content identity yet. */
  content?: string;
  size?: number;
  fileKind?: string;
  modifiedAt?: number;
}

/**
 * Writes entries (and their folders and content identities) straight into a real library database,
 * for tests of the read side (lists, search, tags) that do not need the indexer. Returns
 * relPath → entry uuid, and content label → content uuid.
 */
export function seedEntries(lib: Library, locationId: string, files: SeedFile[], deviceId = 'test-device') {
  const entryIds = new Map<string, string>();
  const rowIds = new Map<string, number>();
  const contentIds = new Map<string, string>();
  const now = new Date().toISOString();
  const insertEntry = lib.raw.prepare(
    `INSERT INTO entries (uuid, location_id, parent_id, rel_path, name, kind, extension, size, modified_at, content_uuid, file_kind, indexed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertContent = lib.raw.prepare(
    `INSERT INTO content_identities (uuid, content_hash, kind, mime, total_size, entry_count, first_seen_at, hlc, device_id) VALUES (?, ?, ?, NULL, ?, 0, ?, ?, ?)`,
  );
  // As the indexer does: rows of a location whose search indexing is deferred wait for the fill.
  const search = new SearchIndexInserts(lib.raw);
  const ensureDir = (rel: string): number | null => {
    if (rel === '.' || rel === '') return null;
    const known = rowIds.get(rel);
    if (known !== undefined) return known;
    const parent = ensureDir(path.posix.dirname(rel));
    const uuid = randomUUID();
    const r = insertEntry.run(uuid, locationId, parent, rel, path.posix.basename(rel), 'dir', null, 0, Date.now(), null, null, Date.now());
    const id = Number(r.lastInsertRowid);
    search.add(id, path.posix.basename(rel), rel);
    rowIds.set(rel, id);
    entryIds.set(rel, uuid);
    return id;
  };
  lib.raw.transaction(() => {
    search.begin(locationId);
    for (const file of files) {
      const parent = ensureDir(path.posix.dirname(file.relPath));
      let contentUuid: string | null = null;
      if (file.content !== undefined) {
        contentUuid = contentIds.get(file.content) ?? null;
        if (!contentUuid) {
          contentUuid = randomUUID();
          const hash = createHash('sha256').update(file.content).digest('hex').slice(0, 16);
          insertContent.run(contentUuid, hash, file.fileKind ?? 'unknown', file.size ?? file.content.length, now, `0-${deviceId}`, deviceId);
          contentIds.set(file.content, contentUuid);
        }
      }
      const uuid = randomUUID();
      const name = path.posix.basename(file.relPath);
      const ext = name.includes('.') ? name.split('.').pop()!.toLowerCase() : null;
      const r = insertEntry.run(uuid, locationId, parent, file.relPath, name, 'file', ext, file.size ?? file.content?.length ?? 0, file.modifiedAt ?? Date.now(), contentUuid, file.fileKind ?? 'unknown', Date.now());
      rowIds.set(file.relPath, Number(r.lastInsertRowid));
      search.add(Number(r.lastInsertRowid), name, file.relPath);
      entryIds.set(file.relPath, uuid);
    }
    lib.raw.prepare('UPDATE content_identities SET entry_count = (SELECT count(*) FROM entries e WHERE e.content_uuid = content_identities.uuid)').run();
  })();
  return { entryIds, contentIds };
}
