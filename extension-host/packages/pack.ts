import { createHash, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';
import { CairnError } from '../../src-shared/errors.js';
import {
  entryPathProblem,
  FILES_FILE,
  FILES_FORMAT,
  MANIFEST_FILE,
  PACKAGE_FOLDERS,
  PLUGIN_FILE,
  SIGNATURE_FILE,
  UI_MANIFEST_FILE,
  type FileListing,
} from './package-format.js';
import { signFilesJson } from './package-signature.js';

/** A package's parts in memory. `files` holds extra paths under `assets/` and `prompts/`. */
export interface PackageParts {
  /** The manifest object (written as pretty JSON) or the exact `manifest.json` bytes. */
  manifest: object | Uint8Array;
  wasm: Uint8Array;
  uiManifest?: object | Uint8Array;
  files?: Record<string, Uint8Array | string>;
}

export interface PackOptions {
  /** An ed25519 private key: when given, the package carries `signature.json`. */
  signingKey?: KeyObject;
}

// A fixed timestamp, so that packing the same parts twice gives the same bytes (reproducible builds).
const FIXED_MTIME = new Date('2000-01-01T00:00:00Z');

/**
 * Builds a `.cairnext` archive from a folder (holding `manifest.json`, `plugin.wasm`, and optionally
 * `ui_manifest.json`, `assets/`, `prompts/`) or from {@link PackageParts}. Writes `files.json` with every
 * file's size and sha256 and, with a signing key, `signature.json`. The output is deterministic.
 * `pack` does not validate the manifest: run {@link readPackage} on the result to check it like an install.
 *
 * Failure modes: `VALIDATION` for a missing manifest or plugin, a file outside the allowed layout, or a
 * symlink in the folder; `IO` when the folder cannot be read.
 *
 * @example
 * const bytes = await pack('extensions/hello/build', { signingKey });
 * fs.writeFileSync('hello-1.0.0.cairnext', bytes);
 */
export async function pack(source: string | PackageParts, options: PackOptions = {}): Promise<Buffer> {
  const files = typeof source === 'string' ? readFolder(source) : fromParts(source);
  for (const required of [MANIFEST_FILE, PLUGIN_FILE]) {
    if (!files.has(required)) throw new CairnError('VALIDATION', `Cannot pack: ${required} is missing.`);
  }
  for (const name of files.keys()) {
    if (name === FILES_FILE || name === SIGNATURE_FILE) throw new CairnError('VALIDATION', `Cannot pack: ${name} is written by pack itself; remove it.`);
    const problem = entryPathProblem(name);
    if (problem) throw new CairnError('VALIDATION', `Cannot pack: ${problem}.`);
  }
  const names = [...files.keys()].sort();
  const listing: FileListing = {
    format: FILES_FORMAT,
    files: names.map((name) => {
      const data = files.get(name)!;
      return { path: name, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
    }),
  };
  const filesJson = Buffer.from(JSON.stringify(listing, null, 2) + '\n');

  const zip = new yazl.ZipFile();
  const add = (name: string, data: Buffer) => zip.addBuffer(data, name, { mtime: FIXED_MTIME, mode: 0o100644, compress: true });
  add(FILES_FILE, filesJson);
  if (options.signingKey) add(SIGNATURE_FILE, Buffer.from(JSON.stringify(signFilesJson(filesJson, options.signingKey), null, 2) + '\n'));
  for (const name of names) add(name, files.get(name)!);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Packs an extension's source folder into `outFile` (written atomically): `manifest.json`,
 * `ui_manifest.json`, `assets/` and `prompts/` from `extDir`, and `plugin.wasm` from `extDir` or, as the
 * SDK builds it, `extDir/build/`. Returns the file and its sha256 (what a store catalog lists).
 *
 * Failure modes: those of {@link pack}.
 *
 * @example
 * const { file, sha256 } = await packPackage('extensions/hello', 'out/hello-1.0.0.cairnext');
 */
export async function packPackage(extDir: string, outFile: string, options: PackOptions = {}): Promise<{ file: string; sha256: string; bytes: number }> {
  const files = readFolder(extDir);
  if (!files.has(PLUGIN_FILE)) {
    const built = path.join(extDir, 'build', PLUGIN_FILE);
    if (fs.existsSync(built)) files.set(PLUGIN_FILE, fs.readFileSync(built));
  }
  const parts: PackageParts = { manifest: files.get(MANIFEST_FILE) ?? Buffer.alloc(0), wasm: files.get(PLUGIN_FILE) ?? Buffer.alloc(0), files: {} };
  if (!files.has(MANIFEST_FILE) || !files.has(PLUGIN_FILE)) throw new CairnError('VALIDATION', `Cannot pack ${extDir}: ${files.has(MANIFEST_FILE) ? `${PLUGIN_FILE} (or build/${PLUGIN_FILE})` : MANIFEST_FILE} is missing.`);
  for (const [name, data] of files) {
    if (name === UI_MANIFEST_FILE) parts.uiManifest = data;
    else if (name !== MANIFEST_FILE && name !== PLUGIN_FILE) parts.files![name] = data;
  }
  const bytes = await pack(parts, options);
  const file = path.resolve(outFile);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
  return { file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

function toBuffer(value: object | Uint8Array | string): Buffer {
  if (typeof value === 'string') return Buffer.from(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return Buffer.from(JSON.stringify(value, null, 2) + '\n');
}

function fromParts(parts: PackageParts): Map<string, Buffer> {
  const files = new Map<string, Buffer>([
    [MANIFEST_FILE, toBuffer(parts.manifest)],
    [PLUGIN_FILE, toBuffer(parts.wasm)],
  ]);
  if (parts.uiManifest) files.set(UI_MANIFEST_FILE, toBuffer(parts.uiManifest));
  for (const [name, data] of Object.entries(parts.files ?? {})) files.set(name, toBuffer(data));
  return files;
}

function readFolder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const take = (rel: string) => {
    const abs = path.join(dir, rel);
    const stat = fs.lstatSync(abs);
    if (stat.isSymbolicLink()) throw new CairnError('VALIDATION', `Cannot pack: ${rel} is a symbolic link.`);
    if (stat.isDirectory()) {
      for (const child of fs.readdirSync(abs).sort()) take(`${rel}/${child}`);
    } else if (stat.isFile()) {
      files.set(rel, fs.readFileSync(abs));
    }
  };
  try {
    for (const top of [MANIFEST_FILE, PLUGIN_FILE, UI_MANIFEST_FILE, ...PACKAGE_FOLDERS]) {
      if (fs.existsSync(path.join(dir, top))) take(top);
    }
  } catch (error) {
    if (error instanceof CairnError) throw error;
    throw new CairnError('IO', `Cannot read ${dir}: ${(error as Error).message}`);
  }
  return files;
}
