import { sql, type Kysely } from 'kysely';

/**
 * Installed extensions and what the user granted them, per library.
 * The package files live in `<library>/extensions/<id>/<version>/`; these rows say which version is
 * active, whether it is enabled, and the grants (see `PermissionGrant` in src-shared/extensions).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    `CREATE TABLE extension_installs (
      id TEXT PRIMARY KEY,
      version TEXT NOT NULL,
      previous_version TEXT,
      manifest TEXT NOT NULL,
      enabled INTEGER NOT NULL DEFAULT 1,
      -- active: runs; held: an upgrade awaits consent to new permissions; revoked: the catalog revoked this version
      state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'held', 'revoked')),
      state_reason TEXT,
      pending_version TEXT,
      package_sha256 TEXT NOT NULL,
      signed_by TEXT,
      installed_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
    `CREATE TABLE extension_grants (
      extension_id TEXT PRIMARY KEY REFERENCES extension_installs(id) ON DELETE CASCADE,
      grants TEXT NOT NULL DEFAULT '[]',
      updated_at TEXT NOT NULL
    )`,
    `CREATE TABLE extension_settings (
      extension_id TEXT PRIMARY KEY REFERENCES extension_installs(id) ON DELETE CASCADE,
      settings TEXT NOT NULL DEFAULT '{}',
      updated_at TEXT NOT NULL
    )`,
    // Storage used by each extension's models and blobs, kept in step by the bridge for quotas.
    `CREATE TABLE extension_usage (
      extension_id TEXT PRIMARY KEY,
      model_count INTEGER NOT NULL DEFAULT 0,
      model_bytes INTEGER NOT NULL DEFAULT 0,
      blob_bytes INTEGER NOT NULL DEFAULT 0
    )`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['extension_usage', 'extension_settings', 'extension_grants', 'extension_installs']) await sql.raw(`DROP TABLE IF EXISTS ${t}`).execute(db);
}
