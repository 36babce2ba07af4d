import type { Library } from '../library/library.js';
import type { HybridLogicalClock } from '../sync/hlc.js';
import { ensureMetadata, targetFor } from './user-metadata.js';

/**
 * Notes, favourites and the hidden flag, at entry or content scope.
 *
 * @example
 * metadata.setFavorite(lib, entryId, true, 'content'); // every copy of this photo is a favourite
 */
export class MetadataService {
  readonly #clock: HybridLogicalClock;
  readonly #deviceId: string;

  constructor(clock: HybridLogicalClock, deviceId: string) {
    this.#clock = clock;
    this.#deviceId = deviceId;
  }

  setNote(lib: Library, entryId: string, note: string | null, scope: 'entry' | 'content'): void {
    this.#update(lib, entryId, scope, 'notes', note);
  }

  setFavorite(lib: Library, entryId: string, favorite: boolean, scope: 'entry' | 'content'): void {
    this.#update(lib, entryId, scope, 'favorite', favorite ? 1 : 0);
    // Unfavouriting clears both scopes, so the star really goes away.
    if (!favorite) this.#update(lib, entryId, scope === 'entry' ? 'content' : 'entry', 'favorite', 0, true);
  }

  setHidden(lib: Library, entryId: string, hidden: boolean, scope: 'entry' | 'content'): void {
    this.#update(lib, entryId, scope, 'hidden', hidden ? 1 : 0);
  }

  #update(lib: Library, entryId: string, scope: 'entry' | 'content', column: 'notes' | 'favorite' | 'hidden', value: unknown, onlyIfPossible = false): void {
    lib.raw.transaction(() => {
      let target;
      try {
        target = targetFor(lib, entryId, scope);
      } catch (error) {
        if (onlyIfPossible) return;
        throw error;
      }
      const id = ensureMetadata(lib, target, this.#clock, this.#deviceId);
      lib.raw.prepare(`UPDATE user_metadata SET ${column} = ?, updated_at = ?, hlc = ? WHERE id = ?`).run(value, new Date().toISOString(), this.#clock.now(), id);
    })();
  }
}
