// Hostile photos on the REAL core and runtime: a JPEG cut short and bytes that are no image at all (the real
// decoder refuses them), a 100-megapixel image (over max_megapixels: recorded, never sent to the detector) and a
// photo without EXIF. Each is a per-item outcome: the one run of analyze_photos completes, the good photo is
// analysed, and nothing is asked twice. Slow (real face detection).
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CairnCore } from '../../../src-main/core/cairn-core.js';
import { makeTempDir } from '../../../src-main/core/testing/temp-dir.js';
import { userCtx } from '../../../src-main/core/testing/test-core.js';
import { packPackage } from '../../../extension-host/packages/pack.js';
import { buildExtension } from '../../../sdk/tooling/build-extension.js';
import { IMAGES } from './fixtures.js';
import { PHOTOS_DIR, PHOTOS_ID, defaultLibrary, indexFolder, installPhotos, modelsOf, startCore, waitForJob, type Analysis } from './real-core.js';

let tmp: { dir: string; cleanup: () => void };
let core: CairnCore | undefined;

beforeAll(async () => {
  const built = await buildExtension(PHOTOS_DIR);
  expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  tmp = makeTempDir('cairn-photos-hostile');
  const photos = path.join(tmp.dir, 'photos');
  fs.mkdirSync(photos, { recursive: true });
  const grace = fs.readFileSync(path.join(IMAGES, 'grace_hopper_512x512.jpg'));
  fs.writeFileSync(path.join(photos, 'grace.jpg'), grace);
  // The first 40% of the JPEG: its header is intact (the indexer reads the size), its scan data is cut short.
  fs.writeFileSync(path.join(photos, 'cut-short.jpg'), grace.subarray(0, Math.floor(grace.length * 0.4)));
  // A JPEG's start marker, then noise.
  const noise = Buffer.alloc(4096);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) % 251;
  fs.writeFileSync(path.join(photos, 'not-really.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), noise]));
  // 10,000 × 10,000 = 100 megapixels (a flat grey, so the file is small); the default limit is 80.
  await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: { r: 120, g: 120, b: 120 } } }).jpeg({ quality: 50 }).toFile(path.join(photos, 'huge.jpg'));
  // Re-encoded by sharp, which writes no EXIF: no capture date, no GPS position.
  await sharp(grace).flop().jpeg({ quality: 90 }).toFile(path.join(photos, 'no-exif.jpg'));
  await packPackage(PHOTOS_DIR, path.join(tmp.dir, 'photos.cairnext'));
}, 600_000);

afterAll(async () => {
  await core?.stop();
  tmp?.cleanup();
});

describe('Photos on the real core: hostile photos are per-item outcomes', () => {
  it('one run completes: undecodable photos and a 100-megapixel one recorded as errors, a photo without EXIF analysed', async () => {
    core = await startCore(path.join(tmp.dir, 'home'));
    const libraryId = await defaultLibrary(core);
    const { locationId, entries } = await indexFolder(core, libraryId, path.join(tmp.dir, 'photos'));
    const content = (p: string) => entries.get(p)!.contentId!;
    for (const p of ['grace.jpg', 'cut-short.jpg', 'not-really.jpg', 'huge.jpg', 'no-exif.jpg']) expect(entries.get(p)?.contentId, p).toBeTruthy();
    const lib = await core.libraries.get(libraryId);
    expect(lib.raw.prepare('SELECT width, height FROM media_data WHERE content_uuid = ?').get(content('huge.jpg'))).toEqual({ width: 10_000, height: 10_000 });

    await installPhotos(core, libraryId, path.join(tmp.dir, 'photos.cairnext'), locationId);
    const { jobId } = await core.registry.call('extensions.runJob', { libraryId, id: PHOTOS_ID, job: 'analyze_photos' }, userCtx);
    expect(await waitForJob(core, libraryId, jobId)).toMatchObject({ status: 'completed' });

    const analyses = await modelsOf(core, libraryId, 'PhotoAnalysis');
    expect(analyses).toHaveLength(5);
    const of = (p: string) => analyses.find((m) => m.contentId === content(p))!.data as unknown as Analysis;
    expect(of('grace.jpg')).toMatchObject({ status: 'ok', facesDone: true, faceCount: 1 });
    expect(of('no-exif.jpg')).toMatchObject({ status: 'ok', facesDone: true, faceCount: 1, hasGps: false });
    expect(of('no-exif.jpg').warnings).toEqual(expect.arrayContaining(['no GPS position', 'no capture date']));
    for (const p of ['cut-short.jpg', 'not-really.jpg']) {
      expect(of(p), p).toMatchObject({ status: 'error', facesDone: false, faceCount: 0 });
      expect(of(p).error, p).toMatch(/^face detection failed: Cannot decode the image/);
    }
    expect(of('huge.jpg')).toMatchObject({ status: 'error', facesDone: false, faceCount: 0 });
    expect(of('huge.jpg').error).toBe('image too large for face detection: 100 megapixels (limit 80)');

    // The detector was asked once for each photo it can take or cannot decode, and never for the huge one.
    const tasks = lib.raw.prepare(`SELECT key, status, attempts FROM job_tasks WHERE job_id = ? AND key LIKE 'faces:%' ORDER BY key`).all(jobId) as { key: string; status: string; attempts: number }[];
    const asked = ['grace.jpg', 'cut-short.jpg', 'not-really.jpg', 'no-exif.jpg'].map((p) => `faces:${content(p)}`).sort();
    expect(tasks.map((t) => t.key)).toEqual(asked);
    expect(tasks.every((t) => t.status === 'completed' && t.attempts === 1)).toBe(true);

    // A second run asks nothing again: the errors stay recorded until retryErrors.
    const again = await core.registry.call('extensions.runJob', { libraryId, id: PHOTOS_ID, job: 'analyze_photos' }, userCtx);
    expect(await waitForJob(core, libraryId, again.jobId)).toMatchObject({ status: 'completed' });
    expect(lib.raw.prepare(`SELECT count(*) AS n FROM job_tasks WHERE job_id = ? AND key LIKE 'faces:%'`).get(again.jobId)).toEqual({ n: 0 });
    expect(await modelsOf(core, libraryId, 'PhotoAnalysis')).toHaveLength(5);
  }, 900_000);
});
