import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { FIXTURES, startServer, type RunningServer } from './support/cairn-server.js';

// The headless shell has no native folder picker: the add-location dialog browses the machine's folders
// through locations.browseFolders instead.
let server: RunningServer;
let root: string;

test.beforeAll(async () => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-e2e-browse-')));
  fs.mkdirSync(path.join(root, 'Pictures', 'Trips'), { recursive: true });
  fs.mkdirSync(path.join(root, 'Pictures', '.cache'), { recursive: true });
  fs.mkdirSync(path.join(root, 'Music'), { recursive: true });
  fs.copyFileSync(path.join(FIXTURES, 'chelsea.png'), path.join(root, 'Pictures', 'Trips', 'chelsea.png'));
  fs.copyFileSync(path.join(FIXTURES, 'coffee.png'), path.join(root, 'Pictures', 'coffee.png'));
  server = await startServer(path.join(root, 'home'));
});

test.afterAll(async () => {
  await server?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Sidebar' });

test('add a location by browsing to it, with hidden folders on request and a clear error for a bad path', async ({ page }) => {
  await page.goto(server.url);
  await sidebar(page).getByRole('button', { name: 'Add location' }).click();
  const add = page.getByRole('dialog', { name: 'Add a location' });

  // A path that does not exist: the browser says so and falls back to the home folder.
  await add.getByLabel('Folder path').fill(path.join(root, 'Nowhere'));
  await add.getByRole('button', { name: 'Browse…' }).click();
  const browser = add.getByRole('region', { name: 'Folder browser' });
  await expect(browser.getByRole('alert')).toContainText(`Could not open ${path.join(root, 'Nowhere')}`);
  await browser.getByRole('button', { name: 'Cancel' }).click();
  await expect(browser).toBeHidden();

  // Start from the folder typed, open a subfolder, go up again.
  await add.getByLabel('Folder path').fill(root);
  await add.getByRole('button', { name: 'Browse…' }).click();
  await expect(browser.getByLabel('Current folder')).toHaveText(root);
  const subfolders = browser.getByRole('list', { name: 'Subfolders' });
  await expect(subfolders.getByRole('button')).toHaveText(['home', 'Music', 'Pictures']);
  await subfolders.getByRole('button', { name: 'Pictures' }).click();
  await expect(browser.getByLabel('Current folder')).toHaveText(path.join(root, 'Pictures'));
  // Folders only (coffee.png is not listed); hidden ones on request.
  await expect(subfolders.getByRole('button')).toHaveText(['Trips']);
  await browser.getByLabel('Hidden folders').check();
  await expect(subfolders.getByRole('button')).toHaveText(['.cache', 'Trips']);
  await subfolders.getByRole('button', { name: 'Trips' }).click();
  await expect(browser.getByLabel('Current folder')).toHaveText(path.join(root, 'Pictures', 'Trips'));
  await browser.getByRole('button', { name: 'Up one folder' }).click();
  await expect(browser.getByLabel('Current folder')).toHaveText(path.join(root, 'Pictures'));
  await browser.getByRole('button', { name: 'Use this folder' }).click();
  await expect(browser).toBeHidden();
  await expect(add.getByLabel('Folder path')).toHaveValue(path.join(root, 'Pictures'));

  await add.getByRole('button', { name: 'Add location' }).click();
  await expect(add).toBeHidden();
  await expect(sidebar(page).getByRole('list', { name: 'Locations' }).getByRole('button', { name: 'Pictures', exact: true })).toBeVisible();
});
