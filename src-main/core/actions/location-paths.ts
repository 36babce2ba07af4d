import fs from 'node:fs';
import path from 'node:path';
import { CairnError } from '../../../src-shared/errors.js';
import type { Library } from '../library/library.js';
import { isSameOrInside } from '../locations/location-service.js';

/** The folder of a location, or null when the library has no such location. */
export function locationPath(lib: Library, locationId: string): string | null {
  const row = lib.raw.prepare('SELECT path FROM locations WHERE id = ?').get(locationId) as { path: string } | undefined;
  return row?.path ?? null;
}

/**
 * Normalises a location-relative path as entries store it (`/`-separated, no trailing slash;
 * `''` is the location's top level). Throws `VALIDATION` for absolute paths, `..`, `.` or empty segments,
 * backslashes and NUL, so that no relative path can point outside its location.
 *
 * @example
 * normalizeRelPath('Archive/2024/') // 'Archive/2024'
 * normalizeRelPath('../etc')        // throws VALIDATION
 */
export function normalizeRelPath(rel: string): string {
  if (rel.startsWith('/') || /^[A-Za-z]:/.test(rel)) {
    throw new CairnError('VALIDATION', `"${rel}" must be a path inside the location, not an absolute path.`);
  }
  const trimmed = rel.replace(/\/+$/, '');
  if (trimmed === '') return '';
  if (/[\\\0]/.test(trimmed)) throw new CairnError('VALIDATION', `"${rel}" must not contain "\\" or NUL.`);
  for (const segment of trimmed.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new CairnError('VALIDATION', `"${rel}" must stay inside the location (no "..", "." or empty segments).`);
    }
  }
  return trimmed;
}

/** The absolute path of `relPath` inside the location folder `root`. Throws `VALIDATION` when it would escape. */
export function resolveInLocation(root: string, relPath: string): string {
  const rel = normalizeRelPath(relPath);
  const abs = rel === '' ? root : path.join(root, ...rel.split('/'));
  if (!isSameOrInside(abs, root)) throw new CairnError('VALIDATION', `"${relPath}" is outside the location.`);
  return abs;
}

/**
 * True when the folder `absDir`, with symlinks resolved, is inside the location folder (also resolved).
 * A symlinked folder inside a location that points elsewhere is outside it.
 */
export function folderStaysInside(root: string, absDir: string): boolean {
  try {
    return isSameOrInside(fs.realpathSync(absDir), fs.realpathSync(root));
  } catch {
    return false;
  }
}

/** Joins a folder's relative path and a name (`''` is the top level). */
export function joinRel(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

/** The folder part of a relative path (`''` at the top level). */
export function parentRel(relPath: string): string {
  const i = relPath.lastIndexOf('/');
  return i < 0 ? '' : relPath.slice(0, i);
}
