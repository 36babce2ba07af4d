import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/temp-dir.js';
import { cosineDistance } from './embedding-codec.js';
import { FacePool } from './face-pool.js';
import type { FaceItemResult, RawFace } from './face-protocol.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../../shared/fixtures/images');
const fixture = (name: string) => path.join(FIXTURES, name);
// Face detection is slow on a shared 2-core machine: 0.2–1 s per image free, much more under load.
const SLOW = 240_000;

let pool: FacePool;
const tmp = makeTempDir('cairn-faces');
beforeAll(() => {
  pool = new FacePool({ size: 1 });
});
afterAll(async () => {
  await pool.close();
  tmp.cleanup();
});

function faces(r: FaceItemResult): RawFace[] {
  if (!r.ok) throw new Error(`expected faces, got ${r.error.code}: ${r.error.message}`);
  return r.faces;
}

describe('FacePool (Human on tfjs WASM, in worker threads)', () => {
  it('finds the faces in the portraits and none in the cat, the coffee or the page', { timeout: SLOW }, async () => {
    const [astronaut, hopper, cat, coffee, page] = await pool.detectMany(
      ['astronaut.png', 'grace_hopper_512x512.jpg', 'chelsea.png', 'coffee.png', 'page.png'].map(fixture),
    );
    for (const r of [astronaut!, hopper!]) {
      const [face, ...rest] = faces(r);
      expect(rest).toHaveLength(0);
      expect(face!.score).toBeGreaterThan(0.8);
      expect(face!.box.w).toBeGreaterThan(60);
      expect(face!.box.x + face!.box.w).toBeLessThanOrEqual(512 + 1);
      expect(face!.landmarks.map((l) => l.name)).toEqual(['rightEye', 'leftEye', 'nose', 'mouthRight', 'mouthLeft']);
      for (const l of face!.landmarks) {
        expect(l.x).toBeGreaterThanOrEqual(face!.box.x - 1);
        expect(l.x).toBeLessThanOrEqual(face!.box.x + face!.box.w + 1);
      }
      expect(face!.embedding).toHaveLength(1024);
      expect(Buffer.from(face!.crop!).subarray(8, 12).toString()).toBe('WEBP');
    }
    // The cat must not become a person.
    expect(faces(cat!)).toEqual([]);
    expect(faces(coffee!)).toEqual([]);
    expect(faces(page!)).toEqual([]);
  });

  it('embeds edited copies of a portrait close to the original, and other people farther', { timeout: SLOW }, async () => {
    const src = fixture('astronaut.png');
    const edits = await Promise.all([
      sharp(src).flop().png().toBuffer(), // mirrored
      sharp(src).extract({ left: 60, top: 0, width: 400, height: 420 }).png().toBuffer(), // cropped
      sharp(src).modulate({ brightness: 0.6 }).png().toBuffer(), // darkened
      sharp(src).jpeg({ quality: 35 }).toBuffer(), // recompressed
    ]);
    const [original, ...copies] = await pool.detectMany([src, ...edits.map((b) => new Uint8Array(b))]);
    const hopper = await pool.detect(fixture('grace_hopper_512x512.jpg'));
    const base = faces(original!)[0]!.embedding!;
    const same = copies.map((c) => cosineDistance(base, faces(c)[0]!.embedding!));
    const other = cosineDistance(base, faces(hopper)[0]!.embedding!);
    for (const d of same) expect(d).toBeLessThan(0.35);
    expect(other).toBeGreaterThan(0.35);
    expect(other).toBeGreaterThan(Math.max(...same));
  });

  it('gives a corrupt and a 100-megapixel image per-item errors, and the pool goes on', { timeout: SLOW }, async () => {
    const truncated = fs.readFileSync(fixture('grace_hopper_512x512.jpg')).subarray(0, 3000);
    const big = path.join(tmp.dir, 'big.png');
    await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: { r: 40, g: 90, b: 160 } } }).png({ compressionLevel: 1 }).toFile(big);
    const [garbage, cut, huge, missing, after] = await pool.detectMany([
      new Uint8Array(Buffer.from('this is not an image')),
      new Uint8Array(truncated),
      big,
      path.join(tmp.dir, 'gone.jpg'),
      fixture('astronaut.png'),
    ]);
    expect(garbage).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
    expect(cut).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
    expect(huge).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('100 megapixels') } });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(faces(after!)).toHaveLength(1);
  });

  it('shrinks a large photo before detection and reports the box in source pixels', { timeout: SLOW }, async () => {
    const [small] = faces(await pool.detect(fixture('astronaut.png')));
    const large = await sharp(fixture('astronaut.png')).resize(3072, 3072).jpeg({ quality: 90 }).toBuffer();
    const r = await pool.detect(new Uint8Array(large));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.width).toBe(3072);
    expect(r.decodedWidth).toBe(1600);
    const [face] = r.faces;
    const scale = 3072 / 512;
    expect(Math.abs(face!.box.x - small!.box.x * scale)).toBeLessThan(small!.box.w * scale * 0.15);
    expect(Math.abs(face!.box.w - small!.box.w * scale)).toBeLessThan(small!.box.w * scale * 0.2);
  });

  it('never blocks the main thread, model loading included', { timeout: SLOW }, async () => {
    const fresh = new FacePool({ size: 1 });
    let last = performance.now();
    let worst = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 10);
    try {
      const results = await fresh.detectMany([fixture('grace_hopper_512x512.jpg'), fixture('astronaut.png'), fixture('chelsea.png')]);
      expect(results.map((r) => r.ok && r.faces.length)).toEqual([1, 1, 0]);
    } finally {
      clearInterval(timer);
      await fresh.close();
    }
    // Generous: the machine is shared, but detection itself (~0.3 s+ per image) never runs here.
    expect(worst).toBeLessThan(1500);
  });

  it('answers CANCELLED after close', async () => {
    const closed = new FacePool({ size: 1 });
    await closed.close();
    await expect(closed.detect(fixture('astronaut.png'))).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
