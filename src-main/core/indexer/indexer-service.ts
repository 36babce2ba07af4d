import type { IndexerError, IndexerLocationStatus, IndexerRules } from '../../../src-shared/contract/indexer.js';
import { CairnError } from '../../../src-shared/errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { LibraryJobs } from '../jobs/library-jobs.js';
import type { JobScheduler } from '../jobs/job-scheduler.js';
import type { Library } from '../library/library.js';
import type { LibraryManager } from '../library/library-manager.js';
import type { HybridLogicalClock } from '../sync/hlc.js';
import {
  INDEX_LOCATION_JOB,
  lastIndexedAtFromSettings,
  lastRunFromSettings,
  makeIndexLocationJob,
  type IndexLocationInput,
  type IndexScope,
  type LastIndexRun,
} from './index-location-job.js';
import { rulesFromSettings, settingsWithRules } from './location-rules.js';
import { LocationWatcher } from './location-watcher.js';

/** What {@link IndexerService} needs from the core. */
export interface IndexerServiceDeps {
  libraries: LibraryManager;
  events: EventBus;
  jobs: LibraryJobs;
  clock: HybridLogicalClock;
  deviceId: string;
  /** Start file system watchers for locations (default: unless `CAIRN_NO_WATCH=1`). */
  watch?: boolean;
  /** Hash worker threads per index job (default 2). */
  hashWorkers?: number;
}

interface LocationRow {
  id: string;
  path: string;
  name: string;
  settings: string;
}

/** A location's status plus the summary of its last run (for the CLI). */
export type LocationIndexStatus = IndexerLocationStatus & { lastRun: LastIndexRun | null; rules: IndexerRules };

/**
 * The indexer as the core sees it: registers the `indexer.location` job type, enqueues runs (also
 * atomically with a new location), answers status and error queries, stores per-location rules, and keeps a
 * {@link LocationWatcher} per location of every library it has seen, which enqueues scoped rescans.
 *
 * @example
 * const indexer = new IndexerService({ libraries, events, jobs, clock, deviceId });
 * const jobId = await indexer.run(libraryId, locationId);
 * await indexer.close();
 */
export class IndexerService {
  readonly #d: IndexerServiceDeps;
  readonly #watch: boolean;
  readonly #watchers = new Map<string, Map<string, LocationWatcher>>();
  #closed = false;

  constructor(deps: IndexerServiceDeps) {
    this.#d = deps;
    this.#watch = deps.watch ?? process.env.CAIRN_NO_WATCH !== '1';
    deps.jobs.registerType(
      INDEX_LOCATION_JOB,
      makeIndexLocationJob({ libraries: deps.libraries, events: deps.events, clock: deps.clock, deviceId: deps.deviceId, ...(deps.hashWorkers ? { hashWorkers: deps.hashWorkers } : {}) }),
      (input: IndexLocationInput, lib: Library) => {
        const row = lib.raw.prepare('SELECT name FROM locations WHERE id = ?').get(input.locationId) as { name: string } | undefined;
        const name = row?.name ?? input.locationId;
        return input.scopes ? `Update ${name}` : `Index ${name}`;
      },
    );
    deps.libraries.onWillClose(async (lib) => this.#stopWatchers(lib.id));
    deps.events.on('locations.onDidChange', ({ libraryId }) => {
      void this.syncWatchers(libraryId).catch(() => undefined);
    });
  }

  /** True when this service starts watchers. */
  get watching(): boolean {
    return this.#watch;
  }

  #location(lib: Library, locationId: string): LocationRow {
    const row = lib.raw.prepare('SELECT id, path, name, settings FROM locations WHERE id = ?').get(locationId) as LocationRow | undefined;
    if (!row) throw new CairnError('NOT_FOUND', `No location with id ${locationId} in library "${lib.name}".`);
    return row;
  }

  /**
   * Enqueues an index of a location; resolves to the job id. Fails `NOT_FOUND` for an unknown library or location.
   *
   * @example
   * const jobId = await indexer.run(libraryId, locationId, { full: true });
   */
  async run(libraryId: string, locationId: string, options: { full?: boolean; scopes?: IndexScope[] } = {}): Promise<string> {
    const lib = await this.#d.libraries.get(libraryId);
    this.#location(lib, locationId);
    const input: IndexLocationInput = { libraryId, locationId, ...(options.full ? { full: true } : {}), ...(options.scopes ? { scopes: options.scopes } : {}) };
    return this.#d.jobs.enqueue(libraryId, INDEX_LOCATION_JOB, input);
  }

  /**
   * A synchronous enqueuer for the first index of a new location, to call inside the transaction that inserts
   * it (so the location and its first index appear together or not at all).
   */
  async firstIndexEnqueuer(lib: Library): Promise<(locationId: string) => string> {
    const scheduler: JobScheduler = await this.#d.jobs.for(lib.id);
    return (locationId) => scheduler.enqueue(INDEX_LOCATION_JOB, { libraryId: lib.id, locationId } satisfies IndexLocationInput);
  }

  /** The scheduler of a library (to wait for a job). */
  scheduler(libraryId: string): Promise<JobScheduler> {
    return this.#d.jobs.for(libraryId);
  }

  /**
   * Index status of every location of a library, sorted by name.
   *
   * @example
   * (await indexer.status(libraryId))[0] // { locationId, name, lastIndexedAt, entryCount, runningJobId, errorCount, watching, lastRun, rules }
   */
  async status(libraryId: string): Promise<LocationIndexStatus[]> {
    const lib = await this.#d.libraries.get(libraryId);
    const scheduler = await this.#d.jobs.for(libraryId);
    const rows = lib.raw.prepare('SELECT id, path, name, settings FROM locations ORDER BY name, path').all() as LocationRow[];
    const entryCount = lib.raw.prepare('SELECT count(*) AS n FROM entries WHERE location_id = ?');
    const errorCount = lib.raw.prepare('SELECT count(*) AS n FROM indexer_errors WHERE location_id = ?');
    const active = scheduler.list({ name: INDEX_LOCATION_JOB, status: ['queued', 'running', 'paused'] });
    return rows.map((r) => ({
      locationId: r.id,
      name: r.name,
      path: r.path,
      lastIndexedAt: lastIndexedAtFromSettings(r.settings),
      entryCount: (entryCount.get(r.id) as { n: number }).n,
      runningJobId: active.find((j) => (j.input as { locationId?: string } | null)?.locationId === r.id)?.id ?? null,
      errorCount: (errorCount.get(r.id) as { n: number }).n,
      watching: this.#watchers.get(libraryId)?.get(r.id)?.isWatching ?? false,
      lastRun: lastRunFromSettings(r.settings),
      rules: rulesFromSettings(r.settings),
    }));
  }

  /**
   * Errors the indexer recorded, newest first. Fails `NOT_FOUND` for an unknown library.
   *
   * @example
   * await indexer.errors(libraryId, { offset: 0, limit: 20 }) // { items: [...], total }
   */
  async errors(libraryId: string, options: { locationId?: string; offset: number; limit: number }): Promise<{ items: IndexerError[]; total: number }> {
    const lib = await this.#d.libraries.get(libraryId);
    const where = options.locationId ? 'WHERE location_id = ?' : '';
    const args = options.locationId ? [options.locationId] : [];
    const total = (lib.raw.prepare(`SELECT count(*) AS n FROM indexer_errors ${where}`).get(...args) as { n: number }).n;
    const rows = lib.raw
      .prepare(`SELECT location_id, rel_path, phase, code, message, at FROM indexer_errors ${where} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`)
      .all(...args, options.limit, options.offset) as { location_id: string; rel_path: string; phase: string; code: string; message: string; at: string }[];
    return {
      total,
      items: rows.map((r) => ({ locationId: r.location_id, relPath: r.rel_path, phase: r.phase, code: r.code, message: r.message, at: r.at })),
    };
  }

  /**
   * Stores a location's rules (unspecified ones keep their value) and enqueues a whole-location run so the
   * index follows them. Fails `NOT_FOUND` for an unknown library or location.
   */
  async setRules(libraryId: string, locationId: string, rules: Partial<IndexerRules>): Promise<{ rules: IndexerRules; jobId: string }> {
    const lib = await this.#d.libraries.get(libraryId);
    const row = this.#location(lib, locationId);
    const next = settingsWithRules(row.settings, rules);
    const scheduler = await this.#d.jobs.for(libraryId);
    const jobId = lib.raw.transaction(() => {
      lib.raw.prepare('UPDATE locations SET settings = ? WHERE id = ?').run(next.settings, locationId);
      return scheduler.enqueue(INDEX_LOCATION_JOB, { libraryId, locationId } satisfies IndexLocationInput);
    })();
    return { rules: next.rules, jobId };
  }

  /** Starts watchers for every location of every library that opens (no-op when watching is off). */
  async startWatchers(): Promise<void> {
    if (!this.#watch) return;
    for (const known of await this.#d.libraries.list()) {
      if (known.problem === null) await this.syncWatchers(known.id).catch(() => undefined);
    }
  }

  /** Makes a library's watchers match its locations (new ones start, removed ones stop). */
  async syncWatchers(libraryId: string): Promise<void> {
    if (!this.#watch || this.#closed) return;
    const lib = await this.#d.libraries.get(libraryId);
    const rows = lib.raw.prepare('SELECT id, path, name, settings FROM locations').all() as LocationRow[];
    let map = this.#watchers.get(libraryId);
    if (!map) this.#watchers.set(libraryId, (map = new Map()));
    const ids = new Set(rows.map((r) => r.id));
    for (const [id, w] of map) {
      if (!ids.has(id)) {
        w.close();
        map.delete(id);
      }
    }
    const knownDir = lib.raw.prepare(`SELECT 1 FROM entries WHERE location_id = ? AND rel_path = ? AND kind = 'dir'`);
    for (const row of rows) {
      if (map.has(row.id)) continue;
      const watcher = new LocationWatcher({
        root: row.path,
        isKnownDir: (rel) => !lib.isClosed && knownDir.get(row.id, rel) !== undefined,
        onChanges: (scopes) => {
          if (this.#closed || lib.isClosed) return;
          void this.run(libraryId, row.id, { scopes }).catch(() => undefined);
        },
      });
      try {
        watcher.start();
        map.set(row.id, watcher);
      } catch {
        // The folder is missing or cannot be watched; the next index records why.
      }
    }
  }

  #stopWatchers(libraryId: string): void {
    const map = this.#watchers.get(libraryId);
    if (!map) return;
    for (const w of map.values()) w.close();
    this.#watchers.delete(libraryId);
  }

  /** Stops every watcher. */
  close(): void {
    this.#closed = true;
    for (const id of [...this.#watchers.keys()]) this.#stopWatchers(id);
  }
}
