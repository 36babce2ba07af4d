import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { APP_ROOT } from '../src-main/core/app-info.js';

// The import rules between folders are enforced by ESLint (eslint.config.js). These cases prove that a
// wrong import fails the lint step that CI runs, and that the allowed directions pass.
const eslint = new ESLint({ cwd: APP_ROOT });

async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(APP_ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import rules between folders', () => {
  it.each([
    ['src-main/core/library/x.ts', "import { app } from 'electron';\nexport const a = app;\n", /never imports electron/],
    ['src-main/core/library/x.ts', "import { x } from '../../server/headless-server.js';\nexport const a = x;\n", /does not depend on its shells/],
    ['src-shared/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n", /pure TS/],
    ['src-shared/x.ts', "import { CairnCore } from '../src-main/core/cairn-core.js';\nexport const a = CairnCore;\n", /nothing outside itself/],
    ['src-renderer/x.tsx', "import fs from 'node:fs';\nexport const a = fs;\n", /browser sandbox/],
    ['src-renderer/x.tsx', "import { CairnCore } from '../src-main/core/cairn-core.js';\nexport const a = CairnCore;\n", /only through the bridge/],
    ['src-preload/x.ts', "import { CairnCore } from '../src-main/core/cairn-core.js';\nexport const a = CairnCore;\n", /only src-shared and electron/],
    ['src-main/server/x.ts', "import { app } from 'electron';\nexport const a = app;\n", /Only src-main\/electron/],
    ['extension-host/x.ts', "import { app } from 'electron';\nexport const a = app;\n", /plain Node/],
    ['migrations/0099_x.ts', "import { CairnError } from '../src-shared/errors.js';\nexport const a = CairnError;\n", /kysely only/],
  ])('%s: a forbidden import fails lint', async (file, code, message) => {
    const messages = await lint(file, code);
    expect(messages.length).toBe(1);
    expect(messages[0]).toMatch(message);
  });

  it.each([
    ['src-main/core/library/x.ts', "import { CairnError } from '../../../src-shared/errors.js';\nexport const a = CairnError;\n"],
    ['src-renderer/x.tsx', "import type { CairnBridge } from '../src-shared/bridge';\nexport type A = CairnBridge;\n"],
    ['src-preload/x.ts', "import { contextBridge } from 'electron';\nexport const a = contextBridge;\n"],
    ['src-main/electron/x.ts', "import { app } from 'electron';\nexport const a = app;\n"],
  ])('%s: an allowed import passes', async (file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });
});
