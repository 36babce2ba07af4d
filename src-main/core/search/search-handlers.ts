import type { HandlersFor } from '../registry/operation-registry.js';
import { searchEntries } from './search-service.js';

/** Registry handlers for `search.*`. */
export function searchHandlers(): HandlersFor<'search'> {
  return {
    'search.entries': (input, ctx) => searchEntries(ctx.library(input.libraryId), input),
  };
}
