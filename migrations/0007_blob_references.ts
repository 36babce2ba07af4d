import { sql, type Kysely } from 'kysely';

// Blob references dropped by cascades. Deleting a content identity or an entry deletes its models and user
// metadata (ON DELETE CASCADE), and with them their model_blobs / user_metadata_blobs rows, without touching
// metadata_blobs.reference_count. These triggers take those references off in the same statement (so in the
// same transaction as the delete); a blob left at zero is deleted by the `blobs.sweep` job. Explicit deletes of
// a model or a blob field keep releasing through BlobStore.release, as before (they delete model_blobs rows
// before the model, so the triggers below find nothing left to count for them).
// Libraries from before this migration get their counts recounted once here.

const released = (scope: 'content_uuid' | 'entry_uuid') => `
  UPDATE metadata_blobs SET reference_count = max(0, reference_count
      - (SELECT count(*) FROM model_blobs mb JOIN models m ON m.uuid = mb.model_uuid
         WHERE m.${scope} = OLD.uuid AND mb.blob_id = metadata_blobs.id)
      - (SELECT count(*) FROM user_metadata_blobs ub JOIN user_metadata um ON um.id = ub.metadata_id
         WHERE um.${scope} = OLD.uuid AND ub.blob_id = metadata_blobs.id))
  WHERE id IN (SELECT mb.blob_id FROM model_blobs mb JOIN models m ON m.uuid = mb.model_uuid WHERE m.${scope} = OLD.uuid
               UNION SELECT ub.blob_id FROM user_metadata_blobs ub JOIN user_metadata um ON um.id = ub.metadata_id WHERE um.${scope} = OLD.uuid);`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    `CREATE TRIGGER content_identities_release_blobs BEFORE DELETE ON content_identities
     WHEN EXISTS (SELECT 1 FROM models WHERE content_uuid = OLD.uuid) OR EXISTS (SELECT 1 FROM user_metadata WHERE content_uuid = OLD.uuid)
     BEGIN ${released('content_uuid')} END`,
    `CREATE TRIGGER entries_release_blobs BEFORE DELETE ON entries
     WHEN EXISTS (SELECT 1 FROM models WHERE entry_uuid = OLD.uuid) OR EXISTS (SELECT 1 FROM user_metadata WHERE entry_uuid = OLD.uuid)
     BEGIN ${released('entry_uuid')} END`,
    `UPDATE metadata_blobs SET reference_count = (
       (SELECT count(*) FROM model_blobs mb WHERE mb.blob_id = metadata_blobs.id) +
       (SELECT count(*) FROM user_metadata_blobs ub WHERE ub.blob_id = metadata_blobs.id))`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const s of ['DROP TRIGGER content_identities_release_blobs', 'DROP TRIGGER entries_release_blobs']) await sql.raw(s).execute(db);
}
