import { useEffect, useId, useState } from 'react';
import { getBridge } from '../../bridge/get-bridge';
import { FolderBrowser, relativeFolder } from '../../components/FolderBrowser';
import { Icon } from '../../components/Icon';
import { useAppStore } from '../../stores/app-store';

/** A folder a grant covers: a whole location (`subpath` "") or a subfolder of it. */
export interface ScopeChoice {
  locationId: string;
  subpath: string;
}

/** Trims slashes and refuses climbing paths; returns null when the subfolder cannot be used. */
export function cleanSubpath(raw: string): string | null {
  const parts = raw.trim().replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return null;
  return parts.join('/');
}

/** All locations, whole: the default a file permission starts from. */
export function wholeLocations(locationIds: string[]): ScopeChoice[] {
  return locationIds.map((locationId) => ({ locationId, subpath: '' }));
}

/**
 * Which folders a file permission covers: one checkbox per location of the library; each location can be
 * narrowed to subfolders: typed (with its top-level folders suggested) or chosen in a folder browser that
 * stays inside the location.
 */
export function ScopePicker({ value, onChange, label }: { value: ScopeChoice[]; onChange(next: ScopeChoice[]): void; label: string }) {
  const locations = useAppStore((s) => s.locations);
  if (locations.length === 0) return <p className="muted">This library has no locations yet, so there is nothing to give access to.</p>;
  return (
    <ul className="scope-list" aria-label={label}>
      {locations.map((loc) => {
        const mine = value.filter((s) => s.locationId === loc.id);
        const on = mine.length > 0;
        const whole = mine.some((s) => s.subpath === '');
        const others = value.filter((s) => s.locationId !== loc.id);
        return (
          <ScopeRow
            key={loc.id}
            name={loc.name}
            path={loc.path}
            libraryLocationId={loc.id}
            on={on}
            whole={whole}
            subpaths={mine.filter((s) => s.subpath !== '').map((s) => s.subpath)}
            onToggle={(checked) => onChange(checked ? [...others, { locationId: loc.id, subpath: '' }] : others)}
            onSubpaths={(subpaths) =>
              onChange([...others, ...(subpaths.length === 0 ? [{ locationId: loc.id, subpath: '' }] : subpaths.map((subpath) => ({ locationId: loc.id, subpath })))])
            }
          />
        );
      })}
    </ul>
  );
}

function ScopeRow(props: {
  name: string;
  path: string;
  libraryLocationId: string;
  on: boolean;
  whole: boolean;
  subpaths: string[];
  onToggle(checked: boolean): void;
  onSubpaths(subpaths: string[]): void;
}) {
  const { name, path, on, whole, subpaths, onToggle, onSubpaths, libraryLocationId } = props;
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [browsing, setBrowsing] = useState(false);
  const folders = useTopFolders(open ? libraryLocationId : null);
  const listId = useId();

  const add = (raw: string) => {
    const clean = cleanSubpath(raw);
    if (clean === null) return setProblem('A subfolder cannot go up with “..”.');
    if (clean === '') return setProblem('Type a folder inside the location, e.g. Holidays/2024.');
    setProblem(null);
    setTyped('');
    if (!subpaths.includes(clean)) onSubpaths([...subpaths, clean]);
    if (!on) onToggle(true);
  };

  return (
    <li className={`scope-row${on ? ' on' : ''}`}>
      <div className="scope-main">
        <label className="check-row scope-check">
          <input type="checkbox" checked={on} onChange={(e) => onToggle(e.target.checked)} aria-label={`Allow ${name}`} />
          <Icon name="folder" />
          <span className="scope-name">{name}</span>
        </label>
        <span className="scope-extent muted" title={path}>
          {!on ? 'No access' : whole ? 'Whole location' : subpaths.length === 1 ? `Only ${subpaths[0]}` : `Only ${subpaths.length} folders`}
        </span>
        <button type="button" className="link-button scope-toggle" aria-expanded={open} onClick={() => setOpen((v) => !v)} aria-label={`Choose subfolders of ${name}`}>
          {open ? 'Done' : 'Subfolders…'}
        </button>
      </div>
      {open && (
        <div className="scope-sub">
          {subpaths.length > 0 && (
            <ul className="scope-chips" aria-label={`Subfolders of ${name}`}>
              {subpaths.map((sp) => (
                <li key={sp} className="chip">
                  <span>{sp}</span>
                  <button type="button" className="chip-remove" aria-label={`Remove ${sp}`} onClick={() => onSubpaths(subpaths.filter((x) => x !== sp))}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
          <div className="field-row">
            <input
              list={listId}
              value={typed}
              placeholder="Subfolder, e.g. Holidays/2024"
              aria-label={`Subfolder of ${name}`}
              onChange={(e) => setTyped(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  add(typed);
                }
              }}
            />
            <datalist id={listId}>
              {folders.map((f) => (
                <option key={f} value={f} />
              ))}
            </datalist>
            <button type="button" onClick={() => add(typed)}>
              Add
            </button>
            <button type="button" aria-expanded={browsing} onClick={() => setBrowsing((v) => !v)} aria-label={`Browse folders of ${name}`}>
              Browse…
            </button>
          </div>
          {browsing && (
            <FolderBrowser
              root={path}
              label={`Folders of ${name}`}
              chooseLabel="Add this folder"
              onCancel={() => setBrowsing(false)}
              onChoose={(chosen) => {
                const rel = relativeFolder(chosen, path);
                setBrowsing(false);
                if (rel === null) return setProblem('That folder is outside this location.');
                if (rel === '') {
                  // The location itself: the whole of it.
                  setProblem(null);
                  if (on) onSubpaths([]);
                  else onToggle(true);
                  return;
                }
                add(rel);
              }}
            />
          )}
          {problem && <p className="inline-error">{problem}</p>}
          <p className="muted small">{subpaths.length === 0 ? 'Add a subfolder to narrow access to it instead of the whole location.' : 'Remove every subfolder to give access to the whole location again.'}</p>
        </div>
      )}
    </li>
  );
}

/** The top-level folder names of a location (for suggestions), fetched when a row opens. */
function useTopFolders(locationId: string | null): string[] {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const [folders, setFolders] = useState<string[]>([]);
  useEffect(() => {
    if (!locationId || !libraryId) return;
    let live = true;
    getBridge()
      .invoke('entries.list', { libraryId, locationId, parentId: null, sort: 'name', descending: false, offset: 0, limit: 500 })
      .then((r) => live && setFolders(r.items.filter((e) => e.kind === 'dir').map((e) => e.relPath)))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [locationId, libraryId]);
  return folders;
}
