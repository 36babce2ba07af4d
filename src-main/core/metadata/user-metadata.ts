import { randomUUID } from 'node:crypto';
import { CairnError } from '../../../src-shared/errors.js';
import type { Library } from '../library/library.js';
import type { HybridLogicalClock } from '../sync/hlc.js';

export type MetadataTarget = { entryUuid: string } | { contentUuid: string };

/**
 * Returns the id of the user_metadata row for one entry or one content, creating it if needed.
 * Content-scoped rows are shared (they sync); entry-scoped rows are device-owned.
 * Synchronous, so callers can use it inside a better-sqlite3 transaction.
 *
 * @example
 * const id = ensureMetadata(lib, { contentUuid }, clock, deviceId);
 */
export function ensureMetadata(lib: Library, target: MetadataTarget, clock: HybridLogicalClock, deviceId: string): number {
  const isEntry = 'entryUuid' in target;
  const column = isEntry ? 'entry_uuid' : 'content_uuid';
  const value = isEntry ? target.entryUuid : target.contentUuid;
  const existing = lib.raw.prepare(`SELECT id FROM user_metadata WHERE ${column} = ?`).get(value) as { id: number } | undefined;
  if (existing) return existing.id;
  const now = new Date().toISOString();
  const result = lib.raw
    .prepare(
      `INSERT INTO user_metadata (uuid, ${column}, created_at, updated_at, hlc, device_id, sync_strategy) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(randomUUID(), value, now, now, clock.now(), deviceId, isEntry ? 'device_owned' : 'shared');
  return Number(result.lastInsertRowid);
}

/**
 * Resolves an entry id to the metadata target for a scope. Content scope needs the entry's content
 * identity, which files get once indexed; folders have none.
 *
 * Fails with `NOT_FOUND` for an unknown entry, `CONFLICT` for content scope on an entry with no content.
 */
export function targetFor(lib: Library, entryUuid: string, scope: 'entry' | 'content'): MetadataTarget {
  const row = lib.raw.prepare('SELECT uuid, content_uuid, name FROM entries WHERE uuid = ?').get(entryUuid) as
    | { uuid: string; content_uuid: string | null; name: string }
    | undefined;
  if (!row) throw new CairnError('NOT_FOUND', `No entry with id ${entryUuid}.`);
  if (scope === 'entry') return { entryUuid: row.uuid };
  if (!row.content_uuid) {
    throw new CairnError('CONFLICT', `"${row.name}" has no content identity yet (folders never do); use entry scope.`);
  }
  return { contentUuid: row.content_uuid };
}
