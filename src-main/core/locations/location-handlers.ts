import type { LibraryManager } from '../library/library-manager.js';
import type { HandlersFor } from '../registry/operation-registry.js';
import type { LocationService } from './location-service.js';
import { listFolders } from './folder-browser.js';
import type { IndexerService } from '../indexer/indexer-service.js';

/** Registry handlers for `locations.*` (`locations.setRules` belongs to the indexer). */
export function locationHandlers(libraries: LibraryManager, locations: LocationService, indexer: IndexerService): HandlersFor<'locations'> {
  return {
    'locations.setRules': ({ libraryId, locationId, rules }) => indexer.setRules(libraryId, locationId, rules),
    'locations.list': async ({ libraryId }) => locations.list(await libraries.get(libraryId)),
    'locations.add': async ({ libraryId, path, name }) => locations.add(await libraries.get(libraryId), path, name),
    'locations.browseFolders': ({ path, showHidden, limit }) => listFolders(path, { showHidden, limit }),
    'locations.remove': async ({ libraryId, locationId }) => {
      await locations.remove(await libraries.get(libraryId), locationId);
      return { removed: locationId };
    },
  };
}
