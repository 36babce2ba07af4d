import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExtension } from '../../../sdk/tooling/build-extension.js';
import { validateExtension } from '../../../sdk/tooling/validate-extension.js';
import { ExtensionHarness } from '../../../sdk/tooling/harness/extension-harness.js';

const extensionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FILES = [
  { path: 'a-cat.jpg', content: 'cat bytes' },
  { path: 'b-dog.jpg', content: 'dog bytes' },
  { path: 'docs/README.txt', content: 'Grüße, 世界' },
  { path: 'docs/zeta.txt', content: 'zeta' },
  { path: 'flaky.txt', content: 'fails once' },
];

let h: ExtensionHarness;
const probe = async (c: string, extra: Record<string, string> = {}) => h.call<Record<string, unknown>>('task_probe', { key: 'probe', input: { case: c, text: '', entryId: '', contentId: '', otherEntryId: '', ...extra } });

beforeAll(async () => {
  const built = await buildExtension(extensionDir);
  expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(validateExtension(extensionDir).issues).toEqual([]);
  h = await ExtensionHarness.start({ extensionDir, files: FILES, settings: { label_prefix: 'Notes', mode: 'thorough' } });
}, 300_000);

afterAll(async () => {
  await h?.close();
});

const readme = () => h.entryIds.get('docs/README.txt')!;
const readmeContent = () => h.contentIds.get('Grüße, 世界')!;

describe('host ABI', () => {
  it('passes non-ASCII input, output, vars and settings with their UTF-8 lengths', async () => {
    const text = 'Zoë ☃ 日本 🎉';
    const r = await probe('utf8', { text });
    expect(r).toMatchObject({ echo: text, echoBytes: Buffer.byteLength(text), var: text, varRemoved: true, missingConfig: true });
    expect(r).toMatchObject({ prefix: 'Notes', pageSize: 2, verbose: false, mode: 'thorough', prefix2: 'Notes', pageSize2: 2, verbose2: false, fallback: 'dflt' });
    expect(await h.callText('task_probe', JSON.stringify({ key: 'k', input: { case: 'utf8', text: 'é' } }))).toContain('"echo":"é"');
  });

  it('forwards logs (info and up, UTF-8) and traces', async () => {
    const r = await probe('log', { text: 'Ünïcödé ✓' });
    expect(r['trace']).toBe('ok');
    expect(h.logs.map((l) => l.text)).toEqual(expect.arrayContaining(['info: Ünïcödé ✓', 'warn: Ünïcödé ✓', 'error: Ünïcödé ✓']));
    expect(h.logs.some((l) => l.text.includes('debug'))).toBe(false);
    expect(h.events.some((e) => e.method === 'trace' && (e.payload as { message: string }).message.startsWith('probe-span 1.5ms'))).toBe(true);
  });

  it('turns Host.fail and Result.unwrap of an error into failed calls, and the plugin stays usable', async () => {
    await expect(probe('fail', { text: 'ß' })).rejects.toThrow(/failed on purpose: ß/);
    await expect(probe('unwrap')).rejects.toThrow();
    expect((await probe('utf8', { text: 'ok' }))['echo']).toBe('ok');
  });
});

describe('vdfs', () => {
  it('queries with filters and paging, batches, search, and missing entries', async () => {
    const r = await probe('entries', { entryId: readme() });
    expect(r).toMatchObject({ images: 2, pages: 3, batchFound: 1, batchMissing: 1, oneName: 'README.txt', missing: 'NOT_FOUND', search: 1, badLimit: 'VALIDATION' });
    expect(r['textNames']).toEqual(['zeta.txt', 'README.txt', 'flaky.txt']);
  });

  it('reads file bytes by entry and by path, and refuses paths outside the location', async () => {
    const r = await probe('bytes', { entryId: readme(), otherEntryId: h.locationId, text: 'docs/zeta.txt' });
    expect(r).toMatchObject({ text: 'Grüße, 世界', eof: true, part: 'rüß'.slice(0, 2), byPath: 'zeta' });
    expect(r['outside']).not.toBe('ok');
  });

  it('writes and reads sidecars, with errors for a missing variant and a bad kind', async () => {
    const r = await probe('sidecars', { contentId: readmeContent(), text: 'note ✓' });
    // A kind the manifest's WriteSidecars does not list is a permission the user never granted.
    expect(r).toMatchObject({ write: 'ok', read: 'note ✓', format: 'txt', missingVariant: 'NOT_FOUND', badKind: 'PERMISSION_DENIED' });
  });
});

describe('models, tags, collections, ai', () => {
  it('creates content, standalone and entry models with lazy blob fields; checks scope and blob fields in the guest', async () => {
    const r = await probe('models', { contentId: h.contentIds.get('cat bytes')!, entryId: h.entryIds.get('a-cat.jpg')!, text: 'a-cat.jpg' });
    expect(r).toMatchObject({
      create: 'ok', scope: 'content', blobFields: ['preview'], name: 'a-cat.jpg', idempotent: true, byContent: 1,
      lazyBlob: 'big ✓ preview', queried: 1, queriedNone: 0, updatedLabel: 'second', clearedBlob: 'NOT_FOUND',
      wrongScope: 'VALIDATION', undeclaredBlob: 'VALIDATION', album: 'Été 2024', albumScope: 'standalone', cover: 2.5,
      albumCount: 2, albumTag: 'ok', mark: 'entry:device_owned', entryNeedsId: 'VALIDATION', delete: 'ok', afterDelete: 'NOT_FOUND',
      unknownContent: 'NOT_FOUND',
    });
  });

  it('tags contents by path, counts new applications, rejects an empty path part', async () => {
    const r = await probe('tags', { contentId: h.contentIds.get('dog bytes')! });
    expect(r).toMatchObject({ add: 'ok', applied: 1, appliedAgain: 0, emptyPart: 'VALIDATION', removed: 1, removedAgain: 0 });
    expect(r['paths']).toEqual(expect.arrayContaining(['Colours', 'Colours/Vert ✓', 'Albums/Summer']));
    expect((await h.invoke('tags.list', {})).find((t) => t.path === 'Colours/Vert ✓')?.usage).toBe(1);
  });

  it('builds a collection of entries and contents and reads back its own collections', async () => {
    const r = await probe('collections', { entryId: readme(), otherEntryId: h.entryIds.get('docs/zeta.txt')!, contentId: h.contentIds.get('cat bytes')! });
    // Three items read back before one is removed; the library holds only this extension's collection.
    expect(r).toMatchObject({ create: 'ok', added: 3, items: 3, removed: 1, collections: 1, unknown: 'NOT_FOUND' });
  });

  it('refuses direct AI calls through vdfs_call, as values (models run as host tasks of job steps)', async () => {
    const r = await probe('ai', { contentId: readmeContent() });
    expect(r).toMatchObject({ faces: 'PERMISSION_DENIED' });
    expect(String(r['message'])).toMatch(/not available to extensions/);
  });

  it('runtime calls work from a task; unknown and invalid operations are error values', async () => {
    const r = await probe('runtime');
    expect(r).toMatchObject({ progress: 'ok', checkpoint: 'ok', interrupted: false, unknownOp: 'PERMISSION_DENIED', invalid: 'VALIDATION' }); // the bridge refuses any method outside its table
    // jobs.start: one of its own declared jobs is queued (the harness records the request), another name is refused.
    expect(r).toMatchObject({ started: 'ok', startUndeclared: 'PERMISSION_DENIED' });
    expect(h.events.filter((e) => e.method === 'job.start')).toEqual([{ method: 'job.start', payload: { job: 'index_notes', input: { label: 'from a task' } } }]);
  });

  it('is refused models without WriteModels', async () => {
    const denied = await ExtensionHarness.start({ extensionDir, files: FILES.slice(0, 1), grant: ['ReadEntries'] });
    try {
      const r = await denied.call<Record<string, unknown>>('task_probe', { key: 'p', input: { case: 'models', text: 'x', entryId: denied.entryIds.get('a-cat.jpg')!, contentId: denied.contentIds.get('cat bytes')!, otherEntryId: '' } });
      expect(r['create']).toBe('PERMISSION_DENIED');
    } finally {
      await denied.close();
    }
  });
});

describe('job, action, hook', () => {
  it('runs the job in steps with tasks, retries and checkpoints, and resumes after an interruption', async () => {
    const first = await h.runJob('index_notes', { label: '' }, { stopAfterSteps: 2 });
    expect(first.done).toBe(false);
    expect(first.checkpoint).toMatchObject({ offset: 4, steps: 2 });
    const interrupted = await h.runJob('index_notes', { label: '' }, { from: first, interruptAtStep: 0, stopAfterSteps: 1 });
    expect(interrupted.checkpoint).toMatchObject({ offset: 4, steps: 3 });
    expect(h.logs.some((l) => l.text.includes('interrupted at offset 4'))).toBe(true);
    const rest = await h.runJob('index_notes', { label: '' }, { from: interrupted });
    expect(rest.done).toBe(true);
    expect(rest.events.some((e) => e.method === 'job.checkpoint')).toBe(true);
    expect(rest.events.some((e) => e.method === 'job.progress')).toBe(true);
    expect(rest.completedTasks.length).toBe(5);
    expect(rest.completedTasks.find((t) => t.key.startsWith('note:') && t.attempts === 2)).toBeDefined();
    const notes = await h.invokeAsExtension('models.query', { type: 'FileNote' });
    expect(notes.total).toBe(5);
    expect(h.logs.some((l) => l.text === 'notes written: 5 of 5')).toBe(true);
    const tags = new Map((await h.invoke('tags.list', {})).map((t) => [t.path, t.usage]));
    expect(tags.get('Notes/Indexed')).toBe(5);
    await expect(h.runJob('index_notes', { label: 'fail-all' })).rejects.toThrow(/cannot note/);
  });

  it('previews an action without changing anything, then executes it', async () => {
    const ids = [h.entryIds.get('a-cat.jpg')!, h.entryIds.get('docs/zeta.txt')!];
    const before = (await h.invoke('tags.list', {})).length;
    const preview = await h.preview('tag_selection', { entryIds: ids, params: { tag: 'Picked/Best' } });
    expect(preview.title).toBe('Tag 2 files as Picked/Best');
    expect(preview.changes.map((c) => c.description)).toEqual(['tag a-cat.jpg as Picked/Best', 'tag docs/zeta.txt as Picked/Best']);
    expect((await h.invoke('tags.list', {})).length).toBe(before);
    const done = await h.execute('tag_selection', { entryIds: ids, params: { tag: 'Picked/Best' } });
    expect(done).toEqual({ applied: 2, message: 'Tagged 2 files' });
    expect((await h.invoke('tags.list', {})).find((t) => t.path === 'Picked/Best')?.usage).toBe(2);
  });

  it('handles a hook batch, and reports what it could not mark', async () => {
    const r = await h.hook<{ event: string; marked: number }>('entries.onDidCreate', [{ entryId: readme() }, { entryId: '00000000-0000-4000-8000-000000000000' }]);
    expect(r).toEqual({ event: 'entries.onDidCreate', marked: 1 });
    expect(h.logs.some((l) => l.text.startsWith('cannot mark 00000000'))).toBe(true);
  });
});
