import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Location } from '../../../src-shared/contract/index.js';
import { CairnError } from '../../../src-shared/errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Library } from '../library/library.js';

/**
 * Adds, lists and removes locations: folders on disk that a library indexes.
 *
 * @example
 * const service = new LocationService(events, deviceId);
 * const loc = await service.add(lib, '~/Pictures');
 */
export class LocationService {
  readonly #events: EventBus;
  readonly #deviceId: string;
  #onAdd: ((lib: Library) => Promise<(locationId: string) => void>) | undefined;

  constructor(events: EventBus, deviceId: string) {
    this.#events = events;
    this.#deviceId = deviceId;
  }

  async list(lib: Library): Promise<Location[]> {
    const rows = await lib.db.selectFrom('locations').selectAll().orderBy('name').orderBy('path').execute();
    return rows.map((r) => ({ id: r.id, libraryId: lib.id, path: r.path, name: r.name, addedAt: r.added_at }));
  }

  async get(lib: Library, locationId: string): Promise<Location> {
    const row = await lib.db.selectFrom('locations').selectAll().where('id', '=', locationId).executeTakeFirst();
    if (!row) throw new CairnError('NOT_FOUND', `No location with id ${locationId} in library "${lib.name}".`);
    return { id: row.id, libraryId: lib.id, path: row.path, name: row.name, addedAt: row.added_at };
  }

  /**
   * Adds a folder. The path is resolved to its canonical form (symlinks followed) before any check.
   *
   * Fails with `NOT_FOUND` (missing), `VALIDATION` (not a folder), `PERMISSION_DENIED` (unreadable),
   * or `CONFLICT` (already a location, inside one, containing one, or the library's own folder).
   */
  /**
   * Sets what runs inside the transaction that inserts a location: the indexer enqueues the first index
   * there, so a location never exists without its first index queued (and a failed enqueue adds nothing).
   */
  setOnAdd(hook: (lib: Library) => Promise<(locationId: string) => void>): void {
    this.#onAdd = hook;
  }

  async add(lib: Library, rawPath: string, name?: string): Promise<Location> {
    const canonical = canonicalFolder(rawPath);
    const libraryFolder = fs.realpathSync(lib.path);
    if (isSameOrInside(canonical, libraryFolder) || isSameOrInside(libraryFolder, canonical)) {
      throw new CairnError('CONFLICT', `${canonical} overlaps the library's own folder; choose another folder.`);
    }
    const existing = await this.list(lib);
    for (const loc of existing) {
      if (loc.path === canonical) {
        throw new CairnError('CONFLICT', `${canonical} is already a location ("${loc.name}").`);
      }
      if (isSameOrInside(canonical, loc.path)) {
        throw new CairnError('CONFLICT', `${canonical} is inside the location "${loc.name}" (${loc.path}), which already covers it.`);
      }
      if (isSameOrInside(loc.path, canonical)) {
        throw new CairnError('CONFLICT', `${canonical} contains the location "${loc.name}" (${loc.path}); remove that one first.`);
      }
    }
    const location: Location = {
      id: randomUUID(),
      libraryId: lib.id,
      path: canonical,
      name: name ?? (path.basename(canonical) || canonical),
      addedAt: new Date().toISOString(),
    };
    const afterInsert = this.#onAdd ? await this.#onAdd(lib) : undefined;
    lib.raw.transaction(() => {
      lib.raw
        .prepare('INSERT INTO locations (id, path, name, added_at, device_id, settings) VALUES (?, ?, ?, ?, ?, ?)')
        .run(location.id, location.path, location.name, location.addedAt, this.#deviceId, '{}');
      afterInsert?.(location.id);
    })();
    this.#events.emit('locations.onDidChange', { libraryId: lib.id });
    return location;
  }

  /**
   * Removes a location from the library with its entries, in one transaction, and re-derives the
   * `entry_count` of every content identity those entries referenced (identities stay, with their tags
   * and metadata, so a copy found again later gets them back). The folder on disk is never touched.
   * Throws `NOT_FOUND` for an unknown id.
   */
  async remove(lib: Library, locationId: string): Promise<void> {
    const db = lib.raw;
    const removed = db.transaction(() => {
      const contents = db
        .prepare('SELECT DISTINCT content_uuid AS c FROM entries WHERE location_id = ? AND content_uuid IS NOT NULL')
        .pluck()
        .all(locationId) as string[];
      if (db.prepare('DELETE FROM locations WHERE id = ?').run(locationId).changes === 0) return false;
      const recount = db.prepare(
        `UPDATE content_identities SET entry_count = (SELECT count(*) FROM entries WHERE content_uuid = @c)
         WHERE uuid = @c AND entry_count != (SELECT count(*) FROM entries WHERE content_uuid = @c)`,
      );
      for (const c of contents) recount.run({ c });
      return true;
    })();
    if (!removed) throw new CairnError('NOT_FOUND', `No location with id ${locationId} in library "${lib.name}".`);
    this.#events.emit('locations.onDidChange', { libraryId: lib.id });
  }
}

/** Resolves `~`, relative parts and symlinks, and checks the result is a readable folder. */
export function canonicalFolder(rawPath: string): string {
  const expanded = rawPath.startsWith('~') ? path.join(process.env.HOME ?? '', rawPath.slice(1)) : rawPath;
  const resolved = path.resolve(expanded);
  let real: string;
  try {
    real = fs.realpathSync(resolved);
  } catch {
    throw new CairnError('NOT_FOUND', `The folder ${resolved} does not exist.`);
  }
  if (!fs.statSync(real).isDirectory()) {
    throw new CairnError('VALIDATION', `${real} is a file, not a folder.`);
  }
  try {
    fs.accessSync(real, fs.constants.R_OK | fs.constants.X_OK);
    fs.readdirSync(real);
  } catch {
    throw new CairnError('PERMISSION_DENIED', `Cairn cannot read the folder ${real}; check its permissions.`);
  }
  return real;
}

/** True when `child` is `parent` or lies below it (path-segment aware: /a/bc is not inside /a/b). */
export function isSameOrInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
