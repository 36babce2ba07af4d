import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile } from './content-identity.js';
import { HashPool } from './hash-pool.js';
import { resolveWorkerFile } from '../workers/spawn-worker.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-pool-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('HashPool', () => {
  it('hashes on worker threads with the same results as in-process hashing, in order', async () => {
    const files: string[] = [];
    for (let i = 0; i < 40; i += 1) {
      const file = path.join(dir, `f${i}`);
      fs.writeFileSync(file, Buffer.alloc(i * 5000 + 1, i));
      files.push(file);
    }
    const missing = path.join(dir, 'missing');
    const pool = new HashPool({ size: 2, chunkSize: 7 });
    try {
      const results = await pool.hash([...files, missing]);
      expect(results).toHaveLength(41);
      for (let i = 0; i < files.length; i += 1) {
        expect(results[i]).toEqual({ path: files[i], ok: true, value: await hashFile(files[i]!) });
      }
      expect(results[40]).toMatchObject({ path: missing, ok: false, error: { code: 'NOT_FOUND' } });
      expect(pool.workerCount).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it.runIf(process.platform === 'linux')('passes non-UTF-8 byte paths through to the worker', async () => {
    const raw = Buffer.concat([Buffer.from(path.join(dir, 'raw-')), Buffer.from([0xff, 0xfe, 0x41])]);
    fs.writeFileSync(raw, 'bytes');
    const pool = new HashPool({ size: 1 });
    try {
      const [result] = await pool.hash([raw]);
      expect(result).toEqual({ path: raw, ok: true, value: await hashFile(raw) });
    } finally {
      await pool.close();
    }
  });

  it('turns a dying worker into per-file INTERNAL errors and keeps serving', async () => {
    const file = path.join(dir, 'crash-input');
    fs.writeFileSync(file, 'x');
    const pool = new HashPool({ size: 1, chunkSize: 2, workerFile: resolveWorkerFile(import.meta.url, './testing/crashing-hash-worker') });
    try {
      const results = await pool.hash([file, file, file]);
      expect(results).toHaveLength(3);
      for (const r of results) expect(r).toMatchObject({ path: file, ok: false, error: { code: 'INTERNAL', message: expect.stringMatching(/exited with code 3/) } });
      // The dead worker was replaced: the next call gets an answer too, not a hang.
      expect(await pool.hash([file])).toMatchObject([{ ok: false, error: { code: 'INTERNAL' } }]);
      expect(pool.workerCount).toBeLessThanOrEqual(1);
    } finally {
      await pool.close();
    }
  });

  it('rejects work after close with CANCELLED', async () => {
    const pool = new HashPool({ size: 1 });
    await pool.close();
    await expect(pool.hash([dir])).rejects.toMatchObject({ code: 'CANCELLED' });
    await pool.close();
  });
});
