import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Manifest, PermissionGrant } from '../../../src-shared/extensions/manifest.js';
import { Library } from '../../../src-main/core/library/library.js';
import { seedEntries } from '../../../src-main/core/testing/seed-entries.js';
import { makeTempDir } from '../../../src-main/core/testing/temp-dir.js';

export const EXT = 'com.example.photos';
export const OTHER_EXT = 'com.example.other';

/** A manifest for bridge tests: reads photos, writes models, tags and face crops. */
export function testManifest(overrides: Partial<Record<keyof Manifest, unknown>> = {}): Record<string, unknown> {
  return {
    id: EXT,
    name: 'Photos',
    version: '1.0.0',
    publisher: 'Cairn tests',
    min_core_version: '0.1.0',
    permissions: [
      { type: 'ReadEntries', glob: '**/*.{jpg,png}', reason: 'reads your photos' },
      { type: 'WriteModels', reason: 'stores analysis' },
      { type: 'WriteTags', reason: 'tags photos' },
      { type: 'ReadSidecars', kinds: ['thumb'], reason: 'reads thumbnails' },
      { type: 'WriteSidecars', kinds: ['face_crop'], reason: 'stores face crops' },
      { type: 'WriteCollections', reason: 'makes albums' },
    ],
    models: [
      { type: 'PhotoAnalysis', scope: 'content', blob_fields: ['embedding'] },
      { type: 'Album', scope: 'standalone' },
      { type: 'PathNote', scope: 'entry' },
    ],
    jobs: [{ name: 'analyze', parallelism: 2 }],
    tasks: [{ name: 'analyze_one', retries: 1, timeout_ms: 20_000 }],
    ...overrides,
  };
}

/**
 * A real library in a temp folder for bridge tests: two locations with real files on disk, a folder outside
 * both with a secret, a symlink inside location A that points at it, and an installed extension.
 *
 * Location A: photos/cat.jpg, photos/dog.png, photos/escape.jpg (a symlink to the outside secret), docs/cv.pdf.
 * Location B: b.jpg. Default grants: ReadEntries on A/photos, every other declared permission granted, sidecar
 * permissions on all of A.
 *
 * @example
 * const f = await makeBridgeFixture(); try { f.setGrants(f.defaultGrants()); … } finally { await f.cleanup(); }
 */
export async function makeBridgeFixture() {
  const tmp = makeTempDir('cairn-bridge');
  const libPath = path.join(tmp.dir, 'library');
  const lib = await Library.create(libPath, { name: 'Bridge tests' });
  const folderA = path.join(tmp.dir, 'a');
  const folderB = path.join(tmp.dir, 'b');
  const outside = path.join(tmp.dir, 'outside');
  for (const f of [folderA, folderB, outside, path.join(folderA, 'photos'), path.join(folderA, 'docs')]) fs.mkdirSync(f, { recursive: true });
  fs.writeFileSync(path.join(folderA, 'photos', 'cat.jpg'), 'cat bytes');
  fs.writeFileSync(path.join(folderA, 'photos', 'dog.png'), 'dog bytes');
  fs.writeFileSync(path.join(folderA, 'docs', 'cv.pdf'), 'cv bytes');
  fs.writeFileSync(path.join(folderB, 'b.jpg'), 'b bytes');
  fs.writeFileSync(path.join(outside, 'secret.jpg'), 'secret');
  fs.symlinkSync(path.join(outside, 'secret.jpg'), path.join(folderA, 'photos', 'escape.jpg'));

  const locA = randomUUID();
  const locB = randomUUID();
  const addLocation = lib.raw.prepare("INSERT INTO locations (id, path, name, added_at, device_id) VALUES (?, ?, ?, ?, 'test-device')");
  addLocation.run(locA, folderA, 'A', new Date().toISOString());
  addLocation.run(locB, folderB, 'B', new Date().toISOString());
  const a = seedEntries(lib, locA, [
    { relPath: 'photos/cat.jpg', content: 'cat bytes', fileKind: 'image' },
    { relPath: 'photos/dog.png', content: 'dog bytes', fileKind: 'image' },
    { relPath: 'photos/escape.jpg', content: 'secret', fileKind: 'image' },
    { relPath: 'docs/cv.pdf', content: 'cv bytes', fileKind: 'document' },
  ]);
  const b = seedEntries(lib, locB, [{ relPath: 'b.jpg', content: 'b bytes', fileKind: 'image' }]);

  const now = new Date().toISOString();
  const install = (id: string, manifest: Record<string, unknown>) => {
    lib.raw
      .prepare("INSERT INTO extension_installs (id, version, manifest, package_sha256, installed_at, updated_at) VALUES (?, '1.0.0', ?, 'test', ?, ?)")
      .run(id, JSON.stringify(manifest), now, now);
    lib.raw.prepare("INSERT INTO extension_grants (extension_id, grants, updated_at) VALUES (?, '[]', ?)").run(id, now);
  };
  install(EXT, testManifest());
  install(OTHER_EXT, testManifest({ id: OTHER_EXT }));

  const defaultGrants = (): PermissionGrant[] => [
    { index: 0, type: 'ReadEntries', granted: true, scopes: [{ locationId: locA, subpath: 'photos' }] },
    { index: 1, type: 'WriteModels', granted: true, scopes: [] },
    { index: 2, type: 'WriteTags', granted: true, scopes: [] },
    { index: 3, type: 'ReadSidecars', granted: true, scopes: [{ locationId: locA, subpath: '' }] },
    { index: 4, type: 'WriteSidecars', granted: true, scopes: [{ locationId: locA, subpath: '' }] },
    { index: 5, type: 'WriteCollections', granted: true, scopes: [] },
  ];
  /** Writes grants through the fixture's own connection (another connection than the bridge's). */
  const setGrants = (grants: PermissionGrant[], id = EXT) => {
    lib.raw.prepare('UPDATE extension_grants SET grants = ?, updated_at = ? WHERE extension_id = ?').run(JSON.stringify(grants), new Date().toISOString(), id);
  };
  setGrants(defaultGrants());
  setGrants(defaultGrants(), OTHER_EXT);

  return {
    lib,
    libPath,
    folderA,
    folderB,
    outside,
    locA,
    locB,
    entry: (rel: string) => a.entryIds.get(rel) ?? b.entryIds.get(rel)!,
    content: (label: string) => a.contentIds.get(label) ?? b.contentIds.get(label)!,
    defaultGrants,
    setGrants,
    cleanup: async () => {
      await lib.close();
      tmp.cleanup();
    },
  };
}

export type BridgeFixture = Awaited<ReturnType<typeof makeBridgeFixture>>;
