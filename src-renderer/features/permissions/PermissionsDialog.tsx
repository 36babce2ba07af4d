import { useState } from 'react';
import type { Permission, PermissionType } from '../../../src-shared/extensions/manifest';
import { errorMessage } from '../../bridge/get-bridge';
import { Icon } from '../../components/Icon';
import { useAppStore } from '../../stores/app-store';
import { declineSentence, describePermission, isFilePermission } from './permission-words';
import { ScopePicker, wholeLocations, type ScopeChoice } from './ScopePicker';
import './permissions.css';

/** One permission the dialog asks about, in words, by its index in the manifest (the store's `PermissionDescription` fits). */
export interface PermissionAsk {
  index: number;
  type: PermissionType;
  /** What it allows, in plain words. */
  title: string;
  /** More detail under the title, if any. */
  detail?: string | null;
  /** The extension's own reason. */
  reason: string;
  optional: boolean;
  /** File permissions: the user picks folders. */
  needsFolders: boolean;
  /** What declining an optional permission means. */
  ifDeclined: string | null;
}

/** A manifest permission as a dialog question, described in the renderer's words. */
export function askFromPermission(index: number, permission: Permission, extensionName: string): PermissionAsk {
  // Described in the renderer: src-shared's describe-permission would bundle the manifest's zod schemas.
  const words = describePermission(permission);
  return {
    index,
    type: permission.type,
    title: words.title,
    detail: words.detail,
    reason: permission.reason,
    optional: permission.optional,
    needsFolders: isFilePermission(permission.type),
    ifDeclined: permission.optional ? declineSentence(permission, extensionName) : null,
  };
}

/** The user's answer for one permission: what `store.install`, `extensions.consent` and `extensions.grant` take. */
export interface GrantDecision {
  index: number;
  type: PermissionType;
  granted: boolean;
  scopes: ScopeChoice[];
}

export interface PermissionsDialogProps {
  title: string;
  extensionName: string;
  /** A sentence under the title (e.g. "Version 2.0 asks for 1 new permission"). */
  intro?: string;
  asks: PermissionAsk[];
  /** Starting answers (editing a grant); default: everything required granted on every location, optional too. */
  initial?: GrantDecision[];
  /** Trust and package warnings shown above the list. */
  warnings?: string[];
  confirmLabel: string;
  /** Another way out beside Cancel (e.g. "Decline update"); errors it throws are shown. */
  secondary?: { label: string; run(): Promise<void> };
  /** Resolves to an error message to show, or null when done. */
  onConfirm(decisions: GrantDecision[]): Promise<string | null>;
  onCancel(): void;
}

/**
 * Asks for each permission in human terms with the extension's stated reason. File permissions get a
 * folder picker (every location by default, narrowable to some locations or subfolders); optional
 * permissions can be declined, with a sentence saying what that means.
 */
export function PermissionsDialog(props: PermissionsDialogProps) {
  const { title, extensionName, intro, asks, initial, warnings = [], confirmLabel, secondary, onConfirm, onCancel } = props;
  const locationIds = useAppStore((s) => s.locations.map((l) => l.id).join('\n'));
  const [decisions, setDecisions] = useState<GrantDecision[]>(() =>
    asks.map(
      (a) =>
        initial?.find((d) => d.index === a.index) ?? {
          index: a.index,
          type: a.type,
          granted: true,
          scopes: a.needsFolders ? wholeLocations(locationIds ? locationIds.split('\n') : []) : [],
        },
    ),
  );
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const update = (index: number, patch: Partial<GrantDecision>) => setDecisions((ds) => ds.map((d) => (d.index === index ? { ...d, ...patch } : d)));

  const missingFolders = asks.filter((a) => {
    const d = decisions.find((x) => x.index === a.index);
    return d?.granted && a.needsFolders && d.scopes.length === 0;
  });

  const confirm = async () => {
    const required = missingFolders.find((a) => !a.optional);
    if (required) return setError(`Choose at least one folder for “${required.title}”, or cancel.`);
    setBusy(true);
    setError(null);
    // An optional file permission with no folder chosen is a decline.
    const final = decisions.map((d) => (missingFolders.some((a) => a.index === d.index) ? { ...d, granted: false } : d));
    const problem = await onConfirm(final);
    setBusy(false);
    if (problem) setError(problem);
  };

  return (
    <div className="dialog-backdrop" onMouseDown={onCancel}>
      <div className="dialog permissions-dialog" role="dialog" aria-modal="true" aria-labelledby="permissions-title" onMouseDown={(e) => e.stopPropagation()}>
        <h2 id="permissions-title">{title}</h2>
        <p className="muted">{intro ?? `${extensionName} asks for the permissions below. You can change or revoke them later in its settings.`}</p>
        {warnings.length > 0 && (
          <ul className="trust-warnings" aria-label="Warnings">
            {warnings.map((w) => (
              <li key={w}>
                <Icon name="warning" /> {w}
              </li>
            ))}
          </ul>
        )}
        {asks.length === 0 && <p>It needs no permissions.</p>}
        <ol className="permission-asks" aria-label="Requested permissions">
          {asks.map((a) => {
            const d = decisions.find((x) => x.index === a.index)!;
            const optional = a.optional;
            return (
              <li key={a.index} className={`permission-ask${d.granted ? '' : ' declined'}`} aria-label={a.title}>
                <div className="permission-head">
                  {optional ? (
                    <label className="check-row">
                      <input type="checkbox" checked={d.granted} onChange={(e) => update(a.index, { granted: e.target.checked })} aria-label={`Allow: ${a.title}`} />
                      <strong>{a.title}</strong>
                    </label>
                  ) : (
                    <strong>{a.title}</strong>
                  )}
                  <span className={`perm-badge${optional ? ' optional' : ''}`}>{optional ? 'Optional' : 'Required'}</span>
                </div>
                <p className="permission-reason">
                  <span className="muted">Why: </span>“{a.reason}”
                </p>
                {a.detail && <p className="muted permission-detail">{a.detail}</p>}
                {!d.granted && <p className="decline-note">{a.ifDeclined ?? `${extensionName} will run without it; the parts that need it will not work.`}</p>}
                {d.granted && a.needsFolders && (
                  <div className="permission-scopes">
                    <span className="scope-caption">Which folders</span>
                    <ScopePicker label={`Folders for ${a.title}`} value={d.scopes} onChange={(scopes) => update(a.index, { scopes })} />
                  </div>
                )}
              </li>
            );
          })}
        </ol>
        {error && (
          <p className="dialog-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          {secondary && (
            <button
              type="button"
              className="align-left"
              disabled={busy}
              onClick={() => {
                setBusy(true);
                secondary.run().catch((e: unknown) => {
                  setError(errorMessage(e));
                  setBusy(false);
                });
              }}
            >
              {secondary.label}
            </button>
          )}
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={busy} onClick={() => void confirm()}>
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
