import fs from 'node:fs';
import path from 'node:path';
import type { LibraryManager } from '../library/library-manager.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KIND = /^[a-z][a-z0-9_-]{0,39}$/;
const FORMATS: Record<string, string> = { webp: 'image/webp', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', json: 'application/json' };

/** URL prefix under which both shells serve sidecars: `/sidecar/<libraryId>/<contentId>/<kind>[/<variant>]`. */
export const SIDECAR_URL_PREFIX = '/sidecar/';

/**
 * Resolves a sidecar URL path (as the renderer requests thumbnails) to a file inside the library's
 * `sidecars/` folder, through the `sidecars` table, never through the path itself. Returns null for
 * anything malformed, unknown, or outside the folder.
 *
 * @example
 * await resolveSidecarRequest(libraries, '/sidecar/<lib>/<content>/thumb') // { file: '/…/x.webp', mime: 'image/webp' }
 */
export async function resolveSidecarRequest(libraries: LibraryManager, urlPath: string): Promise<{ file: string; mime: string } | null> {
  if (!urlPath.startsWith(SIDECAR_URL_PREFIX)) return null;
  const [libraryId, contentId, kind, variant = ''] = urlPath.slice(SIDECAR_URL_PREFIX.length).split('/');
  if (!libraryId || !contentId || !kind || !UUID.test(libraryId) || !UUID.test(contentId) || !KIND.test(kind) || variant.length > 40) return null;
  let lib;
  try {
    lib = await libraries.get(libraryId);
  } catch {
    return null;
  }
  const row = lib.raw.prepare('SELECT rel_path, format FROM sidecars WHERE content_uuid = ? AND kind = ? AND variant = ?').get(contentId, kind, variant) as
    | { rel_path: string; format: string }
    | undefined;
  if (!row) return null;
  const root = path.join(lib.path, 'sidecars');
  const file = path.resolve(root, row.rel_path);
  if (!file.startsWith(root + path.sep) || !fs.existsSync(file)) return null;
  return { file, mime: FORMATS[row.format] ?? 'application/octet-stream' };
}
