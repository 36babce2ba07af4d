import { useState } from 'react';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { useAppStore } from '../../stores/app-store';

/** Asks whether to keep or delete an extension's data, then uninstalls it. */
export function UninstallDialog({ id, name, onClose, onDone }: { id: string; name: string; onClose(): void; onDone?(): void }) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const [keepData, setKeepData] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const uninstall = async () => {
    if (!libraryId) return;
    setBusy(true);
    try {
      await getBridge().invoke('extensions.uninstall', { libraryId, id, keepData });
      onDone?.();
      onClose();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };
  return (
    <div className="dialog-backdrop" onMouseDown={onClose}>
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="uninstall-title" onMouseDown={(e) => e.stopPropagation()}>
        <h2 id="uninstall-title">Uninstall {name}?</h2>
        <p className="muted">Its code, permissions and settings are removed. Your files are never touched.</p>
        <fieldset className="choice-group">
          <legend>What it stored in this library</legend>
          <label className="choice">
            <input type="radio" name="keep" checked={keepData} onChange={() => setKeepData(true)} />
            <span>
              <strong>Keep its data</strong>
              <span className="muted"> — results it computed stay, and reinstalling finds them again.</span>
            </span>
          </label>
          <label className="choice">
            <input type="radio" name="keep" checked={!keepData} onChange={() => setKeepData(false)} />
            <span>
              <strong>Delete its data</strong>
              <span className="muted"> — its models, their tags and collection items are deleted. This cannot be undone.</span>
            </span>
          </label>
        </fieldset>
        {error && (
          <p className="dialog-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary danger" disabled={busy} onClick={() => void uninstall()}>
            {busy ? 'Uninstalling…' : 'Uninstall'}
          </button>
        </div>
      </div>
    </div>
  );
}
