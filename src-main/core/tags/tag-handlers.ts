import type { EventBus } from '../events/event-bus.js';
import type { HandlersFor } from '../registry/operation-registry.js';
import { USER_SOURCE, type TagService } from './tag-service.js';

/** Registry handlers for `tags.*` (tagging contents and models by path lives in models/model-handlers.ts). Every change emits `tags.onDidChange`. */
export function tagHandlers(tags: TagService, events: EventBus): Omit<HandlersFor<'tags'>, 'tags.addToContent' | 'tags.removeFromContent' | 'tags.addToModel'> {
  const changed = <T>(libraryId: string, value: T): T => {
    events.emit('tags.onDidChange', { libraryId });
    return value;
  };
  return {
    'tags.list': ({ libraryId }, ctx) => tags.list(ctx.library(libraryId)),
    'tags.create': ({ libraryId, name, parentId, color }, ctx) =>
      changed(libraryId, tags.create(ctx.library(libraryId), name, parentId ?? null, color ?? null)),
    'tags.rename': ({ libraryId, tagId, name }, ctx) => changed(libraryId, tags.rename(ctx.library(libraryId), tagId, name)),
    'tags.move': ({ libraryId, tagId, parentId }, ctx) => changed(libraryId, tags.move(ctx.library(libraryId), tagId, parentId)),
    'tags.delete': ({ libraryId, tagId }, ctx) => {
      tags.delete(ctx.library(libraryId), tagId);
      return changed(libraryId, { deleted: tagId });
    },
    'tags.apply': ({ libraryId, tagId, entryIds, scope }, ctx) => {
      const applied = tags.apply(ctx.library(libraryId), tagId, entryIds, scope, USER_SOURCE);
      if (applied > 0) events.emit('tags.onDidApply', { libraryId, tagId, entryIds, contentIds: [], sourceId: null });
      return changed(libraryId, { applied });
    },
    'tags.remove': ({ libraryId, tagId, entryIds, scope }, ctx) =>
      changed(libraryId, { removed: tags.remove(ctx.library(libraryId), tagId, entryIds, scope) }),
  };
}
