import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateThumbnail, thumbnailPath } from './thumbnails.js';
import { buildExifSegment, insertSegment } from './testing/exif-segment.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const images = path.resolve(repoRoot, '../shared/fixtures/images');
const ID = '6cb8e707-0fc5-5f55-88d4-d4fed43e64a8';

let lib: string;
beforeEach(() => {
  lib = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-thumb-'));
});
afterEach(() => {
  fs.rmSync(lib, { recursive: true, force: true });
});

function allFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

/** A PNG whose header claims `width`×`height` but holds almost no data: a decompression bomb's shape. */
function claimedPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('thumbnailPath', () => {
  it('is content-addressed and refuses ids that could escape the sidecar folder', () => {
    expect(thumbnailPath(lib, ID)).toBe(path.join(lib, 'sidecars', 'thumb', '6c', `${ID}.webp`));
    for (const bad of ['../../etc/passwd', 'ab', 'abc/defgh', '', `${ID}.webp`]) {
      expect(() => thumbnailPath(lib, bad)).toThrow(/Invalid content id/);
    }
  });
});

describe('generateThumbnail', () => {
  it('writes a 256 px WebP with the aspect ratio kept, and leaves no temporary file', async () => {
    const result = await generateThumbnail(path.join(images, 'chelsea.png'), lib, ID);
    expect(result).toEqual({ ok: true, value: { path: thumbnailPath(lib, ID), created: true, width: 256, height: 170 } });
    const meta = await sharp(thumbnailPath(lib, ID)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 256, 170]);
    expect(allFiles(lib)).toEqual([path.join('sidecars', 'thumb', '6c', `${ID}.webp`)]);
  });

  it('applies EXIF orientation: a landscape image tagged "rotate 90°" gives a portrait thumbnail', async () => {
    const jpeg = await sharp(path.join(images, 'chelsea.png')).jpeg().toBuffer();
    const rotated = insertSegment(jpeg, buildExifSegment({ orientation: 6 }));
    const result = await generateThumbnail(rotated, lib, ID);
    expect(result).toMatchObject({ ok: true, value: { width: 170, height: 256 } });
  });

  it('does not enlarge small images', async () => {
    const small = await sharp(path.join(images, 'coffee.png')).resize(40).png().toBuffer();
    const result = await generateThumbnail(small, lib, ID);
    expect(result.ok && result.value.width).toBe(40);
  });

  it('reuses an existing thumbnail for duplicate content without touching it', async () => {
    const first = await generateThumbnail(path.join(images, 'astronaut.png'), lib, ID);
    expect(first.ok).toBe(true);
    const before = fs.statSync(thumbnailPath(lib, ID)).mtimeMs;
    // A second copy of the same content, even one sharp could not read, is answered from the sidecar.
    const second = await generateThumbnail(path.join(lib, 'missing-copy.png'), lib, ID);
    expect(second).toEqual({ ok: true, value: { path: thumbnailPath(lib, ID), created: false, width: null, height: null } });
    expect(fs.statSync(thumbnailPath(lib, ID)).mtimeMs).toBe(before);
  });

  it('refuses a decompression bomb by its header, with the default limit', async () => {
    const result = await generateThumbnail(claimedPng(60_000, 60_000), lib, ID);
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/too large/) } });
    expect(fs.existsSync(path.join(lib, 'sidecars'))).toBe(false);
  });

  it('honours a lower maxInputPixels', async () => {
    const result = await generateThumbnail(path.join(images, 'astronaut.png'), lib, ID, { maxInputPixels: 512 * 511 });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await generateThumbnail(path.join(images, 'astronaut.png'), lib, ID, { maxInputPixels: 512 * 512 })).toMatchObject({ ok: true });
  });

  it('returns error values for a truncated JPEG, a non-image and a missing file', async () => {
    const jpeg = fs.readFileSync(path.join(images, 'grace_hopper_512x512.jpg'));
    const truncated = await generateThumbnail(jpeg.subarray(0, Math.floor(jpeg.length / 2)), lib, ID);
    expect(truncated).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const notImage = await generateThumbnail(Buffer.from('definitely not an image'), lib, ID);
    expect(notImage).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
    const missing = await generateThumbnail(path.join(lib, 'nope.jpg'), lib, ID);
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await generateThumbnail(jpeg, lib, '../escape')).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(fs.existsSync(path.join(lib, 'sidecars'))).toBe(false);
  });

  it('reports a write failure as IO and cleans up', async () => {
    // A file where the shard directory should be makes mkdir fail.
    fs.mkdirSync(path.join(lib, 'sidecars', 'thumb'), { recursive: true });
    fs.writeFileSync(path.join(lib, 'sidecars', 'thumb', '6c'), 'in the way');
    const result = await generateThumbnail(path.join(images, 'coffee.png'), lib, ID);
    expect(result).toMatchObject({ ok: false, error: { code: 'IO' } });
    expect(allFiles(lib)).toEqual([path.join('sidecars', 'thumb', '6c')]);
  });
});
