import fs from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { ErrorCode } from '../../../src-shared/errors.js';
import type { DiscoveredEntry, DiscoveryBatch } from './discovery.js';
import { newEntryUuid } from './entry-uuid.js';
import { SearchIndexInserts } from '../search/search-deferral.js';
import { detectFileKind } from './file-kind.js';

/** What one index run did, cumulated over its batches (and kept in its checkpoint). */
export interface IndexCounts {
  /** Entries inserted. */
  new: number;
  /** Files and symlinks whose size, mtime or inode changed (folders whose mtime changed are not counted). */
  modified: number;
  /** Entries found at a new path with the inode of a vanished row: the row moved, keeping its uuid. */
  moved: number;
  /** Rows removed (a folder counts with everything below it). */
  deleted: number;
  /** Entries seen exactly as stored. */
  unchanged: number;
  /** Errors recorded (discovery, processing, identity, media). */
  errors: number;
  /** Files hashed. */
  identified: number;
  /** Content identities created (the rest were shared with existing ones). */
  contents: number;
  /** Bytes of the files identified (their sizes, not the sampled bytes read). */
  bytes: number;
  /** media_data rows written. */
  exif: number;
  /** Thumbnails recorded in sidecars (existing files reused count too). */
  thumbnails: number;
  /** Rows the run inserted, updated or deleted in entries, content identities, media, sidecars and errors. */
  rowsWritten: number;
}

/** Counts all at zero. */
export function zeroCounts(): IndexCounts {
  return { new: 0, modified: 0, moved: 0, deleted: 0, unchanged: 0, errors: 0, identified: 0, contents: 0, bytes: 0, exif: 0, thumbnails: 0, rowsWritten: 0 };
}

/** The error message given to empty files (see {@link IndexWriter}). */
export const EMPTY_FILE_MESSAGE = 'Empty file: no content identity (an empty file has no content to identify; Spacedrive gives none either)';

interface ExistingRow {
  id: number;
  rel_path: string;
  kind: string;
  size: number;
  modified_at: number | null;
  created_at: number | null;
  inode: string | null;
  content_uuid: string | null;
  parent_id: number | null;
  name_is_lossy: number;
}

/** Lower and upper bounds of the paths strictly below `rel` (`'/'` + 1 is `'0'`). */
function subtreeRange(rel: string): [string, string] {
  return [`${rel}/`, `${rel}0`];
}

function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

const ms = (n: number | null): number | null => (n === null || !Number.isFinite(n) ? null : Math.floor(n));

/**
 * The processing phase's database side for one location: change detection of discovered entries against
 * the stored rows, and every write that follows (inserts, updates, moves, deletions, errors, content
 * reference counts). Every method is synchronous and meant to run inside one transaction per batch (the
 * job's task commit), so a batch is applied entirely or not at all.
 *
 * Decisions:
 * - A row is *unchanged* when kind, size, mtime (ms) and inode match: nothing is written.
 * - *Modified* (size or mtime changed): the row is updated and its content identity cleared, so the identity
 *   phase recomputes it. A changed inode alone (a file replaced by an identical copy) only updates the inode.
 * - *Moved*: a new path whose inode and kind match a row of this location whose path is gone (or that the
 *   walk already found missing). The row is updated in place, keeping uuid, tags and notes; a moved folder
 *   takes its whole subtree along. Inode reuse after a delete can make an unrelated new file inherit a
 *   deleted file's row, unless the birth times (kept by a rename, new for a new file) tell them apart.
 * - *Deleted*: a directory listing that lacks a stored child puts it on a pending list; rows still pending
 *   when the walk ends are deleted with their subtrees ({@link IndexWriter.deletePending}), so a move found
 *   later in the walk can still claim them.
 * - Empty files get no content identity and an `identity` error with {@link EMPTY_FILE_MESSAGE}.
 * - Sockets, FIFOs and devices are not stored (a `discovery` error says so); symlinks are stored, never
 *   followed, and one that loops gets an error.
 *
 * @example
 * const w = new IndexWriter(lib.raw, locationId, '/photos', () => Date.now());
 * lib.raw.transaction(() => w.applyBatch(batch, state))();
 */
export class IndexWriter {
  readonly #loc: string;
  readonly #root: string;
  readonly #now: () => number;
  readonly #knownErrors = new Set<string>();
  readonly #dirIds = new Map<string, number>();
  readonly #search: SearchIndexInserts;
  readonly #s;

  constructor(db: BetterSqlite3.Database, locationId: string, root: string, now: () => number = Date.now) {
    this.#loc = locationId;
    this.#root = root;
    this.#now = now;
    this.#search = new SearchIndexInserts(db);
    const cols = 'id, rel_path, kind, size, modified_at, created_at, inode, content_uuid, parent_id, name_is_lossy';
    this.#s = {
      byPaths: db.prepare(`SELECT ${cols} FROM entries WHERE location_id = ? AND rel_path IN (SELECT value FROM json_each(?))`),
      byPath: db.prepare(`SELECT ${cols} FROM entries WHERE location_id = ? AND rel_path = ?`),
      byInode: db.prepare(`SELECT ${cols} FROM entries WHERE location_id = ? AND inode = ? AND kind = ?`),
      byId: db.prepare(`SELECT ${cols} FROM entries WHERE id = ?`),
      insert: db.prepare(
        `INSERT INTO entries (uuid, location_id, parent_id, rel_path, name, kind, extension, size, created_at, modified_at, inode, file_kind, mime, name_is_lossy, indexed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      update: db.prepare(`UPDATE entries SET size = ?, modified_at = ?, created_at = ?, inode = ?, content_uuid = ?, indexed_at = ? WHERE id = ?`),
      move: db.prepare(
        `UPDATE entries SET rel_path = ?, name = ?, parent_id = ?, extension = ?, name_is_lossy = ?, size = ?, modified_at = ?, created_at = ?, inode = ?, content_uuid = ?, indexed_at = ? WHERE id = ?`,
      ),
      moveSubtree: db.prepare(`UPDATE entries SET rel_path = ? || substr(rel_path, ?) WHERE location_id = ? AND rel_path > ? AND rel_path < ?`),
      children: db.prepare(`SELECT id, name FROM entries WHERE location_id = ? AND parent_id = ?`),
      topLevel: db.prepare(`SELECT id, name FROM entries WHERE location_id = ? AND parent_id IS NULL`),
      subtreeContents: db.prepare(
        `SELECT DISTINCT content_uuid AS c FROM entries WHERE location_id = ? AND content_uuid IS NOT NULL AND (rel_path = ? OR (rel_path > ? AND rel_path < ?))`,
      ),
      countSubtree: db.prepare(`SELECT count(*) AS n FROM entries WHERE location_id = ? AND (rel_path = ? OR (rel_path > ? AND rel_path < ?))`),
      deleteSubtree: db.prepare(`DELETE FROM entries WHERE location_id = ? AND (rel_path = ? OR (rel_path > ? AND rel_path < ?))`),
      deleteErrorsUnder: db.prepare(`DELETE FROM indexer_errors WHERE location_id = ? AND (rel_path = ? OR (rel_path > ? AND rel_path < ?))`),
      deleteErrors: db.prepare(`DELETE FROM indexer_errors WHERE location_id = ? AND rel_path = ?`),
      deleteError: db.prepare(`DELETE FROM indexer_errors WHERE location_id = ? AND rel_path = ? AND phase = ?`),
      upsertError: db.prepare(
        `INSERT INTO indexer_errors (location_id, rel_path, phase, code, message, at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (location_id, rel_path, phase) DO UPDATE SET code = excluded.code, message = excluded.message, at = excluded.at`,
      ),
      recount: db.prepare(
        `UPDATE content_identities SET entry_count = (SELECT count(*) FROM entries WHERE content_uuid = @c)
         WHERE uuid = @c AND entry_count != (SELECT count(*) FROM entries WHERE content_uuid = @c)`,
      ),
      errorPaths: db.prepare(`SELECT rel_path, phase FROM indexer_errors WHERE location_id = ?`),
    };
    for (const r of this.#s.errorPaths.all(this.#loc) as { rel_path: string; phase: string }[]) this.#knownErrors.add(`${r.phase}\0${r.rel_path}`);
  }

  /** Uuids of entries inserted since the caller last took them (for `entries.onDidCreate` after the commit). */
  createdEntryIds: string[] = [];

  /** Forgets cached row ids and reloads the known errors: call after a batch's transaction rolled back. */
  resetCaches(): void {
    this.createdEntryIds = [];
    this.#dirIds.clear();
    this.#knownErrors.clear();
    for (const r of this.#s.errorPaths.all(this.#loc) as { rel_path: string; phase: string }[]) this.#knownErrors.add(`${r.phase}\0${r.rel_path}`);
  }

  /** The absolute path of a stored relative path. */
  abs(rel: string): string {
    return rel === '' ? this.#root : path.join(this.#root, ...rel.split('/'));
  }

  /** Records (or refreshes) an error of `phase` for `rel`; counts it. */
  recordError(counts: IndexCounts, rel: string, phase: string, code: ErrorCode | string, message: string): void {
    this.#s.upsertError.run(this.#loc, rel, phase, code, message.slice(0, 2000), new Date(this.#now()).toISOString());
    this.#knownErrors.add(`${phase}\0${rel}`);
    counts.errors += 1;
    counts.rowsWritten += 1;
  }

  /** Clears the error of `phase` for `rel` if one is stored (no write otherwise). */
  clearError(counts: IndexCounts, rel: string, phase: string): void {
    const key = `${phase}\0${rel}`;
    if (!this.#knownErrors.has(key)) return;
    counts.rowsWritten += this.#s.deleteError.run(this.#loc, rel, phase).changes;
    this.#knownErrors.delete(key);
  }

  #clearAllErrors(counts: IndexCounts, rel: string): void {
    let any = false;
    for (const phase of ['identity', 'media', 'thumbnail', 'processing']) {
      if (this.#knownErrors.delete(`${phase}\0${rel}`)) any = true;
    }
    if (any) counts.rowsWritten += this.#s.deleteErrors.run(this.#loc, rel).changes;
  }

  /** Re-derives `entry_count` of the given contents (writes only where it changed). */
  recount(counts: IndexCounts, contents: Iterable<string>): void {
    for (const c of contents) counts.rowsWritten += this.#s.recount.run({ c }).changes;
  }

  #parentId(counts: IndexCounts, rel: string): number | null {
    const parent = parentOf(rel);
    if (parent === '') return null;
    const known = this.#dirIds.get(parent);
    if (known !== undefined) return known;
    const row = this.#s.byPath.get(this.#loc, parent) as ExistingRow | undefined;
    if (row && row.kind === 'dir') {
      this.#dirIds.set(parent, row.id);
      return row.id;
    }
    // A scoped walk below a folder the index has not seen yet: store the missing ancestors first.
    let st: fs.Stats;
    try {
      st = fs.lstatSync(this.abs(parent));
    } catch {
      return null;
    }
    const name = parent.slice(parent.lastIndexOf('/') + 1);
    const entry: DiscoveredEntry = {
      relativePath: parent, name, kind: 'dir', size: 0, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs,
      birthtimeMs: st.birthtimeMs > 0 ? st.birthtimeMs : null, inode: st.ino, extension: '',
    };
    return this.#insert(counts, entry);
  }

  #insert(counts: IndexCounts, e: DiscoveredEntry): number {
    const parentId = this.#parentId(counts, e.relativePath);
    const isFile = e.kind === 'file';
    const kind = isFile ? detectFileKind(e.name) : null;
    // Time-ordered: new rows append to the uuid index instead of touching a random page of it each, which
    // keeps a first index of many files from rewriting most of that index at every batch commit.
    const uuid = newEntryUuid();
    const r = this.#s.insert.run(
      uuid, this.#loc, parentId, e.relativePath, e.name, e.kind, e.kind === 'dir' ? null : e.extension || null,
      e.kind === 'dir' ? 0 : e.size, ms(e.birthtimeMs), ms(e.mtimeMs), String(e.inode), kind?.kind ?? null, kind?.mime ?? null,
      e.rawPath ? 1 : 0, this.#now(),
    );
    const id = Number(r.lastInsertRowid);
    this.#search.add(id, e.name, e.relativePath);
    if (e.kind === 'dir') this.#dirIds.set(e.relativePath, id);
    counts.new += 1;
    counts.rowsWritten += 1;
    this.createdEntryIds.push(uuid);
    this.#afterChange(counts, e);
    return id;
  }

  /** Errors that depend on a new or changed entry: empty files, looping symlinks. */
  #afterChange(counts: IndexCounts, e: DiscoveredEntry): void {
    if (e.kind === 'file' && e.size === 0) this.recordError(counts, e.relativePath, 'identity', 'VALIDATION', EMPTY_FILE_MESSAGE);
    if (e.kind === 'symlink') {
      try {
        fs.statSync(e.rawPath ?? this.abs(e.relativePath));
      } catch (error) {
        const errno = (error as NodeJS.ErrnoException).code;
        if (errno === 'ELOOP') this.recordError(counts, e.relativePath, 'discovery', 'IO', 'Symlink loop: the link resolves to itself (it is stored, never followed)');
      }
    }
  }

  /** Deletes the row `rel` and everything below it; returns the rows removed. */
  #deleteSubtree(counts: IndexCounts, rel: string, touched: Set<string>): number {
    const [lo, hi] = subtreeRange(rel);
    for (const r of this.#s.subtreeContents.all(this.#loc, rel, lo, hi) as { c: string }[]) touched.add(r.c);
    // Counted first: rows removed by the parent_id cascade are not in `changes`.
    const n = (this.#s.countSubtree.get(this.#loc, rel, lo, hi) as { n: number }).n;
    this.#s.deleteSubtree.run(this.#loc, rel, lo, hi);
    counts.rowsWritten += n + this.#s.deleteErrorsUnder.run(this.#loc, rel, lo, hi).changes;
    for (const key of [...this.#knownErrors]) {
      const p = key.slice(key.indexOf('\0') + 1);
      if (p === rel || p.startsWith(`${rel}/`)) this.#knownErrors.delete(key);
    }
    for (const d of [...this.#dirIds.keys()]) if (d === rel || d.startsWith(`${rel}/`)) this.#dirIds.delete(d);
    counts.deleted += n;
    return n;
  }

  /** A stored row this new path may have moved from: same inode and kind, and its old path is gone. */
  #moveSource(e: DiscoveredEntry, pending: Set<number>): ExistingRow | undefined {
    const candidates = this.#s.byInode.all(this.#loc, String(e.inode), e.kind) as ExistingRow[];
    const born = ms(e.birthtimeMs);
    for (const row of candidates) {
      if (row.rel_path === e.relativePath) continue;
      // A rename keeps the birth time; a new file that merely reuses a deleted file's inode does not.
      if (row.created_at !== null && born !== null && row.created_at !== born) continue;
      if (pending.has(row.id)) return row;
      if (row.name_is_lossy) continue; // its stored path cannot be checked on disk
      let gone = false;
      try {
        gone = fs.lstatSync(this.abs(row.rel_path)).ino !== e.inode;
      } catch {
        gone = true;
      }
      if (gone) return row;
    }
    return undefined;
  }

  /**
   * Applies one discovery batch. `pending` (ids of rows missing from their folder's listing, waiting for the
   * end of the walk) is updated in place; `listings` holds, per folder not yet complete, the names seen so far
   * (the caller fills it for every batch, including batches it skips on resume). `unreadable` names folders
   * whose listing failed: their stored children are kept.
   *
   * With `fresh` (a first index: the location had no rows when the walk began, so every row it holds came
   * from earlier batches of this same walk) the lookups of change, move and deletion detection are skipped
   * and every entry is inserted. Passing `fresh` for a location that had rows before the walk would store
   * duplicates of moved files and miss deletions, so callers decide it from a count taken before the walk.
   */
  applyBatch(batch: DiscoveryBatch, counts: IndexCounts, pending: Set<number>, listings: Map<string, Set<string>>, unreadable: Set<string>, fresh = false): void {
    this.#search.begin(this.#loc);
    if (fresh) return this.#applyFresh(batch, counts);
    const touched = new Set<string>();
    const paths = batch.entries.filter((e) => e.kind !== 'other').map((e) => e.relativePath);
    const existing = new Map<string, ExistingRow>();
    if (paths.length > 0) {
      for (const row of this.#s.byPaths.all(this.#loc, JSON.stringify(paths)) as ExistingRow[]) existing.set(row.rel_path, row);
    }
    const now = this.#now();
    let dirMoved = false;
    for (const e of batch.entries) {
      if (e.kind === 'other') {
        if (!this.#knownErrors.has(`discovery\0${e.relativePath}`)) {
          this.recordError(counts, e.relativePath, 'discovery', 'NOT_SUPPORTED', 'Special file (socket, FIFO or device): not indexed');
        }
        continue;
      }
      // After a folder moved in this batch, rows prefetched for paths below its new place are stale.
      let row = existing.get(e.relativePath) ?? (dirMoved ? (this.#s.byPath.get(this.#loc, e.relativePath) as ExistingRow | undefined) : undefined);
      if (row && row.kind !== e.kind) {
        this.#deleteSubtree(counts, e.relativePath, touched);
        pending.delete(row.id);
        row = undefined;
      }
      const size = e.kind === 'dir' ? 0 : e.size;
      const mtime = ms(e.mtimeMs);
      const inode = String(e.inode);
      if (row) {
        if (e.kind === 'dir') this.#dirIds.set(e.relativePath, row.id);
        pending.delete(row.id);
        if (row.size === size && row.modified_at === mtime && row.inode === inode) {
          counts.unchanged += 1;
          continue;
        }
        const contentChanged = e.kind === 'file' && (row.size !== size || row.modified_at !== mtime);
        if (contentChanged && row.content_uuid) touched.add(row.content_uuid);
        this.#s.update.run(size, mtime, ms(e.birthtimeMs), inode, contentChanged ? null : row.content_uuid, now, row.id);
        counts.rowsWritten += 1;
        if (e.kind !== 'dir') counts.modified += 1;
        else counts.unchanged += 1;
        if (contentChanged) {
          this.#clearAllErrors(counts, e.relativePath);
          this.#afterChange(counts, e);
        }
        continue;
      }
      const source = this.#moveSource(e, pending);
      if (!source) {
        this.#insert(counts, e);
        continue;
      }
      // A move: the row (and a folder's whole subtree) takes the new path, keeping its uuid and metadata.
      pending.delete(source.id);
      const [lo, hi] = subtreeRange(e.relativePath);
      const clash = this.#s.byPath.get(this.#loc, e.relativePath) as ExistingRow | undefined;
      if (clash) this.#deleteSubtree(counts, e.relativePath, touched);
      else if (e.kind === 'dir') counts.rowsWritten += this.#s.deleteSubtree.run(this.#loc, '\0', lo, hi).changes; // stale rows below the target
      const parentId = this.#parentId(counts, e.relativePath);
      const contentChanged = e.kind === 'file' && (source.size !== size || source.modified_at !== mtime);
      if (contentChanged && source.content_uuid) touched.add(source.content_uuid);
      this.#s.move.run(
        e.relativePath, e.name, parentId, e.kind === 'dir' ? null : e.extension || null, e.rawPath ? 1 : 0, size, mtime, ms(e.birthtimeMs), inode,
        contentChanged ? null : source.content_uuid, now, source.id,
      );
      counts.rowsWritten += 1;
      this.#clearAllErrors(counts, source.rel_path);
      if (e.kind === 'dir') {
        dirMoved = true;
        const [olo, ohi] = subtreeRange(source.rel_path);
        counts.rowsWritten += this.#s.moveSubtree.run(e.relativePath, source.rel_path.length + 1, this.#loc, olo, ohi).changes;
        for (const d of [...this.#dirIds.keys()]) if (d === source.rel_path || d.startsWith(`${source.rel_path}/`)) this.#dirIds.delete(d);
        this.#dirIds.set(e.relativePath, source.id);
      }
      counts.moved += 1;
      if (contentChanged) this.#afterChange(counts, e);
    }

    for (const err of batch.errors) this.recordError(counts, err.relativePath, 'discovery', err.code, `${err.operation}: ${err.message}`);

    for (const dir of batch.completedDirs) {
      // The caller drops completed folders from `listings` once this batch is committed (a rolled-back
      // attempt must see the same names again).
      const names = listings.get(dir) ?? new Set<string>();
      if (unreadable.has(dir)) continue;
      let rows: { id: number; name: string }[];
      if (dir === '') rows = this.#s.topLevel.all(this.#loc) as { id: number; name: string }[];
      else {
        const parent = this.#dirIds.get(dir) ?? (this.#s.byPath.get(this.#loc, dir) as ExistingRow | undefined)?.id;
        if (parent === undefined) continue;
        rows = this.#s.children.all(this.#loc, parent) as { id: number; name: string }[];
      }
      for (const r of rows) if (!names.has(r.name)) pending.add(r.id);
    }
    this.recount(counts, touched);
  }

  #applyFresh(batch: DiscoveryBatch, counts: IndexCounts): void {
    for (const e of batch.entries) {
      if (e.kind === 'other') {
        if (!this.#knownErrors.has(`discovery\0${e.relativePath}`)) {
          this.recordError(counts, e.relativePath, 'discovery', 'NOT_SUPPORTED', 'Special file (socket, FIFO or device): not indexed');
        }
        continue;
      }
      this.#insert(counts, e);
    }
    for (const err of batch.errors) this.recordError(counts, err.relativePath, 'discovery', err.code, `${err.operation}: ${err.message}`);
  }

  /**
   * Deletes the rows still pending at the end of a walk, with their subtrees, and re-derives the entry
   * counts of the contents they referenced. Ids that no longer exist are ignored.
   */
  deletePending(counts: IndexCounts, pending: Iterable<number>): void {
    const touched = new Set<string>();
    for (const id of pending) {
      const row = this.#s.byId.get(id) as ExistingRow | undefined;
      if (!row) continue;
      this.#deleteSubtree(counts, row.rel_path, touched);
    }
    this.recount(counts, touched);
  }
}

/**
 * Adds the names of `batch` to the per-folder listings used for deletion detection, and notes folders
 * whose listing failed. Entries whose `lstat` failed for a reason other than "vanished" keep their rows.
 *
 * @example
 * noteListings(batch, listings, unreadable); writer.applyBatch(batch, counts, pending, listings, unreadable);
 */
export function noteListings(batch: DiscoveryBatch, listings: Map<string, Set<string>>, unreadable: Set<string>): void {
  const add = (rel: string): void => {
    const dir = parentOf(rel);
    let set = listings.get(dir);
    if (!set) listings.set(dir, (set = new Set()));
    set.add(rel.slice(rel.lastIndexOf('/') + 1));
  };
  for (const e of batch.entries) if (e.kind !== 'other') add(e.relativePath);
  for (const err of batch.errors) {
    if (err.operation === 'readdir') unreadable.add(err.relativePath);
    else if (err.operation === 'lstat' && err.code !== 'NOT_FOUND') add(err.relativePath);
  }
}
