import { create } from 'zustand';
import type { IndexerLocationStatus, JobProgress, JobSummary } from '../../../src-shared/contract';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { useAppStore } from '../../stores/app-store';

/** The job type of a location's index run (`src-shared/contract/indexer.ts`). */
export const INDEX_JOB = 'indexer.location';

const REFETCH_DEBOUNCE_MS = 200;
/** Progress samples older than this do not count towards the rate (so the ETA follows the current pace). */
const RATE_WINDOW_MS = 15_000;
/** No ETA until the rate has been measured over at least this long. */
const RATE_MIN_SPAN_MS = 1_500;

export const ACTIVE_STATUSES = ['queued', 'running', 'paused'] as const;

interface Sample {
  at: number;
  completed: number;
}

/** Rate bookkeeping of one running job. Reset when its total changes (a new phase counts different things). */
interface RateTrack {
  total: number;
  samples: Sample[];
}

export interface JobsState {
  /** Jobs of the current library, newest first, with live progress merged in. */
  jobs: JobSummary[];
  loaded: boolean;
  panelOpen: boolean;
  /** locationId per `indexer.location` job id, from `indexer.status`. */
  locationOfJob: Record<string, string>;
  /** The indexing state of every location (for error counts). */
  locationStatus: IndexerLocationStatus[];
  /** Jobs whose pause/resume/cancel/retry call is in flight. */
  busy: Record<string, boolean>;

  openPanel(): void;
  closePanel(): void;
  togglePanel(): void;
  refresh(): Promise<void>;
  refreshLocationStatus(): Promise<void>;
  control(jobId: string, verb: 'pause' | 'resume' | 'cancel' | 'retry'): Promise<void>;
  clearFinished(): Promise<void>;
}

const rates = new Map<string, RateTrack>();

function libraryId(): string | null {
  return useAppStore.getState().currentLibraryId;
}

/** Fraction done (0..1) of a progress value, or null when it is indeterminate or unknown. */
export function progressFraction(progress: JobProgress | null): number | null {
  if (!progress || 'indeterminate' in progress) return null;
  if (progress.total <= 0) return null;
  return Math.min(1, Math.max(0, progress.completed / progress.total));
}

function recordRate(jobId: string, progress: JobProgress) {
  if ('indeterminate' in progress) {
    rates.delete(jobId);
    return;
  }
  const now = Date.now();
  let track = rates.get(jobId);
  const last = track?.samples.at(-1);
  if (!track || track.total !== progress.total || (last && progress.completed < last.completed)) {
    track = { total: progress.total, samples: [] };
    rates.set(jobId, track);
  }
  track.samples.push({ at: now, completed: progress.completed });
  while (track.samples.length > 2 && now - track.samples[0]!.at > RATE_WINDOW_MS) track.samples.shift();
}

/**
 * Milliseconds left for a running job, from the rate of its recent progress; null when it cannot be known
 * (indeterminate, just started, or no progress in the window).
 */
export function etaMs(job: JobSummary): number | null {
  if (job.status !== 'running' || !job.progress || 'indeterminate' in job.progress) return null;
  const track = rates.get(job.id);
  if (!track || track.samples.length < 2) return null;
  const first = track.samples[0]!;
  const last = track.samples.at(-1)!;
  const span = last.at - first.at;
  const done = last.completed - first.completed;
  if (span < RATE_MIN_SPAN_MS || done <= 0) return null;
  const left = job.progress.total - job.progress.completed;
  if (left <= 0) return null;
  return (left / done) * span;
}

/**
 * Jobs of the current library, live from `jobs.onDidChange` (the list is refetched, debounced) and
 * `jobs.onDidProgress` (merged into the list), plus the indexing progress of locations in the app store.
 */
export const useJobsStore = create<JobsState>((set, get) => ({
  jobs: [],
  loaded: false,
  panelOpen: false,
  locationOfJob: {},
  locationStatus: [],
  busy: {},

  openPanel: () => set({ panelOpen: true }),
  closePanel: () => set({ panelOpen: false }),
  togglePanel: () => set({ panelOpen: !get().panelOpen }),

  async refresh() {
    const library = libraryId();
    if (!library) return set({ jobs: [], loaded: true });
    try {
      const jobs = await getBridge().invoke('jobs.list', { libraryId: library });
      if (libraryId() !== library) return;
      // Keep the newest live progress of running jobs: an event may have overtaken the list call.
      const live = new Map(get().jobs.map((j) => [j.id, j.progress]));
      const merged = jobs.map((j) => (j.status === 'running' && live.get(j.id) && !j.progress ? { ...j, progress: live.get(j.id)! } : j));
      set({ jobs: merged, loaded: true });
      const unknown = merged.some((j) => j.name === INDEX_JOB && isActive(j) && !get().locationOfJob[j.id]);
      if (unknown) await get().refreshLocationStatus();
      syncIndexing();
    } catch (error) {
      useAppStore.getState().reportError(errorMessage(error));
    }
  },

  async refreshLocationStatus() {
    const library = libraryId();
    if (!library) return;
    try {
      const status = await getBridge().invoke('indexer.status', { libraryId: library });
      if (libraryId() !== library) return;
      const locationOfJob = { ...get().locationOfJob };
      for (const s of status) if (s.runningJobId) locationOfJob[s.runningJobId] = s.locationId;
      set({ locationStatus: status, locationOfJob });
      syncIndexing();
    } catch (error) {
      useAppStore.getState().reportError(errorMessage(error));
    }
  },

  async control(jobId, verb) {
    const library = libraryId();
    if (!library) return;
    set({ busy: { ...get().busy, [jobId]: true } });
    try {
      const job = await getBridge().invoke(`jobs.${verb}`, { libraryId: library, jobId });
      set({ jobs: get().jobs.map((j) => (j.id === jobId ? job : j)) });
      syncIndexing();
    } catch (error) {
      useAppStore.getState().reportError(errorMessage(error));
    } finally {
      const busy = { ...get().busy };
      delete busy[jobId];
      set({ busy });
    }
  },

  async clearFinished() {
    const library = libraryId();
    if (!library) return;
    try {
      await getBridge().invoke('jobs.clearFinished', { libraryId: library });
      await get().refresh();
    } catch (error) {
      useAppStore.getState().reportError(errorMessage(error));
    }
  },
}));

export function isActive(job: JobSummary): boolean {
  return (ACTIVE_STATUSES as readonly string[]).includes(job.status);
}

/** A short label for a location's bar in the sidebar: "43%", "Paused", "Waiting", or the phase. */
function indexingLabel(job: JobSummary): string {
  if (job.status === 'paused') return 'Paused';
  if (job.status === 'queued') return 'Waiting…';
  const fraction = progressFraction(job.progress);
  if (fraction !== null) return `${Math.round(fraction * 100)}%`;
  const message = job.progress?.message ?? '';
  return message.split(':')[0] || 'Indexing…';
}

/** Makes the app store's `indexing` match the active `indexer.location` jobs. */
function syncIndexing() {
  const { jobs, locationOfJob } = useJobsStore.getState();
  const app = useAppStore.getState();
  const wanted = new Map<string, JobSummary>();
  for (const job of jobs) {
    const locationId = locationOfJob[job.id];
    if (job.name !== INDEX_JOB || !locationId || !isActive(job)) continue;
    // Several runs of one location: the running one wins.
    const other = wanted.get(locationId);
    if (!other || job.status === 'running') wanted.set(locationId, job);
  }
  for (const locationId of Object.keys(app.indexing)) if (!wanted.has(locationId)) app.setIndexing(locationId, null);
  for (const [locationId, job] of wanted) {
    const next = { fraction: job.status === 'running' ? progressFraction(job.progress) : (progressFraction(job.progress) ?? 0), label: indexingLabel(job) };
    const current = app.indexing[locationId];
    if (!current || current.fraction !== next.fraction || current.label !== next.label) app.setIndexing(locationId, next);
  }
}

/**
 * Subscribes to job events for the current library (no polling) and reloads on library switches.
 * Returns an unsubscribe function.
 */
export function startJobUpdates(): () => void {
  const bridge = getBridge();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let statusAfter = false;
  const schedule = (withStatus: boolean) => {
    statusAfter ||= withStatus;
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      const refreshStatus = statusAfter;
      statusAfter = false;
      void useJobsStore
        .getState()
        .refresh()
        .then(() => (refreshStatus ? useJobsStore.getState().refreshLocationStatus() : undefined));
    }, REFETCH_DEBOUNCE_MS);
  };
  const offs = [
    bridge.on('jobs.onDidChange', ({ libraryId: lib, jobId, name, status }) => {
      if (lib !== libraryId()) return;
      // Apply the status at once (the bar and buttons follow the click), then refetch the whole row.
      const { jobs } = useJobsStore.getState();
      if (jobs.some((j) => j.id === jobId)) {
        useJobsStore.setState({ jobs: jobs.map((j) => (j.id === jobId ? { ...j, status } : j)) });
        syncIndexing();
      }
      if (status !== 'running') rates.delete(jobId);
      const finished = status === 'completed' || status === 'failed' || status === 'cancelled';
      schedule(name === INDEX_JOB && (finished || status === 'queued'));
    }),
    bridge.on('jobs.onDidProgress', ({ libraryId: lib, jobId, progress }) => {
      if (lib !== libraryId()) return;
      recordRate(jobId, progress);
      const { jobs } = useJobsStore.getState();
      if (!jobs.some((j) => j.id === jobId)) return schedule(false);
      useJobsStore.setState({ jobs: jobs.map((j) => (j.id === jobId ? { ...j, progress, status: j.status === 'queued' ? 'running' : j.status } : j)) });
      syncIndexing();
    }),
    useAppStore.subscribe((state, prev) => {
      if (state.currentLibraryId === prev.currentLibraryId) return;
      rates.clear();
      for (const locationId of Object.keys(state.indexing)) state.setIndexing(locationId, null);
      useJobsStore.setState({ jobs: [], loaded: false, locationOfJob: {}, locationStatus: [] });
      schedule(true);
    }),
  ];
  if (libraryId()) schedule(true);
  return () => {
    if (timer !== null) clearTimeout(timer);
    for (const off of offs) off();
  };
}
