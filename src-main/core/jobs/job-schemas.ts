import { z } from 'zod';
import { JOB_STATUSES } from '../../../src-shared/contract/jobs.js';

/** Every job status, declared once in the contract. Terminal ones are in {@link FINISHED_JOB_STATUSES}. */
export { JOB_STATUSES };
/** A job's status, e.g. `'running'`. */
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Statuses a job never leaves on its own; `clearFinished()` removes jobs in them. */
export const FINISHED_JOB_STATUSES = ['completed', 'failed', 'cancelled'] as const satisfies readonly JobStatus[];
/** `'completed' | 'failed' | 'cancelled'`. */
export type FinishedJobStatus = (typeof FINISHED_JOB_STATUSES)[number];

/** Every task status. */
export const TASK_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;
/** A task's status: `pending` (not run, or waiting to retry), `running`, `completed`, `failed` (retries used up). */
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * What a job reports while it runs: counted work, or "busy, total unknown".
 *
 * @example
 * jobProgressSchema.parse({ completed: 3, total: 10, message: 'Hashing' });
 * jobProgressSchema.parse({ indeterminate: true, message: 'Listing folders' });
 */
export const jobProgressSchema = z.union([
  z.object({
    completed: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    bytes: z.number().nonnegative().optional(),
    message: z.string().max(1000).optional(),
  }),
  z.object({
    indeterminate: z.literal(true),
    message: z.string().max(1000).optional(),
  }),
]);
/** A progress report, e.g. `{ completed: 3, total: 10 }` or `{ indeterminate: true }`. */
export type JobProgress = z.infer<typeof jobProgressSchema>;

/**
 * One recorded failure of a job: a task attempt that threw or timed out, or the job's own failure.
 *
 * @example
 * jobErrorSchema.parse({ at: Date.now(), code: 'TIMEOUT', message: 'Task "a" timed out after 50 ms', task: 'a', attempt: 1 });
 */
export const jobErrorSchema = z.object({
  at: z.number(),
  code: z.string(),
  message: z.string(),
  task: z.string().optional(),
  attempt: z.number().int().optional(),
});
/** One entry of a job's error history (see {@link jobErrorSchema}). */
export type JobErrorEntry = z.infer<typeof jobErrorSchema>;

/** The `errors` column: newest last, capped at {@link MAX_JOB_ERRORS}. */
export const jobErrorsSchema = z.array(jobErrorSchema);

/** How many error entries a job keeps; older ones are dropped first. */
export const MAX_JOB_ERRORS = 100;

/** What `owner` may hold: `core` or an extension id (reverse-DNS-ish, lowercase). */
export const jobOwnerSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,199}$/, 'owner must be "core" or an extension id');
