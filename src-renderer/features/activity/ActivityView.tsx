import { useCallback, useEffect, useRef, useState } from 'react';
import type { ActionAuditEntry, ActionStatus } from '../../../src-shared/contract';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { Icon } from '../../components/Icon';
import { plural } from '../../components/format';
import { useAppStore } from '../../stores/app-store';
import { useActionsStore } from '../actions/actions-store';
import { formatWhen } from '../jobs/time-format';

const PAGE = 100;
const DEBOUNCE_MS = 200;

const STATUS: Record<ActionStatus, { label: string; tone: 'ok' | 'bad' | 'busy' | 'muted' }> = {
  previewed: { label: 'Previewed', tone: 'muted' },
  expired: { label: 'Expired', tone: 'muted' },
  committing: { label: 'Applying', tone: 'busy' },
  committed: { label: 'Applied', tone: 'ok' },
  verified: { label: 'Applied', tone: 'ok' },
  failed: { label: 'Failed', tone: 'bad' },
  undoing: { label: 'Undoing', tone: 'busy' },
  undone: { label: 'Undone', tone: 'muted' },
};

function who(row: ActionAuditEntry): string {
  return row.caller.kind === 'user' ? (row.caller.via === 'cli' ? 'You (command line)' : 'You') : row.caller.extensionId;
}

/** `{ tagged: 40, skipped: 0 }` → "tagged 40". */
function resultText(row: ActionAuditEntry): string {
  if (row.error) return row.error;
  const r = row.result;
  if (r === null || r === undefined) return '';
  if (typeof r !== 'object') return String(r);
  const parts = Object.entries(r as Record<string, unknown>)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
    .map(([k, v]) => `${k.replace(/([A-Z])/g, ' $1').toLowerCase()} ${typeof v === 'number' ? v.toLocaleString() : v}`);
  return parts.join(', ');
}

function targetCount(row: ActionAuditEntry): number {
  return row.changes.length;
}

/** The audit log: every committed action, by you or an extension, with Undo where it is possible. */
export function ActivityView() {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const undo = useActionsStore((s) => s.undo);
  const undoing = useActionsStore((s) => s.undoing);
  const [rows, setRows] = useState<ActionAuditEntry[] | null>(null);
  const [total, setTotal] = useState(0);
  const [limit, setLimit] = useState(PAGE);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(async () => {
    if (!libraryId) return;
    try {
      const page = await getBridge().invoke('actions.history', { libraryId, offset: 0, limit });
      setRows(page.items);
      setTotal(page.total);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [libraryId, limit]);

  useEffect(() => {
    void load();
    const off = getBridge().on('actions.onDidChange', ({ libraryId: lib }) => {
      if (lib !== libraryId || timer.current) return;
      timer.current = setTimeout(() => {
        timer.current = null;
        void load();
      }, DEBOUNCE_MS);
    });
    return () => {
      off();
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [load, libraryId]);

  return (
    <div className="activity">
      <header className="activity-header">
        <h1>Activity</h1>
        <p className="muted">Everything applied to this library through previews: by you, from the command line, or by extensions. Undo what can be undone.</p>
      </header>
      {error && <p className="inline-error">{error}</p>}
      {!rows && !error && <p className="muted">Loading…</p>}
      {rows && rows.length === 0 && (
        <div className="empty-state">
          <Icon name="check" size={36} />
          <h2>Nothing yet</h2>
          <p>Tag, move, rename or trash a selection and it shows up here.</p>
        </div>
      )}
      {rows && rows.length > 0 && (
        <table className="activity-table" aria-label="Activity">
          <thead>
            <tr>
              <th>What</th>
              <th>Who</th>
              <th className="num">Items</th>
              <th>Status</th>
              <th>When</th>
              <th>Result</th>
              <th aria-label="Undo" />
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const status = STATUS[row.status];
              return (
                <tr key={row.id} className={row.status === 'undone' ? 'undone' : undefined} aria-label={row.summary}>
                  <td className="activity-what">
                    <span className="activity-summary">{row.summary}</span>
                    {row.owner !== 'core' && <span className="muted small"> · {row.owner}</span>}
                  </td>
                  <td>{who(row)}</td>
                  <td className="num">{targetCount(row).toLocaleString()}</td>
                  <td>
                    <span className={`status-pill ${status.tone}`}>{status.label}</span>
                  </td>
                  <td title={new Date(row.updatedAt).toLocaleString()}>{formatWhen(row.updatedAt)}</td>
                  <td className="activity-result" title={resultText(row)}>
                    {resultText(row)}
                  </td>
                  <td className="activity-undo">
                    {row.canUndo && (
                      <button type="button" className="small-button" disabled={!!undoing[row.id]} onClick={() => void undo(row.id).then(() => load())}>
                        {undoing[row.id] ? 'Undoing…' : 'Undo'}
                      </button>
                    )}
                    {!row.canUndo && !row.reversible && (row.status === 'verified' || row.status === 'committed') && <span className="muted small">Cannot be undone</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {rows && total > rows.length && (
        <button type="button" className="more" onClick={() => setLimit((l) => Math.min(500, l + PAGE))} disabled={limit >= 500}>
          Show more ({plural(total - rows.length, 'older action')})
        </button>
      )}
    </div>
  );
}
