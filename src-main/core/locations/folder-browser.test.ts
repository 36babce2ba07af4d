import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCore, userCtx } from '../testing/test-core.js';
import { makeTempDir } from '../testing/temp-dir.js';
import type { CairnCore } from '../cairn-core.js';

let t: Awaited<ReturnType<typeof startTestCore>>;
let core: CairnCore;
let tmp: ReturnType<typeof makeTempDir>;

beforeAll(async () => {
  t = await startTestCore();
  core = t.core;
  tmp = makeTempDir('cairn-browse');
  // Photos/ with subfolders, files beside them, a hidden folder, and links to a folder, to a file, to nothing and in loops.
  const photos = path.join(tmp.dir, 'Photos');
  for (const d of ['2024', '2023', 'holidays', 'Archive', '.thumbnails', '10', '9']) fs.mkdirSync(path.join(photos, d), { recursive: true });
  fs.writeFileSync(path.join(photos, 'cat.jpg'), 'not listed');
  fs.writeFileSync(path.join(photos, '2024', 'inside.txt'), 'never read');
  fs.mkdirSync(path.join(tmp.dir, 'Elsewhere'));
  fs.symlinkSync(path.join(tmp.dir, 'Elsewhere'), path.join(photos, 'linked'));
  fs.symlinkSync(path.join(photos, 'cat.jpg'), path.join(photos, 'cat-link'));
  fs.symlinkSync(path.join(photos, 'missing'), path.join(photos, 'broken'));
  fs.symlinkSync(path.join(photos, 'loop'), path.join(photos, 'loop'));
  fs.symlinkSync(path.join(photos, 'ping'), path.join(photos, 'pong'));
  fs.symlinkSync(path.join(photos, 'pong'), path.join(photos, 'ping'));
});

afterAll(async () => {
  await t?.dispose();
  tmp?.cleanup();
});

const browse = (input: Record<string, unknown>) => core.registry.call('locations.browseFolders', input as never, userCtx);
const browseError = (input: Record<string, unknown>) => core.registry.invoke('locations.browseFolders', input as never, userCtx);

describe('locations.browseFolders', () => {
  it('lists subfolders only, by name with numbers in order, hidden ones left out, links to folders marked', async () => {
    const r = await browse({ path: path.join(tmp.dir, 'Photos') });
    expect(r.path).toBe(path.join(tmp.dir, 'Photos'));
    expect(r.parent).toBe(tmp.dir);
    expect(r.truncated).toBe(false);
    // No files, no link to a file, no broken or looping links.
    expect(r.folders.map((f) => f.name)).toEqual(['9', '10', '2023', '2024', 'Archive', 'holidays', 'linked']);
    expect(r.folders.find((f) => f.name === 'linked')).toEqual({ name: 'linked', path: path.join(tmp.dir, 'Photos', 'linked'), hidden: false, symlink: true });
    expect(r.folders.find((f) => f.name === '2024')).toEqual({ name: '2024', path: path.join(tmp.dir, 'Photos', '2024'), hidden: false, symlink: false });
  });

  it('shows hidden folders on request, and truncates at the limit', async () => {
    const hidden = await browse({ path: path.join(tmp.dir, 'Photos'), showHidden: true });
    expect(hidden.folders.find((f) => f.name === '.thumbnails')).toMatchObject({ hidden: true });
    const few = await browse({ path: path.join(tmp.dir, 'Photos'), limit: 3 });
    expect(few.folders.map((f) => f.name)).toEqual(['9', '10', '2023']);
    expect(few.truncated).toBe(true);
  });

  it('resolves .., ~ and symlinks to the real folder, and defaults to the home folder', async () => {
    expect((await browse({ path: path.join(tmp.dir, 'Photos', '2024', '..', 'holidays') })).path).toBe(path.join(tmp.dir, 'Photos', 'holidays'));
    expect((await browse({ path: path.join(tmp.dir, 'Photos', 'linked') })).path).toBe(path.join(tmp.dir, 'Elsewhere'));
    expect((await browse({})).path).toBe(fs.realpathSync(os.homedir()));
    expect((await browse({ path: '~' })).path).toBe(fs.realpathSync(os.homedir()));
    expect((await browse({ path: '/' })).parent).toBeNull();
  });

  it('answers a missing path, a file, a relative path and a symlink loop with clear errors', async () => {
    expect(await browseError({ path: path.join(tmp.dir, 'Photos', 'nope') })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/does not exist/) } });
    expect(await browseError({ path: path.join(tmp.dir, 'Photos', 'broken') })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await browseError({ path: path.join(tmp.dir, 'Photos', 'cat.jpg') })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/is a file/) } });
    expect(await browseError({ path: path.join(tmp.dir, 'Photos', 'cat.jpg', 'below') })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/not a folder/) } });
    expect(await browseError({ path: 'Photos/2024' })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/full path/) } });
    for (const loop of ['loop', 'ping']) {
      expect(await browseError({ path: path.join(tmp.dir, 'Photos', loop) })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/loop/) } });
    }
    expect(await browseError({ path: '' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await browseError({ path: '/', limit: 0 })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await browseError({ path: '/', recursive: true })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('reports a folder it cannot read as PERMISSION_DENIED', async () => {
    // A real unreadable folder. chmod denies nothing to root, so as root the listing runs as `nobody`. That
    // user may not be able to read this checkout (CI clones into a private temporary folder), so the module
    // under test is bundled (esbuild, which tsx ships) into a file beside the locked folder.
    const shared = makeTempDir('cairn-browse-locked');
    try {
      fs.chmodSync(shared.dir, 0o755);
      const locked = path.join(shared.dir, 'locked');
      fs.mkdirSync(path.join(locked, 'secret'), { recursive: true });
      fs.chmodSync(locked, 0o000);
      const bundle = path.join(shared.dir, 'folder-browser.mjs');
      const { build } = await import('esbuild');
      await build({ entryPoints: [path.resolve('src-main/core/locations/folder-browser.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
      fs.chmodSync(bundle, 0o644);
      const isRoot = process.getuid?.() === 0;
      const script = `import(${JSON.stringify(pathToFileURL(bundle).href)}).then((m) => {
        try { console.log(JSON.stringify(m.listFolders(${JSON.stringify(locked)}, { showHidden: false, limit: 10 }))); }
        catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }
      });`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        cwd: shared.dir,
        env: { ...process.env, HOME: shared.dir },
        ...(isRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toEqual({ code: 'PERMISSION_DENIED', message: `Cairn cannot read the folder ${locked}; check its permissions.` });
      fs.chmodSync(locked, 0o755);
    } finally {
      shared.cleanup();
    }
  });
});
