import { sql, type Kysely } from 'kysely';

/**
 * Deferred search indexing for a location's first index.
 *
 * Keeping the FTS5 index current row by row costs more than the row itself while a fresh location of
 * 100,000 files is written in 1,000-row transactions (every commit flushes and merges a small segment).
 * The indexer instead registers the location in `search_deferred` when it starts a first index: rows of that
 * location whose id is greater than `after_id` are left out of `entries_fts` by the triggers below, and the
 * indexer adds them in a few large statements when discovery ends, raising `after_id` as it goes and
 * deleting the row when done. Rows at or below `after_id` (and every other location) keep the per-row
 * triggers, so any writer (watcher, actions, extensions) stays correct while a deferral is open. The row is
 * durable: after a crash the resumed index job finishes the fill. Deleting the location drops it.
 *
 * Migrations are append-only: never edit one that has shipped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    `CREATE TABLE search_deferred (
      location_id TEXT PRIMARY KEY REFERENCES locations(id) ON DELETE CASCADE,
      after_id INTEGER NOT NULL
    )`,
    `DROP TRIGGER entries_fts_insert`,
    `DROP TRIGGER entries_fts_delete`,
    `DROP TRIGGER entries_fts_update`,
    `CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries
     WHEN NOT EXISTS (SELECT 1 FROM search_deferred d WHERE d.location_id = new.location_id AND new.id > d.after_id)
     BEGIN
      INSERT INTO entries_fts(rowid, name, folder) VALUES (new.id, new.name, substr(new.rel_path, 1, length(new.rel_path) - length(new.name)));
    END`,
    `CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries
     WHEN NOT EXISTS (SELECT 1 FROM search_deferred d WHERE d.location_id = old.location_id AND old.id > d.after_id)
     BEGIN
      DELETE FROM entries_fts WHERE rowid = old.id;
    END`,
    `CREATE TRIGGER entries_fts_update AFTER UPDATE OF name, rel_path ON entries
     WHEN NOT EXISTS (SELECT 1 FROM search_deferred d WHERE d.location_id = new.location_id AND new.id > d.after_id)
     BEGIN
      DELETE FROM entries_fts WHERE rowid = old.id;
      INSERT INTO entries_fts(rowid, name, folder) VALUES (new.id, new.name, substr(new.rel_path, 1, length(new.rel_path) - length(new.name)));
    END`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  const statements = [
    `DROP TRIGGER entries_fts_insert`,
    `DROP TRIGGER entries_fts_delete`,
    `DROP TRIGGER entries_fts_update`,
    `CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
      INSERT INTO entries_fts(rowid, name, folder) VALUES (new.id, new.name, substr(new.rel_path, 1, length(new.rel_path) - length(new.name)));
    END`,
    `CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
      DELETE FROM entries_fts WHERE rowid = old.id;
    END`,
    `CREATE TRIGGER entries_fts_update AFTER UPDATE OF name, rel_path ON entries BEGIN
      DELETE FROM entries_fts WHERE rowid = old.id;
      INSERT INTO entries_fts(rowid, name, folder) VALUES (new.id, new.name, substr(new.rel_path, 1, length(new.rel_path) - length(new.name)));
    END`,
    `DROP TABLE search_deferred`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);
}
