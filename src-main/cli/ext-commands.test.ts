import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testPackage } from '../../extension-host/packages/testing/package-fixture.js';
import { AUDIT_ALLOWED, AuditTrail } from '../../extension-host/permissions/audit-trail.js';
import { makeTempDir } from '../core/testing/temp-dir.js';
import { runCli } from './main.js';

const ID = 'com.example.hello';
let home: { dir: string; cleanup: () => void };
let photos: string;
let pkgV1: string;

beforeEach(async () => {
  home = makeTempDir('cairn-home');
  photos = path.join(home.dir, 'Photos');
  fs.mkdirSync(path.join(photos, '2024'), { recursive: true });
  pkgV1 = path.join(home.dir, 'hello-1.0.0.cairnext');
  fs.writeFileSync(pkgV1, await testPackage());
  expect((await cli('location', 'add', photos)).code).toBe(0);
});
afterEach(() => home.cleanup());

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

async function cli(...args: string[]) {
  return cliWith(undefined, ...args);
}

async function cliWith(input: (NodeJS.ReadableStream & { isTTY?: boolean }) | undefined, ...args: string[]) {
  const out = sink();
  const err = sink();
  const code = await runCli(['--home', home.dir, ...args], { out: out.stream, err: err.stream, ...(input ? { in: input } : {}) });
  return { code, out: out.text(), err: err.text() };
}

/** A fake terminal typing `lines`. */
function terminal(lines: string[]): NodeJS.ReadableStream & { isTTY: boolean } {
  return Object.assign(Readable.from(lines.map((l) => l + '\n')), { isTTY: true });
}

describe('cairn ext', () => {
  it('installs with flags for scripts, then lists, shows, grants, revokes, disables, configures and uninstalls', async () => {
    const installed = await cli('--json', 'ext', 'install', pkgV1, '--grant', 'ReadEntries=Photos/2024', '--grant', 'WriteTags', '--yes');
    expect(installed.code, installed.err).toBe(0);
    const info = JSON.parse(installed.out) as { version: string; permissions: { granted: boolean; scopes: { subpath: string }[] }[] };
    expect(info.version).toBe('1.0.0');
    expect(info.permissions.map((p) => p.granted)).toEqual([true, true, true]);
    expect(info.permissions[0]!.scopes).toMatchObject([{ subpath: '2024' }]);

    const list = await cli('ext', 'list');
    expect(list.out).toMatch(/com\.example\.hello\s+Hello\s+1\.0\.0\s+active\s+no/);
    const shown = await cli('ext', 'info', ID);
    expect(shown.out).toMatch(/Hello 1\.0\.0 \(com\.example\.hello\) by Example/);
    expect(shown.out).toMatch(/unsigned/);
    expect(shown.out).toMatch(/0\s+ReadEntries\s+yes\s+Photos\/2024\s+to read your photos/);
    expect(shown.out).toMatch(/threshold\s+0\.5\s+Threshold/);

    expect((await cli('ext', 'grant', ID, `ReadEntries=${photos}`)).code).toBe(0);
    const revoked = await cli('--json', 'ext', 'revoke', ID, 'WriteTags');
    expect((JSON.parse(revoked.out) as { permissions: { granted: boolean }[] }).permissions[2]!.granted).toBe(false);
    expect((await cli('ext', 'disable', ID)).out).toMatch(/Disabled Hello .*disabled/);
    expect((await cli('ext', 'list')).out).toMatch(/disabled/);
    expect((await cli('ext', 'enable', ID)).code).toBe(0);

    const set = await cli('--json', 'ext', 'settings', ID, 'threshold=0.75', 'mode=careful');
    expect(JSON.parse(set.out)).toMatchObject({ values: { threshold: 0.75, mode: 'careful', verbose: false } });
    const badSetting = await cli('ext', 'settings', ID, 'threshold=3');
    expect(badSetting.code).toBe(2);
    expect(badSetting.err).toMatch(/^cairn: Invalid settings: threshold: must be at most 1 \(got 3\)\. \[VALIDATION\]\n$/);

    const gone = await cli('ext', 'uninstall', ID, '--delete-data');
    expect(gone.out).toMatch(/Uninstalled com\.example\.hello; deleted 0 models/);
    expect((await cli('ext', 'list')).out).toBe('(none)\n');
  });

  it('shows its activity from the audit trail, newest first, denials only on request', async () => {
    expect((await cli('ext', 'install', pkgV1, '--yes')).code).toBe(0);
    expect((await cli('ext', 'activity', ID)).out).toBe('No activity recorded yet.\n');
    const [lib] = JSON.parse((await cli('--json', 'library', 'list')).out) as { path: string }[];
    const trail = new AuditTrail(lib!.path, ID);
    trail.append({ method: 'tags.addToContent', code: AUDIT_ALLOWED, message: '' });
    trail.append({ method: 'entries.list', code: 'PERMISSION_DENIED', message: 'entries.list needs the ReadEntries capability, and the user has not granted it.', capability: 'ReadEntries' });
    fs.appendFileSync(trail.file, '{"cut short');

    const all = await cli('ext', 'activity', ID);
    expect(all.code, all.err).toBe(0);
    const lines = all.out.split('\n');
    expect(lines[0]).toMatch(/^TIME\s+OUTCOME\s+METHOD\s+REASON/);
    expect(lines[1]).toMatch(/denied\s+entries\.list\s+entries\.list needs the ReadEntries capability/);
    expect(lines[2]).toMatch(/allowed\s+tags\.addToContent/);
    expect(all.out).toMatch(/1 unreadable line skipped/);
    const denied = JSON.parse((await cli('--json', 'ext', 'activity', ID, '--denied')).out) as { items: { method: string }[]; total: number };
    expect(denied.items.map((i) => i.method)).toEqual(['entries.list']);
    const first = await cli('ext', 'activity', ID, '-n', '1');
    expect(first.out).toMatch(/1–1 of 2 \(--offset 1 for more\)/);
    const bad = await cli('ext', 'activity', ID, '--limit', 'lots');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/limit.*\[VALIDATION\]/);
    expect((await cli('ext', 'activity', 'com.example.absent')).err).toMatch(/\[NOT_FOUND\]/);
  });

  it('refuses to grant anything silently: without a terminal, flags or --yes are required', async () => {
    const r = await cli('ext', 'install', pkgV1);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^cairn: Hello asks for: #0 ReadEntries.*--yes.* \[CONFIRMATION_REQUIRED\]\n$/);
    expect((await cli('--json', 'ext', 'list')).out).toBe('[]\n');
  });

  it('asks about each permission, with its reason, on a terminal', async () => {
    const r = await cliWith(terminal(['y', 'Photos/2024', '', 'n']), 'ext', 'install', pkgV1);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Hello 1\.0\.0 by Example \(NOT SIGNED: Cairn cannot confirm who made it\) asks for:/);
    expect(r.out).toMatch(/#0 ReadEntries \(\*\*\/\*\): to read your photos\n {2}Allow\? \[Y\/n\]/);
    expect(r.out).toMatch(/Which folders\? Locations \(Photos\)/);
    expect(r.out).toMatch(/#2 WriteTags \[optional\]: to tag what it finds\n {2}Allow\? \[y\/N\]/);
    const info = JSON.parse((await cli('--json', 'ext', 'info', ID)).out) as { permissions: { granted: boolean; scopes: unknown[] }[] };
    expect(info.permissions.map((p) => [p.granted, p.scopes.length])).toEqual([
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
  });

  it('cancels the install when a required permission is refused at the prompt', async () => {
    const r = await cliWith(terminal(['n']), 'ext', 'install', pkgV1);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot work without ReadEntries; nothing was changed\. \[CANCELLED\]/);
    expect((await cli('--json', 'ext', 'list')).out).toBe('[]\n');
  });

  it('upgrades, holds new permissions until consent, and rolls back', async () => {
    expect((await cli('ext', 'install', pkgV1, '--yes')).code).toBe(0);
    const v2 = path.join(home.dir, 'hello-2.0.0.cairnext');
    fs.writeFileSync(
      v2,
      await testPackage({
        version: '2.0.0',
        permissions: [
          { type: 'ReadEntries', reason: 'to read your photos' },
          { type: 'WriteModels', reason: 'to store what it finds' },
          { type: 'WriteTags', reason: 'to tag what it finds', optional: true },
          { type: 'WriteCollections', reason: 'to make albums' },
        ],
      }),
    );
    const held = await cli('ext', 'upgrade', v2);
    expect(held.code, held.err).toBe(0);
    expect(held.out).toMatch(/2\.0\.0 asks for new permissions; it waits for consent/);
    expect(held.out).toMatch(/#3 WriteCollections: to make albums/);
    expect((await cli('ext', 'list')).out).toMatch(/1\.0\.0 \(→ 2\.0\.0\)\s+held/);
    expect((await cli('ext', 'install', v2, '--yes')).err).toMatch(/already installed; use `cairn ext upgrade/);

    const consent = await cli('--json', 'ext', 'consent', ID, '--yes');
    expect(JSON.parse(consent.out)).toMatchObject({ version: '2.0.0', state: 'active', previousVersion: '1.0.0' });
    const back = await cli('--json', 'ext', 'rollback', ID);
    expect(JSON.parse(back.out)).toMatchObject({ version: '1.0.0', previousVersion: '2.0.0' });
  });

  it('fails with one-line errors: bad packages, unknown extensions, jobs of an extension not installed', async () => {
    const broken = path.join(home.dir, 'broken.cairnext');
    fs.writeFileSync(broken, fs.readFileSync(pkgV1).subarray(0, 100));
    const bad = await cli('ext', 'install', broken, '--yes');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^cairn: This extension package was refused: it is not a readable zip archive \(it may be truncated or damaged\).*\[VALIDATION\]\n$/);
    const unknown = await cli('--json', 'ext', 'info', 'com.example.nope');
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.err)).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringMatching(/No extension com\.example\.nope/) } });
    const job = await cli('ext', 'run-job', ID, 'analyze');
    expect(job.code).toBe(1);
    expect(job.err).toMatch(/^cairn: No extension com\.example\.hello is installed in this library\. \[NOT_FOUND\]\n$/);
    const perm = await cli('ext', 'install', pkgV1, '--grant', 'Teleport');
    expect(perm.err).toMatch(/"Teleport" is not a permission/);
    expect((await cli('ext', '--help')).out).toMatch(/install.*\n(.*\n)*.*run-job/);
  });
});
