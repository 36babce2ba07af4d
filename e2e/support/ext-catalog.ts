import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { pack } from '../../extension-host/packages/index.js';
import { REPO_ROOT } from './cairn-server.js';

type Json = Record<string, unknown>;

/** A package built from a first-party extension's code with a changed manifest (version, permissions, id…). */
export async function packVariant(extension: string, patch: (manifest: Json) => Json, uiManifest?: Json): Promise<{ bytes: Buffer; manifest: Json }> {
  const dir = path.join(REPO_ROOT, 'extensions', extension);
  const manifest = patch(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Json);
  const uiFile = path.join(dir, 'ui_manifest.json');
  const ui = uiManifest ? Buffer.from(JSON.stringify(uiManifest)) : fs.existsSync(uiFile) ? fs.readFileSync(uiFile) : undefined;
  const bytes = await pack({
    manifest: Buffer.from(JSON.stringify(manifest, null, 2)),
    wasm: fs.readFileSync(path.join(dir, 'build', 'plugin.wasm')),
    ...(ui ? { uiManifest: ui } : {}),
  });
  return { bytes, manifest };
}

/**
 * A store catalog served on 127.0.0.1 by the test: `catalog.json` plus the packages. Versions can be added
 * while it runs (an update appearing in the store).
 */
export class TestCatalog {
  private readonly files = new Map<string, Buffer>();
  private readonly extensions: Json[] = [];
  private server: http.Server | null = null;
  url = '';

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const name = decodeURIComponent((req.url ?? '/').split('?')[0]!.slice(1));
      const body = name === 'catalog.json' ? Buffer.from(JSON.stringify({ catalog_version: 1, name: 'Test catalog', publishers: {}, extensions: this.extensions })) : this.files.get(name);
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': name.endsWith('.json') ? 'application/json' : 'application/octet-stream', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/catalog.json`;
    return this.url;
  }

  /** Lists a package's version (adding the extension on first use). */
  add(bytes: Buffer, manifest: Json, extra: { description?: string; categories?: string[]; icon?: { name: string; bytes: Buffer } } = {}): void {
    const id = manifest.id as string;
    const version = manifest.version as string;
    const file = `${id}-${version}.cairnext`;
    this.files.set(file, bytes);
    let ext = this.extensions.find((e) => e.id === id);
    if (!ext) {
      ext = { id, name: manifest.name, publisher: manifest.publisher, description: extra.description ?? manifest.description ?? '', categories: extra.categories ?? [], versions: [] };
      this.extensions.push(ext);
    }
    if (extra.icon) {
      // Served next to the catalog; listed relative to it.
      this.files.set(`icons/${extra.icon.name}`, extra.icon.bytes);
      ext.icon = `icons/${extra.icon.name}`;
    }
    (ext.versions as Json[]).unshift({
      version,
      min_core_version: manifest.min_core_version,
      permissions: manifest.permissions ?? [],
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      signature: null,
      url: file,
      released_at: new Date().toISOString().slice(0, 10),
    });
  }

  /** Withdraws a listed version, as a catalog does for a bad release. */
  revoke(id: string, version: string, reason: string): void {
    const v = (this.extensions.find((e) => e.id === id)?.versions as Json[] | undefined)?.find((x) => x.version === version);
    if (!v) throw new Error(`${id} ${version} is not listed`);
    Object.assign(v, { revoked: true, revoked_reason: reason });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * "Photo Map", a demo extension built from hello-tags' code: a list section of photos and an offline map of
 * where they were taken (ReadEntries only). `extraViews` adds views, e.g. a broken one for tests.
 */
export function packPhotoMapDemo(extraViews: Json[] = []): Promise<{ bytes: Buffer; manifest: Json }> {
  return packVariant(
    'hello-tags',
    (m) => ({
      ...m,
      id: 'org.example.photo-map',
      name: 'Photo Map',
      publisher: 'Example Labs',
      version: '1.2.0',
      description: 'Shows where your photos were taken on a map that works offline, and lists them by place.',
      required_features: [],
      permissions: [{ type: 'ReadEntries', glob: '**/*.{jpg,jpeg,png,heic}', reason: 'to find your photos and read where they were taken' }],
      settings: { cluster_radius: { type: 'number', label: 'Cluster radius (px)', default: 54, min: 20, max: 200 } },
      jobs: [],
    }),
    {
      sidebar: [{ id: 'photos', label: 'Photos', icon: 'image', query: 'kind:image', render: 'list' }],
      views: [{ id: 'map', component: 'map_view', source: 'kind:image', label: 'Map' }, ...extraViews],
    },
  );
}
