import { describe, expect, it } from 'vitest';
import { userCtx } from '../../src-main/core/testing/test-core.js';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { TEST_EXTENSION, install, libraryWithFiles, packed, startCore } from './testing/runtime-fixture.js';

const ID = 'com.cairn.test-extension';
const FILE_COUNT = 40;

describe('ExtensionRuntime across a restart', () => {
  it('resumes an extension job interrupted by stopping the core, in a new core on the same home, with no duplicate models', async () => {
    const pkgs = makeTempDir('cairn-runtime-pkgs');
    const files = Object.fromEntries(Array.from({ length: FILE_COUNT }, (_, i) => [`f${String(i).padStart(2, '0')}.txt`, `file number ${i}`]));
    const t = await libraryWithFiles(files);
    let second: Awaited<ReturnType<typeof startCore>> | undefined;
    try {
      const { core, libraryId, locationId } = t;
      await install(core, libraryId, await packed(TEST_EXTENSION, pkgs.dir), [
        { permission: 'ReadEntries', scopes: [{ locationId }] },
        { permission: 'ReadSidecars', scopes: [{ locationId }] },
        { permission: 'WriteSidecars', scopes: [{ locationId }] },
      ]);
      await core.registry.call('extensions.setSettings', { libraryId, id: ID, values: { page_size: 1 } }, userCtx);

      // Stop the core as soon as the job has made progress (one entry per step: dozens of steps remain).
      const progressed = new Promise<void>((resolve) => {
        const off = core.events.on('jobs.onDidProgress', (p) => {
          if (p.owner === ID) {
            off();
            resolve();
          }
        });
      });
      const { jobId } = await core.registry.call('extensions.runJob', { libraryId, id: ID, job: 'index_notes', input: { label: '' } }, userCtx);
      await progressed;
      await core.stop();

      second = await startCore(t.home, { rescanMs: 0 });
      const lib = await second.libraries.get(libraryId);
      const before = lib.raw.prepare('SELECT status, checkpoint FROM jobs WHERE id = ?').get(jobId) as { status: string; checkpoint: string | null };
      expect(before.status).toBe('running');
      expect(before.checkpoint).not.toBeNull();
      const notesBefore = (lib.raw.prepare(`SELECT count(*) AS n FROM models WHERE model_type = 'FileNote'`).get() as { n: number }).n;
      expect(notesBefore).toBeLessThan(FILE_COUNT);

      // The new core's scheduler starts; the runtime registers the extension's job type; the job resumes.
      const done = await (await second.jobs.for(libraryId)).waitFor(jobId);
      expect(done.errors).toEqual([]);
      expect(done.status).toBe('completed');
      const rows = lib.raw.prepare(`SELECT content_uuid AS c, count(*) AS n FROM models WHERE model_type = 'FileNote' GROUP BY content_uuid`).all() as { c: string; n: number }[];
      expect(rows.length).toBe(FILE_COUNT);
      expect(rows.every((r) => r.n === 1)).toBe(true);
      const tasks = lib.raw.prepare(`SELECT count(*) AS n, count(DISTINCT key) AS k FROM job_tasks WHERE job_id = ? AND status = 'completed'`).get(jobId) as { n: number; k: number };
      expect(tasks.n).toBe(FILE_COUNT);
      expect(tasks.k).toBe(FILE_COUNT);
    } finally {
      await second?.stop();
      if (!second) await t.core.stop();
      t.cleanup();
      pkgs.cleanup();
    }
  }, 180_000);
});
