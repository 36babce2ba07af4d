import fs from 'node:fs';
import { CairnError } from '../../../src-shared/errors.js';

/** `lstat` that returns null for a missing path (dangling symlinks count as present). */
export function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw error;
  }
}

/**
 * Renames `from` to `to` and never replaces anything at `to`: throws `CONFLICT` when `to` exists.
 *
 * Node has no `renameat2(RENAME_NOREPLACE)`, so for regular files the rename is a hard link (which fails
 * atomically with EEXIST when `to` exists) followed by removing `from`; the inode, and so the file's
 * identity, is kept. File systems without hard links, folders and symlinks fall back to "check, then
 * rename", leaving a window of microseconds. A rename that differs only in letter case, on a
 * case-insensitive file system, finds `to` to be `from` itself and renames directly.
 *
 * @example
 * renameNoOverwrite('/loc/a.jpg', '/loc/b.jpg'); // throws CONFLICT if /loc/b.jpg exists
 */
export function renameNoOverwrite(from: string, to: string): void {
  const source = fs.lstatSync(from);
  const existing = lstatOrNull(to);
  if (existing) {
    if (existing.ino === source.ino && existing.dev === source.dev) {
      fs.renameSync(from, to);
      return;
    }
    throw new CairnError('CONFLICT', `${to} already exists; Cairn never overwrites.`);
  }
  if (source.isFile()) {
    try {
      fs.linkSync(from, to);
      fs.unlinkSync(from);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new CairnError('CONFLICT', `${to} already exists; Cairn never overwrites.`);
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK' && code !== 'EXDEV' && code !== 'ENOSYS') throw error;
    }
  }
  if (lstatOrNull(to)) throw new CairnError('CONFLICT', `${to} already exists; Cairn never overwrites.`);
  fs.renameSync(from, to);
}
