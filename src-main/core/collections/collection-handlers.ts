import type { EventBus } from '../events/event-bus.js';
import type { LibraryManager } from '../library/library-manager.js';
import type { HandlersFor } from '../registry/operation-registry.js';
import type { CollectionService } from './collection-service.js';

/** Registry handlers for `collections.*`. Every change emits `collections.onDidChange`. */
export function collectionHandlers(libraries: LibraryManager, collections: CollectionService, events: EventBus): HandlersFor<'collections'> {
  const changed = <T>(libraryId: string, value: T): T => {
    events.emit('collections.onDidChange', { libraryId });
    return value;
  };
  return {
    'collections.list': async ({ libraryId }) => collections.list(await libraries.get(libraryId)),
    'collections.create': async ({ libraryId, name, description }) =>
      changed(libraryId, collections.create(await libraries.get(libraryId), name, description ?? null)),
    'collections.rename': async ({ libraryId, collectionId, name }) => changed(libraryId, collections.rename(await libraries.get(libraryId), collectionId, name)),
    'collections.delete': async ({ libraryId, collectionId }) => {
      collections.delete(await libraries.get(libraryId), collectionId);
      return changed(libraryId, { deleted: collectionId });
    },
    'collections.addItems': async ({ libraryId, collectionId, items }) =>
      changed(libraryId, { added: collections.addItems(await libraries.get(libraryId), collectionId, items) }),
    'collections.removeItems': async ({ libraryId, collectionId, items }) =>
      changed(libraryId, { removed: collections.removeItems(await libraries.get(libraryId), collectionId, items) }),
    'collections.items': async ({ libraryId, collectionId, offset, limit }) => collections.items(await libraries.get(libraryId), collectionId, offset, limit),
  };
}
