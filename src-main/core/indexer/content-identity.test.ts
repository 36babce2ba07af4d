import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { blake3 } from 'hash-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTENT_ID_NAMESPACE,
  contentIdFromHash,
  contentIdentityOfBuffer,
  contentSampleRanges,
  hashFile,
  hashFiles,
} from './content-identity.js';

const KiB = 1024;

/** RFC 4122 §4.3 v5 UUID written out by hand, so the test does not trust the `uuid` package. */
function v5ByHand(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const digest = crypto.createHash('sha1').update(ns).update(Buffer.from(name, 'utf8')).digest();
  const b = digest.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The expected hash built independently: size as u64 LE, then the bytes Spacedrive samples, by explicit offsets. */
async function expectedHash(content: Buffer): Promise<string> {
  const size = content.length;
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(size));
  let body: Buffer;
  if (size <= 100 * KiB) {
    body = content;
  } else {
    const step = Math.floor((size - 16 * KiB) / 4);
    body = Buffer.concat([
      content.subarray(0, 8 * KiB),
      content.subarray(8 * KiB, 8 * KiB + 10 * KiB),
      content.subarray(8 * KiB + step, 8 * KiB + step + 10 * KiB),
      content.subarray(8 * KiB + 2 * step, 8 * KiB + 2 * step + 10 * KiB),
      content.subarray(8 * KiB + 3 * step, 8 * KiB + 3 * step + 10 * KiB),
      content.subarray(size - 8 * KiB),
    ]);
  }
  return (await blake3(Buffer.concat([prefix, body]))).slice(0, 16);
}

/** Deterministic pseudo-random bytes, so every sample differs from every other. */
function bytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-cid-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('content identity test vectors', () => {
  const vectors: [string, number][] = [
    ['zero bytes', 0],
    ['one byte', 1],
    ['exactly 100 KiB (hashed whole)', 100 * KiB],
    ['100 KiB + 1 (first sampled size)', 100 * KiB + 1],
    ['3 MiB + 7 (multi-MiB, uneven step)', 3 * KiB * KiB + 7],
  ];
  for (const [label, size] of vectors) {
    it(`matches the independent computation for ${label}`, async () => {
      const content = bytes(size, size + 17);
      const file = write(`v-${size}`, content);
      const expected = await expectedHash(content);
      const id = await hashFile(file);
      expect(id.contentHash).toBe(expected);
      expect(id.contentHash).toMatch(/^[0-9a-f]{16}$/);
      expect(id.contentId).toBe(v5ByHand(expected, '6ba7b810-9dad-11d1-80b4-00c04fd430c8'));
      expect(id.size).toBe(size);
      expect(id.sampled).toBe(size > 100 * KiB);
      // The in-memory form agrees with the file form.
      expect(await contentIdentityOfBuffer(content)).toEqual(id);
    });
  }

  it('pins the zero-byte and one-byte values (BLAKE3 of the size prefix and content)', async () => {
    expect((await hashFile(write('z', Buffer.alloc(0)))).contentHash).toBe(
      (await blake3(Buffer.alloc(8))).slice(0, 16),
    );
    const one = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0x61]);
    expect((await hashFile(write('a', Buffer.from('a')))).contentHash).toBe((await blake3(one)).slice(0, 16));
  });

  it('is deterministic and size-sensitive', async () => {
    const content = bytes(5000, 3);
    const a = await hashFile(write('d1', content));
    const b = await hashFile(write('d2', content));
    expect(a).toEqual(b);
    const c = await hashFile(write('d3', Buffer.concat([content, Buffer.alloc(1)])));
    expect(c.contentHash).not.toBe(a.contentHash);
  });

  it('samples large files: bytes between samples do not count, bytes inside a sample do', async () => {
    const size = 1024 * KiB;
    const content = bytes(size, 99);
    const base = await hashFile(write('s0', content));
    const gap = Buffer.from(content);
    gap[8 * KiB + 10 * KiB + 5]! ^= 0xff; // after the first sample, before the second
    expect((await hashFile(write('s1', gap))).contentHash).toBe(base.contentHash);
    const inSample = Buffer.from(content);
    const step = Math.floor((size - 16 * KiB) / 4);
    inSample[8 * KiB + 2 * step + 3]! ^= 0xff;
    expect((await hashFile(write('s2', inSample))).contentHash).not.toBe(base.contentHash);
    const footer = Buffer.from(content);
    footer[size - 1]! ^= 0xff;
    expect((await hashFile(write('s3', footer))).contentHash).not.toBe(base.contentHash);
  });
});

describe('contentSampleRanges', () => {
  it('gives header, four samples and footer for a sampled file', () => {
    const size = 100 * KiB + 1;
    const step = Math.floor((size - 16 * KiB) / 4);
    expect(contentSampleRanges(size)).toEqual([
      [0, 8192],
      [8192, 8192 + 10240],
      [8192 + step, 8192 + step + 10240],
      [8192 + 2 * step, 8192 + 2 * step + 10240],
      [8192 + 3 * step, 8192 + 3 * step + 10240],
      [size - 8192, size],
    ]);
    expect(contentSampleRanges(0)).toEqual([]);
    expect(contentSampleRanges(100 * KiB)).toEqual([[0, 100 * KiB]]);
  });

  it('rejects invalid sizes', () => {
    expect(() => contentSampleRanges(-1)).toThrow(/Invalid file size/);
    expect(() => contentSampleRanges(1.5)).toThrow(/Invalid file size/);
  });
});

describe('contentIdFromHash', () => {
  it('uses the DNS namespace like Spacedrive and is a v5 UUID', () => {
    expect(CONTENT_ID_NAMESPACE).toBe('6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    const id = contentIdFromHash('0123456789abcdef');
    expect(id).toBe(v5ByHand('0123456789abcdef', CONTENT_ID_NAMESPACE));
    expect(id[14]).toBe('5');
  });
});

describe('hashFile failures', () => {
  it('reports a vanished file as NOT_FOUND', async () => {
    await expect(hashFile(path.join(dir, 'does-not-exist'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a directory', async () => {
    await expect(hashFile(dir)).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('hashFiles', () => {
  it('hashes in order and turns failures into per-file error values', async () => {
    const a = write('h-a', bytes(300, 1));
    const b = write('h-b', bytes(200 * KiB, 2));
    const missing = path.join(dir, 'h-missing');
    const results = await hashFiles([a, missing, dir, b], { concurrency: 2 });
    expect(results.map((r) => r.ok)).toEqual([true, false, false, true]);
    expect(results[0]).toMatchObject({ path: a, ok: true, value: await hashFile(a) });
    expect(results[1]).toMatchObject({ path: missing, ok: false, error: { code: 'NOT_FOUND' } });
    expect(results[2]).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(results[3]).toMatchObject({ ok: true, value: { sampled: true } });
  });

  it.runIf(process.platform !== 'win32' && process.getuid?.() !== 0)('reports an unreadable file as PERMISSION_DENIED', async () => {
    const file = write('h-locked', bytes(10, 5));
    fs.chmodSync(file, 0o000);
    try {
      const [result] = await hashFiles([file]);
      expect(result).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    } finally {
      fs.chmodSync(file, 0o600);
    }
  });

  it('accepts an empty list', async () => {
    expect(await hashFiles([])).toEqual([]);
  });
});
