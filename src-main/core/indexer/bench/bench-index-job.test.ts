import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discover } from '../discovery.js';
import { generateTree } from './bench-index.js';
import { Library } from '../../library/library.js';
import { ENTRIES_FTS_DDL, ENTRY_ROW_COLUMNS, processingHook, sqliteFloor } from './bench-index-job.js';

let base: string;
beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-benchjob-'));
});
afterEach(() => {
  fs.rmSync(base, { recursive: true, force: true });
});

describe('processing hook and SQLite floor', () => {
  it("uses the library's own search index definition for the floor", async () => {
    const library = await Library.create(path.join(base, 'lib'), { name: 'fts' });
    try {
      const { sql } = library.raw.prepare(`SELECT sql FROM sqlite_master WHERE name = 'entries_fts'`).get() as { sql: string };
      const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();
      expect(norm(sql)).toBe(norm(ENTRIES_FTS_DDL));
    } finally {
      await library.close();
    }
  });

  it('stores one row per discovered entry, and the floor stores exactly those rows again', async () => {
    const tree = await generateTree({ root: path.join(base, 'tree'), files: 300, folders: 12, images: 3, seed: 3 });
    const hook = await processingHook(tree.root);
    let discovered = 0;
    try {
      for await (const batch of discover(tree.root, { respectGitignore: false, skipSystemFiles: false, batchSize: 100 })) {
        discovered += batch.entries.length;
        await hook.process(batch);
      }
      await hook.finish();
      const rows = hook.rows();
      expect(rows).toHaveLength(discovered);
      expect(hook.counts.new).toBe(discovered);
      const paths = rows.map((r) => r[ENTRY_ROW_COLUMNS.indexOf('rel_path')]);
      expect(new Set(paths).size).toBe(rows.length);
      const floor = await sqliteFloor(rows);
      expect(floor.stored).toEqual([rows.length, rows.length, rows.length]);
      expect(floor.searchRows).toBe(rows.length);
      expect(floor.bare).toBeGreaterThan(0);
      expect(floor.indexed).toBeGreaterThan(0);
      expect(floor.searchable).toBeGreaterThan(0);
      // A duplicate path breaks the floor's unique key, as it would the library's.
      await expect(sqliteFloor([...rows, ['x-uuid', ...rows[0]!.slice(1)]])).rejects.toThrow(/UNIQUE/);
    } finally {
      await hook.cleanup();
    }
  });
});
