import type { JobSummary as ContractJobSummary } from '../../../src-shared/contract/index.js';
import type { EventBus } from '../events/event-bus.js';
import type { Library } from '../library/library.js';
import type { LibraryManager } from '../library/library-manager.js';
import type { JobDefinition } from './define-job.js';
import { JobScheduler, type EnqueueOptions } from './job-scheduler.js';
import type { JobSummary } from './job-store.js';
import { SqliteJobStore } from './sqlite-job-store.js';
import { SqliteSchedulerLease } from './scheduler-lease.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = JobDefinition<any, any>;

interface JobType {
  definition: AnyDefinition;
  /** A human title for lists, e.g. "Index Pictures". */
  title: (input: unknown, lib: Library) => string;
}

/** Options of {@link LibraryJobs}. */
export interface LibraryJobsOptions {
  maxConcurrentJobs?: number;
  maxConcurrentTasks?: number;
  /** How long a scheduler lease lasts without a heartbeat (default 15 s). */
  leaseTtlMs?: number;
  /** How often schedulers renew their lease and look for other processes' changes (default 1 s). */
  pollIntervalMs?: number;
}

/**
 * One durable {@link JobScheduler} per open library, all with the same job types, and their events
 * forwarded to the core's event bus with the library id. A library's scheduler starts the first time the
 * library is used (resuming its interrupted jobs) and stops before the library closes.
 *
 * Two processes (the app and the CLI) may open one library: each scheduler takes the library's lease
 * (`SqliteSchedulerLease`) and only the holder runs jobs. The others still enqueue, list, pause, resume and
 * cancel (they write the rows; the holder picks the change up within a poll) and announce the holder's
 * progress and status changes on their own event bus. When the holder stops it hands the lease over at
 * once; when it dies, another takes over as soon as it sees the holder's pid is gone (same host) or the
 * lease expired.
 *
 * @example
 * jobs.registerType('indexer.location', indexJob, (input) => `Index ${input.locationId}`);
 * const id = (await jobs.for(libraryId)).enqueue('indexer.location', { locationId });
 */
export class LibraryJobs {
  readonly #libraries: LibraryManager;
  readonly #events: EventBus;
  readonly #types = new Map<string, JobType>();
  readonly #schedulers = new Map<string, { lib: Library; scheduler: JobScheduler }>();
  readonly #options: LibraryJobsOptions;
  readonly #onStart: ((lib: Library, scheduler: JobScheduler) => void)[] = [];
  readonly #titleSources: ((name: string, input: unknown, lib: Library) => string | undefined)[] = [];

  constructor(libraries: LibraryManager, events: EventBus, options: LibraryJobsOptions = {}) {
    this.#libraries = libraries;
    this.#events = events;
    this.#options = options;
    libraries.onWillClose((lib) => this.stopFor(lib.id));
  }

  /** Declares a job type for every library (existing schedulers included). */
  registerType<I, C>(name: string, definition: JobDefinition<I, C>, title: (input: I, lib: Library) => string): void {
    this.#types.set(name, { definition: definition as AnyDefinition, title: title as JobType['title'] });
    for (const { scheduler } of this.#schedulers.values()) scheduler.register(name, definition);
  }

  /**
   * Adds a source of titles for job types registered per library rather than here (an extension's jobs are
   * registered on each library's scheduler as it starts). A source answers `undefined` for names it does
   * not know; one that throws is skipped. Types registered with {@link registerType} take precedence.
   *
   * @example
   * jobs.addTitleSource((name, input, lib) => (name.startsWith('ext:') ? titleFromManifest(lib, name) : undefined));
   */
  addTitleSource(source: (name: string, input: unknown, lib: Library) => string | undefined): void {
    this.#titleSources.push(source);
  }

  /**
   * Runs `hook` for every library scheduler as it starts, before it resumes jobs (and now for the ones already
   * started), so per-library job types (an extension's jobs) are registered before their queued jobs are picked.
   */
  onSchedulerStart(hook: (lib: Library, scheduler: JobScheduler) => void): void {
    this.#onStart.push(hook);
    for (const { lib, scheduler } of this.#schedulers.values()) hook(lib, scheduler);
  }

  /** The started scheduler of a library. Fails like `LibraryManager.get`. */
  async for(libraryId: string): Promise<JobScheduler> {
    const existing = this.#schedulers.get(libraryId);
    if (existing && !existing.lib.isClosed) return existing.scheduler;
    const lib = await this.#libraries.get(libraryId);
    return this.#start(lib);
  }

  /** Enqueues a job of a registered type in a library. */
  async enqueue(libraryId: string, name: string, input: unknown, options?: EnqueueOptions): Promise<string> {
    return (await this.for(libraryId)).enqueue(name, input, options);
  }

  /** The contract's view of a job: its scheduler summary plus library id and title. */
  async describe(libraryId: string, job: JobSummary): Promise<ContractJobSummary> {
    const lib = await this.#libraries.get(libraryId);
    let title = job.name;
    try {
      title = this.#types.get(job.name)?.title(job.input, lib) ?? job.name;
    } catch {
      // A title must never break a listing.
    }
    if (!this.#types.has(job.name)) {
      for (const source of this.#titleSources) {
        try {
          const found = source(job.name, job.input, lib);
          if (found) {
            title = found;
            break;
          }
        } catch {
          // As above: the next source, or the type name.
        }
      }
    }
    return {
      id: job.id,
      libraryId,
      name: job.name,
      title,
      owner: job.owner,
      status: job.status,
      priority: job.priority,
      progress: job.progress,
      errors: job.errors,
      createdAt: job.createdAt,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      durationMs: job.durationMs,
      tasks: job.tasks,
    };
  }

  async stopFor(libraryId: string): Promise<void> {
    const entry = this.#schedulers.get(libraryId);
    if (!entry) return;
    this.#schedulers.delete(libraryId);
    await entry.scheduler.stop();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#schedulers.keys()].map((id) => this.stopFor(id)));
  }

  #start(lib: Library): JobScheduler {
    const libraryId = lib.id;
    const { leaseTtlMs, ...options } = this.#options;
    const scheduler = new JobScheduler({
      store: new SqliteJobStore(lib.raw),
      ...options,
      lease: new SqliteSchedulerLease(lib.raw, leaseTtlMs ? { ttlMs: leaseTtlMs } : {}),
      onEvent: (name, payload) => this.#events.emit(name, { libraryId, ...payload } as never),
    });
    for (const [name, type] of this.#types) scheduler.register(name, type.definition);
    this.#schedulers.set(libraryId, { lib, scheduler });
    for (const hook of this.#onStart) {
      try {
        hook(lib, scheduler);
      } catch (error) {
        console.error('[jobs] a scheduler start hook failed:', error);
      }
    }
    scheduler.start();
    return scheduler;
  }
}
