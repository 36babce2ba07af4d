import type { EventBus } from '../events/event-bus.js';
import type { MetadataService } from '../metadata/metadata-service.js';
import type { HandlersFor } from '../registry/operation-registry.js';
import { getEntry, listDuplicates, listEntries } from './entry-queries.js';

/** Registry handlers for `entries.*` (the batch and byte reads extensions use live in models/model-handlers.ts). */
export function entryHandlers(metadata: MetadataService, events: EventBus): Omit<HandlersFor<'entries'>, 'entries.getMany' | 'entries.readBytes'> {
  return {
    'entries.list': (input, ctx) => listEntries(ctx.library(input.libraryId), input),
    'entries.get': ({ libraryId, entryId }, ctx) => getEntry(ctx.library(libraryId), entryId),
    'entries.duplicates': ({ libraryId, offset, limit }, ctx) => listDuplicates(ctx.library(libraryId), offset, limit),
    'entries.setNote': ({ libraryId, entryId, note, scope }, ctx) => {
      metadata.setNote(ctx.library(libraryId), entryId, note, scope);
      events.emit('entries.onDidChange', { libraryId, locationId: null });
      return { ok: true as const };
    },
    'entries.setFavorite': ({ libraryId, entryId, favorite, scope }, ctx) => {
      metadata.setFavorite(ctx.library(libraryId), entryId, favorite, scope);
      events.emit('entries.onDidChange', { libraryId, locationId: null });
      return { ok: true as const };
    },
  };
}
