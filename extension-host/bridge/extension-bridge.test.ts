import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditTrail } from '../permissions/audit-trail.js';
import type { DispatchResult } from '../sandbox/sandbox-protocol.js';
import { HybridLogicalClock } from '../../src-main/core/sync/hlc.js';
import { TagService, USER_SOURCE } from '../../src-main/core/tags/tag-service.js';
import { ExtensionBridge, type BridgeEvent } from './extension-bridge.js';
import { EXT, OTHER_EXT, makeBridgeFixture, type BridgeFixture } from './testing/bridge-fixture.js';

let f: BridgeFixture;
let bridge: ExtensionBridge;
let other: ExtensionBridge;
let events: BridgeEvent[];

beforeEach(async () => {
  f = await makeBridgeFixture();
  events = [];
  bridge = await ExtensionBridge.open({ libraryPath: f.libPath, extensionId: EXT, emit: (e) => events.push(e) });
  other = await ExtensionBridge.open({ libraryPath: f.libPath, extensionId: OTHER_EXT });
});
afterEach(async () => {
  await bridge.close();
  await other.close();
  await f.cleanup();
});

const ok = <T = unknown>(r: DispatchResult): T => {
  if ('error' in r) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.ok as T;
};
const denied = (r: DispatchResult, capability?: string) => {
  expect(r).toMatchObject({ error: { code: 'PERMISSION_DENIED' } });
  if (capability) expect((r as { error: { message: string } }).error.message).toContain(capability);
};
const count = (sql: string) => (f.lib.raw.prepare(sql).get() as { n: number }).n;
const trail = () => new AuditTrail(f.libPath, EXT).read();

describe('ExtensionBridge: results are filtered to the granted scope', () => {
  it('lists only entries inside the granted folder that match the glob, with totals to match', () => {
    const all = ok<{ items: { relPath: string }[]; total: number }>(bridge.dispatch('entries.list', {}));
    expect(all.items.map((i) => i.relPath).sort()).toEqual(['photos', 'photos/cat.jpg', 'photos/dog.png', 'photos/escape.jpg']);
    expect(all.total).toBe(4);
    const b = ok<{ total: number }>(bridge.dispatch('entries.list', { locationId: f.locB }));
    expect(b.total).toBe(0);
    const search = ok<{ items: unknown[]; total: number }>(bridge.dispatch('search.entries', { query: 'jpg' }));
    expect(search.total).toBe(2);
    expect(ok<{ total: number }>(bridge.dispatch('search.entries', { query: 'cv' })).total).toBe(0);
  });

  it('denies entry ids outside the scope (another location, another folder, a file the glob excludes)', () => {
    denied(bridge.dispatch('entries.get', { entryId: f.entry('b.jpg') }), 'ReadEntries');
    denied(bridge.dispatch('entries.get', { entryId: f.entry('docs/cv.pdf') }), 'ReadEntries');
    denied(bridge.dispatch('entries.getMany', { entryIds: [f.entry('photos/cat.jpg'), f.entry('b.jpg')] }), 'ReadEntries');
    expect(ok<{ entry: { name: string } }>(bridge.dispatch('entries.get', { entryId: f.entry('photos/cat.jpg') })).entry.name).toBe('cat.jpg');
    expect(trail().map((r) => r.method)).toEqual(['entries.get', 'entries.get', 'entries.getMany']);
  });

  it('reads bytes in scope and refuses .., absolute paths and symlinks that lead out', () => {
    const r = ok<{ data: string }>(bridge.dispatch('entries.readBytes', { entryId: f.entry('photos/cat.jpg') }));
    expect(Buffer.from(r.data, 'base64').toString()).toBe('cat bytes');
    expect(ok<{ data: string }>(bridge.dispatch('entries.readBytes', { locationId: f.locA, path: 'photos/dog.png' })).data).toBe(Buffer.from('dog bytes').toString('base64'));
    denied(bridge.dispatch('entries.readBytes', { locationId: f.locA, path: 'photos/../docs/cv.pdf' }));
    denied(bridge.dispatch('entries.readBytes', { locationId: f.locA, path: '../outside/secret.jpg' }));
    denied(bridge.dispatch('entries.readBytes', { locationId: f.locA, path: `${f.outside}/secret.jpg` }));
    denied(bridge.dispatch('entries.readBytes', { locationId: f.locA, path: 'photos/escape.jpg' }));
    denied(bridge.dispatch('entries.readBytes', { entryId: f.entry('photos/escape.jpg') }));
    denied(bridge.dispatch('entries.readBytes', { entryId: f.entry('b.jpg') }));
  });
});

describe('ExtensionBridge: two keys on every call', () => {
  it('denies methods outside the capability table, naming why', () => {
    for (const method of ['library.delete', 'library.list', 'locations.add', 'jobs.pause', 'shell.info', 'entries.setNote', 'tags.delete', 'no.such.method']) {
      const r = bridge.dispatch(method, { jobId: '00000000-0000-4000-8000-000000000000' });
      denied(r);
      expect((r as { error: { message: string } }).error.message).toContain('not available to extensions');
    }
    expect(trail()).toHaveLength(8);
  });

  it('needs both the manifest declaration and the grant', () => {
    const grants = f.defaultGrants().filter((g) => g.type !== 'WriteTags');
    f.setGrants(grants);
    const r = bridge.dispatch('tags.addToContent', { contentIds: [f.content('cat bytes')], tagPath: 'Cats' });
    denied(r, 'WriteTags');
    expect((r as { error: { message: string } }).error.message).toContain('not granted');
    // A grant for a permission the manifest does not declare at that index grants nothing.
    f.setGrants([...grants, { index: 1, type: 'WriteTags', granted: true, scopes: [] }]);
    denied(bridge.dispatch('tags.addToContent', { contentIds: [f.content('cat bytes')], tagPath: 'Cats' }), 'WriteTags');
    expect(count('SELECT count(*) AS n FROM tags')).toBe(0);
  });

  it('applies a revoked grant on the very next call', () => {
    ok(bridge.dispatch('tags.list', {}));
    f.setGrants(f.defaultGrants().map((g) => (g.type === 'ReadEntries' ? { ...g, granted: false } : g)));
    denied(bridge.dispatch('tags.list', {}), 'ReadEntries');
    denied(bridge.dispatch('entries.list', {}), 'ReadEntries');
    f.lib.raw.prepare('UPDATE extension_installs SET enabled = 0 WHERE id = ?').run(EXT);
    const r = bridge.dispatch('models.query', {});
    denied(r);
    expect((r as { error: { message: string } }).error.message).toContain('disabled');
  });

  it('shrinking the scope hides entries at once', () => {
    expect(ok<{ total: number }>(bridge.dispatch('entries.list', {})).total).toBe(4);
    f.setGrants(f.defaultGrants().map((g) => (g.type === 'ReadEntries' ? { ...g, scopes: [{ locationId: f.locB, subpath: '' }] } : g)));
    expect(ok<{ items: { relPath: string }[] }>(bridge.dispatch('entries.list', {})).items.map((i) => i.relPath)).toEqual(['b.jpg']);
  });
});

describe('ExtensionBridge: writes', () => {
  it("removes only the tag applications the extension made: the user's and out-of-scope contents are left alone", () => {
    const cat = f.content('cat bytes');
    const dog = f.content('dog bytes');
    // The user tagged the dog #person:Grace before the extension tagged both photos.
    const userTags = new TagService(new HybridLogicalClock('user'), 'test-device');
    const grace = userTags.create(f.lib, '#person:Grace', null);
    userTags.apply(f.lib, grace.id, [f.entry('photos/dog.png')], 'content', USER_SOURCE);
    expect(ok<{ tagId: string; applied: number }>(bridge.dispatch('tags.addToContent', { contentIds: [cat, dog], tagPath: '#person:Grace' }))).toEqual({ tagId: grace.id, applied: 1 });
    const applications = () => f.lib.raw.prepare(
      `SELECT m.content_uuid AS content, a.source, a.source_id AS sourceId FROM tag_applications a JOIN user_metadata m ON m.id = a.metadata_id WHERE a.tag_id = ? ORDER BY m.content_uuid`,
    ).all(grace.id) as { content: string; source: string; sourceId: string | null }[];
    const before = applications();
    expect(before).toHaveLength(2);

    // Another extension cannot remove what this one applied; a content outside the granted folder is refused
    // and nothing is removed (all or nothing); a path with no tag removes nothing.
    expect(ok(other.dispatch('tags.removeFromContent', { contentIds: [cat, dog], tagPath: '#person:Grace' }))).toEqual({ tagId: grace.id, removed: 0 });
    denied(bridge.dispatch('tags.removeFromContent', { contentIds: [cat, f.content('b bytes')], tagPath: '#person:Grace' }), 'WriteTags');
    expect(ok(bridge.dispatch('tags.removeFromContent', { contentIds: [cat], tagPath: '#person:Nobody' }))).toEqual({ tagId: null, removed: 0 });
    expect(bridge.dispatch('tags.removeFromContent', { contentIds: [cat], tagPath: 'a//b' })).toMatchObject({ error: { code: 'VALIDATION' } });
    expect(applications()).toEqual(before);

    // The extension's own removal: the cat loses the tag, the user's application on the dog survives.
    expect(ok(bridge.dispatch('tags.removeFromContent', { contentIds: [cat, dog], tagPath: '#person:Grace' }))).toEqual({ tagId: grace.id, removed: 1 });
    expect(applications()).toEqual([{ content: dog, source: 'user', sourceId: null }]);
    expect(trail().filter((r) => r.method === 'tags.removeFromContent').map((r) => r.code)).toEqual(['PERMISSION_DENIED', 'OK', 'OK']);

    // Without WriteTags the call is refused.
    f.setGrants(f.defaultGrants().filter((g) => g.type !== 'WriteTags'));
    denied(bridge.dispatch('tags.removeFromContent', { contentIds: [cat], tagPath: '#person:Grace' }), 'WriteTags');
  });

  it('creates declared models, moving declared blob fields out of data, and tags with the extension as source', () => {
    const cat = f.content('cat bytes');
    const m = ok<{ id: string; data: object; blobFields: string[] }>(
      bridge.dispatch('models.createForContent', { contentId: cat, type: 'PhotoAnalysis', data: { label: 'cat', embedding: [1, 2, 3] } }),
    );
    expect(m.data).toEqual({ label: 'cat' });
    expect(m.blobFields).toEqual(['embedding']);
    expect(ok<{ value: unknown }>(bridge.dispatch('models.getBlob', { modelId: m.id, field: 'embedding' })).value).toEqual([1, 2, 3]);
    ok(bridge.dispatch('tags.addToContent', { contentIds: [cat], tagPath: 'Animals/Cats' }));
    ok(bridge.dispatch('tags.apply', { tagId: ok<{ id: string }[]>(bridge.dispatch('tags.list', {}))[0]!.id, entryIds: [f.entry('photos/dog.png')] }));
    const sources = f.lib.raw.prepare('SELECT DISTINCT source, source_id FROM tag_applications').all();
    expect(sources).toEqual([{ source: 'extension', source_id: EXT }]);
    expect(events.some((e) => e.type === 'core-event' && e.name === 'models.onDidChange')).toBe(true);
    // The allowed writes are in the audit trail (reads are not), in order.
    expect(trail().map((r) => [r.method, r.code])).toEqual([
      ['models.createForContent', 'OK'],
      ['tags.addToContent', 'OK'],
      ['tags.apply', 'OK'],
    ]);
  });

  it('refuses undeclared model types, wrong scopes and content outside the scope', () => {
    denied(bridge.dispatch('models.createForContent', { contentId: f.content('cat bytes'), type: 'Secret', data: {} }), 'WriteModels');
    denied(bridge.dispatch('models.createForContent', { contentId: f.content('cat bytes'), type: 'Album', data: {} }), 'WriteModels');
    denied(bridge.dispatch('models.createForContent', { contentId: f.content('cv bytes'), type: 'PhotoAnalysis', data: {} }), 'WriteModels');
    denied(bridge.dispatch('models.create', { entryId: f.entry('b.jpg'), type: 'PathNote', data: {} }), 'WriteModels');
    expect(ok<{ scope: string }>(bridge.dispatch('models.create', { standalone: true, type: 'Album', data: {} })).scope).toBe('standalone');
  });

  it("cannot read, change or delete another extension's models", () => {
    const theirs = ok<{ id: string }>(other.dispatch('models.create', { standalone: true, type: 'Album', data: { mine: true } }));
    denied(bridge.dispatch('models.update', { modelId: theirs.id, data: { mine: false } }), 'WriteModels');
    denied(bridge.dispatch('models.delete', { modelId: theirs.id }), 'WriteModels');
    denied(bridge.dispatch('models.get', { modelId: theirs.id }), 'WriteModels');
    denied(bridge.dispatch('models.query', { extensionId: OTHER_EXT }), 'WriteModels');
    denied(bridge.dispatch('tags.addToModel', { modelId: theirs.id, tagPath: 'X' }), 'WriteTags');
    expect(ok<{ total: number }>(bridge.dispatch('models.query', {})).total).toBe(0);
    expect(ok<{ data: object }>(other.dispatch('models.get', { modelId: theirs.id })).data).toEqual({ mine: true });
  });

  it('changes nothing when a batch is partly out of scope', () => {
    const before = count('SELECT count(*) AS n FROM models');
    denied(
      bridge.dispatch('models.createMany', {
        items: [
          { contentId: f.content('cat bytes'), type: 'PhotoAnalysis', data: {} },
          { contentId: f.content('b bytes'), type: 'PhotoAnalysis', data: {} },
        ],
      }),
    );
    denied(bridge.dispatch('tags.addToContent', { contentIds: [f.content('cat bytes'), f.content('cv bytes')], tagPath: 'Half/Applied' }));
    expect(count('SELECT count(*) AS n FROM models')).toBe(before);
    expect(count('SELECT count(*) AS n FROM tags')).toBe(0);
    // A batch that fails inside the core (unknown content) is rolled back too.
    expect(bridge.dispatch('models.createMany', { items: [{ standalone: true, type: 'Album' }, { contentId: '00000000-0000-4000-8000-000000000009', type: 'PhotoAnalysis' }] })).toMatchObject({
      error: { code: 'NOT_FOUND' },
    });
    expect(count('SELECT count(*) AS n FROM models')).toBe(before);
  });

  it('checks sidecar kinds and the content scope of sidecar grants', () => {
    const cat = f.content('cat bytes');
    ok(bridge.dispatch('sidecars.write', { contentId: cat, kind: 'face_crop', format: 'jpg', data: Buffer.from('crop').toString('base64') }));
    denied(bridge.dispatch('sidecars.write', { contentId: cat, kind: 'thumb', format: 'jpg', data: '' }), 'WriteSidecars');
    denied(bridge.dispatch('sidecars.write', { contentId: f.content('b bytes'), kind: 'face_crop', format: 'jpg', data: '' }), 'WriteSidecars');
    denied(bridge.dispatch('sidecars.read', { contentId: cat, kind: 'face_crop' }), 'ReadSidecars');
    expect(bridge.dispatch('sidecars.read', { contentId: cat, kind: 'thumb' })).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('owns the collections it creates and only those', () => {
    const mine = ok<{ id: string }>(bridge.dispatch('collections.create', { name: 'Best cats' }));
    ok(bridge.dispatch('collections.addItems', { collectionId: mine.id, items: [{ entryId: f.entry('photos/cat.jpg') }] }));
    denied(bridge.dispatch('collections.addItems', { collectionId: mine.id, items: [{ entryId: f.entry('b.jpg') }] }), 'WriteCollections');
    const theirs = ok<{ id: string }>(other.dispatch('collections.create', { name: 'Theirs' }));
    denied(bridge.dispatch('collections.delete', { collectionId: theirs.id }), 'WriteCollections');
  });

  it('reads back only its own collections, and of their items only those still in scope', () => {
    const mine = ok<{ id: string }>(bridge.dispatch('collections.create', { name: 'Album' }));
    const model = ok<{ id: string }>(bridge.dispatch('models.create', { type: 'Album', standalone: true, data: { title: 'x' } }));
    const items = [{ entryId: f.entry('photos/cat.jpg') }, { contentId: f.content('dog bytes') }, { modelId: model.id }];
    ok(bridge.dispatch('collections.addItems', { collectionId: mine.id, items }));
    const theirs = ok<{ id: string }>(other.dispatch('collections.create', { name: 'Theirs' }));
    f.lib.raw.prepare("INSERT INTO collections (id, name, owner, created_at, updated_at, hlc, device_id) VALUES ('user-c', 'Mine, the user''s', 'user', '', '', '0', 'd')").run();

    const listed = ok<{ id: string; itemCount: number }[]>(bridge.dispatch('collections.list', {}));
    expect(listed).toEqual([expect.objectContaining({ id: mine.id, itemCount: 3 })]);
    const page = ok<{ items: { kind: string; id: string; entry: { name: string } | null }[]; total: number }>(
      bridge.dispatch('collections.items', { collectionId: mine.id }),
    );
    expect(page.items.map((i) => [i.kind, i.entry?.name ?? null])).toEqual([['entry', 'cat.jpg'], ['content', 'dog.png'], ['model', null]]);
    expect(page.total).toBe(3);
    denied(bridge.dispatch('collections.items', { collectionId: theirs.id }), 'WriteCollections');
    denied(bridge.dispatch('collections.items', { collectionId: 'user-c' }), 'WriteCollections');

    // Narrow the grant to a folder without cat.jpg's and dog.png's: their items vanish from the answer (the
    // stored collection keeps them), counts follow, and the own model stays.
    f.setGrants(f.defaultGrants().map((g) => (g.type === 'ReadEntries' ? { ...g, scopes: [{ locationId: f.locA, subpath: 'docs' }] } : g)));
    const narrowed = ok<{ items: { kind: string; id: string }[]; total: number }>(bridge.dispatch('collections.items', { collectionId: mine.id }));
    expect(narrowed).toEqual({ items: [expect.objectContaining({ kind: 'model', id: model.id })], total: 1 });
    expect(ok<{ itemCount: number }[]>(bridge.dispatch('collections.list', {}))[0]!.itemCount).toBe(1);
    expect(count(`SELECT count(*) AS n FROM collection_items WHERE collection_id = '${mine.id}'`)).toBe(3);

    // The user's own listing (the core, unscoped) still sees every collection and item.
    expect(count('SELECT count(*) AS n FROM collections')).toBe(3);
  });

  it('denies collection reads without WriteCollections granted', () => {
    f.setGrants(f.defaultGrants().map((g) => (g.type === 'WriteCollections' ? { ...g, granted: false } : g)));
    denied(bridge.dispatch('collections.list', {}), 'WriteCollections');
  });
});

describe('ExtensionBridge: wire details', () => {
  it('rejects non-object payloads and pins the library id', () => {
    expect(bridge.dispatch('tags.list', [1, 2])).toMatchObject({ error: { code: 'VALIDATION' } });
    expect(bridge.dispatch('tags.list', 'x')).toMatchObject({ error: { code: 'VALIDATION' } });
    expect(ok(bridge.dispatch('tags.list', { libraryId: '00000000-0000-4000-8000-000000000000' }))).toEqual([]);
  });

  it('forwards log lines and refuses job methods outside a job', () => {
    ok(bridge.dispatch('log', { level: 'warn', message: 'hello' }));
    expect(events).toContainEqual({ type: 'log', level: 'warn', message: 'hello' });
    expect(bridge.dispatch('job.checkpoint', { state: 1 })).toMatchObject({ error: { code: 'NOT_SUPPORTED' } });
  });

  it('rotates the audit trail by size', () => {
    const small = new AuditTrail(f.libPath, EXT, { maxBytes: 400, files: 3 });
    for (let i = 0; i < 20; i++) small.append({ method: `m${i}`, code: 'PERMISSION_DENIED', message: 'x'.repeat(50) });
    const files = fs.readdirSync(small.folder).sort();
    expect(files).toEqual(['trail.1.jsonl', 'trail.2.jsonl', 'trail.jsonl']);
    for (const file of files) expect(fs.statSync(`${small.folder}/${file}`).size).toBeLessThanOrEqual(400);
    const kept = small.read();
    expect(kept.at(-1)!.method).toBe('m19');
    expect(kept.length).toBeLessThan(20);
  });
});

describe('ExtensionBridge: job.start', () => {
  it('queues one of the extension\'s own declared jobs (an event for the runtime) and refuses anything else', () => {
    expect(ok(bridge.dispatch('job.start', { job: 'analyze', input: { contentIds: ['c1'] } }))).toEqual({ queued: true });
    expect(events.filter((e) => e.type === 'job.start')).toEqual([{ type: 'job.start', job: 'analyze', input: { contentIds: ['c1'] } }]);
    expect(trail().some((t) => t.method === 'job.start' && t.message === 'analyze')).toBe(true);

    events.length = 0;
    const undeclared = bridge.dispatch('job.start', { job: 'reindex_everything' });
    denied(undeclared, 'declares no job named "reindex_everything"');
    expect(bridge.dispatch('job.start', {})).toMatchObject({ error: { code: 'VALIDATION' } });
    expect(bridge.dispatch('job.start', { job: 42 })).toMatchObject({ error: { code: 'VALIDATION' } });
    expect(events.filter((e) => e.type === 'job.start')).toEqual([]);
    expect(trail().some((t) => t.method === 'job.start' && t.code === 'PERMISSION_DENIED')).toBe(true);

    f.lib.raw.prepare('UPDATE extension_installs SET enabled = 0 WHERE id = ?').run(EXT);
    denied(bridge.dispatch('job.start', { job: 'analyze' }), 'disabled');
    expect(events.filter((e) => e.type === 'job.start')).toEqual([]);
  });
});
