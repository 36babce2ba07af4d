import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { CairnError, toWireError } from '../../../src-shared/errors.js';
import type { IndeterminateProgress, JobContext, JobDefinition, TaskFn, TaskOptions, TaskOutcome } from './define-job.js';
import {
  FINISHED_JOB_STATUSES,
  jobOwnerSchema,
  jobProgressSchema,
  type JobErrorEntry,
  type JobProgress,
  type JobStatus,
} from './job-schemas.js';
import type { JobListFilter, JobStore, JobSummary } from './job-store.js';
import type { SchedulerLease } from './scheduler-lease.js';
import { ProgressThrottle } from './progress-throttle.js';
import { runInWorker } from './run-in-worker.js';
import { Semaphore } from './semaphore.js';
import { TaskFailedError } from './task-failed-error.js';

/** Events the scheduler emits through `onEvent` (names as they will appear in the contract). */
export interface JobEvents {
  /** Throttled to about one per `progressIntervalMs` per job; the last report is always delivered. */
  'jobs.onDidProgress': { jobId: string; name: string; owner: string; progress: JobProgress };
  /** Every status change, including `queued` after an enqueue commits. `error` is set when it failed. */
  'jobs.onDidChange': { jobId: string; name: string; owner: string; status: JobStatus; error?: string };
}
/** `'jobs.onDidProgress' | 'jobs.onDidChange'`. */
export type JobEventName = keyof JobEvents;

/** Options of {@link JobScheduler}. */
export interface JobSchedulerOptions {
  store: JobStore;
  /** Jobs running at once (default: `os.availableParallelism()`, 2 on our 2-core machines). */
  maxConcurrentJobs?: number;
  /** Tasks running at once across all jobs (default: `os.availableParallelism()`). */
  maxConcurrentTasks?: number;
  /** Minimum spacing of progress events and progress writes per job (default 100 ms). */
  progressIntervalMs?: number;
  /** Receives every event; exceptions it throws go to `onError` and never reach a job. */
  onEvent?: <E extends JobEventName>(name: E, payload: JobEvents[E]) => void;
  /** Background failures that have no caller (a listener threw, a progress write failed). Default: console.error. */
  onError?: (error: unknown) => void;
  /**
   * When given, this scheduler runs jobs only while it holds the lease (several processes may open one
   * library; see `scheduler-lease.ts`). It renews the lease, and looks for changes other processes wrote
   * (jobs enqueued, paused, resumed, cancelled; progress and status of jobs run elsewhere), every
   * `pollIntervalMs`. Without a lease the scheduler assumes it is alone (tests, benchmarks, one-off tools).
   */
  lease?: SchedulerLease;
  /** How often to renew the lease and look for changes from other processes (default: a third of the lease, at most 1 s). */
  pollIntervalMs?: number;
}

/** Options of {@link JobScheduler.enqueue}. */
export interface EnqueueOptions {
  /** Higher runs first; equal priorities run oldest first. Default 0. */
  priority?: number;
  /** `core` (default) or the extension id that owns the job. */
  owner?: string;
  parentId?: string | null;
  /** A caller-chosen id (default: a random UUID). Fails with the driver's constraint error if taken. */
  id?: string;
  /** Enqueue in the `paused` state; `resume(id)` releases it. */
  paused?: boolean;
}

const DEFAULT_TASK = { retries: 3, timeoutMs: 0, backoffMs: 200, maxBackoffMs: 30_000 } as const;
const FINISHED: readonly JobStatus[] = FINISHED_JOB_STATUSES;

interface ActiveJob {
  id: string;
  name: string;
  owner: string;
  controller: AbortController;
  taskSlots: Semaphore;
  inFlight: Set<string>;
  throttle: ProgressThrottle<JobProgress>;
  done: Promise<void>;
}

type JobRef = { id: string; name: string; owner: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = JobDefinition<any, any>;

/**
 * The durable job scheduler of one library. Job types are registered by name; jobs are rows in the library
 * database, so they survive restarts: `start()` resumes jobs that were running (from their last checkpoint,
 * with completed tasks skipped) and leaves paused ones paused. Tasks retry with exponential backoff, time out,
 * and complete idempotently (a task's effect commits in the same transaction as its completion).
 *
 * Failure modes: a job whose stored input, checkpoint or progress does not validate is marked `failed` with the
 * reason and the others go on; a job whose `run` throws is `failed` with the error recorded; control calls on a
 * job in the wrong state throw `CONFLICT`, on a missing job `NOT_FOUND`. One scheduler per library database.
 *
 * @example
 * const scheduler = new JobScheduler({ store: new SqliteJobStore(library.raw), onEvent: (n, p) => forward(n, p) });
 * scheduler.register('demo.count', defineJob({ input: z.object({ n: z.number() }), async run(ctx) {
 *   for (let i = 0; i < ctx.input.n; i++) await ctx.runTask(`n:${i}`, () => ({ result: i }));
 * } }));
 * scheduler.start();
 * const id = scheduler.enqueue('demo.count', { n: 3 });
 * await scheduler.waitFor(id); // { status: 'completed', tasks: { completed: 3, ... }, durationMs, ... }
 * await scheduler.stop();
 */
export class JobScheduler {
  readonly #store: JobStore;
  readonly #defs = new Map<string, AnyDefinition>();
  readonly #active = new Map<string, ActiveJob>();
  readonly #maxJobs: number;
  readonly #taskSlots: Semaphore;
  readonly #progressIntervalMs: number;
  readonly #onEvent: JobSchedulerOptions['onEvent'];
  readonly #onError: (error: unknown) => void;
  readonly #waiters = new Map<string, Set<{ statuses: readonly JobStatus[]; resolve: (s: JobSummary) => void }>>();
  readonly #unannounced = new Set<string>();
  #settleWaiters: (() => void)[] = [];
  #started = false;
  #stopping = false;
  #pumpQueued = false;
  readonly #lease: SchedulerLease | undefined;
  readonly #pollMs: number;
  #holding = false;
  #timer: NodeJS.Timeout | undefined;
  #lastPoll = 0;
  /** Last status and progress this process saw or announced per job, so changes made elsewhere are announced once. */
  readonly #known = new Map<string, { status: JobStatus; progress?: string }>();

  constructor(options: JobSchedulerOptions) {
    const cores = Math.max(1, availableParallelism());
    this.#store = options.store;
    this.#maxJobs = positiveInt(options.maxConcurrentJobs ?? cores, 'maxConcurrentJobs');
    this.#taskSlots = new Semaphore(positiveInt(options.maxConcurrentTasks ?? cores, 'maxConcurrentTasks'));
    this.#progressIntervalMs = options.progressIntervalMs ?? 100;
    this.#onEvent = options.onEvent;
    this.#onError = options.onError ?? ((e) => console.error('[jobs]', e));
    this.#lease = options.lease;
    this.#pollMs = positiveInt(options.pollIntervalMs ?? Math.max(1, Math.min(1000, Math.floor((options.lease?.ttlMs ?? 3000) / 3))), 'pollIntervalMs');
  }

  /** Whether this scheduler may run jobs: it holds the lease, or it has none. */
  get isLeaseHolder(): boolean {
    return this.#lease ? this.#holding : this.#started;
  }

  /** True between `start()` and `stop()`. */
  get isStarted(): boolean {
    return this.#started;
  }

  /** Ids of jobs whose `run` is executing in this process (including ones winding down after pause/cancel). */
  get activeJobIds(): string[] {
    return [...this.#active.keys()];
  }

  /**
   * Registers a job type. Queued jobs of this type start once the scheduler is started. Throws `CONFLICT` when
   * the name is taken and `VALIDATION` for an empty name.
   *
   * @example
   * scheduler.register('indexer.scan', scanJob);
   */
  register<I, C>(name: string, definition: JobDefinition<I, C>): void {
    if (!name || name.length > 200) throw new CairnError('VALIDATION', 'A job type needs a name of 1–200 characters.');
    if (this.#defs.has(name)) throw new CairnError('CONFLICT', `A job type named ${name} is already registered.`);
    if (definition.concurrency !== undefined) positiveInt(definition.concurrency, `concurrency of ${name}`);
    this.#defs.set(name, definition as AnyDefinition);
    this.#schedulePump();
  }

  /**
   * Inserts a job and returns its id, synchronously, so it can join a caller's transaction on the same
   * connection: if that transaction rolls back, the job was never enqueued (and no event is sent). The job
   * starts after the surrounding transaction commits, once the scheduler is started.
   *
   * Throws `NOT_FOUND` for an unregistered type, `VALIDATION` when the input (as stored, i.e. after a JSON
   * round trip) fails the type's schema or the owner is malformed.
   *
   * @example
   * library.raw.transaction(() => {
   *   library.raw.prepare('INSERT INTO albums (id, name) VALUES (?, ?)').run(albumId, 'Trip');
   *   scheduler.enqueue('media.thumbnails', { albumId }, { priority: 1 });
   * })();
   */
  enqueue(name: string, input: unknown, options: EnqueueOptions = {}): string {
    const def = this.#defs.get(name);
    if (!def) throw new CairnError('NOT_FOUND', `No job type named ${name} is registered.`);
    const json = JSON.stringify(input ?? null);
    const stored: unknown = JSON.parse(json);
    const parsed = def.input.safeParse(stored);
    if (!parsed.success) throw new CairnError('VALIDATION', `Invalid input for job ${name}: ${z.prettifyError(parsed.error)}`);
    const owner = options.owner ?? 'core';
    if (!jobOwnerSchema.safeParse(owner).success) throw new CairnError('VALIDATION', `Invalid job owner ${JSON.stringify(owner)}.`);
    const priority = options.priority ?? 0;
    if (!Number.isSafeInteger(priority)) throw new CairnError('VALIDATION', 'A job priority must be an integer.');
    const id = options.id ?? randomUUID();
    this.#store.insertJob({
      id,
      name,
      owner,
      input: stored,
      priority,
      parentId: options.parentId ?? null,
      status: options.paused ? 'paused' : 'queued',
    });
    // After the caller's (synchronous) transaction has committed or rolled back: announce only what exists.
    // Until then the pump leaves the job alone, so `queued` is always its first event.
    this.#unannounced.add(id);
    setImmediate(() => {
      this.#unannounced.delete(id);
      if (!this.#store.db.open) return; // the library closed before the callback ran
      const summary = this.#safe(() => this.#store.getSummary(id));
      if (summary) this.#changed(summary, summary.status);
      this.#schedulePump();
    });
    return id;
  }

  /**
   * Starts running queued jobs and resumes jobs left `running` by a previous process (from their last
   * checkpoint; their completed tasks are skipped). Paused jobs stay paused. Jobs whose type is not registered
   * are left untouched until it is. Idempotent.
   */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    if (this.#lease) {
      this.#holding = this.#safe(() => this.#lease!.tryAcquire()) ?? false;
      this.#lastPoll = Date.now();
      this.#timer = setInterval(() => this.#poll(), this.#pollMs);
      this.#refTimer();
    }
    this.#schedulePump();
  }

  /**
   * Interrupts running jobs (their signals fire, workers terminate, in-flight task attempts are not counted) and
   * waits for them to wind down. Their status stays `running`, so the next `start()` resumes them.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const a of this.#active.values()) {
      a.controller.abort(new CairnError('CANCELLED', `Job ${a.id} was interrupted: the scheduler is stopping.`));
    }
    await Promise.all([...this.#active.values()].map((a) => a.done));
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    // Hand the lease over at once rather than making another process wait for it to expire.
    if (this.#lease && this.#holding) this.#safe(() => this.#lease!.release());
    this.#holding = false;
    this.#started = false;
    this.#stopping = false;
  }

  /** Pauses a queued or running job: its signal fires now; it stays paused across restarts until `resume`. */
  pause(id: string): JobSummary {
    this.#move(id, 'paused', ['queued', 'running'], 'pause');
    this.#interrupt(id, `Job ${id} was paused.`);
    return this.#summary(id);
  }

  /** Puts a paused job back in the queue; it continues from its last checkpoint, skipping completed tasks. */
  resume(id: string): JobSummary {
    this.#move(id, 'queued', ['paused'], 'resume');
    this.#schedulePump();
    return this.#summary(id);
  }

  /** Cancels a queued, running or paused job: its signal fires now. Completed tasks' effects stay; nothing is half-applied. */
  cancel(id: string): JobSummary {
    this.#move(id, 'cancelled', ['queued', 'running', 'paused'], 'cancel');
    this.#interrupt(id, `Job ${id} was cancelled.`);
    return this.#summary(id);
  }

  /** Re-queues a failed job: its failed tasks get fresh attempts, completed ones are kept. Errors stay in history. */
  retryFailed(id: string): JobSummary {
    this.#store.transaction(() => {
      this.#move(id, 'queued', ['failed'], 'retry', false);
      this.#store.resetFailedTasks(id);
    });
    const summary = this.#summary(id);
    this.#changed(summary, 'queued');
    this.#schedulePump();
    return summary;
  }

  /** One job with task counts, duration and errors, or undefined. */
  get(id: string): JobSummary | undefined {
    return this.#store.getSummary(id);
  }

  /** Jobs, newest first, finished ones included until {@link JobScheduler.clearFinished}. */
  list(filter?: JobListFilter): JobSummary[] {
    return this.#store.listJobs(filter);
  }

  /** Deletes completed, failed and cancelled jobs and their tasks; returns how many jobs went. */
  clearFinished(): number {
    return this.#store.clearFinished();
  }

  /**
   * Resolves with the job's summary once it is in one of `statuses` (default: finished). Rejects `NOT_FOUND`
   * for an unknown id. Never times out by itself.
   *
   * @example
   * const done = await scheduler.waitFor(id); if (done.status === 'failed') console.log(done.errors);
   */
  waitFor(id: string, statuses: readonly JobStatus[] = FINISHED): Promise<JobSummary> {
    const now = this.#store.getSummary(id);
    if (!now) return Promise.reject(new CairnError('NOT_FOUND', `No job with id ${id}.`));
    if (statuses.includes(now.status)) return Promise.resolve(now);
    return new Promise((resolve) => {
      let set = this.#waiters.get(id);
      if (!set) this.#waiters.set(id, (set = new Set()));
      set.add({ statuses, resolve });
      this.#refTimer();
    });
  }

  /** Resolves when no job is running in this process and none is waiting to start. */
  async idle(): Promise<void> {
    for (;;) {
      const runnable =
        this.#started && !this.#stopping && this.isLeaseHolder
          ? this.#store.pickRunnable([...this.#defs.keys()], new Set(), 1).length > 0
          : false;
      if (this.#active.size === 0 && !this.#pumpQueued && this.#unannounced.size === 0 && !runnable) return;
      await new Promise<void>((r) => this.#settleWaiters.push(r));
    }
  }

  // ---- internals ----

  /**
   * Renews (or tries to take) the lease and picks up what other processes wrote since the last poll: jobs
   * paused or cancelled elsewhere are interrupted here, new and resumed jobs start, and status and progress
   * changes of jobs running elsewhere are announced in this process too (so every window sees them).
   */
  #poll(): void {
    if (!this.#started || this.#stopping || !this.#store.db.open) return;
    const was = this.#holding;
    this.#holding = this.#safe(() => this.#lease!.tryAcquire()) ?? false;
    if (was && !this.#holding) {
      for (const a of this.#active.values()) {
        a.controller.abort(new CairnError('CANCELLED', `Job ${a.id} was interrupted: another process took over this library's jobs.`));
      }
    }
    // Overlap the window a little: clocks of two processes on one host agree, but writes land between polls.
    const since = this.#lastPoll - this.#pollMs;
    this.#lastPoll = Date.now();
    for (const job of this.#safe(() => this.#store.listJobs({ updatedSince: since })) ?? []) {
      const active = this.#active.get(job.id);
      if (active) {
        if ((job.status === 'paused' || job.status === 'cancelled') && !active.controller.signal.aborted) {
          active.controller.abort(new CairnError('CANCELLED', `Job ${job.id} was ${job.status} from another process.`));
          this.#changed(job, job.status);
        }
        continue;
      }
      const known = this.#known.get(job.id);
      if (known?.status !== job.status) this.#changed(job, job.status, job.status === 'failed' ? job.errors.at(-1)?.message : undefined);
      const progress = job.progress ? JSON.stringify(job.progress) : undefined;
      if (job.progress && progress !== known?.progress) {
        this.#known.set(job.id, { status: job.status, progress });
        this.#emit('jobs.onDidProgress', { jobId: job.id, name: job.name, owner: job.owner, progress: job.progress });
      }
    }
    if (this.#holding) this.#schedulePump();
    this.#refTimer();
  }

  /** The poll timer keeps the process alive only while someone waits for a job. */
  #refTimer(): void {
    if (!this.#timer) return;
    if (this.#waiters.size > 0) this.#timer.ref();
    else this.#timer.unref();
  }

  #move(id: string, to: JobStatus, from: readonly JobStatus[], verb: string, announce = true): void {
    const before = this.#store.getSummary(id);
    if (!before) throw new CairnError('NOT_FOUND', `No job with id ${id}.`);
    if (!this.#store.transition(id, to, from)) {
      const current = this.#store.getSummary(id)?.status ?? before.status;
      throw new CairnError('CONFLICT', `Cannot ${verb} job ${id}: it is ${current}.`);
    }
    if (announce) this.#changed(before, to);
  }

  #interrupt(id: string, message: string): void {
    this.#active.get(id)?.controller.abort(new CairnError('CANCELLED', message));
  }

  #summary(id: string): JobSummary {
    const s = this.#store.getSummary(id);
    if (!s) throw new CairnError('NOT_FOUND', `No job with id ${id}.`);
    return s;
  }

  #schedulePump(): void {
    if (this.#pumpQueued) return;
    this.#pumpQueued = true;
    setImmediate(() => {
      this.#pumpQueued = false;
      this.#pump();
      this.#notifySettled();
    });
  }

  #pump(): void {
    if (!this.#started || this.#stopping || !this.#store.db.open) return;
    if (this.#lease && !this.#holding) return;
    const free = this.#maxJobs - this.#active.size;
    if (free <= 0) return;
    const skip = new Set([...this.#active.keys(), ...this.#unannounced]);
    const picks = this.#safe(() => this.#store.pickRunnable([...this.#defs.keys()], skip, free)) ?? [];
    for (const pick of picks) this.#launch(pick.id, pick.name);
  }

  #notifySettled(): void {
    const waiters = this.#settleWaiters;
    this.#settleWaiters = [];
    for (const w of waiters) w();
  }

  #launch(id: string, name: string): void {
    const def = this.#defs.get(name);
    if (!def) return;
    let finished!: () => void;
    const active: ActiveJob = {
      id,
      name,
      owner: 'core',
      controller: new AbortController(),
      taskSlots: new Semaphore(def.concurrency ?? 1),
      inFlight: new Set(),
      throttle: new ProgressThrottle<JobProgress>(this.#progressIntervalMs, (p) => this.#publishProgress(active, p)),
      done: new Promise<void>((r) => (finished = r)),
    };
    // Every task waiting for a slot listens to the job's signal; thousands may wait at once.
    setMaxListeners(0, active.controller.signal);
    this.#active.set(id, active);
    this.#execute(active, def)
      .catch((error: unknown) => {
        // Only a failing database gets here; record it on the job if at all possible.
        this.#onError(error);
        this.#safe(() => this.#failWith(active, { at: Date.now(), code: 'INTERNAL', message: `The scheduler failed while running this job: ${toWireError(error).message}` }));
      })
      .finally(() => {
        this.#safe(() => active.throttle.flush());
        this.#active.delete(id);
        finished();
        this.#schedulePump();
        this.#notifySettled();
      });
  }

  async #execute(active: ActiveJob, def: AnyDefinition): Promise<void> {
    const loaded = this.#store.loadJob(active.id);
    if (!loaded) return;
    if (!loaded.ok) {
      this.#failWith(active, { at: Date.now(), code: 'LIBRARY_CORRUPT', message: loaded.reason });
      return;
    }
    const job = loaded.job;
    active.owner = job.owner;
    const what = `Job ${job.id} (${job.name}) cannot be loaded`;
    const input = def.input.safeParse(job.input);
    if (!input.success) {
      this.#failWith(active, { at: Date.now(), code: 'LIBRARY_CORRUPT', message: `${what}: its stored input does not match the job type (${z.prettifyError(input.error)}).` });
      return;
    }
    let resumedFrom: unknown = job.checkpoint;
    if (job.checkpoint !== undefined && def.checkpoint) {
      const cp = def.checkpoint.safeParse(job.checkpoint);
      if (!cp.success) {
        this.#failWith(active, { at: Date.now(), code: 'LIBRARY_CORRUPT', message: `${what}: its stored checkpoint does not match the job type (${z.prettifyError(cp.error)}).` });
        return;
      }
      resumedFrom = cp.data;
    }
    if (!this.#store.transition(job.id, 'running', ['queued', 'running'])) return;
    // Tasks left `running` belong to a process that is gone (this job was not active here).
    this.#store.recoverInterruptedTasks(job.id);
    if (job.progress) active.throttle.push(job.progress);
    this.#changed(active, 'running');

    const ctx = this.#context(active, def, input.data, resumedFrom);
    try {
      await def.run(ctx);
      if (active.controller.signal.aborted) return;
      active.throttle.flush();
      if (this.#store.transition(job.id, 'completed', ['running'])) this.#changed(active, 'completed');
    } catch (error) {
      // Pause, cancel and shutdown already wrote the job's status; the rejection is just the unwinding.
      if (active.controller.signal.aborted) return;
      const wire = toWireError(error);
      const message = error instanceof TaskFailedError ? wire.message : `The job failed: ${wire.message}`;
      this.#failWith(active, { at: Date.now(), code: wire.code, message });
    }
  }

  #failWith(job: JobRef, entry: JobErrorEntry): void {
    if (this.#store.failJob(job.id, [entry])) this.#changed(job, 'failed', entry.message);
  }

  #context(active: ActiveJob, def: AnyDefinition, input: unknown, resumedFrom: unknown): JobContext<unknown, unknown> {
    const signal = active.controller.signal;
    const checkpoint = (state: unknown) => {
      if (def.checkpoint) {
        const parsed = def.checkpoint.safeParse(state);
        if (!parsed.success) throw new CairnError('VALIDATION', `Invalid checkpoint for job ${active.name}: ${z.prettifyError(parsed.error)}`);
      }
      this.#store.saveCheckpoint(active.id, state);
    };
    return {
      jobId: active.id,
      name: active.name,
      owner: active.owner,
      input,
      resumedFrom,
      signal,
      isInterrupted: () => signal.aborted,
      throwIfInterrupted: () => signal.throwIfAborted(),
      checkpoint,
      saveCheckpoint: checkpoint,
      progress: (progress: JobProgress | IndeterminateProgress) => {
        const parsed = jobProgressSchema.safeParse(progress);
        if (!parsed.success) throw new CairnError('VALIDATION', `Invalid progress for job ${active.name}: ${z.prettifyError(parsed.error)}`);
        active.throttle.push(parsed.data);
      },
      runTask: <R>(key: string, fn: TaskFn<R>, options?: TaskOptions) => this.#runTask(active, def, key, fn, options),
      runInWorker: <T>(file: string, data: unknown, options: Parameters<JobContext<unknown, unknown>['runInWorker']>[2] = {}) =>
        runInWorker<T>(file, data, { ...options, signal: options.signal ? AbortSignal.any([signal, options.signal]) : signal }),
    };
  }

  #publishProgress(active: ActiveJob, progress: JobProgress): void {
    this.#safe(() => this.#store.saveProgress(active.id, progress));
    this.#known.set(active.id, { status: 'running', progress: JSON.stringify(progress) });
    this.#emit('jobs.onDidProgress', { jobId: active.id, name: active.name, owner: active.owner, progress });
  }

  async #runTask<R>(active: ActiveJob, def: AnyDefinition, key: string, fn: TaskFn<R>, options: TaskOptions = {}): Promise<R> {
    if (typeof key !== 'string' || key.length === 0 || key.length > 500) {
      throw new CairnError('VALIDATION', 'A task key must be a string of 1–500 characters.');
    }
    const o = { ...DEFAULT_TASK, ...defined(def.taskDefaults), ...defined(options) };
    if (!Number.isInteger(o.retries) || o.retries < 0) throw new CairnError('VALIDATION', `Task "${key}": retries must be a whole number ≥ 0.`);
    if (!(o.timeoutMs >= 0) || !(o.backoffMs >= 0) || !(o.maxBackoffMs >= 0)) {
      throw new CairnError('VALIDATION', `Task "${key}": timeoutMs, backoffMs and maxBackoffMs must be ≥ 0.`);
    }
    if (active.inFlight.has(key)) throw new CairnError('CONFLICT', `Task "${key}" of job ${active.id} is already running.`);
    const signal = active.controller.signal;
    active.inFlight.add(key);
    try {
      for (;;) {
        signal.throwIfAborted();
        const known = this.#store.getTask(active.id, key);
        if (known?.status === 'completed') return parseResult<R>(known.result);
        if (known?.status === 'failed') {
          throw new TaskFailedError(key, known.attempts, { code: 'INTERNAL', message: known.lastError ?? 'failed earlier' });
        }
        if (known?.nextAttemptAt) await sleep(known.nextAttemptAt - Date.now(), signal);

        const releaseJobSlot = await active.taskSlots.acquire(signal);
        let releaseGlobal: (() => void) | undefined;
        try {
          releaseGlobal = await this.#taskSlots.acquire(signal);
          signal.throwIfAborted();
          const task = this.#store.startTaskAttempt(active.id, key, { maxRetries: o.retries, timeoutMs: o.timeoutMs || null });
          if (task.status === 'completed') return parseResult<R>(task.result);
          if (task.status === 'failed') continue;
          const attempt = task.attempts;
          const outcome = await attemptTask(fn, { jobId: active.id, key, attempt }, signal, o.timeoutMs);

          let failure: unknown;
          if (outcome.ok) {
            if (signal.aborted) {
              this.#store.releaseTaskAttempt(active.id, key);
              throw signal.reason;
            }
            try {
              const json = JSON.stringify(outcome.value.result ?? null);
              const done = this.#store.completeTask(active.id, key, json, outcome.value.commit);
              return parseResult<R>(done.resultJson);
            } catch (error) {
              failure = error; // the commit or the result was rejected: the transaction rolled back, so retry
            }
          } else {
            if (signal.aborted && !outcome.timedOut) {
              this.#safe(() => this.#store.releaseTaskAttempt(active.id, key));
              throw signal.reason;
            }
            failure = outcome.error;
          }
          const wire = toWireError(failure);
          const final = attempt > o.retries;
          const delay = Math.min(o.maxBackoffMs, o.backoffMs * 2 ** (attempt - 1));
          this.#store.failTaskAttempt(active.id, key, {
            error: { at: Date.now(), code: wire.code, message: `Task "${key}" attempt ${attempt}: ${wire.message}`, task: key, attempt },
            final,
            nextAttemptAt: final ? null : Date.now() + delay,
          });
          if (final) throw new TaskFailedError(key, attempt, wire);
        } finally {
          releaseGlobal?.();
          releaseJobSlot();
        }
      }
    } finally {
      active.inFlight.delete(key);
    }
  }

  #changed(job: JobRef, status: JobStatus, error?: string): void {
    this.#known.set(job.id, { ...this.#known.get(job.id), status });
    this.#emit('jobs.onDidChange', { jobId: job.id, name: job.name, owner: job.owner, status, ...(error ? { error } : {}) });
    const waiters = this.#waiters.get(job.id);
    if (!waiters) return;
    for (const w of [...waiters]) {
      if (!w.statuses.includes(status)) continue;
      const summary = this.#safe(() => this.#store.getSummary(job.id));
      if (!summary) continue;
      waiters.delete(w);
      w.resolve(summary);
    }
    if (waiters.size === 0) this.#waiters.delete(job.id);
  }

  #emit<E extends JobEventName>(name: E, payload: JobEvents[E]): void {
    if (!this.#onEvent) return;
    try {
      this.#onEvent(name, payload);
    } catch (error) {
      this.#onError(error);
    }
  }

  #safe<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      this.#onError(error);
      return undefined;
    }
  }
}

type AttemptOutcome<R> = { ok: true; value: TaskOutcome<R> } | { ok: false; error: unknown; timedOut: boolean };

/** Runs one attempt, racing it against the job's signal and the timeout so a task that ignores its signal
 * still fails promptly (its late result is dropped; only the scheduler commits). */
async function attemptTask<R>(
  fn: TaskFn<R>,
  info: { jobId: string; key: string; attempt: number },
  jobSignal: AbortSignal,
  timeoutMs: number,
): Promise<AttemptOutcome<R>> {
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const onJobAbort = () => controller.abort(jobSignal.reason);
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  if (jobSignal.aborted) onJobAbort();
  else jobSignal.addEventListener('abort', onJobAbort, { once: true });
  aborted.catch(() => undefined);
  if (timeoutMs > 0) {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new CairnError('TIMEOUT', `timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  }
  const work = Promise.resolve().then(() => fn({ ...info, signal: controller.signal }));
  work.catch(() => undefined);
  try {
    const value = await Promise.race([work, aborted]);
    if (typeof value !== 'object' || value === null || !('result' in value)) {
      throw new CairnError('VALIDATION', 'a task must return { result, commit? }');
    }
    if (value.commit !== undefined && typeof value.commit !== 'function') {
      throw new CairnError('VALIDATION', 'a task\'s commit must be a function');
    }
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error, timedOut };
  } finally {
    if (timer) clearTimeout(timer);
    jobSignal.removeEventListener('abort', onJobAbort);
  }
}

/** Drops keys whose value is undefined, so `{ timeoutMs: undefined }` keeps the default. */
function defined(options: TaskOptions | undefined): TaskOptions {
  return Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined)) as TaskOptions;
}

function parseResult<R>(json: string | null): R {
  return (json === null ? null : JSON.parse(json)) as R;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function positiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new CairnError('VALIDATION', `${what} must be a whole number ≥ 1 (got ${value}).`);
  return value;
}
