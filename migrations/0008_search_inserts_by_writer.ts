import { sql, type Kysely } from 'kysely';

/**
 * New entries reach the search index from the code that inserts them (`SearchIndexInserts` in
 * `src-main/core/search/search-deferral.ts`), not from a per-row trigger: a trigger runs a sub-program for every
 * inserted row even when its WHEN clause skips it, which cost about a fifth of a first index's writes, where
 * every row is skipped (deferred) anyway. Updates and deletes keep their triggers (rows cascade-deleted with a
 * folder or a location still leave the index in the same statement). Existing rows are already indexed.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP TRIGGER entries_fts_insert').execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries
     WHEN NOT EXISTS (SELECT 1 FROM search_deferred d WHERE d.location_id = new.location_id AND new.id > d.after_id)
     BEGIN
      INSERT INTO entries_fts(rowid, name, folder) VALUES (new.id, new.name, substr(new.rel_path, 1, length(new.rel_path) - length(new.name)));
    END`,
    )
    .execute(db);
}
