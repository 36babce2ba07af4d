import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { InputOf, OperationName, OutputOf } from '../../../src-shared/contract/index.js';
import { FILE_PERMISSIONS, Manifest, exportNames, type PermissionGrant, type PermissionType } from '../../../src-shared/extensions/manifest.js';
import { CairnCore, type CoreOptions } from '../../../src-main/core/cairn-core.js';
import { seedEntries, type SeedFile } from '../../../src-main/core/testing/seed-entries.js';
import { makeTempDir } from '../../../src-main/core/testing/temp-dir.js';
import { testShellHandlers } from '../../../src-main/core/testing/test-core.js';
import { resolveWorkerFile } from '../../../src-main/core/workers/spawn-worker.js';
import { SandboxedPlugin, type SandboxLimits } from '../../../extension-host/sandbox/sandboxed-plugin.js';
import { HOST_TASK_ITEM_ERRORS } from '../../../extension-host/jobs/extension-job.js';
import type { HarnessHostInit, HostStub } from './harness-host-module.js';
export type { HostStub, StubAnswer } from './harness-host-module.js';

/** A file of the test library: written to disk inside the test location and entered in the library. */
export interface FixtureFile {
  /** Path inside the location, `/`-separated. */
  path: string;
  /** Text content (files with equal content share one content identity). */
  content: string;
  /** `image`, `document`, `text`, … (default: guessed from the extension). */
  kind?: string;
}

export interface HarnessOptions {
  /** The extension folder (with manifest.json and build/plugin.wasm). */
  extensionDir: string;
  /** Fixture files of the test library's one location. */
  files?: FixtureFile[];
  /** Permission types to grant (default: every permission the manifest declares). */
  grant?: PermissionType[];
  /**
   * Subfolders of the fixture location that file permissions (ReadEntries, ReadSidecars, WriteSidecars) are
   * scoped to, as the permissions dialog would grant them (default `['']`: the whole location). The real
   * bridge enforces them, globs included.
   */
  folders?: string[];
  /** Setting values overriding the manifest's defaults. */
  settings?: Record<string, unknown>;
  /** Sandbox limits (e.g. a shorter timeout). */
  limits?: Partial<SandboxLimits>;
  /** Fixture answers for host methods the core does not serve yet (`ai.detectFaces`, `places.reverseGeocode`), by method. */
  stubs?: Record<string, HostStub>;
  /**
   * Answers to the host tasks a job step may ask for (`host:ai.detectFaces`, `host:ai.embed`,
   * `host:places.reverseGeocode`), by operation name without `host:`: the handler gets the task's input and
   * returns the operation's output, or throws to fail it: an error whose `code` is NOT_SUPPORTED, VALIDATION or
   * NOT_FOUND fails the item alone at once, any other after 2 retries; either way the next step gets it in
   * `failedTasks` and the job goes on, as in the app. Without a handler, a host task fails (INTERNAL) the same way.
   */
  hostTasks?: Record<string, HostTaskHandler>;
}

/** Answers one host task in the harness (see `HarnessOptions.hostTasks`). */
export type HostTaskHandler = (input: Record<string, unknown>) => unknown;

/** One task the job runner ran. */
export interface CompletedTask {
  key: string;
  task: string;
  result: unknown;
  /** Attempts it took (1 + retries used). */
  attempts: number;
  /** A host task that failed (at once for HOST_TASK_ITEM_ERRORS, else after its retries): the next step gets it in `failedTasks`. */
  error?: { code: string; message: string };
}

/** What a job export answers for one step. */
export interface JobStepAnswer {
  done: boolean;
  checkpoint?: unknown;
  progress?: { completed: number; total: number; message?: string };
  tasks?: { key: string; task: string; input: unknown }[];
}

/** What `runJob` observed. */
export interface JobRun {
  done: boolean;
  steps: number;
  checkpoint: unknown;
  checkpoints: unknown[];
  progress: NonNullable<JobStepAnswer['progress']>[];
  /** Every task run, in order (for assertions). */
  completedTasks: CompletedTask[];
  /** Results of the last step's tasks, by key: what the next step receives (and what a resume needs). */
  pendingResults: Record<string, unknown>;
  /** Host tasks of the last step that failed for their item alone, by key: what the next step receives as `failedTasks`. */
  pendingFailures: Record<string, { code: string; message: string }>;
  step: number;
  /** Events the guest sent mid-step (`job.checkpoint`, `job.progress`, `trace`). */
  events: { method: string; payload: unknown }[];
}

const KIND_BY_EXT: Record<string, string> = {
  jpg: 'image', jpeg: 'image', png: 'image', gif: 'image', webp: 'image', heic: 'image',
  mp4: 'video', mov: 'video', mp3: 'audio', wav: 'audio', flac: 'audio',
  pdf: 'document', doc: 'document', docx: 'document', txt: 'text', md: 'text',
  zip: 'archive', ts: 'code', js: 'code', py: 'code',
};

/**
 * Hosts one built extension against a real, temporary library, for the extension's own tests: a fresh Cairn
 * home with one location holding the fixture files (on disk and in the library), the plugin running in the
 * real sandbox (`SandboxedPlugin`), and vdfs_calls answered by the core's operation registry as the
 * extension. It runs jobs in the host's step model (job export → requested tasks → job export …, with
 * checkpoints and completed tasks), actions (preview, execute) and hooks, and lets the test read the library
 * back through `invoke`.
 *
 * Failure modes: `start` throws when the manifest is invalid or `build/plugin.wasm` is missing (run
 * `cairn ext build`); guest traps and failed exports reject the call with a `SandboxError`.
 *
 * @example
 * const h = await ExtensionHarness.start({ extensionDir: 'extensions/hello-tags', files: [{ path: 'a.jpg', content: 'x' }] });
 * try {
 *   const run = await h.runJob('tag_files', {});
 *   expect(run.done).toBe(true);
 *   expect((await h.invoke('tags.list', {})).map((t) => t.path)).toContain('Kinds/Image');
 * } finally { await h.close(); }
 */
export class ExtensionHarness {
  readonly core: CairnCore;
  readonly manifest: Manifest;
  readonly libraryId: string;
  readonly locationId: string;
  /** Absolute folder of the test location. */
  readonly locationDir: string;
  /** Fixture path → entry id. */
  readonly entryIds: Map<string, string>;
  /** Fixture content → content id. */
  readonly contentIds: Map<string, string>;
  plugin: SandboxedPlugin;
  /** Guest log lines (info and above). */
  readonly logs: { level: string; text: string }[];
  /** Runtime calls the guest made (`job.checkpoint`, `job.progress`, `trace`). */
  readonly events: { method: string; payload: unknown }[];
  readonly #interrupt: Int32Array;
  readonly #cleanup: () => void;
  #startPlugin: ((settings: Record<string, unknown>, stubs: Record<string, HostStub> | undefined) => Promise<SandboxedPlugin>) | null = null;
  #settings: Record<string, unknown> = {};
  #stubs: Record<string, HostStub> | undefined = undefined;
  /** Answers to `host:` tasks (see `HarnessOptions.hostTasks`); may be replaced between runs. */
  hostTasks: Record<string, HostTaskHandler> = {};

  private constructor(parts: {
    core: CairnCore; manifest: Manifest; libraryId: string; locationId: string; locationDir: string;
    entryIds: Map<string, string>; contentIds: Map<string, string>; plugin: SandboxedPlugin; interrupt: Int32Array; cleanup: () => void;
    logs: { level: string; text: string }[]; events: { method: string; payload: unknown }[];
  }) {
    this.logs = parts.logs;
    this.events = parts.events;
    this.core = parts.core;
    this.manifest = parts.manifest;
    this.libraryId = parts.libraryId;
    this.locationId = parts.locationId;
    this.locationDir = parts.locationDir;
    this.entryIds = parts.entryIds;
    this.contentIds = parts.contentIds;
    this.plugin = parts.plugin;
    this.#interrupt = parts.interrupt;
    this.#cleanup = parts.cleanup;
  }

  /** Creates the library, writes the fixtures and starts the plugin. See the class comment. */
  static async start(options: HarnessOptions): Promise<ExtensionHarness> {
    const extDir = path.resolve(options.extensionDir);
    const manifest = Manifest.parse(JSON.parse(fs.readFileSync(path.join(extDir, 'manifest.json'), 'utf8')));
    const wasmPath = path.join(extDir, 'build', 'plugin.wasm');
    if (!fs.existsSync(wasmPath)) throw new Error(`${wasmPath} is missing: run \`cairn ext build ${extDir}\` first`);
    const tmp = makeTempDir('cairn-ext-test');
    const homeDir = path.join(tmp.dir, 'home');
    const locationDir = path.join(tmp.dir, 'files');
    fs.mkdirSync(locationDir, { recursive: true });
    for (const f of options.files ?? []) {
      const abs = path.join(locationDir, ...f.path.split('/'));
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, f.content);
    }
    const core = await CairnCore.start({ homeDir, shell: testShellHandlers, checkOutputs: true, watch: false } as CoreOptions);
    let plugin: SandboxedPlugin | undefined;
    try {
      const user = { caller: { kind: 'user' as const, via: 'internal' as const } };
      const lib = (await core.registry.call('library.list', {}, user)).find((l) => l.isDefault)!;
      const library = await core.libraries.get(lib.id);
      // Entered directly rather than through locations.add, whose first index would replace the fixtures'
      // content identities with hashed ones while the test runs.
      const location = { id: randomUUID() };
      library.raw
        .prepare("INSERT INTO locations (id, path, name, added_at, device_id, settings) VALUES (?, ?, 'fixtures', ?, 'harness', '{}')")
        .run(location.id, fs.realpathSync(locationDir), new Date().toISOString());
      const seeds: SeedFile[] = (options.files ?? []).map((f) => {
        const ext = f.path.includes('.') ? f.path.split('.').pop()!.toLowerCase() : '';
        return { relPath: f.path, content: f.content, size: Buffer.byteLength(f.content), fileKind: f.kind ?? KIND_BY_EXT[ext] ?? 'unknown' };
      });
      const { entryIds, contentIds } = seeds.length > 0 ? seedEntries(library, location.id, seeds) : { entryIds: new Map<string, string>(), contentIds: new Map<string, string>() };
      const settings: Record<string, unknown> = {};
      for (const [name, s] of Object.entries(manifest.settings)) settings[name] = s.default;
      Object.assign(settings, options.settings ?? {});
      // Installed as the app would record it, with the grants the test asks for: the bridge reads these rows.
      const grantedTypes = options.grant ?? manifest.permissions.map((p) => p.type);
      const grants: PermissionGrant[] = manifest.permissions.map((p, index) => ({
        index,
        type: p.type,
        granted: grantedTypes.includes(p.type),
        scopes: FILE_PERMISSIONS.includes(p.type) ? (options.folders ?? ['']).map((subpath) => ({ locationId: location.id, subpath })) : [],
      }));
      const now = new Date().toISOString();
      library.raw
        .prepare("INSERT INTO extension_installs (id, version, manifest, package_sha256, installed_at, updated_at) VALUES (?, ?, ?, 'harness', ?, ?)")
        .run(manifest.id, manifest.version, JSON.stringify(manifest), now, now);
      library.raw.prepare('INSERT INTO extension_grants (extension_id, grants, updated_at) VALUES (?, ?, ?)').run(manifest.id, JSON.stringify(grants), now);
      const interruptFlag = new SharedArrayBuffer(4);
      const hostInit: HarnessHostInit = {
        libraryPath: library.path,
        granted: grantedTypes,
        interruptFlag,
        ...(options.stubs ? { stubs: options.stubs } : {}),
      };
      const logs: { level: string; text: string }[] = [];
      const events: { method: string; payload: unknown }[] = [];
      const wasm = fs.readFileSync(wasmPath);
      const startPlugin = (values: Record<string, unknown>, stubs: Record<string, HostStub> | undefined) => SandboxedPlugin.start({
        extensionId: manifest.id,
        wasm,
        hostModulePath: resolveWorkerFile(import.meta.url, './harness-host-module'),
        hostInit: { ...hostInit, ...(stubs ? { stubs } : {}) },
        config: { settings: JSON.stringify(values) },
        limits: { timeoutMs: 20_000, ...options.limits },
        onLog: (level, text) => logs.push({ level, text }),
        onEvent: (e) => events.push(e as { method: string; payload: unknown }),
      });
      plugin = await startPlugin(settings, options.stubs);
      const h = new ExtensionHarness({
        core, manifest, libraryId: lib.id, locationId: location.id, locationDir, entryIds, contentIds, plugin,
        interrupt: new Int32Array(interruptFlag), cleanup: tmp.cleanup, logs, events,
      });
      h.#startPlugin = startPlugin;
      h.#settings = settings;
      h.#stubs = options.stubs;
      h.hostTasks = options.hostTasks ?? {};
      return h;
    } catch (error) {
      await plugin?.close();
      await core.stop();
      tmp.cleanup();
      throw error;
    }
  }

  /**
   * Calls an export with a JSON input and parses its JSON output (null for an empty output).
   *
   * @example
   * const out = await h.call('echo', { text: 'hé' });
   */
  async call<T = unknown>(exportName: string, input: unknown = {}): Promise<T> {
    const out = await this.plugin.call(exportName, JSON.stringify(input));
    const text = new TextDecoder().decode(out);
    return (text.length === 0 ? null : JSON.parse(text)) as T;
  }

  /**
   * Calls an export with raw text and returns its raw text output.
   *
   * @example
   * expect(await h.callText('echo', 'Zoë')).toBe('Zoë');
   */
  async callText(exportName: string, input: string): Promise<string> {
    return new TextDecoder().decode(await this.plugin.call(exportName, input));
  }

  /**
   * Runs a declared job to completion in the step model of docs/extension-runtime.md: calls the job export
   * with `{input, checkpoint, completedTasks, failedTasks, step}` (completedTasks = results of the previous step's
   * tasks, by key; failedTasks = its host tasks that failed for their item alone, as in the app), runs the tasks it asks for with `{key, input}` (keys already run return their stored result;
   * a failing task is retried `retries` times, then the job fails: the promise rejects), and calls it again
   * until it answers `done: true`. `stopAfterSteps` ends the run early (to test resuming); `interruptAtStep` raises
   * `job.isInterrupted` from that step on. Resume with `from`.
   *
   * @example
   * const first = await h.runJob('index', {}, { stopAfterSteps: 1 });
   * const rest = await h.runJob('index', {}, { from: first });
   */
  async runJob(name: string, input: unknown, options: { stopAfterSteps?: number; interruptAtStep?: number; maxSteps?: number; from?: JobRun } = {}): Promise<JobRun> {
    const decl = this.manifest.jobs.find((j) => j.name === name);
    if (!decl) throw new Error(`the manifest declares no job "${name}"`);
    const run: JobRun = options.from
      ? { ...options.from, done: false, steps: 0, checkpoints: [], progress: [], events: [], completedTasks: [...options.from.completedTasks], pendingFailures: options.from.pendingFailures ?? {} }
      : { done: false, steps: 0, step: 0, checkpoint: null, checkpoints: [], progress: [], completedTasks: [], pendingResults: {}, pendingFailures: {}, events: [] };
    const eventsBefore = this.events.length;
    const maxSteps = options.maxSteps ?? 1000;
    Atomics.store(this.#interrupt, 0, 0);
    while (!run.done && run.steps < maxSteps) {
      if (options.stopAfterSteps !== undefined && run.steps >= options.stopAfterSteps) break;
      if (options.interruptAtStep !== undefined && run.steps >= options.interruptAtStep) Atomics.store(this.#interrupt, 0, 1);
      const answer = await this.call<JobStepAnswer>(exportNames.job(decl), { input, checkpoint: run.checkpoint, completedTasks: run.pendingResults, failedTasks: run.pendingFailures, step: run.step });
      run.steps++;
      run.step++;
      if (answer.checkpoint !== undefined) {
        run.checkpoint = answer.checkpoint;
        run.checkpoints.push(answer.checkpoint);
      }
      if (answer.progress) run.progress.push(answer.progress);
      const results: Record<string, unknown> = {};
      const failures: Record<string, { code: string; message: string }> = {};
      for (const t of answer.tasks ?? []) {
        let done = run.completedTasks.find((c) => c.key === t.key);
        if (!done) {
          done = await this.runTask(t.task, t.key, t.input);
          run.completedTasks.push(done);
        }
        if (done.error) failures[t.key] = done.error;
        else results[t.key] = done.result;
      }
      run.pendingResults = results;
      run.pendingFailures = failures;
      run.done = answer.done === true;
    }
    Atomics.store(this.#interrupt, 0, 0);
    run.events = this.events.slice(eventsBefore);
    return run;
  }

  /**
   * A `host:` task answered by `hostTasks`, retried twice like the app's runner; a failure whose `code` is one of
   * HOST_TASK_ITEM_ERRORS is not retried. Either way the failure is handed to the next step (`failedTasks`).
   */
  async #runHostTask(task: string, key: string, input: unknown): Promise<CompletedTask> {
    const name = task.slice('host:'.length);
    let last: unknown = null;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const handler = this.hostTasks[name];
        if (!handler) throw Object.assign(new Error(`Host tasks such as ${task} are not available here.`), { code: 'INTERNAL' });
        const payload = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
        return { key, task, result: (await handler(payload)) ?? null, attempts: attempt };
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        if (typeof code === 'string' && HOST_TASK_ITEM_ERRORS.includes(code)) return { key, task, result: null, attempts: attempt, error: { code, message: (error as Error).message } };
        last = error;
      }
    }
    // Out of retries: this key's failure, handed to the next step like an item's (the job goes on), as in the app.
    const code = (last as { code?: unknown } | null)?.code;
    return { key, task, result: null, attempts: 3, error: { code: typeof code === 'string' ? code : 'INTERNAL', message: last instanceof Error ? last.message : String(last) } };
  }

  /**
   * Runs one declared task export with `{key, input}`, retrying `retries` times; the last failure is thrown.
   *
   * @example
   * const done = await h.runTask('note_one', 'note:1', { entryId });
   */
  async runTask(task: string, key: string, input: unknown): Promise<CompletedTask> {
    if (task.startsWith('host:')) return this.#runHostTask(task, key, input);
    const decl = this.manifest.tasks.find((t) => t.name === task);
    if (!decl) throw new Error(`the manifest declares no task "${task}"`);
    let last: unknown = null;
    for (let attempt = 1; attempt <= decl.retries + 1; attempt++) {
      try {
        return { key, task, result: await this.call(exportNames.task(decl), { key, input }), attempts: attempt };
      } catch (error) {
        last = error;
      }
    }
    throw last;
  }

  /**
   * Runs an action's preview export (`{entryIds, params}` in, preview out).
   *
   * @example
   * const p = await h.preview('tag_selection', { entryIds: [id], params: { tag: 'Picked' } });
   */
  async preview<T = { title: string; changes: { description: string; data: unknown }[]; reversible: boolean; warnings: string[] }>(action: string, request: { entryIds: string[]; params?: unknown }): Promise<T> {
    const decl = this.manifest.actions.find((a) => a.name === action);
    if (!decl) throw new Error(`the manifest declares no action "${action}"`);
    return this.call<T>(exportNames.actionPreview(decl), { entryIds: request.entryIds, params: request.params ?? {} });
  }

  /** Runs an action's execute export. */
  async execute<T = { applied: number; message: string }>(action: string, request: { entryIds: string[]; params?: unknown }): Promise<T> {
    const decl = this.manifest.actions.find((a) => a.name === action);
    if (!decl) throw new Error(`the manifest declares no action "${action}"`);
    return this.call<T>(exportNames.actionExecute(decl), { entryIds: request.entryIds, params: request.params ?? {} });
  }

  /**
   * Delivers a batch of events to the hook declared for `event`.
   *
   * @example
   * await h.hook('entries.onDidCreate', [{ entryId: id }]);
   */
  async hook<T = unknown>(event: string, items: unknown[]): Promise<T> {
    const decl = this.manifest.hooks.find((x) => x.event === event);
    if (!decl) throw new Error(`the manifest declares no hook for "${event}"`);
    return this.call<T>(decl.export, { event, items });
  }

  /**
   * Calls a core operation as the user, on the test library (for assertions). `libraryId` is filled in.
   *
   * @example
   * const tags = await h.invoke('tags.list', {});
   */
  async invoke<N extends OperationName>(name: N, input: Omit<InputOf<N>, 'libraryId'>): Promise<OutputOf<N>> {
    return this.core.registry.call(name, { ...input, libraryId: this.libraryId } as InputOf<N>, { caller: { kind: 'user', via: 'internal' } });
  }

  /** Calls a core operation as this extension (models are only readable as their owner). */
  async invokeAsExtension<N extends OperationName>(name: N, input: Omit<InputOf<N>, 'libraryId'>): Promise<OutputOf<N>> {
    return this.core.registry.call(name, { ...input, libraryId: this.libraryId } as InputOf<N>, { caller: { kind: 'extension', extensionId: this.manifest.id } });
  }

  /**
   * Restarts the plugin with some settings changed (the host passes settings as config when a plugin starts,
   * as the app does after the user changes them) and/or other host stubs (e.g. keyed by the content ids the
   * fixtures got); the library stays.
   *
   * @example
   * await h.restartPlugin({ settings: { face_recognition: false } });
   */
  async restartPlugin(change: { settings?: Record<string, unknown>; stubs?: Record<string, HostStub> }): Promise<void> {
    this.#settings = { ...this.#settings, ...change.settings };
    if (change.stubs) this.#stubs = change.stubs;
    await this.plugin.close();
    this.plugin = await this.#startPlugin!(this.#settings, this.#stubs);
  }

  /** Stops the plugin and the core and deletes the temporary library. */
  async close(): Promise<void> {
    await this.plugin.close();
    await this.core.stop();
    this.#cleanup();
  }
}
