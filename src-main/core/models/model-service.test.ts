import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobCodec } from '../blobs/blob-codec.js';
import { BlobStore } from '../blobs/blob-store.js';
import type { CairnCore } from '../cairn-core.js';
import type { Library } from '../library/library.js';
import type { CallContext } from '../registry/operation-registry.js';
import { HybridLogicalClock } from '../sync/hlc.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { seedEntries } from '../testing/seed-entries.js';
import { startTestCore, userCtx } from '../testing/test-core.js';
import { ModelService, modelIdForKey } from './model-service.js';

const ext = (extensionId: string): CallContext => ({ caller: { kind: 'extension', extensionId } });
const A = ext('com.example.alpha');
const B = ext('com.example.beta');

let core: CairnCore;
let dispose: () => Promise<void>;
let lib: Library;
let libraryId: string;
let locationId: string;
let folder: { dir: string; cleanup: () => void };
let ids: ReturnType<typeof seedEntries>;

beforeEach(async () => {
  ({ core, dispose } = await startTestCore());
  folder = makeTempDir('cairn-loc');
  const [summary] = await core.registry.call('library.list', {}, userCtx);
  libraryId = summary!.id;
  lib = await core.libraries.get(libraryId);
  locationId = (await core.registry.call('locations.add', { libraryId, path: folder.dir }, userCtx)).id;
  ids = seedEntries(lib, locationId, [
    { relPath: 'a.jpg', content: 'A' },
    { relPath: 'copy/a.jpg', content: 'A' },
    { relPath: 'b.jpg', content: 'B' },
  ]);
});
afterEach(async () => {
  await dispose();
  folder.cleanup();
});

const call = (name: string, input: object, ctx: CallContext = A) => core.registry.invokeSync(name, { libraryId, ...input }, ctx);
const ok = <T = unknown>(r: ReturnType<typeof call>): T => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
};
const count = (sql: string, ...params: unknown[]) => (lib.raw.prepare(sql).get(...params) as { n: number }).n;

describe('models', () => {
  it('creates content-scoped models whose blob fields are stored once, compressed, and loaded only on request', () => {
    const contentId = ids.contentIds.get('A')!;
    const embedding = Array.from({ length: 512 }, (_, i) => i % 7);
    const m = ok<{ id: string; blobFields: string[]; data: object; blobs?: object; scope: string }>(
      call('models.createForContent', { contentId, type: 'PhotoAnalysis', data: { label: 'cat' }, blobs: { embedding } }),
    );
    expect(m).toMatchObject({ scope: 'content', data: { label: 'cat' }, blobFields: ['embedding'] });
    expect(m.blobs).toBeUndefined();
    const second = ok<{ id: string }>(call('models.createForContent', { contentId, type: 'PhotoAnalysis', data: { label: 'dog' }, blobs: { embedding } }));

    const blob = lib.raw.prepare('SELECT reference_count, compression, size_bytes, stored_bytes FROM metadata_blobs').all() as {
      reference_count: number; compression: string; size_bytes: number; stored_bytes: number;
    }[];
    expect(blob).toHaveLength(1);
    expect(blob[0]).toMatchObject({ reference_count: 2, compression: 'zstd' });
    expect(blob[0]!.stored_bytes).toBeLessThan(blob[0]!.size_bytes);

    expect(ok<{ value: unknown }>(call('models.getBlob', { modelId: m.id, field: 'embedding' })).value).toEqual(embedding);
    expect(ok<{ blobs: object }>(call('models.get', { modelId: m.id, include: 'all' })).blobs).toEqual({ embedding });
    expect(ok<unknown[]>(call('models.getByContent', { contentId }))).toHaveLength(2);

    ok(call('models.delete', { modelId: m.id }));
    expect(count('SELECT reference_count AS n FROM metadata_blobs')).toBe(1);
    ok(call('models.delete', { modelId: second.id }));
    expect(count('SELECT count(*) AS n FROM metadata_blobs')).toBe(0);
    expect(core.models.usage(lib, 'com.example.alpha')).toEqual({ modelCount: 0, modelBytes: 0, blobBytes: 0 });
  });

  it('queries by type and JSON-field equality, with paging and totals', () => {
    for (let i = 0; i < 25; i++) ok(call('models.create', { standalone: true, type: 'Note', data: { n: i, even: i % 2 === 0, kind: i < 5 ? 'x' : 'y' } }));
    ok(call('models.create', { standalone: true, type: 'Other', data: { kind: 'x' } }));
    ok(call('models.create', { standalone: true, type: 'Note', data: { kind: 'x' } }, B));
    const page = ok<{ items: { data: { n: number } }[]; total: number }>(call('models.query', { extensionId: 'com.example.alpha', type: 'Note', where: { even: true }, limit: 5, offset: 5 }));
    expect(page.total).toBe(13);
    expect(page.items.map((m) => m.data.n)).toEqual([10, 12, 14, 16, 18]);
    expect(ok<{ total: number }>(call('models.query', { where: { kind: 'x' } })).total).toBe(7);
    expect(ok<{ total: number }>(call('models.query', { type: 'Note', where: { kind: 'x', n: 3 } })).total).toBe(1);
    expect(call('models.query', { where: { "x') OR 1=1 --": 1 } })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('updates with merge and blob replacement, keeping reference counts and usage right', () => {
    const m = ok<{ id: string }>(call('models.create', { entryId: ids.entryIds.get('a.jpg'), type: 'Face', data: { a: 1 }, blobs: { crop: 'x'.repeat(1000) } }));
    const u = ok<{ data: object; blobFields: string[] }>(call('models.update', { modelId: m.id, data: { b: 2 }, merge: true, blobs: { crop: null, vec: [1, 2] } }));
    expect(u).toMatchObject({ data: { a: 1, b: 2 }, blobFields: ['vec'] });
    expect(count('SELECT count(*) AS n FROM metadata_blobs')).toBe(1);
    const usage = core.models.usage(lib, 'com.example.alpha');
    expect(usage).toEqual({ modelCount: 1, modelBytes: JSON.stringify({ a: 1, b: 2 }).length, blobBytes: JSON.stringify([1, 2]).length });
  });

  it('lets only extensions write models, and only their own', () => {
    const m = ok<{ id: string }>(call('models.create', { standalone: true, type: 'Note', data: {} }));
    expect(call('models.create', { standalone: true, type: 'Note', data: {} }, userCtx)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(call('models.update', { modelId: m.id, data: { evil: true } }, B)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(call('models.delete', { modelId: m.id }, B)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(call('tags.addToModel', { modelId: m.id, tagPath: 'X' }, B)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(ok<{ data: object }>(call('models.get', { modelId: m.id })).data).toEqual({});
  });

  it('makes keyed creates idempotent (same model, no duplicate, no double-counted blobs)', () => {
    const contentId = ids.contentIds.get('B')!;
    const first = ok<{ id: string }>(call('models.createForContent', { contentId, type: 'T', key: 'k1', data: { v: 1 }, blobs: { big: 'y'.repeat(500) } }));
    const again = ok<{ id: string; data: object }>(call('models.createForContent', { contentId, type: 'T', key: 'k1', data: { v: 2 }, blobs: { big: 'y'.repeat(500) } }));
    expect(again.id).toBe(first.id);
    expect(first.id).toBe(modelIdForKey('com.example.alpha', 'k1'));
    expect(again.data).toEqual({ v: 2 });
    expect(count('SELECT count(*) AS n FROM models')).toBe(1);
    expect(count('SELECT reference_count AS n FROM metadata_blobs')).toBe(1);
    // Another extension's key lands on another id.
    expect(ok<{ id: string }>(call('models.createForContent', { contentId, type: 'T', key: 'k1', data: {} }, B)).id).not.toBe(first.id);
    expect(call('models.createForContent', { contentId: ids.contentIds.get('A'), type: 'T', key: 'k1', data: {} })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('createMany is all or nothing', () => {
    const r = call('models.createMany', {
      items: [
        { contentId: ids.contentIds.get('A'), type: 'T', data: {} },
        { contentId: '00000000-0000-4000-8000-000000000000', type: 'T', data: {} },
      ],
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(count('SELECT count(*) AS n FROM models')).toBe(0);
    expect(ok<{ items: unknown[] }>(call('models.createMany', { items: [{ standalone: true, type: 'T' }, { entryId: ids.entryIds.get('b.jpg'), type: 'T' }] })).items).toHaveLength(2);
  });

  it('refuses writes past the extension quota and leaves nothing behind', async () => {
    const models = new ModelService(new HybridLogicalClock('d'), 'd', new BlobStore(await BlobCodec.load()), { maxBytes: 2000, maxModels: 3 });
    const target = { standalone: true as const };
    models.create(lib, 'q.ext', { type: 'T', data: { s: 'x'.repeat(900) }, blobs: {}, syncStrategy: 'shared', target });
    expect(() => models.create(lib, 'q.ext', { type: 'T', data: {}, blobs: { b: 'z'.repeat(1500) }, syncStrategy: 'shared', target })).toThrow(/quota/);
    expect(count('SELECT count(*) AS n FROM metadata_blobs')).toBe(0);
    models.create(lib, 'q.ext', { type: 'T', data: {}, blobs: {}, syncStrategy: 'shared', target });
    models.create(lib, 'q.ext', { type: 'T', data: {}, blobs: {}, syncStrategy: 'shared', target });
    expect(() => models.create(lib, 'q.ext', { type: 'T', data: {}, blobs: {}, syncStrategy: 'shared', target })).toThrow(expect.objectContaining({ code: 'QUOTA_EXCEEDED' }));
    expect(models.usage(lib, 'q.ext').modelCount).toBe(3);
  });
});

describe('tags by path, entries and sidecars', () => {
  it('tags contents by path, creating the tags, with the extension as source', () => {
    const r = ok<{ tagId: string; applied: number }>(call('tags.addToContent', { contentIds: [ids.contentIds.get('A'), ids.contentIds.get('B')], tagPath: 'Animals/Cats', confidence: 0.8 }));
    expect(r.applied).toBe(2);
    const detail = ok<{ tags: { name: string; source: string; sourceId: string; scope: string }[] }>(call('entries.get', { entryId: ids.entryIds.get('copy/a.jpg') }, userCtx));
    expect(detail.tags).toEqual([expect.objectContaining({ name: 'Cats', source: 'extension', sourceId: 'com.example.alpha', scope: 'content' })]);
    expect(ok<{ tagId: string }>(call('tags.addToContent', { contentIds: [ids.contentIds.get('A')], tagPath: 'Animals/Cats' })).tagId).toBe(r.tagId);
    expect(count('SELECT count(*) AS n FROM tags')).toBe(2);
    const m = ok<{ id: string }>(call('models.create', { standalone: true, type: 'T' }));
    expect(ok<{ applied: number }>(call('tags.addToModel', { modelId: m.id, tagPath: 'Animals' })).applied).toBe(1);
  });

  it('reads file bytes in ranges, never outside the location', () => {
    fs.writeFileSync(path.join(folder.dir, 'a.jpg'), 'hello world');
    const r = ok<{ data: string; size: number; eof: boolean; bytesRead: number }>(call('entries.readBytes', { entryId: ids.entryIds.get('a.jpg'), offset: 6, length: 100 }));
    expect(Buffer.from(r.data, 'base64').toString()).toBe('world');
    expect(r).toMatchObject({ size: 11, eof: true, bytesRead: 5 });
    expect(call('entries.readBytes', { locationId, path: '../outside' })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(call('entries.readBytes', { locationId, path: '/etc/hostname' })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    const outside = makeTempDir('cairn-out');
    try {
      fs.writeFileSync(path.join(outside.dir, 'secret'), 'secret');
      fs.symlinkSync(path.join(outside.dir, 'secret'), path.join(folder.dir, 'link'));
      expect(call('entries.readBytes', { locationId, path: 'link' })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    } finally {
      outside.cleanup();
    }
    expect(call('entries.readBytes', { entryId: ids.entryIds.get('a.jpg'), locationId, path: 'a.jpg' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('gets many entries at once and lists the missing ones', () => {
    const unknown = '00000000-0000-4000-8000-000000000001';
    const r = ok<{ items: { name: string }[]; missing: string[] }>(call('entries.getMany', { entryIds: [ids.entryIds.get('b.jpg'), unknown] }));
    expect(r.items.map((i) => i.name)).toEqual(['b.jpg']);
    expect(r.missing).toEqual([unknown]);
  });

  it('writes and reads sidecars under sidecars/<kind>/ with the writing extension recorded', () => {
    const contentId = ids.contentIds.get('A')!;
    const w = ok<{ relPath: string }>(call('sidecars.write', { contentId, kind: 'ocr', format: 'txt', data: Buffer.from('text!').toString('base64') }));
    expect(w.relPath).toBe(`ocr/${contentId.slice(0, 2)}/${contentId}.txt`);
    expect(fs.readFileSync(path.join(lib.path, 'sidecars', w.relPath), 'utf8')).toBe('text!');
    const r = ok<{ data: string; extensionId: string }>(call('sidecars.read', { contentId, kind: 'ocr' }));
    expect(Buffer.from(r.data, 'base64').toString()).toBe('text!');
    expect(r.extensionId).toBe('com.example.alpha');
    expect(call('sidecars.read', { contentId, kind: 'thumb' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
