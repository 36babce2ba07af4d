import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { InputOf, OperationName, OutputOf } from '../../../src-shared/contract/index.js';
import type { CairnCore } from '../cairn-core.js';
import type { Library } from '../library/library.js';
import type { CallContext } from '../registry/operation-registry.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { seedEntries } from '../testing/seed-entries.js';
import { startTestCore, userCtx } from '../testing/test-core.js';
import { defineAction } from './define-action.js';
import { normalizeRelPath } from './location-paths.js';

let core: CairnCore;
let dispose: () => Promise<void>;
let lib: Library;
let libraryId: string;
let locationId: string;
let folder: { dir: string; cleanup: () => void };
let xdg: { dir: string; cleanup: () => void };
let savedXdg: string | undefined;
let events: { name: string; payload: unknown }[];

beforeEach(async () => {
  savedXdg = process.env.XDG_DATA_HOME;
  xdg = makeTempDir('cairn-xdg');
  process.env.XDG_DATA_HOME = xdg.dir;
  ({ core, dispose } = await startTestCore());
  folder = makeTempDir('cairn-loc');
  const [summary] = await core.registry.call('library.list', {}, userCtx);
  libraryId = summary!.id;
  lib = await core.libraries.get(libraryId);
  locationId = (await core.registry.call('locations.add', { libraryId, path: folder.dir }, userCtx)).id;
  events = [];
  core.events.onAny((name, payload) => events.push({ name, payload }));
});
afterEach(async () => {
  await dispose();
  folder.cleanup();
  xdg.cleanup();
  if (savedXdg === undefined) delete process.env.XDG_DATA_HOME;
  else process.env.XDG_DATA_HOME = savedXdg;
});

const call = <N extends OperationName>(name: N, input: Omit<InputOf<N>, 'libraryId'>, ctx: CallContext = userCtx): Promise<OutputOf<N>> =>
  core.registry.call(name, { libraryId, ...input } as InputOf<N>, ctx);

/** Writes real files into the location and seeds matching entries. Returns relPath → entry id. */
function files(spec: Record<string, string>): Map<string, string> {
  for (const [rel, content] of Object.entries(spec)) {
    const abs = path.join(folder.dir, ...rel.split('/'));
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
  return seedEntries(lib, locationId, Object.entries(spec).map(([relPath, content]) => ({ relPath, content }))).entryIds;
}

const onDisk = (rel: string) => fs.existsSync(path.join(folder.dir, ...rel.split('/')));
const relPathOf = (entryId: string) =>
  (lib.raw.prepare('SELECT rel_path FROM entries WHERE uuid = ?').get(entryId) as { rel_path: string } | undefined)?.rel_path;
const tagged = (tagId: string) =>
  (lib.raw.prepare('SELECT count(*) AS n FROM tag_applications WHERE tag_id = ?').get(tagId) as { n: number }).n;
const statuses = (entry: { transitions: { status: string }[] }) => entry.transitions.map((t) => t.status);

async function expectError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
}

describe('tags.apply', () => {
  it('previews without changing anything, commits exactly the preview, verifies, audits and undoes', async () => {
    const ids = files({ 'a.jpg': 'A', 'b.jpg': 'B', 'c.jpg': 'C' });
    const tag = await call('tags.create', { name: 'Trip' });
    await call('tags.apply', { tagId: tag.id, entryIds: [ids.get('c.jpg')!] });
    const before = tagged(tag.id);

    const preview = await call('actions.preview', { action: 'tags.apply', params: { tagId: tag.id, entryIds: [...ids.values()] } });
    expect(preview.changes.map((c) => c.kind === 'tag.apply' && c.path)).toEqual(['a.jpg', 'b.jpg']);
    expect(preview.counts).toMatchObject({ 'tag.apply': 2, unchanged: 1, conflicts: 0 });
    expect(preview).toMatchObject({ reversible: true, conflicts: [], summary: 'Tag 2 items with "Trip" (1 already tagged)' });
    expect(preview.expiresAt).toBeGreaterThan(preview.createdAt);
    expect(tagged(tag.id)).toBe(before); // the preview changed nothing
    expect((await call('actions.history', {})).total).toBe(0); // previews are not history…
    expect((await call('actions.history', { includePreviews: true })).items[0]).toMatchObject({ id: preview.id, status: 'previewed' });

    const done = await call('actions.commit', { previewId: preview.id });
    expect(done).toMatchObject({ auditId: preview.id, status: 'verified', result: { applied: 2 }, problems: [], canUndo: true });
    expect(tagged(tag.id)).toBe(3);
    const audit = await call('actions.get', { auditId: preview.id });
    expect(statuses(audit)).toEqual(['previewed', 'committing', 'committed', 'verified']);
    expect(audit).toMatchObject({ caller: { kind: 'user', via: 'internal' }, action: 'tags.apply', owner: 'core', canUndo: true });
    expect(events.filter((e) => e.name === 'actions.onDidChange').map((e) => (e.payload as { status: string }).status)).toEqual([
      'previewed', 'committing', 'committed', 'verified',
    ]);
    expect(events.some((e) => e.name === 'tags.onDidChange')).toBe(true);

    const undone = await call('actions.undo', { auditId: preview.id });
    expect(undone).toMatchObject({ status: 'undone', canUndo: false });
    expect(tagged(tag.id)).toBe(1); // only what this commit added went; c.jpg keeps its earlier tag
    await expectError(call('actions.undo', { auditId: preview.id }), 'CONFLICT', /already undone/);
    await expectError(call('actions.commit', { previewId: preview.id }), 'CONFLICT', /it is undone/);
  });

  it('refuses a stale preview when the tag was deleted, and applies nothing', async () => {
    const ids = files({ 'a.jpg': 'A' });
    const tag = await call('tags.create', { name: 'Gone' });
    const preview = await call('actions.preview', { action: 'tags.apply', params: { tagId: tag.id, entryIds: [...ids.values()] } });
    await call('tags.delete', { tagId: tag.id });
    await expectError(call('actions.commit', { previewId: preview.id }), 'CONFLICT', /changed since the preview.*tag "Gone" was deleted/);
    expect((lib.raw.prepare('SELECT count(*) AS n FROM tag_applications').get() as { n: number }).n).toBe(0);
    const audit = await call('actions.get', { auditId: preview.id });
    expect(audit).toMatchObject({ status: 'failed', canUndo: false, error: expect.stringMatching(/tag "Gone" was deleted/) });
    expect(statuses(audit)).toEqual(['previewed', 'committing', 'failed']);
  });

  it('lists missing entries and content-less folders as conflicts that block the commit', async () => {
    const ids = files({ 'dir/a.jpg': 'A' });
    const tag = await call('tags.create', { name: 'T' });
    const missing = '00000000-0000-4000-8000-000000000000';
    const preview = await call('actions.preview', { action: 'tags.apply', params: { tagId: tag.id, entryIds: [ids.get('dir')!, missing] } });
    expect(preview.conflicts.map((c) => c.code)).toEqual(['NO_CONTENT', 'MISSING']);
    await expectError(call('actions.commit', { previewId: preview.id }), 'CONFLICT', /2 conflict\(s\), so nothing was applied/);
    expect(tagged(tag.id)).toBe(0);
    // Still `previewed`: nothing was attempted.
    expect((await call('actions.get', { auditId: preview.id })).status).toBe('previewed');
  });
});

describe('tags.remove', () => {
  it('untags, and undo restores the applications with their source', async () => {
    const ids = files({ 'a.jpg': 'A', 'b.jpg': 'B' });
    const tag = await call('tags.create', { name: 'Old' });
    await call('tags.apply', { tagId: tag.id, entryIds: [ids.get('a.jpg')!] });
    const preview = await call('actions.preview', { action: 'tags.remove', params: { tagId: tag.id, entryIds: [...ids.values()] } });
    expect(preview.counts).toMatchObject({ 'tag.remove': 1, unchanged: 1 });
    expect(tagged(tag.id)).toBe(1);
    expect(await call('actions.commit', { previewId: preview.id })).toMatchObject({ status: 'verified', result: { removed: 1 } });
    expect(tagged(tag.id)).toBe(0);
    await call('actions.undo', { auditId: preview.id });
    expect(lib.raw.prepare('SELECT source FROM tag_applications WHERE tag_id = ?').all(tag.id)).toEqual([{ source: 'user' }]);
  });
});

describe('collections.createFrom', () => {
  it('creates a collection from a selection and undo deletes it', async () => {
    const ids = files({ 'a.jpg': 'A', 'b.jpg': 'B' });
    const preview = await call('actions.preview', { action: 'collections.createFrom', params: { name: 'Best', entryIds: [...ids.values()] } });
    expect(preview.changes.map((c) => c.kind)).toEqual(['collection.create', 'collection.add', 'collection.add']);
    expect(await call('collections.list', {})).toEqual([]);
    const done = await call('actions.commit', { previewId: preview.id });
    expect(done).toMatchObject({ status: 'verified', result: { items: 2 } });
    expect(await call('collections.list', {})).toMatchObject([{ name: 'Best', itemCount: 2 }]);
    await call('actions.undo', { auditId: done.auditId });
    expect(await call('collections.list', {})).toEqual([]);
  });

  it('refuses to undo when the collection was deleted meanwhile', async () => {
    const ids = files({ 'a.jpg': 'A' });
    const preview = await call('actions.preview', { action: 'collections.createFrom', params: { name: 'Brief', entryIds: [...ids.values()] } });
    const done = await call('actions.commit', { previewId: preview.id });
    const [collection] = await call('collections.list', {});
    await call('collections.delete', { collectionId: collection!.id });
    await expectError(call('actions.undo', { auditId: done.auditId }), 'CONFLICT', /collection "Brief" was deleted/);
    const audit = await call('actions.get', { auditId: done.auditId });
    expect(audit.status).toBe('verified');
    expect(audit.transitions.at(-1)).toMatchObject({ status: 'verified', message: expect.stringMatching(/Undo refused/) });
  });
});

describe('files.rename', () => {
  it('renames on disk and in the library, and undo renames back', async () => {
    const ids = files({ 'photos/a.jpg': 'A' });
    const id = ids.get('photos/a.jpg')!;
    const preview = await call('actions.preview', { action: 'files.rename', params: { entryId: id, name: 'b.JPG' } });
    expect(preview.changes).toMatchObject([{ kind: 'file.rename', from: 'photos/a.jpg', to: 'photos/b.JPG' }]);
    expect(onDisk('photos/a.jpg')).toBe(true);
    expect(await call('actions.commit', { previewId: preview.id })).toMatchObject({ status: 'verified' });
    expect(onDisk('photos/a.jpg')).toBe(false);
    expect(onDisk('photos/b.JPG')).toBe(true);
    expect(lib.raw.prepare('SELECT rel_path, name, extension FROM entries WHERE uuid = ?').get(id)).toEqual({ rel_path: 'photos/b.JPG', name: 'b.JPG', extension: 'jpg' });
    // Search follows the rename (the FTS triggers fired).
    expect((lib.raw.prepare("SELECT count(*) AS n FROM entries_fts WHERE entries_fts MATCH 'b'").get() as { n: number }).n).toBe(1);
    await call('actions.undo', { auditId: preview.id });
    expect(onDisk('photos/a.jpg')).toBe(true);
    expect(relPathOf(id)).toBe('photos/a.jpg');
  });

  it('renaming a folder moves every entry below it', async () => {
    const ids = files({ 'trip/day1/a.jpg': 'A', 'trip/b.jpg': 'B', 'tripod.txt': 'T' });
    const preview = await call('actions.preview', { action: 'files.rename', params: { entryId: ids.get('trip')!, name: 'Italy' } });
    await call('actions.commit', { previewId: preview.id });
    expect(relPathOf(ids.get('trip/day1/a.jpg')!)).toBe('Italy/day1/a.jpg');
    expect(relPathOf(ids.get('trip/b.jpg')!)).toBe('Italy/b.jpg');
    expect(relPathOf(ids.get('tripod.txt')!)).toBe('tripod.txt'); // a sibling sharing the prefix is untouched
    expect(onDisk('Italy/day1/a.jpg')).toBe(true);
  });

  it('refuses a stale preview when the file was renamed on disk, or in the library', async () => {
    const ids = files({ 'a.jpg': 'A', 'c.jpg': 'C' });
    const p1 = await call('actions.preview', { action: 'files.rename', params: { entryId: ids.get('a.jpg')!, name: 'b.jpg' } });
    fs.renameSync(path.join(folder.dir, 'a.jpg'), path.join(folder.dir, 'z.jpg'));
    await expectError(call('actions.commit', { previewId: p1.id }), 'CONFLICT', /"a\.jpg" is gone from disk/);
    expect(onDisk('b.jpg')).toBe(false);
    expect(onDisk('z.jpg')).toBe(true);

    const p2 = await call('actions.preview', { action: 'files.rename', params: { entryId: ids.get('c.jpg')!, name: 'd.jpg' } });
    lib.raw.prepare("UPDATE entries SET rel_path = 'elsewhere.jpg', name = 'elsewhere.jpg' WHERE uuid = ?").run(ids.get('c.jpg'));
    await expectError(call('actions.commit', { previewId: p2.id }), 'CONFLICT', /"c\.jpg" moved to "elsewhere\.jpg" in the library/);
    expect(onDisk('c.jpg')).toBe(true);
    expect(onDisk('d.jpg')).toBe(false);
  });

  it('refuses a preview whose file changed on disk (size)', async () => {
    const ids = files({ 'a.txt': 'short' });
    const preview = await call('actions.preview', { action: 'files.rename', params: { entryId: ids.get('a.txt')!, name: 'b.txt' } });
    fs.writeFileSync(path.join(folder.dir, 'a.txt'), 'much longer now');
    await expectError(call('actions.commit', { previewId: preview.id }), 'CONFLICT', /"a\.txt" changed on disk \(size 5 → 15/);
  });

  it('lists a taken name as a conflict and never overwrites; refuses a name that appeared after the preview', async () => {
    const ids = files({ 'a.jpg': 'A', 'b.jpg': 'B' });
    const clash = await call('actions.preview', { action: 'files.rename', params: { entryId: ids.get('a.jpg')!, name: 'b.jpg' } });
    expect(clash.conflicts).toMatchObject([{ code: 'EXISTS', path: 'b.jpg' }]);
    await expectError(call('actions.commit', { previewId: clash.id }), 'CONFLICT', /already exists/);
    expect(fs.readFileSync(path.join(folder.dir, 'b.jpg'), 'utf8')).toBe('B');

    const later = await call('actions.preview', { action: 'files.rename', params: { entryId: ids.get('a.jpg')!, name: 'new.jpg' } });
    expect(later.conflicts).toEqual([]);
    fs.writeFileSync(path.join(folder.dir, 'new.jpg'), 'someone else');
    await expectError(call('actions.commit', { previewId: later.id }), 'CONFLICT', /"new\.jpg" now exists on disk/);
    expect(fs.readFileSync(path.join(folder.dir, 'new.jpg'), 'utf8')).toBe('someone else');
    expect(onDisk('a.jpg')).toBe(true);
  });

  it('rejects names with separators', async () => {
    const ids = files({ 'a.jpg': 'A' });
    await expectError(call('actions.preview', { action: 'files.rename', params: { entryId: ids.get('a.jpg')!, name: '../x.jpg' } }), 'VALIDATION', /name/);
  });
});

describe('files.move', () => {
  it('moves files into a folder of the location, updates entries and parents, and undo moves them back', async () => {
    const ids = files({ 'a.jpg': 'A', 'b.jpg': 'B', 'Archive/keep.txt': 'K' });
    const a = ids.get('a.jpg')!;
    const archive = lib.raw.prepare("SELECT id FROM entries WHERE rel_path = 'Archive'").get() as { id: number };
    const preview = await call('actions.preview', { action: 'files.move', params: { entryIds: [a, ids.get('b.jpg')!], destination: 'Archive/' } });
    expect(preview).toMatchObject({ summary: 'Move 2 items to "Archive"', conflicts: [], counts: { 'file.move': 2 } });
    expect(preview.changes.map((c) => c.description)).toEqual(['move "a.jpg" to "Archive/a.jpg"', 'move "b.jpg" to "Archive/b.jpg"']);
    expect(onDisk('a.jpg')).toBe(true);

    await call('actions.commit', { previewId: preview.id });
    expect(onDisk('Archive/a.jpg') && onDisk('Archive/b.jpg') && !onDisk('a.jpg')).toBe(true);
    expect(lib.raw.prepare('SELECT rel_path, parent_id FROM entries WHERE uuid = ?').get(a)).toEqual({ rel_path: 'Archive/a.jpg', parent_id: archive.id });

    await call('actions.undo', { auditId: preview.id });
    expect(onDisk('a.jpg') && onDisk('b.jpg') && !onDisk('Archive/a.jpg')).toBe(true);
    expect(lib.raw.prepare('SELECT rel_path, parent_id FROM entries WHERE uuid = ?').get(a)).toEqual({ rel_path: 'a.jpg', parent_id: null });
  });

  it('lists a move onto an existing name as a conflict, and commits nothing', async () => {
    const ids = files({ 'a.jpg': 'new', 'b.jpg': 'B', 'Archive/a.jpg': 'old' });
    const preview = await call('actions.preview', { action: 'files.move', params: { entryIds: [ids.get('a.jpg')!, ids.get('b.jpg')!], destination: 'Archive' } });
    expect(preview.conflicts).toMatchObject([{ code: 'EXISTS', path: 'Archive/a.jpg', message: expect.stringMatching(/never overwrites/) }]);
    await expectError(call('actions.commit', { previewId: preview.id }), 'CONFLICT', /conflict/);
    expect(fs.readFileSync(path.join(folder.dir, 'Archive', 'a.jpg'), 'utf8')).toBe('old');
    expect(onDisk('b.jpg')).toBe(true); // not even the item without a conflict moved
  });

  it('keeps paths inside the location: "..", absolute paths and symlinks leading out are conflicts', async () => {
    const ids = files({ 'a.jpg': 'A' });
    const outside = makeTempDir('cairn-outside');
    try {
      fs.symlinkSync(outside.dir, path.join(folder.dir, 'escape'));
      seedEntries(lib, locationId, []); // no entry for the link: it must not matter
      lib.raw
        .prepare("INSERT INTO entries (uuid, location_id, parent_id, rel_path, name, kind, size, indexed_at) VALUES (?, ?, NULL, 'escape', 'escape', 'dir', 0, 0)")
        .run('11111111-1111-4111-8111-111111111111', locationId);
      for (const destination of ['../up', '/etc', 'escape']) {
        const preview = await call('actions.preview', { action: 'files.move', params: { entryIds: [ids.get('a.jpg')!], destination } });
        expect(preview.conflicts.map((c) => c.code), destination).toContain(destination === 'escape' ? 'MISSING' : 'OUTSIDE_LOCATION');
      }
      expect(fs.readdirSync(outside.dir)).toEqual([]);
    } finally {
      outside.cleanup();
    }
    expect(() => normalizeRelPath('a/../../b')).toThrow(/stay inside/);
  });

  it('refuses a folder moved into itself and nested selections', async () => {
    const ids = files({ 'trip/day1/a.jpg': 'A' });
    const into = await call('actions.preview', { action: 'files.move', params: { entryIds: [ids.get('trip')!], destination: 'trip/day1' } });
    expect(into.conflicts.map((c) => c.code)).toEqual(['INTO_ITSELF']);
    files({ 'other/x.txt': 'x' });
    const nested = await call('actions.preview', { action: 'files.move', params: { entryIds: [ids.get('trip')!, ids.get('trip/day1/a.jpg')!], destination: 'other' } });
    expect(nested.conflicts.map((c) => c.code)).toEqual(['NESTED']);
  });

  it('refuses a stale preview when a file was moved on disk', async () => {
    const ids = files({ 'a.jpg': 'A', 'Archive/k.txt': 'K' });
    const preview = await call('actions.preview', { action: 'files.move', params: { entryIds: [ids.get('a.jpg')!], destination: 'Archive' } });
    fs.renameSync(path.join(folder.dir, 'a.jpg'), path.join(folder.dir, 'Archive', 'moved-by-hand.jpg'));
    await expectError(call('actions.commit', { previewId: preview.id }), 'CONFLICT', /"a\.jpg" is gone from disk/);
    expect(relPathOf(ids.get('a.jpg')!)).toBe('a.jpg');
  });
});

describe('files.trash', () => {
  it('moves files to the freedesktop trash (never deletes), drops their entries, and undo restores both', async () => {
    const ids = files({ 'a.jpg': 'A', 'album/b.jpg': 'B', 'album/c.jpg': 'C' });
    const tag = await call('tags.create', { name: 'Keep' });
    await call('tags.apply', { tagId: tag.id, entryIds: [ids.get('a.jpg')!, ids.get('album/b.jpg')!], scope: 'entry' });

    const preview = await call('actions.preview', { action: 'files.trash', params: { entryIds: [ids.get('a.jpg')!, ids.get('album')!] } });
    expect(preview).toMatchObject({ reversible: true, conflicts: [] });
    expect(preview.changes.map((c) => c.description)).toEqual(['move "a.jpg" to the trash', 'move "album" and the 2 items in it to the trash']);
    expect(onDisk('a.jpg')).toBe(true);

    const done = await call('actions.commit', { previewId: preview.id });
    expect(done).toMatchObject({ status: 'verified', result: { trashed: 2, platform: 'freedesktop' }, canUndo: true });
    expect(onDisk('a.jpg') || onDisk('album')).toBe(false);
    const trash = path.join(xdg.dir, 'Trash');
    expect(fs.readFileSync(path.join(trash, 'files', 'a.jpg'), 'utf8')).toBe('A');
    expect(fs.readFileSync(path.join(trash, 'files', 'album', 'b.jpg'), 'utf8')).toBe('B');
    const info = fs.readFileSync(path.join(trash, 'info', 'a.jpg.trashinfo'), 'utf8');
    expect(info).toMatch(new RegExp(`^\\[Trash Info\\]\\nPath=${path.join(folder.dir, 'a.jpg').replace(/[.]/g, '\\.')}\\nDeletionDate=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\n$`));
    expect((lib.raw.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n).toBe(0);
    expect(tagged(tag.id)).toBe(0);

    await call('actions.undo', { auditId: done.auditId });
    expect(fs.readFileSync(path.join(folder.dir, 'album', 'c.jpg'), 'utf8')).toBe('C');
    expect(onDisk('a.jpg')).toBe(true);
    expect(fs.existsSync(path.join(trash, 'info', 'a.jpg.trashinfo'))).toBe(false);
    expect(relPathOf(ids.get('album/b.jpg')!)).toBe('album/b.jpg');
    expect(tagged(tag.id)).toBe(2); // entry-scoped tags came back with the entries
    const album = lib.raw.prepare("SELECT id FROM entries WHERE rel_path = 'album'").get() as { id: number };
    expect(lib.raw.prepare("SELECT parent_id FROM entries WHERE rel_path = 'album/c.jpg'").get()).toEqual({ parent_id: album.id });
  });

  it('keeps both items when the trash already holds that name, and refuses undo when the path is taken again', async () => {
    const ids = files({ 'a.jpg': 'first' });
    const first = await call('actions.preview', { action: 'files.trash', params: { entryIds: [ids.get('a.jpg')!] } });
    await call('actions.commit', { previewId: first.id });
    const again = files({ 'a.jpg': 'second' });
    const second = await call('actions.preview', { action: 'files.trash', params: { entryIds: [again.get('a.jpg')!] } });
    await call('actions.commit', { previewId: second.id });
    const trash = path.join(xdg.dir, 'Trash', 'files');
    expect(fs.readFileSync(path.join(trash, 'a.jpg'), 'utf8')).toBe('first');
    expect(fs.readFileSync(path.join(trash, 'a.jpg.2'), 'utf8')).toBe('second');

    await call('actions.undo', { auditId: second.id });
    expect(fs.readFileSync(path.join(folder.dir, 'a.jpg'), 'utf8')).toBe('second');
    await expectError(call('actions.undo', { auditId: first.id }), 'CONFLICT', /"a\.jpg" now exists on disk/);
    expect(fs.readFileSync(path.join(trash, 'a.jpg'), 'utf8')).toBe('first');
  });

  it('refuses undo when the trash was emptied', async () => {
    const ids = files({ 'a.jpg': 'A' });
    const preview = await call('actions.preview', { action: 'files.trash', params: { entryIds: [ids.get('a.jpg')!] } });
    await call('actions.commit', { previewId: preview.id });
    fs.rmSync(path.join(xdg.dir, 'Trash'), { recursive: true });
    await expectError(call('actions.undo', { auditId: preview.id }), 'NOT_FOUND', /no longer in the trash/);
    expect((await call('actions.get', { auditId: preview.id })).status).toBe('verified');
  });
});

describe('the action machinery', () => {
  it('validates params, names unknown actions, and lists the core actions', async () => {
    await expectError(call('actions.preview', { action: 'files.move', params: { entryIds: [] } }), 'VALIDATION', /Invalid params for files\.move/);
    await expectError(call('actions.preview', { action: 'nope', params: {} }), 'NOT_FOUND', /No action named "nope"\. Known actions: .*files\.move/);
    const list = await call('actions.list', {});
    expect(list.map((a) => a.name)).toEqual(['collections.createFrom', 'files.move', 'files.rename', 'files.trash', 'tags.apply', 'tags.remove']);
    await expectError(call('actions.commit', { previewId: '00000000-0000-4000-8000-000000000000' }), 'NOT_FOUND', /No action preview/);
  });

  it('refuses an expired preview and a second commit of the same preview', async () => {
    const ids = files({ 'a.jpg': 'A', 'b.jpg': 'B' });
    const tag = await call('tags.create', { name: 'T' });
    const p = await call('actions.preview', { action: 'tags.apply', params: { tagId: tag.id, entryIds: [ids.get('a.jpg')!] } });
    lib.raw.prepare('UPDATE action_audit SET expires_at = 1 WHERE id = ?').run(p.id);
    await expectError(call('actions.commit', { previewId: p.id }), 'CONFLICT', /expired/);
    expect((await call('actions.get', { auditId: p.id })).status).toBe('expired');
    expect(tagged(tag.id)).toBe(0);

    const q = await call('actions.preview', { action: 'tags.apply', params: { tagId: tag.id, entryIds: [ids.get('b.jpg')!] } });
    const results = await Promise.allSettled([call('actions.commit', { previewId: q.id }), call('actions.commit', { previewId: q.id })]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(tagged(tag.id)).toBe(1);
  });

  it('records an extension caller, pages history newest first, and marks a failed verification', async () => {
    const flaky = defineAction({
      name: 'test.flaky',
      owner: 'com.example.flaky',
      title: 'Flaky',
      summary: 'commits, then fails verification',
      reversible: false,
      params: z.object({ n: z.number() }),
      preview: (_ctx, p) => ({ summary: `n=${p.n}`, changes: [{ kind: 'extension', description: `set n to ${p.n}` }], conflicts: [], reversible: false, fingerprint: [], targets: [], data: null }),
      commit: (_ctx, plan) => ({ result: { n: plan.params.n } }),
      verify: () => ['n did not stick'],
    });
    core.actions.registry.register(flaky);
    const ext: CallContext = { caller: { kind: 'extension', extensionId: 'com.example.flaky' } };
    for (const n of [1, 2, 3]) {
      const p = await call('actions.preview', { action: 'test.flaky', params: { n } }, ext);
      const done = await call('actions.commit', { previewId: p.id }, ext);
      expect(done).toMatchObject({ status: 'failed', problems: ['n did not stick'], canUndo: false });
    }
    const page = await call('actions.history', { limit: 2 });
    expect(page.total).toBe(3);
    expect(page.items.map((i) => i.result)).toEqual([{ n: 3 }, { n: 2 }]);
    expect(page.items[0]).toMatchObject({ caller: { kind: 'extension', extensionId: 'com.example.flaky' }, owner: 'com.example.flaky', status: 'failed', error: expect.stringMatching(/did not stick/) });
    expect((await call('actions.history', { offset: 2 })).items.map((i) => i.result)).toEqual([{ n: 1 }]);
    await expectError(call('actions.undo', { auditId: page.items[0]!.id }), 'NOT_SUPPORTED', /cannot be undone/);
  });
});
