import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { REPO_ROOT, startServer, type RunningServer } from './support/cairn-server.js';

let server: RunningServer;
let folder: string;

test.beforeEach(async () => {
  server = await startServer();
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-e2e-photos-'));
});

test.afterEach(async () => {
  await server.stop();
  fs.rmSync(server.home, { recursive: true, force: true });
  fs.rmSync(folder, { recursive: true, force: true });
});

test('create a library, add a location, see it in the sidebar, reload and see it again', async ({ page }) => {
  await page.goto(server.url);
  const sidebar = page.getByRole('navigation', { name: 'Sidebar' });
  // First run: the default library exists and is selected.
  await expect(sidebar.getByRole('list', { name: 'Libraries' }).getByRole('button', { name: 'My Library' })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('headless shell');

  await sidebar.getByRole('button', { name: 'New library' }).click();
  await sidebar.getByLabel('Library name').fill('Holidays');
  await sidebar.getByRole('button', { name: 'Create' }).click();
  const holidays = sidebar.getByRole('list', { name: 'Libraries' }).getByRole('button', { name: 'Holidays' });
  await expect(holidays).toHaveAttribute('aria-current', 'true');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Holidays');

  // A bad path gets a clear error and adds nothing.
  await sidebar.getByRole('button', { name: 'Add location' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a location' });
  await dialog.getByLabel('Folder path').fill(path.join(folder, 'missing'));
  await dialog.getByRole('button', { name: 'Add location' }).click();
  await expect(dialog.getByRole('alert')).toContainText('does not exist');

  await dialog.getByLabel('Folder path').fill(folder);
  await dialog.getByRole('button', { name: 'Add location' }).click();
  await expect(dialog).toBeHidden();
  const locations = sidebar.getByRole('list', { name: 'Locations' });
  await expect(locations).toContainText(path.basename(folder));

  await fs.promises.mkdir(path.join(REPO_ROOT, 'docs', 'screenshots'), { recursive: true });
  await page.screenshot({ path: path.join(REPO_ROOT, 'docs', 'screenshots', 'headless-sidebar.png') });

  // The token is gone from the address bar, and a reload keeps the session (cookie) and the data.
  expect(new URL(page.url()).search).toBe('');
  await page.reload();
  await expect(sidebar.getByRole('list', { name: 'Libraries' }).getByRole('button', { name: 'Holidays' })).toHaveAttribute('aria-current', 'true');
  await expect(sidebar.getByRole('list', { name: 'Locations' })).toContainText(path.basename(folder));
});

test('a location added in another window appears live, without reloading', async ({ page }) => {
  await page.goto(server.url);
  const sidebar = page.getByRole('navigation', { name: 'Sidebar' });
  await expect(sidebar.getByText('No folders yet.')).toBeVisible();
  // Another client (a second tab) adds a location; the first sees it through the event stream.
  const other = await page.context().newPage();
  await other.goto(server.origin + '/');
  await other.getByRole('navigation', { name: 'Sidebar' }).getByRole('button', { name: 'Add location' }).click();
  await other.getByLabel('Folder path').fill(folder);
  await other.getByRole('dialog').getByRole('button', { name: 'Add location' }).click();
  await expect(sidebar.getByRole('list', { name: 'Locations' })).toContainText(path.basename(folder));
});

test('the server refuses a page without the token', async ({ page }) => {
  const response = await page.goto(server.origin + '/');
  expect(response?.status()).toBe(403);
  await expect(page.locator('body')).toContainText('needs the access token');
});
