import { createPublicKey, verify } from 'node:crypto';
import path from 'node:path';
import semver from 'semver';
import { z } from 'zod';
import type { StoreEntry, StoreSource, StoreVersion, TrustLevelName } from '../../src-shared/contract/store.js';
import type { ExtensionInfo, ExtensionSummary } from '../../src-shared/contract/extensions.js';
import { CairnError } from '../../src-shared/errors.js';
import { describePermissions, type DescribedPermission } from '../../src-shared/extensions/describe-permission.js';
import { Permission, type Manifest } from '../../src-shared/extensions/manifest.js';
import { APP_VERSION } from '../../src-main/core/app-info.js';
import { BUNDLED_CATALOG_DIR, EXT_ASSET_URL_PREFIX } from '../../src-main/core/sidecars/ext-asset-request.js';
import type { CairnHome } from '../../src-main/core/home/cairn-home.js';
import { ExtensionInstaller, type ExtensionInstallerOptions, type InstallerLibrary } from '../packages/extension-installer.js';
import type { GrantChoice } from '../packages/extension-grants.js';
import { describeSigner } from '../packages/package-signature.js';
import { CatalogIconCache, type IconCacheOptions } from './icon-cache.js';
import { fetchVerifiedPackage, loadCatalog, type Catalog, type CatalogExtension, type CatalogSource, type CatalogVersion } from './catalog.js';

export { BUNDLED_CATALOG_DIR, EXT_ASSET_URL_PREFIX };

export interface ExtensionStoreOptions {
  /** The home whose config keeps the catalog URLs. */
  home: Pick<CairnHome, 'config' | 'update' | 'reload'>;
  /** The bundled catalog folder (default {@link BUNDLED_CATALOG_DIR}). */
  bundledDir?: string;
  /** The running core's version (default package.json's). */
  coreVersion?: string;
  /** Installer settings; `onChange` is told after every committed change. */
  installer?: ExtensionInstallerOptions;
  /**
   * Where icons of URL catalogs are cached (the shells pass `catalogIconCacheDir(home.dir)`). Without it, those
   * extensions show the placeholder icon.
   */
  iconCacheDir?: string;
  /** Limits of the icon cache (tests lower them). */
  iconCache?: IconCacheOptions;
}

/** One source after loading: its catalog, or why it could not be loaded. */
export interface LoadedSource {
  source: StoreSource;
  where: CatalogSource;
  catalog: Catalog | null;
  error: string | null;
}

/** What install/update/installFromFile hand back. */
export interface StoreInstallOutcome {
  extension: ExtensionInfo;
  trust: TrustLevelName;
  warnings: string[];
  held: boolean;
}

/** A .cairnext file judged without installing it. */
export interface FilePreview {
  manifest: Manifest;
  permissions: DescribedPermission[];
  trust: TrustLevelName;
  warnings: string[];
  sha256: string;
  signedBy: string | null;
  installedVersion: string | null;
  problems: string[];
}

const PermissionList = z.array(Permission);

/**
 * The Extension Store's logic: catalog sources (the bundled folder plus URLs in the home's config), the merged
 * catalog beside a library's installs, and installing/updating from a catalog through {@link ExtensionInstaller}
 * after {@link fetchVerifiedPackage} checked size, sha256 and signature. Catalogs are re-read on every call
 * (they are small; a registry change or revocation shows at once).
 *
 * Failure modes: see the `store.*` operations in src-shared/contract/store.ts.
 *
 * @example
 * const store = new ExtensionStore({ home: core.home });
 * const { extensions } = await store.catalog(lib);
 * await store.install(lib, { extensionId: extensions[0].id, grants: [] });
 */
export class ExtensionStore {
  readonly installer: ExtensionInstaller;
  readonly bundledDir: string;
  readonly #home: ExtensionStoreOptions['home'];
  readonly #coreVersion: string;
  readonly #icons: CatalogIconCache | null;

  constructor(options: ExtensionStoreOptions) {
    this.#home = options.home;
    this.#icons = options.iconCacheDir ? new CatalogIconCache(options.iconCacheDir, options.iconCache) : null;
    this.bundledDir = path.resolve(options.bundledDir ?? BUNDLED_CATALOG_DIR);
    this.#coreVersion = options.coreVersion ?? options.installer?.coreVersion ?? APP_VERSION;
    this.installer = new ExtensionInstaller({ coreVersion: this.#coreVersion, ...options.installer });
  }

  // ── sources ────────────────────────────────────────────────────────────────────────────────

  /** The bundled folder first, then the URLs in the home's config. */
  sources(): StoreSource[] {
    this.#home.reload();
    const urls = this.#home.config.catalogSources ?? [];
    return [
      { id: 'bundled', kind: 'bundled', location: this.bundledDir, removable: false },
      ...urls.map((url): StoreSource => ({ id: url, kind: 'url', location: url, removable: true })),
    ];
  }

  /** Adds a catalog URL. `VALIDATION` unless http(s); `CONFLICT` when already a source. */
  addSource(url: string): StoreSource[] {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new CairnError('VALIDATION', `"${url}" is not a URL.`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CairnError('VALIDATION', `A catalog source must be an http or https URL, not ${parsed.protocol}.`);
    if (parsed.username || parsed.password) throw new CairnError('VALIDATION', 'A catalog URL must not carry a user name or password.');
    const href = parsed.href;
    if (this.sources().some((s) => s.id === href)) throw new CairnError('CONFLICT', `${href} is already a catalog source.`);
    this.#home.update((c) => ({ ...c, catalogSources: [...(c.catalogSources ?? []), href] }));
    return this.sources();
  }

  /** Removes a catalog URL. `PERMISSION_DENIED` for the bundled catalog; `NOT_FOUND` when not a source. */
  removeSource(url: string): StoreSource[] {
    if (url === 'bundled' || path.resolve(url) === this.bundledDir) throw new CairnError('PERMISSION_DENIED', 'The catalog bundled with Cairn cannot be removed.');
    let href = url;
    try {
      href = new URL(url).href;
    } catch {
      // Not a URL: compare as given.
    }
    if (!this.sources().some((s) => s.id === href)) throw new CairnError('NOT_FOUND', `${url} is not a catalog source.`);
    this.#home.update((c) => ({ ...c, catalogSources: (c.catalogSources ?? []).filter((u) => u !== href) }));
    return this.sources();
  }

  /** Loads every source; one that fails is reported with its error, never thrown. */
  async loadAll(): Promise<LoadedSource[]> {
    return Promise.all(
      this.sources().map(async (source): Promise<LoadedSource> => {
        const where: CatalogSource = source.kind === 'bundled' ? { kind: 'folder', path: source.location } : { kind: 'url', url: source.location };
        try {
          return { source, where, catalog: await loadCatalog(where), error: null };
        } catch (error) {
          const message = (error as Error).message;
          return { source, where, catalog: null, error: source.kind === 'bundled' ? `The bundled catalog is missing or damaged (${message}); run npm run build:catalog.` : message };
        }
      }),
    );
  }

  // ── catalog ────────────────────────────────────────────────────────────────────────────────

  /**
   * The merged catalog beside `lib`'s installs. Runs {@link checkRevocations} on the loaded catalogs first, so
   * a revoked installed version shows as disabled at once.
   */
  async catalog(lib: InstallerLibrary): Promise<{ extensions: StoreEntry[]; sources: (StoreSource & { name: string | null; extensionCount: number; error: string | null })[] }> {
    const loaded = await this.loadAll();
    this.#revoke(lib, loaded);
    const installed = new Map(this.installer.list(lib).map((s) => [s.id, s]));
    const merged = mergeCatalogs(loaded);
    await this.#remoteIcons([...merged.values()]);
    const extensions = [...merged.values()]
      .map((m) => this.#entry(m, installed.get(m.ext.id) ?? null))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    const sources = loaded.map((l) => ({ ...l.source, name: l.catalog?.name ?? null, extensionCount: l.catalog?.extensions.length ?? 0, error: l.error }));
    return { extensions, sources };
  }

  /**
   * Icons listed by URL catalogs: fetched into the cache (checked for size and image type) and served under
   * `/ext-asset/catalog-cache/`; any failure leaves `iconUrl` null, so the store shows its placeholder.
   */
  async #remoteIcons(merged: MergedExtension[]): Promise<void> {
    const icons = this.#icons;
    if (!icons) return;
    await Promise.all(
      merged.map(async (m) => {
        if (m.iconUrl || !m.remoteIcon) return;
        const file = await icons.get(m.remoteIcon);
        if (file) m.iconUrl = `${EXT_ASSET_URL_PREFIX}catalog-cache/${m.ext.id}/${file}`;
      }),
    );
    icons.sweep(new Set(merged.flatMap((m) => (m.remoteIcon ? [m.remoteIcon] : []))));
  }

  /**
   * Disables (state `revoked`, with the catalog's explanation) every installed extension whose installed version
   * a catalog revoked. Returns every installed version currently revoked by a catalog.
   */
  async checkRevocations(lib: InstallerLibrary): Promise<{ disabled: { id: string; version: string; reason: string }[] }> {
    return { disabled: this.#revoke(lib, await this.loadAll()) };
  }

  #revoke(lib: InstallerLibrary, loaded: LoadedSource[]): { id: string; version: string; reason: string }[] {
    const out: { id: string; version: string; reason: string }[] = [];
    for (const inst of this.installer.list(lib)) {
      const hit = revokedIn(loaded, inst.id, inst.version);
      if (!hit) continue;
      this.installer.markRevoked(lib, inst.id, inst.version, hit);
      out.push({ id: inst.id, version: inst.version, reason: hit });
    }
    return out;
  }

  #entry(m: MergedExtension, inst: ExtensionSummary | null): StoreEntry {
    const versions = [...m.versions.values()]
      .sort((a, b) => semver.rcompare(a.version.version, b.version.version))
      .map((v) => this.#version(v));
    const latest = versions.find((v) => v.compatible && !v.revoked) ?? null;
    const shown = latest ?? versions[0]!;
    const installedRevoked = inst ? (revokedIn(m.loaded, m.ext.id, inst.version) ?? (inst.state === 'revoked' ? inst.stateReason : null)) : null;
    return {
      id: m.ext.id,
      name: m.ext.name,
      publisher: m.publisherName,
      description: m.ext.description,
      categories: m.ext.categories,
      iconUrl: m.iconUrl,
      sources: m.sourceIds,
      latest,
      versions,
      size: shown.size,
      trust: shown.trust,
      warnings: shown.warnings,
      installed: inst ? { version: inst.version, enabled: inst.enabled, state: inst.state, stateReason: inst.stateReason, pendingVersion: inst.pendingVersion } : null,
      updateAvailable: inst && latest && semver.gt(latest.version, inst.version) ? latest.version : null,
      revoked: installedRevoked !== null,
      revokedReason: installedRevoked,
    };
  }

  #version(v: SourcedVersion): StoreVersion {
    const { trust, warnings } = judgeListedTrust(v.from, v.ext, v.version);
    return {
      version: v.version.version,
      min_core_version: v.version.min_core_version,
      compatible: semver.lte(v.version.min_core_version, this.#coreVersion),
      size: v.version.size,
      permissions: describePermissions(v.version.permissions),
      revoked: v.version.revoked,
      revokedReason: v.version.revoked ? (v.version.revoked_reason ?? 'Withdrawn by the catalog.') : null,
      releasedAt: v.version.released_at ?? null,
      changelog: v.version.changelog ?? null,
      sourceId: v.from.source.id,
      trust,
      warnings,
    };
  }

  // ── install / update ───────────────────────────────────────────────────────────────────────

  /** Fetches, verifies and installs a catalog version with `grants`. See `store.install`. */
  async install(lib: InstallerLibrary, request: { extensionId: string; version?: string | undefined; sourceId?: string | undefined; grants?: readonly GrantChoice[] | undefined }): Promise<StoreInstallOutcome> {
    const existing = this.installer.list(lib).find((s) => s.id === request.extensionId);
    if (existing) throw new CairnError('CONFLICT', `${existing.name} ${existing.version} is already installed in this library; update it instead.`);
    const { bytes, trust, warnings } = await this.#fetch(request);
    const extension = await this.installer.install(lib, bytes, request.grants ?? []);
    return { extension, trust, warnings, held: extension.state === 'held' };
  }

  /** Fetches, verifies and upgrades to a catalog version; held for consent when it adds permissions. See `store.update`. */
  async update(lib: InstallerLibrary, request: { extensionId: string; version?: string | undefined; sourceId?: string | undefined }): Promise<StoreInstallOutcome> {
    const existing = this.installer.list(lib).find((s) => s.id === request.extensionId);
    if (!existing) throw new CairnError('NOT_FOUND', `${request.extensionId} is not installed in this library; install it first.`);
    if (existing.state === 'held') throw new CairnError('CONFLICT', `An update of ${existing.name} to ${existing.pendingVersion} already waits for your consent; accept or decline it first.`);
    const { bytes, trust, warnings, version } = await this.#fetch(request);
    if (!semver.gt(version, existing.version)) throw new CairnError('CONFLICT', `${existing.name} ${version} is not newer than the installed ${existing.version}.`);
    const extension = await this.installer.upgrade(lib, bytes);
    return { extension, trust, warnings, held: extension.state === 'held' };
  }

  /** Picks the version, fetches and verifies it, and checks the package is what the catalog promised. */
  async #fetch(request: { extensionId: string; version?: string | undefined; sourceId?: string | undefined }): Promise<{ bytes: Buffer; trust: TrustLevelName; warnings: string[]; version: string }> {
    const loaded = (await this.loadAll()).filter((l) => !request.sourceId || l.source.id === request.sourceId);
    if (request.sourceId && loaded.length === 0) throw new CairnError('NOT_FOUND', `${request.sourceId} is not a catalog source.`);
    const merged = mergeCatalogs(loaded).get(request.extensionId);
    if (!merged) {
      const failed = loaded.filter((l) => l.error).map((l) => `${l.source.location}: ${l.error}`);
      throw new CairnError('NOT_FOUND', `No catalog offers ${request.extensionId}.${failed.length ? ` Some catalogs could not be loaded (${failed.join('; ')}).` : ''}`);
    }
    let chosen: SourcedVersion | undefined;
    if (request.version) {
      chosen = merged.versions.get(request.version);
      if (!chosen) {
        const offered = [...merged.versions.keys()].sort(semver.rcompare).join(', ');
        throw new CairnError('NOT_FOUND', `The catalog has no version ${request.version} of ${merged.ext.name}; it offers ${offered}.`);
      }
      if (!chosen.version.revoked && semver.gt(chosen.version.min_core_version, this.#coreVersion)) {
        throw new CairnError('NOT_SUPPORTED', `${merged.ext.name} ${request.version} needs Cairn ${chosen.version.min_core_version} or newer; this is ${this.#coreVersion}.`);
      }
    } else {
      chosen = [...merged.versions.values()]
        .filter((v) => !v.version.revoked && semver.lte(v.version.min_core_version, this.#coreVersion))
        .sort((a, b) => semver.rcompare(a.version.version, b.version.version))[0];
      if (!chosen) throw new CairnError('NOT_SUPPORTED', `No version of ${merged.ext.name} in the catalog runs on Cairn ${this.#coreVersion} (or every version was withdrawn).`);
    }
    const { ext } = chosen;
    const { bytes, trust, warnings } = await fetchVerifiedPackage(chosen.from.where, chosen.from.catalog!, ext, chosen.version);
    // The package must be exactly what the catalog listed, or the user consented to something else.
    const { pkg } = await this.installer.inspect(bytes);
    const m = pkg.manifest;
    const what = `${ext.name} ${chosen.version.version}`;
    if (m.id !== ext.id) throw new CairnError('CONFLICT', `The package listed as ${what} is really ${m.id}. It was refused; nothing was installed.`);
    if (m.version !== chosen.version.version) throw new CairnError('CONFLICT', `The package listed as ${what} is really version ${m.version}. It was refused; nothing was installed.`);
    const listed = PermissionList.parse(chosen.version.permissions);
    if (JSON.stringify(listed) !== JSON.stringify(PermissionList.parse(m.permissions))) {
      throw new CairnError('CONFLICT', `The package of ${what} asks for different permissions than the catalog shows (${m.permissions.map((p) => p.type).join(', ') || 'none'} instead of ${listed.map((p) => p.type).join(', ') || 'none'}). It was refused; nothing was installed.`);
    }
    return { bytes, trust, warnings, version: m.version };
  }

  // ── files ──────────────────────────────────────────────────────────────────────────────────

  /** Reads a .cairnext file and judges it without installing. See `store.inspectFile`. */
  async inspectFile(file: string, lib?: InstallerLibrary): Promise<FilePreview> {
    const { pkg, problems, installedVersion } = await this.installer.inspect(path.resolve(file), lib);
    const m = pkg.manifest;
    if (installedVersion && !semver.gt(m.version, installedVersion)) {
      problems.push(`${m.name} ${installedVersion} is already installed; this file is ${semver.eq(m.version, installedVersion) ? 'the same version' : `an older version (${m.version})`}.`);
    }
    const { trust, warnings } = await this.#judgeFile(pkg.signer?.fingerprint ?? null);
    return { manifest: m, permissions: describePermissions(m.permissions), trust, warnings, sha256: pkg.sha256 ?? '', signedBy: pkg.signer?.fingerprint ?? null, installedVersion, problems };
  }

  /** Installs a .cairnext file, or upgrades when an older version is installed. See `store.installFromFile`. */
  async installFromFile(lib: InstallerLibrary, file: string, grants: readonly GrantChoice[] = []): Promise<StoreInstallOutcome> {
    const preview = await this.inspectFile(file, lib);
    const source = path.resolve(file);
    const extension = preview.installedVersion ? await this.installer.upgrade(lib, source) : await this.installer.install(lib, source, grants);
    return { extension, trust: preview.trust, warnings: preview.warnings, held: extension.state === 'held' };
  }

  async #judgeFile(fingerprint: string | null): Promise<{ trust: TrustLevelName; warnings: string[] }> {
    if (!fingerprint) return { trust: 'unsigned', warnings: ['This file is not signed: Cairn cannot confirm who made it. Install it only if you trust where it came from.'] };
    for (const l of await this.loadAll()) {
      for (const [, publisher] of Object.entries(l.catalog?.publishers ?? {})) {
        try {
          const key = createPublicKey({ key: Buffer.from(publisher.public_key, 'base64'), format: 'der', type: 'spki' });
          if (describeSigner(key).fingerprint === fingerprint) return { trust: 'verified', warnings: [] };
        } catch {
          // A malformed key in a catalog matches nothing.
        }
      }
    }
    return { trust: 'unknown-publisher', warnings: [`This file is signed by ${fingerprint}, a key none of your catalogs knows: Cairn cannot confirm who made it.`] };
  }
}

// ── merging ────────────────────────────────────────────────────────────────────────────────────

interface SourcedVersion {
  version: CatalogVersion;
  /** The listing in the source it comes from (publisher, name as that catalog has them). */
  ext: CatalogExtension;
  from: LoadedSource;
}

interface MergedExtension {
  ext: CatalogExtension;
  publisherName: string;
  iconUrl: string | null;
  /** The absolute http(s) URL of the icon a URL catalog lists, to fetch into the icon cache; else null. */
  remoteIcon: string | null;
  sourceIds: string[];
  loaded: LoadedSource[];
  /** By version; the first source listing a version wins. */
  versions: Map<string, SourcedVersion>;
}

/**
 * Merges the loaded catalogs by extension id, in source order (bundled first): the first source to list an
 * extension gives its name, description and icon; each version comes from the first source that lists it.
 */
export function mergeCatalogs(loaded: readonly LoadedSource[]): Map<string, MergedExtension> {
  const merged = new Map<string, MergedExtension>();
  for (const l of loaded) {
    if (!l.catalog) continue;
    for (const ext of l.catalog.extensions) {
      let m = merged.get(ext.id);
      if (!m) {
        m = {
          ext,
          publisherName: l.catalog.publishers[ext.publisher]?.name ?? ext.publisher,
          iconUrl: ext.icon && l.source.kind === 'bundled' && isSafeRelative(ext.icon) ? `${EXT_ASSET_URL_PREFIX}catalog/${ext.id}/${ext.icon}` : null,
          remoteIcon: ext.icon && l.source.kind === 'url' ? remoteUrl(ext.icon, l.source.location) : null,
          sourceIds: [],
          loaded: [],
          versions: new Map(),
        };
        merged.set(ext.id, m);
      }
      if (!m.sourceIds.includes(l.source.id)) {
        m.sourceIds.push(l.source.id);
        m.loaded.push(l);
      }
      for (const v of ext.versions) if (!m.versions.has(v.version)) m.versions.set(v.version, { version: v, ext, from: l });
    }
  }
  return merged;
}

/** `ref` resolved against the catalog's URL, when the result is http(s); else null. */
function remoteUrl(ref: string, catalogUrl: string): string | null {
  try {
    const url = new URL(ref, catalogUrl);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function isSafeRelative(p: string): boolean {
  return !/^[a-z]+:/i.test(p) && !p.startsWith('/') && !p.split('/').includes('..');
}

/** The catalog's explanation when any loaded catalog revoked `id`@`version`, else null. */
function revokedIn(loaded: readonly LoadedSource[], id: string, version: string): string | null {
  for (const l of loaded) {
    const v = l.catalog?.extensions.find((e) => e.id === id)?.versions.find((x) => x.version === version);
    if (v?.revoked) return v.revoked_reason ?? 'Withdrawn by the catalog.';
  }
  return null;
}

/** Trust as the listing shows it: the catalog's signature over the listed sha256 is checked without downloading. */
function judgeListedTrust(from: LoadedSource, ext: CatalogExtension, v: CatalogVersion): { trust: TrustLevelName; warnings: string[] } {
  if (v.signature) {
    const publisher = from.catalog?.publishers[ext.publisher];
    if (!publisher) return { trust: 'unknown-publisher', warnings: [`The publisher "${ext.publisher}" is not known to this catalog; its signature cannot be checked.`] };
    let ok = false;
    try {
      const key = createPublicKey({ key: Buffer.from(publisher.public_key, 'base64'), format: 'der', type: 'spki' });
      ok = verify(null, Buffer.from(v.sha256, 'ascii'), key, Buffer.from(v.signature, 'base64'));
    } catch {
      ok = false;
    }
    if (ok) return { trust: 'verified', warnings: [] };
    return { trust: 'unsigned', warnings: [`The signature on ${ext.name} ${v.version} does not match its publisher "${publisher.name}"; installing it will be refused.`] };
  }
  if (from.source.kind === 'bundled') return { trust: 'bundled', warnings: [] };
  return { trust: 'unsigned', warnings: [`${ext.name} ${v.version} is not signed: Cairn cannot confirm who made it.`] };
}
