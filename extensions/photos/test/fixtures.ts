// Fixture library for the Photos tests: real images from /work/shared/fixtures/images (copies with GPS and a
// capture date written by piexifjs), their EXIF read the way the indexer does (readExif → media_data), and
// the harness's answers to the host tasks host:ai.detectFaces / host:ai.embed / host:places.reverseGeocode
// from fixture data (8-d embeddings, so the clustering logic is tested with known distances). The real AI and
// geocoder are exercised by photos.integration.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { jpegWithGpsBytes, type GpsPoint } from './exif-gps.js';
import { ExtensionHarness, type FixtureFile, type HostTaskHandler } from '../../../sdk/tooling/harness/extension-harness.js';

export const IMAGES = process.env['CAIRN_FIXTURE_IMAGES'] ?? '/work/shared/fixtures/images';
export const PARIS = { latitude: 48.8566, longitude: 2.3522 };
export const NEW_YORK = { latitude: 40.7128, longitude: -74.006 };

/** A copy of a fixture JPEG with GPS and DateTimeOriginal written into its EXIF. */
export function jpegWithGps(file: string, gps: GpsPoint, date: string): Buffer {
  return jpegWithGpsBytes(fs.readFileSync(path.join(IMAGES, file)), gps, date);
}

export interface PhotoFixture {
  path: string;
  /** Content label: files with the same label are the same bytes (one content). */
  label: string;
  bytes: Buffer;
  /** Face detector answer for this content (faces, or an error the host task throws). */
  faces?: FaceAnswer;
  /** Keep no media_data row (as for a file whose metadata could not be read at all). */
  noExif?: boolean;
  /** Override the pixel size recorded in media_data (a "100-megapixel" image). */
  size?: { width: number; height: number };
}

/** An embedding near `base`: deterministic small perturbation per shot. */
export function embedding(base: number[], shot: number): number[] {
  return base.map((x, k) => x + 0.04 * Math.sin(k * 13 + shot * 29));
}
export const GRACE = [1, 0.2, 0, 0.1, 0, 0, 0.3, 0];
export const ASTRONAUT = [0, 0.1, 1, 0, 0.2, 0.4, 0, 0];

export interface FixtureFace { box: { x: number; y: number; w: number; h: number }; score: number; embedding: number[] }
export type FaceAnswer = { ok: FixtureFace[] } | { error: { code: string; message: string } };

export function face(base: number[], shot: number, box = { x: 100, y: 80, w: 200, h: 220 }, score = 0.98): FixtureFace {
  return { box, score, embedding: embedding(base, shot) };
}

/** The standard library: four Grace Hopper photos (one at two paths), the astronaut, a cat, coffee, a page, a huge image. */
export function standardPhotos(): PhotoFixture[] {
  const gracePath = 'grace_hopper_512x512.jpg';
  return [
    { path: 'people/grace-paris.jpg', label: 'grace-paris', bytes: jpegWithGps(gracePath, PARIS, '2024:05:01 10:00:00'), faces: { ok: [face(GRACE, 1)] } },
    { path: 'backup/grace-paris-copy.jpg', label: 'grace-paris', bytes: jpegWithGps(gracePath, PARIS, '2024:05:01 10:00:00') },
    { path: 'people/grace-paris-2.jpg', label: 'grace-paris-2', bytes: jpegWithGps(gracePath, PARIS, '2024:05:02 09:00:00'), faces: { ok: [face(GRACE, 2)] } },
    { path: 'people/grace-nyc.jpg', label: 'grace-nyc', bytes: jpegWithGps(gracePath, NEW_YORK, '2023:11:20 15:30:00'), faces: { ok: [face(GRACE, 3), face(GRACE, 4, { x: 5, y: 5, w: 20, h: 20 }, 0.2)] } },
    { path: 'people/astronaut.png', label: 'astronaut', bytes: fs.readFileSync(path.join(IMAGES, 'astronaut.png')), faces: { ok: [face(ASTRONAUT, 1)] }, noExif: true },
    { path: 'pets/chelsea.png', label: 'chelsea', bytes: fs.readFileSync(path.join(IMAGES, 'chelsea.png')), faces: { ok: [] } },
    { path: 'food/coffee.png', label: 'coffee', bytes: fs.readFileSync(path.join(IMAGES, 'coffee.png')), faces: { ok: [] } },
    { path: 'docs/page.png', label: 'page', bytes: fs.readFileSync(path.join(IMAGES, 'page.png')), faces: { error: { code: 'INTERNAL', message: 'decoder crashed: unsupported PNG chunk' } } },
    { path: 'huge/panorama.jpg', label: 'panorama', bytes: jpegWithGps(gracePath, PARIS, '2024:05:03 12:00:00'), faces: { ok: [face(GRACE, 5)] }, size: { width: 12_000, height: 9_000 } },
  ];
}

/** A started Photos library: the harness plus the ids the indexer gave each fixture. */
export interface PhotoLibrary {
  h: ExtensionHarness;
  /** Content id of a fixture label. */
  content(label: string): string;
  /** Entry id of a fixture path. */
  entry(path: string): string;
  /** Host tasks answered so far (`detect:<entryId>`, `embed:<entryId>:<i>`, `place:<lat>,<lon>`). */
  calls: string[];
}

/** An error as the core's registry reports it (what a failed host task throws). */
function hostError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * Answers to the host tasks, in the contract's shapes (src-shared/contract/ai.ts), from fixture data:
 * `ai.detectFaces {entryId, minScore}` (the detector's minScore filter included), `ai.embed {entryId,
 * faceIndex}`, `places.reverseGeocode {lat, lon}` (Paris and New York; elsewhere null). `calls` counts them.
 */
export function hostTasksFor(labelOfEntry: (entryId: string) => string | undefined, photos: PhotoFixture[], calls: string[] = []): Record<string, HostTaskHandler> {
  const facesOf = (entryId: unknown): FixtureFace[] => {
    const label = labelOfEntry(String(entryId));
    const answer = photos.find((p) => p.label === label && p.faces)?.faces;
    if (!answer) throw hostError('NOT_SUPPORTED', 'not an image');
    if ('error' in answer) throw hostError(answer.error.code, answer.error.message);
    return answer.ok;
  };
  return {
    'ai.detectFaces': (input) => {
      calls.push(`detect:${String(input.entryId)}`);
      const minScore = typeof input.minScore === 'number' ? input.minScore : 0.5;
      const faces = facesOf(input.entryId).map((f, index) => ({ index, box: f.box, landmarks: [], score: f.score, crop: null })).filter((f) => f.score >= minScore);
      return { entryId: input.entryId, contentId: null, width: 512, height: 512, faces, embeddingsStored: true, model: 'fixture' };
    },
    'ai.embed': (input) => {
      calls.push(`embed:${String(input.entryId)}:${String(input.faceIndex)}`);
      const f = facesOf(input.entryId)[Number(input.faceIndex)];
      if (!f) throw hostError('NOT_FOUND', `no face ${String(input.faceIndex)}`);
      return { vector: f.embedding, dim: f.embedding.length, model: 'fixture', fromCache: true };
    },
    'places.reverseGeocode': (input) => {
      calls.push(`place:${String(input.lat)},${String(input.lon)}`);
      const at = (p: { latitude: number; longitude: number }) => input.lat === p.latitude && input.lon === p.longitude;
      const place = (city: string, region: string, country: string, countryCode: string, p: { latitude: number; longitude: number }) =>
        ({ city, region, regionCode: null, country, countryCode, distanceKm: 0, population: 1, lat: p.latitude, lon: p.longitude });
      if (at(PARIS)) return place('Paris', 'Île-de-France', 'France', 'FR', PARIS);
      if (at(NEW_YORK)) return place('New York', 'New York', 'United States', 'US', NEW_YORK);
      return null;
    },
  };
}

async function jobsSettled(h: ExtensionHarness): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const busy = await h.invoke('jobs.list', { status: ['queued', 'running'] });
    if (busy.length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the indexer did not finish');
}

/**
 * Starts the harness on `photos` and indexes them for real: the files get the real bytes, the indexer hashes
 * them (same bytes = one content) and reads their EXIF into media_data (positions rounded to 4 decimals, and
 * the panorama given 108 megapixels); host tasks are answered by `hostTasksFor` (their calls land in `calls`).
 */
export async function startPhotos(extensionDir: string, photos: PhotoFixture[], settings: Record<string, unknown> = {}): Promise<PhotoLibrary> {
  const files: FixtureFile[] = photos.map((p) => ({ path: p.path, content: p.label, kind: 'image' }));
  const h = await ExtensionHarness.start({ extensionDir, files, settings });
  try {
    await jobsSettled(h);
    for (const p of photos) fs.writeFileSync(path.join(h.locationDir, ...p.path.split('/')), p.bytes);
    await h.invoke('indexer.run', { locationId: h.locationId, full: true });
    await jobsSettled(h);
    const byPath = new Map<string, { id: string; contentId: string | null }>();
    for (let offset = 0; ; offset += 1000) {
      const page = await h.invoke('entries.list', { offset, limit: 1000, sort: 'name', descending: false });
      for (const e of page.items) byPath.set(e.relPath, { id: e.id, contentId: e.contentId });
      if (page.items.length < 1000) break;
    }
    const labels = new Map<string, string>();
    for (const p of photos) {
      const e = byPath.get(p.path);
      if (!e?.contentId) throw new Error(`fixture ${p.path} was not indexed`);
      labels.set(p.label, e.contentId);
    }
    const content = (label: string) => labels.get(label)!;
    const lib = await h.core.libraries.get(h.libraryId);
    for (const p of photos) {
      const id = content(p.label);
      lib.raw.prepare('UPDATE media_data SET latitude = round(latitude, 4), longitude = round(longitude, 4) WHERE content_uuid = ?').run(id);
      if (p.size) lib.raw.prepare('UPDATE media_data SET width = ?, height = ? WHERE content_uuid = ?').run(p.size.width, p.size.height, id);
      if (p.noExif) lib.raw.prepare('DELETE FROM media_data WHERE content_uuid = ?').run(id);
    }
    const labelOfEntry = new Map<string, string>();
    for (const p of photos) labelOfEntry.set(byPath.get(p.path)!.id, p.label);
    const calls: string[] = [];
    h.hostTasks = hostTasksFor((id) => labelOfEntry.get(id), photos, calls);
    return { h, content, entry: (p: string) => byPath.get(p)!.id, calls };
  } catch (error) {
    await h.close();
    throw error;
  }
}

/** This extension's models of a type, as the extension sees them. */
export async function modelsOf(h: ExtensionHarness, type: string, include: 'inline' | 'all' = 'inline') {
  return (await h.invokeAsExtension('models.query', { type, include, offset: 0, limit: 1000 })).items;
}
