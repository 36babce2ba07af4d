import fs from 'node:fs';
import type { Library } from '../library/library.js';
import { locationPath, resolveInLocation } from './location-paths.js';

/** An entry row as a preview saw it. */
export interface EntryState {
  locationId: string;
  relPath: string;
  kind: string;
  size: number;
  modifiedAt: number | null;
  inode: string | null;
  contentId: string | null;
}

/** A path on disk as a preview saw it (`lstat`: symlinks are not followed). */
export interface FileState {
  kind: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  mtimeMs: number;
  ino: number;
}

/**
 * One thing a preview looked at, and what it saw (`null`: it did not exist). At commit the same probe is
 * read again; any difference refuses the commit with a message naming it. Probes are plain JSON, stored
 * with the preview, so a preview made by the CLI can be checked by the app.
 *
 * - `entry`: an entries row (location, rel_path, size, mtime, inode, content).
 * - `entryAt`: which entry (if any) holds a path in the library.
 * - `file`: a path on disk inside a location (kind, size and mtime of files, inode).
 * - `tag`, `collection`, `location`: whether the row exists, and its name or path.
 */
export type Probe =
  | { kind: 'entry'; entryId: string; label: string; seen: EntryState | null }
  | { kind: 'entryAt'; locationId: string; relPath: string; seen: string | null }
  | { kind: 'file'; locationId: string; relPath: string; seen: FileState | null }
  | { kind: 'tag'; tagId: string; label: string; seen: { name: string; parentId: string | null } | null }
  | { kind: 'collection'; collectionId: string; label: string; seen: { name: string } | null }
  | { kind: 'location'; locationId: string; label: string; seen: { path: string } | null };

/** Reads an entry's state. */
export function entryState(lib: Library, entryId: string): EntryState | null {
  const row = lib.raw
    .prepare('SELECT location_id, rel_path, kind, size, modified_at, inode, content_uuid FROM entries WHERE uuid = ?')
    .get(entryId) as
    | { location_id: string; rel_path: string; kind: string; size: number; modified_at: number | null; inode: string | null; content_uuid: string | null }
    | undefined;
  if (!row) return null;
  return {
    locationId: row.location_id,
    relPath: row.rel_path,
    kind: row.kind,
    size: row.size,
    modifiedAt: row.modified_at,
    inode: row.inode,
    contentId: row.content_uuid,
  };
}

/** Reads a path's state on disk (`null` when it does not exist or the location is gone). */
export function fileState(lib: Library, locationId: string, relPath: string): FileState | null {
  const root = locationPath(lib, locationId);
  if (root === null) return null;
  let st: fs.Stats;
  try {
    st = fs.lstatSync(resolveInLocation(root, relPath));
  } catch {
    return null;
  }
  const kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
  return { kind, size: st.size, mtimeMs: Math.floor(st.mtimeMs), ino: st.ino };
}

/** Probes for an entry: its row and its file on disk. */
export function probeEntry(lib: Library, entryId: string): Probe[] {
  const seen = entryState(lib, entryId);
  const probes: Probe[] = [{ kind: 'entry', entryId, label: seen?.relPath ?? entryId, seen }];
  if (seen) probes.push({ kind: 'file', locationId: seen.locationId, relPath: seen.relPath, seen: fileState(lib, seen.locationId, seen.relPath) });
  return probes;
}

/** Probes that a path is (or is not) taken, in the library and on disk. */
export function probePath(lib: Library, locationId: string, relPath: string): Probe[] {
  const row = lib.raw.prepare('SELECT uuid FROM entries WHERE location_id = ? AND rel_path = ?').get(locationId, relPath) as { uuid: string } | undefined;
  return [
    { kind: 'entryAt', locationId, relPath, seen: row?.uuid ?? null },
    { kind: 'file', locationId, relPath, seen: fileState(lib, locationId, relPath) },
  ];
}

export function probeTag(lib: Library, tagId: string): Probe {
  const row = lib.raw.prepare('SELECT name, parent_id FROM tags WHERE id = ?').get(tagId) as { name: string; parent_id: string | null } | undefined;
  return { kind: 'tag', tagId, label: row?.name ?? tagId, seen: row ? { name: row.name, parentId: row.parent_id } : null };
}

export function probeCollection(lib: Library, collectionId: string): Probe {
  const row = lib.raw.prepare('SELECT name FROM collections WHERE id = ?').get(collectionId) as { name: string } | undefined;
  return { kind: 'collection', collectionId, label: row?.name ?? collectionId, seen: row ? { name: row.name } : null };
}

export function probeLocation(lib: Library, locationId: string): Probe {
  const row = lib.raw.prepare('SELECT path, name FROM locations WHERE id = ?').get(locationId) as { path: string; name: string } | undefined;
  return { kind: 'location', locationId, label: row?.name ?? locationId, seen: row ? { path: row.path } : null };
}

/** Reads a probe again, returning the same probe with what is there now. */
export function reprobe(lib: Library, probe: Probe): Probe {
  switch (probe.kind) {
    case 'entry':
      return { ...probe, seen: entryState(lib, probe.entryId) };
    case 'entryAt': {
      const row = lib.raw.prepare('SELECT uuid FROM entries WHERE location_id = ? AND rel_path = ?').get(probe.locationId, probe.relPath) as
        | { uuid: string }
        | undefined;
      return { ...probe, seen: row?.uuid ?? null };
    }
    case 'file':
      return { ...probe, seen: fileState(lib, probe.locationId, probe.relPath) };
    case 'tag':
      return { ...probe, seen: (probeTag(lib, probe.tagId) as typeof probe).seen };
    case 'collection':
      return { ...probe, seen: (probeCollection(lib, probe.collectionId) as typeof probe).seen };
    case 'location':
      return { ...probe, seen: (probeLocation(lib, probe.locationId) as typeof probe).seen };
  }
}

/**
 * Re-reads every probe and describes each difference in words, e.g.
 * `"a/x.jpg" moved to "b/x.jpg" in the library` or `tag "Trip" was deleted`. Empty when nothing changed.
 *
 * @example
 * const changed = compareFingerprint(lib, preview.fingerprint);
 * if (changed.length) throw new CairnError('CONFLICT', `The library changed since the preview: ${changed.join('; ')}`);
 */
export function compareFingerprint(lib: Library, probes: readonly Probe[]): string[] {
  const differences: string[] = [];
  for (const probe of probes) {
    const now = reprobe(lib, probe);
    const d = describeDifference(probe, now);
    if (d) differences.push(d);
  }
  return differences;
}

function describeDifference(before: Probe, now: Probe): string | null {
  switch (before.kind) {
    case 'entry': {
      const a = before.seen;
      const b = (now as typeof before).seen;
      if (!a && !b) return null;
      if (!b) return `"${a!.relPath}" was removed from the library`;
      if (!a) return `entry ${before.entryId} appeared in the library`;
      if (a.locationId !== b.locationId) return `"${a.relPath}" moved to another location`;
      if (a.relPath !== b.relPath) return `"${a.relPath}" moved to "${b.relPath}" in the library`;
      const what = changedFields({ size: [a.size, b.size], modified: [a.modifiedAt, b.modifiedAt], inode: [a.inode, b.inode], content: [a.contentId, b.contentId], kind: [a.kind, b.kind] });
      return what ? `"${a.relPath}" changed in the library (${what})` : null;
    }
    case 'entryAt': {
      const b = (now as typeof before).seen;
      if (before.seen === b) return null;
      if (!before.seen) return `"${before.relPath}" is now taken by another entry in the library`;
      if (!b) return `the entry at "${before.relPath}" is gone from the library`;
      return `"${before.relPath}" now holds a different entry in the library`;
    }
    case 'file': {
      const a = before.seen;
      const b = (now as typeof before).seen;
      if (!a && !b) return null;
      if (!b) return `"${before.relPath}" is gone from disk`;
      if (!a) return `"${before.relPath}" now exists on disk`;
      const fields: Record<string, [unknown, unknown]> = { kind: [a.kind, b.kind], inode: [a.ino, b.ino] };
      // A folder's size and mtime change whenever its contents do; only its identity matters here.
      if (a.kind === 'file') Object.assign(fields, { size: [a.size, b.size], modified: [a.mtimeMs, b.mtimeMs] });
      const what = changedFields(fields);
      return what ? `"${before.relPath}" changed on disk (${what})` : null;
    }
    case 'tag': {
      const b = (now as typeof before).seen;
      if (!before.seen && !b) return null;
      if (!b) return `tag "${before.label}" was deleted`;
      if (!before.seen) return `tag ${before.tagId} now exists`;
      if (before.seen.name !== b.name) return `tag "${before.seen.name}" was renamed to "${b.name}"`;
      if (before.seen.parentId !== b.parentId) return `tag "${before.seen.name}" was moved in the hierarchy`;
      return null;
    }
    case 'collection': {
      const b = (now as typeof before).seen;
      if (!before.seen && !b) return null;
      if (!b) return `collection "${before.label}" was deleted`;
      if (!before.seen) return `collection ${before.collectionId} now exists`;
      return before.seen.name !== b.name ? `collection "${before.seen.name}" was renamed to "${b.name}"` : null;
    }
    case 'location': {
      const b = (now as typeof before).seen;
      if (!before.seen && !b) return null;
      if (!b) return `location "${before.label}" was removed`;
      if (!before.seen) return `location ${before.locationId} now exists`;
      return before.seen.path !== b.path ? `location "${before.label}" now points at ${b.path}` : null;
    }
  }
}

function changedFields(fields: Record<string, [unknown, unknown]>): string {
  // Times are shown as dates a person can read, not milliseconds.
  const show = (name: string, v: unknown) => (name === 'modified' && typeof v === 'number' ? new Date(v).toLocaleString('en-GB', { timeZone: 'UTC' }) + ' UTC' : String(v));
  return Object.entries(fields)
    .filter(([, [a, b]]) => a !== b)
    .map(([name, [a, b]]) => `${name} ${show(name, a)} → ${show(name, b)}`)
    .join(', ');
}
