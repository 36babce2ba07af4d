import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { seedDevHome, type DevSeedResult } from '../scripts/dev-seed.js';
import { REPO_ROOT, startServer, type RunningServer } from './support/cairn-server.js';

// One seeded home (two locations, photos with thumbnails, duplicates, a 20,000-entry folder) for every
// test here; the tests run in order and some build on what earlier ones changed (tags, favourites).
test.describe.configure({ mode: 'serial' });

let server: RunningServer;
let seed: DevSeedResult;
const SCREENSHOTS = path.join(REPO_ROOT, 'docs', 'screenshots');

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-e2e-explorer-'));
  seed = await seedDevHome(home);
  server = await startServer(home);
});

test.afterAll(async () => {
  await server?.stop();
  if (seed) fs.rmSync(seed.home, { recursive: true, force: true });
});

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Sidebar' });
const cell = (page: Page, name: string) => page.getByRole('gridcell', { name, exact: true });

async function openLocation(page: Page, name: string) {
  await page.goto(server.url);
  await sidebar(page).getByRole('list', { name: 'Locations' }).getByRole('button', { name, exact: true }).click();
  await expect(page.getByRole('grid', { name })).toBeVisible();
}

test('browse into folders from the grid and back with the breadcrumb and Backspace', async ({ page }) => {
  await openLocation(page, 'Pictures');
  await cell(page, 'Holidays 2023').dblclick();
  const holidays = page.getByRole('grid', { name: 'Holidays 2023' });
  await expect(holidays).toBeVisible();
  await expect(cell(page, 'Best of')).toBeVisible();
  const breadcrumb = page.getByRole('navigation', { name: 'Breadcrumb' });
  await expect(breadcrumb).toContainText('Pictures');
  await expect(breadcrumb).toContainText('Holidays 2023');

  // Enter opens the focused folder; Backspace goes up and selects the folder we came from.
  await cell(page, 'Best of').click();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('grid', { name: 'Best of' })).toBeVisible();
  await page.keyboard.press('Backspace');
  await expect(cell(page, 'Best of')).toHaveAttribute('aria-selected', 'true');

  await breadcrumb.getByRole('button', { name: 'Pictures' }).click();
  await expect(page.getByRole('grid', { name: 'Pictures' })).toBeVisible();
  await expect(cell(page, 'Holidays 2023')).toHaveAttribute('aria-selected', 'true');

  // A photo: its thumbnail loads, and the inspector shows camera data and GPS.
  await cell(page, 'astronaut.jpg').click();
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect(inspector.getByRole('heading', { name: 'astronaut.jpg' })).toBeVisible();
  await expect(inspector).toContainText('512 × 512');
  await expect(inspector).toContainText('° N');
  await expect(inspector).toContainText(path.join(seed.pictures.path, 'astronaut.jpg'));
  await expect
    .poll(() => cell(page, 'astronaut.jpg').locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);
  await fs.promises.mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'explorer-grid.png') });
});

test('shift-click selects a range, and the tag picker tags it with a new tag', async ({ page }) => {
  await openLocation(page, 'Pictures');
  await cell(page, 'astronaut-crop.jpg').click();
  await cell(page, 'astronaut.jpg').click({ modifiers: ['Shift'] });
  for (const name of ['astronaut-crop.jpg', 'astronaut-mirrored.jpg', 'astronaut-warm.jpg', 'astronaut.jpg']) {
    await expect(cell(page, name)).toHaveAttribute('aria-selected', 'true');
  }
  await expect(cell(page, 'camera-crop.jpg')).toHaveAttribute('aria-selected', 'false');
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect(inspector).toContainText('4 items selected');

  // Ctrl+click toggles one out and back in.
  await cell(page, 'astronaut-warm.jpg').click({ modifiers: ['ControlOrMeta'] });
  await expect(cell(page, 'astronaut-warm.jpg')).toHaveAttribute('aria-selected', 'false');
  await cell(page, 'astronaut-warm.jpg').click({ modifiers: ['ControlOrMeta'] });
  await expect(inspector).toContainText('4 items selected');

  await page.getByRole('toolbar', { name: 'Explorer toolbar' }).getByRole('button', { name: 'Add tag' }).click();
  const picker = page.getByRole('dialog', { name: 'Tag 4 items' });
  await picker.getByLabel('Tag name').fill('Portraits');
  await expect(picker.getByRole('option', { name: 'Create tag “Portraits”' })).toBeVisible();
  await picker.getByLabel('Tag name').press('Enter');
  await expect(picker).toBeHidden();

  // The sidebar lists the new tag, and the inspector shows it on one of the photos.
  const tags = sidebar(page).getByRole('list', { name: 'Tags' });
  await expect(tags.getByRole('button', { name: 'Portraits' })).toBeVisible();
  await cell(page, 'astronaut.jpg').click();
  const chips = inspector.getByRole('list', { name: 'Tags of this item' });
  await expect(chips).toContainText('Portraits');
  await expect(chips).toContainText('all copies');

  // Clicking the tag lists everything carrying it: the four photos and their copies elsewhere.
  await tags.getByRole('button', { name: 'Portraits' }).click();
  await expect(page.getByRole('grid', { name: 'Tagged Portraits' })).toBeVisible();
  await expect(page.getByText('11 items', { exact: true })).toBeVisible();
});

test('the search bar finds entries, filters by kind, and clearing returns to browsing', async ({ page }) => {
  await openLocation(page, 'Documents');
  const search = page.getByRole('searchbox', { name: 'Search' });
  await search.fill('contract');
  await expect(page.getByRole('grid', { name: 'Search results' })).toBeVisible();
  await expect(cell(page, 'contract-signed.pdf')).toHaveCount(3);
  await expect(page.getByRole('navigation', { name: 'Breadcrumb' })).toContainText('Search results');

  await search.fill('');
  await page.getByLabel('Kind').selectOption('audio');
  await expect(cell(page, '01 Track 1.flac')).toHaveCount(3);

  await page.getByRole('search').getByRole('button', { name: 'Clear' }).click();
  await expect(page.getByRole('grid', { name: 'Documents' })).toBeVisible();
  await expect(cell(page, 'Archive')).toBeVisible();

  await search.fill('no such file anywhere');
  await expect(page.getByRole('heading', { name: 'No results for “no such file anywhere”' })).toBeVisible();
});

test('Duplicates lists groups, and a copy opens in its folder', async ({ page }) => {
  await page.goto(server.url);
  await sidebar(page).getByRole('button', { name: 'Duplicates' }).click();
  const groups = page.getByRole('list', { name: 'Duplicate groups' });
  const contract = groups.getByRole('listitem', { name: 'contract-signed.pdf: 3 copies' });
  await expect(contract).toBeVisible();
  await contract.getByRole('button', { name: /Tax 2023\/Receipts/ }).click();
  await expect(page.getByRole('grid', { name: 'Receipts' })).toBeVisible();
  await expect(cell(page, 'contract-signed.pdf')).toHaveAttribute('aria-selected', 'true');
});

test('a favourite toggled in the inspector appears in Favourites', async ({ page }) => {
  await openLocation(page, 'Pictures');
  await cell(page, 'coffee.jpg').click();
  const star = page.getByRole('complementary', { name: 'Inspector' }).getByRole('button', { name: 'Favourite' });
  await expect(star).toHaveAttribute('aria-pressed', 'false');
  await star.click();
  await expect(star).toHaveAttribute('aria-pressed', 'true');
  await sidebar(page).getByRole('button', { name: 'Favourites' }).click();
  // A favourite follows the content: every copy of coffee.jpg is listed.
  await expect(cell(page, 'coffee.jpg')).toHaveCount(3);

  // The list view of the same photos, for the docs.
  await openLocation(page, 'Pictures');
  await page.getByRole('button', { name: 'List', exact: true }).click();
  const list = page.getByRole('listbox', { name: 'Pictures' });
  await list.getByRole('option', { name: 'coffee.jpg', exact: true }).click();
  await expect(page.getByRole('complementary', { name: 'Inspector' }).getByRole('heading', { name: 'coffee.jpg' })).toBeVisible();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'explorer-list.png') });
  await page.getByRole('button', { name: 'Grid', exact: true }).click();
});

test('a 20,000-entry folder pages in lazily while scrolling to its end', async ({ page }) => {
  await openLocation(page, 'Documents');
  await cell(page, 'Archive').dblclick();
  await cell(page, 'Scans').dblclick();
  const grid = page.getByRole('grid', { name: 'Scans' });
  await expect(grid).toBeVisible();
  await expect(page.getByText(`${seed.scans.count.toLocaleString('en-US')} items`)).toBeVisible();
  await expect(cell(page, 'scan-000001.jpg')).toBeVisible();
  // Only the visible cells exist in the DOM.
  expect(await page.getByRole('gridcell').count()).toBeLessThan(200);

  await grid.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  const last = cell(page, seed.scans.lastName);
  await expect(last).toBeVisible();
  expect(await page.getByRole('gridcell').count()).toBeLessThan(200);

  // Keyboard: Home goes back to the first entry, End to the last, and both are selected.
  await last.click();
  await page.keyboard.press('Home');
  await expect(cell(page, 'scan-000001.jpg')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await expect(last).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Control+a');
  await expect(page.getByRole('complementary', { name: 'Inspector' })).toContainText('items selected');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('complementary', { name: 'Inspector' })).toContainText('Select a file or folder');
});
