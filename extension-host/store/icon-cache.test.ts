import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CairnCore } from '../../src-main/core/cairn-core.js';
import { catalogIconCacheDir, resolveExtAssetRequest } from '../../src-main/core/sidecars/ext-asset-request.js';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { testShellHandlers, userCtx } from '../../src-main/core/testing/test-core.js';
import { CatalogIconCache, MAX_ICON_BYTES, sniffImage } from './icon-cache.js';
import { storeHandlers } from './store-handlers.js';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/images');
const PNG = fs.readFileSync(path.join(FIXTURES, 'page.png')); // 47 KB
const JPG = fs.readFileSync(path.join(FIXTURES, 'grace_hopper_512x512.jpg')); // 88 KB
const BIG = fs.readFileSync(path.join(FIXTURES, 'astronaut.png')); // 792 KB, over the cap
const SVG = Buffer.from('<?xml version="1.0"?>\n<!-- drawn by hand -->\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>');
const HTML = Buffer.from('<!doctype html><html><body>Not an icon</body></html>');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A registry on 127.0.0.1 serving a catalog and icons of every kind, counting requests per path. */
async function iconServer() {
  const hits = new Map<string, number>();
  const routes: Record<string, (res: http.ServerResponse) => void> = {
    '/icons/good.png': (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG),
    '/icons/photo.jpg': (res) => res.writeHead(200).end(JPG),
    '/icons/drawing.svg': (res) => res.writeHead(200).end(SVG),
    '/icons/big.png': (res) => res.writeHead(200, { 'content-length': BIG.length }).end(BIG),
    // No Content-Length: the size is only known while streaming.
    '/icons/streamed.png': (res) => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      for (let i = 0; i < BIG.length; i += 64 * 1024) res.write(BIG.subarray(i, i + 64 * 1024));
      res.end();
    },
    '/icons/fake.png': (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(HTML),
    '/icons/moved.png': (res) => res.writeHead(302, { location: '/icons/good.png' }).end(),
  };
  let catalog = '';
  const server = http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(p, (hits.get(p) ?? 0) + 1);
    if (p === '/catalog.json') return void res.writeHead(200).end(catalog);
    const route = routes[p];
    if (!route) return void res.writeHead(404).end();
    route(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const icons: Record<string, string> = {
    good: 'icons/good.png', // relative to the catalog
    photo: `${base}/icons/photo.jpg`, // absolute
    drawing: 'icons/drawing.svg',
    big: 'icons/big.png',
    streamed: 'icons/streamed.png',
    fake: 'icons/fake.png',
    moved: 'icons/moved.png',
    missing: 'icons/missing.png',
    local: 'file:///etc/passwd',
  };
  catalog = JSON.stringify({
    catalog_version: 1,
    name: 'Icons test',
    extensions: Object.entries(icons).map(([name, icon]) => ({
      id: `org.example.${name}`,
      name,
      publisher: 'Example',
      icon,
      versions: [{ version: '1.0.0', min_core_version: '0.1.0', size: 10, sha256: 'a'.repeat(64), url: `packages/${name}.cairnext` }],
    })),
  });
  return { url: `${base}/catalog.json`, hits };
}

async function start() {
  const tmp = makeTempDir('cairn-icons');
  cleanups.push(tmp.cleanup);
  const core = await CairnCore.start({
    homeDir: path.join(tmp.dir, 'home'),
    shell: testShellHandlers,
    checkOutputs: true,
    watch: false,
    store: (c) => storeHandlers(c, { bundledDir: path.join(tmp.dir, 'no-bundled-catalog') }),
  });
  cleanups.push(() => core.stop());
  const libraryId = (await core.registry.call('library.list', {}, userCtx)).find((l) => l.isDefault)!.id;
  return { core, libraryId, cacheDir: catalogIconCacheDir(core.home.dir) };
}

describe('sniffImage', () => {
  it('knows PNG, JPEG, WebP and SVG by their bytes, and nothing else', () => {
    expect(sniffImage(PNG)).toBe('.png');
    expect(sniffImage(JPG)).toBe('.jpg');
    expect(sniffImage(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]))).toBe('.webp');
    expect(sniffImage(SVG)).toBe('.svg');
    expect(sniffImage(Buffer.from('\uFEFF  <svg width="1"></svg>'))).toBe('.svg');
    expect(sniffImage(HTML)).toBeNull();
    expect(sniffImage(Buffer.from('<svgx/>'))).toBeNull();
    expect(sniffImage(Buffer.from('{"svg": "<svg/>"}'))).toBeNull();
    expect(sniffImage(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBeNull(); // a PNG cut short
    expect(sniffImage(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))).toBeNull();
    expect(sniffImage(Buffer.alloc(0))).toBeNull();
  });
});

describe('icons of URL-catalog extensions', () => {
  it('fetches, checks and caches them content-addressed, serves them under /ext-asset/, and falls back to none on any failure', async () => {
    const reg = await iconServer();
    const t = await start();
    await t.core.registry.call('store.addSource', { url: reg.url }, userCtx);
    const { extensions } = await t.core.registry.call('store.catalog', { libraryId: t.libraryId }, userCtx);
    const iconOf = (name: string) => extensions.find((e) => e.id === `org.example.${name}`)!.iconUrl;

    expect(iconOf('good')).toBe(`/ext-asset/catalog-cache/org.example.good/${sha(PNG)}.png`);
    expect(iconOf('photo')).toBe(`/ext-asset/catalog-cache/org.example.photo/${sha(JPG)}.jpg`);
    expect(iconOf('drawing')).toBe(`/ext-asset/catalog-cache/org.example.drawing/${sha(SVG)}.svg`);
    // Over the size cap (declared or streamed), not an image, redirected, missing, not http: the placeholder.
    for (const name of ['big', 'streamed', 'fake', 'moved', 'missing', 'local']) expect(iconOf(name), name).toBeNull();
    expect(BIG.length).toBeGreaterThan(MAX_ICON_BYTES);

    // Only the three good icons are on disk, named by their sha256.
    expect(fs.readdirSync(t.cacheDir).sort()).toEqual([`${sha(JPG)}.jpg`, `${sha(PNG)}.png`, `${sha(SVG)}.svg`, 'index.json'].sort());

    // Served like the bundled catalog's icons: the exact bytes, with an image type.
    const served = await resolveExtAssetRequest(t.core.libraries, iconOf('good')!, undefined, t.cacheDir);
    expect(served?.mime).toBe('image/png');
    expect(fs.readFileSync(served!.file).equals(PNG)).toBe(true);
    expect((await resolveExtAssetRequest(t.core.libraries, iconOf('drawing')!, undefined, t.cacheDir))?.mime).toBe('image/svg+xml');
    // Nothing else in or around the cache.
    for (const bad of ['/ext-asset/catalog-cache/org.example.good/index.json', `/ext-asset/catalog-cache/org.example.good/${'b'.repeat(64)}.png`, '/ext-asset/catalog-cache/org.example.good/..%2F..%2Fconfig.json', `/ext-asset/catalog-cache/org.example.good/x/${sha(PNG)}.png`]) {
      expect(await resolveExtAssetRequest(t.core.libraries, bad, undefined, t.cacheDir), bad).toBeNull();
    }
    expect(await resolveExtAssetRequest(t.core.libraries, iconOf('good')!, undefined, undefined)).toBeNull();

    // A second visit asks the registry for neither the cached icons nor the ones that just failed.
    const before = new Map(reg.hits);
    const again = await t.core.registry.call('store.catalog', { libraryId: t.libraryId }, userCtx);
    expect(again.extensions.find((e) => e.id === 'org.example.good')!.iconUrl).toBe(iconOf('good'));
    for (const p of ['/icons/good.png', '/icons/fake.png', '/icons/big.png']) expect(reg.hits.get(p), p).toBe(before.get(p));
    expect(reg.hits.get('/catalog.json')).toBe((before.get('/catalog.json') ?? 0) + 1);
  });

  it('keeps a cached icon when a refresh fails, survives a damaged index, and refetches after a failure once the wait is over', async () => {
    const reg = await iconServer();
    const base = reg.url.replace('/catalog.json', '');
    const tmp = makeTempDir('cairn-icon-cache');
    cleanups.push(tmp.cleanup);
    let now = 1_000_000;
    const cache = new CatalogIconCache(tmp.dir, { maxAgeMs: 1000, retryAfterMs: 500, now: () => now });
    const good = await cache.get(`${base}/icons/good.png`);
    expect(good).toBe(`${sha(PNG)}.png`);
    // A stale entry whose refresh fails (this URL answers 404): the file it had stays in use.
    fs.writeFileSync(path.join(tmp.dir, 'index.json'), JSON.stringify({ [`${base}/icons/missing.png`]: { file: good, fetchedAt: now - 5000 } }));
    expect(await cache.get(`${base}/icons/missing.png`)).toBe(good);
    // A damaged index is ignored: the icon is fetched again.
    fs.writeFileSync(path.join(tmp.dir, 'index.json'), '{"truncated');
    const hits = reg.hits.get('/icons/good.png');
    expect(await cache.get(`${base}/icons/good.png`)).toBe(good);
    expect(reg.hits.get('/icons/good.png')).toBe(hits! + 1);
    // A failure is not retried at once, and is after the wait.
    expect(await cache.get(`${base}/icons/fake.png`)).toBeNull();
    expect(await cache.get(`${base}/icons/fake.png`)).toBeNull();
    expect(reg.hits.get('/icons/fake.png')).toBe(1);
    now += 600;
    expect(await cache.get(`${base}/icons/fake.png`)).toBeNull();
    expect(reg.hits.get('/icons/fake.png')).toBe(2);
  });

  it('sweeps icons no catalog has listed for a month, files nothing refers to and stale temp files, and keeps the rest', async () => {
    const reg = await iconServer();
    const base = reg.url.replace('/catalog.json', '');
    const tmp = makeTempDir('cairn-icon-sweep');
    cleanups.push(tmp.cleanup);
    const DAY = 24 * 3600_000;
    let now = Date.now();
    const cache = new CatalogIconCache(tmp.dir, { maxAgeMs: 365 * DAY, unlistedForMs: 30 * DAY, now: () => now });
    const [good, photo, drawing] = [`${base}/icons/good.png`, `${base}/icons/photo.jpg`, `${base}/icons/drawing.svg`];
    for (const url of [good, photo, drawing]) expect(await cache.get(url)).not.toBeNull();
    // A file no entry refers to (left by an index that was lost), a fresh and an old temp file.
    const orphan = `${'c'.repeat(64)}.png`;
    fs.writeFileSync(path.join(tmp.dir, orphan), PNG);
    fs.writeFileSync(path.join(tmp.dir, '.index.json.1.fresh.tmp'), '{');
    fs.writeFileSync(path.join(tmp.dir, '.index.json.1.old.tmp'), '{');
    fs.utimesSync(path.join(tmp.dir, '.index.json.1.old.tmp'), new Date(now - 2 * 3600_000), new Date(now - 2 * 3600_000));

    // Today: every icon was listed moments ago, so only the orphan and the old temp file go.
    expect(cache.sweep(new Set([good])).sort()).toEqual(['.index.json.1.old.tmp', orphan]);
    // Twenty days on, `good` is still listed; the others are not, but a catalog may just be offline: kept.
    // (The fresh temp file stands for a write in progress: it keeps an mtime of "now" on the test's clock.)
    const touchFresh = () => fs.utimesSync(path.join(tmp.dir, '.index.json.1.fresh.tmp'), new Date(now), new Date(now));
    now += 20 * DAY;
    touchFresh();
    expect(cache.sweep(new Set([good]))).toEqual([]);
    // Forty days on, the two that were not listed for over thirty days go; `good` stays, and is still served
    // from the cache without a new fetch.
    now += 20 * DAY;
    touchFresh();
    expect(cache.sweep(new Set([good])).sort()).toEqual([`${sha(JPG)}.jpg`, `${sha(SVG)}.svg`].sort());
    const hits = reg.hits.get('/icons/good.png');
    expect(await cache.get(good)).toBe(`${sha(PNG)}.png`);
    expect(reg.hits.get('/icons/good.png')).toBe(hits);
    expect(fs.readdirSync(tmp.dir).sort()).toEqual(['.index.json.1.fresh.tmp', `${sha(PNG)}.png`, 'index.json'].sort());
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(tmp.dir, 'index.json'), 'utf8')) as object)).toEqual([good]);
    // A forgotten icon that a catalog lists again is simply fetched again.
    expect(await cache.get(photo)).toBe(`${sha(JPG)}.jpg`);
    // A missing cache folder is nothing to sweep.
    expect(new CatalogIconCache(path.join(tmp.dir, 'none')).sweep(new Set())).toEqual([]);
  });
});
