// Photos on the REAL core and extension runtime, shared by the integration, hostile-photo and kill tests: the
// package is packed and installed with scoped grants, and analyze_photos runs through extensions.runJob on the
// library's scheduler, its host tasks answered by the real face detector, embedder and offline geocoder.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InputOf } from '../../../src-shared/contract/index.js';
import { CairnCore } from '../../../src-main/core/cairn-core.js';
import { testShellHandlers, userCtx } from '../../../src-main/core/testing/test-core.js';
import { ExtensionRuntime } from '../../../extension-host/runtime/extension-runtime.js';
import { SUPPORTED_CORE_FEATURES } from '../../../extension-host/packages/core-features.js';

export const PHOTOS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PHOTOS_ID = 'app.cairn.photos';
/** The caller context of Photos itself (models.* answer only its own models). */
export const asPhotos = { caller: { kind: 'extension' as const, extensionId: PHOTOS_ID } };

/** The stored PhotoAnalysis fields the tests look at. */
export interface Analysis {
  status: string;
  error: string;
  warnings: string[];
  faceCount: number;
  facesDone: boolean;
  hasGps: boolean;
  placeId: string;
  faces: { personId: string }[];
}

/** Starts the real core on `home` with the extension runtime (no file watching). */
export async function startCore(home: string): Promise<CairnCore> {
  return CairnCore.start({
    homeDir: home, shell: testShellHandlers, checkOutputs: true, watch: false,
    extensions: (c) => ExtensionRuntime.handlers(c, { installer: { features: [...SUPPORTED_CORE_FEATURES, 'ai'] } }),
  } as Parameters<typeof CairnCore.start>[0]);
}

/** The id of the home's default library. */
export async function defaultLibrary(core: CairnCore): Promise<string> {
  return (await core.registry.call('library.list', {}, userCtx)).find((l) => l.isDefault)!.id;
}

/** Polls jobs.get until the job ends (completed, failed or cancelled). */
export async function waitForJob(core: CairnCore, libraryId: string, jobId: string, timeoutMs = 600_000): Promise<{ status: string; error?: string | null }> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const job = await core.registry.call('jobs.get', { libraryId, jobId }, userCtx);
    if (['completed', 'failed', 'cancelled'].includes(job.status)) return job as { status: string; error?: string | null };
    if (Date.now() > end) throw new Error(`job ${jobId} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until no job of the library is queued or running. */
export async function settle(core: CairnCore, libraryId: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const busy = await core.registry.call('jobs.list', { libraryId, status: ['queued', 'running'] }, userCtx);
    if (busy.length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('jobs did not settle');
}

/** Photos' models of one type, inline fields only, as Photos sees them. */
export async function modelsOf(core: CairnCore, libraryId: string, type: string) {
  return (await core.registry.call('models.query', { libraryId, type, include: 'inline', offset: 0, limit: 1000 }, asPhotos)).items;
}

/** Adds `folder` as a location and indexes it fully; answers the location id and each file's entry and content id by relative path. */
export async function indexFolder(core: CairnCore, libraryId: string, folder: string): Promise<{ locationId: string; entries: Map<string, { id: string; contentId: string | null }> }> {
  const location = await core.registry.call('locations.add', { libraryId, path: folder, name: path.basename(folder) }, userCtx);
  await settle(core, libraryId);
  await core.registry.call('indexer.run', { libraryId, locationId: location.id, full: true }, userCtx);
  await settle(core, libraryId);
  const entries = new Map<string, { id: string; contentId: string | null }>();
  for (let offset = 0; ; offset += 500) {
    const page = await core.registry.call('entries.list', { libraryId, offset, limit: 500, sort: 'name', descending: false }, userCtx);
    for (const e of page.items) entries.set(e.relPath, { id: e.id, contentId: e.contentId });
    if (page.items.length < 500) break;
  }
  return { locationId: location.id, entries };
}

/** Installs the packed Photos package with ReadEntries limited to `locationId` and both face models granted. */
export async function installPhotos(core: CairnCore, libraryId: string, packageFile: string, locationId: string, settings?: InputOf<'extensions.setSettings'>['values']): Promise<void> {
  await core.registry.call('extensions.install', {
    libraryId, path: packageFile,
    grants: [
      { permission: 'ReadEntries', scopes: [{ locationId }] },
      { permission: 4 },
      { permission: 5 },
    ],
  }, userCtx);
  if (settings) await core.registry.call('extensions.setSettings', { libraryId, id: PHOTOS_ID, values: settings }, userCtx);
}
