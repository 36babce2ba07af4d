import type { EventBus } from '../events/event-bus.js';
import type { LibraryManager } from '../library/library-manager.js';
import type { MetadataService } from '../metadata/metadata-service.js';
import type { HandlersFor } from '../registry/operation-registry.js';
import { getEntry, listDuplicates, listEntries } from './entry-queries.js';

/** Registry handlers for `entries.*`. */
export function entryHandlers(libraries: LibraryManager, metadata: MetadataService, events: EventBus): HandlersFor<'entries'> {
  return {
    'entries.list': async (input) => listEntries(await libraries.get(input.libraryId), input),
    'entries.get': async ({ libraryId, entryId }) => getEntry(await libraries.get(libraryId), entryId),
    'entries.duplicates': async ({ libraryId, offset, limit }) => listDuplicates(await libraries.get(libraryId), offset, limit),
    'entries.setNote': async ({ libraryId, entryId, note, scope }) => {
      metadata.setNote(await libraries.get(libraryId), entryId, note, scope);
      events.emit('entries.onDidChange', { libraryId, locationId: null });
      return { ok: true as const };
    },
    'entries.setFavorite': async ({ libraryId, entryId, favorite, scope }) => {
      metadata.setFavorite(await libraries.get(libraryId), entryId, favorite, scope);
      events.emit('entries.onDidChange', { libraryId, locationId: null });
      return { ok: true as const };
    },
  };
}
