import type { EventBus } from '../events/event-bus.js';
import type { HandlersFor } from '../registry/operation-registry.js';
import type { CollectionService } from './collection-service.js';

/** Registry handlers for `collections.*`. Every change emits `collections.onDidChange`. */
export function collectionHandlers(collections: CollectionService, events: EventBus): HandlersFor<'collections'> {
  const changed = <T>(libraryId: string, value: T): T => {
    events.emit('collections.onDidChange', { libraryId });
    return value;
  };
  return {
    'collections.list': ({ libraryId }, ctx) => collections.list(ctx.library(libraryId)),
    'collections.create': ({ libraryId, name, description }, ctx) =>
      changed(libraryId, collections.create(ctx.library(libraryId), name, description ?? null)),
    'collections.rename': ({ libraryId, collectionId, name }, ctx) => changed(libraryId, collections.rename(ctx.library(libraryId), collectionId, name)),
    'collections.delete': ({ libraryId, collectionId }, ctx) => {
      collections.delete(ctx.library(libraryId), collectionId);
      return changed(libraryId, { deleted: collectionId });
    },
    'collections.addItems': ({ libraryId, collectionId, items }, ctx) =>
      changed(libraryId, { added: collections.addItems(ctx.library(libraryId), collectionId, items) }),
    'collections.removeItems': ({ libraryId, collectionId, items }, ctx) =>
      changed(libraryId, { removed: collections.removeItems(ctx.library(libraryId), collectionId, items) }),
    'collections.items': ({ libraryId, collectionId, offset, limit }, ctx) => collections.items(ctx.library(libraryId), collectionId, offset, limit),
  };
}
