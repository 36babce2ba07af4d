import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/temp-dir.js';
import { startTestCore, userCtx } from '../testing/test-core.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup() {
  const t = await startTestCore();
  cleanups.push(t.dispose);
  const tmp = makeTempDir('cairn-folders');
  cleanups.push(tmp.cleanup);
  const [lib] = await t.core.registry.call('library.list', {}, userCtx);
  return { r: t.core.registry, libraryId: lib!.id, root: tmp.dir, core: t.core };
}

describe('locations', () => {
  it('adds, lists and removes a folder, emitting change events', async () => {
    const { r, libraryId, root, core } = await setup();
    const seen: string[] = [];
    core.events.on('locations.onDidChange', (p) => seen.push(p.libraryId));
    fs.mkdirSync(path.join(root, 'Pictures'));
    const loc = await r.call('locations.add', { libraryId, path: path.join(root, 'Pictures') }, userCtx);
    expect(loc.name).toBe('Pictures');
    expect(await r.call('locations.list', { libraryId }, userCtx)).toEqual([loc]);
    await r.call('locations.remove', { libraryId, locationId: loc.id }, userCtx);
    expect(await r.call('locations.list', { libraryId }, userCtx)).toEqual([]);
    expect(fs.existsSync(path.join(root, 'Pictures'))).toBe(true);
    expect(seen).toEqual([libraryId, libraryId]);
  });

  it('removing a location re-counts the contents its entries shared, and keeps the identities', async () => {
    const { r, libraryId, root, core } = await setup();
    for (const name of ['Camera', 'Backup']) fs.mkdirSync(path.join(root, name));
    fs.writeFileSync(path.join(root, 'Camera', 'beach.jpg'), 'the same bytes in both folders');
    fs.writeFileSync(path.join(root, 'Backup', 'beach copy.jpg'), 'the same bytes in both folders');
    fs.writeFileSync(path.join(root, 'Backup', 'only-here.txt'), 'bytes found in one folder only');
    const camera = await r.call('locations.add', { libraryId, path: path.join(root, 'Camera') }, userCtx);
    const backup = await r.call('locations.add', { libraryId, path: path.join(root, 'Backup') }, userCtx);
    const scheduler = await core.jobs.for(libraryId);
    for (const job of scheduler.list({ status: ['queued', 'running'] })) expect((await scheduler.waitFor(job.id)).status).toBe('completed');
    const lib = await core.libraries.get(libraryId);
    expect(lib.raw.prepare('SELECT entry_count FROM content_identities ORDER BY entry_count').pluck().all()).toEqual([1, 2]);
    expect((await r.call('entries.duplicates', { libraryId, offset: 0, limit: 10 }, userCtx)).groups).toHaveLength(1);

    await r.call('locations.remove', { libraryId, locationId: backup.id }, userCtx);
    expect(lib.raw.prepare('SELECT count(*) AS n FROM entries').get()).toEqual({ n: 1 });
    const after = lib.raw.prepare('SELECT c.entry_count AS n, (SELECT count(*) FROM entries e WHERE e.content_uuid = c.uuid) AS actual FROM content_identities c').all();
    expect(after).toHaveLength(2); // identities (and what is attached to them) outlive their last entry
    expect(after).toEqual(expect.arrayContaining([{ n: 1, actual: 1 }, { n: 0, actual: 0 }]));
    // The remaining copy is no longer a duplicate.
    expect((await r.call('entries.duplicates', { libraryId, offset: 0, limit: 10 }, userCtx)).groups).toEqual([]);
    expect((await r.call('locations.list', { libraryId }, userCtx)).map((l) => l.id)).toEqual([camera.id]);
  });

  it('refuses a missing folder, a file, and an unreadable folder', async () => {
    const { r, libraryId, root } = await setup();
    expect(await r.invoke('locations.add', { libraryId, path: path.join(root, 'nope') }, userCtx)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    fs.writeFileSync(path.join(root, 'file.txt'), 'x');
    expect(await r.invoke('locations.add', { libraryId, path: path.join(root, 'file.txt') }, userCtx)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    if (process.getuid?.() !== 0) {
      fs.mkdirSync(path.join(root, 'locked'), { mode: 0o000 });
      expect(await r.invoke('locations.add', { libraryId, path: path.join(root, 'locked') }, userCtx)).toMatchObject({
        ok: false,
        error: { code: 'PERMISSION_DENIED' },
      });
    }
    expect(await r.call('locations.list', { libraryId }, userCtx)).toEqual([]);
  });

  it('reports the same folder twice, a folder inside a location, and one containing a location', async () => {
    const { r, libraryId, root } = await setup();
    fs.mkdirSync(path.join(root, 'a', 'b', 'c'), { recursive: true });
    fs.mkdirSync(path.join(root, 'ab'));
    const a = await r.call('locations.add', { libraryId, path: path.join(root, 'a', 'b') }, userCtx);
    const twice = await r.invoke('locations.add', { libraryId, path: path.join(root, 'a', 'b') + '/' }, userCtx);
    expect(twice).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/already a location/) } });
    const inside = await r.invoke('locations.add', { libraryId, path: path.join(root, 'a', 'b', 'c') }, userCtx);
    expect(inside).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/inside the location/) } });
    const parent = await r.invoke('locations.add', { libraryId, path: path.join(root, 'a') }, userCtx);
    expect(parent).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/contains the location/) } });
    // A sibling whose name merely starts the same is fine.
    await r.call('locations.add', { libraryId, path: path.join(root, 'ab') }, userCtx);
    const list = await r.call('locations.list', { libraryId }, userCtx);
    expect(list.map((l) => l.path).sort()).toEqual([a.path, path.join(root, 'ab')].sort());
  });

  it('resolves symlinks before comparing, so a link to a location is the same location', async () => {
    const { r, libraryId, root } = await setup();
    fs.mkdirSync(path.join(root, 'real'));
    fs.symlinkSync(path.join(root, 'real'), path.join(root, 'link'));
    const loc = await r.call('locations.add', { libraryId, path: path.join(root, 'link') }, userCtx);
    expect(loc.path).toBe(path.join(root, 'real'));
    const again = await r.invoke('locations.add', { libraryId, path: path.join(root, 'real') }, userCtx);
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('refuses the library folder itself and reports unknown ids', async () => {
    const { r, libraryId } = await setup();
    const lib = await r.call('library.get', { libraryId }, userCtx);
    expect(await r.invoke('locations.add', { libraryId, path: lib.path }, userCtx)).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    const missing = await r.invoke('locations.remove', { libraryId, locationId: '5f0c8b3e-1111-4222-8333-444455556666' }, userCtx);
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
