import { CairnError } from '../../../src-shared/errors.js';
import { extensionOf } from '../indexer/file-kind.js';
import type { Library } from '../library/library.js';
import { parentRel } from './location-paths.js';

/** The columns of an entries row that file actions read. */
export interface EntryRow {
  id: number;
  uuid: string;
  location_id: string;
  parent_id: number | null;
  rel_path: string;
  name: string;
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  aggregate_size: number | null;
  content_uuid: string | null;
}

/** Everything that leaves the library with an entry subtree, so that undo can put it back. */
export interface EntrySnapshot {
  entries: Record<string, unknown>[];
  metadata: Record<string, unknown>[];
  tagApplications: Record<string, unknown>[];
  collectionItems: Record<string, unknown>[];
}

const ENTRY_COLUMNS = 'id, uuid, location_id, parent_id, rel_path, name, kind, size, aggregate_size, content_uuid';

/** One entry by uuid, or undefined. */
export function getEntryRow(lib: Library, uuid: string): EntryRow | undefined {
  return lib.raw.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE uuid = ?`).get(uuid) as EntryRow | undefined;
}

/** The folder entry at a path (undefined when it is not indexed or not a folder). */
export function getFolderAt(lib: Library, locationId: string, relPath: string): EntryRow | undefined {
  return lib.raw.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE location_id = ? AND rel_path = ? AND kind = 'dir'`).get(locationId, relPath) as
    | EntryRow
    | undefined;
}

/** The subtree below a folder, matched by path (`rel_path` starts with `folder/`). */
const BELOW = `location_id = @location AND substr(rel_path, 1, length(@prefix)) = @prefix`;

/**
 * Moves an entry row (and, for a folder, every row below it) to `newRelPath` under `newParent` (null: the
 * location's top level), keeping uuids, so tags, notes and collections follow the file. Parents' child
 * counts and folder sizes, when the indexer has computed them, follow too. Must run inside a transaction.
 */
export function relocateEntry(lib: Library, row: EntryRow, newRelPath: string, newParent: number | null): void {
  const name = newRelPath.slice(newRelPath.lastIndexOf('/') + 1);
  const extension = row.kind === 'dir' ? null : extensionOf(name) || null;
  lib.raw.prepare('UPDATE entries SET rel_path = ?, name = ?, extension = ?, parent_id = ? WHERE id = ?').run(newRelPath, name, extension, newParent, row.id);
  if (row.kind === 'dir') {
    const prefix = `${row.rel_path}/`;
    lib.raw
      .prepare(`UPDATE entries SET rel_path = @to || substr(rel_path, length(@prefix) + 1) WHERE ${BELOW}`)
      .run({ to: `${newRelPath}/`, prefix, location: row.location_id });
  }
  if (newParent !== row.parent_id) {
    const weight = row.kind === 'dir' ? (row.aggregate_size ?? 0) : row.size;
    adjustAncestors(lib, row.parent_id, -1, -weight);
    adjustAncestors(lib, newParent, 1, weight);
  }
}

/** Adds to a folder's child count and to the aggregate size of it and every folder above it (where computed). */
function adjustAncestors(lib: Library, parentId: number | null, childDelta: number, sizeDelta: number): void {
  if (parentId === null) return;
  lib.raw.prepare('UPDATE entries SET child_count = child_count + ? WHERE id = ? AND child_count IS NOT NULL').run(childDelta, parentId);
  if (sizeDelta === 0) return;
  lib.raw
    .prepare(
      `WITH RECURSIVE up(id) AS (SELECT ? UNION ALL SELECT e.parent_id FROM entries e JOIN up ON e.id = up.id WHERE e.parent_id IS NOT NULL)
       UPDATE entries SET aggregate_size = aggregate_size + ? WHERE id IN (SELECT id FROM up) AND aggregate_size IS NOT NULL`,
    )
    .run(parentId, sizeDelta);
}

/** Copies every row that removing `row` (and its subtree) would delete: entries, entry-scoped metadata, their tags and collection items. */
export function snapshotSubtree(lib: Library, row: EntryRow): EntrySnapshot {
  const params = { location: row.location_id, prefix: `${row.rel_path}/`, id: row.id };
  const entries = lib.raw
    .prepare(`SELECT * FROM entries WHERE id = @id OR (${BELOW}) ORDER BY length(rel_path), rel_path`)
    .all(params) as Record<string, unknown>[];
  const uuids = JSON.stringify(entries.map((e) => e.uuid));
  const metadata = lib.raw.prepare('SELECT * FROM user_metadata WHERE entry_uuid IN (SELECT value FROM json_each(?))').all(uuids) as Record<string, unknown>[];
  const tagApplications = lib.raw
    .prepare('SELECT * FROM tag_applications WHERE metadata_id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(metadata.map((m) => m.id))) as Record<string, unknown>[];
  const collectionItems = lib.raw
    .prepare('SELECT * FROM collection_items WHERE entry_uuid IN (SELECT value FROM json_each(?))')
    .all(uuids) as Record<string, unknown>[];
  return { entries, metadata, tagApplications, collectionItems };
}

/** Deletes an entry and its subtree (metadata, tags and collection items go with them through the foreign keys). Inside a transaction. */
export function deleteSubtree(lib: Library, row: EntryRow): number {
  const contents = lib.raw
    .prepare(`SELECT DISTINCT content_uuid AS c FROM entries WHERE (id = @id OR (${BELOW})) AND content_uuid IS NOT NULL`)
    .all({ location: row.location_id, prefix: `${row.rel_path}/`, id: row.id }) as { c: string }[];
  const deleted = lib.raw.prepare(`DELETE FROM entries WHERE id = @id OR (${BELOW})`).run({ location: row.location_id, prefix: `${row.rel_path}/`, id: row.id }).changes;
  const weight = row.kind === 'dir' ? (row.aggregate_size ?? 0) : row.size;
  adjustAncestors(lib, row.parent_id, -1, -weight);
  recountContents(lib, contents.map((c) => c.c));
  return deleted;
}

/**
 * Puts a snapshot back. Entries keep their uuids (so tags and collections find them again) but get fresh
 * row ids; parent links are remapped. Fails with `CONFLICT` when a path is taken again or the folder the
 * subtree lived in is gone. Inside a transaction.
 */
export function restoreSnapshot(lib: Library, snapshot: EntrySnapshot): void {
  const ids = new Map<number, number>();
  const root = snapshot.entries[0];
  if (!root) return;
  // The folder above is found by path, not by its old row id (which SQLite may have given to another row).
  let rootParent: number | null = null;
  if (root.parent_id !== null) {
    const folder = getFolderAt(lib, String(root.location_id), parentRel(String(root.rel_path)));
    if (!folder) throw new CairnError('CONFLICT', `The folder that held "${String(root.rel_path)}" is no longer in the library.`);
    rootParent = folder.id;
  }
  for (const e of snapshot.entries) {
    const taken = lib.raw.prepare('SELECT 1 FROM entries WHERE (location_id = ? AND rel_path = ?) OR uuid = ?').get(e.location_id, e.rel_path, e.uuid);
    if (taken) throw new CairnError('CONFLICT', `"${String(e.rel_path)}" is in the library again (re-indexed?); cannot restore its old entry.`);
    const { id, ...rest } = e;
    const parent = e === root ? rootParent : rest.parent_id === null ? null : (ids.get(rest.parent_id as number) ?? null);
    const inserted = insertRow(lib, 'entries', { ...rest, parent_id: parent });
    ids.set(id as number, inserted);
  }
  const metadataIds = new Map<number, number>();
  for (const m of snapshot.metadata) {
    const { id, ...rest } = m;
    metadataIds.set(id as number, insertRow(lib, 'user_metadata', rest));
  }
  for (const t of snapshot.tagApplications) {
    const { id: _id, ...rest } = t;
    const metadataId = metadataIds.get(rest.metadata_id as number);
    if (metadataId === undefined) continue;
    if (!lib.raw.prepare('SELECT 1 FROM tags WHERE id = ?').get(rest.tag_id)) continue; // the tag was deleted since
    insertRow(lib, 'tag_applications', { ...rest, metadata_id: metadataId });
  }
  for (const c of snapshot.collectionItems) {
    const { id: _id, ...rest } = c;
    if (!lib.raw.prepare('SELECT 1 FROM collections WHERE id = ?').get(rest.collection_id)) continue;
    insertRow(lib, 'collection_items', rest);
  }
  const weight = root.kind === 'dir' ? Number(root.aggregate_size ?? 0) : Number(root.size ?? 0);
  adjustAncestors(lib, rootParent, 1, weight);
  recountContents(lib, snapshot.entries.flatMap((e) => (typeof e.content_uuid === 'string' ? [e.content_uuid] : [])));
}

function insertRow(lib: Library, table: string, row: Record<string, unknown>): number {
  const columns = Object.keys(row);
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`;
  return Number(lib.raw.prepare(sql).run(row).lastInsertRowid);
}

function recountContents(lib: Library, contentIds: string[]): void {
  if (contentIds.length === 0) return;
  lib.raw
    .prepare(
      `UPDATE content_identities SET entry_count = (SELECT count(*) FROM entries e WHERE e.content_uuid = content_identities.uuid)
       WHERE uuid IN (SELECT value FROM json_each(?))`,
    )
    .run(JSON.stringify([...new Set(contentIds)]));
}
