import type { Generated } from 'kysely';

/** Sync metadata every shared row carries (see docs/architecture.md, "Sync metadata"). */
export interface SyncColumns {
  hlc: string;
  device_id: string;
}
export type SyncStrategy = 'shared' | 'device_owned';

export interface ContentIdentitiesTable extends SyncColumns {
  uuid: string;
  content_hash: string;
  kind: string;
  mime: string | null;
  total_size: number;
  entry_count: Generated<number>;
  first_seen_at: string;
  sync_strategy: Generated<SyncStrategy>;
}

export type EntryKind = 'file' | 'dir' | 'symlink';

/** Device-owned: an entry's device is its location's `device_id`; entries sync as state, not per-row HLC. */
export interface EntriesTable {
  id: Generated<number>;
  uuid: string;
  location_id: string;
  parent_id: number | null;
  rel_path: string;
  name: string;
  kind: EntryKind;
  extension: string | null;
  size: number;
  created_at: number | null;
  modified_at: number | null;
  inode: string | null;
  content_uuid: string | null;
  file_kind: string | null;
  mime: string | null;
  aggregate_size: number | null;
  child_count: number | null;
  name_is_lossy: Generated<number>;
  /** ms since epoch */
  indexed_at: number;
}

export interface UserMetadataTable extends SyncColumns {
  id: Generated<number>;
  uuid: string;
  entry_uuid: string | null;
  content_uuid: string | null;
  notes: string | null;
  favorite: Generated<number>;
  hidden: Generated<number>;
  custom_data: Generated<string>;
  created_at: string;
  updated_at: string;
  sync_strategy: SyncStrategy;
}

export interface TagsTable extends SyncColumns {
  id: string;
  name: string;
  parent_id: string | null;
  color: string | null;
  created_at: string;
  sync_strategy: Generated<SyncStrategy>;
}

export type TagSource = 'user' | 'ai' | 'extension';

export interface TagApplicationsTable extends SyncColumns {
  id: Generated<number>;
  tag_id: string;
  metadata_id: number;
  source: TagSource;
  source_id: string | null;
  confidence: number | null;
  created_at: string;
  sync_strategy: Generated<SyncStrategy>;
}

export interface CollectionsTable extends SyncColumns {
  id: string;
  name: string;
  description: string | null;
  owner: Generated<string>;
  created_at: string;
  updated_at: string;
  sync_strategy: Generated<SyncStrategy>;
}

export interface CollectionItemsTable extends SyncColumns {
  id: Generated<number>;
  collection_id: string;
  entry_uuid: string | null;
  content_uuid: string | null;
  model_uuid: string | null;
  position: number;
  added_at: string;
}

export interface SidecarsTable {
  id: Generated<number>;
  content_uuid: string;
  kind: string;
  variant: Generated<string>;
  rel_path: string;
  format: string;
  size: number;
  extension_id: string | null;
  created_at: string;
}

export interface MediaDataTable extends SyncColumns {
  content_uuid: string;
  captured_at: string | null;
  captured_at_raw: string | null;
  camera_make: string | null;
  camera_model: string | null;
  width: number | null;
  height: number | null;
  orientation: number | null;
  latitude: number | null;
  longitude: number | null;
  altitude: number | null;
  extracted_at: string;
  sync_strategy: Generated<SyncStrategy>;
}

export interface ModelsTable extends SyncColumns {
  id: Generated<number>;
  uuid: string;
  extension_id: string;
  model_type: string;
  data: string;
  entry_uuid: string | null;
  content_uuid: string | null;
  standalone: number;
  created_at: string;
  updated_at: string;
  sync_strategy: SyncStrategy;
}

export interface ModelTagsTable extends SyncColumns {
  id: Generated<number>;
  tag_id: string;
  model_uuid: string;
  source: TagSource;
  source_id: string | null;
  confidence: number | null;
  created_at: string;
}

export interface MetadataBlobsTable {
  id: Generated<number>;
  blob_hash: string;
  blob_data: Uint8Array;
  size_bytes: number;
  stored_bytes: number;
  blob_type: string;
  compression: 'zstd' | null;
  reference_count: Generated<number>;
  created_at: string;
  last_accessed_at: string;
}

export interface ModelBlobsTable {
  model_uuid: string;
  blob_key: string;
  blob_id: number;
}

export interface UserMetadataBlobsTable {
  metadata_id: number;
  blob_key: string;
  blob_id: number;
}

export interface IndexerErrorsTable {
  id: Generated<number>;
  location_id: string;
  rel_path: string;
  phase: string;
  code: string;
  message: string;
  at: string;
}

export interface VdfsTables {
  content_identities: ContentIdentitiesTable;
  entries: EntriesTable;
  user_metadata: UserMetadataTable;
  tags: TagsTable;
  tag_applications: TagApplicationsTable;
  collections: CollectionsTable;
  collection_items: CollectionItemsTable;
  sidecars: SidecarsTable;
  media_data: MediaDataTable;
  models: ModelsTable;
  model_tags: ModelTagsTable;
  metadata_blobs: MetadataBlobsTable;
  model_blobs: ModelBlobsTable;
  user_metadata_blobs: UserMetadataBlobsTable;
  indexer_errors: IndexerErrorsTable;
}

export interface ExtensionInstallsTable {
  id: string;
  version: string;
  previous_version: string | null;
  manifest: string;
  enabled: Generated<number>;
  state: Generated<'active' | 'held' | 'revoked'>;
  state_reason: string | null;
  pending_version: string | null;
  package_sha256: string;
  signed_by: string | null;
  installed_at: string;
  updated_at: string;
}

export interface ExtensionTables {
  extension_installs: ExtensionInstallsTable;
  extension_grants: { extension_id: string; grants: string; updated_at: string };
  extension_settings: { extension_id: string; settings: string; updated_at: string };
  extension_usage: { extension_id: string; model_count: Generated<number>; model_bytes: Generated<number>; blob_bytes: Generated<number> };
}
