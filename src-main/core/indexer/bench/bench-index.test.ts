import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateTree, runDiscovery, runFind, runFullBlake3, timePhase } from './bench-index.js';

let base: string;
beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-benchtest-'));
});
afterEach(() => {
  fs.rmSync(base, { recursive: true, force: true });
});

function snapshot(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => !f.endsWith('.bench-tree.json') && fs.statSync(path.join(root, f)).isFile())
    .sort()
    .map((f) => `${f}:${fs.readFileSync(path.join(root, f)).toString('base64').slice(0, 40)}:${fs.statSync(path.join(root, f)).size}`);
}

describe('bench tree generator', () => {
  it('makes the same tree for the same seed, reuses it, and counts what find and discovery see', async () => {
    const a = await generateTree({ root: path.join(base, 'a'), files: 120, folders: 9, images: 5, seed: 7 });
    const b = await generateTree({ root: path.join(base, 'b'), files: 120, folders: 9, images: 5, seed: 7 });
    expect(a).toMatchObject({ files: 125, reused: false });
    expect(snapshot(a.root)).toEqual(snapshot(b.root));
    expect((await generateTree({ root: a.root, files: 120, folders: 9, images: 5, seed: 7 })).reused).toBe(true);
    const c = await generateTree({ root: path.join(base, 'c'), files: 120, folders: 9, images: 5, seed: 8 });
    expect(snapshot(c.root)).not.toEqual(snapshot(a.root));

    // find counts the root itself; discovery does not.
    expect(await runFind(a.root)).toBe((await runDiscovery(a.root)) + 1);
    const files = snapshot(a.root).map((line) => path.join(a.root, line.split(':')[0]!));
    expect(await runFullBlake3(files)).toBe(125);
    const t = await timePhase('noop', async () => 10, 2);
    expect(t).toMatchObject({ name: 'noop', count: 10 });
    expect(t.perSecond).toBeGreaterThan(0);
  });
});
