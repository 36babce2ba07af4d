import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverInWorker } from './discover-in-worker.js';
import { discover, isSystemFile, type DiscoveryBatch, type DiscoveryFs, type DiscoveryOptions } from './discovery.js';
import { discoverSync } from './discovery-sync.js';

type Walker = (root: string, options?: DiscoveryOptions) => AsyncIterable<DiscoveryBatch>;
async function* fromSync(root: string, options?: DiscoveryOptions): AsyncGenerator<DiscoveryBatch> {
  yield* discoverSync(root, options);
}
const walkers: [string, Walker][] = [
  ['discover (async)', discover],
  ['discoverSync', fromSync],
  ['discoverInWorker', (root, options) => discoverInWorker(root, options)],
];

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-disc-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function put(rel: string, content = 'x'): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

let walk: Walker = discover;

async function collect(options: DiscoveryOptions = {}, dir = root): Promise<DiscoveryBatch[]> {
  const batches: DiscoveryBatch[] = [];
  for await (const batch of walk(dir, options)) batches.push(batch);
  return batches;
}

async function paths(options: DiscoveryOptions = {}): Promise<string[]> {
  return (await collect(options)).flatMap((b) => b.entries.map((e) => e.relativePath));
}

describe.each(walkers)('%s', (_label, walker) => {
  beforeEach(() => {
    walk = walker;
  });

  it('lists files and directories with their metadata, breadth-first and sorted', async () => {
    put('b/two.txt', 'hello');
    put('a/one.JPG', 'abc');
    put('a/deep/three', '');
    put('top.md', '# hi');
    const batches = await collect();
    const entries = batches.flatMap((b) => b.entries);
    expect(entries.map((e) => e.relativePath)).toEqual(['a', 'b', 'top.md', 'a/deep', 'a/one.JPG', 'b/two.txt', 'a/deep/three']);
    const one = entries.find((e) => e.name === 'one.JPG')!;
    const st = fs.statSync(path.join(root, 'a/one.JPG'));
    expect(one).toMatchObject({ kind: 'file', size: 3, extension: 'jpg', inode: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs });
    expect(one.rawPath).toBeUndefined();
    expect(entries.find((e) => e.name === 'a')).toMatchObject({ kind: 'dir', extension: '' });
    expect(batches.flatMap((b) => b.errors)).toEqual([]);
    expect(batches.flatMap((b) => b.completedDirs)).toEqual(['', 'a', 'b', 'a/deep']);
  });

  it('is deterministic across runs and concurrency levels', async () => {
    for (let d = 0; d < 12; d += 1) for (let f = 0; f < 5; f += 1) put(`d${d}/s${d % 3}/f${f}.txt`);
    const first = await paths({ concurrency: 1 });
    expect(await paths({ concurrency: 16 })).toEqual(first);
    expect(await paths({ concurrency: 3 })).toEqual(first);
    expect(first).toHaveLength(12 + 12 + 60);
  });

  it('yields batches of the requested size, splitting a large directory, and marks dirs completed once', async () => {
    for (let i = 0; i < 25; i += 1) put(`big/f${String(i).padStart(2, '0')}`);
    put('small/x');
    const batches = await collect({ batchSize: 10 });
    expect(batches.map((b) => b.entries.length)).toEqual([10, 10, 8]);
    const completed = batches.flatMap((b) => b.completedDirs);
    expect(completed).toEqual(['', 'big', 'small']);
    // 'big' completes in the batch that holds its last entry.
    const bigBatch = batches.findIndex((b) => b.completedDirs.includes('big'));
    expect(batches[bigBatch]!.entries.some((e) => e.relativePath === 'big/f24')).toBe(true);
  });

  it('records symlinks without following them, so loops terminate', async () => {
    put('real/file.txt');
    fs.symlinkSync(path.join(root, 'real'), path.join(root, 'link-to-dir'));
    fs.symlinkSync('.', path.join(root, 'real', 'loop'));
    fs.symlinkSync('missing-target', path.join(root, 'dangling'));
    const entries = (await collect()).flatMap((b) => b.entries);
    expect(entries.map((e) => `${e.relativePath}:${e.kind}`)).toEqual([
      'dangling:symlink',
      'link-to-dir:symlink',
      'real:dir',
      'real/file.txt:file',
      'real/loop:symlink',
    ]);
  });

  it.runIf(process.platform === 'linux')('survives non-UTF-8 names and gives their raw bytes', async () => {
    const rawName = Buffer.from([0x66, 0x6f, 0xff, 0xfe, 0x2e, 0x6a, 0x70, 0x67]); // "fo\xff\xfe.jpg"
    const rawDir = Buffer.from([0x64, 0xe9]); // "d\xe9" (latin-1 é)
    const rootBytes = Buffer.from(root);
    fs.writeFileSync(Buffer.concat([rootBytes, Buffer.from('/'), rawName]), 'abc');
    fs.mkdirSync(Buffer.concat([rootBytes, Buffer.from('/'), rawDir]));
    fs.writeFileSync(Buffer.concat([rootBytes, Buffer.from('/'), rawDir, Buffer.from('/inner.txt')]), 'abcd');
    const batches = await collect();
    expect(batches.flatMap((b) => b.errors)).toEqual([]);
    const entries = batches.flatMap((b) => b.entries);
    expect(entries).toHaveLength(3);
    const file = entries.find((e) => e.extension === 'jpg')!;
    expect(file.name).toContain('\uFFFD');
    expect(file.size).toBe(3);
    expect(fs.readFileSync(file.rawPath!).toString()).toBe('abc');
    const inner = entries.find((e) => e.name === 'inner.txt')!;
    expect(inner.size).toBe(4);
    expect(fs.readFileSync(inner.rawPath!).toString()).toBe('abcd');
  });

  it('skips system files, .git and node_modules, each rule switchable', async () => {
    put('.DS_Store');
    put('photos/Thumbs.db');
    put('photos/desktop.ini');
    put('photos/._IMG_1.JPG');
    put('photos/IMG_1.JPG');
    put('.git/HEAD');
    put('node_modules/pkg/index.js');
    put('src/node_modules/x.js');
    const all = await collect();
    expect(all.flatMap((b) => b.entries.map((e) => e.relativePath))).toEqual(['photos', 'src', 'photos/IMG_1.JPG']);
    expect(all.reduce((n, b) => n + b.skipped, 0)).toBe(7);

    expect(await paths({ skipSystemFiles: false })).toContain('photos/Thumbs.db');
    expect(await paths({ skipGit: false })).toContain('.git/HEAD');
    const withModules = await paths({ skipNodeModules: false });
    expect(withModules).toContain('node_modules/pkg/index.js');
    expect(withModules).toContain('src/node_modules/x.js');
  });

  it('honours nested .gitignore files with git precedence, and can ignore them', async () => {
    put('.gitignore', '*.log\nbuild/\n');
    put('app.log');
    put('build/out.js');
    put('keep.txt');
    put('sub/.gitignore', '!important.log\nsecret.txt\n');
    put('sub/important.log');
    put('sub/other.log');
    put('sub/secret.txt');
    put('other/secret.txt');
    const visible = await paths();
    expect(visible.sort()).toEqual(['.gitignore', 'keep.txt', 'other', 'other/secret.txt', 'sub', 'sub/.gitignore', 'sub/important.log'].sort());
    const everything = await paths({ respectGitignore: false });
    expect(everything).toContain('build/out.js');
    expect(everything).toContain('sub/secret.txt');
  });

  it.runIf(process.platform !== 'win32' && process.getuid?.() !== 0)('reports a real unreadable directory', async () => {
    put('locked/b.txt');
    fs.chmodSync(path.join(root, 'locked'), 0o000);
    try {
      const errors = (await collect()).flatMap((b) => b.errors);
      expect(errors).toEqual([expect.objectContaining({ relativePath: 'locked', code: 'PERMISSION_DENIED' })]);
    } finally {
      fs.chmodSync(path.join(root, 'locked'), 0o700);
    }
  });

  it('throws for a missing root or a root that is a file', async () => {
    await expect(collect({}, path.join(root, 'nope'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    put('file.txt');
    await expect(collect({}, path.join(root, 'file.txt'))).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('can be stopped early with break', async () => {
    for (let i = 0; i < 30; i += 1) put(`d${i}/f`);
    let seen = 0;
    for await (const batch of walker(root, { batchSize: 5 })) {
      seen += batch.entries.length;
      if (seen >= 10) break;
    }
    expect(seen).toBe(10);
  });
});

describe('discover with an injected fs', () => {
  beforeEach(() => {
    walk = discover;
  });

  it('reports a vanished file and an unreadable directory as per-entry errors and goes on', async () => {
    put('ok/a.txt');
    put('locked/b.txt');
    put('gone.txt');
    const failing: DiscoveryFs = {
      readdir: (p, cb) =>
        String(p).endsWith(`${path.sep}locked`)
          ? cb(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }), [])
          : fs.readdir(p, { withFileTypes: true, encoding: 'buffer' }, cb),
      lstat: (p, cb) => {
        if (String(p).endsWith('gone.txt')) fs.unlinkSync(p); // vanishes between readdir and lstat
        fs.lstat(p, cb);
      },
      readFile: (p, cb) => fs.readFile(p, cb),
    };
    const batches = await collect({ fs: failing });
    expect(batches.flatMap((b) => b.entries.map((e) => e.relativePath))).toEqual(['locked', 'ok', 'ok/a.txt']);
    expect(batches.flatMap((b) => b.errors)).toEqual([
      expect.objectContaining({ relativePath: 'gone.txt', operation: 'lstat', code: 'NOT_FOUND', errno: 'ENOENT' }),
      expect.objectContaining({ relativePath: 'locked', operation: 'readdir', code: 'PERMISSION_DENIED', errno: 'EACCES' }),
    ]);
  });

  it('reports an unreadable .gitignore and still walks the directory', async () => {
    put('.gitignore', '*.txt');
    put('a.txt');
    const failing: DiscoveryFs = {
      readdir: (p, cb) => fs.readdir(p, { withFileTypes: true, encoding: 'buffer' }, cb),
      lstat: (p, cb) => fs.lstat(p, cb),
      readFile: (_p, cb) => cb(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }), Buffer.alloc(0)),
    };
    const batches = await collect({ fs: failing });
    expect(batches.flatMap((b) => b.entries.map((e) => e.relativePath))).toEqual(['.gitignore', 'a.txt']);
    expect(batches.flatMap((b) => b.errors)).toEqual([expect.objectContaining({ relativePath: '.gitignore', operation: 'read-gitignore', code: 'IO' })]);
  });

});

describe('the three walkers agree', () => {
  it('yield identical batches for the same tree', async () => {
    put('.gitignore', '*.tmp\n');
    put('a/x.tmp');
    put('a/y.txt', 'yy');
    put('.DS_Store');
    for (let i = 0; i < 30; i += 1) put(`b/c${i % 4}/f${i}.md`, 'z'.repeat(i));
    fs.symlinkSync('a', path.join(root, 'link'));
    if (process.platform === 'linux') fs.writeFileSync(Buffer.concat([Buffer.from(`${root}/`), Buffer.from([0xff, 0x41])]), 'raw');
    const results: DiscoveryBatch[][] = [];
    for (const [, walker] of walkers) {
      walk = walker;
      results.push(await collect({ batchSize: 7 }));
    }
    expect(results[0]!.flatMap((b) => b.entries)).toHaveLength(1 + 1 + 1 + 4 + 30 + 1 + (process.platform === 'linux' ? 1 : 0) + 1);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });
});

describe('isSystemFile', () => {
  it('knows the usual clutter and nothing else', () => {
    for (const n of ['.DS_Store', 'Thumbs.db', 'desktop.ini', '._photo.jpg', '.Trash-1000']) expect(isSystemFile(n)).toBe(true);
    for (const n of ['photo.jpg', '.gitignore', 'DS_Store', 'thumbs.txt']) expect(isSystemFile(n)).toBe(false);
  });
});

describe('scoped walks (startAt, maxDepth)', () => {
  it('start below the root with root-relative paths, ancestors\' .gitignore applied, and a depth limit', async () => {
    put('.gitignore', '*.log\n');
    put('a/b/keep.txt');
    put('a/b/skip.log');
    put('a/b/c/deep.txt');
    put('a/other.txt');
    const rel = (batches: DiscoveryBatch[]) => batches.flatMap((b) => b.entries.map((e) => e.relativePath));
    const deep: DiscoveryBatch[] = [];
    for await (const b of discoverInWorker(root, { startAt: 'a/b' })) deep.push(b);
    expect(rel(deep)).toEqual(['a/b/c', 'a/b/keep.txt', 'a/b/c/deep.txt']);
    expect(deep.flatMap((b) => b.completedDirs)).toEqual(['a/b', 'a/b/c']);
    const shallow = [...discoverSync(root, { startAt: 'a', maxDepth: 0 })];
    expect(rel(shallow)).toEqual(['a/b', 'a/other.txt']);
    expect(shallow.flatMap((b) => b.completedDirs)).toEqual(['a']);
    expect([...discoverSync(root, { startAt: 'x.log' })]).toEqual([]); // excluded by the rules: nothing to walk
    expect(() => [...discoverSync(root, { startAt: 'missing' })]).toThrow(/Cannot walk/);
  });
});
