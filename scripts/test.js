#!/usr/bin/env node
// `npm test`: the whole suite, in the order a failure is cheapest to find:
// focused-test check, lint (including import rules between folders), type checks (including the
// contract's compile-time tests), build, unit and integration tests (vitest), then end-to-end tests
// in Chromium (Playwright). Chromium is found on the system, or installed with apt-get when running as root.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/snap/bin/chromium'];

function step(name, command, args, env = {}) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n✗ ${name} failed after ${seconds} s`);
    process.exit(result.status ?? 1);
  }
  console.log(`✓ ${name} (${seconds} s)`);
}

function findFocusedTests() {
  const hits = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (['node_modules', 'out', '.git', 'test-results', 'build'].includes(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(test|e2e)\.tsx?$/.test(entry.name) && /\b(it|test|describe)\.only\(/.test(fs.readFileSync(full, 'utf8'))) hits.push(full);
    }
  };
  walk(root);
  return hits;
}

function ensureChromium() {
  const found = [process.env.CHROMIUM_PATH, ...CANDIDATES].find((p) => p && fs.existsSync(p));
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error('Chromium is needed for the end-to-end tests. Install it (sudo apt-get install -y chromium) or set CHROMIUM_PATH.');
    process.exit(1);
  }
  console.log('Chromium not found; installing it with apt-get (Debian package "chromium")…');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const installed = CANDIDATES.find((p) => fs.existsSync(p));
  if (!installed) {
    console.error('apt-get finished but no Chromium binary was found.');
    process.exit(1);
  }
  return installed;
}

const focused = findFocusedTests();
if (focused.length > 0) {
  console.error(`Focused tests (.only) would skip the rest of the suite:\n${focused.join('\n')}`);
  process.exit(1);
}
const chromium = ensureChromium();
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
step('lint', npx, ['eslint', '.']);
step('typecheck', 'npm', ['run', '-s', 'typecheck']);
step('build', 'npm', ['run', '-s', 'build']);
step('unit and integration tests', npx, ['vitest', 'run']);
step('end-to-end tests', npx, ['playwright', 'test'], { CHROMIUM_PATH: chromium, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' });
console.log('\nAll test stages passed.');
