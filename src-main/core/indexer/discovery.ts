import fs from 'node:fs';
import path from 'node:path';
import type { ErrorCode } from '../../../src-shared/errors.js';
import {
  BatchAssembler,
  completeDirectory,
  gitignoreToRead,
  planDirectory,
  resolveRules,
  sortDirents,
  startTask,
  unreadableDirectory,
  type DirResult,
  type DirTask,
} from './discovery-core.js';

/** What a discovered entry is. Symlinks are never followed; `other` covers sockets, FIFOs and devices. */
export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

/** One file system entry found under the walked root. */
export interface DiscoveredEntry {
  /** Path from the root with `/` separators, e.g. `photos/2024/a.jpg`. Lossy (U+FFFD) for non-UTF-8 names. */
  relativePath: string;
  /** Last path component, decoded like `relativePath`. */
  name: string;
  kind: EntryKind;
  /** Bytes (`lstat` size: for a symlink, the length of its target path). */
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /** Creation time where the file system records one, else null. */
  birthtimeMs: number | null;
  /** Inode number (may lose precision above 2^53 on exotic file systems). */
  inode: number;
  /** Lower-case extension without the dot, '' when none (see `extensionOf`). */
  extension: string;
  /**
   * The absolute path as raw bytes, present only when some component of the path is not valid UTF-8.
   * Use it (not `relativePath`) to open such a file.
   */
  rawPath?: Buffer;
}

/** A failure confined to one entry or directory; the walk goes on. */
export interface DiscoveryError {
  /** The entry or directory concerned ('' is the root). */
  relativePath: string;
  operation: 'readdir' | 'lstat' | 'read-gitignore';
  /** `NOT_FOUND` (vanished), `PERMISSION_DENIED`, or `IO`. */
  code: ErrorCode;
  /** The Node errno code, e.g. `ENOENT`, `EACCES`. */
  errno?: string;
  message: string;
}

/** One step of the walk. Checkpoint between batches. */
export interface DiscoveryBatch {
  entries: DiscoveredEntry[];
  errors: DiscoveryError[];
  /**
   * Directories ('' is the root) whose every entry has now been yielded, in walk order. Because the
   * order is deterministic, a caller that saves these can skip their entries when it walks again.
   */
  completedDirs: string[];
  /** Entries left out by the rules (system files, `.git`, `node_modules`, `.gitignore`) in this batch. */
  skipped: number;
}

/** The file system calls discovery makes. Tests wrap the real ones to inject failures. */
export interface DiscoveryFs {
  readdir: (path: string | Buffer, cb: (err: NodeJS.ErrnoException | null, entries: fs.Dirent<Buffer>[]) => void) => void;
  lstat: (path: string | Buffer, cb: (err: NodeJS.ErrnoException | null, stats: fs.Stats) => void) => void;
  readFile: (path: string | Buffer, cb: (err: NodeJS.ErrnoException | null, data: Buffer) => void) => void;
}

/** Options for {@link discover}. Every rule is on by default. */
export interface DiscoveryOptions {
  /** Skip OS clutter such as `.DS_Store`, `Thumbs.db`, `desktop.ini`, `._*` AppleDouble files. */
  skipSystemFiles?: boolean;
  /** Skip `.git` (directory or worktree file) and everything inside. */
  skipGit?: boolean;
  /** Skip `node_modules` directories. */
  skipNodeModules?: boolean;
  /** Skip what `.gitignore` files ignore, nested files included, with git's precedence. */
  respectGitignore?: boolean;
  /** Entries per yielded batch (a large directory is split). Default 1000. */
  batchSize?: number;
  /** Directories read at once. Default 16. */
  concurrency?: number;
  /**
   * Start the walk at this directory below the root (`/`-separated), e.g. `photos/2024`. Entries keep
   * paths relative to the root, and the `.gitignore` files above the start still apply. Default: the root.
   */
  startAt?: string;
  /** How many directory levels below the start are listed: 0 lists only the start directory. Default: all. */
  maxDepth?: number;
  /** Replaces the file system calls (for fault injection in tests). */
  fs?: DiscoveryFs;
}

export { isSystemFile } from './discovery-core.js';

function attemptSync<T>(fn: () => T): T | NodeJS.ErrnoException {
  try {
    return fn();
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

const realFs: DiscoveryFs = {
  readdir: (p, cb) => fs.readdir(p, { withFileTypes: true, encoding: 'buffer' }, cb),
  lstat: (p, cb) => fs.lstat(p, cb),
  readFile: (p, cb) => fs.readFile(p, cb),
};

/**
 * Walks `root` breadth-first with bounded concurrency and async fs, yielding batches of about
 * `batchSize` entries. The order is deterministic: directories in breadth-first order, each
 * directory's entries sorted by their name bytes. Symlinks are recorded, never followed, so loops
 * cannot occur. Unreadable directories, vanished files and unreadable `.gitignore` files become
 * {@link DiscoveryError}s in the batch. Non-UTF-8 names are read as bytes and never crash the walk.
 * Throws `NOT_FOUND` if the root does not exist and `VALIDATION` if it is not a directory.
 * Stop early with `break`: in-flight reads finish in the background and are discarded.
 *
 * @example
 * for await (const batch of discover('/photos', { respectGitignore: false })) {
 *   await saveEntries(batch.entries); // then checkpoint batch.completedDirs
 * }
 */
export async function* discover(root: string, options: DiscoveryOptions = {}): AsyncGenerator<DiscoveryBatch> {
  const rules = resolveRules(options);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 16));
  const fsi = options.fs ?? realFs;
  const rootAbs = path.resolve(root);
  const rootStat = await new Promise<fs.Stats | NodeJS.ErrnoException>((resolve) => fsi.lstat(rootAbs, (err, st) => resolve(err ?? st)));
  const first = startTask(rules, rootAbs, options.startAt ?? '', (p) => (p === rootAbs ? rootStat : attemptSync(() => fs.lstatSync(p))), (p) => attemptSync(() => fs.readFileSync(p)));
  if (!first) return;

  const readDir = async (task: DirTask): Promise<DirResult> => {
    const listed = await new Promise<fs.Dirent<Buffer>[] | NodeJS.ErrnoException>((resolve) => fsi.readdir(task.abs, (err, list) => resolve(err ?? list)));
    if (listed instanceof Error) return unreadableDirectory(task, listed);
    const dirents = sortDirents(listed);
    const giPath = gitignoreToRead(rules, task, dirents);
    const gitignore = giPath === undefined ? undefined : await new Promise<Buffer | NodeJS.ErrnoException>((resolve) => fsi.readFile(giPath, (err, data) => resolve(err ?? data)));
    const plan = planDirectory(rules, task, dirents, gitignore);
    // Plain callbacks and one promise per directory: a promise per entry costs measurably more.
    const stats = new Array<fs.Stats | NodeJS.ErrnoException>(plan.candidates.length);
    if (plan.candidates.length > 0) {
      await new Promise<void>((resolve) => {
        let left = plan.candidates.length;
        plan.candidates.forEach((k, i) =>
          fsi.lstat(k.abs, (err, st) => {
            stats[i] = err ?? st;
            if (--left === 0) resolve();
          }),
        );
      });
    }
    return completeDirectory(rules, plan, stats);
  };

  // Breadth-first queue. Reads run up to `concurrency` ahead of the directory being emitted; results
  // are emitted strictly in queue order, which keeps the output deterministic.
  const queue: (DirTask | undefined)[] = [first];
  const pending: (Promise<DirResult> | undefined)[] = [];
  const assembler = new BatchAssembler(rules.batchSize);
  let launched = 0;
  for (let head = 0; head < queue.length; head += 1) {
    while (launched < queue.length && launched - head < concurrency) {
      pending[launched] = readDir(queue[launched]!);
      launched += 1;
    }
    const task = queue[head]!;
    const result = await pending[head]!;
    queue[head] = undefined;
    pending[head] = undefined;
    for (const child of result.children) queue.push(child);
    yield* assembler.add(task.rel, result);
  }
  const last = assembler.flush();
  if (last) yield last;
}
