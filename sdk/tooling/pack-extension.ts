import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';
import { Manifest } from '../../src-shared/extensions/manifest.js';
import { FILES_FILE, FILES_FORMAT, FileListing, MANIFEST_FILE, PACKAGE_FOLDERS, PACKAGE_SUFFIX, PLUGIN_FILE, UI_MANIFEST_FILE } from '../../extension-host/packages/package-format.js';

export interface PackResult {
  /** Absolute path of the written `.cairnext`. */
  file: string;
  /** Every packaged file with its size and sha256 (what `files.json` lists). */
  files: FileListing['files'];
  /** Which packer wrote it: the packages module's own, or this SDK adapter. */
  packer: 'extension-host/packages' | 'sdk-adapter';
}

type ExternalPacker = (extDir: string, outFile: string) => Promise<unknown>;

/** The packages engineer's pack function, if `extension-host/packages` exports one by now. */
async function findPackagesPacker(): Promise<ExternalPacker | null> {
  for (const mod of ['../../extension-host/packages/pack-package.js', '../../extension-host/packages/index.js']) {
    try {
      const m = (await import(mod)) as Record<string, unknown>;
      const fn = m['packExtension'] ?? m['packPackage'];
      if (typeof fn === 'function') return fn as ExternalPacker;
    } catch {
      // not there (yet)
    }
  }
  return null;
}

/**
 * Packs a built extension into `<out>/<id>-<version>.cairnext` (default `<extDir>/build/`).
 *
 * It calls the pack function of `extension-host/packages` when that module exports one
 * (`packExtension`/`packPackage`). Until then, an SDK ADAPTER writes the v1 format that
 * `extension-host/packages/package-format.ts` defines: manifest.json, plugin.wasm, ui_manifest.json,
 * assets/ and prompts/, plus `files.json` (`cairnext/1`, every file's size and sha256, sorted by path).
 * It does not sign; a publisher signature is added by the packages tooling.
 *
 * Failure modes (thrown `Error`s): invalid manifest, missing `build/plugin.wasm`.
 *
 * @example
 * const { file } = await packExtension('extensions/hello-tags');
 */
export async function packExtension(extDir: string, outDir?: string): Promise<PackResult> {
  const dir = path.resolve(extDir);
  const manifest = Manifest.parse(JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')));
  const wasm = path.join(dir, 'build', PLUGIN_FILE);
  if (!fs.existsSync(wasm)) throw new Error(`${wasm} is missing: run \`cairn ext build\` first`);
  const out = path.resolve(outDir ?? path.join(dir, 'build'));
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, `${manifest.id}-${manifest.version}${PACKAGE_SUFFIX}`);

  const entries: { path: string; abs: string }[] = [
    { path: MANIFEST_FILE, abs: path.join(dir, MANIFEST_FILE) },
    { path: PLUGIN_FILE, abs: wasm },
  ];
  if (fs.existsSync(path.join(dir, UI_MANIFEST_FILE))) entries.push({ path: UI_MANIFEST_FILE, abs: path.join(dir, UI_MANIFEST_FILE) });
  for (const folder of PACKAGE_FOLDERS) {
    const walk = (rel: string) => {
      const abs = path.join(dir, rel);
      if (!fs.existsSync(abs)) return;
      for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
        const r = `${rel}/${e.name}`;
        if (e.isDirectory()) walk(r);
        else if (e.isFile()) entries.push({ path: r, abs: path.join(dir, ...r.split('/')) });
      }
    };
    walk(folder);
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const files = entries.map((e) => {
    const bytes = fs.readFileSync(e.abs);
    return { path: e.path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  });

  const external = await findPackagesPacker();
  if (external) {
    await external(dir, file);
    return { file, files, packer: 'extension-host/packages' };
  }

  const listing = FileListing.parse({ format: FILES_FORMAT, files });
  const zip = new yazl.ZipFile();
  const mtime = new Date(2000, 0, 1);
  for (const e of entries) zip.addBuffer(fs.readFileSync(e.abs), e.path, { mtime });
  zip.addBuffer(Buffer.from(JSON.stringify(listing, null, 2) + '\n'), FILES_FILE, { mtime });
  zip.end();
  const tmp = `${file}.tmp`;
  await new Promise<void>((resolve, reject) => {
    const ws = fs.createWriteStream(tmp);
    zip.outputStream.pipe(ws).on('close', () => resolve()).on('error', reject);
  });
  fs.renameSync(tmp, file);
  return { file, files, packer: 'sdk-adapter' };
}
