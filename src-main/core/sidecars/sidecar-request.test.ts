import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/temp-dir.js';
import { seedEntries } from '../testing/seed-entries.js';
import { startTestCore, userCtx } from '../testing/test-core.js';
import { resolveSidecarRequest } from './sidecar-request.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('resolveSidecarRequest', () => {
  it('serves only files recorded in the sidecars table, inside sidecars/', async () => {
    const t = await startTestCore();
    cleanups.push(t.dispose);
    const folder = makeTempDir();
    cleanups.push(folder.cleanup);
    const [summary] = await t.core.registry.call('library.list', {}, userCtx);
    const lib = await t.core.libraries.get(summary!.id);
    const loc = await t.core.registry.call('locations.add', { libraryId: lib.id, path: folder.dir }, userCtx);
    const { contentIds } = seedEntries(lib, loc.id, [{ relPath: 'a.jpg', content: 'A' }, { relPath: 'b.jpg', content: 'B' }]);
    const a = contentIds.get('A')!;
    const b = contentIds.get('B')!;
    fs.mkdirSync(path.join(lib.path, 'sidecars', 'thumb'), { recursive: true });
    fs.writeFileSync(path.join(lib.path, 'sidecars', 'thumb', `${a}.webp`), 'webp-bytes');
    fs.writeFileSync(path.join(lib.path, 'secret.txt'), 'not a sidecar');
    const insert = lib.raw.prepare("INSERT INTO sidecars (content_uuid, kind, rel_path, format, size, created_at) VALUES (?, 'thumb', ?, 'webp', 10, 'x')");
    insert.run(a, `thumb/${a}.webp`);
    insert.run(b, '../secret.txt');

    const ok = await resolveSidecarRequest(t.core.libraries, `/sidecar/${lib.id}/${a}/thumb`);
    expect(ok).toEqual({ file: path.join(lib.path, 'sidecars', 'thumb', `${a}.webp`), mime: 'image/webp' });
    // A row pointing outside sidecars/ is never served.
    expect(await resolveSidecarRequest(t.core.libraries, `/sidecar/${lib.id}/${b}/thumb`)).toBeNull();
    for (const bad of [`/sidecar/${lib.id}/../../secret.txt/thumb`, `/sidecar/${lib.id}/${a}/THUMB`, `/sidecar/nope/${a}/thumb`, `/other/${lib.id}/${a}/thumb`, `/sidecar/${lib.id}/${a}/face`]) {
      expect(await resolveSidecarRequest(t.core.libraries, bad), bad).toBeNull();
    }
  });
});
