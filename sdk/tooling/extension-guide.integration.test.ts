import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../../src-main/cli/main.js';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';

// Runs docs/extension-guide.md: the `cairn …` lines of the sh blocks of steps 1 and 2, read from the guide
// itself, through the real CLI (in process, with --home pointing at a temporary home). `~/Pictures` becomes a
// temporary folder with a Holiday subfolder (granted) and an Other one (not granted). `cairn ext test` is left
// out: it starts vitest itself (sdk/tooling tests cover it).
const tmp = makeTempDir('cairn-guide');
afterAll(() => tmp.cleanup());
const GUIDE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/extension-guide.md');

function cli(args: string[]) {
  let out = '';
  let err = '';
  const io = { out: { write: (s: string) => ((out += s), true) }, err: { write: (s: string) => ((err += s), true) } };
  return runCli(['--home', path.join(tmp.dir, 'home'), ...args], io as never).then((code) => ({ code, out, err }));
}

/** The `cairn` command lines of the guide's sh block under the heading starting with `heading`. */
function guideCommands(heading: string): string[][] {
  const text = fs.readFileSync(GUIDE, 'utf8');
  const section = text.slice(text.indexOf(heading));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('cairn '))
    .map((line) => line.split(/\s+/).slice(1));
}

it('the guide\'s steps 1 and 2 work verbatim: new, build, validate, pack, location, index, install with a scoped grant, run-job --wait, search', async () => {
  const pictures = path.join(tmp.dir, 'Pictures');
  for (const [rel, content] of [['Holiday/beach.jpg', 'sand'], ['Holiday/plan.pdf', 'plan'], ['Other/cat.jpg', 'cat']] as const) {
    fs.mkdirSync(path.dirname(path.join(pictures, rel)), { recursive: true });
    fs.writeFileSync(path.join(pictures, rel), content);
  }
  const step1 = guideCommands('## 1.');
  const step2 = guideCommands('## 2.');
  expect(step1.map((c) => c.slice(0, 2).join(' '))).toEqual(['ext new', 'ext build', 'ext validate', 'ext test', 'ext pack']);
  expect(step2.map((c) => c.slice(0, 2).join(' '))).toEqual(['location add', 'index Pictures', 'ext install', 'ext run-job', 'search --tag']);
  const outputs: Record<string, string> = {};
  const run = async (args: string[], real: string[]) => {
    const r = await cli(real);
    expect({ command: real.join(' '), code: r.code, err: r.err }).toEqual({ command: real.join(' '), code: 0, err: '' });
    outputs[args.slice(0, 2).join(' ')] = r.out;
  };
  const cwd = process.cwd();
  process.chdir(tmp.dir);
  try {
    for (const args of step1) if (!(args[0] === 'ext' && args[1] === 'test')) await run(args, args);
  } finally {
    process.chdir(cwd);
  }
  // Step 2 runs from the checkout (the indexer's workers load tsx from the working directory in development),
  // so the guide's relative `hello/…` path is resolved against the folder step 1 ran in.
  for (const args of step2) await run(args, args.map((a) => (a === '~/Pictures' ? pictures : a.startsWith('hello/') ? path.join(tmp.dir, a) : a)));
  expect(outputs['ext validate']).toContain('com.example.hello is valid');
  expect(fs.existsSync(path.join(tmp.dir, 'hello', 'build', 'com.example.hello-0.1.0.cairnext'))).toBe(true);
  expect(outputs['ext run-job']).toMatch(/com\.example\.hello tag_files: completed/);
  // Only the granted subfolder was tagged.
  expect(outputs['search --tag']).toContain('Holiday/beach.jpg');
  expect(outputs['search --tag']).not.toContain('Other/cat.jpg');
  expect(outputs['search --tag']).toMatch(/1 match\n/);
  const docs = await cli(['search', '--tag', 'Hello/Document']);
  expect(docs.out).toContain('Holiday/plan.pdf');
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
