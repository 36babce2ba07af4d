import { useShallow } from 'zustand/react/shallow';
import { ProgressBar } from '../../components/ProgressBar';
import { plural } from '../../components/format';
import { useJobsStore } from './jobs-store';

/** Overall progress of the running jobs: counted work summed over jobs; null when none is counted. */
function overall(jobs: { status: string; progress: unknown }[]): number | null {
  let completed = 0;
  let total = 0;
  for (const job of jobs) {
    const p = job.progress as { completed?: number; total?: number } | null;
    if (job.status !== 'running' || !p || typeof p.total !== 'number' || p.total <= 0) continue;
    completed += Math.min(p.completed ?? 0, p.total);
    total += p.total;
  }
  return total > 0 ? completed / total : null;
}

/** The status bar's jobs button: "2 jobs running · 43%" with a tiny bar; opens the jobs panel. */
export function JobsIndicator() {
  const { running, waiting, paused, failed, fraction } = useJobsStore(
    useShallow((s) => {
      const run = s.jobs.filter((j) => j.status === 'running');
      return {
        running: run.length,
        waiting: s.jobs.filter((j) => j.status === 'queued').length,
        paused: s.jobs.filter((j) => j.status === 'paused').length,
        failed: s.jobs.filter((j) => j.status === 'failed').length,
        fraction: overall(run),
      };
    }),
  );
  const open = useJobsStore((s) => s.panelOpen);
  const toggle = useJobsStore((s) => s.togglePanel);

  let text: string;
  if (running > 0) text = `${plural(running, 'job')} running${fraction !== null ? ` · ${Math.round(fraction * 100)}%` : ''}`;
  else if (waiting > 0) text = `${plural(waiting, 'job')} waiting`;
  else if (paused > 0) text = `${plural(paused, 'job')} paused`;
  else text = 'Jobs';

  return (
    <button
      type="button"
      className={`jobs-indicator${running > 0 ? ' busy' : ''}${open ? ' open' : ''}`}
      aria-expanded={open}
      aria-label={`Jobs: ${text === 'Jobs' ? 'none running' : text}`}
      title="Show jobs"
      onClick={toggle}
    >
      {running > 0 && (
        <span className="jobs-indicator-bar">
          <ProgressBar fraction={fraction} label="Overall progress" />
        </span>
      )}
      <span>{text}</span>
      {failed > 0 && running === 0 && <span className="jobs-indicator-failed">{failed} failed</span>}
    </button>
  );
}
