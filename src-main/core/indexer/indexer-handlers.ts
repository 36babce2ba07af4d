import type { HandlersFor } from '../registry/operation-registry.js';
import type { IndexerService } from './indexer-service.js';

/** Registry handlers for `indexer.*`. */
export function indexerHandlers(indexer: IndexerService): HandlersFor<'indexer'> {
  return {
    'indexer.run': async ({ libraryId, locationId, full }) => ({ jobId: await indexer.run(libraryId, locationId, full ? { full } : {}) }),
    'indexer.errors': ({ libraryId, locationId, offset, limit }) => indexer.errors(libraryId, { offset, limit, ...(locationId ? { locationId } : {}) }),
    'indexer.status': async ({ libraryId }) => (await indexer.status(libraryId)).map(({ lastRun: _lastRun, rules: _rules, ...status }) => status),
  };
}
