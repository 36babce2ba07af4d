import { z } from 'zod';
import { action, query } from './define.js';
import { Id, LibraryRef } from './common.js';

/**
 * The walk rules of one location, stored in `locations.settings.rules`. Every rule is on unless the
 * location turns it off.
 *
 * @example
 * IndexerRules.parse({ respectGitignore: false }) // { skipSystemFiles: true, skipGit: true, skipNodeModules: true, respectGitignore: false }
 */
export const IndexerRules = z.object({
  /** Skip OS clutter: `.DS_Store`, `Thumbs.db`, `._*` AppleDouble files, … */
  skipSystemFiles: z.boolean().default(true),
  /** Skip `.git` folders. */
  skipGit: z.boolean().default(true),
  /** Skip `node_modules` folders. */
  skipNodeModules: z.boolean().default(true),
  /** Skip what `.gitignore` files ignore. */
  respectGitignore: z.boolean().default(true),
});
export type IndexerRules = z.infer<typeof IndexerRules>;

/** The indexing phases, in order; also the `phase` of an indexer error. */
export const INDEXER_PHASES = ['discovery', 'processing', 'identity', 'media', 'thumbnail', 'finalize'] as const;
export const IndexerPhase = z.enum(INDEXER_PHASES);

/** One thing the indexer could not read or understand. The run that met it went on. */
export const IndexerError = z.object({
  locationId: Id,
  /** Path inside the location ('' is the location's folder itself). */
  relPath: z.string(),
  phase: z.string(),
  /** An error code from `src-shared/errors.ts` (`NOT_FOUND`, `PERMISSION_DENIED`, `VALIDATION`, `CONFLICT`, `IO`, …). */
  code: z.string(),
  message: z.string(),
  /** ISO-8601 time it was (last) seen. */
  at: z.string(),
});
export type IndexerError = z.infer<typeof IndexerError>;

/** The indexing state of one location. */
export const IndexerLocationStatus = z.object({
  locationId: Id,
  name: z.string(),
  path: z.string(),
  /** ms since epoch of the last completed index run, or null when it was never indexed. */
  lastIndexedAt: z.number().nullable(),
  entryCount: z.number(),
  /** The queued or running `indexer.location` job of this location, if any. */
  runningJobId: Id.nullable(),
  errorCount: z.number(),
  /** True while a file system watcher keeps the location current. */
  watching: z.boolean(),
});
export type IndexerLocationStatus = z.infer<typeof IndexerLocationStatus>;

/**
 * Indexer operations. `indexer.run` enqueues a durable `indexer.location` job; progress arrives as
 * `jobs.onDidProgress`, and every committed batch is announced (throttled) as `entries.onDidChange`
 * with the location id, so views refresh while the index fills.
 */
export const indexerOperations = {
  /**
   * Enqueues an index of a location and returns the job id. `full: true` re-hashes every file (instead
   * of only new and changed ones). Fails `NOT_FOUND` for an unknown library or location.
   *
   * @example
   * await invoke('indexer.run', { libraryId, locationId }) // { jobId: '…' }
   */
  'indexer.run': action({
    summary: 'Index a location now (new, changed, moved and deleted files; content identities; media)',
    input: LibraryRef.extend({ locationId: Id, full: z.boolean().optional() }).strict(),
    output: z.object({ jobId: Id }),
  }),
  /**
   * Pages through what the indexer could not read, newest first, optionally for one location.
   *
   * @example
   * await invoke('indexer.errors', { libraryId, offset: 0, limit: 50 }) // { items: [{ relPath, phase, code, message, … }], total }
   */
  'indexer.errors': query({
    summary: 'List files and folders the indexer could not read, with the phase and reason',
    input: LibraryRef.extend({
      locationId: Id.optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(100),
    }).strict(),
    output: z.object({ items: z.array(IndexerError), total: z.number() }),
  }),
  /**
   * The indexing state of every location of a library: last index, entry and error counts, running job.
   *
   * @example
   * await invoke('indexer.status', { libraryId }) // [{ locationId, lastIndexedAt, entryCount, runningJobId, errorCount, watching }]
   */
  'indexer.status': query({
    summary: 'Per location: last indexed time, entry count, running index job, error count',
    input: LibraryRef.strict(),
    output: z.array(IndexerLocationStatus),
  }),
  /**
   * Sets the walk rules of a location (missing fields: on) and enqueues a re-index so entries the new
   * rules exclude disappear and ones they include appear. Fails `NOT_FOUND` for an unknown location.
   *
   * @example
   * await invoke('locations.setRules', { libraryId, locationId, rules: { respectGitignore: false } })
   */
  'locations.setRules': action({
    summary: 'Turn the indexer rules of a location on or off (system files, .git, node_modules, .gitignore)',
    input: LibraryRef.extend({ locationId: Id, rules: IndexerRules.partial() }).strict(),
    output: z.object({ rules: IndexerRules, jobId: Id }),
  }),
} as const;
