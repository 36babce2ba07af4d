import { CairnError } from '../../src-shared/errors.js';
import { APP_VERSION } from '../core/app-info.js';
import type { ShellHandlers } from '../core/cairn-core.js';

/** `shell.*` handlers of the headless shell: no native folder picker, so the UI shows a path field. */
export function headlessShellHandlers(home: () => string): ShellHandlers {
  return {
    'shell.info': () => ({ shell: 'headless', version: APP_VERSION, canPickFolders: false, home: home() }),
    'shell.pickFolder': () => {
      throw new CairnError('NOT_SUPPORTED', 'The headless shell has no folder picker; type the folder path instead.');
    },
    'shell.pickFile': () => {
      throw new CairnError('NOT_SUPPORTED', 'The headless shell has no file picker; type the file path instead.');
    },
  };
}
