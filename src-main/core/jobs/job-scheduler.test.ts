import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CairnError } from '../../../src-shared/errors.js';
import { Library } from '../library/library.js';
import { resolveWorkerFile } from '../workers/spawn-worker.js';
import { defineJob } from './define-job.js';
import { runInWorker } from './run-in-worker.js';
import { JobScheduler, type JobEventName, type JobEvents, type JobSchedulerOptions } from './job-scheduler.js';
import { SqliteJobStore } from './sqlite-job-store.js';
import { TaskFailedError } from './task-failed-error.js';
import { createTempLibrary } from './test-fixtures/temp-library.js';

type Event = { [E in JobEventName]: { name: E; payload: JobEvents[E] } }[JobEventName];

let temp: Awaited<ReturnType<typeof createTempLibrary>>;
let library: Library;
let schedulers: JobScheduler[];
let events: Event[];

beforeEach(async () => {
  temp = await createTempLibrary();
  library = temp.library;
  schedulers = [];
  events = [];
  library.raw.exec('CREATE TABLE effects (key TEXT NOT NULL, value TEXT)');
});

afterEach(async () => {
  for (const s of schedulers) await s.stop();
  await temp.cleanup();
});

function makeScheduler(options: Partial<JobSchedulerOptions> = {}, lib: Library = library): JobScheduler {
  const scheduler = new JobScheduler({
    store: new SqliteJobStore(lib.raw),
    onEvent: (name, payload) => events.push({ name, payload } as Event),
    onError: (e) => {
      throw e;
    },
    ...options,
  });
  schedulers.push(scheduler);
  return scheduler;
}

function effects(lib: Library = library): { key: string; value: string | null }[] {
  return lib.raw.prepare('SELECT key, value FROM effects ORDER BY rowid').all() as { key: string; value: string | null }[];
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Waits until `check()` is true, polling; fails after a generous bound so a broken scheduler cannot hang the run. */
async function until(check: () => boolean, what: string, boundMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > boundMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const insertEffect = (key: string, value: string | null = null) => (db: Library['raw']) => {
  db.prepare('INSERT INTO effects (key, value) VALUES (?, ?)').run(key, value);
};

const listJob = defineJob({
  input: z.object({ keys: z.array(z.string()) }),
  checkpoint: z.object({ done: z.number().int() }),
  async run(ctx) {
    let done = ctx.resumedFrom?.done ?? 0;
    for (const key of ctx.input.keys) {
      await ctx.runTask(key, () => ({ result: key, commit: insertEffect(key) }));
      ctx.checkpoint({ done: ++done });
    }
  },
});

describe('tasks', () => {
  it('retries a task that throws, then completes with its effect applied once', async () => {
    const s = makeScheduler();
    let calls = 0;
    s.register(
      'flaky',
      defineJob({
        input: z.object({}),
        async run(ctx) {
          const r = await ctx.runTask(
            'a',
            ({ attempt }) => {
              calls++;
              if (attempt === 1) throw new CairnError('IO', 'disk hiccup');
              return { result: { attempt }, commit: insertEffect('a') };
            },
            { retries: 2, backoffMs: 5 },
          );
          expect(r).toEqual({ attempt: 2 });
        },
      }),
    );
    s.start();
    const id = s.enqueue('flaky', {});
    const done = await s.waitFor(id);
    expect(done.status).toBe('completed');
    expect(calls).toBe(2);
    expect(effects()).toEqual([{ key: 'a', value: null }]);
    expect(done.tasks).toMatchObject({ total: 1, completed: 1, failed: 0 });
    expect(done.errors).toHaveLength(1);
    expect(done.errors[0]).toMatchObject({ code: 'IO', task: 'a', attempt: 1 });
    expect(done.errors[0]?.message).toContain('disk hiccup');
    expect(done.durationMs).not.toBeNull();
    const task = library.raw.prepare('SELECT attempts, status, last_error FROM job_tasks').get();
    expect(task).toMatchObject({ attempts: 2, status: 'completed' });
  });

  it('fails an attempt that hangs past its timeout, fires its signal, and retries', async () => {
    const s = makeScheduler();
    const signalsFired: boolean[] = [];
    s.register(
      'hangs',
      defineJob({
        input: z.object({}),
        async run(ctx) {
          await ctx.runTask(
            'slow',
            async ({ attempt, signal }) => {
              if (attempt === 1) {
                // Ignores its signal on purpose: the scheduler must not wait for it.
                await new Promise((r) => setTimeout(r, 60_000).unref());
              }
              signalsFired.push(signal.aborted);
              return { result: null, commit: insertEffect('slow') };
            },
            { retries: 1, timeoutMs: 50, backoffMs: 1 },
          );
        },
      }),
    );
    s.start();
    const id = s.enqueue('hangs', {});
    const done = await s.waitFor(id);
    expect(done.status).toBe('completed');
    expect(done.errors.map((e) => e.code)).toEqual(['TIMEOUT']);
    expect(done.errors[0]?.message).toContain('timed out after 50 ms');
    expect(effects()).toHaveLength(1);
    expect(signalsFired).toEqual([false]);
  });

  it('aborts the task signal on timeout (a cooperative task sees it)', async () => {
    const s = makeScheduler();
    let sawAbort: unknown;
    s.register(
      'coop',
      defineJob({
        input: z.object({}),
        async run(ctx) {
          await ctx.runTask(
            't',
            ({ signal }) =>
              new Promise<never>((_, reject) => {
                signal.addEventListener('abort', () => {
                  sawAbort = signal.reason;
                  reject(signal.reason);
                });
              }),
            { retries: 0, timeoutMs: 30 },
          );
        },
      }),
    );
    s.start();
    const done = await s.waitFor(s.enqueue('coop', {}));
    expect(done.status).toBe('failed');
    expect(sawAbort).toBeInstanceOf(CairnError);
    expect((sawAbort as CairnError).code).toBe('TIMEOUT');
  });

  it('fails the job when a task fails more times than its retries allow, recording every error', async () => {
    const s = makeScheduler();
    let calls = 0;
    let healed = false;
    s.register(
      'broken',
      defineJob({
        input: z.object({}),
        async run(ctx) {
          await ctx.runTask('ok', () => ({ result: 1, commit: insertEffect('ok') }));
          await ctx.runTask(
            'bad',
            () => {
              calls++;
              if (!healed) throw new Error(`boom ${calls}`);
              return { result: 2, commit: insertEffect('bad') };
            },
            { retries: 2, backoffMs: 1 },
          );
        },
      }),
    );
    s.start();
    const id = s.enqueue('broken', {});
    const failed = await s.waitFor(id);
    expect(failed.status).toBe('failed');
    expect(calls).toBe(3);
    expect(failed.tasks).toMatchObject({ total: 2, completed: 1, failed: 1 });
    expect(failed.errors.map((e) => e.message)).toEqual([
      'Task "bad" attempt 1: boom 1',
      'Task "bad" attempt 2: boom 2',
      'Task "bad" attempt 3: boom 3',
      'Task "bad" failed after 3 attempts: boom 3',
    ]);
    expect(failed.finishedAt).not.toBeNull();
    expect(events.filter((e) => e.name === 'jobs.onDidChange').map((e) => e.payload)).toContainEqual(
      expect.objectContaining({ jobId: id, status: 'failed', error: 'Task "bad" failed after 3 attempts: boom 3' }),
    );

    // retry-failed: fresh attempts for the failed task, the completed one is not run again.
    healed = true;
    expect(s.retryFailed(id).status).toBe('queued');
    const retried = await s.waitFor(id);
    expect(retried.status).toBe('completed');
    expect(effects().map((e) => e.key)).toEqual(['ok', 'bad']);
    expect(retried.errors).toHaveLength(4);
    expect(() => s.retryFailed(id)).toThrow(/Cannot retry job .*: it is completed/);
  });

  it('a job may catch a TaskFailedError and still complete', async () => {
    const s = makeScheduler();
    s.register(
      'tolerant',
      defineJob({
        input: z.object({}),
        async run(ctx) {
          const err = await ctx
            .runTask('x', () => {
              throw new CairnError('NOT_FOUND', 'gone');
            }, { retries: 0 })
            .catch((e: unknown) => e);
          expect(err).toBeInstanceOf(TaskFailedError);
          expect((err as TaskFailedError).code).toBe('NOT_FOUND');
        },
      }),
    );
    s.start();
    const done = await s.waitFor(s.enqueue('tolerant', {}));
    expect(done.status).toBe('completed');
    expect(done.tasks).toMatchObject({ failed: 1 });
  });

  it('a commit that throws rolls back with the completion and counts as a failed attempt', async () => {
    const s = makeScheduler();
    s.register(
      'commit-fails',
      defineJob({
        input: z.object({}),
        async run(ctx) {
          await ctx.runTask(
            'c',
            ({ attempt }) => ({
              result: attempt,
              commit: (db) => {
                insertEffect('c', String(attempt))(db);
                if (attempt === 1) throw new Error('constraint');
              },
            }),
            { retries: 1, backoffMs: 1 },
          );
        },
      }),
    );
    s.start();
    const done = await s.waitFor(s.enqueue('commit-fails', {}));
    expect(done.status).toBe('completed');
    expect(effects()).toEqual([{ key: 'c', value: '2' }]);
  });

  it('runs a completed task only once even when the job calls it again', async () => {
    const s = makeScheduler();
    let calls = 0;
    s.register(
      'twice',
      defineJob({
        input: z.object({}),
        async run(ctx) {
          const fn = () => ({ result: ++calls, commit: insertEffect('t') });
          expect(await ctx.runTask('t', fn)).toBe(1);
          expect(await ctx.runTask('t', fn)).toBe(1);
        },
      }),
    );
    s.start();
    expect((await s.waitFor(s.enqueue('twice', {}))).status).toBe('completed');
    expect(calls).toBe(1);
    expect(effects()).toHaveLength(1);
  });

  it('respects per-job and global parallelism', async () => {
    const s = makeScheduler({ maxConcurrentJobs: 3, maxConcurrentTasks: 2 });
    let running = 0;
    let peak = 0;
    const perJob = new Map<string, { now: number; peak: number }>();
    s.register(
      'wide',
      defineJob({
        input: z.object({ n: z.number() }),
        concurrency: 3,
        async run(ctx) {
          const mine = { now: 0, peak: 0 };
          perJob.set(ctx.jobId, mine);
          await Promise.all(
            Array.from({ length: ctx.input.n }, (_, i) =>
              ctx.runTask(`t${i}`, async () => {
                running++;
                mine.now++;
                peak = Math.max(peak, running);
                mine.peak = Math.max(mine.peak, mine.now);
                await new Promise((r) => setTimeout(r, 3));
                running--;
                mine.now--;
                return { result: i };
              }),
            ),
          );
        },
      }),
    );
    s.register(
      'narrow',
      defineJob({
        input: z.object({ n: z.number() }),
        async run(ctx) {
          const mine = { now: 0, peak: 0 };
          perJob.set(ctx.jobId, mine);
          await Promise.all(
            Array.from({ length: ctx.input.n }, (_, i) =>
              ctx.runTask(`t${i}`, async () => {
                mine.now++;
                mine.peak = Math.max(mine.peak, mine.now);
                await new Promise((r) => setTimeout(r, 3));
                mine.now--;
                return { result: i };
              }),
            ),
          );
        },
      }),
    );
    s.start();
    const ids = [s.enqueue('wide', { n: 12 }), s.enqueue('wide', { n: 12 }), s.enqueue('narrow', { n: 6 })];
    for (const id of ids) expect((await s.waitFor(id)).status).toBe('completed');
    expect(peak).toBeLessThanOrEqual(2);
    expect(peak).toBeGreaterThanOrEqual(1);
    expect(perJob.get(ids[2]!)?.peak).toBe(1);
  });
});

describe('enqueue', () => {
  it('joins the caller’s transaction: a rollback leaves no job, no event, nothing run', async () => {
    const s = makeScheduler();
    s.register('list', listJob);
    s.start();
    expect(() =>
      library.raw.transaction(() => {
        library.raw.prepare("INSERT INTO effects (key) VALUES ('caller-row')").run();
        s.enqueue('list', { keys: ['never'] }, { id: 'rolled-back' });
        throw new Error('caller changed its mind');
      })(),
    ).toThrow('caller changed its mind');
    let committedId = '';
    library.raw.transaction(() => {
      library.raw.prepare("INSERT INTO effects (key) VALUES ('caller-row-2')").run();
      committedId = s.enqueue('list', { keys: ['k1', 'k2'] });
    })();
    expect((await s.waitFor(committedId)).status).toBe('completed');
    await s.idle();
    expect(s.get('rolled-back')).toBeUndefined();
    expect(s.list().map((j) => j.id)).toEqual([committedId]);
    expect(effects().map((e) => e.key)).toEqual(['caller-row-2', 'k1', 'k2']);
    expect(events.some((e) => e.payload.jobId === 'rolled-back')).toBe(false);
    expect(events.filter((e) => e.name === 'jobs.onDidChange' && e.payload.jobId === committedId).map((e) => (e.payload as { status?: string }).status)).toEqual([
      'queued',
      'running',
      'completed',
    ]);
  });

  it('validates the job type, input and owner', () => {
    const s = makeScheduler();
    s.register('list', listJob);
    expect(() => s.enqueue('nope', {})).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => s.enqueue('list', { keys: 'x' })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => s.enqueue('list', { keys: [] }, { owner: 'Bad Owner!' })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => s.register('list', listJob)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    const id = s.enqueue('list', { keys: [] }, { owner: 'com.example.photos', priority: 5 });
    expect(s.get(id)).toMatchObject({ owner: 'com.example.photos', priority: 5, status: 'queued' });
  });

  it('runs higher priority first', async () => {
    const s = makeScheduler({ maxConcurrentJobs: 1 });
    const order: string[] = [];
    s.register('p', defineJob({ input: z.object({ tag: z.string() }), run: async (ctx) => void order.push(ctx.input.tag) }));
    const low = s.enqueue('p', { tag: 'low' });
    const high = s.enqueue('p', { tag: 'high' }, { priority: 10 });
    s.start();
    await s.waitFor(low);
    await s.waitFor(high);
    expect(order).toEqual(['high', 'low']);
  });
});

describe('stored state', () => {
  it('fails a job whose stored checkpoint or input is corrupt, with a reason, and keeps running the others', async () => {
    const s = makeScheduler();
    s.register('list', listJob);
    const badJson = s.enqueue('list', { keys: ['a'] });
    const badShape = s.enqueue('list', { keys: ['b'] });
    const badInput = s.enqueue('list', { keys: ['c'] });
    const badProgress = s.enqueue('list', { keys: ['d'] });
    const good = s.enqueue('list', { keys: ['e', 'f'] });
    const set = library.raw.prepare("UPDATE jobs SET status = 'running' WHERE id = ?");
    for (const id of [badJson, badShape, badInput, badProgress]) set.run(id);
    library.raw.prepare("UPDATE jobs SET checkpoint = '{\"done\": 1' WHERE id = ?").run(badJson);
    library.raw.prepare('UPDATE jobs SET checkpoint = \'{"done": "many"}\' WHERE id = ?').run(badShape);
    library.raw.prepare('UPDATE jobs SET input = \'{"keys": 42}\' WHERE id = ?').run(badInput);
    library.raw.prepare('UPDATE jobs SET progress = \'{"completed": -1, "total": 2}\', errors = \'oops\' WHERE id = ?').run(badProgress);
    s.start();

    const r1 = await s.waitFor(badJson);
    expect(r1.status).toBe('failed');
    expect(r1.errors.at(-1)).toMatchObject({ code: 'LIBRARY_CORRUPT' });
    expect(r1.errors.at(-1)?.message).toMatch(/cannot be loaded: its stored checkpoint is not valid JSON/);
    const r2 = await s.waitFor(badShape);
    expect(r2.status).toBe('failed');
    expect(r2.errors.at(-1)?.message).toMatch(/its stored checkpoint does not match the job type/);
    const r3 = await s.waitFor(badInput);
    expect(r3.errors.at(-1)?.message).toMatch(/its stored input does not match the job type/);
    const r4 = await s.waitFor(badProgress);
    expect(r4.status).toBe('failed');
    expect(r4.errors.map((e) => e.message).join('\n')).toMatch(/stored progress is malformed/);

    expect((await s.waitFor(good)).status).toBe('completed');
    expect(effects().map((e) => e.key)).toEqual(['e', 'f']);
    // Listing never throws on bad rows.
    expect(s.list()).toHaveLength(5);
  });
});

describe('control', () => {
  function gatedJob(gates: Map<string, Promise<void>>, started: string[]) {
    return defineJob({
      input: z.object({ keys: z.array(z.string()) }),
      async run(ctx) {
        for (const key of ctx.input.keys) {
          await ctx.runTask(key, async ({ signal }) => {
            started.push(key);
            await Promise.race([
              gates.get(key) ?? Promise.resolve(),
              new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
            ]);
            return { result: key, commit: insertEffect(key) };
          });
        }
      },
    });
  }

  it('pauses promptly, stays paused, and resumes without redoing completed tasks', async () => {
    const s = makeScheduler();
    const gate = deferred();
    const started: string[] = [];
    s.register('gated', gatedJob(new Map([['b', gate.promise]]), started));
    s.start();
    const id = s.enqueue('gated', { keys: ['a', 'b', 'c'] });
    await until(() => started.includes('b'), 'task b to start');
    expect(s.pause(id).status).toBe('paused');
    await s.idle();
    expect(s.activeJobIds).toEqual([]);
    expect(s.get(id)).toMatchObject({ status: 'paused', tasks: { completed: 1, pending: 1 } });
    // The in-flight attempt was interrupted, not counted as a failure.
    expect(library.raw.prepare("SELECT attempts FROM job_tasks WHERE key = 'b'").get()).toEqual({ attempts: 0 });
    expect(() => s.pause(id)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));

    gate.resolve();
    expect(s.resume(id).status).toBe('queued');
    const done = await s.waitFor(id);
    expect(done.status).toBe('completed');
    expect(started).toEqual(['a', 'b', 'b', 'c']);
    expect(effects().map((e) => e.key)).toEqual(['a', 'b', 'c']);
    expect(done.errors).toEqual([]);
  });

  it('cancels promptly, keeps completed effects, and applies nothing half-way', async () => {
    const s = makeScheduler();
    const started: string[] = [];
    s.register('gated', gatedJob(new Map([['b', new Promise<void>(() => undefined)]]), started));
    s.start();
    const id = s.enqueue('gated', { keys: ['a', 'b', 'c'] });
    await until(() => started.includes('b'), 'task b to start');
    expect(s.cancel(id).status).toBe('cancelled');
    await s.idle();
    const after = s.get(id);
    expect(after).toMatchObject({ status: 'cancelled', tasks: { completed: 1, pending: 1, running: 0 } });
    expect(after?.finishedAt).not.toBeNull();
    expect(effects().map((e) => e.key)).toEqual(['a']);
    expect(() => s.resume(id)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => s.cancel('missing')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('can pause or cancel a queued job before it starts', async () => {
    const s = makeScheduler();
    s.register('list', listJob);
    const a = s.enqueue('list', { keys: ['a'] });
    const b = s.enqueue('list', { keys: ['b'] });
    s.pause(a);
    s.cancel(b);
    s.start();
    await s.idle();
    expect(s.get(a)?.status).toBe('paused');
    expect(s.get(b)?.status).toBe('cancelled');
    expect(effects()).toEqual([]);
  });

  it('keeps finished jobs in history until clearFinished', async () => {
    const s = makeScheduler();
    s.register('list', listJob);
    s.start();
    const done = s.enqueue('list', { keys: ['a', 'b'] });
    await s.waitFor(done);
    const paused = s.enqueue('list', { keys: ['c'] }, { paused: true });
    const history = s.list({ status: ['completed'] });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ id: done, tasks: { total: 2, completed: 2 }, errors: [] });
    expect(history[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(s.clearFinished()).toBe(1);
    expect(s.list().map((j) => j.id)).toEqual([paused]);
    expect(library.raw.prepare('SELECT count(*) AS n FROM job_tasks').get()).toEqual({ n: 0 });
  });
});

describe('restart', () => {
  it('resumes a running job from its checkpoint after a restart, skipping completed tasks; paused jobs stay paused', async () => {
    const s1 = makeScheduler();
    const calls: string[] = [];
    const seenCheckpoints: unknown[] = [];
    const gate = deferred();
    const job = (gateKey: string | null) =>
      defineJob({
        input: z.object({ keys: z.array(z.string()) }),
        checkpoint: z.object({ next: z.number().int() }),
        async run(ctx) {
          seenCheckpoints.push(ctx.resumedFrom);
          ctx.progress({ completed: ctx.resumedFrom?.next ?? 0, total: ctx.input.keys.length });
          for (let i = ctx.resumedFrom?.next ?? 0; i < ctx.input.keys.length; i++) {
            const key = ctx.input.keys[i]!;
            await ctx.runTask(key, async ({ signal }) => {
              calls.push(key);
              if (key === gateKey) await Promise.race([gate.promise, new Promise((_, rej) => signal.addEventListener('abort', () => rej(signal.reason)))]);
              return { result: null, commit: insertEffect(key) };
            });
            ctx.checkpoint({ next: i + 1 });
            ctx.progress({ completed: i + 1, total: ctx.input.keys.length });
          }
        },
      });
    s1.register('resumable', job('c'));
    s1.start();
    const id = s1.enqueue('resumable', { keys: ['a', 'b', 'c', 'd'] });
    const parked = s1.enqueue('resumable', { keys: ['z'] }, { paused: true });
    await until(() => calls.includes('c'), 'task c to start');
    await s1.stop(); // like a quit: the job stays "running" in the database
    expect(s1.get(id)?.status).toBe('running');

    // Simulate the crash case as well: a task row left running by a dead process.
    library.raw.prepare("INSERT INTO job_tasks (job_id, key, status, attempts, created_at, updated_at) VALUES (?, 'd', 'running', 1, 0, 0)").run(id);
    await library.close();

    const reopened = await Library.open(library.path);
    const s2 = makeScheduler({}, reopened);
    s2.register('resumable', job(null));
    calls.length = 0;
    s2.start();
    const done = await s2.waitFor(id);
    expect(done.status).toBe('completed');
    expect(calls).toEqual(['c', 'd']);
    expect(seenCheckpoints).toEqual([undefined, { next: 2 }]);
    expect(effects(reopened).map((e) => e.key)).toEqual(['a', 'b', 'c', 'd']);
    expect(done.progress).toEqual({ completed: 4, total: 4 });
    expect(reopened.raw.prepare("SELECT attempts, last_error FROM job_tasks WHERE key = 'd'").get()).toMatchObject({
      attempts: 2,
      last_error: 'The process stopped during attempt 1.',
    });
    await s2.idle();
    expect(s2.get(parked)?.status).toBe('paused');
    await s2.stop();
    await reopened.close();
  });
});

describe('progress', () => {
  it('throttles progress events and always delivers the last value', async () => {
    const s = makeScheduler({ progressIntervalMs: 100 });
    const total = 2000;
    s.register(
      'chatty',
      defineJob({
        input: z.object({}),
        async run(ctx) {
          ctx.progress({ indeterminate: true, message: 'warming up' });
          for (let i = 1; i <= total; i++) {
            ctx.progress({ completed: i, total, bytes: i * 10 });
            if (i % 100 === 0) await new Promise((r) => setTimeout(r, 5));
          }
        },
      }),
    );
    s.start();
    const id = s.enqueue('chatty', {});
    const done = await s.waitFor(id);
    const progress = events.filter((e) => e.name === 'jobs.onDidProgress').map((e) => e.payload.progress);
    // 2,001 reports over roughly 100–300 ms: a throttle lets through a handful; none at all would be a bug too.
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThan(100);
    expect(progress[0]).toEqual({ indeterminate: true, message: 'warming up' });
    expect(progress.at(-1)).toEqual({ completed: total, total, bytes: total * 10 });
    expect(done.progress).toEqual({ completed: total, total, bytes: total * 10 });
  });

  it('a throwing event listener never reaches the job', async () => {
    const errors: unknown[] = [];
    const s = makeScheduler({
      onEvent: () => {
        throw new Error('listener bug');
      },
      onError: (e) => errors.push(e),
    });
    s.register('list', listJob);
    s.start();
    expect((await s.waitFor(s.enqueue('list', { keys: ['a'] }))).status).toBe('completed');
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('workers', () => {
  const cpuWorker = resolveWorkerFile(import.meta.url, './test-fixtures/cpu-worker');

  it('runs CPU work in a worker from a task, and cancelling the job terminates the worker', async () => {
    const s = makeScheduler();
    const reports: unknown[] = [];
    s.register(
      'cpu',
      defineJob({
        input: z.object({ mode: z.enum(['spin', 'forever', 'throw']) }),
        async run(ctx) {
          const out = await ctx.runTask(
            'crunch',
            async ({ signal }) => ({
              result: await ctx.runInWorker<{ iterations: number }>(cpuWorker, { mode: ctx.input.mode, ms: 30 }, { signal, onProgress: (v) => reports.push(v) }),
            }),
            { retries: 0 },
          );
          expect(out.iterations).toBeGreaterThan(0);
        },
      }),
    );
    s.start();
    expect((await s.waitFor(s.enqueue('cpu', { mode: 'spin' }))).status).toBe('completed');

    const failing = await s.waitFor(s.enqueue('cpu', { mode: 'throw' }));
    expect(failing.status).toBe('failed');
    expect(failing.errors[0]).toMatchObject({ code: 'IO' });
    expect(failing.errors[0]?.message).toContain('could not read its file');

    reports.length = 0;
    const forever = s.enqueue('cpu', { mode: 'forever' });
    await until(() => reports.length > 0, 'the worker to report progress', 20_000);
    s.cancel(forever);
    await s.idle();
    expect(s.get(forever)?.status).toBe('cancelled');
    const count = reports.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(reports.length).toBe(count); // terminated: no more reports arrive
  });

  it('runInWorker terminates a worker that runs past its timeout, or whose signal is already aborted', async () => {
    const timedOut = await runInWorker(cpuWorker, { mode: 'forever' }, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ code: 'TIMEOUT' });
    const aborted = await runInWorker(cpuWorker, { mode: 'spin' }, { signal: AbortSignal.abort(new CairnError('CANCELLED', 'nope')) }).catch((e: unknown) => e);
    expect(aborted).toMatchObject({ code: 'CANCELLED', message: 'nope' });
  });
});
