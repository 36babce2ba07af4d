import path from 'node:path';
import { z } from 'zod';
import { isEventName } from '../../src-shared/contract/index.js';
import { CairnError, toWireError } from '../../src-shared/errors.js';
import { exportNames, HOOK_EVENTS, Manifest } from '../../src-shared/extensions/manifest.js';
import type { CairnCore, ExtensionHandlers } from '../../src-main/core/cairn-core.js';
import { defineJob, type JobContext, type JobDefinition } from '../../src-main/core/jobs/define-job.js';
import type { JobScheduler } from '../../src-main/core/jobs/job-scheduler.js';
import type { Library } from '../../src-main/core/library/library.js';
import type { Handler } from '../../src-main/core/registry/operation-registry.js';
import type { BridgeEvent } from '../bridge/extension-bridge.js';
import type { BridgeInit } from '../bridge/bridge-host.js';
import { BRIDGE_HOST_MODULE } from '../bridge/bridge-module.js';
import { defineExtensionJob, ExtensionJobCheckpoint, extensionJobName } from '../jobs/extension-job.js';
import { actionFailure, extensionActionDefinition, parseActionOptions, type ActionPhase, type ExtensionActionHost } from './extension-actions.js';
import { runHostTask } from './host-tasks.js';
import { extensionLogFolder, RotatingJsonl } from '../logs/rotating-jsonl.js';
import { extensionHandlers, type ExtensionHandlerOptions } from '../packages/extension-handlers.js';
import { extensionsDir } from '../packages/extension-installer.js';
import { settingsToConfig } from '../packages/extension-settings.js';
import { readPackageFolder } from '../packages/read-package.js';
import { SandboxedPlugin, type SandboxLimits } from '../sandbox/sandboxed-plugin.js';
import { wasmApi } from '../sandbox/wasm-api.js';
import { filterHookItems, type HookEvent, type HookItem } from './hook-scope.js';

/** The job type that delivers one batch of hook events to one extension (owner = the extension). */
export const HOOK_JOB = 'ext-hooks';

const HookJobInput = z.object({
  extensionId: z.string().min(1).max(128),
  event: z.enum(HOOK_EVENTS),
  items: z.array(z.record(z.string(), z.unknown())).max(500),
});
type HookJobInput = z.infer<typeof HookJobInput>;

/**
 * The title the jobs panel shows for an extension's job (`ext:<id>:<job>`: the manifest job's `title`, else its
 * name) or for a hook delivery; `undefined` for other jobs and for extensions no longer installed.
 */
function jobTitle(name: string, input: unknown, lib: Library): string | undefined {
  if (name === HOOK_JOB) {
    const parsed = HookJobInput.safeParse(input);
    if (!parsed.success) return undefined;
    const row = readRow(lib, parsed.data.extensionId);
    const who = row ? parseManifest(row).name : parsed.data.extensionId;
    return `${who}: ${parsed.data.items.length} ${parsed.data.event} event${parsed.data.items.length === 1 ? '' : 's'}`;
  }
  const match = /^ext:([^:]+):(.+)$/.exec(name);
  if (!match) return undefined;
  const row = readRow(lib, match[1]!);
  if (!row) return undefined;
  const job = parseManifest(row).jobs.find((j) => j.name === match[2]);
  return job ? (job.title ?? job.name) : undefined;
}

/** What the runtime needs of the core. */
/** Guest logs: 1 MiB per file, 3 files per extension and library. */
export const EXTENSION_LOG_ROTATION = Object.freeze({ maxBytes: 1024 * 1024, files: 3 });

export type RuntimeCore = Pick<CairnCore, 'events' | 'jobs' | 'libraries' | 'home' | 'registry' | 'actions'>;

export interface ExtensionRuntimeOptions {
  limits?: Partial<SandboxLimits>;
  /** Guest log lines (default: dropped). */
  onLog?: (extensionId: string, level: string, text: string) => void;
  /** How long hook events wait for more of their kind before a partial batch is enqueued (default 250 ms). */
  hookDelayMs?: number;
  /** How often a library is checked for extensions installed or changed by another process (default 2 s; 0 = never). */
  rescanMs?: number;
}

/** An install row as the runtime reads it. */
interface InstallRow {
  id: string;
  version: string;
  manifest: string;
  enabled: number;
  state: string;
}

/** The runnable form of one installed version (package re-verified from its folder). */
interface LoadedVersion {
  version: string;
  manifest: Manifest;
  wasm: Uint8Array;
}

interface LoadedLibrary {
  lib: Library;
  scheduler: JobScheduler;
  /** Job type names registered on this scheduler (a scheduler cannot unregister; stale names fail clearly). */
  registered: Set<string>;
  /** Verified packages by `id@version`. */
  packages: Map<string, Promise<LoadedVersion>>;
  /** The main plugin of each extension (init export, hooks), started lazily. */
  plugins: Map<string, { version: string; configKey: string; plugin: Promise<SandboxedPlugin> }>;
  /** Aborts for running jobs, by extension id: fired when the extension stops being runnable. */
  running: Map<string, Set<AbortController>>;
  /** Each extension's log file, `<library>/logs/extension/<id>/extension.jsonl`, opened on first use. */
  logs: Map<string, RotatingJsonl>;
  /** Hook events waiting to fill a batch, by `extensionId\0event`. */
  pending: Map<string, { items: HookItem[]; timer: NodeJS.Timeout | null }>;
  /** What the rows looked like at the last sync (`id` → `version/enabled/state`). */
  seen: Map<string, string>;
  timer: NodeJS.Timeout | null;
  dataVersion: number;
}

/**
 * Runs the extensions installed in each open library, next to the core (the core never imports the extension
 * host; the shells create this where they inject the `extensions.*` handlers).
 *
 * - When a library's job scheduler starts, the runtime registers, on that scheduler, every job the installed
 *   extensions declare (`ext:<id>:<job>`) and the hook delivery job ({@link HOOK_JOB}), so queued and
 *   interrupted extension jobs resume. Each run re-reads the install row: a disabled, held, revoked or
 *   uninstalled extension's job fails with a sentence saying so and never reaches the guest. Each run loads the
 *   active version's package from `<library>/extensions/<id>/<version>/` (files re-verified against
 *   `files.json`), with the settings as Extism config (`settings` = one JSON object, what the SDK reads).
 * - `init_export` is called once when an extension is loaded in a library (scheduler start, install, upgrade,
 *   enable, new settings), in its main plugin, which also runs its hooks.
 * - `extensions.onDidChange` stops and restarts plugins, registers new job names, and interrupts running jobs of
 *   an extension that stopped being runnable (they fail with the reason).
 * - Core events the guests' calls cause in their workers (tags, models, collections) are re-emitted on the
 *   core's bus, so windows refresh.
 * - Hooks: `entries.onDidCreate`, `content.onDidIdentify` and `tags.onDidApply` are filtered to each
 *   extension's granted scope, batched by its `batch_size`, and delivered by a durable {@link HOOK_JOB} job
 *   whose single keyed task calls the hook export: a batch whose delivery completed is never delivered again,
 *   and one interrupted by a crash is delivered when the job resumes.
 * - Actions: every action an active extension declares is registered in the core's action registry as
 *   `ext:<id>:<action>` (owner = the extension id), so `actions.preview/commit/undo` run it with the core's
 *   preview → commit → verify → audit → undo flow; the guest's preview, execute and undo exports run on its main
 *   plugin, with its grants, and only for entries inside its granted folders. They are unregistered when no
 *   open library has the extension active any more (disabled, held, revoked, uninstalled) and registered again
 *   after an upgrade (see `extension-actions.ts`).
 *
 * @example
 * const core = await CairnCore.start({ shell, extensions: (c) => ExtensionRuntime.handlers(c) });
 * await core.registry.call('extensions.runJob', { libraryId, id: 'com.example.hello', job: 'tag_files' }, ctx);
 */
export class ExtensionRuntime {
  readonly #core: RuntimeCore;
  readonly #options: ExtensionRuntimeOptions;
  readonly #libraries = new Map<string, LoadedLibrary>();
  readonly #offs: (() => void)[] = [];
  /** What is registered in the core's action registry, by extension id (`versions|action names`). */
  readonly #actionKeys = new Map<string, string>();
  /** Function exports of each verified package, by `id@version` (to know whether an action can be undone). */
  readonly #exports = new Map<string, Promise<Set<string>>>();
  #closed = false;

  constructor(core: RuntimeCore, options: ExtensionRuntimeOptions = {}) {
    this.#core = core;
    this.#options = options;
    core.jobs.onSchedulerStart((lib, scheduler) => this.#load(lib, scheduler));
    core.jobs.addTitleSource((name, input, lib) => jobTitle(name, input, lib));
    core.libraries.onWillClose((lib) => this.#unload(lib.id));
    this.#offs.push(core.events.on('extensions.onDidChange', ({ libraryId, id }) => this.#changed(libraryId, id)));
    for (const event of HOOK_EVENTS) {
      this.#offs.push(core.events.on(event, (payload) => this.#hookEvent(event, payload as unknown as Record<string, unknown>)));
    }
  }

  /**
   * The `extensions.*` handlers with `extensions.runJob` provided by a new runtime: what shells pass to
   * `CairnCore.start({ extensions })`.
   *
   * @example
   * CairnCore.start({ shell, extensions: (c) => ExtensionRuntime.handlers(c) });
   */
  static handlers(core: RuntimeCore, options: ExtensionRuntimeOptions & Omit<ExtensionHandlerOptions, 'runJob'> = {}): ExtensionHandlers {
    const runtime = new ExtensionRuntime(core, options);
    return extensionHandlers(core, { ...options, runJob: runtime.runJob, actionOptions: runtime.actionOptions });
  }

  /** `extensions.runJob`: enqueues `ext:<id>:<job>` with the extension as owner. */
  readonly runJob: Handler<'extensions.runJob'> = async ({ libraryId, id, job, input }, ctx) => {
    const lib = ctx.library(libraryId);
    const row = readRow(lib, id);
    if (!row) throw new CairnError('NOT_FOUND', `No extension ${id} is installed in this library.`);
    const manifest = parseManifest(row);
    if (!manifest.jobs.some((j) => j.name === job)) {
      throw new CairnError('NOT_FOUND', `${id} ${row.version} declares no job named "${job}"${manifest.jobs.length ? ` (it declares ${manifest.jobs.map((j) => j.name).join(', ')})` : ''}.`);
    }
    const why = inactiveReason(row);
    if (why) throw new CairnError('CONFLICT', `${id} cannot run jobs: ${why}.`);
    const scheduler = await this.#core.jobs.for(libraryId);
    const loaded = this.#libraries.get(libraryId);
    if (loaded) this.#registerJobs(loaded, id, manifest);
    return { jobId: scheduler.enqueue(extensionJobName(id, job), input ?? {}, { owner: id }) };
  };

  /**
   * `extensions.actionOptions`: the options of a `choice` param of one of the extension's actions, from its
   * options export (see {@link actionOptions} for the checks on what the guest returns).
   */
  readonly actionOptions: Handler<'extensions.actionOptions'> = async ({ libraryId, id, action, param, params, entryIds }, ctx) => {
    return { options: await this.#actionHost.options(ctx.library(libraryId), id, action, param, { entryIds, params }) };
  };

  /** Stops every plugin and pending batch timer (schedulers are stopped by the core). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const off of this.#offs) off();
    await Promise.all([...this.#libraries.keys()].map((id) => this.#unload(id)));
  }

  // ── loading ──────────────────────────────────────────────────────────────────────────────────

  #load(lib: Library, scheduler: JobScheduler): void {
    if (this.#closed) return;
    const loaded: LoadedLibrary = {
      lib, scheduler, registered: new Set(), packages: new Map(), plugins: new Map(), running: new Map(), logs: new Map(), pending: new Map(),
      seen: new Map(), timer: null, dataVersion: -1,
    };
    this.#libraries.set(lib.id, loaded);
    scheduler.register(HOOK_JOB, this.#hookJob(loaded));
    loaded.registered.add(HOOK_JOB);
    this.#sync(loaded);
    const every = this.#options.rescanMs ?? 2000;
    if (every > 0) {
      loaded.timer = setInterval(() => this.#rescan(loaded), every);
      loaded.timer.unref();
    }
  }

  async #unload(libraryId: string): Promise<void> {
    const loaded = this.#libraries.get(libraryId);
    if (!loaded) return;
    this.#libraries.delete(libraryId);
    this.#syncActions();
    if (loaded.timer) clearInterval(loaded.timer);
    for (const p of loaded.pending.values()) if (p.timer) clearTimeout(p.timer);
    loaded.pending.clear();
    const plugins = [...loaded.plugins.values()];
    loaded.plugins.clear();
    await Promise.all(plugins.map((p) => p.plugin.then((x) => x.close(), () => undefined)));
  }

  /** Picks up installs changed by another process (the CLI installing while the app runs). */
  #rescan(loaded: LoadedLibrary): void {
    if (loaded.lib.isClosed) return;
    try {
      const version = loaded.lib.raw.pragma('data_version', { simple: true }) as number;
      if (version === loaded.dataVersion) return;
      loaded.dataVersion = version;
      this.#sync(loaded);
    } catch {
      // A closing library; the next start reloads it.
    }
  }

  /** Registers jobs of every installed extension; restarts what changed since the last sync. */
  #sync(loaded: LoadedLibrary): void {
    const rows = loaded.lib.raw.prepare('SELECT id, version, manifest, enabled, state FROM extension_installs').all() as InstallRow[];
    const now = new Map(rows.map((r) => [r.id, `${r.version}/${r.enabled}/${r.state}`]));
    for (const row of rows) {
      const manifest = safeManifest(row);
      if (!manifest) continue;
      this.#registerJobs(loaded, row.id, manifest);
      if (loaded.seen.get(row.id) !== now.get(row.id)) this.#restart(loaded, row, manifest);
    }
    for (const id of loaded.seen.keys()) if (!now.has(id)) this.#stop(loaded, id, 'it was uninstalled');
    loaded.seen = now;
    this.#syncActions();
  }

  #registerJobs(loaded: LoadedLibrary, id: string, manifest: Manifest): void {
    for (const job of manifest.jobs) {
      const name = extensionJobName(id, job.name);
      if (loaded.registered.has(name)) continue;
      loaded.scheduler.register(name, this.#extensionJob(loaded, id, job.name, job.parallelism));
      loaded.registered.add(name);
    }
  }

  /** The extension changed (version, state, settings): stop its plugin, interrupt jobs if it may not run, re-init. */
  #restart(loaded: LoadedLibrary, row: InstallRow, manifest: Manifest): void {
    const why = inactiveReason(row);
    this.#stop(loaded, row.id, why);
    if (!why && manifest.init_export) {
      this.#mainPlugin(loaded, row.id).catch((error: unknown) => this.#log(loaded, row.id, 'error', `init failed: ${toWireError(error).message}`));
    }
  }

  #stop(loaded: LoadedLibrary, id: string, why: string | null): void {
    const main = loaded.plugins.get(id);
    loaded.plugins.delete(id);
    void main?.plugin.then((p) => p.close(), () => undefined);
    if (why) {
      for (const c of loaded.running.get(id) ?? []) c.abort(new CairnError('PERMISSION_DENIED', `${id} stopped while its job ran: ${why}.`));
    }
  }

  #changed(libraryId: string, id: string): void {
    const loaded = this.#libraries.get(libraryId);
    if (!loaded || loaded.lib.isClosed) return;
    const row = readRow(loaded.lib, id);
    const manifest = row ? safeManifest(row) : null;
    if (!row || !manifest) {
      this.#stop(loaded, id, 'it was uninstalled');
      loaded.seen.delete(id);
      this.#syncActions();
      return;
    }
    this.#registerJobs(loaded, id, manifest);
    // Settings and grants do not change the row's version or state, but settings change the plugin's config.
    loaded.seen.set(id, `${row.version}/${row.enabled}/${row.state}`);
    this.#restart(loaded, row, manifest);
    this.#syncActions();
  }

  /** The verified package of the active version, and its config, or a CairnError saying why it may not run. */
  async #resolve(loaded: LoadedLibrary, id: string): Promise<{ pkg: LoadedVersion; config: Record<string, string> }> {
    const row = readRow(loaded.lib, id);
    if (!row) throw new CairnError('NOT_FOUND', `${id} is not installed in this library any more.`);
    const why = inactiveReason(row);
    if (why) throw new CairnError('PERMISSION_DENIED', `${id} may not run: ${why}.`);
    const key = `${id}@${row.version}`;
    let pkg = loaded.packages.get(key);
    if (!pkg) {
      const dir = path.join(extensionsDir(loaded.lib), id, row.version);
      pkg = readPackageFolder(dir).then((p) => {
        if (p.manifest.id !== id || p.manifest.version !== row.version) throw new CairnError('LIBRARY_CORRUPT', `The package in ${dir} is not ${id} ${row.version}.`);
        return { version: row.version, manifest: p.manifest, wasm: p.wasm };
      });
      loaded.packages.set(key, pkg);
      pkg.catch(() => loaded.packages.delete(key));
    }
    const settingsRow = loaded.lib.raw.prepare('SELECT settings FROM extension_settings WHERE extension_id = ?').get(id) as { settings: string } | undefined;
    const stored = settingsRow ? (safeJson(settingsRow.settings) as Record<string, unknown> | null) : null;
    const resolved = await pkg;
    return { pkg: resolved, config: settingsToConfig(resolved.manifest, stored && typeof stored === 'object' && !Array.isArray(stored) ? stored : {}) };
  }

  /** The extension's main plugin (init export called once at start; runs hooks). */
  #mainPlugin(loaded: LoadedLibrary, id: string): Promise<SandboxedPlugin> {
    const existing = loaded.plugins.get(id);
    if (existing) return existing.plugin;
    const plugin = (async () => {
      const { pkg, config } = await this.#resolve(loaded, id);
      const p = await this.#startPlugin(loaded, id, pkg.wasm, config, {});
      if (pkg.manifest.init_export) {
        try {
          await p.call(pkg.manifest.init_export, '');
        } catch (error) {
          await p.close();
          throw error;
        }
      }
      return p;
    })();
    const entry = { version: '', configKey: '', plugin };
    loaded.plugins.set(id, entry);
    plugin.catch(() => {
      if (loaded.plugins.get(id) === entry) loaded.plugins.delete(id);
    });
    return plugin;
  }

  #startPlugin(loaded: LoadedLibrary, id: string, wasm: Uint8Array, config: Record<string, string>, extra: Partial<BridgeInit>): Promise<SandboxedPlugin> {
    const hostInit: BridgeInit = { libraryPath: loaded.lib.path, deviceId: this.#core.home.deviceId, ...extra };
    return SandboxedPlugin.start({
      extensionId: id,
      wasm,
      hostModulePath: BRIDGE_HOST_MODULE,
      hostInit,
      config,
      ...(this.#options.limits ? { limits: this.#options.limits } : {}),
      onEvent: (e) => {
        const event = e as BridgeEvent;
        if (event.type === 'core-event') this.#forward(event.name, event.payload);
        else if (event.type === 'log') this.#log(loaded, id, event.level, event.message);
        else if (event.type === 'job.start') this.#startGuestJob(loaded, id, event.job, event.input);
      },
      onLog: (level, text) => this.#log(loaded, id, level, text),
    });
  }

  /**
   * `job.start` from a guest (a hook dispatching work, see the bridge): enqueues `ext:<id>:<job>` when the install
   * is still active and declares that job; otherwise logs why in the extension's log.
   */
  #startGuestJob(loaded: LoadedLibrary, id: string, job: string, input: unknown): void {
    try {
      if (loaded.lib.isClosed) return;
      const row = readRow(loaded.lib, id);
      if (!row) throw new CairnError('NOT_FOUND', `${id} is not installed any more`);
      const why = inactiveReason(row);
      if (why) throw new CairnError('CONFLICT', `${id} cannot run jobs: ${why}`);
      const manifest = parseManifest(row);
      if (!manifest.jobs.some((j) => j.name === job)) throw new CairnError('NOT_FOUND', `${id} ${row.version} declares no job named "${job}"`);
      this.#registerJobs(loaded, id, manifest);
      loaded.scheduler.enqueue(extensionJobName(id, job), input ?? {}, { owner: id });
    } catch (error) {
      this.#log(loaded, id, 'error', `job.start ${job}: ${toWireError(error).message}`);
    }
  }

  #forward(name: string, payload: unknown): void {
    if (isEventName(name)) this.#core.events.emit(name, payload as never);
  }

  /** Writes a guest log line to the extension's rotated log file in the library, and to `onLog`. */
  #log(loaded: LoadedLibrary, id: string, level: string, text: string): void {
    let log = loaded.logs.get(id);
    if (!log) loaded.logs.set(id, (log = new RotatingJsonl(extensionLogFolder(loaded.lib.path, id), 'extension', EXTENSION_LOG_ROTATION)));
    log.append({ at: new Date().toISOString(), level, text });
    this.#options.onLog?.(id, level, text);
  }

  // ── actions ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Brings the core's action registry in line with the open libraries: each extension active in at least one of
   * them has its declared actions registered (the union over libraries); the rest are unregistered. A new
   * version or a changed action list re-registers the extension's actions.
   */
  #syncActions(): void {
    const registry = this.#core.actions.registry;
    const wanted = new Map<string, { lib: Library; versions: Set<string>; decls: Map<string, Manifest['actions'][number]> }>();
    if (!this.#closed) {
      for (const loaded of this.#libraries.values()) {
        if (loaded.lib.isClosed) continue;
        let rows: InstallRow[];
        try {
          rows = loaded.lib.raw.prepare('SELECT id, version, manifest, enabled, state FROM extension_installs').all() as InstallRow[];
        } catch {
          continue; // a library closing meanwhile
        }
        for (const row of rows) {
          const manifest = inactiveReason(row) ? null : safeManifest(row);
          if (!manifest || manifest.actions.length === 0) continue;
          let w = wanted.get(row.id);
          if (!w) wanted.set(row.id, (w = { lib: loaded.lib, versions: new Set(), decls: new Map() }));
          w.versions.add(row.version);
          for (const decl of manifest.actions) if (!w.decls.has(decl.name)) w.decls.set(decl.name, decl);
        }
      }
    }
    for (const id of new Set([...this.#actionKeys.keys(), ...wanted.keys()])) {
      const w = wanted.get(id);
      const key = w ? `${[...w.versions].sort().join(',')}|${[...w.decls.keys()].sort().join(',')}` : undefined;
      if (this.#actionKeys.get(id) === key) continue;
      registry.unregisterOwner(id);
      this.#actionKeys.delete(id);
      if (!w || key === undefined) continue;
      for (const decl of w.decls.values()) {
        try {
          const def = extensionActionDefinition(id, decl, this.#actionHost);
          registry.register(def);
          // `actions.list` says whether it can be undone once the module's exports are known (undo export or not).
          this.#actionHost.canUndo(w.lib, id, decl.name).then(
            (has) => (def.reversible = has),
            () => undefined,
          );
        } catch (error) {
          this.#options.onLog?.(id, 'error', `could not register the action "${decl.name}": ${toWireError(error).message}`);
        }
      }
      this.#actionKeys.set(id, key);
    }
  }

  readonly #actionHost: ExtensionActionHost = {
    call: async (lib, id, action, phase, input) => {
      const { loaded, decl } = await this.#actionTarget(lib, id, action);
      this.#checkEntryScope(lib, id, input.entryIds);
      const exportName = exportOf(decl, phase);
      let out: Uint8Array;
      try {
        const plugin = await this.#mainPlugin(loaded, id);
        out = await plugin.call(exportName, JSON.stringify(input));
      } catch (error) {
        this.#log(loaded, id, 'error', `action ${action} (${phase}) failed: ${toWireError(error).message}`);
        throw actionFailure(id, action, phase, exportName, error);
      }
      return new TextDecoder().decode(out);
    },
    options: async (lib, id, action, param, input) => {
      const { loaded, decl } = await this.#actionTarget(lib, id, action);
      const declared = decl.params.find((p) => p.name === param);
      if (!declared || declared.type !== 'choice') {
        throw new CairnError('VALIDATION', `${id}'s action "${action}" has no choice parameter named "${param}".`);
      }
      this.#checkEntryScope(lib, id, input.entryIds);
      const exportName = exportNames.actionOptions(decl);
      let out: Uint8Array;
      try {
        const plugin = await this.#mainPlugin(loaded, id);
        out = await plugin.call(exportName, JSON.stringify({ ...input, param }));
      } catch (error) {
        this.#log(loaded, id, 'error', `action ${action} (options of ${param}) failed: ${toWireError(error).message}`);
        throw actionFailure(id, action, 'options', exportName, error);
      }
      const options = parseActionOptions(id, action, new TextDecoder().decode(out));
      // Pictures only of contents the extension may see: an option keeps its words, loses the picture.
      const contents = [...new Set(options.flatMap((o) => (o.image ? [o.image.contentId] : [])))];
      const visible = new Set(filterHookItems(lib, id, 'content.onDidIdentify', contents.map((contentId) => ({ contentId }))).map((i) => i.contentId));
      return options.map((o) => (o.image && !visible.has(o.image.contentId) ? { ...o, image: null } : o));
    },
    canUndo: async (lib, id, action) => {
      const { loaded, decl } = await this.#actionTarget(lib, id, action);
      const { pkg } = await this.#resolve(loaded, id);
      const key = `${id}@${pkg.version}`;
      let names = this.#exports.get(key);
      if (!names) {
        const compiled = wasmApi.compile(pkg.wasm).then((m) => new Set(wasmApi.Module.exports(m).filter((e) => e.kind === 'function').map((e) => e.name)));
        this.#exports.set(key, compiled);
        compiled.catch(() => this.#exports.delete(key));
        names = compiled;
      }
      return (await names).has(exportOf(decl, 'undo'));
    },
  };

  /** The library's runtime state and the action's declaration in the active version, or why it cannot run. */
  async #actionTarget(lib: Library, id: string, action: string): Promise<{ loaded: LoadedLibrary; decl: Manifest['actions'][number] }> {
    const loaded = this.#libraries.get(lib.id);
    if (!loaded || loaded.lib.isClosed) throw new CairnError('NOT_SUPPORTED', `Extensions are not running in library ${lib.id} yet; try again in a moment.`);
    const row = readRow(lib, id);
    if (!row) throw new CairnError('NOT_FOUND', `${id} is not installed in this library, so its action "${action}" cannot run here.`);
    const why = inactiveReason(row);
    if (why) throw new CairnError('CONFLICT', `${id} cannot run its action "${action}": ${why}.`);
    const { pkg } = await this.#resolve(loaded, id);
    const decl = pkg.manifest.actions.find((a) => a.name === action);
    if (!decl) throw new CairnError('NOT_FOUND', `${id} ${pkg.version} does not declare an action named "${action}".`);
    return { loaded, decl };
  }

  /** Refuses entry ids the extension may not read (outside its granted folders, or not in the library). */
  #checkEntryScope(lib: Library, id: string, entryIds: readonly string[]): void {
    if (entryIds.length === 0) return;
    const visible = new Set(filterHookItems(lib, id, 'entries.onDidCreate', entryIds.map((entryId) => ({ entryId }))).map((i) => i.entryId));
    const refused = [...new Set(entryIds.filter((e) => !visible.has(e)))];
    if (refused.length > 0) {
      const list = refused.slice(0, 5).join(', ') + (refused.length > 5 ? ` and ${refused.length - 5} more` : '');
      throw new CairnError(
        'PERMISSION_DENIED',
        `${id} may only act on entries in the folders you granted it; ${refused.length} of the ${entryIds.length} selected are outside them or not in this library (${list}). Nothing was changed.`,
      );
    }
  }

  // ── jobs ─────────────────────────────────────────────────────────────────────────────────────

  /** `ext:<id>:<job>`: checks the install at every run, then runs the step model on the active version. */
  #extensionJob(loaded: LoadedLibrary, id: string, jobName: string, parallelism: number): JobDefinition<unknown, ExtensionJobCheckpoint> {
    const definitionFor = async () => {
      const { pkg, config } = await this.#resolve(loaded, id);
      if (!pkg.manifest.jobs.some((j) => j.name === jobName)) throw new CairnError('NOT_FOUND', `${id} ${pkg.version} no longer declares the job "${jobName}".`);
      return defineExtensionJob(
        {
          extensionId: id, manifest: pkg.manifest, wasm: pkg.wasm, libraryPath: loaded.lib.path, deviceId: this.#core.home.deviceId, config,
          ...(this.#options.limits ? { limits: this.#options.limits } : {}),
          onLog: (level, text) => this.#log(loaded, id, level, text),
          onCoreEvent: (name, payload) => this.#forward(name, payload),
          hostTask: (task, input, signal) => runHostTask(this.#core, loaded.lib, id, task, input, signal),
          onStartJob: (job, input) => this.#startGuestJob(loaded, id, job, input),
        },
        jobName,
      );
    };
    return defineJob<unknown, ExtensionJobCheckpoint>({
      input: z.unknown(),
      checkpoint: ExtensionJobCheckpoint,
      concurrency: parallelism,
      run: (ctx) => this.#guarded(loaded, id, ctx, async (inner) => (await definitionFor()).run(inner)),
    });
  }

  /** Runs `body` with a context whose signal also fires when the extension stops being runnable; then it fails with the reason. */
  async #guarded<I, C>(loaded: LoadedLibrary, id: string, ctx: JobContext<I, C>, body: (ctx: JobContext<I, C>) => Promise<void>): Promise<void> {
    const stopped = new AbortController();
    let set = loaded.running.get(id);
    if (!set) loaded.running.set(id, (set = new Set()));
    set.add(stopped);
    const signal = AbortSignal.any([ctx.signal, stopped.signal]);
    const inner: JobContext<I, C> = {
      ...ctx,
      signal,
      isInterrupted: () => signal.aborted,
      throwIfInterrupted: () => signal.throwIfAborted(),
    };
    try {
      await body(inner);
    } catch (error) {
      if (stopped.signal.aborted && !ctx.signal.aborted) throw stopped.signal.reason;
      throw error;
    } finally {
      set.delete(stopped);
    }
    if (stopped.signal.aborted && !ctx.signal.aborted) throw stopped.signal.reason;
  }

  // ── hooks ────────────────────────────────────────────────────────────────────────────────────

  #hookEvent(event: HookEvent, payload: Record<string, unknown>): void {
    const loaded = typeof payload.libraryId === 'string' ? this.#libraries.get(payload.libraryId) : undefined;
    if (!loaded || loaded.lib.isClosed) return;
    const items = hookItems(event, payload);
    if (items.length === 0) return;
    const rows = loaded.lib.raw.prepare('SELECT id, version, manifest, enabled, state FROM extension_installs').all() as InstallRow[];
    for (const row of rows) {
      if (inactiveReason(row)) continue;
      // An extension's own writes do not come back to it as events (no loops).
      if (event === 'tags.onDidApply' && payload.sourceId === row.id) continue;
      const manifest = safeManifest(row);
      const hook = manifest?.hooks.find((h) => h.event === event);
      if (!hook) continue;
      const visible = filterHookItems(loaded.lib, row.id, event, items);
      if (visible.length === 0) continue;
      const key = `${row.id}\0${event}`;
      let buffer = loaded.pending.get(key);
      if (!buffer) loaded.pending.set(key, (buffer = { items: [], timer: null }));
      buffer.items.push(...visible);
      while (buffer.items.length >= hook.batch_size) this.#enqueueHook(loaded, row.id, event, buffer.items.splice(0, hook.batch_size));
      if (buffer.items.length > 0 && !buffer.timer) {
        const b = buffer;
        b.timer = setTimeout(() => {
          b.timer = null;
          const rest = b.items.splice(0);
          if (rest.length > 0 && !loaded.lib.isClosed) this.#enqueueHook(loaded, row.id, event, rest);
        }, this.#options.hookDelayMs ?? 250);
      }
    }
  }

  #enqueueHook(loaded: LoadedLibrary, extensionId: string, event: HookEvent, items: HookItem[]): void {
    try {
      loaded.scheduler.enqueue(HOOK_JOB, { extensionId, event, items } satisfies HookJobInput, { owner: extensionId });
    } catch (error) {
      this.#log(loaded, extensionId, 'error', `could not queue ${event} hook events: ${toWireError(error).message}`);
    }
  }

  /** Delivers one batch: one keyed task, so a completed delivery is never repeated after a restart. */
  #hookJob(loaded: LoadedLibrary): JobDefinition<HookJobInput> {
    return defineJob({
      input: HookJobInput,
      run: (ctx) =>
        this.#guarded(loaded, ctx.input.extensionId, ctx, async (inner) => {
          const { extensionId, event } = inner.input;
          await inner.runTask<unknown>('deliver', async () => {
            const { pkg } = await this.#resolve(loaded, extensionId);
            const hook = pkg.manifest.hooks.find((h) => h.event === event);
            if (!hook) return { result: { delivered: 0, reason: `${extensionId} ${pkg.version} has no ${event} hook` } };
            // Grants may have narrowed since the events were queued.
            const items = filterHookItems(loaded.lib, extensionId, event, inner.input.items as HookItem[]);
            if (items.length === 0) return { result: { delivered: 0 } };
            const plugin = await this.#mainPlugin(loaded, extensionId);
            const out = new TextDecoder().decode(await plugin.call(hook.export, JSON.stringify({ event, items })));
            return { result: { delivered: items.length, output: out.length ? (safeJson(out) ?? out) : null } };
          }, { retries: 2 });
        }),
    });
  }
}

function exportOf(decl: Manifest['actions'][number], phase: ActionPhase): string {
  return phase === 'preview' ? exportNames.actionPreview(decl) : phase === 'execute' ? exportNames.actionExecute(decl) : exportNames.actionUndo(decl);
}

function readRow(lib: Library, id: string): InstallRow | undefined {
  return lib.raw.prepare('SELECT id, version, manifest, enabled, state FROM extension_installs WHERE id = ?').get(id) as InstallRow | undefined;
}

function inactiveReason(row: InstallRow): string | null {
  if (row.enabled !== 1) return 'it is disabled';
  if (row.state === 'held') return 'an upgrade is waiting for consent to new permissions';
  if (row.state === 'revoked') return 'it was revoked';
  if (row.state !== 'active') return `it is ${row.state}`;
  return null;
}

function safeManifest(row: InstallRow): Manifest | null {
  const parsed = Manifest.safeParse(safeJson(row.manifest));
  return parsed.success ? parsed.data : null;
}

function parseManifest(row: InstallRow): Manifest {
  const m = safeManifest(row);
  if (!m) throw new CairnError('LIBRARY_CORRUPT', `The stored manifest of ${row.id} is damaged; uninstall and reinstall it.`);
  return m;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The items of a hook event's payload: `{entryId}`, `{contentId}` or `{tagId, entryId | contentId}`. */
function hookItems(event: HookEvent, p: Record<string, unknown>): HookItem[] {
  const ids = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  switch (event) {
    case 'entries.onDidCreate':
      return ids(p.entryIds).map((entryId) => ({ entryId }));
    case 'content.onDidIdentify':
      return ids(p.contentIds).map((contentId) => ({ contentId }));
    case 'tags.onDidApply': {
      const tagId = typeof p.tagId === 'string' ? p.tagId : null;
      return [...ids(p.entryIds).map((entryId) => ({ tagId, entryId })), ...ids(p.contentIds).map((contentId) => ({ tagId, contentId }))];
    }
  }
}
