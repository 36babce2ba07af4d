import fs from 'node:fs';
import { createBLAKE3, type IHasher } from 'hash-wasm';
import { v5 as uuidV5 } from 'uuid';
import { CairnError, type ErrorCode, type Result } from '../../../src-shared/errors.js';

// The constants and the derivation below follow Spacedrive's `ContentHashGenerator`
// (core/src/domain/content_identity.rs) and `content_identity::Model::deterministic_uuid`
// (core/src/infra/db/entities/content_identity.rs), so a file gets the same content id here and there.

/** Files of this size or smaller are hashed whole; larger files are sampled. 100 KiB. */
export const WHOLE_FILE_LIMIT = 100 * 1024;
/** Number of evenly spaced samples taken from a large file. */
export const SAMPLE_COUNT = 4;
/** Length of each sample of a large file. 10 KiB. */
export const SAMPLE_SIZE = 10 * 1024;
/** Length of the header and of the footer hashed for a large file. 8 KiB. */
export const HEADER_OR_FOOTER_SIZE = 8 * 1024;
/** Number of hex characters of the BLAKE3 digest kept as the content hash. */
export const CONTENT_HASH_LENGTH = 16;
/**
 * The v5 namespace for content ids. Spacedrive spells the bytes out by hand; they are the RFC 4122 DNS
 * namespace (`uuid`'s `v5.DNS`).
 */
export const CONTENT_ID_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

/** The content identity of one file or buffer. */
export interface ContentIdentity {
  /** First 16 lowercase hex characters of the BLAKE3 digest. */
  contentHash: string;
  /** Deterministic v5 UUID of `contentHash`: every device computes the same one. */
  contentId: string;
  /** The size in bytes that was hashed (and mixed into the hash). */
  size: number;
  /** True when the file was larger than {@link WHOLE_FILE_LIMIT} and only sampled. */
  sampled: boolean;
  /** The file's first bytes, when {@link HashFileOptions.headBytes} asked for them (for magic-byte sniffing). */
  head?: Uint8Array;
}

/** Options for {@link hashFile}. */
export interface HashFileOptions {
  /** Also return up to this many leading bytes (read anyway: every hash starts at byte 0). Default 0. */
  headBytes?: number;
}

/** A half-open byte range `[start, end)`. */
export type ByteRange = readonly [start: number, end: number];

/**
 * The byte ranges of a file of `size` bytes that go into its content hash, in hashing order, after the
 * 8-byte little-endian size prefix. Small files give one range covering everything (none when empty).
 * Large files give the header, four samples starting at 8 KiB with step ⌊(size − 16 KiB) / 4⌋, and the footer.
 * Throws `VALIDATION` for a negative or non-integer size.
 *
 * @example
 * contentSampleRanges(10)      // [[0, 10]]
 * contentSampleRanges(1 << 20) // [[0, 8192], [8192, 18432], ..., [1040384, 1048576]]
 */
export function contentSampleRanges(size: number): ByteRange[] {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new CairnError('VALIDATION', `Invalid file size ${size}`);
  }
  if (size <= WHOLE_FILE_LIMIT) return size === 0 ? [] : [[0, size]];
  const ranges: ByteRange[] = [[0, HEADER_OR_FOOTER_SIZE]];
  const step = Math.floor((size - HEADER_OR_FOOTER_SIZE * 2) / SAMPLE_COUNT);
  for (let i = 0, pos = HEADER_OR_FOOTER_SIZE; i < SAMPLE_COUNT; i += 1, pos += step) {
    ranges.push([pos, pos + SAMPLE_SIZE]);
  }
  ranges.push([size - HEADER_OR_FOOTER_SIZE, size]);
  return ranges;
}

/**
 * The content id (v5 UUID in {@link CONTENT_ID_NAMESPACE}) of a content hash. Pure and deterministic.
 *
 * @example
 * contentIdFromHash('af1349b9f5f9a1a6') // a fixed UUID such as '…-5…-…'
 */
export function contentIdFromHash(contentHash: string): string {
  return uuidV5(contentHash, CONTENT_ID_NAMESPACE);
}

let sharedHasher: Promise<IHasher> | undefined;

/** One BLAKE3 instance per thread. Callers use it synchronously (init → digest with no await between). */
function hasher(): Promise<IHasher> {
  sharedHasher ??= createBLAKE3();
  return sharedHasher;
}

function sizePrefix(size: number): Uint8Array {
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(size), true);
  return prefix;
}

function digestIdentity(h: IHasher, size: number, sampled: boolean, data: Uint8Array): ContentIdentity {
  h.init();
  h.update(sizePrefix(size));
  h.update(data);
  const contentHash = h.digest('hex').slice(0, CONTENT_HASH_LENGTH);
  return { contentHash, contentId: contentIdFromHash(contentHash), size, sampled };
}

/** Concatenates the sampled ranges of an in-memory buffer (or the whole buffer when small). */
function gather(data: Uint8Array, ranges: readonly ByteRange[]): Uint8Array {
  if (ranges.length === 1 && ranges[0]![0] === 0 && ranges[0]![1] === data.length) return data;
  const total = ranges.reduce((n, [s, e]) => n + (e - s), 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const [s, e] of ranges) {
    out.set(data.subarray(s, e), at);
    at += e - s;
  }
  return out;
}

/**
 * Content identity of bytes already in memory, using exactly the sampling a file of the same bytes gets,
 * so `contentIdentityOfBuffer(fs.readFileSync(p))` equals `hashFile(p)`.
 *
 * @example
 * const { contentHash, contentId } = await contentIdentityOfBuffer(new TextEncoder().encode('hello'));
 */
export async function contentIdentityOfBuffer(data: Uint8Array): Promise<ContentIdentity> {
  const ranges = contentSampleRanges(data.length);
  const h = await hasher();
  return digestIdentity(h, data.length, data.length > WHOLE_FILE_LIMIT, gather(data, ranges));
}

// Callback fs wrapped by hand: measurably faster than fs.promises' FileHandle for many small files.
function open(path: fs.PathLike): Promise<number> {
  return new Promise((resolve, reject) => fs.open(path, 'r', (e, fd) => (e ? reject(e) : resolve(fd))));
}
function fstat(fd: number): Promise<fs.Stats> {
  return new Promise((resolve, reject) => fs.fstat(fd, (e, st) => (e ? reject(e) : resolve(st))));
}
function read(fd: number, buf: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.read(fd, buf, offset, length, position, (e, n) => (e ? reject(e) : resolve(n))),
  );
}
function close(fd: number): Promise<void> {
  return new Promise((resolve) => fs.close(fd, () => resolve()));
}

/** Reads exactly `length` bytes at `position`, looping over short reads; fails if the file got shorter. */
async function readExactly(fd: number, buf: Uint8Array, offset: number, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const n = await read(fd, buf, offset + done, length - done, position + done);
    if (n === 0) throw new CairnError('CONFLICT', 'File shrank while it was being hashed');
    done += n;
  }
}

/**
 * Computes the content identity of a file with one open descriptor and positioned reads: small files
 * are read whole, large files only at their ~58 KiB of samples. The size comes from `fstat` on the
 * same descriptor. Throws a `CairnError`: `NOT_FOUND` (vanished), `PERMISSION_DENIED`, `VALIDATION`
 * (a directory or other non-regular file), `CONFLICT` (shrank while reading) or `IO`.
 * A zero-byte file gets a well-defined hash of the size prefix alone; note that Spacedrive refuses
 * to give empty files a content identity, so callers that sync with it should skip `size === 0`.
 *
 * @example
 * const id = await hashFile('/photos/cat.jpg'); // { contentHash: '3f…', contentId: '…', size, sampled }
 */
export async function hashFile(path: string | Buffer, options: HashFileOptions = {}): Promise<ContentIdentity> {
  let fd: number | undefined;
  try {
    fd = await open(path);
    const st = await fstat(fd);
    if (!st.isFile()) throw new CairnError('VALIDATION', 'Not a regular file');
    const size = st.size;
    const ranges = contentSampleRanges(size);
    const total = ranges.reduce((n, [s, e]) => n + (e - s), 0);
    const buf = new Uint8Array(total);
    let at = 0;
    for (const [s, e] of ranges) {
      await readExactly(fd, buf, at, e - s, s);
      at += e - s;
    }
    const h = await hasher();
    const identity = digestIdentity(h, size, size > WHOLE_FILE_LIMIT, buf);
    if (options.headBytes) identity.head = buf.slice(0, Math.min(options.headBytes, buf.length));
    return identity;
  } catch (error) {
    throw toCairnError(error, path);
  } finally {
    if (fd !== undefined) await close(fd);
  }
}

function errnoToCode(errno: string | undefined): ErrorCode {
  switch (errno) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'NOT_FOUND';
    case 'EACCES':
    case 'EPERM':
      return 'PERMISSION_DENIED';
    case 'EISDIR':
      return 'VALIDATION';
    default:
      return 'IO';
  }
}

function toCairnError(error: unknown, path: string | Buffer): CairnError {
  if (error instanceof CairnError) return error;
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new CairnError(errnoToCode(errno), `Cannot hash ${String(path)}: ${message}`, { cause: error });
}

/** The outcome for one file of {@link hashFiles}: the identity, or an error value. */
export type HashFileResult = { path: string | Buffer } & Result<ContentIdentity>;

/** Options for {@link hashFiles}. */
export interface HashFilesOptions {
  /** Files hashed at once. Default 32; async reads are latency-bound, so this is well above the core count. */
  concurrency?: number;
}

/**
 * Hashes many files, in input order, with bounded concurrency. Never throws for a file: an unreadable,
 * vanished or non-regular file yields `{ ok: false, error: { code, message } }` at its index.
 * Suitable inside a worker thread (see `hash-worker.ts` and `HashPool`).
 *
 * @example
 * const results = await hashFiles(['/a.jpg', '/gone.txt']);
 * // [{ path: '/a.jpg', ok: true, value: {...} }, { path: '/gone.txt', ok: false, error: { code: 'NOT_FOUND', ... } }]
 */
export async function hashFiles(
  paths: readonly (string | Buffer)[],
  options: HashFilesOptions = {},
): Promise<HashFileResult[]> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 32));
  const results = new Array<HashFileResult>(paths.length);
  let next = 0;
  const runner = async (): Promise<void> => {
    while (next < paths.length) {
      const index = next++;
      const path = paths[index]!;
      try {
        results[index] = { path, ok: true, value: await hashFile(path) };
      } catch (error) {
        const e = toCairnError(error, path);
        results[index] = { path, ok: false, error: { code: e.code, message: e.message } };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, runner));
  return results;
}
