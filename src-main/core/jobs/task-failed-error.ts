import { CairnError, isErrorCode } from '../../../src-shared/errors.js';

/**
 * Thrown by `ctx.runTask` when a task has used up its retries (or failed in an earlier run of the job).
 * A job that lets it escape fails; a job that catches it may carry on and complete. Its code is the code of
 * the last attempt's error when that is a Cairn code (e.g. `TIMEOUT`), else `INTERNAL`.
 *
 * @example
 * try { await ctx.runTask('thumb:1', makeThumb); } catch (e) { if (e instanceof TaskFailedError) skipped.push(e.taskKey); else throw e; }
 */
export class TaskFailedError extends CairnError {
  readonly taskKey: string;
  readonly attempts: number;

  constructor(taskKey: string, attempts: number, lastError: { code: string; message: string }) {
    super(
      isErrorCode(lastError.code) ? lastError.code : 'INTERNAL',
      `Task "${taskKey}" failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${lastError.message}`,
    );
    this.name = 'TaskFailedError';
    this.taskKey = taskKey;
    this.attempts = attempts;
  }
}
