import type { HandlersFor } from '../registry/operation-registry.js';
import type { LibraryManager } from './library-manager.js';

/** Registry handlers for `library.*`. */
export function libraryHandlers(libraries: LibraryManager): HandlersFor<'library'> {
  return {
    'library.list': () => libraries.list(),
    'library.create': async ({ name }) => libraries.summarize(await libraries.create(name)),
    'library.open': async ({ path }) => libraries.summarize(await libraries.openExisting(path)),
    'library.get': async ({ libraryId }) => libraries.summarize(await libraries.get(libraryId)),
    'library.rename': async ({ libraryId, name }) => libraries.summarize(await libraries.rename(libraryId, name)),
    'library.delete': async ({ libraryId, confirm }) => {
      await libraries.delete(libraryId, confirm);
      return { deleted: libraryId };
    },
    'library.setDefault': async ({ libraryId }) => libraries.summarize(await libraries.setDefault(libraryId)),
  };
}
