import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Library } from '../../src-main/core/library/library.js';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { GrantState } from '../permissions/grant-state.js';
import { ExtensionInstaller, extensionsDir, type ExtensionChange, type InstallStep } from './extension-installer.js';
import { settingsToConfig } from './extension-settings.js';
import { testKeys, testPackage } from './testing/package-fixture.js';

const ID = 'com.example.hello';
let lib: Library;
let tmp: { dir: string; cleanup: () => void };
let locationId: string;
let otherLocationId: string;
let changes: [string, ExtensionChange][];
let installer: ExtensionInstaller;

beforeEach(async () => {
  tmp = makeTempDir('cairn-ext-lib');
  lib = await Library.create(path.join(tmp.dir, 'lib'), { name: 'Test' });
  locationId = addLocation('Photos');
  otherLocationId = addLocation('Documents');
  changes = [];
  installer = new ExtensionInstaller({ onChange: (_lib, id, change) => changes.push([id, change]) });
});
afterEach(async () => {
  await lib.close();
  tmp.cleanup();
});

function addLocation(name: string): string {
  const id = randomUUID();
  const folder = path.join(tmp.dir, name);
  fs.mkdirSync(folder);
  lib.raw.prepare("INSERT INTO locations (id, path, name, added_at, device_id, settings) VALUES (?, ?, ?, ?, 'dev', '{}')").run(id, folder, name, new Date().toISOString());
  return id;
}

/** What the library holds about extensions: every row of the three tables and every file under extensions/. */
function snapshot() {
  const files: string[] = [];
  const walk = (dir: string, rel: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      files.push(rel + e.name + (e.isDirectory() ? '/' : ''));
      if (e.isDirectory()) walk(path.join(dir, e.name), `${rel}${e.name}/`);
    }
  };
  walk(extensionsDir(lib), '');
  return {
    installs: lib.raw.prepare('SELECT * FROM extension_installs ORDER BY id').all(),
    grants: lib.raw.prepare('SELECT * FROM extension_grants ORDER BY extension_id').all(),
    settings: lib.raw.prepare('SELECT * FROM extension_settings ORDER BY extension_id').all(),
    files: files.sort(),
  };
}

function addModel(extensionId: string, blobHash?: string): string {
  const uuid = randomUUID();
  const now = new Date().toISOString();
  lib.raw
    .prepare("INSERT INTO models (uuid, extension_id, model_type, data, standalone, created_at, updated_at, hlc, device_id, sync_strategy) VALUES (?, ?, 'PhotoNote', '{}', 1, ?, ?, '0-dev', 'dev', 'shared')")
    .run(uuid, extensionId, now, now);
  if (blobHash) {
    const row = lib.raw
      .prepare(
        `INSERT INTO metadata_blobs (blob_hash, blob_data, size_bytes, stored_bytes, blob_type, reference_count, created_at, last_accessed_at)
         VALUES (?, x'00', 1, 1, 'model:PhotoNote', 1, ?, ?)
         ON CONFLICT (blob_hash) DO UPDATE SET reference_count = reference_count + 1 RETURNING id`,
      )
      .get(blobHash, now, now) as { id: number };
    lib.raw.prepare("INSERT INTO model_blobs (model_uuid, blob_key, blob_id) VALUES (?, 'vector', ?)").run(uuid, row.id);
  }
  return uuid;
}

const blobCount = (hash: string) => (lib.raw.prepare('SELECT reference_count AS n FROM metadata_blobs WHERE blob_hash = ?').get(hash) as { n: number } | undefined)?.n ?? 0;

const v2Permissions = [
  // Same permissions as v1 in another order with other reasons: none is new.
  { type: 'WriteTags', reason: 'to tag photos', optional: true },
  { type: 'ReadEntries', reason: 'to look at photos' },
  { type: 'WriteModels', reason: 'to remember' },
];

describe('ExtensionInstaller.install', () => {
  it('installs atomically into extensions/<id>/<version>/ with grants and default settings', async () => {
    const pkgBytes = await testPackage({}, { files: { 'prompts/a.txt': 'hi' } });
    const info = await installer.install(lib, pkgBytes, [{ permission: 'ReadEntries', scopes: [{ locationId, subpath: '/2024/' }] }]);
    expect(info).toMatchObject({ id: ID, version: '1.0.0', enabled: true, state: 'active', signedBy: null, previousVersion: null, pendingVersion: null });
    expect(info.permissions.map((p) => [p.permission.type, p.granted, p.effective, p.note])).toEqual([
      ['ReadEntries', true, true, null],
      ['WriteModels', true, true, null],
      ['WriteTags', false, false, 'declined'],
    ]);
    expect(info.permissions[0]!.scopes).toEqual([{ locationId, subpath: '2024' }]);
    expect(info.settings).toEqual({ threshold: 0.5, mode: 'fast', verbose: false });
    expect(snapshot().files).toEqual([
      `${ID}/`,
      `${ID}/1.0.0/`,
      `${ID}/1.0.0/files.json`,
      `${ID}/1.0.0/manifest.json`,
      `${ID}/1.0.0/plugin.wasm`,
      `${ID}/1.0.0/prompts/`,
      `${ID}/1.0.0/prompts/a.txt`,
      `${ID}/versions.json`,
    ]);
    expect(info.folder).toBe(path.join(lib.path, 'extensions', ID, '1.0.0'));
    expect(changes).toEqual([[ID, 'installed']]);
    expect(installer.list(lib)).toMatchObject([{ id: ID, name: 'Hello', version: '1.0.0' }]);
  });

  it('records the signer of a signed package', async () => {
    const info = await installer.install(lib, await testPackage({}, {}, testKeys().privateKey));
    expect(info.signedBy).toMatch(/^ed25519:/);
  });

  it('refuses a duplicate id (CONFLICT: upgrade instead) without touching the installed one', async () => {
    await installer.install(lib, await testPackage());
    const before = snapshot();
    await expect(installer.install(lib, await testPackage({ version: '2.0.0' }))).rejects.toMatchObject({ code: 'CONFLICT', message: /already installed.*upgrade/ });
    expect(snapshot()).toEqual(before);
  });

  it('refuses a package needing a newer core, or a feature this core lacks', async () => {
    await expect(installer.install(lib, await testPackage({ min_core_version: '99.0.0' }))).rejects.toMatchObject({ code: 'NOT_SUPPORTED', message: /needs Cairn 99.0.0 or newer/ });
    await expect(installer.install(lib, await testPackage({ required_features: ['network'] }))).rejects.toMatchObject({ code: 'NOT_SUPPORTED', message: /needs network/ });
    // A feature name no core knows is already a manifest error.
    await expect(installer.install(lib, await testPackage({ required_features: ['teleport'] }))).rejects.toMatchObject({ code: 'VALIDATION', message: /required_features\[0\]/ });
    const strict = new ExtensionInstaller({ coreVersion: '0.0.9' });
    await expect(strict.install(lib, await testPackage())).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    expect(snapshot()).toEqual({ installs: [], grants: [], settings: [], files: [] });
  });

  it('refuses bad grant choices: declining a required permission, scopes on a non-file permission, unknown locations, escaping subpaths', async () => {
    const pkg = await testPackage();
    await expect(installer.install(lib, pkg, [{ permission: 'WriteModels', granted: false }])).rejects.toMatchObject({ code: 'VALIDATION', message: /cannot be declined/ });
    await expect(installer.install(lib, pkg, [{ permission: 'WriteTags', scopes: [{ locationId }] }])).rejects.toMatchObject({ code: 'VALIDATION', message: /takes no folders/ });
    await expect(installer.install(lib, pkg, [{ permission: 'ReadEntries', scopes: [{ locationId: randomUUID() }] }])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(installer.install(lib, pkg, [{ permission: 'ReadEntries', scopes: [{ locationId, subpath: 'a/../../etc' }] }])).rejects.toMatchObject({ code: 'VALIDATION', message: /inside its location/ });
    await expect(installer.install(lib, pkg, [{ permission: 'Network' }])).rejects.toMatchObject({ code: 'VALIDATION', message: /does not declare the Network permission/ });
    expect(snapshot().installs).toEqual([]);
  });

  it.each<InstallStep>(['read', 'check', 'stage', 'verify', 'record', 'rename'])('leaves nothing behind when the install fails at "%s"', async (step) => {
    const failing = new ExtensionInstaller({
      faults: (at) => {
        if (at === step) throw new Error(`injected failure at ${step}`);
      },
      onChange: (_l, id, change) => changes.push([id, change]),
    });
    await expect(failing.install(lib, await testPackage(), [{ permission: 'WriteTags' }])).rejects.toThrow(`injected failure at ${step}`);
    expect(snapshot()).toEqual({ installs: [], grants: [], settings: [], files: [] });
    expect(changes).toEqual([]);
    // And the library is usable afterwards: the same package installs cleanly.
    await installer.install(lib, await testPackage());
    expect(snapshot().installs).toHaveLength(1);
  });

  it('leaves nothing behind when the package itself is bad', async () => {
    const bytes = await testPackage();
    await expect(installer.install(lib, bytes.subarray(0, bytes.length - 5))).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(snapshot()).toEqual({ installs: [], grants: [], settings: [], files: [] });
  });
});

describe('ExtensionInstaller lifecycle', () => {
  beforeEach(async () => {
    await installer.install(lib, await testPackage(), [
      { permission: 'ReadEntries', scopes: [{ locationId }] },
      { permission: 'WriteTags', granted: true },
    ]);
    installer.setSettings(lib, ID, { threshold: 0.9 });
    changes = [];
  });

  it('upgrade keeps grants (by permission, not by position), settings and data', async () => {
    const model = addModel(ID, 'blob-1');
    const info = await installer.upgrade(lib, await testPackage({ version: '1.1.0', permissions: v2Permissions }));
    expect(info).toMatchObject({ version: '1.1.0', previousVersion: '1.0.0', state: 'active', pending: null });
    expect(info.permissions.map((p) => [p.permission.type, p.granted, p.scopes])).toEqual([
      ['WriteTags', true, []],
      ['ReadEntries', true, [{ locationId, subpath: '' }]],
      ['WriteModels', true, []],
    ]);
    expect(info.settings.threshold).toBe(0.9);
    expect(lib.raw.prepare('SELECT count(*) AS n FROM models WHERE uuid = ?').get(model)).toEqual({ n: 1 });
    expect(fs.readdirSync(path.join(extensionsDir(lib), ID)).sort()).toEqual(['1.0.0', '1.1.0', 'versions.json']);
    expect(changes).toEqual([[ID, 'upgraded']]);

    await expect(installer.upgrade(lib, await testPackage({ version: '1.1.0' }))).rejects.toMatchObject({ code: 'CONFLICT', message: /not newer/ });
    await expect(installer.upgrade(lib, await testPackage({ version: '0.9.0' }))).rejects.toMatchObject({ code: 'CONFLICT', message: /rollback/ });
    await expect(installer.upgrade(lib, await testPackage({ id: 'com.example.other', version: '2.0.0' }))).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // A third version: only the active and the previous stay on disk.
    await installer.upgrade(lib, await testPackage({ version: '1.2.0', permissions: v2Permissions }));
    expect(fs.readdirSync(path.join(extensionsDir(lib), ID)).sort()).toEqual(['1.1.0', '1.2.0', 'versions.json']);
  });

  it('holds an upgrade that adds permissions until consent, then grants as chosen', async () => {
    const withNetwork = [...v2Permissions, { type: 'Network', hosts: ['api.example.com'], reason: 'to look up places' }];
    const held = await installer.upgrade(lib, await testPackage({ version: '2.0.0', permissions: withNetwork }));
    expect(held).toMatchObject({ version: '1.0.0', state: 'held', pendingVersion: '2.0.0', stateReason: expect.stringMatching(/new permissions \(Network\)/) });
    expect(held.pending?.addedPermissions).toEqual([{ index: 3, permission: expect.objectContaining({ type: 'Network' }) }]);
    // The old version's grants are untouched while it waits.
    expect(held.permissions.filter((p) => p.granted).map((p) => p.permission.type)).toEqual(['ReadEntries', 'WriteModels', 'WriteTags']);
    expect(changes).toEqual([[ID, 'held']]);
    await expect(installer.upgrade(lib, await testPackage({ version: '3.0.0' }))).rejects.toMatchObject({ code: 'CONFLICT', message: /awaits consent/ });
    await expect(installer.rollback(lib, ID)).rejects.toMatchObject({ code: 'CONFLICT' });
    // Only the new permission can be decided in the consent.
    await expect(installer.consent(lib, ID, true, [{ permission: 'WriteTags', granted: false }])).rejects.toMatchObject({ code: 'VALIDATION', message: /not awaiting a decision/ });

    const accepted = await installer.consent(lib, ID, true);
    expect(accepted).toMatchObject({ version: '2.0.0', previousVersion: '1.0.0', state: 'active', pendingVersion: null, stateReason: null });
    expect(accepted.permissions.map((p) => [p.permission.type, p.granted])).toEqual([
      ['WriteTags', true],
      ['ReadEntries', true],
      ['WriteModels', true],
      ['Network', true],
    ]);
    expect(accepted.settings.threshold).toBe(0.9);
    expect(changes).toEqual([[ID, 'held'], [ID, 'consented']]);
    await expect(installer.consent(lib, ID, true)).rejects.toMatchObject({ code: 'CONFLICT', message: /no upgrade waiting/ });
  });

  it('declining a held upgrade returns to the installed version and deletes the pending one', async () => {
    const optionalNew = [...v2Permissions, { type: 'WriteCollections', reason: 'to make albums', optional: true }];
    await installer.upgrade(lib, await testPackage({ version: '2.0.0', permissions: optionalNew }));
    const declined = await installer.consent(lib, ID, false);
    expect(declined).toMatchObject({ version: '1.0.0', state: 'active', pendingVersion: null });
    expect(fs.existsSync(path.join(extensionsDir(lib), ID, '2.0.0'))).toBe(false);

    // Accepting an optional new permission grants it only when chosen.
    await installer.upgrade(lib, await testPackage({ version: '2.0.0', permissions: optionalNew }));
    const accepted = await installer.consent(lib, ID, true, [{ permission: 'WriteCollections', granted: false }]);
    expect(accepted.permissions.find((p) => p.permission.type === 'WriteCollections')).toMatchObject({ granted: false, note: 'declined' });
  });

  it.each<InstallStep>(['read', 'check', 'stage', 'verify', 'record', 'rename'])('a failed upgrade at "%s" leaves the installed version as it was', async (step) => {
    const before = snapshot();
    const failing = new ExtensionInstaller({
      faults: (at) => {
        if (at === step) throw new Error(`injected failure at ${step}`);
      },
    });
    await expect(failing.upgrade(lib, await testPackage({ version: '1.1.0', permissions: v2Permissions }))).rejects.toThrow(`injected failure at ${step}`);
    expect(snapshot()).toEqual(before);
  });

  it('rolls back to the previous version and forward again, keeping grants', async () => {
    await expect(installer.rollback(lib, ID)).rejects.toMatchObject({ code: 'NOT_FOUND', message: /no previous version/ });
    await installer.upgrade(lib, await testPackage({ version: '1.1.0', permissions: v2Permissions }));
    const back = await installer.rollback(lib, ID);
    expect(back).toMatchObject({ version: '1.0.0', previousVersion: '1.1.0', state: 'active' });
    expect(back.manifest.permissions.map((p) => p.type)).toEqual(['ReadEntries', 'WriteModels', 'WriteTags']);
    expect(back.permissions.map((p) => [p.permission.type, p.granted, p.scopes.length])).toEqual([
      ['ReadEntries', true, 1],
      ['WriteModels', true, 0],
      ['WriteTags', true, 0],
    ]);
    expect(back.settings.threshold).toBe(0.9);
    const forward = await installer.rollback(lib, ID);
    expect(forward).toMatchObject({ version: '1.1.0', previousVersion: '1.0.0' });
    expect(changes).toEqual([[ID, 'upgraded'], [ID, 'rolledBack'], [ID, 'rolledBack']]);
  });

  it('writes grants and states the permission guard reads (GrantState): held, disabled and revoked extensions get nothing', async () => {
    // Through its own connection, as the bridge reads them (data_version changes only for other connections' commits).
    const other = new Database(lib.dbFile, { readonly: true });
    const state = new GrantState(other, ID);
    expect(state.snapshot.active).toBe(true);
    expect(state.effective('ReadEntries').map((e) => e.grant.scopes)).toEqual([[{ locationId, subpath: '' }]]);
    expect(state.effective('WriteTags')).toHaveLength(1);

    await installer.upgrade(lib, await testPackage({ version: '2.0.0', permissions: [...v2Permissions, { type: 'WriteCollections', reason: 'albums' }] }));
    state.refresh();
    expect(state.snapshot).toMatchObject({ active: false, inactiveReason: 'it is held' });
    expect(state.effective('ReadEntries')).toEqual([]);
    await installer.consent(lib, ID, true);
    state.refresh();
    expect(state.snapshot.active).toBe(true);
    expect(state.effective('WriteCollections')).toHaveLength(1);
    expect(state.effective('ReadEntries')[0]!.permission.reason).toBe('to look at photos');

    installer.disable(lib, ID);
    state.refresh();
    expect(state.snapshot).toMatchObject({ active: false, inactiveReason: 'it is disabled' });
    installer.enable(lib, ID);
    installer.revoke(lib, ID, 'ReadEntries');
    state.refresh();
    expect(state.effective('ReadEntries')).toEqual([]);
    other.close();
  });

  it('disables and enables without uninstalling', () => {
    expect(installer.disable(lib, ID)).toMatchObject({ enabled: false, version: '1.0.0' });
    expect(lib.raw.prepare('SELECT enabled FROM extension_installs WHERE id = ?').get(ID)).toEqual({ enabled: 0 });
    expect(installer.info(lib, ID).permissions[0]!.granted).toBe(true);
    expect(installer.enable(lib, ID)).toMatchObject({ enabled: true });
    expect(changes).toEqual([[ID, 'disabled'], [ID, 'enabled']]);
    expect(() => installer.enable(lib, 'com.example.nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('uninstall with keepData leaves models and blobs; without, deletes them and releases blob references', async () => {
    addModel(ID, 'mine');
    addModel(ID, 'shared');
    const theirs = addModel('com.example.other', 'shared');
    expect(blobCount('shared')).toBe(2);

    const kept = installer.uninstall(lib, ID, true);
    expect(kept).toEqual({ id: ID, removedModels: 0, releasedBlobs: 0 });
    expect(snapshot()).toEqual({ installs: [], grants: [], settings: [], files: [] });
    expect(lib.raw.prepare('SELECT count(*) AS n FROM models WHERE extension_id = ?').get(ID)).toEqual({ n: 2 });

    await installer.install(lib, await testPackage());
    const removed = installer.uninstall(lib, ID, false);
    expect(removed).toEqual({ id: ID, removedModels: 2, releasedBlobs: 1 });
    expect(lib.raw.prepare('SELECT count(*) AS n FROM models WHERE extension_id = ?').get(ID)).toEqual({ n: 0 });
    expect(blobCount('mine')).toBe(0);
    expect(blobCount('shared')).toBe(1);
    expect(lib.raw.prepare('SELECT count(*) AS n FROM models WHERE uuid = ?').get(theirs)).toEqual({ n: 1 });
    expect(snapshot()).toEqual({ installs: [], grants: [], settings: [], files: [] });
    expect(() => installer.uninstall(lib, ID, false)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('grants and revokes permissions and folders', () => {
    const granted = installer.grant(lib, ID, 'ReadEntries', [{ locationId: otherLocationId, subpath: 'scans' }, { locationId }]);
    expect(granted.permissions[0]!.scopes).toEqual([
      { locationId, subpath: '' },
      { locationId: otherLocationId, subpath: 'scans' },
    ]);
    expect(() => installer.grant(lib, ID, 'ReadEntries')).toThrow(/choose at least one folder/);
    expect(() => installer.grant(lib, ID, 'WriteTags', [{ locationId }])).toThrow(/takes no folders/);
    expect(() => installer.grant(lib, ID, 7)).toThrow(/no permission #7/);

    const lessOne = installer.revoke(lib, ID, 0, [{ locationId }]);
    expect(lessOne.permissions[0]).toMatchObject({ granted: true, scopes: [{ locationId: otherLocationId, subpath: 'scans' }], effective: true });
    const none = installer.revoke(lib, ID, 'ReadEntries', [{ locationId: otherLocationId, subpath: 'scans' }]);
    expect(none.permissions[0]).toMatchObject({ granted: false, scopes: [], effective: false, note: 'revoked' });
    const tags = installer.revoke(lib, ID, 'WriteTags');
    expect(tags.permissions[2]).toMatchObject({ granted: false, effective: false });
    // Stored grants follow, for the permission guard to read.
    const stored = JSON.parse((lib.raw.prepare('SELECT grants FROM extension_grants WHERE extension_id = ?').get(ID) as { grants: string }).grants) as { type: string; granted: boolean }[];
    expect(stored.map((g) => [g.type, g.granted])).toEqual([
      ['ReadEntries', false],
      ['WriteModels', true],
      ['WriteTags', false],
    ]);
    // A file permission granted without folders has no effect, and says so.
    installer.grant(lib, ID, 'ReadEntries', [{ locationId }]);
    expect(changes.map((c) => c[1])).toEqual(['granted', 'revoked', 'revoked', 'revoked', 'granted']);
  });

  it('validates settings against the manifest and exposes them as Extism config', () => {
    expect(installer.getSettings(lib, ID).values).toEqual({ threshold: 0.9, mode: 'fast', verbose: false });
    expect(installer.setSettings(lib, ID, { mode: 'careful', verbose: true }).values).toEqual({ threshold: 0.9, mode: 'careful', verbose: true });
    expect(() => installer.setSettings(lib, ID, { threshold: 5 })).toThrow(/threshold: must be at most 1 \(got 5\)/);
    expect(() => installer.setSettings(lib, ID, { mode: 'reckless' })).toThrow(/mode: must be one of "fast", "careful"/);
    expect(() => installer.setSettings(lib, ID, { verbose: 'yes' })).toThrow(/verbose: must be true or false/);
    expect(() => installer.setSettings(lib, ID, { colour: 'red' })).toThrow(/colour: not a setting/);
    const manifest = installer.info(lib, ID).manifest;
    expect(settingsToConfig(manifest, installer.getSettings(lib, ID).values)).toEqual({
      settings: '{"threshold":0.9,"mode":"careful","verbose":true}',
      'setting.threshold': '0.9',
      'setting.mode': 'careful',
      'setting.verbose': 'true',
    });
    // Values that no longer fit (say, after an upgrade narrowed a range) fall back to the default.
    expect(settingsToConfig(manifest, { threshold: 7, gone: 1 }).settings).toBe('{"threshold":0.5,"mode":"fast","verbose":false}');
  });
});
