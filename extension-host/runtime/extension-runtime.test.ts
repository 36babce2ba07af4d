import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { userCtx } from '../../src-main/core/testing/test-core.js';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { extensionJobName } from '../jobs/extension-job.js';
import { HOOK_JOB } from './extension-runtime.js';
import { HELLO_TAGS, TEST_EXTENSION, install, libraryWithFiles, packed, taggedPaths, waitForJobs } from './testing/runtime-fixture.js';

const pkgDir = makeTempDir('cairn-runtime-pkgs');
let helloPkg = '';
let testPkg = '';
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  helloPkg = await packed(HELLO_TAGS, pkgDir.dir);
  testPkg = await packed(TEST_EXTENSION, pkgDir.dir);
  cleanups.push(() => pkgDir.cleanup());
}, 180_000);

afterEach(async () => {
  while (cleanups.length > 1) await cleanups.pop()!();
});

const FILES = {
  'photos/cat.jpg': 'cat bytes',
  'photos/2024/dog.png': 'dog bytes',
  'photos/notes.txt': 'photo notes',
  'docs/cv.pdf': 'cv bytes',
  'other.jpg': 'other bytes',
};

async function setup(files: Record<string, string> = FILES) {
  const t = await libraryWithFiles(files);
  cleanups.push(async () => {
    await t.core.stop();
    t.cleanup();
  });
  return t;
}

describe('ExtensionRuntime', () => {
  it('runs an installed extension job through extensions.runJob, inside its granted folder only, and forwards its events', async () => {
    const { core, libraryId, locationId } = await setup();
    await install(core, libraryId, helloPkg, [{ permission: 'ReadEntries', scopes: [{ locationId, subpath: 'photos' }] }]);
    await core.registry.call('extensions.setSettings', { libraryId, id: 'com.cairn.hello-tags', values: { prefix: 'Sorted' } }, userCtx);
    const tagEvents: unknown[] = [];
    core.events.on('tags.onDidChange', (p) => tagEvents.push(p));

    const { jobId } = await core.registry.call('extensions.runJob', { libraryId, id: 'com.cairn.hello-tags', job: 'tag_files' }, userCtx);
    const done = await (await core.jobs.for(libraryId)).waitFor(jobId);
    expect(done.errors).toEqual([]);
    expect(done.status).toBe('completed');
    expect(done.owner).toBe('com.cairn.hello-tags');
    expect(done.name).toBe(extensionJobName('com.cairn.hello-tags', 'tag_files'));
    // The jobs list shows the manifest's title for it, not the scheduler's type name.
    const listed = (await core.registry.call('jobs.list', { libraryId }, userCtx)).find((j) => j.id === jobId);
    expect(listed).toMatchObject({ title: 'Tag files by kind', owner: 'com.cairn.hello-tags' });

    // Settings reached the guest as config: the parent tag is the configured prefix.
    const tags = await core.registry.call('tags.list', { libraryId }, userCtx);
    expect(tags.map((t) => t.name)).toContain('Sorted');
    expect(taggedPaths(core, libraryId, 'Image')).toEqual(['photos/2024/dog.png', 'photos/cat.jpg']);
    expect(taggedPaths(core, libraryId, 'Document')).toEqual([]);
    expect(tagEvents.length).toBeGreaterThan(0);
    expect(tagEvents[0]).toEqual({ libraryId });

    // The guest's log lines land in the extension's rotated log in the library.
    const lib = await core.libraries.get(libraryId);
    const log = fs.readFileSync(path.join(lib.path, 'logs', 'extension', 'com.cairn.hello-tags', 'extension.jsonl'), 'utf8');
    expect(log).toMatch(/"level":"info","text":"hello-tags: tagged \d+ files"/);
  }, 120_000);

  it('refuses jobs of a disabled extension, and a queued job of one fails with the reason instead of running', async () => {
    const { core, libraryId, locationId } = await setup();
    await install(core, libraryId, helloPkg, [{ permission: 'ReadEntries', scopes: [{ locationId }] }]);
    await core.registry.call('extensions.disable', { libraryId, id: 'com.cairn.hello-tags' }, userCtx);
    await expect(core.registry.call('extensions.runJob', { libraryId, id: 'com.cairn.hello-tags', job: 'tag_files' }, userCtx)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('disabled'),
    });
    await expect(core.registry.call('extensions.runJob', { libraryId, id: 'com.cairn.hello-tags', job: 'nope' }, userCtx)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const scheduler = await core.jobs.for(libraryId);
    const id = scheduler.enqueue(extensionJobName('com.cairn.hello-tags', 'tag_files'), {}, { owner: 'com.cairn.hello-tags' });
    const failed = await scheduler.waitFor(id);
    expect(failed.status).toBe('failed');
    expect(failed.errors.at(-1)?.message).toMatch(/com\.cairn\.hello-tags may not run: it is disabled/);
    expect(taggedPaths(core, libraryId, 'Image')).toEqual([]);

    // Enabled again, the same job type runs.
    await core.registry.call('extensions.enable', { libraryId, id: 'com.cairn.hello-tags' }, userCtx);
    const { jobId } = await core.registry.call('extensions.runJob', { libraryId, id: 'com.cairn.hello-tags', job: 'tag_files' }, userCtx);
    expect((await scheduler.waitFor(jobId)).status).toBe('completed');
    expect(taggedPaths(core, libraryId, 'Image').length).toBe(3);

    // Uninstalled: the job type stays registered but fails clearly.
    await core.registry.call('extensions.uninstall', { libraryId, id: 'com.cairn.hello-tags', keepData: true }, userCtx);
    const gone = scheduler.enqueue(extensionJobName('com.cairn.hello-tags', 'tag_files'), {}, { owner: 'com.cairn.hello-tags' });
    expect((await scheduler.waitFor(gone)).errors.at(-1)?.message).toMatch(/not installed/);
  }, 120_000);

  it('delivers entries.onDidCreate hooks in batches through durable jobs, only for entries in the granted folder', async () => {
    const { core, libraryId, locationId, dir } = await setup({ 'in/seed.txt': 'seed', 'out/seed.txt': 'seed2' });
    await install(core, libraryId, testPkg, [
      { permission: 'ReadEntries', scopes: [{ locationId, subpath: 'in' }] },
      { permission: 'ReadSidecars', scopes: [{ locationId, subpath: 'in' }] },
      { permission: 'WriteSidecars', scopes: [{ locationId, subpath: 'in' }] },
    ]);
    for (let i = 0; i < 3; i++) {
      fs.writeFileSync(path.join(dir, 'files', 'in', `new-${i}.txt`), `in ${i}`);
      fs.writeFileSync(path.join(dir, 'files', 'out', `new-${i}.txt`), `out ${i}`);
    }
    await core.registry.call('indexer.run', { libraryId, locationId }, userCtx);
    await waitForJobs(core, libraryId);
    // Partial batches wait hookDelayMs for more events; then their job runs.
    await new Promise((r) => setTimeout(r, 100));
    await waitForJobs(core, libraryId);

    const jobs = (await core.registry.call('jobs.list', { libraryId }, userCtx)).filter((j) => j.name === HOOK_JOB);
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.every((j) => j.status === 'completed' && j.owner === 'com.cairn.test-extension')).toBe(true);
    const lib = core.libraries.peek(libraryId)!;
    const marked = lib.raw
      .prepare(`SELECT e.rel_path AS p FROM models m JOIN entries e ON e.uuid = m.entry_uuid WHERE m.model_type = 'PathMark' ORDER BY e.rel_path`)
      .all() as { p: string }[];
    expect(marked.map((m) => m.p)).toEqual(['in/new-0.txt', 'in/new-1.txt', 'in/new-2.txt']);
  }, 120_000);
});
