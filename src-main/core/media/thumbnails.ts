import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { CairnError, type ErrorCode, type Result } from '../../../src-shared/errors.js';

/** Longest side of a thumbnail, in pixels. */
export const THUMBNAIL_SIZE = 256;
/**
 * Largest input, in pixels, we agree to decode by default: 100 MP covers every current camera
 * (a 61 MP full frame, a 102 MP medium format is refused) while stopping decompression bombs early.
 */
export const DEFAULT_MAX_INPUT_PIXELS = 100_000_000;

/** Options for {@link generateThumbnail}. */
export interface ThumbnailOptions {
  /** Longest side in pixels. Default {@link THUMBNAIL_SIZE}. Smaller images are not enlarged. */
  size?: number;
  /** WebP quality 1–100. Default 75. */
  quality?: number;
  /** Refuse inputs with more pixels than this (sharp's `limitInputPixels`). Default {@link DEFAULT_MAX_INPUT_PIXELS}. */
  maxInputPixels?: number;
}

/** A thumbnail on disk. */
export interface ThumbnailResult {
  /** Absolute path of the `.webp` sidecar. */
  path: string;
  /** False when a thumbnail for this content already existed and was reused. */
  created: boolean;
  /** Size of the thumbnail when it was created now; null when an existing one was reused. */
  width: number | null;
  height: number | null;
}

const SAFE_ID = /^[0-9A-Za-z][0-9A-Za-z-]{7,63}$/;

/**
 * The content-addressed sidecar path of a content id's thumbnail:
 * `<library>/sidecars/thumb/<first two characters>/<contentId>.webp`. Files with the same content share it.
 * Throws `VALIDATION` for an id that is not 8–64 letters, digits and dashes (so no path can escape).
 *
 * @example
 * thumbnailPath('/lib', '6cb8e707-0fc5-5f55-88d4-d4fed43e64a8')
 * // '/lib/sidecars/thumb/6c/6cb8e707-0fc5-5f55-88d4-d4fed43e64a8.webp'
 */
export function thumbnailPath(libraryDir: string, contentId: string): string {
  if (!SAFE_ID.test(contentId)) throw new CairnError('VALIDATION', `Invalid content id for a sidecar: ${JSON.stringify(contentId)}`);
  return path.join(path.resolve(libraryDir), 'sidecars', 'thumb', contentId.slice(0, 2).toLowerCase(), `${contentId}.webp`);
}

function classify(error: unknown): { code: ErrorCode; message: string } {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof CairnError) return { code: error.code, message };
  if (errno === 'ENOENT' || /input file is missing/i.test(message)) return { code: 'NOT_FOUND', message };
  if (errno === 'EACCES' || errno === 'EPERM') return { code: 'PERMISSION_DENIED', message };
  if (/exceeds pixel limit/i.test(message)) return { code: 'VALIDATION', message: `Image too large to decode safely: ${message}` };
  if (/unsupported image format/i.test(message)) return { code: 'NOT_SUPPORTED', message };
  if (typeof errno === 'string') return { code: 'IO', message };
  return { code: 'VALIDATION', message: `Corrupt or unreadable image: ${message}` };
}

/**
 * Writes a WebP thumbnail (longest side `size`, EXIF orientation applied, never enlarged) for the image
 * `source` (a path or the file's bytes) into the library's content-addressed sidecar folder. If the
 * thumbnail already exists it is reused without decoding anything. The file appears atomically (written
 * to a temporary name in the same folder, then renamed), so readers never see a partial WebP.
 * Never throws: failures are values — `NOT_FOUND` (no source), `NOT_SUPPORTED` (not an image),
 * `VALIDATION` (corrupt image, more than `maxInputPixels` pixels, or a bad content id), `IO` (writing failed).
 *
 * @example
 * const r = await generateThumbnail('/photos/cat.jpg', '/libs/home', contentId);
 * if (r.ok) serve(r.value.path);
 */
export async function generateThumbnail(
  source: string | Uint8Array,
  libraryDir: string,
  contentId: string,
  options: ThumbnailOptions = {},
): Promise<Result<ThumbnailResult>> {
  let target: string;
  try {
    target = thumbnailPath(libraryDir, contentId);
  } catch (error) {
    return { ok: false, error: classify(error) };
  }
  if (fs.existsSync(target)) return { ok: true, value: { path: target, created: false, width: null, height: null } };

  const size = Math.max(1, Math.floor(options.size ?? THUMBNAIL_SIZE));
  const quality = Math.min(100, Math.max(1, Math.floor(options.quality ?? 75)));
  const limitInputPixels = Math.max(1, Math.floor(options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS));

  let output: { data: Buffer; info: sharp.OutputInfo };
  try {
    const input = typeof source === 'string' ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    output = await sharp(input, { limitInputPixels, sequentialRead: true })
      .rotate() // apply EXIF orientation, then drop it
      .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
      .webp({ quality })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    return { ok: false, error: classify(error) };
  }

  const tmp = `${target}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.writeFile(tmp, output.data);
    await fs.promises.rename(tmp, target);
  } catch (error) {
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined); // best effort: the folder may not exist
    const { code, message } = classify(error);
    return { ok: false, error: { code: code === 'PERMISSION_DENIED' ? code : 'IO', message: `Cannot write thumbnail: ${message}` } };
  }
  return { ok: true, value: { path: target, created: true, width: output.info.width, height: output.info.height } };
}
