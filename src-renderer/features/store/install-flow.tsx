import { useState } from 'react';
import type { ExtensionInfo, PermissionDescription, StoreEntry, TrustLevelName } from '../../../src-shared/contract';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { Icon } from '../../components/Icon';
import { useAppStore } from '../../stores/app-store';
import { askFromPermission, PermissionsDialog, type PermissionAsk } from '../permissions/PermissionsDialog';
import { ExtensionIcon } from './ExtensionIcon';
import { toGrantChoice } from './ExtensionSettingsPage';
import { useExtensionsStore } from './extensions-store';

const TRUST_WORDS: Record<TrustLevelName, { label: string; title: string }> = {
  verified: { label: '✓ Verified', title: 'Signed by a publisher the catalog knows; the signature was checked.' },
  bundled: { label: 'Bundled', title: 'Ships with Cairn.' },
  unsigned: { label: '⚠ Unsigned', title: 'Nobody vouches for this package: Cairn cannot confirm who made it.' },
  'unknown-publisher': { label: '⚠ Unknown publisher', title: 'Signed, but by a key no catalog knows.' },
};

/** The trust badge shown on cards, detail pages and before install. */
export function TrustBadge({ trust }: { trust: TrustLevelName }) {
  const w = TRUST_WORDS[trust];
  return (
    <span className={`trust-badge ${trust}`} title={w.title}>
      {w.label}
    </span>
  );
}

/** A store permission description as a dialog question. */
export function askFromDescription(p: PermissionDescription): PermissionAsk {
  return { index: p.index, type: p.type, title: p.title, reason: p.reason, optional: p.optional, needsFolders: p.needsFolders, ifDeclined: p.ifDeclined };
}

/** The consent dialog for a held update: only the permissions the new version adds. */
export function ConsentDialog({ info, onClose, onDone }: { info: ExtensionInfo; onClose(): void; onDone?(message: string): void }) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const pending = info.pending;
  if (!pending || !libraryId) return null;
  const n = pending.addedPermissions.length;
  return (
    <PermissionsDialog
      title={`Update ${info.name} to ${pending.version}?`}
      extensionName={info.name}
      intro={`Version ${pending.version} asks for ${n === 1 ? 'one new permission' : `${n} new permissions`}. What you already allowed stays as it is. Until you decide, ${info.name} does not run.`}
      asks={pending.addedPermissions.map((a) => askFromPermission(a.index, a.permission, info.name))}
      confirmLabel="Accept and update"
      secondary={{
        label: 'Decline update',
        run: async () => {
          await getBridge().invoke('extensions.consent', { libraryId, id: info.id, accept: false });
          onDone?.(`Kept ${info.name} ${info.version}.`);
          onClose();
        },
      }}
      onCancel={onClose}
      onConfirm={async (decisions) => {
        try {
          await getBridge().invoke('extensions.consent', { libraryId, id: info.id, accept: true, grants: decisions.map(toGrantChoice) });
          onDone?.(`${info.name} is now version ${pending.version}.`);
          onClose();
          return null;
        } catch (e) {
          return errorMessage(e);
        }
      }}
    />
  );
}

/** Installs a store entry: the permissions dialog first, then `store.install` with the grants. */
export function StoreInstallDialog({ entry, onClose, onDone }: { entry: StoreEntry; onClose(): void; onDone(message: string): void }) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const latest = entry.latest;
  if (!latest || !libraryId) return null;
  return (
    <PermissionsDialog
      title={`Install ${entry.name}?`}
      extensionName={entry.name}
      intro={`${entry.name} ${latest.version} by ${entry.publisher} asks for the permissions below. You can change or revoke them later in its settings.`}
      warnings={latest.warnings}
      asks={latest.permissions.map(askFromDescription)}
      confirmLabel="Install"
      onCancel={onClose}
      onConfirm={async (decisions) => {
        try {
          const r = await getBridge().invoke('store.install', { libraryId, extensionId: entry.id, version: latest.version, sourceId: latest.sourceId, grants: decisions.map(toGrantChoice) });
          await useExtensionsStore.getState().refresh();
          onDone(`${r.extension.name} ${r.extension.version} is installed.`);
          onClose();
          return null;
        } catch (e) {
          return errorMessage(e);
        }
      }}
    />
  );
}

type FileStep =
  | { kind: 'path' }
  | { kind: 'inspected'; preview: Awaited<ReturnType<typeof inspect>> }
  | { kind: 'permissions'; preview: Awaited<ReturnType<typeof inspect>> }
  | { kind: 'consent'; info: ExtensionInfo };

function inspect(libraryId: string, path: string) {
  return getBridge().invoke('store.inspectFile', { libraryId, path });
}

/**
 * "Install from file…": the path of a .cairnext (chosen with the native picker in Electron, typed in a browser,
 * which cannot see real paths), its manifest, trust and warnings as read by the core, then the permissions.
 */
export function InstallFromFileDialog({ onClose, onDone }: { onClose(): void; onDone(message: string): void }) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const canPick = useAppStore((s) => s.shell?.canPickFolders ?? false);
  const [path, setPath] = useState('');
  const [step, setStep] = useState<FileStep>({ kind: 'path' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!libraryId) return null;

  const read = async (target = path) => {
    if (!target.trim()) return setError('Type the full path of a .cairnext file, e.g. /home/you/Downloads/photo-tools.cairnext.');
    setBusy(true);
    setError(null);
    try {
      setStep({ kind: 'inspected', preview: await inspect(libraryId, target.trim()) });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const installUpgrade = async () => {
    setBusy(true);
    try {
      const r = await getBridge().invoke('store.installFromFile', { libraryId, path: path.trim() });
      await useExtensionsStore.getState().refresh();
      if (r.held) setStep({ kind: 'consent', info: r.extension });
      else {
        onDone(`${r.extension.name} is now version ${r.extension.version}.`);
        onClose();
      }
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (step.kind === 'permissions') {
    const p = step.preview;
    return (
      <PermissionsDialog
        title={`Install ${p.manifest.name}?`}
        extensionName={p.manifest.name}
        warnings={p.warnings}
        asks={p.permissions.map(askFromDescription)}
        confirmLabel="Install"
        onCancel={onClose}
        onConfirm={async (decisions) => {
          try {
            const r = await getBridge().invoke('store.installFromFile', { libraryId, path: path.trim(), grants: decisions.map(toGrantChoice) });
            await useExtensionsStore.getState().refresh();
            onDone(`${r.extension.name} ${r.extension.version} is installed.`);
            onClose();
            return null;
          } catch (e) {
            return errorMessage(e);
          }
        }}
      />
    );
  }
  if (step.kind === 'consent') return <ConsentDialog info={step.info} onClose={onClose} onDone={onDone} />;

  const preview = step.kind === 'inspected' ? step.preview : null;
  const m = preview?.manifest;
  return (
    <div className="dialog-backdrop" onMouseDown={onClose}>
      <div className="dialog install-file-dialog" role="dialog" aria-modal="true" aria-labelledby="install-file-title" onMouseDown={(e) => e.stopPropagation()}>
        <h2 id="install-file-title">Install from a file</h2>
        <p className="muted">Cairn reads the package and shows what it is and what it asks for. Nothing is installed until you confirm.</p>
        <label className="field">
          <span>Package file (.cairnext)</span>
          <div className="field-row">
            <input
              autoFocus
              aria-label="Package path"
              placeholder="/home/you/Downloads/extension.cairnext"
              value={path}
              onChange={(e) => {
                setPath(e.target.value);
                if (step.kind !== 'path') setStep({ kind: 'path' });
              }}
              onKeyDown={(e) => e.key === 'Enter' && void read()}
            />
            <button type="button" disabled={busy} onClick={() => void read()}>
              Read
            </button>
            {canPick && (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void getBridge()
                    .invoke('shell.pickFile', { title: 'Choose an extension package', extensions: ['cairnext'] })
                    .then((picked) => {
                      if (!picked.path) return;
                      setPath(picked.path);
                      void read(picked.path);
                    })
                    .catch((e: unknown) => setError(errorMessage(e)))
                }
              >
                Choose…
              </button>
            )}
          </div>
        </label>
        {preview && m && (
          <div className="inspect-result" role="region" aria-label="Package">
            <div className="ext-card-head">
              <ExtensionIcon name={m.name} url={null} size={40} />
              <div className="ext-card-title">
                <h3>
                  {m.name} <span className="muted">{m.version}</span>
                </h3>
                <p>
                  {m.publisher} · {m.id}
                </p>
              </div>
              <TrustBadge trust={preview.trust} />
            </div>
            {m.description && <p className="ext-card-desc">{m.description}</p>}
            {preview.warnings.length > 0 && (
              <ul className="trust-warnings" aria-label="Warnings">
                {preview.warnings.map((w) => (
                  <li key={w}>
                    <Icon name="warning" /> {w}
                  </li>
                ))}
              </ul>
            )}
            <p className="muted small">
              {preview.permissions.length === 0 ? 'Asks for no permissions.' : `Asks for ${preview.permissions.length === 1 ? 'one permission' : `${preview.permissions.length} permissions`}: ${preview.permissions.map((p) => p.title.toLowerCase()).join('; ')}.`}
              {preview.installedVersion && ` Version ${preview.installedVersion} is installed now.`}
            </p>
            {preview.problems.length > 0 && (
              <ul className="inspect-problems" aria-label="Problems">
                {preview.problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            )}
          </div>
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
          {preview && (
            <button
              type="button"
              className="primary"
              disabled={busy || preview.problems.length > 0}
              onClick={() => (preview.installedVersion ? void installUpgrade() : setStep({ kind: 'permissions', preview }))}
            >
              {preview.installedVersion && preview.problems.length === 0 ? `Update to ${preview.manifest.version}` : 'Continue…'}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

