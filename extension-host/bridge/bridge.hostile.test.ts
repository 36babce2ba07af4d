import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditTrail } from '../permissions/audit-trail.js';
import { SandboxedPlugin } from '../sandbox/sandboxed-plugin.js';
import { buildGuest } from '../sandbox/testing/guest-wat.js';
import { BRIDGE_HOST_MODULE } from './bridge-module.js';
import { EXT, OTHER_EXT, makeBridgeFixture, type BridgeFixture } from './testing/bridge-fixture.js';

// Hostile guests talking to the real bridge through the real sandbox: a WAT module whose `relay` export sends
// its input as the vdfs_call request and returns the response (see sandbox/testing/guest-wat.ts).
let f: BridgeFixture;
let guest: SandboxedPlugin;
let otherGuest: SandboxedPlugin;

beforeAll(async () => {
  f = await makeBridgeFixture();
  const wasm = await buildGuest('');
  const start = (extensionId: string) =>
    SandboxedPlugin.start({ extensionId, wasm, hostModulePath: BRIDGE_HOST_MODULE, hostInit: { libraryPath: f.libPath }, limits: { timeoutMs: 30_000 } });
  [guest, otherGuest] = await Promise.all([start(EXT), start(OTHER_EXT)]);
});
afterAll(async () => {
  await guest?.close();
  await otherGuest?.close();
  await f?.cleanup();
});

const raw = async (plugin: SandboxedPlugin, text: string) => JSON.parse(new TextDecoder().decode(await plugin.call('relay', text))) as { ok?: unknown; error?: { code: string; message: string } };
const send = (method: string, payload: unknown, plugin = guest) => raw(plugin, JSON.stringify({ method, payload }));
const count = (sql: string) => (f.lib.raw.prepare(sql).get() as { n: number }).n;

describe('hostile guests against the bridge', () => {
  it('a method that is not granted is denied, audited, and changes nothing', async () => {
    for (const method of ['library.delete', 'locations.remove', 'jobs.cancel', 'shell.pickFolder', 'entries.setFavorite']) {
      const r = await send(method, { libraryId: f.lib.id, locationId: f.locA, jobId: f.locA, entryId: f.entry('photos/cat.jpg'), favorite: true });
      expect(r.error?.code).toBe('PERMISSION_DENIED');
    }
    expect(count('SELECT count(*) AS n FROM locations')).toBe(2);
    expect(count('SELECT count(*) AS n FROM user_metadata')).toBe(0);
    const trail = new AuditTrail(f.libPath, EXT).read();
    expect(trail.map((t) => t.method)).toEqual(expect.arrayContaining(['library.delete', 'locations.remove', 'jobs.cancel', 'shell.pickFolder', 'entries.setFavorite']));
  });

  it('cannot read outside its scope: .., absolute paths, a symlink pointing out, an entry of another location', async () => {
    const attempts = [
      { locationId: f.locA, path: '../outside/secret.jpg' },
      { locationId: f.locA, path: 'photos/../../outside/secret.jpg' },
      { locationId: f.locA, path: `${f.outside}/secret.jpg` },
      { locationId: f.locA, path: 'photos/escape.jpg' },
      { entryId: f.entry('photos/escape.jpg') },
      { entryId: f.entry('b.jpg') },
      { locationId: f.locB, path: 'b.jpg' },
    ];
    for (const payload of attempts) {
      const r = await send('entries.readBytes', payload);
      expect(r.error?.code, JSON.stringify(payload)).toBe('PERMISSION_DENIED');
      expect(JSON.stringify(r)).not.toContain(Buffer.from('secret').toString('base64'));
    }
    expect((await send('entries.get', { entryId: f.entry('b.jpg') })).error?.code).toBe('PERMISSION_DENIED');
    const ok = await send('entries.readBytes', { locationId: f.locA, path: 'photos/cat.jpg' });
    expect(Buffer.from((ok.ok as { data: string }).data, 'base64').toString()).toBe('cat bytes');
  });

  it("cannot write another extension's models", async () => {
    const theirs = (await send('models.create', { standalone: true, type: 'Album', data: { v: 1 } }, otherGuest)).ok as { id: string };
    expect((await send('models.update', { modelId: theirs.id, data: { v: 666 } })).error?.code).toBe('PERMISSION_DENIED');
    expect((await send('models.delete', { modelId: theirs.id })).error?.code).toBe('PERMISSION_DENIED');
    expect(JSON.parse((f.lib.raw.prepare('SELECT data FROM models WHERE uuid = ?').get(theirs.id) as { data: string }).data)).toEqual({ v: 1 });
  });

  it('malformed requests get VALIDATION and the guest keeps working', async () => {
    for (const text of ['not json{', '[]', '{"payload":{}}', '{"method":42}', '"just a string"', '{"method":"tags.list","payload":[1]}']) {
      expect((await raw(guest, text)).error?.code, text).toBe('VALIDATION');
    }
    expect((await send('tags.list', { bogus: true })).error?.code).toBe('VALIDATION');
    expect((await send('tags.list', {})).ok).toEqual([]);
  });

  it('a revoked grant stops access on the next call', async () => {
    expect((await send('entries.list', {})).ok).toBeDefined();
    f.setGrants(f.defaultGrants().filter((g) => g.type !== 'ReadEntries'));
    try {
      expect((await send('entries.list', {})).error?.code).toBe('PERMISSION_DENIED');
    } finally {
      f.setGrants(f.defaultGrants());
    }
    expect((await send('entries.list', {})).ok).toBeDefined();
  });

  it('a batch partly out of scope changes nothing', async () => {
    const models = count('SELECT count(*) AS n FROM models');
    const r = await send('models.createMany', {
      items: [
        { contentId: f.content('cat bytes'), type: 'PhotoAnalysis', data: { label: 'cat', embedding: [1] } },
        { contentId: f.content('dog bytes'), type: 'PhotoAnalysis', data: { label: 'dog', embedding: [2] } },
        { contentId: f.content('cv bytes'), type: 'PhotoAnalysis', data: { label: 'cv', embedding: [3] } },
      ],
    });
    expect(r.error?.code).toBe('PERMISSION_DENIED');
    const tags = await send('tags.apply', { tagId: '00000000-0000-4000-8000-000000000000', entryIds: [f.entry('photos/cat.jpg'), f.entry('b.jpg')] });
    expect(tags.error?.code).toBe('PERMISSION_DENIED');
    expect(count('SELECT count(*) AS n FROM models')).toBe(models);
    expect(count('SELECT count(*) AS n FROM metadata_blobs')).toBe(0);
    expect(count('SELECT count(*) AS n FROM tag_applications')).toBe(0);
  });
});
