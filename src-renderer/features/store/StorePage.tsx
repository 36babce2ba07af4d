import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ExtensionInfo, StoreEntry } from '../../../src-shared/contract';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { Icon } from '../../components/Icon';
import { formatBytes, formatDate, plural } from '../../components/format';
import { useAppStore } from '../../stores/app-store';
import { ExtensionIcon } from './ExtensionIcon';
import { ConsentDialog, InstallFromFileDialog, StoreInstallDialog, TrustBadge } from './install-flow';
import { UninstallDialog } from './UninstallDialog';
import { useExtensionsStore } from './extensions-store';
import './store.css';

type Catalog = Awaited<ReturnType<typeof loadCatalog>>;
type Filter = 'all' | 'installed' | 'updates' | 'available';

function loadCatalog(libraryId: string) {
  return getBridge().invoke('store.catalog', { libraryId });
}

/** Shared by the list and the detail page: the catalog, refetched when extensions change. */
function useCatalog() {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const version = useExtensionsStore((s) => s.version);
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    if (!libraryId) return;
    try {
      setCatalog(await loadCatalog(libraryId));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [libraryId]);
  useEffect(() => void reload(), [reload, version]);
  return { catalog, error, reload };
}

/** Dialogs the store opens, and a notice line after one finishes. */
function useStoreActions(reload: () => Promise<void>) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const [installing, setInstalling] = useState<StoreEntry | null>(null);
  const [uninstalling, setUninstalling] = useState<StoreEntry | null>(null);
  const [consent, setConsent] = useState<ExtensionInfo | null>(null);
  const [fromFile, setFromFile] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const done = (message: string) => {
    setNotice(message);
    setFailure(null);
    void reload();
    void useExtensionsStore.getState().refresh();
  };

  const update = async (entry: StoreEntry) => {
    if (!libraryId) return;
    setBusy(entry.id);
    setFailure(null);
    try {
      const r = await getBridge().invoke('store.update', { libraryId, extensionId: entry.id });
      if (r.held) setConsent(r.extension);
      else done(`${entry.name} is now version ${r.extension.version}.`);
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };

  const reviewHeld = async (entry: StoreEntry) => {
    if (!libraryId) return;
    try {
      setConsent(await getBridge().invoke('extensions.info', { libraryId, id: entry.id }));
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  const toggle = async (entry: StoreEntry) => {
    if (!libraryId || !entry.installed) return;
    setBusy(entry.id);
    try {
      await getBridge().invoke(entry.installed.enabled ? 'extensions.disable' : 'extensions.enable', { libraryId, id: entry.id });
      done(`${entry.name} is ${entry.installed.enabled ? 'disabled' : 'enabled'}.`);
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };

  const dialogs = (
    <>
      {installing && <StoreInstallDialog entry={installing} onClose={() => setInstalling(null)} onDone={done} />}
      {consent && <ConsentDialog info={consent} onClose={() => setConsent(null)} onDone={done} />}
      {uninstalling && <UninstallDialog id={uninstalling.id} name={uninstalling.name} onClose={() => setUninstalling(null)} onDone={() => done(`${uninstalling.name} was uninstalled.`)} />}
      {fromFile && <InstallFromFileDialog onClose={() => setFromFile(false)} onDone={done} />}
    </>
  );
  const banners = (
    <>
      {notice && (
        <p className="ext-notice" role="status">
          {notice}
        </p>
      )}
      {failure && (
        <p className="dialog-error" role="alert">
          {failure}{' '}
          <button type="button" className="link-button" onClick={() => setFailure(null)}>
            Dismiss
          </button>
        </p>
      )}
    </>
  );
  return { install: setInstalling, uninstall: setUninstalling, update, reviewHeld, toggle, openFromFile: () => setFromFile(true), busy, dialogs, banners };
}

type Actions = ReturnType<typeof useStoreActions>;

/** The Extension Store: search and filter the catalogs, install, update, and manage what is installed. */
export function StorePage({ detailId }: { detailId: string | null }) {
  const { catalog, error, reload } = useCatalog();
  const actions = useStoreActions(reload);
  const entry = detailId ? catalog?.extensions.find((e) => e.id === detailId) : undefined;
  return (
    <div className="ext-page">
      <div className="ext-page-inner">
        {actions.banners}
        {error && !catalog && (
          <div className="empty-state">
            <Icon name="warning" size={36} />
            <h2>The store could not be loaded</h2>
            <p className="inline-error">{error}</p>
          </div>
        )}
        {!catalog && !error && <div className="empty-state muted">Loading the catalog…</div>}
        {catalog && detailId && entry && <StoreDetail entry={entry} actions={actions} />}
        {catalog && detailId && !entry && (
          <div className="empty-state">
            <h2>Not in the catalog</h2>
            <p>No catalog lists {detailId} any more.</p>
          </div>
        )}
        {catalog && !detailId && <StoreList catalog={catalog} actions={actions} reload={reload} />}
      </div>
      {actions.dialogs}
    </div>
  );
}

function StoreList({ catalog, actions, reload }: { catalog: Catalog; actions: Actions; reload(): Promise<void> }) {
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<Filter>('all');
  const [category, setCategory] = useState('');
  const categories = useMemo(() => [...new Set(catalog.extensions.flatMap((e) => e.categories))].sort(), [catalog]);
  const q = query.trim().toLowerCase();
  const shown = catalog.extensions.filter((e) => {
    if (q && ![e.name, e.publisher, e.description, e.id, ...e.categories].some((t) => t.toLowerCase().includes(q))) return false;
    if (category && !e.categories.includes(category)) return false;
    if (filter === 'installed') return e.installed !== null;
    if (filter === 'updates') return e.updateAvailable !== null || e.installed?.state === 'held';
    if (filter === 'available') return e.installed === null;
    return true;
  });
  const updates = catalog.extensions.filter((e) => e.updateAvailable !== null || e.installed?.state === 'held');
  const failedSources = catalog.sources.filter((s) => s.error);

  return (
    <>
      <header className="store-header">
        <div>
          <h1>Extensions</h1>
          <p className="muted">Features for your library, each running in its own sandbox with only the access you give it.</p>
        </div>
        <span className="spacer" />
        <button type="button" onClick={actions.openFromFile}>
          Install from file…
        </button>
      </header>
      <div className="store-tools" role="search" aria-label="Find extensions">
        <label className="search-field">
          <Icon name="search" />
          <input type="search" placeholder="Search extensions" aria-label="Search extensions" value={query} onChange={(e) => setQuery(e.target.value)} />
        </label>
        <select aria-label="Show" value={filter} onChange={(e) => setFilter(e.target.value as Filter)}>
          <option value="all">All</option>
          <option value="installed">Installed</option>
          <option value="updates">Updates{updates.length ? ` (${updates.length})` : ''}</option>
          <option value="available">Not installed</option>
        </select>
        {categories.length > 0 && (
          <select aria-label="Category" value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value="">Every category</option>
            {categories.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        )}
      </div>
      {failedSources.map((s) => (
        <p key={s.id} className="inline-error">
          Could not load the catalog at {s.location}: {s.error}
        </p>
      ))}
      {filter === 'all' && !q && !category && updates.length > 0 && (
        <section className="store-section" aria-label="Updates">
          <h2>Updates</h2>
          <ul className="ext-cards">
            {updates.map((e) => (
              <StoreCard key={e.id} entry={e} actions={actions} />
            ))}
          </ul>
        </section>
      )}
      <section className="store-section" aria-label="Catalog">
        <h2>{filter === 'installed' ? 'Installed' : filter === 'updates' ? 'Updates' : filter === 'available' ? 'Not installed' : 'All extensions'}</h2>
        {shown.length === 0 ? (
          <p className="store-empty">{q ? `No extension matches “${query.trim()}”.` : 'Nothing to show here.'}</p>
        ) : (
          <ul className="ext-cards">
            {shown.map((e) => (
              <StoreCard key={e.id} entry={e} actions={actions} />
            ))}
          </ul>
        )}
      </section>
      <Sources sources={catalog.sources} reload={reload} />
    </>
  );
}

function StoreCard({ entry: e, actions }: { entry: StoreEntry; actions: Actions }) {
  const open = useExtensionsStore((s) => s.open);
  const held = e.installed?.state === 'held';
  return (
    <li className={`ext-card${e.revoked ? ' revoked' : ''}`} aria-label={e.name} onClick={() => open({ kind: 'store', detailId: e.id })}>
      <div className="ext-card-head">
        <ExtensionIcon name={e.name} url={e.iconUrl} size={44} />
        <div className="ext-card-title">
          <h3>{e.name}</h3>
          <p>{e.publisher}</p>
        </div>
        <TrustBadge trust={e.trust} />
      </div>
      <p className="ext-card-desc">{e.description || 'No description.'}</p>
      {e.revoked && <p className="revoked-note">Withdrawn: {e.revokedReason ?? 'the catalog withdrew the installed version.'}</p>}
      <div className="ext-card-foot" onClick={(ev) => ev.stopPropagation()}>
        {e.installed ? (
          <span className="installed-chip">
            Installed {e.installed.version}
            {!e.installed.enabled && ' · disabled'}
          </span>
        ) : (
          <span className="installed-chip">{e.latest ? `${e.latest.version} · ${formatBytes(e.size)}` : 'Not available for this version of Cairn'}</span>
        )}
        <span className="spacer" />
        {held ? (
          <button type="button" className="primary" onClick={() => void actions.reviewHeld(e)}>
            Review update
          </button>
        ) : e.updateAvailable ? (
          <button type="button" className="primary" disabled={actions.busy === e.id} onClick={() => void actions.update(e)} aria-label={`Update ${e.name} to ${e.updateAvailable}`}>
            Update to {e.updateAvailable}
          </button>
        ) : e.installed ? (
          <button type="button" onClick={() => open({ kind: 'settings', id: e.id })}>
            Settings
          </button>
        ) : (
          <button type="button" className="primary" disabled={!e.latest} onClick={() => actions.install(e)} aria-label={`Install ${e.name}`}>
            Install
          </button>
        )}
      </div>
    </li>
  );
}

function StoreDetail({ entry: e, actions }: { entry: StoreEntry; actions: Actions }) {
  const open = useExtensionsStore((s) => s.open);
  const shown = e.latest ?? e.versions[0] ?? null;
  const held = e.installed?.state === 'held';
  return (
    <article aria-label={`${e.name} details`}>
      <button type="button" className="link-button back-link" onClick={() => open({ kind: 'store', detailId: null })}>
        ← All extensions
      </button>
      <header className="ext-detail-header">
        <ExtensionIcon name={e.name} url={e.iconUrl} size={64} />
        <div className="ext-detail-title">
          <h1>{e.name}</h1>
          <p className="muted">
            {e.publisher} · {e.id}
          </p>
          <p className="ext-state-line">
            <TrustBadge trust={e.trust} />
            {e.installed && (
              <span className={`status-pill ${e.revoked ? 'bad' : held ? 'busy' : e.installed.enabled ? 'ok' : 'muted'}`}>
                {e.revoked ? 'Withdrawn' : held ? `Update to ${e.installed.pendingVersion} waiting` : e.installed.enabled ? `Installed ${e.installed.version}` : `Disabled (${e.installed.version})`}
              </span>
            )}
          </p>
        </div>
        <div className="ext-detail-actions">
          {!e.installed && (
            <button type="button" className="primary" disabled={!e.latest} onClick={() => actions.install(e)}>
              Install
            </button>
          )}
          {held && (
            <button type="button" className="primary" onClick={() => void actions.reviewHeld(e)}>
              Review update
            </button>
          )}
          {e.installed && !held && e.updateAvailable && (
            <button type="button" className="primary" disabled={actions.busy === e.id} onClick={() => void actions.update(e)}>
              Update to {e.updateAvailable}
            </button>
          )}
          {e.installed && (
            <>
              <button type="button" disabled={actions.busy === e.id || (e.revoked && !e.installed.enabled)} onClick={() => void actions.toggle(e)}>
                {e.installed.enabled ? 'Disable' : 'Enable'}
              </button>
              <button type="button" onClick={() => open({ kind: 'settings', id: e.id })}>
                Settings
              </button>
              <button type="button" className="danger-button" onClick={() => actions.uninstall(e)}>
                Uninstall
              </button>
            </>
          )}
        </div>
      </header>
      {e.revoked && <p className="revoked-note">The catalog withdrew version {e.installed?.version}: {e.revokedReason ?? 'no reason given'}. It stays disabled{e.updateAvailable ? ' until you update it' : ''}.</p>}
      {e.warnings.length > 0 && (
        <ul className="trust-warnings" aria-label="Warnings">
          {e.warnings.map((w) => (
            <li key={w}>
              <Icon name="warning" /> {w}
            </li>
          ))}
        </ul>
      )}
      <div className="ext-detail-body">
        <div>
          <p className="ext-description">{e.description || 'No description.'}</p>
          <section className="ext-section" aria-labelledby="perm-heading">
            <h2 id="perm-heading">What it can do</h2>
            {!shown || shown.permissions.length === 0 ? (
              <p className="muted">It asks for no permissions.</p>
            ) : (
              <ul className="perm-summary" aria-label="Permissions it asks for">
                {shown.permissions.map((p) => (
                  <li key={p.index}>
                    <div className="permission-head">
                      <strong>{p.title}</strong>
                      <span className={`perm-badge${p.optional ? ' optional' : ''}`}>{p.optional ? 'Optional' : 'Required'}</span>
                    </div>
                    <p className="permission-reason">
                      <span className="muted">Why: </span>“{p.reason}”
                    </p>
                    {p.needsFolders && <p className="muted permission-detail">Only in the folders you choose when installing.</p>}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
        <aside className="ext-facts" aria-label="Facts">
          <dl>
            <dt>Version</dt>
            <dd>{shown?.version ?? '—'}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(e.size)}</dd>
            {shown?.releasedAt && (
              <>
                <dt>Released</dt>
                <dd>{formatDate(shown.releasedAt)}</dd>
              </>
            )}
            <dt>Needs</dt>
            <dd>Cairn {shown?.min_core_version ?? '—'} or newer</dd>
            {e.categories.length > 0 && (
              <>
                <dt>Category</dt>
                <dd>{e.categories.join(', ')}</dd>
              </>
            )}
            <dt>From</dt>
            <dd>{e.sources.map((s) => (s === 'bundled' ? 'Bundled with Cairn' : s)).join(', ')}</dd>
          </dl>
          <h3>Versions</h3>
          <ul className="version-list" aria-label="Versions">
            {e.versions.map((v) => (
              <li key={v.version} className={v.revoked ? 'revoked' : undefined} title={v.revokedReason ?? v.changelog ?? undefined}>
                <span>{v.version}</span>
                <span className="muted small">
                  {v.revoked ? 'withdrawn' : !v.compatible ? `needs Cairn ${v.min_core_version}` : v.version === e.installed?.version ? 'installed' : formatBytes(v.size)}
                </span>
              </li>
            ))}
          </ul>
          {shown?.changelog && (
            <>
              <h3>What’s new</h3>
              <p className="small">{shown.changelog}</p>
            </>
          )}
        </aside>
      </div>
    </article>
  );
}

/** The catalog sources: the bundled one, and URLs the user adds or removes. */
function Sources({ sources, reload }: { sources: Catalog['sources']; reload(): Promise<void> }) {
  const [url, setUrl] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = async () => {
    try {
      await getBridge().invoke('store.addSource', { url: url.trim() });
      setUrl('');
      setError(null);
      await reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <section className="store-section" aria-label="Catalog sources">
      <h2>Catalogs</h2>
      <ul className="source-list">
        {sources.map((s) => (
          <li key={s.id}>
            <strong>{s.name ?? (s.kind === 'bundled' ? 'Bundled with Cairn' : 'Catalog')}</strong>
            <span className="source-url" title={s.location}>
              {s.kind === 'bundled' ? 'built in' : s.location}
            </span>
            <span className="muted small">{s.error ? 'unreachable' : plural(s.extensionCount, 'extension')}</span>
            {s.removable && (
              <button
                type="button"
                className="small-button"
                onClick={() =>
                  void getBridge()
                    .invoke('store.removeSource', { url: s.location })
                    .then(reload)
                    .catch((e: unknown) => setError(errorMessage(e)))
                }
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      <div className="field-row">
        <input placeholder="https://example.org/catalog.json" aria-label="Catalog URL" value={url} onChange={(e) => setUrl(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && void add()} />
        <button type="button" disabled={!url.trim()} onClick={() => void add()}>
          Add catalog
        </button>
      </div>
      {error && <p className="inline-error">{error}</p>}
    </section>
  );
}
