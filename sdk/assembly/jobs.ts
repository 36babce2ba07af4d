import { JSON } from "json-as";
import { vdfsCall, vdfsCallRaw } from "./call";
import { Host } from "./host";
import { JsonObject } from "./json-writer";
import { Result, VdfsError } from "./result";

/** A task the host ran for this job since it started: its key, result (JSON) or error value. */
@json
export class CompletedTask {
  key: string = "";
  result: JSON.Raw = new JSON.Raw("null");
  error: VdfsError | null = null;
}

/** What the host passes to a job export on every step. */
@json
export class JobStepRequest {
  input: JSON.Raw = new JSON.Raw("null");
  checkpoint: JSON.Raw = new JSON.Raw("null");
  completedTasks: CompletedTask[] = [];
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
  /** Tasks completed so far, with their results. */
  completed: CompletedTask[] = [];
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
    step.completed = req.completedTasks;
    return step;
  }

  /** True when a task with `key` has completed (successfully or not). */
  isCompleted(key: string): bool {
    for (let i = 0; i < this.completed.length; i++) if (this.completed[i].key == key) return true;
    return false;
  }

  /**
   * The result of the completed task `key` as `R`; `NOT_FOUND` when it has not completed, or the task's
   * own error value when it failed after its retries.
   *
   * @example
   * const r = step.result<HashOutput>("hash:" + id);
   */
  result<R>(key: string): Result<R> {
    for (let i = 0; i < this.completed.length; i++) {
      const t = this.completed[i];
      if (t.key != key) continue;
      if (t.error !== null) return Result.from<R>(t.error!);
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

/** Whether the host wants the job to stop (paused, cancelled, shutting down). */
@json
export class Interrupted {
  interrupted: bool = false;
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
    return vdfsCallRaw("job.checkpoint", new JsonObject().raw("checkpoint", JSON.stringify<C>(state)).toString()).error;
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
   * True when the job was paused or cancelled: checkpoint and return from the step soon.
   *
   * @example
   * if (jobs.isInterrupted().value) return step.yieldStep(state);
   */
  export function isInterrupted(): Result<bool> {
    const r = vdfsCall<Interrupted>("job.isInterrupted", "{}");
    if (!r.ok) return Result.from<bool>(r.error!);
    return Result.success<bool>(r.value.interrupted);
  }
}
