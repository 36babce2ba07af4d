import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EventBus } from '../../events/event-bus.js';
import { JobScheduler } from '../../jobs/job-scheduler.js';
import { SqliteJobStore } from '../../jobs/sqlite-job-store.js';
import { Library } from '../../library/library.js';
import { HybridLogicalClock } from '../../sync/hlc.js';
import type { DiscoveryBatch } from '../discovery.js';
import { INDEX_LOCATION_JOB, makeIndexLocationJob, type IndexCheckpoint } from '../index-location-job.js';
import { IndexWriter, noteListings, zeroCounts, type IndexCounts } from '../index-writer.js';
import { BackgroundCheckpointer } from '../../db/wal-checkpoints.js';
import { openDatabase } from '../../db/open-database.js';
import { deferSearchIndexing, fillDeferredSearch, SEARCH_FILL_SQL } from '../../search/search-deferral.js';

const LOCATION_ID = '44444444-4444-4444-8444-444444444444';

/** A fresh library with one location on `root`, for benchmarks. `cleanup()` closes and deletes it. */
export async function benchLibrary(root: string): Promise<{ library: Library; cleanup: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-lib-'));
  const library = await Library.create(path.join(dir, 'lib'), { name: 'bench' });
  library.raw.prepare(`INSERT INTO locations (id, path, name, added_at, device_id, settings) VALUES (?, ?, 'bench', '', 'bench', ?)`).run(
    LOCATION_ID, root, JSON.stringify({ rules: { skipSystemFiles: false, respectGitignore: false } }),
  );
  return { library, cleanup: async () => { await library.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

/**
 * The processing hook for `runBench`: applies each discovery batch to a fresh library as the job's first
 * index does (one transaction per batch, search index filled by `finish`), minus the job bookkeeping.
 *
 * @example
 * const p = await processingHook(tree.root); await runBench({ ...opts, process: p.process }); await p.cleanup();
 */
export async function processingHook(root: string): Promise<{
  process: (batch: DiscoveryBatch) => Promise<void>;
  finish: () => Promise<void>;
  counts: IndexCounts;
  /** The `entries` rows written so far, in insertion order, as arrays of {@link ENTRY_ROW_COLUMNS}. */
  rows: () => unknown[][];
  cleanup: () => Promise<void>;
}> {
  const { library, cleanup } = await benchLibrary(root);
  const db = library.raw;
  const writer = new IndexWriter(db, LOCATION_ID, root);
  const counts = zeroCounts();
  const pending = new Set<number>();
  const listings = new Map<string, Set<string>>();
  const unreadable = new Set<string>();
  // A first index into an empty library, as the job runs it: no change detection, search filled at the end.
  const apply = db.transaction((batch: DiscoveryBatch) => {
    deferSearchIndexing(db, LOCATION_ID);
    writer.applyBatch(batch, counts, pending, listings, unreadable, true);
  });
  const fill = db.transaction(() => fillDeferredSearch(db, LOCATION_ID));
  const checkpointer = await BackgroundCheckpointer.start(db);
  return {
    counts,
    cleanup,
    rows: () => db.prepare(`SELECT ${ENTRY_ROW_COLUMNS.join(', ')} FROM entries ORDER BY id`).raw().all() as unknown[][],
    finish: async () => {
      while (!fill().done);
      await checkpointer.stop();
    },
    process: async (batch) => {
      noteListings(batch, listings, unreadable);
      apply(batch);
      for (const d of batch.completedDirs) listings.delete(d);
    },
  };
}

/** The columns of `entries` the indexer fills on a first index, in the order {@link sqliteFloor} binds them. */
export const ENTRY_ROW_COLUMNS = [
  'uuid', 'location_id', 'parent_id', 'rel_path', 'name', 'kind', 'extension', 'size', 'created_at', 'modified_at', 'inode', 'file_kind', 'mime', 'name_is_lossy', 'indexed_at',
] as const;

/** What {@link sqliteFloor} measured, in ms for all rows. */
export interface SqliteFloor {
  /** A table with the entries columns, its rowid and the two uniqueness rules (uuid; location + path) only. */
  bare: number;
  /** The same plus the five browsing indexes of `entries` (folder, content, inode, kind, date). */
  indexed: number;
  /** The same plus the keyword search index, filled in one statement after the last batch (as a first index does). */
  searchable: number;
  /** Rows each table held afterwards (equal to the rows given, or the floor measured something else). */
  stored: [number, number, number];
  /** Rows the search index of the `searchable` run held afterwards. */
  searchRows: number;
}

/** The keyword search index exactly as migration `0002_vdfs` creates it (a test compares the two). */
export const ENTRIES_FTS_DDL = `CREATE VIRTUAL TABLE entries_fts USING fts5(
      name, folder, content='', contentless_delete=1,
      tokenize = "unicode61 remove_diacritics 2",
      prefix = '3 4'
    )`;

/**
 * The cheapest SQLite can store the indexer's rows, as a reference for the processing phase: the same rows
 * of the bench location (from {@link processingHook}'s `rows()`) inserted with one prepared statement in 1,000-row transactions into
 * fresh files opened with the library's pragmas, with a background WAL checkpointer as the job has. No
 * foreign keys, triggers, change detection or JavaScript per row: whatever the indexer does beyond this is its
 * own cost, and this much any SQLite index of these rows pays. Three runs: bare, with the browsing indexes,
 * and with those and the search index. Throws what SQLite throws.
 *
 * @example
 * const floor = await sqliteFloor(hook.rows()); // { bare: 820, indexed: 1450, searchable: 1900, stored: [n, n, n], searchRows: n }
 */
export async function sqliteFloor(rows: unknown[][]): Promise<SqliteFloor> {
  const cols = ENTRY_ROW_COLUMNS;
  const table = `CREATE TABLE entries (id INTEGER PRIMARY KEY, ${cols.map((c) => `${c} ${['parent_id', 'size', 'created_at', 'modified_at', 'name_is_lossy', 'indexed_at'].includes(c) ? 'INTEGER' : 'TEXT'}`).join(', ')},
    aggregate_size INTEGER, child_count INTEGER, content_uuid TEXT, UNIQUE (uuid), UNIQUE (location_id, rel_path))`;
  const indexes = ['parent_id', 'content_uuid', 'inode', 'file_kind', 'modified_at'].map((c) => `CREATE INDEX entries_${c} ON entries(${c})`);
  const time = async (ddl: string[], search = false): Promise<[number, number, number]> => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-floor-'));
    const { raw } = openDatabase(path.join(dir, 'floor.db'), { create: true });
    try {
      for (const statement of ddl) raw.exec(statement);
      const insert = raw.prepare(`INSERT INTO entries (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
      const batch = raw.transaction((from: number) => {
        for (let i = from; i < Math.min(from + 1000, rows.length); i++) insert.run(rows[i]!);
      });
      const checkpointer = await BackgroundCheckpointer.start(raw);
      const start = performance.now();
      for (let i = 0; i < rows.length; i += 1000) batch(i);
      // The first index's own fill statement, over every row at once.
      if (search) raw.transaction(() => raw.prepare(SEARCH_FILL_SQL).run(LOCATION_ID, 0, Number.MAX_SAFE_INTEGER))();
      const ms = performance.now() - start;
      await checkpointer.stop();
      const count = (sql: string): number => (raw.prepare(sql).get() as { n: number }).n;
      return [ms, count('SELECT count(*) AS n FROM entries'), search ? count('SELECT count(*) AS n FROM entries_fts') : 0];
    } finally {
      raw.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  const [bare, bareRows] = await time([table]);
  const [indexed, indexedRows] = await time([table, ...indexes]);
  const [searchable, searchableRows, searchRows] = await time([table, ...indexes, ENTRIES_FTS_DDL], true);
  return { bare, indexed, searchable, stored: [bareRows, indexedRows, searchableRows], searchRows };
}

/** Per-phase wall time of one `indexer.location` run. */
export interface JobPhaseTimes {
  processing: number;
  identity: number;
  media: number;
  finalize: number;
  /** From the start until every photo (image by extension) has its thumbnail: the end of the first media round. */
  photosReady: number;
  total: number;
  counts: IndexCounts;
  /** Event-loop delay of the thread that runs the job (the app's main thread), in ms. */
  loopDelay: LoopDelay;
}

/** Event-loop delay percentiles, in ms. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/** Measures this thread's event-loop delay while `work` runs. */
export async function measureLoopDelay<T>(work: () => Promise<T>): Promise<{ result: T; delay: LoopDelay }> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  try {
    const result = await work();
    return { result, delay: { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 } };
  } finally {
    h.disable();
  }
}

/**
 * Runs the real `indexer.location` job twice over `root` in a fresh library (a first index, then an
 * unchanged re-index) and returns the phase times of each run.
 *
 * @example
 * const [first, again] = await runIndexJob('/tmp/tree');
 */
export async function runIndexJob(root: string, hashWorkers = 2): Promise<JobPhaseTimes[]> {
  const { library, cleanup } = await benchLibrary(root);
  const runs: JobPhaseTimes[] = [];
  try {
    for (let run = 0; run < 2; run++) {
      const marks: [IndexCheckpoint['phase'], number][] = [];
      const scheduler = new JobScheduler({ store: new SqliteJobStore(library.raw) });
      scheduler.register(INDEX_LOCATION_JOB, makeIndexLocationJob({
        libraries: { get: async () => library }, events: new EventBus(), clock: new HybridLogicalClock('bench'), deviceId: 'bench', hashWorkers,
        beforePhase: (phase) => void marks.push([phase, performance.now()]),
      }));
      scheduler.start();
      const start = performance.now();
      const id = scheduler.enqueue(INDEX_LOCATION_JOB, { libraryId: library.id, locationId: LOCATION_ID });
      const { result: done, delay } = await measureLoopDelay(() => scheduler.waitFor(id));
      const end = performance.now();
      await scheduler.stop();
      if (done.status !== 'completed') throw new Error(`bench index job ${done.status}: ${JSON.stringify(done.errors)}`);
      // Identity and media run twice (photos first, then the other files): each phase's time is summed.
      const spent = (p: string): number => marks.reduce((sum, [q, t], i) => (q === p ? sum + ((marks[i + 1]?.[1] ?? end) - t) : sum), 0);
      const secondIdentity = marks.filter(([q]) => q === 'identity')[1]?.[1];
      const settings = library.raw.prepare('SELECT settings FROM locations WHERE id = ?').get(LOCATION_ID) as { settings: string };
      runs.push({
        processing: spent('processing'),
        identity: spent('identity'),
        media: spent('media'),
        finalize: spent('finalize'),
        photosReady: (secondIdentity ?? marks.find(([q]) => q === 'finalize')?.[1] ?? end) - start,
        total: end - start,
        loopDelay: delay,
        counts: (JSON.parse(settings.settings) as { index: { lastRun: { counts: IndexCounts } } }).index.lastRun.counts,
      });
    }
  } finally {
    await cleanup();
  }
  return runs;
}
