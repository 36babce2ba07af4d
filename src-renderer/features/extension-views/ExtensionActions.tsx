import { useEffect, useRef, useState, type FormEvent } from 'react';
import { create } from 'zustand';
import type { ActionPreview, UiActionParam } from '../../../src-shared/contract';
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
  /** What the app asks for (or fills in) before the preview (the manifest's `params`). */
  params: UiActionParam[];
}

/** A model an action is started on, or one the user may choose for a `model` parameter. */
export interface ModelChoice {
  id: string;
  type: string;
  label: string;
}

/** One run of an extension's action: the entries it acts on and, for `model` context, the model and the choices. */
export interface ExtensionActionRun {
  action: OfferedAction;
  entryIds: string[];
  model?: ModelChoice | null;
  /** Models the user may pick for `model` parameters (what the view shows). */
  choices?: ModelChoice[];
}

/** The extension action whose preview dialog is open (one at a time, wherever it was started). */
export const useExtensionActionStore = create<{ run: ExtensionActionRun | null; start(run: ExtensionActionRun): void; close(): void }>((set) => ({
  run: null,
  start: (run) => set({ run }),
  close: () => set({ run: null }),
}));

/** Renders the open extension action's dialog; mounted once by the app. */
export function ExtensionActionHost() {
  const run = useExtensionActionStore((s) => s.run);
  const close = useExtensionActionStore((s) => s.close);
  if (!run) return null;
  return <ExtensionActionDialog key={`${run.action.extensionId}/${run.action.name}/${run.model?.id ?? ''}`} run={run} onClose={close} />;
}

/** The actions installed extensions offer in a context (the manifest's `contexts`), for menus and toolbars. */
export function useOfferedActions(contexts: Context[]): OfferedAction[] {
  const contributions = useExtensionsStore((s) => s.contributions);
  const key = contexts.join(',');
  const [offered, setOffered] = useState<OfferedAction[]>([]);
  useEffect(() => {
    setOffered(
      contributions.flatMap((c) =>
        c.actions
          .filter((a) => a.contexts.some((x) => key.split(',').includes(x)))
          .map((a) => ({ extensionId: c.extensionId, extensionName: c.name, iconUrl: c.iconUrl, name: a.name, label: a.label, params: a.params ?? [] })),
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
  const start = useExtensionActionStore((s) => s.start);
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
                  start({ action: a, entryIds: ids });
                }}
              >
                <ExtensionIcon name={a.extensionName} url={a.iconUrl} size={16} />
                <span>{a.label}…</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

type Phase =
  | { kind: 'asking' }
  | { kind: 'previewing' }
  | { kind: 'preview'; preview: ActionPreview }
  | { kind: 'committing'; preview: ActionPreview }
  | { kind: 'done'; message: string; auditId: string; canUndo: boolean }
  | { kind: 'undoing'; message: string; auditId: string }
  | { kind: 'undone'; message: string }
  | { kind: 'failed'; message: string };

/** The parameters the user fills in (text and model choices); `selected_model` ones are filled from the run. */
function askedParams(action: OfferedAction): UiActionParam[] {
  return action.params.filter((p) => p.type !== 'selected_model');
}

/** The action's `params`: what the user filled in, plus the model it was started on. */
function paramsOf(run: ExtensionActionRun, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of run.action.params) {
    const v = p.type === 'selected_model' ? run.model?.id : values[p.name]?.trim();
    if (v) out[p.name] = v;
  }
  return out;
}

/**
 * Previews an extension's action (the registered action whose owner is the extension) with `{entryIds, params}`,
 * then commits exactly that preview. When the action declares parameters to ask for, a short form comes first.
 */
export function ExtensionActionDialog({ run, onClose }: { run: ExtensionActionRun; onClose(): void }) {
  const { action, entryIds } = run;
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const asked = askedParams(action);
  const [values, setValues] = useState<Record<string, string>>({});
  const [phase, setPhase] = useState<Phase>(asked.length > 0 ? { kind: 'asking' } : { kind: 'previewing' });
  const [submitted, setSubmitted] = useState<Record<string, string> | null>(asked.length > 0 ? null : {});
  useEffect(() => {
    if (!libraryId || submitted === null) return;
    let live = true;
    setPhase({ kind: 'previewing' });
    (async () => {
      const bridge = getBridge();
      const registered = await bridge.invoke('actions.list', { libraryId });
      const match = registered.find((r) => r.owner === action.extensionId && (r.name === action.name || r.name.endsWith(`.${action.name}`) || r.name.endsWith(`:${action.name}`)));
      if (!match) throw new Error(`${action.extensionName} declares “${action.label}”, but it is not available to run right now (the extension may be disabled or still starting).`);
      return bridge.invoke('actions.preview', { libraryId, action: match.name, params: { entryIds, params: paramsOf(run, submitted) } });
    })()
      .then((preview) => live && setPhase({ kind: 'preview', preview }))
      .catch((e: unknown) => live && setPhase({ kind: 'failed', message: errorMessage(e) }));
    return () => {
      live = false;
    };
  }, [libraryId, action, entryIds, run, submitted]);

  const commit = async (preview: ActionPreview) => {
    if (!libraryId) return;
    setPhase({ kind: 'committing', preview });
    try {
      const r = await getBridge().invoke('actions.commit', { libraryId, previewId: preview.id });
      setPhase({
        kind: 'done',
        message: r.problems.length > 0 ? `Done, with problems: ${r.problems.join('; ')}` : `Done: ${preview.summary}`,
        auditId: r.auditId,
        canUndo: r.canUndo,
      });
    } catch (e) {
      setPhase({ kind: 'failed', message: errorMessage(e) });
    }
  };

  const undo = async (auditId: string, message: string) => {
    if (!libraryId) return;
    setPhase({ kind: 'undoing', message, auditId });
    try {
      await getBridge().invoke('actions.undo', { libraryId, auditId });
      setPhase({ kind: 'undone', message: `Undone: ${action.label}` });
    } catch (e) {
      setPhase({ kind: 'failed', message: errorMessage(e) });
    }
  };

  const missing = asked.filter((p) => !p.optional && !values[p.name]?.trim());
  const onAsk = (e: FormEvent) => {
    e.preventDefault();
    if (missing.length === 0) setSubmitted({ ...values });
  };
  const choices = (p: UiActionParam) => (run.choices ?? []).filter((c) => c.id !== run.model?.id && (!p.modelType || c.type === p.modelType));

  const preview = phase.kind === 'preview' || phase.kind === 'committing' ? phase.preview : null;
  return (
    <div className="dialog-backdrop" onMouseDown={onClose}>
      <div className="dialog action-dialog" role="dialog" aria-modal="true" aria-labelledby="ext-action-title" onMouseDown={(e) => e.stopPropagation()}>
        <h2 id="ext-action-title">
          {action.label} <span className="dialog-subtitle">· {action.extensionName}</span>
        </h2>
        {run.model && <p className="muted action-target">{run.model.label}</p>}
        {phase.kind === 'asking' && (
          <form id="ext-action-form" className="action-params" onSubmit={onAsk}>
            {asked.map((p) => (
              <label key={p.name} className="field">
                <span>{p.label ?? p.name}</span>
                {p.type === 'text' ? (
                  <input type="text" autoFocus value={values[p.name] ?? ''} onChange={(e) => setValues((v) => ({ ...v, [p.name]: e.target.value }))} />
                ) : (
                  <select value={values[p.name] ?? ''} onChange={(e) => setValues((v) => ({ ...v, [p.name]: e.target.value }))}>
                    <option value="">Choose…</option>
                    {choices(p).map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.label}
                      </option>
                    ))}
                  </select>
                )}
              </label>
            ))}
          </form>
        )}
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
        {(phase.kind === 'done' || phase.kind === 'undoing' || phase.kind === 'undone') && (
          <p className="ext-notice" role="status">
            {phase.message}
          </p>
        )}
        {phase.kind === 'failed' && (
          <p className="dialog-error" role="alert">
            {phase.message}
          </p>
        )}
        <div className="dialog-actions">
          {phase.kind === 'done' && phase.canUndo && (
            <button type="button" onClick={() => void undo(phase.auditId, phase.message)}>
              Undo
            </button>
          )}
          {phase.kind === 'undoing' && (
            <button type="button" disabled>
              Undoing…
            </button>
          )}
          <button type="button" onClick={onClose}>
            {phase.kind === 'done' || phase.kind === 'undone' ? 'Close' : 'Cancel'}
          </button>
          {phase.kind === 'asking' && (
            <button type="submit" form="ext-action-form" className="primary" disabled={missing.length > 0}>
              Preview
            </button>
          )}
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

/** Buttons for the `model` context actions an extension offers on one of its models (e.g. a person card). */
export function ModelActions({ extensionId, model, choices }: { extensionId: string; model: ModelChoice; choices: ModelChoice[] }) {
  const offered = useOfferedActions(['model']).filter((a) => a.extensionId === extensionId);
  const start = useExtensionActionStore((s) => s.start);
  if (offered.length === 0) return null;
  return (
    <div className="model-actions" role="toolbar" aria-label={`Actions on ${model.label}`}>
      {offered.map((a) => (
        <button key={a.name} type="button" className="tool-button" onClick={() => start({ action: a, entryIds: [], model, choices })}>
          {a.label}
        </button>
      ))}
    </div>
  );
}

/** The explorer's right-click menu items for extensions' `entry` and `selection` actions on the selected entries. */
export function ExtensionMenuItems({ entryIds, onChoose }: { entryIds: string[]; onChoose(): void }) {
  const offered = useOfferedActions(entryIds.length === 1 ? ['entry', 'selection'] : ['selection']);
  const start = useExtensionActionStore((s) => s.start);
  if (offered.length === 0 || entryIds.length === 0) return null;
  return (
    <>
      {offered.map((a, i) => (
        <li key={`${a.extensionId}/${a.name}`} role="none" className={i === 0 ? 'separated' : undefined}>
          <button
            type="button"
            role="menuitem"
            className="menu-item"
            onClick={() => {
              onChoose();
              start({ action: a, entryIds });
            }}
          >
            <ExtensionIcon name={a.extensionName} url={a.iconUrl} size={16} />
            <span>{a.label}…</span>
          </button>
        </li>
      ))}
    </>
  );
}
