import { useEffect, useState, type ReactNode } from 'react';
import type { JobSummary } from '../../../src-shared/contract';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/ProgressBar';
import { plural } from '../../components/format';
import { ExtensionIcon } from '../store/ExtensionIcon';
import { useExtensionsStore } from '../store/extensions-store';
import { IndexerProblems } from './IndexerProblems';
import { etaMs, isActive, progressFraction, useJobsStore } from './jobs-store';
import { formatDuration, formatEta, formatWhen } from './time-format';

const STATUS_LABEL: Record<JobSummary['status'], string> = {
  queued: 'Waiting',
  running: 'Running',
  paused: 'Paused',
  completed: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Re-renders every second while shown, so ETAs and "5 min ago" stay current. */
function useTick(active: boolean) {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [active]);
}

/** The jobs slide-over: running, waiting and paused jobs with controls; finished ones with their outcome. */
export function JobsPanel() {
  const open = useJobsStore((s) => s.panelOpen);
  const close = useJobsStore((s) => s.closePanel);
  const jobs = useJobsStore((s) => s.jobs);
  const loaded = useJobsStore((s) => s.loaded);
  const locationStatus = useJobsStore((s) => s.locationStatus);
  const clearFinished = useJobsStore((s) => s.clearFinished);
  const refreshLocationStatus = useJobsStore((s) => s.refreshLocationStatus);
  useTick(open);

  useEffect(() => {
    if (!open) return;
    void refreshLocationStatus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, close, refreshLocationStatus]);

  if (!open) return null;
  const running = jobs.filter((j) => j.status === 'running');
  const waiting = jobs.filter((j) => j.status === 'queued' || j.status === 'paused');
  const finished = jobs.filter((j) => !isActive(j));

  return (
    <aside className="jobs-panel" role="dialog" aria-label="Jobs" aria-modal="false">
      <header className="jobs-header">
        <h2>Jobs</h2>
        <span className="muted">{running.length > 0 ? `${running.length} running` : waiting.length > 0 ? `${waiting.length} waiting` : 'All done'}</span>
        <div className="toolbar-spacer" />
        <button type="button" className="ghost-button" aria-label="Close jobs" title="Close (Esc)" onClick={close}>
          <Icon name="close" size={16} />
        </button>
      </header>
      <div className="jobs-body">
        {!loaded && <p className="muted jobs-empty">Loading…</p>}
        {loaded && jobs.length === 0 && (
          <div className="jobs-empty">
            <Icon name="check" size={28} />
            <p>No jobs. Indexing and other long work will show up here.</p>
          </div>
        )}
        {running.length > 0 && <JobSection title="Running" jobs={running} />}
        {waiting.length > 0 && <JobSection title="Waiting and paused" jobs={waiting} />}
        <IndexerProblems locations={locationStatus} />
        {finished.length > 0 && (
          <JobSection
            title="Finished"
            jobs={finished}
            action={
              <button type="button" className="link-button" onClick={() => void clearFinished()}>
                Clear finished
              </button>
            }
          />
        )}
      </div>
    </aside>
  );
}

function JobSection({ title, jobs, action }: { title: string; jobs: JobSummary[]; action?: ReactNode }) {
  return (
    <section className="jobs-section" aria-label={title}>
      <div className="jobs-section-heading">
        <h3>{title}</h3>
        {action}
      </div>
      <ul className="job-list">
        {jobs.map((job) => (
          <JobCard key={job.id} job={job} />
        ))}
      </ul>
    </section>
  );
}

function progressText(job: JobSummary): string {
  const p = job.progress;
  if (!p) return job.status === 'queued' ? 'Waiting to start' : '';
  if ('indeterminate' in p) return '';
  const pct = progressFraction(p);
  return `${p.completed.toLocaleString()} of ${p.total.toLocaleString()}${pct === null ? '' : ` · ${Math.round(pct * 100)}%`}`;
}

/** For an extension's job, its icon and name (from the installed extensions' contributions); nothing for the core's. */
function JobOwner({ owner }: { owner: string }) {
  const extension = useExtensionsStore((s) => s.contributions.find((c) => c.extensionId === owner));
  if (owner === 'core') return null;
  const name = extension?.name ?? owner;
  return (
    <span className="job-owner" title={`From the extension ${name}`}>
      <ExtensionIcon name={name} url={extension?.iconUrl} size={18} />
      <span className="job-owner-name">{name}</span>
    </span>
  );
}

function JobCard({ job }: { job: JobSummary }) {
  const busy = useJobsStore((s) => !!s.busy[job.id]);
  const control = useJobsStore((s) => s.control);
  const active = isActive(job);
  const fraction = progressFraction(job.progress);
  const eta = etaMs(job);
  const message = job.progress?.message;

  return (
    <li className={`job-card status-${job.status}`} aria-label={job.title}>
      <div className="job-title-row">
        <JobOwner owner={job.owner} />
        <span className="job-title">{job.title}</span>
        <span className={`job-status ${job.status}`}>{STATUS_LABEL[job.status]}</span>
      </div>
      {active && (
        <>
          <div className={`job-bar${job.status === 'paused' ? ' paused' : ''}`}>
            <ProgressBar fraction={job.status === 'running' ? fraction : (fraction ?? 0)} label={`${job.title}: ${progressText(job) || STATUS_LABEL[job.status]}`} />
          </div>
          {(progressText(job) || eta !== null) && (
            <div className="job-meta">
              <span>{progressText(job)}</span>
              {eta !== null && <span className="job-eta">{formatEta(eta)}</span>}
            </div>
          )}
          {message ? <div className="job-message">{message}</div> : !progressText(job) && <div className="job-message">{job.status === 'running' ? 'Working…' : 'Nothing done yet'}</div>}
          <div className="job-actions">
            {job.status === 'paused' ? (
              <button type="button" className="small-button" disabled={busy} onClick={() => void control(job.id, 'resume')}>
                Resume
              </button>
            ) : (
              <button type="button" className="small-button" disabled={busy} onClick={() => void control(job.id, 'pause')}>
                Pause
              </button>
            )}
            <button type="button" className="small-button danger" disabled={busy} onClick={() => void control(job.id, 'cancel')}>
              Cancel
            </button>
          </div>
        </>
      )}
      {!active && <FinishedDetails job={job} busy={busy} onRetry={() => void control(job.id, 'retry')} />}
    </li>
  );
}

function FinishedDetails({ job, busy, onRetry }: { job: JobSummary; busy: boolean; onRetry(): void }) {
  const [open, setOpen] = useState(false);
  const facts: string[] = [];
  if (job.durationMs !== null) facts.push(`took ${formatDuration(job.durationMs)}`);
  if (job.finishedAt !== null) facts.push(formatWhen(job.finishedAt));
  if (job.tasks.total > 0) facts.push(`${plural(job.tasks.completed, 'task')} done${job.tasks.failed ? `, ${job.tasks.failed} failed` : ''}`);
  return (
    <>
      <div className="job-meta">
        <span>{facts.join(' · ')}</span>
      </div>
      {job.progress?.message && job.status === 'completed' && <div className="job-message">{job.progress.message}</div>}
      {(job.errors.length > 0 || job.status === 'failed') && (
        <div className="job-actions">
          {job.errors.length > 0 && (
            <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen((v) => !v)}>
              {open ? 'Hide' : 'Show'} {plural(job.errors.length, 'error')}
            </button>
          )}
          <div className="toolbar-spacer" />
          {job.status === 'failed' && (
            <button type="button" className="small-button" disabled={busy} onClick={onRetry}>
              Retry
            </button>
          )}
        </div>
      )}
      {open && (
        <ul className="job-errors">
          {job.errors.map((e, i) => (
            <li key={i}>
              <div>{e.message}</div>
              <div className="muted small">
                {e.code}
                {e.task ? ` · task ${e.task}` : ''}
                {e.attempt ? ` · attempt ${e.attempt}` : ''} · {formatWhen(e.at)}
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
