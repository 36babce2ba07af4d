import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Creates a temporary folder and returns it with a cleanup function. Tests use real folders and real
 * SQLite files, never mocks of the file system.
 *
 * @example
 * const tmp = makeTempDir('cairn-lib'); try { ... } finally { tmp.cleanup(); }
 */
export function makeTempDir(prefix = 'cairn-test'): { dir: string; cleanup: () => void } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`)));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
