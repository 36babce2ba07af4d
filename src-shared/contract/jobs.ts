import { z } from 'zod';
import { action, query } from './define.js';
import { Id, LibraryRef } from './common.js';

export const JOB_STATUSES = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export const JobStatus = z.enum(JOB_STATUSES);

/** Counted work, or "busy, total unknown". */
export const JobProgress = z.union([
  z.object({ completed: z.number(), total: z.number(), bytes: z.number().optional(), message: z.string().optional() }),
  z.object({ indeterminate: z.literal(true), message: z.string().optional() }),
]);
export type JobProgress = z.infer<typeof JobProgress>;

export const JobSummary = z.object({
  id: Id,
  libraryId: Id,
  name: z.string(),
  /** A human title, e.g. "Index Pictures". */
  title: z.string(),
  owner: z.string(),
  status: JobStatus,
  priority: z.number(),
  progress: JobProgress.nullable(),
  errors: z.array(z.object({ at: z.number(), code: z.string(), message: z.string(), task: z.string().optional(), attempt: z.number().optional() })),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  tasks: z.object({ total: z.number(), pending: z.number(), running: z.number(), completed: z.number(), failed: z.number() }),
});
export type JobSummary = z.infer<typeof JobSummary>;

const JobRef = LibraryRef.extend({ jobId: Id }).strict();

export const jobOperations = {
  'jobs.list': query({
    summary: 'List running, queued, paused and finished jobs of a library, newest first',
    input: LibraryRef.extend({ status: z.array(JobStatus).optional() }).strict(),
    output: z.array(JobSummary),
  }),
  'jobs.get': query({ summary: 'One job', input: JobRef, output: JobSummary }),
  'jobs.pause': action({ summary: 'Pause a queued or running job (it resumes from its last checkpoint)', input: JobRef, output: JobSummary }),
  'jobs.resume': action({ summary: 'Resume a paused job', input: JobRef, output: JobSummary }),
  'jobs.cancel': action({ summary: 'Cancel a job; work done so far stays consistent', input: JobRef, output: JobSummary }),
  'jobs.retry': action({ summary: 'Run a failed job again; completed tasks are not repeated', input: JobRef, output: JobSummary }),
  'jobs.clearFinished': action({
    summary: 'Remove completed, failed and cancelled jobs from the history',
    input: LibraryRef.strict(),
    output: z.object({ cleared: z.number() }),
  }),
} as const;

export const jobEvents = {
  /** A job changed status (queued, running, paused, completed, failed, cancelled). */
  'jobs.onDidChange': z.object({ libraryId: Id, jobId: Id, name: z.string(), owner: z.string(), status: JobStatus, error: z.string().optional() }),
  /** Progress of a running job, throttled to about every 100 ms. */
  'jobs.onDidProgress': z.object({ libraryId: Id, jobId: Id, name: z.string(), owner: z.string(), progress: JobProgress }),
} as const;
