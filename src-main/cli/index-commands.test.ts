import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../core/testing/temp-dir.js';
import { cli } from './testing/run-cli.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures/images');
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});


describe('cairn index, search, tag, dupes', () => {
  it('indexes with a summary (plain and --json), then searches, tags and lists duplicates', async () => {
    const home = makeTempDir('cairn-home');
    const folder = makeTempDir('cairn-folder');
    cleanups.push(home.cleanup, folder.cleanup);
    fs.mkdirSync(path.join(folder.dir, 'trip'));
    fs.copyFileSync(path.join(FIXTURES, 'grace_hopper_512x512.jpg'), path.join(folder.dir, 'trip/hopper.jpg'));
    fs.copyFileSync(path.join(FIXTURES, 'grace_hopper_512x512.jpg'), path.join(folder.dir, 'hopper-copy.jpg'));
    fs.writeFileSync(path.join(folder.dir, 'notes.txt'), 'holiday notes');
    fs.writeFileSync(path.join(folder.dir, 'empty.txt'), '');

    expect((await cli(home.dir, 'location', 'add', folder.dir, '--name', 'Trip')).code).toBe(0);
    const indexed = await cli(home.dir, 'index', 'trip');
    expect(indexed.err).toBe('');
    expect(indexed.code).toBe(0);
    expect(indexed.out).toMatch(/Indexed "Trip" in [\d.]+ s: 5 entries/);
    expect(indexed.out).toMatch(/errors: 1/);
    expect(indexed.out).toContain('empty.txt  [identity VALIDATION]');

    const json = await cli(home.dir, '--json', 'index', folder.dir);
    const summary = JSON.parse(json.out) as { counts: { new: number; unchanged: number; rowsWritten: number }; entryCount: number };
    expect(summary).toMatchObject({ entryCount: 5, counts: { new: 0, unchanged: 5 } });

    const found = await cli(home.dir, '--json', 'search', 'hopper', '--kind', 'image');
    expect((JSON.parse(found.out) as { items: { relPath: string }[] }).items.map((i) => i.relPath).sort()).toEqual(['hopper-copy.jpg', 'trip/hopper.jpg']);

    const tagged = await cli(home.dir, 'tag', 'Holiday', path.join(folder.dir, 'notes.txt'), '--entry-scope');
    expect(tagged.out).toContain('Tagged 1 item(s) "Holiday" (entry scope)');
    const byTag = await cli(home.dir, '--json', 'search', '--tag', 'Holiday');
    expect((JSON.parse(byTag.out) as { items: { relPath: string }[] }).items.map((i) => i.relPath)).toEqual(['notes.txt']);
    expect((await cli(home.dir, 'tag', '--remove', 'Holiday', path.join(folder.dir, 'notes.txt'), '--entry-scope')).code).toBe(0);
    expect((JSON.parse((await cli(home.dir, '--json', 'search', '--tag', 'Holiday')).out) as { total: number }).total).toBe(0);

    const dupes = await cli(home.dir, 'dupes');
    expect(dupes.out).toMatch(/2 copies × 87,692 bytes/);

    const missing = await cli(home.dir, 'index', 'nowhere');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^cairn: No location named.*\[NOT_FOUND\]\n$/);
  }, 60_000);
});
