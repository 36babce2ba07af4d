import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root (the folder holding Cairn's package.json), found by walking up from this file, so it
 * works from the TypeScript sources and from the compiled `out/node` tree alike.
 */
export const APP_ROOT: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'cairn') return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot find Cairn package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
})();

/** The running Cairn version, from package.json. */
export const APP_VERSION: string = (
  JSON.parse(fs.readFileSync(path.join(APP_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

/** Where `electron-vite build` writes the renderer. */
export const RENDERER_DIR = path.join(APP_ROOT, 'out', 'renderer');
