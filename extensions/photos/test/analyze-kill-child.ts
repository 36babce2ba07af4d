// The process the analyze_photos kill test SIGKILLs: starts the real core with the extension runtime on a home,
// lets the library's scheduler resume the job, waits for it to end, stops, exits 0.
// Usage: node --import tsx analyze-kill-child.ts <home> <library id> <job id>
import { startCore } from './real-core.js';

const [home, libraryId, jobId] = process.argv.slice(2);
if (!home || !libraryId || !jobId) throw new Error('usage: analyze-kill-child.ts <home> <library id> <job id>');
const core = await startCore(home);
process.stdout.write('READY\n');
const done = await (await core.jobs.for(libraryId)).waitFor(jobId);
await core.stop();
process.stdout.write(`DONE ${done.status} ${JSON.stringify(done.errors)}\n`);
