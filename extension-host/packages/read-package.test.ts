import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { wat } from '../sandbox/testing/wat.js';
import { pack, packPackage } from './pack.js';
import { DEFAULT_PACKAGE_LIMITS, FILES_FILE, SIGNATURE_FILE } from './package-format.js';
import { readPackage, readPackageFolder } from './read-package.js';
import { rawZip, testKeys, testManifest, testPackage, tinyWasm, type RawEntry } from './testing/package-fixture.js';
import { readZipEntries } from './zip-reader.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** The entries of a good package, to rebuild it by hand with one thing changed. */
async function entriesOf(bytes: Buffer): Promise<RawEntry[]> {
  const files = await readZipEntries(bytes, DEFAULT_PACKAGE_LIMITS);
  return [...files].map(([name, data]) => ({ name, data }));
}

/** A files.json that lists `files` (path → bytes) correctly. */
function listing(files: Record<string, Buffer>): Buffer {
  const list = Object.keys(files)
    .sort()
    .map((p) => ({ path: p, size: files[p]!.length, sha256: createHash('sha256').update(files[p]!).digest('hex') }));
  return Buffer.from(JSON.stringify({ format: 'cairnext/1', files: list }));
}

async function refusal(bytes: Buffer | string, limits = {}): Promise<string> {
  const error = await readPackage(bytes, { limits }).then(
    () => null,
    (e: unknown) => e as { code: string; message: string },
  );
  expect(error, 'the package should have been refused').not.toBeNull();
  expect(error!.code).toBe('VALIDATION');
  return error!.message;
}

describe('readPackage', () => {
  it('reads a valid unsigned package', async () => {
    const bytes = await testPackage({}, { files: { 'assets/icon.svg': '<svg/>', 'prompts/describe.txt': 'Describe {{photo}}' }, uiManifest: { views: [] } });
    const pkg = await readPackage(bytes);
    expect(pkg.manifest).toMatchObject({ id: 'com.example.hello', version: '1.0.0' });
    expect(pkg.signer).toBeNull();
    expect(pkg.uiManifest).toEqual({ views: [] });
    expect(pkg.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(pkg.listing.files.map((f) => f.path)).toEqual(['assets/icon.svg', 'manifest.json', 'plugin.wasm', 'prompts/describe.txt', 'ui_manifest.json']);
    // Deterministic: packing the same parts twice gives the same bytes.
    expect((await testPackage({}, { files: { 'assets/icon.svg': '<svg/>', 'prompts/describe.txt': 'Describe {{photo}}' }, uiManifest: { views: [] } })).equals(bytes)).toBe(true);
  });

  it('reads from a path, and packs from a folder', async () => {
    const tmp = makeTempDir('cairn-pack');
    cleanups.push(tmp.cleanup);
    fs.writeFileSync(path.join(tmp.dir, 'manifest.json'), JSON.stringify(testManifest()));
    fs.writeFileSync(path.join(tmp.dir, 'plugin.wasm'), await tinyWasm());
    fs.mkdirSync(path.join(tmp.dir, 'assets', 'img'), { recursive: true });
    fs.writeFileSync(path.join(tmp.dir, 'assets', 'img', 'a.png'), 'png');
    const file = path.join(tmp.dir, 'hello.cairnext');
    fs.writeFileSync(file, await pack(tmp.dir));
    const pkg = await readPackage(file);
    expect([...pkg.files.keys()].sort()).toEqual(['assets/img/a.png', 'files.json', 'manifest.json', 'plugin.wasm']);
    await expect(readPackage(path.join(tmp.dir, 'missing.cairnext'))).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // The SDK layout: plugin.wasm built into build/, packed by packPackage (what `cairn ext pack` calls).
    fs.mkdirSync(path.join(tmp.dir, 'build'));
    fs.renameSync(path.join(tmp.dir, 'plugin.wasm'), path.join(tmp.dir, 'build', 'plugin.wasm'));
    const out = await packPackage(tmp.dir, path.join(tmp.dir, 'out', 'hello-1.0.0.cairnext'));
    expect((await readPackage(out.file)).sha256).toBe(out.sha256);
    fs.rmSync(path.join(tmp.dir, 'build'), { recursive: true });
    await expect(packPackage(tmp.dir, path.join(tmp.dir, 'x.cairnext'))).rejects.toThrow(/plugin.wasm \(or build\/plugin.wasm\) is missing/);
  });

  it('verifies a publisher signature, and refuses a bad one', async () => {
    const { privateKey } = testKeys();
    const signed = await testPackage({}, {}, privateKey);
    const pkg = await readPackage(signed);
    expect(pkg.signer?.fingerprint).toMatch(/^ed25519:[0-9a-f]{32}$/);

    // Same files.json, signature by another key claiming to be this one.
    const entries = await entriesOf(signed);
    const sig = JSON.parse(entries.find((e) => e.name === SIGNATURE_FILE)!.data!.toString()) as { publicKey: string; signature: string };
    const other = testKeys();
    const forged = { ...sig, signature: (await import('node:crypto')).sign(null, entries.find((e) => e.name === FILES_FILE)!.data!, other.privateKey).toString('base64') };
    const bad = rawZip(entries.map((e) => (e.name === SIGNATURE_FILE ? { name: e.name, data: Buffer.from(JSON.stringify(forged)) } : e)));
    expect(await refusal(bad)).toMatch(/signature does not match/);

    // A valid signature over an older files.json, with a file changed and re-listed.
    const tampered = entries.map((e) => (e.name === 'manifest.json' ? { name: e.name, data: Buffer.from(JSON.stringify(testManifest({ name: 'Evil' }))) } : e));
    const files = Object.fromEntries(tampered.filter((e) => e.name !== FILES_FILE && e.name !== SIGNATURE_FILE).map((e) => [e.name, e.data!]));
    const relisted = tampered.map((e) => (e.name === FILES_FILE ? { name: e.name, data: listing(files) } : e));
    expect(await refusal(rawZip(relisted))).toMatch(/signature does not match/);

    const garbageKey = rawZip(entries.map((e) => (e.name === SIGNATURE_FILE ? { name: e.name, data: Buffer.from(JSON.stringify({ ...sig, publicKey: 'AAAA' })) } : e)));
    expect(await refusal(garbageKey)).toMatch(/not an ed25519 key/);
  });

  it.each([
    ['../evil.txt', /climbs out of the package/],
    ['assets/../../evil.txt', /climbs out of the package/],
    ['/etc/passwd', /absolute/],
    ['C:/windows/evil.dll', /absolute/],
    ['assets\\..\\evil.txt', /backslash/],
    ['assets//x.txt', /empty or "." segment/],
    ['assets/./x.txt', /empty or "." segment/],
    ['evil.sh', /unexpected file/],
    ['lib/evil.js', /unexpected file/],
    ['assets/con.txt', /not a portable file name/],
  ])('refuses the zip-slip or unexpected path %s', async (name, message) => {
    const entries = await entriesOf(await testPackage());
    expect(await refusal(rawZip([...entries, { name, data: Buffer.from('x') }]))).toMatch(message);
  });

  it('refuses symlink entries and duplicate names', async () => {
    const entries = await entriesOf(await testPackage());
    expect(await refusal(rawZip([...entries, { name: 'assets/link', data: Buffer.from('/etc/passwd'), unixMode: 0o120777 }]))).toMatch(/symbolic link/);
    expect(await refusal(rawZip([...entries, { name: 'assets/fifo', unixMode: 0o010644 }]))).toMatch(/not a regular file/);
    const manifest = entries.find((e) => e.name === 'manifest.json')!;
    expect(await refusal(rawZip([...entries, manifest]))).toMatch(/appears twice/);
    expect(await refusal(rawZip([...entries, { name: 'Manifest.JSON', data: manifest.data! }]))).toMatch(/same file on some systems|unexpected file/);
    expect(await refusal(rawZip([...entries, { name: 'assets/A.png', data: Buffer.from('1') }, { name: 'assets/a.png', data: Buffer.from('2') }]))).toMatch(/same file on some systems/);
  });

  it('refuses a hash mismatch, a size mismatch, a missing and an unlisted file', async () => {
    const entries = await entriesOf(await testPackage({}, { files: { 'assets/icon.svg': '<svg/>' } }));
    const swap = (name: string, data: Buffer) => rawZip(entries.map((e) => (e.name === name ? { name, data } : e)));
    expect(await refusal(swap('assets/icon.svg', Buffer.from('<svG/>')))).toMatch(/"assets\/icon.svg" does not match its sha256/);
    expect(await refusal(swap('assets/icon.svg', Buffer.from('<svg />')))).toMatch(/has 7 bytes, but files.json says 6/);
    expect(await refusal(rawZip(entries.filter((e) => e.name !== 'assets/icon.svg')))).toMatch(/listed in files.json but missing/);
    expect(await refusal(rawZip([...entries, { name: 'prompts/extra.txt', data: Buffer.from('sneaky') }]))).toMatch(/"prompts\/extra.txt" is not listed in files.json/);
    expect(await refusal(rawZip(entries.filter((e) => e.name !== FILES_FILE)))).toMatch(/no files.json/);
    expect(await refusal(swap(FILES_FILE, Buffer.from('{"format":"cairnext/1","files":"nope"}')))).toMatch(/files.json is not valid: files: must be array \(got string\)/);
  });

  it('refuses a manifest that fails the schema, listing each field', async () => {
    const message = await refusal(
      await testPackage({ id: 'Not A Domain', version: 'one', permissions: [{ type: 'ReadEntries', reason: '' }], extra_field: 1 }),
    );
    expect(message).toMatch(/manifest.json is not valid/);
    expect(message).toMatch(/id: id must be reverse-DNS/);
    expect(message).toMatch(/version: must be a semantic version/);
    expect(message).toMatch(/permissions\[0\]\.reason: every permission needs a reason/);
    expect(message).toMatch(/unknown field "extra_field"/);
    expect(await refusal(await pack({ manifest: Buffer.from('{ not json'), wasm: await tinyWasm() }))).toMatch(/manifest.json is not valid JSON/);
    expect(await refusal(await testPackage({ icon: 'assets/missing.png' }))).toMatch(/icon "assets\/missing.png" is not in the package/);
  });

  it('refuses a plugin.wasm the sandbox would not run', async () => {
    const importsMemory = await wat('(module (import "env" "memory" (memory 1)))');
    expect(await refusal(await pack({ manifest: testManifest(), wasm: importsMemory }))).toMatch(/plugin.wasm cannot run in the sandbox: .*import/i);
    const shared = await wat('(module (memory 1 2 shared))', { threads: true });
    expect(await refusal(await pack({ manifest: testManifest(), wasm: shared }))).toMatch(/plugin.wasm cannot run in the sandbox: .*shared/i);
    expect(await refusal(await pack({ manifest: testManifest(), wasm: Buffer.from('not wasm at all') }))).toMatch(/plugin.wasm cannot run in the sandbox/);
    const broken = Buffer.from(await tinyWasm());
    broken[broken.length - 3] = 0xff; // corrupt the code section
    expect(await refusal(await pack({ manifest: testManifest(), wasm: broken }))).toMatch(/plugin.wasm/);
  });

  it('refuses a truncated or damaged zip with a clear error', async () => {
    const bytes = await testPackage();
    for (const cut of [bytes.length - 10, Math.floor(bytes.length / 2), 30, 0]) {
      expect(await refusal(bytes.subarray(0, cut))).toMatch(/not a readable zip archive \(it may be truncated or damaged\)/);
    }
    expect(await refusal(Buffer.from('PK\u0003\u0004 not really a zip'))).toMatch(/not a readable zip archive/);
  });

  it('refuses zip bombs: total, per-file and count caps, and a lying size header', async () => {
    const zeros = Buffer.alloc(8 * 1024 * 1024); // deflates to ~8 KiB
    const bomb = await testPackage({}, { files: { 'assets/zeros.bin': zeros } });
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(await refusal(bomb, { maxFileBytes: 1024 * 1024 })).toMatch(/"assets\/zeros.bin" is larger than 1 MiB uncompressed/);
    expect(await refusal(bomb, { maxTotalBytes: 4 * 1024 * 1024 })).toMatch(/add up to more than 4 MiB/);
    const many = await testPackage({}, { files: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`assets/f${i}.txt`, String(i)])) });
    expect(await refusal(many, { maxFiles: 20 })).toMatch(/at most 20 are allowed/);
    expect(await refusal(bomb, { maxPackageBytes: 1024 })).toMatch(/larger than 1 KiB/);

    // The header says 10 bytes; the data inflates to 8 MiB. Stopped while inflating.
    const entries = await entriesOf(await testPackage());
    const liar = rawZip([...entries, { name: 'assets/liar.bin', data: zeros, declaredSize: 10 }]);
    expect(await refusal(liar)).toMatch(/liar.bin/);
  });

  it('checks an extracted folder the same way', async () => {
    const tmp = makeTempDir('cairn-folder');
    cleanups.push(tmp.cleanup);
    const files = await readZipEntries(await testPackage(), DEFAULT_PACKAGE_LIMITS);
    for (const [name, data] of files) fs.writeFileSync(path.join(tmp.dir, name), data);
    expect((await readPackageFolder(tmp.dir)).manifest.id).toBe('com.example.hello');
    fs.appendFileSync(path.join(tmp.dir, 'plugin.wasm'), Buffer.from([0]));
    await expect(readPackageFolder(tmp.dir)).rejects.toThrow(/plugin.wasm/);
    fs.writeFileSync(path.join(tmp.dir, 'plugin.wasm'), files.get('plugin.wasm')!);
    fs.symlinkSync('/etc/passwd', path.join(tmp.dir, 'assets'));
    await expect(readPackageFolder(tmp.dir)).rejects.toThrow(/not a regular file/);
  });
});
