import type BetterSqlite3 from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { resolveWorkerFile, spawnWorker } from '../workers/spawn-worker.js';
import type { CheckpointWorkerData } from './wal-checkpoint-worker.js';

const DEFAULT_WAL_AUTOCHECKPOINT = 1_000;
// The writer's own checkpoint stays on as a backstop at ~64 MiB: the WAL file only starts over when a
// checkpoint finishes between two commits, which a busy writer can keep from happening for a long time.
const BACKSTOP_WAL_AUTOCHECKPOINT = 16_384;

/**
 * Moves WAL checkpoints off the calling thread while it writes a lot in many small transactions (a first
 * index, a large identity run). SQLite's automatic checkpoint copies the WAL back into the database on the
 * thread that commits, every 1,000 pages: during bulk writes that is tens of milliseconds every few
 * batches, taken from the app's main thread. While a checkpointer runs, a worker thread runs passive
 * checkpoints on its own connection every `intervalMs`, copying committed pages into the database file off
 * the writer's thread. The writer's own automatic checkpoint moves to ~64 MiB as a backstop; when it comes,
 * the worker has already copied nearly everything, so it costs little.
 *
 * Failure modes: for an in-memory database, or when the worker cannot start or dies, the writer's automatic
 * checkpoint is put back at once (slower, never unbounded). `stop()` always restores it; call it in a
 * `finally`. The setting belongs to the connection, which others share, so at most one checkpointer should
 * run per connection (a second one is harmless but redundant).
 *
 * @example
 * const checkpointer = await BackgroundCheckpointer.start(lib.raw);
 * try { await writeManyBatches(); } finally { await checkpointer.stop(); }
 */
export class BackgroundCheckpointer {
  readonly #db: BetterSqlite3.Database;
  readonly #worker: Worker | undefined;

  private constructor(db: BetterSqlite3.Database, worker: Worker | undefined) {
    this.#db = db;
    this.#worker = worker;
  }

  /** Starts the worker (waiting until its connection is open) and moves the writer's checkpoint to the backstop. */
  static async start(db: BetterSqlite3.Database, intervalMs = 200): Promise<BackgroundCheckpointer> {
    if (db.memory || !db.name) return new BackgroundCheckpointer(db, undefined);
    const data: CheckpointWorkerData = { file: db.name, intervalMs };
    let worker: Worker;
    try {
      worker = spawnWorker(resolveWorkerFile(import.meta.url, './wal-checkpoint-worker'), { workerData: data });
    } catch {
      return new BackgroundCheckpointer(db, undefined);
    }
    const ready = await new Promise<boolean>((resolve) => {
      worker.once('message', (m) => resolve(m === 'ready'));
      worker.once('error', () => resolve(false));
      worker.once('exit', () => resolve(false));
    });
    if (!ready) {
      await worker.terminate();
      return new BackgroundCheckpointer(db, undefined);
    }
    worker.on('error', () => db.open && db.pragma(`wal_autocheckpoint = ${DEFAULT_WAL_AUTOCHECKPOINT}`));
    worker.on('exit', () => db.open && db.pragma(`wal_autocheckpoint = ${DEFAULT_WAL_AUTOCHECKPOINT}`));
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_WAL_AUTOCHECKPOINT}`);
    return new BackgroundCheckpointer(db, worker);
  }

  /** True when checkpoints run on the worker (false: the writer's automatic checkpoint is in charge). */
  get active(): boolean {
    return this.#worker !== undefined;
  }

  /** Restores the writer's automatic checkpoint, lets the worker run a last checkpoint, and stops it. Never throws. */
  async stop(): Promise<void> {
    if (this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${DEFAULT_WAL_AUTOCHECKPOINT}`);
    const worker = this.#worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      worker.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.postMessage('stop');
    });
    await worker.terminate();
  }
}
