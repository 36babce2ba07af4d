import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClientMessage, ServerMessage } from '../../src-shared/bridge.js';
import type { CairnCore } from '../core/cairn-core.js';
import { resolveSidecarRequest, SIDECAR_URL_PREFIX } from '../core/sidecars/sidecar-request.js';
import { catalogIconCacheDir, EXT_ASSET_HEADERS, EXT_ASSET_URL_PREFIX, resolveExtAssetRequest } from '../core/sidecars/ext-asset-request.js';
import { mimeFor, resolveStatic } from './static-files.js';

/** Largest WebSocket message a client may send. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
export const TOKEN_COOKIE = 'cairn_token';

export interface HeadlessServerOptions {
  core: CairnCore;
  /** Folder holding the built renderer (index.html). */
  rendererDir: string;
  /** The bundled Extension Store catalog, for `/ext-asset/catalog/…` icons (default `<APP_ROOT>/out/catalog`). */
  catalogDir?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token for tests; a random 256-bit token otherwise. */
  token?: string;
}

export interface HeadlessServer {
  /** The URL to open, with the token in its query string. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * The headless shell: serves the built renderer and the operation registry over HTTP + WebSocket on
 * 127.0.0.1 only. Every request must carry the per-run token (in the URL once, then in an HttpOnly
 * cookie) and WebSocket upgrades must come from the server's own Origin. Anything else is refused with
 * 403, and malformed messages get a VALIDATION error; nothing a client sends can crash the process.
 *
 * @example
 * const server = await startHeadlessServer({ core, rendererDir: RENDERER_DIR });
 * console.log(`Open ${server.url}`);
 */
export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const token = options.token ?? randomBytes(32).toString('hex');
  const tokenBuf = Buffer.from(token);
  const core = options.core;
  let port = 0;

  const tokenMatches = (candidate: string | null | undefined): boolean => {
    if (!candidate) return false;
    const buf = Buffer.from(candidate);
    return buf.length === tokenBuf.length && timingSafeEqual(buf, tokenBuf);
  };
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const requestToken = (req: http.IncomingMessage, url: URL): string | null =>
    url.searchParams.get('token') ?? parseCookies(req.headers.cookie)[TOKEN_COOKIE] ?? null;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const deny = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(text);
    };
    // Host check defeats DNS rebinding: a page on evil.example cannot talk to us under its own name.
    if (!allowedHosts().has(req.headers.host ?? '')) return deny(403, 'Forbidden host.\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(405, 'Method not allowed.\n');
    if (!tokenMatches(requestToken(req, url))) {
      return deny(403, 'Cairn: this address needs the access token. Open the URL printed by `cairn serve`.\n');
    }
    if (url.pathname.startsWith(SIDECAR_URL_PREFIX)) {
      void resolveSidecarRequest(core.libraries, url.pathname).then((sidecar) => {
        if (!sidecar) return deny(404, 'Not found.\n');
        res.writeHead(200, { 'content-type': sidecar.mime, 'cache-control': 'private, max-age=86400', 'x-content-type-options': 'nosniff' });
        fs.createReadStream(sidecar.file).on('error', () => res.destroy()).pipe(res);
      });
      return;
    }
    if (url.pathname.startsWith(EXT_ASSET_URL_PREFIX)) {
      void resolveExtAssetRequest(core.libraries, url.pathname, options.catalogDir, catalogIconCacheDir(core.home.dir)).then((asset) => {
        if (!asset) return deny(404, 'Not found.\n');
        res.writeHead(200, { 'content-type': asset.mime, 'cache-control': 'private, max-age=3600', ...EXT_ASSET_HEADERS });
        fs.createReadStream(asset.file).on('error', () => res.destroy()).pipe(res);
      });
      return;
    }
    const file = resolveStatic(options.rendererDir, url.pathname);
    if (!file) return deny(404, 'Not found.\n');
    const headers: http.OutgoingHttpHeaders = {
      'content-type': mimeFor(file),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': file.endsWith('index.html') ? 'no-store' : 'private, max-age=3600',
      'content-security-policy': contentSecurityPolicy(port),
      'x-frame-options': 'DENY',
    };
    if (url.searchParams.has('token')) {
      headers['set-cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refuse = (status: number, reason: string) => {
      socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== '/ws') return refuse(404, 'Not Found');
    if (!allowedHosts().has(req.headers.host ?? '')) return refuse(403, 'Forbidden');
    if (!allowedOrigins().has(req.headers.origin ?? '')) return refuse(403, 'Forbidden');
    if (!tokenMatches(requestToken(req, url))) return refuse(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const clients = new Set<WebSocket>();
  const send = (ws: WebSocket, message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };

  wss.on('connection', (ws) => {
    clients.add(ws);
    const abort = new AbortController();
    ws.on('close', () => {
      clients.delete(ws);
      abort.abort();
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', async (data, isBinary) => {
      const message = parseClientMessage(isBinary ? null : data.toString());
      if ('error' in message) {
        send(ws, { type: 'result', id: message.id, ok: false, error: { code: 'VALIDATION', message: message.error } });
        return;
      }
      const result = await core.registry.invoke(message.name, message.input, {
        caller: { kind: 'user', via: 'websocket' },
        signal: abort.signal,
      });
      send(ws, result.ok
        ? { type: 'result', id: message.id, ok: true, value: result.value }
        : { type: 'result', id: message.id, ok: false, error: result.error });
    });
  });

  const unsubscribe = core.events.onAny((name, payload) => {
    for (const ws of clients) send(ws, { type: 'event', name, payload });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Strict CSP for the renderer: only our own scripts, our own WebSocket, no plugins, no framing. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "worker-src 'self' blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Parses one client frame. Anything that is not `{type:'invoke', id:<int>, name:<string>, input}` becomes
 * an error value naming what is wrong.
 */
export function parseClientMessage(text: string | null): ClientMessage | { id: number | null; error: string } {
  if (text === null) return { id: null, error: 'Binary messages are not accepted.' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { id: null, error: 'Message is not valid JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { id: null, error: 'Message must be a JSON object.' };
  }
  const m = value as Record<string, unknown>;
  const id = Number.isSafeInteger(m.id) ? (m.id as number) : null;
  if (id === null) return { id: null, error: 'id: must be an integer.' };
  if (m.type !== 'invoke') return { id, error: 'type: must be "invoke".' };
  if (typeof m.name !== 'string') return { id, error: 'name: must be a string.' };
  return { type: 'invoke', id, name: m.name, input: m.input };
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
