import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { seedDevHome, type DevSeedResult } from '../scripts/dev-seed.js';
import { REPO_ROOT, startServer, type RunningServer } from './support/cairn-server.js';
import { packPhotoMapDemo } from './support/ext-catalog.js';

// Views an extension declares in its ui_manifest, drawn by the core components: a list section, a map_view
// with clusters (photos seeded with GPS at Paris, San Francisco, Sydney and Tokyo), and a broken view.
test.describe.configure({ mode: 'serial' });

let server: RunningServer;
let seed: DevSeedResult;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-e2e-views-'));
  seed = await seedDevHome(home, { scans: 50 });
  const pkg = await packPhotoMapDemo([
    { id: 'broken', component: 'grid', source: 'kind:(image', label: 'Broken view' },
    { id: 'unknown', component: 'timeline', source: 'kind:image', label: 'Timeline' },
  ]);
  const file = path.join(home, 'photo-map.cairnext');
  fs.writeFileSync(file, pkg.bytes);
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'cairn.js'), 'ext', 'install', file, '--grant', `ReadEntries=${seed.pictures.path}`, '--yes'], {
    env: { ...process.env, CAIRN_HOME: home },
  });
  server = await startServer(home);
});

test.afterAll(async () => {
  await server?.stop();
  if (seed) fs.rmSync(seed.home, { recursive: true, force: true });
});

const sections = (page: Page) => page.getByRole('navigation', { name: 'Sidebar' }).getByRole('list', { name: 'Photo Map sections' });

test('a list section shows only the granted location', async ({ page }) => {
  await page.goto(server.url);
  await sections(page).getByRole('button', { name: 'Photos' }).click();
  const list = page.getByRole('listbox', { name: 'Photos' });
  await expect(list.getByRole('option', { name: 'astronaut.jpg', exact: true })).toBeVisible();
  // Documents holds images too (Inbox/scan-receipt.png), but the extension was only given Pictures.
  await expect(page.getByText(/^\d+ items$/)).toBeVisible();
  await list.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await expect(list.getByRole('option', { name: 'scan-receipt.png' })).toHaveCount(0);
});

test('the map clusters photos with counts, and a cluster click narrows the grid to its area', async ({ page }) => {
  await page.goto(server.url);
  await sections(page).getByRole('button', { name: 'Map' }).click();
  const map = page.getByRole('region', { name: 'Map map' });
  await expect(map).toHaveAttribute('data-idle', 'true', { timeout: 30_000 });
  const markers = map.locator('.map-marker');
  await expect(markers).toHaveCount(4);
  const area = page.getByRole('region', { name: 'Items in the visible area' }).or(page.locator('.map-items'));
  const all = await page.locator('.map-items-head .muted').textContent();
  // Tokyo has the fewest photos: clicking its cluster zooms there and the grid follows.
  const tokyo = map.getByRole('button', { name: /items? here/ }).filter({ hasText: /^2$/ });
  await tokyo.first().click();
  await expect(page.locator('.map-items-head .muted')).not.toHaveText(all ?? '');
  await expect(page.locator('.map-items-head .muted')).toHaveText('2 items');
  await expect(area.getByRole('gridcell')).toHaveCount(2);
});

test('a broken or unknown view shows a placeholder naming the problem, and the app keeps working', async ({ page }) => {
  await page.goto(server.url);
  await sections(page).getByRole('button', { name: 'Broken view' }).click();
  await expect(page.getByRole('alert')).toContainText(/cannot be shown|could not be loaded/);
  await sections(page).getByRole('button', { name: /Timeline|unknown/ }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  // Everything else still works.
  await sections(page).getByRole('button', { name: 'Photos' }).click();
  await expect(page.getByRole('listbox', { name: 'Photos' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Sidebar' }).getByRole('button', { name: 'Pictures', exact: true }).click();
  await expect(page.getByRole('grid', { name: 'Pictures' })).toBeVisible();
});
