import { useEffect, useState, type FormEvent } from 'react';
import type { Setting } from '../../../src-shared/extensions/manifest';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { useAppStore } from '../../stores/app-store';

type Value = boolean | number | string;

/** Checks one value against its declaration; returns the problem in words, or null. */
export function settingProblem(decl: Setting, raw: Value): string | null {
  switch (decl.type) {
    case 'number': {
      if (typeof raw === 'string' && raw.trim() === '') return `${decl.label} needs a number.`;
      const n = Number(raw);
      if (!Number.isFinite(n)) return `${decl.label} needs a number.`;
      if (decl.min !== undefined && n < decl.min) return `${decl.label} must be at least ${decl.min}.`;
      if (decl.max !== undefined && n > decl.max) return `${decl.label} must be at most ${decl.max}.`;
      return null;
    }
    case 'string':
      if (decl.maxLength !== undefined && String(raw).length > decl.maxLength) return `${decl.label} can be at most ${decl.maxLength} characters.`;
      return null;
    case 'enum':
      return decl.options.includes(String(raw)) ? null : `Choose one of the options for ${decl.label}.`;
    default:
      return null;
  }
}

/** The settings pane generated from the manifest: toggles, numbers with ranges, text, choices. */
export function SettingsForm({ extensionId, declarations, values }: { extensionId: string; declarations: Record<string, Setting>; values: Record<string, Value> }) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  // Numbers are edited as text so a half-typed value can be shown and checked.
  const [draft, setDraft] = useState<Record<string, Value>>(values);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => setDraft(values), [values]);

  const keys = Object.keys(declarations);
  if (keys.length === 0) return <p className="muted">This extension has no settings.</p>;

  const problems = Object.fromEntries(keys.map((k) => [k, settingProblem(declarations[k]!, draft[k] ?? declarations[k]!.default)]));
  const changed = keys.filter((k) => String(draft[k]) !== String(values[k]));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!libraryId) return;
    const first = keys.map((k) => problems[k]).find(Boolean);
    if (first) return setError(first);
    const patch: Record<string, Value> = {};
    for (const k of changed) patch[k] = declarations[k]!.type === 'number' ? Number(draft[k]) : draft[k]!;
    setBusy(true);
    setError(null);
    try {
      await getBridge().invoke('extensions.setSettings', { libraryId, id: extensionId, values: patch });
      setSaved(true);
      setTimeout(() => setSaved(false), 2500);
    } catch (err) {
      setError(`Could not save: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="settings-form" onSubmit={(e) => void save(e)} aria-label="Settings">
      {keys.map((key) => {
        const decl = declarations[key]!;
        const value = draft[key] ?? decl.default;
        const problem = problems[key];
        const id = `setting-${key}`;
        const set = (v: Value) => {
          setDraft({ ...draft, [key]: v });
          setSaved(false);
        };
        return (
          <div key={key} className={`setting-row${problem ? ' invalid' : ''}`}>
            <div className="setting-label">
              <label htmlFor={id}>{decl.label}</label>
              {decl.description && <p className="muted small">{decl.description}</p>}
              {decl.type === 'number' && (decl.min !== undefined || decl.max !== undefined) && (
                <p className="muted small">{decl.min !== undefined && decl.max !== undefined ? `From ${decl.min} to ${decl.max}` : decl.min !== undefined ? `At least ${decl.min}` : `At most ${decl.max}`}</p>
              )}
            </div>
            <div className="setting-control">
              {decl.type === 'boolean' && (
                <label className="switch">
                  <input id={id} type="checkbox" role="switch" checked={value === true} onChange={(e) => set(e.target.checked)} />
                  <span className="switch-track" aria-hidden />
                </label>
              )}
              {decl.type === 'number' && (
                <input id={id} type="number" inputMode="decimal" min={decl.min} max={decl.max} value={String(value)} aria-invalid={!!problem} onChange={(e) => set(e.target.value)} />
              )}
              {decl.type === 'string' && <input id={id} type="text" maxLength={decl.maxLength} value={String(value)} onChange={(e) => set(e.target.value)} />}
              {decl.type === 'enum' && (
                <select id={id} className="select" value={String(value)} onChange={(e) => set(e.target.value)}>
                  {decl.options.map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </select>
              )}
              {problem && <p className="field-problem">{problem}</p>}
            </div>
          </div>
        );
      })}
      {error && (
        <p className="dialog-error" role="alert">
          {error}
        </p>
      )}
      <div className="settings-actions">
        {saved && <span className="saved-note">Saved</span>}
        <button type="button" disabled={changed.length === 0 || busy} onClick={() => setDraft(values)}>
          Reset
        </button>
        <button type="submit" className="primary" disabled={changed.length === 0 || busy}>
          {busy ? 'Saving…' : 'Save settings'}
        </button>
      </div>
    </form>
  );
}
