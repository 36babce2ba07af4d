import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { extensionActionName } from '../../extension-host/runtime/extension-actions.js';
import { TEST_EXTENSION, install, libraryWithFiles, packed } from '../../extension-host/runtime/testing/runtime-fixture.js';
import { makeTempDir } from '../core/testing/temp-dir.js';
import { cli } from './testing/run-cli.js';

// `cairn action` with an extension's action: the real test extension (built by our SDK), installed in a real
// library, run by the CLI in process.

const ID = 'com.cairn.test-extension';
const pkgDir = makeTempDir('cairn-cli-ext-actions');
let testPkg = '';
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  testPkg = await packed(TEST_EXTENSION, pkgDir.dir);
}, 180_000);

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

afterAll(() => pkgDir.cleanup());

describe('cairn action with extension actions', () => {
  it('runs from the CLI: listed, previewed and applied with --yes, undone; bad params fail with a clear message', async () => {
    const t = await libraryWithFiles({ 'in/a.txt': 'a' });
    cleanups.push(() => t.cleanup());
    cleanups.push(() => t.core.stop());
    await install(t.core, t.libraryId, testPkg, [{ permission: 'ReadEntries', scopes: [{ locationId: t.locationId }] }]);
    await cleanups.pop()!(); // stop the core: the CLI opens the home itself
    const action = extensionActionName(ID, 'mark_selection');
    const file = path.join(t.dir, 'files', 'in', 'a.txt');

    const list = await cli(t.home, 'action', 'list');
    expect(list.code).toBe(0);
    expect(list.out).toContain(action);
    const run = await cli(t.home, 'action', 'run', action, '--path', file, '--yes');
    expect(run.err).toBe('');
    expect(run.out).toContain('mark in/a.txt');
    expect(run.out).toContain('Applied and verified: {"applied":1,"message":"Marked 1 entries"}');
    const auditId = /cairn action undo ([0-9a-f-]{36})/.exec(run.out)![1]!;
    const undo = await cli(t.home, 'action', 'undo', auditId);
    expect(undo.out).toContain('Undone: Mark 1 entries');
    const history = await cli(t.home, '--json', 'action', 'history');
    expect((JSON.parse(history.out) as { items: { id: string; status: string }[] }).items.find((a) => a.id === auditId)?.status).toBe('undone');

    const bad = await cli(t.home, 'action', 'preview', action, '--path', file, '--name', 'x');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/Invalid params for ext:com\.cairn\.test-extension:mark_selection/);
  }, 120_000);
});
