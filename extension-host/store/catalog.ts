import { createHash, createPublicKey, verify } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { z } from 'zod';
import { CairnError } from '../../src-shared/errors.js';
import { ExtensionId, Permission, SemVer } from '../../src-shared/extensions/manifest.js';

/**
 * The Extension Store's catalog: an index of extensions with their versions, each with its
 * `min_core_version`, requested permissions, size, sha256 and optional publisher signature.
 * Catalogs come from a local folder (the one bundled with the app) or a URL (a registry).
 */
export const CatalogVersion = z
  .object({
    version: SemVer,
    min_core_version: SemVer,
    permissions: z.array(Permission).default([]),
    size: z.number().int().positive().max(512 * 1024 * 1024),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Base64 ed25519 signature by the publisher over the package's sha256 (hex, as ASCII). */
    signature: z.string().max(200).nullable().default(null),
    /** Relative to the catalog (folder or URL), or absolute http(s). */
    url: z.string().min(1).max(2000),
    released_at: z.string().optional(),
    revoked: z.boolean().default(false),
    revoked_reason: z.string().max(500).nullable().default(null),
    changelog: z.string().max(5000).optional(),
  })
  .strict();
export type CatalogVersion = z.infer<typeof CatalogVersion>;

export const CatalogExtension = z
  .object({
    id: ExtensionId,
    name: z.string().min(1).max(80),
    publisher: z.string().min(1).max(100),
    description: z.string().max(2000).default(''),
    icon: z.string().max(500).optional(),
    categories: z.array(z.string().max(40)).max(10).default([]),
    versions: z.array(CatalogVersion).min(1).max(200),
  })
  .strict();
export type CatalogExtension = z.infer<typeof CatalogExtension>;

export const Catalog = z
  .object({
    catalog_version: z.literal(1),
    name: z.string().max(100),
    publishers: z.record(z.string(), z.object({ name: z.string().max(100), public_key: z.string().max(500) }).strict()).default({}),
    extensions: z.array(CatalogExtension).max(10_000),
  })
  .strict();
export type Catalog = z.infer<typeof Catalog>;

export type CatalogSource = { kind: 'folder'; path: string } | { kind: 'url'; url: string };

/** How much a package can be trusted, shown to the user before install. */
export type TrustLevel = 'verified' | 'bundled' | 'unsigned' | 'unknown-publisher';

const MAX_CATALOG_BYTES = 16 * 1024 * 1024;

/**
 * Downloads `url` into memory, refusing redirects and anything larger than `maxBytes`: a declared
 * Content-Length over the cap fails before reading, and a body that grows past it is cut off while streaming.
 *
 * Failure modes: `IO` (unreachable, timeout, HTTP error, broken body), `QUOTA_EXCEEDED` (too large).
 *
 * @example
 * const bytes = await fetchBytes('http://127.0.0.1:8123/catalog.json', 16 << 20);
 */
export async function fetchBytes(url: string, maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: signal ?? AbortSignal.timeout(30_000), redirect: 'error' });
  } catch (error) {
    throw new CairnError('IO', `Could not reach ${url}: ${(error as Error).message}`);
  }
  const tooLarge = () => new CairnError('QUOTA_EXCEEDED', `${url} is larger than ${maxBytes} bytes.`);
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new CairnError('IO', `${url} answered HTTP ${response.status}.`);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw tooLarge();
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof CairnError) throw error;
      throw new CairnError('IO', `Could not read ${url}: ${(error as Error).message}`);
    }
  }
  return Buffer.concat(chunks);
}

/**
 * Loads and validates a catalog. Fails with `IO` (unreachable, HTTP error), `VALIDATION` (not a catalog,
 * with the failing fields named) or `QUOTA_EXCEEDED` (too large).
 *
 * @example
 * const catalog = await loadCatalog({ kind: 'url', url: 'http://127.0.0.1:8123/catalog.json' });
 */
export async function loadCatalog(source: CatalogSource): Promise<Catalog> {
  let text: string;
  if (source.kind === 'folder') {
    const file = path.join(source.path, 'catalog.json');
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      throw new CairnError('NOT_FOUND', `No catalog.json in ${source.path}.`);
    }
  } else {
    text = (await fetchBytes(source.url, MAX_CATALOG_BYTES)).toString('utf8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CairnError('VALIDATION', 'The catalog is not valid JSON.');
  }
  const parsed = Catalog.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(catalog)'}: ${i.message}`).join('; ');
    throw new CairnError('VALIDATION', `The catalog is malformed: ${where}`);
  }
  return parsed.data;
}

/** The newest non-revoked version this core can run, or null. */
export function latestCompatible(ext: CatalogExtension, coreVersion: string): CatalogVersion | null {
  const usable = ext.versions.filter((v) => !v.revoked && semver.lte(v.min_core_version, coreVersion));
  return usable.sort((a, b) => semver.rcompare(a.version, b.version))[0] ?? null;
}

/**
 * Downloads (or reads) one version's package and checks it against the catalog: size, sha256, and the
 * publisher's ed25519 signature when the catalog has one. Refuses a mismatch with a clear message; returns
 * the bytes and the trust level to show (bundled catalogs are trusted as part of the app).
 *
 * Fails with `CONFLICT` (hash, size or signature mismatch), `PERMISSION_DENIED` (revoked version), `IO`.
 */
export async function fetchVerifiedPackage(
  source: CatalogSource,
  catalog: Catalog,
  ext: CatalogExtension,
  version: CatalogVersion,
): Promise<{ bytes: Buffer; trust: TrustLevel; warnings: string[] }> {
  if (version.revoked) {
    throw new CairnError('PERMISSION_DENIED', `${ext.name} ${version.version} was withdrawn by the catalog${version.revoked_reason ? `: ${version.revoked_reason}` : '.'}`);
  }
  let bytes: Buffer;
  if (/^https?:\/\//.test(version.url) || source.kind === 'url') {
    const url = source.kind === 'url' ? new URL(version.url, source.url).href : version.url;
    bytes = await fetchBytes(url, version.size);
  } else {
    const root = path.resolve(source.path);
    const file = path.resolve(root, version.url);
    if (!file.startsWith(root + path.sep)) throw new CairnError('VALIDATION', `Package path ${version.url} leaves the catalog folder.`);
    try {
      bytes = fs.readFileSync(file);
    } catch {
      throw new CairnError('NOT_FOUND', `The catalog lists ${version.url}, but it is missing.`);
    }
  }
  if (bytes.length !== version.size) {
    throw new CairnError('CONFLICT', `The package of ${ext.name} ${version.version} is ${bytes.length} bytes, but the catalog says ${version.size}. It was refused.`);
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== version.sha256) {
    throw new CairnError('CONFLICT', `The package of ${ext.name} ${version.version} does not match the catalog's checksum. It may have been tampered with, so it was refused.`);
  }
  const warnings: string[] = [];
  const publisher = catalog.publishers[ext.publisher];
  let trust: TrustLevel;
  if (version.signature) {
    if (!publisher) {
      trust = 'unknown-publisher';
      warnings.push(`The publisher "${ext.publisher}" is not known to this catalog; its signature cannot be checked.`);
    } else {
      let ok = false;
      try {
        const key = createPublicKey({ key: Buffer.from(publisher.public_key, 'base64'), format: 'der', type: 'spki' });
        ok = verify(null, Buffer.from(sha, 'ascii'), key, Buffer.from(version.signature, 'base64'));
      } catch {
        ok = false;
      }
      if (!ok) throw new CairnError('CONFLICT', `The signature on ${ext.name} ${version.version} does not match its publisher "${publisher.name}". It was refused.`);
      trust = 'verified';
    }
  } else if (source.kind === 'folder') {
    trust = 'bundled';
  } else {
    trust = 'unsigned';
    warnings.push(`${ext.name} ${version.version} is not signed: Cairn cannot confirm who made it.`);
  }
  return { bytes, trust, warnings };
}

/** Installed versions with a newer compatible catalog version, and installed versions the catalog revoked. */
export function compareWithInstalled(
  catalog: Catalog,
  installed: { id: string; version: string }[],
  coreVersion: string,
): { updates: { id: string; from: string; to: CatalogVersion }[]; revoked: { id: string; version: string; reason: string }[] } {
  const updates: { id: string; from: string; to: CatalogVersion }[] = [];
  const revoked: { id: string; version: string; reason: string }[] = [];
  for (const inst of installed) {
    const ext = catalog.extensions.find((e) => e.id === inst.id);
    if (!ext) continue;
    const current = ext.versions.find((v) => v.version === inst.version);
    if (current?.revoked) revoked.push({ id: inst.id, version: inst.version, reason: current.revoked_reason ?? 'Withdrawn by the catalog.' });
    const latest = latestCompatible(ext, coreVersion);
    if (latest && semver.gt(latest.version, inst.version)) updates.push({ id: inst.id, from: inst.version, to: latest });
  }
  return { updates, revoked };
}
