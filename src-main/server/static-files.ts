import fs from 'node:fs';
import path from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

/** The MIME type for a file name; `.mjs` is served as JavaScript, as module workers require. */
export function mimeFor(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a URL path to a file inside `root`, refusing anything that escapes it (`..`, encoded slashes,
 * NUL bytes). Unknown paths fall back to `index.html` so client-side routes load the app.
 * Returns null when nothing can be served.
 *
 * @example
 * resolveStatic('/srv/renderer', '/assets/app.js') // '/srv/renderer/assets/app.js'
 * resolveStatic('/srv/renderer', '/../etc/passwd') // null
 */
export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded.split('/').includes('..')) return null;
  const rel = path.posix.normalize(decoded).replace(/^\/+/, '');
  const file = path.join(root, rel);
  if (!file.startsWith(root + path.sep) && file !== root) return null;
  try {
    if (fs.statSync(file).isFile()) return file;
  } catch {
    // fall through to the app shell
  }
  if (path.extname(rel) !== '') return null;
  const index = path.join(root, 'index.html');
  return fs.existsSync(index) ? index : null;
}
