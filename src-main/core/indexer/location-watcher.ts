import fs from 'node:fs';
import path from 'node:path';
import type { IndexScope } from './index-location-job.js';

/** Options of {@link LocationWatcher}. */
export interface LocationWatcherOptions {
  /** The location's folder (absolute). */
  root: string;
  /** Receives the folders to rescan after a burst of changes has settled. */
  onChanges: (scopes: IndexScope[]) => void;
  /** True when the index already holds this folder (relative path): it is then rescanned shallowly. */
  isKnownDir?: (rel: string) => boolean;
  /** Quiet time after the last event before rescanning. Default 300 ms. */
  debounceMs?: number;
  /** Longest wait while events keep coming. Default 2,000 ms. */
  maxWaitMs?: number;
  /** More distinct folders than this in one burst: rescan the whole location. Default 256. */
  maxScopes?: number;
  /** Called when the watch itself fails (e.g. the folder was deleted, or the inotify limit is reached). */
  onError?: (error: Error) => void;
}

const REPLACEMENT = '\uFFFD';

function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

/**
 * Turns changed paths (relative, `/`-separated) into rescan scopes: each changed path's folder is listed
 * again (shallow: that catches creations, deletions and renames in it), and a changed path that is now a
 * folder the index does not know yet (created, or moved in with everything below it) is walked whole.
 * Scopes inside a recursive scope are dropped. Paths with undecodable names fall back to the nearest
 * decodable folder.
 *
 * @example
 * scopesFor('/photos', ['2024/a.jpg', 'new-trip'], () => false)
 * // [{ path: '', recursive: false }, { path: '2024', recursive: false }, { path: 'new-trip', recursive: true }]
 */
export function scopesFor(root: string, changed: Iterable<string>, isKnownDir: (rel: string) => boolean = () => false): IndexScope[] {
  const shallow = new Set<string>();
  const deep = new Set<string>();
  for (let rel of changed) {
    rel = rel.split(path.sep).join('/').replace(/^\/+|\/+$/g, '');
    while (rel.includes(REPLACEMENT)) rel = parentOf(rel);
    shallow.add(parentOf(rel));
    if (rel === '') {
      shallow.add('');
      continue;
    }
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(path.join(root, rel));
    } catch {
      st = undefined;
    }
    if (st?.isDirectory()) {
      if (isKnownDir(rel)) shallow.add(rel);
      else deep.add(rel);
    }
  }
  const deepList = [...deep].sort();
  const covered = (p: string): boolean => deepList.some((d) => p === d || p.startsWith(`${d}/`));
  const keptDeep = deepList.filter((d) => !deepList.some((o) => o !== d && d.startsWith(`${o}/`)));
  const out: IndexScope[] = [...shallow].filter((p) => !covered(p)).sort().map((p) => ({ path: p, recursive: false }));
  for (const d of keptDeep) out.push({ path: d, recursive: true });
  return out;
}

/**
 * Keeps one location current: a recursive `fs.watch` on its folder (light on Linux with Node 20, where it
 * is implemented with one inotify watch per folder), whose events only say "something changed here", so
 * the changed folders are collected, debounced, and handed to `onChanges` as rescan scopes for the
 * indexer's own processing code (see {@link scopesFor}). A burst touching more than `maxScopes` folders
 * becomes one whole-location rescan. The watch survives transient errors by reporting them; `close()`
 * stops it and drops pending changes.
 *
 * @example
 * const w = new LocationWatcher({ root: '/photos', onChanges: (scopes) => enqueueIndex(scopes) });
 * w.start(); ...; w.close();
 */
export class LocationWatcher {
  readonly #o: Required<Omit<LocationWatcherOptions, 'onError' | 'isKnownDir'>> & Pick<LocationWatcherOptions, 'onError' | 'isKnownDir'>;
  #watcher: fs.FSWatcher | undefined;
  #changed = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #firstAt = 0;
  #closed = false;

  constructor(options: LocationWatcherOptions) {
    this.#o = { debounceMs: 300, maxWaitMs: 2000, maxScopes: 256, ...options };
  }

  /** True while the folder is watched. */
  get isWatching(): boolean {
    return this.#watcher !== undefined;
  }

  /** Starts watching. Throws the `fs.watch` error when the folder cannot be watched. */
  start(): void {
    if (this.#watcher || this.#closed) return;
    const watcher = fs.watch(this.#o.root, { recursive: true, persistent: false }, (_event, filename) => {
      this.#note(filename === null ? '' : String(filename));
    });
    watcher.on('error', (error) => {
      this.#o.onError?.(error);
      // The root itself may be gone; a final rescan records what is left.
      this.#note('');
    });
    this.#watcher = watcher;
  }

  /** Stops watching; pending changes are dropped. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#changed.clear();
  }

  #note(rel: string): void {
    if (this.#closed) return;
    if (this.#changed.size === 0) this.#firstAt = Date.now();
    this.#changed.add(rel);
    if (this.#timer) clearTimeout(this.#timer);
    const wait = Math.min(this.#o.debounceMs, Math.max(0, this.#firstAt + this.#o.maxWaitMs - Date.now()));
    this.#timer = setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    this.#timer = undefined;
    if (this.#closed || this.#changed.size === 0) return;
    const changed = [...this.#changed];
    this.#changed.clear();
    let scopes = scopesFor(this.#o.root, changed, this.#o.isKnownDir);
    if (scopes.length > this.#o.maxScopes) scopes = [{ path: '', recursive: true }];
    try {
      this.#o.onChanges(scopes);
    } catch (error) {
      this.#o.onError?.(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
