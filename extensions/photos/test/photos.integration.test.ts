// Photos against the REAL core and extension runtime: the package is packed and installed with scoped grants,
// analyze_photos runs through extensions.runJob on the library's scheduler, and its host tasks reach the real
// face detector (Human, worker pool), embedder and offline geocoder. Slow (face detection 0.2–1 s per image).
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CairnCore } from '../../../src-main/core/cairn-core.js';
import { makeTempDir } from '../../../src-main/core/testing/temp-dir.js';
import { userCtx } from '../../../src-main/core/testing/test-core.js';
import { packPackage } from '../../../extension-host/packages/pack.js';
import { buildExtension } from '../../../sdk/tooling/build-extension.js';
import { IMAGES, PARIS, jpegWithGps } from './fixtures.js';
import { PHOTOS_DIR, PHOTOS_ID, asPhotos, installPhotos, startCore, waitForJob, settle, modelsOf, type Analysis } from './real-core.js';

const extensionDir = PHOTOS_DIR;
const ID = PHOTOS_ID;

let tmp: { dir: string; cleanup: () => void };
let home: string;
let photosDir: string;
let packageFile: string;

beforeAll(async () => {
  const built = await buildExtension(extensionDir);
  expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  tmp = makeTempDir('cairn-photos-real');
  home = path.join(tmp.dir, 'home');
  photosDir = path.join(tmp.dir, 'photos');
  fs.mkdirSync(path.join(photosDir, 'backup'), { recursive: true });
  const grace = path.join(IMAGES, 'grace_hopper_512x512.jpg');
  // Grace Hopper four times (different bytes: plain, mirrored, cropped, with GPS for Paris) — min_faces 3 makes
  // her a person; the astronaut once (stays in the queue); the cat (no face); the plain copy at two paths.
  fs.copyFileSync(grace, path.join(photosDir, 'grace.jpg'));
  fs.copyFileSync(grace, path.join(photosDir, 'backup', 'grace-copy.jpg'));
  await sharp(grace).flop().jpeg({ quality: 92 }).toFile(path.join(photosDir, 'grace-mirrored.jpg'));
  await sharp(grace).extract({ left: 40, top: 20, width: 440, height: 470 }).jpeg({ quality: 92 }).toFile(path.join(photosDir, 'grace-cropped.jpg'));
  fs.writeFileSync(path.join(photosDir, 'grace-paris.jpg'), jpegWithGps('grace_hopper_512x512.jpg', PARIS, '2024:05:01 10:00:00'));
  fs.copyFileSync(path.join(IMAGES, 'astronaut.png'), path.join(photosDir, 'astronaut.png'));
  fs.copyFileSync(path.join(IMAGES, 'chelsea.png'), path.join(photosDir, 'chelsea.png'));
  packageFile = path.join(tmp.dir, 'photos.cairnext');
  await packPackage(extensionDir, packageFile);
}, 600_000);

afterAll(() => {
  tmp?.cleanup();
});

describe('Photos on the real core and runtime (host tasks: real face detection, embeddings, geocoding)', () => {
  let core: CairnCore;
  let libraryId: string;
  const contentOf = new Map<string, string>();
  const entryOf = new Map<string, string>();

  afterAll(async () => {
    await core?.stop();
  });

  it('installs with scoped grants, analyses every photo content once, groups Grace Hopper, finds Paris', async () => {
    core = await startCore(home);
    libraryId = (await core.registry.call('library.list', {}, userCtx)).find((l) => l.isDefault)!.id;
    const location = await core.registry.call('locations.add', { libraryId, path: photosDir, name: 'photos' }, userCtx);
    await settle(core, libraryId);
    await core.registry.call('indexer.run', { libraryId, locationId: location.id, full: true }, userCtx);
    await settle(core, libraryId);
    const entries = await core.registry.call('entries.list', { libraryId, offset: 0, limit: 100, sort: 'name', descending: false }, userCtx);
    for (const e of entries.items) {
      entryOf.set(e.relPath, e.id);
      if (e.contentId) contentOf.set(e.relPath, e.contentId);
    }
    expect(contentOf.get('grace.jpg')).toBe(contentOf.get('backup/grace-copy.jpg'));

    await installPhotos(core, libraryId, packageFile, location.id);
    const info = await core.registry.call('extensions.info', { libraryId, id: ID }, userCtx);
    expect(info.permissions.filter((p) => p.permission.type === 'UseModel').every((p) => p.granted)).toBe(true);

    const { jobId } = await core.registry.call('extensions.runJob', { libraryId, id: ID, job: 'analyze_photos' }, userCtx);
    const job = await waitForJob(core, libraryId, jobId);
    expect(job).toMatchObject({ status: 'completed' });

    const analyses = await modelsOf(core, libraryId, 'PhotoAnalysis');
    const byContent = new Map(analyses.map((m) => [m.contentId!, m.data as unknown as Analysis]));
    expect(analyses).toHaveLength(6); // 7 paths, 6 contents
    expect(new Set(analyses.map((m) => m.contentId)).size).toBe(6);
    for (const [, a] of byContent) expect(a).toMatchObject({ status: 'ok', facesDone: true });
    for (const p of ['grace.jpg', 'grace-mirrored.jpg', 'grace-cropped.jpg', 'grace-paris.jpg', 'astronaut.png']) expect(byContent.get(contentOf.get(p)!)!.faceCount).toBe(1);
    expect(byContent.get(contentOf.get('chelsea.png')!)!.faceCount).toBe(0);
    const rec = analyses.find((m) => m.contentId === contentOf.get('grace.jpg'))!;
    expect(rec.blobFields).toEqual(['embeddings']);
    const blob = await core.registry.call('models.getBlob', { libraryId, modelId: rec.id, field: 'embeddings' }, asPhotos);
    expect((blob.value as number[][])[0]).toHaveLength(1024);

    const people = (await modelsOf(core, libraryId, 'Person')).map((m) => ({ id: m.id, ...(m.data as { faceIds: string[]; name: string }) }));
    expect(people).toHaveLength(1);
    const graceContents = ['grace.jpg', 'grace-mirrored.jpg', 'grace-cropped.jpg', 'grace-paris.jpg'].map((p) => contentOf.get(p)!);
    expect(new Set(people[0]!.faceIds.map((f) => f.split(':')[0]))).toEqual(new Set(graceContents));
    expect(byContent.get(contentOf.get('astronaut.png')!)!.faces[0]!.personId).not.toBe(people[0]!.id);
    // The cover is a box inside one of the person's photos, as fractions of it (what the People grid crops the
    // thumbnail to); the analysis keeps the size of the frame the face boxes are in.
    expect(byContent.get(contentOf.get('grace.jpg')!)).toMatchObject({ width: 512, height: 512 });
    const cover = (await modelsOf(core, libraryId, 'Person'))[0]!.data as { coverContentId: string; coverX: number; coverY: number; coverWidth: number; coverHeight: number };
    expect(graceContents).toContain(cover.coverContentId);
    for (const v of [cover.coverX, cover.coverY, cover.coverWidth, cover.coverHeight]) expect(v).toBeGreaterThanOrEqual(0);
    expect(cover.coverWidth).toBeGreaterThan(0.1);
    expect(cover.coverHeight).toBeGreaterThan(0.1);
    expect(cover.coverX + cover.coverWidth).toBeLessThanOrEqual(1.001);
    expect(cover.coverY + cover.coverHeight).toBeLessThanOrEqual(1.001);

    const places = (await modelsOf(core, libraryId, 'Place')).map((m) => ({ id: m.id, ...(m.data as { city: string; country: string; count: number }) }));
    expect(places).toHaveLength(1);
    expect(places[0]).toMatchObject({ city: 'Paris', country: 'France', count: 1 });
    expect(byContent.get(contentOf.get('grace-paris.jpg')!)).toMatchObject({ hasGps: true, placeId: places[0]!.id });
  }, 900_000);

  it('names the person through its action (real bridge), and search finds the photos by #person:<name>', async () => {
    const person = (await modelsOf(core, libraryId, 'Person'))[0]!;
    // Through the core's action flow, as the app runs it: the runtime registered Photos' actions.
    const action = 'ext:app.cairn.photos:name_person';
    const preview = await core.registry.call('actions.preview', { libraryId, action, params: { entryIds: [], params: { personId: person.id, name: 'Grace' } } }, userCtx);
    expect(preview).toMatchObject({ owner: ID, conflicts: [], reversible: false });
    const done = await core.registry.call('actions.commit', { libraryId, previewId: preview.id }, userCtx);
    expect(done).toMatchObject({ status: 'verified', result: { applied: 1 } });
    const tag = (await core.registry.call('tags.list', { libraryId }, userCtx)).find((t) => t.path === '#person:Grace')!;
    expect(tag).toBeDefined();
    const found = await core.registry.call('search.entries', { libraryId, tagId: tag.id, offset: 0, limit: 50 }, userCtx);
    const paths = found.items.map((e) => e.relPath).sort();
    expect(paths).toEqual(['backup/grace-copy.jpg', 'grace-cropped.jpg', 'grace-mirrored.jpg', 'grace-paris.jpg', 'grace.jpg']);
    expect(paths).not.toContain('chelsea.png');
  }, 300_000);

  it('a second run asks the host nothing again and duplicates nothing', async () => {
    const { jobId } = await core.registry.call('extensions.runJob', { libraryId, id: ID, job: 'analyze_photos' }, userCtx);
    expect(await waitForJob(core, libraryId, jobId)).toMatchObject({ status: 'completed' });
    expect(await modelsOf(core, libraryId, 'PhotoAnalysis')).toHaveLength(6);
    expect(await modelsOf(core, libraryId, 'Person')).toHaveLength(1);
    expect(await modelsOf(core, libraryId, 'Place')).toHaveLength(1);
  }, 300_000);

  it('face actions offer the faces and people to choose, with crops, and take only what they offered', async () => {
    const grace = (await modelsOf(core, libraryId, 'Person'))[0]!;
    const options = (action: string, param: string, params: Record<string, unknown>, entryIds: string[] = []) =>
      core.registry.call('extensions.actionOptions', { libraryId, id: ID, action, param, params, entryIds }, userCtx).then((r) => r.options);
    const commit = async (action: string, params: Record<string, unknown>, entryIds: string[] = []) => {
      const preview = await core.registry.call('actions.preview', { libraryId, action: `ext:${ID}:${action}`, params: { entryIds, params } }, userCtx);
      return core.registry.call('actions.commit', { libraryId, previewId: preview.id }, userCtx);
    };

    // The faces of a person: one per photo content of hers, named by file, each cropped inside its photo.
    const graceFaces = await options('move_face', 'faceId', { fromId: grace.id });
    const graceContents = ['grace.jpg', 'grace-mirrored.jpg', 'grace-cropped.jpg', 'grace-paris.jpg'].map((p) => contentOf.get(p)!);
    expect(graceFaces.map((o) => o.image?.contentId).sort()).toEqual([...graceContents].sort());
    expect(graceFaces.map((o) => o.value).sort()).toEqual(graceContents.map((c) => `${c}:0`).sort());
    for (const o of graceFaces) {
      expect(o.label).toMatch(/^(grace|grace-copy|grace-mirrored|grace-cropped|grace-paris)\.jpg$/);
      const crop = o.image!.crop!;
      expect(crop.width).toBeGreaterThan(0.1);
      expect(crop.x + crop.width).toBeLessThanOrEqual(1.001);
      expect(crop.y + crop.height).toBeLessThanOrEqual(1.001);
    }
    // Nobody else to move her faces to yet.
    expect(await options('move_face', 'personId', { fromId: grace.id })).toEqual([]);

    // The selected astronaut photo's face, not grouped yet, assigned to a new person by name.
    const astronaut = await options('assign_faces', 'faceIds', {}, [entryOf.get('astronaut.png')!]);
    expect(astronaut).toEqual([{ value: `${contentOf.get('astronaut.png')!}:0`, label: 'astronaut.png (not grouped yet)', image: expect.objectContaining({ contentId: contentOf.get('astronaut.png') }) }]);
    expect(await commit('assign_faces', { faceIds: [astronaut[0]!.value], name: 'Astro' }, [entryOf.get('astronaut.png')!])).toMatchObject({ status: 'verified' });
    const astro = (await modelsOf(core, libraryId, 'Person')).find((m) => (m.data as { name: string }).name === 'Astro')!;
    expect(astro).toBeDefined();

    // Now Astro is offered (with a cover) as where Grace's faces may go; a face or person never offered is refused.
    const targets = await options('move_face', 'personId', { fromId: grace.id });
    expect(targets).toEqual([expect.objectContaining({ value: astro.id, label: 'Astro', image: expect.objectContaining({ contentId: contentOf.get('astronaut.png') }) })]);
    await expect(commit('move_face', { fromId: grace.id, faceId: `${contentOf.get('chelsea.png')!}:0`, personId: astro.id })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(commit('move_face', { fromId: grace.id, faceId: graceFaces[0]!.value, personId: grace.id })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect((await modelsOf(core, libraryId, 'Person')).find((m) => m.id === grace.id)!.data).toMatchObject({ faceIds: expect.arrayContaining([graceFaces[0]!.value]) });

    const moved = graceFaces.find((o) => o.image!.contentId === contentOf.get('grace-paris.jpg'))!;
    expect(await commit('move_face', { fromId: grace.id, faceId: moved.value, personId: astro.id })).toMatchObject({ status: 'verified' });
    const after = new Map((await modelsOf(core, libraryId, 'Person')).map((m) => [m.id, m.data as { faceIds: string[] }]));
    expect(after.get(astro.id)!.faceIds).toContain(moved.value);
    expect(after.get(grace.id)!.faceIds).not.toContain(moved.value);
    expect((await options('move_face', 'faceId', { fromId: grace.id })).map((o) => o.value)).not.toContain(moved.value);
  }, 300_000);
});
