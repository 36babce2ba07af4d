import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../../src-main/cli/main.js';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { ExtensionHarness } from './harness/extension-harness.js';

// Runs docs/extension-guide.md. Step 1 runs verbatim through the real CLI. Step 2 (install with a scoped
// grant, run the job) needs `cairn ext install|grant|run`, which the packages/bridge/jobs work has not
// landed yet: the job is run through the SDK harness instead. REMAINING: replace that part with the CLI
// commands once they exist.
const tmp = makeTempDir('cairn-guide');
afterAll(() => tmp.cleanup());

function cli(args: string[]) {
  let out = '';
  let err = '';
  const io = { out: { write: (s: string) => ((out += s), true) }, err: { write: (s: string) => ((err += s), true) } };
  return runCli(['--home', path.join(tmp.dir, 'home'), ...args], io as never).then((code) => ({ code, out, err }));
}

it('new, build, validate, pack work verbatim, and the job tags the files', async () => {
  const cwd = process.cwd();
  process.chdir(tmp.dir);
  try {
    expect((await cli(['ext', 'new', 'com.example.hello'])).code).toBe(0);
    const build = await cli(['ext', 'build', 'hello']);
    expect(build.err).toBe('');
    expect(build.code).toBe(0);
    const validate = await cli(['ext', 'validate', 'hello']);
    expect(validate.out).toContain('com.example.hello is valid');
    const pack = await cli(['ext', 'pack', 'hello']);
    expect(pack.code).toBe(0);
    expect(fs.existsSync(path.join(tmp.dir, 'hello', 'build', 'com.example.hello-0.1.0.cairnext'))).toBe(true);
  } finally {
    process.chdir(cwd);
  }
  const h = await ExtensionHarness.start({ extensionDir: path.join(tmp.dir, 'hello'), files: [{ path: 'a.jpg', content: 'a' }, { path: 'b.pdf', content: 'b' }] });
  try {
    expect((await h.runJob('tag_files', {})).done).toBe(true);
    expect((await h.invoke('tags.list', {})).map((t) => t.path)).toEqual(expect.arrayContaining(['Hello/Image', 'Hello/Document']));
  } finally {
    await h.close();
  }
}, 300_000);

it('build reports a compile error with its source position and fails', async () => {
  const dir = path.join(tmp.dir, 'broken');
  const cwd = process.cwd();
  process.chdir(tmp.dir);
  try {
    await cli(['ext', 'new', 'com.example.broken', '--dir', dir]);
    fs.appendFileSync(path.join(dir, 'assembly', 'index.ts'), '\nexport function oops(): i32 { return missingThing; }\n');
    const r = await cli(['ext', 'build', 'broken']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/broken\/assembly\/index\.ts:\d+:\d+: error TS2304: Cannot find name 'missingThing'/);
  } finally {
    process.chdir(cwd);
  }
}, 300_000);
