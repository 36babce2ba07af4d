import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../src-shared/bridge.js';
import { CairnCore } from '../core/cairn-core.js';
import { makeTempDir } from '../core/testing/temp-dir.js';
import { headlessShellHandlers } from './headless-shell.js';
import { startHeadlessServer, type HeadlessServer } from './headless-server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(): Promise<{ server: HeadlessServer; core: CairnCore; origin: string }> {
  const home = makeTempDir('cairn-home');
  const renderer = makeTempDir('cairn-renderer');
  cleanups.push(home.cleanup, renderer.cleanup);
  fs.writeFileSync(path.join(renderer.dir, 'index.html'), '<!doctype html><title>Cairn</title>');
  fs.mkdirSync(path.join(renderer.dir, 'assets'));
  fs.writeFileSync(path.join(renderer.dir, 'assets', 'worker.mjs'), 'export {}');
  const core: CairnCore = await CairnCore.start({ homeDir: home.dir, shell: headlessShellHandlers(() => core.home.dir) });
  const server = await startHeadlessServer({ core, rendererDir: renderer.dir });
  cleanups.push(() => core.stop(), () => server.close());
  return { server, core, origin: `http://127.0.0.1:${server.port}` };
}

function connect(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket, predicate: (m: ServerMessage) => boolean = () => true): Promise<ServerMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const m = JSON.parse(data.toString()) as ServerMessage;
      if (predicate(m)) {
        ws.off('message', onMessage);
        resolve(m);
      }
    };
    ws.on('message', onMessage);
  });
}

describe('headless server', () => {
  it('binds to 127.0.0.1 and prints a URL carrying the token', async () => {
    const { server } = await setup();
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[0-9a-f]{64}$`));
  });

  it('serves the renderer with the token and sets an HttpOnly cookie; refuses without it', async () => {
    const { server, origin } = await setup();
    const ok = await fetch(server.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/cairn_token=.*HttpOnly; SameSite=Strict/);
    expect(ok.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await ok.text()).toContain('<title>Cairn</title>');

    expect((await fetch(`${origin}/`)).status).toBe(403);
    expect((await fetch(`${origin}/?token=wrong`)).status).toBe(403);
    const withCookie = await fetch(`${origin}/assets/worker.mjs`, { headers: { cookie: `cairn_token=${server.token}` } });
    expect(withCookie.status).toBe(200);
    expect(withCookie.headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('refuses a foreign Host header (DNS rebinding) and path traversal', async () => {
    const { server, origin } = await setup();
    const http = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      http.get(`${origin}/?token=${server.token}`, { headers: { host: `evil.example:${server.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
    });
    expect(status).toBe(403);
    const traversal = await fetch(`${origin}/..%2f..%2fetc%2fpasswd?token=${server.token}`);
    expect(traversal.status).toBe(404);
  });

  it('accepts WebSocket calls only with the token and from its own Origin', async () => {
    const { server, origin } = await setup();
    const wsUrl = `ws://127.0.0.1:${server.port}/ws`;
    await expect(connect(wsUrl, { origin })).rejects.toThrow(/403/);
    await expect(connect(`${wsUrl}?token=${server.token}`, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(connect(`${wsUrl}?token=${server.token}`, {})).rejects.toThrow(/403/);
    const ws = await connect(wsUrl, { origin, cookie: `cairn_token=${server.token}` });
    cleanups.push(() => ws.close());
    ws.send(JSON.stringify({ type: 'invoke', id: 1, name: 'library.list', input: {} }));
    const reply = await nextMessage(ws);
    expect(reply).toMatchObject({ type: 'result', id: 1, ok: true });
    expect((reply as { value: { name: string }[] }).value.map((l) => l.name)).toEqual(['My Library']);
  });

  it('answers malformed frames and bad payloads with errors and keeps serving', async () => {
    const { server, origin } = await setup();
    const ws = await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin });
    cleanups.push(() => ws.close());
    const frames = ['not json', '[]', 'null', '{"type":"invoke"}', '{"type":"nope","id":2,"name":"x"}', '{"type":"invoke","id":3,"name":5}'];
    for (const frame of frames) {
      ws.send(frame);
      const reply = await nextMessage(ws);
      expect(reply).toMatchObject({ type: 'result', ok: false, error: { code: 'VALIDATION' } });
    }
    ws.send(JSON.stringify({ type: 'invoke', id: 4, name: 'locations.add', input: { libraryId: 'x', path: 7 } }));
    const invalid = await nextMessage(ws);
    expect(invalid).toMatchObject({ id: 4, ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/libraryId/) } });
    ws.send(JSON.stringify({ type: 'invoke', id: 5, name: 'evil.op', input: {} }));
    expect(await nextMessage(ws)).toMatchObject({ id: 5, ok: false, error: { code: 'UNKNOWN_OPERATION' } });
    ws.send(JSON.stringify({ type: 'invoke', id: 6, name: 'shell.info', input: {} }));
    expect(await nextMessage(ws)).toMatchObject({ id: 6, ok: true, value: { shell: 'headless', canPickFolders: false } });
    // No native pickers here: the UI types paths or browses with locations.browseFolders.
    ws.send(JSON.stringify({ type: 'invoke', id: 7, name: 'shell.pickFile', input: { extensions: ['cairnext'] } }));
    expect(await nextMessage(ws)).toMatchObject({ id: 7, ok: false, error: { code: 'NOT_SUPPORTED', message: expect.stringMatching(/no file picker/) } });
    ws.send(JSON.stringify({ type: 'invoke', id: 8, name: 'shell.pickFile', input: { extensions: ['.cairnext'] } }));
    expect(await nextMessage(ws)).toMatchObject({ id: 8, ok: false, error: { code: 'VALIDATION' } });
  });

  it('closes a connection that sends an oversized frame without affecting others', async () => {
    const { server, origin } = await setup();
    const url = `ws://127.0.0.1:${server.port}/ws?token=${server.token}`;
    const big = await connect(url, { origin });
    const other = await connect(url, { origin });
    cleanups.push(() => other.close());
    const closed = new Promise<number>((resolve) => big.once('close', (code) => resolve(code)));
    big.send('x'.repeat(2 * 1024 * 1024));
    expect(await closed).toBe(1009);
    other.send(JSON.stringify({ type: 'invoke', id: 1, name: 'library.list', input: {} }));
    expect(await nextMessage(other)).toMatchObject({ id: 1, ok: true });
  });

  it('pushes contract events to connected clients', async () => {
    const { server, origin } = await setup();
    const ws = await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin });
    cleanups.push(() => ws.close());
    const event = nextMessage(ws, (m) => m.type === 'event');
    ws.send(JSON.stringify({ type: 'invoke', id: 1, name: 'library.create', input: { name: 'Second' } }));
    expect(await event).toMatchObject({ type: 'event', name: 'library.onDidChange' });
  });
});
