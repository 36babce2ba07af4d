import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { FIXTURES, startServer, type RunningServer } from './support/cairn-server.js';

// A small real photo folder, added through the UI and indexed by the real indexer on a fresh home:
// thumbnails, tagging, search (by name and by tag) and duplicates, end to end.
let server: RunningServer;
let root: string;
let photos: string;

/** Fixture image → where it goes under the location (nested folders). */
const LAYOUT: Array<[string, string]> = [
  ['astronaut.png', 'Space/astronaut.png'],
  ['grace_hopper_512x512.jpg', 'People/Pioneers/grace_hopper_512x512.jpg'],
  ['chelsea.png', 'Animals/Cats/chelsea.png'],
  ['coffee.png', 'Kitchen/coffee.png'],
  // An identical copy under another name and folder: one duplicate group with two paths.
  ['chelsea.png', 'Backup/2024/chelsea-copy.png'],
];

test.beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-e2e-indexing-'));
  photos = path.join(root, 'Photos');
  for (const [fixture, rel] of LAYOUT) {
    const to = path.join(photos, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, fixture), to);
  }
  server = await startServer(path.join(root, 'home'));
});

test.afterAll(async () => {
  await server?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Sidebar' });
const cell = (page: Page, name: string) => page.getByRole('gridcell', { name, exact: true });
const loadedWidth = (page: Page, name: string) =>
  cell(page, name)
    .locator('img[src^="/sidecar/"]')
    .evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))
    .catch(() => 0);

test('a folder added in the UI is indexed: thumbnails, tag, search by name and tag, duplicates', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(server.url);

  // Add the folder as a location through the dialog.
  await sidebar(page).getByRole('button', { name: 'Add location' }).click();
  const add = page.getByRole('dialog', { name: 'Add a location' });
  await add.getByLabel('Folder path').fill(photos);
  await add.getByRole('button', { name: 'Add location' }).click();
  await expect(add).toBeHidden();
  const locations = sidebar(page).getByRole('list', { name: 'Locations' });
  await expect(locations.getByRole('button', { name: 'Photos', exact: true })).toBeVisible();

  // Indexing finishes: the jobs panel lists it as Done, the sidebar bar is gone, nothing is running.
  const indicator = page.getByRole('button', { name: /^Jobs:/ });
  await indicator.click();
  const panel = page.getByRole('dialog', { name: 'Jobs' });
  const done = panel.getByRole('region', { name: 'Finished' }).getByRole('listitem', { name: 'Index Photos' });
  await expect(done.getByText('Done', { exact: true })).toBeVisible({ timeout: 120_000 });
  await expect(done).toContainText(/Indexed: \d+ new/);
  await expect(locations.getByRole('progressbar')).toHaveCount(0);
  await expect(indicator).not.toContainText(/running|waiting/);
  await panel.getByRole('button', { name: 'Close jobs' }).click();
  await expect(panel).toBeHidden();

  // Open the location and a nested folder: the photos show real thumbnails served from /sidecar/.
  await locations.getByRole('button', { name: 'Photos', exact: true }).click();
  await expect(page.getByRole('grid', { name: 'Photos' })).toBeVisible();
  for (const folder of ['Space', 'People', 'Animals', 'Kitchen', 'Backup']) await expect(cell(page, folder)).toBeVisible();
  await cell(page, 'Kitchen').dblclick();
  await expect(page.getByRole('grid', { name: 'Kitchen' })).toBeVisible();
  await expect.poll(() => loadedWidth(page, 'coffee.png'), { timeout: 30_000 }).toBeGreaterThan(0);
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('button', { name: 'Photos' }).click();
  await cell(page, 'People').dblclick();
  await cell(page, 'Pioneers').dblclick();
  await expect(page.getByRole('grid', { name: 'Pioneers' })).toBeVisible();
  await expect.poll(() => loadedWidth(page, 'grace_hopper_512x512.jpg'), { timeout: 30_000 }).toBeGreaterThan(0);

  // Tag a photo with a new tag through the tag picker.
  await cell(page, 'grace_hopper_512x512.jpg').click();
  await expect(cell(page, 'grace_hopper_512x512.jpg')).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('toolbar', { name: 'Explorer toolbar' }).getByRole('button', { name: 'Add tag' }).click();
  const picker = page.getByRole('dialog', { name: 'Tag 1 item' });
  await picker.getByLabel('Tag name').fill('Pioneers of computing');
  await expect(picker.getByRole('option', { name: 'Create tag “Pioneers of computing”' })).toBeVisible();
  await picker.getByLabel('Tag name').press('Enter');
  await expect(picker).toBeHidden();
  await expect(sidebar(page).getByRole('list', { name: 'Tags' }).getByRole('button', { name: 'Pioneers of computing' })).toBeVisible();
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect(inspector.getByRole('heading', { name: 'grace_hopper_512x512.jpg' })).toBeVisible();
  await expect(inspector.getByRole('list', { name: 'Tags of this item' })).toContainText('Pioneers of computing');

  // Find it with the search bar by its name (search matches word prefixes; '_' and '-' join words)...
  const search = page.getByRole('searchbox', { name: 'Search' });
  await search.fill('grace');
  await expect(page.getByRole('grid', { name: 'Search results' })).toBeVisible();
  await expect(cell(page, 'grace_hopper_512x512.jpg')).toHaveCount(1);
  await expect(page.getByRole('gridcell')).toHaveCount(1);
  await page.getByRole('search').getByRole('button', { name: 'Clear' }).click();
  await expect(page.getByRole('grid', { name: 'Pioneers' })).toBeVisible();

  // ...and with the tag filter alone.
  await page.getByRole('search').getByLabel('Tag').selectOption({ label: 'Pioneers of computing' });
  await expect(page.getByRole('grid', { name: 'Search results' })).toBeVisible();
  await expect(cell(page, 'grace_hopper_512x512.jpg')).toBeVisible();
  await expect(page.getByRole('gridcell')).toHaveCount(1);
  await page.getByRole('search').getByRole('button', { name: 'Clear' }).click();

  // Duplicates lists the copied photo once, with both of its paths.
  await sidebar(page).getByRole('button', { name: 'Duplicates' }).click();
  const groups = page.getByRole('list', { name: 'Duplicate groups' });
  await expect(groups).toBeVisible();
  await expect(groups.getByRole('listitem', { name: /: \d+ copies$/ })).toHaveCount(1);
  const group = groups.getByRole('listitem', { name: /^(chelsea\.png|chelsea-copy\.png): 2 copies$/ });
  await expect(group).toBeVisible();
  await expect(group.getByRole('button', { name: /Animals\/Cats\/chelsea\.png/ })).toBeVisible();
  await expect(group.getByRole('button', { name: /Backup\/2024\/chelsea-copy\.png/ })).toBeVisible();

  // A copy opens in its folder, selected.
  await group.getByRole('button', { name: /Backup\/2024\/chelsea-copy\.png/ }).click();
  await expect(page.getByRole('grid', { name: '2024' })).toBeVisible();
  await expect(cell(page, 'chelsea-copy.png')).toHaveAttribute('aria-selected', 'true');
});
