import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CairnCore } from './cairn-core.js';
import type { Library } from './library/library.js';
import { makeTempDir } from './testing/temp-dir.js';
import { seedEntries } from './testing/seed-entries.js';
import { startTestCore, userCtx } from './testing/test-core.js';

let core: CairnCore;
let dispose: () => Promise<void>;
let lib: Library;
let libraryId: string;
let locationId: string;
let folder: { dir: string; cleanup: () => void };

beforeEach(async () => {
  ({ core, dispose } = await startTestCore());
  folder = makeTempDir('cairn-loc');
  const [summary] = await core.registry.call('library.list', {}, userCtx);
  libraryId = summary!.id;
  lib = await core.libraries.get(libraryId);
  locationId = (await core.registry.call('locations.add', { libraryId, path: folder.dir }, userCtx)).id;
});
afterEach(async () => {
  await dispose();
  folder.cleanup();
});

const call = <N extends Parameters<CairnCore['registry']['call']>[0]>(name: N, input: Parameters<CairnCore['registry']['call']>[1] & object) =>
  core.registry.call(name, input as never, userCtx);

describe('CHECK constraints of the data model', () => {
  it('user_metadata is scoped to exactly one entry or one content', () => {
    const { entryIds, contentIds } = seedEntries(lib, locationId, [{ relPath: 'a.jpg', content: 'A' }]);
    const insert = (entry: string | null, content: string | null) =>
      lib.raw
        .prepare("INSERT INTO user_metadata (uuid, entry_uuid, content_uuid, created_at, updated_at, hlc, device_id, sync_strategy) VALUES (?, ?, ?, 'x', 'x', 'h', 'd', 'shared')")
        .run(randomUUID(), entry, content);
    expect(() => insert(entryIds.get('a.jpg')!, contentIds.get('A')!)).toThrow(/CHECK constraint failed/);
    expect(() => insert(null, null)).toThrow(/CHECK constraint failed/);
    expect(() => insert(entryIds.get('a.jpg')!, null)).not.toThrow();
    expect(() => insert(null, contentIds.get('A')!)).not.toThrow();
  });

  it('models have exactly one of entry, content or standalone scope', () => {
    const { entryIds, contentIds } = seedEntries(lib, locationId, [{ relPath: 'a.jpg', content: 'A' }]);
    const insert = (entry: string | null, content: string | null, standalone: number) =>
      lib.raw
        .prepare(
          "INSERT INTO models (uuid, extension_id, model_type, data, entry_uuid, content_uuid, standalone, created_at, updated_at, hlc, device_id, sync_strategy) VALUES (?, 'x', 'T', '{}', ?, ?, ?, 'x', 'x', 'h', 'd', 'shared')",
        )
        .run(randomUUID(), entry, content, standalone);
    const e = entryIds.get('a.jpg')!;
    const c = contentIds.get('A')!;
    expect(() => insert(e, c, 0)).toThrow(/CHECK/);
    expect(() => insert(e, null, 1)).toThrow(/CHECK/);
    expect(() => insert(null, c, 1)).toThrow(/CHECK/);
    expect(() => insert(null, null, 0)).toThrow(/CHECK/);
    expect(() => insert(e, null, 0)).not.toThrow();
    expect(() => insert(null, c, 0)).not.toThrow();
    expect(() => insert(null, null, 1)).not.toThrow();
  });

  it('collection items are exactly one of entry, content or model', () => {
    const { entryIds, contentIds } = seedEntries(lib, locationId, [{ relPath: 'a.jpg', content: 'A' }]);
    lib.raw.prepare("INSERT INTO collections (id, name, created_at, updated_at, hlc, device_id) VALUES ('c1', 'C', 'x', 'x', 'h', 'd')").run();
    const insert = (entry: string | null, content: string | null) =>
      lib.raw
        .prepare("INSERT INTO collection_items (collection_id, entry_uuid, content_uuid, model_uuid, position, added_at, hlc, device_id) VALUES ('c1', ?, ?, NULL, 0, 'x', 'h', 'd')")
        .run(entry, content);
    expect(() => insert(entryIds.get('a.jpg')!, contentIds.get('A')!)).toThrow(/CHECK/);
    expect(() => insert(null, null)).toThrow(/CHECK/);
    expect(() => insert(entryIds.get('a.jpg')!, null)).not.toThrow();
  });

  it('every shared row carries sync metadata', () => {
    for (const table of ['content_identities', 'user_metadata', 'tags', 'tag_applications', 'collections', 'collection_items', 'models', 'media_data']) {
      const columns = (lib.raw.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
      expect(columns, table).toEqual(expect.arrayContaining(['hlc', 'device_id']));
    }
  });
});

describe('tags', () => {
  it('builds a hierarchy, refuses cycles and duplicate sibling names, and re-parents on delete', async () => {
    const people = await call('tags.create', { libraryId, name: 'people' });
    const ada = await call('tags.create', { libraryId, name: 'Ada', parentId: people.id });
    expect(ada.path).toBe('people/Ada');
    expect(await core.registry.invoke('tags.create', { libraryId, name: 'Ada', parentId: people.id }, userCtx)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await core.registry.invoke('tags.move', { libraryId, tagId: people.id, parentId: ada.id }, userCtx)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await core.registry.invoke('tags.create', { libraryId, name: 'a/b' }, userCtx)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    await call('tags.rename', { libraryId, tagId: people.id, name: 'Family' });
    expect((await call('tags.list', { libraryId })).map((t) => t.path)).toEqual(['Family', 'Family/Ada']);
    await call('tags.delete', { libraryId, tagId: people.id });
    expect(await call('tags.list', { libraryId })).toEqual([expect.objectContaining({ name: 'Ada', parentId: null, path: 'Ada' })]);
  });

  it('a tag on content applies to every copy; a tag on an entry to that path only', async () => {
    const { entryIds } = seedEntries(lib, locationId, [
      { relPath: 'trip/beach.jpg', content: 'BEACH', fileKind: 'image' },
      { relPath: 'backup/beach-copy.jpg', content: 'BEACH', fileKind: 'image' },
      { relPath: 'other.jpg', content: 'OTHER', fileKind: 'image' },
    ]);
    const vacation = await call('tags.create', { libraryId, name: 'vacation' });
    const local = await call('tags.create', { libraryId, name: 'local' });
    expect(await call('tags.apply', { libraryId, tagId: vacation.id, entryIds: [entryIds.get('trip/beach.jpg')!] })).toEqual({ applied: 1 });
    expect(await call('tags.apply', { libraryId, tagId: vacation.id, entryIds: [entryIds.get('backup/beach-copy.jpg')!] })).toEqual({ applied: 0 });
    await call('tags.apply', { libraryId, tagId: local.id, entryIds: [entryIds.get('other.jpg')!], scope: 'entry' });

    const tagged = await call('entries.list', { libraryId, tagId: vacation.id });
    expect(tagged.items.map((e) => e.relPath).sort()).toEqual(['backup/beach-copy.jpg', 'trip/beach.jpg']);
    const copy = await call('entries.get', { libraryId, entryId: entryIds.get('backup/beach-copy.jpg')! });
    expect(copy.tags).toEqual([expect.objectContaining({ name: 'vacation', scope: 'content', source: 'user' })]);
    expect(copy.alternates.map((a) => a.relPath)).toEqual(['trip/beach.jpg']);
    expect(copy.ancestors.map((a) => a.name)).toEqual(['backup']);

    expect(await call('tags.remove', { libraryId, tagId: vacation.id, entryIds: [entryIds.get('trip/beach.jpg')!] })).toEqual({ removed: 1 });
    expect((await call('entries.list', { libraryId, tagId: vacation.id })).total).toBe(0);
  });

  it('is all or nothing: content scope on a folder fails the whole call', async () => {
    const { entryIds } = seedEntries(lib, locationId, [{ relPath: 'dir/a.jpg', content: 'A' }]);
    const t = await call('tags.create', { libraryId, name: 'x' });
    const r = await core.registry.invoke('tags.apply', { libraryId, tagId: t.id, entryIds: [entryIds.get('dir/a.jpg')!, entryIds.get('dir')!] }, userCtx);
    expect(r).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/no content identity/) } });
    expect((await call('tags.list', { libraryId }))[0]!.usage).toBe(0);
  });

  it('filters by a parent tag include its children', async () => {
    const { entryIds } = seedEntries(lib, locationId, [{ relPath: 'a.jpg', content: 'A' }, { relPath: 'b.jpg', content: 'B' }]);
    const people = await call('tags.create', { libraryId, name: 'people' });
    const ada = await call('tags.create', { libraryId, name: 'Ada', parentId: people.id });
    await call('tags.apply', { libraryId, tagId: ada.id, entryIds: [entryIds.get('a.jpg')!] });
    expect((await call('entries.list', { libraryId, tagId: people.id })).items.map((e) => e.name)).toEqual(['a.jpg']);
    expect((await call('search.entries', { libraryId, tagId: people.id })).items.map((e) => e.name)).toEqual(['a.jpg']);
  });
});

describe('entries, favourites, notes and duplicates', () => {
  it('lists a folder with folders first, pages, and filters by kind and favourite', async () => {
    const { entryIds } = seedEntries(lib, locationId, [
      { relPath: 'b.txt', content: 'b', fileKind: 'text' },
      { relPath: 'a.jpg', content: 'a', fileKind: 'image' },
      { relPath: 'zdir/c.jpg', content: 'c', fileKind: 'image' },
    ]);
    const root = await call('entries.list', { libraryId, locationId, parentId: null });
    expect(root.items.map((e) => e.name)).toEqual(['zdir', 'a.jpg', 'b.txt']);
    const paged = await call('entries.list', { libraryId, locationId, parentId: null, limit: 1, offset: 1 });
    expect(paged).toMatchObject({ total: 3, items: [{ name: 'a.jpg' }] });
    const inside = await call('entries.list', { libraryId, parentId: entryIds.get('zdir')! });
    expect(inside.items.map((e) => e.name)).toEqual(['c.jpg']);
    expect((await call('entries.list', { libraryId, fileKind: 'image' })).total).toBe(2);

    await call('entries.setFavorite', { libraryId, entryId: entryIds.get('a.jpg')!, favorite: true });
    await call('entries.setNote', { libraryId, entryId: entryIds.get('a.jpg')!, note: 'Grandma’s garden' });
    const favs = await call('entries.list', { libraryId, favorite: true });
    expect(favs.items.map((e) => [e.name, e.favorite])).toEqual([['a.jpg', true]]);
    expect((await call('entries.get', { libraryId, entryId: entryIds.get('a.jpg')! })).notes).toBe('Grandma’s garden');
    await call('entries.setFavorite', { libraryId, entryId: entryIds.get('a.jpg')!, favorite: false });
    expect((await call('entries.list', { libraryId, favorite: true })).total).toBe(0);
  });

  it('lists duplicates with the wasted bytes, largest first', async () => {
    seedEntries(lib, locationId, [
      { relPath: 'x/small.txt', content: 'S', size: 10 },
      { relPath: 'y/small.txt', content: 'S', size: 10 },
      { relPath: 'x/big.mov', content: 'B', size: 5000 },
      { relPath: 'y/big.mov', content: 'B', size: 5000 },
      { relPath: 'z/big.mov', content: 'B', size: 5000 },
      { relPath: 'unique.txt', content: 'U', size: 3 },
    ]);
    const dupes = await call('entries.duplicates', { libraryId });
    expect(dupes.total).toBe(2);
    expect(dupes.groups.map((g) => [g.count, g.wastedBytes])).toEqual([[3, 10000], [2, 10]]);
    expect(dupes.groups[0]!.entries.map((e) => e.relPath)).toEqual(['x/big.mov', 'y/big.mov', 'z/big.mov']);
  });

  it('reports unknown entries and folders clearly', async () => {
    const missing = randomUUID();
    expect(await core.registry.invoke('entries.get', { libraryId, entryId: missing }, userCtx)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await core.registry.invoke('entries.list', { libraryId, parentId: missing }, userCtx)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('search', () => {
  beforeEach(() => {
    seedEntries(lib, locationId, [
      { relPath: 'Holidays/Paris/eiffel-tower.jpg', content: '1', fileKind: 'image', modifiedAt: Date.parse('2024-06-01') },
      { relPath: 'Holidays/Paris/notes.txt', content: '2', fileKind: 'text', modifiedAt: Date.parse('2024-06-02') },
      { relPath: 'Work/Café menu.pdf', content: '3', fileKind: 'document', modifiedAt: Date.parse('2023-01-01') },
      { relPath: 'Work/report_final.docx', content: '4', fileKind: 'document', modifiedAt: Date.parse('2025-03-01') },
    ]);
  });

  it('finds by name and path prefixes, folding diacritics', async () => {
    const names = async (query: string) => (await call('search.entries', { libraryId, query })).items.map((e) => e.name).sort();
    expect(await names('eiff')).toEqual(['eiffel-tower.jpg']);
    expect(await names('paris')).toEqual(['Paris', 'eiffel-tower.jpg', 'notes.txt']);
    expect(await names('cafe')).toEqual(['Café menu.pdf']);
    expect(await names('report_final')).toEqual(['report_final.docx']);
    // Underscores and dashes separate words, so a later word of a snake_case or kebab-case name matches.
    expect(await names('final')).toEqual(['report_final.docx']);
    expect(await names('tower')).toEqual(['eiffel-tower.jpg']);
    expect(await names('holidays notes')).toEqual(['notes.txt']);
  });

  it('filters by kind, date range and location', async () => {
    const r = await call('search.entries', { libraryId, query: 'paris', fileKind: 'image' });
    expect(r.items.map((e) => e.name)).toEqual(['eiffel-tower.jpg']);
    const docs = await call('search.entries', { libraryId, fileKind: 'document', from: '2024-01-01' });
    expect(docs.items.map((e) => e.name)).toEqual(['report_final.docx']);
    const before = await call('search.entries', { libraryId, fileKind: 'document', to: '2024-01-01' });
    expect(before.items.map((e) => e.name)).toEqual(['Café menu.pdf']);
    const elsewhere = await call('search.entries', { libraryId, query: 'paris', locationId: randomUUID() });
    expect(elsewhere.total).toBe(0);
  });

  it('treats FTS syntax and SQL in the query as plain words', async () => {
    for (const hostile of ['"', "'; DROP TABLE entries; --", 'name:eiffel OR *', 'NEAR(a b)', '^', '()', 'a"b']) {
      const r = await core.registry.invoke('search.entries', { libraryId, query: hostile }, userCtx);
      expect(r.ok, hostile).toBe(true);
    }
    expect((await call('entries.list', { libraryId })).total).toBe(7);
  });
});

describe('collections', () => {
  it('holds entries, contents and models, skips repeats, and is all or nothing', async () => {
    const { entryIds, contentIds } = seedEntries(lib, locationId, [{ relPath: 'a.jpg', content: 'A' }, { relPath: 'b.jpg', content: 'B' }]);
    const modelId = randomUUID();
    lib.raw
      .prepare("INSERT INTO models (uuid, extension_id, model_type, data, standalone, created_at, updated_at, hlc, device_id, sync_strategy) VALUES (?, 'x', 'Album', '{}', 1, 'x', 'x', 'h', 'd', 'shared')")
      .run(modelId);
    const c = await call('collections.create', { libraryId, name: 'Best' });
    expect(await call('collections.addItems', { libraryId, collectionId: c.id, items: [{ entryId: entryIds.get('a.jpg')! }, { contentId: contentIds.get('B')! }, { modelId }] })).toEqual({ added: 3 });
    expect(await call('collections.addItems', { libraryId, collectionId: c.id, items: [{ entryId: entryIds.get('a.jpg')! }] })).toEqual({ added: 0 });
    const bad = await core.registry.invoke('collections.addItems', { libraryId, collectionId: c.id, items: [{ entryId: entryIds.get('b.jpg')! }, { entryId: randomUUID() }] }, userCtx);
    expect(bad).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const items = await call('collections.items', { libraryId, collectionId: c.id });
    expect(items.total).toBe(3);
    expect(items.items.map((i) => [i.kind, i.entry?.name ?? null])).toEqual([['entry', 'a.jpg'], ['content', 'b.jpg'], ['model', null]]);
    expect(await call('collections.removeItems', { libraryId, collectionId: c.id, items: [{ modelId }] })).toEqual({ removed: 1 });
    expect((await call('collections.list', { libraryId }))[0]).toMatchObject({ name: 'Best', itemCount: 2 });
  });
});
