import { useEffect } from 'react';
import { Icon } from '../../components/Icon';
import { useActionsStore } from './actions-store';

const VISIBLE_MS = 10_000;

/** "Tagged 40 items · Undo", bottom centre, for a few seconds after an action. */
export function UndoToast() {
  const toast = useActionsStore((s) => s.toast);
  const dismiss = useActionsStore((s) => s.dismissToast);
  const undo = useActionsStore((s) => s.undo);
  const undoing = useActionsStore((s) => (toast?.auditId ? !!s.undoing[toast.auditId] : false));

  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => {
      if (useActionsStore.getState().toast?.id === toast.id) dismiss();
    }, VISIBLE_MS);
    return () => clearTimeout(t);
  }, [toast, dismiss]);

  if (!toast) return null;
  return (
    <div className={`toast ${toast.tone}`} role="status" aria-live="polite" aria-label="Notification">
      <Icon name={toast.tone === 'warning' ? 'warning' : 'check'} />
      <span className="toast-message">{toast.message}</span>
      {toast.auditId && (
        <button type="button" className="toast-action" disabled={undoing} onClick={() => void undo(toast.auditId!)}>
          {undoing ? 'Undoing…' : 'Undo'}
        </button>
      )}
      <button type="button" className="toast-close" aria-label="Dismiss" onClick={dismiss}>
        <Icon name="close" />
      </button>
    </div>
  );
}
