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
