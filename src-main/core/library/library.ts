import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely';
import { CairnError } from '../../../src-shared/errors.js';
import { migrationNames, migrations } from '../../../migrations/index.js';
import { openDatabase, translateSqliteError } from '../db/open-database.js';
import type { LibraryDatabase } from '../db/schema.js';

/** File and folder names inside a library folder. */
export const LIBRARY_DB = 'library.db';
export const LIBRARY_SUBFOLDERS = ['sidecars', 'logs', 'extensions'] as const;

const staticProvider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * One open library: a folder holding `library.db` (SQLite, WAL), `sidecars/`, `logs/` and `extensions/`.
 *
 * @example
 * const lib = await Library.create('/home/me/.local/share/Cairn/libraries/abc', { name: 'Photos', deviceId });
 * await lib.close();
 */
export class Library {
  readonly id: string;
  readonly path: string;
  readonly db: Kysely<LibraryDatabase>;
  readonly raw: BetterSqlite3.Database;
  #name: string;
  #createdAt: string;
  #closed = false;

  private constructor(args: {
    id: string;
    path: string;
    name: string;
    createdAt: string;
    db: Kysely<LibraryDatabase>;
    raw: BetterSqlite3.Database;
  }) {
    this.id = args.id;
    this.path = args.path;
    this.#name = args.name;
    this.#createdAt = args.createdAt;
    this.db = args.db;
    this.raw = args.raw;
  }

  get name(): string {
    return this.#name;
  }
  get createdAt(): string {
    return this.#createdAt;
  }
  get dbFile(): string {
    return path.join(this.path, LIBRARY_DB);
  }
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Creates a new library in `folder`, which must not exist or be empty. Never writes over existing data.
   *
   * Fails with `CONFLICT` when the folder holds anything already.
   */
  static async create(folder: string, options: { name: string; id?: string }): Promise<Library> {
    const abs = path.resolve(folder);
    if (fs.existsSync(abs)) {
      const stat = fs.statSync(abs);
      if (!stat.isDirectory() || fs.readdirSync(abs).length > 0) {
        throw new CairnError('CONFLICT', `Cannot create a library in ${abs}: the folder is not empty.`);
      }
    }
    fs.mkdirSync(abs, { recursive: true });
    for (const sub of LIBRARY_SUBFOLDERS) fs.mkdirSync(path.join(abs, sub), { recursive: true });
    const id = options.id ?? randomUUID();
    const createdAt = new Date().toISOString();
    const { db, raw } = openDatabase(path.join(abs, LIBRARY_DB), { create: true });
    try {
      await migrate(db, abs);
      await db
        .insertInto('library_info')
        .values([
          { key: 'id', value: id },
          { key: 'name', value: options.name },
          { key: 'created_at', value: createdAt },
        ])
        .execute();
    } catch (error) {
      await db.destroy();
      throw error;
    }
    return new Library({ id, path: abs, name: options.name, createdAt, db, raw });
  }

  /**
   * Opens an existing library folder and brings its schema up to date.
   *
   * Fails with `NOT_FOUND` (no such folder), `NOT_A_LIBRARY` (no library.db or no identity in it),
   * `LIBRARY_CORRUPT` (not a SQLite file or damaged), or `LIBRARY_TOO_NEW` (written by a newer Cairn).
   * It never creates or rewrites anything in a folder that fails these checks.
   */
  static async open(folder: string): Promise<Library> {
    const abs = path.resolve(folder);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      throw new CairnError('NOT_FOUND', `No library at ${abs}: the folder does not exist.`);
    }
    if (!stat.isDirectory()) {
      throw new CairnError('NOT_A_LIBRARY', `${abs} is a file, not a Cairn library folder.`);
    }
    const dbFile = path.join(abs, LIBRARY_DB);
    if (!fs.existsSync(dbFile)) {
      throw new CairnError('NOT_A_LIBRARY', `${abs} is not a Cairn library: it has no ${LIBRARY_DB}.`);
    }
    const { db, raw } = openDatabase(dbFile, { create: false });
    try {
      await refuseNewerSchema(raw, abs);
      const hasInfo = raw
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'library_info'")
        .get();
      if (!hasInfo) {
        throw new CairnError('NOT_A_LIBRARY', `${abs} holds a SQLite database that is not a Cairn library.`);
      }
      await migrate(db, abs);
      const rows = raw.prepare('SELECT key, value FROM library_info').all() as { key: string; value: string }[];
      const info = new Map(rows.map((r) => [r.key, r.value]));
      const id = info.get('id');
      const name = info.get('name');
      if (!id || !name) {
        throw new CairnError('LIBRARY_CORRUPT', `The library at ${abs} has lost its identity (library_info is empty).`);
      }
      for (const sub of LIBRARY_SUBFOLDERS) fs.mkdirSync(path.join(abs, sub), { recursive: true });
      return new Library({ id, path: abs, name, createdAt: info.get('created_at') ?? '', db, raw });
    } catch (error) {
      await db.destroy().catch(() => undefined);
      throw error instanceof CairnError ? error : translateSqliteError(error, dbFile);
    }
  }

  /** Renames the library. The name lives inside library.db, so it travels with the folder. */
  async rename(name: string): Promise<void> {
    await this.db.updateTable('library_info').set({ value: name }).where('key', '=', 'name').execute();
    this.#name = name;
  }

  /** Closes the database. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.db.destroy();
  }
}

/** Refuses libraries whose migration table names migrations this build does not know. */
async function refuseNewerSchema(raw: BetterSqlite3.Database, folder: string): Promise<void> {
  const table = raw
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'")
    .get();
  if (!table) return;
  const applied = (raw.prepare('SELECT name FROM kysely_migration').all() as { name: string }[]).map((r) => r.name);
  const known = new Set(migrationNames);
  const unknown = applied.filter((n) => !known.has(n)).sort();
  if (unknown.length > 0) {
    throw new CairnError(
      'LIBRARY_TOO_NEW',
      `The library at ${folder} was written by a newer version of Cairn (schema ${unknown.at(-1)}; this version knows up to ${migrationNames.at(-1)}). Update Cairn to open it.`,
    );
  }
}

async function migrate(db: Kysely<LibraryDatabase>, folder: string): Promise<void> {
  const migrator = new Migrator({ db, provider: staticProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new CairnError('LIBRARY_CORRUPT', `Could not upgrade the library at ${folder} (migration ${failed}): ${(error as Error).message}`, {
      cause: error,
    });
  }
  await sql`PRAGMA optimize`.execute(db);
}
