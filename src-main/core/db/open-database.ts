import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { CairnError } from '../../../src-shared/errors.js';
import type { LibraryDatabase } from './schema.js';

export interface OpenedDatabase {
  raw: BetterSqlite3.Database;
  db: Kysely<LibraryDatabase>;
}

/** How long a writer waits for another process's write lock before failing with LIBRARY_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens a SQLite file with the pragmas every library connection uses: WAL, a busy timeout so that two
 * processes (the app and the CLI) can share it, and foreign keys on.
 *
 * Fails with `LIBRARY_CORRUPT` when the file is not a SQLite database, and `IO` when it cannot be opened.
 *
 * @example
 * const { db, raw } = openDatabase('/libs/x/library.db', { create: false });
 */
export function openDatabase(file: string, options: { create: boolean; readonly?: boolean }): OpenedDatabase {
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(file, { fileMustExist: !options.create, readonly: options.readonly ?? false });
  } catch (error) {
    throw new CairnError('IO', `Cannot open ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    if (!options.readonly) raw.pragma('journal_mode = WAL');
    raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    raw.pragma('foreign_keys = ON');
    raw.pragma('synchronous = NORMAL');
    // A desktop library of a million entries is a few hundred MB: a 64 MiB page cache and memory-mapped
    // reads keep searches and listings off the disk path (SQLite's default cache is 2 MiB).
    raw.pragma('cache_size = -65536');
    raw.pragma('mmap_size = 268435456');
    raw.pragma('temp_store = MEMORY');
    // Reading the schema forces SQLite to look at the file header and first page.
    raw.prepare('SELECT count(*) AS n FROM sqlite_master').get();
  } catch (error) {
    raw.close();
    throw translateSqliteError(error, file);
  }
  const db = new Kysely<LibraryDatabase>({ dialect: new SqliteDialect({ database: raw }) });
  return { raw, db };
}

/** Maps better-sqlite3 error codes to Cairn's stable codes. */
export function translateSqliteError(error: unknown, file: string): CairnError {
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message ?? String(error);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT')) {
    return new CairnError(
      'LIBRARY_CORRUPT',
      `The library database ${file} is damaged (${message}). Cairn left it untouched; restore it from a backup.`,
      { cause: error },
    );
  }
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY') || code === 'SQLITE_LOCKED') {
    return new CairnError('LIBRARY_BUSY', `The library ${file} is busy in another process; try again.`, {
      cause: error,
    });
  }
  if (error instanceof CairnError) return error;
  return new CairnError('IO', `Database error in ${file}: ${message}`, { cause: error });
}
