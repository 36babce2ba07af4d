import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import type { EXTENSION_CHANGES, ExtensionInfo, ExtensionSummary } from '../../src-shared/contract/index.js';
import { CairnError } from '../../src-shared/errors.js';
import { Manifest, PermissionGrant } from '../../src-shared/extensions/manifest.js';
import { APP_VERSION } from '../../src-main/core/app-info.js';
import type { Library } from '../../src-main/core/library/library.js';
import { missingFeatures, SUPPORTED_CORE_FEATURES } from './core-features.js';
import {
  applyChoices,
  carryGrants,
  grantEffect,
  initialGrants,
  isFilePermission,
  resolvePermission,
  validateScopes,
  type GrantChoice,
  type LocationInfo,
  type PermissionRef,
} from './extension-grants.js';
import { defaultSettings, effectiveSettings, validateSettings, type SettingValues } from './extension-settings.js';
import type { PackageLimits } from './package-format.js';
import { readPackage, readPackageFolder, type ExtensionPackage } from './read-package.js';

/** The library an installer works on: its id, folder and SQLite connection. */
export type InstallerLibrary = Pick<Library, 'id' | 'path' | 'raw'>;

export type ExtensionChange = (typeof EXTENSION_CHANGES)[number];

/** Named points of an install or upgrade, where tests inject failures (see `faults`). */
export type InstallStep = 'read' | 'check' | 'stage' | 'verify' | 'record' | 'rename';

export interface ExtensionInstallerOptions {
  /** The running core's version, compared with `min_core_version` (default: package.json's). */
  coreVersion?: string;
  /** The features this core provides (default {@link SUPPORTED_CORE_FEATURES}). */
  features?: readonly string[];
  limits?: Partial<PackageLimits>;
  /** Told after every change that committed. */
  onChange?: (libraryId: string, id: string, change: ExtensionChange) => void;
  /** Test hook: called at each {@link InstallStep}; throwing there simulates a failure at that point. */
  faults?: (step: InstallStep) => void;
}

interface InstallRow {
  id: string;
  version: string;
  previous_version: string | null;
  manifest: string;
  enabled: number;
  state: 'active' | 'held' | 'revoked';
  state_reason: string | null;
  pending_version: string | null;
  package_sha256: string;
  signed_by: string | null;
  installed_at: string;
  updated_at: string;
}

/** What `versions.json` (beside the version folders) records for each version on disk. */
interface VersionRecord {
  sha256: string;
  signedBy: string | null;
  storedAt: string;
}

const VERSIONS_FILE = 'versions.json';
const STALE_MS = 10 * 60 * 1000;

/**
 * Installs, upgrades, rolls back and removes extension packages in one library, and keeps their grants and
 * settings. Files live in `<library>/extensions/<id>/<version>/`; the rows in `extension_installs`,
 * `extension_grants` and `extension_settings` say which version is active.
 *
 * Every change is atomic. An install stages the package in `extensions/.staging-<random>/`, re-verifies the
 * staged files (hashes, signature), checks the core version and features, then records the install, the
 * grants and the default settings in one transaction and renames the staged folder into place inside that
 * transaction: any failure rolls the rows back and removes the folders, leaving the library as it was.
 *
 * Failure modes (as `CairnError`): `VALIDATION` (bad package, bad grant or setting), `CONFLICT` (already
 * installed, not newer, upgrade awaiting consent, concurrent change), `NOT_FOUND` (not installed, no
 * previous version, unknown location), `NOT_SUPPORTED` (core too old, missing feature), `IO`.
 *
 * @example
 * const installer = new ExtensionInstaller();
 * await installer.install(lib, '/downloads/hello-1.0.0.cairnext', [{ permission: 'ReadEntries', scopes: [{ locationId }] }]);
 * installer.disable(lib, 'com.example.hello');
 */
export class ExtensionInstaller {
  readonly #coreVersion: string;
  readonly #features: readonly string[];
  readonly #limits: Partial<PackageLimits>;
  readonly #onChange: ExtensionInstallerOptions['onChange'];
  readonly #faults: (step: InstallStep) => void;

  constructor(options: ExtensionInstallerOptions = {}) {
    this.#coreVersion = options.coreVersion ?? APP_VERSION;
    this.#features = options.features ?? SUPPORTED_CORE_FEATURES;
    this.#limits = options.limits ?? {};
    this.#onChange = options.onChange;
    this.#faults = options.faults ?? (() => undefined);
  }

  /** Reads and checks a package without installing it, and says what would stop an install here. */
  async inspect(source: Buffer | string, lib?: InstallerLibrary): Promise<{ pkg: ExtensionPackage; problems: string[]; installedVersion: string | null }> {
    const pkg = await readPackage(source, { limits: this.#limits });
    const problems: string[] = [];
    try {
      this.#checkCompatible(pkg.manifest);
    } catch (error) {
      problems.push((error as Error).message);
    }
    const row = lib ? this.#row(lib, pkg.manifest.id) : undefined;
    return { pkg, problems, installedVersion: row?.version ?? null };
  }

  /**
   * Installs a package that is not yet installed in this library. Required permissions are granted,
   * optional ones only when `choices` grant them; file permissions get the folders `choices` give.
   *
   * Failure modes: `CONFLICT` when the id is already installed (use {@link upgrade}); see the class doc.
   */
  async install(lib: InstallerLibrary, source: Buffer | string, choices: readonly GrantChoice[] = []): Promise<ExtensionInfo> {
    this.#sweep(lib);
    const pkg = await readPackage(source, { limits: this.#limits });
    this.#faults('read');
    const { manifest } = pkg;
    if (this.#row(lib, manifest.id)) {
      throw new CairnError('CONFLICT', `${manifest.name} (${manifest.id}) is already installed in this library; upgrade it instead.`);
    }
    this.#checkCompatible(manifest);
    const grants = initialGrants(manifest, choices, this.#locations(lib));
    this.#faults('check');

    const root = extensionsDir(lib);
    const staging = this.#stage(lib, pkg, true);
    const finalDir = path.join(root, manifest.id);
    const done = { moved: false };
    let aside: string | null = null;
    try {
      const verified = await this.#verifyStaged(path.join(staging, manifest.version), pkg);
      this.#faults('verify');
      if (fs.existsSync(finalDir)) {
        // Left by a crash (there is no row): move it aside, restored if this install fails.
        aside = path.join(root, `.trash-${randomBytes(6).toString('hex')}`);
        fs.renameSync(finalDir, aside);
      }
      const now = new Date().toISOString();
      lib.raw.transaction(() => {
        if (this.#row(lib, manifest.id)) throw new CairnError('CONFLICT', `${manifest.id} was installed meanwhile; upgrade it instead.`);
        lib.raw
          .prepare(
            `INSERT INTO extension_installs (id, version, previous_version, manifest, enabled, state, package_sha256, signed_by, installed_at, updated_at)
             VALUES (?, ?, NULL, ?, 1, 'active', ?, ?, ?, ?)`,
          )
          .run(manifest.id, manifest.version, JSON.stringify(verified.manifest), pkg.sha256, pkg.signer?.fingerprint ?? null, now, now);
        this.#faults('record');
        lib.raw.prepare('INSERT INTO extension_grants (extension_id, grants, updated_at) VALUES (?, ?, ?)').run(manifest.id, JSON.stringify(grants), now);
        lib.raw.prepare('INSERT INTO extension_settings (extension_id, settings, updated_at) VALUES (?, ?, ?)').run(manifest.id, JSON.stringify(defaultSettings(manifest)), now);
        fs.renameSync(staging, finalDir);
        done.moved = true;
        this.#faults('rename');
      })();
    } catch (error) {
      if (done.moved) fs.rmSync(finalDir, { recursive: true, force: true });
      if (aside) fs.renameSync(aside, finalDir);
      throw error;
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    if (aside) fs.rmSync(aside, { recursive: true, force: true });
    this.#changed(lib, manifest.id, 'installed');
    return this.info(lib, manifest.id);
  }

  /**
   * Upgrades an installed extension to a newer package. Grants carry over to the permissions both versions
   * declare; models, blobs and settings stay. When the new version declares permissions the old one did
   * not, the upgrade is held: the extension goes to state `held` (it does not run) with `pendingVersion`
   * set, until {@link consent} accepts or declines. The replaced version stays on disk for {@link rollback}.
   *
   * Failure modes: `NOT_FOUND` (not installed), `CONFLICT` (not newer, or an upgrade already awaits consent).
   */
  async upgrade(lib: InstallerLibrary, source: Buffer | string): Promise<ExtensionInfo> {
    this.#sweep(lib);
    const pkg = await readPackage(source, { limits: this.#limits });
    this.#faults('read');
    const { manifest } = pkg;
    const row = this.#requireRow(lib, manifest.id);
    if (row.state === 'held') throw new CairnError('CONFLICT', `An upgrade of ${manifest.id} to ${row.pending_version} awaits consent; accept or decline it first.`);
    if (!semver.gt(manifest.version, row.version)) {
      throw new CairnError('CONFLICT', `${manifest.id} ${manifest.version} is not newer than the installed ${row.version}${semver.lt(manifest.version, row.version) ? '; use rollback to go back' : ''}.`);
    }
    this.#checkCompatible(manifest);
    const current = parseStoredManifest(row);
    const { grants, added } = carryGrants(current, this.#grants(lib, manifest.id), manifest);
    this.#faults('check');

    const extDir = path.join(extensionsDir(lib), manifest.id);
    const staging = this.#stage(lib, pkg, false);
    const versionDir = path.join(extDir, manifest.version);
    const versionsBefore = readVersions(extDir);
    const placed: { undo: (() => void) | null; commit: (() => void) | null } = { undo: null, commit: null };
    try {
      const verified = await this.#verifyStaged(staging, pkg);
      this.#faults('verify');
      const now = new Date().toISOString();
      lib.raw.transaction(() => {
        this.#expectUnchanged(lib, row);
        if (added.length > 0) {
          const what = added.map((i) => manifest.permissions[i]!.type).join(', ');
          lib.raw
            .prepare(`UPDATE extension_installs SET state = 'held', pending_version = ?, state_reason = ?, updated_at = ? WHERE id = ?`)
            .run(manifest.version, `Version ${manifest.version} asks for new permissions (${what}); it waits for your consent.`, now, manifest.id);
        } else {
          this.#activate(lib, row, verified.manifest, grants, { sha256: pkg.sha256!, signedBy: pkg.signer?.fingerprint ?? null }, now);
        }
        this.#faults('record');
        writeVersions(extDir, { ...versionsBefore, [manifest.version]: { sha256: pkg.sha256!, signedBy: pkg.signer?.fingerprint ?? null, storedAt: now } });
        Object.assign(placed, replaceDir(staging, versionDir));
        this.#faults('rename');
      })();
    } catch (error) {
      placed.undo?.();
      writeVersions(extDir, versionsBefore);
      throw error;
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    placed.commit?.();
    if (added.length === 0) this.#pruneVersions(lib, manifest.id);
    this.#changed(lib, manifest.id, added.length > 0 ? 'held' : 'upgraded');
    return this.info(lib, manifest.id);
  }

  /**
   * Answers a held upgrade. Accepting switches to the pending version: carried grants stay, the new
   * permissions are granted as `choices` say (required ones are granted by accepting; optional ones only
   * when chosen). Declining deletes the pending version and returns to the installed one, active again.
   *
   * Failure modes: `CONFLICT` when no upgrade is held; `VALIDATION` for choices about other permissions.
   */
  async consent(lib: InstallerLibrary, id: string, accept: boolean, choices: readonly GrantChoice[] = []): Promise<ExtensionInfo> {
    const row = this.#requireRow(lib, id);
    if (row.state !== 'held' || !row.pending_version) throw new CairnError('CONFLICT', `${id} has no upgrade waiting for consent.`);
    const extDir = path.join(extensionsDir(lib), id);
    const pendingDir = path.join(extDir, row.pending_version);
    const now = new Date().toISOString();
    if (!accept) {
      lib.raw.transaction(() => {
        this.#expectUnchanged(lib, row);
        lib.raw.prepare(`UPDATE extension_installs SET state = 'active', pending_version = NULL, state_reason = NULL, updated_at = ? WHERE id = ?`).run(now, id);
      })();
      fs.rmSync(pendingDir, { recursive: true, force: true });
      const versions = readVersions(extDir);
      delete versions[row.pending_version];
      writeVersions(extDir, versions);
      this.#changed(lib, id, 'declined');
      return this.info(lib, id);
    }
    const pending = await readPackageFolder(pendingDir, { limits: this.#limits });
    if (pending.manifest.id !== id || pending.manifest.version !== row.pending_version) {
      throw new CairnError('LIBRARY_CORRUPT', `The folder of ${id} ${row.pending_version} holds ${pending.manifest.id} ${pending.manifest.version}.`);
    }
    this.#checkCompatible(pending.manifest);
    const current = parseStoredManifest(row);
    const { grants, added } = carryGrants(current, this.#grants(lib, id), pending.manifest);
    for (const i of added) grants[i] = { ...grants[i]!, granted: !pending.manifest.permissions[i]!.optional };
    applyChoices(pending.manifest, grants, choices, this.#locations(lib), (i) => added.includes(i));
    const record = readVersions(extDir)[row.pending_version] ?? { sha256: row.package_sha256, signedBy: pending.signer?.fingerprint ?? null, storedAt: now };
    lib.raw.transaction(() => {
      this.#expectUnchanged(lib, row);
      this.#activate(lib, row, pending.manifest, grants, record, now);
    })();
    this.#pruneVersions(lib, id);
    this.#changed(lib, id, 'consented');
    return this.info(lib, id);
  }

  /**
   * Returns to the previously installed version (and a second rollback returns forward again). Grants of
   * permissions both versions declare stay; data and settings stay.
   *
   * Failure modes: `NOT_FOUND` when there is no previous version (or its folder is gone); `CONFLICT` while an
   * upgrade awaits consent.
   */
  async rollback(lib: InstallerLibrary, id: string): Promise<ExtensionInfo> {
    const row = this.#requireRow(lib, id);
    if (row.state === 'held') throw new CairnError('CONFLICT', `An upgrade of ${id} to ${row.pending_version} awaits consent; decline it to stay on ${row.version}.`);
    if (!row.previous_version) throw new CairnError('NOT_FOUND', `${id} has no previous version to roll back to.`);
    const extDir = path.join(extensionsDir(lib), id);
    const prevDir = path.join(extDir, row.previous_version);
    if (!fs.existsSync(prevDir)) throw new CairnError('NOT_FOUND', `The files of ${id} ${row.previous_version} are gone; it cannot be rolled back.`);
    const previous = await readPackageFolder(prevDir, { limits: this.#limits });
    if (previous.manifest.id !== id || previous.manifest.version !== row.previous_version) {
      throw new CairnError('LIBRARY_CORRUPT', `The folder of ${id} ${row.previous_version} holds ${previous.manifest.id} ${previous.manifest.version}.`);
    }
    this.#checkCompatible(previous.manifest);
    const { grants } = carryGrants(parseStoredManifest(row), this.#grants(lib, id), previous.manifest);
    const record = readVersions(extDir)[row.previous_version] ?? { sha256: 'unknown', signedBy: previous.signer?.fingerprint ?? null, storedAt: row.installed_at };
    lib.raw.transaction(() => {
      this.#expectUnchanged(lib, row);
      this.#activate(lib, row, previous.manifest, grants, record, new Date().toISOString());
    })();
    this.#changed(lib, id, 'rolledBack');
    return this.info(lib, id);
  }

  /**
   * Removes an extension's code, grants and settings. With `keepData`, its models and blobs stay (a later
   * install of the same id finds them); without, its models are deleted and their blob references released.
   *
   * Failure modes: `NOT_FOUND` when not installed.
   */
  uninstall(lib: InstallerLibrary, id: string, keepData: boolean): { id: string; removedModels: number; releasedBlobs: number } {
    this.#requireRow(lib, id);
    const extDir = path.join(extensionsDir(lib), id);
    const trash = path.join(extensionsDir(lib), `.trash-${randomBytes(6).toString('hex')}`);
    const hadFolder = fs.existsSync(extDir);
    if (hadFolder) fs.renameSync(extDir, trash);
    let removedModels = 0;
    let releasedBlobs = 0;
    try {
      lib.raw.transaction(() => {
        lib.raw.prepare('DELETE FROM extension_installs WHERE id = ?').run(id);
        if (!keepData) {
          const links = lib.raw
            .prepare('SELECT mb.blob_id AS blobId FROM model_blobs mb JOIN models m ON m.uuid = mb.model_uuid WHERE m.extension_id = ?')
            .all(id) as { blobId: number }[];
          // model_blobs, model_tags and collection items of these models go with them (ON DELETE CASCADE);
          // then each blob loses the references those links held, and goes when none is left.
          removedModels = lib.raw.prepare('DELETE FROM models WHERE extension_id = ?').run(id).changes;
          const decrement = lib.raw.prepare('UPDATE metadata_blobs SET reference_count = reference_count - 1 WHERE id = ? AND reference_count > 0');
          const drop = lib.raw.prepare('DELETE FROM metadata_blobs WHERE id = ? AND reference_count = 0');
          for (const { blobId } of links) {
            decrement.run(blobId);
            releasedBlobs += drop.run(blobId).changes;
          }
          lib.raw.prepare('DELETE FROM extension_usage WHERE extension_id = ?').run(id);
        }
      })();
    } catch (error) {
      if (hadFolder) fs.renameSync(trash, extDir);
      throw error;
    }
    fs.rmSync(trash, { recursive: true, force: true });
    this.#changed(lib, id, 'uninstalled');
    return { id, removedModels, releasedBlobs };
  }

  /** Lets a disabled extension run again. `NOT_FOUND` when not installed. */
  enable(lib: InstallerLibrary, id: string): ExtensionInfo {
    return this.#setEnabled(lib, id, true);
  }

  /** Stops an extension from running, keeping its code, grants, settings and data. `NOT_FOUND` when not installed. */
  disable(lib: InstallerLibrary, id: string): ExtensionInfo {
    return this.#setEnabled(lib, id, false);
  }

  /**
   * Marks the installed `version` of `id` as withdrawn by a catalog: state `revoked` with `reason` as the
   * state reason, so nothing of it runs (the permission guard and runtime only run `active` extensions).
   * Upgrading to a newer version makes it active again. Returns false (and changes nothing) when `id` is not
   * installed at that version or is already marked; a held upgrade is left for the user to answer first.
   *
   * @example
   * installer.markRevoked(lib, 'com.example.hello', '1.0.0', 'Deleted tags it should not have.');
   */
  markRevoked(lib: InstallerLibrary, id: string, version: string, reason: string): boolean {
    const changed = lib.raw
      .prepare(`UPDATE extension_installs SET state = 'revoked', state_reason = ?, updated_at = ? WHERE id = ? AND version = ? AND state = 'active'`)
      .run(`Withdrawn by the catalog: ${reason}`, new Date().toISOString(), id, version).changes;
    if (changed > 0) this.#changed(lib, id, 'disabled');
    return changed > 0;
  }

  /**
   * Grants a declared permission. For file permissions, `scopes` (at least one) are added to the folders
   * already granted; other permissions take no scopes.
   *
   * Failure modes: `VALIDATION` (unknown permission, file permission without folders, scopes on another
   * permission), `NOT_FOUND` (not installed, unknown location).
   */
  grant(lib: InstallerLibrary, id: string, ref: PermissionRef, scopes: readonly { locationId: string; subpath?: string }[] = []): ExtensionInfo {
    const row = this.#requireRow(lib, id);
    const manifest = parseStoredManifest(row);
    const index = resolvePermission(manifest, ref);
    const permission = manifest.permissions[index]!;
    const checked = validateScopes(scopes, this.#locations(lib));
    if (isFilePermission(permission.type) && checked.length === 0) {
      throw new CairnError('VALIDATION', `${permission.type} is about files: choose at least one folder (location, optionally a subfolder).`);
    }
    if (!isFilePermission(permission.type) && checked.length > 0) throw new CairnError('VALIDATION', `${permission.type} is not about files; it takes no folders.`);
    this.#updateGrants(lib, id, (grants) => {
      const old = grants.find((g) => g.index === index && g.type === permission.type);
      const merged = [...(old?.granted ? old.scopes : [])];
      for (const s of checked) if (!merged.some((m) => m.locationId === s.locationId && m.subpath === s.subpath)) merged.push(s);
      return replaceGrant(grants, { index, type: permission.type, granted: true, scopes: merged });
    });
    this.#changed(lib, id, 'granted');
    return this.info(lib, id);
  }

  /**
   * Revokes a permission, or with `scopes` only those folders (revoking the last folder revokes the
   * permission). The extension's very next call sees it. Required permissions can be revoked too; the
   * extension then fails the calls that need them.
   */
  revoke(lib: InstallerLibrary, id: string, ref: PermissionRef, scopes: readonly { locationId: string; subpath?: string }[] = []): ExtensionInfo {
    const row = this.#requireRow(lib, id);
    const manifest = parseStoredManifest(row);
    const index = resolvePermission(manifest, ref);
    const permission = manifest.permissions[index]!;
    const drop = validateScopes(scopes, this.#locations(lib));
    this.#updateGrants(lib, id, (grants) => {
      const old = grants.find((g) => g.index === index && g.type === permission.type);
      const left = drop.length === 0 ? [] : (old?.scopes ?? []).filter((s) => !drop.some((d) => d.locationId === s.locationId && d.subpath === s.subpath));
      const granted = drop.length > 0 && left.length > 0 && (old?.granted ?? false);
      return replaceGrant(grants, { index, type: permission.type, granted, scopes: granted ? left : [] });
    });
    this.#changed(lib, id, 'revoked');
    return this.info(lib, id);
  }

  /** The effective settings and their declarations. `NOT_FOUND` when not installed. */
  getSettings(lib: InstallerLibrary, id: string): { values: SettingValues; declarations: Manifest['settings'] } {
    const manifest = parseStoredManifest(this.#requireRow(lib, id));
    return { values: effectiveSettings(manifest, this.#storedSettings(lib, id)), declarations: manifest.settings };
  }

  /** Changes some settings after checking them against the manifest (`VALIDATION` names each bad key). */
  setSettings(lib: InstallerLibrary, id: string, values: Record<string, unknown>): { values: SettingValues; declarations: Manifest['settings'] } {
    const manifest = parseStoredManifest(this.#requireRow(lib, id));
    const checked = validateSettings(manifest, values);
    const merged = { ...effectiveSettings(manifest, this.#storedSettings(lib, id)), ...checked };
    lib.raw
      .prepare(
        `INSERT INTO extension_settings (extension_id, settings, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (extension_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
      )
      .run(id, JSON.stringify(merged), new Date().toISOString());
    this.#changed(lib, id, 'settings');
    return { values: merged, declarations: manifest.settings };
  }

  /** Every installed extension, by name. */
  list(lib: InstallerLibrary): ExtensionSummary[] {
    const rows = lib.raw.prepare('SELECT * FROM extension_installs').all() as InstallRow[];
    return rows.map((r) => summary(r)).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  /** One installed extension in full. `NOT_FOUND` when not installed. */
  info(lib: InstallerLibrary, id: string): ExtensionInfo {
    const row = this.#requireRow(lib, id);
    const manifest = parseStoredManifest(row);
    const grants = this.#grants(lib, id);
    const permissions = manifest.permissions.map((permission, index) => {
      const grant = grants.find((g) => g.index === index && g.type === permission.type);
      return { index, permission, granted: grant?.granted ?? false, scopes: grant?.granted ? grant.scopes : [], ...grantEffect(permission, grant) };
    });
    let pending: ExtensionInfo['pending'] = null;
    if (row.state === 'held' && row.pending_version) {
      try {
        const file = path.join(extensionsDir(lib), id, row.pending_version, 'manifest.json');
        const next = Manifest.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
        const { added } = carryGrants(manifest, grants, next);
        pending = { version: next.version, manifest: next, addedPermissions: added.map((i) => ({ index: i, permission: next.permissions[i]! })) };
      } catch {
        pending = null;
      }
    }
    return {
      ...summary(row, manifest),
      manifest,
      permissions,
      pending,
      settings: effectiveSettings(manifest, this.#storedSettings(lib, id)),
      folder: path.join(extensionsDir(lib), id, row.version),
    };
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────

  #checkCompatible(manifest: Manifest): void {
    if (!semver.gte(this.#coreVersion, manifest.min_core_version)) {
      throw new CairnError('NOT_SUPPORTED', `${manifest.name} ${manifest.version} needs Cairn ${manifest.min_core_version} or newer; this is ${this.#coreVersion}.`);
    }
    const missing = missingFeatures(manifest, this.#features);
    if (missing.length > 0) {
      throw new CairnError('NOT_SUPPORTED', `${manifest.name} ${manifest.version} needs ${missing.join(', ')}, which this version of Cairn does not provide.`);
    }
  }

  /** Writes the package into a fresh staging folder (as `<version>/` inside it when `nested`). */
  #stage(lib: InstallerLibrary, pkg: ExtensionPackage, nested: boolean): string {
    const root = extensionsDir(lib);
    fs.mkdirSync(root, { recursive: true });
    const staging = path.join(root, `.staging-${randomBytes(8).toString('hex')}`);
    fs.mkdirSync(staging);
    try {
      const base = nested ? path.join(staging, pkg.manifest.version) : staging;
      if (nested) {
        fs.mkdirSync(base);
        writeVersions(staging, { [pkg.manifest.version]: { sha256: pkg.sha256!, signedBy: pkg.signer?.fingerprint ?? null, storedAt: new Date().toISOString() } });
      }
      for (const [name, data] of pkg.files) {
        const target = path.join(base, ...name.split('/'));
        // Names were checked (no "..", no absolute paths); this guards the join anyway.
        if (!target.startsWith(base + path.sep)) throw new CairnError('VALIDATION', `Refusing to write outside the staging folder: ${name}`);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, data, { flag: 'wx' });
      }
      this.#faults('stage');
    } catch (error) {
      fs.rmSync(staging, { recursive: true, force: true });
      if (error instanceof CairnError) throw error;
      throw new CairnError('IO', `Cannot stage the package in ${root}: ${(error as Error).message}`, { cause: error });
    }
    return staging;
  }

  /** Re-reads the staged files and checks them as a package again (hashes, signature, manifest). */
  async #verifyStaged(dir: string, pkg: ExtensionPackage): Promise<ExtensionPackage> {
    const staged = await readPackageFolder(dir, { limits: this.#limits });
    if (staged.files.get('files.json')?.equals(pkg.files.get('files.json')!) !== true || staged.signer?.fingerprint !== pkg.signer?.fingerprint) {
      throw new CairnError('IO', 'The staged copy of the package differs from the package; the disk may be failing.');
    }
    return staged;
  }

  /** Makes `manifest` the active version (inside a transaction): row, grants and settings. */
  #activate(lib: InstallerLibrary, row: InstallRow, manifest: Manifest, grants: PermissionGrant[], record: Pick<VersionRecord, 'sha256' | 'signedBy'>, now: string): void {
    lib.raw
      .prepare(
        `UPDATE extension_installs SET version = ?, previous_version = ?, manifest = ?, state = 'active', state_reason = NULL, pending_version = NULL,
           package_sha256 = ?, signed_by = ?, updated_at = ? WHERE id = ?`,
      )
      .run(manifest.version, row.version, JSON.stringify(manifest), record.sha256, record.signedBy, now, row.id);
    lib.raw
      .prepare(
        `INSERT INTO extension_grants (extension_id, grants, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (extension_id) DO UPDATE SET grants = excluded.grants, updated_at = excluded.updated_at`,
      )
      .run(row.id, JSON.stringify(grants), now);
    const settings = effectiveSettings(manifest, this.#storedSettings(lib, row.id));
    lib.raw
      .prepare(
        `INSERT INTO extension_settings (extension_id, settings, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (extension_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
      )
      .run(row.id, JSON.stringify(settings), now);
  }

  /** Inside a transaction: refuse when another process changed the row since we read it. */
  #expectUnchanged(lib: InstallerLibrary, row: InstallRow): void {
    const now = this.#row(lib, row.id);
    if (!now || now.version !== row.version || now.state !== row.state || now.pending_version !== row.pending_version || now.updated_at !== row.updated_at) {
      throw new CairnError('CONFLICT', `${row.id} changed while this operation ran; try again.`);
    }
  }

  /** Keeps the active, previous and pending versions on disk; deletes older ones. */
  #pruneVersions(lib: InstallerLibrary, id: string): void {
    const row = this.#row(lib, id);
    if (!row) return;
    const keep = new Set([row.version, row.previous_version, row.pending_version].filter((v): v is string => v !== null));
    const extDir = path.join(extensionsDir(lib), id);
    const versions = readVersions(extDir);
    for (const entry of fs.readdirSync(extDir, { withFileTypes: true })) {
      if (entry.isDirectory() && !keep.has(entry.name)) {
        fs.rmSync(path.join(extDir, entry.name), { recursive: true, force: true });
        delete versions[entry.name];
      }
    }
    writeVersions(extDir, versions);
  }

  /** Removes staging and trash folders that crashed operations left (older than ten minutes). */
  #sweep(lib: InstallerLibrary): void {
    const root = extensionsDir(lib);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(root, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || !/^\.(staging|trash)-/.test(entry.name)) continue;
      const dir = path.join(root, entry.name);
      try {
        if (Date.now() - fs.statSync(dir).mtimeMs > STALE_MS) fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // another process removed it first
      }
    }
  }

  #setEnabled(lib: InstallerLibrary, id: string, enabled: boolean): ExtensionInfo {
    this.#requireRow(lib, id);
    lib.raw.prepare('UPDATE extension_installs SET enabled = ?, updated_at = ? WHERE id = ?').run(enabled ? 1 : 0, new Date().toISOString(), id);
    this.#changed(lib, id, enabled ? 'enabled' : 'disabled');
    return this.info(lib, id);
  }

  #updateGrants(lib: InstallerLibrary, id: string, update: (grants: PermissionGrant[]) => PermissionGrant[]): void {
    lib.raw.transaction(() => {
      const next = update(this.#grants(lib, id));
      lib.raw
        .prepare(
          `INSERT INTO extension_grants (extension_id, grants, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (extension_id) DO UPDATE SET grants = excluded.grants, updated_at = excluded.updated_at`,
        )
        .run(id, JSON.stringify(next), new Date().toISOString());
    })();
  }

  #row(lib: InstallerLibrary, id: string): InstallRow | undefined {
    return lib.raw.prepare('SELECT * FROM extension_installs WHERE id = ?').get(id) as InstallRow | undefined;
  }

  #requireRow(lib: InstallerLibrary, id: string): InstallRow {
    const row = this.#row(lib, id);
    if (!row) throw new CairnError('NOT_FOUND', `No extension ${id} is installed in this library.`);
    return row;
  }

  #grants(lib: InstallerLibrary, id: string): PermissionGrant[] {
    const row = lib.raw.prepare('SELECT grants FROM extension_grants WHERE extension_id = ?').get(id) as { grants: string } | undefined;
    if (!row) return [];
    const parsed = PermissionGrant.array().safeParse(safeJson(row.grants));
    return parsed.success ? parsed.data : [];
  }

  #storedSettings(lib: InstallerLibrary, id: string): Record<string, unknown> {
    const row = lib.raw.prepare('SELECT settings FROM extension_settings WHERE extension_id = ?').get(id) as { settings: string } | undefined;
    const value = row ? safeJson(row.settings) : {};
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  }

  #locations(lib: InstallerLibrary): LocationInfo[] {
    return lib.raw.prepare('SELECT id, name, path FROM locations').all() as LocationInfo[];
  }

  #changed(lib: InstallerLibrary, id: string, change: ExtensionChange): void {
    this.#onChange?.(lib.id, id, change);
  }
}

/** `<library>/extensions`. */
export function extensionsDir(lib: Pick<Library, 'path'>): string {
  return path.join(lib.path, 'extensions');
}

function summary(row: InstallRow, manifest: Manifest | null = null): ExtensionSummary {
  const m = manifest ?? safeManifest(row.manifest);
  return {
    id: row.id,
    name: m?.name ?? row.id,
    version: row.version,
    publisher: m?.publisher ?? '',
    description: m?.description ?? '',
    enabled: row.enabled === 1,
    state: row.state,
    stateReason: row.state_reason ?? (m ? null : 'its stored manifest is damaged'),
    pendingVersion: row.pending_version,
    previousVersion: row.previous_version,
    signedBy: row.signed_by,
    installedAt: row.installed_at,
    updatedAt: row.updated_at,
  };
}

function parseStoredManifest(row: InstallRow): Manifest {
  const m = safeManifest(row.manifest);
  if (!m) throw new CairnError('LIBRARY_CORRUPT', `The stored manifest of ${row.id} is damaged; uninstall and reinstall it.`);
  return m;
}

function safeManifest(text: string): Manifest | null {
  const parsed = Manifest.safeParse(safeJson(text));
  return parsed.success ? parsed.data : null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function replaceGrant(grants: PermissionGrant[], next: PermissionGrant): PermissionGrant[] {
  return [...grants.filter((g) => g.index !== next.index), next].sort((a, b) => a.index - b.index);
}

function readVersions(extDir: string): Record<string, VersionRecord> {
  try {
    const value = JSON.parse(fs.readFileSync(path.join(extDir, VERSIONS_FILE), 'utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, VersionRecord>) : {};
  } catch {
    return {};
  }
}

function writeVersions(extDir: string, versions: Record<string, VersionRecord>): void {
  if (!fs.existsSync(extDir)) return;
  const tmp = path.join(extDir, `.${VERSIONS_FILE}.${randomBytes(4).toString('hex')}`);
  fs.writeFileSync(tmp, JSON.stringify(versions, null, 2) + '\n');
  fs.renameSync(tmp, path.join(extDir, VERSIONS_FILE));
}

/**
 * Renames `from` to `to`, moving an existing `to` aside first. `undo` puts the old `to` back; `commit`
 * deletes the set-aside copy.
 */
function replaceDir(from: string, to: string): { undo: () => void; commit: () => void } {
  let aside: string | null = null;
  if (fs.existsSync(to)) {
    aside = path.join(path.dirname(path.dirname(to)), `.trash-${randomBytes(6).toString('hex')}`);
    fs.renameSync(to, aside);
  }
  try {
    fs.renameSync(from, to);
  } catch (error) {
    if (aside) fs.renameSync(aside, to);
    throw error;
  }
  return {
    undo: () => {
      fs.rmSync(to, { recursive: true, force: true });
      if (aside) fs.renameSync(aside, to);
    },
    commit: () => {
      if (aside) fs.rmSync(aside, { recursive: true, force: true });
    },
  };
}
