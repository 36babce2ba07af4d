import { useEffect, useRef, useState, type FormEvent } from 'react';
import { create } from 'zustand';
import type { ActionOption, ActionPreview, UiActionParam } from '../../../src-shared/contract';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { thumbnailUrl } from '../../components/EntryThumb';
import { Icon } from '../../components/Icon';
import { cropStyle } from '../../components/PersonGrid';
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

/** The parameters the user fills in (text, models, choices); `selected_model` ones are filled from the run. */
function askedParams(action: OfferedAction): UiActionParam[] {
  return action.params.filter((p) => p.type !== 'selected_model');
}

/** What the user entered for a parameter: text or one choice, or the picked values of a `multiple` choice. */
type ParamValue = string | string[];

/** Whether a value counts as given (a non-blank text or choice, a non-empty list). */
const isGiven = (v: ParamValue | undefined): boolean => (Array.isArray(v) ? v.length > 0 : !!v?.trim());

/** The action's `params`: what the user filled in, plus the model it was started on. */
function paramsOf(run: ExtensionActionRun, values: Record<string, ParamValue>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const p of run.action.params) {
    const v = p.type === 'selected_model' ? run.model?.id : values[p.name];
    if (v !== undefined && isGiven(v)) out[p.name] = Array.isArray(v) ? v : v.trim();
  }
  return out;
}

/** The options of one `choice` param, as the extension lists them for this run. */
type OptionsState = { status: 'loading' } | { status: 'ready'; options: ActionOption[] } | { status: 'failed'; message: string };

/**
 * Loads the options of the run's `choice` params (`extensions.actionOptions`), each once, with the params known
 * when the dialog opened (the model it was started on, the selected entries).
 */
function useChoiceOptions(run: ExtensionActionRun, libraryId: string | null): Record<string, OptionsState> {
  const [state, setState] = useState<Record<string, OptionsState>>({});
  useEffect(() => {
    if (!libraryId) return;
    let live = true;
    const choices = run.action.params.filter((p) => p.type === 'choice');
    setState(Object.fromEntries(choices.map((p) => [p.name, { status: 'loading' } as OptionsState])));
    for (const p of choices) {
      getBridge()
        .invoke('extensions.actionOptions', { libraryId, id: run.action.extensionId, action: run.action.name, param: p.name, params: paramsOf(run, {}), entryIds: run.entryIds })
        .then((r) => live && setState((s) => ({ ...s, [p.name]: { status: 'ready', options: r.options } })))
        .catch((e: unknown) => live && setState((s) => ({ ...s, [p.name]: { status: 'failed', message: errorMessage(e) } })));
    }
    return () => {
      live = false;
    };
  }, [run, libraryId]);
  return state;
}

/**
 * A `choice` parameter: the extension's options as buttons (a cropped picture when the option has one, else its
 * words), one or several pressed. Says so while loading, when there is nothing to choose, and when loading failed.
 */
function ChoicePicker({ param, state, value, onChange }: { param: UiActionParam; state: OptionsState | undefined; value: ParamValue | undefined; onChange(v: ParamValue): void }) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const label = param.label ?? param.name;
  const picked = new Set(Array.isArray(value) ? value : value ? [value] : []);
  const toggle = (v: string) => {
    if (!param.multiple) return onChange(picked.has(v) ? '' : v);
    const next = new Set(picked);
    if (next.has(v)) next.delete(v);
    else next.add(v);
    onChange([...next]);
  };
  return (
    <fieldset className="field choice-field">
      <legend>
        {label}
        {param.multiple && picked.size > 0 && <span className="muted"> · {picked.size} chosen</span>}
      </legend>
      {(!state || state.status === 'loading') && <p className="muted" aria-busy="true">Loading the choices…</p>}
      {state?.status === 'failed' && <p className="dialog-error" role="alert">{state.message}</p>}
      {state?.status === 'ready' && state.options.length === 0 && <p className="muted">Nothing to choose from here.</p>}
      {state?.status === 'ready' && state.options.length > 0 && (
        <div className="choice-grid" role="group" aria-label={label}>
          {state.options.map((o) => {
            const url = o.image && libraryId ? thumbnailUrl(libraryId, o.image.contentId) : null;
            return (
              <button key={o.value} type="button" className={`choice-option${picked.has(o.value) ? ' picked' : ''}`} aria-pressed={picked.has(o.value)} onClick={() => toggle(o.value)} title={o.label}>
                {url ? (
                  o.image?.crop ? <span className="choice-image" style={cropStyle(url, o.image.crop)} /> : <img className="choice-image" src={url} alt="" loading="lazy" />
                ) : null}
                <span className="choice-label">{o.label}</span>
              </button>
            );
          })}
        </div>
      )}
    </fieldset>
  );
}

/**
 * Previews an extension's action (the registered action whose owner is the extension) with `{entryIds, params}`,
 * then commits exactly that preview. When the action declares parameters to ask for, a short form comes first.
 */
export function ExtensionActionDialog({ run, onClose }: { run: ExtensionActionRun; onClose(): void }) {
  const { action, entryIds } = run;
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const asked = askedParams(action);
  const [values, setValues] = useState<Record<string, ParamValue>>({});
  const options = useChoiceOptions(run, libraryId);
  const [phase, setPhase] = useState<Phase>(asked.length > 0 ? { kind: 'asking' } : { kind: 'previewing' });
  const [submitted, setSubmitted] = useState<Record<string, ParamValue> | null>(asked.length > 0 ? null : {});
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

  const missing = asked.filter((p) => !p.optional && !isGiven(values[p.name]));
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
            {asked.map((p) =>
              p.type === 'choice' ? (
                <ChoicePicker key={p.name} param={p} state={options[p.name]} value={values[p.name]} onChange={(value) => setValues((v) => ({ ...v, [p.name]: value }))} />
              ) : (
              <label key={p.name} className="field">
                <span>{p.label ?? p.name}</span>
                {p.type === 'text' ? (
                  <input type="text" autoFocus value={(values[p.name] as string | undefined) ?? ''} onChange={(e) => setValues((v) => ({ ...v, [p.name]: e.target.value }))} />
                ) : (
                  <select value={(values[p.name] as string | undefined) ?? ''} onChange={(e) => setValues((v) => ({ ...v, [p.name]: e.target.value }))}>
                    <option value="">Choose…</option>
                    {choices(p).map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.label}
                      </option>
                    ))}
                  </select>
                )}
              </label>
              ),
            )}
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
