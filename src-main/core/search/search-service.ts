import type { EntrySummary, ParsedInputOf } from '../../../src-shared/contract/index.js';
import { CairnError } from '../../../src-shared/errors.js';
import { ENTRY_SUMMARY_COLUMNS, HAS_TAG_SQL, toEntrySummary, type EntrySummaryRow } from '../entries/entry-summary-sql.js';
import { WhereBuilder } from '../entries/entry-queries.js';
import type { Library } from '../library/library.js';

/** Counting every match of a very common word is slow and useless; totals stop here ("2,000+"). */
export const SEARCH_COUNT_CAP = 2_000;
/** Up to this many matches are ordered by relevance (bm25); beyond it, newest first. */
export const RANK_LIMIT = 300;

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
 * Keyword search over entry names and the folders above them (FTS5, prefix matching, diacritics folded),
 * with filters for kind, tag (including child tags), modification date range and location.
 * Up to {@link RANK_LIMIT} matches are ordered by relevance; more than that, newest first, streamed
 * straight from the index so that a common word over a million names stays fast. Totals are counted up
 * to {@link SEARCH_COUNT_CAP}.
 *
 * @example
 * searchEntries(lib, { libraryId, query: 'beach', fileKind: 'image', offset: 0, limit: 50 });
 */
export function searchEntries(lib: Library, input: ParsedInputOf<'search.entries'>): { items: EntrySummary[]; total: number; totalCapped: boolean } {
  const filters = new WhereBuilder();
  if (input.fileKind) filters.add('e.file_kind = ?', input.fileKind);
  if (input.locationId) filters.add('e.location_id = ?', input.locationId);
  if (input.tagId) filters.add(HAS_TAG_SQL, input.tagId, input.tagId);
  if (input.from) filters.add('e.modified_at >= ?', toEpochMs(input.from, 'from'));
  if (input.to) filters.add('e.modified_at < ?', toEpochMs(input.to, 'to'));
  const fts = toFtsQuery(input.query);
  if (!fts && filters.clauses.length === 0) return { items: [], total: 0, totalCapped: false };

  let n: number;
  let rows: EntrySummaryRow[];
  if (fts) {
    const extra = filters.clauses.map((c) => `AND ${c}`).join(' ');
    // Without other filters the count never touches the entries table.
    const counted = (filters.clauses.length === 0
      ? lib.raw.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM entries_fts WHERE entries_fts MATCH ? LIMIT ?)').get(fts, SEARCH_COUNT_CAP + 1)
      : lib.raw
          .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM entries_fts f JOIN entries e ON e.id = f.rowid WHERE entries_fts MATCH ? ${extra} LIMIT ?)`)
          .get(fts, ...filters.params, SEARCH_COUNT_CAP + 1)) as { n: number };
    n = counted.n;
    const order = n <= RANK_LIMIT ? 'f.rank' : 'f.rowid DESC';
    rows = lib.raw
      .prepare(
        `SELECT ${ENTRY_SUMMARY_COLUMNS} FROM entries_fts f JOIN entries e ON e.id = f.rowid LEFT JOIN entries p ON p.id = e.parent_id
         WHERE entries_fts MATCH ? ${extra} ORDER BY ${order} LIMIT ? OFFSET ?`,
      )
      .all(fts, ...filters.params, input.limit, input.offset) as EntrySummaryRow[];
  } else {
    n = (lib.raw.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM entries e ${filters.sql} LIMIT ?)`).get(...filters.params, SEARCH_COUNT_CAP + 1) as { n: number }).n;
    rows = lib.raw
      .prepare(`SELECT ${ENTRY_SUMMARY_COLUMNS} FROM entries e LEFT JOIN entries p ON p.id = e.parent_id ${filters.sql} ORDER BY e.modified_at DESC, e.id DESC LIMIT ? OFFSET ?`)
      .all(...filters.params, input.limit, input.offset) as EntrySummaryRow[];
  }
  return { items: rows.map(toEntrySummary), total: Math.min(n, SEARCH_COUNT_CAP), totalCapped: n > SEARCH_COUNT_CAP };
}
