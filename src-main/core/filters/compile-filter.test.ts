import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnError } from '../../../src-shared/errors.js';
import type { Library } from '../library/library.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { seedEntries } from '../testing/seed-entries.js';
import { startTestCore, userCtx } from '../testing/test-core.js';
import { compileFilter } from './compile-filter.js';

let lib: Library;
let dispose: () => Promise<void>;
let cleanupFolder: () => void;
let ids: Map<string, string>;

beforeAll(async () => {
  const t = await startTestCore();
  dispose = t.dispose;
  const folder = makeTempDir();
  cleanupFolder = folder.cleanup;
  const [summary] = await t.core.registry.call('library.list', {}, userCtx);
  lib = await t.core.libraries.get(summary!.id);
  const loc = await t.core.registry.call('locations.add', { libraryId: lib.id, path: folder.dir }, userCtx);
  ids = seedEntries(lib, loc.id, [
    { relPath: 'ada.jpg', content: 'ADA', fileKind: 'image', modifiedAt: Date.parse('2024-05-01') },
    { relPath: 'grace.png', content: 'GRACE', fileKind: 'image', modifiedAt: Date.parse('2023-01-01') },
    { relPath: 'clip.mp4', content: 'CLIP', fileKind: 'video', modifiedAt: Date.parse('2024-07-01') },
  ]).entryIds;
  const person = await t.core.registry.call('tags.create', { libraryId: lib.id, name: '#person:Ada' }, userCtx);
  await t.core.registry.call('tags.apply', { libraryId: lib.id, tagId: person.id, entryIds: [ids.get('ada.jpg')!] }, userCtx);
  const people = await t.core.registry.call('tags.create', { libraryId: lib.id, name: 'People' }, userCtx);
  const nested = await t.core.registry.call('tags.create', { libraryId: lib.id, name: 'Grace', parentId: people.id }, userCtx);
  await t.core.registry.call('tags.apply', { libraryId: lib.id, tagId: nested.id, entryIds: [ids.get('grace.png')!] }, userCtx);
  lib.raw
    .prepare(
      "INSERT INTO models (uuid, extension_id, model_type, data, standalone, created_at, updated_at, hlc, device_id, sync_strategy) VALUES ('m1', 'x', 'Person', '{\"name\":\"Ada\",\"count\":3}', 1, 'x', '2024-01-01T00:00:00Z', 'h', 'd', 'shared'), ('m2', 'x', 'Place', '{\"country\":\"France\"}', 1, 'x', '2024-01-01T00:00:00Z', 'h', 'd', 'shared')",
    )
    .run();
});
afterAll(async () => {
  await dispose();
  cleanupFolder();
});

function names(filter: string): string[] {
  const c = compileFilter(filter);
  expect(c.target).toBe('entries');
  return (lib.raw.prepare(`SELECT e.name FROM entries e WHERE ${c.sql} ORDER BY e.name`).all(...c.params) as { name: string }[]).map((r) => r.name);
}

function models(filter: string): string[] {
  const c = compileFilter(filter);
  expect(c.target).toBe('models');
  return (lib.raw.prepare(`SELECT mo.uuid FROM models mo WHERE ${c.sql} ORDER BY mo.uuid`).all(...c.params) as { uuid: string }[]).map((r) => r.uuid);
}

describe('compileFilter', () => {
  it('selects entries by tag prefix, kind, date and combinations', () => {
    expect(names('tag:"#person:*"')).toEqual(['ada.jpg']);
    expect(names('tag:#person:Ada')).toEqual(['ada.jpg']);
    expect(names('kind:image')).toEqual(['ada.jpg', 'grace.png']);
    expect(names('kind:image modified>=2024-01-01')).toEqual(['ada.jpg']);
    expect(names('kind:video OR tag:"#person:*"')).toEqual(['ada.jpg', 'clip.mp4']);
    expect(names('NOT kind:image')).toEqual(['clip.mp4']);
    expect(names('ext:.PNG')).toEqual(['grace.png']);
    expect(names('name:gr*')).toEqual(['grace.png']);
    expect(names('modified:2024-05-01')).toEqual(['ada.jpg']);
    expect(names('tag:"100%_*"')).toEqual([]);
    expect(names('tag:"People/Grace"')).toEqual(['grace.png']);
    expect(names('tag:"People/*"')).toEqual(['grace.png']);
    expect(names('tag:"Other/Grace"')).toEqual([]);
  });

  it('selects models by type and JSON fields', () => {
    expect(models('model:Person')).toEqual(['m1']);
    expect(models('model:Place model.country:"France"')).toEqual(['m2']);
    expect(models('model.count>=3')).toEqual(['m1']);
    expect(models('model.name:A*')).toEqual(['m1']);
  });

  it('refuses mixing targets, bad kinds, bad dates and unsupported operators in plain words', () => {
    const fail = (f: string) => {
      try {
        compileFilter(f);
      } catch (e) {
        expect(e).toBeInstanceOf(CairnError);
        expect((e as CairnError).code).toBe('VALIDATION');
        return (e as CairnError).message;
      }
      throw new Error(`expected ${f} to fail`);
    };
    expect(fail('model:Person kind:image')).toMatch(/cannot mix/);
    expect(fail('kind:spaceship')).toMatch(/not a kind/);
    expect(fail('modified>yesterday')).toMatch(/not a date/);
    expect(fail('kind>image')).toMatch(/does not support ">"/);
    expect(fail("tags LIKE '#person:%'")).toMatch(/Unknown field/);
  });

  it('fuzz: user text never reaches the SQL, and every compiled filter runs', () => {
    // Values carry a marker that cannot occur in any SQL we write, plus hostile characters.
    const marker = fc.stringMatching(/^[A-Za-z0-9#%_'";-]{0,12}$/).map((s) => `Qz7${s}`);
    const predicate = fc.tuple(fc.constantFrom('tag', 'kind', 'ext', 'name', 'location', 'modified', 'captured'), fc.constantFrom(':', '=', '!=', '>', '<'), marker);
    fc.assert(
      fc.property(fc.array(predicate, { minLength: 1, maxLength: 5 }), fc.constantFrom(' ', ' AND ', ' OR '), (preds, joiner) => {
        const text = preds.map(([f, op, v]) => `${f}${op}"${v.replaceAll('\\', '').replaceAll('"', '')}"`).join(joiner);
        let compiled;
        try {
          compiled = compileFilter(text);
        } catch (error) {
          expect(error).toBeInstanceOf(CairnError);
          expect((error as CairnError).code).toBe('VALIDATION');
          return;
        }
        for (const [, , v] of preds) {
          const clean = v.replaceAll('\\', '').replaceAll('"', '');
          expect(compiled.sql).not.toContain(clean);
          expect(compiled.sql).not.toContain('Qz7');
        }
        expect(() => lib.raw.prepare(`SELECT count(*) FROM entries e WHERE ${compiled.sql}`).get(...compiled.params)).not.toThrow();
      }),
      { numRuns: 1500, seed: 11 },
    );
    // The data is untouched.
    expect((lib.raw.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n).toBe(3);
  });
});
