import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { readRotatedJsonl, RotatingJsonl } from './rotating-jsonl.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe('RotatingJsonl', () => {
  it('rotates by size, keeps the configured number of files and reads them oldest first', () => {
    const tmp = makeTempDir('cairn-log');
    cleanups.push(tmp.cleanup);
    const log = new RotatingJsonl(path.join(tmp.dir, 'ext'), 'extension', { maxBytes: 60, files: 3 });
    for (let i = 0; i < 10; i++) log.append({ i, text: 'x'.repeat(20) });
    const files = fs.readdirSync(path.join(tmp.dir, 'ext')).sort();
    expect(files).toEqual(['extension.1.jsonl', 'extension.2.jsonl', 'extension.jsonl']);
    const kept = log.read<{ i: number }>().map((r) => r.i);
    expect(kept.at(-1)).toBe(9);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(kept.length).toBeLessThan(10); // the oldest were dropped
    expect(log.failures).toBe(0);
  });

  it('counts a failed write instead of throwing', () => {
    const tmp = makeTempDir('cairn-log');
    cleanups.push(tmp.cleanup);
    fs.writeFileSync(path.join(tmp.dir, 'blocked'), 'a file where the folder should be');
    const log = new RotatingJsonl(path.join(tmp.dir, 'blocked'), 'extension', { maxBytes: 100, files: 2 });
    expect(() => log.append({ a: 1 })).not.toThrow();
    expect(log.failures).toBe(1);
  });

  it('reads every rotated file oldest first whatever setting wrote them, skipping and counting lines that are not JSON objects', () => {
    const tmp = makeTempDir('cairn-log');
    cleanups.push(tmp.cleanup);
    const folder = path.join(tmp.dir, 'ext');
    fs.mkdirSync(folder);
    // Files from a larger rotation setting than the reader's, plus names that only look alike.
    fs.writeFileSync(path.join(folder, 'trail.4.jsonl'), '{"i":1}\n');
    fs.writeFileSync(path.join(folder, 'trail.1.jsonl'), '{"i":2}\n{"i":3, "cut\n[4]\n"five"\n\n');
    fs.writeFileSync(path.join(folder, 'trail.jsonl'), '{"i":6}\n{"i":7}');
    fs.writeFileSync(path.join(folder, 'trail.x.jsonl'), '{"i":99}\n');
    fs.writeFileSync(path.join(folder, 'extension.jsonl'), '{"i":98}\n');
    fs.writeFileSync(path.join(folder, 'trail.jsonl.bak'), '{"i":97}\n');
    const read = readRotatedJsonl<{ i: number }>(folder, 'trail');
    expect(read.records.map((r) => r.i)).toEqual([1, 2, 6, 7]);
    expect(read.skipped).toBe(3);
    expect(new RotatingJsonl(folder, 'trail', { maxBytes: 100, files: 2 }).read<{ i: number }>().map((r) => r.i)).toEqual([1, 2, 6, 7]);
  });

  it('reads a folder that does not exist as empty, and throws when the folder is a file', () => {
    const tmp = makeTempDir('cairn-log');
    cleanups.push(tmp.cleanup);
    expect(readRotatedJsonl(path.join(tmp.dir, 'none'), 'trail')).toEqual({ records: [], skipped: 0 });
    fs.writeFileSync(path.join(tmp.dir, 'file'), 'x');
    expect(() => readRotatedJsonl(path.join(tmp.dir, 'file'), 'trail')).toThrow(/ENOTDIR/);
  });
});
