import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CairnCore } from '../../src-main/core/cairn-core.js';
import type { Library } from '../../src-main/core/library/library.js';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { seedEntries } from '../../src-main/core/testing/seed-entries.js';
import { startTestCore, userCtx } from '../../src-main/core/testing/test-core.js';
import { runHostTask } from './host-tasks.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures/images');
const EXT = 'com.example.faces';

let core: CairnCore;
let dispose: () => Promise<void>;
let lib: Library;
let granted: { dir: string; cleanup: () => void };
let other: { dir: string; cleanup: () => void };
let inScope: string;
let outOfScope: string;

function install(grantUseModel: boolean): void {
  const manifest = {
    id: EXT,
    name: 'Faces',
    version: '1.0.0',
    publisher: 'Example',
    min_core_version: '0.1.0',
    permissions: [
      { type: 'ReadEntries', glob: '**/*.jpg', reason: 'Read your photos' },
      { type: 'UseModel', category: 'face_detection', preference: 'local', reason: 'Find faces on this device' },
    ],
  };
  const locationId = (lib.raw.prepare('SELECT id FROM locations WHERE path = ?').get(granted.dir) as { id: string }).id;
  lib.raw.prepare('DELETE FROM extension_installs WHERE id = ?').run(EXT);
  lib.raw
    .prepare("INSERT INTO extension_installs (id, version, manifest, package_sha256, installed_at, updated_at) VALUES (?, '1.0.0', ?, 'x', 'now', 'now')")
    .run(EXT, JSON.stringify(manifest));
  const grants = [
    { index: 0, type: 'ReadEntries', granted: true, scopes: [{ locationId, subpath: '' }] },
    { index: 1, type: 'UseModel', granted: grantUseModel, scopes: [] },
  ];
  lib.raw.prepare("INSERT INTO extension_grants (extension_id, grants, updated_at) VALUES (?, ?, 'now')").run(EXT, JSON.stringify(grants));
}

beforeAll(async () => {
  ({ core, dispose } = await startTestCore());
  granted = makeTempDir('cairn-granted');
  other = makeTempDir('cairn-other');
  const [summary] = await core.registry.call('library.list', {}, userCtx);
  lib = await core.libraries.get(summary!.id);
  const a = await core.registry.call('locations.add', { libraryId: lib.id, path: granted.dir }, userCtx);
  const b = await core.registry.call('locations.add', { libraryId: lib.id, path: other.dir }, userCtx);
  for (const dir of [granted.dir, other.dir]) fs.copyFileSync(path.join(FIXTURES, 'grace_hopper_512x512.jpg'), path.join(dir, 'grace.jpg'));
  inScope = seedEntries(lib, a.id, [{ relPath: 'grace.jpg', content: 'G1', fileKind: 'image' }]).entryIds.get('grace.jpg')!;
  outOfScope = seedEntries(lib, b.id, [{ relPath: 'grace.jpg', content: 'G2', fileKind: 'image' }]).entryIds.get('grace.jpg')!;
});
afterAll(async () => {
  await dispose();
  granted.cleanup();
  other.cleanup();
});

describe('host tasks for extension jobs', () => {
  it('refuses operations that are not host tasks, and models the user did not grant', async () => {
    install(false);
    await expect(runHostTask(core, lib, EXT, 'host:library.delete', {})).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/not a host task/) });
    await expect(runHostTask(core, lib, EXT, 'host:ai.detectFaces', { entryId: inScope })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      message: expect.stringMatching(/UseModel\(face_detection\).*not granted/),
    });
    const trail = fs.readFileSync(path.join(lib.path, 'logs', 'extension', EXT, 'trail.jsonl'), 'utf8');
    expect(trail).toMatch(/UseModel/);
  });

  it('checks the entry against the granted folders, then runs the operation as the extension', async () => {
    install(true);
    await expect(runHostTask(core, lib, EXT, 'host:ai.detectFaces', { entryId: outOfScope })).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/outside the folders/) });
    const faces = (await runHostTask(core, lib, EXT, 'host:ai.detectFaces', { entryId: inScope })) as { faces: unknown[] };
    expect(faces.faces).toHaveLength(1);
  }, 120_000);

  it('runs places.reverseGeocode without a model permission', async () => {
    install(false);
    const place = (await runHostTask(core, lib, EXT, 'host:places.reverseGeocode', { lat: 48.8584, lon: 2.2945 })) as { city: string } | null;
    expect(place?.city).toBe('Paris');
  });

  it('does nothing for an extension that is not active', async () => {
    install(true);
    lib.raw.prepare('UPDATE extension_installs SET enabled = 0 WHERE id = ?').run(EXT);
    await expect(runHostTask(core, lib, EXT, 'host:places.reverseGeocode', { lat: 0, lon: 0 })).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/disabled/) });
  });
});
