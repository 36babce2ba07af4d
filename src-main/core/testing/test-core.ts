import { CairnError } from '../../../src-shared/errors.js';
import { CairnCore, type ShellHandlers } from '../cairn-core.js';
import type { CallContext } from '../registry/operation-registry.js';
import { makeTempDir } from './temp-dir.js';

/** Shell handlers for tests: no folder picker, like the headless shell. */
export const testShellHandlers: ShellHandlers = {
  'shell.info': () => ({ shell: 'cli', version: '0.0.0-test', canPickFolders: false, home: '' }),
  'shell.pickFolder': () => {
    throw new CairnError('NOT_SUPPORTED', 'No folder picker in tests.');
  },
  'shell.pickFile': () => {
    throw new CairnError('NOT_SUPPORTED', 'No file picker in tests.');
  },
};

export const userCtx: CallContext = { caller: { kind: 'user', via: 'internal' } };

/**
 * Starts a real core on a fresh temporary home (real SQLite files), with output checking on.
 *
 * @example
 * const t = await startTestCore(); try { ... } finally { await t.dispose(); }
 */
export async function startTestCore(): Promise<{ core: CairnCore; home: string; dispose: () => Promise<void> }> {
  const tmp = makeTempDir('cairn-home');
  const core = await CairnCore.start({ homeDir: tmp.dir, shell: testShellHandlers, checkOutputs: true });
  return {
    core,
    home: tmp.dir,
    dispose: async () => {
      await core.stop();
      tmp.cleanup();
    },
  };
}
