#!/usr/bin/env node
// `npm start`: launches the Electron shell. Where the Electron binary is missing (it is downloaded
// separately from the npm package, which fails on machines without GitHub access), it says so in one
// line and starts the headless shell instead, which serves the same app to a browser.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/**
 * The Electron binary's path, downloading it first if the npm package has not yet (Electron fetches its
 * binary lazily). The download's own output is kept quiet: on failure we say one line, not a stack trace.
 */
function electronBinary() {
  let pkgDir;
  try {
    pkgDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  if (!fs.existsSync(path.join(pkgDir, 'path.txt'))) {
    const download = spawnSync(process.execPath, [path.join(pkgDir, 'install.js')], { stdio: 'ignore', timeout: 300_000 });
    if (download.status !== 0) return null;
  }
  try {
    const binary = require('electron'); // the npm package exports the binary's path
    return typeof binary === 'string' && fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const child = binary
  ? spawn(binary, [root, ...process.argv.slice(2)], { stdio: 'inherit' })
  : (console.log('Electron binary not available on this machine; starting the headless shell instead (open the URL below in a browser).'),
    spawn(process.execPath, [fileURLToPath(new URL('../bin/cairn.js', import.meta.url)), 'serve', ...process.argv.slice(2)], {
      stdio: 'inherit',
    }));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
