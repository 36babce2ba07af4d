import { z } from 'zod';
import { action, query } from './define.js';
import { Id, LibraryRef, Timestamp } from './common.js';
import { EntrySummary, Page } from './entries.js';

export const Collection = z.object({
  id: Id,
  name: z.string(),
  description: z.string().nullable(),
  itemCount: z.number(),
  updatedAt: Timestamp,
});
export type Collection = z.infer<typeof Collection>;

/** A collection item is exactly one of an entry, a content or an extension model. */
export const CollectionItemRef = z.union([
  z.object({ entryId: Id }).strict(),
  z.object({ contentId: Id }).strict(),
  z.object({ modelId: Id }).strict(),
]);

export const collectionOperations = {
  'collections.list': query({ summary: 'List collections', input: LibraryRef.strict(), output: z.array(Collection) }),
  'collections.create': action({
    summary: 'Create a collection',
    input: LibraryRef.extend({ name: z.string().trim().min(1).max(200), description: z.string().max(2000).optional() }).strict(),
    output: Collection,
  }),
  'collections.rename': action({
    summary: 'Rename a collection',
    input: LibraryRef.extend({ collectionId: Id, name: z.string().trim().min(1).max(200) }).strict(),
    output: Collection,
  }),
  'collections.delete': action({
    summary: 'Delete a collection (its items stay where they are)',
    input: LibraryRef.extend({ collectionId: Id }).strict(),
    output: z.object({ deleted: Id }),
  }),
  'collections.addItems': action({
    summary: 'Add entries, contents or models to a collection (already present items are skipped)',
    input: LibraryRef.extend({ collectionId: Id, items: z.array(CollectionItemRef).min(1).max(10_000) }).strict(),
    output: z.object({ added: z.number() }),
  }),
  'collections.removeItems': action({
    summary: 'Remove items from a collection',
    input: LibraryRef.extend({ collectionId: Id, items: z.array(CollectionItemRef).min(1).max(10_000) }).strict(),
    output: z.object({ removed: z.number() }),
  }),
  'collections.items': query({
    summary: "Page through a collection's items",
    input: LibraryRef.extend({ collectionId: Id }).extend(Page.shape).strict(),
    output: z.object({
      items: z.array(
        z.object({
          kind: z.enum(['entry', 'content', 'model']),
          id: Id,
          /** For entries, and for contents (one of its copies), what a list shows. */
          entry: EntrySummary.nullable(),
        }),
      ),
      total: z.number(),
    }),
  }),
} as const;

export const collectionEvents = {
  'collections.onDidChange': z.object({ libraryId: Id }),
} as const;
