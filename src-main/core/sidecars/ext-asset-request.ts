import fs from 'node:fs';
import path from 'node:path';
import { APP_ROOT } from '../app-info.js';
import type { LibraryManager } from '../library/library-manager.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXT_ID = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*){1,7}$/;
const SEGMENT = /^[A-Za-z0-9._-]{1,100}$/;
const TYPES: Record<string, string> = { '.png': 'image/png', '.svg': 'image/svg+xml', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };

/** Where the app's own Extension Store catalog lives: `npm run build:catalog` writes it. */
export const BUNDLED_CATALOG_DIR = path.join(APP_ROOT, 'out', 'catalog');

/** Where the Extension Store keeps the icons it fetched from URL catalogs, content-addressed: `<home>/cache/catalog-icons/`. */
export function catalogIconCacheDir(homeDir: string): string {
  return path.join(homeDir, 'cache', 'catalog-icons');
}

const CACHED_ICON = /^[0-9a-f]{64}\.(png|jpg|webp|svg)$/;

/** URL prefix under which both shells serve extension assets: `/ext-asset/<libraryId | catalog | catalog-cache>/<extensionId>/<path>`. */
export const EXT_ASSET_URL_PREFIX = '/ext-asset/';

/** Headers for an asset response: SVGs may hold scripts, so nothing in them may run or load. */
export const EXT_ASSET_HEADERS = { 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox" } as const;

/**
 * Resolves an extension asset URL path (icons the renderer shows) to a file:
 * - `/ext-asset/<libraryId>/<extensionId>/assets/<…>`: a file in the `assets/` folder of the version installed in
 *   that library (`<library>/extensions/<id>/<version>/assets/`), nothing else of the package;
 * - `/ext-asset/catalog/<extensionId>/<icon>`: the icon the bundled catalog lists for that extension, and only it;
 * - `/ext-asset/catalog-cache/<extensionId>/<sha256>.<ext>`: an icon the store fetched from a URL catalog and
 *   checked (size, image type by its bytes) into `iconCacheDir` (see {@link catalogIconCacheDir}).
 * Only images (png, svg, jpg, webp) are served. Returns null for anything malformed, unknown or outside those folders.
 *
 * @example
 * await resolveExtAssetRequest(libraries, '/ext-asset/<lib>/com.example.hello/assets/icon.svg', bundledDir)
 * // { file: '/…/extensions/com.example.hello/1.0.0/assets/icon.svg', mime: 'image/svg+xml' }
 */
export async function resolveExtAssetRequest(
  libraries: Pick<LibraryManager, 'get'>,
  urlPath: string,
  bundledCatalogDir: string = BUNDLED_CATALOG_DIR,
  iconCacheDir?: string,
): Promise<{ file: string; mime: string } | null> {
  if (!urlPath.startsWith(EXT_ASSET_URL_PREFIX)) return null;
  let parts: string[];
  try {
    parts = urlPath.slice(EXT_ASSET_URL_PREFIX.length).split('/').map(decodeURIComponent);
  } catch {
    return null;
  }
  const [owner, extensionId, ...rest] = parts;
  if (!owner || !extensionId || !EXT_ID.test(extensionId) || rest.length === 0 || rest.length > 8 || !rest.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..')) return null;
  const mime = TYPES[path.extname(rest[rest.length - 1]!).toLowerCase()];
  if (!mime) return null;
  let root: string;
  if (owner === 'catalog-cache') {
    if (!iconCacheDir || rest.length !== 1 || !CACHED_ICON.test(rest[0]!)) return null;
    root = path.resolve(iconCacheDir);
  } else if (owner === 'catalog') {
    root = path.resolve(bundledCatalogDir);
    let listed: string | undefined;
    try {
      const catalog = JSON.parse(fs.readFileSync(path.join(root, 'catalog.json'), 'utf8')) as { extensions?: { id?: unknown; icon?: unknown }[] };
      const icon = catalog.extensions?.find((e) => e.id === extensionId)?.icon;
      listed = typeof icon === 'string' ? icon : undefined;
    } catch {
      return null;
    }
    if (listed !== rest.join('/')) return null;
  } else {
    if (!UUID.test(owner) || rest[0] !== 'assets' || rest.length < 2) return null;
    let lib;
    try {
      lib = await libraries.get(owner);
    } catch {
      return null;
    }
    const row = lib.raw.prepare('SELECT version FROM extension_installs WHERE id = ?').get(extensionId) as { version: string } | undefined;
    if (!row || !SEGMENT.test(row.version)) return null;
    root = path.join(lib.path, 'extensions', extensionId, row.version, 'assets');
    rest.shift();
  }
  const file = path.resolve(root, ...rest);
  if (!file.startsWith(root + path.sep)) return null;
  try {
    // No symlinks out of the folder: the real path must stay inside too.
    const real = fs.realpathSync(file);
    if (!real.startsWith(fs.realpathSync(root) + path.sep) || !fs.statSync(real).isFile()) return null;
    return { file: real, mime };
  } catch {
    return null;
  }
}
