import { z } from 'zod';
import { action, query } from './define.js';
import { Id, LibraryRef, Timestamp } from './common.js';

export const FILE_KINDS = ['image', 'video', 'audio', 'document', 'text', 'archive', 'code', 'executable', 'font', 'unknown'] as const;
export const FileKind = z.enum(FILE_KINDS);
export const EntryKind = z.enum(['file', 'dir', 'symlink']);
export const MetadataScope = z.enum(['entry', 'content']);

/** One file, folder or symlink as lists show it. */
export const EntrySummary = z.object({
  id: Id,
  locationId: Id,
  parentId: Id.nullable(),
  name: z.string(),
  relPath: z.string(),
  kind: EntryKind,
  fileKind: FileKind.nullable(),
  extension: z.string().nullable(),
  size: z.number(),
  modifiedAt: Timestamp.nullable(),
  contentId: Id.nullable(),
  hasThumbnail: z.boolean(),
  favorite: z.boolean(),
});
export type EntrySummary = z.infer<typeof EntrySummary>;

export const TagRef = z.object({
  id: Id,
  name: z.string(),
  scope: MetadataScope,
  source: z.enum(['user', 'ai', 'extension']),
  sourceId: z.string().nullable(),
  confidence: z.number().nullable(),
});

export const MediaInfo = z.object({
  capturedAt: z.string().nullable(),
  cameraMake: z.string().nullable(),
  cameraModel: z.string().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  orientation: z.number().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
});

export const EntryDetail = z.object({
  entry: EntrySummary,
  absolutePath: z.string(),
  content: z
    .object({ id: Id, hash: z.string(), kind: z.string(), mime: z.string().nullable(), size: z.number(), entryCount: z.number() })
    .nullable(),
  notes: z.string().nullable(),
  favorite: z.boolean(),
  hidden: z.boolean(),
  tags: z.array(TagRef),
  media: MediaInfo.nullable(),
  /** Other places where the same content lives. */
  alternates: z.array(EntrySummary),
  ancestors: z.array(z.object({ id: Id, name: z.string() })),
});
export type EntryDetail = z.infer<typeof EntryDetail>;

export const Page = z.object({
  offset: z.number().int().min(0).max(10_000_000).default(0),
  limit: z.number().int().min(1).max(1000).default(200),
});

export const EntrySort = z.enum(['name', 'modified', 'size', 'kind']);

export const entryOperations = {
  'entries.list': query({
    summary: 'Page through entries by location, folder, kind, tag or favourite',
    input: LibraryRef.extend({
      locationId: Id.optional(),
      /** The folder to list; null lists the location's top level. Omit to list across folders. */
      parentId: Id.nullable().optional(),
      fileKind: FileKind.optional(),
      tagId: Id.optional(),
      favorite: z.boolean().optional(),
      sort: EntrySort.default('name'),
      descending: z.boolean().default(false),
    })
      .extend(Page.shape)
      .strict(),
    output: z.object({ items: z.array(EntrySummary), total: z.number() }),
  }),
  'entries.get': query({
    summary: 'One entry with its content identity, metadata, tags, media data and other copies',
    input: LibraryRef.extend({ entryId: Id }).strict(),
    output: EntryDetail,
  }),
  'entries.duplicates': query({
    summary: 'Contents that live at more than one path, largest waste first',
    input: LibraryRef.extend(Page.shape).strict(),
    output: z.object({
      groups: z.array(z.object({ contentId: Id, size: z.number(), count: z.number(), wastedBytes: z.number(), entries: z.array(EntrySummary) })),
      total: z.number(),
    }),
  }),
  'entries.setNote': action({
    summary: "Set or clear the note of an entry, or of its content (every copy)",
    input: LibraryRef.extend({ entryId: Id, note: z.string().max(20_000).nullable(), scope: MetadataScope.default('content') }).strict(),
    output: z.object({ ok: z.literal(true) }),
  }),
  'entries.setFavorite': action({
    summary: 'Mark or unmark an entry (or its content) as a favourite',
    input: LibraryRef.extend({ entryId: Id, favorite: z.boolean(), scope: MetadataScope.default('content') }).strict(),
    output: z.object({ ok: z.literal(true) }),
  }),
} as const;

export const entryEvents = {
  /** Entries of a library changed (indexing, watcher, metadata). `locationId` is null for metadata-only changes. */
  'entries.onDidChange': z.object({ libraryId: Id, locationId: Id.nullable() }),
  /** Entries the indexer created (after the batch committed): what extension hooks on `entries.onDidCreate` receive. */
  'entries.onDidCreate': z.object({ libraryId: Id, entryIds: z.array(Id) }),
  /** Files the indexer gave a content identity (after the batch committed), for `content.onDidIdentify` hooks. */
  'content.onDidIdentify': z.object({ libraryId: Id, contentIds: z.array(Id) }),
} as const;
