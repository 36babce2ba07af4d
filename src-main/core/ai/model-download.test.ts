import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CairnCore } from '../cairn-core.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { startTestCore, userCtx } from '../testing/test-core.js';
import { downloadFile } from './model-download.js';

// A local HTTP server stands in for the internet: it serves one file, honours Range requests, and can be told to
// drop the connection part-way, to ignore Range, or to answer an error status.
const PAYLOAD = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919 + (i >> 8)) & 0xff));
const SHA = createHash('sha256').update(PAYLOAD).digest('hex');

interface Behaviour {
  /** Drop the socket after this many body bytes, on the first `times` requests. */
  dropAfter?: number;
  times?: number;
  ignoreRange?: boolean;
  status?: number;
}

let server: http.Server;
let base: string;
let behaviour: Behaviour = {};
const requests: { path: string; range: string | null }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? '', range: req.headers.range ?? null });
    if (behaviour.status) {
      res.writeHead(behaviour.status).end('no');
      return;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && !behaviour.ignoreRange) start = Number(range[1]);
    if (start >= PAYLOAD.length && range) {
      res.writeHead(416, { 'Content-Range': `bytes */${PAYLOAD.length}` }).end();
      return;
    }
    const body = PAYLOAD.subarray(start);
    const headers = { 'Content-Length': String(body.length), 'Content-Type': 'application/octet-stream' };
    if (start > 0) res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${PAYLOAD.length - 1}/${PAYLOAD.length}` });
    else res.writeHead(200, headers);
    if (behaviour.dropAfter !== undefined && (behaviour.times ?? Infinity) > 0) {
      behaviour.times = (behaviour.times ?? Infinity) - 1;
      res.write(body.subarray(0, behaviour.dropAfter), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('downloadFile', () => {
  const tmp = makeTempDir('cairn-download');
  afterAll(() => tmp.cleanup());

  it('downloads, verifies and renames into place; a second call keeps the file', async () => {
    behaviour = {};
    const target = path.join(tmp.dir, 'a', 'model.bin');
    const seen: number[] = [];
    const done = await downloadFile({ url: `${base}/model.bin`, sha256: SHA, target, onProgress: (p) => seen.push(p.bytes) });
    expect(done).toEqual({ bytes: PAYLOAD.length, resumedFrom: 0, alreadyThere: false });
    expect(fs.readFileSync(target).equals(PAYLOAD)).toBe(true);
    expect(fs.existsSync(`${target}.part`)).toBe(false);
    expect(seen.at(-1)).toBe(PAYLOAD.length);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    const before = requests.length;
    expect(await downloadFile({ url: `${base}/model.bin`, sha256: SHA, target })).toMatchObject({ alreadyThere: true });
    expect(requests.length).toBe(before);
  });

  it('a dropped connection keeps the bytes received; the next call asks for the rest only', async () => {
    behaviour = { dropAfter: 100_000, times: 1 };
    const target = path.join(tmp.dir, 'b', 'model.bin');
    await expect(downloadFile({ url: `${base}/model.bin`, sha256: SHA, target })).rejects.toMatchObject({ code: 'IO', message: expect.stringMatching(/dropped|ended/) });
    expect(fs.existsSync(target)).toBe(false);
    const kept = fs.statSync(`${target}.part`).size;
    expect(kept).toBeGreaterThan(0);
    expect(PAYLOAD.subarray(0, kept).equals(fs.readFileSync(`${target}.part`))).toBe(true);
    const done = await downloadFile({ url: `${base}/model.bin`, sha256: SHA, target });
    expect(done).toEqual({ bytes: PAYLOAD.length, resumedFrom: kept, alreadyThere: false });
    expect(requests.at(-1)!.range).toBe(`bytes=${kept}-`);
    expect(fs.readFileSync(target).equals(PAYLOAD)).toBe(true);
  });

  it('starts over when the server ignores Range, and finishes a part that already holds every byte', async () => {
    const target = path.join(tmp.dir, 'c', 'model.bin');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(`${target}.part`, PAYLOAD.subarray(0, 5000));
    behaviour = { ignoreRange: true };
    expect(await downloadFile({ url: `${base}/model.bin`, sha256: SHA, target })).toMatchObject({ bytes: PAYLOAD.length, resumedFrom: 0 });
    expect(fs.readFileSync(target).equals(PAYLOAD)).toBe(true);

    const full = path.join(tmp.dir, 'd', 'model.bin');
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(`${full}.part`, PAYLOAD);
    behaviour = {};
    expect(await downloadFile({ url: `${base}/model.bin`, sha256: SHA, target: full })).toMatchObject({ bytes: PAYLOAD.length });
    expect(requests.at(-1)!.range).toBe(`bytes=${PAYLOAD.length}-`);
    expect(fs.readFileSync(full).equals(PAYLOAD)).toBe(true);
  });

  it('a wrong sha256 removes the file; an error status and an unreachable server fail with IO', async () => {
    behaviour = {};
    const target = path.join(tmp.dir, 'e', 'model.bin');
    await expect(downloadFile({ url: `${base}/model.bin`, sha256: 'a'.repeat(64), target })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining(`has sha256 ${SHA}, not ${'a'.repeat(64)}; it was removed`) });
    expect(fs.existsSync(target) || fs.existsSync(`${target}.part`)).toBe(false);
    behaviour = { status: 404 };
    await expect(downloadFile({ url: `${base}/model.bin`, sha256: SHA, target })).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining('HTTP 404') });
    behaviour = {};
    await expect(downloadFile({ url: 'http://127.0.0.1:9/model.bin', sha256: SHA, target })).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining('Cannot reach') });
    expect(fs.existsSync(target)).toBe(false);
  });
});

describe('ai.downloadModel (a durable job on the real core)', () => {
  let core: CairnCore;
  let dispose: () => Promise<void>;
  let libraryId: string;

  beforeAll(async () => {
    ({ core, dispose } = await startTestCore());
    libraryId = (await core.registry.call('library.list', {}, userCtx)).find((l) => l.isDefault)!.id;
  });
  afterAll(async () => {
    await dispose();
  });

  const register = (name: string, sha256: string, file = 'tiny.onnx') =>
    core.registry.call('ai.registerModel', { model: { name, category: 'ocr', source: { kind: 'download', url: `${base}/files/${file}`, sha256 }, licence: 'MIT' } }, userCtx);
  const run = async (name: string) => {
    const { jobId } = await core.registry.call('ai.downloadModel', { libraryId, name }, userCtx);
    return (await core.jobs.for(libraryId)).waitFor(jobId);
  };

  it('fetches into $CAIRN_HOME/models/<name>/ with byte progress, and the model becomes available', async () => {
    behaviour = {};
    const model = await register('tiny-ok', SHA);
    expect(model).toMatchObject({ available: false, unavailableReason: 'not downloaded yet (ai.downloadModel fetches it)' });
    const progress: number[] = [];
    const off = core.events.on('jobs.onDidProgress', (p) => {
      if ('bytes' in p.progress && typeof p.progress.bytes === 'number') progress.push(p.progress.bytes);
    });
    const done = await run('tiny-ok');
    off();
    expect(done.status).toBe('completed');
    const file = path.join(core.home.modelsDir, 'tiny-ok', 'tiny.onnx');
    expect(fs.readFileSync(file).equals(PAYLOAD)).toBe(true);
    expect(progress.at(-1)).toBe(PAYLOAD.length);
    expect((await core.registry.call('ai.models', { category: 'ocr' }, userCtx)).items.find((m) => m.name === 'tiny-ok')).toMatchObject({ available: true, unavailableReason: null });
  });

  it('a dropped connection is retried from the bytes already on disk', async () => {
    behaviour = { dropAfter: 120_000, times: 1 };
    await register('tiny-drop', SHA);
    const from = requests.length;
    const done = await run('tiny-drop');
    expect(done.status).toBe('completed');
    expect(fs.readFileSync(path.join(core.home.modelsDir, 'tiny-drop', 'tiny.onnx')).equals(PAYLOAD)).toBe(true);
    const mine = requests.slice(from);
    expect(mine).toHaveLength(2);
    expect(mine[0]!.range).toBeNull();
    expect(mine[1]!.range).toMatch(/^bytes=[1-9]\d*-$/);
  });

  it('a wrong sha256 fails the job once (not retried), removes the file, and the model stays unavailable', async () => {
    behaviour = {};
    await register('tiny-bad', 'b'.repeat(64));
    const from = requests.length;
    const done = await run('tiny-bad');
    expect(done.status).toBe('failed');
    expect(JSON.stringify(done.errors)).toContain(`has sha256 ${SHA}, not ${'b'.repeat(64)}; it was removed`);
    expect(requests.length - from).toBe(1);
    expect(fs.readdirSync(path.join(core.home.modelsDir, 'tiny-bad'))).toEqual([]);
    expect((await core.registry.call('ai.models', { category: 'ocr' }, userCtx)).items.find((m) => m.name === 'tiny-bad')).toMatchObject({ available: false });
  });

  it('a server that keeps dropping fails the job with IO after its retries; a new job resumes the part', async () => {
    behaviour = { dropAfter: 50_000 };
    await register('tiny-flaky', SHA);
    const failed = await run('tiny-flaky');
    expect(failed.status).toBe('failed');
    expect(JSON.stringify(failed.errors)).toMatch(/dropped|ended/);
    const part = path.join(core.home.modelsDir, 'tiny-flaky', 'tiny.onnx.part');
    const kept = fs.statSync(part).size;
    expect(kept).toBeGreaterThan(0);
    behaviour = {};
    const done = await run('tiny-flaky');
    expect(done.status).toBe('completed');
    expect(requests.at(-1)!.range).toBe(`bytes=${kept}-`);
    expect(fs.readFileSync(path.join(core.home.modelsDir, 'tiny-flaky', 'tiny.onnx')).equals(PAYLOAD)).toBe(true);
    expect(fs.existsSync(part)).toBe(false);
  });

  it('refuses unknown models, models of another source, and extensions', async () => {
    expect(await core.registry.invoke('ai.downloadModel', { libraryId, name: 'nope' }, userCtx)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await core.registry.invoke('ai.downloadModel', { libraryId, name: 'human-faceres' }, userCtx)).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('not a model to download') } });
    expect(await core.registry.invoke('ai.downloadModel', { libraryId, name: 'tiny-ok' }, { caller: { kind: 'extension', extensionId: 'com.example.x' } })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  });
});
