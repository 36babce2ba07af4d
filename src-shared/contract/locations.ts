import { z } from 'zod';
import { action, query } from './define.js';
import { Id, LibraryRef, PathString, Timestamp } from './common.js';

export const Location = z.object({
  id: Id,
  libraryId: Id,
  path: z.string(),
  name: z.string(),
  addedAt: Timestamp,
});
export type Location = z.infer<typeof Location>;

/** One subfolder in a {@link FolderListing}. */
export const FolderItem = z.object({
  name: z.string(),
  /** Absolute path (the listed folder's real path joined with `name`). */
  path: z.string(),
  /** Its name starts with a dot. */
  hidden: z.boolean(),
  /** A symbolic link to a folder (it may lead outside the listed folder). */
  symlink: z.boolean(),
});
export type FolderItem = z.infer<typeof FolderItem>;

/** The subfolders of one folder, for a folder browser. */
export const FolderListing = z.object({
  /** The listed folder, as its real path (`~`, `..` and symlinks resolved). */
  path: z.string(),
  /** The folder above it, or null at the root of the file system. */
  parent: z.string().nullable(),
  folders: z.array(FolderItem),
  /** More subfolders than `limit`: the first ones by name are listed. */
  truncated: z.boolean(),
});
export type FolderListing = z.infer<typeof FolderListing>;

/** Location operations: folders on disk that a library indexes. */
export const locationOperations = {
  'locations.list': query({
    summary: 'List the locations of a library',
    input: LibraryRef.strict(),
    output: z.array(Location),
  }),
  'locations.add': action({
    summary: 'Add a folder to a library. The folder must exist, be readable and not overlap another location',
    input: LibraryRef.extend({ path: PathString, name: z.string().trim().min(1).max(200).optional() }).strict(),
    output: Location,
  }),
  /**
   * Lists the subfolders of a folder on this machine, for choosing a location or a subfolder to scope a grant
   * when there is no native picker (the headless shell). Folder names only: never files, never contents.
   * Hidden folders (dot names) only with `showHidden`. A symlink is listed when it leads to a folder; broken
   * links and links that loop are left out. Without `path`, lists the user's home folder.
   *
   * Failure modes: `VALIDATION` for a relative path, a file, or a path whose symlinks loop; `NOT_FOUND` when
   * it does not exist; `PERMISSION_DENIED` when it cannot be read.
   *
   * @example
   * invoke('locations.browseFolders', { path: '/home/ada/Pictures' })
   * // → { path: '/home/ada/Pictures', parent: '/home/ada', folders: [{ name: '2024', path: '/home/ada/Pictures/2024', hidden: false, symlink: false }], truncated: false }
   */
  'locations.browseFolders': query({
    summary: 'List the subfolders of a folder (names only, no files) for a folder browser',
    input: z
      .object({
        path: PathString.optional(),
        showHidden: z.boolean().default(false),
        limit: z.number().int().min(1).max(10_000).default(2_000),
      })
      .strict(),
    output: FolderListing,
  }),
  'locations.remove': action({
    summary: 'Remove a location from a library (the folder on disk is untouched)',
    input: LibraryRef.extend({ locationId: Id }).strict(),
    output: z.object({ removed: Id }),
  }),
} as const;

export const locationEvents = {
  /** A location was added to or removed from a library. */
  'locations.onDidChange': z.object({ libraryId: Id }),
} as const;
