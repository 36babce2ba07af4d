// The process the indexer kill test SIGKILLs: opens a library, runs its indexer.location jobs to the end,
// exits 0. Usage: node --import tsx index-kill-child.ts <library folder>
import { EventBus } from '../../events/event-bus.js';
import { JobScheduler } from '../../jobs/job-scheduler.js';
import { SqliteJobStore } from '../../jobs/sqlite-job-store.js';
import { Library } from '../../library/library.js';
import { HybridLogicalClock } from '../../sync/hlc.js';
import { INDEX_LOCATION_JOB, makeIndexLocationJob } from '../index-location-job.js';

const folder = process.argv[2];
if (!folder) throw new Error('usage: index-kill-child.ts <library folder>');
const library = await Library.open(folder);
const scheduler = new JobScheduler({ store: new SqliteJobStore(library.raw), maxConcurrentJobs: 1, maxConcurrentTasks: 2 });
scheduler.register(
  INDEX_LOCATION_JOB,
  makeIndexLocationJob({ libraries: { get: async () => library }, events: new EventBus(), clock: new HybridLogicalClock('kill-test'), deviceId: 'kill-test', hashWorkers: 1,
    // Small steps, so random kills land inside the walk and inside the search fill, not only after them.
    processBatchSize: 50, searchFillChunk: 400 }),
);
scheduler.start();
process.stdout.write('READY\n');
const jobs = scheduler.list({ name: INDEX_LOCATION_JOB });
const results = await Promise.all(jobs.map((j) => scheduler.waitFor(j.id)));
await scheduler.stop();
await library.close();
process.stdout.write(`DONE ${results.map((r) => r.status).join(',')}\n`);
