import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type BetterSqlite3 from 'better-sqlite3';

/** Who holds a library's scheduler lease. */
export interface LeaseHolder {
  holder: string;
  pid: number;
  host: string;
  acquiredAt: number;
  heartbeatAt: number;
  expiresAt: number;
}

/**
 * The right to run a library's jobs. Several processes (the app, the CLI, the headless shell) may open one
 * library; only the lease holder runs jobs, the others enqueue, list and control them by writing rows the
 * holder picks up. See {@link SqliteSchedulerLease}.
 */
export interface SchedulerLease {
  /** This instance's token. */
  readonly holder: string;
  /** How long a lease lasts without a heartbeat. */
  readonly ttlMs: number;
  /** Takes the lease if it is free, expired or held by a dead process on this host, or renews it if held
   * already. Returns whether this instance holds it now. Never throws on contention. */
  tryAcquire(): boolean;
  /** Gives the lease up (if held), so another process can take over at once. */
  release(): void;
  /** The current holder, or null. */
  current(): LeaseHolder | null;
}

/** Options of {@link SqliteSchedulerLease}. */
export interface SqliteSchedulerLeaseOptions {
  /** Lease duration without a heartbeat (default 15 s). Holders renew every third of it. */
  ttlMs?: number;
  now?: () => number;
  pid?: number;
  host?: string;
  /** Whether a process of this host is alive (default: `process.kill(pid, 0)`). */
  isAlive?: (pid: number) => boolean;
}

/**
 * A lease row in the library database (`job_scheduler_lease`, at most one row): holder token, pid, host,
 * heartbeat and expiry. Taking and renewing it happen in one `BEGIN IMMEDIATE` transaction, so two
 * processes racing for it serialise on SQLite's write lock and exactly one wins.
 *
 * Why a row with a heartbeat rather than an OS file lock: it needs nothing beyond the SQLite connection we
 * already have, behaves the same on every platform (and on network file systems, where advisory locks are
 * unreliable), shows who runs the jobs (`cairn jobs list` can name the holder), and a holder that hangs
 * rather than dies loses the lease after `ttlMs`. The price of a heartbeat, a wait of up to `ttlMs` after a
 * crash, is avoided in the common case: a holder on the same host whose pid no longer exists is taken over
 * at once.
 *
 * @example
 * const lease = new SqliteSchedulerLease(library.raw);
 * const scheduler = new JobScheduler({ store, lease });
 * scheduler.start(); // runs jobs only while `lease.tryAcquire()` keeps returning true
 */
export class SqliteSchedulerLease implements SchedulerLease {
  readonly holder = randomUUID();
  readonly ttlMs: number;
  readonly #db: BetterSqlite3.Database;
  readonly #now: () => number;
  readonly #pid: number;
  readonly #host: string;
  readonly #isAlive: (pid: number) => boolean;
  readonly #acquire: () => boolean;

  constructor(db: BetterSqlite3.Database, options: SqliteSchedulerLeaseOptions = {}) {
    this.#db = db;
    this.ttlMs = options.ttlMs ?? 15_000;
    this.#now = options.now ?? Date.now;
    this.#pid = options.pid ?? process.pid;
    this.#host = options.host ?? os.hostname();
    this.#isAlive = options.isAlive ?? processIsAlive;
    const get = db.prepare('SELECT * FROM job_scheduler_lease WHERE id = 1');
    const take = db.prepare(
      `INSERT INTO job_scheduler_lease (id, holder, pid, host, acquired_at, heartbeat_at, expires_at)
       VALUES (1, @holder, @pid, @host, @now, @now, @expires)
       ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, host = excluded.host,
         acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
    );
    const renew = db.prepare('UPDATE job_scheduler_lease SET heartbeat_at = @now, expires_at = @expires WHERE id = 1 AND holder = @holder');
    const tx = db.transaction(() => {
      const now = this.#now();
      const row = get.get() as Row | undefined;
      const values = { holder: this.holder, pid: this.#pid, host: this.#host, now, expires: now + this.ttlMs };
      if (row?.holder === this.holder) {
        renew.run(values);
        return true;
      }
      const free = !row || row.expires_at <= now || (row.host === this.#host && row.pid !== this.#pid && !this.#isAlive(row.pid));
      if (!free) return false;
      take.run(values);
      return true;
    });
    this.#acquire = () => tx.immediate();
  }

  tryAcquire(): boolean {
    if (!this.#db.open) return false;
    try {
      return this.#acquire();
    } catch (error) {
      // Another writer held the database past the busy timeout: we simply do not hold the lease this round.
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) return false;
      throw error;
    }
  }

  release(): void {
    if (!this.#db.open) return;
    this.#db.prepare('DELETE FROM job_scheduler_lease WHERE id = 1 AND holder = ?').run(this.holder);
  }

  current(): LeaseHolder | null {
    const row = this.#db.prepare('SELECT * FROM job_scheduler_lease WHERE id = 1').get() as Row | undefined;
    if (!row) return null;
    return { holder: row.holder, pid: row.pid, host: row.host, acquiredAt: row.acquired_at, heartbeatAt: row.heartbeat_at, expiresAt: row.expires_at };
  }
}

interface Row {
  holder: string;
  pid: number;
  host: string;
  acquired_at: number;
  heartbeat_at: number;
  expires_at: number;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
