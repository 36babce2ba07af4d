import type { EntrySummary, ParsedInputOf } from '../../../src-shared/contract/index.js';
import { CairnError } from '../../../src-shared/errors.js';
import { ENTRY_SUMMARY_COLUMNS, HAS_TAG_SQL, toEntrySummary, type EntrySummaryRow } from '../entries/entry-summary-sql.js';
import { WhereBuilder } from '../entries/entry-queries.js';
import type { Library } from '../library/library.js';

/** Counting every match of a very common word is slow and useless; totals stop here. */
export const SEARCH_COUNT_CAP = 10_000;

/**
 * Turns what a user typed into a safe FTS5 query: words become quoted prefix terms, ANDed.
 * FTS5 operators, quotes and column filters in the input are treated as plain text, so no input
 * can break or widen the query. Returns null when nothing searchable remains.
 *
 * @example
 * toFtsQuery('beach 2024') // '"beach"* "2024"*'
 * toFtsQuery('"; DROP') // '"DROP"*'
 */
export function toFtsQuery(text: string): string | null {
  const words = text.normalize('NFC').match(/[\p{L}\p{N}_-]+/gu) ?? [];
  const terms = words.slice(0, 16).map((w) => `"${w.replaceAll('"', '')}"*`);
  return terms.length ? terms.join(' ') : null;
}

function toEpochMs(value: string, field: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CairnError('VALIDATION', `${field}: not a date`);
  return ms;
}

/**
 * Keyword search over entry names and paths (FTS5, prefix matching, diacritics folded), with filters
 * for kind, tag (including child tags), modification date range and location. Best matches first.
 *
 * @example
 * search(lib, { libraryId, query: 'beach', fileKind: 'image', offset: 0, limit: 50 });
 */
export function searchEntries(lib: Library, input: ParsedInputOf<'search.entries'>): { items: EntrySummary[]; total: number; totalCapped: boolean } {
  const where = new WhereBuilder();
  const fts = toFtsQuery(input.query);
  if (fts) where.add('e.id IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)', fts);
  if (input.fileKind) where.add('e.file_kind = ?', input.fileKind);
  if (input.locationId) where.add('e.location_id = ?', input.locationId);
  if (input.tagId) where.add(HAS_TAG_SQL, input.tagId, input.tagId);
  if (input.from) where.add('e.modified_at >= ?', toEpochMs(input.from, 'from'));
  if (input.to) where.add('e.modified_at < ?', toEpochMs(input.to, 'to'));
  if (where.clauses.length === 0) return { items: [], total: 0, totalCapped: false };

  // Rank by relevance via a join on the FTS table when there are words; otherwise newest first. With
  // words alone, only the page's worth of best-ranked rows is read (LIMIT -1 means no limit).
  const rows = fts
    ? (lib.raw
        .prepare(
          `SELECT ${ENTRY_SUMMARY_COLUMNS}
           FROM (SELECT rowid, rank FROM entries_fts WHERE entries_fts MATCH ? ORDER BY rank LIMIT ?) f
           JOIN entries e ON e.id = f.rowid LEFT JOIN entries p ON p.id = e.parent_id
           ${where.sql} ORDER BY f.rank LIMIT ? OFFSET ?`,
        )
        .all(fts, where.clauses.length === 1 ? input.offset + input.limit : -1, ...where.params, input.limit, input.offset) as EntrySummaryRow[])
    : (lib.raw
        .prepare(
          `SELECT ${ENTRY_SUMMARY_COLUMNS} FROM entries e LEFT JOIN entries p ON p.id = e.parent_id ${where.sql}
           ORDER BY e.modified_at DESC, e.id DESC LIMIT ? OFFSET ?`,
        )
        .all(...where.params, input.limit, input.offset) as EntrySummaryRow[]);
  const { n } = lib.raw
    .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM entries e ${where.sql} LIMIT ?)`)
    .get(...where.params, SEARCH_COUNT_CAP + 1) as { n: number };
  return { items: rows.map(toEntrySummary), total: Math.min(n, SEARCH_COUNT_CAP), totalCapped: n > SEARCH_COUNT_CAP };
}
