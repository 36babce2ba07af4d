import { useEffect, useRef, useState } from 'react';
import type { ActionPreview } from '../../../src-shared/contract';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { Icon } from '../../components/Icon';
import { plural } from '../../components/format';
import { useAppStore } from '../../stores/app-store';
import { ExtensionIcon } from '../store/ExtensionIcon';
import { useExtensionsStore } from '../store/extensions-store';

type Context = 'entry' | 'selection' | 'toolbar' | 'model';

/** An action an installed extension offers, with its extension. */
export interface OfferedAction {
  extensionId: string;
  extensionName: string;
  iconUrl: string | null;
  name: string;
  label: string;
}

/** The actions installed extensions offer in a context (the manifest's `contexts`), for menus and toolbars. */
export function useOfferedActions(contexts: Context[]): OfferedAction[] {
  const contributions = useExtensionsStore((s) => s.contributions);
  const key = contexts.join(',');
  const [offered, setOffered] = useState<OfferedAction[]>([]);
  useEffect(() => {
    setOffered(
      contributions.flatMap((c) =>
        c.actions.filter((a) => a.contexts.some((x) => key.split(',').includes(x))).map((a) => ({ extensionId: c.extensionId, extensionName: c.name, iconUrl: c.iconUrl, name: a.name, label: a.label })),
      ),
    );
  }, [contributions, key]);
  return offered;
}

/**
 * The toolbar's button for extension actions on the selection: a menu of what extensions offer; choosing
 * one previews it (nothing changes) and applies exactly that preview when the user confirms.
 */
export function ExtensionActionsButton({ entryIds, context = 'selection' }: { entryIds?: string[]; context?: Context }) {
  const offered = useOfferedActions(context === 'toolbar' ? ['toolbar'] : ['selection', 'entry', 'toolbar']);
  const [open, setOpen] = useState(false);
  const [running, setRunning] = useState<OfferedAction | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => rootRef.current && !rootRef.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);
  if (offered.length === 0) return null;
  const ids = entryIds ?? [];
  return (
    <div className="menu-root" ref={rootRef}>
      <button type="button" className="tool-button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((v) => !v)} title="Actions from extensions">
        <Icon name="grid" /> Extensions
      </button>
      {open && (
        <ul className="menu dropdown" role="menu" aria-label="Extension actions">
          {offered.map((a) => (
            <li key={`${a.extensionId}/${a.name}`} role="none">
              <button
                type="button"
                role="menuitem"
                className="menu-item"
                disabled={context !== 'toolbar' && ids.length === 0}
                onClick={() => {
                  setOpen(false);
                  setRunning(a);
                }}
              >
                <ExtensionIcon name={a.extensionName} url={a.iconUrl} size={16} />
                <span>{a.label}…</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {running && <ExtensionActionDialog action={running} entryIds={ids} onClose={() => setRunning(null)} />}
    </div>
  );
}

type Phase = { kind: 'previewing' } | { kind: 'preview'; preview: ActionPreview } | { kind: 'committing'; preview: ActionPreview } | { kind: 'done'; message: string } | { kind: 'failed'; message: string };

/** Previews an extension's action (the registered action whose owner is the extension), then commits that preview. */
export function ExtensionActionDialog({ action, entryIds, onClose }: { action: OfferedAction; entryIds: string[]; onClose(): void }) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const [phase, setPhase] = useState<Phase>({ kind: 'previewing' });
  useEffect(() => {
    if (!libraryId) return;
    let live = true;
    (async () => {
      const bridge = getBridge();
      const registered = await bridge.invoke('actions.list', { libraryId });
      const match = registered.find((r) => r.owner === action.extensionId && (r.name === action.name || r.name.endsWith(`.${action.name}`) || r.name.endsWith(`:${action.name}`)));
      if (!match) throw new Error(`${action.extensionName} declares “${action.label}”, but it is not available to run right now (the extension may be disabled or still starting).`);
      return bridge.invoke('actions.preview', { libraryId, action: match.name, params: { entryIds } });
    })()
      .then((preview) => live && setPhase({ kind: 'preview', preview }))
      .catch((e: unknown) => live && setPhase({ kind: 'failed', message: errorMessage(e) }));
    return () => {
      live = false;
    };
  }, [libraryId, action, entryIds]);

  const commit = async (preview: ActionPreview) => {
    if (!libraryId) return;
    setPhase({ kind: 'committing', preview });
    try {
      const r = await getBridge().invoke('actions.commit', { libraryId, previewId: preview.id });
      setPhase({ kind: 'done', message: r.problems.length > 0 ? `Done, with problems: ${r.problems.join('; ')}` : `Done: ${preview.summary}` });
    } catch (e) {
      setPhase({ kind: 'failed', message: errorMessage(e) });
    }
  };

  const preview = phase.kind === 'preview' || phase.kind === 'committing' ? phase.preview : null;
  return (
    <div className="dialog-backdrop" onMouseDown={onClose}>
      <div className="dialog action-dialog" role="dialog" aria-modal="true" aria-labelledby="ext-action-title" onMouseDown={(e) => e.stopPropagation()}>
        <h2 id="ext-action-title">
          {action.label} <span className="dialog-subtitle">· {action.extensionName}</span>
        </h2>
        {phase.kind === 'previewing' && <p className="muted action-wait">Working out what would change… Nothing changes yet.</p>}
        {preview && (
          <div className="action-preview">
            <p className="preview-summary">{preview.summary}</p>
            <div className="preview-facts">
              <span className="count-chip">{plural(preview.changes.length, 'change')}</span>
              {preview.conflicts.length > 0 && <span className="count-chip bad">{plural(preview.conflicts.length, 'conflict')}</span>}
              <span className={`reversible${preview.reversible ? '' : ' no'}`}>{preview.reversible ? 'Can be undone' : 'Cannot be undone'}</span>
            </div>
            {preview.conflicts.length > 0 && (
              <div className="preview-conflicts">
                <ul>
                  {preview.conflicts.map((c, i) => (
                    <li key={i}>
                      <span className="conflict-code">{c.code}</span> <span className="conflict-message">{c.message}</span>
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <ul className="change-list" aria-label="Changes">
              {preview.changes.slice(0, 200).map((c, i) => (
                <li key={i}>
                  <Icon name="check" />
                  <span className="change-path">{c.description}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
        {phase.kind === 'done' && <p className="ext-notice">{phase.message}</p>}
        {phase.kind === 'failed' && (
          <p className="dialog-error" role="alert">
            {phase.message}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {phase.kind === 'done' ? 'Close' : 'Cancel'}
          </button>
          {preview && (
            <button type="button" className="primary" disabled={phase.kind === 'committing' || preview.conflicts.length > 0} onClick={() => void commit(preview)}>
              {phase.kind === 'committing' ? 'Applying…' : 'Apply'}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
