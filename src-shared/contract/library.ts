import { z } from 'zod';
import { action, query } from './define.js';
import { Id, LibraryRef, PathString, Timestamp } from './common.js';

export const LibraryName = z
  .string()
  .trim()
  .min(1, 'Library name must not be empty')
  .max(120, 'Library name must be at most 120 characters');

export const LibrarySummary = z.object({
  id: Id,
  name: LibraryName,
  path: z.string(),
  createdAt: Timestamp,
  isDefault: z.boolean(),
  /** Why the library cannot be opened (damaged, written by a newer Cairn, ...), or null when it is fine. */
  problem: z.string().nullable(),
});
export type LibrarySummary = z.infer<typeof LibrarySummary>;

/** Library operations. `library.delete` requires `confirm` to equal the library's name. */
export const libraryOperations = {
  'library.list': query({
    summary: 'List the libraries this Cairn home knows about',
    input: z.object({}).strict(),
    output: z.array(LibrarySummary),
  }),
  'library.create': action({
    summary: 'Create a new, empty library',
    input: z.object({ name: LibraryName }).strict(),
    output: LibrarySummary,
  }),
  'library.open': action({
    summary: 'Add an existing library folder (e.g. on another disk) to the list',
    input: z.object({ path: PathString }).strict(),
    output: LibrarySummary,
  }),
  'library.get': query({
    summary: 'Get one library',
    input: LibraryRef.strict(),
    output: LibrarySummary,
  }),
  'library.rename': action({
    summary: 'Rename a library',
    input: LibraryRef.extend({ name: LibraryName }).strict(),
    output: LibrarySummary,
  }),
  'library.delete': action({
    summary: "Delete a library and its data (not the user's files). `confirm` must repeat the library's name",
    input: LibraryRef.extend({ confirm: z.string() }).strict(),
    output: z.object({ deleted: Id }),
  }),
  'library.setDefault': action({
    summary: 'Make a library the one the app opens first',
    input: LibraryRef.strict(),
    output: LibrarySummary,
  }),
} as const;

export const libraryEvents = {
  /** The set of libraries, or one library's name, changed. */
  'library.onDidChange': z.object({ libraryId: Id.nullable() }),
} as const;
