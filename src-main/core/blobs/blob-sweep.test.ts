import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CairnCore } from '../cairn-core.js';
import type { Library } from '../library/library.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { seedEntries } from '../testing/seed-entries.js';
import { startTestCore, userCtx } from '../testing/test-core.js';
import { BLOB_SWEEP_JOB, enqueueBlobSweepIfNeeded } from './blob-sweep.js';

const EXT = 'com.example.blobs';
let core: CairnCore;
let dispose: () => Promise<void>;
let lib: Library;
let libraryId: string;
let folder: { dir: string; cleanup: () => void };
let ids: ReturnType<typeof seedEntries>;

beforeEach(async () => {
  ({ core, dispose } = await startTestCore());
  folder = makeTempDir('cairn-blob-sweep');
  libraryId = (await core.registry.call('library.list', {}, userCtx))[0]!.id;
  lib = await core.libraries.get(libraryId);
  const locationId = (await core.registry.call('locations.add', { libraryId, path: folder.dir }, userCtx)).id;
  // The location's first index (of an empty folder) ends before rows are seeded, so it removes none of them.
  const scheduler = await core.jobs.for(libraryId);
  for (const job of scheduler.list({ status: ['queued', 'running'] })) await scheduler.waitFor(job.id);
  ids = seedEntries(lib, locationId, [
    { relPath: 'a.jpg', content: 'A' },
    { relPath: 'copy/a.jpg', content: 'A' },
    { relPath: 'b.jpg', content: 'B' },
    { relPath: 'c.jpg', content: 'C' },
  ]);
});
afterEach(async () => {
  await dispose();
  folder.cleanup();
});

const vector = (seed: number) => Array.from({ length: 256 }, (_, i) => (i * seed) % 11);
const create = (target: { contentId: string } | { entryId: string }, embedding: number[]) =>
  core.models.create(lib, EXT, { type: 'Analysis', data: { v: 1 }, blobs: { embedding }, syncStrategy: 'shared', target });
const blobOf = (modelId: string) => (lib.raw.prepare('SELECT blob_id AS id FROM model_blobs WHERE model_uuid = ?').get(modelId) as { id: number }).id;
const refs = (blobId: number) => (lib.raw.prepare('SELECT reference_count AS n FROM metadata_blobs WHERE id = ?').get(blobId) as { n: number } | undefined)?.n;
const deleteContent = (label: string) => lib.raw.prepare('DELETE FROM content_identities WHERE uuid = ?').run(ids.contentIds.get(label)!);
const sweep = async () => {
  const scheduler = await core.jobs.for(libraryId);
  const id = enqueueBlobSweepIfNeeded(lib, scheduler);
  if (id === null) return null;
  return scheduler.waitFor(id);
};

describe('blob references when contents and entries are deleted', () => {
  it('deleting a content takes its models\' blob references off at once; the sweep deletes a blob at zero and keeps a shared one', async () => {
    const shared = create({ contentId: ids.contentIds.get('A')! }, vector(3));
    const sharedToo = create({ contentId: ids.contentIds.get('B')! }, vector(3));
    const own = core.models.create(lib, EXT, { type: 'Other', data: {}, blobs: { embedding: vector(5) }, syncStrategy: 'shared', target: { contentId: ids.contentIds.get('A')! } });
    const sharedBlob = blobOf(shared.id);
    expect(blobOf(sharedToo.id)).toBe(sharedBlob);
    const ownBlob = blobOf(own.id);
    expect([refs(sharedBlob), refs(ownBlob)]).toEqual([2, 1]);
    expect(await sweep()).toBeNull(); // nothing to do yet

    // A delete that rolls back changes no count.
    expect(() =>
      lib.raw.transaction(() => {
        deleteContent('A');
        throw new Error('changed my mind');
      })(),
    ).toThrow('changed my mind');
    expect([refs(sharedBlob), refs(ownBlob)]).toEqual([2, 1]);

    deleteContent('A');
    expect(lib.raw.prepare('SELECT count(*) AS n FROM models WHERE uuid IN (?, ?)').get(shared.id, own.id)).toEqual({ n: 0 });
    // Counted off in the delete's own transaction; the row waits for the sweep.
    expect([refs(sharedBlob), refs(ownBlob)]).toEqual([1, 0]);

    const done = await sweep();
    expect(done).toMatchObject({ name: BLOB_SWEEP_JOB, status: 'completed', errors: [] });
    expect(refs(ownBlob)).toBeUndefined();
    expect(refs(sharedBlob)).toBe(1);
    expect(core.models.getBlob(lib, sharedToo.id, 'embedding').value).toEqual(vector(3));

    deleteContent('B');
    expect(refs(sharedBlob)).toBe(0);
    await sweep();
    expect(refs(sharedBlob)).toBeUndefined();
    expect(await sweep()).toBeNull();
  });

  it('deleting an entry (as removing its location does) releases its entry-scoped models\' blobs', async () => {
    const onEntry = create({ entryId: ids.entryIds.get('c.jpg')! }, vector(7));
    const blob = blobOf(onEntry.id);
    expect(refs(blob)).toBe(1);
    lib.raw.prepare('DELETE FROM entries WHERE uuid = ?').run(ids.entryIds.get('c.jpg')!);
    expect(refs(blob)).toBe(0);
    await sweep();
    expect(refs(blob)).toBeUndefined();
  });

  it('a scheduler that starts queues a sweep when a blob has no reference left, and none when all are referenced', async () => {
    const kept = create({ contentId: ids.contentIds.get('B')! }, vector(2));
    const gone = create({ contentId: ids.contentIds.get('C')! }, vector(9));
    const keptBlob = blobOf(kept.id);
    const goneBlob = blobOf(gone.id);
    await core.jobs.stopFor(libraryId);
    deleteContent('C');
    const scheduler = await core.jobs.for(libraryId);
    const queued = scheduler.list({ name: BLOB_SWEEP_JOB });
    expect(queued).toHaveLength(1);
    expect((await scheduler.waitFor(queued[0]!.id)).status).toBe('completed');
    expect(refs(goneBlob)).toBeUndefined();
    expect(refs(keptBlob)).toBe(1);

    await core.jobs.stopFor(libraryId);
    const again = await core.jobs.for(libraryId);
    expect(again.list({ name: BLOB_SWEEP_JOB })).toHaveLength(1); // the earlier one only
  });

  it('a sweep of a library that cannot be opened fails with the reason and deletes nothing', async () => {
    const m = create({ contentId: ids.contentIds.get('B')! }, vector(4));
    const scheduler = await core.jobs.for(libraryId);
    const id = scheduler.enqueue(BLOB_SWEEP_JOB, { libraryId: '00000000-0000-4000-8000-000000000000' });
    const failed = await scheduler.waitFor(id);
    expect(failed.status).toBe('failed');
    expect(failed.errors.at(-1)?.message).toMatch(/00000000-0000-4000-8000-000000000000/);
    expect(refs(blobOf(m.id))).toBe(1);
  });
});
