import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fetchBytes } from './catalog.js';

/** The largest icon fetched from a catalog (an icon is a small picture; anything bigger is refused). */
export const MAX_ICON_BYTES = 256 * 1024;

/** File extensions of the image types a cached icon may have (what the asset resolver serves). */
export type IconExtension = '.png' | '.jpg' | '.webp' | '.svg';

/**
 * The image type of `bytes` by their magic numbers (PNG, JPEG, WebP), or an SVG document (text whose first
 * element is `<svg`), else null. The URL's extension and the server's content type are never trusted.
 *
 * @example
 * sniffImage(fs.readFileSync('icon.png')) // '.png'
 * sniffImage(Buffer.from('<html>')) // null
 */
export function sniffImage(bytes: Buffer): IconExtension | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return '.png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return '.jpg';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return '.webp';
  if (bytes.includes(0)) return null;
  // SVG: an optional BOM, XML declaration, comments and doctype, then the <svg element.
  const head = bytes.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '');
  const rest = head.replace(/^(\s|<\?xml[^>]*\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)*/i, '');
  return /^<svg[\s>/]/i.test(rest) ? '.svg' : null;
}

export interface IconCacheOptions {
  maxBytes?: number;
  /** Per fetch. */
  timeoutMs?: number;
  /** A cached icon older than this is fetched again (the old one stays on failure). */
  maxAgeMs?: number;
  /** After a failed fetch, the same URL is not tried again for this long. */
  retryAfterMs?: number;
  /** {@link CatalogIconCache.sweep} forgets an icon no catalog has listed for this long (default 30 days). */
  unlistedForMs?: number;
  now?: () => number;
}

interface IndexEntry {
  file: string;
  fetchedAt: number;
  /** When a catalog last listed this URL (see sweep); older indexes lack it and count from fetchedAt. */
  listedAt?: number;
}

/** Temp files of an interrupted write older than this are removed by a sweep; also how often a listed icon is re-marked. */
const STALE_TEMP_MS = 3600_000;

/**
 * Icons of URL-catalog extensions, fetched once and kept content-addressed in `<dir>/<sha256><ext>` (the
 * Cairn home's `cache/catalog-icons/`), with `<dir>/index.json` mapping each icon URL to its file. A fetch is
 * refused (and the store shows its placeholder) for anything that is not http(s), does not answer 200 within
 * the timeout, redirects, is larger than {@link MAX_ICON_BYTES}, or is not a PNG, JPEG, WebP or SVG by its
 * bytes. Failures are remembered for a while so a broken catalog is not asked on every store visit.
 *
 * Failure modes: none thrown; {@link CatalogIconCache.get} answers null for any failure.
 *
 * @example
 * const icons = new CatalogIconCache(catalogIconCacheDir(home.dir));
 * await icons.get('https://registry.example/icons/photos.png') // 'a3f…9c.png', or null
 */
export class CatalogIconCache {
  readonly dir: string;
  readonly #options: Required<IconCacheOptions>;
  readonly #failed = new Map<string, number>();
  readonly #inflight = new Map<string, Promise<string | null>>();

  constructor(dir: string, options: IconCacheOptions = {}) {
    this.dir = dir;
    this.#options = {
      maxBytes: options.maxBytes ?? MAX_ICON_BYTES,
      timeoutMs: options.timeoutMs ?? 5_000,
      maxAgeMs: options.maxAgeMs ?? 24 * 3600_000,
      retryAfterMs: options.retryAfterMs ?? 10 * 60_000,
      unlistedForMs: options.unlistedForMs ?? 30 * 24 * 3600_000,
      now: options.now ?? Date.now,
    };
  }

  /** The cached file name (`<sha256><ext>`) for `url`, fetching it when it is not cached or too old; null on failure. */
  async get(url: string): Promise<string | null> {
    const known = this.#readIndex()[url];
    const fresh = known && this.#exists(known.file) && this.#options.now() - known.fetchedAt < this.#options.maxAgeMs;
    if (fresh) return known.file;
    const fallback = known && this.#exists(known.file) ? known.file : null;
    const failedAt = this.#failed.get(url);
    if (failedAt !== undefined && this.#options.now() - failedAt < this.#options.retryAfterMs) return fallback;
    let pending = this.#inflight.get(url);
    if (!pending) {
      pending = this.#fetch(url).finally(() => this.#inflight.delete(url));
      this.#inflight.set(url, pending);
    }
    return (await pending) ?? fallback;
  }

  async #fetch(url: string): Promise<string | null> {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
      const bytes = await fetchBytes(parsed.href, this.#options.maxBytes, AbortSignal.timeout(this.#options.timeoutMs));
      const ext = sniffImage(bytes);
      if (!ext) throw new Error('not an image');
      const file = `${createHash('sha256').update(bytes).digest('hex')}${ext}`;
      fs.mkdirSync(this.dir, { recursive: true });
      if (!this.#exists(file)) this.#writeAtomic(file, bytes);
      const now = this.#options.now();
      this.#writeAtomic('index.json', JSON.stringify({ ...this.#readIndex(), [url]: { file, fetchedAt: now, listedAt: now } }));
      this.#failed.delete(url);
      return file;
    } catch {
      this.#failed.set(url, this.#options.now());
      return null;
    }
  }

  /**
   * Keeps the cache from growing for ever. `listed` are the icon URLs the catalogs list right now: they are
   * marked as seen. Entries no catalog has listed for `unlistedForMs` are forgotten (a catalog that is merely
   * offline for a while keeps its icons), then every icon file no entry refers to is deleted, and so are temp
   * files left by an interrupted write. Returns the names of the files removed.
   *
   * Failure modes: none thrown; a file that cannot be removed is left for the next sweep.
   *
   * @example
   * icons.sweep(new Set(catalog.map((e) => e.remoteIcon))) // ['3f…a1.png']
   */
  sweep(listed: ReadonlySet<string>): string[] {
    if (!fs.existsSync(this.dir)) return [];
    const now = this.#options.now();
    const index = this.#readIndex();
    const kept: Record<string, IndexEntry> = {};
    for (const [url, entry] of Object.entries(index)) {
      // Marked again at most hourly, so showing the store does not rewrite the index every time.
      const last = entry.listedAt ?? entry.fetchedAt;
      const seen = listed.has(url) && now - last > STALE_TEMP_MS ? now : last;
      if (now - seen < this.#options.unlistedForMs) kept[url] = { ...entry, listedAt: seen };
    }
    if (JSON.stringify(kept) !== JSON.stringify(index)) this.#writeAtomic('index.json', JSON.stringify(kept));
    const referenced = new Set(Object.values(kept).map((e) => e.file));
    const removed: string[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      const isIcon = /^[0-9a-f]{64}\.(png|jpg|webp|svg)$/.test(name) && !referenced.has(name);
      let isStaleTemp = false;
      if (name.startsWith('.') && name.endsWith('.tmp')) {
        try {
          isStaleTemp = now - fs.statSync(path.join(this.dir, name)).mtimeMs > STALE_TEMP_MS;
        } catch {
          isStaleTemp = false;
        }
      }
      if (!isIcon && !isStaleTemp) continue;
      try {
        fs.rmSync(path.join(this.dir, name));
        removed.push(name);
      } catch {
        // in use or already gone: the next sweep tries again
      }
    }
    return removed;
  }

  #readIndex(): Record<string, IndexEntry> {
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(path.join(this.dir, 'index.json'), 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
      const out: Record<string, IndexEntry> = {};
      for (const [url, v] of Object.entries(parsed as Record<string, unknown>)) {
        const e = v as Partial<IndexEntry> | null;
        if (e && typeof e.file === 'string' && /^[0-9a-f]{64}\.(png|jpg|webp|svg)$/.test(e.file) && typeof e.fetchedAt === 'number') {
          out[url] = typeof e.listedAt === 'number' ? { file: e.file, fetchedAt: e.fetchedAt, listedAt: e.listedAt } : { file: e.file, fetchedAt: e.fetchedAt };
        }
      }
      return out;
    } catch {
      return {}; // missing or damaged: icons are fetched again
    }
  }

  #exists(file: string): boolean {
    return fs.existsSync(path.join(this.dir, file));
  }

  #writeAtomic(name: string, data: Buffer | string): void {
    const tmp = path.join(this.dir, `.${name}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, path.join(this.dir, name));
  }
}
