import { z } from 'zod';
import { action, query } from './define.js';
import { Id, LibraryRef } from './common.js';
import { MetadataScope } from './entries.js';

export const TagName = z
  .string()
  .trim()
  .min(1, 'Tag name must not be empty')
  .max(200, 'Tag name must be at most 200 characters')
  .refine((s) => !s.includes('/'), 'Tag name must not contain "/" (use a parent tag instead)');

export const Tag = z.object({
  id: Id,
  name: z.string(),
  parentId: Id.nullable(),
  color: z.string().nullable(),
  /** Names from the root down, joined with "/". */
  path: z.string(),
  /** Entries and contents carrying the tag. */
  usage: z.number(),
});
export type Tag = z.infer<typeof Tag>;

const Targets = LibraryRef.extend({
  tagId: Id,
  entryIds: z.array(Id).min(1).max(10_000),
  /** `content` tags every copy of the same bytes; `entry` tags only these paths. */
  scope: MetadataScope.default('content'),
});

export const tagOperations = {
  'tags.list': query({ summary: 'List the tag hierarchy', input: LibraryRef.strict(), output: z.array(Tag) }),
  'tags.create': action({
    summary: 'Create a tag, optionally under a parent',
    input: LibraryRef.extend({ name: TagName, parentId: Id.nullable().optional(), color: z.string().max(32).optional() }).strict(),
    output: Tag,
  }),
  'tags.rename': action({ summary: 'Rename a tag', input: LibraryRef.extend({ tagId: Id, name: TagName }).strict(), output: Tag }),
  'tags.move': action({
    summary: 'Move a tag under another parent (or to the top with null)',
    input: LibraryRef.extend({ tagId: Id, parentId: Id.nullable() }).strict(),
    output: Tag,
  }),
  'tags.delete': action({
    summary: 'Delete a tag and its applications; its children move up to its parent',
    input: LibraryRef.extend({ tagId: Id }).strict(),
    output: z.object({ deleted: Id }),
  }),
  'tags.apply': action({
    summary: 'Tag entries, or their contents (every copy)',
    input: Targets.strict(),
    output: z.object({ applied: z.number() }),
  }),
  'tags.remove': action({
    summary: 'Remove a tag from entries, or from their contents',
    input: Targets.strict(),
    output: z.object({ removed: z.number() }),
  }),
} as const;

export const tagEvents = {
  'tags.onDidChange': z.object({ libraryId: Id }),
  /**
   * A tag was applied to entries or contents (after the commit), for `tags.onDidApply` hooks. `sourceId` is the
   * extension that applied it (null for the user), so an extension is not told about its own writes.
   */
  'tags.onDidApply': z.object({ libraryId: Id, tagId: Id, entryIds: z.array(Id), contentIds: z.array(Id), sourceId: z.string().nullable() }),
} as const;
