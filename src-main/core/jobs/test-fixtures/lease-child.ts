// A process that holds a library's scheduler lease and runs its `slow` jobs until killed (the lease test
// SIGKILLs it mid-job). Usage: node --import tsx lease-child.ts <library folder>
import { Library } from '../../library/library.js';
import { JobScheduler } from '../job-scheduler.js';
import { SqliteJobStore } from '../sqlite-job-store.js';
import { SqliteSchedulerLease } from '../scheduler-lease.js';
import { makeSlowJob } from './slow-job.js';

const folder = process.argv[2];
if (!folder) throw new Error('usage: lease-child.ts <library folder>');
const library = await Library.open(folder);
// A lease far longer than the test: taking over must not wait for it to expire.
const scheduler = new JobScheduler({ store: new SqliteJobStore(library.raw), lease: new SqliteSchedulerLease(library.raw, { ttlMs: 600_000 }), pollIntervalMs: 20 });
scheduler.register('slow', makeSlowJob(`child:${process.pid}`));
scheduler.start();
process.stdout.write(`READY ${scheduler.isLeaseHolder ? 'holder' : 'standby'}\n`);
setInterval(() => undefined, 1000);
