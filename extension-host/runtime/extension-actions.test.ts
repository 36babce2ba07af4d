import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { userCtx } from '../../src-main/core/testing/test-core.js';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { pack } from '../packages/index.js';
import { extensionActionName } from './extension-actions.js';
import { TEST_EXTENSION, install, libraryWithFiles, packed } from './testing/runtime-fixture.js';

// The real test extension (built by our SDK) in a real library: its declared actions run through the core's
// action registry (preview → commit → verify → audit → undo), in its sandbox, with its grants.

const ID = 'com.cairn.test-extension';
const pkgDir = makeTempDir('cairn-ext-actions');
let testPkg = '';
let upgradePkg = '';
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  testPkg = await packed(TEST_EXTENSION, pkgDir.dir);
  // 0.2.0 declares one more action, "ghost", whose exports the module does not have.
  const manifest = JSON.parse(fs.readFileSync(path.join(TEST_EXTENSION, 'manifest.json'), 'utf8')) as { version: string; actions: unknown[] };
  manifest.version = '0.2.0';
  manifest.actions.push({ name: 'ghost', label: 'Ghost', contexts: ['selection'] });
  upgradePkg = path.join(pkgDir.dir, 'test-extension-0.2.0.cairnext');
  fs.writeFileSync(
    upgradePkg,
    await pack({ manifest: Buffer.from(JSON.stringify(manifest)), wasm: fs.readFileSync(path.join(TEST_EXTENSION, 'build', 'plugin.wasm')) }),
  );
  cleanups.push(() => pkgDir.cleanup());
}, 180_000);

afterEach(async () => {
  while (cleanups.length > 1) await cleanups.pop()!();
});

async function setup() {
  const t = await libraryWithFiles({ 'in/a.txt': 'a', 'in/b.txt': 'b', 'out/c.txt': 'c' });
  cleanups.push(async () => {
    await t.core.stop();
    t.cleanup();
  });
  await install(t.core, t.libraryId, testPkg, [
    { permission: 'ReadEntries', scopes: [{ locationId: t.locationId, subpath: 'in' }] },
    { permission: 'ReadSidecars', scopes: [{ locationId: t.locationId, subpath: 'in' }] },
    { permission: 'WriteSidecars', scopes: [{ locationId: t.locationId, subpath: 'in' }] },
  ]);
  const lib = t.core.libraries.peek(t.libraryId)!;
  const entry = (rel: string) => (lib.raw.prepare('SELECT uuid FROM entries WHERE rel_path = ?').get(rel) as { uuid: string }).uuid;
  const marks = () =>
    (lib.raw.prepare(`SELECT e.rel_path AS p FROM models m JOIN entries e ON e.uuid = m.entry_uuid WHERE m.model_type = 'PathMark' ORDER BY e.rel_path`).all() as { p: string }[]).map(
      (r) => r.p,
    );
  const listed = async () => (await t.core.registry.call('actions.list', { libraryId: t.libraryId }, userCtx)).filter((a) => a.owner === ID).map((a) => a.name);
  return { ...t, entry, marks, listed };
}

describe('extension actions in the core action registry', () => {
  it('registers each declared action as ext:<id>:<name>, previews, commits and undoes it in the sandbox', async () => {
    const { core, libraryId, entry, marks, listed } = await setup();
    expect(await listed()).toEqual(['mark_selection', 'tag_selection', 'broken_preview', 'trap_execute', 'pick_file'].map((a) => extensionActionName(ID, a)).sort());
    // actions.list says which can be undone once the module's exports are read: only mark_selection exports an undo.
    await expect
      .poll(async () => (await core.registry.call('actions.list', { libraryId }, userCtx)).filter((x) => x.owner === ID && x.reversible).map((x) => x.name))
      .toEqual([extensionActionName(ID, 'mark_selection')]);

    const entryIds = [entry('in/a.txt'), entry('in/b.txt')];
    const name = extensionActionName(ID, 'mark_selection');
    const preview = await core.registry.call('actions.preview', { libraryId, action: name, params: { entryIds } }, userCtx);
    expect(preview.owner).toBe(ID);
    expect(preview.summary).toBe('Mark 2 entries');
    expect(preview.changes.map((c) => c.description)).toEqual(['mark in/a.txt', 'mark in/b.txt']);
    expect(preview.changes.every((c) => c.kind === 'extension')).toBe(true);
    expect(preview.conflicts).toEqual([]);
    expect(preview.reversible).toBe(true); // the guest says so and exports action_mark_selection_undo
    expect(marks()).toEqual([]); // the preview changed nothing

    const done = await core.registry.call('actions.commit', { libraryId, previewId: preview.id }, userCtx);
    expect(done).toMatchObject({ status: 'verified', problems: [], canUndo: true, result: { applied: 2, message: 'Marked 2 entries' } });
    expect(marks()).toEqual(['in/a.txt', 'in/b.txt']);
    const audit = await core.registry.call('actions.get', { libraryId, auditId: done.auditId }, userCtx);
    expect(audit).toMatchObject({ action: name, owner: ID, status: 'verified', caller: { kind: 'user' } });

    const undone = await core.registry.call('actions.undo', { libraryId, auditId: done.auditId }, userCtx);
    expect(undone.status).toBe('undone');
    expect(marks()).toEqual([]);

    // tag_selection's guest says it cannot be undone; the preview says so and undo is refused.
    const tagPreview = await core.registry.call(
      'actions.preview',
      { libraryId, action: extensionActionName(ID, 'tag_selection'), params: { entryIds: [entryIds[0]!], params: { tag: 'Picked' } } },
      userCtx,
    );
    expect(tagPreview.reversible).toBe(false);
    const tagged = await core.registry.call('actions.commit', { libraryId, previewId: tagPreview.id }, userCtx);
    expect(tagged.canUndo).toBe(false);
    await expect(core.registry.call('actions.undo', { libraryId, auditId: tagged.auditId }, userCtx)).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
  }, 120_000);

  it('refuses entries outside the granted folders before the guest sees them, and changes nothing', async () => {
    const { core, libraryId, entry, marks } = await setup();
    const action = extensionActionName(ID, 'mark_selection');
    const outside = entry('out/c.txt');
    await expect(core.registry.call('actions.preview', { libraryId, action, params: { entryIds: [entry('in/a.txt'), outside] } }, userCtx)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      message: expect.stringContaining(outside),
    });
    await expect(
      core.registry.call('actions.preview', { libraryId, action, params: { entryIds: ['00000000-0000-7000-8000-000000000000'] } }, userCtx),
    ).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringContaining('not in this library') });
    // Params that are not the {entryIds, params} shape are refused by the registry's schema.
    await expect(core.registry.call('actions.preview', { libraryId, action, params: { entryIds: 'all' } }, userCtx)).rejects.toMatchObject({ code: 'VALIDATION' });

    // A preview made while the grant covered the entry cannot be committed after the grant is narrowed.
    const preview = await core.registry.call('actions.preview', { libraryId, action, params: { entryIds: [entry('in/a.txt')] } }, userCtx);
    await core.registry.call('extensions.revoke', { libraryId, id: ID, permission: 'ReadEntries' }, userCtx);
    await expect(core.registry.call('actions.commit', { libraryId, previewId: preview.id }, userCtx)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(marks()).toEqual([]);
    expect((await core.registry.call('actions.get', { libraryId, auditId: preview.id }, userCtx)).status).toBe('failed');
  }, 120_000);

  it('turns a malformed preview, a trap and a missing export into clear action errors, and the core keeps working', async () => {
    const { core, libraryId, entry, marks, listed } = await setup();
    const entryIds = [entry('in/a.txt')];

    await expect(
      core.registry.call('actions.preview', { libraryId, action: extensionActionName(ID, 'broken_preview'), params: { entryIds } }, userCtx),
    ).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/com\.cairn\.test-extension's action "broken_preview" \(preview\) returned something that is not JSON/) });

    const trapPreview = await core.registry.call('actions.preview', { libraryId, action: extensionActionName(ID, 'trap_execute'), params: { entryIds } }, userCtx);
    expect(trapPreview.reversible).toBe(false); // the guest did not say reversible, and there is no undo export
    await expect(core.registry.call('actions.commit', { libraryId, previewId: trapPreview.id }, userCtx)).rejects.toMatchObject({
      message: expect.stringMatching(/action "trap_execute" failed in its execute: .*trapped/),
    });
    const failed = await core.registry.call('actions.get', { libraryId, auditId: trapPreview.id }, userCtx);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/trapped/);

    // Upgraded to a version declaring "ghost" without its exports: re-registered, and ghost fails clearly.
    await core.registry.call('extensions.upgrade', { libraryId, path: upgradePkg }, userCtx);
    expect(await listed()).toContain(extensionActionName(ID, 'ghost'));
    await expect(core.registry.call('actions.preview', { libraryId, action: extensionActionName(ID, 'ghost'), params: { entryIds } }, userCtx)).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      message: `${ID} declares the action "ghost" but its module has no export action_ghost_preview() for its preview.`,
    });

    // The same plugin still runs a good action after all of that.
    const ok = await core.registry.call('actions.preview', { libraryId, action: extensionActionName(ID, 'mark_selection'), params: { entryIds } }, userCtx);
    expect((await core.registry.call('actions.commit', { libraryId, previewId: ok.id }, userCtx)).status).toBe('verified');
    expect(marks()).toEqual(['in/a.txt']);
  }, 120_000);

  it('lists the options of a choice param from the guest, keeps pictures in scope only, and accepts only offered values', async () => {
    const { core, libraryId, entry } = await setup();
    const lib = core.libraries.peek(libraryId)!;
    const contentOf = (rel: string) => (lib.raw.prepare('SELECT content_uuid AS c FROM entries WHERE rel_path = ?').get(rel) as { c: string }).c;
    const entryIds = [entry('in/a.txt'), entry('in/b.txt')];
    const options = (params: Record<string, unknown>, ids = entryIds) =>
      core.registry.call('extensions.actionOptions', { libraryId, id: ID, action: 'pick_file', param: 'file', params, entryIds: ids }, userCtx);

    // One option per selected file, with a crop of its content; the content outside the grant (out/c.txt) keeps
    // its words but loses its picture.
    const listedOptions = (await options({ foreign: contentOf('out/c.txt') })).options;
    expect(listedOptions).toEqual([
      { value: entryIds[0], label: 'in/a.txt', image: { contentId: contentOf('in/a.txt'), crop: { x: 0.25, y: 0.25, width: 0.5, height: 0.5 } } },
      { value: entryIds[1], label: 'in/b.txt', image: { contentId: contentOf('in/b.txt'), crop: { x: 0.25, y: 0.25, width: 0.5, height: 0.5 } } },
      { value: 'foreign', label: 'outside', image: null },
    ]);

    // What the guest returns is checked: not JSON, too many, a value twice, a crop off the image, a trap.
    const fails = async (mode: string, message: RegExp) => expect(options({ mode })).rejects.toMatchObject({ message: expect.stringMatching(message) });
    await fails('not-json', /action "pick_file" \(options\) returned something that is not JSON/);
    await fails('too-many', /malformed answer[\s\S]*at most 500 options/);
    await fails('dup', /listed the same value twice/);
    await fails('bad-crop', /the crop must lie inside the image/);
    await fails('trap', /action "pick_file" failed in its options/);
    // Only choice params have options, and entries outside the grant are refused before the guest runs.
    await expect(core.registry.call('extensions.actionOptions', { libraryId, id: ID, action: 'mark_selection', param: 'file' }, userCtx)).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(options({}, [entry('out/c.txt')])).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });

    // The preview takes only a value the options list for that run; a made-up one, a list, or none is refused.
    const action = extensionActionName(ID, 'pick_file');
    const preview = (params: Record<string, unknown>) => core.registry.call('actions.preview', { libraryId, action, params: { entryIds, params } }, userCtx);
    const ok = await preview({ file: entryIds[1] });
    expect(ok.changes.map((c) => c.description)).toEqual([`pick ${entryIds[1]}`]);
    expect(await core.registry.call('actions.commit', { libraryId, previewId: ok.id }, userCtx)).toMatchObject({ result: { applied: 1, message: `Picked ${entryIds[1]}` } });
    await expect(preview({ file: entry('out/c.txt') })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/is not among the choices for File/) });
    await expect(preview({ file: [entryIds[0]] })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/File must be one option value/) });
    await expect(preview({})).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/choose File first/) });
  }, 120_000);

  it('removes the actions when the extension is disabled or uninstalled, and brings them back when enabled', async () => {
    const { core, libraryId, entry, listed } = await setup();
    const action = extensionActionName(ID, 'mark_selection');
    const preview = await core.registry.call('actions.preview', { libraryId, action, params: { entryIds: [entry('in/a.txt')] } }, userCtx);

    await core.registry.call('extensions.disable', { libraryId, id: ID }, userCtx);
    expect(await listed()).toEqual([]);
    await expect(core.registry.call('actions.preview', { libraryId, action, params: {} }, userCtx)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A preview taken before the extension was disabled cannot be committed.
    await expect(core.registry.call('actions.commit', { libraryId, previewId: preview.id }, userCtx)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await core.registry.call('extensions.enable', { libraryId, id: ID }, userCtx);
    expect(await listed()).toContain(action);

    await core.registry.call('extensions.uninstall', { libraryId, id: ID, keepData: false }, userCtx);
    expect(await listed()).toEqual([]);
  }, 120_000);
});
