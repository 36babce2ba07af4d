import type BetterSqlite3 from 'better-sqlite3';
import type { JobErrorEntry, JobProgress, JobStatus, TaskStatus } from './job-schemas.js';

/** A job as loaded from storage, its JSON columns parsed and checked (input and checkpoint stay `unknown`
 * until the job type's schemas check them). */
export interface JobRecord {
  id: string;
  name: string;
  owner: string;
  input: unknown;
  status: JobStatus;
  priority: number;
  progress: JobProgress | null;
  /** `undefined` when the job has never saved a checkpoint. */
  checkpoint: unknown;
  errors: JobErrorEntry[];
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
  parentId: string | null;
}

/** The result of loading a job: the record, or why its stored state is unusable. */
export type LoadedJob =
  | { ok: true; job: JobRecord }
  | { ok: false; id: string; name: string; status: JobStatus; reason: string };

/** Task counts of one job, by status. */
export interface JobTaskCounts {
  total: number;
  pending: number;
  running: number;
  completed: number;
  failed: number;
}

/** What lists and history show: a job without its checkpoint, with task counts and duration. */
export interface JobSummary {
  id: string;
  name: string;
  owner: string;
  input: unknown;
  status: JobStatus;
  priority: number;
  progress: JobProgress | null;
  errors: JobErrorEntry[];
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
  parentId: string | null;
  /** finished − started for finished jobs, now − started for running ones, else null. */
  durationMs: number | null;
  tasks: JobTaskCounts;
}

/** One task row. `result` stays raw JSON text: the scheduler parses it for the caller. */
export interface TaskRecord {
  jobId: string;
  key: string;
  status: TaskStatus;
  attempts: number;
  maxRetries: number;
  timeoutMs: number | null;
  nextAttemptAt: number | null;
  lastError: string | null;
  result: string | null;
  completedAt: number | null;
}

/** A job to insert. `input` must already be validated by its job type. */
export interface NewJob {
  id: string;
  name: string;
  owner: string;
  input: unknown;
  priority: number;
  parentId: string | null;
  status?: 'queued' | 'paused';
}

/** Filters for {@link JobStore.listJobs}; all optional, combined with AND. */
export interface JobListFilter {
  status?: readonly JobStatus[];
  owner?: string;
  parentId?: string;
  name?: string;
  /** Only jobs whose row changed at or after this time (ms). */
  updatedSince?: number;
}

/**
 * Where the scheduler keeps jobs and tasks. Every method is synchronous so that it can run inside a caller's
 * better-sqlite3 transaction (atomic enqueue) and so that a task's effect and its completion share one
 * transaction ({@link JobStore.completeTask}).
 *
 * Loading never throws on bad stored data: {@link JobStore.loadJob} reports it as `{ ok: false, reason }`
 * and {@link JobStore.listJobs} shows unreadable columns as empty values. Writes throw the driver's errors.
 *
 * @example
 * const store: JobStore = new SqliteJobStore(library.raw);
 * store.insertJob({ id, name: 'demo', owner: 'core', input: {}, priority: 0, parentId: null });
 */
export interface JobStore {
  /** The connection task effects are written through (passed to a task's `commit`). */
  readonly db: BetterSqlite3.Database;
  /** Runs `fn` in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T;

  insertJob(job: NewJob): void;
  loadJob(id: string): LoadedJob | undefined;
  getSummary(id: string): JobSummary | undefined;
  listJobs(filter?: JobListFilter): JobSummary[];
  /** Jobs that may start: queued ones, and running ones left over from a previous process; oldest first
   * within priority, running first. Only `names` are considered; `exclude` ids are skipped. */
  pickRunnable(names: readonly string[], exclude: ReadonlySet<string>, limit: number): { id: string; name: string }[];
  /** Moves a job to `to` when its status is one of `from`; returns whether it moved. Sets `started_at` the
   * first time it runs and `finished_at` when it finishes (cleared when it leaves a finished status). */
  transition(id: string, to: JobStatus, from: readonly JobStatus[]): boolean;
  /** Marks a job failed (from any status but `completed`) and appends `errors`, even when the stored error
   * list is unreadable. Returns whether it moved. */
  failJob(id: string, errors: readonly JobErrorEntry[]): boolean;
  appendErrors(id: string, errors: readonly JobErrorEntry[]): void;
  saveCheckpoint(id: string, state: unknown): void;
  saveProgress(id: string, progress: JobProgress): void;
  /** Deletes finished jobs (and their tasks); returns how many. */
  clearFinished(): number;

  getTask(jobId: string, key: string): TaskRecord | undefined;
  /** Creates the task or moves it to `running`, counting one attempt. Leaves completed and failed tasks as they are
   * and returns them unchanged. */
  startTaskAttempt(jobId: string, key: string, options: { maxRetries: number; timeoutMs: number | null }): TaskRecord;
  /** In one transaction: applies `commit` and marks the task completed with `resultJson`. When the task was
   * already completed, applies nothing and returns the stored result. If `commit` throws, nothing is written. */
  completeTask(
    jobId: string,
    key: string,
    resultJson: string,
    commit?: (db: BetterSqlite3.Database) => void,
  ): { applied: boolean; resultJson: string };
  /** Records a failed attempt: back to `pending` with `nextAttemptAt`, or `failed` when `final`. Appends
   * `error` to the job's errors in the same transaction. */
  failTaskAttempt(
    jobId: string,
    key: string,
    failure: { error: JobErrorEntry; final: boolean; nextAttemptAt: number | null },
  ): void;
  /** Undoes the attempt count of an attempt cut short by pause, cancel or shutdown. */
  releaseTaskAttempt(jobId: string, key: string): void;
  /** `running` tasks of a job that is not running in this process were cut short by a crash: back to
   * `pending` (their attempt still counts). Returns how many. */
  recoverInterruptedTasks(jobId: string): number;
  /** `failed` tasks back to `pending` with no attempts. Returns how many. */
  resetFailedTasks(jobId: string): number;
}
