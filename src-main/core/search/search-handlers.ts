import type { LibraryManager } from '../library/library-manager.js';
import type { HandlersFor } from '../registry/operation-registry.js';
import { searchEntries } from './search-service.js';

/** Registry handlers for `search.*`. */
export function searchHandlers(libraries: LibraryManager): HandlersFor<'search'> {
  return {
    'search.entries': async (input) => searchEntries(await libraries.get(input.libraryId), input),
  };
}
