import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PayloadOf } from '../../src-shared/contract/index.js';
import { CairnCore } from '../../src-main/core/cairn-core.js';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { testShellHandlers, userCtx } from '../../src-main/core/testing/test-core.js';
import { extensionHandlers } from './extension-handlers.js';
import { testPackage } from './testing/package-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function start(withExtensions: boolean) {
  const home = makeTempDir('cairn-home');
  const core = await CairnCore.start({
    homeDir: home.dir,
    shell: testShellHandlers,
    checkOutputs: true,
    watch: false,
    ...(withExtensions ? { extensions: (c: CairnCore) => extensionHandlers(c) } : {}),
  });
  cleanups.push(home.cleanup, () => core.stop());
  const [lib] = await core.registry.call('library.list', {}, userCtx);
  const file = path.join(home.dir, 'hello.cairnext');
  fs.writeFileSync(file, await testPackage());
  return { core, libraryId: lib!.id, file, home: home.dir };
}

describe('extensions.* through the registry', () => {
  it('has a handler for every extensions.* operation when the shell passes extensionHandlers', async () => {
    const { core } = await start(true);
    expect(core.registry.missing()).toEqual([]);
  });

  it('installs, lists, configures and uninstalls, emitting extensions.onDidChange; outputs match the contract', async () => {
    const { core, libraryId, file } = await start(true);
    const events: PayloadOf<'extensions.onDidChange'>[] = [];
    core.events.on('extensions.onDidChange', (e) => events.push(e));

    const preview = await core.registry.call('extensions.inspectPackage', { path: file, libraryId }, userCtx);
    expect(preview).toMatchObject({ manifest: { id: 'com.example.hello' }, signedBy: null, installedVersion: null, problems: [] });
    const info = await core.registry.call('extensions.install', { libraryId, path: file, grants: [{ permission: 'WriteTags' }] }, userCtx);
    expect(info.permissions.map((p) => p.granted)).toEqual([true, true, true]);
    expect(await core.registry.call('extensions.list', { libraryId }, userCtx)).toMatchObject([{ id: 'com.example.hello', enabled: true }]);
    expect((await core.registry.call('extensions.inspectPackage', { path: file, libraryId }, userCtx)).installedVersion).toBe('1.0.0');
    const settings = await core.registry.call('extensions.setSettings', { libraryId, id: 'com.example.hello', values: { mode: 'careful' } }, userCtx);
    expect(settings.values.mode).toBe('careful');
    await core.registry.call('extensions.disable', { libraryId, id: 'com.example.hello' }, userCtx);
    expect(await core.registry.call('extensions.uninstall', { libraryId, id: 'com.example.hello', keepData: false }, userCtx)).toEqual({ id: 'com.example.hello', removedModels: 0, releasedBlobs: 0 });
    expect(events.map((e) => e.change)).toEqual(['installed', 'settings', 'disabled', 'uninstalled']);
    expect(events.every((e) => e.libraryId === libraryId)).toBe(true);
  });

  it('answers failures as values with stable codes', async () => {
    const { core, libraryId, file, home } = await start(true);
    const missing = await core.registry.invoke('extensions.install', { libraryId, path: path.join(home, 'nope.cairnext') }, userCtx);
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await core.registry.call('extensions.install', { libraryId, path: file }, userCtx);
    expect(await core.registry.invoke('extensions.install', { libraryId, path: file }, userCtx)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await core.registry.invoke('extensions.info', { libraryId, id: 'Bad Id' }, userCtx)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    // Declared by this contract; the extension runtime provides it (see the report in docs/extension-runtime.md).
    expect(await core.registry.invoke('extensions.runJob', { libraryId, id: 'com.example.hello', job: 'analyze' }, userCtx)).toMatchObject({
      ok: false,
      error: { code: 'NOT_SUPPORTED' },
    });
  });

  it('refuses every extensions.* call from an extension', async () => {
    const { core, libraryId } = await start(true);
    const asExtension = { caller: { kind: 'extension' as const, extensionId: 'com.example.hello' } };
    expect(await core.registry.invoke('extensions.list', { libraryId }, asExtension)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(await core.registry.invoke('extensions.grant', { libraryId, id: 'com.example.hello', permission: 'Network' }, asExtension)).toMatchObject({
      ok: false,
      error: { code: 'PERMISSION_DENIED' },
    });
  });

  it('answers NOT_SUPPORTED when a shell starts the core without the extension host', async () => {
    const { core, libraryId } = await start(false);
    expect(core.registry.missing()).toEqual([]);
    expect(await core.registry.invoke('extensions.list', { libraryId }, userCtx)).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
  });
});
