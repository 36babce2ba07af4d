import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Library } from '../../library/library.js';

/**
 * A fresh library in a temp folder, for tests and benchmarks. `cleanup()` closes it and deletes the folder.
 *
 * @example
 * const t = await createTempLibrary(); try { use(t.library); } finally { await t.cleanup(); }
 */
export async function createTempLibrary(prefix = 'cairn-jobs-'): Promise<{ dir: string; library: Library; cleanup: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const library = await Library.create(path.join(dir, 'lib'), { name: 'jobs test' });
  return {
    dir,
    library,
    cleanup: async () => {
      await library.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
