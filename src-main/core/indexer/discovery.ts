import fs from 'node:fs';
import path from 'node:path';
import { isUtf8 } from 'node:buffer';
import ignore, { type Ignore } from 'ignore';
import { CairnError, type ErrorCode } from '../../../src-shared/errors.js';
import { extensionOf } from './file-kind.js';

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
  /** Replaces the file system calls (for fault injection in tests). */
  fs?: DiscoveryFs;
}

const SYSTEM_FILES = new Set([
  '.DS_Store',
  '.AppleDouble',
  '.LSOverride',
  'Icon\r',
  '.Spotlight-V100',
  '.Trashes',
  '.fseventsd',
  '.TemporaryItems',
  '.DocumentRevisions-V100',
  '.apdisk',
  'Thumbs.db',
  'Thumbs.db:encryptable',
  'ehthumbs.db',
  'ehthumbs_vista.db',
  'desktop.ini',
  'Desktop.ini',
  '$RECYCLE.BIN',
  'System Volume Information',
  '.directory',
  'lost+found',
]);

/**
 * True when `name` is OS clutter that {@link discover} skips by default.
 *
 * @example
 * isSystemFile('.DS_Store') // true
 * isSystemFile('._IMG_0001.JPG') // true (AppleDouble resource fork)
 */
export function isSystemFile(name: string): boolean {
  return SYSTEM_FILES.has(name) || name.startsWith('._') || name.startsWith('.Trash-');
}

interface IgnoreScope {
  /** Relative path of the directory holding the `.gitignore` ('' for the root). */
  base: string;
  rules: Ignore;
  parent: IgnoreScope | undefined;
}

interface DirTask {
  rel: string;
  /** Absolute path: a string while every component is valid UTF-8, raw bytes otherwise. */
  abs: string | Buffer;
  ignores: IgnoreScope | undefined;
}

interface DirResult {
  entries: DiscoveredEntry[];
  errors: DiscoveryError[];
  children: DirTask[];
  skipped: number;
}

const realFs: DiscoveryFs = {
  readdir: (p, cb) => fs.readdir(p, { withFileTypes: true, encoding: 'buffer' }, cb),
  lstat: (p, cb) => fs.lstat(p, cb),
  readFile: (p, cb) => fs.readFile(p, cb),
};

function errorCode(errno: string | undefined): ErrorCode {
  if (errno === 'ENOENT' || errno === 'ENOTDIR') return 'NOT_FOUND';
  if (errno === 'EACCES' || errno === 'EPERM') return 'PERMISSION_DENIED';
  return 'IO';
}

function toDiscoveryError(relativePath: string, operation: DiscoveryError['operation'], error: NodeJS.ErrnoException): DiscoveryError {
  const out: DiscoveryError = { relativePath, operation, code: errorCode(error.code), message: error.message };
  if (error.code) out.errno = error.code;
  return out;
}

function isIgnored(scope: IgnoreScope | undefined, rel: string, isDir: boolean): boolean {
  // Git's precedence: the deepest .gitignore with an opinion wins; negations can re-include.
  for (let s = scope; s; s = s.parent) {
    const local = (s.base === '' ? rel : rel.slice(s.base.length + 1)) + (isDir ? '/' : '');
    try {
      const verdict = s.rules.test(local);
      if (verdict.ignored) return true;
      if (verdict.unignored) return false;
    } catch {
      // `ignore` rejects some path shapes; such a path is simply not matched.
    }
  }
  return false;
}

const SEP = Buffer.from(path.sep);

function joinAbs(dir: string | Buffer, name: Buffer, nameText: string, lossy: boolean): string | Buffer {
  if (typeof dir === 'string' && !lossy) return dir.endsWith(path.sep) ? dir + nameText : dir + path.sep + nameText;
  const base = typeof dir === 'string' ? Buffer.from(dir) : dir;
  return base[base.length - 1] === SEP[0] ? Buffer.concat([base, name]) : Buffer.concat([base, SEP, name]);
}

function kindOf(st: fs.Stats): EntryKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

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
  const opts = {
    skipSystemFiles: options.skipSystemFiles ?? true,
    skipGit: options.skipGit ?? true,
    skipNodeModules: options.skipNodeModules ?? true,
    respectGitignore: options.respectGitignore ?? true,
  };
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 1000));
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 16));
  const fsi = options.fs ?? realFs;
  const rootAbs = path.resolve(root);

  const rootStat = await new Promise<fs.Stats>((resolve, reject) =>
    fsi.lstat(rootAbs, (err, st) => (err ? reject(err) : resolve(st))),
  ).catch((error: NodeJS.ErrnoException) => {
    throw new CairnError(errorCode(error.code), `Cannot walk ${rootAbs}: ${error.message}`, { cause: error });
  });
  if (!rootStat.isDirectory()) throw new CairnError('VALIDATION', `${rootAbs} is not a directory`);

  /** The rules that depend on whether the entry is a directory. */
  const skippedAsDir = (name: string, rel: string, isDir: boolean, ignores: IgnoreScope | undefined): boolean =>
    (opts.skipNodeModules && isDir && name === 'node_modules') || (ignores !== undefined && isIgnored(ignores, rel, isDir));

  const readDir = async (task: DirTask): Promise<DirResult> => {
    const result: DirResult = { entries: [], errors: [], children: [], skipped: 0 };
    let dirents: fs.Dirent<Buffer>[];
    try {
      dirents = await new Promise((resolve, reject) => fsi.readdir(task.abs, (err, list) => (err ? reject(err) : resolve(list))));
    } catch (error) {
      result.errors.push(toDiscoveryError(task.rel, 'readdir', error as NodeJS.ErrnoException));
      return result;
    }
    dirents.sort((a, b) => Buffer.compare(a.name, b.name));

    let ignores = task.ignores;
    if (opts.respectGitignore) {
      const gi = dirents.find((d) => d.name.length === 10 && d.name.toString('latin1') === '.gitignore' && !d.isDirectory());
      if (gi) {
        const giRel = task.rel === '' ? '.gitignore' : `${task.rel}/.gitignore`;
        try {
          const text = await new Promise<Buffer>((resolve, reject) =>
            fsi.readFile(joinAbs(task.abs, gi.name, '.gitignore', false), (err, data) => (err ? reject(err) : resolve(data))),
          );
          ignores = { base: task.rel, rules: ignore().add(text.toString('utf8')), parent: ignores };
        } catch (error) {
          result.errors.push(toDiscoveryError(giRel, 'read-gitignore', error as NodeJS.ErrnoException));
        }
      }
    }

    const kept: { name: string; rel: string; abs: string | Buffer; lossy: boolean; recheck: boolean }[] = [];
    for (const d of dirents) {
      // Some file systems report no type in readdir (DT_UNKNOWN): decide the directory rules after lstat.
      const typeKnown = d.isFile() || d.isDirectory() || d.isSymbolicLink() || d.isFIFO() || d.isSocket() || d.isBlockDevice() || d.isCharacterDevice();
      const lossy = !isUtf8(d.name);
      const name = d.name.toString('utf8');
      if (opts.skipSystemFiles && isSystemFile(name)) {
        result.skipped += 1;
        continue;
      }
      if (opts.skipGit && name === '.git') {
        result.skipped += 1;
        continue;
      }
      const rel = task.rel === '' ? name : `${task.rel}/${name}`;
      if (typeKnown && skippedAsDir(name, rel, d.isDirectory(), ignores)) {
        result.skipped += 1;
        continue;
      }
      kept.push({ name, rel, abs: joinAbs(task.abs, d.name, name, lossy), lossy: lossy || typeof task.abs !== 'string', recheck: !typeKnown });
    }

    // Plain callbacks and one promise per directory: a promise per entry costs measurably more.
    const stats = new Array<fs.Stats | NodeJS.ErrnoException>(kept.length);
    if (kept.length > 0) {
      await new Promise<void>((resolve) => {
        let left = kept.length;
        kept.forEach((k, i) =>
          fsi.lstat(k.abs, (err, st) => {
            stats[i] = err ?? st;
            if (--left === 0) resolve();
          }),
        );
      });
    }
    for (let i = 0; i < kept.length; i += 1) {
      const k = kept[i]!;
      const st = stats[i]!;
      if (st instanceof Error) {
        result.errors.push(toDiscoveryError(k.rel, 'lstat', st));
        continue;
      }
      const kind = kindOf(st);
      if (k.recheck && skippedAsDir(k.name, k.rel, kind === 'dir', ignores)) {
        result.skipped += 1;
        continue;
      }
      const entry: DiscoveredEntry = {
        relativePath: k.rel,
        name: k.name,
        kind,
        size: st.size,
        mtimeMs: st.mtimeMs,
        ctimeMs: st.ctimeMs,
        birthtimeMs: st.birthtimeMs > 0 ? st.birthtimeMs : null,
        inode: st.ino,
        extension: kind === 'dir' ? '' : extensionOf(k.name),
      };
      if (k.lossy) entry.rawPath = typeof k.abs === 'string' ? Buffer.from(k.abs) : k.abs;
      result.entries.push(entry);
      if (kind === 'dir') result.children.push({ rel: k.rel, abs: k.abs, ignores });
    }
    return result;
  };

  // Breadth-first queue. Reads run up to `concurrency` ahead of the directory being emitted; results
  // are emitted strictly in queue order, which keeps the output deterministic.
  const queue: (DirTask | undefined)[] = [{ rel: '', abs: rootAbs, ignores: undefined }];
  const pending: (Promise<DirResult> | undefined)[] = [];
  let launched = 0;
  let batch: DiscoveryBatch = { entries: [], errors: [], completedDirs: [], skipped: 0 };

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
    batch.errors.push(...result.errors);
    batch.skipped += result.skipped;
    let at = 0;
    let completedInYield = false;
    while (at < result.entries.length) {
      const room = batchSize - batch.entries.length;
      const take = Math.min(room, result.entries.length - at);
      for (let i = 0; i < take; i += 1) batch.entries.push(result.entries[at + i]!);
      at += take;
      if (batch.entries.length >= batchSize) {
        if (at === result.entries.length) {
          batch.completedDirs.push(task.rel);
          completedInYield = true;
        }
        yield batch;
        batch = { entries: [], errors: [], completedDirs: [], skipped: 0 };
      }
    }
    if (!completedInYield) batch.completedDirs.push(task.rel);
  }
  if (batch.entries.length > 0 || batch.errors.length > 0 || batch.completedDirs.length > 0 || batch.skipped > 0) yield batch;
}
