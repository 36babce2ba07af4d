import { CairnError } from '../../../src-shared/errors.js';
import type { HandlersFor } from '../registry/operation-registry.js';
import type { LibraryJobs } from './library-jobs.js';

/** Registry handlers for `jobs.*`: listing and control, for the UI, the CLI and extensions alike. */
export function jobHandlers(jobs: LibraryJobs): HandlersFor<'jobs'> {
  const control = (verb: 'pause' | 'resume' | 'cancel' | 'retryFailed') =>
    async ({ libraryId, jobId }: { libraryId: string; jobId: string }) => {
      const scheduler = await jobs.for(libraryId);
      return jobs.describe(libraryId, scheduler[verb](jobId));
    };
  return {
    'jobs.list': async ({ libraryId, status }) => {
      const scheduler = await jobs.for(libraryId);
      const list = scheduler.list(status ? { status } : undefined).sort((a, b) => b.createdAt - a.createdAt);
      return Promise.all(list.map((j) => jobs.describe(libraryId, j)));
    },
    'jobs.get': async ({ libraryId, jobId }) => {
      const scheduler = await jobs.for(libraryId);
      const job = scheduler.get(jobId);
      if (!job) throw new CairnError('NOT_FOUND', `No job with id ${jobId}.`);
      return jobs.describe(libraryId, job);
    },
    'jobs.pause': control('pause'),
    'jobs.resume': control('resume'),
    'jobs.cancel': control('cancel'),
    'jobs.retry': control('retryFailed'),
    'jobs.clearFinished': async ({ libraryId }) => ({ cleared: (await jobs.for(libraryId)).clearFinished() }),
  };
}
