import { JSON } from "json-as";
import { vdfsCall, vdfsCallRaw } from "./call";
import { Host } from "./host";
import { JsonObject } from "./json-writer";
import { Result, VdfsError } from "./result";

/** A task the previous step asked for, with its result (JSON). */
export class CompletedTask {
  constructor(public key: string, public result: JSON.Raw) {}
}

/**
 * A host task the previous step asked for that failed, with the error's code and message: at once when it failed
 * for its ITEM alone (an image the decoder cannot read: `NOT_SUPPORTED`; over a size limit: `VALIDATION`; an
 * entry gone: `NOT_FOUND`), after the host's retries for anything else (a crash: `INTERNAL`; `TIMEOUT`). The job
 * goes on: record the item (e.g. as an error on its model) instead of asking again.
 */
export class FailedTask {
  constructor(public key: string, public error: VdfsError) {}
}

/**
 * What the host passes to a job export on every step (docs/extension-runtime.md): the job's input, the
 * guest's last checkpoint, the results of the tasks the previous step asked for (by key) and the step number.
 */
@json
export class JobStepRequest {
  input: JSON.Raw = new JSON.Raw("null");
  checkpoint: JSON.Raw = new JSON.Raw("null");
  completedTasks: Map<string, JSON.Raw> = new Map<string, JSON.Raw>();
  failedTasks: Map<string, VdfsError> = new Map<string, VdfsError>();
  step: i32 = 0;
}

/**
 * The input of a task export: `{key, input}`. A task that fails (after the manifest's retries) fails the job.
 *
 * @example
 * export function task_note(): i32 {
 *   const call = TaskCall.read<NoteInput>();
 *   // call.key, call.input …
 *   Host.output<NoteResult>(result);
 *   return 0;
 * }
 */
export class TaskCall<T> {
  key: string = "";
  input!: T;

  /** Parses this call's input as a task call. */
  static read<T>(): TaskCall<T> {
    const raw = Host.input<TaskEnvelope>();
    const call = new TaskCall<T>();
    call.key = raw.key;
    call.input = JSON.parse<T>(raw.input.toString());
    return call;
  }
}

@json
class TaskEnvelope {
  key: string = "";
  input: JSON.Raw = new JSON.Raw("null");
}

/**
 * One step of a job in the host's step model. The host calls the job export with
 * `{input, checkpoint, completedTasks}`; the export reads it with `JobStep.read`, does a bounded amount of
 * work, asks for tasks with `runTask`, reports `progress`, and ends the step with `yieldStep(checkpoint)`
 * (call me again) or `finish()` (done). The host runs requested tasks (with the manifest's retries and
 * timeouts), persists the checkpoint, and calls the job again with their results, so an interrupted job
 * resumes from its last checkpoint. Task keys are idempotency keys: a key already completed is not rerun.
 *
 * @example
 * export function job_scan(): i32 {
 *   const step = JobStep.read<ScanInput, ScanState>();
 *   const state = step.checkpoint !== null ? step.checkpoint! : new ScanState();
 *   const page = vdfs.queryEntries(new EntryQuery().page(state.offset, 100));
 *   if (!page.ok) return Host.failWith(page.error!);
 *   for (let i = 0; i < page.value.items.length; i++) step.runTask<HashInput>("hash:" + page.value.items[i].id, "hash", …);
 *   state.offset += page.value.items.length;
 *   step.progress(state.offset, <i32>page.value.total, "scanning");
 *   return page.value.items.length == 0 ? step.finish() : step.yieldStep(state);
 * }
 */
export class JobStep<I, C> {
  /** The job's input (as given when the job was started). */
  input!: I;
  /** The last checkpoint, or null on the first step. */
  checkpoint: C | null = null;
  /** Results of the tasks the previous step asked for. */
  completed: CompletedTask[] = [];
  /** Host tasks of the previous step that failed, one entry per key (see FailedTask). */
  failed: FailedTask[] = [];
  /** The step number (0 on the first call). */
  step: i32 = 0;
  private tasks: string[] = [];
  private progressJson: string = "";

  /**
   * Parses this call's input as a job step. An input that is not a step request aborts the export.
   *
   * @example
   * const step = JobStep.read<MyInput, MyState>();
   */
  static read<I, C>(): JobStep<I, C> {
    const req = Host.input<JobStepRequest>();
    const step = new JobStep<I, C>();
    step.input = JSON.parse<I>(req.input.toString());
    const cp = req.checkpoint.toString();
    if (cp != "null") step.checkpoint = JSON.parse<C>(cp);
    const keys = req.completedTasks.keys();
    for (let i = 0; i < keys.length; i++) step.completed.push(new CompletedTask(keys[i], req.completedTasks.get(keys[i])));
    const failedKeys = req.failedTasks.keys();
    for (let i = 0; i < failedKeys.length; i++) step.failed.push(new FailedTask(failedKeys[i], req.failedTasks.get(failedKeys[i])));
    step.step = req.step;
    return step;
  }

  /** True when the task `key` completed in the previous step. */
  isCompleted(key: string): bool {
    for (let i = 0; i < this.completed.length; i++) if (this.completed[i].key == key) return true;
    return false;
  }

  /**
   * Why the host task `key` (asked for by the previous step) failed, or null when it did not.
   *
   * @example
   * const why = step.failure("faces:" + contentId);
   * if (why !== null) analysis.error = why.message;
   */
  failure(key: string): VdfsError | null {
    for (let i = 0; i < this.failed.length; i++) if (this.failed[i].key == key) return this.failed[i].error;
    return null;
  }

  /**
   * The result of the task `key` (asked for by the previous step) as `R`; `NOT_FOUND` when there is none.
   *
   * @example
   * const r = step.result<HashOutput>("hash:" + id);
   */
  result<R>(key: string): Result<R> {
    for (let i = 0; i < this.completed.length; i++) {
      const t = this.completed[i];
      if (t.key != key) continue;
      return Result.success<R>(JSON.parse<R>(t.result.toString()));
    }
    return Result.failure<R>("NOT_FOUND", "task " + key + " has not completed");
  }

  /**
   * Asks the host to run the task export `task` (a manifest `tasks` name) with `input`, under the idempotency
   * key `key`. The result arrives in `completed` on a later step.
   *
   * @example
   * step.runTask<TagInput>("tag:" + entry.id, "tag_one", input);
   */
  runTask<TI>(key: string, task: string, input: TI): JobStep<I, C> {
    this.tasks.push(new JsonObject().str("key", key).str("task", task).raw("input", JSON.stringify<TI>(input)).toString());
    return this;
  }

  /**
   * Asks the host to run the host operation `operation` (`ai.detectFaces`, `ai.embed`,
   * `places.reverseGeocode`) as the task `host:<operation>` under `key`: heavy host work a guest cannot await
   * inside a host call. The host checks the extension's permissions (UseModel declared and granted; an entry
   * inside the ReadEntries grant) and the operation's result (the contract's output, JSON) arrives in
   * `completed` on the next step. A failure arrives in `failed` under its key instead, and the job goes on: at
   * once for a failure of the item alone (`NOT_SUPPORTED` undecodable, `VALIDATION` too large, `NOT_FOUND`),
   * after two retries for any other (a crash, a timeout).
   *
   * @example
   * step.runHostTask<DetectInput>("faces:" + contentId, "ai.detectFaces", input);
   */
  runHostTask<TI>(key: string, operation: string, input: TI): JobStep<I, C> {
    return this.runTask<TI>(key, "host:" + operation, input);
  }

  /** Number of tasks requested in this step so far. */
  get pendingTasks(): i32 {
    return this.tasks.length;
  }

  /**
   * Reports progress with this step's answer (the host throttles what the UI sees).
   *
   * @example
   * step.progress(done, total, "tagging");
   */
  progress(completed: i32, total: i32, message: string = ""): JobStep<I, C> {
    this.progressJson = new JsonObject().num("completed", completed).num("total", total).str("message", message).toString();
    return this;
  }

  private answer(done: bool, checkpointJson: string | null): i32 {
    const o = new JsonObject().bool("done", done);
    if (checkpointJson !== null) o.raw("checkpoint", checkpointJson);
    if (this.progressJson.length > 0) o.raw("progress", this.progressJson);
    if (this.tasks.length > 0) o.raw("tasks", "[" + this.tasks.join(",") + "]");
    Host.outputString(o.toString());
    return 0;
  }

  /**
   * Ends this step and asks to be called again, after the requested tasks ran, with `checkpoint` persisted.
   * Returns 0, the export's success code.
   */
  yieldStep(checkpoint: C): i32 {
    return this.answer(false, JSON.stringify<C>(checkpoint));
  }

  /** Ends the job (after any tasks requested in this step). Returns 0. */
  finish(): i32 {
    return this.answer(true, null);
  }
}

/**
 * Host calls a job can make in the middle of a step (`job.*` methods). Outside a job run they return
 * `NOT_SUPPORTED`.
 */
export namespace jobs {
  /**
   * Persists a checkpoint now, without ending the step (for long steps).
   *
   * @example
   * jobs.checkpoint<ScanState>(state);
   */
  export function checkpoint<C>(state: C): VdfsError | null {
    return vdfsCallRaw("job.checkpoint", new JsonObject().raw("state", JSON.stringify<C>(state)).toString()).error;
  }

  /**
   * Reports progress now (throttled by the host).
   *
   * @example
   * jobs.progress(40, 100, "hashing");
   */
  export function progress(completed: i32, total: i32, message: string = ""): VdfsError | null {
    return vdfsCallRaw("job.progress", new JsonObject().num("completed", completed).num("total", total).str("message", message).toString()).error;
  }

  /**
   * Queues one of this extension's OWN jobs (a manifest `jobs` name) with `input`: how a hook hands work that
   * needs host tasks (face detection, geocoding) to a job. Works from hooks, init and jobs. Fails with
   * `PERMISSION_DENIED` for a job the manifest does not declare or an extension that is not active.
   *
   * @example
   * const err = jobs.start<AnalyzeInput>("analyze_photos", input);
   * if (err !== null) log.warn(err.message);
   */
  export function start<T>(job: string, input: T): VdfsError | null {
    return vdfsCallRaw("job.start", new JsonObject().str("job", job).raw("input", JSON.stringify<T>(input)).toString()).error;
  }

  /**
   * True when the job was paused or cancelled: checkpoint and return from the step soon.
   *
   * @example
   * if (jobs.isInterrupted().value) return step.yieldStep(state);
   */
  export function isInterrupted(): Result<bool> {
    return vdfsCall<bool>("job.isInterrupted", "{}");
  }
}
