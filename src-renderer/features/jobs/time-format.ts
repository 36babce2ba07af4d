/** Durations and relative times for jobs and the activity log. */

/** "0.4 s", "12 s", "3 min 5 s", "1 h 4 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** "about 12 s left", rounded so the number does not flicker. */
export function formatEta(ms: number): string {
  if (ms < 5_000) return 'a few seconds left';
  if (ms < 60_000) return `about ${Math.ceil(ms / 5_000) * 5} s left`;
  if (ms < 3_600_000) return `about ${Math.ceil(ms / 60_000)} min left`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.round((ms % 3_600_000) / 60_000);
  return `about ${h} h ${m} min left`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayTimeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** "just now", "5 min ago", "14:02" today, "Mar 3, 14:02" before. */
export function formatWhen(at: number, now = Date.now()): string {
  const diff = now - at;
  if (diff < 45_000) return 'just now';
  if (diff < 3_600_000) return `${Math.round(diff / 60_000)} min ago`;
  const d = new Date(at);
  const today = new Date(now);
  if (d.toDateString() === today.toDateString()) return timeFormat.format(d);
  return dayTimeFormat.format(d);
}
