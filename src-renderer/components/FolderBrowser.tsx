import { useEffect, useState } from 'react';
import type { FolderListing } from '../../src-shared/contract';
import { errorMessage, getBridge } from '../bridge/get-bridge';
import { Icon } from './Icon';
import './folder-browser.css';

/** True when `child` is `root` or below it (segment aware), for either separator. */
export function isInsideFolder(child: string, root: string): boolean {
  const trim = (p: string) => p.replace(/[\\/]+$/, '');
  const c = trim(child);
  const r = trim(root);
  return c === r || c.startsWith(`${r}/`) || c.startsWith(`${r}\\`);
}

/** `child` relative to `root` with forward slashes ('' for the root itself); null when it is not inside. */
export function relativeFolder(child: string, root: string): string | null {
  if (!isInsideFolder(child, root)) return null;
  return child
    .replace(/[\\/]+$/, '')
    .slice(root.replace(/[\\/]+$/, '').length)
    .split(/[\\/]+/)
    .filter(Boolean)
    .join('/');
}

/**
 * Browses folders on the machine through `locations.browseFolders` (the headless shell has no native picker,
 * and a web page cannot see real paths). Shows one folder's subfolders; opening one lists it, “Up” goes to the
 * parent. With `root`, browsing stays inside that folder and links (which may lead outside) are not offered.
 * A folder that cannot be listed shows the error and leaves the current listing as it was.
 */
export function FolderBrowser({
  start,
  root,
  label = 'Folder browser',
  chooseLabel = 'Choose this folder',
  onChoose,
  onCancel,
}: {
  start?: string | undefined;
  root?: string | undefined;
  label?: string;
  chooseLabel?: string;
  onChoose(path: string): void;
  onCancel(): void;
}) {
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showHidden, setShowHidden] = useState(false);
  const [busy, setBusy] = useState(false);

  const open = async (target: string | undefined, hidden = showHidden): Promise<boolean> => {
    setBusy(true);
    try {
      const next = await getBridge().invoke('locations.browseFolders', { ...(target ? { path: target } : {}), showHidden: hidden });
      if (root && !isInsideFolder(next.path, root)) {
        setError('That folder is outside this location.');
        return false;
      }
      setListing(next);
      setError(null);
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    // Only the starting folder: later moves are the user's. A start that cannot be listed (a half-typed
    // path) falls back to the home folder, keeping its error on show.
    void (async () => {
      if ((await open(start ?? root)) || root || !start) return;
      if (await open(undefined)) setError(`Could not open ${start}; showing your home folder instead.`);
    })();
  }, []);

  const atTop = !listing || listing.parent === null || (root !== undefined && relativeFolder(listing.path, root) === '');
  const folders = listing ? listing.folders.filter((f) => !(root && f.symlink)) : [];
  const where = listing ? (root ? relativeFolder(listing.path, root) || '(the whole location)' : listing.path) : '…';

  return (
    <div className="folder-browser" role="region" aria-label={label}>
      <div className="folder-browser-bar">
        <button type="button" className="small-button" disabled={atTop || busy} onClick={() => listing?.parent && void open(listing.parent)} aria-label="Up one folder">
          <Icon name="up" /> Up
        </button>
        <span className="folder-browser-path" aria-label="Current folder" title={listing?.path}>
          {/* Cut from the left, so the end of a long path stays visible. */}
          <bdi>{where}</bdi>
        </span>
        <label className="inline-check">
          <input
            type="checkbox"
            checked={showHidden}
            onChange={(e) => {
              setShowHidden(e.target.checked);
              if (listing) void open(listing.path, e.target.checked);
            }}
          />{' '}
          Hidden folders
        </label>
      </div>
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      {listing && (
        <ul className="folder-browser-list" aria-label="Subfolders" aria-busy={busy}>
          {folders.length === 0 && <li className="muted">No subfolders here.</li>}
          {folders.map((f) => (
            <li key={f.path}>
              <button type="button" className="folder-browser-item" disabled={busy} onClick={() => void open(f.path)}>
                <Icon name="folder" /> {f.name}
                {f.symlink && <span className="muted small"> (link)</span>}
              </button>
            </li>
          ))}
          {listing.truncated && <li className="muted small">Only the first {listing.folders.length} folders are shown.</li>}
        </ul>
      )}
      <div className="folder-browser-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={!listing || busy} onClick={() => listing && onChoose(listing.path)}>
          {chooseLabel}
        </button>
      </div>
    </div>
  );
}
