import exifr from 'exifr';
import sharp from 'sharp';
import type { ErrorCode, Result } from '../../../src-shared/errors.js';

/** GPS position with signed degrees (south and west are negative). */
export interface GpsPosition {
  latitude: number;
  longitude: number;
  /** Metres above sea level (negative below), or null when not recorded. */
  altitude: number | null;
}

/** The photo metadata Cairn keeps from EXIF. Absent fields are null, never undefined. */
export interface ExifData {
  /** The capture date exactly as stored, e.g. `2021:03:04 12:34:56` (DateTimeOriginal, else CreateDate, else ModifyDate). */
  captureDateRaw: string | null;
  /**
   * The same moment as ISO 8601 wall-clock time, e.g. `2021-03-04T12:34:56`, with the offset appended
   * (`+02:00`) when the file records one. Never shifted into the indexing machine's time zone.
   * Null when the raw value is missing or not a valid date.
   */
  captureDate: string | null;
  make: string | null;
  model: string | null;
  /** Pixel size as stored (before applying the orientation): the image header's, else EXIF's. */
  width: number | null;
  height: number | null;
  /** EXIF orientation 1–8, or null. */
  orientation: number | null;
  gps: GpsPosition | null;
  /** Non-fatal problems, such as one unreadable IFD in otherwise good EXIF. */
  warnings: string[];
}

/** Options for {@link readExif}. */
export interface ReadExifOptions {
  /** Read the pixel size from the image header with sharp (header only, no decode). Default true. */
  probeDimensions?: boolean;
}

// exifr does not export its Options type.
const PARSE_OPTIONS: Exclude<Parameters<typeof exifr.parse>[1], boolean | undefined | unknown[]> = {
  tiff: true,
  exif: true,
  gps: true,
  ifd1: false,
  interop: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: true,
  makerNote: false,
  userComment: false,
  // Keep dates as the stored strings: revived Dates are in the indexing machine's local time.
  reviveValues: false,
  translateValues: false,
  translateKeys: true,
  mergeOutput: true,
  // silentErrors is on by default: failures come back in `errors` rather than as a throw.
};

const DATE = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/**
 * Turns an EXIF date (`YYYY:MM:DD HH:MM:SS`) and optional offset and sub-seconds into ISO 8601 without
 * changing the wall-clock time. Returns null for malformed or impossible dates (`0000:00:00 00:00:00`).
 *
 * @example
 * exifDateToIso('2021:03:04 12:34:56', '+02:00') // '2021-03-04T12:34:56+02:00'
 * exifDateToIso('2021:03:04 12:34:56', null, '5')  // '2021-03-04T12:34:56.5'
 */
export function exifDateToIso(raw: string, offset?: string | null, subSec?: string | null): string | null {
  const m = DATE.exec(raw.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const check = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (y < 1 || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  let iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  const frac = subSec?.trim();
  if (frac && /^\d+$/.test(frac)) iso += `.${frac}`;
  const off = offset?.trim();
  if (off && OFFSET.test(off)) iso += off;
  return iso;
}

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // Camera strings are often NUL- or space-padded.
  const trimmed = value.replace(/\0+$/, '').trim();
  return trimmed === '' ? null : trimmed;
}

function positiveInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

function fail(code: ErrorCode, message: string): Result<ExifData> {
  return { ok: false, error: { code, message } };
}

function describe(source: string | Uint8Array): string {
  return typeof source === 'string' ? source : `${source.byteLength}-byte buffer`;
}

/**
 * Reads capture date, camera, size, orientation and GPS from an image. `source` is a file path or the
 * file's bytes (use bytes for paths that are not valid UTF-8). Never throws: failures are values —
 * `NOT_FOUND` (no such file), `NOT_SUPPORTED` (not an image format exifr knows), `VALIDATION` (EXIF
 * present but corrupt or truncated, nothing readable), `IO` otherwise. An image without EXIF is a success
 * with null fields. GPS comes from `exifr.gps()`, which keeps the sign of south and west.
 *
 * @example
 * const r = await readExif('/photos/IMG_0001.JPG');
 * if (r.ok) console.log(r.value.captureDate, r.value.gps); // '2021-03-04T12:34:56+02:00' { latitude: -33.86, ... }
 */
export async function readExif(source: string | Uint8Array, options: ReadExifOptions = {}): Promise<Result<ExifData>> {
  let tags: Record<string, unknown> | undefined;
  try {
    tags = (await exifr.parse(source, PARSE_OPTIONS)) as Record<string, unknown> | undefined;
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    const message = error instanceof Error ? error.message : String(error);
    if (errno === 'ENOENT' || errno === 'ENOTDIR') return fail('NOT_FOUND', `No such file: ${describe(source)}`);
    if (errno === 'EACCES' || errno === 'EPERM') return fail('PERMISSION_DENIED', `Cannot read ${describe(source)}: ${message}`);
    if (errno === 'EISDIR') return fail('VALIDATION', `${describe(source)} is a directory`);
    if (/unknown file format/i.test(message)) return fail('NOT_SUPPORTED', `Not an image with readable metadata: ${describe(source)}`);
    return fail('VALIDATION', `Corrupt image metadata in ${describe(source)}: ${message}`);
  }

  const errors = Array.isArray(tags?.errors) ? (tags.errors as unknown[]) : [];
  const warnings = errors.map((e) => (e instanceof Error ? e.message : String(e)));
  const fields = tags ? Object.keys(tags).filter((k) => k !== 'errors') : [];
  if (errors.length > 0 && fields.length === 0) {
    return fail('VALIDATION', `Corrupt or truncated EXIF in ${describe(source)}: ${warnings.join('; ')}`);
  }
  const t = tags ?? {};

  const dateSources = [
    ['DateTimeOriginal', 'OffsetTimeOriginal', 'SubSecTimeOriginal'],
    ['CreateDate', 'OffsetTimeDigitized', 'SubSecTimeDigitized'],
    ['ModifyDate', 'OffsetTime', 'SubSecTime'],
  ] as const;
  let captureDateRaw: string | null = null;
  let captureDate: string | null = null;
  for (const [dateKey, offsetKey, subSecKey] of dateSources) {
    const raw = text(t[dateKey]);
    if (raw === null) continue;
    captureDateRaw = raw;
    captureDate = exifDateToIso(raw, text(t[offsetKey]), text(t[subSecKey]) ?? (typeof t[subSecKey] === 'number' ? String(t[subSecKey]) : null));
    break;
  }

  let gps: GpsPosition | null = null;
  if (t.GPSLatitude !== undefined && t.GPSLongitude !== undefined) {
    try {
      const position = await exifr.gps(source);
      if (position && Number.isFinite(position.latitude) && Number.isFinite(position.longitude)) {
        const alt = typeof t.GPSAltitude === 'number' ? t.GPSAltitude : null;
        const ref = t.GPSAltitudeRef instanceof Uint8Array ? t.GPSAltitudeRef[0] : t.GPSAltitudeRef;
        gps = { latitude: position.latitude, longitude: position.longitude, altitude: alt === null ? null : ref === 1 ? -alt : alt };
      }
    } catch (error) {
      warnings.push(`GPS unreadable: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  let width = positiveInt(t.ExifImageWidth) ?? positiveInt(t.ImageWidth);
  let height = positiveInt(t.ExifImageHeight) ?? positiveInt(t.ImageHeight);
  if (options.probeDimensions ?? true) {
    try {
      const meta = await sharp(typeof source === 'string' ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength)).metadata();
      if (meta.width && meta.height) {
        width = meta.width;
        height = meta.height;
      }
    } catch (error) {
      warnings.push(`Image header unreadable: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const orientation = typeof t.Orientation === 'number' && t.Orientation >= 1 && t.Orientation <= 8 ? t.Orientation : null;
  return {
    ok: true,
    value: { captureDateRaw, captureDate, make: text(t.Make), model: text(t.Model), width, height, orientation, gps, warnings },
  };
}
