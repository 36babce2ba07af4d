import path from 'node:path';
import type { EntryDetail, EntrySummary, ParsedInputOf } from '../../../src-shared/contract/index.js';
import { CairnError } from '../../../src-shared/errors.js';
import type { Library } from '../library/library.js';
import {
  ENTRY_SUMMARY_COLUMNS,
  ENTRY_SUMMARY_FROM,
  HAS_TAG_SQL,
  toEntrySummary,
  type EntrySummaryRow,
} from './entry-summary-sql.js';

const SORT_SQL = {
  name: 'e.name COLLATE NOCASE',
  modified: 'e.modified_at',
  size: "CASE WHEN e.kind = 'dir' THEN coalesce(e.aggregate_size, 0) ELSE e.size END",
  kind: 'e.file_kind',
} as const;

/** Builds WHERE clauses with their parameters, always parameterised. */
export class WhereBuilder {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];
  add(sql: string, ...params: unknown[]): this {
    this.clauses.push(sql);
    this.params.push(...params);
    return this;
  }
  get sql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

/**
 * Read-side queries over entries: paged listing with filters, one entry in full, and duplicates.
 * Every list is one SQL query plus one count; nothing is N+1.
 *
 * @example
 * const page = listEntries(lib, { libraryId, locationId, parentId: null, sort: 'name', descending: false, offset: 0, limit: 200 });
 */
export function listEntries(lib: Library, input: ParsedInputOf<'entries.list'>): { items: EntrySummary[]; total: number } {
  const where = new WhereBuilder();
  if (input.locationId) where.add('e.location_id = ?', input.locationId);
  if (input.parentId === null) {
    where.add('e.parent_id IS NULL');
  } else if (input.parentId !== undefined) {
    const parent = lib.raw.prepare('SELECT id, kind FROM entries WHERE uuid = ?').get(input.parentId) as { id: number; kind: string } | undefined;
    if (!parent) throw new CairnError('NOT_FOUND', `No folder with id ${input.parentId}.`);
    where.add('e.parent_id = ?', parent.id);
  }
  if (input.fileKind) where.add('e.file_kind = ?', input.fileKind);
  if (input.tagId) where.add(HAS_TAG_SQL, input.tagId, input.tagId);
  if (input.favorite === true) {
    where.add(`(e.uuid IN (SELECT entry_uuid FROM user_metadata WHERE favorite = 1 AND entry_uuid IS NOT NULL)
      OR e.content_uuid IN (SELECT content_uuid FROM user_metadata WHERE favorite = 1 AND content_uuid IS NOT NULL))`);
  }
  const direction = input.descending ? 'DESC' : 'ASC';
  // Folders first when browsing a folder, as file managers do.
  const order = `ORDER BY ${input.parentId !== undefined ? "(e.kind = 'dir') DESC, " : ''}${SORT_SQL[input.sort]} ${direction}, e.id ${direction}`;
  return page(lib, where, order, input.offset, input.limit);
}

/**
 * Runs a summary query and its count with the same WHERE. The page's ids are chosen first (sorting only the
 * sort keys), and the summary columns, with their subqueries, are computed for that page alone.
 */
export function page(lib: Library, where: WhereBuilder, order: string, offset: number, limit: number) {
  const rows = lib.raw
    .prepare(
      `WITH page AS (SELECT e.id, row_number() OVER (${order}) AS pos FROM entries e ${where.sql} ${order} LIMIT ? OFFSET ?)
       SELECT ${ENTRY_SUMMARY_COLUMNS} FROM page JOIN entries e ON e.id = page.id LEFT JOIN entries p ON p.id = e.parent_id ORDER BY page.pos`,
    )
    .all(...where.params, limit, offset) as EntrySummaryRow[];
  const { n } = lib.raw.prepare(`SELECT count(*) AS n FROM entries e ${where.sql}`).get(...where.params) as { n: number };
  return { items: rows.map(toEntrySummary), total: n };
}

/** Summaries for a list of entry uuids, in the given order (unknown ids are skipped). */
export function summariesByUuid(lib: Library, uuids: string[]): EntrySummary[] {
  if (uuids.length === 0) return [];
  const rows = lib.raw
    .prepare(`SELECT ${ENTRY_SUMMARY_COLUMNS} ${ENTRY_SUMMARY_FROM} WHERE e.uuid IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(uuids)) as EntrySummaryRow[];
  const byId = new Map(rows.map((r) => [r.uuid, toEntrySummary(r)]));
  return uuids.flatMap((id) => byId.get(id) ?? []);
}

/** One entry with everything the inspector shows. Fails with `NOT_FOUND`. */
export function getEntry(lib: Library, entryUuid: string): EntryDetail {
  const row = lib.raw
    .prepare(`SELECT ${ENTRY_SUMMARY_COLUMNS}, e.id AS row_id, l.path AS location_path ${ENTRY_SUMMARY_FROM} JOIN locations l ON l.id = e.location_id WHERE e.uuid = ?`)
    .get(entryUuid) as (EntrySummaryRow & { row_id: number; location_path: string }) | undefined;
  if (!row) throw new CairnError('NOT_FOUND', `No entry with id ${entryUuid}.`);
  const entry = toEntrySummary(row);

  const content = row.content_uuid
    ? (lib.raw
        .prepare('SELECT uuid AS id, content_hash AS hash, kind, mime, total_size AS size, entry_count AS entryCount FROM content_identities WHERE uuid = ?')
        .get(row.content_uuid) as EntryDetail['content'])
    : null;

  const metadata = lib.raw
    .prepare(
      `SELECT CASE WHEN entry_uuid IS NOT NULL THEN 'entry' ELSE 'content' END AS scope, notes, favorite, hidden
       FROM user_metadata WHERE entry_uuid = ? OR (content_uuid IS NOT NULL AND content_uuid = ?)`,
    )
    .all(entryUuid, row.content_uuid) as { scope: 'entry' | 'content'; notes: string | null; favorite: number; hidden: number }[];
  // The entry's own note wins over the content's; flags are true if set at either scope.
  const notes = metadata.find((m) => m.scope === 'entry' && m.notes !== null)?.notes ?? metadata.find((m) => m.notes !== null)?.notes ?? null;

  const tags = lib.raw
    .prepare(
      `SELECT t.id, t.name, CASE WHEN m.entry_uuid IS NOT NULL THEN 'entry' ELSE 'content' END AS scope,
              ta.source, ta.source_id AS sourceId, ta.confidence
       FROM tag_applications ta JOIN user_metadata m ON m.id = ta.metadata_id JOIN tags t ON t.id = ta.tag_id
       WHERE m.entry_uuid = ? OR (m.content_uuid IS NOT NULL AND m.content_uuid = ?)
       ORDER BY t.name COLLATE NOCASE`,
    )
    .all(entryUuid, row.content_uuid) as EntryDetail['tags'];

  const media = row.content_uuid
    ? ((lib.raw
        .prepare(
          `SELECT captured_at AS capturedAt, camera_make AS cameraMake, camera_model AS cameraModel, width, height, orientation, latitude, longitude
           FROM media_data WHERE content_uuid = ?`,
        )
        .get(row.content_uuid) as EntryDetail['media'] | undefined) ?? null)
    : null;

  const alternates = row.content_uuid
    ? (lib.raw
        .prepare(`SELECT ${ENTRY_SUMMARY_COLUMNS} ${ENTRY_SUMMARY_FROM} WHERE e.content_uuid = ? AND e.uuid <> ? ORDER BY e.rel_path LIMIT 100`)
        .all(row.content_uuid, entryUuid) as EntrySummaryRow[]).map(toEntrySummary)
    : [];

  const ancestors = (lib.raw
    .prepare(
      `WITH RECURSIVE up(id, uuid, name, parent_id, depth) AS (
         SELECT p.id, p.uuid, p.name, p.parent_id, 1 FROM entries p WHERE p.id = (SELECT parent_id FROM entries WHERE id = ?)
         UNION ALL SELECT p.id, p.uuid, p.name, p.parent_id, up.depth + 1 FROM entries p JOIN up ON p.id = up.parent_id)
       SELECT uuid AS id, name FROM up ORDER BY depth DESC`,
    )
    .all(row.row_id) as { id: string; name: string }[]);

  return {
    entry,
    absolutePath: path.join(row.location_path, row.rel_path),
    content,
    notes,
    favorite: metadata.some((m) => m.favorite === 1),
    hidden: metadata.some((m) => m.hidden === 1),
    tags,
    media,
    alternates,
    ancestors,
  };
}

/** Contents present at two or more paths, largest wasted space first, with their entries. */
export function listDuplicates(lib: Library, offset: number, limit: number) {
  const groups = lib.raw
    .prepare(
      `SELECT content_uuid AS contentId, max(size) AS size, count(*) AS count, (count(*) - 1) * max(size) AS wastedBytes
       FROM entries WHERE content_uuid IS NOT NULL AND kind = 'file'
       GROUP BY content_uuid HAVING count(*) > 1
       ORDER BY wastedBytes DESC, contentId LIMIT ? OFFSET ?`,
    )
    .all(limit, offset) as { contentId: string; size: number; count: number; wastedBytes: number }[];
  const { n } = lib.raw
    .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM entries WHERE content_uuid IS NOT NULL AND kind = 'file' GROUP BY content_uuid HAVING count(*) > 1)`)
    .get() as { n: number };
  const members = groups.length
    ? (lib.raw
        .prepare(`SELECT ${ENTRY_SUMMARY_COLUMNS} ${ENTRY_SUMMARY_FROM} WHERE e.content_uuid IN (SELECT value FROM json_each(?)) AND e.kind = 'file' ORDER BY e.rel_path`)
        .all(JSON.stringify(groups.map((g) => g.contentId))) as EntrySummaryRow[])
    : [];
  const byContent = new Map<string, EntrySummary[]>();
  for (const m of members) {
    const list = byContent.get(m.content_uuid!) ?? [];
    list.push(toEntrySummary(m));
    byContent.set(m.content_uuid!, list);
  }
  return { groups: groups.map((g) => ({ ...g, entries: byContent.get(g.contentId) ?? [] })), total: n };
}
