import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** Start parameters of the checkpoint worker. */
export interface CheckpointWorkerData {
  file: string;
  intervalMs: number;
}

// Entry point of the thread started by BackgroundCheckpointer: copies the WAL back into the database
// (PASSIVE: never waits for readers or the writer) every `intervalMs`, on its own connection, so the thread
// that writes never pays for it. 'stop' runs a last checkpoint and closes.
if (parentPort) {
  const port = parentPort;
  const { file, intervalMs } = workerData as CheckpointWorkerData;
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 0');
  const checkpoint = (): void => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // SQLITE_BUSY or a locked WAL: the next tick tries again, and the writer's own checkpoint remains.
    }
  };
  const timer = setInterval(checkpoint, intervalMs);
  port.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    clearInterval(timer);
    checkpoint();
    db.close();
    port.postMessage('stopped');
  });
  port.postMessage('ready');
}
