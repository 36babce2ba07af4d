import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FolderItem, FolderListing } from '../../../src-shared/contract/locations.js';
import { CairnError } from '../../../src-shared/errors.js';

export interface BrowseOptions {
  showHidden: boolean;
  limit: number;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** Turns an fs error about `folder` into a CairnError a user can act on. */
function folderError(error: unknown, folder: string): CairnError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new CairnError('NOT_FOUND', `The folder ${folder} does not exist.`);
    case 'ENOTDIR':
      return new CairnError('VALIDATION', `${folder} is not a folder (part of the path is a file).`);
    case 'ELOOP':
      return new CairnError('VALIDATION', `${folder} cannot be opened: its symbolic links loop back on themselves.`);
    case 'EACCES':
    case 'EPERM':
      return new CairnError('PERMISSION_DENIED', `Cairn cannot read the folder ${folder}; check its permissions.`);
    default:
      return new CairnError('IO', `Cannot read the folder ${folder}: ${(error as Error).message}`);
  }
}

/**
 * The subfolders of `rawPath` (default: the user's home), by name, case-insensitively and numbers in order.
 * Names only: files are never listed and nothing is opened. Symlinks that lead to a folder are listed
 * (`symlink: true`); broken or looping links are left out. See `locations.browseFolders` for the failure modes.
 *
 * @example
 * listFolders('~/Pictures', { showHidden: false, limit: 2000 }).folders.map((f) => f.name) // ['2023', '2024']
 */
export function listFolders(rawPath: string | undefined, options: BrowseOptions): FolderListing {
  const typed = rawPath?.trim() || os.homedir();
  const expanded = typed === '~' || typed.startsWith('~/') ? path.join(os.homedir(), typed.slice(1)) : typed;
  if (!path.isAbsolute(expanded)) throw new CairnError('VALIDATION', `Give a full path starting with / (or ~), not "${typed.slice(0, 200)}".`);
  const resolved = path.resolve(expanded);
  let real: string;
  try {
    real = fs.realpathSync(resolved);
  } catch (error) {
    throw folderError(error, resolved);
  }
  let entries: fs.Dirent[];
  try {
    if (!fs.statSync(real).isDirectory()) throw new CairnError('VALIDATION', `${real} is a file, not a folder.`);
    entries = fs.readdirSync(real, { withFileTypes: true });
  } catch (error) {
    if (error instanceof CairnError) throw error;
    throw folderError(error, real);
  }
  const folders: FolderItem[] = [];
  for (const entry of entries) {
    const hidden = entry.name.startsWith('.');
    if (hidden && !options.showHidden) continue;
    const full = path.join(real, entry.name);
    if (entry.isDirectory()) {
      folders.push({ name: entry.name, path: full, hidden, symlink: false });
    } else if (entry.isSymbolicLink()) {
      try {
        if (fs.statSync(full).isDirectory()) folders.push({ name: entry.name, path: full, hidden, symlink: true });
      } catch {
        // broken, looping or unreadable link: not something to open
      }
    }
  }
  folders.sort((a, b) => collator.compare(a.name, b.name));
  const parent = path.dirname(real);
  return { path: real, parent: parent === real ? null : parent, folders: folders.slice(0, options.limit), truncated: folders.length > options.limit };
}
