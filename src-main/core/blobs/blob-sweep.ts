import { z } from 'zod';
import { defineJob, type JobDefinition } from '../jobs/define-job.js';
import type { JobScheduler } from '../jobs/job-scheduler.js';
import type { LibraryJobs } from '../jobs/library-jobs.js';
import type { Library } from '../library/library.js';
import type { LibraryManager } from '../library/library-manager.js';
import type { BlobStore } from './blob-store.js';

/** The job type that deletes a library's unreferenced metadata blobs. */
export const BLOB_SWEEP_JOB = 'blobs.sweep';

/** How often an open library is checked for blobs nobody references any more (6 hours). */
export const BLOB_SWEEP_INTERVAL_MS = 6 * 60 * 60 * 1000;

const BlobSweepInput = z.object({ libraryId: z.string().min(1) }).strict();

/**
 * `blobs.sweep {libraryId}`: recounts every blob's references (`model_blobs` + `user_metadata_blobs`) and deletes
 * the blobs none is left for, in one transaction, as one keyed task (a sweep interrupted by a crash runs again
 * when the job resumes; one that completed is not repeated). Deleting a content identity or an entry only takes
 * its blobs' references off (triggers of migration 0007); this job removes what reached zero.
 *
 * Failure modes: the job fails like `LibraryManager.get` when the library cannot be opened, and with the
 * database's error (e.g. LIBRARY_BUSY) after the task's retries.
 *
 * @example
 * jobs.registerType(BLOB_SWEEP_JOB, blobSweepJob(libraries, blobs), () => 'Clean up unused metadata');
 */
export function blobSweepJob(libraries: Pick<LibraryManager, 'get'>, blobs: BlobStore): JobDefinition<z.infer<typeof BlobSweepInput>> {
  return defineJob({
    input: BlobSweepInput,
    run: async (ctx) => {
      const lib = await libraries.get(ctx.input.libraryId);
      const deleted = await ctx.runTask('sweep', () => ({ result: blobs.sweep(lib) }), { retries: 2 });
      ctx.progress({ completed: 1, total: 1, message: `${deleted} unused blob${deleted === 1 ? '' : 's'} deleted` });
    },
  });
}

/**
 * Queues a `blobs.sweep` for `lib` when a blob has no reference left and no sweep is already queued or running.
 * Answers the job id, or null when there was nothing to do.
 *
 * @example
 * enqueueBlobSweepIfNeeded(lib, scheduler); // after deleting contents
 */
export function enqueueBlobSweepIfNeeded(lib: Library, scheduler: Pick<JobScheduler, 'list' | 'enqueue'>): string | null {
  if (lib.isClosed) return null;
  const unreferenced = lib.raw.prepare('SELECT 1 FROM metadata_blobs WHERE reference_count = 0 LIMIT 1').get();
  if (!unreferenced) return null;
  if (scheduler.list({ name: BLOB_SWEEP_JOB, status: ['queued', 'running'] }).length > 0) return null;
  return scheduler.enqueue(BLOB_SWEEP_JOB, { libraryId: lib.id });
}

/**
 * Registers the `blobs.sweep` job type on every library scheduler, and queues a sweep (when one is needed, see
 * {@link enqueueBlobSweepIfNeeded}) as each scheduler starts and then every `intervalMs` while the library is
 * open. The timers do not keep the process alive and stop when the library closes.
 *
 * @example
 * scheduleBlobSweeps(core.jobs, core.libraries, new BlobStore(codec));
 */
export function scheduleBlobSweeps(
  jobs: Pick<LibraryJobs, 'registerType' | 'onSchedulerStart'>,
  libraries: Pick<LibraryManager, 'get' | 'onWillClose'>,
  blobs: BlobStore,
  options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
): void {
  const timers = new Map<string, NodeJS.Timeout>();
  const onError = options.onError ?? ((error: unknown) => console.error('[blobs] could not queue a sweep:', error));
  const check = (lib: Library, scheduler: JobScheduler) => {
    try {
      enqueueBlobSweepIfNeeded(lib, scheduler);
    } catch (error) {
      onError(error);
    }
  };
  jobs.registerType(BLOB_SWEEP_JOB, blobSweepJob(libraries, blobs), () => 'Delete unused metadata blobs');
  jobs.onSchedulerStart((lib, scheduler) => {
    check(lib, scheduler);
    clearInterval(timers.get(lib.id));
    const timer = setInterval(() => check(lib, scheduler), options.intervalMs ?? BLOB_SWEEP_INTERVAL_MS);
    timer.unref();
    timers.set(lib.id, timer);
  });
  libraries.onWillClose(async (lib) => {
    clearInterval(timers.get(lib.id));
    timers.delete(lib.id);
  });
}
