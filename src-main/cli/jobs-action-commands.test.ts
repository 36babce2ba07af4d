import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Library } from '../core/library/library.js';
import { makeTempDir } from '../core/testing/temp-dir.js';
import { seedEntries } from '../core/testing/seed-entries.js';
import { cli } from './testing/run-cli.js';

const cleanups: (() => void)[] = [];
let savedXdg: string | undefined;
beforeEach(() => {
  savedXdg = process.env.XDG_DATA_HOME;
  const xdg = makeTempDir('cairn-xdg');
  process.env.XDG_DATA_HOME = xdg.dir;
  cleanups.push(xdg.cleanup);
});
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
  if (savedXdg === undefined) delete process.env.XDG_DATA_HOME;
  else process.env.XDG_DATA_HOME = savedXdg;
});


/**
 * A home with the default library, one location holding real files, and entries seeded for them. Adding the
 * location queues an index job; it is cancelled (so the seeded entries stay as they are) unless kept.
 */
async function setup(files: Record<string, string>, options: { keepIndexJob?: boolean } = {}) {
  const home = makeTempDir('cairn-home');
  const folder = makeTempDir('cairn-folder');
  cleanups.push(home.cleanup, folder.cleanup);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.join(folder.dir, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(folder.dir, rel), content);
  }
  const added = await cli(home.dir, '--json', 'location', 'add', folder.dir);
  expect(added.code, added.err).toBe(0);
  const location = JSON.parse(added.out) as { id: string };
  const [lib] = JSON.parse((await cli(home.dir, '--json', 'library', 'list')).out) as { id: string; path: string }[];
  const library = await Library.open(lib!.path);
  try {
    if (!options.keepIndexJob) library.raw.prepare("UPDATE jobs SET status = 'cancelled' WHERE status IN ('queued', 'running')").run();
    const { entryIds } = seedEntries(library, location.id, Object.entries(files).map(([relPath, content]) => ({ relPath, content })));
    return { home: home.dir, folder: folder.dir, libPath: lib!.path, entryIds };
  } finally {
    await library.close();
  }
}

async function withLibrary<T>(libPath: string, fn: (lib: Library) => T): Promise<T> {
  const lib = await Library.open(libPath);
  try {
    return fn(lib);
  } finally {
    await lib.close();
  }
}

describe('cairn action', () => {
  it('previews (changing nothing), applies by id prefix, shows history, and undoes a move', async () => {
    const { home, folder } = await setup({ 'a.jpg': 'A', 'Archive/keep.txt': 'K' });
    const list = await cli(home, 'action', 'list');
    expect(list.out).toMatch(/files\.move\s+core\s+yes/);

    const preview = await cli(home, 'action', 'preview', 'files.move', '--path', path.join(folder, 'a.jpg'), '--to', 'Archive');
    expect(preview.code, preview.err).toBe(0);
    expect(preview.out).toContain('Move 1 item to "Archive"\n  move "a.jpg" to "Archive/a.jpg"\n');
    expect(preview.out).toMatch(/Reversible: yes/);
    expect(fs.existsSync(path.join(folder, 'a.jpg'))).toBe(true);
    const id = /cairn action apply ([0-9a-f-]{36})/.exec(preview.out)![1]!;

    const applied = await cli(home, 'action', 'apply', id.slice(0, 8));
    expect(applied.code, applied.err).toBe(0);
    expect(applied.out).toMatch(/^Applied and verified: \{"moved":1\}\nUndo with: cairn action undo /);
    expect(fs.existsSync(path.join(folder, 'Archive', 'a.jpg'))).toBe(true);

    const history = await cli(home, '--json', 'action', 'history');
    const page = JSON.parse(history.out) as { total: number; items: { id: string; status: string; caller: unknown; canUndo: boolean }[] };
    expect(page).toMatchObject({ total: 1, items: [{ id, status: 'verified', caller: { kind: 'user', via: 'cli' }, canUndo: true }] });

    const undone = await cli(home, 'action', 'undo', id);
    expect(undone.code, undone.err).toBe(0);
    expect(fs.existsSync(path.join(folder, 'a.jpg'))).toBe(true);
    expect((await cli(home, 'action', 'history')).out).toMatch(/files\.move\s+undone\s+user \(cli\)/);
    const again = await cli(home, 'action', 'undo', id);
    expect(again).toMatchObject({ code: 1, err: expect.stringMatching(/^cairn: Cannot undo files\.move .*already undone\. \[CONFLICT\]\n$/) });
  });

  it('run asks for --yes, then applies; trash goes to the trash and undo restores it', async () => {
    const { home, folder, entryIds } = await setup({ 'old.txt': 'bye' });
    const id = entryIds.get('old.txt')!;
    const asked = await cli(home, 'action', 'run', 'files.trash', '--entry', id);
    expect(asked.code).toBe(1);
    expect(asked.out).toContain('move "old.txt" to the trash');
    expect(asked.err).toMatch(/^cairn: Nothing was applied; re-run with --yes.*\[CONFIRMATION_REQUIRED\]\n$/);
    expect(fs.existsSync(path.join(folder, 'old.txt'))).toBe(true);

    const run = await cli(home, '--json', 'action', 'run', 'files.trash', '--entry', id, '--yes');
    expect(run.code, run.err).toBe(0);
    const { result } = JSON.parse(run.out) as { result: { auditId: string; status: string } };
    expect(result.status).toBe('verified');
    expect(fs.existsSync(path.join(folder, 'old.txt'))).toBe(false);
    expect(fs.readFileSync(path.join(process.env.XDG_DATA_HOME!, 'Trash', 'files', 'old.txt'), 'utf8')).toBe('bye');
    expect((await cli(home, 'action', 'undo', result.auditId)).code).toBe(0);
    expect(fs.readFileSync(path.join(folder, 'old.txt'), 'utf8')).toBe('bye');
  });

  it('prints conflicts and refuses to apply them, and refuses a stale preview with the reason', async () => {
    const { home, folder, entryIds } = await setup({ 'a.jpg': 'A', 'b.jpg': 'B' });
    const clash = await cli(home, 'action', 'preview', 'files.rename', '--entry', entryIds.get('a.jpg')!, '--name', 'b.jpg');
    expect(clash.out).toMatch(/Conflicts \(1\).*\n {2}\[EXISTS\] "b\.jpg" already exists; Cairn never overwrites\./);
    expect(clash.out).not.toContain('Apply it with');

    const ok = await cli(home, '--json', 'action', 'preview', 'files.rename', '--params', JSON.stringify({ entryId: entryIds.get('a.jpg'), name: 'c.jpg' }));
    const previewId = (JSON.parse(ok.out) as { id: string }).id;
    fs.renameSync(path.join(folder, 'a.jpg'), path.join(folder, 'moved.jpg'));
    const stale = await cli(home, 'action', 'apply', previewId);
    expect(stale.code).toBe(1);
    expect(stale.err).toMatch(/^cairn: The library changed since the preview, so nothing was applied: "a\.jpg" is gone from disk.*\[CONFLICT\]\n$/);

    const bad = await cli(home, 'action', 'preview', 'files.move', '--params', '{nope');
    expect(bad).toMatchObject({ code: 2, err: expect.stringMatching(/--params is not valid JSON.*\[VALIDATION\]/) });
    const unknown = await cli(home, 'action', 'preview', 'files.explode', '--entry', entryIds.get('b.jpg')!);
    expect(unknown).toMatchObject({ code: 1, err: expect.stringMatching(/No action named "files\.explode".*\[NOT_FOUND\]\n$/) });
  });
});

describe('cairn jobs', () => {
  const insertJob = (lib: Library, id: string, status: string, extra: { progress?: unknown; errors?: unknown[] } = {}) =>
    lib.raw
      .prepare("INSERT INTO jobs (id, name, owner, input, status, progress, errors, created_at, updated_at) VALUES (?, 'test.elsewhere', 'core', '{}', ?, ?, ?, ?, ?)")
      .run(id, status, extra.progress ? JSON.stringify(extra.progress) : null, JSON.stringify(extra.errors ?? []), Date.now(), Date.now());

  it('lists, pauses, resumes, cancels, retries and clears jobs, by id prefix', async () => {
    const { home, libPath } = await setup({});
    const queued = 'aaaa1111-0000-4000-8000-000000000001';
    const failed = 'bbbb2222-0000-4000-8000-000000000002';
    await withLibrary(libPath, (lib) => {
      insertJob(lib, queued, 'queued');
      insertJob(lib, failed, 'failed', { errors: [{ at: 1, code: 'IO', message: 'disk on fire' }] });
    });
    const list = await cli(home, 'jobs', 'list');
    expect(list.out).toMatch(/^ID\s+JOB\s+STATUS/);
    expect(list.out).toMatch(/aaaa1111\s+test\.elsewhere\s+queued/);
    expect(list.out).toMatch(/bbbb2222\s+test\.elsewhere\s+failed.*disk on fire/);

    expect((await cli(home, 'jobs', 'pause', 'aaaa')).out).toMatch(/^Paused test\.elsewhere \(aaaa1111-.*\): paused\n$/);
    expect(JSON.parse((await cli(home, '--json', 'jobs', 'list', '--status', 'paused')).out)).toMatchObject([{ id: queued, status: 'paused' }]);
    expect((await cli(home, 'jobs', 'resume', queued)).out).toMatch(/: queued\n$/);
    expect((await cli(home, 'jobs', 'retry', 'bbbb2222')).out).toMatch(/: queued\n$/);
    expect((await cli(home, 'jobs', 'cancel', 'aaaa')).out).toMatch(/: cancelled\n$/);
    const wrong = await cli(home, 'jobs', 'resume', 'aaaa');
    expect(wrong).toMatchObject({ code: 1, err: expect.stringMatching(/^cairn: Cannot resume job .*: it is cancelled\. \[CONFLICT\]\n$/) });
    expect((await cli(home, 'jobs', 'pause', 'zzzz')).err).toMatch(/No job with id "zzzz".*\[NOT_FOUND\]/);
    expect((await cli(home, 'jobs', 'clear')).out).toMatch(/^Cleared \d+ finished jobs?\n$/);
    const left = JSON.parse((await cli(home, '--json', 'jobs', 'list')).out) as { id: string; name: string; status: string }[];
    expect(left.filter((j) => j.name === 'test.elsewhere')).toMatchObject([{ id: failed, status: 'queued' }]);
  });

  it('waits for a job with plain progress lines off a terminal, failing when the job failed', async () => {
    const { home, libPath } = await setup({}, { keepIndexJob: true });
    const done = 'cccc3333-0000-4000-8000-000000000003';
    const broken = 'dddd4444-0000-4000-8000-000000000004';
    await withLibrary(libPath, (lib) => {
      insertJob(lib, done, 'completed', { progress: { completed: 3, total: 3, message: 'done' } });
      insertJob(lib, broken, 'failed', { errors: [{ at: 1, code: 'IO', message: 'no disk' }] });
    });
    const ok = await cli(home, 'jobs', 'wait', 'cccc');
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toBe('test.elsewhere: completed 3/3 done\ntest.elsewhere: completed\n');
    const failed = await cli(home, 'jobs', 'wait', 'dddd');
    expect(failed).toMatchObject({ code: 1, err: 'cairn: Job test.elsewhere failed: no disk. [INTERNAL]\n' });
    // Adding the location queued an index job; this process holds the scheduler lease, so it runs it while watching.
    const watch = await cli(home, 'jobs', 'list', '--watch');
    expect(watch.code, watch.err).toBe(0);
    expect(watch.out).toMatch(/^(No job is queued or running\.\n|[0-9a-f]{8} Index cairn-folder-\w+: (queued|running)\n[\s\S]*: completed.*\n)$/);
    const after = JSON.parse((await cli(home, '--json', 'jobs', 'list', '--status', 'queued', 'running')).out) as unknown[];
    expect(after).toEqual([]);
  });
});
