import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exifDateToIso, readExif } from './exif.js';
import { buildExifSegment, insertSegment } from './testing/exif-segment.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const images = path.resolve(repoRoot, '../shared/fixtures/images');

let dir: string;
let tagged: Buffer;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-exif-'));
  const jpeg = await sharp(path.join(images, 'chelsea.png')).jpeg({ quality: 80 }).toBuffer();
  tagged = insertSegment(
    jpeg,
    buildExifSegment({
      make: 'Cairn',
      model: 'Test Cam 1',
      orientation: 6,
      dateTimeOriginal: '2021:03:04 12:34:56',
      offsetTimeOriginal: '+02:00',
      pixelWidth: 4000,
      pixelHeight: 3000,
      latitude: -33.8568,
      longitude: -151.2153,
      altitude: -12.5,
    }),
  );
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('readExif', () => {
  it('reads date, camera, orientation and signed GPS from a JPEG we wrote EXIF into', async () => {
    const file = path.join(dir, 'tagged.jpg');
    fs.writeFileSync(file, tagged);
    const result = await readExif(file);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const v = result.value;
    expect(v.captureDateRaw).toBe('2021:03:04 12:34:56');
    expect(v.captureDate).toBe('2021-03-04T12:34:56+02:00');
    expect(v.make).toBe('Cairn');
    expect(v.model).toBe('Test Cam 1');
    expect(v.orientation).toBe(6);
    // The header's real size wins over the EXIF claim of 4000×3000.
    expect([v.width, v.height]).toEqual([451, 300]);
    expect(v.gps!.latitude).toBeCloseTo(-33.8568, 4);
    expect(v.gps!.longitude).toBeCloseTo(-151.2153, 4);
    expect(v.gps!.altitude).toBeCloseTo(-12.5, 5);
    expect(v.warnings).toEqual([]);
  });

  it('reads the same from bytes, and falls back to EXIF dimensions without probing', async () => {
    const result = await readExif(tagged, { probeDimensions: false });
    expect(result).toMatchObject({ ok: true, value: { width: 4000, height: 3000, make: 'Cairn' } });
  });

  it('reports no EXIF as nulls with the real size (fixture JPEG and PNG)', async () => {
    const jpg = await readExif(path.join(images, 'grace_hopper_512x512.jpg'));
    expect(jpg).toEqual({
      ok: true,
      value: { captureDateRaw: null, captureDate: null, make: null, model: null, width: 512, height: 512, orientation: null, gps: null, warnings: [] },
    });
    const png = await readExif(path.join(images, 'chelsea.png'));
    expect(png).toMatchObject({ ok: true, value: { width: 451, height: 300, gps: null, captureDate: null } });
  });

  it('keeps the northern/eastern sign positive', async () => {
    const jpeg = await sharp(path.join(images, 'coffee.png')).resize(64).jpeg().toBuffer();
    const north = insertSegment(jpeg, buildExifSegment({ latitude: 48.8584, longitude: 2.2945 }));
    const result = await readExif(north);
    expect(result.ok && result.value.gps).toMatchObject({ latitude: expect.closeTo(48.8584, 4), longitude: expect.closeTo(2.2945, 4), altitude: null });
  });

  it('returns an error value for EXIF cut off mid-segment', async () => {
    const truncated = tagged.subarray(0, 60);
    const file = path.join(dir, 'truncated.jpg');
    fs.writeFileSync(file, truncated);
    const result = await readExif(file);
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/Corrupt or truncated EXIF/) } });
  });

  it('returns an error value for a corrupt IFD offset', async () => {
    const corrupt = Buffer.from(tagged);
    // APP1 at 2: marker(2) length(2) "Exif\0\0"(6), then TIFF: "II*\0" and the IFD0 offset.
    corrupt.writeUInt32LE(0x7fffffff, 2 + 4 + 6 + 4);
    const result = await readExif(corrupt);
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('returns error values for a non-image, a missing file and a directory', async () => {
    const notImage = path.join(dir, 'notes.jpg');
    fs.writeFileSync(notImage, 'just some text pretending to be a photo');
    expect(await readExif(notImage)).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
    expect(await readExif(path.join(dir, 'missing.jpg'))).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await readExif(dir)).toMatchObject({ ok: false });
  });
});

describe('exifDateToIso', () => {
  it('converts without shifting the wall clock', () => {
    expect(exifDateToIso('2021:03:04 12:34:56')).toBe('2021-03-04T12:34:56');
    expect(exifDateToIso('2021:03:04 12:34:56', '-05:00', '042')).toBe('2021-03-04T12:34:56.042-05:00');
  });

  it('rejects placeholders and impossible dates', () => {
    expect(exifDateToIso('0000:00:00 00:00:00')).toBeNull();
    expect(exifDateToIso('2021:02:30 10:00:00')).toBeNull();
    expect(exifDateToIso('2021:03:04 25:00:00')).toBeNull();
    expect(exifDateToIso('yesterday')).toBeNull();
    expect(exifDateToIso('2021:03:04 12:34:56', 'garbage')).toBe('2021-03-04T12:34:56');
  });
});
