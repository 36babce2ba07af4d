import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Library } from '../library/library.js';
import { seedEntries } from '../testing/seed-entries.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { deferSearchIndexing, fillDeferredSearch, hasDeferredSearch, SearchIndexInserts } from './search-deferral.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('deferred search indexing for a first index', () => {
  let dir: string;
  let cleanup: () => void;
  let lib: Library;
  const hits = (word: string): string[] =>
    (lib.raw.prepare(`SELECT e.rel_path AS p FROM entries_fts f JOIN entries e ON e.id = f.rowid WHERE entries_fts MATCH ? ORDER BY e.rel_path`).all(`"${word}"`) as { p: string }[]).map((r) => r.p);
  const ftsRows = (): number => (lib.raw.prepare(`SELECT count(*) AS n FROM entries_fts`).get() as { n: number }).n;

  beforeEach(async () => {
    ({ dir, cleanup } = makeTempDir('cairn-search-deferral-'));
    lib = await Library.create(path.join(dir, 'lib'), { name: 'deferral' });
    for (const id of [A, B]) {
      lib.raw.prepare(`INSERT INTO locations (id, path, name, added_at, device_id, settings) VALUES (?, ?, ?, '', 'd', '{}')`).run(id, path.join(dir, id), id);
    }
  });
  afterEach(async () => {
    await lib.close();
    cleanup();
  });

  it('leaves new rows of the deferred location out of search until the fill, and only those', () => {
    seedEntries(lib, A, [{ relPath: 'before/alpha.txt' }]);
    deferSearchIndexing(lib.raw, A);
    expect(hasDeferredSearch(lib.raw, A)).toBe(true);
    seedEntries(lib, A, [{ relPath: 'later/bravo.txt' }, { relPath: 'later/charlie.txt' }]);
    seedEntries(lib, B, [{ relPath: 'other/delta.txt' }]);

    expect(hits('alpha')).toEqual(['before/alpha.txt']); // indexed before the deferral
    expect(hits('bravo')).toEqual([]);
    expect(hits('delta')).toEqual(['other/delta.txt']); // another location is not affected

    // A rename of an older row still reaches the index; a rename of a deferred row waits for the fill.
    lib.raw.prepare(`UPDATE entries SET name = 'alpine.txt', rel_path = 'before/alpine.txt' WHERE rel_path = 'before/alpha.txt'`).run();
    lib.raw.prepare(`UPDATE entries SET name = 'echo.txt', rel_path = 'later/echo.txt' WHERE rel_path = 'later/charlie.txt'`).run();
    expect(hits('alpha')).toEqual([]);
    expect(hits('alpine')).toEqual(['before/alpine.txt']);
    expect(hits('echo')).toEqual([]);

    const result = lib.raw.transaction(() => fillDeferredSearch(lib.raw, A))();
    expect(result.done).toBe(true);
    expect(result.added).toBe(3); // the 'later' folder, bravo and echo
    expect(hasDeferredSearch(lib.raw, A)).toBe(false);
    expect(hits('bravo')).toEqual(['later/bravo.txt']);
    expect(hits('echo')).toEqual(['later/echo.txt']);
    expect(hits('charlie')).toEqual([]);
    // Every entry is in the index exactly once.
    expect(ftsRows()).toBe((lib.raw.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n);
  });

  it('fills in chunks whose bound survives a restart, and deleted deferred rows never reach the index', () => {
    deferSearchIndexing(lib.raw, A);
    const files = Array.from({ length: 25 }, (_, i) => ({ relPath: `d/file${i}.txt` }));
    seedEntries(lib, A, files);
    lib.raw.prepare(`DELETE FROM entries WHERE rel_path = 'd/file3.txt'`).run();
    // A second call while the deferral is open keeps the first bound.
    deferSearchIndexing(lib.raw, A);

    const first = lib.raw.transaction(() => fillDeferredSearch(lib.raw, A, 10))();
    expect(first).toEqual({ added: 10, done: false });
    // Rows already filled are live again: deleting one removes it from the index at once.
    lib.raw.prepare(`DELETE FROM entries WHERE rel_path = 'd/file0.txt'`).run();
    expect(hits('file0')).toEqual([]);

    // 26 rows were deferred (the folder and 25 files) and one was deleted before any fill: 10 were filled
    // above, 10 and then the last 5 follow.
    const rest: number[] = [];
    for (let done = false; !done; ) {
      const r = lib.raw.transaction(() => fillDeferredSearch(lib.raw, A, 10))();
      rest.push(r.added);
      done = r.done;
    }
    expect(rest).toEqual([10, 5]);
    expect(hits('file3')).toEqual([]);
    expect(hits('file24')).toEqual(['d/file24.txt']);
    expect(ftsRows()).toBe((lib.raw.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n);
    // Nothing open: a fill is a no-op.
    expect(fillDeferredSearch(lib.raw, A)).toEqual({ added: 0, done: true });
  });

  it('indexes inserted rows only through SearchIndexInserts, once, and honours an open deferral', () => {
    const insert = lib.raw.prepare(`INSERT INTO entries (uuid, location_id, rel_path, name, kind, indexed_at) VALUES (?, ?, ?, ?, 'file', 0)`);
    const search = new SearchIndexInserts(lib.raw);
    // No insert trigger (migration 0008): a bare insert is not searchable until its writer adds it.
    const id = Number(insert.run('u-1', A, 'docs/foxtrot.txt', 'foxtrot.txt').lastInsertRowid);
    expect(hits('foxtrot')).toEqual([]);
    expect(search.deferredAbove(A)).toBe(Number.POSITIVE_INFINITY);
    search.add(id, 'foxtrot.txt', 'docs/foxtrot.txt');
    expect(hits('foxtrot')).toEqual(['docs/foxtrot.txt']);
    expect(hits('docs')).toEqual(['docs/foxtrot.txt']); // the folder part is indexed too
    expect(ftsRows()).toBe(1);

    deferSearchIndexing(lib.raw, A);
    expect(search.deferredAbove(A)).toBe(id);
    expect(search.deferredAbove(B)).toBe(Number.POSITIVE_INFINITY);
    const later = Number(insert.run('u-2', A, 'docs/golf.txt', 'golf.txt').lastInsertRowid);
    expect(later).toBeGreaterThan(search.deferredAbove(A)); // so its writer leaves it to the fill
    search.begin(A);
    expect(search.add(later, 'golf.txt', 'docs/golf.txt')).toBe(false);
    expect(hits('golf')).toEqual([]);
    expect(lib.raw.transaction(() => fillDeferredSearch(lib.raw, A))()).toEqual({ added: 1, done: true });
    expect(hits('golf')).toEqual(['docs/golf.txt']);
  });

  it('drops the deferral with its location, and refuses a location that does not exist', () => {
    deferSearchIndexing(lib.raw, A);
    lib.raw.prepare('DELETE FROM locations WHERE id = ?').run(A);
    expect(hasDeferredSearch(lib.raw, A)).toBe(false);
    expect(() => deferSearchIndexing(lib.raw, '99999999-9999-4999-8999-999999999999')).toThrow(/FOREIGN KEY/);
  });
});
