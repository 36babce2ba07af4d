import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { CairnError } from '../../src-shared/errors.js';
import { Manifest } from '../../src-shared/extensions/manifest.js';
import { capWasmMemory, WASM32_MAX_PAGES } from '../sandbox/wasm-memory-limit.js';
import {
  DEFAULT_PACKAGE_LIMITS,
  entryPathProblem,
  FILES_FILE,
  FileListing,
  MANIFEST_FILE,
  packageError,
  PLUGIN_FILE,
  SIGNATURE_FILE,
  SignatureFile,
  UI_MANIFEST_FILE,
  type PackageLimits,
} from './package-format.js';
import { verifyPackageSignature, type PackageSigner } from './package-signature.js';
import { formatBytes, readZipEntries } from './zip-reader.js';

// Node's types declare no WebAssembly (no DOM lib here); validate is all we need.
const wasmApi = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

/** A package that passed every check of {@link readPackage}. */
export interface ExtensionPackage {
  manifest: Manifest;
  /** Every file by path, `files.json` and `signature.json` included, exactly as packaged. */
  files: ReadonlyMap<string, Buffer>;
  wasm: Buffer;
  /** Parsed `ui_manifest.json`, or null when the package has none. */
  uiManifest: Record<string, unknown> | null;
  listing: FileListing;
  /** sha256 (hex) of the whole `.cairnext` file; null when the package was verified from a folder. */
  sha256: string | null;
  /** The publisher's key when the package is signed (and the signature holds); null when unsigned. */
  signer: PackageSigner | null;
}

export interface ReadPackageOptions {
  limits?: Partial<PackageLimits>;
}

/**
 * Reads and fully checks a `.cairnext` package from its bytes or its path: the zip is well formed, holds
 * only safe names in the allowed layout, stays under the size caps, every file is listed in `files.json`
 * with the right size and sha256 and nothing is unlisted, the manifest satisfies the schema, `plugin.wasm`
 * is a module the sandbox accepts (its own memory, not shared, not 64-bit), and the signature, if any,
 * holds. An unsigned package is accepted with `signer: null`.
 *
 * Failure modes: `VALIDATION` with one sentence saying what is wrong (manifest problems list every field,
 * e.g. `permissions[0].reason: every permission needs a reason shown to the user`); `NOT_FOUND`/`IO` when
 * the path cannot be read.
 *
 * @example
 * const pkg = await readPackage('/downloads/hello-1.0.0.cairnext');
 * console.log(pkg.manifest.id, pkg.signer?.fingerprint ?? 'unsigned');
 */
export async function readPackage(source: Buffer | Uint8Array | string, options: ReadPackageOptions = {}): Promise<ExtensionPackage> {
  const limits = { ...DEFAULT_PACKAGE_LIMITS, ...options.limits };
  const bytes = typeof source === 'string' ? await readPackageFile(source, limits.maxPackageBytes) : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  const files = await readZipEntries(bytes, limits);
  const pkg = checkPackageFiles(files);
  return { ...pkg, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Checks an extracted package (a staged or installed folder) exactly as {@link readPackage} checks an
 * archive: same layout, hashes, manifest, module and signature rules. Symlinks inside are refused.
 *
 * @example
 * const pkg = await readPackageFolder(path.join(lib.path, 'extensions', id, version));
 */
export async function readPackageFolder(dir: string, options: ReadPackageOptions = {}): Promise<ExtensionPackage> {
  const limits = { ...DEFAULT_PACKAGE_LIMITS, ...options.limits };
  const files = new Map<string, Buffer>();
  let total = 0;
  const walk = (rel: string) => {
    for (const dirent of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const name = rel ? `${rel}/${dirent.name}` : dirent.name;
      if (dirent.isDirectory()) {
        const problem = entryPathProblem(name + '/', true);
        if (problem) throw packageError(problem + '.');
        walk(name);
        continue;
      }
      if (!dirent.isFile()) throw packageError(`"${name}" is not a regular file.`);
      const problem = entryPathProblem(name);
      if (problem) throw packageError(problem + '.');
      if (files.size >= limits.maxFiles) throw packageError(`it holds more than ${limits.maxFiles} files.`);
      const data = fs.readFileSync(path.join(dir, name));
      if (data.length > limits.maxFileBytes) throw packageError(`"${name}" is larger than ${formatBytes(limits.maxFileBytes)}.`);
      total += data.length;
      if (total > limits.maxTotalBytes) throw packageError(`its files add up to more than ${formatBytes(limits.maxTotalBytes)}.`);
      files.set(name, data);
    }
  };
  try {
    walk('');
  } catch (error) {
    if (error instanceof CairnError) throw error;
    throw new CairnError('IO', `Cannot read the extension folder ${dir}: ${(error as Error).message}`);
  }
  return { ...checkPackageFiles(files), sha256: null };
}

async function readPackageFile(file: string, maxBytes: number): Promise<Buffer> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CairnError('NOT_FOUND', `No package at ${file}.`);
    throw new CairnError('IO', `Cannot read ${file}: ${(error as Error).message}`);
  }
  if (!stat.isFile()) throw new CairnError('VALIDATION', `${file} is not a file.`);
  if (stat.size > maxBytes) throw packageError(`it is larger than ${formatBytes(maxBytes)}.`);
  try {
    return await fs.promises.readFile(file);
  } catch (error) {
    throw new CairnError('IO', `Cannot read ${file}: ${(error as Error).message}`);
  }
}

function checkPackageFiles(files: ReadonlyMap<string, Buffer>): Omit<ExtensionPackage, 'sha256'> {
  const filesJson = files.get(FILES_FILE);
  if (!filesJson) throw packageError(`it has no ${FILES_FILE} (the list of its files and their hashes).`);
  const listing = parseJsonFile(FILES_FILE, filesJson, FileListing);

  // Every file is listed with its size and hash, and nothing is unlisted.
  const listed = new Set<string>();
  for (const item of listing.files) {
    if (item.path === FILES_FILE || item.path === SIGNATURE_FILE) throw packageError(`${FILES_FILE} must not list ${item.path}.`);
    const problem = entryPathProblem(item.path);
    if (problem) throw packageError(`${FILES_FILE} lists a bad path: ${problem}.`);
    if (listed.has(item.path)) throw packageError(`${FILES_FILE} lists "${item.path}" twice.`);
    listed.add(item.path);
    const data = files.get(item.path);
    if (!data) throw packageError(`"${item.path}" is listed in ${FILES_FILE} but missing from the package.`);
    if (data.length !== item.size) throw packageError(`"${item.path}" has ${data.length} bytes, but ${FILES_FILE} says ${item.size}.`);
    const sha = createHash('sha256').update(data).digest('hex');
    if (sha !== item.sha256) throw packageError(`"${item.path}" does not match its sha256 in ${FILES_FILE} (it was altered or damaged).`);
  }
  for (const name of files.keys()) {
    if (name !== FILES_FILE && name !== SIGNATURE_FILE && !listed.has(name)) throw packageError(`"${name}" is not listed in ${FILES_FILE}.`);
  }

  const signatureBytes = files.get(SIGNATURE_FILE);
  const signer = signatureBytes ? verifyPackageSignature(filesJson, parseJsonFile(SIGNATURE_FILE, signatureBytes, SignatureFile)) : null;

  const manifestBytes = files.get(MANIFEST_FILE);
  if (!manifestBytes) throw packageError(`it has no ${MANIFEST_FILE}.`);
  const manifest = parseManifest(manifestBytes);
  if (manifest.icon && !files.has(manifest.icon)) throw packageError(`the manifest's icon "${manifest.icon}" is not in the package.`);

  const wasm = files.get(PLUGIN_FILE);
  if (!wasm) throw packageError(`it has no ${PLUGIN_FILE}.`);
  checkModule(wasm);

  const uiBytes = files.get(UI_MANIFEST_FILE);
  let uiManifest: Record<string, unknown> | null = null;
  if (uiBytes) {
    const parsed = parseJson(UI_MANIFEST_FILE, uiBytes);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw packageError(`${UI_MANIFEST_FILE} must hold a JSON object.`);
    uiManifest = parsed as Record<string, unknown>;
  }
  return { manifest, files, wasm, uiManifest, listing, signer };
}

/**
 * Parses `manifest.json` bytes against the manifest schema. Every problem is listed with its field path
 * in plain words.
 *
 * @example
 * parseManifest(Buffer.from('{"id":"Bad"}')) // throws VALIDATION: "…manifest.json is not valid: id: id must be reverse-DNS…; name: …"
 */
export function parseManifest(bytes: Uint8Array): Manifest {
  return parseJsonFile(MANIFEST_FILE, bytes, Manifest);
}

function parseJson(name: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (error) {
    throw packageError(`${name} is not valid JSON (${(error as Error).message}).`);
  }
}

function parseJsonFile<T extends z.ZodType>(name: string, bytes: Uint8Array, schema: T): z.output<T> {
  const result = schema.safeParse(parseJson(name, bytes));
  if (!result.success) throw packageError(`${name} is not valid: ${describeIssues(result.error.issues)}.`);
  return result.data;
}

/** `permissions[0].reason: every permission needs a reason…; version: must be a semantic version…` */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 10).map((issue) => `${fieldPath(issue.path)}: ${plainMessage(issue)}`);
  if (issues.length > 10) shown.push(`and ${issues.length - 10} more`);
  return shown.join('; ');
}

function fieldPath(p: readonly PropertyKey[]): string {
  if (p.length === 0) return '(the whole file)';
  return p.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), '');
}

function plainMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      // zod leaves `input` out of issues by default; its message ends with "received <type>".
      const got = /received (\w+)$/.exec(issue.message)?.[1];
      return got === 'undefined' ? `is required (${issue.expected})` : `must be ${issue.expected}${got ? ` (got ${got})` : ''}`;
    }
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'does not match any allowed form' + (issue.message && !issue.message.startsWith('Invalid') ? ` (${issue.message})` : '');
    default:
      return issue.message;
  }
}

function checkModule(wasm: Buffer): void {
  // capWasmMemory refuses imported, shared and 64-bit memories and malformed sections; validate catches the rest.
  try {
    capWasmMemory(wasm, WASM32_MAX_PAGES);
  } catch (error) {
    throw packageError(`${PLUGIN_FILE} cannot run in the sandbox: ${(error as Error).message}.`);
  }
  if (!wasmApi.validate(wasm)) throw packageError(`${PLUGIN_FILE} is not a valid WebAssembly module.`);
}
