import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CairnCore } from '../../src-main/core/cairn-core.js';
import { resolveExtAssetRequest } from '../../src-main/core/sidecars/ext-asset-request.js';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { testShellHandlers, userCtx } from '../../src-main/core/testing/test-core.js';
import { describePermission } from '../../src-shared/extensions/describe-permission.js';
import { extensionHandlers } from '../packages/extension-handlers.js';
import { testManifest, testPackage, tinyWasm } from '../packages/testing/package-fixture.js';
import { buildCatalog } from './build-catalog.js';
import type { Catalog } from './catalog.js';
import { storeHandlers, uiHandlers } from './store-handlers.js';
import { uiMapPoints } from './ui-contributions.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PUBLIC = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

const UI = {
  sidebar: [
    { id: 'photos', label: 'Photos', icon: 'image', query: 'ext:jpg', render: 'grid' },
    { id: 'notes', label: 'Notes', query: 'model:PhotoNote', render: 'list', fields: [{ key: 'text', label: 'Note' }, { key: 'count' }] },
    { id: 'broken', label: 'Broken', query: 'ext:jpg) OR 1=1 --', render: 'list' },
    { id: 'quoted', label: 'Quoted', query: 'name:"x\'; DROP TABLE entries; --"', render: 'list' },
    { id: 'Bad Id', label: 'Bad', query: 'ext:jpg', render: 'grid' },
  ],
  views: [
    { id: 'map', component: 'map_view', source: 'ext:jpg', label: 'Map' },
    { id: 'places', component: 'map_view', source: 'model:Place' },
    { id: 'bad-fields', component: 'list', source: 'model:Place', fields: [{ key: 'not a key' }] },
  ],
};

/** An extension source folder as `npm run build:extensions` leaves it. */
async function writeExtension(root: string, name: string, overrides: Record<string, unknown>, ui: object = UI): Promise<void> {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, 'build'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(testManifest({ icon: 'assets/icon.svg', ...overrides })));
  fs.writeFileSync(path.join(dir, 'ui_manifest.json'), JSON.stringify(ui));
  fs.writeFileSync(path.join(dir, 'assets', 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  fs.writeFileSync(path.join(dir, 'build', 'plugin.wasm'), await tinyWasm());
}

/** Serves a folder on 127.0.0.1 only, like a registry would. */
async function serveFolder(dir: string): Promise<string> {
  const server = http.createServer((req, res) => {
    const file = path.join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!file.startsWith(dir) || !fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200).end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/catalog.json`;
}

function listing(bytes: Buffer, version: string, permissions: unknown[], extra: Record<string, unknown> = {}) {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return {
    version,
    min_core_version: '0.1.0',
    permissions,
    size: bytes.length,
    sha256,
    signature: sign(null, Buffer.from(sha256, 'ascii'), privateKey).toString('base64'),
    url: `packages/${version}-${sha256.slice(0, 8)}.cairnext`,
    revoked: false,
    revoked_reason: null,
    ...extra,
  };
}

interface Registry {
  url: string;
  dir: string;
  write: (catalog: Catalog, files: Record<string, Buffer>) => void;
}

async function registry(): Promise<Registry> {
  const tmp = makeTempDir('cairn-registry');
  cleanups.push(tmp.cleanup);
  const dir = tmp.dir;
  fs.mkdirSync(path.join(dir, 'packages'));
  const url = await serveFolder(dir);
  return {
    url,
    dir,
    write: (catalog, files) => {
      fs.writeFileSync(path.join(dir, 'catalog.json'), JSON.stringify(catalog));
      for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), bytes);
    },
  };
}

const PERMS = testManifest().permissions as unknown[];

/** A real core with the store, ui and extensions handlers, a library with an indexed folder, and a bundled catalog. */
async function setup() {
  const tmp = makeTempDir('cairn-store');
  cleanups.push(tmp.cleanup);
  const extRoot = path.join(tmp.dir, 'extensions');
  await writeExtension(extRoot, 'alpha', { id: 'com.example.alpha', name: 'Alpha', version: '0.1.0' });
  await writeExtension(extRoot, 'beta', { id: 'com.example.beta', name: 'Beta', version: '0.9.0' }, { sidebar: 'nope', views: [{ id: 'map', component: 'map_view', source: 'ext:jpg' }] });
  const bundledDir = path.join(tmp.dir, 'catalog');
  const built = await buildCatalog({ extensionsRoot: extRoot, outDir: bundledDir });
  const files = path.join(tmp.dir, 'files');
  for (const rel of ['granted/a.jpg', 'granted/b.jpg', 'granted/readme.txt', 'secret/c.jpg']) {
    fs.mkdirSync(path.dirname(path.join(files, rel)), { recursive: true });
    fs.writeFileSync(path.join(files, rel), `content of ${rel}`);
  }
  const core = await CairnCore.start({
    homeDir: path.join(tmp.dir, 'home'),
    shell: testShellHandlers,
    checkOutputs: true,
    watch: false,
    extensions: (c) => extensionHandlers(c),
    store: (c) => storeHandlers(c, { bundledDir }),
    ui: () => uiHandlers(),
  });
  cleanups.push(() => core.stop());
  const call = core.registry.call.bind(core.registry);
  const libraryId = (await call('library.list', {}, userCtx)).find((l) => l.isDefault)!.id;
  const loc = await call('locations.add', { libraryId, path: files, name: 'files' }, userCtx);
  const scheduler = await core.jobs.for(libraryId);
  for (;;) {
    const open = (await call('jobs.list', { libraryId }, userCtx)).filter((j) => j.status === 'queued' || j.status === 'running');
    if (open.length === 0) break;
    await scheduler.waitFor(open[0]!.id);
  }
  const lib = await core.libraries.get(libraryId);
  const entry = (rel: string) => lib.raw.prepare('SELECT uuid, content_uuid FROM entries WHERE rel_path = ?').get(rel) as { uuid: string; content_uuid: string };
  return { core, call, libraryId, locationId: loc.id, lib, entry, bundledDir, built, tmp: tmp.dir };
}

type Setup = Awaited<ReturnType<typeof setup>>;

async function failure(t: Setup, name: string, input: unknown): Promise<{ code: string; message: string }> {
  const r = await t.core.registry.invoke(name, input, userCtx);
  if (r.ok) throw new Error(`${name} should have failed`);
  return r.error;
}

const grantFolder = (t: Setup, subpath: string) => [{ permission: 'ReadEntries' as const, scopes: [{ locationId: t.locationId, subpath }] }];

describe('describePermission', () => {
  it('says each permission in plain words, with what declining an optional one means', () => {
    expect(describePermission({ type: 'ReadEntries', glob: '**/*.{jpg,png,heic}', reason: 'to find faces', optional: false }).title).toBe(
      'Read photos (*.jpg, *.png, *.heic) in folders you choose',
    );
    expect(describePermission({ type: 'WriteTags', reason: 'tags', optional: false })).toMatchObject({ title: 'Add tags', ifDeclined: null, needsFolders: false });
    const face = describePermission({ type: 'UseModel', category: 'face_detection', preference: 'local', reason: 'to find faces', optional: true }, 3);
    expect(face).toMatchObject({ index: 3, title: 'Use a face-detection model on this device', reason: 'to find faces', ifDeclined: 'It will not use a face-detection model; the rest still works.' });
    expect(describePermission({ type: 'Network', hosts: ['api.example.org'], reason: 'sync', optional: false }).title).toBe('Connect to api.example.org');
  });
});

describe('store.catalog', () => {
  it('merges the bundled folder and a URL catalog, with trust, warnings, installed state and updates', async () => {
    const t = await setup();
    const reg = await registry();
    const v1 = await testPackage({ id: 'com.example.alpha', name: 'Alpha', version: '1.0.0' });
    const gamma = await testPackage({ id: 'com.example.gamma', name: 'Gamma' });
    const delta = await testPackage({ id: 'com.example.delta', name: 'Delta' });
    const unsignedGamma = { ...listing(gamma, '1.0.0', PERMS), signature: null };
    const a1 = listing(v1, '1.0.0', PERMS);
    reg.write(
      {
        catalog_version: 1,
        name: 'Remote',
        publishers: { acme: { name: 'Acme', public_key: PUBLIC } },
        extensions: [
          { id: 'com.example.alpha', name: 'Alpha (remote)', publisher: 'acme', description: '', categories: [], versions: [a1] },
          { id: 'com.example.gamma', name: 'Gamma', publisher: 'acme', description: '', categories: [], versions: [unsignedGamma] },
          { id: 'com.example.delta', name: 'Delta', publisher: 'stranger', description: '', categories: [], versions: [listing(delta, '1.0.0', PERMS)] },
        ],
      } as Catalog,
      { [a1.url]: v1, [unsignedGamma.url]: gamma },
    );
    await t.call('store.addSource', { url: reg.url }, userCtx);
    await t.call('store.addSource', { url: 'http://127.0.0.1:1/nothing.json' }, userCtx);
    expect((await failure(t, 'store.addSource', { url: 'file:///etc/passwd' })).code).toBe('VALIDATION');
    expect((await failure(t, 'store.removeSource', { url: 'bundled' })).code).toBe('PERMISSION_DENIED');

    await t.call('store.install', { libraryId: t.libraryId, extensionId: 'com.example.alpha', sourceId: 'bundled', grants: grantFolder(t, 'granted') }, userCtx);
    const { extensions, sources } = await t.call('store.catalog', { libraryId: t.libraryId }, userCtx);
    expect(sources.map((s) => [s.kind, s.error === null])).toEqual([['bundled', true], ['url', true], ['url', false]]);
    expect(sources[2]!.error).toMatch(/Could not reach/);
    const byId = new Map(extensions.map((e) => [e.id, e]));
    expect([...byId.keys()].sort()).toEqual(['com.example.alpha', 'com.example.beta', 'com.example.delta', 'com.example.gamma']);
    const alpha = byId.get('com.example.alpha')!;
    expect(alpha.name).toBe('Alpha'); // the bundled source comes first
    expect(alpha.sources).toEqual(['bundled', reg.url]);
    expect(alpha.versions.map((v) => [v.version, v.sourceId, v.trust])).toEqual([['1.0.0', reg.url, 'verified'], ['0.1.0', 'bundled', 'bundled']]);
    expect(alpha.installed).toMatchObject({ version: '0.1.0', state: 'active' });
    expect(alpha.updateAvailable).toBe('1.0.0');
    expect(alpha.iconUrl).toBe('/ext-asset/catalog/com.example.alpha/icons/com.example.alpha/icon.svg');
    expect(alpha.latest!.permissions[0]).toMatchObject({ title: 'Read files in folders you choose', reason: 'to read your photos', needsFolders: true });
    expect(alpha.latest!.permissions[2]).toMatchObject({ type: 'WriteTags', optional: true, ifDeclined: 'It will not add tags; the rest still works.' });
    expect(byId.get('com.example.gamma')).toMatchObject({ trust: 'unsigned', installed: null, updateAvailable: null });
    expect(byId.get('com.example.gamma')!.warnings[0]).toMatch(/not signed/);
    expect(byId.get('com.example.delta')!.trust).toBe('unknown-publisher');
    expect(byId.get('com.example.beta')!.trust).toBe('bundled');

    await t.call('store.removeSource', { url: 'http://127.0.0.1:1/nothing.json' }, userCtx);
    expect((await t.call('store.sources', {}, userCtx)).map((s) => s.id)).toEqual(['bundled', reg.url]);
  });
});

describe('store.install and store.update', () => {
  it('refuses a checksum, signature or permission mismatch with a clear message and installs nothing', async () => {
    const t = await setup();
    const reg = await registry();
    const good = await testPackage({ id: 'com.example.gamma', name: 'Gamma' });
    const other = await testPackage({ id: 'com.example.gamma', name: 'Gamma', version: '2.0.0' });
    const sneaky = await testPackage({ id: 'com.example.gamma', name: 'Gamma', version: '3.0.0', permissions: [...PERMS, { type: 'Network', hosts: ['evil.example'], reason: 'phone home' }] });
    const badHash = { ...listing(good, '1.0.0', PERMS), sha256: 'f'.repeat(64) };
    const badSig = { ...listing(other, '2.0.0', PERMS), signature: sign(null, Buffer.from('something else'), privateKey).toString('base64') };
    const lying = listing(sneaky, '3.0.0', PERMS);
    reg.write(
      {
        catalog_version: 1,
        name: 'Remote',
        publishers: { acme: { name: 'Acme', public_key: PUBLIC } },
        extensions: [{ id: 'com.example.gamma', name: 'Gamma', publisher: 'acme', description: '', categories: [], versions: [badHash, badSig, lying] }],
      } as Catalog,
      { [badHash.url]: good, [badSig.url]: other, [lying.url]: sneaky },
    );
    await t.call('store.addSource', { url: reg.url }, userCtx);
    const hash = await failure(t, 'store.install', { libraryId: t.libraryId, extensionId: 'com.example.gamma', version: '1.0.0' });
    expect(hash).toMatchObject({ code: 'CONFLICT' });
    expect(hash.message).toMatch(/does not match the catalog's checksum.*refused/);
    const sig = await failure(t, 'store.install', { libraryId: t.libraryId, extensionId: 'com.example.gamma', version: '2.0.0' });
    expect(sig.message).toMatch(/signature .* does not match its publisher "Acme"/);
    const perms = await failure(t, 'store.install', { libraryId: t.libraryId, extensionId: 'com.example.gamma', version: '3.0.0' });
    expect(perms.message).toMatch(/different permissions than the catalog shows.*nothing was installed/);
    expect((await failure(t, 'store.install', { libraryId: t.libraryId, extensionId: 'com.example.gamma', version: '9.9.9' })).message).toMatch(/no version 9.9.9.*offers 3.0.0, 2.0.0, 1.0.0/);
    expect(await t.call('extensions.list', { libraryId: t.libraryId }, userCtx)).toEqual([]);
    expect(fs.readdirSync(path.join(t.lib.path, 'extensions')).filter((n) => !n.startsWith('.'))).toEqual([]);
  });

  it('installs with scoped grants, holds an update that adds permissions until consent, and disables a revoked version', async () => {
    const t = await setup();
    const reg = await registry();
    const v1 = await testPackage({ id: 'com.example.gamma', name: 'Gamma', version: '1.0.0' });
    const morePerms = [...PERMS, { type: 'WriteCollections', reason: 'to group what it finds' }];
    const v2 = await testPackage({ id: 'com.example.gamma', name: 'Gamma', version: '2.0.0', permissions: morePerms });
    const l1 = listing(v1, '1.0.0', PERMS);
    const l2 = listing(v2, '2.0.0', morePerms);
    const catalog = (versions: unknown[]): Catalog =>
      ({ catalog_version: 1, name: 'Remote', publishers: { acme: { name: 'Acme', public_key: PUBLIC } }, extensions: [{ id: 'com.example.gamma', name: 'Gamma', publisher: 'acme', description: '', categories: [], versions }] }) as Catalog;
    reg.write(catalog([l1]), { [l1.url]: v1, [l2.url]: v2 });
    await t.call('store.addSource', { url: reg.url }, userCtx);

    const installed = await t.call('store.install', { libraryId: t.libraryId, extensionId: 'com.example.gamma', grants: grantFolder(t, 'granted') }, userCtx);
    expect(installed).toMatchObject({ trust: 'verified', warnings: [], held: false });
    expect(installed.extension.version).toBe('1.0.0');
    expect(installed.extension.permissions[0]).toMatchObject({ granted: true, scopes: [{ locationId: t.locationId, subpath: 'granted' }], effective: true });
    expect(installed.extension.permissions[2]).toMatchObject({ granted: false }); // optional WriteTags not chosen
    expect((await failure(t, 'store.install', { libraryId: t.libraryId, extensionId: 'com.example.gamma' })).message).toMatch(/already installed.*update it instead/);

    reg.write(catalog([l1, l2]), {});
    const updated = await t.call('store.update', { libraryId: t.libraryId, extensionId: 'com.example.gamma' }, userCtx);
    expect(updated.held).toBe(true);
    expect(updated.extension).toMatchObject({ version: '1.0.0', state: 'held', pendingVersion: '2.0.0' });
    expect(updated.extension.pending!.addedPermissions.map((p) => p.permission.type)).toEqual(['WriteCollections']);
    await t.call('extensions.consent', { libraryId: t.libraryId, id: 'com.example.gamma', accept: true }, userCtx);
    expect((await t.call('extensions.info', { libraryId: t.libraryId, id: 'com.example.gamma' }, userCtx)).version).toBe('2.0.0');

    // The catalog withdraws 2.0.0: loading the catalog disables it with the catalog's explanation.
    reg.write(catalog([l1, { ...l2, revoked: true, revoked_reason: 'It deleted tags it should not have.' }]), {});
    const { extensions } = await t.call('store.catalog', { libraryId: t.libraryId }, userCtx);
    const gamma = extensions.find((e) => e.id === 'com.example.gamma')!;
    expect(gamma).toMatchObject({ revoked: true, revokedReason: 'It deleted tags it should not have.' });
    expect(gamma.installed).toMatchObject({ state: 'revoked', stateReason: 'Withdrawn by the catalog: It deleted tags it should not have.' });
    expect(await t.call('store.checkRevocations', { libraryId: t.libraryId }, userCtx)).toEqual({
      disabled: [{ id: 'com.example.gamma', version: '2.0.0', reason: 'It deleted tags it should not have.' }],
    });
    // Nothing of a revoked extension shows in the UI.
    expect((await t.call('ui.contributions', { libraryId: t.libraryId }, userCtx)).map((c) => c.extensionId)).toEqual([]);
  });

  it('inspects a file before installing it: unsigned and unknown-publisher warnings, problems', async () => {
    const t = await setup();
    const file = path.join(t.tmp, 'hello.cairnext');
    fs.writeFileSync(file, await testPackage({ id: 'com.example.file', name: 'File' }));
    const preview = await t.call('store.inspectFile', { libraryId: t.libraryId, path: file }, userCtx);
    expect(preview).toMatchObject({ trust: 'unsigned', signedBy: null, installedVersion: null, problems: [] });
    expect(preview.warnings[0]).toMatch(/not signed/);
    expect(preview.permissions.map((p) => p.title)).toEqual(['Read files in folders you choose', 'Store what it finds in your library', 'Add tags']);
    const signedFile = path.join(t.tmp, 'signed.cairnext');
    const stranger = generateKeyPairSync('ed25519');
    fs.writeFileSync(signedFile, await testPackage({ id: 'com.example.signed', name: 'Signed' }, {}, stranger.privateKey));
    const signed = await t.call('store.inspectFile', { path: signedFile }, userCtx);
    expect(signed.trust).toBe('unknown-publisher');
    expect(signed.warnings[0]).toMatch(/a key none of your catalogs knows/);
    const done = await t.call('store.installFromFile', { libraryId: t.libraryId, path: file, grants: grantFolder(t, '') }, userCtx);
    expect(done).toMatchObject({ trust: 'unsigned', held: false });
    expect((await t.call('store.inspectFile', { libraryId: t.libraryId, path: file }, userCtx)).problems[0]).toMatch(/already installed.*the same version/);
    expect((await failure(t, 'store.inspectFile', { path: path.join(t.tmp, 'missing.cairnext') })).code).toMatch(/NOT_FOUND|IO/);
  });
});

describe('ui.*', () => {
  it('lists contributions with per-item problems, and runs section queries only over granted folders', async () => {
    const t = await setup();
    await t.call('store.install', { libraryId: t.libraryId, extensionId: 'com.example.alpha', grants: grantFolder(t, 'granted') }, userCtx);
    await t.call('store.install', { libraryId: t.libraryId, extensionId: 'com.example.beta', grants: grantFolder(t, '') }, userCtx);
    const contributions = await t.call('ui.contributions', { libraryId: t.libraryId }, userCtx);
    expect(contributions.map((c) => c.extensionId)).toEqual(['com.example.alpha', 'com.example.beta']);
    const [alpha, beta] = contributions;
    expect(alpha!.problem).toBeNull();
    expect(alpha!.iconUrl).toBe(`/ext-asset/${t.libraryId}/com.example.alpha/assets/icon.svg`);
    const section = (id: string) => alpha!.sidebar.find((s) => s.id === id);
    expect(section('photos')).toMatchObject({ target: 'entries', problem: null, render: 'grid', icon: 'image' });
    expect(section('notes')).toMatchObject({ target: 'models', problem: null, fields: [{ key: 'text', label: 'Note' }, { key: 'count', label: null }] });
    expect(section('photos')!.fields).toBeUndefined();
    expect(section('broken')!.problem).toMatch(/^Its query cannot be used/); // injection attempt: does not parse
    expect(section('quoted')).toMatchObject({ target: 'entries', problem: null }); // parses, but only as a bound value
    expect(alpha!.sidebar[4]!.problem).toMatch(/This section is not valid: id: the id must be lower case/);
    expect(alpha!.views.map((v) => [v.id, v.component, v.problem])).toEqual([
      ['map', 'map_view', null],
      ['places', 'map_view', null],
      ['bad-fields', 'list', 'This view is not valid: fields.0.key: a field key is a JSON key: letters, digits and _.'],
    ]);
    expect(beta!.problem).toMatch(/"sidebar" is not a list/);

    const q = (sectionId: string) => t.call('ui.querySection', { libraryId: t.libraryId, extensionId: 'com.example.alpha', sectionId }, userCtx);
    const photos = await q('photos');
    if (photos.target !== 'entries') throw new Error('expected entries');
    expect(photos.entries.map((e) => e.relPath).sort()).toEqual(['granted/a.jpg', 'granted/b.jpg']);
    expect(photos.total).toBe(2);
    const page = await t.call('ui.querySection', { libraryId: t.libraryId, extensionId: 'com.example.alpha', sectionId: 'photos', offset: 1, limit: 1 }, userCtx);
    expect(page.target === 'entries' && page.entries.length === 1 && page.total === 2).toBe(true);
    // Beta sees the whole location; its own view reaches secret/c.jpg, alpha's never does.
    const betaMap = await t.call('ui.querySection', { libraryId: t.libraryId, extensionId: 'com.example.beta', viewId: 'map' }, userCtx);
    expect(betaMap.total).toBe(3);
    const quoted = await q('quoted');
    expect(quoted.total).toBe(0);
    expect((t.lib.raw.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n).toBeGreaterThan(4);
    expect((await failure(t, 'ui.querySection', { libraryId: t.libraryId, extensionId: 'com.example.alpha', sectionId: 'broken' })).code).toBe('VALIDATION');
    expect((await failure(t, 'ui.querySection', { libraryId: t.libraryId, extensionId: 'com.example.alpha', sectionId: 'nope' })).code).toBe('NOT_FOUND');

    // Models: only alpha's, and only those whose content has a visible entry (or standalone).
    const now = new Date().toISOString();
    const insert = t.lib.raw.prepare(
      `INSERT INTO models (uuid, extension_id, model_type, data, entry_uuid, content_uuid, standalone, created_at, updated_at, hlc, device_id, sync_strategy) VALUES (?, ?, 'PhotoNote', ?, ?, ?, ?, ?, ?, '0', 'd', 'shared')`,
    );
    insert.run(randomUUID(), 'com.example.alpha', '{"note":"visible"}', null, t.entry('granted/a.jpg').content_uuid, 0, now, now);
    insert.run(randomUUID(), 'com.example.alpha', '{"note":"secret"}', null, t.entry('secret/c.jpg').content_uuid, 0, now, now);
    insert.run(randomUUID(), 'com.example.alpha', '{"note":"standalone"}', null, null, 1, now, now);
    insert.run(randomUUID(), 'com.example.beta', '{"note":"other extension"}', null, t.entry('granted/a.jpg').content_uuid, 0, now, now);
    const notes = await q('notes');
    if (notes.target !== 'models') throw new Error('expected models');
    expect(notes.models.map((m) => m.data.note).sort()).toEqual(['standalone', 'visible']);
    expect(notes.models.find((m) => m.data.note === 'visible')!.entry!.relPath).toBe('granted/a.jpg');

    // Revoking the folder makes everything that came from it disappear.
    await t.call('extensions.revoke', { libraryId: t.libraryId, id: 'com.example.alpha', permission: 'ReadEntries', scopes: [{ locationId: t.locationId, subpath: 'granted' }] }, userCtx);
    expect((await q('photos')).total).toBe(0);
    const after = await q('notes');
    expect(after.target === 'models' && after.models.map((m) => m.data.note)).toEqual(['standalone']);
  });

  it('gives map points from media GPS or model lat/lon, raw or clustered, inside the grants and the bbox', async () => {
    const t = await setup();
    await t.call('store.install', { libraryId: t.libraryId, extensionId: 'com.example.alpha', grants: grantFolder(t, 'granted') }, userCtx);
    const gps = t.lib.raw.prepare(`INSERT OR REPLACE INTO media_data (content_uuid, latitude, longitude, extracted_at, hlc, device_id) VALUES (?, ?, ?, 'now', '0', 'd')`);
    gps.run(t.entry('granted/a.jpg').content_uuid, 48.85, 2.35);
    gps.run(t.entry('granted/b.jpg').content_uuid, 48.86, 2.34);
    gps.run(t.entry('secret/c.jpg').content_uuid, 40.7, -74);
    const points = await t.call('ui.mapPoints', { libraryId: t.libraryId, extensionId: 'com.example.alpha', viewId: 'map', zoom: 3 }, userCtx);
    expect(points).toMatchObject({ source: 'media', clustered: false, total: 2 });
    expect(points.points.map((p) => p.entryId).sort()).toEqual([t.entry('granted/a.jpg').uuid, t.entry('granted/b.jpg').uuid].sort());
    const none = await t.call('ui.mapPoints', { libraryId: t.libraryId, extensionId: 'com.example.alpha', viewId: 'map', zoom: 3, bbox: { west: -80, south: 30, east: -60, north: 50 } }, userCtx);
    expect(none.total).toBe(0);
    const clustered = uiMapPoints(t.lib, { extensionId: 'com.example.alpha', viewId: 'map', zoom: 2 }, 1);
    expect(clustered).toMatchObject({ clustered: true, total: 2 });
    expect(clustered.points).toHaveLength(1);
    expect(clustered.points[0]).toMatchObject({ count: 2, entryId: null });
    expect(clustered.points[0]!.bounds).toEqual({ west: 2.34, south: 48.85, east: 2.35, north: 48.86 });

    const now = new Date().toISOString();
    t.lib.raw
      .prepare(`INSERT INTO models (uuid, extension_id, model_type, data, standalone, created_at, updated_at, hlc, device_id, sync_strategy) VALUES (?, 'com.example.alpha', 'Place', ?, 1, ?, ?, '0', 'd', 'shared')`)
      .run(randomUUID(), '{"name":"Lyon","lat":45.76,"lon":4.83}', now, now);
    const places = await t.call('ui.mapPoints', { libraryId: t.libraryId, extensionId: 'com.example.alpha', viewId: 'places', zoom: 5 }, userCtx);
    expect(places).toMatchObject({ source: 'models', total: 1, points: [{ lat: 45.76, lon: 4.83, count: 1, entryId: null }] });
    expect((await failure(t, 'ui.mapPoints', { libraryId: t.libraryId, extensionId: 'com.example.beta', viewId: 'map', zoom: 1 })).code).toBe('NOT_FOUND');
  });

  it('serves only installed assets/ and the catalog icon under /ext-asset/', async () => {
    const t = await setup();
    await t.call('store.install', { libraryId: t.libraryId, extensionId: 'com.example.alpha', grants: [] }, userCtx);
    const icon = await resolveExtAssetRequest(t.core.libraries, `/ext-asset/${t.libraryId}/com.example.alpha/assets/icon.svg`, t.bundledDir);
    expect(icon).toMatchObject({ mime: 'image/svg+xml' });
    expect(fs.readFileSync(icon!.file, 'utf8')).toMatch(/<svg/);
    expect(await resolveExtAssetRequest(t.core.libraries, `/ext-asset/${t.libraryId}/com.example.alpha/manifest.json`, t.bundledDir)).toBeNull();
    expect(await resolveExtAssetRequest(t.core.libraries, `/ext-asset/${t.libraryId}/com.example.alpha/assets/../../../../home/config.json`, t.bundledDir)).toBeNull();
    expect(await resolveExtAssetRequest(t.core.libraries, `/ext-asset/${t.libraryId}/com.example.alpha/assets/%2e%2e/plugin.wasm`, t.bundledDir)).toBeNull();
    const catalogIcon = await resolveExtAssetRequest(t.core.libraries, '/ext-asset/catalog/com.example.alpha/icons/com.example.alpha/icon.svg', t.bundledDir);
    expect(catalogIcon?.file).toBe(fs.realpathSync(path.join(t.bundledDir, 'icons/com.example.alpha/icon.svg')));
    expect(await resolveExtAssetRequest(t.core.libraries, '/ext-asset/catalog/com.example.alpha/catalog.json', t.bundledDir)).toBeNull();
    expect(t.built.catalog.extensions.map((e) => [e.id, e.publisher, e.versions[0]!.signature])).toEqual([['com.example.alpha', 'Cairn', null], ['com.example.beta', 'Cairn', null]]);
  });
});
