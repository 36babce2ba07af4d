import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { jpegWithGpsBytes } from '../extensions/photos/test/exif-gps.js';
import { FIXTURES, REPO_ROOT, startServer, type RunningServer } from './support/cairn-server.js';

// Photos end to end on the headless shell, on real portraits: installed from the in-app store with one granted
// location, the analysis (real face detection and embeddings in the worker pool, offline geocoding) forms two
// people and two places; People names one through the action preview (search then finds the photos by
// #person:<name>), merges and un-merges the two; Places shows markers at Paris and Tokyo. The steps build on
// each other. Screenshots for the docs come from this real data.
test.describe.configure({ mode: 'serial' });

const PARIS = { latitude: 48.8566, longitude: 2.3522 };
const TOKYO = { latitude: 35.6762, longitude: 139.6503 };


let server: RunningServer;
let root: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-e2e-photos-'));
  const home = path.join(root, 'home');
  const dir = path.join(root, 'Portraits');
  fs.mkdirSync(dir, { recursive: true });
  // Grace Hopper five times and the astronaut four times, each copy different bytes (edited), so that with the
  // default "3 faces make a person" each forms a person; one of each carries GPS (Paris, Tokyo).
  const grace = path.join(FIXTURES, 'grace_hopper_512x512.jpg');
  fs.copyFileSync(grace, path.join(dir, 'grace.jpg'));
  await sharp(grace).flop().jpeg({ quality: 92 }).toFile(path.join(dir, 'grace-mirrored.jpg'));
  await sharp(grace).extract({ left: 40, top: 20, width: 440, height: 470 }).jpeg({ quality: 92 }).toFile(path.join(dir, 'grace-cropped.jpg'));
  await sharp(grace).modulate({ brightness: 1.15 }).jpeg({ quality: 90 }).toFile(path.join(dir, 'grace-bright.jpg'));
  fs.writeFileSync(path.join(dir, 'grace-paris.jpg'), jpegWithGpsBytes(fs.readFileSync(grace), PARIS, '2024:05:01 10:00:00'));
  const astronaut = path.join(FIXTURES, 'astronaut.png');
  fs.copyFileSync(astronaut, path.join(dir, 'astronaut.png'));
  await sharp(astronaut).flop().png().toFile(path.join(dir, 'astronaut-mirrored.png'));
  await sharp(astronaut).extract({ left: 30, top: 0, width: 440, height: 470 }).png().toFile(path.join(dir, 'astronaut-cropped.png'));
  fs.writeFileSync(path.join(dir, 'astronaut-tokyo.jpg'), jpegWithGpsBytes(await sharp(astronaut).jpeg({ quality: 92 }).toBuffer(), TOKYO, '2023:10:12 16:00:00'));
  fs.copyFileSync(path.join(FIXTURES, 'chelsea.png'), path.join(dir, 'chelsea.png'));
  const cli = (...args: string[]) => execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'cairn.js'), ...args], { env: { ...process.env, CAIRN_HOME: home } });
  cli('location', 'add', dir);
  cli('index', dir);
  server = await startServer(home);
});

test.afterAll(async () => {
  await server?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Sidebar' });
const photosNav = (page: Page) => sidebar(page).getByRole('list', { name: 'Photos sections' });
/** The People view (person_grid). */
const openPeople = (page: Page) => photosNav(page).getByRole('button', { name: 'People', exact: true }).click();
const card = (page: Page, name: RegExp) => page.getByRole('button', { name });

/** Opens a model action of the chosen person and returns its dialog. */
async function personAction(page: Page, person: RegExp, action: string) {
  await card(page, person).click();
  await page.getByRole('toolbar', { name: /^Actions on / }).getByRole('button', { name: action }).click();
  const dialog = page.getByRole('dialog', { name: new RegExp(`^${action.replace(/[…?]/g, '.')}`) });
  await expect(dialog).toBeVisible();
  return dialog;
}

test('install Photos from the store with one granted location, and analyse: two people form', async ({ page }) => {
  test.setTimeout(420_000);
  await page.goto(server.url);
  await sidebar(page).getByRole('button', { name: 'Extension Store' }).click();
  const listing = page.getByRole('listitem', { name: 'Photos' });
  await expect(listing).toContainText('Bundled');
  await listing.getByRole('heading', { name: 'Photos' }).click();
  await page.getByRole('article', { name: 'Photos details' }).getByRole('button', { name: 'Install' }).click();
  const dialog = page.getByRole('dialog', { name: 'Install Photos?' });
  const read = dialog.getByRole('list', { name: 'Requested permissions' }).getByRole('listitem').filter({ hasText: 'to find your photos' });
  await expect(read.getByRole('checkbox', { name: 'Allow Portraits' })).toBeChecked();
  await dialog.getByRole('button', { name: 'Install' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is installed' })).toBeVisible();

  await sidebar(page).getByRole('button', { name: 'Photos settings' }).click();
  await page.getByRole('button', { name: /Run “Analyse photos”/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Started' })).toBeVisible();

  await openPeople(page);
  // Face detection and embeddings run in the worker pool: wait for both people (reloading meanwhile).
  await expect(async () => {
    await page.reload();
    await openPeople(page);
    await expect(card(page, /^Unnamed, 5 photos$/)).toBeVisible({ timeout: 2_000 });
    await expect(card(page, /^Unnamed, 4 photos$/)).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 360_000 });
});

test('name a person through the action preview; search finds their photos by #person:<name>', async ({ page }) => {
  await page.goto(server.url);
  await openPeople(page);
  const dialog = await personAction(page, /^Unnamed, 5 photos$/, 'Name this person');
  // The preview waits for the name; an empty one cannot be previewed.
  await expect(dialog.getByRole('button', { name: 'Preview' })).toBeDisabled();
  await dialog.getByLabel('Name').fill('Grace');
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(dialog.getByRole('list', { name: 'Changes' })).toContainText('name them Grace and tag their photos #person:Grace');
  await expect(dialog).toContainText('Cannot be undone');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog.getByRole('status')).toContainText('Done');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(card(page, /^Grace, 5 photos$/)).toBeVisible();
  await expect(card(page, /^Unnamed, 4 photos$/)).toBeVisible();
  await card(page, /^Grace, 5 photos$/).click();
  // The details show the fields the ui_manifest names, in words; internal ids and cover boxes stay hidden.
  const details = page.getByRole('complementary', { name: 'Details of Grace' });
  await expect(details.locator('dt')).toHaveText(['Name', 'Photos', 'Hidden']);
  await expect(details).not.toContainText(/cover|face ids/i);
  await page.screenshot({ path: path.join(REPO_ROOT, 'docs', 'screenshots', 'photos-people.png') });

  await sidebar(page).getByRole('button', { name: 'Portraits', exact: true }).click();
  await page.getByRole('search').getByLabel('Tag').selectOption({ label: '#person:Grace' });
  const results = page.getByRole('grid', { name: 'Search results' });
  await expect(results).toBeVisible();
  await expect(results.getByRole('gridcell')).toHaveCount(5);
  for (const name of ['grace.jpg', 'grace-mirrored.jpg', 'grace-cropped.jpg', 'grace-bright.jpg', 'grace-paris.jpg']) {
    await expect(results.getByRole('gridcell', { name, exact: true })).toBeVisible();
  }

  // Entry-context actions are in the right-click menu: "Show on map" previews where the photo was taken.
  await results.getByRole('gridcell', { name: 'grace-paris.jpg', exact: true }).click({ button: 'right' });
  await page.getByRole('menu', { name: 'Actions' }).getByRole('menuitem', { name: 'Show on map…' }).click();
  const map = page.getByRole('dialog', { name: /^Show on map/ });
  await expect(map.getByRole('list', { name: 'Changes' })).toContainText(/48\.85\d*, 2\.35\d*/);
  await map.getByRole('button', { name: 'Cancel' }).click();
});

test('merge two people, undo it, merge again and un-merge from the People view', async ({ page }) => {
  await page.goto(server.url);
  await openPeople(page);
  let dialog = await personAction(page, /^Grace, 5 photos$/, 'Merge with…');
  await dialog.getByLabel('Person to merge in').selectOption({ label: 'Unnamed person (4 photos)' });
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(dialog.getByRole('list', { name: 'Changes' })).toContainText('into Grace');
  await expect(dialog).toContainText('Can be undone');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog.getByRole('status')).toContainText('Done');
  // One person now; the core's undo (the extension's undo export) splits them again.
  await expect(card(page, /^Grace, 9 photos$/)).toBeVisible();
  await expect(card(page, /^Unnamed/)).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Undo' }).click();
  await expect(dialog.getByRole('status')).toContainText('Undone');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(card(page, /^Grace, 5 photos$/)).toBeVisible();
  await expect(card(page, /^Unnamed, 4 photos$/)).toBeVisible();

  dialog = await personAction(page, /^Grace, 5 photos$/, 'Merge with…');
  await dialog.getByLabel('Person to merge in').selectOption({ label: 'Unnamed person (4 photos)' });
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog.getByRole('status')).toContainText('Done');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(card(page, /^Grace, 9 photos$/)).toBeVisible();

  dialog = await personAction(page, /^Grace, 9 photos$/, 'Undo merge');
  await expect(dialog.getByRole('list', { name: 'Changes' })).toContainText('split an unnamed person');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog.getByRole('status')).toContainText('Done');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(card(page, /^Grace, 5 photos$/)).toBeVisible();
  await expect(card(page, /^Unnamed, 4 photos$/)).toBeVisible();
});

test('move a face to another person by picking pictures: the faces of the person, then who gets it', async ({ page }) => {
  await page.goto(server.url);
  await openPeople(page);
  const dialog = await personAction(page, /^Grace, 5 photos$/, 'Move face to…');
  // Her five faces, each a picture cropped from its photo and named by the file; nothing chosen yet.
  const faces = dialog.getByRole('group', { name: 'Face' });
  await expect(faces.getByRole('button')).toHaveCount(5);
  await expect(faces.locator('.choice-image')).toHaveCount(5);
  await expect(dialog.getByRole('button', { name: 'Preview' })).toBeDisabled();
  await faces.getByRole('button', { name: 'grace-paris.jpg', exact: true }).click();
  await expect(faces.getByRole('button', { name: 'grace-paris.jpg', exact: true })).toHaveAttribute('aria-pressed', 'true');
  // Where it may go: everyone but Grace, with their cover.
  const to = dialog.getByRole('group', { name: 'Move it to' });
  await expect(to.getByRole('button')).toHaveCount(1);
  await to.getByRole('button', { name: /^Unnamed \(4 photos\)$/ }).click();
  await page.screenshot({ path: path.join(REPO_ROOT, 'docs', 'screenshots', 'photos-move-face.png') });
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(dialog.getByRole('list', { name: 'Changes' })).toContainText('move face');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog.getByRole('status')).toContainText('Done');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(card(page, /^Grace, 4 photos$/)).toBeVisible();
  await expect(card(page, /^Unnamed, 5 photos$/)).toBeVisible();
});

test('Places shows a marker at Paris and one at Tokyo', async ({ page }) => {
  await page.goto(server.url);
  // Each view is listed once under Photos (no section repeats a view's name).
  await expect(photosNav(page).getByRole('button', { name: /^(People|Places)$/ })).toHaveCount(2);
  await photosNav(page).getByRole('button', { name: 'Places by number of photos', exact: true }).click();
  const list = page.getByRole('list', { name: 'Places by number of photos' });
  await expect(list).toContainText('Paris');
  await expect(list).toContainText('Tokyo');
  await expect(list.getByRole('listitem')).toHaveCount(2);

  await photosNav(page).getByRole('button', { name: 'Places', exact: true }).click();
  const map = page.getByRole('region', { name: 'Places map' });
  await expect(map).toHaveAttribute('data-idle', 'true', { timeout: 30_000 });
  await expect(map.locator('.map-marker')).toHaveCount(2);
  const visible = page.getByRole('list', { name: 'Places: visible items' });
  await expect(visible).toContainText('Paris');
  await expect(visible).toContainText('Tokyo');
  // Two cities far apart, not one cluster.
  const xs = await map.locator('.map-marker').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().x).sort((a, b) => a - b));
  expect(xs[1]! - xs[0]!).toBeGreaterThan(100);
  await page.screenshot({ path: path.join(REPO_ROOT, 'docs', 'screenshots', 'photos-places.png') });
});
