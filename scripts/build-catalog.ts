// `npm run build:catalog`: packs every built first-party extension in extensions/ into the catalog bundled
// with the app, out/catalog/ (catalog.json, packages/, icons/). Run after `npm run build:extensions`.
import path from 'node:path';
import { APP_ROOT } from '../src-main/core/app-info.js';
import { buildCatalog } from '../extension-host/store/build-catalog.js';

const { catalog, file, skipped } = await buildCatalog({ extensionsRoot: path.join(APP_ROOT, 'extensions'), outDir: path.join(APP_ROOT, 'out', 'catalog') });
for (const e of catalog.extensions) process.stdout.write(`packed ${e.id} ${e.versions[0]!.version}\n`);
for (const s of skipped) process.stderr.write(`skipped extensions/${s.name}: ${s.reason}\n`);
process.stdout.write(`wrote ${path.relative(APP_ROOT, file)} (${catalog.extensions.length} extensions)\n`);
