import cliProgress from 'cli-progress';
import { Option, type Command } from 'commander';
import type { InputOf, JobSummary, OperationName, OutputOf } from '../../src-shared/contract/index.js';
import { JOB_STATUSES } from '../../src-shared/contract/index.js';
import { CairnError } from '../../src-shared/errors.js';
import { printTable } from './print.js';

/** What the `jobs` and `action` commands need from `runCli`. */
export interface CliDeps {
  io: { out: NodeJS.WritableStream & { isTTY?: boolean }; err: NodeJS.WritableStream };
  call: <N extends OperationName>(name: N, input: InputOf<N>) => Promise<OutputOf<N>>;
  libraryId: (ref: string | undefined) => Promise<string>;
  emit: (value: unknown, human: () => void) => void;
  json: () => boolean;
}

const FINISHED = new Set(['completed', 'failed', 'cancelled']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `3/10` or `…`, and an optional message. */
function progressText(job: JobSummary): string {
  const p = job.progress;
  if (!p) return '';
  const count = 'indeterminate' in p ? '…' : `${p.completed}/${p.total}`;
  return p.message ? `${count} ${p.message}` : count;
}

function jobRow(job: JobSummary): string[] {
  return [job.id.slice(0, 8), job.title, job.status, progressText(job), `${job.tasks.completed}/${job.tasks.total}`, job.errors.at(-1)?.message ?? ''];
}

/**
 * Resolves a job id or a unique prefix of one (at least 4 characters), as `cairn jobs list` shows them.
 * Fails `NOT_FOUND` or `CONFLICT` (ambiguous prefix).
 */
export async function resolveJobId(d: CliDeps, libraryId: string, ref: string): Promise<string> {
  const jobs = await d.call('jobs.list', { libraryId });
  const exact = jobs.find((j) => j.id === ref);
  if (exact) return exact.id;
  const matches = ref.length >= 4 ? jobs.filter((j) => j.id.startsWith(ref)) : [];
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length > 1) throw new CairnError('CONFLICT', `Several jobs start with "${ref}"; give more of the id.`);
  throw new CairnError('NOT_FOUND', `No job with id "${ref}". See \`cairn jobs list\`.`);
}

/**
 * Adds `cairn jobs list|pause|resume|cancel|retry|clear|wait`. `list --watch` and `wait` poll the library
 * (the job may run in this process or, under the scheduler lease, in another one such as the app) and show
 * live progress bars on a terminal, plain lines otherwise.
 *
 * @example
 * registerJobsCommands(program, { io, call, libraryId, emit, json });
 */
export function registerJobsCommands(program: Command, d: CliDeps): void {
  const libOption = () => new Option('-l, --library <library>', 'library name or id (default: the default library)');
  const jobs = program.command('jobs').description('list and control background jobs (indexing, extension jobs)');

  jobs
    .command('list')
    .description('list jobs, newest first')
    .addOption(libOption())
    .addOption(new Option('--status <statuses...>', 'only jobs in these statuses').choices([...JOB_STATUSES]))
    .option('-w, --watch', 'keep watching until no job is queued or running')
    .action(async (opts: { library?: string; status?: (typeof JOB_STATUSES)[number][]; watch?: boolean }) => {
      const libraryId = await d.libraryId(opts.library);
      const list = () => d.call('jobs.list', { libraryId, ...(opts.status ? { status: opts.status } : {}) });
      if (!opts.watch) {
        const all = await list();
        d.emit(all, () => printTable(d.io.out, ['ID', 'JOB', 'STATUS', 'PROGRESS', 'TASKS', 'LAST ERROR'], all.map(jobRow)));
        return;
      }
      await watch(d, list);
    });

  const control = (verb: 'pause' | 'resume' | 'cancel' | 'retry', description: string, past: string) =>
    jobs
      .command(verb)
      .description(description)
      .argument('<job>', 'job id (or a unique prefix of 4+ characters)')
      .addOption(libOption())
      .action(async (ref: string, opts: { library?: string }) => {
        const libraryId = await d.libraryId(opts.library);
        const jobId = await resolveJobId(d, libraryId, ref);
        const job = await d.call(`jobs.${verb}`, { libraryId, jobId });
        d.emit(job, () => d.io.out.write(`${past} ${job.title} (${job.id}): ${job.status}\n`));
      });
  control('pause', 'pause a queued or running job (it resumes from its last checkpoint)', 'Paused');
  control('resume', 'resume a paused job', 'Resumed');
  control('cancel', 'cancel a job; work done so far stays consistent', 'Cancelled');
  control('retry', 'run a failed job again; completed tasks are not repeated', 'Retrying');

  jobs
    .command('clear')
    .description('remove completed, failed and cancelled jobs from the list')
    .addOption(libOption())
    .action(async (opts: { library?: string }) => {
      const result = await d.call('jobs.clearFinished', { libraryId: await d.libraryId(opts.library) });
      d.emit(result, () => d.io.out.write(`Cleared ${result.cleared} finished job${result.cleared === 1 ? '' : 's'}\n`));
    });

  jobs
    .command('wait')
    .description('wait for a job to finish, showing its progress; fails if the job fails or is cancelled')
    .argument('<job>', 'job id (or a unique prefix of 4+ characters)')
    .addOption(libOption())
    .action(async (ref: string, opts: { library?: string }) => {
      const libraryId = await d.libraryId(opts.library);
      const jobId = await resolveJobId(d, libraryId, ref);
      const done = await waitForJob(d, libraryId, jobId);
      d.emit(done, () => d.io.out.write(`${done.title}: ${done.status}${done.durationMs !== null ? ` in ${(done.durationMs / 1000).toFixed(1)} s` : ''}\n`));
      if (done.status !== 'completed') {
        throw new CairnError(done.status === 'cancelled' ? 'CANCELLED' : 'INTERNAL', `Job ${done.title} ${done.status}${done.errors.length ? `: ${done.errors.at(-1)!.message}` : ''}.`);
      }
    });
}

/** Polls one job until it finishes: a progress bar on a terminal, a line per change otherwise. */
export async function waitForJob(d: CliDeps, libraryId: string, jobId: string): Promise<JobSummary> {
  const tty = !d.json() && d.io.out.isTTY === true;
  const bar = tty
    ? new cliProgress.SingleBar({ format: '{bar} {percentage}% | {title} {status} {message}', stream: d.io.out as NodeJS.WriteStream, hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  let started = false;
  let last = '';
  try {
    for (;;) {
      const job = await d.call('jobs.get', { libraryId, jobId });
      const p = job.progress;
      if (bar) {
        const total = p && !('indeterminate' in p) ? Math.max(1, p.total) : 1;
        const value = p && !('indeterminate' in p) ? p.completed : 0;
        const payload = { title: job.title, status: job.status, message: p?.message ?? '' };
        if (!started) bar.start(total, value, payload);
        else {
          bar.setTotal(total);
          bar.update(value, payload);
        }
        started = true;
      } else if (!d.json()) {
        const line = `${job.title}: ${job.status} ${progressText(job)}`.trimEnd();
        if (line !== last) d.io.out.write(line + '\n');
        last = line;
      }
      if (FINISHED.has(job.status)) return job;
      await sleep(150);
    }
  } finally {
    bar?.stop();
  }
}

/** Polls the job list until nothing is queued or running: one bar per active job on a terminal, lines otherwise. */
async function watch(d: CliDeps, list: () => Promise<JobSummary[]>): Promise<void> {
  const tty = !d.json() && d.io.out.isTTY === true;
  const bars = tty
    ? new cliProgress.MultiBar({ format: '{bar} {percentage}% | {title} {status} {message}', stream: d.io.out as NodeJS.WriteStream, hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic)
    : undefined;
  const shown = new Map<string, cliProgress.SingleBar>();
  const lastLine = new Map<string, string>();
  try {
    for (;;) {
      const all = await list();
      const active = all.filter((j) => !FINISHED.has(j.status) && j.status !== 'paused');
      for (const job of all) {
        if (FINISHED.has(job.status) && !shown.has(job.id) && !lastLine.has(job.id)) continue; // old history
        const p = job.progress;
        if (bars) {
          const total = p && !('indeterminate' in p) ? Math.max(1, p.total) : 1;
          const value = p && !('indeterminate' in p) ? p.completed : FINISHED.has(job.status) ? 1 : 0;
          const payload = { title: job.title, status: job.status, message: p?.message ?? '' };
          const bar = shown.get(job.id) ?? bars.create(total, value, payload);
          shown.set(job.id, bar);
          bar.setTotal(total);
          bar.update(value, payload);
        } else {
          const line = `${job.id.slice(0, 8)} ${job.title}: ${job.status} ${progressText(job)}`.trimEnd();
          if (lastLine.get(job.id) !== line) {
            if (d.json()) d.io.out.write(JSON.stringify(job) + '\n');
            else d.io.out.write(line + '\n');
          }
          lastLine.set(job.id, line);
        }
      }
      if (active.length === 0) {
        if (!bars && lastLine.size === 0 && !d.json()) d.io.out.write('No job is queued or running.\n');
        return;
      }
      await sleep(300);
    }
  } finally {
    bars?.stop();
  }
}
