import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Library } from '../library/library.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { BlobCodec } from './blob-codec.js';
import { BlobStore } from './blob-store.js';

let tmp: { dir: string; cleanup: () => void };
let lib: Library;
let store: BlobStore;
const bytes = (s: string) => new TextEncoder().encode(s);

beforeEach(async () => {
  tmp = makeTempDir('cairn-blobs');
  lib = await Library.create(`${tmp.dir}/lib`, { name: 'Blobs' });
  store = new BlobStore(await BlobCodec.load());
});
afterEach(async () => {
  await lib.close();
  tmp.cleanup();
});

describe('BlobStore', () => {
  it('deduplicates by BLAKE3, counts references and deletes at zero', () => {
    const json = JSON.stringify({ values: Array.from({ length: 200 }, (_, i) => ({ i, label: 'same words again' })) });
    const a = store.put(lib, bytes(json), 'test');
    const b = store.put(lib, bytes(json), 'test');
    expect(b.id).toBe(a.id);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.storedBytes).toBeLessThan(a.sizeBytes / 4);
    expect(new TextDecoder().decode(store.get(lib, a.id).bytes)).toBe(json);
    expect(store.release(lib, a.id)).toBe(false);
    expect(store.release(lib, a.id)).toBe(true);
    expect(() => store.get(lib, a.id)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('keeps small or incompressible values raw', () => {
    const small = store.put(lib, bytes('{"a":1}'), 'test');
    const row = lib.raw.prepare('SELECT compression, blob_data FROM metadata_blobs WHERE id = ?').get(small.id) as { compression: string | null; blob_data: Uint8Array };
    expect(row.compression).toBeNull();
    expect(new TextDecoder().decode(row.blob_data)).toBe('{"a":1}');
  });

  it('reports corrupt stored data as LIBRARY_CORRUPT', () => {
    const ref = store.put(lib, bytes('x'.repeat(1000)), 'test');
    lib.raw.prepare('UPDATE metadata_blobs SET blob_data = ? WHERE id = ?').run(Buffer.from('not zstd at all'), ref.id);
    expect(() => store.get(lib, ref.id)).toThrow(expect.objectContaining({ code: 'LIBRARY_CORRUPT' }));
  });

  it('sweep recounts references and removes unreferenced blobs', () => {
    const orphan = store.put(lib, bytes('orphan'), 'test');
    expect(store.sweep(lib)).toBe(1);
    expect(() => store.get(lib, orphan.id)).toThrow();
  });
});
