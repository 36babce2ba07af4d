import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GrantChoiceInput } from '../../../src-shared/contract/index.js';
import { CairnCore } from '../../../src-main/core/cairn-core.js';
import { makeTempDir } from '../../../src-main/core/testing/temp-dir.js';
import { testShellHandlers, userCtx } from '../../../src-main/core/testing/test-core.js';
import { buildExtension } from '../../../sdk/tooling/build-extension.js';
import { packPackage } from '../../packages/pack.js';
import { ExtensionRuntime, type ExtensionRuntimeOptions } from '../extension-runtime.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const HELLO_TAGS = path.join(REPO, 'extensions/hello-tags');
export const TEST_EXTENSION = path.join(REPO, 'extensions/test-extension');

/** Builds the extension when its plugin.wasm is missing, and packs it into `outDir`. */
export async function packed(extDir: string, outDir: string): Promise<string> {
  if (!fs.existsSync(path.join(extDir, 'build', 'plugin.wasm'))) {
    const r = await buildExtension(extDir);
    if (!r.ok) throw new Error(`cannot build ${extDir}`);
  }
  const file = path.join(outDir, `${path.basename(extDir)}.cairnext`);
  if (!fs.existsSync(file)) await packPackage(extDir, file);
  return file;
}

/** Starts a core with the extension runtime on `home` (watchers off). */
export function startCore(home: string, options: ExtensionRuntimeOptions = {}): Promise<CairnCore> {
  return CairnCore.start({ homeDir: home, shell: testShellHandlers, checkOutputs: true, watch: false, extensions: (c) => ExtensionRuntime.handlers(c, options) });
}

/** A temporary home with one library and one location holding `files`, indexed. */
export async function libraryWithFiles(files: Record<string, string>): Promise<{
  dir: string; home: string; core: CairnCore; libraryId: string; locationId: string; cleanup: () => void;
}> {
  const tmp = makeTempDir('cairn-runtime');
  const home = path.join(tmp.dir, 'home');
  const filesDir = path.join(tmp.dir, 'files');
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(filesDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(filesDir, rel), content);
  }
  const core = await startCore(home, { rescanMs: 0, hookDelayMs: 20 });
  const libraryId = (await core.registry.call('library.list', {}, userCtx)).find((l) => l.isDefault)!.id;
  const loc = await core.registry.call('locations.add', { libraryId, path: filesDir, name: 'files' }, userCtx);
  await waitForJobs(core, libraryId);
  return { dir: tmp.dir, home, core, libraryId, locationId: loc.id, cleanup: tmp.cleanup };
}

/** Waits until no job of the library is queued or running. */
export async function waitForJobs(core: CairnCore, libraryId: string): Promise<void> {
  const scheduler = await core.jobs.for(libraryId);
  for (;;) {
    const open = (await core.registry.call('jobs.list', { libraryId }, userCtx)).filter((j) => j.status === 'queued' || j.status === 'running');
    if (open.length === 0) return;
    await scheduler.waitFor(open[0]!.id);
  }
}

export async function install(core: CairnCore, libraryId: string, file: string, grants: GrantChoiceInput[]): Promise<void> {
  await core.registry.call('extensions.install', { libraryId, path: file, grants }, userCtx);
}

/** Paths (relative to the location) of entries carrying a tag whose path starts with `prefix`. */
export function taggedPaths(core: CairnCore, libraryId: string, tagName: string): string[] {
  const lib = core.libraries.peek(libraryId)!;
  const rows = lib.raw
    .prepare(
      `SELECT DISTINCT e.rel_path AS p FROM tags t JOIN tag_applications a ON a.tag_id = t.id JOIN user_metadata m ON m.id = a.metadata_id
       JOIN entries e ON (e.uuid = m.entry_uuid OR e.content_uuid = m.content_uuid) WHERE t.name = ? ORDER BY e.rel_path`,
    )
    .all(tagName) as { p: string }[];
  return rows.map((r) => r.p);
}
