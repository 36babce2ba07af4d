import { z } from 'zod';
import { action, query } from './define.js';
import { Id, LibraryRef, Timestamp } from './common.js';
import { EntrySummary } from './entries.js';

/**
 * Extension data: models (entry-, content- or standalone-scoped JSON records owned by one extension) and their
 * blob fields (large values stored compressed and content-addressed, loaded only on request), plus the
 * operations extensions need around them (tagging contents and models by tag path, reading file bytes,
 * sidecars, and batch forms, because one Extism call may make only ~32k allocations).
 *
 * Model writes are for extensions only: the registry's caller must be `{kind: 'extension'}`, and the model
 * belongs to that extension. Errors: `PERMISSION_DENIED` (not an extension, or not the owner), `NOT_FOUND`,
 * `QUOTA_EXCEEDED` (the extension's storage quota), `VALIDATION` (too large, bad field name).
 */

/** A model type, PascalCase as the manifest declares it. */
export const ModelTypeName = z.string().regex(/^[A-Z][A-Za-z0-9]{0,63}$/, 'model types are PascalCase, e.g. PhotoAnalysis');
/** A top-level field name of a model's data (also the name of a blob field). */
export const ModelField = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'field names are identifiers: letters, digits, _');
/** JSON object data of a model. Size is checked by the core (1 MiB serialised). */
export const ModelData = z.record(z.string(), z.unknown());
/** Blob field values by field name; each is any JSON value, stored compressed and loaded lazily. */
export const ModelBlobs = z.record(ModelField, z.unknown());
export const ModelScope = z.enum(['entry', 'content', 'standalone']);
export const SyncStrategy = z.enum(['shared', 'device_owned']);
/**
 * An idempotency key chosen by the extension: the model's id is derived from (extension, key), so creating
 * again with the same key updates the same model instead of adding a duplicate (safe task retries).
 */
export const ModelKey = z.string().min(1).max(500);

export const Model = z.object({
  id: Id,
  extensionId: z.string(),
  type: z.string(),
  scope: ModelScope,
  entryId: Id.nullable(),
  contentId: Id.nullable(),
  data: ModelData,
  /** Names of the blob fields this model has; load one with `models.getBlob`. */
  blobFields: z.array(z.string()),
  /** Blob values, present only when requested with `include: 'all'`. */
  blobs: ModelBlobs.optional(),
  syncStrategy: SyncStrategy,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Model = z.infer<typeof Model>;

const NewModel = z.object({
  type: ModelTypeName,
  data: ModelData.default({}),
  blobs: ModelBlobs.default({}),
  key: ModelKey.optional(),
  syncStrategy: SyncStrategy.default('shared'),
});

/** One model of a `models.createMany` batch: exactly one of contentId, entryId or standalone. */
export const NewModelItem = NewModel.extend({
  contentId: Id.optional(),
  entryId: Id.optional(),
  standalone: z.literal(true).optional(),
}).strict();

const Include = z.enum(['inline', 'all']).default('inline');
/** Equality filters on JSON fields of `data` (dotted paths allowed): `{ "label": "cat", "meta.rank": 1 }`. */
export const ModelWhere = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,7}$/, 'filter keys are dotted identifiers'),
    z.union([z.string(), z.number(), z.boolean(), z.null()]),
  )
  .refine((w) => Object.keys(w).length <= 16, 'at most 16 filters');

/** Base64 of binary data (file bytes, sidecars). */
export const Base64 = z.string().max(8 * 1024 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
export const SidecarKind = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'sidecar kinds are lower case: a-z, 0-9, _ and -');
export const SidecarVariant = z.string().regex(/^[a-z0-9_-]{0,40}$/, 'variants are lower case: a-z, 0-9, _ and -').default('');
export const SidecarFormat = z.enum(['webp', 'jpg', 'png', 'json', 'txt', 'bin']);
/** Largest `entries.readBytes` range and `sidecars.write` payload: 4 MiB. */
export const MAX_READ_BYTES = 4 * 1024 * 1024;
/** A tag path from the root: `Animals/Cats`. Missing tags are created. */
export const TagPath = z
  .string()
  .trim()
  .min(1)
  .max(1000)
  .refine((p) => p.split('/').every((s) => s.trim().length > 0 && s.trim().length <= 200), 'every part of a tag path needs 1–200 characters');
const Confidence = z.number().min(0).max(1).optional();

export const modelOperations = {
  'models.createForContent': action({
    summary: 'Create a model attached to a content identity (every copy of the same bytes)',
    input: LibraryRef.extend(NewModel.shape).extend({ contentId: Id }).strict(),
    output: Model,
  }),
  'models.create': action({
    summary: 'Create a standalone model, or one attached to an entry (one path)',
    input: LibraryRef.extend(NewModel.shape).extend({ entryId: Id.optional(), standalone: z.literal(true).optional() }).strict(),
    output: Model,
  }),
  'models.createMany': action({
    summary: 'Create up to 1000 models in one transaction (all or nothing)',
    input: LibraryRef.extend({ items: z.array(NewModelItem).min(1).max(1000) }).strict(),
    output: z.object({ items: z.array(Model) }),
  }),
  'models.get': query({
    summary: 'One model; blob fields only when include is "all"',
    input: LibraryRef.extend({ modelId: Id, include: Include }).strict(),
    output: Model,
  }),
  'models.getByContent': query({
    summary: 'The models attached to a content identity, optionally of one extension and type',
    input: LibraryRef.extend({ contentId: Id, extensionId: z.string().max(128).optional(), type: ModelTypeName.optional(), include: Include }).strict(),
    output: z.array(Model),
  }),
  'models.query': query({
    summary: 'Page through models by extension, type, scope target and JSON-field equality',
    input: LibraryRef.extend({
      extensionId: z.string().max(128).optional(),
      type: ModelTypeName.optional(),
      contentId: Id.optional(),
      entryId: Id.optional(),
      where: ModelWhere.optional(),
      include: Include,
      offset: z.number().int().min(0).max(10_000_000).default(0),
      limit: z.number().int().min(1).max(1000).default(100),
    }).strict(),
    output: z.object({ items: z.array(Model), total: z.number() }),
  }),
  'models.update': action({
    summary: "Replace (or merge into) a model's data and set or clear blob fields (null clears one)",
    input: LibraryRef.extend({
      modelId: Id,
      data: ModelData.optional(),
      merge: z.boolean().default(false),
      blobs: z.record(ModelField, z.unknown()).optional(),
    }).strict(),
    output: Model,
  }),
  'models.delete': action({
    summary: 'Delete a model, its tags and its blob references',
    input: LibraryRef.extend({ modelId: Id }).strict(),
    output: z.object({ deleted: Id }),
  }),
  'models.getBlob': query({
    summary: 'Load one blob field of a model',
    input: LibraryRef.extend({ modelId: Id, field: ModelField }).strict(),
    output: z.object({ field: z.string(), value: z.unknown(), sizeBytes: z.number(), storedBytes: z.number() }),
  }),
  'tags.addToContent': action({
    summary: 'Tag contents by tag path (missing tags are created); the source is the caller',
    input: LibraryRef.extend({ contentIds: z.array(Id).min(1).max(1000), tagPath: TagPath, confidence: Confidence }).strict(),
    output: z.object({ tagId: Id, applied: z.number() }),
  }),
  /**
   * Removes the tag at `tagPath` from contents, but only the applications the CALLER made: an extension removes
   * what it applied (source `extension` with its id), never the user's own application of the same tag, nor
   * another extension's; a user caller removes the user's. Answers `{tagId: null, removed: 0}` when no tag has
   * that path (nothing to remove); the tag itself stays. All or nothing: an unknown content fails the call with
   * `NOT_FOUND`; `VALIDATION` for an empty path part.
   *
   * @example
   * tags.removeFromContent { contentIds: [c1, c2], tagPath: '#person:Grace' } → { tagId: 't…', removed: 2 }
   */
  'tags.removeFromContent': action({
    summary: "Remove a tag path from contents: only the applications the caller made (others' stay)",
    input: LibraryRef.extend({ contentIds: z.array(Id).min(1).max(1000), tagPath: TagPath }).strict(),
    output: z.object({ tagId: Id.nullable(), removed: z.number() }),
  }),
  'tags.addToModel': action({
    summary: 'Tag a model by tag path (missing tags are created)',
    input: LibraryRef.extend({ modelId: Id, tagPath: TagPath, confidence: Confidence }).strict(),
    output: z.object({ tagId: Id, applied: z.number() }),
  }),
  'entries.getMany': query({
    summary: 'Summaries of up to 1000 entries by id; unknown ids are listed in missing',
    input: LibraryRef.extend({ entryIds: z.array(Id).min(1).max(1000) }).strict(),
    output: z.object({ items: z.array(EntrySummary), missing: z.array(Id) }),
  }),
  'entries.readBytes': query({
    summary: 'Read up to 4 MiB of a file, by entry id or by a path inside a location, as base64',
    input: LibraryRef.extend({
      entryId: Id.optional(),
      locationId: Id.optional(),
      /** Relative to the location's root. */
      path: z.string().min(1).max(4096).optional(),
      offset: z.number().int().min(0).default(0),
      length: z.number().int().min(0).max(MAX_READ_BYTES).default(MAX_READ_BYTES),
    }).strict(),
    output: z.object({ data: Base64, offset: z.number(), bytesRead: z.number(), size: z.number(), eof: z.boolean() }),
  }),
  'sidecars.read': query({
    summary: 'Read a sidecar (derived file) of a content, as base64',
    input: LibraryRef.extend({ contentId: Id, kind: SidecarKind, variant: SidecarVariant }).strict(),
    output: z.object({ data: Base64, format: z.string(), size: z.number(), extensionId: z.string().nullable() }),
  }),
  'sidecars.write': action({
    summary: 'Write (or replace) a sidecar of a content; stored under <library>/sidecars/<kind>/',
    input: LibraryRef.extend({ contentId: Id, kind: SidecarKind, variant: SidecarVariant, format: SidecarFormat, data: Base64 }).strict(),
    output: z.object({ size: z.number(), relPath: z.string() }),
  }),
} as const;

export const modelEvents = {
  /** Models of a library changed (created, updated, deleted), by one extension. */
  'models.onDidChange': z.object({ libraryId: Id, extensionId: z.string() }),
} as const;
