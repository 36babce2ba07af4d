/**
 * Kysely table types for the durable scheduler (migration `0003_jobs`). Timestamps are Unix milliseconds;
 * JSON columns are stored as text and validated with zod when the scheduler loads them
 * (see `SqliteJobStore`). Joined into `LibraryDatabase` in `core/db/schema.ts`.
 *
 * @example
 * const running = await library.db.selectFrom('jobs').selectAll().where('status', '=', 'running').execute();
 */
export interface JobsTable {
  id: string;
  /** The registered job type, e.g. `indexer.scan` or `com.example.photos:faces`. */
  name: string;
  /** `core`, or the id of the extension that enqueued the job. */
  owner: string;
  /** JSON: the job's input, validated by the job type's schema. */
  input: string;
  status: 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
  priority: number;
  /** JSON: the last reported progress, or null. */
  progress: string | null;
  /** JSON: the last saved checkpoint, or null. */
  checkpoint: string | null;
  /** JSON: an array of error entries, newest last. */
  errors: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
  parent_id: string | null;
}

/** One idempotent step of a job. `(job_id, key)` is unique. */
export interface JobTasksTable {
  job_id: string;
  key: string;
  status: 'pending' | 'running' | 'completed' | 'failed';
  /** Attempts started and not interrupted by pause, cancel or shutdown (a crash counts). */
  attempts: number;
  max_retries: number;
  timeout_ms: number | null;
  next_attempt_at: number | null;
  last_error: string | null;
  /** JSON: what the task returned; set in the same transaction as its effect. */
  result: string | null;
  completed_at: number | null;
  created_at: number;
  updated_at: number;
}

/** The single row naming the process whose scheduler runs this library's jobs (migration `0005_actions`). */
export interface JobSchedulerLeaseTable {
  /** Always 1: there is at most one lease. */
  id: number;
  /** A random token per scheduler instance. */
  holder: string;
  pid: number;
  host: string;
  acquired_at: number;
  heartbeat_at: number;
  expires_at: number;
}

/** The scheduler's tables, as joined into `LibraryDatabase`. */
export interface JobTables {
  jobs: JobsTable;
  job_tasks: JobTasksTable;
  job_scheduler_lease: JobSchedulerLeaseTable;
}
