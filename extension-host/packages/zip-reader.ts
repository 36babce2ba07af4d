import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { collisionKey, entryPathProblem, packageError, type PackageLimits } from './package-format.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const HOST_UNIX = 3;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads every file of a zip archive into memory, refusing anything unsafe before writing a byte anywhere:
 * a damaged or truncated archive, unsafe names (see `entryPathProblem`), symlinks and other special
 * entries, duplicate names (also names equal up to case or Unicode normalisation), encrypted entries,
 * and archives past the {@link PackageLimits} (file count, per-file and total uncompressed size; sizes are
 * checked from the directory first, then while inflating, so a lying header cannot slip a bomb through).
 * Folder entries are accepted and skipped.
 *
 * Failure modes: `VALIDATION` with a sentence naming the problem.
 *
 * @example
 * const files = await readZipEntries(bytes, DEFAULT_PACKAGE_LIMITS); // Map { 'manifest.json' => Buffer, … }
 */
export async function readZipEntries(bytes: Buffer, limits: PackageLimits): Promise<Map<string, Buffer>> {
  if (bytes.length > limits.maxPackageBytes) throw packageError(`it is larger than ${formatBytes(limits.maxPackageBytes)}.`);
  let zip: yauzl.ZipFile;
  try {
    // decodeStrings: false, so that names reach our own checks (and messages) undecoded and unaltered.
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, strictFileNames: true });
  } catch (error) {
    throw packageError(`it is not a readable zip archive (it may be truncated or damaged): ${(error as Error).message}.`);
  }
  try {
    if (zip.entryCount > limits.maxFiles) throw packageError(`it holds ${zip.entryCount} entries; at most ${limits.maxFiles} are allowed.`);
    const files = new Map<string, Buffer>();
    const seen = new Map<string, string>();
    let total = 0;
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      const name = decodeName(entry);
      const isFolder = name.endsWith('/');
      const problem = entryPathProblem(name, isFolder);
      if (problem) throw packageError(problem + '.');
      const key = collisionKey(name);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        throw packageError(earlier === name ? `the file "${name}" appears twice.` : `"${name}" and "${earlier}" would be the same file on some systems.`);
      }
      seen.set(key, name);
      checkFileType(entry, name, isFolder);
      if (entry.isEncrypted()) throw packageError(`"${name}" is encrypted.`);
      if (isFolder) {
        if (entry.uncompressedSize !== 0) throw packageError(`the folder entry "${name}" has contents.`);
        continue;
      }
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        throw packageError(`"${name}" uses compression method ${entry.compressionMethod}; only stored and deflate are supported.`);
      }
      if (entry.uncompressedSize > limits.maxFileBytes) throw packageError(`"${name}" is larger than ${formatBytes(limits.maxFileBytes)} uncompressed.`);
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) throw packageError(`its files add up to more than ${formatBytes(limits.maxTotalBytes)} uncompressed.`);
      files.set(name, await readEntry(zip, entry, name, limits.maxFileBytes));
    }
    return files;
  } finally {
    zip.close();
  }
}

function decodeName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  try {
    return utf8.decode(raw);
  } catch {
    throw packageError(`an entry name is not valid UTF-8 (${raw.subarray(0, 40).toString('hex')}…).`);
  }
}

/** Only regular files and folders: a symlink, device or FIFO entry could point an extraction anywhere. */
function checkFileType(entry: yauzl.Entry, name: string, isFolder: boolean): void {
  if (entry.versionMadeBy >> 8 !== HOST_UNIX) return; // other hosts do not store Unix modes
  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (mode === 0) return;
  if (mode === S_IFLNK) throw packageError(`"${name}" is a symbolic link; packages may hold only regular files.`);
  if (mode !== (isFolder ? S_IFDIR : S_IFREG)) throw packageError(`"${name}" is not a regular file.`);
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (e: yauzl.Entry) => (cleanup(), resolve(e));
    const onEnd = () => (cleanup(), resolve(null));
    const onError = (err: Error) => (cleanup(), reject(packageError(`it is not a readable zip archive (it may be truncated or damaged): ${err.message}.`)));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string, maxBytes: number): Promise<Buffer> {
  let stream: Readable;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (error) {
    throw packageError(`"${name}" cannot be read: ${(error as Error).message}.`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      // yauzl also stops at the declared size; this guard holds even if that check changes.
      if (size > maxBytes || size > entry.uncompressedSize) throw packageError(`"${name}" inflates past its declared size.`);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    stream.destroy();
    if (error instanceof Error && error.name === 'CairnError') throw error;
    throw packageError(`"${name}" is damaged: ${(error as Error).message}.`);
  }
  return Buffer.concat(chunks, size);
}

/** 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}
