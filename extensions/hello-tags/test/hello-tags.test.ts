import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExtension } from '../../../sdk/tooling/build-extension.js';
import { ExtensionHarness } from '../../../sdk/tooling/harness/extension-harness.js';

const extensionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('hello-tags', () => {
  beforeAll(async () => {
    const built = await buildExtension(extensionDir);
    expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  }, 120_000);

  let h: ExtensionHarness | undefined;
  afterAll(async () => {
    await h?.close();
  });

  it('tags every file by kind, and leaves folders alone', async () => {
    h = await ExtensionHarness.start({
      extensionDir,
      files: [
        { path: 'photos/cat.jpg', content: 'cat' },
        { path: 'photos/dog.png', content: 'dog' },
        { path: 'docs/report.pdf', content: 'report' },
        { path: 'docs/notes.txt', content: 'notes' },
      ],
    });
    const run = await h.runJob('tag_files', {});
    expect(run.done).toBe(true);
    expect(run.progress.at(-1)).toMatchObject({ completed: 6, total: 6 });
    const byPath = new Map((await h.invoke('tags.list', {})).map((t) => [t.path, t.usage]));
    expect(byPath.get('Kinds/Image')).toBe(2);
    expect(byPath.get('Kinds/Document')).toBe(1);
    expect(byPath.get('Kinds/Text')).toBe(1);
    const cat = await h.invoke('entries.get', { entryId: h.entryIds.get('photos/cat.jpg')! });
    expect(cat.tags.map((t) => [t.name, t.source, t.sourceId])).toEqual([['Image', 'extension', 'com.cairn.hello-tags']]);
  });

  it('sees only the folders its ReadEntries grant is scoped to, as in the app (the real bridge checks the harness too)', async () => {
    const scoped = await ExtensionHarness.start({
      extensionDir,
      files: [
        { path: 'photos/cat.jpg', content: 'cat' },
        { path: 'private/passport.jpg', content: 'passport' },
      ],
      folders: ['photos'],
    });
    try {
      const run = await scoped.runJob('tag_files', {});
      expect(run.done).toBe(true);
      const tagsOf = async (rel: string) => (await scoped.invoke('entries.get', { entryId: scoped.entryIds.get(rel)! })).tags.map((t) => t.name);
      expect(await tagsOf('photos/cat.jpg')).toEqual(['Image']);
      expect(await tagsOf('private/passport.jpg')).toEqual([]);
    } finally {
      await scoped.close();
    }
  });

  it('honours the prefix setting and fails cleanly without WriteTags', async () => {
    const custom = await ExtensionHarness.start({ extensionDir, files: [{ path: 'a.jpg', content: 'a' }], settings: { prefix: 'Sorted' } });
    try {
      await custom.runJob('tag_files', {});
      expect((await custom.invoke('tags.list', {})).map((t) => t.path)).toContain('Sorted/Image');
    } finally {
      await custom.close();
    }
    const denied = await ExtensionHarness.start({ extensionDir, files: [{ path: 'a.jpg', content: 'a' }], grant: ['ReadEntries'] });
    try {
      await expect(denied.runJob('tag_files', {})).rejects.toThrow(/PERMISSION_DENIED/);
      expect(await denied.invoke('tags.list', {})).toEqual([]);
    } finally {
      await denied.close();
    }
  });
});
