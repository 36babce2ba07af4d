import { z } from 'zod';
import { action, query } from './define.js';
import { Id, LibraryRef } from './common.js';
import { MetadataScope } from './entries.js';

/**
 * Previewable actions. An action first produces a preview (the exact changes it would make, with counts,
 * conflicts and whether it can be undone) and changes nothing; committing applies exactly those changes, or
 * refuses with `CONFLICT` when the world changed since the preview; every commit is verified and written to
 * the audit log, and reversible actions can be undone.
 */

/** Every status of an audit row, in the order an action normally goes through them. */
export const ACTION_STATUSES = ['previewed', 'expired', 'committing', 'committed', 'verified', 'failed', 'undoing', 'undone'] as const;
export const ActionStatus = z.enum(ACTION_STATUSES);
export type ActionStatus = z.infer<typeof ActionStatus>;

// ---- params of the core actions (extensions bring their own schemas; the core validates them) ----

const EntryIds = z.array(Id).min(1, 'Select at least one item').max(10_000, 'At most 10,000 items per action');

/** A file or folder name: one path segment, no separators, not `.` or `..`. */
export const FileName = z
  .string()
  .min(1, 'A name must not be empty')
  .max(255, 'A name must be at most 255 characters')
  .refine((s) => !/[/\\\0]/.test(s), 'A name must not contain "/", "\\" or NUL')
  .refine((s) => s !== '.' && s !== '..', 'A name must not be "." or ".."');

/** Params of each core action, by action name. */
export const coreActionParams = {
  /** Tag entries (or their contents: every copy). */
  'tags.apply': z.object({ tagId: Id, entryIds: EntryIds, scope: MetadataScope.default('content') }).strict(),
  /** Remove a tag from entries (or from their contents). */
  'tags.remove': z.object({ tagId: Id, entryIds: EntryIds, scope: MetadataScope.default('content') }).strict(),
  /** Create a collection holding the selected entries. */
  'collections.createFrom': z
    .object({ name: z.string().trim().min(1).max(200), description: z.string().max(2000).optional(), entryIds: EntryIds })
    .strict(),
  /** Rename one file or folder in place (same folder, new name). */
  'files.rename': z.object({ entryId: Id, name: FileName }).strict(),
  /** Move files or folders into another folder of the same location (`''` is the location's top level). */
  'files.move': z
    .object({ entryIds: EntryIds, destination: z.string().max(4096, 'Path is too long') })
    .strict(),
  /** Move files or folders to the system trash (never a hard delete); their entries leave the library. */
  'files.trash': z.object({ entryIds: EntryIds }).strict(),
} as const;
export type CoreActionName = keyof typeof coreActionParams;
export const CORE_ACTION_NAMES = Object.keys(coreActionParams) as CoreActionName[];

// ---- previews ----

const ChangeBase = z.object({
  /** One human line, e.g. `move "a/x.jpg" to "b/x.jpg"`. */
  description: z.string(),
});
const FileRef = { entryId: Id, locationId: Id };

/** One change an action would make. Core kinds are typed; extension actions use `extension`. */
export const ActionChange = z.discriminatedUnion('kind', [
  ChangeBase.extend({ kind: z.literal('tag.apply'), tagId: Id, entryId: Id, path: z.string(), scope: MetadataScope }),
  ChangeBase.extend({ kind: z.literal('tag.remove'), tagId: Id, entryId: Id, path: z.string(), scope: MetadataScope }),
  ChangeBase.extend({ kind: z.literal('collection.create'), name: z.string(), collectionDescription: z.string().nullable() }),
  ChangeBase.extend({ kind: z.literal('collection.add'), entryId: Id, path: z.string() }),
  ChangeBase.extend({ kind: z.literal('file.rename'), ...FileRef, from: z.string(), to: z.string() }),
  ChangeBase.extend({ kind: z.literal('file.move'), ...FileRef, from: z.string(), to: z.string() }),
  ChangeBase.extend({ kind: z.literal('file.trash'), ...FileRef, path: z.string(), isDir: z.boolean() }),
  ChangeBase.extend({ kind: z.literal('extension'), data: z.unknown().optional() }),
]);
export type ActionChange = z.infer<typeof ActionChange>;

/** Why a change cannot be made as asked. Any conflict blocks the commit. */
export const ActionConflict = z.object({
  /** e.g. `EXISTS`, `MISSING`, `OUTSIDE_LOCATION`, `NOT_INDEXED`, `NO_CONTENT`, `SAME_PLACE`, `NOT_SUPPORTED`. */
  code: z.string(),
  message: z.string(),
  entryId: Id.optional(),
  path: z.string().optional(),
});
export type ActionConflict = z.infer<typeof ActionConflict>;

/** Who took an action step. */
export const ActionActor = z.union([
  z.object({ kind: z.literal('user'), via: z.string() }),
  z.object({ kind: z.literal('extension'), extensionId: z.string() }),
]);

export const ActionPreview = z.object({
  /** The preview id; the audit row of the commit has the same id. */
  id: Id,
  libraryId: Id,
  action: z.string(),
  /** `core` or the extension that defined the action. */
  owner: z.string(),
  /** e.g. "Move 3 files to Archive". */
  summary: z.string(),
  changes: z.array(ActionChange),
  /** Counts by kind of change, plus `unchanged` (already in the wanted state) and `conflicts`. */
  counts: z.record(z.string(), z.number()),
  conflicts: z.array(ActionConflict),
  /** Whether `actions.undo` can reverse the commit on this platform. */
  reversible: z.boolean(),
  createdAt: z.number(),
  /** After this, `actions.commit` refuses the preview. */
  expiresAt: z.number(),
});
export type ActionPreview = z.infer<typeof ActionPreview>;

export const ActionTransition = z.object({ status: ActionStatus, at: z.number(), by: ActionActor, message: z.string().optional() });

/** One row of the audit log. */
export const ActionAuditEntry = ActionPreview.extend({
  status: ActionStatus,
  /** Who previewed it. */
  caller: ActionActor,
  params: z.unknown(),
  transitions: z.array(ActionTransition),
  result: z.unknown().nullable(),
  error: z.string().nullable(),
  /** True when it was committed, is reversible and has not been undone. */
  canUndo: z.boolean(),
  updatedAt: z.number(),
});
export type ActionAuditEntry = z.infer<typeof ActionAuditEntry>;

export const ActionCommitResult = z.object({
  auditId: Id,
  action: z.string(),
  /** `verified` when the result checked out; `failed` when verification found problems (listed). */
  status: z.enum(['verified', 'failed']),
  result: z.unknown(),
  problems: z.array(z.string()),
  canUndo: z.boolean(),
});
export type ActionCommitResult = z.infer<typeof ActionCommitResult>;

/** A registered action, as the UI and `cairn action list` show it. */
export const ActionInfo = z.object({
  name: z.string(),
  owner: z.string(),
  title: z.string(),
  summary: z.string(),
  /** Whether the action can be undone at all (a given preview may still say it cannot). */
  reversible: z.boolean(),
});

export const actionOperations = {
  /**
   * Works out what an action would change, without changing anything, and stores the preview.
   * Fails with `NOT_FOUND` (no such action), `VALIDATION` (params do not match the action's schema, field named).
   * Conflicts are not failures: they are listed in the preview and block its commit.
   *
   * @example
   * invoke('actions.preview', { libraryId, action: 'files.move', params: { entryIds: [a, b], destination: 'Archive' } })
   * // → { id, summary: 'Move 2 items to "Archive"', changes: [{ kind: 'file.move', from: 'x.jpg', to: 'Archive/x.jpg', … }], conflicts: [], reversible: true, … }
   */
  'actions.preview': action({
    summary: 'Preview an action: list the exact changes it would make, changing nothing',
    input: LibraryRef.extend({ action: z.string().min(1).max(200), params: z.unknown() }).strict(),
    output: ActionPreview,
  }),
  /**
   * Applies exactly the previewed changes, verifies them and writes the audit row.
   * Fails with `NOT_FOUND` (no such preview), `CONFLICT` (the preview has conflicts, expired, was already
   * committed, or the world changed since — the message names what changed; nothing is applied), `IO` or
   * `NOT_SUPPORTED` (e.g. no trash on this platform; anything done is rolled back).
   *
   * @example
   * invoke('actions.commit', { libraryId, previewId }) // → { auditId, status: 'verified', result: { moved: 2 }, canUndo: true, problems: [] }
   */
  'actions.commit': action({
    summary: 'Apply a preview exactly as previewed (refused if the world changed since)',
    input: LibraryRef.extend({ previewId: Id }).strict(),
    output: ActionCommitResult,
  }),
  /**
   * Reverses a committed action. Fails with `NOT_FOUND`, `CONFLICT` (not committed, already undone, or the
   * world changed since the commit — named), `NOT_SUPPORTED` (irreversible, or the platform cannot restore).
   *
   * @example
   * invoke('actions.undo', { libraryId, auditId }) // → the audit row, status 'undone'
   */
  'actions.undo': action({
    summary: 'Undo a committed, reversible action',
    input: LibraryRef.extend({ auditId: Id }).strict(),
    output: ActionAuditEntry,
  }),
  /**
   * The actions that can be previewed (core and extensions).
   *
   * @example
   * invoke('actions.list', { libraryId }) // → [{ name: 'files.move', owner: 'core', reversible: true, … }, …]
   */
  'actions.list': query({
    summary: 'List the actions that can be previewed and committed',
    input: LibraryRef.strict(),
    output: z.array(ActionInfo),
  }),
  /**
   * The audit log, newest first, paged. Uncommitted previews are left out unless `includePreviews`.
   *
   * @example
   * invoke('actions.history', { libraryId, limit: 20 }) // → { items: [{ action: 'files.trash', status: 'undone', … }], total: 7 }
   */
  'actions.history': query({
    summary: 'The audit log of committed actions, newest first',
    input: LibraryRef.extend({
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(50),
      status: z.array(ActionStatus).optional(),
      includePreviews: z.boolean().default(false),
    }).strict(),
    output: z.object({ items: z.array(ActionAuditEntry), total: z.number() }),
  }),
  /**
   * One audit row (or preview) by id. Fails with `NOT_FOUND`.
   *
   * @example
   * invoke('actions.get', { libraryId, auditId })
   */
  'actions.get': query({
    summary: 'One audit row or preview',
    input: LibraryRef.extend({ auditId: Id }).strict(),
    output: ActionAuditEntry,
  }),
} as const;

export const actionEvents = {
  /** An audit row changed status (previewed, committed, verified, failed, undone, …). */
  'actions.onDidChange': z.object({ libraryId: Id, auditId: Id, action: z.string(), status: ActionStatus }),
} as const;
