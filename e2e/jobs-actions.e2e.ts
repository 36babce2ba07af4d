import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { FIXTURES, REPO_ROOT, startServer, type RunningServer } from './support/cairn-server.js';

// One real folder on disk, indexed by the real indexer through the UI; the steps build on each other.
test.describe.configure({ mode: 'serial' });

const SCREENSHOTS = path.join(REPO_ROOT, 'docs', 'screenshots');
/** Enough small files that the first index runs for several seconds (about 5k files/s here). */
const FOLDERS = 40;
const SUBFOLDERS = 25;
const FILES_PER_FOLDER = 40;
const PHOTOS = ['astronaut.png', 'camera.png', 'chelsea.png', 'coffee.png', 'grace_hopper_512x512.jpg', 'page.png', 'text.png'];

let server: RunningServer;
let root: string;
let projects: string;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-e2e-jobs-'));
  projects = path.join(root, 'Projects');
  for (let a = 0; a < FOLDERS; a++) {
    for (let b = 0; b < SUBFOLDERS; b++) {
      const dir = path.join(projects, `area-${String(a).padStart(2, '0')}`, `part-${String(b).padStart(2, '0')}`);
      fs.mkdirSync(dir, { recursive: true });
      for (let c = 0; c < FILES_PER_FOLDER; c++) fs.writeFileSync(path.join(dir, `note-${c}.txt`), `note ${a}/${b}/${c}\n`.repeat(1 + (c % 7)));
    }
  }
  const photos = path.join(projects, 'Album');
  fs.mkdirSync(photos);
  for (const name of PHOTOS) fs.copyFileSync(path.join(FIXTURES, name), path.join(photos, name));
  // Not an image at all: the indexer reports it and goes on.
  fs.writeFileSync(path.join(photos, 'zz-broken.jpg'), Buffer.from('this is not a JPEG'));
  server = await startServer(path.join(root, 'home'));
});

test.afterAll(async () => {
  await server?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Sidebar' });
const cell = (page: Page, name: string) => page.getByRole('gridcell', { name, exact: true });
const jobsPanel = (page: Page) => page.getByRole('dialog', { name: 'Jobs' });

test('pause and resume the first index from the jobs panel, then see thumbnails', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(server.url);
  await sidebar(page).getByRole('button', { name: 'Add location' }).click();
  const add = page.getByRole('dialog', { name: 'Add a location' });
  await add.getByLabel('Folder path').fill(projects);
  await add.getByRole('button', { name: 'Add location' }).click();
  await expect(add).toBeHidden();

  // The status bar shows the running job; clicking it opens the panel.
  const indicator = page.getByRole('button', { name: /^Jobs:/ });
  await expect(indicator).toContainText(/1 job (running|waiting)/);
  await indicator.click();
  const panel = jobsPanel(page);
  const job = panel.getByRole('listitem', { name: 'Index Projects' });
  await expect(job).toBeVisible();

  await job.getByRole('button', { name: 'Pause' }).click();
  await expect(job.getByText('Paused', { exact: true })).toBeVisible();
  await expect(job.getByRole('button', { name: 'Resume' })).toBeVisible();
  // The location's bar in the sidebar says so too, and the indicator no longer counts it as running.
  const location = sidebar(page).getByRole('list', { name: 'Locations' });
  await expect(location.getByRole('progressbar', { name: /Indexing Projects: Paused/ })).toBeVisible();
  await expect(indicator).toContainText('1 job paused');
  // Paused really means paused: the progress stands still.
  const before = await job.getByRole('progressbar').getAttribute('aria-label');
  await page.waitForTimeout(1500);
  await expect(job.getByRole('progressbar')).toHaveAttribute('aria-label', before ?? '');

  await job.getByRole('button', { name: 'Resume' }).click();
  await expect(job.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(job.getByText(/Running|Waiting/)).toBeVisible();
  // For the screenshot, wait for a counted phase (a percentage and, soon after, an ETA) if it comes.
  await expect(job.getByText(/left$/)).toBeVisible({ timeout: 30_000 }).catch(() => undefined);
  await fs.promises.mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'jobs-panel.png') });

  // It finishes: listed under Finished with its duration, and the sidebar bar goes away.
  const finished = panel.getByRole('region', { name: 'Finished' });
  const done = finished.getByRole('listitem', { name: 'Index Projects' });
  await expect(done.getByText('Done', { exact: true })).toBeVisible({ timeout: 150_000 });
  await expect(done).toContainText(/took \d/);
  await expect(done).toContainText(/Indexed: \d+ new/);
  await expect(location.getByRole('progressbar')).toHaveCount(0);
  await expect(indicator).toContainText('Jobs');

  // The file that is not really a JPEG is reported in plain words.
  const problems = panel.getByRole('listitem', { name: 'Problems in Projects' });
  await expect(problems).toContainText('could not be read');
  await problems.getByRole('button').first().click();
  await expect(problems).toContainText('Album/zz-broken.jpg');
  if (process.env.CAIRN_E2E_SHOTS) await page.screenshot({ path: path.join(process.env.CAIRN_E2E_SHOTS, 'finished.png') });

  await panel.getByRole('button', { name: 'Close jobs' }).click();
  await expect(panel).toBeHidden();

  // The photos have thumbnails in the grid.
  await location.getByRole('button', { name: 'Projects', exact: true }).click();
  await cell(page, 'Album').dblclick();
  await expect(page.getByRole('grid', { name: 'Album' })).toBeVisible();
  await expect
    .poll(() => cell(page, 'chelsea.png').locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 20_000 })
    .toBeGreaterThan(0);
});

async function openPhotos(page: Page) {
  await page.goto(server.url);
  await sidebar(page).getByRole('list', { name: 'Locations' }).getByRole('button', { name: 'Projects', exact: true }).click();
  await cell(page, 'Album').dblclick();
  await expect(page.getByRole('grid', { name: 'Album' })).toBeVisible();
}

test('a conflicting rename cannot be applied; a stale preview is refused, previewed again, applied and undone from the toast', async ({ page }) => {
  await openPhotos(page);
  await cell(page, 'camera.png').click({ button: 'right' });
  const menu = page.getByRole('menu', { name: 'Actions' });
  await expect(menu).toContainText('1 item selected');
  await menu.getByRole('menuitem', { name: 'Rename…' }).click();
  const dialog = page.getByRole('dialog', { name: /Rename/ });
  await dialog.getByLabel('New name').fill('coffee.png');
  await dialog.getByRole('button', { name: 'Preview' }).click();
  const conflicts = dialog.getByRole('list', { name: 'Conflicts' });
  await expect(conflicts).toContainText('Name taken');
  await expect(dialog.getByRole('button', { name: 'Apply' })).toBeDisabled();

  // Back to a free name: it previews cleanly. The file changes on disk before Apply, so the preview is
  // stale: nothing is applied, the dialog says why and offers to preview again, which then applies.
  await dialog.getByRole('button', { name: 'Back' }).click();
  await dialog.getByLabel('New name').fill('camera-renamed.png');
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(dialog.getByRole('list', { name: 'Changes' })).toContainText('Album/camera.png');
  await expect(dialog.getByRole('button', { name: 'Apply' })).toBeEnabled();
  const camera = path.join(projects, 'Album', 'camera.png');
  fs.appendFileSync(camera, Buffer.alloc(16));
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog.getByRole('alert')).toContainText('This preview is out of date, so nothing was applied.');
  expect(fs.existsSync(camera)).toBe(true);
  if (process.env.CAIRN_E2E_SHOTS) await page.screenshot({ path: path.join(process.env.CAIRN_E2E_SHOTS, 'stale.png') });
  // The watcher may still be re-reading the file: preview again until the preview is clean and applies.
  await expect(async () => {
    if (await dialog.getByRole('button', { name: 'Preview again' }).isVisible()) await dialog.getByRole('button', { name: 'Preview again' }).click();
    await dialog.getByRole('button', { name: 'Apply' }).click({ timeout: 2000 });
    await expect(dialog).toBeHidden({ timeout: 2000 });
  }).toPass({ timeout: 20_000 });
  expect(fs.existsSync(path.join(projects, 'Album', 'camera-renamed.png'))).toBe(true);

  // The toast undoes it.
  const toast = page.getByRole('status', { name: 'Notification' });
  await expect(toast).toContainText('Renamed "camera.png" to "camera-renamed.png"');
  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect(toast).toContainText('Undone');
  expect(fs.existsSync(camera)).toBe(true);
  await expect(cell(page, 'camera.png')).toBeVisible();
});

test('preview and apply a bulk tag, then undo it from the activity view', async ({ page }) => {
  await openPhotos(page);
  await cell(page, 'astronaut.png').click();
  await cell(page, 'grace_hopper_512x512.jpg').click({ modifiers: ['Shift'] });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect(inspector).toContainText('5 items selected');

  await page.getByRole('toolbar', { name: 'Explorer toolbar' }).getByRole('button', { name: 'More actions' }).click();
  await page.getByRole('menu', { name: 'Actions' }).getByRole('menuitem', { name: 'Tag…', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: /^Tag/ });
  await dialog.getByLabel('Tag', { exact: true }).fill('Keepers');
  await expect(dialog).toContainText('A new tag “Keepers” will be created.');
  await dialog.getByRole('button', { name: 'Preview' }).click();

  const changes = dialog.getByRole('list', { name: 'Changes' });
  await expect(changes.getByRole('listitem')).toHaveCount(5);
  await expect(changes).toContainText('Album/chelsea.png');
  await expect(dialog).toContainText('Tag 5 items with "Keepers"');
  await expect(dialog).toContainText('5 items to tag');
  await expect(dialog).toContainText('Can be undone');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'action-preview.png') });
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog).toBeHidden();

  const toast = page.getByRole('status', { name: 'Notification' });
  await expect(toast).toContainText('Tagged 5 items “Keepers”');
  await expect(toast.getByRole('button', { name: 'Undo' })).toBeVisible();
  if (process.env.CAIRN_E2E_SHOTS) await page.screenshot({ path: path.join(process.env.CAIRN_E2E_SHOTS, 'toast.png') });

  // Applied: the sidebar lists the tag and a tagged photo carries it.
  await expect(sidebar(page).getByRole('list', { name: 'Tags' }).getByRole('button', { name: 'Keepers' })).toBeVisible();
  await cell(page, 'chelsea.png').click();
  const chips = inspector.getByRole('list', { name: 'Tags of this item' });
  await expect(chips).toContainText('Keepers');

  // The activity view lists it, by you, with Undo.
  await sidebar(page).getByRole('button', { name: 'Activity' }).click();
  const activity = page.getByRole('table', { name: 'Activity' });
  const row = activity.getByRole('row', { name: 'Tag 5 items with "Keepers"' });
  await expect(row).toContainText('You');
  await expect(row).toContainText('Applied');
  await row.getByRole('button', { name: 'Undo' }).click();
  await expect(row).toContainText('Undone');
  await expect(row.getByRole('button', { name: 'Undo' })).toHaveCount(0);
  if (process.env.CAIRN_E2E_SHOTS) await page.screenshot({ path: path.join(process.env.CAIRN_E2E_SHOTS, 'activity.png') });

  // Undone: the photo no longer carries the tag.
  await openPhotos(page);
  await cell(page, 'chelsea.png').click();
  await expect(inspector.getByRole('heading', { name: 'chelsea.png' })).toBeVisible();
  await expect(inspector.getByRole('list', { name: 'Tags of this item' })).toHaveCount(0);
  await expect(inspector).not.toContainText('Keepers');
});
