import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import type { JobsTable, JobTasksTable } from './job-tables.js';
import {
  JOB_STATUSES,
  FINISHED_JOB_STATUSES,
  MAX_JOB_ERRORS,
  jobErrorsSchema,
  jobProgressSchema,
  type JobErrorEntry,
  type JobProgress,
  type JobStatus,
} from './job-schemas.js';
import type {
  JobListFilter,
  JobRecord,
  JobStore,
  JobSummary,
  JobTaskCounts,
  LoadedJob,
  NewJob,
  TaskRecord,
} from './job-store.js';

const statusSchema = z.enum(JOB_STATUSES);
const FINISHED = new Set<JobStatus>(FINISHED_JOB_STATUSES);

type JobRow = JobsTable;
type TaskRow = JobTasksTable;
type CountRow = { job_id: string; status: string; n: number };
type Commit = (db: BetterSqlite3.Database) => void;

/**
 * The SQLite {@link JobStore}, on a library's better-sqlite3 connection (tables from migration `0003_jobs`).
 * Statements are prepared once. Stored JSON is parsed and checked with zod on load; a job whose row is
 * unreadable loads as `{ ok: false, reason }` instead of throwing.
 *
 * Fails at construction when the jobs tables are missing (the library was not migrated).
 *
 * @example
 * const store = new SqliteJobStore(library.raw);
 * library.raw.transaction(() => { insertAlbum(); store.insertJob({ id, name: 'thumbs', owner: 'core', input, priority: 0, parentId: null }); })();
 */
export class SqliteJobStore implements JobStore {
  readonly db: BetterSqlite3.Database;
  readonly #now: () => number;
  readonly #s: ReturnType<typeof prepare>;
  readonly #completeTx: BetterSqlite3.Transaction<(jobId: string, key: string, json: string, commit?: Commit) => { applied: boolean; resultJson: string }>;

  constructor(db: BetterSqlite3.Database, options: { now?: () => number } = {}) {
    this.db = db;
    this.#now = options.now ?? Date.now;
    this.#s = prepare(db);
    // Built once: creating a better-sqlite3 transaction function per call is measurable on the hot path.
    // Run with .immediate() (see `transaction`): it reads the task before writing its completion.
    this.#completeTx = db.transaction((jobId: string, key: string, json: string, commit?: Commit) => {
      const existing = this.#s.getTask.get(jobId, key) as TaskRow | undefined;
      if (existing?.status === 'completed') return { applied: false, resultJson: existing.result ?? 'null' };
      // The effect and the completion mark commit together or not at all: this is what makes tasks
      // idempotent across crashes.
      commit?.(this.db);
      const now = this.#now();
      if (existing) this.#s.complete.run({ job_id: jobId, key, result: json, now });
      else this.#s.insertCompleted.run({ job_id: jobId, key, result: json, now });
      return { applied: true, resultJson: json };
    });
  }

  /**
   * Runs `fn` in one transaction that takes the write lock first (BEGIN IMMEDIATE; a savepoint when nested).
   * A deferred transaction that read before writing would fail at once with "database is locked" when another
   * connection (an extension's worker, another process) committed in between; this one waits on the busy timeout.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  insertJob(job: NewJob): void {
    const now = this.#now();
    this.#s.insertJob.run({
      id: job.id,
      name: job.name,
      owner: job.owner,
      input: JSON.stringify(job.input ?? null),
      status: job.status ?? 'queued',
      priority: job.priority,
      now,
      parent_id: job.parentId,
    });
  }

  loadJob(id: string): LoadedJob | undefined {
    const row = this.#s.getJob.get(id) as JobRow | undefined;
    if (!row) return undefined;
    return parseJobRow(row);
  }

  getSummary(id: string): JobSummary | undefined {
    const row = this.#s.getJob.get(id) as JobRow | undefined;
    if (!row) return undefined;
    const counts = this.#s.countTasksOf.all(id) as CountRow[];
    return summarize(row, countsByJob(counts).get(id), this.#now());
  }

  listJobs(filter: JobListFilter = {}): JobSummary[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) {
      where.push('status IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(filter.status));
    }
    if (filter.owner !== undefined) {
      where.push('owner = ?');
      params.push(filter.owner);
    }
    if (filter.parentId !== undefined) {
      where.push('parent_id = ?');
      params.push(filter.parentId);
    }
    if (filter.name !== undefined) {
      where.push('name = ?');
      params.push(filter.name);
    }
    if (filter.updatedSince !== undefined) {
      where.push('updated_at >= ?');
      params.push(filter.updatedSince);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.db.prepare(`SELECT * FROM jobs ${clause} ORDER BY created_at DESC, rowid DESC`).all(...params) as JobRow[];
    // One grouped query for every listed job's task counts, not one per job.
    const counts = countsByJob(
      this.db
        .prepare(
          `SELECT job_id, status, count(*) AS n FROM job_tasks WHERE job_id IN (SELECT id FROM jobs ${clause}) GROUP BY job_id, status`,
        )
        .all(...params) as CountRow[],
    );
    const now = this.#now();
    return rows.map((row) => summarize(row, counts.get(row.id), now));
  }

  pickRunnable(names: readonly string[], exclude: ReadonlySet<string>, limit: number): { id: string; name: string }[] {
    if (limit <= 0 || names.length === 0) return [];
    const rows = this.#s.pickRunnable.all(JSON.stringify(names), limit + exclude.size) as { id: string; name: string }[];
    return rows.filter((r) => !exclude.has(r.id)).slice(0, limit);
  }

  transition(id: string, to: JobStatus, from: readonly JobStatus[]): boolean {
    const now = this.#now();
    const finished = FINISHED.has(to) ? 1 : 0;
    const info = this.#s.transition.run({ id, to, from: JSON.stringify(from), now, finished, running: to === 'running' ? 1 : 0 });
    return info.changes > 0;
  }

  failJob(id: string, errors: readonly JobErrorEntry[]): boolean {
    return this.transaction(() => {
      const row = this.#s.getErrors.get(id) as { errors: string; status: string } | undefined;
      if (!row || row.status === 'completed') return false;
      const merged = mergeErrors(readErrors(row.errors), errors);
      this.#s.fail.run({ id, errors: JSON.stringify(merged), now: this.#now() });
      return true;
    });
  }

  appendErrors(id: string, errors: readonly JobErrorEntry[]): void {
    if (errors.length === 0) return;
    this.transaction(() => {
      const row = this.#s.getErrors.get(id) as { errors: string } | undefined;
      if (!row) return;
      this.#s.setErrors.run({ id, errors: JSON.stringify(mergeErrors(readErrors(row.errors), errors)), now: this.#now() });
    });
  }

  saveCheckpoint(id: string, state: unknown): void {
    const json = JSON.stringify(state);
    if (json === undefined) throw new TypeError('A checkpoint must be JSON-serialisable (got undefined or a function).');
    this.#s.setCheckpoint.run({ id, checkpoint: json, now: this.#now() });
  }

  saveProgress(id: string, progress: JobProgress): void {
    this.#s.setProgress.run({ id, progress: JSON.stringify(progress), now: this.#now() });
  }

  clearFinished(): number {
    return this.transaction(() => {
      // Children of a cleared job keep running; their parent link is cut by ON DELETE SET NULL.
      this.#s.deleteFinishedTasks.run();
      return this.#s.deleteFinished.run().changes;
    });
  }

  getTask(jobId: string, key: string): TaskRecord | undefined {
    const row = this.#s.getTask.get(jobId, key) as TaskRow | undefined;
    return row ? toTask(row) : undefined;
  }

  startTaskAttempt(jobId: string, key: string, options: { maxRetries: number; timeoutMs: number | null }): TaskRecord {
    // One upsert: creates the task, or counts a new attempt unless it is completed or failed.
    const row = this.#s.startAttempt.get({ job_id: jobId, key, max_retries: options.maxRetries, timeout_ms: options.timeoutMs, now: this.#now() }) as
      | TaskRow
      | undefined;
    return toTask(row ?? (this.#s.getTask.get(jobId, key) as TaskRow));
  }

  completeTask(
    jobId: string,
    key: string,
    resultJson: string,
    commit?: (db: BetterSqlite3.Database) => void,
  ): { applied: boolean; resultJson: string } {
    return this.#completeTx.immediate(jobId, key, resultJson, commit);
  }

  failTaskAttempt(
    jobId: string,
    key: string,
    failure: { error: JobErrorEntry; final: boolean; nextAttemptAt: number | null },
  ): void {
    this.transaction(() => {
      this.#s.failAttempt.run({
        job_id: jobId,
        key,
        status: failure.final ? 'failed' : 'pending',
        next: failure.final ? null : failure.nextAttemptAt,
        error: failure.error.message,
        now: this.#now(),
      });
      this.appendErrors(jobId, [failure.error]);
    });
  }

  releaseTaskAttempt(jobId: string, key: string): void {
    this.#s.releaseAttempt.run({ job_id: jobId, key, now: this.#now() });
  }

  recoverInterruptedTasks(jobId: string): number {
    return this.#s.recoverInterrupted.run({ job_id: jobId, now: this.#now() }).changes;
  }

  resetFailedTasks(jobId: string): number {
    return this.#s.resetFailed.run({ job_id: jobId, now: this.#now() }).changes;
  }
}

function prepare(db: BetterSqlite3.Database) {
  const finishedList = `(${FINISHED_JOB_STATUSES.map((s) => `'${s}'`).join(', ')})`;
  return {
    insertJob: db.prepare(
      `INSERT INTO jobs (id, name, owner, input, status, priority, errors, created_at, updated_at, parent_id)
       VALUES (@id, @name, @owner, @input, @status, @priority, '[]', @now, @now, @parent_id)`,
    ),
    getJob: db.prepare('SELECT * FROM jobs WHERE id = ?'),
    countTasksOf: db.prepare('SELECT job_id, status, count(*) AS n FROM job_tasks WHERE job_id = ? GROUP BY job_id, status'),
    pickRunnable: db.prepare(
      `SELECT id, name FROM jobs
       WHERE status IN ('queued', 'running') AND name IN (SELECT value FROM json_each(?))
       ORDER BY status = 'running' DESC, priority DESC, created_at, rowid LIMIT ?`,
    ),
    transition: db.prepare(
      `UPDATE jobs SET status = @to, updated_at = @now,
         started_at = CASE WHEN @running = 1 THEN coalesce(started_at, @now) ELSE started_at END,
         finished_at = CASE WHEN @finished = 1 THEN @now ELSE NULL END
       WHERE id = @id AND status IN (SELECT value FROM json_each(@from))`,
    ),
    getErrors: db.prepare('SELECT errors, status FROM jobs WHERE id = ?'),
    fail: db.prepare(
      `UPDATE jobs SET status = 'failed', errors = @errors, updated_at = @now, finished_at = @now WHERE id = @id`,
    ),
    setErrors: db.prepare('UPDATE jobs SET errors = @errors, updated_at = @now WHERE id = @id'),
    setCheckpoint: db.prepare('UPDATE jobs SET checkpoint = @checkpoint, updated_at = @now WHERE id = @id'),
    setProgress: db.prepare('UPDATE jobs SET progress = @progress, updated_at = @now WHERE id = @id'),
    deleteFinishedTasks: db.prepare(
      `DELETE FROM job_tasks WHERE job_id IN (SELECT id FROM jobs WHERE status IN ${finishedList})`,
    ),
    deleteFinished: db.prepare(`DELETE FROM jobs WHERE status IN ${finishedList}`),
    getTask: db.prepare('SELECT * FROM job_tasks WHERE job_id = ? AND key = ?'),
    startAttempt: db.prepare(
      `INSERT INTO job_tasks (job_id, key, status, attempts, max_retries, timeout_ms, created_at, updated_at)
       VALUES (@job_id, @key, 'running', 1, @max_retries, @timeout_ms, @now, @now)
       ON CONFLICT (job_id, key) DO UPDATE SET status = 'running', attempts = attempts + 1,
         max_retries = excluded.max_retries, timeout_ms = excluded.timeout_ms, next_attempt_at = NULL,
         updated_at = excluded.updated_at
       WHERE job_tasks.status IN ('pending', 'running')
       RETURNING *`,
    ),
    complete: db.prepare(
      `UPDATE job_tasks SET status = 'completed', result = @result, completed_at = @now, next_attempt_at = NULL,
         updated_at = @now
       WHERE job_id = @job_id AND key = @key`,
    ),
    insertCompleted: db.prepare(
      `INSERT INTO job_tasks (job_id, key, status, attempts, result, completed_at, created_at, updated_at)
       VALUES (@job_id, @key, 'completed', 1, @result, @now, @now, @now)`,
    ),
    failAttempt: db.prepare(
      `UPDATE job_tasks SET status = @status, next_attempt_at = @next, last_error = @error, updated_at = @now
       WHERE job_id = @job_id AND key = @key AND status != 'completed'`,
    ),
    releaseAttempt: db.prepare(
      `UPDATE job_tasks SET status = 'pending', attempts = max(attempts - 1, 0), updated_at = @now
       WHERE job_id = @job_id AND key = @key AND status = 'running'`,
    ),
    recoverInterrupted: db.prepare(
      `UPDATE job_tasks SET status = 'pending', updated_at = @now,
         last_error = 'The process stopped during attempt ' || attempts || '.'
       WHERE job_id = @job_id AND status = 'running'`,
    ),
    resetFailed: db.prepare(
      `UPDATE job_tasks SET status = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = @now
       WHERE job_id = @job_id AND status = 'failed'`,
    ),
  };
}

function parseJson(text: string | null, column: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (text === null) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: `its stored ${column} is not valid JSON (${(error as Error).message})` };
  }
}

/** Parses and checks every JSON column of a row; the first problem becomes the reason. */
function parseJobRow(row: JobRow): LoadedJob {
  const fail = (reason: string): LoadedJob => ({
    ok: false,
    id: row.id,
    name: row.name,
    status: statusSchema.safeParse(row.status).success ? row.status : 'failed',
    reason: `Job ${row.id} (${row.name}) cannot be loaded: ${reason}.`,
  });
  const status = statusSchema.safeParse(row.status);
  if (!status.success) return fail(`unknown status ${JSON.stringify(row.status)}`);
  const input = parseJson(row.input, 'input');
  if (!input.ok) return fail(input.reason);
  const checkpoint = parseJson(row.checkpoint, 'checkpoint');
  if (!checkpoint.ok) return fail(checkpoint.reason);
  const progressJson = parseJson(row.progress, 'progress');
  if (!progressJson.ok) return fail(progressJson.reason);
  let progress: JobProgress | null = null;
  if (progressJson.value !== undefined && progressJson.value !== null) {
    const parsed = jobProgressSchema.safeParse(progressJson.value);
    if (!parsed.success) return fail(`its stored progress is malformed (${z.prettifyError(parsed.error)})`);
    progress = parsed.data;
  }
  const errorsJson = parseJson(row.errors, 'error list');
  if (!errorsJson.ok) return fail(errorsJson.reason);
  const errors = jobErrorsSchema.safeParse(errorsJson.value);
  if (!errors.success) return fail(`its stored error list is malformed (${z.prettifyError(errors.error)})`);
  const job: JobRecord = {
    id: row.id,
    name: row.name,
    owner: row.owner,
    input: input.value ?? null,
    status: status.data,
    priority: row.priority,
    progress,
    checkpoint: checkpoint.value,
    errors: errors.data,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
    parentId: row.parent_id,
  };
  return { ok: true, job };
}

function readErrors(text: string): JobErrorEntry[] {
  try {
    const parsed = jobErrorsSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through: an unreadable list is replaced, never allowed to block recording a new failure
  }
  return [{ at: Date.now(), code: 'LIBRARY_CORRUPT', message: 'Earlier errors of this job were unreadable and were dropped.' }];
}

function mergeErrors(existing: readonly JobErrorEntry[], added: readonly JobErrorEntry[]): JobErrorEntry[] {
  const all = [...existing, ...added];
  return all.length > MAX_JOB_ERRORS ? all.slice(all.length - MAX_JOB_ERRORS) : all;
}

function countsByJob(rows: CountRow[]): Map<string, JobTaskCounts> {
  const map = new Map<string, JobTaskCounts>();
  for (const r of rows) {
    let c = map.get(r.job_id);
    if (!c) map.set(r.job_id, (c = { total: 0, pending: 0, running: 0, completed: 0, failed: 0 }));
    c.total += r.n;
    if (r.status === 'pending' || r.status === 'running' || r.status === 'completed' || r.status === 'failed') c[r.status] += r.n;
  }
  return map;
}

/** A summary never fails: unreadable columns show as empty values (loading the job reports them). */
function summarize(row: JobRow, counts: JobTaskCounts | undefined, now: number): JobSummary {
  const loaded = parseJobRow(row);
  const job = loaded.ok ? loaded.job : undefined;
  let progress: JobProgress | null = job?.progress ?? null;
  let errors: JobErrorEntry[] = job?.errors ?? [];
  if (!job) {
    progress = safe(() => jobProgressSchema.parse(JSON.parse(row.progress ?? 'null'))) ?? null;
    errors = safe(() => jobErrorsSchema.parse(JSON.parse(row.errors))) ?? [];
    if (!loaded.ok) errors = [...errors, { at: row.updated_at, code: 'LIBRARY_CORRUPT', message: loaded.reason }];
  }
  const end = row.finished_at ?? (row.status === 'running' ? now : null);
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    input: job?.input ?? safe(() => JSON.parse(row.input) as unknown) ?? null,
    status: statusSchema.safeParse(row.status).success ? row.status : 'failed',
    priority: row.priority,
    progress,
    errors,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
    parentId: row.parent_id,
    durationMs: row.started_at !== null && end !== null ? Math.max(0, end - row.started_at) : null,
    tasks: counts ?? { total: 0, pending: 0, running: 0, completed: 0, failed: 0 },
  };
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function toTask(row: TaskRow): TaskRecord {
  return {
    jobId: row.job_id,
    key: row.key,
    status: row.status,
    attempts: row.attempts,
    maxRetries: row.max_retries,
    timeoutMs: row.timeout_ms,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    result: row.result,
    completedAt: row.completed_at,
  };
}
