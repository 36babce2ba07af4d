import fs from 'node:fs';
import path from 'node:path';
import type { CairnCore } from '../../cairn-core.js';
import type { Library } from '../../library/library.js';
import { makeTempDir } from '../../testing/temp-dir.js';
import { startTestCore, userCtx } from '../../testing/test-core.js';
import type { IndexCounts } from '../index-writer.js';
import { INDEX_LOCATION_JOB } from '../index-location-job.js';

/** A row of `entries` as tests read it. */
export interface EntryRow {
  id: number;
  uuid: string;
  rel_path: string;
  name: string;
  kind: string;
  size: number;
  parent_id: number | null;
  content_uuid: string | null;
  file_kind: string | null;
  mime: string | null;
  aggregate_size: number | null;
  child_count: number | null;
  name_is_lossy: number;
}

/**
 * A real core on a temp home with one location on a temp folder, for indexer tests. `put` writes files,
 * `index()` runs an index job to completion and returns its counts.
 *
 * @example
 * const h = await indexHarness(); h.put('a.txt', 'hi'); const counts = await h.index(); await h.dispose();
 */
export async function indexHarness(options: { watch?: boolean } = {}) {
  const previous = process.env.CAIRN_NO_WATCH;
  if (!options.watch) process.env.CAIRN_NO_WATCH = '1';
  const t = await startTestCore();
  if (previous === undefined) delete process.env.CAIRN_NO_WATCH;
  else process.env.CAIRN_NO_WATCH = previous;
  const core: CairnCore = t.core;
  const folder = makeTempDir('cairn-loc');
  const libraryId = (await core.registry.call('library.list', {}, userCtx))[0]!.id;
  const lib: Library = await core.libraries.get(libraryId);
  let locationId = '';

  const put = (rel: string, content: string | Buffer = 'x'): string => {
    const file = path.join(folder.dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    return file;
  };
  const waitAll = async (): Promise<void> => {
    const scheduler = await core.jobs.for(libraryId);
    for (;;) {
      const open = scheduler.list({ name: INDEX_LOCATION_JOB, status: ['queued', 'running'] });
      if (open.length === 0) return;
      for (const j of open) {
        const done = await scheduler.waitFor(j.id);
        if (done.status !== 'completed') throw new Error(`index job ${done.status}: ${JSON.stringify(done.errors)}`);
      }
    }
  };
  /** Adds the location (its first index is enqueued with it) and waits for that index. */
  const addLocation = async (): Promise<IndexCounts> => {
    const loc = await core.registry.call('locations.add', { libraryId, path: folder.dir }, userCtx);
    locationId = loc.id;
    await waitAll();
    return lastCounts();
  };
  const lastCounts = (): IndexCounts => {
    const row = lib.raw.prepare('SELECT settings FROM locations WHERE id = ?').get(locationId) as { settings: string };
    return (JSON.parse(row.settings) as { index: { lastRun: { counts: IndexCounts } } }).index.lastRun.counts;
  };
  const index = async (opts: { full?: boolean } = {}): Promise<IndexCounts> => {
    const { jobId } = await core.registry.call('indexer.run', { libraryId, locationId, ...opts }, userCtx);
    const done = await (await core.jobs.for(libraryId)).waitFor(jobId);
    if (done.status !== 'completed') throw new Error(`index job ${done.status}: ${JSON.stringify(done.errors)}`);
    return lastCounts();
  };
  const entries = (): EntryRow[] =>
    lib.raw.prepare('SELECT * FROM entries WHERE location_id = ? ORDER BY rel_path').all(locationId) as EntryRow[];
  const entry = (rel: string): EntryRow | undefined =>
    lib.raw.prepare('SELECT * FROM entries WHERE location_id = ? AND rel_path = ?').get(locationId, rel) as EntryRow | undefined;
  const errors = () =>
    lib.raw.prepare('SELECT rel_path, phase, code, message FROM indexer_errors WHERE location_id = ? ORDER BY rel_path, phase').all(locationId) as {
      rel_path: string; phase: string; code: string; message: string;
    }[];
  return {
    core,
    lib,
    libraryId,
    root: folder.dir,
    get locationId() {
      return locationId;
    },
    put,
    addLocation,
    index,
    waitAll,
    entries,
    entry,
    errors,
    dispose: async () => {
      await t.dispose();
      folder.cleanup();
    },
  };
}

export type IndexHarness = Awaited<ReturnType<typeof indexHarness>>;
