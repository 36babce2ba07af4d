import { sql, type Kysely } from 'kysely';

/**
 * Jobs: the durable scheduler's state. A job is one unit of user-visible work (index a location, run an
 * extension's job); its tasks are the idempotent steps it is made of. Timestamps are Unix milliseconds.
 * JSON columns (input, progress, checkpoint, errors, result) are validated when the scheduler loads them.
 * Migrations are append-only: never edit one that has shipped, add a new file instead.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE jobs (
      id          TEXT PRIMARY KEY,
      name        TEXT NOT NULL,
      owner       TEXT NOT NULL DEFAULT 'core',
      input       TEXT NOT NULL DEFAULT 'null',
      status      TEXT NOT NULL
                  CHECK (status IN ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled')),
      priority    INTEGER NOT NULL DEFAULT 0,
      progress    TEXT,
      checkpoint  TEXT,
      errors      TEXT NOT NULL DEFAULT '[]',
      created_at  INTEGER NOT NULL,
      started_at  INTEGER,
      finished_at INTEGER,
      updated_at  INTEGER NOT NULL,
      parent_id   TEXT REFERENCES jobs(id) ON DELETE SET NULL
    )`.execute(db);
  // The scheduler's pick: runnable jobs by priority, then age.
  await sql`CREATE INDEX jobs_status_priority ON jobs(status, priority DESC, created_at)`.execute(db);
  await sql`CREATE INDEX jobs_parent ON jobs(parent_id) WHERE parent_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX jobs_owner ON jobs(owner)`.execute(db);

  await sql`
    CREATE TABLE job_tasks (
      job_id          TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
      key             TEXT NOT NULL,
      status          TEXT NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
      attempts        INTEGER NOT NULL DEFAULT 0,
      max_retries     INTEGER NOT NULL DEFAULT 0,
      timeout_ms      INTEGER,
      next_attempt_at INTEGER,
      last_error      TEXT,
      result          TEXT,
      completed_at    INTEGER,
      created_at      INTEGER NOT NULL,
      updated_at      INTEGER NOT NULL,
      UNIQUE (job_id, key)
    )`.execute(db);
  await sql`CREATE INDEX job_tasks_job_status ON job_tasks(job_id, status)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_tasks').execute();
  await db.schema.dropTable('jobs').execute();
}
