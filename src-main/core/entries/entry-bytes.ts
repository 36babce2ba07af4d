import fs from 'node:fs';
import path from 'node:path';
import { MAX_READ_BYTES } from '../../../src-shared/contract/index.js';
import { CairnError } from '../../../src-shared/errors.js';
import type { Library } from '../library/library.js';

/** A file named by entry id, or by a path relative to a location's root. */
export type FileRef = { entryId: string } | { locationId: string; path: string };

/** Where a {@link FileRef} leads once every symlink is resolved. */
export interface CanonicalFile {
  locationId: string;
  /** The location's root, canonical (realpath). */
  root: string;
  /** The file, canonical (realpath). Always inside `root`. */
  real: string;
  /** `real` relative to `root`, `/`-separated. */
  relPath: string;
}

/**
 * Resolves a file reference to its canonical path and checks that it stays inside its location: `..`,
 * absolute paths and symlinks that lead out are refused. Entry ids are looked up through `entries` (on an
 * extension's connection that is its scoped view).
 *
 * Fails with `VALIDATION` (neither or both forms), `NOT_FOUND` (unknown entry or location, missing file) and
 * `PERMISSION_DENIED` (the path leads outside the location).
 *
 * @example
 * canonicalFile(lib, { locationId, path: 'photos/cat.jpg' }) // { real: '/home/me/Pictures/photos/cat.jpg', relPath: 'photos/cat.jpg', … }
 */
export function canonicalFile(lib: Library, ref: FileRef): CanonicalFile {
  let locationId: string;
  let candidate: string;
  let locationPath: string;
  if ('entryId' in ref) {
    const row = lib.raw
      .prepare('SELECT e.location_id, e.rel_path, l.path FROM entries e JOIN locations l ON l.id = e.location_id WHERE e.uuid = ?')
      .get(ref.entryId) as { location_id: string; rel_path: string; path: string } | undefined;
    if (!row) throw new CairnError('NOT_FOUND', `No entry with id ${ref.entryId}.`);
    locationId = row.location_id;
    locationPath = row.path;
    candidate = path.join(row.path, row.rel_path);
  } else {
    const row = lib.raw.prepare('SELECT path FROM locations WHERE id = ?').get(ref.locationId) as { path: string } | undefined;
    if (!row) throw new CairnError('NOT_FOUND', `No location with id ${ref.locationId}.`);
    locationId = ref.locationId;
    locationPath = row.path;
    candidate = path.resolve(row.path, ref.path);
  }
  const root = realpathOr(locationPath, () => new CairnError('NOT_FOUND', `The location folder ${locationPath} is not reachable.`));
  // Refuse lexical escapes before touching the file system with the path.
  if (!isInside(path.resolve(locationPath), candidate) && !isInside(root, candidate)) {
    throw new CairnError('PERMISSION_DENIED', 'The path leads outside its location.');
  }
  const real = realpathOr(candidate, () => new CairnError('NOT_FOUND', 'No such file.'));
  if (!isInside(root, real)) throw new CairnError('PERMISSION_DENIED', 'The path leads outside its location (through a symlink).');
  return { locationId, root, real, relPath: path.relative(root, real).split(path.sep).join('/') };
}

/**
 * Reads up to {@link MAX_READ_BYTES} of a file from `offset`, as base64. The file is resolved with
 * {@link canonicalFile}, so it never reads outside a location.
 *
 * Fails like {@link canonicalFile}, plus `VALIDATION` for a folder and `IO` when reading fails.
 *
 * @example
 * readFileBytes(lib, { entryId }, 0, 1024) // { data: 'iVBORw0…', bytesRead: 1024, size: 52311, eof: false, offset: 0 }
 */
export function readFileBytes(lib: Library, ref: FileRef, offset: number, length: number) {
  const file = canonicalFile(lib, ref);
  const want = Math.min(length, MAX_READ_BYTES);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file.real, 'r');
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new CairnError('VALIDATION', 'Only files can be read.');
    const buffer = Buffer.alloc(Math.max(0, Math.min(want, stat.size - offset)));
    const bytesRead = buffer.length > 0 ? fs.readSync(fd, buffer, 0, buffer.length, offset) : 0;
    return { data: buffer.subarray(0, bytesRead).toString('base64'), offset, bytesRead, size: stat.size, eof: offset + bytesRead >= stat.size };
  } catch (error) {
    if (error instanceof CairnError) throw error;
    throw new CairnError('IO', `Could not read the file: ${(error as Error).message}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** True when `child` is `parent` or inside it (both absolute). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realpathOr(p: string, fail: () => CairnError): string {
  try {
    return fs.realpathSync(p);
  } catch {
    throw fail();
  }
}
