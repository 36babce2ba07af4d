import type BetterSqlite3 from 'better-sqlite3';

/** Rows added to the search index per {@link fillDeferredSearch} call by default. */
export const SEARCH_FILL_CHUNK = 25_000;

/**
 * The deferred fill's statements, `(locationId, afterId, chunk)` and `(locationId, afterId, lastId)`.
 * `+location_id` makes both a rowid range from `afterId` instead of reading (and sorting) every entry of the
 * location through its (location_id, rel_path) index for each chunk.
 */
export const SEARCH_FILL_BOUND_SQL = 'SELECT max(id) AS hi, count(*) AS n FROM (SELECT id FROM entries WHERE +location_id = ? AND id > ? ORDER BY id LIMIT ?)';
/** See {@link SEARCH_FILL_BOUND_SQL}. */
export const SEARCH_FILL_SQL = `INSERT INTO entries_fts(rowid, name, folder)
  SELECT id, name, substr(rel_path, 1, length(rel_path) - length(name)) FROM entries WHERE +location_id = ? AND id > ? AND id <= ?`;

/**
 * Leaves the rows a location gains from now on out of the search index (migration `0006_search_deferral`):
 * rows of `locationId` with an id above today's largest entry id are left out of the search index (by {@link SearchIndexInserts} and the FTS triggers) until
 * {@link fillDeferredSearch} adds them. Call it inside the transaction that writes the first of those rows.
 * A second call while a deferral is open keeps the first one's bound. Never throws for a valid location; a
 * location id that does not exist fails the foreign key.
 *
 * @example
 * db.transaction(() => { deferSearchIndexing(db, locationId); writer.applyBatch(batch, counts, ...); })();
 */
export function deferSearchIndexing(db: BetterSqlite3.Database, locationId: string): void {
  db.prepare(`INSERT OR IGNORE INTO search_deferred (location_id, after_id) SELECT ?, coalesce(max(id), 0) FROM entries`).run(locationId);
}

/** Whether a location has rows waiting for the search index. */
export function hasDeferredSearch(db: BetterSqlite3.Database, locationId: string): boolean {
  return db.prepare('SELECT 1 FROM search_deferred WHERE location_id = ?').get(locationId) !== undefined;
}

/**
 * Adds up to `chunk` of a location's deferred rows to the search index, in id order, and raises the
 * deferral's bound past them; when none are left the deferral is closed. Returns the rows added and whether
 * the location is done. Run it in a transaction (each call is one consistent step, safe to resume after a
 * crash: the bound and the index move together). With no deferral open it adds nothing and reports done.
 *
 * @example
 * while (!db.transaction(() => fillDeferredSearch(db, locationId))().done);
 */
export function fillDeferredSearch(db: BetterSqlite3.Database, locationId: string, chunk = SEARCH_FILL_CHUNK): { added: number; done: boolean } {
  const open = db.prepare('SELECT after_id FROM search_deferred WHERE location_id = ?').get(locationId) as { after_id: number } | undefined;
  if (!open) return { added: 0, done: true };
  const bound = db
    .prepare(SEARCH_FILL_BOUND_SQL)
    .get(locationId, open.after_id, chunk) as { hi: number | null; n: number };
  if (bound.hi === null) {
    db.prepare('DELETE FROM search_deferred WHERE location_id = ?').run(locationId);
    return { added: 0, done: true };
  }
  db.prepare(SEARCH_FILL_SQL).run(locationId, open.after_id, bound.hi);
  if (bound.n < chunk) {
    db.prepare('DELETE FROM search_deferred WHERE location_id = ?').run(locationId);
    return { added: bound.n, done: true };
  }
  db.prepare('UPDATE search_deferred SET after_id = ? WHERE location_id = ?').run(bound.hi, locationId);
  return { added: bound.n, done: false };
}

/**
 * Adds rows just inserted into `entries` to the search index, the way the old insert trigger did: a row of a
 * location with an open deferral ({@link deferSearchIndexing}) and an id above its bound is left for
 * {@link fillDeferredSearch}; every other row is indexed at once. Every writer of `entries` calls it for the
 * rows it inserts (renames, moves and deletes are kept in step by triggers). Call
 * {@link SearchIndexInserts.begin} once per transaction (it reads the location's deferral), then
 * {@link SearchIndexInserts.add} for each inserted row. Call `add` once per row: the contentless index does
 * not refuse a rowid it already holds. `add` throws what SQLite throws.
 *
 * @example
 * const search = new SearchIndexInserts(db);
 * db.transaction(() => {
 *   search.begin(locationId);
 *   search.add(Number(insert.run(...).lastInsertRowid), name, relPath);
 * })();
 */
export class SearchIndexInserts {
  readonly #insert: BetterSqlite3.Statement;
  readonly #bound: BetterSqlite3.Statement;
  #deferredAbove = Number.POSITIVE_INFINITY;

  constructor(db: BetterSqlite3.Database) {
    this.#insert = db.prepare('INSERT INTO entries_fts(rowid, name, folder) VALUES (?, ?, ?)');
    this.#bound = db.prepare('SELECT after_id FROM search_deferred WHERE location_id = ?').pluck();
  }

  /** The id above which rows of `locationId` wait for the fill; `Infinity` when no deferral is open. */
  deferredAbove(locationId: string): number {
    const bound = this.#bound.get(locationId) as number | undefined;
    return bound ?? Number.POSITIVE_INFINITY;
  }

  /** Starts a transaction's inserts for `locationId`: rows above its deferral bound (if any) wait for the fill. */
  begin(locationId: string): void {
    this.#deferredAbove = this.deferredAbove(locationId);
  }

  /**
   * Indexes one row by its name and its folder (`relPath` without the trailing name), unless the deferral read
   * by the last {@link SearchIndexInserts.begin} leaves it for the fill. Returns whether it was indexed.
   */
  add(id: number, name: string, relPath: string): boolean {
    if (id > this.#deferredAbove) return false;
    this.#insert.run(id, name, relPath.slice(0, relPath.length - name.length));
    return true;
  }
}
