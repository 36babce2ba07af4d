import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { RotatingJsonl } from './rotating-jsonl.js';

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
});
