import fs from 'node:fs';
import path from 'node:path';
import { Manifest } from '../../src-shared/extensions/manifest.js';
import { packPackage } from '../packages/pack.js';
import { Catalog, type CatalogExtension } from './catalog.js';

export interface BuildCatalogOptions {
  /** Folder whose subfolders are extensions (each with manifest.json and a built plugin.wasm). */
  extensionsRoot: string;
  /** Where catalog.json, packages/ and icons/ go (replaced). */
  outDir: string;
  /** Only these subfolder names (default: all). */
  only?: readonly string[];
}

/**
 * Builds the catalog bundled with the app: packs each extension under `extensionsRoot` (manifest.json plus
 * `build/plugin.wasm` from `npm run build:extensions`) into `<outDir>/packages/<id>-<version>.cairnext`, copies
 * its icon to `<outDir>/icons/<id>/`, and writes `<outDir>/catalog.json` (publisher "Cairn", unsigned: the
 * store trusts it as `bundled` because it is the app's own folder). Folders without a manifest are ignored;
 * extensions that are not built or whose manifest is invalid are skipped with the reason.
 *
 * Failure modes: `VALIDATION`/`IO` from packing; the catalog is written last (atomically), so a failure leaves
 * the previous catalog.json in place.
 *
 * @example
 * const { catalog, skipped } = await buildCatalog({ extensionsRoot: 'extensions', outDir: 'out/catalog' });
 */
export async function buildCatalog(options: BuildCatalogOptions): Promise<{ catalog: Catalog; file: string; skipped: { name: string; reason: string }[] }> {
  const outDir = path.resolve(options.outDir);
  const packagesDir = path.join(outDir, 'packages');
  const iconsDir = path.join(outDir, 'icons');
  fs.rmSync(packagesDir, { recursive: true, force: true });
  fs.rmSync(iconsDir, { recursive: true, force: true });
  fs.mkdirSync(packagesDir, { recursive: true });
  const extensions: CatalogExtension[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const name of fs.readdirSync(options.extensionsRoot).sort()) {
    if (options.only && !options.only.includes(name)) continue;
    const dir = path.join(options.extensionsRoot, name);
    const manifestFile = path.join(dir, 'manifest.json');
    if (!fs.existsSync(manifestFile)) continue;
    const parsed = Manifest.safeParse(JSON.parse(fs.readFileSync(manifestFile, 'utf8')));
    if (!parsed.success) {
      skipped.push({ name, reason: `invalid manifest.json: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
      continue;
    }
    const m = parsed.data;
    if (!fs.existsSync(path.join(dir, 'build', 'plugin.wasm')) && !fs.existsSync(path.join(dir, 'plugin.wasm'))) {
      skipped.push({ name, reason: 'not built (run npm run build:extensions)' });
      continue;
    }
    const rel = `packages/${m.id}-${m.version}.cairnext`;
    const packed = await packPackage(dir, path.join(outDir, rel));
    let icon: string | undefined;
    if (m.icon && fs.existsSync(path.join(dir, m.icon))) {
      icon = `icons/${m.id}/${path.basename(m.icon)}`;
      fs.mkdirSync(path.join(outDir, 'icons', m.id), { recursive: true });
      fs.copyFileSync(path.join(dir, m.icon), path.join(outDir, icon));
    }
    extensions.push({
      id: m.id,
      name: m.name,
      publisher: 'Cairn',
      description: m.description,
      ...(icon ? { icon } : {}),
      categories: [],
      versions: [
        {
          version: m.version,
          min_core_version: m.min_core_version,
          permissions: m.permissions,
          size: packed.bytes,
          sha256: packed.sha256,
          signature: null,
          url: rel,
          revoked: false,
          revoked_reason: null,
        },
      ],
    });
  }
  const catalog = Catalog.parse({ catalog_version: 1, name: 'Cairn (bundled)', publishers: {}, extensions });
  const file = path.join(outDir, 'catalog.json');
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(catalog, null, 2) + '\n');
  fs.renameSync(tmp, file);
  return { catalog, file, skipped };
}
