import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../events/event-bus.js';
import { JobScheduler } from '../jobs/job-scheduler.js';
import { SqliteJobStore } from '../jobs/sqlite-job-store.js';
import { Library } from '../library/library.js';
import { HybridLogicalClock } from '../sync/hlc.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { userCtx } from '../testing/test-core.js';
import { hashFile } from './content-identity.js';
import { INDEX_LOCATION_JOB, makeIndexLocationJob, type IndexJobDeps } from './index-location-job.js';
import { EMPTY_FILE_MESSAGE, IndexWriter, noteListings, zeroCounts } from './index-writer.js';
import { indexHarness, type IndexHarness } from './testing/index-harness.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../../shared/fixtures/images');
const isRoot = process.getuid?.() === 0;

let h: IndexHarness | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await h?.dispose();
  h = undefined;
  while (cleanups.length) await cleanups.pop()!();
});

/**
 * A fresh library in `dir` with one location on `root`, indexed once by the job with the deps `extra` gives
 * for that library added (hooks, limits); the job must complete. The library and scheduler are closed after
 * the test.
 */
async function indexOnce(dir: string, root: string, extra: (lib: Library) => Partial<IndexJobDeps>): Promise<{ lib: Library; locationId: string }> {
  const lib = await Library.create(path.join(dir, 'lib'), { name: path.basename(dir) });
  cleanups.push(() => lib.close());
  const locationId = '22222222-2222-4222-8222-222222222222';
  lib.raw.prepare(`INSERT INTO locations (id, path, name, added_at, device_id, settings) VALUES (?, ?, 'root', '', 'dev', '{}')`).run(locationId, root);
  const scheduler = new JobScheduler({ store: new SqliteJobStore(lib.raw) });
  cleanups.push(() => scheduler.stop());
  scheduler.register(INDEX_LOCATION_JOB, makeIndexLocationJob({ libraries: { get: async () => lib }, events: new EventBus(), clock: new HybridLogicalClock('dev'), deviceId: 'dev', ...extra(lib) }));
  scheduler.start();
  const id = scheduler.enqueue(INDEX_LOCATION_JOB, { libraryId: lib.id, locationId });
  expect((await scheduler.waitFor(id)).status).toBe('completed');
  return { lib, locationId };
}

describe('indexer.location: phases', () => {
  it('indexes new files: rows, parents, content identities shared by duplicates, kinds, folder sizes; an unchanged tree writes nothing', async () => {
    h = await indexHarness();
    h.put('docs/a.txt', 'hello world');
    h.put('docs/deep/b.txt', 'hello world'); // duplicate of a.txt
    h.put('c.json', '{"x":1}');
    h.put('png-named.txt', fs.readFileSync(path.join(FIXTURES, 'camera.png'))); // magic bytes beat the extension
    const first = await h.addLocation();
    expect(first).toMatchObject({ new: 6, modified: 0, moved: 0, deleted: 0, identified: 4, contents: 3 });

    const rows = h.entries();
    expect(rows.map((r) => r.rel_path)).toEqual(['c.json', 'docs', 'docs/a.txt', 'docs/deep', 'docs/deep/b.txt', 'png-named.txt']);
    const a = h.entry('docs/a.txt')!;
    const b = h.entry('docs/deep/b.txt')!;
    expect(a.content_uuid).toBe((await hashFile(path.join(h.root, 'docs/a.txt'))).contentId);
    expect(b.content_uuid).toBe(a.content_uuid);
    expect(b.parent_id).toBe(h.entry('docs/deep')!.id);
    expect(h.entry('docs')!.parent_id).toBeNull();
    expect(h.lib.raw.prepare('SELECT entry_count, kind FROM content_identities WHERE uuid = ?').get(a.content_uuid)).toEqual({ entry_count: 2, kind: 'text' });
    expect(h.entry('png-named.txt')).toMatchObject({ file_kind: 'image', mime: 'image/png' });
    expect(h.entry('docs')).toMatchObject({ aggregate_size: 22, child_count: 2 });
    expect(h.entry('docs/deep')).toMatchObject({ aggregate_size: 11, child_count: 1 });

    const again = await h.index();
    expect(again).toMatchObject({ new: 0, modified: 0, moved: 0, deleted: 0, identified: 0, unchanged: 6 });
    expect(again.rowsWritten).toBe(0);
    expect(h.entries().map((r) => r.uuid)).toEqual(rows.map((r) => r.uuid));

    const full = await h.index({ full: true });
    expect(full).toMatchObject({ identified: 4, contents: 0 });
    expect(full.rowsWritten).toBe(0); // same contents: nothing to rewrite
  });

  it('a first index fills the search index once its walk ends; later runs keep it current row by row', async () => {
    h = await indexHarness();
    for (let i = 0; i < 40; i++) h.put(`notes/week-${i}/summary ${i}.md`, `note ${i}`);
    h.put('travel/eiffel-tower.jpg', fs.readFileSync(path.join(FIXTURES, 'grace_hopper_512x512.jpg')));
    await h.addLocation();
    const search = async (query: string): Promise<string[]> =>
      (await h!.core.registry.call('search.entries', { libraryId: h!.libraryId, query, limit: 100 }, userCtx)).items.map((e) => e.name).sort();
    expect(h.lib.raw.prepare('SELECT count(*) AS n FROM search_deferred').get()).toEqual({ n: 0 });
    expect(await search('eiffel')).toEqual(['eiffel-tower.jpg']);
    expect(await search('summary')).toHaveLength(40);
    expect(await search('week')).toHaveLength(80); // the 40 folders, and the files by the folder above them
    // Each entry is in the index exactly once.
    const fts = (h.lib.raw.prepare('SELECT count(*) AS n FROM entries_fts').get() as { n: number }).n;
    expect(fts).toBe(h.entries().length);

    // The next run is not a first index: a new file reaches search as the writer inserts it, a rename through the update trigger.
    h.put('travel/louvre.jpg', 'not really a photo');
    fs.renameSync(path.join(h.root, 'notes/week-0/summary 0.md'), path.join(h.root, 'notes/week-0/recap 0.md'));
    await h.index();
    expect(await search('louvre')).toEqual(['louvre.jpg']);
    expect(await search('recap')).toEqual(['recap 0.md']);
    expect(await search('summary')).toHaveLength(39);
    expect((h.lib.raw.prepare('SELECT count(*) AS n FROM entries_fts').get() as { n: number }).n).toBe(h.entries().length);
  });

  it('turns rules off per location (locations.setRules) and the next index follows them', async () => {
    h = await indexHarness();
    h.put('.gitignore', 'build/\n');
    h.put('build/out.js', 'x');
    h.put('node_modules/m/index.js', 'x');
    h.put('src/main.ts', 'x');
    await h.addLocation();
    expect(h.entries().map((r) => r.rel_path)).toEqual(['.gitignore', 'src', 'src/main.ts']);
    const { jobId, rules } = await h.core.registry.call('locations.setRules', { libraryId: h.libraryId, locationId: h.locationId, rules: { respectGitignore: false, skipNodeModules: false } }, userCtx);
    expect(rules).toEqual({ skipSystemFiles: true, skipGit: true, skipNodeModules: false, respectGitignore: false });
    expect((await (await h.core.jobs.for(h.libraryId)).waitFor(jobId)).status).toBe('completed');
    expect(h.entries().map((r) => r.rel_path)).toEqual(['.gitignore', 'build', 'build/out.js', 'node_modules', 'node_modules/m', 'node_modules/m/index.js', 'src', 'src/main.ts']);
    await h.core.registry.call('locations.setRules', { libraryId: h.libraryId, locationId: h.locationId, rules: { skipNodeModules: true } }, userCtx);
    await h.waitAll();
    expect(h.entries().map((r) => r.rel_path)).not.toContain('node_modules');
  });

  it('reads EXIF into media_data and makes one thumbnail per content from the real fixture photos', async () => {
    h = await indexHarness();
    h.put('photos/grace.jpg', fs.readFileSync(path.join(FIXTURES, 'grace_hopper_512x512.jpg')));
    h.put('photos/copy of grace.jpg', fs.readFileSync(path.join(FIXTURES, 'grace_hopper_512x512.jpg')));
    h.put('photos/coffee.png', fs.readFileSync(path.join(FIXTURES, 'coffee.png')));
    const counts = await h.addLocation();
    expect(counts).toMatchObject({ contents: 2, thumbnails: 2, exif: 2 });
    const grace = h.entry('photos/grace.jpg')!;
    expect(h.entry('photos/copy of grace.jpg')!.content_uuid).toBe(grace.content_uuid);
    const thumbs = h.lib.raw.prepare(`SELECT content_uuid, rel_path, format, size FROM sidecars WHERE kind = 'thumb'`).all() as { content_uuid: string; rel_path: string; size: number }[];
    expect(thumbs).toHaveLength(2);
    for (const t of thumbs) {
      const file = path.join(h.lib.path, 'sidecars', t.rel_path);
      expect(fs.statSync(file).size).toBe(t.size);
      expect(fs.readFileSync(file).subarray(8, 12).toString('latin1')).toBe('WEBP');
    }
    const media = h.lib.raw.prepare('SELECT width, height FROM media_data WHERE content_uuid = ?').get(grace.content_uuid);
    expect(media).toEqual({ width: 512, height: 512 });
    expect((await h.index()).rowsWritten).toBe(0);
  });
});

describe('indexer.location: change detection', () => {
  it('new, modified (content recomputed), renamed (uuid and tags kept), deleted', async () => {
    h = await indexHarness();
    h.put('keep.txt', 'same');
    h.put('edit.txt', 'before');
    h.put('old-name.txt', 'tagged content');
    h.put('gone.txt', 'bye');
    await h.addLocation();
    const renamed = h.entry('old-name.txt')!;
    const edited = h.entry('edit.txt')!;
    const tag = await h.core.registry.call('tags.create', { libraryId: h.libraryId, name: 'Important' }, userCtx);
    await h.core.registry.call('tags.apply', { libraryId: h.libraryId, tagId: tag.id, entryIds: [renamed.uuid], scope: 'entry' }, userCtx);

    fs.renameSync(path.join(h.root, 'old-name.txt'), path.join(h.root, 'new-name.txt'));
    fs.writeFileSync(path.join(h.root, 'edit.txt'), 'after, and longer');
    fs.rmSync(path.join(h.root, 'gone.txt'));
    h.put('fresh.txt', 'new');
    const counts = await h.index();
    expect(counts).toMatchObject({ new: 1, modified: 1, moved: 1, deleted: 1, identified: 2 });

    expect(h.entry('old-name.txt')).toBeUndefined();
    expect(h.entry('gone.txt')).toBeUndefined();
    const moved = h.entry('new-name.txt')!;
    expect(moved.uuid).toBe(renamed.uuid);
    expect(moved.content_uuid).toBe(renamed.content_uuid);
    const detail = await h.core.registry.call('entries.get', { libraryId: h.libraryId, entryId: moved.uuid }, userCtx);
    expect(detail.tags.map((t) => t.name)).toEqual(['Important']);
    const after = h.entry('edit.txt')!;
    expect(after.uuid).toBe(edited.uuid);
    expect(after.content_uuid).toBe((await hashFile(path.join(h.root, 'edit.txt'))).contentId);
    expect(after.content_uuid).not.toBe(edited.content_uuid);
    expect(h.lib.raw.prepare('SELECT entry_count FROM content_identities WHERE uuid = ?').get(edited.content_uuid)).toEqual({ entry_count: 0 });
  });

  it('moves a whole subtree (keeping every uuid) and deletes a whole subtree', async () => {
    h = await indexHarness();
    for (let i = 0; i < 30; i++) h.put(`album/2024/day${i % 3}/p${i}.txt`, `photo ${i}`);
    for (let i = 0; i < 10; i++) h.put(`trash/x${i}.txt`, `junk ${i}`);
    h.put('other/keep.txt', 'k');
    await h.addLocation();
    const before = new Map(h.entries().filter((r) => r.rel_path.startsWith('album/2024')).map((r) => [r.rel_path.replace('album/2024', 'archive/old-2024'), r.uuid]));
    fs.mkdirSync(path.join(h.root, 'archive'));
    fs.renameSync(path.join(h.root, 'album/2024'), path.join(h.root, 'archive/old-2024'));
    fs.rmSync(path.join(h.root, 'trash'), { recursive: true });
    const counts = await h.index();
    expect(counts).toMatchObject({ moved: 1, deleted: 11, new: 1 }); // the subtree moves as one; `archive` is new
    const after = new Map(h.entries().filter((r) => r.rel_path.startsWith('archive/old-2024')).map((r) => [r.rel_path, r.uuid]));
    expect(after).toEqual(before);
    expect(h.entries().filter((r) => r.rel_path.startsWith('trash') || r.rel_path.startsWith('album/'))).toEqual([]);
    expect(h.entry('archive/old-2024/day1')!.parent_id).toBe(h.entry('archive/old-2024')!.id);
    expect(h.entry('archive')).toMatchObject({ child_count: 1 });
    expect(h.entry('album')).toMatchObject({ child_count: 0, aggregate_size: 0 });
    const fts = await h.core.registry.call('search.entries', { libraryId: h.libraryId, query: 'p7' }, userCtx);
    expect(fts.items.map((i) => i.relPath)).toEqual(['archive/old-2024/day1/p7.txt']);
  });
});

describe('indexer.location: bad inputs are errors, and the run finishes', () => {
  it('zero-byte files, non-UTF-8 names, symlink loops, corrupt JPEGs, huge sparse files', async () => {
    h = await indexHarness();
    h.put('empty.txt', '');
    const rawName = Buffer.concat([Buffer.from(path.join(h.root, 'caf')), Buffer.from([0xe9]), Buffer.from('.txt')]);
    fs.writeFileSync(rawName, 'latin-1 name');
    fs.symlinkSync('loop', path.join(h.root, 'loop'));
    fs.symlinkSync('empty.txt', path.join(h.root, 'link-to-empty'));
    const corrupt = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x40]), Buffer.from('Exif\0\0MM\0*'), Buffer.alloc(200, 0x17)]);
    h.put('broken.jpg', corrupt);
    const huge = path.join(h.root, 'huge.bin');
    fs.writeFileSync(huge, 'start');
    fs.truncateSync(huge, 6 * 1024 ** 3); // sparse: 6 GiB of size, a few bytes on disk
    const counts = await h.addLocation();
    expect(counts.new).toBe(6);

    const lossy = h.entries().find((r) => r.name_is_lossy === 1)!;
    expect(lossy.name).toBe('caf\uFFFD.txt');
    expect(lossy.content_uuid).toBe((await hashFile(rawName)).contentId); // read through the raw bytes
    expect(h.entry('huge.bin')!.content_uuid).toBe((await hashFile(huge)).contentId);
    expect(h.entry('loop')).toMatchObject({ kind: 'symlink', content_uuid: null });
    expect(h.entry('empty.txt')).toMatchObject({ content_uuid: null, file_kind: 'text' });

    const errors = h.errors();
    expect(errors).toEqual(
      expect.arrayContaining([
        { rel_path: 'empty.txt', phase: 'identity', code: 'VALIDATION', message: EMPTY_FILE_MESSAGE },
        expect.objectContaining({ rel_path: 'loop', phase: 'discovery', code: 'IO' }),
        expect.objectContaining({ rel_path: 'broken.jpg', phase: 'thumbnail', code: 'VALIDATION' }),
      ]),
    );
    expect(errors.find((e) => e.rel_path === 'link-to-empty')).toBeUndefined();
    const listed = await h.core.registry.call('indexer.errors', { libraryId: h.libraryId, locationId: h.locationId, offset: 0, limit: 10 }, userCtx);
    expect(listed.total).toBe(errors.length);
    const status = await h.core.registry.call('indexer.status', { libraryId: h.libraryId }, userCtx);
    expect(status[0]).toMatchObject({ entryCount: 6, errorCount: errors.length, runningJobId: null });
    expect(status[0]!.lastIndexedAt).toBeGreaterThan(0);
    const rerun = await h.index();
    expect(rerun.rowsWritten).toBeLessThanOrEqual(errors.length); // errors may be refreshed, nothing else
    expect(rerun).toMatchObject({ new: 0, modified: 0, deleted: 0 });
  });

  it.skipIf(isRoot)('unreadable files and folders (chmod 000; skipped as root, where chmod denies nothing)', async () => {
    h = await indexHarness();
    h.put('locked/inside.txt', 'secret');
    h.put('nope.txt', 'secret');
    fs.chmodSync(path.join(h.root, 'nope.txt'), 0o000);
    fs.chmodSync(path.join(h.root, 'locked'), 0o000);
    cleanups.push(() => fs.chmodSync(path.join(h!.root, 'locked'), 0o755));
    await h.addLocation();
    expect(h.errors()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rel_path: 'locked', phase: 'discovery', code: 'PERMISSION_DENIED' }),
        expect.objectContaining({ rel_path: 'nope.txt', phase: 'identity', code: 'PERMISSION_DENIED' }),
      ]),
    );
  });

  it('an unreadable folder keeps its stored children, and its error is recorded (writer level, injected listing failure)', async () => {
    const tmp = makeTempDir('cairn-writer');
    cleanups.push(tmp.cleanup);
    const lib = await Library.create(path.join(tmp.dir, 'lib'), { name: 'w' });
    cleanups.push(() => lib.close());
    lib.raw.prepare(`INSERT INTO locations (id, path, name, added_at, device_id, settings) VALUES ('11111111-1111-4111-8111-111111111111', ?, 'loc', '', 'd', '{}')`).run(tmp.dir);
    const writer = new IndexWriter(lib.raw, '11111111-1111-4111-8111-111111111111', tmp.dir);
    const counts = zeroCounts();
    const pending = new Set<number>();
    const listings = new Map<string, Set<string>>();
    const unreadable = new Set<string>();
    const dirEntry = { relativePath: 'd', name: 'd', kind: 'dir' as const, size: 0, mtimeMs: 1, ctimeMs: 1, birthtimeMs: null, inode: 900001, extension: '' };
    const fileEntry = { relativePath: 'd/f.txt', name: 'f.txt', kind: 'file' as const, size: 3, mtimeMs: 1, ctimeMs: 1, birthtimeMs: null, inode: 900002, extension: 'txt' };
    const apply = (batch: Parameters<IndexWriter['applyBatch']>[0]) => {
      noteListings(batch, listings, unreadable);
      lib.raw.transaction(() => writer.applyBatch(batch, counts, pending, listings, unreadable))();
      for (const d of batch.completedDirs) listings.delete(d);
    };
    apply({ entries: [dirEntry, fileEntry], errors: [], completedDirs: ['', 'd'], skipped: 0 });
    expect(counts.new).toBe(2);
    unreadable.clear();
    apply({
      entries: [dirEntry],
      errors: [{ relativePath: 'd', operation: 'readdir', code: 'PERMISSION_DENIED', errno: 'EACCES', message: 'EACCES: permission denied' }],
      completedDirs: ['', 'd'],
      skipped: 0,
    });
    expect(pending.size).toBe(0); // d/f.txt is not considered deleted
    expect(lib.raw.prepare('SELECT phase, code FROM indexer_errors WHERE rel_path = ?').all('d')).toEqual([{ phase: 'discovery', code: 'PERMISSION_DENIED' }]);
  });

  it('identifies photos and makes their thumbnails before it hashes the other files, then finds images by their bytes', async () => {
    const tmp = makeTempDir('cairn-photos-first');
    cleanups.push(tmp.cleanup);
    const root = path.join(tmp.dir, 'root');
    fs.mkdirSync(path.join(root, 'notes'), { recursive: true });
    // Text files first, so they have the lower ids: id order alone would hash them before the photos.
    for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(root, 'notes', `note-${i}.txt`), `note ${i}`);
    fs.mkdirSync(path.join(root, 'photos'));
    for (const f of ['chelsea.png', 'grace_hopper_512x512.jpg']) fs.copyFileSync(path.join(FIXTURES, f), path.join(root, 'photos', f));
    fs.copyFileSync(path.join(FIXTURES, 'coffee.png'), path.join(root, 'notes', 'disguised.dat')); // an image only by its bytes
    const phases: string[] = [];
    let atSecondRound: { identified: string[]; thumbnails: number } | undefined;
    const { lib, locationId } = await indexOnce(tmp.dir, root, (lib) => ({
      beforePhase: (phase) => {
        phases.push(phase);
        if (phase === 'identity' && phases.filter((p) => p === 'identity').length === 2) {
          atSecondRound = {
            identified: (lib.raw.prepare('SELECT rel_path FROM entries WHERE content_uuid IS NOT NULL ORDER BY rel_path').all() as { rel_path: string }[]).map((r) => r.rel_path),
            thumbnails: (lib.raw.prepare(`SELECT count(*) AS n FROM sidecars WHERE kind = 'thumb'`).get() as { n: number }).n,
          };
        }
      },
    }));

    expect(phases).toEqual(['processing', 'identity', 'media', 'identity', 'media', 'finalize']);
    // When the other files' round began, the photos (and only they) were identified and had thumbnails.
    expect(atSecondRound).toEqual({ identified: ['photos/chelsea.png', 'photos/grace_hopper_512x512.jpg'], thumbnails: 2 });
    // At the end every file is identified, and the image found by its bytes got its thumbnail in the second round.
    expect(lib.raw.prepare(`SELECT count(*) AS n FROM entries WHERE kind = 'file' AND content_uuid IS NULL`).get()).toEqual({ n: 0 });
    expect(lib.raw.prepare(`SELECT file_kind FROM entries WHERE rel_path = 'notes/disguised.dat'`).get()).toEqual({ file_kind: 'image' });
    expect(lib.raw.prepare(`SELECT count(*) AS n FROM sidecars WHERE kind = 'thumb'`).get()).toEqual({ n: 3 });
    const run = JSON.parse((lib.raw.prepare('SELECT settings FROM locations WHERE id = ?').get(locationId) as { settings: string }).settings) as { index: { lastRun: { counts: { identified: number; thumbnails: number; errors: number } } } };
    expect(run.index.lastRun.counts).toMatchObject({ identified: 33, thumbnails: 3, errors: 0 });
  });

  it('files that vanish or change between discovery and hashing, and images too large to thumbnail', async () => {
    const tmp = makeTempDir('cairn-race');
    cleanups.push(tmp.cleanup);
    const root = path.join(tmp.dir, 'root');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, 'vanish.txt'), 'here now');
    fs.writeFileSync(path.join(root, 'grow.txt'), 'short');
    fs.copyFileSync(path.join(FIXTURES, 'chelsea.png'), path.join(root, 'chelsea.png'));
    const { lib } = await indexOnce(tmp.dir, root, () => ({
      maxThumbnailPixels: 1000,
      beforePhase: (phase) => {
        if (phase !== 'identity' || !fs.existsSync(path.join(root, 'vanish.txt'))) return; // identity runs in two rounds
        fs.rmSync(path.join(root, 'vanish.txt'));
        fs.writeFileSync(path.join(root, 'grow.txt'), 'much longer than before');
      },
    }));
    const errors = lib.raw.prepare('SELECT rel_path, phase, code FROM indexer_errors ORDER BY rel_path').all();
    expect(errors).toEqual([
      { rel_path: 'chelsea.png', phase: 'thumbnail', code: 'VALIDATION' },
      { rel_path: 'grow.txt', phase: 'identity', code: 'CONFLICT' },
      { rel_path: 'vanish.txt', phase: 'identity', code: 'NOT_FOUND' },
    ]);
    expect(lib.raw.prepare(`SELECT count(*) AS n FROM media_data`).get()).toEqual({ n: 1 }); // EXIF still read
  });
});
