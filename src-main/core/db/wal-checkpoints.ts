import type BetterSqlite3 from 'better-sqlite3';

// SQLite copies the WAL back into the database every 1,000 pages by default; while a first index writes a
// large location that is a copy every few batches, about a quarter of the write time.
const BULK_WAL_AUTOCHECKPOINT = 16_384;
const DEFAULT_WAL_AUTOCHECKPOINT = 1_000;

/**
 * Lets the WAL of `db` grow to ~64 MiB between automatic checkpoints, for a bulk write made of many small
 * transactions (each still durable on its own). The setting belongs to the connection, which others share:
 * pair every call with {@link restoreWalCheckpoints} in a `finally`. Never throws on an open connection.
 *
 * @example
 * relaxWalCheckpoints(db); try { writeBatches(); } finally { restoreWalCheckpoints(db); }
 */
export function relaxWalCheckpoints(db: BetterSqlite3.Database): void {
  db.pragma(`wal_autocheckpoint = ${BULK_WAL_AUTOCHECKPOINT}`);
}

/**
 * Puts the default automatic checkpoint back and runs one passive checkpoint (it copies what it can without
 * waiting for readers, so it never blocks). Never throws on an open connection.
 *
 * @example
 * restoreWalCheckpoints(db);
 */
export function restoreWalCheckpoints(db: BetterSqlite3.Database): void {
  db.pragma(`wal_autocheckpoint = ${DEFAULT_WAL_AUTOCHECKPOINT}`);
  db.pragma('wal_checkpoint(PASSIVE)');
}
