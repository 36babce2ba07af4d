import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CairnError } from '../../../src-shared/errors.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { startTestCore, userCtx } from '../testing/test-core.js';
import { Library } from './library.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<CairnError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected a ${code} error`).toBeInstanceOf(CairnError);
  expect((error as CairnError).code).toBe(code);
  return error as CairnError;
}

describe('Library', () => {
  it('creates a folder with library.db in WAL mode, sidecars/ and logs/', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const lib = await Library.create(path.join(tmp.dir, 'lib'), { name: 'Photos' });
    cleanups.push(() => lib.close());
    expect(fs.existsSync(path.join(lib.path, 'library.db'))).toBe(true);
    expect(fs.statSync(path.join(lib.path, 'sidecars')).isDirectory()).toBe(true);
    expect(fs.statSync(path.join(lib.path, 'logs')).isDirectory()).toBe(true);
    expect(lib.raw.pragma('journal_mode', { simple: true })).toBe('wal');
    const applied = lib.raw.prepare('SELECT name FROM kysely_migration').all();
    expect(applied.length).toBeGreaterThan(0);
  });

  it('reopens with the same id and name', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const created = await Library.create(path.join(tmp.dir, 'lib'), { name: 'Archive' });
    await created.close();
    const opened = await Library.open(path.join(tmp.dir, 'lib'));
    cleanups.push(() => opened.close());
    expect(opened.id).toBe(created.id);
    expect(opened.name).toBe('Archive');
  });

  it('refuses to create over a folder that holds anything', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    fs.writeFileSync(path.join(tmp.dir, 'precious.txt'), 'keep me');
    await expectCode(Library.create(tmp.dir, { name: 'x' }), 'CONFLICT');
    expect(fs.readFileSync(path.join(tmp.dir, 'precious.txt'), 'utf8')).toBe('keep me');
    expect(fs.existsSync(path.join(tmp.dir, 'library.db'))).toBe(false);
  });

  it('reports a folder without library.db as NOT_A_LIBRARY and creates nothing', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    fs.writeFileSync(path.join(tmp.dir, 'notes.txt'), 'hi');
    await expectCode(Library.open(tmp.dir), 'NOT_A_LIBRARY');
    expect(fs.readdirSync(tmp.dir)).toEqual(['notes.txt']);
  });

  it('reports a missing folder as NOT_FOUND', async () => {
    await expectCode(Library.open('/definitely/not/here/cairn'), 'NOT_FOUND');
  });

  it('reports a corrupt library.db clearly and leaves its bytes untouched', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const garbage = Buffer.from('this is not sqlite '.repeat(300));
    fs.writeFileSync(path.join(tmp.dir, 'library.db'), garbage);
    const error = await expectCode(Library.open(tmp.dir), 'LIBRARY_CORRUPT');
    expect(error.message).toMatch(/damaged/);
    expect(fs.readFileSync(path.join(tmp.dir, 'library.db')).equals(garbage)).toBe(true);
  });

  it('reports a SQLite file of another application as NOT_A_LIBRARY', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const other = new BetterSqlite3(path.join(tmp.dir, 'library.db'));
    other.exec('CREATE TABLE contacts (name TEXT)');
    other.close();
    await expectCode(Library.open(tmp.dir), 'NOT_A_LIBRARY');
    const check = new BetterSqlite3(path.join(tmp.dir, 'library.db'));
    const tables = check.prepare("SELECT name FROM sqlite_master WHERE type='table'").all();
    check.close();
    expect(tables).toEqual([{ name: 'contacts' }]);
  });

  it('refuses a library written by a newer Cairn with a clear message', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const lib = await Library.create(path.join(tmp.dir, 'lib'), { name: 'Future' });
    lib.raw.prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', ?)").run(new Date().toISOString());
    await lib.close();
    const error = await expectCode(Library.open(path.join(tmp.dir, 'lib')), 'LIBRARY_TOO_NEW');
    expect(error.message).toMatch(/newer version of Cairn.*9999_from_the_future/);
  });

  it('lets two processes write the same library safely through WAL', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const lib = await Library.create(path.join(tmp.dir, 'lib'), { name: 'Shared' });
    await lib.close();
    const script = `
      const { Library } = await import(${JSON.stringify(new URL('./library.ts', import.meta.url).href)});
      const lib = await Library.open(process.argv[1]);
      for (let i = 0; i < 200; i++) {
        lib.raw.prepare("INSERT INTO library_info (key, value) VALUES (?, ?)").run('w-' + process.argv[2] + '-' + i, 'x');
      }
      await lib.close();
    `;
    const run = (tag: string) =>
      new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, path.join(tmp.dir, 'lib'), tag], {
          stdio: 'inherit',
        });
        child.on('exit', (code) => resolve(code ?? -1));
      });
    const codes = await Promise.all([run('a'), run('b')]);
    expect(codes).toEqual([0, 0]);
    const reopened = await Library.open(path.join(tmp.dir, 'lib'));
    cleanups.push(() => reopened.close());
    const count = reopened.raw.prepare("SELECT count(*) AS n FROM library_info WHERE key LIKE 'w-%'").get() as { n: number };
    expect(count.n).toBe(400);
    expect(reopened.raw.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

describe('library operations through the registry', () => {
  it('creates a default library on first run, and only then', async () => {
    const t = await startTestCore();
    cleanups.push(t.dispose);
    const first = await t.core.registry.call('library.list', {}, userCtx);
    expect(first.map((l) => l.name)).toEqual(['My Library']);
    expect(first[0]!.isDefault).toBe(true);
    await t.core.stop();
    const { CairnCore } = await import('../cairn-core.js');
    const { testShellHandlers } = await import('../testing/test-core.js');
    const again = await CairnCore.start({ homeDir: t.home, shell: testShellHandlers });
    cleanups.push(() => again.stop());
    const second = await again.registry.call('library.list', {}, userCtx);
    expect(second.map((l) => l.id)).toEqual(first.map((l) => l.id));
  });

  it('creates, renames, lists and deletes with confirmation', async () => {
    const t = await startTestCore();
    cleanups.push(t.dispose);
    const r = t.core.registry;
    const created = await r.call('library.create', { name: 'Holidays' }, userCtx);
    const renamed = await r.call('library.rename', { libraryId: created.id, name: 'Trips' }, userCtx);
    expect(renamed.name).toBe('Trips');
    expect((await r.call('library.list', {}, userCtx)).map((l) => l.name)).toContain('Trips');

    const refused = await r.invoke('library.delete', { libraryId: created.id, confirm: 'yes' }, userCtx);
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFIRMATION_REQUIRED' } });
    expect(fs.existsSync(created.path)).toBe(true);

    await r.call('library.delete', { libraryId: created.id, confirm: 'Trips' }, userCtx);
    expect(fs.existsSync(created.path)).toBe(false);
    expect((await r.call('library.list', {}, userCtx)).map((l) => l.name)).not.toContain('Trips');
    const gone = await r.invoke('library.get', { libraryId: created.id }, userCtx);
    expect(gone).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('opens an external library folder and lists a damaged one with its problem', async () => {
    const t = await startTestCore();
    cleanups.push(t.dispose);
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const ext = await Library.create(path.join(tmp.dir, 'external'), { name: 'On USB' });
    await ext.close();
    const opened = await t.core.registry.call('library.open', { path: path.join(tmp.dir, 'external') }, userCtx);
    expect(opened.name).toBe('On USB');
    const twice = await t.core.registry.invoke('library.open', { path: path.join(tmp.dir, 'external') }, userCtx);
    expect(twice).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    // Damage a library inside the home: it stays listed, with the reason.
    const broken = await t.core.registry.call('library.create', { name: 'Broken' }, userCtx);
    await t.core.stop();
    fs.writeFileSync(path.join(broken.path, 'library.db'), 'garbage'.repeat(1000));
    const { CairnCore } = await import('../cairn-core.js');
    const { testShellHandlers } = await import('../testing/test-core.js');
    const again = await CairnCore.start({ homeDir: t.home, shell: testShellHandlers });
    cleanups.push(() => again.stop());
    const list = await again.registry.call('library.list', {}, userCtx);
    const listedBroken = list.find((l) => l.id === broken.id);
    expect(listedBroken?.problem).toMatch(/damaged/);
    expect(list.find((l) => l.name === 'On USB')?.problem).toBeNull();
  });

  it('the registry reports a not-a-library folder without touching it', async () => {
    const t = await startTestCore();
    cleanups.push(t.dispose);
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    fs.writeFileSync(path.join(tmp.dir, 'a.jpg'), 'x');
    const r = await t.core.registry.invoke('library.open', { path: tmp.dir }, userCtx);
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_A_LIBRARY' } });
    expect(fs.readdirSync(tmp.dir)).toEqual(['a.jpg']);
  });
});
