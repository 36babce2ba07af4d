import { sql, type Kysely } from 'kysely';

/**
 * Foundation: facts about the library itself, and the folders (locations) it indexes.
 * Migrations are append-only: never edit one that has shipped, add a new file instead.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('library_info')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('locations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('path', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    // Per-location indexer rules (JSON); filled in by the indexer's migration defaults.
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();

  await sql`CREATE INDEX locations_device ON locations(device_id)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('locations').execute();
  await db.schema.dropTable('library_info').execute();
}
