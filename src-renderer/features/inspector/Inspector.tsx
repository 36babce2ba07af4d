import { useEffect, useMemo, useState } from 'react';
import type { EntryDetail } from '../../../src-shared/contract';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { EntryThumb } from '../../components/EntryThumb';
import { Icon } from '../../components/Icon';
import { KindIcon, kindLabel } from '../../components/KindIcon';
import { formatBytes, formatCoordinates, formatDateTime, plural } from '../../components/format';
import { useAppStore } from '../../stores/app-store';
import { useExplorerStore } from '../../stores/explorer-store';
import { useTagsStore } from '../../stores/tags-store';
import { TagPicker } from '../tags/TagPicker';

/**
 * The right-hand pane: everything about the selected entry (preview, path, size, dates, camera data,
 * GPS, tags, notes, favourite, other copies), or a summary and the tag picker for a multiple selection.
 */
export function Inspector() {
  const selected = useExplorerStore((s) => s.selected);
  const items = useExplorerStore((s) => s.items);
  const toggle = useExplorerStore((s) => s.toggleInspector);

  const single = selected.size === 1 ? [...selected][0]! : null;
  return (
    <aside className="inspector" aria-label="Inspector">
      <header className="inspector-header">
        <h2>Info</h2>
        <button type="button" className="ghost-button" aria-label="Hide inspector" title="Hide inspector" onClick={toggle}>
          <Icon name="close" />
        </button>
      </header>
      {selected.size === 0 && <p className="inspector-empty">Select a file or folder to see its details.</p>}
      {single && <EntryInspector entryId={single} />}
      {selected.size > 1 && <MultiInspector selected={selected} items={items} />}
    </aside>
  );
}

function MultiInspector({ selected, items }: { selected: ReadonlySet<string>; items: ReturnType<typeof useExplorerStore.getState>['items'] }) {
  const { size, folders } = useMemo(() => {
    let bytes = 0;
    let dirs = 0;
    for (const item of items) {
      if (item && selected.has(item.id)) {
        bytes += item.size;
        if (item.kind === 'dir') dirs++;
      }
    }
    return { size: bytes, folders: dirs };
  }, [items, selected]);
  return (
    <div className="inspector-body">
      <div className="inspector-preview multi">
        <Icon name="copies" size={56} />
      </div>
      <h3 className="inspector-name">{plural(selected.size, 'item')} selected</h3>
      <dl className="facts">
        <dt>Total size</dt>
        <dd>{formatBytes(size)}</dd>
        {folders > 0 && (
          <>
            <dt>Folders</dt>
            <dd>{folders.toLocaleString()}</dd>
          </>
        )}
      </dl>
      <section className="inspector-section">
        <h4>Tags</h4>
        <TagPicker entryIds={[...selected]} />
      </section>
    </div>
  );
}

type SaveState = 'idle' | 'saving' | 'saved' | 'error';

function EntryInspector({ entryId }: { entryId: string }) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const locations = useAppStore((s) => s.locations);
  const dataVersion = useExplorerStore((s) => s.dataVersion);
  const reveal = useExplorerStore((s) => s.reveal);
  const openFolder = useExplorerStore((s) => s.openFolder);
  const removeTag = useTagsStore((s) => s.remove);
  const [detail, setDetail] = useState<EntryDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [noteDirty, setNoteDirty] = useState(false);
  const [saveState, setSaveState] = useState<SaveState>('idle');
  const [actionError, setActionError] = useState<string | null>(null);

  useEffect(() => {
    if (!libraryId) return;
    let cancelled = false;
    getBridge()
      .invoke('entries.get', { libraryId, entryId })
      .then((d) => {
        if (cancelled) return;
        setDetail(d);
        setError(null);
      })
      .catch((e: unknown) => !cancelled && setError(errorMessage(e)));
    return () => {
      cancelled = true;
    };
  }, [libraryId, entryId, dataVersion]);

  // A new entry (or fresh data while the user is not typing) resets the note field.
  useEffect(() => {
    if (detail && detail.entry.id === entryId && !noteDirty) setNote(detail.notes ?? '');
  }, [detail, entryId, noteDirty]);
  useEffect(() => {
    setNoteDirty(false);
    setSaveState('idle');
    setActionError(null);
  }, [entryId]);

  if (error) return <p className="inspector-empty inspector-error">{error}</p>;
  if (!detail || detail.entry.id !== entryId || !libraryId) return <p className="inspector-empty">Loading…</p>;
  const { entry, media } = detail;
  const locationName = (id: string) => locations.find((l) => l.id === id)?.name ?? 'Unknown location';

  const saveNote = async () => {
    if (!noteDirty) return;
    const value = note.trim() === '' ? null : note;
    setSaveState('saving');
    try {
      await getBridge().invoke('entries.setNote', { libraryId, entryId: entry.id, note: value });
      setNoteDirty(false);
      setSaveState('saved');
    } catch (e) {
      setSaveState('error');
      setActionError(errorMessage(e));
    }
  };

  const toggleFavorite = async () => {
    const favorite = !detail.favorite;
    setDetail({ ...detail, favorite });
    try {
      await getBridge().invoke('entries.setFavorite', { libraryId, entryId: entry.id, favorite });
    } catch (e) {
      setDetail({ ...detail });
      setActionError(errorMessage(e));
    }
  };

  const camera = [media?.cameraMake, media?.cameraModel].filter(Boolean).join(' ');
  const dimensions = media?.width && media?.height ? `${media.width} × ${media.height}` : null;

  return (
    <div className="inspector-body">
      <div className={`inspector-preview${entry.hasThumbnail ? ' has-image' : ''}`}>
        <EntryThumb key={entry.id} entry={entry} libraryId={libraryId} iconSize={72} />
      </div>
      <div className="inspector-title">
        <h3 className="inspector-name" title={entry.name}>
          {entry.name}
        </h3>
        <button
          type="button"
          className={`star-button${detail.favorite ? ' on' : ''}`}
          aria-pressed={detail.favorite}
          aria-label="Favourite"
          title={detail.favorite ? 'Remove from Favourites' : 'Add to Favourites'}
          onClick={() => void toggleFavorite()}
        >
          <Icon name={detail.favorite ? 'star-filled' : 'star'} size={18} />
        </button>
      </div>
      <p className="inspector-kind">
        <KindIcon entry={entry} size={12} /> {kindLabel(entry)}
      </p>
      {actionError && (
        <p className="inline-error" role="alert">
          {actionError}
        </p>
      )}
      {entry.kind === 'dir' && (
        <button type="button" className="tool-button wide" onClick={() => void openFolder(entry)}>
          <Icon name="folder" /> Open folder
        </button>
      )}

      <dl className="facts">
        <dt>Size</dt>
        <dd>
          {formatBytes(entry.size)}
          {entry.size >= 1000 && <span className="muted"> ({entry.size.toLocaleString()} bytes)</span>}
        </dd>
        <dt>Modified</dt>
        <dd>{formatDateTime(entry.modifiedAt)}</dd>
        <dt>Location</dt>
        <dd>{locationName(entry.locationId)}</dd>
        <dt>Path</dt>
        <dd className="path" title={detail.absolutePath}>
          {detail.absolutePath}
        </dd>
      </dl>

      {media && (camera || dimensions || media.capturedAt || media.latitude !== null) && (
        <section className="inspector-section" aria-label="Photo details">
          <h4>Photo</h4>
          <dl className="facts">
            {camera && (
              <>
                <dt>Camera</dt>
                <dd>{camera}</dd>
              </>
            )}
            {dimensions && (
              <>
                <dt>Dimensions</dt>
                <dd>{dimensions}</dd>
              </>
            )}
            {media.capturedAt && (
              <>
                <dt>Taken</dt>
                <dd>{formatDateTime(media.capturedAt)}</dd>
              </>
            )}
            {media.latitude !== null && media.longitude !== null && (
              <>
                <dt>GPS</dt>
                <dd>
                  <Icon name="pin" size={12} /> {formatCoordinates(media.latitude, media.longitude)}
                </dd>
              </>
            )}
          </dl>
        </section>
      )}

      <section className="inspector-section" aria-label="Tags">
        <h4>Tags</h4>
        {detail.tags.length > 0 && (
          <ul className="chips" aria-label="Tags of this item">
            {detail.tags.map((tag) => (
              <li key={`${tag.id}-${tag.scope}-${tag.source}`} className={`chip${tag.source !== 'user' ? ' auto' : ''}`}>
                <span className="chip-name">{tag.name}</span>
                <span className="chip-hint" title={tag.scope === 'content' ? 'On every copy of this content' : 'Only on this path'}>
                  {tag.scope === 'content' ? 'all copies' : 'this path'}
                </span>
                {tag.source !== 'user' && (
                  <span className="chip-hint" title={tag.sourceId ?? undefined}>
                    {tag.source === 'ai' ? 'AI' : 'extension'}
                    {tag.confidence !== null ? ` ${Math.round(tag.confidence * 100)}%` : ''}
                  </span>
                )}
                <button
                  type="button"
                  className="chip-remove"
                  aria-label={`Remove tag ${tag.name}`}
                  onClick={() => removeTag(tag.id, [entry.id], tag.scope).catch((e: unknown) => setActionError(e instanceof Error ? e.message : String(e)))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <TagPicker entryIds={[entry.id]} />
      </section>

      <section className="inspector-section">
        <h4>
          <label htmlFor="inspector-notes">Notes</label>
          <span className={`save-state ${saveState}`} aria-live="polite">
            {saveState === 'saving' ? 'Saving…' : saveState === 'saved' ? 'Saved' : saveState === 'error' ? 'Not saved' : ''}
          </span>
        </h4>
        <textarea
          id="inspector-notes"
          className="notes"
          placeholder={entry.contentId ? 'Add a note (shared by every copy)…' : 'Add a note…'}
          value={note}
          maxLength={20_000}
          onChange={(e) => {
            setNote(e.target.value);
            setNoteDirty(true);
            setSaveState('idle');
          }}
          onBlur={() => void saveNote()}
        />
      </section>

      {detail.content && (
        <section className="inspector-section" aria-label="All copies of this content">
          <h4>All copies of this content</h4>
          {detail.alternates.length === 0 ? (
            <p className="muted">This is the only copy.</p>
          ) : (
            <ul className="copies">
              {detail.alternates.map((alt) => (
                <li key={alt.id}>
                  <button type="button" className="copy-link" title={`Show ${alt.relPath}`} onClick={() => void reveal(alt.id)}>
                    <Icon name="location" size={12} />
                    <span className="copy-location">{locationName(alt.locationId)}</span>
                    <span className="copy-path">{alt.relPath}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          <p className="muted small">Content {detail.content.hash}</p>
        </section>
      )}
    </div>
  );
}
