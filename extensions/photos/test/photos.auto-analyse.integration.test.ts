// auto_analyse on the REAL core and runtime: newly identified photos reach Photos' content.onDidIdentify hook
// (a durable ext-hooks job), which starts analyze_photos for that batch alone through jobs.start; the started
// job runs its host tasks (real face detection) and analyses those photos. Off, the hook starts nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CairnCore } from '../../../src-main/core/cairn-core.js';
import { makeTempDir } from '../../../src-main/core/testing/temp-dir.js';
import { userCtx } from '../../../src-main/core/testing/test-core.js';
import { extensionJobName } from '../../../extension-host/jobs/extension-job.js';
import { packPackage } from '../../../extension-host/packages/pack.js';
import { buildExtension } from '../../../sdk/tooling/build-extension.js';
import { IMAGES } from './fixtures.js';
import { PHOTOS_DIR, PHOTOS_ID, defaultLibrary, installPhotos, modelsOf, settle, startCore, type Analysis } from './real-core.js';

let tmp: { dir: string; cleanup: () => void };
let core: CairnCore | undefined;

beforeAll(async () => {
  const built = await buildExtension(PHOTOS_DIR);
  expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  tmp = makeTempDir('cairn-photos-auto');
  await packPackage(PHOTOS_DIR, path.join(tmp.dir, 'photos.cairnext'));
}, 600_000);

afterAll(async () => {
  await core?.stop();
  tmp?.cleanup();
});

/** Waits for the jobs, then for hook batches still waiting out their delay, then for the jobs they start. */
async function settleAll(c: CairnCore, libraryId: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await settle(c, libraryId);
    await new Promise((r) => setTimeout(r, 400));
  }
  await settle(c, libraryId);
}

describe('Photos auto_analyse: the hook starts analyze_photos for new photos', () => {
  it('off: new photos are left for a manual run; on: the next new photos are analysed by a job the hook started', async () => {
    core = await startCore(path.join(tmp.dir, 'home'));
    const libraryId = await defaultLibrary(core);
    const folder = path.join(tmp.dir, 'photos');
    fs.mkdirSync(folder, { recursive: true });
    const location = await core.registry.call('locations.add', { libraryId, path: folder, name: 'photos' }, userCtx);
    await settle(core, libraryId);
    await installPhotos(core, libraryId, path.join(tmp.dir, 'photos.cairnext'), location.id, { auto_analyse: false });
    const analyzeJobs = async () => (await core!.registry.call('jobs.list', { libraryId }, userCtx)).filter((j) => j.name === extensionJobName(PHOTOS_ID, 'analyze_photos'));
    const index = async () => {
      await core!.registry.call('indexer.run', { libraryId, locationId: location.id }, userCtx);
      await settleAll(core!, libraryId);
    };

    fs.copyFileSync(path.join(IMAGES, 'chelsea.png'), path.join(folder, 'chelsea.png'));
    await index();
    expect(await analyzeJobs()).toEqual([]);
    expect(await modelsOf(core, libraryId, 'PhotoAnalysis')).toEqual([]);

    await core.registry.call('extensions.setSettings', { libraryId, id: PHOTOS_ID, values: { auto_analyse: true } }, userCtx);
    fs.copyFileSync(path.join(IMAGES, 'grace_hopper_512x512.jpg'), path.join(folder, 'grace.jpg'));
    fs.copyFileSync(path.join(IMAGES, 'astronaut.png'), path.join(folder, 'astronaut.png'));
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'not a photo');
    await index();

    const started = await analyzeJobs();
    expect(started.length).toBeGreaterThan(0);
    expect(started.every((j) => j.status === 'completed' && j.owner === PHOTOS_ID)).toBe(true);
    const entries = (await core.registry.call('entries.list', { libraryId, offset: 0, limit: 100, sort: 'name', descending: false }, userCtx)).items;
    const contentOf = (name: string) => entries.find((e) => e.name === name)!.contentId;
    const analyses = await modelsOf(core, libraryId, 'PhotoAnalysis');
    // The two new photos, not the one indexed while auto_analyse was off.
    expect(analyses.map((m) => m.contentId).sort()).toEqual([contentOf('astronaut.png'), contentOf('grace.jpg')].sort());
    const grace = analyses.find((m) => m.contentId === contentOf('grace.jpg'))!.data as unknown as Analysis;
    expect(grace).toMatchObject({ status: 'ok', faceCount: 1, facesDone: true });
  }, 600_000);
});
