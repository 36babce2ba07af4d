// The process the kill test SIGKILLs: opens a library, runs the scheduler until every kill-test job is
// finished, then exits 0. Usage: node --import tsx kill-child.ts <library folder>
import { Library } from '../../library/library.js';
import { JobScheduler } from '../job-scheduler.js';
import { SqliteJobStore } from '../sqlite-job-store.js';
import { makeKillTestJob } from './kill-test-job.js';

const folder = process.argv[2];
if (!folder) throw new Error('usage: kill-child.ts <library folder>');
const library = await Library.open(folder);
const scheduler = new JobScheduler({ store: new SqliteJobStore(library.raw), maxConcurrentJobs: 2, maxConcurrentTasks: 2 });
scheduler.register('kill-test', makeKillTestJob(library.raw));
scheduler.start();
process.stdout.write('READY\n');
const jobs = scheduler.list({ name: 'kill-test' });
const results = await Promise.all(jobs.map((j) => scheduler.waitFor(j.id)));
await scheduler.stop();
await library.close();
process.stdout.write(`DONE ${results.map((r) => r.status).join(',')}\n`);
