import { useCallback, useEffect, useState } from 'react';
import type { OutputOf } from '../../../src-shared/contract';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { EntryThumb } from '../../components/EntryThumb';
import { Icon } from '../../components/Icon';
import { formatBytes, plural } from '../../components/format';
import { useAppStore } from '../../stores/app-store';
import { useExplorerStore } from '../../stores/explorer-store';

type Group = OutputOf<'entries.duplicates'>['groups'][number];
const GROUPS_PER_PAGE = 50;

/** Contents stored at more than one path, largest waste first; each copy is a link to it in its folder. */
export function DuplicatesView() {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const locations = useAppStore((s) => s.locations);
  const dataVersion = useExplorerStore((s) => s.dataVersion);
  const reveal = useExplorerStore((s) => s.reveal);
  const [groups, setGroups] = useState<Group[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [wanted, setWanted] = useState(GROUPS_PER_PAGE);

  const load = useCallback(
    async (limit: number) => {
      if (!libraryId) return;
      try {
        const pages: Group[] = [];
        let t = 0;
        // Reload everything shown (the list shifts when files change), a page of up to 1000 groups at a time.
        for (let offset = 0; offset < limit; offset += 1000) {
          const r = await getBridge().invoke('entries.duplicates', { libraryId, offset, limit: Math.min(1000, limit - offset) });
          pages.push(...r.groups);
          t = r.total;
          if (r.groups.length < Math.min(1000, limit - offset)) break;
        }
        setGroups(pages);
        setTotal(t);
        setError(null);
      } catch (e) {
        setError(errorMessage(e));
      }
    },
    [libraryId],
  );

  useEffect(() => {
    void load(wanted);
  }, [load, wanted, dataVersion]);

  if (error) return <div className="empty-state"><p className="inline-error">{error}</p></div>;
  if (!groups || !libraryId) return <div className="empty-state muted">Looking for duplicates…</div>;
  if (groups.length === 0) {
    return (
      <div className="empty-state">
        <Icon name="copies" size={40} />
        <h2>No duplicates</h2>
        <p>Every file Cairn has identified is stored only once. Files are compared by content, so renamed copies count too.</p>
      </div>
    );
  }
  const wasted = groups.reduce((sum, g) => sum + g.wastedBytes, 0);
  const locationName = (id: string) => locations.find((l) => l.id === id)?.name ?? 'Unknown location';
  return (
    <div className="duplicates">
      <p className="duplicates-summary">
        {plural(total, 'file')} {total === 1 ? 'has' : 'have'} identical copies elsewhere. The extra copies{groups.length < total ? ` of the ${groups.length} shown` : ''} take{' '}
        <strong>{formatBytes(wasted)}</strong>.
      </p>
      <ul className="duplicate-groups" aria-label="Duplicate groups">
        {groups.map((g) => {
          const first = g.entries[0];
          return (
            <li key={g.contentId} className="duplicate-group" aria-label={`${first?.name ?? 'Content'}: ${g.count} copies`}>
              <div className={`duplicate-thumb${first?.hasThumbnail ? ' has-image' : ''}`}>{first && <EntryThumb key={first.id} entry={first} libraryId={libraryId} iconSize={36} />}</div>
              <div className="duplicate-info">
                <div className="duplicate-title">
                  <strong>{first?.name}</strong>
                  <span className="muted">
                    {g.count} copies · {formatBytes(g.size)} each · <span className="wasted">{formatBytes(g.wastedBytes)} wasted</span>
                  </span>
                </div>
                <ul className="copies">
                  {g.entries.map((e) => (
                    <li key={e.id}>
                      <button type="button" className="copy-link" title={`Show ${e.relPath}`} onClick={() => void reveal(e.id)}>
                        <Icon name="location" size={12} />
                        <span className="copy-location">{locationName(e.locationId)}</span>
                        <span className="copy-path">{e.relPath}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            </li>
          );
        })}
      </ul>
      {groups.length < total && (
        <button type="button" className="tool-button more" onClick={() => setWanted((w) => w + GROUPS_PER_PAGE)}>
          Show more ({(total - groups.length).toLocaleString()} left)
        </button>
      )}
    </div>
  );
}
