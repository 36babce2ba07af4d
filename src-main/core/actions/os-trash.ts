import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CairnError } from '../../../src-shared/errors.js';
import { lstatOrNull, renameNoOverwrite } from './safe-fs.js';

/** Where a trashed file went, as stored in the audit log for undo. */
export interface TrashedItem {
  originalPath: string;
  /** The file inside the trash (`…/Trash/files/<name>`), when the platform tells us. */
  trashPath: string | null;
  /** The freedesktop `.trashinfo` file, when there is one. */
  infoPath: string | null;
}

/**
 * The operating system's trash. Cairn never hard-deletes a user's file: when no trash is available, `trash`
 * fails with `NOT_SUPPORTED` and nothing is removed.
 *
 * Why our own code: no trash library is installed (the `trash` package, 10.1.1, needs Node ≥ 20 and nine
 * dependencies, among them PowerShell and WSL helpers; see the report in docs/architecture.md). The
 * freedesktop.org Trash specification is small, and implementing it gives us what undo needs: the exact
 * place the file went, so it can be put back.
 *
 * - Linux and other freedesktop systems: the Trash spec 1.0. Files on the same file system as
 *   `$XDG_DATA_HOME/Trash` (default `~/.local/share/Trash`) go there; others go to `<mount>/.Trash/<uid>`
 *   (when an admin made `.Trash` sticky and not a symlink) or `<mount>/.Trash-<uid>`. Restorable.
 * - macOS: Finder through `osascript` (the file keeps Finder's "Put Back"). Not restorable by Cairn.
 * - Windows: the Recycle Bin through PowerShell's `Microsoft.VisualBasic.FileIO.FileSystem`. Not restorable by Cairn.
 *
 * @example
 * const trash = systemTrash();
 * const item = await trash.trash('/home/me/Pictures/old.jpg');
 * await trash.restore(item); // back at /home/me/Pictures/old.jpg (Linux)
 */
export interface OsTrash {
  readonly platform: string;
  /** Whether `restore` can put items back on this platform. */
  readonly canRestore: boolean;
  /** Why `absPath` cannot be trashed here, or null when it can (checked by previews; changes nothing). */
  problem(absPath: string): string | null;
  trash(absPath: string): Promise<TrashedItem>;
  /** Puts an item back where it was. `CONFLICT` when something now occupies that path, `NOT_FOUND` when
   * it is no longer in the trash (emptied), `NOT_SUPPORTED` on platforms that cannot restore. */
  restore(item: TrashedItem): Promise<void>;
  /** Whether the item is still in the trash (always true where that cannot be known). */
  contains(item: TrashedItem): boolean;
}

/** The trash for the current platform, reading `$XDG_DATA_HOME` and `$HOME` at each call. */
export function systemTrash(platform: NodeJS.Platform = process.platform): OsTrash {
  if (platform === 'darwin') return macTrash;
  if (platform === 'win32') return windowsTrash;
  return freedesktopTrash;
}

const run = promisify(execFile);

// ---- freedesktop.org ----

function homeTrashDir(): string {
  const dataHome = process.env.XDG_DATA_HOME && path.isAbsolute(process.env.XDG_DATA_HOME)
    ? process.env.XDG_DATA_HOME
    : path.join(os.homedir(), '.local', 'share');
  return path.join(dataHome, 'Trash');
}

/** The device of the nearest existing ancestor of `p` (the trash folder may not exist yet). */
function deviceOf(p: string): number {
  let current = p;
  for (;;) {
    try {
      return fs.statSync(current).dev;
    } catch {
      const up = path.dirname(current);
      if (up === current) throw new CairnError('IO', `Cannot read ${p} or any folder above it.`);
      current = up;
    }
  }
}

/** The top directory (mount point) of the file system holding `p`. */
function mountTopOf(p: string): string {
  const dev = fs.lstatSync(p).dev;
  let current = path.dirname(p);
  for (;;) {
    const up = path.dirname(current);
    if (up === current || fs.statSync(up).dev !== dev) return current;
    current = up;
  }
}

interface TrashTarget {
  dir: string;
  /** The spec stores paths relative to the top directory in `$topdir` trashes, absolute in the home trash. */
  topdir: string | null;
}

function trashTargetFor(absPath: string): TrashTarget {
  const home = homeTrashDir();
  if (deviceOf(path.dirname(absPath)) === deviceOf(home)) return { dir: home, topdir: null };
  const top = mountTopOf(absPath);
  const uid = process.getuid?.() ?? 0;
  const admin = path.join(top, '.Trash');
  try {
    const st = fs.lstatSync(admin);
    // The spec: use $topdir/.Trash only when it is a real folder with the sticky bit set.
    if (st.isDirectory() && !st.isSymbolicLink() && (st.mode & 0o1000) !== 0) return { dir: path.join(admin, String(uid)), topdir: top };
  } catch {
    // no admin trash: fall through to .Trash-$uid
  }
  return { dir: path.join(top, `.Trash-${uid}`), topdir: top };
}

function ensureTrashDirs(dir: string): void {
  fs.mkdirSync(path.join(dir, 'files'), { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.join(dir, 'info'), { recursive: true, mode: 0o700 });
}

/** `YYYY-MM-DDThh:mm:ss` in local time, as the spec asks. */
function deletionDate(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Percent-encodes a path as the spec's `Path=` key wants (RFC 2396 escaping, `/` kept). */
function encodeTrashPath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

const freedesktopTrash: OsTrash = {
  platform: 'freedesktop',
  canRestore: true,
  problem(absPath) {
    try {
      fs.lstatSync(absPath);
    } catch {
      return `${absPath} does not exist`;
    }
    try {
      const target = trashTargetFor(absPath);
      const existing = fs.existsSync(target.dir) ? target.dir : path.dirname(target.dir);
      const probe = fs.existsSync(existing) ? existing : path.dirname(existing);
      fs.accessSync(probe, fs.constants.W_OK);
      return null;
    } catch (error) {
      return `no writable trash for ${absPath} (${(error as Error).message})`;
    }
  },
  async trash(absPath) {
    fs.lstatSync(absPath);
    const target = trashTargetFor(absPath);
    ensureTrashDirs(target.dir);
    const base = path.basename(absPath);
    const stored = target.topdir ? path.relative(target.topdir, absPath) : absPath;
    const info = `[Trash Info]\nPath=${encodeTrashPath(stored)}\nDeletionDate=${deletionDate()}\n`;
    // The spec's collision rule: the .trashinfo file is created with O_EXCL first; its name reserves the slot.
    for (let n = 1; n < 10_000; n++) {
      const name = n === 1 ? base : `${base}.${n}`;
      const infoPath = path.join(target.dir, 'info', `${name}.trashinfo`);
      const trashPath = path.join(target.dir, 'files', name);
      try {
        fs.writeFileSync(infoPath, info, { flag: 'wx', mode: 0o600 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw new CairnError('IO', `Cannot write to the trash at ${target.dir}: ${(error as Error).message}`);
      }
      if (lstatOrNull(trashPath)) {
        fs.rmSync(infoPath, { force: true });
        continue;
      }
      try {
        fs.renameSync(absPath, trashPath);
      } catch (error) {
        fs.rmSync(infoPath, { force: true });
        throw new CairnError('IO', `Cannot move ${absPath} to the trash: ${(error as Error).message}`);
      }
      return { originalPath: absPath, trashPath, infoPath };
    }
    throw new CairnError('IO', `The trash at ${target.dir} has too many items named ${base}.`);
  },
  async restore(item) {
    if (!item.trashPath) throw new CairnError('NOT_SUPPORTED', `Cannot tell where ${item.originalPath} went in the trash.`);
    if (!fs.existsSync(item.trashPath)) {
      throw new CairnError('NOT_FOUND', `${path.basename(item.originalPath)} is no longer in the trash (was the trash emptied?).`);
    }
    if (lstatOrNull(item.originalPath)) {
      throw new CairnError('CONFLICT', `Cannot restore ${item.originalPath}: something else is there now.`);
    }
    fs.mkdirSync(path.dirname(item.originalPath), { recursive: true });
    renameNoOverwrite(item.trashPath, item.originalPath);
    if (item.infoPath) fs.rmSync(item.infoPath, { force: true });
  },
  contains(item) {
    return item.trashPath !== null && fs.existsSync(item.trashPath);
  },
};

// ---- macOS and Windows: the platform's own command ----

async function runOrNotSupported(command: string, args: string[], what: string): Promise<void> {
  try {
    await run(command, args, { timeout: 60_000, windowsHide: true });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new CairnError('NOT_SUPPORTED', `Cannot move files to the trash: ${command} is not available. Nothing was deleted.`);
    throw new CairnError('IO', `Cannot move ${what} to the trash: ${(e.stderr || e.message).trim()}`);
  }
}

const macTrash: OsTrash = {
  platform: 'darwin',
  canRestore: false,
  problem: (absPath) => (fs.existsSync(absPath) ? null : `${absPath} does not exist`),
  async trash(absPath) {
    const escaped = absPath.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    await runOrNotSupported('osascript', ['-e', `tell application "Finder" to delete POSIX file "${escaped}"`], absPath);
    return { originalPath: absPath, trashPath: null, infoPath: null };
  },
  async restore(item) {
    throw new CairnError('NOT_SUPPORTED', `Cairn cannot restore from the macOS Trash; use Finder's "Put Back" on ${path.basename(item.originalPath)}.`);
  },
  contains: () => true,
};

const windowsTrash: OsTrash = {
  platform: 'win32',
  canRestore: false,
  problem: (absPath) => (fs.existsSync(absPath) ? null : `${absPath} does not exist`),
  async trash(absPath) {
    const isDir = fs.statSync(absPath).isDirectory();
    const quoted = absPath.replace(/'/g, "''");
    const script =
      'Add-Type -AssemblyName Microsoft.VisualBasic; ' +
      `[Microsoft.VisualBasic.FileIO.FileSystem]::${isDir ? 'DeleteDirectory' : 'DeleteFile'}('${quoted}', 'OnlyErrorDialogs', 'SendToRecycleBin')`;
    await runOrNotSupported('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], absPath);
    return { originalPath: absPath, trashPath: null, infoPath: null };
  },
  async restore(item) {
    throw new CairnError('NOT_SUPPORTED', `Cairn cannot restore from the Recycle Bin; restore ${path.basename(item.originalPath)} from Explorer.`);
  },
  contains: () => true,
};
