/**
 * Regenerates the Extension Store screenshots in docs/screenshots (`npm run screenshots`): the store, the
 * permissions dialog, an extension's list view and a map view with photos at real places. Seeds a fresh home
 * (scripts/dev-seed.ts: photos with thumbnails and GPS at Paris, San Francisco, Sydney and Tokyo), installs a
 * small demo extension that declares a list section and a map_view, serves a second catalog on 127.0.0.1, and
 * drives the headless shell in Chromium. Build the renderer first (`npm run build:ui`).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { chromiumPath, CHROMIUM_ARGS } from '../e2e/support/chromium.js';
import { REPO_ROOT, startServer } from '../e2e/support/cairn-server.js';
import { packPhotoMapDemo, packVariant, TestCatalog } from '../e2e/support/ext-catalog.js';
import { seedDevHome } from './dev-seed.js';

const OUT = path.join(REPO_ROOT, 'docs', 'screenshots');

function cli(home: string, ...args: string[]): string {
  return execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'cairn.js'), ...args], { env: { ...process.env, CAIRN_HOME: home }, encoding: 'utf8' });
}

async function waitForImages(page: Page) {
  await page.waitForFunction(() => [...document.querySelectorAll('img')].every((img) => img.complete), undefined, { timeout: 15_000 });
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-screenshots-'));
const home = path.join(root, 'home');
const catalog = new TestCatalog();
let stop: (() => Promise<void>) | null = null;
try {
  const seed = await seedDevHome(home, { scans: 300 });

  // A demo extension: a list section of photos and an offline map of where they were taken.
  const photoMap = await packPhotoMapDemo();
  const file = path.join(root, 'photo-map.cairnext');
  fs.writeFileSync(file, photoMap.bytes);
  cli(home, 'ext', 'install', file, '--grant', `ReadEntries=${seed.pictures.path}`, '--yes');

  // Hello Tags from the bundled catalog, and a newer build of it in the second catalog (an update).
  const bundledHello = fs.readdirSync(path.join(REPO_ROOT, 'out', 'catalog', 'packages')).find((f) => f.startsWith('com.cairn.hello-tags-'));
  if (bundledHello) cli(home, 'ext', 'install', path.join(REPO_ROOT, 'out', 'catalog', 'packages', bundledHello), '--grant', `ReadEntries=${seed.pictures.path}`, '--grant', 'WriteTags', '--yes');
  const helloNext = await packVariant('hello-tags', (m) => ({ ...m, version: '0.2.0' }));
  const community = await packVariant('hello-tags', (m) => ({ ...m, id: 'org.example.kind-tags', name: 'Kind Tags (community)', publisher: 'Example Labs', version: '1.4.0' }));
  await catalog.start();
  catalog.add(photoMap.bytes, photoMap.manifest, { categories: ['Photos', 'Maps'] });
  catalog.add(helloNext.bytes, helloNext.manifest);
  catalog.add(community.bytes, community.manifest, { categories: ['Organize'] });

  const server = await startServer(home);
  stop = server.stop;
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.url);
    const sidebar = page.getByRole('navigation', { name: 'Sidebar' });
    fs.mkdirSync(OUT, { recursive: true });

    // The store, with the second catalog added.
    await sidebar.getByRole('button', { name: 'Extension Store' }).click();
    await page.getByLabel('Catalog URL').fill(catalog.url);
    await page.getByRole('button', { name: 'Add catalog' }).click();
    await page.getByRole('listitem', { name: 'Kind Tags (community)' }).waitFor();
    await page.getByRole('region', { name: 'Updates' }).waitFor();
    await page.locator('.ext-page').evaluate((el) => el.scrollTo({ top: 0 }));
    await waitForImages(page);
    await page.screenshot({ path: path.join(OUT, 'store.png') });

    // Installing Photos: the permissions dialog, narrowed to the Pictures location.
    await page.getByRole('button', { name: 'Install Photos' }).click();
    const dialog = page.getByRole('dialog', { name: 'Install Photos?' });
    const first = dialog.getByRole('list', { name: 'Requested permissions' }).getByRole('listitem').first();
    await first.getByRole('checkbox', { name: 'Allow Documents' }).uncheck();
    await page.screenshot({ path: path.join(OUT, 'permissions-dialog.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // The demo extension's list section: only what it may read (the Pictures location).
    await sidebar.getByRole('list', { name: 'Photo Map sections' }).getByRole('button', { name: 'Photos' }).click();
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().waitFor();
    await waitForImages(page);
    await page.screenshot({ path: path.join(OUT, 'extension-list-view.png') });

    // Its map view: markers with counts at Paris, San Francisco, Sydney and Tokyo over the offline basemap.
    await sidebar.getByRole('list', { name: 'Photo Map sections' }).getByRole('button', { name: 'Map' }).click();
    await page.locator('.map-marker').nth(3).waitFor({ timeout: 30_000 });
    await page.waitForSelector('.map-box[data-idle="true"]', { timeout: 30_000 });
    await page.getByRole('gridcell').first().waitFor();
    await waitForImages(page);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(OUT, 'map-view.png') });
    console.log(`Wrote store.png, permissions-dialog.png, extension-list-view.png and map-view.png to ${OUT}`);
  } finally {
    await browser.close();
  }
} finally {
  await stop?.();
  await catalog.stop();
  fs.rmSync(root, { recursive: true, force: true });
}
