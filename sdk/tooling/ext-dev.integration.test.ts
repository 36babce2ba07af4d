import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../../src-main/cli/main.js';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { devVersion } from './ext-commands.js';

// `cairn ext dev --once` through the real CLI (in process, temporary home): a scaffolded extension is built,
// packed as a development version and installed with a scoped grant; a source change reloads it in place
// with its data kept; a compile error leaves the last good version installed; a new permission is held for
// consent. (Without --once the same cycle runs on every change the watcher sees.)
const tmp = makeTempDir('cairn-ext-dev');
afterAll(() => tmp.cleanup());

function cli(args: string[]) {
  let out = '';
  let err = '';
  const io = { out: { write: (s: string) => ((out += s), true) }, err: { write: (s: string) => ((err += s), true) } };
  return runCli(['--home', path.join(tmp.dir, 'home'), ...args], io as never).then((code) => ({ code, out, err }));
}

async function ok(args: string[]): Promise<string> {
  const r = await cli(args);
  expect({ args: args.join(' '), code: r.code, err: r.err }).toEqual({ args: args.join(' '), code: 0, err: '' });
  return r.out;
}

it('devVersion is the next patch as a prerelease, ordered by its stamp', () => {
  expect(devVersion('0.1.0', 5)).toBe('0.1.1-dev.5');
  expect(devVersion('2.3.9-beta.1', 1732400000000)).toBe('2.3.10-dev.1732400000000');
  expect(() => devVersion('one', 1)).toThrow(/not semver/);
});

it('dev --once installs, reloads a changed build keeping its data, keeps the last good build on a compile error, and holds new permissions', async () => {
  const pictures = path.join(tmp.dir, 'Pictures');
  fs.mkdirSync(path.join(pictures, 'Holiday'), { recursive: true });
  fs.writeFileSync(path.join(pictures, 'Holiday', 'beach.jpg'), 'sand');
  const dir = path.join(tmp.dir, 'devloop');
  await ok(['ext', 'new', 'com.example.devloop', '--dir', dir]);
  await ok(['location', 'add', pictures]);
  await ok(['index', 'Pictures']);
  const info = async () => JSON.parse(await ok(['--json', 'ext', 'info', 'com.example.devloop'])) as { version: string; pending: { version: string } | null };
  const name = (JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { name: string }).name;
  const tagged = (tag: string) => ok(['search', '--tag', tag]);

  // First run: installed as the next patch's dev version, with the grant given.
  const first = await ok(['ext', 'dev', dir, '--once', '--grant', 'ReadEntries=Pictures/Holiday', '--grant', 'WriteTags']);
  expect(first).toMatch(/built and valid .*installed .* 0\.1\.1-dev\.\d+/);
  const v1 = (await info()).version;
  expect(v1).toMatch(/^0\.1\.1-dev\.\d+$/);
  await ok(['ext', 'run-job', 'com.example.devloop', 'tag_files', '--wait']);
  expect(await tagged(`${name}/Image`)).toContain('Holiday/beach.jpg');

  // A source change: reloaded in place, and what the first version wrote is still there.
  const source = path.join(dir, 'assembly', 'index.ts');
  const text = fs.readFileSync(source, 'utf8');
  expect(text).toContain('prefix + "/" +');
  fs.writeFileSync(source, text.replace('prefix + "/" +', 'prefix + "/v2-" +'));
  await new Promise((r) => setTimeout(r, 5)); // a later stamp
  const second = await ok(['ext', 'dev', dir, '--once']);
  expect(second).toMatch(/reloaded .* 0\.1\.1-dev\.\d+/);
  const v2 = (await info()).version;
  expect(v2).not.toBe(v1);
  await ok(['ext', 'run-job', 'com.example.devloop', 'tag_files', '--wait']);
  expect(await tagged(`${name}/v2-Image`)).toContain('Holiday/beach.jpg');
  expect(await tagged(`${name}/Image`)).toContain('Holiday/beach.jpg'); // the first version's tags are kept

  // A compile error: the command fails with the compiler's message, and v2 stays installed.
  fs.appendFileSync(source, '\nexport function oops(): i32 { return missingThing; }\n');
  const broken = await cli(['ext', 'dev', dir, '--once']);
  expect(broken.code).toBe(1);
  expect(broken.err).toMatch(/index\.ts:\d+:\d+: error/);
  expect(broken.out).toContain('the last good version stays installed');
  expect((await info()).version).toBe(v2);

  // A new permission: the reload is held until the user consents, and says how.
  fs.writeFileSync(source, text);
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { permissions: unknown[] };
  manifest.permissions.push({ type: 'WriteCollections', reason: 'to try albums' });
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  const held = await ok(['ext', 'dev', dir, '--once']);
  expect(held).toMatch(/asks for new permissions and waits: approve with `cairn ext consent com\.example\.devloop/);
  const now = await info();
  expect(now.version).toBe(v2);
  expect(now.pending?.version).toMatch(/^0\.1\.1-dev\.\d+$/);
}, 300_000);
