/**
 * Fills a Cairn home with a realistic library for developing and testing the explorer:
 *
 * - "Pictures": real photos (fixture images and edited variants of them) with WebP thumbnails, camera data
 *   and GPS for some, copies of the same photos in several folders (so Duplicates has groups).
 * - "Documents": nested project folders, music, videos, code, and `Archive/Scans` with 20,000 entries
 *   (only in the database: no files are written for those).
 *
 * Usage: `npx tsx scripts/dev-seed.ts <CAIRN_HOME> [--scans N]`, then `CAIRN_HOME=<dir> node bin/cairn.js serve`.
 * The e2e tests import {@link seedDevHome}.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { CairnCore } from '../src-main/core/cairn-core.js';
import type { Library } from '../src-main/core/library/library.js';
import { generateThumbnail } from '../src-main/core/media/thumbnails.js';
import { seedEntries, type SeedFile } from '../src-main/core/testing/seed-entries.js';
import { testShellHandlers } from '../src-main/core/testing/test-core.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/fixtures/images');

export interface DevSeedOptions {
  /** Number of entries in Documents/Archive/Scans (default 20,000). */
  scans?: number;
}

export interface DevSeedResult {
  home: string;
  libraryId: string;
  pictures: { locationId: string; path: string };
  documents: { locationId: string; path: string };
  /** Entries in the big folder, and the name of its last entry (by name). */
  scans: { count: number; folder: string; lastName: string };
}

interface Photo {
  /** Label shared by all copies of the same bytes. */
  key: string;
  file: string;
  buffer: Buffer;
  width: number;
  height: number;
  camera?: [string, string];
  gps?: [number, number];
  capturedAt?: string;
}

const DAY = 86_400_000;
const BASE_TIME = Date.UTC(2024, 5, 1, 10, 0, 0);

/** The photo set: each fixture image as it is, plus a few edits of it, encoded as JPEG. */
async function makePhotos(): Promise<Photo[]> {
  const sources = ['astronaut.png', 'coffee.png', 'chelsea.png', 'grace_hopper_512x512.jpg', 'camera.png'];
  const edits: { suffix: string; apply: (s: sharp.Sharp) => sharp.Sharp }[] = [
    { suffix: '', apply: (s) => s },
    { suffix: '-mirrored', apply: (s) => s.flop() },
    { suffix: '-warm', apply: (s) => s.modulate({ brightness: 1.05, saturation: 1.4, hue: 15 }) },
    { suffix: '-crop', apply: (s) => s.resize({ width: 360, height: 270, fit: 'cover', position: 'attention' }) },
  ];
  const cameras: [string, string][] = [
    ['Canon', 'EOS R6'],
    ['FUJIFILM', 'X-T4'],
    ['Apple', 'iPhone 13 mini'],
    ['NIKON CORPORATION', 'NIKON Z 6'],
  ];
  const places: [number, number][] = [
    [48.8584, 2.2945],
    [37.8199, -122.4783],
    [-33.8568, 151.2153],
    [35.6586, 139.7454],
  ];
  const photos: Photo[] = [];
  let i = 0;
  for (const source of sources) {
    const base = source.replace(/\.[a-z]+$/, '').replace(/_512x512$/, '').replace(/_/g, '-');
    for (const edit of edits) {
      const { data, info } = await edit
        .apply(sharp(path.join(FIXTURES, source)))
        .jpeg({ quality: 82 })
        .toBuffer({ resolveWithObject: true });
      photos.push({
        key: `photo:${base}${edit.suffix}`,
        file: `${base}${edit.suffix}.jpg`,
        buffer: data,
        width: info.width,
        height: info.height,
        camera: i % 5 === 4 ? undefined : cameras[i % cameras.length],
        gps: i % 3 === 0 ? places[(i / 3) % places.length] : undefined,
        capturedAt: new Date(BASE_TIME - i * 9 * DAY).toISOString(),
      });
      i++;
    }
  }
  return photos;
}

/** Inserts a thumbnail sidecar row and media data for a content identity. */
async function attachMedia(lib: Library, contentId: string, photo: Photo, deviceId: string) {
  const thumb = await generateThumbnail(photo.buffer, lib.path, contentId);
  if (!thumb.ok) throw new Error(`thumbnail for ${photo.file}: ${thumb.error.message}`);
  const relPath = path.relative(path.join(lib.path, 'sidecars'), thumb.value.path).split(path.sep).join('/');
  const now = new Date().toISOString();
  lib.raw
    .prepare(`INSERT OR IGNORE INTO sidecars (content_uuid, kind, variant, rel_path, format, size, created_at) VALUES (?, 'thumb', '', ?, 'webp', ?, ?)`)
    .run(contentId, relPath, fs.statSync(thumb.value.path).size, now);
  lib.raw
    .prepare(
      `INSERT OR REPLACE INTO media_data (content_uuid, captured_at, captured_at_raw, camera_make, camera_model, width, height, orientation, latitude, longitude, altitude, extracted_at, hlc, device_id)
       VALUES (?, ?, NULL, ?, ?, ?, ?, 1, ?, ?, NULL, ?, ?, ?)`,
    )
    .run(contentId, photo.capturedAt ?? null, photo.camera?.[0] ?? null, photo.camera?.[1] ?? null, photo.width, photo.height, photo.gps?.[0] ?? null, photo.gps?.[1] ?? null, now, `0-${deviceId}`, deviceId);
}

/**
 * Adds a location row directly, marked as already indexed. `locations.add` would enqueue a first index,
 * and indexing these folders would replace the seeded entries with what is really on disk (almost nothing
 * for Documents), so the seed stands in for that index instead.
 */
function addSeededLocation(lib: Library, folder: string, name: string, deviceId: string): { id: string; path: string } {
  fs.mkdirSync(folder, { recursive: true });
  const id = randomUUID();
  const canonical = fs.realpathSync(folder);
  const settings = JSON.stringify({ index: { lastFullAt: Date.now() } });
  lib.raw
    .prepare('INSERT INTO locations (id, path, name, added_at, device_id, settings) VALUES (?, ?, ?, ?, ?, ?)')
    .run(id, canonical, name, new Date().toISOString(), deviceId, settings);
  return { id, path: canonical };
}

/** Plausible documents, music, videos and code in nested folders (about 300 entries). */
function documentFiles(): SeedFile[] {
  const files: SeedFile[] = [];
  const add = (relPath: string, fileKind: string, size: number, daysAgo: number, content?: string) =>
    files.push({ relPath, fileKind, size, modifiedAt: BASE_TIME - daysAgo * DAY, content: content ?? `doc:${relPath}` });
  const projects = ['Garden shed', 'Kitchen renovation', 'Tax 2023', 'Trip to Lisbon', 'Thesis'];
  projects.forEach((project, p) => {
    add(`Projects/${project}/notes.md`, 'text', 3_400 + p * 210, p * 3 + 1);
    add(`Projects/${project}/budget.xlsx`, 'document', 48_000 + p * 3_100, p * 3 + 2);
    add(`Projects/${project}/plan.pdf`, 'document', 820_000 + p * 91_000, p * 5 + 4);
    for (let d = 1; d <= 6; d++) add(`Projects/${project}/Drafts/draft-${d}.docx`, 'document', 22_000 + d * 1_700, 30 + d * 2 + p);
    add(`Projects/${project}/Drafts/Old/draft-0.docx`, 'document', 19_000, 120 + p);
  });
  // The same contract saved in three places: a non-photo duplicate group.
  for (const where of ['Projects/Kitchen renovation', 'Inbox', 'Projects/Tax 2023/Receipts']) {
    add(`${where}/contract-signed.pdf`, 'document', 1_250_000, 40, 'doc:contract-signed');
  }
  const artists = ['Nina Simone', 'Miles Davis', 'Radiohead'];
  artists.forEach((artist, a) => {
    for (let t = 1; t <= 10; t++) add(`Music/${artist}/Album ${a + 1}/${String(t).padStart(2, '0')} Track ${t}.flac`, 'audio', 24_000_000 + t * 900_000, 400 + t);
  });
  for (let v = 1; v <= 8; v++) add(`Videos/clip-${String(v).padStart(3, '0')}.mp4`, 'video', 180_000_000 + v * 31_000_000, v * 11);
  for (const [name, kind, size] of [
    ['src/index.ts', 'code', 2_100],
    ['src/app.tsx', 'code', 5_600],
    ['src/styles.css', 'code', 1_900],
    ['package.json', 'code', 900],
    ['README.md', 'text', 4_200],
    ['build/app.tar.gz', 'archive', 3_900_000],
    ['bin/tool', 'executable', 1_400_000],
    ['assets/Inter.woff2', 'font', 98_000],
  ] as const) {
    add(`Code/website/${name}`, kind, size, 12);
  }
  add('Inbox/scan-receipt.png', 'image', 380_000, 2);
  add('Inbox/unknown.bin', 'unknown', 12_000, 3);
  add('Inbox/meeting-notes.txt', 'text', 2_000, 1);
  return files;
}

/**
 * Creates (or reuses) the home's default library, adds the two locations and seeds them.
 * Returns the ids the tests need.
 */
export async function seedDevHome(home: string, options: DevSeedOptions = {}): Promise<DevSeedResult> {
  const scanCount = options.scans ?? 20_000;
  fs.mkdirSync(home, { recursive: true });
  const core = await CairnCore.start({ homeDir: home, shell: testShellHandlers, watch: false });
  try {
    const lib = await core.libraries.ensureDefault();
    if (!lib) throw new Error(`No usable library in ${home}`);
    const deviceId = core.home.deviceId;
    const root = path.join(home, 'folders');
    const picturesDir = path.join(root, 'Pictures');
    const documentsDir = path.join(root, 'Documents');

    // Pictures: real files on disk, with copies in several folders.
    const photos = await makePhotos();
    const pictureFiles: SeedFile[] = [];
    const placeFile = (relPath: string, photo: Photo, daysAgo: number) => {
      const abs = path.join(picturesDir, relPath);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, photo.buffer);
      pictureFiles.push({ relPath, content: photo.key, size: photo.buffer.length, fileKind: 'image', modifiedAt: BASE_TIME - daysAgo * DAY });
    };
    photos.forEach((photo, i) => placeFile(photo.file, photo, i));
    photos.slice(0, 8).forEach((photo, i) => placeFile(`Holidays 2023/${photo.file}`, photo, 200 + i));
    photos.slice(4, 10).forEach((photo, i) => placeFile(`Holidays 2023/Best of/${photo.file}`, photo, 190 + i));
    photos.slice(0, 3).forEach((photo, i) => placeFile(`Backup/Phone/IMG_${1000 + i}.jpg`, photo, 300 + i));
    const screenshots: SeedFile[] = [];
    for (let s = 1; s <= 40; s++) {
      screenshots.push({ relPath: `Screenshots/Screenshot ${String(s).padStart(3, '0')}.png`, content: `shot:${s}`, size: 150_000 + s * 3_000, fileKind: 'image', modifiedAt: BASE_TIME - s * DAY });
    }

    const pictures = addSeededLocation(lib, picturesDir, 'Pictures', deviceId);
    const seededPictures = seedEntries(lib, pictures.id, [...pictureFiles, ...screenshots], deviceId);
    for (const photo of photos) {
      const contentId = seededPictures.contentIds.get(photo.key);
      if (contentId) await attachMedia(lib, contentId, photo, deviceId);
    }

    // Documents: nested folders and one very large folder; only the folders exist on disk.
    fs.mkdirSync(documentsDir, { recursive: true });
    const docs = documentFiles();
    const scanFolder = 'Archive/Scans';
    const kinds = [
      ['pdf', 'document'],
      ['jpg', 'image'],
      ['txt', 'text'],
    ] as const;
    for (let n = 1; n <= scanCount; n++) {
      const [ext, fileKind] = kinds[n % kinds.length]!;
      docs.push({ relPath: `${scanFolder}/scan-${String(n).padStart(6, '0')}.${ext}`, fileKind, size: 40_000 + ((n * 7919) % 900_000), modifiedAt: BASE_TIME - (n % 900) * DAY, content: `scan:${n}` });
    }
    const documents = addSeededLocation(lib, documentsDir, 'Documents', deviceId);
    seedEntries(lib, documents.id, docs, deviceId);
    // Folder sizes as the indexer would record them, so folders show a size.
    lib.raw
      .prepare(
        `UPDATE entries SET aggregate_size = (SELECT coalesce(sum(f.size), 0) FROM entries f WHERE f.kind = 'file' AND f.location_id = entries.location_id AND f.rel_path LIKE entries.rel_path || '/%') WHERE kind = 'dir'`,
      )
      .run();

    return {
      home,
      libraryId: lib.id,
      pictures: { locationId: pictures.id, path: pictures.path },
      documents: { locationId: documents.id, path: documents.path },
      scans: { count: scanCount, folder: scanFolder, lastName: `scan-${String(scanCount).padStart(6, '0')}.${kinds[scanCount % kinds.length]![0]}` },
    };
  } finally {
    await core.stop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const home = process.argv[2];
  if (!home) {
    console.error('usage: npx tsx scripts/dev-seed.ts <CAIRN_HOME> [--scans N]');
    process.exit(2);
  }
  const scansAt = process.argv.indexOf('--scans');
  const scans = scansAt > 0 ? Number(process.argv[scansAt + 1]) : undefined;
  const started = Date.now();
  const result = await seedDevHome(path.resolve(home), { scans });
  console.log(JSON.stringify(result, null, 2));
  console.log(`Seeded in ${Date.now() - started} ms. Run: CAIRN_HOME=${result.home} node bin/cairn.js serve`);
}
