import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/temp-dir.js';
import { BackgroundCheckpointer } from './wal-checkpoints.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function openDb(): { db: Database.Database; file: string } {
  const tmp = makeTempDir('cairn-wal-');
  const file = path.join(tmp.dir, 'test.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  cleanups.push(() => {
    if (db.open) db.close();
    tmp.cleanup();
  });
  return { db, file };
}

/** ~16 MiB of rows in 400 small transactions with short pauses between them, as the indexer writes. */
async function writeMuch(db: Database.Database): Promise<void> {
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const batch = db.transaction(() => {
    for (let i = 0; i < 40; i++) insert.run('x'.repeat(1000));
  });
  for (let i = 0; i < 400; i++) {
    batch();
    await new Promise((r) => setTimeout(r, 2));
  }
}

const dbFileSize = (file: string): number => fs.statSync(file).size;

describe('BackgroundCheckpointer', () => {
  it('checkpoints on a worker, keeps the writer\'s own checkpoint only as a backstop, and restores it on stop', async () => {
    const { db, file } = openDb();
    const checkpointer = await BackgroundCheckpointer.start(db, 20);
    expect(checkpointer.active).toBe(true);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(16_384);
    await writeMuch(db);
    // The rows reached the database file itself while the writer never checkpointed (its backstop is at
    // ~64 MiB and it wrote ~16 MiB): the worker copied them. The control case below stays at a few pages.
    expect(dbFileSize(file)).toBeGreaterThan(10 * 2 ** 20);
    await checkpointer.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    const reader = new Database(file, { readonly: true });
    expect(reader.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 16_000 });
    reader.close();
  });

  it('without it, and with the writer\'s checkpoint as far away, the same writes stay in the WAL (the control case)', async () => {
    const { db, file } = openDb();
    db.pragma('wal_autocheckpoint = 16384');
    await writeMuch(db);
    expect(dbFileSize(file)).toBeLessThan(2 ** 20);
  });

  it('does nothing for an in-memory database, and leaves the writer in charge when its worker cannot open the file', async () => {
    const memory = new Database(':memory:');
    const none = await BackgroundCheckpointer.start(memory);
    expect(none.active).toBe(false);
    await none.stop();
    memory.close();

    const { db, file } = openDb();
    fs.rmSync(file); // the open connection keeps working; a new one (the worker's) cannot open the file
    const checkpointer = await BackgroundCheckpointer.start(db, 20);
    expect(checkpointer.active).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await checkpointer.stop();
    expect(db.prepare('INSERT INTO t (v) VALUES (?)').run('still writable').changes).toBe(1);
  });
});
