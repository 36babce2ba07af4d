import { sql, type Kysely } from 'kysely';

/**
 * The VDFS data model: entries (device-owned), content identities (shared), user metadata, tags,
 * collections, sidecars, media data, extension models and metadata blobs, keyword search, and the
 * indexer's per-entry errors. Shared rows carry sync metadata (HLC timestamp, device id, strategy).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    // A content identity is shared by every copy of the same bytes, on every device.
    `CREATE TABLE content_identities (
      uuid TEXT PRIMARY KEY,
      content_hash TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL,
      mime TEXT,
      total_size INTEGER NOT NULL,
      entry_count INTEGER NOT NULL DEFAULT 0,
      first_seen_at TEXT NOT NULL,
      hlc TEXT NOT NULL,
      device_id TEXT NOT NULL,
      sync_strategy TEXT NOT NULL DEFAULT 'shared' CHECK (sync_strategy IN ('shared', 'device_owned'))
    )`,
    // An entry is a path on this device: file, folder or symlink (device-owned).
    `CREATE TABLE entries (
      id INTEGER PRIMARY KEY,
      uuid TEXT NOT NULL UNIQUE,
      location_id TEXT NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
      parent_id INTEGER REFERENCES entries(id) ON DELETE CASCADE,
      rel_path TEXT NOT NULL,
      name TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('file', 'dir', 'symlink')),
      extension TEXT,
      size INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER,
      modified_at INTEGER,
      inode TEXT,
      content_uuid TEXT REFERENCES content_identities(uuid) ON DELETE SET NULL,
      file_kind TEXT,
      mime TEXT,
      aggregate_size INTEGER,
      child_count INTEGER,
      name_is_lossy INTEGER NOT NULL DEFAULT 0,
      -- ms since epoch. Entries are device-owned: their device is their location's device_id, and they
      -- sync as state, so they carry no per-row HLC (which would cost ~60 bytes on every one of millions).
      indexed_at INTEGER NOT NULL,
      UNIQUE (location_id, rel_path)
    )`,
    `CREATE INDEX entries_parent ON entries(parent_id)`,
    `CREATE INDEX entries_content ON entries(content_uuid)`,
    `CREATE INDEX entries_inode ON entries(inode)`,
    `CREATE INDEX entries_file_kind ON entries(file_kind)`,
    `CREATE INDEX entries_modified ON entries(modified_at)`,

    // Notes, favourite, hidden, custom data: for exactly one entry or one content, never both.
    `CREATE TABLE user_metadata (
      id INTEGER PRIMARY KEY,
      uuid TEXT NOT NULL UNIQUE,
      entry_uuid TEXT REFERENCES entries(uuid) ON DELETE CASCADE,
      content_uuid TEXT REFERENCES content_identities(uuid) ON DELETE CASCADE,
      notes TEXT,
      favorite INTEGER NOT NULL DEFAULT 0,
      hidden INTEGER NOT NULL DEFAULT 0,
      custom_data TEXT NOT NULL DEFAULT '{}',
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      hlc TEXT NOT NULL,
      device_id TEXT NOT NULL,
      sync_strategy TEXT NOT NULL CHECK (sync_strategy IN ('shared', 'device_owned')),
      CHECK ((entry_uuid IS NOT NULL AND content_uuid IS NULL) OR (entry_uuid IS NULL AND content_uuid IS NOT NULL))
    )`,
    `CREATE UNIQUE INDEX user_metadata_entry ON user_metadata(entry_uuid) WHERE entry_uuid IS NOT NULL`,
    `CREATE UNIQUE INDEX user_metadata_content ON user_metadata(content_uuid) WHERE content_uuid IS NOT NULL`,

    // Tags form a hierarchy; a name is unique among its siblings.
    `CREATE TABLE tags (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      parent_id TEXT REFERENCES tags(id) ON DELETE RESTRICT,
      color TEXT,
      created_at TEXT NOT NULL,
      hlc TEXT NOT NULL,
      device_id TEXT NOT NULL,
      sync_strategy TEXT NOT NULL DEFAULT 'shared' CHECK (sync_strategy IN ('shared', 'device_owned'))
    )`,
    `CREATE UNIQUE INDEX tags_sibling_name ON tags(coalesce(parent_id, ''), name)`,
    `CREATE INDEX tags_parent ON tags(parent_id)`,
    // A tag applied to an entry or a content (through its user_metadata row), with its source.
    `CREATE TABLE tag_applications (
      id INTEGER PRIMARY KEY,
      tag_id TEXT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
      metadata_id INTEGER NOT NULL REFERENCES user_metadata(id) ON DELETE CASCADE,
      source TEXT NOT NULL CHECK (source IN ('user', 'ai', 'extension')),
      source_id TEXT,
      confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
      created_at TEXT NOT NULL,
      hlc TEXT NOT NULL,
      device_id TEXT NOT NULL,
      sync_strategy TEXT NOT NULL DEFAULT 'shared' CHECK (sync_strategy IN ('shared', 'device_owned')),
      UNIQUE (tag_id, metadata_id)
    )`,
    `CREATE INDEX tag_applications_metadata ON tag_applications(metadata_id)`,

    `CREATE TABLE collections (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      description TEXT,
      owner TEXT NOT NULL DEFAULT 'user',
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      hlc TEXT NOT NULL,
      device_id TEXT NOT NULL,
      sync_strategy TEXT NOT NULL DEFAULT 'shared' CHECK (sync_strategy IN ('shared', 'device_owned'))
    )`,
    // A collection item is exactly one of: an entry, a content, a model.
    `CREATE TABLE collection_items (
      id INTEGER PRIMARY KEY,
      collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
      entry_uuid TEXT REFERENCES entries(uuid) ON DELETE CASCADE,
      content_uuid TEXT REFERENCES content_identities(uuid) ON DELETE CASCADE,
      model_uuid TEXT REFERENCES models(uuid) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      added_at TEXT NOT NULL,
      hlc TEXT NOT NULL,
      device_id TEXT NOT NULL,
      CHECK (
        (entry_uuid IS NOT NULL AND content_uuid IS NULL AND model_uuid IS NULL) OR
        (entry_uuid IS NULL AND content_uuid IS NOT NULL AND model_uuid IS NULL) OR
        (entry_uuid IS NULL AND content_uuid IS NULL AND model_uuid IS NOT NULL)
      )
    )`,
    `CREATE UNIQUE INDEX collection_items_unique ON collection_items(collection_id, coalesce(entry_uuid, ''), coalesce(content_uuid, ''), coalesce(model_uuid, ''))`,

    // Derived files (thumbnails, face crops) stored content-addressed under sidecars/.
    `CREATE TABLE sidecars (
      id INTEGER PRIMARY KEY,
      content_uuid TEXT NOT NULL REFERENCES content_identities(uuid) ON DELETE CASCADE,
      kind TEXT NOT NULL,
      variant TEXT NOT NULL DEFAULT '',
      rel_path TEXT NOT NULL,
      format TEXT NOT NULL,
      size INTEGER NOT NULL,
      extension_id TEXT,
      created_at TEXT NOT NULL,
      UNIQUE (content_uuid, kind, variant)
    )`,

    `CREATE TABLE media_data (
      content_uuid TEXT PRIMARY KEY REFERENCES content_identities(uuid) ON DELETE CASCADE,
      captured_at TEXT,
      captured_at_raw TEXT,
      camera_make TEXT,
      camera_model TEXT,
      width INTEGER,
      height INTEGER,
      orientation INTEGER,
      latitude REAL,
      longitude REAL,
      altitude REAL,
      extracted_at TEXT NOT NULL,
      hlc TEXT NOT NULL,
      device_id TEXT NOT NULL,
      sync_strategy TEXT NOT NULL DEFAULT 'shared' CHECK (sync_strategy IN ('shared', 'device_owned'))
    )`,
    `CREATE INDEX media_data_captured ON media_data(captured_at)`,
    `CREATE INDEX media_data_gps ON media_data(latitude, longitude) WHERE latitude IS NOT NULL`,

    // Extension models: exactly one of entry, content or standalone scope.
    `CREATE TABLE models (
      id INTEGER PRIMARY KEY,
      uuid TEXT NOT NULL UNIQUE,
      extension_id TEXT NOT NULL,
      model_type TEXT NOT NULL,
      data TEXT NOT NULL,
      entry_uuid TEXT REFERENCES entries(uuid) ON DELETE CASCADE,
      content_uuid TEXT REFERENCES content_identities(uuid) ON DELETE CASCADE,
      standalone INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      hlc TEXT NOT NULL,
      device_id TEXT NOT NULL,
      sync_strategy TEXT NOT NULL CHECK (sync_strategy IN ('shared', 'device_owned')),
      CHECK (
        (entry_uuid IS NOT NULL AND content_uuid IS NULL AND standalone = 0) OR
        (entry_uuid IS NULL AND content_uuid IS NOT NULL AND standalone = 0) OR
        (entry_uuid IS NULL AND content_uuid IS NULL AND standalone = 1)
      )
    )`,
    `CREATE INDEX models_extension_type ON models(extension_id, model_type)`,
    `CREATE INDEX models_entry ON models(entry_uuid)`,
    `CREATE INDEX models_content ON models(content_uuid)`,
    `CREATE TABLE model_tags (
      id INTEGER PRIMARY KEY,
      tag_id TEXT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
      model_uuid TEXT NOT NULL REFERENCES models(uuid) ON DELETE CASCADE,
      source TEXT NOT NULL CHECK (source IN ('user', 'ai', 'extension')),
      source_id TEXT,
      confidence REAL,
      created_at TEXT NOT NULL,
      hlc TEXT NOT NULL,
      device_id TEXT NOT NULL,
      UNIQUE (tag_id, model_uuid)
    )`,

    // Large values (embeddings, big JSON): content-addressed by BLAKE3, compressed, reference-counted.
    `CREATE TABLE metadata_blobs (
      id INTEGER PRIMARY KEY,
      blob_hash TEXT NOT NULL UNIQUE,
      blob_data BLOB NOT NULL,
      size_bytes INTEGER NOT NULL,
      stored_bytes INTEGER NOT NULL,
      blob_type TEXT NOT NULL,
      compression TEXT CHECK (compression IS NULL OR compression IN ('zstd')),
      reference_count INTEGER NOT NULL DEFAULT 1 CHECK (reference_count >= 0),
      created_at TEXT NOT NULL,
      last_accessed_at TEXT NOT NULL
    )`,
    `CREATE INDEX metadata_blobs_type ON metadata_blobs(blob_type)`,
    `CREATE TABLE model_blobs (
      model_uuid TEXT NOT NULL REFERENCES models(uuid) ON DELETE CASCADE,
      blob_key TEXT NOT NULL,
      blob_id INTEGER NOT NULL REFERENCES metadata_blobs(id),
      PRIMARY KEY (model_uuid, blob_key)
    )`,
    `CREATE INDEX model_blobs_blob ON model_blobs(blob_id)`,
    `CREATE TABLE user_metadata_blobs (
      metadata_id INTEGER NOT NULL REFERENCES user_metadata(id) ON DELETE CASCADE,
      blob_key TEXT NOT NULL,
      blob_id INTEGER NOT NULL REFERENCES metadata_blobs(id),
      PRIMARY KEY (metadata_id, blob_key)
    )`,
    `CREATE INDEX user_metadata_blobs_blob ON user_metadata_blobs(blob_id)`,

    // Keyword search over names and the folders above them. Prefix indexes for 3 and 4 characters make
    // search-as-you-type fast: a short prefix otherwise merges the lists of every word it starts. Dashes and
    // underscores separate words, so "hopper" finds grace_hopper.jpg. Contentless FTS5 (the text already lives in
    // entries), indexing the name and the folder part of the path separately so no word is stored twice.
    `CREATE VIRTUAL TABLE entries_fts USING fts5(
      name, folder, content='', contentless_delete=1,
      tokenize = "unicode61 remove_diacritics 2",
      prefix = '3 4'
    )`,
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

    // What the indexer could not read, per entry, so the UI and CLI can show it.
    `CREATE TABLE indexer_errors (
      id INTEGER PRIMARY KEY,
      location_id TEXT NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
      rel_path TEXT NOT NULL,
      phase TEXT NOT NULL,
      code TEXT NOT NULL,
      message TEXT NOT NULL,
      at TEXT NOT NULL,
      UNIQUE (location_id, rel_path, phase)
    )`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'indexer_errors', 'entries_fts', 'user_metadata_blobs', 'model_blobs', 'metadata_blobs', 'model_tags', 'models',
    'media_data', 'sidecars', 'collection_items', 'collections', 'tag_applications', 'tags', 'user_metadata', 'entries',
    'content_identities',
  ]) {
    await sql.raw(`DROP TABLE IF EXISTS ${table}`).execute(db);
  }
}
