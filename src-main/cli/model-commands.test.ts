import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../core/testing/temp-dir.js';
import { cli } from './testing/run-cli.js';

const PAYLOAD = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31 + 7) & 0xff));
const SHA = createHash('sha256').update(PAYLOAD).digest('hex');
let server: http.Server;
let base: string;
const home = makeTempDir('cairn-cli-models');

beforeAll(async () => {
  server = http.createServer((_req, res) => res.writeHead(200, { 'Content-Length': String(PAYLOAD.length) }).end(PAYLOAD));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  home.cleanup();
});

describe('cairn model', () => {
  it('adds a model to download, downloads it into the models folder, and lists it as available', async () => {
    const added = await cli(home.dir, 'model', 'add', 'tiny-cli', '--url', `${base}/tiny.onnx`, '--sha256', SHA, '--category', 'classification', '--licence', 'MIT');
    expect(added.code, added.err).toBe(0);
    expect(added.out).toContain('cairn model download tiny-cli');
    const before = JSON.parse((await cli(home.dir, '--json', 'model', 'list', '--category', 'classification')).out) as { name: string; available: boolean }[];
    expect(before.find((m) => m.name === 'tiny-cli')).toMatchObject({ available: false });

    const done = await cli(home.dir, 'model', 'download', 'tiny-cli');
    expect(done.code, done.err).toBe(0);
    expect(done.out).toMatch(/Downloaded tiny-cli \(0\.1 MiB\); ready to use/);
    expect(fs.readFileSync(path.join(home.dir, 'models', 'tiny-cli', 'tiny.onnx')).equals(PAYLOAD)).toBe(true);
    const listed = await cli(home.dir, 'model', 'list');
    expect(listed.out).toMatch(/tiny-cli\s+classification\s+download\s+0\.1 MiB\s+yes/);
  });

  it('a wrong sha256 fails in words, leaves no file, and exits 1', async () => {
    expect((await cli(home.dir, 'model', 'add', 'tiny-bad', '--url', `${base}/bad.onnx`, '--sha256', 'c'.repeat(64), '--category', 'ocr', '--licence', 'MIT')).code).toBe(0);
    const r = await cli(home.dir, 'model', 'download', 'tiny-bad');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`has sha256 ${SHA}, not ${'c'.repeat(64)}; it was removed`);
    expect(fs.existsSync(path.join(home.dir, 'models', 'tiny-bad', 'bad.onnx'))).toBe(false);
    const unknown = await cli(home.dir, 'model', 'download', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('[NOT_FOUND]');
  });
});
