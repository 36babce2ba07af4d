import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CairnCore } from '../../src-main/core/cairn-core.js';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { testShellHandlers, userCtx } from '../../src-main/core/testing/test-core.js';
import { extensionHandlers } from '../packages/extension-handlers.js';
import { testPackage } from '../packages/testing/package-fixture.js';
import { AUDIT_ALLOWED, AuditTrail } from './audit-trail.js';

const EXT = 'com.example.hello';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A real core and library with the hello package installed. */
async function start() {
  const home = makeTempDir('cairn-home');
  const core = await CairnCore.start({ homeDir: home.dir, shell: testShellHandlers, checkOutputs: true, watch: false, extensions: (c: CairnCore) => extensionHandlers(c) });
  cleanups.push(home.cleanup, () => core.stop());
  const [lib] = await core.registry.call('library.list', {}, userCtx);
  const libraryId = lib!.id;
  const file = path.join(home.dir, 'hello.cairnext');
  fs.writeFileSync(file, await testPackage());
  await core.registry.call('extensions.install', { libraryId, path: file }, userCtx);
  const libraryPath = (await core.libraries.get(libraryId)).path;
  return { core, libraryId, libraryPath };
}

/** Writes `n` records alternating denial / allowed write, in a trail rotated every few lines. */
function fillTrail(libraryPath: string, n: number): AuditTrail {
  const trail = new AuditTrail(libraryPath, EXT, { maxBytes: 600, files: 4 });
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) trail.append({ method: `entries.list`, code: 'PERMISSION_DENIED', message: `denied #${i}`, capability: 'ReadEntries' });
    else trail.append({ method: `tags.apply`, code: AUDIT_ALLOWED, message: `#${i}` });
  }
  return trail;
}

describe('extensions.activity', () => {
  it('reads across rotated files, newest first, and pages', async () => {
    const { core, libraryId, libraryPath } = await start();
    const trail = fillTrail(libraryPath, 12);
    const files = fs.readdirSync(trail.folder).filter((f) => f.startsWith('trail'));
    expect(files.length).toBeGreaterThan(1); // the records really are spread over rotated files
    const kept = trail.read().length;

    const first = await core.registry.call('extensions.activity', { libraryId, id: EXT, limit: 3 }, userCtx);
    expect(first.total).toBe(kept);
    expect(first.skipped).toBe(0);
    expect(first.items.map((i) => i.message)).toEqual(['#11', 'denied #10', '#9']);
    expect(first.items[0]).toMatchObject({ method: 'tags.apply', allowed: true, code: 'OK', capability: null });
    expect(first.items[1]).toMatchObject({ method: 'entries.list', allowed: false, code: 'PERMISSION_DENIED', capability: 'ReadEntries' });

    const second = await core.registry.call('extensions.activity', { libraryId, id: EXT, offset: 3, limit: 3 }, userCtx);
    expect(second.items.map((i) => i.message)).toEqual(['denied #8', '#7', 'denied #6']);
    const all = await core.registry.call('extensions.activity', { libraryId, id: EXT, limit: 500 }, userCtx);
    // Newest first across the file boundaries.
    const times = all.items.map((i) => i.at);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('filters to denials only', async () => {
    const { core, libraryId, libraryPath } = await start();
    fillTrail(libraryPath, 8);
    const denied = await core.registry.call('extensions.activity', { libraryId, id: EXT, deniedOnly: true }, userCtx);
    expect(denied.items.map((i) => i.message)).toEqual(['denied #6', 'denied #4', 'denied #2', 'denied #0']);
    expect(denied.items.every((i) => !i.allowed)).toBe(true);
    expect(denied.total).toBe(4);
  });

  it('skips a corrupt or truncated line and counts it, without losing the lines around it', async () => {
    const { core, libraryId, libraryPath } = await start();
    const trail = fillTrail(libraryPath, 10);
    const rotated = path.join(trail.folder, 'trail.1.jsonl');
    expect(fs.existsSync(rotated)).toBe(true);
    // A write cut short by a crash in the middle of a rotated file, and a line that is JSON but not a record.
    const lines = fs.readFileSync(rotated, 'utf8').split('\n').filter(Boolean);
    lines.splice(1, 0, '{"at":"2026-01-01T00:00:00.000Z","method":"tags.ap', '[1,2,3]', '{"at":"x"}');
    fs.writeFileSync(rotated, `${lines.join('\n')}\n`);
    fs.appendFileSync(trail.file, '{"truncated');

    const page = await core.registry.call('extensions.activity', { libraryId, id: EXT, limit: 500 }, userCtx);
    expect(page.skipped).toBe(4);
    expect(page.total).toBe(trail.read().length - 1); // read() keeps the object without a method; the op skips it
    expect(page.items[0]!.message).toBe('#9');
    expect(page.items.some((i) => i.message === 'denied #0' || i.message === '#1' || i.message === 'denied #2')).toBe(true);
  });

  it('an extension that never called anything has an empty trail', async () => {
    const { core, libraryId } = await start();
    expect(await core.registry.call('extensions.activity', { libraryId, id: EXT }, userCtx)).toEqual({ items: [], total: 0, skipped: 0 });
  });

  it('answers bad input and unknown extensions with clear errors', async () => {
    const { core, libraryId } = await start();
    expect(await core.registry.invoke('extensions.activity', { libraryId, id: 'com.example.absent' }, userCtx)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await core.registry.invoke('extensions.activity', { libraryId, id: '../../etc' }, userCtx)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await core.registry.invoke('extensions.activity', { libraryId, id: EXT, limit: 0 }, userCtx)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await core.registry.invoke('extensions.activity', { libraryId, id: EXT, offset: -1 }, userCtx)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await core.registry.invoke('extensions.activity', { libraryId, id: EXT, deniedOnly: 'yes' }, userCtx)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await core.registry.invoke('extensions.activity', { libraryId, id: EXT, extra: 1 }, userCtx)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('is refused to extensions themselves', async () => {
    const { core, libraryId } = await start();
    const asExtension = { caller: { kind: 'extension' as const, extensionId: EXT } };
    expect(await core.registry.invoke('extensions.activity', { libraryId, id: EXT }, asExtension)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  });
});
