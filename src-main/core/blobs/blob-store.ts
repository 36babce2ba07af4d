import { CairnError } from '../../../src-shared/errors.js';
import type { Library } from '../library/library.js';
import type { BlobCodec } from './blob-codec.js';

/** A stored blob's identity and sizes. */
export interface BlobRef {
  id: number;
  hash: string;
  sizeBytes: number;
  storedBytes: number;
}

/**
 * The `metadata_blobs` table: values content-addressed by BLAKE3, zstd-compressed, and reference-counted.
 * Storing the same bytes twice keeps one row and counts two references; releasing the last reference deletes
 * the row. All methods are synchronous, so callers can use them inside a better-sqlite3 transaction (they
 * must: a put and the row that references it belong in one transaction).
 *
 * Failure modes: `get` throws `NOT_FOUND` for an unknown id and `LIBRARY_CORRUPT` when stored bytes no longer
 * decompress; `release` of an unknown id is a no-op.
 *
 * @example
 * const blobs = new BlobStore(codec);
 * lib.raw.transaction(() => {
 *   const ref = blobs.put(lib, new TextEncoder().encode(JSON.stringify(vector)), 'model:FaceEmbedding');
 *   lib.raw.prepare('INSERT INTO model_blobs (model_uuid, blob_key, blob_id) VALUES (?, ?, ?)').run(uuid, 'embedding', ref.id);
 * })();
 */
export class BlobStore {
  readonly #codec: BlobCodec;

  constructor(codec: BlobCodec) {
    this.#codec = codec;
  }

  /** Stores `bytes` (or adds a reference to the identical blob already stored) and returns its ref. */
  put(lib: Library, bytes: Uint8Array, blobType: string): BlobRef {
    const { hash, stored, compression } = this.#codec.encode(bytes);
    const now = new Date().toISOString();
    const row = lib.raw
      .prepare(
        `INSERT INTO metadata_blobs (blob_hash, blob_data, size_bytes, stored_bytes, blob_type, compression, reference_count, created_at, last_accessed_at)
         VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)
         ON CONFLICT (blob_hash) DO UPDATE SET reference_count = reference_count + 1
         RETURNING id, size_bytes AS sizeBytes, stored_bytes AS storedBytes`,
      )
      .get(hash, stored, bytes.length, stored.length, blobType, compression, now, now) as { id: number; sizeBytes: number; storedBytes: number };
    return { id: row.id, hash, sizeBytes: row.sizeBytes, storedBytes: row.storedBytes };
  }

  /** Drops one reference; deletes the blob when none is left. Returns true when the row was deleted. */
  release(lib: Library, blobId: number): boolean {
    lib.raw.prepare('UPDATE metadata_blobs SET reference_count = reference_count - 1 WHERE id = ? AND reference_count > 0').run(blobId);
    return lib.raw.prepare('DELETE FROM metadata_blobs WHERE id = ? AND reference_count = 0').run(blobId).changes > 0;
  }

  /** The original bytes of a blob, with its sizes. */
  get(lib: Library, blobId: number): { bytes: Uint8Array; sizeBytes: number; storedBytes: number } {
    const row = lib.raw.prepare('SELECT blob_data, compression, size_bytes, stored_bytes FROM metadata_blobs WHERE id = ?').get(blobId) as
      | { blob_data: Uint8Array; compression: string | null; size_bytes: number; stored_bytes: number }
      | undefined;
    if (!row) throw new CairnError('NOT_FOUND', `No blob with id ${blobId}.`);
    let bytes: Uint8Array;
    try {
      bytes = this.#codec.decode(row.blob_data, row.compression);
    } catch (error) {
      throw new CairnError('LIBRARY_CORRUPT', `Blob ${blobId} does not decompress: ${(error as Error).message}`);
    }
    if (bytes.length !== row.size_bytes) throw new CairnError('LIBRARY_CORRUPT', `Blob ${blobId} has ${bytes.length} bytes, expected ${row.size_bytes}.`);
    return { bytes, sizeBytes: row.size_bytes, storedBytes: row.stored_bytes };
  }

  /**
   * Recounts references from `model_blobs` and `user_metadata_blobs` and deletes blobs nobody references.
   * Deleting a content identity or an entry takes its models' references off (triggers, migration 0007) but
   * leaves a blob at zero in place: the `blobs.sweep` job (blob-sweep.ts) calls this to delete those, and the
   * recount repairs any count that drifted. Returns how many blobs were deleted.
   */
  sweep(lib: Library): number {
    return lib.raw.transaction(() => {
      lib.raw
        .prepare(
          `UPDATE metadata_blobs SET reference_count = (
             (SELECT count(*) FROM model_blobs mb WHERE mb.blob_id = metadata_blobs.id) +
             (SELECT count(*) FROM user_metadata_blobs ub WHERE ub.blob_id = metadata_blobs.id))`,
        )
        .run();
      return lib.raw.prepare('DELETE FROM metadata_blobs WHERE reference_count = 0').run().changes;
    })();
  }
}
