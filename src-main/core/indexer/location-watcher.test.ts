import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/temp-dir.js';
import { scopesFor } from './location-watcher.js';
import { indexHarness, type IndexHarness } from './testing/index-harness.js';

let h: IndexHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** Polls until `check` passes (no timing assertions: only a generous upper bound). */
async function eventually(check: () => void, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('scopesFor', () => {
  it('rescans the parents shallowly and unknown new folders whole, without nesting', () => {
    const tmp = makeTempDir('cairn-scopes');
    try {
      fs.mkdirSync(path.join(tmp.dir, 'new/inner'), { recursive: true });
      fs.mkdirSync(path.join(tmp.dir, 'known'));
      const scopes = scopesFor(tmp.dir, ['a.txt', 'sub/b.txt', 'new', 'new/inner', 'known', 'caf\uFFFD/x'], (rel) => rel === 'known');
      expect(scopes).toEqual([
        { path: '', recursive: false },
        { path: 'known', recursive: false },
        { path: 'sub', recursive: false },
        { path: 'new', recursive: true },
      ]);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('location watcher', () => {
  it('keeps the index current: create, modify, rename, move, delete, whole subtrees', async () => {
    h = await indexHarness({ watch: true });
    h.put('start.txt', 'one');
    h.put('box/old.txt', 'two');
    await h.addLocation();
    const status = await h.core.indexer.status(h.libraryId);
    expect(status[0]!.watching).toBe(true);
    const paths = () => h!.entries().map((e) => e.rel_path);

    h.put('created.txt', 'new file');
    await eventually(() => expect(h!.entry('created.txt')?.content_uuid).toBeTruthy());

    const before = h.entry('start.txt')!;
    fs.writeFileSync(path.join(h.root, 'start.txt'), 'changed contents');
    await eventually(() => expect(h!.entry('start.txt')?.content_uuid).not.toBe(before.content_uuid));
    expect(h.entry('start.txt')!.uuid).toBe(before.uuid);

    const old = h.entry('box/old.txt')!;
    fs.renameSync(path.join(h.root, 'box/old.txt'), path.join(h.root, 'box/renamed.txt'));
    await eventually(() => expect(h!.entry('box/renamed.txt')?.uuid).toBe(old.uuid));
    expect(h.entry('box/old.txt')).toBeUndefined();

    // A whole subtree arrives at once (moved in from outside the location).
    const outside = makeTempDir('cairn-outside');
    fs.mkdirSync(path.join(outside.dir, 'trip/day1'), { recursive: true });
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(outside.dir, 'trip/day1', `p${i}.txt`), `p${i}`);
    fs.renameSync(path.join(outside.dir, 'trip'), path.join(h.root, 'trip'));
    outside.cleanup();
    await eventually(() => expect(paths().filter((p) => p.startsWith('trip/day1/'))).toHaveLength(5));

    // Move a subtree inside the location: uuids follow.
    const tripUuid = h.entry('trip/day1/p3.txt')!.uuid;
    fs.renameSync(path.join(h.root, 'trip'), path.join(h.root, 'box/trip'));
    await eventually(() => expect(h!.entry('box/trip/day1/p3.txt')?.uuid).toBe(tripUuid));
    await eventually(() => expect(paths().filter((p) => p.startsWith('trip'))).toEqual([]));

    // Delete a whole subtree and a file.
    fs.rmSync(path.join(h.root, 'box'), { recursive: true });
    fs.rmSync(path.join(h.root, 'created.txt'));
    await eventually(() => expect(paths()).toEqual(['start.txt']));
    await eventually(async () => expect((await h!.core.indexer.status(h!.libraryId))[0]!.runningJobId).toBeNull());
  }, 60_000);

  it('stops watching a removed location', async () => {
    h = await indexHarness({ watch: true });
    h.put('a.txt', 'a');
    await h.addLocation();
    await h.core.registry.call('locations.remove', { libraryId: h.libraryId, locationId: h.locationId }, { caller: { kind: 'user', via: 'internal' } });
    await eventually(async () => expect(await h!.core.indexer.status(h!.libraryId)).toEqual([]));
  });
});
