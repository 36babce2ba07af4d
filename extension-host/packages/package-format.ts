import { z } from 'zod';
import { CairnError } from '../../src-shared/errors.js';

/**
 * The `.cairnext` package format, version 1: a zip archive holding
 *
 * - `manifest.json`: the extension manifest (`Manifest` in src-shared/extensions/manifest.ts);
 * - `plugin.wasm`: the Extism guest;
 * - `ui_manifest.json` (optional): the views the extension contributes;
 * - `assets/…` and `prompts/…` (optional): icons, images, prompt templates;
 * - `files.json`: every file above with its size and sha256 ({@link FileListing});
 * - `signature.json` (optional): a publisher's ed25519 signature over the exact bytes of `files.json`
 *   ({@link SignatureFile}).
 *
 * Nothing else may be in the archive. See docs/extension-runtime.md, "Package format".
 */
export const PACKAGE_SUFFIX = '.cairnext';
export const MANIFEST_FILE = 'manifest.json';
export const PLUGIN_FILE = 'plugin.wasm';
export const UI_MANIFEST_FILE = 'ui_manifest.json';
export const FILES_FILE = 'files.json';
export const SIGNATURE_FILE = 'signature.json';
/** Folders whose contents are free-form (any listed file below them is allowed). */
export const PACKAGE_FOLDERS = ['assets', 'prompts'] as const;
/** Files listed in `files.json`; `files.json` and `signature.json` are the two that are not. */
export const LISTED_TOP_FILES = [MANIFEST_FILE, PLUGIN_FILE, UI_MANIFEST_FILE] as const;

/** The identifier written into `files.json`. */
export const FILES_FORMAT = 'cairnext/1';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex sha256');

/** `files.json`: every packaged file except itself and `signature.json`, sorted by path. */
export const FileListing = z
  .object({
    format: z.literal(FILES_FORMAT),
    files: z
      .array(z.object({ path: z.string().min(1).max(512), size: z.number().int().min(0), sha256: Sha256Hex }).strict())
      .min(2)
      .max(10_000),
  })
  .strict();
export type FileListing = z.infer<typeof FileListing>;

/** `signature.json`: an ed25519 signature over the exact bytes of `files.json`. */
export const SignatureFile = z
  .object({
    algorithm: z.literal('ed25519').default('ed25519'),
    /** Base64: the raw 32-byte public key, or its DER SubjectPublicKeyInfo (spki). */
    publicKey: z.string().min(1).max(200),
    /** Base64: the 64-byte signature. */
    signature: z.string().min(1).max(200),
  })
  .strict();
export type SignatureFile = z.infer<typeof SignatureFile>;

/**
 * Caps applied while reading a package, before anything is decompressed past them (zip bombs, huge archives).
 * Defaults are {@link DEFAULT_PACKAGE_LIMITS}; tests pass smaller ones.
 */
export interface PackageLimits {
  /** The `.cairnext` file itself. */
  maxPackageBytes: number;
  /** Sum of the uncompressed sizes of every file. */
  maxTotalBytes: number;
  /** Any one file, uncompressed. */
  maxFileBytes: number;
  /** Number of entries in the archive (folders included). */
  maxFiles: number;
}

export const DEFAULT_PACKAGE_LIMITS: PackageLimits = {
  maxPackageBytes: 256 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
  maxFileBytes: 128 * 1024 * 1024,
  maxFiles: 2_000,
};

const MAX_PATH_LENGTH = 240;
const MAX_DEPTH = 8;
// Names Windows cannot create, whatever the extension; refusing them keeps libraries portable.
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/** A refusal while reading a package: always `VALIDATION`, with a message meant for the person installing. */
export function packageError(message: string): CairnError {
  return new CairnError('VALIDATION', `This extension package was refused: ${message}`);
}

/**
 * Checks one archive entry name and says why it is unsafe or not allowed, or returns null when it is fine.
 * Refuses absolute paths (`/x`, `C:x`), `..` and `.` segments, backslashes, empty segments, control
 * characters, names Windows reserves, and anything outside the allowed layout.
 *
 * @example
 * entryPathProblem('../evil')        // 'the path "../evil" climbs out of the package (..)'
 * entryPathProblem('assets/icon.png') // null
 */
export function entryPathProblem(name: string, isFolder = false): string | null {
  const shown = JSON.stringify(name.slice(0, 200));
  if (name.length === 0) return 'an entry has an empty name';
  if (name.length > MAX_PATH_LENGTH) return `the path ${shown} is longer than ${MAX_PATH_LENGTH} characters`;
  if (name.includes('\\')) return `the path ${shown} contains a backslash`;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return `the path ${shown} is absolute`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return `the path ${shown} contains control characters`;
  if (/[<>:"|?*]/.test(name)) return `the path ${shown} contains a character not allowed in file names (<>:"|?*)`;
  const trimmed = isFolder ? name.replace(/\/$/, '') : name;
  const parts = trimmed.split('/');
  if (parts.includes('..')) return `the path ${shown} climbs out of the package (..)`;
  if (parts.some((p) => p === '' || p === '.')) return `the path ${shown} has an empty or "." segment`;
  if (parts.length > MAX_DEPTH) return `the path ${shown} is nested deeper than ${MAX_DEPTH} folders`;
  if (parts.some((p) => WINDOWS_RESERVED.test(p) || p.endsWith('.') || p.endsWith(' '))) return `the path ${shown} is not a portable file name`;
  if (parts.length === 1 && !isFolder) {
    if ((LISTED_TOP_FILES as readonly string[]).includes(name) || name === FILES_FILE || name === SIGNATURE_FILE) return null;
    return `unexpected file ${shown} (only ${[...LISTED_TOP_FILES, FILES_FILE, SIGNATURE_FILE].join(', ')}, assets/ and prompts/ may be packaged)`;
  }
  if (!(PACKAGE_FOLDERS as readonly string[]).includes(parts[0]!)) {
    return `unexpected ${isFolder ? 'folder' : 'file'} ${shown} (only assets/ and prompts/ may hold other files)`;
  }
  return null;
}

/** The key under which two names collide on a case-insensitive, normalising file system (macOS, Windows). */
export function collisionKey(name: string): string {
  return name.normalize('NFC').toLowerCase().replace(/\/$/, '');
}
