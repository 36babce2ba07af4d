import { useEffect, useState } from 'react';
import type { IndexerError, IndexerLocationStatus } from '../../../src-shared/contract';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { Icon } from '../../components/Icon';
import { plural } from '../../components/format';
import { useAppStore } from '../../stores/app-store';
import { formatWhen } from './time-format';

const PAGE = 50;

/** What went wrong, in words a user understands, by error code. */
const REASONS: Record<string, string> = {
  NOT_FOUND: 'It disappeared while Cairn was reading it.',
  PERMISSION_DENIED: 'Cairn is not allowed to read it.',
  IO: 'It could not be read from the disk.',
  VALIDATION: 'Its contents are not in a format Cairn understands.',
  CONFLICT: 'It changed while Cairn was reading it.',
  NOT_SUPPORTED: 'Cairn cannot read this kind of item.',
  TIMEOUT: 'Reading it took too long.',
};

/** What the indexer was doing, by phase. */
const PHASES: Record<string, string> = {
  discovery: 'listing folders',
  processing: 'recording files',
  identity: 'fingerprinting contents',
  media: 'reading photo details',
  thumbnail: 'making a thumbnail',
  finalize: 'finishing up',
};

export function plainReason(error: IndexerError): string {
  return REASONS[error.code] ?? 'Something went wrong while reading it.';
}

/** Per location with indexing errors: a summary line that expands into the files and the reasons. */
export function IndexerProblems({ locations }: { locations: IndexerLocationStatus[] }) {
  const withErrors = locations.filter((l) => l.errorCount > 0);
  if (withErrors.length === 0) return null;
  return (
    <section className="jobs-section" aria-labelledby="indexer-problems-heading">
      <h3 id="indexer-problems-heading">Files Cairn could not read</h3>
      <ul className="job-list">
        {withErrors.map((l) => (
          <LocationProblems key={l.locationId} location={l} />
        ))}
      </ul>
    </section>
  );
}

function LocationProblems({ location }: { location: IndexerLocationStatus }) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<IndexerError[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open || !libraryId) return;
    let live = true;
    getBridge()
      .invoke('indexer.errors', { libraryId, locationId: location.locationId, offset: 0, limit: PAGE })
      .then((r) => {
        if (!live) return;
        setItems(r.items);
        setTotal(r.total);
      })
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [open, libraryId, location.locationId, location.errorCount]);

  return (
    <li className="job-card problems" aria-label={`Problems in ${location.name}`}>
      <button type="button" className="job-expander" aria-expanded={open} onClick={() => setOpen((v) => !v)}>
        <Icon name="chevron" className={`chevron${open ? ' open' : ''}`} />
        <Icon name="warning" className="warn-icon" />
        <span>
          <strong>{location.name}</strong>: {plural(location.errorCount, 'item')} could not be read
        </span>
      </button>
      {open && (
        <div className="job-errors">
          {error && <p className="inline-error">{error}</p>}
          {!items && !error && <p className="muted">Loading…</p>}
          {items && (
            <ul>
              {items.map((e) => (
                <li key={`${e.relPath}:${e.phase}`}>
                  <div className="error-path" title={e.relPath || location.path}>
                    {e.relPath || '(the folder itself)'}
                  </div>
                  <div>
                    {plainReason(e)} <span className="muted">While {PHASES[e.phase] ?? e.phase}, {formatWhen(Date.parse(e.at))}.</span>
                  </div>
                  <details>
                    <summary>Details</summary>
                    <code>
                      {e.code}: {e.message}
                    </code>
                  </details>
                </li>
              ))}
              {total > items.length && <li className="muted">…and {plural(total - items.length, 'more item')}</li>}
            </ul>
          )}
        </div>
      )}
    </li>
  );
}
