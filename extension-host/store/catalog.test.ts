import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { compareWithInstalled, fetchVerifiedPackage, latestCompatible, loadCatalog, type Catalog } from './catalog.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PUBLIC = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

function packageBytes(label: string): Buffer {
  return Buffer.from(`pretend .cairnext for ${label}`);
}

function versionOf(bytes: Buffer, version: string, extra: Partial<Catalog['extensions'][number]['versions'][number]> = {}) {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return {
    version,
    min_core_version: '0.1.0',
    permissions: [{ type: 'WriteTags' as const, reason: 'Tag your photos', optional: false }],
    size: bytes.length,
    sha256,
    signature: sign(null, Buffer.from(sha256, 'ascii'), privateKey).toString('base64'),
    url: `packages/x-${version}.cairnext`,
    revoked: false,
    revoked_reason: null,
    ...extra,
  };
}

/** Serves a folder on 127.0.0.1 only, like a registry would. */
async function serveFolder(dir: string): Promise<string> {
  const server = http.createServer((req, res) => {
    const file = path.join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!file.startsWith(dir) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/catalog.json`;
}

function writeCatalog(dir: string, catalog: Catalog, files: Record<string, Buffer>) {
  fs.mkdirSync(path.join(dir, 'packages'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'catalog.json'), JSON.stringify(catalog));
  for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), bytes);
}

function makeCatalog(): { catalog: Catalog; files: Record<string, Buffer> } {
  const v1 = packageBytes('1.0.0');
  const v2 = packageBytes('2.0.0');
  const v3 = packageBytes('3.0.0');
  return {
    catalog: {
      catalog_version: 1,
      name: 'Test registry',
      publishers: { acme: { name: 'Acme', public_key: PUBLIC } },
      extensions: [
        {
          id: 'com.acme.tagger',
          name: 'Tagger',
          publisher: 'acme',
          description: 'Tags things',
          categories: [],
          versions: [versionOf(v1, '1.0.0', { revoked: true, revoked_reason: 'Tagged the wrong files' }), versionOf(v2, '2.0.0'), versionOf(v3, '3.0.0', { min_core_version: '99.0.0' })],
        },
      ],
    },
    files: { 'packages/x-1.0.0.cairnext': v1, 'packages/x-2.0.0.cairnext': v2, 'packages/x-3.0.0.cairnext': v3 },
  };
}

describe('store catalog', () => {
  it('loads a catalog over HTTP from 127.0.0.1 and verifies a signed package', async () => {
    const tmp = makeTempDir('cairn-registry');
    cleanups.push(tmp.cleanup);
    const { catalog, files } = makeCatalog();
    writeCatalog(tmp.dir, catalog, files);
    const url = await serveFolder(tmp.dir);
    const loaded = await loadCatalog({ kind: 'url', url });
    const ext = loaded.extensions[0]!;
    const latest = latestCompatible(ext, '0.1.0');
    expect(latest?.version).toBe('2.0.0'); // 3.0.0 needs a newer core, 1.0.0 is revoked
    const pkg = await fetchVerifiedPackage({ kind: 'url', url }, loaded, ext, latest!);
    expect(pkg.trust).toBe('verified');
    expect(pkg.bytes.equals(files['packages/x-2.0.0.cairnext']!)).toBe(true);
  });

  it('refuses a package whose bytes or signature do not match the catalog', async () => {
    const tmp = makeTempDir('cairn-registry');
    cleanups.push(tmp.cleanup);
    const { catalog, files } = makeCatalog();
    const tampered = Buffer.from(files['packages/x-2.0.0.cairnext']!);
    tampered[0] = tampered[0]! ^ 1;
    writeCatalog(tmp.dir, catalog, { ...files, 'packages/x-2.0.0.cairnext': tampered });
    const source = { kind: 'folder' as const, path: tmp.dir };
    const loaded = await loadCatalog(source);
    const ext = loaded.extensions[0]!;
    await expect(fetchVerifiedPackage(source, loaded, ext, ext.versions[1]!)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/checksum/) });

    const forged = { ...ext.versions[2]!, signature: sign(null, Buffer.from(ext.versions[2]!.sha256, 'ascii'), generateKeyPairSync('ed25519').privateKey).toString('base64') };
    await expect(fetchVerifiedPackage(source, loaded, ext, forged)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/signature/) });
    await expect(fetchVerifiedPackage(source, loaded, ext, ext.versions[0]!)).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/withdrawn.*wrong files/) });
  });

  it('marks unsigned packages and unknown publishers with warnings', async () => {
    const tmp = makeTempDir('cairn-registry');
    cleanups.push(tmp.cleanup);
    const { catalog, files } = makeCatalog();
    const ext = catalog.extensions[0]!;
    ext.versions[1] = { ...ext.versions[1]!, signature: null };
    writeCatalog(tmp.dir, catalog, files);
    const url = await serveFolder(tmp.dir);
    const loaded = await loadCatalog({ kind: 'url', url });
    const unsigned = await fetchVerifiedPackage({ kind: 'url', url }, loaded, loaded.extensions[0]!, loaded.extensions[0]!.versions[1]!);
    expect(unsigned.trust).toBe('unsigned');
    expect(unsigned.warnings[0]).toMatch(/not signed/);
    const stranger = { ...loaded.extensions[0]!, publisher: 'nobody' };
    const unknown = await fetchVerifiedPackage({ kind: 'url', url }, loaded, stranger, loaded.extensions[0]!.versions[2]!);
    expect(unknown.trust).toBe('unknown-publisher');
  });

  it('lists updates and revoked installed versions', async () => {
    const { catalog } = makeCatalog();
    const result = compareWithInstalled(catalog, [{ id: 'com.acme.tagger', version: '1.0.0' }, { id: 'com.other.x', version: '1.0.0' }], '0.1.0');
    expect(result.updates.map((u) => [u.id, u.from, u.to.version])).toEqual([['com.acme.tagger', '1.0.0', '2.0.0']]);
    expect(result.revoked).toEqual([{ id: 'com.acme.tagger', version: '1.0.0', reason: 'Tagged the wrong files' }]);
  });

  it('reports malformed catalogs and unreachable registries clearly', async () => {
    const tmp = makeTempDir('cairn-registry');
    cleanups.push(tmp.cleanup);
    fs.writeFileSync(path.join(tmp.dir, 'catalog.json'), JSON.stringify({ catalog_version: 1, name: 'x', extensions: [{ id: 'BAD ID' }] }));
    await expect(loadCatalog({ kind: 'folder', path: tmp.dir })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/extensions\.0\.id/) });
    fs.writeFileSync(path.join(tmp.dir, 'catalog.json'), '{not json');
    await expect(loadCatalog({ kind: 'folder', path: tmp.dir })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(loadCatalog({ kind: 'url', url: 'http://127.0.0.1:9/catalog.json' })).rejects.toMatchObject({ code: 'IO' });
  });
});
