// Photos over a real temporary library through the SDK harness (real sandbox, real core): the extension's
// logic, with the host tasks (host:ai.detectFaces, host:ai.embed, host:places.reverseGeocode) answered from
// fixture data (test/fixtures.ts); EXIF comes from real copies of the fixture images. The real AI, geocoder
// and runtime are exercised by photos.integration.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExtension } from '../../../sdk/tooling/build-extension.js';
import type { ExtensionHarness } from '../../../sdk/tooling/harness/extension-harness.js';
import { modelsOf, standardPhotos, startPhotos, type PhotoLibrary } from './fixtures.js';

const extensionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Analysis { status: string; error: string; warnings: string[]; faces: { personId: string; score: number; notFace: boolean }[]; faceCount: number; pending: boolean; placeId: string; day: string; hasGps: boolean; facesDone: boolean }
interface PersonData { name: string; faceIds: string[]; faceCount: number; active: boolean; visible: number; hidden: boolean; mergedInto: string; coverContentId: string }

beforeAll(async () => {
  const built = await buildExtension(extensionDir);
  expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
}, 300_000);

describe('Photos: analysis, people, places, albums', () => {
  let h: ExtensionHarness;
  let lib: PhotoLibrary;
  const photos = standardPhotos();
  const content = (label: string) => lib.content(label);
  const entry = (p: string) => lib.entry(p);
  const analyses = async () => new Map((await modelsOf(h, 'PhotoAnalysis')).map((m) => [m.contentId!, m.data as unknown as Analysis]));
  const people = async () => (await modelsOf(h, 'Person')).map((m) => ({ id: m.id, ...(m.data as unknown as PersonData) }));
  const act = (name: string, params: unknown) => h.execute(name, { entryIds: [], params });

  beforeAll(async () => {
    lib = await startPhotos(extensionDir, photos, { batch_size: 3 });
    h = lib.h;
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('analyses every photo once (the same photo at two paths too), records per-item errors and continues', async () => {
    // A host task that keeps failing (the page's decoder crash) comes back, after its retries, as that key's
    // failure, as in the app: the one run records the page as an error and finishes.
    const run = await h.runJob('analyze_photos', {});
    expect(run.done).toBe(true);
    expect(run.steps).toBeGreaterThan(3);
    const keys = run.completedTasks.map((t) => t.key);
    expect(new Set(keys).size).toBe(keys.length);
    // grace-paris is analysed through its first path (backup/…-copy sorts first), never through the second.
    expect(lib.calls).toContain(`detect:${entry('backup/grace-paris-copy.jpg')}`);
    expect(lib.calls).not.toContain(`detect:${entry('people/grace-paris.jpg')}`);
    // Faces below min_face_score are not embedded; the panorama (too large) is never sent to the detector.
    expect(lib.calls).not.toContain(`embed:${entry('people/grace-nyc.jpg')}:1`);
    expect(lib.calls).not.toContain(`detect:${entry('huge/panorama.jpg')}`);
    const a = await analyses();
    expect(a.size).toBe(8); // 9 paths, 8 contents
    expect(a.get(content('grace-paris'))).toMatchObject({ status: 'ok', faceCount: 1, hasGps: true, day: '2024-05-01' });
    // The low-confidence second detection is dropped (min_face_score 0.5).
    expect(a.get(content('grace-nyc'))!.faceCount).toBe(1);
    expect(a.get(content('chelsea'))).toMatchObject({ status: 'ok', faceCount: 0 });
    expect(a.get(content('coffee'))).toMatchObject({ status: 'ok', faceCount: 0 });
    // Hostile items: a decoder crash and a 108-megapixel image are recorded; no EXIF is a warning.
    expect(a.get(content('page'))).toMatchObject({ status: 'error' });
    expect(a.get(content('page'))!.error).toMatch(/face detection failed/);
    expect(a.get(content('panorama'))).toMatchObject({ status: 'error', faceCount: 0 });
    expect(a.get(content('panorama'))!.error).toMatch(/108 megapixels/);
    expect(a.get(content('astronaut'))!.warnings).toContain('no EXIF data');
    expect(a.get(content('astronaut'))).toMatchObject({ status: 'ok', faceCount: 1, hasGps: false });
    // Embeddings are a blob field, not inline.
    const rec = (await modelsOf(h, 'PhotoAnalysis')).find((m) => m.contentId === content('grace-paris'))!;
    expect(rec.blobFields).toEqual(['embeddings']);
    expect(rec.data).not.toHaveProperty('embeddings');
    const blob = await h.invokeAsExtension('models.getBlob', { modelId: rec.id, field: 'embeddings' });
    expect((blob.value as number[][])[0]).toHaveLength(8);
  });

  it('groups Grace Hopper into one person (3 close faces); the lone astronaut waits in the queue', async () => {
    const ps = await people();
    expect(ps).toHaveLength(1);
    expect(ps[0]!.faceCount).toBe(3);
    expect(ps[0]!.visible).toBe(1);
    expect(new Set(ps[0]!.faceIds.map((f) => f.split(':')[0]))).toEqual(new Set([content('grace-paris'), content('grace-paris-2'), content('grace-nyc')]));
    const centroid = await h.invokeAsExtension('models.getBlob', { modelId: ps[0]!.id, field: 'centroid' });
    expect(centroid.value as number[]).toHaveLength(8);
    const a = await analyses();
    expect(a.get(content('astronaut'))).toMatchObject({ pending: true });
    expect(a.get(content('astronaut'))!.faces[0]!.personId).toBe('');
  });

  it('assigns places by reverse geocoding, counted and ranked, and moments by day', async () => {
    const places = (await modelsOf(h, 'Place')).map((m) => m.data as { label: string; count: number; rank: number; country: string });
    places.sort((x, y) => x.rank - y.rank);
    // The panorama (too large for faces) still has its place.
    expect(places.map((p) => [p.label, p.count, p.rank])).toEqual([['Paris, France', 3, 1], ['New York, United States', 1, 2]]);
    const moments = (await modelsOf(h, 'Moment')).map((m) => m.data as { day: string; count: number });
    expect(moments.find((m) => m.day === '2024-05-01')!.count).toBe(1);
    expect(moments).toHaveLength(4);
  });

  it('a second run analyses nothing again and duplicates nothing', async () => {
    const before = (await modelsOf(h, 'PhotoAnalysis')).length;
    const run = await h.runJob('analyze_photos', {});
    expect(run.done).toBe(true);
    expect(run.completedTasks).toEqual([]);
    expect((await modelsOf(h, 'PhotoAnalysis')).length).toBe(before);
    expect(await people()).toHaveLength(1);
  });

  it('naming a person tags their photos #person:<name> (every copy)', async () => {
    const grace = (await people())[0]!;
    const preview = await h.preview('name_person', { entryIds: [], params: { personId: grace.id, name: 'Grace Hopper' } });
    expect(preview.changes).toHaveLength(1);
    await act('name_person', { personId: grace.id, name: 'Grace Hopper' });
    expect((await people())[0]!.name).toBe('Grace Hopper');
    const tag = (await h.invoke('tags.list', {})).find((t) => t.path === '#person:Grace Hopper')!;
    expect(tag).toBeDefined();
    const copy = await h.invoke('entries.get', { entryId: entry('backup/grace-paris-copy.jpg') });
    expect(copy.tags.map((t) => [t.name, t.source, t.sourceId])).toEqual([['#person:Grace Hopper', 'extension', 'app.cairn.photos']]);
    const cat = await h.invoke('entries.get', { entryId: entry('pets/chelsea.png') });
    expect(cat.tags).toEqual([]);
  });

  it('recluster forms people from the leftovers once min_faces allows it', async () => {
    await h.restartPlugin({ settings: { min_faces: 1 } });
    const run = await h.runJob('recluster', {});
    expect(run.done).toBe(true);
    const ps = await people();
    expect(ps).toHaveLength(2);
    const astro = ps.find((p) => p.name === '')!;
    expect(astro.faceIds).toEqual([`${content('astronaut')}:0`]);
    expect((await analyses()).get(content('astronaut'))!.pending).toBe(false);
  });

  it('merges two people and un-merges them (undo)', async () => {
    const ps = await people();
    const grace = ps.find((p) => p.name === 'Grace Hopper')!;
    const astro = ps.find((p) => p.name === '')!;
    const preview = await h.preview('merge_people', { entryIds: [], params: { personId: grace.id, otherId: astro.id } });
    expect(preview.reversible).toBe(true);
    await act('merge_people', { personId: grace.id, otherId: astro.id });
    let after = await people();
    expect(after.find((p) => p.id === grace.id)!.faceCount).toBe(4);
    expect(after.find((p) => p.id === astro.id)).toMatchObject({ active: false, visible: 0, mergedInto: grace.id, faceCount: 0 });
    expect((await analyses()).get(content('astronaut'))!.faces[0]!.personId).toBe(grace.id);
    await act('unmerge_person', { personId: astro.id });
    after = await people();
    expect(after.find((p) => p.id === grace.id)!.faceCount).toBe(3);
    expect(after.find((p) => p.id === astro.id)).toMatchObject({ active: true, visible: 1, mergedInto: '', faceCount: 1 });
    expect((await analyses()).get(content('astronaut'))!.faces[0]!.personId).toBe(astro.id);

    // "Undo merge" on the person that was kept splits out everyone merged into it (what the People view offers).
    await act('merge_people', { personId: grace.id, otherId: astro.id });
    const split = await h.preview('unmerge_person', { entryIds: [], params: { personId: grace.id } });
    expect(split.changes.map((c) => c.data)).toEqual([astro.id]);
    await act('unmerge_person', { personId: grace.id });
    after = await people();
    expect(after.find((p) => p.id === astro.id)).toMatchObject({ active: true, faceCount: 1 });
    expect(after.find((p) => p.id === grace.id)!.faceCount).toBe(3);

    // The merge's undo export (the core's actions.undo) does the same with the merge's own params.
    await act('merge_people', { personId: grace.id, otherId: astro.id });
    const undone = await h.call<{ applied: number }>('action_merge_people_undo', { entryIds: [], params: { personId: grace.id, otherId: astro.id }, outcome: { applied: 1, message: 'Merged' } });
    expect(undone.applied).toBe(1);
    expect((await people()).find((p) => p.id === astro.id)).toMatchObject({ active: true, mergedInto: '', faceCount: 1 });

    // Nobody merged into a person: the preview says so (a conflict in the app), and execute changes nothing.
    const none = await h.preview('unmerge_person', { entryIds: [], params: { personId: grace.id } });
    expect(none.changes).toEqual([]);
    expect(none.warnings).toEqual(['Grace Hopper was not merged with anyone']);
  });

  it('moves a face, hides a person, marks "not a face" and bulk-assigns from the queue', async () => {
    const ps = await people();
    const grace = ps.find((p) => p.name === 'Grace Hopper')!;
    const astro = ps.find((p) => p.name === '')!;
    const nyc = `${content('grace-nyc')}:0`;
    await act('move_face', { faceId: nyc, personId: astro.id });
    let after = await people();
    expect(after.find((p) => p.id === astro.id)!.faceIds).toContain(nyc);
    expect(after.find((p) => p.id === grace.id)!.faceIds).not.toContain(nyc);
    await act('not_a_face', { faceId: nyc });
    expect((await analyses()).get(content('grace-nyc'))!.faces[0]).toMatchObject({ personId: '', notFace: true });
    after = await people();
    expect(after.find((p) => p.id === astro.id)!.faceIds).not.toContain(nyc);
    await act('assign_faces', { faceIds: [nyc], personId: grace.id });
    after = await people();
    expect(after.find((p) => p.id === grace.id)!.faceCount).toBe(3);
    expect((await analyses()).get(content('grace-nyc'))!.faces[0]).toMatchObject({ personId: grace.id, notFace: false });
    await act('hide_person', { personId: astro.id, hidden: true });
    expect((await people()).find((p) => p.id === astro.id)).toMatchObject({ hidden: true, visible: 0 });
    await act('hide_person', { personId: astro.id, hidden: false });
    expect((await people()).find((p) => p.id === astro.id)).toMatchObject({ hidden: false, visible: 1 });
  });

  it('organizes albums by place and by person (preview first), and the context actions answer', async () => {
    const preview = await h.preview('organize_photos', { entryIds: [], params: { by: 'place' } });
    expect(preview.changes.map((c) => c.description).sort()).toEqual(['Photos in New York, United States: 1 photos', 'Photos in Paris, France: 3 photos']);
    expect(await h.invoke('collections.list', {})).toEqual([]);
    await act('organize_photos', { by: 'place' });
    await act('organize_photos', { by: 'person' });
    await act('organize_photos', { by: 'place' }); // again: same albums, no duplicates
    const cols = await h.invoke('collections.list', {});
    expect(cols.map((c) => [c.name, c.itemCount]).sort()).toEqual([['Photos in New York, United States', 1], ['Photos in Paris, France', 3], ['Photos of Grace Hopper', 3]]);
    const find = await h.preview('find_person', { entryIds: [entry('people/grace-nyc.jpg')] });
    expect(find.changes.map((c) => c.description)).toEqual(['Photos of Grace Hopper: 3 photos']);
    const map = await h.preview('show_on_map', { entryIds: [entry('people/grace-nyc.jpg'), entry('people/astronaut.png')] });
    expect(map.changes).toHaveLength(1);
    expect(map.changes[0]!.data).toMatchObject({ latitude: 40.7128, longitude: -74.006 });
  });

  it('turning face recognition off deletes every face and person, and keeps places', async () => {
    await h.restartPlugin({ settings: { face_recognition: false } });
    const run = await h.runJob('analyze_photos', {});
    expect(run.done).toBe(true);
    expect(await people()).toEqual([]);
    const recs = await modelsOf(h, 'PhotoAnalysis');
    for (const r of recs) {
      expect((r.data as unknown as Analysis).faces).toEqual([]);
      expect(r.blobFields).not.toContain('embeddings');
    }
    expect((await modelsOf(h, 'Place')).length).toBe(2);
    await h.restartPlugin({ settings: { face_recognition: true } });
  });

  it('reset removes every model and collection Photos created', async () => {
    const preview = await h.preview('reset', { entryIds: [] });
    expect(preview.changes.length).toBeGreaterThan(5);
    await act('reset', {});
    for (const type of ['PhotoAnalysis', 'Person', 'Place', 'Album', 'Moment']) expect(await modelsOf(h, type)).toEqual([]);
    expect(await h.invoke('collections.list', {})).toEqual([]);
  });
});

describe('Photos: a host task failing for its photo alone', () => {
  let lib: PhotoLibrary;
  afterAll(async () => {
    await lib?.h.close();
  });

  it('is recorded on that photo at once (NOT_SUPPORTED, VALIDATION), and the run completes', async () => {
    const photos = [
      ...standardPhotos().filter((p) => p.label === 'grace-paris' || p.label === 'chelsea'),
      { ...standardPhotos().find((p) => p.label === 'page')!, faces: { error: { code: 'NOT_SUPPORTED', message: 'Cannot decode the image: premature end of JPEG' } } },
      { ...standardPhotos().find((p) => p.label === 'coffee')!, faces: { error: { code: 'VALIDATION', message: 'The image is over the pixel limit.' } } },
    ];
    lib = await startPhotos(extensionDir, photos);
    const run = await lib.h.runJob('analyze_photos', {});
    expect(run.done).toBe(true);
    const a = new Map((await modelsOf(lib.h, 'PhotoAnalysis')).map((m) => [m.contentId!, m.data as unknown as Analysis]));
    expect(a.get(lib.content('page'))).toMatchObject({ status: 'error', error: 'face detection failed: Cannot decode the image: premature end of JPEG', facesDone: false });
    expect(a.get(lib.content('coffee'))).toMatchObject({ status: 'error', error: 'face detection failed: The image is over the pixel limit.' });
    expect(a.get(lib.content('grace-paris'))).toMatchObject({ status: 'ok', facesDone: true, faceCount: 1 });
    expect(a.get(lib.content('chelsea'))).toMatchObject({ status: 'ok', facesDone: true, faceCount: 0 });
    // Asked once each (not retried), and not asked again by the next run.
    expect(lib.calls.filter((c) => c === `detect:${lib.entry('docs/page.png')}`)).toHaveLength(1);
    await lib.h.runJob('analyze_photos', {});
    expect(lib.calls.filter((c) => c.startsWith('detect:'))).toHaveLength(4);
  }, 120_000);
});

describe('Photos: #person tags follow a rename and a reset, and the user\'s own tags stay', () => {
  let lib: PhotoLibrary;
  afterAll(async () => {
    await lib?.h.close();
  });

  it('a rename moves the tag, reset removes what Photos applied, and a tag the user applied survives both', async () => {
    const photos = standardPhotos().filter((p) => p.label.startsWith('grace') || p.label === 'astronaut');
    lib = await startPhotos(extensionDir, photos);
    const h = lib.h;
    await h.runJob('analyze_photos', {});
    const grace = (await modelsOf(h, 'Person'))[0]!;
    // The user tagged one photo #person:Grace themselves first.
    const userTag = await h.invoke('tags.create', { name: '#person:Grace' });
    await h.invoke('tags.apply', { tagId: userTag.id, entryIds: [lib.entry('people/grace-nyc.jpg')], scope: 'content' });
    const tagsOf = async (p: string) => (await h.invoke('entries.get', { entryId: lib.entry(p) })).tags.map((t) => `${t.name} ${t.source}`).sort();
    const gracePhotos = ['people/grace-paris.jpg', 'backup/grace-paris-copy.jpg', 'people/grace-paris-2.jpg'];

    await h.execute('name_person', { entryIds: [], params: { personId: grace.id, name: 'Grace' } });
    for (const p of gracePhotos) expect(await tagsOf(p), p).toEqual(['#person:Grace extension']);
    expect(await tagsOf('people/grace-nyc.jpg')).toEqual(['#person:Grace user']);

    await h.execute('name_person', { entryIds: [], params: { personId: grace.id, name: 'Grace Hopper' } });
    for (const p of gracePhotos) expect(await tagsOf(p), p).toEqual(['#person:Grace Hopper extension']);
    expect(await tagsOf('people/grace-nyc.jpg')).toEqual(['#person:Grace Hopper extension', '#person:Grace user']);
    expect(await tagsOf('people/astronaut.png')).toEqual([]);

    // Faces that change person take the new person's tag and lose the old one's: a new person "Astro" for the
    // astronaut, merged into Grace Hopper, un-merged, then the face assigned to another new person.
    const astronautFace = `${lib.content('astronaut')}:0`;
    const personNamed = async (name: string) => (await modelsOf(h, 'Person')).find((m) => (m.data as { name: string; active: boolean }).name === name && (m.data as { active: boolean }).active)!;
    await h.execute('assign_faces', { entryIds: [], params: { faceIds: [astronautFace], personId: '', name: 'Astro' } });
    expect(await tagsOf('people/astronaut.png')).toEqual(['#person:Astro extension']);
    const astro = await personNamed('Astro');
    await h.execute('merge_people', { entryIds: [], params: { personId: grace.id, otherId: astro.id } });
    expect(await tagsOf('people/astronaut.png')).toEqual(['#person:Grace Hopper extension']);
    await h.execute('unmerge_person', { entryIds: [], params: { personId: astro.id } });
    expect(await tagsOf('people/astronaut.png')).toEqual(['#person:Astro extension']);
    for (const p of gracePhotos) expect(await tagsOf(p), p).toEqual(['#person:Grace Hopper extension']);
    // A second new person for the same face is a new person: Astro keeps its record, the photo its new tag only.
    await h.execute('assign_faces', { entryIds: [], params: { faceIds: [astronautFace], personId: '', name: 'Spaceman' } });
    expect(await tagsOf('people/astronaut.png')).toEqual(['#person:Spaceman extension']);
    expect((await modelsOf(h, 'Person')).find((m) => m.id === astro.id)!.data).toMatchObject({ name: 'Astro', faceIds: [] });

    const preview = await h.preview('reset', { entryIds: [] });
    expect(preview.changes.map((c) => c.description)).toContain('remove the #person: tags Photos put on photos (tags you added yourself stay)');
    await h.execute('reset', { entryIds: [], params: {} });
    for (const p of [...gracePhotos, 'people/astronaut.png']) expect(await tagsOf(p), p).toEqual([]);
    expect(await tagsOf('people/grace-nyc.jpg')).toEqual(['#person:Grace user']);
    expect(await modelsOf(h, 'Person')).toEqual([]);
  }, 120_000);
});

describe('Photos: kill-and-resume, auto-analyse hook', () => {
  it('stops mid-job, resumes from the checkpoint (the tasks it asked for), and creates no duplicates', async () => {
    const photos = standardPhotos().filter((p) => p.label !== 'page');
    const { h } = await startPhotos(extensionDir, photos, { batch_size: 2 });
    try {
      const first = await h.runJob('analyze_photos', {}, { stopAfterSteps: 3 });
      expect(first.done).toBe(false);
      const partial = (await modelsOf(h, 'PhotoAnalysis')).length;
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(7);
      const rest = await h.runJob('analyze_photos', {}, { from: first });
      expect(rest.done).toBe(true);
      const all = await modelsOf(h, 'PhotoAnalysis');
      expect(all).toHaveLength(7);
      expect(new Set(all.map((m) => m.contentId)).size).toBe(7);
      expect(all.every((m) => (m.data as unknown as Analysis).facesDone || (m.data as unknown as Analysis).status === 'error')).toBe(true);
      expect(await modelsOf(h, 'Person')).toHaveLength(1);
      expect(await modelsOf(h, 'Place')).toHaveLength(2);
      // An interrupted step checkpoints without working, and the job goes on from there.
      const paused = await h.runJob('analyze_photos', { retryErrors: true }, { interruptAtStep: 0, maxSteps: 1 });
      expect(paused.done).toBe(false);
      expect(paused.completedTasks.length).toBe(0);
    } finally {
      await h.close();
    }
  }, 180_000);

  it('a new run after a stopped one finishes the photos left half-analysed', async () => {
    const photos = standardPhotos().filter((p) => p.label !== 'page');
    const { h } = await startPhotos(extensionDir, photos, { batch_size: 2 });
    try {
      await h.runJob('analyze_photos', {}, { stopAfterSteps: 2 });
      const run = await h.runJob('analyze_photos', {});
      expect(run.done).toBe(true);
      const all = await modelsOf(h, 'PhotoAnalysis');
      expect(all).toHaveLength(7);
      expect(all.filter((m) => (m.data as unknown as Analysis).status === 'ok').every((m) => (m.data as unknown as Analysis).facesDone)).toBe(true);
      expect(await modelsOf(h, 'Person')).toHaveLength(1);
    } finally {
      await h.close();
    }
  }, 180_000);

  it('content.onDidIdentify with auto_analyse queues analyze_photos for the batch\'s photos alone (jobs.start)', async () => {
    const photos = standardPhotos().filter((p) => p.label !== 'page');
    const { h, content, entry } = await startPhotos(extensionDir, photos, { min_faces: 1 });
    try {
      const chosen = ['grace-paris', 'astronaut', 'chelsea'].map((label) => photos.find((p) => p.label === label)!);
      const items = chosen.map((p) => ({ contentId: content(p.label), entryId: entry(p.path) }));
      const off = await h.hook<{ queued: number }>('content.onDidIdentify', items);
      expect(off).toMatchObject({ autoAnalyse: false, queued: 0 });
      expect(h.events.filter((e) => e.method === 'job.start')).toEqual([]);
      await h.restartPlugin({ settings: { auto_analyse: true } });
      // An item without a readable copy is left out.
      const on = await h.hook<{ queued: number }>('content.onDidIdentify', [...items, { contentId: content('chelsea') }]);
      expect(on).toMatchObject({ autoAnalyse: true, queued: 3 });
      const started = h.events.filter((e) => e.method === 'job.start');
      expect(started).toHaveLength(1);
      const payload = started[0]!.payload as { job: string; input: { items: unknown[] } };
      expect(payload.job).toBe('analyze_photos');
      expect(payload.input.items).toEqual(items);
      expect(await modelsOf(h, 'PhotoAnalysis')).toEqual([]);
      // The queued job analyses those photos and no others.
      const run = await h.runJob('analyze_photos', payload.input);
      expect(run.done).toBe(true);
      const all = await modelsOf(h, 'PhotoAnalysis');
      expect(all.map((m) => m.contentId).sort()).toEqual(items.map((i) => i.contentId).sort());
      const grace = all.find((m) => m.contentId === content('grace-paris'))!.data as unknown as Analysis;
      expect(grace).toMatchObject({ hasGps: true, faceCount: 1 });
    } finally {
      await h.close();
    }
  }, 180_000);
});
