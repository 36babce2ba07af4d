import type { EventBus } from '../events/event-bus.js';
import type { LibraryManager } from '../library/library-manager.js';
import type { HandlersFor } from '../registry/operation-registry.js';
import { USER_SOURCE, type TagService } from './tag-service.js';

/** Registry handlers for `tags.*`. Every change emits `tags.onDidChange`. */
export function tagHandlers(libraries: LibraryManager, tags: TagService, events: EventBus): HandlersFor<'tags'> {
  const changed = <T>(libraryId: string, value: T): T => {
    events.emit('tags.onDidChange', { libraryId });
    return value;
  };
  return {
    'tags.list': async ({ libraryId }) => tags.list(await libraries.get(libraryId)),
    'tags.create': async ({ libraryId, name, parentId, color }) =>
      changed(libraryId, tags.create(await libraries.get(libraryId), name, parentId ?? null, color ?? null)),
    'tags.rename': async ({ libraryId, tagId, name }) => changed(libraryId, tags.rename(await libraries.get(libraryId), tagId, name)),
    'tags.move': async ({ libraryId, tagId, parentId }) => changed(libraryId, tags.move(await libraries.get(libraryId), tagId, parentId)),
    'tags.delete': async ({ libraryId, tagId }) => {
      tags.delete(await libraries.get(libraryId), tagId);
      return changed(libraryId, { deleted: tagId });
    },
    'tags.apply': async ({ libraryId, tagId, entryIds, scope }) =>
      changed(libraryId, { applied: tags.apply(await libraries.get(libraryId), tagId, entryIds, scope, USER_SOURCE) }),
    'tags.remove': async ({ libraryId, tagId, entryIds, scope }) =>
      changed(libraryId, { removed: tags.remove(await libraries.get(libraryId), tagId, entryIds, scope) }),
  };
}
