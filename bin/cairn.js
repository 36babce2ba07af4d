#!/usr/bin/env node
// The `cairn` command. Runs the compiled CLI when it has been built (`npm run build`), and otherwise the
// TypeScript sources through tsx, which is present in a development checkout.
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../out/node/src-main/cli/cairn.js', import.meta.url));
if (fs.existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport(new URL('../src-main/cli/cairn.ts', import.meta.url).href, import.meta.url);
}
