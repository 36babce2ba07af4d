import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Library } from '../library/library.js';
import { SEARCH_FILL_BOUND_SQL, SEARCH_FILL_SQL } from '../search/search-deferral.js';
import { seedEntries } from '../testing/seed-entries.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { IDENTIFY_BATCH_SQL, MEDIA_BATCH_SQL } from './index-location-job.js';

// The indexer's per-batch queries run once per batch of 16 to 25,000 rows. Each must read only what follows
// the previous batch: one that reads (and sorts) every entry of the location per batch turns a large location
// quadratic (a 1M-file location has 60,000 media batches). The plans are checked on a fresh library (no
// statistics, as during a first index) and after ANALYZE.

let lib: Library;
let cleanup: () => void;
let locA: string;
let locB: string;

beforeEach(async () => {
  const tmp = makeTempDir('cairn-batch-queries');
  cleanup = tmp.cleanup;
  lib = await Library.create(path.join(tmp.dir, 'lib'), { name: 'plans' });
  locA = randomUUID();
  locB = randomUUID();
  const add = lib.raw.prepare("INSERT INTO locations (id, path, name, added_at, device_id) VALUES (?, ?, ?, '', 'd')");
  add.run(locA, '/a', 'A');
  add.run(locB, '/b', 'B');
});
afterEach(async () => {
  await lib.close();
  cleanup();
});

const plan = (sql: string, ...params: unknown[]): string =>
  (lib.raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');

/** No plan may sort a temp B-tree or walk the location's (location_id, rel_path) index. */
function expectBatchPlan(p: string): void {
  expect(p).not.toMatch(/TEMP B-TREE/);
  expect(p).not.toMatch(/sqlite_autoindex_entries_2/);
}

describe('per-batch indexer queries', () => {
  it('walk ranges (rowid, content uuid) without reading the whole location, with or without statistics', () => {
    const files = Array.from({ length: 400 }, (_, i) => ({ relPath: `d${i % 20}/f${i}.jpg`, content: `c${i % 150}`, fileKind: i % 3 ? 'image' : 'document' }));
    seedEntries(lib, locA, files);
    seedEntries(lib, locB, files.slice(0, 50).map((f) => ({ ...f, content: `b-${f.content}` })));
    for (const stats of [false, true]) {
      if (stats) lib.raw.exec('ANALYZE');
      for (const images of [1, 0]) {
        const identify = plan(IDENTIFY_BATCH_SQL, locA, 0, 0, images, 500);
        expect(identify).toMatch(/USING INTEGER PRIMARY KEY \(rowid>\?\)/);
        expectBatchPlan(identify);
      }
      const media = plan(MEDIA_BATCH_SQL, { location: locA, after: '', limit: 16 });
      expect(media).toMatch(/SEARCH c USING INDEX sqlite_autoindex_content_identities_1 \(uuid>\?\)/);
      expectBatchPlan(media);
      for (const sql of [SEARCH_FILL_BOUND_SQL, SEARCH_FILL_SQL]) {
        const fill = plan(sql, locA, 0, 100);
        expect(fill).toMatch(/INTEGER PRIMARY KEY \(rowid>\?/);
        expectBatchPlan(fill);
      }
    }
  });

  it('the media batch picks image contents with a copy here that still lack EXIF or a thumbnail, lowest copy first', () => {
    const a = seedEntries(lib, locA, [
      { relPath: 'x/first.jpg', content: 'both', fileKind: 'image' },
      { relPath: 'x/done.jpg', content: 'done', fileKind: 'image' },
      { relPath: 'x/half.jpg', content: 'half', fileKind: 'image' },
      { relPath: 'x/broken.jpg', content: 'broken', fileKind: 'image' },
      { relPath: 'x/notes.txt', content: 'text', fileKind: 'text' },
      { relPath: 'y/second.jpg', content: 'both', fileKind: 'image' },
    ]);
    const b = seedEntries(lib, locB, [{ relPath: 'elsewhere.jpg', content: 'elsewhere', fileKind: 'image' }]);
    const now = new Date().toISOString();
    const media = lib.raw.prepare("INSERT INTO media_data (content_uuid, extracted_at, hlc, device_id) VALUES (?, ?, '0', 'd')");
    const thumb = lib.raw.prepare("INSERT INTO sidecars (content_uuid, kind, rel_path, format, size, created_at) VALUES (?, 'thumb', ?, 'webp', 1, ?)");
    media.run(a.contentIds.get('done'), now);
    thumb.run(a.contentIds.get('done'), 'done.webp', now);
    media.run(a.contentIds.get('half'), now); // EXIF read, thumbnail still missing
    lib.raw.prepare("INSERT INTO indexer_errors (location_id, rel_path, phase, code, message, at) VALUES (?, 'x/broken.jpg', 'thumbnail', 'IO', 'bad', ?)").run(locA, now);

    const rowId = (uuid: string) => (lib.raw.prepare('SELECT id FROM entries WHERE uuid = ?').get(uuid) as { id: number }).id;
    const rows = lib.raw.prepare(MEDIA_BATCH_SQL).all({ location: locA, after: '', limit: 16 }) as { content: string; id: number }[];
    const expected = [
      { content: a.contentIds.get('both')!, id: rowId(a.entryIds.get('x/first.jpg')!) },
      { content: a.contentIds.get('half')!, id: rowId(a.entryIds.get('x/half.jpg')!) },
    ].sort((p, q) => (p.content < q.content ? -1 : 1));
    expect(rows).toEqual(expected);
    // Paging: from after the first, only the second; the limit holds.
    expect(lib.raw.prepare(MEDIA_BATCH_SQL).all({ location: locA, after: expected[0]!.content, limit: 16 })).toEqual([expected[1]]);
    expect(lib.raw.prepare(MEDIA_BATCH_SQL).all({ location: locA, after: '', limit: 1 })).toEqual([expected[0]]);
    // The other location sees only its own image.
    expect(lib.raw.prepare(MEDIA_BATCH_SQL).all({ location: locB, after: '', limit: 16 })).toEqual([
      { content: b.contentIds.get('elsewhere')!, id: rowId(b.entryIds.get('elsewhere.jpg')!) },
    ]);
  });
});
