import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { CairnError, toWireError } from '../../../src-shared/errors.js';
import type { EventBus } from '../events/event-bus.js';
import { defineJob, type JobContext } from '../jobs/define-job.js';
import type { Library } from '../library/library.js';
import { readExif, type ExifData } from '../media/exif.js';
import { generateThumbnail } from '../media/thumbnails.js';
import type { HybridLogicalClock } from '../sync/hlc.js';
import { resolveWorkerFile } from '../workers/spawn-worker.js';
import { discoverInWorker } from './discover-in-worker.js';
import type { DiscoveryBatch } from './discovery.js';
import { HashPool } from './hash-pool.js';
import type { IdentifiedFile } from './identify-worker.js';
import { IndexWriter, noteListings, zeroCounts, type IndexCounts } from './index-writer.js';
import { rulesFromSettings } from './location-rules.js';
import { resolveRawPath } from './raw-path.js';
import { deferSearchIndexing, fillDeferredSearch } from '../search/search-deferral.js';
import { BackgroundCheckpointer } from '../db/wal-checkpoints.js';

/** The job type name. */
export const INDEX_LOCATION_JOB = 'indexer.location';

/** Entries per processing batch (one transaction and one checkpoint each). */
export const PROCESS_BATCH_SIZE = 1000;
/** Files per content identification task. */
export const IDENTIFY_BATCH_SIZE = 500;
/** Image contents per media task. */
export const MEDIA_BATCH_SIZE = 16;

/**
 * The next batch of files to identify: `(locationId, afterId, full ? 1 : 0, images ? 1 : 0, limit)`, where
 * `images` picks the round: 1 for files whose kind is `image` (identified first, so thumbnails can follow at
 * once), 0 for every other file. `+location_id` and the expression on `file_kind` keep the planner off the
 * (location_id, rel_path) and kind indexes, which would read and sort rows for each batch; the rowid range reads
 * only from `afterId` on and stops at the limit.
 *
 * @example
 * db.prepare(IDENTIFY_BATCH_SQL).all(locationId, 0, 0, 1, IDENTIFY_BATCH_SIZE)
 */
export const IDENTIFY_BATCH_SQL = `SELECT id, rel_path, size, content_uuid, file_kind, mime FROM entries
  WHERE +location_id = ? AND kind = 'file' AND size > 0 AND id > ? AND (? OR content_uuid IS NULL) AND (file_kind IS 'image') = ?
  ORDER BY id LIMIT ?`;

/**
 * The next batch of images that lack EXIF or a thumbnail: `{location, after, limit}` → `{content, id}` rows.
 * Walks image contents in uuid order from `after` (the primary key's order, so each batch reads only what
 * follows the last one) and keeps those with a copy in this location without a recorded media error, taking
 * that copy's lowest id. A join driven by the location's entries would read every entry of the location for
 * each batch.
 *
 * @example
 * db.prepare(MEDIA_BATCH_SQL).all({ location: locationId, after: '', limit: MEDIA_BATCH_SIZE })
 */
export const MEDIA_BATCH_SQL = `SELECT content, id FROM (
  SELECT c.uuid AS content,
         (SELECT min(e.id) FROM entries e WHERE e.content_uuid = c.uuid AND e.location_id = @location
            AND NOT EXISTS (SELECT 1 FROM indexer_errors ie WHERE ie.location_id = e.location_id AND ie.rel_path = e.rel_path AND ie.phase IN ('thumbnail', 'media'))) AS id
  FROM content_identities c
  WHERE c.kind = 'image' AND c.uuid > @after
    AND (NOT EXISTS (SELECT 1 FROM media_data m WHERE m.content_uuid = c.uuid)
      OR NOT EXISTS (SELECT 1 FROM sidecars s WHERE s.content_uuid = c.uuid AND s.kind = 'thumb' AND s.variant = ''))
  ORDER BY c.uuid)
WHERE id IS NOT NULL LIMIT @limit`;

/** A folder to rescan instead of the whole location (the watcher's input). */
export const IndexScope = z.object({
  /** Relative path of a folder inside the location ('' is the location itself). */
  path: z.string().max(4096),
  /** Walk everything below it (true) or only its own listing (false). */
  recursive: z.boolean(),
});
export type IndexScope = z.infer<typeof IndexScope>;

/** Input of an `indexer.location` job. */
export const IndexLocationInput = z.object({
  libraryId: z.string().min(1),
  locationId: z.string().min(1),
  /** Re-hash every file instead of only new and changed ones. */
  full: z.boolean().optional(),
  /** Rescan only these folders (absent: the whole location, which also detects deletions everywhere). */
  scopes: z.array(IndexScope).max(1000).optional(),
});
export type IndexLocationInput = z.infer<typeof IndexLocationInput>;

const PHASES = ['processing', 'identity', 'media', 'finalize', 'done'] as const;

const Counts = z.object({
  new: z.number(), modified: z.number(), moved: z.number(), deleted: z.number(), unchanged: z.number(), errors: z.number(),
  identified: z.number(), contents: z.number(), bytes: z.number(), exif: z.number(), thumbnails: z.number(), rowsWritten: z.number(),
});

/**
 * The checkpoint, saved in the same transaction as each batch's writes:
 * `phase` to resume in; `round` of identity and media (0: image files, 1: every other file; checkpoints
 * saved before rounds existed read as 0); `pending` (processing) ids of rows missing from their folder, deleted at the end;
 * `afterId` (identity) the last entry id identified; `afterContent` (media) the last content uuid handled;
 * `counts` so far; `startedAt` of the first attempt.
 */
export const IndexCheckpoint = z.object({
  phase: z.enum(PHASES),
  round: z.union([z.literal(0), z.literal(1)]).default(0),
  pending: z.array(z.number()),
  afterId: z.number(),
  afterContent: z.string(),
  counts: Counts,
  startedAt: z.number(),
});
export type IndexCheckpoint = z.infer<typeof IndexCheckpoint>;

/** What the job needs from the core. */
export interface IndexJobDeps {
  libraries: { get(id: string): Promise<Library> };
  events: EventBus;
  clock: HybridLogicalClock;
  deviceId: string;
  /** Hash worker threads (default 2). */
  hashWorkers?: number;
  /** Largest image (pixels) a thumbnail is made for (default: the thumbnailer's 100 MP). */
  maxThumbnailPixels?: number;
  /** Entries per processing batch (default {@link PROCESS_BATCH_SIZE}; kill tests use small ones). */
  processBatchSize?: number;
  /** Rows per step of a first index's search fill (default `SEARCH_FILL_CHUNK`). */
  searchFillChunk?: number;
  /** Called before each phase starts (tests use it to change files mid-run). */
  beforePhase?: (phase: IndexCheckpoint['phase']) => void | Promise<void>;
}

/** The summary of a location's last completed run, kept in `locations.settings.index`. */
export interface LastIndexRun {
  jobId: string;
  finishedAt: number;
  durationMs: number;
  full: boolean;
  scoped: boolean;
  counts: IndexCounts;
}

/** Reads `settings.index.lastRun` of a location, if any. */
export function lastRunFromSettings(settings: string | null | undefined): LastIndexRun | null {
  try {
    const parsed = JSON.parse(settings ?? '{}') as { index?: { lastRun?: LastIndexRun; lastFullAt?: number } };
    return parsed.index?.lastRun ?? null;
  } catch {
    return null;
  }
}

/** Reads `settings.index.lastFullAt` (the end of the last whole-location run), if any. */
export function lastIndexedAtFromSettings(settings: string | null | undefined): number | null {
  try {
    const parsed = JSON.parse(settings ?? '{}') as { index?: { lastFullAt?: number } };
    return parsed.index?.lastFullAt ?? null;
  } catch {
    return null;
  }
}

// One index at a time per location in this process: a watcher rescan waits for a running full index.
const locks = new Map<string, Promise<void>>();
async function withLocationLock<T>(key: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    const held = locks.get(key);
    if (!held) break;
    await Promise.race([held, new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))]);
  }
  let release!: () => void;
  locks.set(key, new Promise<void>((r) => (release = r)));
  try {
    return await fn();
  } finally {
    locks.delete(key);
    release();
  }
}

function fingerprint(batch: DiscoveryBatch): string {
  const h = createHash('sha1');
  for (const e of batch.entries) h.update(`${e.relativePath}\0${e.kind}\0${e.size}\0${e.mtimeMs}\0${e.inode}\n`);
  for (const e of batch.errors) h.update(`!${e.relativePath}\0${e.operation}\0${e.code}\n`);
  h.update(`#${batch.completedDirs.join('\0')}`);
  return h.digest('hex').slice(0, 16);
}

function clone(cp: IndexCheckpoint): IndexCheckpoint {
  return { ...cp, pending: [...cp.pending], counts: { ...cp.counts } };
}

interface LocationRow {
  id: string;
  path: string;
  name: string;
  settings: string;
}

/**
 * The `indexer.location` job: indexes one location in five phases, each resumable.
 *
 * 1. **Discovery + processing.** `discoverInWorker` walks the location (or the input's scopes) with the
 *    location's rules; each batch of ~1,000 entries is one task whose commit applies the change detection
 *    of {@link IndexWriter} and saves the checkpoint in the same transaction. The task key holds the batch
 *    number and a fingerprint of its entries, so after a crash the re-walk skips every batch already
 *    committed (same key) and redoes only one whose contents changed on disk meanwhile (new key; change
 *    detection makes that safe).
 * Phases 2 and 3 run in two rounds: first for files whose kind (by extension) is `image`, then for every
 * other file. Thumbnails of a mixed folder so appear after its photos are hashed, not after every file is.
 *
 * 2. **Content identity.** Files without a content id (all files with `full`), in id order, 500 per task,
 *    hashed on a {@link HashPool} of identify workers (sampled BLAKE3 + magic-byte kind, off the main thread).
 *    Creates or reuses `content_identities` and keeps `entry_count` exact. Empty files are skipped (see
 *    `EMPTY_FILE_MESSAGE`). A file whose size changed since discovery gets a `CONFLICT` error and keeps no
 *    content id until the next run.
 * 3. **Media.** For image contents of this location without `media_data` or a thumbnail: EXIF into
 *    `media_data` (a row is written even when the image has none, so it is not retried) and a WebP thumbnail
 *    per content (shared by duplicates) recorded in `sidecars`. Decoding runs on sharp's thread pool.
 * 4. **Finalize.** Deletes rows still missing at the end of the walk (with their subtrees), recomputes
 *    folder `aggregate_size` and `child_count` (writing only the ones that changed), drops stale discovery
 *    errors after a whole-location run, and records the run's summary in `locations.settings.index`.
 *
 * Every bad input becomes a row in `indexer_errors` and the run goes on. Progress is reported per phase.
 * Fails with `NOT_FOUND` when the location no longer exists and with the discovery error when its folder is
 * missing or unreadable.
 *
 * @example
 * core.jobs.registerType(INDEX_LOCATION_JOB, makeIndexLocationJob(deps), (i, lib) => `Index ${name}`);
 * await core.jobs.enqueue(libraryId, INDEX_LOCATION_JOB, { libraryId, locationId });
 */
export function makeIndexLocationJob(deps: IndexJobDeps) {
  return defineJob<IndexLocationInput, IndexCheckpoint>({
    input: IndexLocationInput,
    checkpoint: IndexCheckpoint,
    concurrency: 1,
    taskDefaults: { retries: 3, backoffMs: 100 },
    async run(ctx) {
      const lib = await deps.libraries.get(ctx.input.libraryId);
      const loc = lib.raw.prepare('SELECT id, path, name, settings FROM locations WHERE id = ?').get(ctx.input.locationId) as LocationRow | undefined;
      if (!loc) throw new CairnError('NOT_FOUND', `No location with id ${ctx.input.locationId}.`);
      await withLocationLock(`${lib.id}:${loc.id}`, ctx.signal, () => new IndexRun(deps, ctx, lib, loc).run());
    },
  });
}

// Batches that are already waiting (discovery runs ahead, hashes resolve at once) would otherwise be
// chained through promise continuations alone, and timers, I/O and IPC of the app would wait for the whole
// phase: one macrotask turn per batch keeps the thread responsive for ~0.1 ms each.
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class IndexRun {
  readonly #deps: IndexJobDeps;
  readonly #ctx: JobContext<IndexLocationInput, IndexCheckpoint>;
  readonly #lib: Library;
  readonly #db: BetterSqlite3.Database;
  readonly #loc: LocationRow;
  readonly #writer: IndexWriter;
  #state: IndexCheckpoint;
  #lastEvent = 0;
  #eventTimer: NodeJS.Timeout | undefined;

  constructor(deps: IndexJobDeps, ctx: JobContext<IndexLocationInput, IndexCheckpoint>, lib: Library, loc: LocationRow) {
    this.#deps = deps;
    this.#ctx = ctx;
    this.#lib = lib;
    this.#db = lib.raw;
    this.#loc = loc;
    this.#writer = new IndexWriter(lib.raw, loc.id, loc.path);
    this.#state = ctx.resumedFrom ? clone(ctx.resumedFrom) : { phase: 'processing', round: 0, pending: [], afterId: 0, afterContent: '', counts: zeroCounts(), startedAt: Date.now() };
  }

  async run(): Promise<void> {
    try {
      const hook = async (): Promise<void> => this.#deps.beforePhase?.(this.#state.phase);
      if (this.#state.phase === 'processing') await hook().then(() => this.#process());
      // Two rounds of identity and media: image files first, so their thumbnails appear while the rest is hashed.
      while (this.#state.phase === 'identity' || this.#state.phase === 'media') {
        if (this.#state.phase === 'identity') await hook().then(() => this.#identify());
        if (this.#state.phase === 'media') await hook().then(() => this.#media());
      }
      if (this.#state.phase === 'finalize') await hook().then(() => this.#finalize());
    } finally {
      if (this.#eventTimer) clearTimeout(this.#eventTimer);
      this.#announce(true);
    }
  }

  /** Runs one task whose commit mutates a copy of the state and saves it as the checkpoint. */
  async #step(key: string, work: () => Promise<(next: IndexCheckpoint, db: BetterSqlite3.Database) => void>): Promise<boolean> {
    let committed: IndexCheckpoint | undefined;
    await this.#ctx.runTask(key, async () => {
      const apply = await work();
      return {
        result: null,
        commit: (db) => {
          const next = clone(this.#state);
          try {
            apply(next, db);
            this.#ctx.checkpoint(next);
          } catch (error) {
            this.#writer.resetCaches();
            throw error;
          }
          committed = next;
        },
      };
    });
    if (committed) this.#state = committed;
    return committed !== undefined;
  }

  #advance(phase: IndexCheckpoint['phase'], round: IndexCheckpoint['round'] = this.#state.round): Promise<boolean> {
    // Task keys are unique per job: the second round's steps carry its number (the first keeps the old keys,
    // so a job saved before rounds existed resumes onto the same ones).
    const enter = (state: IndexCheckpoint): void => {
      if (state.round !== round) Object.assign(state, { round, afterId: 0, afterContent: '' });
      state.phase = phase;
    };
    // The committed checkpoint gets it; so does this run's state when the step was already done before.
    return this.#step(round === 0 ? `phase:${phase}` : `phase:${phase}:${round}`, async () => enter).then((r) => {
      enter(this.#state);
      return r;
    });
  }

  /** Prefix of this round's task keys: `i` / `m` in the first round, `i1` / `m1` in the second. */
  #key(kind: 'i' | 'm'): string {
    return this.#state.round === 0 ? kind : `${kind}${this.#state.round}`;
  }

  /** entries.onDidChange for this location, at most every 500 ms (and once at the end). */
  #announce(final = false): void {
    const emit = () => {
      this.#eventTimer = undefined;
      this.#lastEvent = Date.now();
      this.#deps.events.emit('entries.onDidChange', { libraryId: this.#lib.id, locationId: this.#loc.id });
    };
    if (final) return emit();
    if (this.#eventTimer) return;
    const wait = 500 - (Date.now() - this.#lastEvent);
    if (wait <= 0) emit();
    else this.#eventTimer = setTimeout(emit, wait);
  }

  async #process(): Promise<void> {
    const scopes = [...(this.#ctx.input.scopes ?? [{ path: '', recursive: true }])].sort((a, b) => a.path.split('/').length - b.path.split('/').length);
    const estimate = (this.#db.prepare('SELECT count(*) AS n FROM entries WHERE location_id = ?').get(this.#loc.id) as { n: number }).n;
    // A first index: nothing stored to compare with, so batches are inserted without change detection and
    // the search index is filled once at the end of the walk (see IndexWriter.applyBatch and
    // search/search-deferral.ts). Counted before the walk: a resumed first index sees its earlier batches'
    // rows and goes back to change detection.
    const fresh = estimate === 0 && this.#ctx.input.scopes === undefined;
    const checkpointer = fresh ? await BackgroundCheckpointer.start(this.#db) : undefined;
    try {
      await this.#walk(scopes, estimate, fresh);
    } finally {
      await checkpointer?.stop();
    }
    await this.#fillSearch();
    await this.#advance('identity');
  }

  async #walk(scopes: IndexScope[], estimate: number, fresh: boolean): Promise<void> {
    const rules = rulesFromSettings(this.#loc.settings);
    let seen = 0;
    for (let s = 0; s < scopes.length; s += 1) {
      const scope = scopes[s]!;
      const listings = new Map<string, Set<string>>();
      const unreadable = new Set<string>();
      let index = 0;
      const walk = discoverInWorker(this.#loc.path, {
        ...rules,
        batchSize: this.#deps.processBatchSize ?? PROCESS_BATCH_SIZE,
        ...(scope.path ? { startAt: scope.path } : {}),
        ...(scope.recursive ? {} : { maxDepth: 0 }),
      });
      try {
        for await (const batch of walk) {
          await yieldToEventLoop();
          noteListings(batch, listings, unreadable);
          const key = `p:${s}:${index}:${fingerprint(batch)}`;
          index += 1;
          const changed = await this.#step(key, async () => (next) => {
            this.#writer.createdEntryIds = [];
            const pending = new Set(next.pending);
            const before = next.counts.rowsWritten;
            if (fresh) deferSearchIndexing(this.#db, this.#loc.id);
            this.#writer.applyBatch(batch, next.counts, pending, listings, unreadable, fresh);
            next.pending = [...pending];
            if (next.counts.rowsWritten !== before) this.#announce();
          });
          const created = this.#writer.createdEntryIds;
          this.#writer.createdEntryIds = [];
          if (changed && created.length > 0) this.#deps.events.emit('entries.onDidCreate', { libraryId: this.#lib.id, entryIds: created });
          for (const dir of batch.completedDirs) listings.delete(dir);
          seen += batch.entries.length;
          const c = this.#state.counts;
          const message = `Processing: ${seen.toLocaleString('en-US')} entries (${c.new} new, ${c.modified} modified, ${c.moved} moved)`;
          this.#ctx.progress(estimate > 0 ? { completed: Math.min(seen, Math.max(estimate, seen)), total: Math.max(estimate, seen), message } : { indeterminate: true, message });
        }
      } catch (error) {
        // A rescanned folder that vanished meanwhile: its parent's listing (also rescanned) records the deletion.
        if (scope.path !== '' && error instanceof CairnError && (error.code === 'NOT_FOUND' || error.code === 'VALIDATION')) continue;
        throw error;
      }
    }
  }

  /** Adds rows a first index left out of the search index, a chunk per step (resumable by its bound). */
  async #fillSearch(): Promise<void> {
    const bound = this.#db.prepare('SELECT after_id FROM search_deferred WHERE location_id = ?');
    for (;;) {
      const open = bound.get(this.#loc.id) as { after_id: number } | undefined;
      if (!open) return;
      await yieldToEventLoop();
      this.#ctx.progress({ indeterminate: true, message: 'Processing: adding names to the search index' });
      await this.#step(`s:${open.after_id}`, async () => () => void fillDeferredSearch(this.#db, this.#loc.id, this.#deps.searchFillChunk));
    }
  }

  async #identify(): Promise<void> {
    const full = this.#ctx.input.full === true;
    const images = this.#state.round === 0 ? 1 : 0;
    const where = `location_id = ? AND kind = 'file' AND size > 0 AND id > ? AND (? OR content_uuid IS NULL) AND (file_kind IS 'image') = ?`;
    const total = (this.#db.prepare(`SELECT count(*) AS n FROM entries WHERE ${where}`).get(this.#loc.id, 0, full ? 1 : 0, images) as { n: number }).n;
    const what = images ? 'photos' : 'files';
    const select = this.#db.prepare(IDENTIFY_BATCH_SQL);
    const insertContent = this.#db.prepare(
      `INSERT INTO content_identities (uuid, content_hash, kind, mime, total_size, entry_count, first_seen_at, hlc, device_id)
       VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT (content_hash) DO NOTHING`,
    );
    const setContent = this.#db.prepare(
      `UPDATE entries SET content_uuid = ?, file_kind = ?, mime = ? WHERE id = ? AND (content_uuid IS NOT ? OR file_kind IS NOT ? OR mime IS NOT ?)`,
    );
    type Row = { id: number; rel_path: string; size: number; content_uuid: string | null; file_kind: string | null; mime: string | null };
    const batchAfter = (afterId: number): Row[] => select.all(this.#loc.id, afterId, full ? 1 : 0, images, IDENTIFY_BATCH_SIZE) as Row[];
    let pool: HashPool | undefined;
    // Hashing of batch n+1 runs on the workers while batch n is written on this thread.
    const startHashing = (rows: Row[]) => {
      pool ??= new HashPool({ workerFile: resolveWorkerFile(import.meta.url, './identify-worker'), size: this.#deps.hashWorkers ?? 2, chunkSize: 250 });
      const hashPool = pool;
      const paths = rows.map((r) => resolveRawPath(this.#loc.path, r.rel_path));
      const hash = () => hashPool.hash(paths.map((p) => p ?? this.#writer.abs('\0missing')));
      const early = hash();
      early.catch(() => undefined); // awaited below; this only keeps an abandoned prefetch from being "unhandled"
      let used = false;
      // A retried task hashes again instead of reusing the first attempt's results.
      return { paths, results: () => (used ? hash() : ((used = true), early)) };
    };
    let done = 0;
    // Content ids are hashes, so every batch touches pages all over the identity indexes and the WAL fills
    // fast: on a large run its checkpoints move to a worker thread.
    const checkpointer = total >= 10 * IDENTIFY_BATCH_SIZE ? await BackgroundCheckpointer.start(this.#db) : undefined;
    try {
      let rows = batchAfter(this.#state.afterId);
      let hashing = rows.length > 0 ? startHashing(rows) : undefined;
      for (;;) {
        await yieldToEventLoop();
        this.#ctx.throwIfInterrupted();
        if (rows.length === 0 || !hashing) break;
        const current = hashing;
        const following = batchAfter(rows[rows.length - 1]!.id);
        hashing = following.length > 0 ? startHashing(following) : undefined;
        let identified: string[] = [];
        const committed = await this.#step(`${this.#key('i')}:${this.#state.afterId}`, async () => {
          const paths = current.paths;
          const results = await current.results();
          return (next) => {
            identified = [];
            const touched = new Set<string>();
            const at = new Date().toISOString();
            rows.forEach((row, i) => {
              const r = results[i]!;
              if (paths[i] === undefined) {
                this.#writer.recordError(next.counts, row.rel_path, 'identity', 'NOT_FOUND', 'The file vanished before it could be identified');
                return;
              }
              if (!r.ok) {
                const message = r.error.code === 'NOT_FOUND' ? `The file vanished during indexing: ${r.error.message}` : r.error.message;
                this.#writer.recordError(next.counts, row.rel_path, 'identity', r.error.code, message);
                return;
              }
              const v = r.value as unknown as IdentifiedFile;
              if (v.size !== row.size) {
                this.#writer.recordError(next.counts, row.rel_path, 'identity', 'CONFLICT', `The file changed during indexing (${row.size} → ${v.size} bytes); it is identified on the next run`);
                return;
              }
              const created = insertContent.run(v.contentId, v.contentHash, v.kind, v.mime, v.size, at, this.#deps.clock.now(), this.#deps.deviceId).changes;
              next.counts.contents += created;
              const set = setContent.run(v.contentId, v.kind, v.mime, row.id, v.contentId, v.kind, v.mime).changes;
              next.counts.rowsWritten += created + set;
              if (set > 0) identified.push(v.contentId);
              if (row.content_uuid && row.content_uuid !== v.contentId) touched.add(row.content_uuid);
              touched.add(v.contentId);
              next.counts.identified += 1;
              next.counts.bytes += v.size;
              this.#writer.clearError(next.counts, row.rel_path, 'identity');
            });
            this.#writer.recount(next.counts, touched);
            next.afterId = rows[rows.length - 1]!.id;
          };
        });
        if (committed && identified.length > 0) this.#deps.events.emit('content.onDidIdentify', { libraryId: this.#lib.id, contentIds: [...new Set(identified)] });
        done += rows.length;
        this.#announce();
        this.#ctx.progress({ completed: Math.min(done, total), total, bytes: this.#state.counts.bytes, message: `Identifying contents: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} ${what}` });
        rows = following;
      }
    } finally {
      await checkpointer?.stop();
      await pool?.close();
    }
    await this.#advance('media');
  }

  async #media(): Promise<void> {
    const select = this.#db.prepare(MEDIA_BATCH_SQL);
    const entryPath = this.#db.prepare('SELECT rel_path FROM entries WHERE id = ?');
    const hasMedia = this.#db.prepare('SELECT 1 FROM media_data WHERE content_uuid = ?');
    const hasThumb = this.#db.prepare(`SELECT 1 FROM sidecars WHERE content_uuid = ? AND kind = 'thumb' AND variant = ''`);
    const insertMedia = this.#db.prepare(
      `INSERT INTO media_data (content_uuid, captured_at, captured_at_raw, camera_make, camera_model, width, height, orientation, latitude, longitude, altitude, extracted_at, hlc, device_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (content_uuid) DO NOTHING`,
    );
    const insertThumb = this.#db.prepare(
      `INSERT INTO sidecars (content_uuid, kind, variant, rel_path, format, size, created_at) VALUES (?, 'thumb', '', ?, 'webp', ?, ?)
       ON CONFLICT (content_uuid, kind, variant) DO NOTHING`,
    );
    const sidecarRoot = path.join(this.#lib.path, 'sidecars');
    let done = 0;
    for (;;) {
      this.#ctx.throwIfInterrupted();
      const rows = select.all({ location: this.#loc.id, after: this.#state.afterContent, limit: MEDIA_BATCH_SIZE }) as { content: string; id: number }[];
      if (rows.length === 0) break;
      await this.#step(`${this.#key('m')}:${this.#state.afterContent}`, async () => {
        type Outcome = { rel: string; exif?: ExifData | null; exifError?: { code: string; message: string }; thumb?: { rel: string; size: number }; thumbError?: { code: string; message: string } };
        const outcomes: Outcome[] = [];
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < rows.length) {
            const row = rows[next++]!;
            const rel = (entryPath.get(row.id) as { rel_path: string }).rel_path;
            const out: Outcome = { rel };
            outcomes.push(out);
            const where = resolveRawPath(this.#loc.path, rel);
            if (where === undefined) {
              out.exifError = { code: 'NOT_FOUND', message: 'The image vanished before its media could be read' };
              continue;
            }
            let source: string | Uint8Array = typeof where === 'string' ? where : '';
            if (typeof where !== 'string') {
              try {
                source = await fs.promises.readFile(where);
              } catch (error) {
                out.exifError = toWireError(error);
                continue;
              }
            }
            if (!hasMedia.get(row.content)) {
              const r = await readExif(source);
              if (r.ok) out.exif = r.value;
              else if (r.error.code === 'NOT_SUPPORTED') out.exif = null;
              else out.exifError = r.error;
            }
            if (!hasThumb.get(row.content)) {
              const t = await generateThumbnail(source, this.#lib.path, row.content, this.#deps.maxThumbnailPixels ? { maxInputPixels: this.#deps.maxThumbnailPixels } : {});
              if (t.ok) out.thumb = { rel: path.relative(sidecarRoot, t.value.path).split(path.sep).join('/'), size: fs.statSync(t.value.path).size };
              else out.thumbError = t.error;
            }
          }
        };
        await Promise.all([worker(), worker(), worker()]);
        const byRel = new Map(outcomes.map((o) => [o.rel, o]));
        return (n) => {
          const now = new Date().toISOString();
          for (const row of rows) {
            const rel = (entryPath.get(row.id) as { rel_path: string }).rel_path;
            const o = byRel.get(rel);
            if (!o) continue;
            if (o.exif !== undefined || o.exifError?.code === 'VALIDATION') {
              // A row even for images without (or with corrupt) EXIF, so they are not read again every run.
              const x = o.exif;
              const w = insertMedia.run(
                row.content, x?.captureDate ?? null, x?.captureDateRaw ?? null, x?.make ?? null, x?.model ?? null, x?.width ?? null, x?.height ?? null,
                x?.orientation ?? null, x?.gps?.latitude ?? null, x?.gps?.longitude ?? null, x?.gps?.altitude ?? null, now, this.#deps.clock.now(), this.#deps.deviceId,
              ).changes;
              n.counts.exif += w;
              n.counts.rowsWritten += w;
            }
            if (o.exifError) this.#writer.recordError(n.counts, rel, 'media', o.exifError.code, o.exifError.message);
            if (o.thumb) {
              const w = insertThumb.run(row.content, o.thumb.rel, o.thumb.size, now).changes;
              n.counts.thumbnails += w;
              n.counts.rowsWritten += w;
            }
            if (o.thumbError) this.#writer.recordError(n.counts, rel, 'thumbnail', o.thumbError.code, o.thumbError.message);
          }
          n.afterContent = rows[rows.length - 1]!.content;
        };
      });
      done += rows.length;
      this.#announce();
      this.#ctx.progress({ indeterminate: true, message: `Reading photos: ${done.toLocaleString('en-US')} images (EXIF and thumbnails)` });
    }
    // After the photos' round, the other files; after theirs (which can find images by their bytes), finalize.
    if (this.#state.round === 0) await this.#advance('identity', 1);
    else await this.#advance('finalize');
  }

  async #finalize(): Promise<void> {
    const scoped = this.#ctx.input.scopes !== undefined;
    await this.#step('f:delete', async () => (next) => {
      this.#writer.deletePending(next.counts, next.pending);
      next.pending = [];
    });
    this.#ctx.progress({ indeterminate: true, message: 'Summing folder sizes' });
    await this.#step('f:aggregate', async () => (next, db) => {
      const rows = db.prepare('SELECT id, parent_id, kind, size, aggregate_size, child_count FROM entries WHERE location_id = ?').raw().all(this.#loc.id) as [
        number, number | null, string, number, number | null, number | null,
      ][];
      const sizes = new Map<number, number>();
      const children = new Map<number, number>();
      const parentOf = new Map<number, number | null>();
      for (const [id, parent, kind] of rows) {
        parentOf.set(id, parent);
        if (kind === 'dir') {
          sizes.set(id, 0);
          children.set(id, 0);
        }
      }
      for (const [, parent, kind, size] of rows) {
        if (parent !== null && children.has(parent)) children.set(parent, children.get(parent)! + 1);
        if (kind === 'dir' || size === 0) continue;
        // Add the file's size to every folder above it (depth is small, so walking up is cheap).
        for (let p = parent; p !== null && p !== undefined; p = parentOf.get(p) ?? null) {
          if (sizes.has(p)) sizes.set(p, sizes.get(p)! + size);
        }
      }
      const update = db.prepare('UPDATE entries SET aggregate_size = ?, child_count = ? WHERE id = ?');
      for (const [id, , kind, , agg, count] of rows) {
        if (kind !== 'dir') continue;
        const s = sizes.get(id)!;
        const c = children.get(id)!;
        if (agg !== s || count !== c) next.counts.rowsWritten += update.run(s, c, id).changes;
      }
      const started = new Date(next.startedAt).toISOString();
      if (!scoped) {
        next.counts.rowsWritten += db
          .prepare(`DELETE FROM indexer_errors WHERE location_id = ? AND phase IN ('discovery', 'processing') AND at < ?`)
          .run(this.#loc.id, started).changes;
      }
      const settingsRow = db.prepare('SELECT settings FROM locations WHERE id = ?').get(this.#loc.id) as { settings: string } | undefined;
      let settings: Record<string, unknown> = {};
      try {
        settings = JSON.parse(settingsRow?.settings ?? '{}') as Record<string, unknown>;
      } catch {
        settings = {};
      }
      const finishedAt = Date.now();
      const prior = (settings.index ?? {}) as { lastFullAt?: number };
      const lastRun: LastIndexRun = {
        jobId: this.#ctx.jobId, finishedAt, durationMs: finishedAt - next.startedAt, full: this.#ctx.input.full === true, scoped, counts: next.counts,
      };
      settings.index = { ...prior, lastRun, ...(scoped ? {} : { lastFullAt: finishedAt }) };
      db.prepare('UPDATE locations SET settings = ? WHERE id = ?').run(JSON.stringify(settings), this.#loc.id);
      next.phase = 'done';
    });
    const c = this.#state.counts;
    this.#ctx.progress({ completed: 1, total: 1, bytes: c.bytes, message: `Indexed: ${c.new} new, ${c.modified} modified, ${c.moved} moved, ${c.deleted} deleted, ${c.errors} errors` });
  }
}
