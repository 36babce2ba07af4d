import { useState, type FormEvent } from 'react';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { FolderBrowser } from '../../components/FolderBrowser';
import { useAppStore } from '../../stores/app-store';

/**
 * Adds a folder to the current library. In Electron it offers the native folder picker; in a browser
 * (headless shell), where a web page cannot see real folder paths, the user types the path or browses the
 * machine's folders through `locations.browseFolders`.
 */
export function AddLocationDialog({ onClose }: { onClose: () => void }) {
  const canPick = useAppStore((s) => s.shell?.canPickFolders ?? false);
  const addLocation = useAppStore((s) => s.addLocation);
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [browsing, setBrowsing] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!path.trim()) return setError('Type the full path of a folder, e.g. /home/you/Pictures.');
    setBusy(true);
    const problem = await addLocation(path.trim());
    setBusy(false);
    if (problem) setError(problem);
    else onClose();
  };

  const pick = async () => {
    try {
      const picked = await getBridge().invoke('shell.pickFolder', { title: 'Add a folder to Cairn' });
      if (picked.path) setPath(picked.path);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <div className="dialog-backdrop" onMouseDown={onClose}>
      <form className="dialog" role="dialog" aria-modal="true" aria-labelledby="add-location-title" onSubmit={submit} onMouseDown={(e) => e.stopPropagation()}>
        <h2 id="add-location-title">Add a location</h2>
        <p className="muted">Cairn indexes the folder and keeps it up to date. It never changes your files without asking.</p>
        <label className="field">
          <span>Folder path</span>
          <div className="field-row">
            <input autoFocus aria-label="Folder path" placeholder="/home/you/Pictures" value={path} onChange={(e) => setPath(e.target.value)} />
            {canPick ? (
              <button type="button" onClick={() => void pick()}>
                Choose…
              </button>
            ) : (
              <button type="button" aria-expanded={browsing} onClick={() => setBrowsing((v) => !v)}>
                Browse…
              </button>
            )}
          </div>
        </label>
        {browsing && (
          <FolderBrowser
            start={path.trim() || undefined}
            chooseLabel="Use this folder"
            onCancel={() => setBrowsing(false)}
            onChoose={(chosen) => {
              setPath(chosen);
              setError(null);
              setBrowsing(false);
            }}
          />
        )}
        {error && (
          <p className="dialog-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add location'}
          </button>
        </div>
      </form>
    </div>
  );
}
