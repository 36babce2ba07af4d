import { z } from 'zod';
import { ExtensionId, Manifest, PERMISSION_TYPES, SemVer } from '../extensions/manifest.js';
import { Id, LibraryRef, PathString } from './common.js';
import { action, query } from './define.js';
import { ExtensionInfo, ExtensionState, GrantChoice } from './extensions.js';

/**
 * The Extension Store: catalogs (the one bundled with the app, plus catalog URLs the user adds), what each
 * offers beside what a library has installed, and installing or updating from them. Packages are always
 * fetched and checked against the catalog (size, sha256, publisher signature) before the installer sees
 * them. The handlers live in `extension-host/store` and are supplied by the shells (`CoreOptions.store`).
 * See docs/extension-runtime.md ("Extension Store").
 */

/**
 * How far a package can be trusted, shown before install:
 * `verified` signed by a publisher the catalog lists, signature checked;
 * `bundled` shipped inside Cairn itself (the bundled catalog folder);
 * `unsigned` no signature, nobody vouches for it;
 * `unknown-publisher` signed, but by a key no catalog knows.
 */
export const TRUST_LEVELS = ['verified', 'bundled', 'unsigned', 'unknown-publisher'] as const;
export const TrustLevel = z.enum(TRUST_LEVELS);
export type TrustLevelName = z.infer<typeof TrustLevel>;

/** One declared permission in plain words (see `describePermission` in src-shared/extensions/describe-permission.ts). */
export const PermissionDescription = z.object({
  /** Index in `manifest.permissions` (what `GrantChoice.permission` takes). */
  index: z.number().int().min(0),
  type: z.enum(PERMISSION_TYPES),
  /** What it allows, e.g. "Read photos (*.jpg, *.png, *.heic) in folders you choose". */
  title: z.string(),
  /** The extension's own reason, from its manifest. */
  reason: z.string(),
  optional: z.boolean(),
  /** File permissions: the user picks folders; nothing outside them is visible. */
  needsFolders: z.boolean(),
  /** For an optional permission: what declining it means. Null for required ones. */
  ifDeclined: z.string().nullable(),
});
export type PermissionDescription = z.infer<typeof PermissionDescription>;

/** A catalog source: the bundled folder (always present, cannot be removed) or a URL from the home's config. */
export const StoreSource = z.object({
  /** `bundled`, or the catalog URL itself. */
  id: z.string(),
  kind: z.enum(['bundled', 'url']),
  /** Folder path (bundled) or URL. */
  location: z.string(),
  removable: z.boolean(),
});
export type StoreSource = z.infer<typeof StoreSource>;

/** How one source fared when the catalog was loaded: an unreachable URL does not hide the others. */
export const StoreSourceStatus = StoreSource.extend({
  /** The catalog's own name, when it loaded. */
  name: z.string().nullable(),
  extensionCount: z.number().int(),
  /** Why it could not be loaded (plain words), else null. */
  error: z.string().nullable(),
});

export const StoreVersion = z.object({
  version: SemVer,
  min_core_version: SemVer,
  /** This core is new enough. */
  compatible: z.boolean(),
  size: z.number().int(),
  permissions: z.array(PermissionDescription),
  revoked: z.boolean(),
  revokedReason: z.string().nullable(),
  releasedAt: z.string().nullable(),
  changelog: z.string().nullable(),
  /** The source (StoreSource.id) this version comes from. */
  sourceId: z.string(),
  /** Trust for this version, judged from the catalog (signature over the listed sha256). */
  trust: TrustLevel,
  warnings: z.array(z.string()),
});
export type StoreVersion = z.infer<typeof StoreVersion>;

export const StoreEntry = z.object({
  id: ExtensionId,
  name: z.string(),
  publisher: z.string(),
  description: z.string(),
  categories: z.array(z.string()),
  /** `/ext-asset/catalog/<extensionId>/<icon>` to fetch from the shell, or null. */
  iconUrl: z.string().nullable(),
  /** Every source that lists it (the first one wins for a version listed twice). */
  sources: z.array(z.string()),
  /** The newest non-revoked version this core can run (what install/update picks by default), or null. */
  latest: StoreVersion.nullable(),
  /** All listed versions, newest first. */
  versions: z.array(StoreVersion),
  /** Convenience copies from `latest` (or the newest version when none is compatible). */
  size: z.number().int(),
  trust: TrustLevel,
  warnings: z.array(z.string()),
  /** What this library has installed, or null. */
  installed: z
    .object({ version: SemVer, enabled: z.boolean(), state: ExtensionState, stateReason: z.string().nullable(), pendingVersion: SemVer.nullable() })
    .nullable(),
  /** The newer compatible version, when the installed one is older. */
  updateAvailable: SemVer.nullable(),
  /** The installed version was withdrawn by the catalog. */
  revoked: z.boolean(),
  revokedReason: z.string().nullable(),
});
export type StoreEntry = z.infer<typeof StoreEntry>;

/** An install or update from the store, with what the package was judged. */
export const StoreInstallResult = z.object({
  extension: ExtensionInfo,
  trust: TrustLevel,
  warnings: z.array(z.string()),
  /** An update that adds permissions is held until `extensions.consent`. */
  held: z.boolean(),
});

/** A .cairnext file read and judged without installing it. */
export const StoreFilePreview = z.object({
  manifest: Manifest,
  permissions: z.array(PermissionDescription),
  trust: TrustLevel,
  warnings: z.array(z.string()),
  sha256: z.string(),
  signedBy: z.string().nullable(),
  installedVersion: SemVer.nullable(),
  /** Problems that would stop the install here (core too old, missing feature, already newer); empty when it can go ahead. */
  problems: z.array(z.string()),
});

const SourceUrl = z
  .string()
  .max(2000)
  .regex(/^https?:\/\/[^\s]+$/i, 'a catalog source is an http(s) URL');

export const storeOperations = {
  /**
   * Every source's catalog merged into one list, beside this library's installed extensions. Runs
   * `store.checkRevocations` as a side effect (installed versions a catalog revoked get disabled).
   * Failure modes: a source that cannot be loaded is reported in `sources[].error`, never fails the list.
   * @example await call('store.catalog', { libraryId }) // → { extensions: [{ id: 'com.cairn.hello-tags', latest: {...}, installed: null, ... }], sources: [...] }
   */
  'store.catalog': query({
    summary: 'The merged catalog of every source, with what this library has installed, updates and revocations',
    input: LibraryRef.strict(),
    output: z.object({ extensions: z.array(StoreEntry), sources: z.array(StoreSourceStatus) }),
  }),
  /**
   * The catalog sources: the bundled folder first, then the URLs kept in the home's config.
   * @example await call('store.sources', {}) // → [{ id: 'bundled', kind: 'bundled', ... }]
   */
  'store.sources': query({ summary: 'The catalog sources: the bundled folder and the URLs the user added', input: z.object({}).strict(), output: z.array(StoreSource) }),
  /**
   * Adds a catalog URL (http or https). Fails with `VALIDATION` for anything else, `CONFLICT` when already present.
   * @example await call('store.addSource', { url: 'https://ext.example.org/catalog.json' })
   */
  'store.addSource': action({ summary: 'Add a catalog URL', input: z.object({ url: SourceUrl }).strict(), output: z.array(StoreSource) }),
  /**
   * Removes a catalog URL. Fails with `NOT_FOUND` when it is not a source, `PERMISSION_DENIED` for the bundled one.
   * @example await call('store.removeSource', { url: 'https://ext.example.org/catalog.json' })
   */
  'store.removeSource': action({ summary: 'Remove a catalog URL (the bundled catalog stays)', input: z.object({ url: z.string().max(2000) }).strict(), output: z.array(StoreSource) }),
  /**
   * Downloads the version (default: newest compatible), checks size, sha256 and signature against the catalog,
   * checks that the package is the extension and version the catalog promised with the same permissions, then
   * installs it with the given grants. Failure modes: `NOT_FOUND` (not in any catalog / no such version),
   * `CONFLICT` (checksum, size, signature or manifest mismatch: nothing is installed; or already installed),
   * `PERMISSION_DENIED` (revoked version), `NOT_SUPPORTED` (core too old, missing feature), `VALIDATION` (bad grants), `IO` (unreachable).
   * @example await call('store.install', { libraryId, extensionId: 'com.cairn.hello-tags', grants: [{ permission: 0, scopes: [{ locationId }] }] })
   */
  'store.install': action({
    summary: 'Install an extension from the store: fetched, verified against the catalog, then installed with the chosen grants',
    input: LibraryRef.extend({ extensionId: ExtensionId, version: SemVer.optional(), sourceId: z.string().max(2000).optional(), grants: z.array(GrantChoice).max(50).optional() }).strict(),
    output: StoreInstallResult,
  }),
  /**
   * Upgrades an installed extension to a catalog version (default: newest compatible), verified as for install.
   * Grants and data stay; an update that asks for new permissions is held (`held: true`) until
   * `extensions.consent`. Failure modes: as `store.install`, plus `NOT_FOUND` when not installed and
   * `CONFLICT` when that version is not newer.
   * @example await call('store.update', { libraryId, extensionId: 'com.cairn.hello-tags' })
   */
  'store.update': action({
    summary: 'Update an installed extension from the store (held for consent when it asks for new permissions)',
    input: LibraryRef.extend({ extensionId: ExtensionId, version: SemVer.optional(), sourceId: z.string().max(2000).optional() }).strict(),
    output: StoreInstallResult,
  }),
  /**
   * Reads a .cairnext file and says what installing it would mean: permissions in plain words, trust
   * (`unsigned` or `unknown-publisher` with a warning, `verified` when signed by a publisher a catalog lists)
   * and problems. Installs nothing. Fails with `NOT_FOUND` (no file) or `VALIDATION` (not a valid package).
   * @example await call('store.inspectFile', { libraryId, path: '/tmp/hello.cairnext' })
   */
  'store.inspectFile': query({
    summary: 'Read a .cairnext file and show its manifest, permissions in plain words and trust, without installing',
    input: z.object({ path: PathString, libraryId: Id.optional() }).strict(),
    output: StoreFilePreview,
  }),
  /**
   * Installs a .cairnext file from disk (the user confirmed `store.inspectFile`'s preview), or upgrades when
   * an older version is installed (held for consent when it adds permissions). Failure modes: those of
   * `extensions.install` / `extensions.upgrade`.
   * @example await call('store.installFromFile', { libraryId, path: '/tmp/hello.cairnext', grants: [] })
   */
  'store.installFromFile': action({
    summary: 'Install (or upgrade to) a .cairnext file from disk',
    input: LibraryRef.extend({ path: PathString, grants: z.array(GrantChoice).max(50).optional() }).strict(),
    output: StoreInstallResult,
  }),
  /**
   * Loads every catalog and disables each installed extension whose installed version a catalog revoked,
   * with the catalog's explanation as its state reason. Sources that fail to load are skipped.
   * @example await call('store.checkRevocations', { libraryId }) // → { disabled: [{ id, version, reason }] }
   */
  'store.checkRevocations': action({
    summary: 'Disable installed versions that a catalog revoked, with its explanation',
    input: LibraryRef.strict(),
    output: z.object({ disabled: z.array(z.object({ id: ExtensionId, version: SemVer, reason: z.string() })) }),
  }),
} as const;
