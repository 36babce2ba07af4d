import { sql, type Kysely } from 'kysely';

/**
 * Previewable actions and their audit log, plus the job scheduler's lease.
 *
 * - `action_audit`: one row per action preview. A preview is stored (so that the CLI can preview in one
 *   process and apply in another) with the changes it listed and a fingerprint of the world it saw. The row
 *   then moves through `previewed → committing → committed → verified | failed`, and `undone` (or `undoing`
 *   while an undo runs); `expired` marks a preview that was never committed in time. `transitions` keeps
 *   every step with who took it and when; `undo_data` holds what undo needs.
 * - `job_scheduler_lease`: at most one row, naming the process whose scheduler runs this library's jobs
 *   (see `core/jobs/scheduler-lease.ts`). It lives here because it belongs to the same issue ("durable jobs
 *   and previewable actions") and migrations are numbered per change, not per table.
 *
 * Timestamps are Unix milliseconds. Migrations are append-only: never edit one that has shipped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE action_audit (
      id          TEXT PRIMARY KEY,
      action      TEXT NOT NULL,
      -- 'core' or the id of the extension that defined the action
      owner       TEXT NOT NULL,
      -- who previewed it: 'user' (via ipc, websocket, cli, internal) or 'extension' (caller_id = extension id)
      caller_kind TEXT NOT NULL CHECK (caller_kind IN ('user', 'extension')),
      caller_id   TEXT NOT NULL,
      params      TEXT NOT NULL,
      preview     TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      targets     TEXT NOT NULL DEFAULT '[]',
      status      TEXT NOT NULL CHECK (status IN
                  ('previewed', 'expired', 'committing', 'committed', 'verified', 'failed', 'undoing', 'undone')),
      transitions TEXT NOT NULL DEFAULT '[]',
      result      TEXT,
      undo_data   TEXT,
      -- fingerprint of the world right after the commit; undo refuses when it no longer holds
      after       TEXT,
      error       TEXT,
      created_at  INTEGER NOT NULL,
      updated_at  INTEGER NOT NULL,
      expires_at  INTEGER NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX action_audit_created ON action_audit(created_at DESC)`.execute(db);
  await sql`CREATE INDEX action_audit_status ON action_audit(status, expires_at)`.execute(db);

  await sql`
    CREATE TABLE job_scheduler_lease (
      id           INTEGER PRIMARY KEY CHECK (id = 1),
      holder       TEXT NOT NULL,
      pid          INTEGER NOT NULL,
      host         TEXT NOT NULL,
      acquired_at  INTEGER NOT NULL,
      heartbeat_at INTEGER NOT NULL,
      expires_at   INTEGER NOT NULL
    )`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_scheduler_lease').execute();
  await db.schema.dropTable('action_audit').execute();
}
