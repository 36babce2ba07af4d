import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ExtensionActivityItem, ExtensionActivityPage, ExtensionInfo, ExtensionPermission } from '../../../src-shared/contract';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { Icon } from '../../components/Icon';
import { formatDateTime } from '../../components/format';
import { useAppStore } from '../../stores/app-store';
import { askFromPermission, PermissionsDialog, type GrantDecision } from '../permissions/PermissionsDialog';
import { describePermission, isFilePermission } from '../permissions/permission-words';
import { ExtensionIcon } from './ExtensionIcon';
import { SettingsForm } from './SettingsForm';
import { UninstallDialog } from './UninstallDialog';
import { extensionAssetUrl } from './asset-url';
import { useExtensionsStore } from './extensions-store';
import './store.css';

type Scope = { locationId: string; subpath: string };
const scopeKey = (s: Scope) => `${s.locationId}\n${s.subpath}`;

/** Turns a grant dialog's answer for one permission into `extensions.grant` / `extensions.revoke` calls. */
export async function applyGrantEdit(libraryId: string, id: string, current: ExtensionPermission, next: GrantDecision): Promise<void> {
  const bridge = getBridge();
  const permission = current.index;
  if (!next.granted || (isFilePermission(current.permission.type) && next.scopes.length === 0)) {
    if (current.granted) await bridge.invoke('extensions.revoke', { libraryId, id, permission });
    return;
  }
  if (!isFilePermission(current.permission.type)) {
    if (!current.granted) await bridge.invoke('extensions.grant', { libraryId, id, permission });
    return;
  }
  const have = new Set(current.granted ? current.scopes.map(scopeKey) : []);
  const want = new Set(next.scopes.map(scopeKey));
  const added = next.scopes.filter((s) => !have.has(scopeKey(s)));
  const removed = current.granted ? current.scopes.filter((s) => !want.has(scopeKey(s))) : [];
  if (added.length > 0 || !current.granted) await bridge.invoke('extensions.grant', { libraryId, id, permission, scopes: added.map((s) => ({ locationId: s.locationId, subpath: s.subpath })) });
  if (removed.length > 0) await bridge.invoke('extensions.revoke', { libraryId, id, permission, scopes: removed.map((s) => ({ locationId: s.locationId, subpath: s.subpath })) });
}

/** One installed extension: state, grants with their folders, the generated settings pane, recent activity. */
export function ExtensionSettingsPage({ id }: { id: string }) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const version = useExtensionsStore((s) => s.version);
  const open = useExtensionsStore((s) => s.open);
  const [info, setInfo] = useState<ExtensionInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<ExtensionPermission | null>(null);
  const [consenting, setConsenting] = useState(false);
  const [uninstalling, setUninstalling] = useState(false);

  const load = useCallback(async () => {
    if (!libraryId) return;
    try {
      setInfo(await getBridge().invoke('extensions.info', { libraryId, id }));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [libraryId, id]);
  useEffect(() => void load(), [load, version]);

  const run = async (label: string, fn: () => Promise<unknown>, done?: string) => {
    setBusy(label);
    setNotice(null);
    try {
      await fn();
      if (done) setNotice(done);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };

  if (error && !info) {
    return (
      <div className="ext-page">
        <div className="empty-state">
          <Icon name="warning" size={36} />
          <h2>Could not open this extension</h2>
          <p className="inline-error">{error}</p>
        </div>
      </div>
    );
  }
  if (!info || !libraryId) return <div className="empty-state muted">Loading…</div>;

  const m = info.manifest;
  return (
    <div className="ext-page" aria-label={`${info.name} settings`}>
      <button type="button" className="link-button back-link" onClick={() => open({ kind: 'store', detailId: null })}>
        ← Extensions
      </button>
      <header className="ext-detail-header">
        <ExtensionIcon name={info.name} url={m.icon ? extensionAssetUrl(libraryId, info.id, m.icon) : null} size={56} />
        <div className="ext-detail-title">
          <h1>{info.name}</h1>
          <p className="muted">
            {info.publisher} · version {info.version}
            {info.signedBy ? ' · signed' : ' · not signed'}
          </p>
          <p className="ext-state-line">
            {info.state === 'revoked' ? (
              <span className="status-pill bad">Withdrawn</span>
            ) : info.state === 'held' ? (
              <span className="status-pill busy">Update waiting for your consent</span>
            ) : info.enabled ? (
              <span className="status-pill ok">Enabled</span>
            ) : (
              <span className="status-pill muted">Disabled</span>
            )}
            {info.stateReason && <span className="muted"> {info.stateReason}</span>}
          </p>
        </div>
        <div className="ext-detail-actions">
          {m.jobs.map((job) => (
            <button
              key={job.name}
              type="button"
              disabled={!!busy || !info.enabled || info.state !== 'active'}
              onClick={() => void run(`job:${job.name}`, () => getBridge().invoke('extensions.runJob', { libraryId, id: info.id, job: job.name }), `Started “${job.title ?? job.name}”. Follow it in the jobs panel.`)}
            >
              <Icon name="play" /> Run “{job.title ?? job.name}”
            </button>
          ))}
          {info.enabled ? (
            <button type="button" disabled={!!busy} onClick={() => void run('disable', () => getBridge().invoke('extensions.disable', { libraryId, id: info.id }))}>
              Disable
            </button>
          ) : (
            <button type="button" disabled={!!busy} onClick={() => void run('enable', () => getBridge().invoke('extensions.enable', { libraryId, id: info.id }))}>
              Enable
            </button>
          )}
          {info.previousVersion && info.state !== 'held' && (
            <button type="button" disabled={!!busy} onClick={() => void run('rollback', () => getBridge().invoke('extensions.rollback', { libraryId, id: info.id }), `Back to version ${info.previousVersion}.`)}>
              Roll back to {info.previousVersion}
            </button>
          )}
          <button type="button" className="danger-button" disabled={!!busy} onClick={() => setUninstalling(true)}>
            Uninstall
          </button>
        </div>
      </header>
      {notice && (
        <p className="ext-notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="dialog-error" role="alert">
          {error}{' '}
          <button type="button" className="link-button" onClick={() => setError(null)}>
            Dismiss
          </button>
        </p>
      )}
      {info.pending && (
        <div className="held-banner" role="region" aria-label="Update waiting">
          <Icon name="warning" size={18} />
          <div>
            <strong>Version {info.pending.version} is waiting for your consent.</strong>
            <p className="muted">
              It asks for {info.pending.addedPermissions.length === 1 ? 'a new permission' : `${info.pending.addedPermissions.length} new permissions`}. Until you decide, {info.name} does not run.
            </p>
          </div>
          <button type="button" className="primary" onClick={() => setConsenting(true)}>
            Review permissions
          </button>
        </div>
      )}

      <section className="ext-section" aria-labelledby="grants-heading">
        <h2 id="grants-heading">Permissions</h2>
        {info.permissions.length === 0 && <p className="muted">It asks for no permissions.</p>}
        <ul className="grant-list" aria-label="Permissions">
          {info.permissions.map((p) => (
            <GrantRow
              key={p.index}
              permission={p}
              busy={!!busy}
              onEdit={() => setEditing(p)}
              onRevoke={() => void run(`revoke:${p.index}`, () => getBridge().invoke('extensions.revoke', { libraryId, id: info.id, permission: p.index }))}
              onGrant={() =>
                isFilePermission(p.permission.type)
                  ? setEditing(p)
                  : void run(`grant:${p.index}`, () => getBridge().invoke('extensions.grant', { libraryId, id: info.id, permission: p.index }))
              }
            />
          ))}
        </ul>
      </section>

      <section className="ext-section" aria-labelledby="settings-heading">
        <h2 id="settings-heading">Settings</h2>
        <SettingsForm extensionId={info.id} declarations={m.settings} values={info.settings} />
      </section>

      <section className="ext-section" aria-labelledby="activity-heading">
        <h2 id="activity-heading">Recent activity</h2>
        <RecentActivity libraryId={libraryId} extensionId={info.id} version={version} />
      </section>

      {editing && (
        <PermissionsDialog
          title={`Change what ${info.name} may do`}
          extensionName={info.name}
          intro="Choose the folders it may use. Removing a folder stops its access there at its next call."
          asks={[askFromPermission(editing.index, editing.permission, info.name)]}
          initial={
            editing.granted && editing.scopes.length > 0
              ? [{ index: editing.index, type: editing.permission.type, granted: true, scopes: editing.scopes.map((s) => ({ locationId: s.locationId, subpath: s.subpath })) }]
              : undefined
          }
          confirmLabel="Save"
          onCancel={() => setEditing(null)}
          onConfirm={async ([decision]) => {
            try {
              await applyGrantEdit(libraryId, info.id, editing, decision!);
              setEditing(null);
              await load();
              return null;
            } catch (e) {
              return errorMessage(e);
            }
          }}
        />
      )}
      {consenting && info.pending && (
        <PermissionsDialog
          title={`Update ${info.name} to ${info.pending.version}?`}
          extensionName={info.name}
          intro={`Version ${info.pending.version} asks for ${info.pending.addedPermissions.length === 1 ? 'one new permission' : `${info.pending.addedPermissions.length} new permissions`}. Permissions you already gave stay as they are.`}
          asks={info.pending.addedPermissions.map((a) => askFromPermission(a.index, a.permission, info.name))}
          confirmLabel="Accept and update"
          secondary={{
            label: 'Decline update',
            run: async () => {
              await getBridge().invoke('extensions.consent', { libraryId, id: info.id, accept: false });
              setConsenting(false);
              setNotice(`Kept version ${info.version}.`);
              await load();
            },
          }}
          onCancel={() => setConsenting(false)}
          onConfirm={async (decisions) => {
            try {
              await getBridge().invoke('extensions.consent', { libraryId, id: info.id, accept: true, grants: decisions.map(toGrantChoice) });
              setConsenting(false);
              setNotice(`Updated to ${info.pending?.version}.`);
              await load();
              return null;
            } catch (e) {
              return errorMessage(e);
            }
          }}
        />
      )}
      {uninstalling && <UninstallDialog id={info.id} name={info.name} onClose={() => setUninstalling(false)} onDone={() => open({ kind: 'store', detailId: null })} />}
    </div>
  );
}

/** A dialog decision as the `extensions.*` operations take it. */
export function toGrantChoice(d: GrantDecision) {
  return {
    permission: d.index,
    granted: d.granted,
    ...(isFilePermission(d.type) && d.granted ? { scopes: d.scopes.map((s) => ({ locationId: s.locationId, subpath: s.subpath })) } : {}),
  };
}

function GrantRow({ permission: p, busy, onEdit, onRevoke, onGrant }: { permission: ExtensionPermission; busy: boolean; onEdit(): void; onRevoke(): void; onGrant(): void }) {
  const locations = useAppStore((s) => s.locations);
  const words = describePermission(p.permission);
  const file = isFilePermission(p.permission.type);
  return (
    <li className={`grant-row${p.effective ? '' : ' inactive'}`} aria-label={words.title}>
      <div className="grant-main">
        <div className="grant-title">
          <strong>{words.title}</strong>
          <span className={`status-pill ${p.effective ? 'ok' : p.granted ? 'busy' : 'muted'}`}>{p.effective ? 'Allowed' : p.granted ? 'No folder' : p.permission.optional ? 'Declined' : 'Revoked'}</span>
        </div>
        <p className="permission-reason">
          <span className="muted">Why: </span>“{p.permission.reason}”
        </p>
        {file && p.granted && p.scopes.length > 0 && (
          <ul className="grant-scopes" aria-label="Folders">
            {p.scopes.map((s) => {
              const loc = locations.find((l) => l.id === s.locationId);
              return (
                <li key={`${s.locationId}/${s.subpath}`}>
                  <Icon name="folder" /> {loc?.name ?? 'A removed location'}
                  {s.subpath ? <span className="muted"> / {s.subpath}</span> : <span className="muted"> (whole location)</span>}
                </li>
              );
            })}
          </ul>
        )}
        {p.note && !p.effective && !/^(declined|revoked)$/i.test(p.note.trim()) && <p className="muted small">{p.note}</p>}
      </div>
      <div className="grant-actions">
        {file && p.granted && (
          <button type="button" className="small-button" disabled={busy} onClick={onEdit}>
            Edit folders…
          </button>
        )}
        {p.granted ? (
          <button type="button" className="small-button danger" disabled={busy} onClick={onRevoke}>
            Revoke
          </button>
        ) : (
          <button type="button" className="small-button" disabled={busy} onClick={onGrant}>
            Allow…
          </button>
        )}
      </div>
    </li>
  );
}

/** Trail lines that say the same thing (same call, same outcome, same reason), shown as one row. */
interface ActivityGroup {
  key: string;
  /** The newest of them (items come newest first). */
  first: ExtensionActivityItem;
  count: number;
  /** The oldest time among them. */
  since: string;
}

/**
 * Folds the lines of a page that say the same thing into one row with a count and a time range, ordered by
 * their newest line, so a busy extension (a write per file) stays a short list; each distinct denial keeps
 * its own row.
 */
function groupActivity(items: ExtensionActivityItem[]): ActivityGroup[] {
  const groups = new Map<string, ActivityGroup>();
  for (const item of items) {
    const key = `${item.allowed ? 'allowed' : 'denied'}\n${item.method}\n${item.message}`;
    const group = groups.get(key);
    if (group) {
      group.count++;
      group.since = item.at;
    } else {
      groups.set(key, { key, first: item, count: 1, since: item.at });
    }
  }
  return [...groups.values()];
}

const ACTIVITY_PAGE = 200;

/** What the extension did through the host, from its audit trail: the writes it was allowed and every denial with its reason. */
function RecentActivity({ libraryId, extensionId, version }: { libraryId: string; extensionId: string; version: number }) {
  const [page, setPage] = useState<ExtensionActivityPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [deniedOnly, setDeniedOnly] = useState(false);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    let live = true;
    getBridge()
      .invoke('extensions.activity', { libraryId, id: extensionId, limit: ACTIVITY_PAGE, deniedOnly })
      .then((r) => {
        if (!live) return;
        setPage(r);
        setError(null);
      })
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [libraryId, extensionId, version, deniedOnly, reload]);
  // Its jobs change what it did: read the trail again when one of them changes state (debounced).
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = getBridge().on('jobs.onDidChange', (e) => {
      if (e.libraryId !== libraryId || e.owner !== extensionId || timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        setReload((n) => n + 1);
      }, 500);
    });
    return () => {
      off();
      if (timer !== null) clearTimeout(timer);
    };
  }, [libraryId, extensionId]);
  const groups = useMemo(() => groupActivity(page?.items ?? []), [page]);
  const denials = page?.items.filter((i) => !i.allowed).length ?? 0;

  const toolbar = (
    <div className="ext-activity-bar">
      <label className="inline-check">
        <input type="checkbox" checked={deniedOnly} onChange={(e) => setDeniedOnly(e.target.checked)} /> Denials only
      </label>
      <button type="button" className="small-button" onClick={() => setReload((n) => n + 1)}>
        Refresh
      </button>
    </div>
  );
  if (error) {
    return (
      <>
        {toolbar}
        <p className="inline-error" role="alert">
          Could not read its activity: {error}
        </p>
      </>
    );
  }
  if (page === null) return <p className="muted">Loading…</p>;
  return (
    <>
      {toolbar}
      {page.total === 0 ? (
        <p className="muted">{deniedOnly ? 'Nothing was denied.' : 'Nothing yet. Changes it makes and anything it was refused are listed here.'}</p>
      ) : (
        <>
          <p className="muted small" aria-label="Activity summary">
            {page.total > page.items.length ? `The latest ${page.items.length} of ${page.total} records` : `${page.total} ${page.total === 1 ? 'record' : 'records'}`}
            {!deniedOnly && ` · ${denials} denied`}
            {page.skipped > 0 && ` · ${page.skipped} unreadable ${page.skipped === 1 ? 'line' : 'lines'} skipped`}
          </p>
          <ul className="ext-activity" aria-label="Recent activity">
            {groups.map((g) => (
              <li key={g.key} className={g.first.allowed ? 'allowed' : 'denied'}>
                <div className="ext-activity-what">
                  <span className={`status-pill ${g.first.allowed ? 'ok' : 'bad'}`}>{g.first.allowed ? 'Allowed' : 'Denied'}</span> <code>{g.first.method}</code>
                  {g.count > 1 && <span className="muted"> ×{g.count}</span>}
                  {!g.first.allowed && g.first.message && <p className="ext-activity-reason">{g.first.message}</p>}
                </div>
                <span className="muted ext-activity-time">
                  {g.count > 1 && g.since !== g.first.at ? `${formatDateTime(g.since)} – ${formatDateTime(g.first.at)}` : formatDateTime(g.first.at)}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
