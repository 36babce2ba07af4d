import { z } from 'zod';
import { CairnError } from '../../src-shared/errors.js';
import { exportNames, type Manifest } from '../../src-shared/extensions/manifest.js';
import { defineJob, type JobContext, type JobDefinition } from '../../src-main/core/jobs/define-job.js';
import { jobProgressSchema } from '../../src-main/core/jobs/job-schemas.js';
import { TaskFailedError } from '../../src-main/core/jobs/task-failed-error.js';
import type { ModelQuota } from '../../src-main/core/models/model-service.js';
import type { BridgeEvent } from '../bridge/extension-bridge.js';
import type { BridgeInit } from '../bridge/bridge-host.js';
import { BRIDGE_HOST_MODULE } from '../bridge/bridge-module.js';
import { SandboxError } from '../sandbox/sandbox-error.js';
import { SandboxedPlugin, type SandboxLimits } from '../sandbox/sandboxed-plugin.js';

/** A task a job step asks for: run the manifest task `task` with `input`, remembered under `key`. */
export const TaskRequest = z.object({ key: z.string().min(1).max(500), task: z.string().min(1).max(64), input: z.unknown() });
export type TaskRequest = z.infer<typeof TaskRequest>;

/** What the guest's job export returns from one step. */
export const StepOutput = z.object({
  checkpoint: z.unknown().optional(),
  progress: jobProgressSchema.optional(),
  tasks: z.array(TaskRequest).max(10_000).optional(),
  done: z.boolean(),
});
export type StepOutput = z.infer<typeof StepOutput>;

/** The durable checkpoint of an extension job: the guest's own checkpoint and the tasks its last step asked for. */
export const ExtensionJobCheckpoint = z.object({ step: z.number().int().min(0), guest: z.unknown(), tasks: z.array(TaskRequest) });
export type ExtensionJobCheckpoint = z.infer<typeof ExtensionJobCheckpoint>;

/** What the job export receives on each step. */
export interface StepInput {
  input: unknown;
  checkpoint: unknown;
  /** Results of the tasks the previous step asked for, by key (JSON values the task exports returned). */
  completedTasks: Record<string, unknown>;
  /**
   * Host tasks the previous step asked for that failed, by key, with the last error's code and message: at once
   * for a failure of the item alone ({@link HOST_TASK_ITEM_ERRORS}), after {@link HOST_TASK_RETRIES} retries for
   * any other (a crash, a timeout, a denied permission). The job goes on and the guest records the item.
   */
  failedTasks: Record<string, { code: string; message: string }>;
  step: number;
}

/**
 * Error codes with which a host task fails for its ITEM alone — an image the decoder cannot read
 * (`NOT_SUPPORTED`), one over a size limit (`VALIDATION`), an entry gone since the step asked (`NOT_FOUND`).
 * Such a failure is not retried. Any other failure (a crash, a timeout, a denied permission) is retried
 * {@link HOST_TASK_RETRIES} times. Neither fails the job: the next step receives `{code, message}` under the
 * task's key in `failedTasks`.
 */
export const HOST_TASK_ITEM_ERRORS: readonly string[] = ['NOT_SUPPORTED', 'VALIDATION', 'NOT_FOUND'];

/** How often a host task that fails for another reason than its item is tried again. */
export const HOST_TASK_RETRIES = 2;

/** How a host task's per-item failure is stored as the task's result (durably, like any result). */
const ITEM_ERROR_KEY = '$hostTaskItemError';

function itemErrorOf(value: unknown): { code: string; message: string } | undefined {
  if (typeof value !== 'object' || value === null || !(ITEM_ERROR_KEY in value)) return undefined;
  return (value as Record<string, { code: string; message: string }>)[ITEM_ERROR_KEY];
}

/** How to run one extension's jobs. */
export interface ExtensionJobOptions {
  extensionId: string;
  manifest: Manifest;
  wasm: Uint8Array;
  libraryPath: string;
  deviceId?: string;
  quota?: ModelQuota;
  limits?: Partial<SandboxLimits>;
  /** Extism config of every plugin instance (`settings` = the settings as one JSON object, see `settingsToConfig`). */
  config?: Record<string, string>;
  onLog?: (level: string, text: string) => void;
  /** Core events the guest's calls caused (`{type: 'core-event'}`), for the runtime to forward to the main bus. */
  onCoreEvent?: (name: string, payload: unknown) => void;
  /**
   * Runs a `host:<operation>` task a job step asked for (heavy host work such as face detection, which a guest
   * cannot await inside a host call). Absent: such tasks fail (per key, see `StepInput.failedTasks`). A
   * CairnError whose code is one of {@link HOST_TASK_ITEM_ERRORS} is a failure of the task's item alone (not retried).
   */
  hostTask?: (task: string, input: unknown, signal: AbortSignal) => Promise<unknown>;
  /** The guest asked to queue one of its own declared jobs (`job.start`, already checked by the bridge). */
  onStartJob?: (job: string, input: unknown) => void;
  /** Test and telemetry seam: called after each task export returned (before its completion is committed). */
  afterTask?: (key: string) => void;
}

/** The scheduler job type name of an extension's job: `ext:<extension id>:<job name>`. */
export function extensionJobName(extensionId: string, jobName: string): string {
  return `ext:${extensionId}:${jobName}`;
}

/**
 * Registers every job the manifest declares on a scheduler (as {@link extensionJobName}). Enqueue with the
 * extension id as owner: `scheduler.enqueue(extensionJobName(id, 'analyze'), guestInput, { owner: id })`.
 *
 * @example
 * registerExtensionJobs(scheduler, { extensionId, manifest, wasm, libraryPath: lib.path });
 */
export function registerExtensionJobs(scheduler: { register(name: string, def: JobDefinition<unknown, ExtensionJobCheckpoint>): void }, options: ExtensionJobOptions): string[] {
  return options.manifest.jobs.map((job) => {
    const name = extensionJobName(options.extensionId, job.name);
    scheduler.register(name, defineExtensionJob(options, job.name));
    return name;
  });
}

/**
 * The scheduler job type that runs one declared extension job by STEPS, because a guest export cannot re-enter
 * its own plugin instance:
 *
 * 1. the host calls the job export with `{input, checkpoint, completedTasks, failedTasks, step}`;
 * 2. the guest returns `{checkpoint?, progress?, tasks?: [{key, task, input}], done}` (it may also call
 *    `job.checkpoint`, `job.progress`, `job.runTask` and `job.isInterrupted` through vdfs_call during the step);
 * 3. the host saves `{guest checkpoint, requested tasks}` as the job's durable checkpoint, runs the tasks through
 *    the scheduler's `runTask` (the manifest's `retries` and `timeout_ms`; each task export called on a pool of
 *    `parallelism` plugin instances), and calls the job export again with their results, until `done`.
 *
 * After a restart the job resumes from that checkpoint: the requested tasks run again through `runTask`, which
 * returns stored results for the ones already completed, so completed tasks never run twice. Effects a task
 * writes through the bridge commit as they happen; tasks make them idempotent with keyed model creates
 * (`models.createForContent({key})`), so a task interrupted mid-way and run again adds no duplicate.
 *
 * Failure modes: the job fails with `VALIDATION` when the guest's step output is not valid JSON of the shape
 * above or names an undeclared task; with the task's error when one of the guest's own tasks fails after its
 * retries; with the sandbox's error (TIMEOUT, INTERNAL trap) when the job export fails. A failing HOST task
 * never fails the job: its key reaches the next step in `failedTasks` (`{code, message}`), the other keys in
 * `completedTasks`. An interruption (stop, pause, cancel) is neither: the job is left to resume.
 *
 * @example
 * scheduler.register(extensionJobName(id, 'analyze'), defineExtensionJob({ extensionId: id, manifest, wasm, libraryPath }, 'analyze'));
 */
export function defineExtensionJob(options: ExtensionJobOptions, jobName: string): JobDefinition<unknown, ExtensionJobCheckpoint> {
  const job = options.manifest.jobs.find((j) => j.name === jobName);
  if (!job) throw new CairnError('NOT_FOUND', `Extension ${options.extensionId} declares no job named ${jobName}.`);
  return defineJob<unknown, ExtensionJobCheckpoint>({
    input: z.unknown(),
    checkpoint: ExtensionJobCheckpoint,
    concurrency: job.parallelism,
    run: (ctx) => new ExtensionJobRun(options, exportNames.job(job), job.parallelism, ctx).run(),
  });
}

/** One run of an extension job (until done, failure or interruption). */
class ExtensionJobRun {
  readonly #options: ExtensionJobOptions;
  readonly #jobExport: string;
  readonly #size: number;
  readonly #ctx: JobContext<unknown, ExtensionJobCheckpoint>;
  readonly #flag = new SharedArrayBuffer(4);
  readonly #plugins: SandboxedPlugin[] = [];
  readonly #free: SandboxedPlugin[] = [];
  readonly #waiting: ((p: SandboxedPlugin | null) => void)[] = [];
  #starting = 0;
  /** Set when the run ends: plugins that finish starting afterwards are closed, and no call waits for one. */
  #closed = false;
  /** What the guest sent through job.* during the current step. */
  #stepEvents: { checkpoint?: unknown; tasks: TaskRequest[] } = { tasks: [] };

  constructor(options: ExtensionJobOptions, jobExport: string, size: number, ctx: JobContext<unknown, ExtensionJobCheckpoint>) {
    this.#options = options;
    this.#jobExport = jobExport;
    this.#size = size;
    this.#ctx = ctx;
  }

  async run(): Promise<void> {
    const ctx = this.#ctx;
    const onAbort = () => Atomics.store(new Int32Array(this.#flag), 0, 1);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (ctx.signal.aborted) onAbort();
    let state: ExtensionJobCheckpoint = ctx.resumedFrom ?? { step: 0, guest: null, tasks: [] };
    try {
      for (;;) {
        ctx.throwIfInterrupted();
        const results = await this.#runTasks(state.tasks);
        const completedTasks: Record<string, unknown> = {};
        const failedTasks: Record<string, { code: string; message: string }> = {};
        for (const [key, value] of Object.entries(results)) {
          const failure = itemErrorOf(value);
          if (failure) failedTasks[key] = failure;
          else completedTasks[key] = value;
        }
        const out = await this.#step({ input: ctx.input, checkpoint: state.guest, completedTasks, failedTasks, step: state.step });
        if (out.progress) ctx.progress(out.progress);
        const tasks = dedupe([...(out.tasks ?? []), ...this.#stepEvents.tasks]);
        const guest = out.checkpoint !== undefined ? out.checkpoint : this.#stepEvents.checkpoint !== undefined ? this.#stepEvents.checkpoint : state.guest;
        state = { step: state.step + 1, guest, tasks };
        ctx.checkpoint(state);
        if (out.done) {
          await this.#runTasks(tasks);
          return;
        }
      }
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      this.#closed = true;
      for (const waiting of this.#waiting.splice(0)) waiting(null);
      await Promise.all(this.#plugins.map((p) => p.close()));
    }
  }

  /**
   * Calls a guest export. When the job is being interrupted (stop, pause, cancel), a call that fails because its
   * plugin was closed under it is the interruption, not a failure of the guest: it rejects with the job signal's
   * reason, so the scheduler leaves the task to resume without consuming an attempt.
   */
  async #call(exportName: string, input: string, timeoutMs?: number): Promise<Uint8Array> {
    const plugin = await this.#acquire();
    try {
      return await plugin.call(exportName, input, timeoutMs === undefined ? {} : { timeoutMs });
    } catch (error) {
      if (this.#ctx.signal.aborted && (this.#closed || (error instanceof SandboxError && error.kind === 'closed'))) throw this.#ctx.signal.reason;
      throw error;
    } finally {
      this.#release(plugin);
    }
  }

  async #step(input: StepInput): Promise<StepOutput> {
    this.#stepEvents = { tasks: [] };
    const bytes = await this.#call(this.#jobExport, JSON.stringify(input));
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new CairnError('VALIDATION', `The job export ${this.#jobExport} did not return JSON.`);
    }
    const out = StepOutput.safeParse(parsed);
    if (!out.success) throw new CairnError('VALIDATION', `The job export ${this.#jobExport} returned ${z.prettifyError(out.error)}`);
    return out.data;
  }

  async #runTasks(tasks: TaskRequest[]): Promise<Record<string, unknown>> {
    if (tasks.length === 0) return {};
    const decls = new Map(this.#options.manifest.tasks.map((t) => [t.name, t]));
    const isHost = (t: TaskRequest) => t.task.startsWith('host:');
    for (const t of tasks) if (!isHost(t) && !decls.has(t.task)) throw new CairnError('VALIDATION', `The job asked for task ${t.task}, which the manifest does not declare.`);
    const settled = await Promise.allSettled(
      tasks.map((t) => {
        if (isHost(t)) {
          const hostTask = this.#options.hostTask;
          const signal = this.#ctx.signal;
          return this.#ctx.runTask(
            t.key,
            async ({ signal }) => {
              if (!hostTask) throw new CairnError('INTERNAL', `Host tasks such as ${t.task} are not available here.`);
              try {
                return { result: (await hostTask(t.task, t.input, signal)) ?? null };
              } catch (error) {
                const code = (error as { code?: unknown } | null)?.code;
                if (typeof code !== 'string' || !HOST_TASK_ITEM_ERRORS.includes(code) || signal.aborted) throw error;
                return { result: { [ITEM_ERROR_KEY]: { code, message: (error as Error).message } } };
              }
            },
            { retries: HOST_TASK_RETRIES, timeoutMs: 300_000 },
          ).catch((error: unknown) => {
            // Out of retries (or failed in an earlier run): this key's failure, handed to the next step.
            if (!(error instanceof TaskFailedError) || signal.aborted) throw error;
            return { [ITEM_ERROR_KEY]: { code: error.code, message: error.message } };
          });
        }
        const decl = decls.get(t.task)!;
        return this.#ctx.runTask(
          t.key,
          async ({ key }) => {
            const out = await this.#call(exportNames.task(decl), JSON.stringify({ key, input: t.input }), decl.timeout_ms);
            this.#options.afterTask?.(key);
            const text = new TextDecoder().decode(out);
            return { result: text.length === 0 ? null : (JSON.parse(text) as unknown) };
          },
          { retries: decl.retries, timeoutMs: decl.timeout_ms },
        );
      }),
    );
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return Object.fromEntries(tasks.map((t, i) => [t.key, (settled[i] as PromiseFulfilledResult<unknown>).value]));
  }

  /** A plugin from the pool, starting one while fewer than `parallelism` exist. */
  async #acquire(): Promise<SandboxedPlugin> {
    if (this.#closed) throw this.#interrupted();
    const free = this.#free.pop();
    if (free) return free;
    if (this.#plugins.length + this.#starting < this.#size) {
      this.#starting++;
      try {
        const hostInit: BridgeInit = { libraryPath: this.#options.libraryPath, job: { interruptFlag: this.#flag } };
        if (this.#options.deviceId) hostInit.deviceId = this.#options.deviceId;
        if (this.#options.quota) hostInit.quota = this.#options.quota;
        const plugin = await SandboxedPlugin.start({
          extensionId: this.#options.extensionId,
          wasm: this.#options.wasm,
          hostModulePath: BRIDGE_HOST_MODULE,
          hostInit,
          limits: this.#options.limits,
          ...(this.#options.config ? { config: this.#options.config } : {}),
          onEvent: (e) => this.#onEvent(e as BridgeEvent),
          onLog: this.#options.onLog,
        });
        if (this.#closed) {
          // The run ended while this plugin started: it would otherwise live on, unclosed, next to the next run.
          await plugin.close();
          throw this.#interrupted();
        }
        this.#plugins.push(plugin);
        return plugin;
      } finally {
        this.#starting--;
      }
    }
    const plugin = await new Promise<SandboxedPlugin | null>((resolve) => this.#waiting.push(resolve));
    if (!plugin) throw this.#interrupted();
    return plugin;
  }

  #interrupted(): unknown {
    return this.#ctx.signal.aborted ? this.#ctx.signal.reason : new CairnError('CANCELLED', `The job ${this.#jobExport} ended.`);
  }

  #release(plugin: SandboxedPlugin): void {
    if (this.#closed) return;
    const next = this.#waiting.shift();
    if (next) next(plugin);
    else this.#free.push(plugin);
  }

  #onEvent(event: BridgeEvent): void {
    switch (event.type) {
      case 'job.checkpoint':
        this.#stepEvents.checkpoint = event.state;
        break;
      case 'job.progress': {
        const p = jobProgressSchema.safeParse(event.progress);
        if (p.success) this.#ctx.progress(p.data);
        else this.#options.onLog?.('warn', 'job.progress: ignored a malformed progress report');
        break;
      }
      case 'job.runTask': {
        const t = TaskRequest.safeParse(event);
        if (t.success) this.#stepEvents.tasks.push(t.data);
        break;
      }
      case 'log':
        this.#options.onLog?.(event.level, event.message);
        break;
      case 'core-event':
        this.#options.onCoreEvent?.(event.name, event.payload);
        break;
      case 'job.start':
        this.#options.onStartJob?.(event.job, event.input);
        break;
      default:
        break;
    }
  }
}

function dedupe(tasks: TaskRequest[]): TaskRequest[] {
  const seen = new Set<string>();
  return tasks.filter((t) => !seen.has(t.key) && seen.add(t.key));
}
