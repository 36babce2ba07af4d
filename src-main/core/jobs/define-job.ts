import type BetterSqlite3 from 'better-sqlite3';
import type { z } from 'zod';
import type { JobProgress } from './job-schemas.js';
import type { RunInWorkerOptions } from './run-in-worker.js';

/** Retry and timeout settings of a task. Defaults: 3 retries, no timeout, 200 ms backoff doubling up to 30 s. */
export interface TaskOptions {
  /** Extra attempts after the first one fails (0 = try once). */
  retries?: number;
  /** An attempt running longer fails with `TIMEOUT` and its `signal` fires. 0 or absent: no limit. */
  timeoutMs?: number;
  /** Wait before the first retry; doubles after each failure (exponential backoff). */
  backoffMs?: number;
  /** Upper bound of the backoff wait. */
  maxBackoffMs?: number;
}

/** What a task attempt receives. */
export interface TaskContext {
  readonly jobId: string;
  readonly key: string;
  /** 1 for the first attempt; counts attempts across restarts. */
  readonly attempt: number;
  /** Fires when the attempt times out or the job is paused, cancelled or shut down. */
  readonly signal: AbortSignal;
}

/**
 * What a task returns. `result` (JSON-serialisable) is stored with the completion and returned by every later
 * `runTask` with the same key. `commit`, when given, writes the task's effect synchronously through the
 * library's connection inside the very transaction that marks the task completed: either both are committed or
 * neither is, so a completed task's effect is applied exactly once, even across crashes.
 */
export interface TaskOutcome<R> {
  result: R;
  commit?: (db: BetterSqlite3.Database) => void;
}

/** The body of a task; may be async. Work done outside `commit` must be safe to repeat. */
export type TaskFn<R> = (task: TaskContext) => TaskOutcome<R> | Promise<TaskOutcome<R>>;

/** A progress report without a count. */
export interface IndeterminateProgress {
  indeterminate: true;
  message?: string;
}

/** What a running job's `run` receives. */
export interface JobContext<I, C> {
  readonly jobId: string;
  readonly name: string;
  readonly owner: string;
  /** The validated input. */
  readonly input: I;
  /** The checkpoint the job resumes from (validated by the job type's `checkpoint` schema), or undefined. */
  readonly resumedFrom: C | undefined;
  /** Fires on pause, cancel and scheduler shutdown; its reason is a `CANCELLED` CairnError. */
  readonly signal: AbortSignal;
  /** True once `signal` has fired. */
  isInterrupted(): boolean;
  /** Throws the interruption reason when the job was interrupted. */
  throwIfInterrupted(): void;
  /** Persists `state` (checked against the `checkpoint` schema; throws `VALIDATION` if it does not match). */
  checkpoint(state: C): void;
  /** Same as {@link JobContext.checkpoint}. */
  saveCheckpoint(state: C): void;
  /** Reports progress; events and stored progress are throttled (about every 100 ms, last value always kept). */
  progress(progress: JobProgress | IndeterminateProgress): void;
  /**
   * Runs the task `key` of this job once to completion, with retries, backoff and timeout, under the job's
   * and the scheduler's parallelism limits, and resolves with its result. A task completed earlier (in this
   * run or before a restart) is not run again: its stored result is returned. Throws `TaskFailedError` when
   * retries run out, the interruption reason when the job is interrupted, and `CONFLICT` when the same key is
   * already running in this job. Do not call `runTask` from inside a task (it would wait for its own slot).
   */
  runTask<R>(key: string, fn: TaskFn<R>, options?: TaskOptions): Promise<R>;
  /** `runInWorker` bound to this job's signal: pausing or cancelling the job terminates the worker. */
  runInWorker<T>(file: string, data: unknown, options?: Omit<RunInWorkerOptions, 'signal'> & { signal?: AbortSignal }): Promise<T>;
}

/**
 * A job type: how to validate its input (and checkpoint) and how to run it.
 * `run` should be restartable: after a crash or pause it runs again from the top with `ctx.resumedFrom` set,
 * and tasks completed earlier return their stored results at once.
 */
export interface JobDefinition<I, C = unknown> {
  input: z.ZodType<I>;
  /** Validates a stored checkpoint on resume; a mismatch fails the job with a clear reason. */
  checkpoint?: z.ZodType<C>;
  /** How many of this job's tasks may run at once (default 1). */
  concurrency?: number;
  /** Task settings used when `runTask` is given none. */
  taskDefaults?: TaskOptions;
  run(ctx: JobContext<I, C>): Promise<void>;
}

/**
 * Declares a job type with its types inferred from the schemas (an identity function).
 *
 * @example
 * const thumbs = defineJob({
 *   input: z.object({ ids: z.array(z.string()) }),
 *   concurrency: 2,
 *   async run(ctx) {
 *     for (const id of ctx.input.ids) {
 *       await ctx.runTask(`thumb:${id}`, async ({ signal }) => {
 *         const bytes = await render(id, signal);
 *         return { result: bytes.length, commit: (db) => db.prepare('INSERT INTO sidecars VALUES (?, ?)').run(id, bytes) };
 *       }, { retries: 2, timeoutMs: 30_000 });
 *     }
 *   },
 * });
 * scheduler.register('media.thumbnails', thumbs);
 */
export function defineJob<I, C = unknown>(definition: JobDefinition<I, C>): JobDefinition<I, C> {
  return definition;
}
