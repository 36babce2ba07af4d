#!/usr/bin/env node
// `npm start`: launches the Electron shell. Where the Electron binary is missing (it is downloaded
// separately from the npm package, which fails on machines without GitHub access), it says so in one
// line and starts the headless shell instead, which serves the same app to a browser.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const binary = require('electron'); // the npm package exports the binary's path, or throws
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
