import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../core/app-info.js';
import { makeTempDir } from '../core/testing/temp-dir.js';
import { cli } from './testing/run-cli.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});


describe('cairn CLI', () => {
  it('creates and lists libraries and locations, with --json', async () => {
    const home = makeTempDir('cairn-home');
    const folder = makeTempDir('cairn-folder');
    cleanups.push(home.cleanup, folder.cleanup);
    const created = await cli(home.dir, '--json', 'library', 'create', 'Travel');
    expect(created.code).toBe(0);
    const lib = JSON.parse(created.out) as { id: string; name: string };
    expect(lib.name).toBe('Travel');

    const list = await cli(home.dir, 'library', 'list');
    expect(list.out).toMatch(/My Library/);
    expect(list.out).toMatch(/Travel/);

    const added = await cli(home.dir, 'location', 'add', folder.dir, '--library', 'travel');
    expect(added.code).toBe(0);
    expect(added.out).toContain(folder.dir);
    const locations = await cli(home.dir, '--json', 'location', 'list', '--library', lib.id);
    expect(JSON.parse(locations.out)).toMatchObject([{ path: folder.dir, libraryId: lib.id }]);
    const defaultLocations = await cli(home.dir, '--json', 'location', 'list');
    expect(JSON.parse(defaultLocations.out)).toEqual([]);
  });

  it('fails with a one-line error and a non-zero exit code', async () => {
    const home = makeTempDir('cairn-home');
    cleanups.push(home.cleanup);
    const missing = await cli(home.dir, 'location', 'add', path.join(home.dir, 'missing'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^cairn: The folder .* does not exist\. \[NOT_FOUND\]\n$/);
    const noLib = await cli(home.dir, 'location', 'list', '--library', 'Nope');
    expect(noLib.code).toBe(1);
    expect(noLib.err.split('\n').filter(Boolean)).toHaveLength(1);
    const json = await cli(home.dir, '--json', 'library', 'delete', 'My Library', '--confirm', 'wrong');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.err)).toEqual({ error: { code: 'CONFIRMATION_REQUIRED', message: expect.any(String) } });
    const usage = await cli(home.dir, 'library', 'frobnicate');
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/unknown command/);
  });

  it('deletes a library only with its exact name', async () => {
    const home = makeTempDir('cairn-home');
    cleanups.push(home.cleanup);
    const lib = JSON.parse((await cli(home.dir, '--json', 'library', 'create', 'Scratch')).out) as { path: string };
    expect((await cli(home.dir, 'library', 'delete', 'Scratch')).code).toBe(2);
    expect(fs.existsSync(lib.path)).toBe(true);
    expect((await cli(home.dir, 'library', 'delete', 'Scratch', '--confirm', 'Scratch')).code).toBe(0);
    expect(fs.existsSync(lib.path)).toBe(false);
  });

  it('prints --help for every command', async () => {
    const home = makeTempDir('cairn-home');
    cleanups.push(home.cleanup);
    for (const args of [['--help'], ['library', '--help'], ['location', 'add', '--help'], ['serve', '--help']]) {
      const r = await cli(home.dir, ...args);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Usage: cairn/);
    }
  });

  it('runs as a real process through bin/cairn.js', async () => {
    const home = makeTempDir('cairn-home');
    cleanups.push(home.cleanup);
    const run = promisify(execFile);
    const ok = await run(process.execPath, [path.join(APP_ROOT, 'bin', 'cairn.js'), '--json', 'library', 'list'], {
      env: { ...process.env, CAIRN_HOME: home.dir },
    });
    expect(JSON.parse(ok.stdout)).toMatchObject([{ name: 'My Library', isDefault: true }]);
    const failed = await run(process.execPath, [path.join(APP_ROOT, 'bin', 'cairn.js'), 'location', 'add', '/no/such/dir'], {
      env: { ...process.env, CAIRN_HOME: home.dir },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringMatching(/^cairn: .*\[NOT_FOUND\]\n$/) });
  });
});
