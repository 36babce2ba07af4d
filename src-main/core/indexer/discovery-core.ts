// The walk logic shared by the async walker (`discover`) and the synchronous one that runs in a worker
// thread (`discoverSync`): rules, .gitignore scopes, entry building and batch assembly. Only the I/O
// differs between the two, so everything here is pure apart from taking fs results as arguments.
import type fs from 'node:fs';
import path from 'node:path';
import { isUtf8 } from 'node:buffer';
import ignore, { type Ignore } from 'ignore';
import { CairnError, type ErrorCode } from '../../../src-shared/errors.js';
import type { DiscoveredEntry, DiscoveryBatch, DiscoveryError, DiscoveryOptions, EntryKind } from './discovery.js';
import { extensionOf } from './file-kind.js';

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
 * True when `name` is OS clutter that discovery skips by default.
 *
 * @example
 * isSystemFile('.DS_Store') // true
 * isSystemFile('._IMG_0001.JPG') // true (AppleDouble resource fork)
 */
export function isSystemFile(name: string): boolean {
  return SYSTEM_FILES.has(name) || name.startsWith('._') || name.startsWith('.Trash-');
}

/** The rules in force, defaults applied. */
export interface WalkRules {
  skipSystemFiles: boolean;
  skipGit: boolean;
  skipNodeModules: boolean;
  respectGitignore: boolean;
  batchSize: number;
  /** Directory levels below the start that are listed; undefined: no limit. */
  maxDepth: number | undefined;
}

/** Applies the defaults of {@link DiscoveryOptions}: every rule on, batches of 1000. */
export function resolveRules(options: DiscoveryOptions): WalkRules {
  return {
    skipSystemFiles: options.skipSystemFiles ?? true,
    skipGit: options.skipGit ?? true,
    skipNodeModules: options.skipNodeModules ?? true,
    respectGitignore: options.respectGitignore ?? true,
    batchSize: Math.max(1, Math.floor(options.batchSize ?? 1000)),
    maxDepth: options.maxDepth === undefined ? undefined : Math.max(0, Math.floor(options.maxDepth)),
  };
}

/** The rules of one `.gitignore` and of the ones above it. */
export interface IgnoreScope {
  /** Relative path of the directory holding the `.gitignore` ('' for the root). */
  base: string;
  rules: Ignore;
  parent: IgnoreScope | undefined;
}

/** A directory waiting to be read. */
export interface DirTask {
  rel: string;
  /** Levels below the walk's start directory (0 for the start itself). */
  depth?: number;
  /** Absolute path: a string while every component is valid UTF-8, raw bytes otherwise. */
  abs: string | Buffer;
  ignores: IgnoreScope | undefined;
}

/** What reading one directory produced. */
export interface DirResult {
  entries: DiscoveredEntry[];
  errors: DiscoveryError[];
  children: DirTask[];
  skipped: number;
}

/** A directory entry that passed the name rules and now needs `lstat`. */
export interface Candidate {
  name: string;
  rel: string;
  abs: string | Buffer;
  lossy: boolean;
  /** The type was unknown in readdir: apply the directory rules after lstat. */
  recheck: boolean;
}

/** A listed directory between readdir and lstat. */
export interface DirPlan {
  task: DirTask;
  /** The scope for this directory's entries (its own .gitignore included). */
  ignores: IgnoreScope | undefined;
  candidates: Candidate[];
  result: DirResult;
}

/** Maps a Node errno to the error code discovery reports: `NOT_FOUND`, `PERMISSION_DENIED` or `IO`. */
export function errorCode(errno: string | undefined): ErrorCode {
  if (errno === 'ENOENT' || errno === 'ENOTDIR') return 'NOT_FOUND';
  if (errno === 'EACCES' || errno === 'EPERM') return 'PERMISSION_DENIED';
  return 'IO';
}

/** Builds the per-entry error value for a failed fs call. */
export function toDiscoveryError(relativePath: string, operation: DiscoveryError['operation'], error: NodeJS.ErrnoException): DiscoveryError {
  const out: DiscoveryError = { relativePath, operation, code: errorCode(error.code), message: error.message };
  if (error.code) out.errno = error.code;
  return out;
}

/** The root as the first task, or a `CairnError` when it is missing or not a directory. */
export function rootTask(rootAbs: string, stat: fs.Stats | NodeJS.ErrnoException): DirTask {
  if (stat instanceof Error) throw new CairnError(errorCode(stat.code), `Cannot walk ${rootAbs}: ${stat.message}`, { cause: stat });
  if (!stat.isDirectory()) throw new CairnError('VALIDATION', `${rootAbs} is not a directory`);
  return { rel: '', abs: rootAbs, ignores: undefined, depth: 0 };
}

/**
 * The first task of a walk that starts below the root, at `startAt` (a `/`-separated relative path):
 * the `.gitignore` files of the directories above it are read (synchronously: a handful of small files)
 * so the rules apply exactly as in a walk from the root, and relative paths stay relative to the root.
 * Returns undefined when the start directory itself is excluded by the rules (nothing to walk).
 * Throws `NOT_FOUND` when it does not exist and `VALIDATION` when it is not a directory (or a symlink).
 */
export function startTask(
  rules: WalkRules,
  rootAbs: string,
  startAt: string,
  lstat: (p: string) => fs.Stats | NodeJS.ErrnoException,
  readFile: (p: string) => Buffer | NodeJS.ErrnoException,
): DirTask | undefined {
  const parts = startAt.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw new CairnError('VALIDATION', `startAt must stay inside the root: ${startAt}`);
  if (parts.length === 0) return rootTask(rootAbs, lstat(rootAbs));
  let ignores: IgnoreScope | undefined;
  let rel = '';
  for (let i = 0; i < parts.length; i += 1) {
    const name = parts[i]!;
    if (rules.respectGitignore) {
      const gi = readFile(path.join(rootAbs, rel, '.gitignore'));
      if (gi instanceof Buffer) ignores = { base: rel, rules: ignore().add(gi.toString('utf8')), parent: ignores };
    }
    rel = rel === '' ? name : `${rel}/${name}`;
    if ((rules.skipSystemFiles && isSystemFile(name)) || (rules.skipGit && name === '.git') || skippedAsDir(rules, name, rel, true, ignores)) {
      return undefined;
    }
  }
  const abs = path.join(rootAbs, ...parts);
  const st = lstat(abs);
  if (st instanceof Error) throw new CairnError(errorCode(st.code), `Cannot walk ${abs}: ${st.message}`, { cause: st });
  if (!st.isDirectory()) throw new CairnError('VALIDATION', `${abs} is not a directory`);
  return { rel, abs, ignores, depth: 0 };
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

/** Joins a directory path and an entry name, switching to bytes once a component is not valid UTF-8. */
export function joinAbs(dir: string | Buffer, name: Buffer, nameText: string, lossy: boolean): string | Buffer {
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

function skippedAsDir(rules: WalkRules, name: string, rel: string, isDir: boolean, ignores: IgnoreScope | undefined): boolean {
  return (rules.skipNodeModules && isDir && name === 'node_modules') || (ignores !== undefined && isIgnored(ignores, rel, isDir));
}

/** Sorts a listing by name bytes, for a deterministic order. Mutates and returns `dirents`. */
export function sortDirents(dirents: fs.Dirent<Buffer>[]): fs.Dirent<Buffer>[] {
  return dirents.sort((a, b) => Buffer.compare(a.name, b.name));
}

/** The absolute path of the directory's `.gitignore` when the rules want it and the listing has one. */
export function gitignoreToRead(rules: WalkRules, task: DirTask, dirents: fs.Dirent<Buffer>[]): string | Buffer | undefined {
  if (!rules.respectGitignore) return undefined;
  const gi = dirents.find((d) => d.name.length === 10 && d.name.toString('latin1') === '.gitignore' && !d.isDirectory());
  return gi ? joinAbs(task.abs, gi.name, '.gitignore', false) : undefined;
}

/**
 * Applies the name rules to a sorted listing. `gitignore` is the directory's `.gitignore` contents,
 * the error reading it, or undefined when there is none.
 */
export function planDirectory(
  rules: WalkRules,
  task: DirTask,
  dirents: fs.Dirent<Buffer>[],
  gitignore: Buffer | NodeJS.ErrnoException | undefined,
): DirPlan {
  const result: DirResult = { entries: [], errors: [], children: [], skipped: 0 };
  let ignores = task.ignores;
  if (gitignore instanceof Error) {
    result.errors.push(toDiscoveryError(task.rel === '' ? '.gitignore' : `${task.rel}/.gitignore`, 'read-gitignore', gitignore));
  } else if (gitignore) {
    ignores = { base: task.rel, rules: ignore().add(gitignore.toString('utf8')), parent: ignores };
  }
  const candidates: Candidate[] = [];
  for (const d of dirents) {
    // Some file systems report no type in readdir (DT_UNKNOWN): decide the directory rules after lstat.
    const typeKnown = d.isFile() || d.isDirectory() || d.isSymbolicLink() || d.isFIFO() || d.isSocket() || d.isBlockDevice() || d.isCharacterDevice();
    const lossy = !isUtf8(d.name);
    const name = d.name.toString('utf8');
    if ((rules.skipSystemFiles && isSystemFile(name)) || (rules.skipGit && name === '.git')) {
      result.skipped += 1;
      continue;
    }
    const rel = task.rel === '' ? name : `${task.rel}/${name}`;
    if (typeKnown && skippedAsDir(rules, name, rel, d.isDirectory(), ignores)) {
      result.skipped += 1;
      continue;
    }
    candidates.push({ name, rel, abs: joinAbs(task.abs, d.name, name, lossy), lossy: lossy || typeof task.abs !== 'string', recheck: !typeKnown });
  }
  return { task, ignores, candidates, result };
}

/** Turns the lstat results (same order as `plan.candidates`) into entries, errors and child directories. */
export function completeDirectory(rules: WalkRules, plan: DirPlan, stats: readonly (fs.Stats | NodeJS.ErrnoException)[]): DirResult {
  const { result, candidates, ignores } = plan;
  for (let i = 0; i < candidates.length; i += 1) {
    const k = candidates[i]!;
    const st = stats[i]!;
    if (st instanceof Error) {
      result.errors.push(toDiscoveryError(k.rel, 'lstat', st));
      continue;
    }
    const kind = kindOf(st);
    if (k.recheck && skippedAsDir(rules, k.name, k.rel, kind === 'dir', ignores)) {
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
    if (kind === 'dir' && (rules.maxDepth === undefined || (plan.task.depth ?? 0) < rules.maxDepth)) {
      result.children.push({ rel: k.rel, abs: k.abs, ignores, depth: (plan.task.depth ?? 0) + 1 });
    }
  }
  return result;
}

/** A result for a directory that could not be listed. */
export function unreadableDirectory(task: DirTask, error: NodeJS.ErrnoException): DirResult {
  return { entries: [], errors: [toDiscoveryError(task.rel, 'readdir', error)], children: [], skipped: 0 };
}

/**
 * Cuts directory results, fed in walk order, into batches of `batchSize` entries. A directory is listed
 * in `completedDirs` of the batch holding its last entry (or the current batch when it has none).
 */
export class BatchAssembler {
  readonly #size: number;
  #batch: DiscoveryBatch = { entries: [], errors: [], completedDirs: [], skipped: 0 };

  constructor(batchSize: number) {
    this.#size = batchSize;
  }

  /** Adds one directory's result; returns the batches that became full. */
  add(dirRel: string, result: DirResult): DiscoveryBatch[] {
    const full: DiscoveryBatch[] = [];
    this.#batch.errors.push(...result.errors);
    this.#batch.skipped += result.skipped;
    let at = 0;
    let completed = false;
    while (at < result.entries.length) {
      const take = Math.min(this.#size - this.#batch.entries.length, result.entries.length - at);
      for (let i = 0; i < take; i += 1) this.#batch.entries.push(result.entries[at + i]!);
      at += take;
      if (this.#batch.entries.length >= this.#size) {
        if (at === result.entries.length) {
          this.#batch.completedDirs.push(dirRel);
          completed = true;
        }
        full.push(this.#batch);
        this.#batch = { entries: [], errors: [], completedDirs: [], skipped: 0 };
      }
    }
    if (!completed) this.#batch.completedDirs.push(dirRel);
    return full;
  }

  /** The last, partial batch, if it holds anything. */
  flush(): DiscoveryBatch | undefined {
    const b = this.#batch;
    this.#batch = { entries: [], errors: [], completedDirs: [], skipped: 0 };
    return b.entries.length > 0 || b.errors.length > 0 || b.completedDirs.length > 0 || b.skipped > 0 ? b : undefined;
  }
}
