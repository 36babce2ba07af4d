import { z } from 'zod';
import { ExtensionId, FileScope, Manifest, Permission, PERMISSION_TYPES, SemVer, Setting } from '../extensions/manifest.js';
import { Id, LibraryRef, PathString, Timestamp } from './common.js';
import { action, query } from './define.js';

/**
 * Installed extensions, per library: install, upgrade (with consent to new permissions), rollback,
 * enable/disable, grants, settings, uninstall. The handlers live in `extension-host/packages` and are
 * supplied by the shells (the core does not import the extension host). See docs/extension-runtime.md.
 */

/** `active`: runs; `held`: an upgrade awaits consent to new permissions (nothing runs meanwhile); `revoked`: withdrawn by the catalog. */
export const EXTENSION_STATES = ['active', 'held', 'revoked'] as const;
export const ExtensionState = z.enum(EXTENSION_STATES);

/** One declared permission: by its index in `manifest.permissions`, or by its type when the manifest declares it once. */
export const PermissionRef = z.union([z.number().int().min(0).max(49), z.enum(PERMISSION_TYPES)]);

const ScopeInput = z.object({ locationId: Id, subpath: z.string().max(4096).optional() }).strict();

/** The user's decision on one permission. Required permissions cannot be declined (`granted: false` fails). */
export const GrantChoice = z
  .object({
    permission: PermissionRef,
    granted: z.boolean().optional(),
    /** Folders for file permissions (ReadEntries, ReadSidecars, WriteSidecars); other permissions take none. */
    scopes: z.array(ScopeInput).max(100).optional(),
  })
  .strict();
export type GrantChoiceInput = z.infer<typeof GrantChoice>;

export const SettingValue = z.union([z.boolean(), z.number(), z.string().max(10_000)]);

/** A declared permission beside what the user granted and whether it has any effect. */
export const ExtensionPermission = z.object({
  index: z.number(),
  permission: Permission,
  granted: z.boolean(),
  scopes: z.array(FileScope),
  /** Granted, and for file permissions at least one folder chosen. */
  effective: z.boolean(),
  /** Why it has no effect (`declined`, `revoked`, `granted, but no folder chosen yet`), else null. */
  note: z.string().nullable(),
});
export type ExtensionPermission = z.infer<typeof ExtensionPermission>;

export const ExtensionSummary = z.object({
  id: ExtensionId,
  name: z.string(),
  version: SemVer,
  publisher: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  state: ExtensionState,
  stateReason: z.string().nullable(),
  /** The version an upgrade is holding for consent. */
  pendingVersion: SemVer.nullable(),
  /** The version `extensions.rollback` returns to. */
  previousVersion: SemVer.nullable(),
  /** The publisher key fingerprint (`ed25519:…`) when the package was signed, else null (unsigned). */
  signedBy: z.string().nullable(),
  installedAt: Timestamp,
  updatedAt: Timestamp,
});
export type ExtensionSummary = z.infer<typeof ExtensionSummary>;

export const ExtensionInfo = ExtensionSummary.extend({
  manifest: Manifest,
  permissions: z.array(ExtensionPermission),
  /** The held upgrade: its manifest and the permissions it adds, which need consent. */
  pending: z.object({ version: SemVer, manifest: Manifest, addedPermissions: z.array(z.object({ index: z.number(), permission: Permission })) }).nullable(),
  settings: z.record(z.string(), SettingValue),
  /** Where the active version's files are. */
  folder: z.string(),
});
export type ExtensionInfo = z.infer<typeof ExtensionInfo>;

export const ExtensionSettings = z.object({
  /** Effective values: defaults overlaid with the user's. */
  values: z.record(z.string(), SettingValue),
  declarations: z.record(z.string(), Setting),
});

/** A package read and checked without installing it (what the install dialog shows). */
export const PackagePreview = z.object({
  manifest: Manifest,
  sha256: z.string(),
  signedBy: z.string().nullable(),
  /** The installed version in that library, when `libraryId` was given and it is installed. */
  installedVersion: SemVer.nullable(),
  /** Problems that would stop the install here (core too old, missing feature), else empty. */
  problems: z.array(z.string()),
});

/** One line of an extension's audit trail, as `extensions.activity` returns it. */
export const ExtensionActivityItem = z.object({
  /** When it happened (ISO-8601). */
  at: Timestamp,
  /** The operation the extension called, e.g. `entries.list`. */
  method: z.string(),
  /** False for a denial. */
  allowed: z.boolean(),
  /** `OK` when allowed, else the error code (`PERMISSION_DENIED`, …). */
  code: z.string(),
  /** Why it was denied (empty when allowed). */
  message: z.string(),
  /** The capability that was missing, when a capability check failed. */
  capability: z.string().nullable(),
});
export type ExtensionActivityItem = z.infer<typeof ExtensionActivityItem>;

export const ExtensionActivityPage = z.object({
  items: z.array(ExtensionActivityItem),
  /** Matching lines in the whole trail (all rotated files), for paging. */
  total: z.number(),
  /** Lines of the trail that could not be read (cut short by a crash): skipped, not fatal. */
  skipped: z.number(),
});
export type ExtensionActivityPage = z.infer<typeof ExtensionActivityPage>;

const ExtRef = LibraryRef.extend({ id: ExtensionId }).strict();

const Fraction = z.number().min(0).max(1);

/**
 * One option of an action's `choice` parameter, as the extension listed it: the `value` sent back in the
 * action's params, the words shown, and optionally a picture (a content's thumbnail, cropped to `crop`, given
 * as fractions of the image). Validated on the way out of the guest: at most 500 options, bounded strings,
 * crop inside the image; images of contents the extension cannot see are dropped.
 *
 * @example
 * { value: '3f…:0', label: 'Face 1', image: { contentId: '3f…', crop: { x: 0.25, y: 0.1, width: 0.5, height: 0.5 } } }
 */
export const ActionOption = z
  .object({
    value: z.string().min(1).max(200),
    label: z.string().max(200),
    image: z
      .object({
        contentId: Id,
        crop: z
          .object({ x: Fraction, y: Fraction, width: Fraction.positive(), height: Fraction.positive() })
          .strict()
          .refine((c) => c.x + c.width <= 1.0001 && c.y + c.height <= 1.0001, 'the crop must lie inside the image')
          .nullable()
          .default(null),
      })
      .strict()
      .nullable()
      .default(null),
  })
  .strict();
export type ActionOption = z.infer<typeof ActionOption>;
const GrantInput = ExtRef.extend({ permission: PermissionRef, scopes: z.array(ScopeInput).max(100).optional() }).strict();

export const EXTENSION_CHANGES = ['installed', 'upgraded', 'held', 'consented', 'declined', 'rolledBack', 'enabled', 'disabled', 'granted', 'revoked', 'settings', 'uninstalled'] as const;

export const extensionOperations = {
  'extensions.list': query({ summary: 'List the extensions installed in a library', input: LibraryRef.strict(), output: z.array(ExtensionSummary) }),
  'extensions.info': query({ summary: 'One installed extension: manifest, grants, settings, held upgrade', input: ExtRef, output: ExtensionInfo }),
  'extensions.inspectPackage': query({
    summary: 'Read and check a .cairnext file without installing it (for the install dialog)',
    input: z.object({ path: PathString, libraryId: Id.optional() }).strict(),
    output: PackagePreview,
  }),
  'extensions.install': action({
    summary: 'Install a .cairnext package atomically: verified, checked against this core, recorded, then moved into place',
    input: LibraryRef.extend({ path: PathString, grants: z.array(GrantChoice).max(50).optional() }).strict(),
    output: ExtensionInfo,
  }),
  'extensions.upgrade': action({
    summary: 'Upgrade to a newer package; grants and data stay. New permissions hold it until extensions.consent',
    input: LibraryRef.extend({ path: PathString }).strict(),
    output: ExtensionInfo,
  }),
  'extensions.consent': action({
    summary: 'Accept (with grants) or decline the permissions a held upgrade asks for',
    input: ExtRef.extend({ accept: z.boolean(), grants: z.array(GrantChoice).max(50).optional() }).strict(),
    output: ExtensionInfo,
  }),
  'extensions.rollback': action({ summary: 'Return to the previously installed version', input: ExtRef, output: ExtensionInfo }),
  'extensions.grant': action({ summary: 'Grant a declared permission, or add folders to a file permission', input: GrantInput, output: ExtensionInfo }),
  'extensions.revoke': action({ summary: 'Revoke a permission, or only some of its folders', input: GrantInput, output: ExtensionInfo }),
  'extensions.enable': action({ summary: 'Let an installed extension run again', input: ExtRef, output: ExtensionInfo }),
  'extensions.disable': action({ summary: 'Stop an extension from running without uninstalling it', input: ExtRef, output: ExtensionInfo }),
  'extensions.uninstall': action({
    summary: "Remove an extension's code; keepData: false also deletes its models and their blobs",
    input: ExtRef.extend({ keepData: z.boolean() }).strict(),
    output: z.object({ id: ExtensionId, removedModels: z.number(), releasedBlobs: z.number() }),
  }),
  'extensions.getSettings': query({ summary: "An extension's settings with their declarations", input: ExtRef, output: ExtensionSettings }),
  'extensions.setSettings': action({
    summary: 'Change some settings (checked against the manifest: type, range, options)',
    input: ExtRef.extend({ values: z.record(z.string().max(64), SettingValue) }).strict(),
    output: ExtensionSettings,
  }),
  /**
   * What an extension did through the host, from its audit trail (`<library>/logs/extension/<id>/trail*.jsonl`,
   * read across its rotated files): the writes it was allowed and every call that was denied, with the reason.
   * Newest first, paged by `offset`/`limit`; `deniedOnly` keeps the denials. Lines that cannot be parsed are
   * skipped and counted in `skipped`.
   *
   * Failure modes: NOT_FOUND when the extension is not installed in that library; VALIDATION for a bad page.
   *
   * @example
   * invoke('extensions.activity', { libraryId, id: 'com.example.photos', deniedOnly: true, limit: 20 })
   * // → { items: [{ at, method: 'entries.list', allowed: false, code: 'PERMISSION_DENIED', message: '…', capability: 'ReadEntries' }], total: 1, skipped: 0 }
   */
  'extensions.activity': query({
    summary: "An extension's recent activity from its audit trail: allowed writes and denials, newest first",
    input: ExtRef.extend({
      offset: z.number().int().min(0).max(1_000_000).default(0),
      limit: z.number().int().min(1).max(500).default(50),
      deniedOnly: z.boolean().default(false),
    }).strict(),
    output: ExtensionActivityPage,
  }),
  'extensions.actionOptions': query({
    summary: "The options of an extension action's choice parameter (provided by the extension runtime)",
    input: ExtRef.extend({
      action: z.string().min(1).max(64),
      /** The `choice` param asked about. */
      param: z.string().min(1).max(64),
      /** The params known so far (e.g. the model the action was started on). */
      params: z.record(z.string(), z.unknown()).default({}),
      entryIds: z.array(z.string().min(1).max(128)).max(1000).default([]),
    }).strict(),
    output: z.object({ options: z.array(ActionOption) }),
  }),
  'extensions.runJob': action({
    summary: 'Start a job an extension declares (provided by the extension runtime)',
    input: ExtRef.extend({ job: z.string().min(1).max(64), input: z.unknown().optional() }).strict(),
    output: z.object({ jobId: Id }),
  }),
} as const;

export const extensionEvents = {
  /** An extension was installed, upgraded, held, rolled back, enabled, disabled, re-granted, reconfigured or removed. */
  'extensions.onDidChange': z.object({ libraryId: Id, id: ExtensionId, change: z.enum(EXTENSION_CHANGES) }),
} as const;
