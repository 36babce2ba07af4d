// Benchmark of the job scheduler. Run: npx tsx src-main/core/jobs/bench/bench-jobs.ts [--tasks N] [--cpu-ms MS]
// 1. No-op tasks per second through the scheduler, beside plain loops doing the same work in the same run
//    (awaiting the same no-op function; and that plus the same two SQLite writes per task, without the scheduler).
// 2. Main-thread event-loop lag (p50/p99) while a CPU-heavy job runs in a worker, beside the lag of the same
//    work done on the main thread in 100 ms slices. Target: p99 < 50 ms with the worker.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { resolveWorkerFile } from '../../workers/spawn-worker.js';
import { defineJob, type TaskOutcome } from '../define-job.js';
import { JobScheduler } from '../job-scheduler.js';
import { SqliteJobStore } from '../sqlite-job-store.js';
import { createTempLibrary } from '../test-fixtures/temp-library.js';

const { values } = parseArgs({ options: { tasks: { type: 'string', default: '5000' }, 'cpu-ms': { type: 'string', default: '3000' } } });
const TASKS = Number(values.tasks);
const CPU_MS = Number(values['cpu-ms']);
const cpuWorker = resolveWorkerFile(import.meta.url, '../test-fixtures/cpu-worker');

const noop = async (): Promise<TaskOutcome<null>> => ({ result: null });
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} tasks/s`;
const pad = (s: string) => s.padEnd(64);

const temp = await createTempLibrary('cairn-bench-jobs-');
try {
  const { library } = temp;
  const scheduler = new JobScheduler({ store: new SqliteJobStore(library.raw), maxConcurrentJobs: 2, maxConcurrentTasks: 2 });
  scheduler.register(
    'bench.noop',
    defineJob({
      input: z.object({ n: z.number(), parallel: z.boolean() }),
      concurrency: 2,
      async run(ctx) {
        if (!ctx.input.parallel) {
          for (let i = 0; i < ctx.input.n; i++) await ctx.runTask(`t${i}`, noop);
          return;
        }
        await Promise.all(Array.from({ length: ctx.input.n }, (_, i) => ctx.runTask(`t${i}`, noop)));
      },
    }),
  );
  scheduler.register(
    'bench.cpu',
    defineJob({
      input: z.object({ ms: z.number() }),
      async run(ctx) {
        await ctx.runTask('spin', async ({ signal }) => ({ result: await ctx.runInWorker(cpuWorker, { mode: 'spin', ms: ctx.input.ms }, { signal }) }), {
          retries: 0,
        });
      },
    }),
  );
  scheduler.start();

  console.log(`Cairn job scheduler benchmark (Node ${process.version}, ${TASKS} no-op tasks)\n`);

  // Reference 1: the same no-op work, awaited in a plain loop.
  let t = performance.now();
  for (let i = 0; i < TASKS; i++) await noop();
  const plainMs = performance.now() - t;

  // Reference 2: the same work plus the two writes a task costs (start the attempt, then complete it in a
  // transaction), without the scheduler, on the same database.
  library.raw.exec('CREATE TABLE bench_tasks (job TEXT, key TEXT, status TEXT, attempts INTEGER, result TEXT, UNIQUE (job, key))');
  const ins = library.raw.prepare("INSERT INTO bench_tasks VALUES ('j', ?, 'running', 1, NULL)");
  const done = library.raw.prepare("UPDATE bench_tasks SET status = 'completed', result = ? WHERE job = 'j' AND key = ?");
  const complete = library.raw.transaction((key: string, result: string) => done.run(result, key));
  t = performance.now();
  for (let i = 0; i < TASKS; i++) {
    ins.run(`t${i}`);
    const out = await noop();
    complete(`t${i}`, JSON.stringify(out.result));
  }
  const sqlMs = performance.now() - t;

  const runJob = async (parallel: boolean) => {
    const start = performance.now();
    const id = scheduler.enqueue('bench.noop', { n: TASKS, parallel });
    const s = await scheduler.waitFor(id);
    if (s.status !== 'completed' || s.tasks.completed !== TASKS) throw new Error(`bench job ended ${s.status}`);
    return performance.now() - start;
  };
  const seqMs = await runJob(false);
  const parMs = await runJob(true);

  console.log('Throughput (no-op tasks, durable: each one is 2 SQLite commits)');
  console.log(`  ${pad('plain loop, await noop()  [reference]')}${rate(TASKS, plainMs)}`);
  console.log(`  ${pad('plain loop, noop + same 2 SQLite writes  [reference]')}${rate(TASKS, sqlMs)}`);
  console.log(`  ${pad('scheduler, runTask in sequence')}${rate(TASKS, seqMs)}  (${((seqMs / TASKS) * 1000).toFixed(0)} µs/task)`);
  console.log(`  ${pad('scheduler, runTask x2 in parallel')}${rate(TASKS, parMs)}  (${((parMs / TASKS) * 1000).toFixed(0)} µs/task)`);

  // Event-loop lag. Reference: the same CPU work on the main thread, yielding every 100 ms.
  const lag = async (what: string, work: () => Promise<unknown>) => {
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    await work();
    h.disable();
    const ms = (ns: number) => (ns / 1e6).toFixed(1).padStart(6);
    console.log(`  ${pad(what)}p50 ${ms(h.percentile(50))} ms  p99 ${ms(h.percentile(99))} ms  max ${ms(h.max)} ms`);
    return h.percentile(99) / 1e6;
  };
  const mainMs = Math.min(CPU_MS, 1000);
  console.log(`\nMain-thread event-loop lag (monitorEventLoopDelay, resolution 10 ms: an idle loop reads ~10 ms)`);
  await lag(`idle main thread, 500 ms  [reference]`, () => new Promise((r) => setTimeout(r, 500)));
  await lag(`${mainMs} ms CPU on the main thread, 100 ms slices  [reference]`, async () => {
    const end = performance.now() + mainMs;
    while (performance.now() < end) {
      const slice = performance.now() + 100;
      let x = 0;
      while (performance.now() < slice) x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
      await new Promise((r) => setImmediate(r));
    }
  });
  const p99 = await lag(`${CPU_MS} ms CPU job in a worker (runInWorker)`, async () => {
    const id = scheduler.enqueue('bench.cpu', { ms: CPU_MS });
    const s = await scheduler.waitFor(id);
    if (s.status !== 'completed') throw new Error(`cpu job ended ${s.status}: ${JSON.stringify(s.errors)}`);
  });
  console.log(`\n  worker p99 ${p99.toFixed(1)} ms: ${p99 < 50 ? 'meets' : 'MISSES'} the < 50 ms target`);
  await scheduler.stop();
} finally {
  await temp.cleanup();
}
