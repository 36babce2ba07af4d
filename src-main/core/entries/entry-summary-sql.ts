import type { EntrySummary } from '../../../src-shared/contract/index.js';

/**
 * The SELECT list and joins that turn `entries` rows into {@link EntrySummary} values in one query
 * (no N+1): parent uuid, thumbnail presence and favourite flag (entry or content scope).
 * Callers append `WHERE`, `ORDER BY` and `LIMIT` to {@link ENTRY_SUMMARY_FROM}.
 */
export const ENTRY_SUMMARY_COLUMNS = `
  e.uuid AS uuid, e.location_id AS location_id, p.uuid AS parent_uuid, e.name AS name, e.rel_path AS rel_path,
  e.kind AS kind, e.file_kind AS file_kind, e.extension AS extension,
  CASE WHEN e.kind = 'dir' THEN coalesce(e.aggregate_size, 0) ELSE e.size END AS size,
  e.modified_at AS modified_at, e.content_uuid AS content_uuid,
  EXISTS (SELECT 1 FROM sidecars s WHERE s.content_uuid = e.content_uuid AND s.kind = 'thumb') AS has_thumb,
  (coalesce((SELECT favorite FROM user_metadata m WHERE m.entry_uuid = e.uuid), 0)
    OR coalesce((SELECT favorite FROM user_metadata m WHERE m.content_uuid = e.content_uuid), 0)) AS favorite`;

export const ENTRY_SUMMARY_FROM = `FROM entries e LEFT JOIN entries p ON p.id = e.parent_id`;

export interface EntrySummaryRow {
  uuid: string;
  location_id: string;
  parent_uuid: string | null;
  name: string;
  rel_path: string;
  kind: 'file' | 'dir' | 'symlink';
  file_kind: string | null;
  extension: string | null;
  size: number;
  modified_at: number | null;
  content_uuid: string | null;
  has_thumb: number;
  favorite: number;
}

/** Maps a row selected with {@link ENTRY_SUMMARY_COLUMNS} to the contract's shape. */
export function toEntrySummary(row: EntrySummaryRow): EntrySummary {
  return {
    id: row.uuid,
    locationId: row.location_id,
    parentId: row.parent_uuid,
    name: row.name,
    relPath: row.rel_path,
    kind: row.kind,
    fileKind: (row.file_kind as EntrySummary['fileKind']) ?? null,
    extension: row.extension || null,
    size: row.size,
    modifiedAt: row.modified_at === null ? null : new Date(row.modified_at).toISOString(),
    contentId: row.content_uuid,
    hasThumbnail: row.has_thumb === 1,
    favorite: row.favorite === 1,
  };
}

/** SQL for the ids of a tag and all its descendants, as a subquery; bind the tag id once. */
export const TAG_SUBTREE_SQL = `WITH RECURSIVE subtree(id) AS (SELECT ? UNION ALL SELECT t.id FROM tags t JOIN subtree s ON t.parent_id = s.id) SELECT id FROM subtree`;

/** A WHERE fragment matching entries carrying the tag (or a descendant), at entry or content scope. Binds the tag id twice. */
export const HAS_TAG_SQL = `(
  e.uuid IN (SELECT m.entry_uuid FROM tag_applications ta JOIN user_metadata m ON m.id = ta.metadata_id
             WHERE m.entry_uuid IS NOT NULL AND ta.tag_id IN (${TAG_SUBTREE_SQL}))
  OR e.content_uuid IN (SELECT m.content_uuid FROM tag_applications ta JOIN user_metadata m ON m.id = ta.metadata_id
             WHERE m.content_uuid IS NOT NULL AND ta.tag_id IN (${TAG_SUBTREE_SQL})))`;
