import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { ActionChange, ActionCommitResult, ActionPreview, CoreActionName, Tag } from '../../../src-shared/contract';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { Icon } from '../../components/Icon';
import { plural } from '../../components/format';
import { useAppStore } from '../../stores/app-store';
import { useTagsStore } from '../../stores/tags-store';
import { errorCode, useActionsStore, type ActionRequest } from './actions-store';

/** Changes listed in the dialog before "and N more". */
const SHOWN_CHANGES = 200;

export const ACTION_TITLES: Record<CoreActionName, string> = {
  'tags.apply': 'Tag',
  'tags.remove': 'Remove tag',
  'collections.createFrom': 'New collection from selection',
  'files.rename': 'Rename',
  'files.move': 'Move to folder',
  'files.trash': 'Move to Trash',
};

/** Plain labels of the preview's count keys. */
const COUNT_LABELS: Record<string, [string, string]> = {
  'tag.apply': ['item to tag', 'items to tag'],
  'tag.remove': ['item to untag', 'items to untag'],
  'collection.create': ['collection to create', 'collections to create'],
  'collection.add': ['item to add', 'items to add'],
  'file.rename': ['item to rename', 'items to rename'],
  'file.move': ['item to move', 'items to move'],
  'file.trash': ['item to move to the trash', 'items to move to the trash'],
  extension: ['change', 'changes'],
  unchanged: ['already as asked', 'already as asked'],
  conflicts: ['conflict', 'conflicts'],
};

/** Plain words for conflict codes (the core's message follows). */
const CONFLICT_LABELS: Record<string, string> = {
  EXISTS: 'Name taken',
  MISSING: 'Missing',
  OUTSIDE_LOCATION: 'Outside the location',
  NOT_INDEXED: 'Not indexed',
  NESTED: 'Inside another selected item',
  INTO_ITSELF: 'Into itself',
  OTHER_LOCATION: 'Another location',
  NO_CONTENT: 'Not fingerprinted yet',
  SAME_PLACE: 'Already there',
  NOT_SUPPORTED: 'Not possible here',
};

type Params = Record<string, unknown>;

type Phase =
  | { kind: 'params' }
  | { kind: 'previewing' }
  | { kind: 'preview'; preview: ActionPreview }
  | { kind: 'committing'; preview: ActionPreview }
  | { kind: 'stale'; message: string }
  | { kind: 'failed'; message: string; preview?: ActionPreview };

/** The dialog host: one action dialog for the current request. */
export function ActionDialogHost() {
  const request = useActionsStore((s) => s.request);
  if (!request) return null;
  return <ActionDialog key={`${request.action}:${request.entryIds.join(',')}`} request={request} />;
}

/**
 * Asks for the action's parameters (a tag, a name, a folder), previews it (`actions.preview`: the typed
 * changes, counts, conflicts, whether it can be undone) and applies exactly that preview (`actions.commit`).
 */
function ActionDialog({ request }: { request: ActionRequest }) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const close = useActionsStore((s) => s.close);
  const showToast = useActionsStore((s) => s.showToast);
  const [phase, setPhase] = useState<Phase>({ kind: request.action === 'files.trash' ? 'previewing' : 'params' });
  const [entryIds, setEntryIds] = useState(request.entryIds);
  const [params, setParams] = useState<Params | null>(null);
  const createdTag = useRef<string | null>(null);
  const committed = useRef(false);
  const title = ACTION_TITLES[request.action];

  const runPreview = async (next: Params, ids: string[]) => {
    if (!libraryId) return;
    setParams(next);
    setPhase({ kind: 'previewing' });
    try {
      const preview = await getBridge().invoke('actions.preview', { libraryId, action: request.action, params: withIds(request.action, next, ids) });
      setPhase({ kind: 'preview', preview });
    } catch (error) {
      setPhase({ kind: 'failed', message: errorMessage(error) });
    }
  };

  // Trash has nothing to ask: preview at once.
  useEffect(() => {
    if (request.action === 'files.trash') void runPreview({}, entryIds);
  }, []);

  // A tag created just for this dialog goes away again if nothing was applied.
  useEffect(
    () => () => {
      const tagId = createdTag.current;
      if (tagId && !committed.current && libraryId) {
        void getBridge()
          .invoke('tags.delete', { libraryId, tagId })
          .then(() => useTagsStore.getState().refresh())
          .catch(() => undefined);
      }
    },
    [libraryId],
  );

  const apply = async (preview: ActionPreview) => {
    if (!libraryId) return;
    setPhase({ kind: 'committing', preview });
    try {
      const result = await getBridge().invoke('actions.commit', { libraryId, previewId: preview.id });
      committed.current = true;
      close();
      showToast(resultToast(request.action, preview, result));
    } catch (error) {
      if (errorCode(error) === 'CONFLICT') setPhase({ kind: 'stale', message: errorMessage(error) });
      else setPhase({ kind: 'failed', message: errorMessage(error), preview });
    }
  };

  const excludeConflicts = (preview: ActionPreview) => {
    const bad = new Set(preview.conflicts.flatMap((c) => (c.entryId ? [c.entryId] : [])));
    const remaining = entryIds.filter((id) => !bad.has(id));
    setEntryIds(remaining);
    if (params) void runPreview(params, remaining);
  };

  const onTagCreated = (tagId: string) => {
    createdTag.current = tagId;
  };

  return (
    <div className="dialog-backdrop" onMouseDown={() => phase.kind !== 'committing' && close()}>
      <div
        className="dialog action-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="action-dialog-title"
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && phase.kind !== 'committing') {
            e.stopPropagation();
            close();
          }
        }}
      >
        <h2 id="action-dialog-title">
          {title}
          {request.action !== 'files.rename' && <span className="dialog-subtitle"> · {plural(entryIds.length, 'item')}</span>}
        </h2>
        {phase.kind === 'params' && (
          <ParamsForm request={request} initial={params} onCancel={close} onSubmit={(p) => void runPreview(p, entryIds)} onTagCreated={onTagCreated} />
        )}
        {phase.kind === 'previewing' && <p className="muted action-wait">Working out what would change…</p>}
        {(phase.kind === 'preview' || phase.kind === 'committing') && (
          <PreviewView
            preview={phase.preview}
            committing={phase.kind === 'committing'}
            canExclude={phase.preview.conflicts.some((c) => c.entryId) && phase.preview.conflicts.filter((c) => c.entryId).length < entryIds.length}
            onBack={request.action === 'files.trash' ? null : () => setPhase({ kind: 'params' })}
            onCancel={close}
            onApply={() => void apply(phase.preview)}
            onExclude={() => excludeConflicts(phase.preview)}
            onRefresh={() => params && void runPreview(params, entryIds)}
          />
        )}
        {phase.kind === 'stale' && (
          <>
            <div className="action-stale" role="alert">
              <Icon name="warning" size={18} />
              <div>
                <strong>This preview is out of date, so nothing was applied.</strong>
                <p>{phase.message}</p>
              </div>
            </div>
            <div className="dialog-actions">
              <button type="button" onClick={close}>
                Cancel
              </button>
              <button type="button" className="primary" onClick={() => params && void runPreview(params, entryIds)}>
                Preview again
              </button>
            </div>
          </>
        )}
        {phase.kind === 'failed' && (
          <>
            <p className="dialog-error" role="alert">
              {phase.message}
            </p>
            <div className="dialog-actions">
              <button type="button" onClick={close}>
                Close
              </button>
              {params && (
                <button type="button" onClick={() => setPhase({ kind: 'params' })}>
                  Back
                </button>
              )}
              {(params || request.action === 'files.trash') && (
                <button type="button" className="primary" onClick={() => void runPreview(params ?? {}, entryIds)}>
                  Preview again
                </button>
              )}
            </div>
          </>
        )}
      </div>
    </div>
  );
}

function withIds(action: CoreActionName, params: Params, ids: string[]): Params {
  if (action === 'files.rename') return { ...params, entryId: ids[0] };
  return { ...params, entryIds: ids };
}

function changeCount(preview: ActionPreview, kind: string): number {
  return preview.counts[kind] ?? 0;
}

/** The toast after a commit: "Tagged 40 items “Portraits”", with Undo when possible. */
function resultToast(action: CoreActionName, preview: ActionPreview, result: ActionCommitResult) {
  let message: string;
  const tagName = /with "(.*)"/.exec(preview.summary)?.[1];
  switch (action) {
    case 'tags.apply':
      message = `Tagged ${plural(changeCount(preview, 'tag.apply'), 'item')}${tagName ? ` “${tagName}”` : ''}`;
      break;
    case 'tags.remove':
      message = `Untagged ${plural(changeCount(preview, 'tag.remove'), 'item')}`;
      break;
    case 'collections.createFrom':
      message = `Created a collection of ${plural(changeCount(preview, 'collection.add'), 'item')}`;
      break;
    case 'files.rename':
      message = preview.summary.replace(/^Rename/, 'Renamed');
      break;
    case 'files.move':
      message = `Moved ${plural(changeCount(preview, 'file.move'), 'item')}`;
      break;
    case 'files.trash':
      message = `Moved ${plural(changeCount(preview, 'file.trash'), 'item')} to the trash`;
      break;
  }
  if (result.status === 'failed') return { message: `${message}, but the check afterwards found problems: ${result.problems.join('; ')}`, tone: 'warning' as const, ...(result.canUndo ? { auditId: result.auditId } : {}) };
  return { message, tone: 'success' as const, ...(result.canUndo ? { auditId: result.auditId } : {}) };
}

// ---- parameters ----

function ParamsForm({
  request,
  initial,
  onCancel,
  onSubmit,
  onTagCreated,
}: {
  request: ActionRequest;
  initial: Params | null;
  onCancel(): void;
  onSubmit(params: Params): void;
  onTagCreated(tagId: string): void;
}) {
  switch (request.action) {
    case 'tags.apply':
      return <TagParams initial={initial} onCancel={onCancel} onSubmit={onSubmit} onTagCreated={onTagCreated} />;
    case 'tags.remove':
      return <UntagParams initial={initial} onCancel={onCancel} onSubmit={onSubmit} />;
    case 'collections.createFrom':
      return <TextParam label="Collection name" field="name" placeholder="e.g. Best of 2024" initial={(initial?.name as string) ?? ''} onCancel={onCancel} onSubmit={onSubmit} />;
    case 'files.rename':
      return <TextParam label="New name" field="name" initial={(initial?.name as string) ?? request.entries[0]?.name ?? ''} selectStem onCancel={onCancel} onSubmit={onSubmit} />;
    case 'files.move':
      return (
        <TextParam
          label="Destination folder"
          field="destination"
          placeholder="Folder path inside the location; empty for its top level"
          hint={`A folder of the same location, as a path from its top level (e.g. “Archive/2024”). Leave it empty for the top level.`}
          initial={(initial?.destination as string) ?? request.folder}
          allowEmpty
          onCancel={onCancel}
          onSubmit={onSubmit}
        />
      );
    default:
      return null;
  }
}

function FormActions({ onCancel, disabled, label = 'Preview' }: { onCancel(): void; disabled?: boolean; label?: string }) {
  return (
    <div className="dialog-actions">
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="primary" disabled={disabled}>
        {label}
      </button>
    </div>
  );
}

function TextParam({
  label,
  field,
  initial,
  placeholder,
  hint,
  allowEmpty,
  selectStem,
  onCancel,
  onSubmit,
}: {
  label: string;
  field: string;
  initial: string;
  placeholder?: string;
  hint?: string;
  allowEmpty?: boolean;
  selectStem?: boolean;
  onCancel(): void;
  onSubmit(params: Params): void;
}) {
  const [value, setValue] = useState(initial);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.focus();
    const dot = initial.lastIndexOf('.');
    if (selectStem && dot > 0) input.setSelectionRange(0, dot);
    else input.select();
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = field === 'destination' ? value.trim().replace(/^\/+|\/+$/g, '') : value;
    if (!allowEmpty && !v.trim()) return;
    onSubmit({ [field]: v });
  };
  return (
    <form onSubmit={submit}>
      <label className="field">
        <span>{label}</span>
        <input ref={inputRef} aria-label={label} value={value} placeholder={placeholder} onChange={(e) => setValue(e.target.value)} />
      </label>
      {hint && <p className="muted field-hint">{hint}</p>}
      <FormActions onCancel={onCancel} disabled={!allowEmpty && !value.trim()} />
    </form>
  );
}

function TagParams({ initial, onCancel, onSubmit, onTagCreated }: { initial: Params | null; onCancel(): void; onSubmit(params: Params): void; onTagCreated(tagId: string): void }) {
  const tags = useTagsStore((s) => s.tags);
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const initialTag = tags.find((t) => t.id === initial?.tagId);
  const [text, setText] = useState(initialTag?.path ?? '');
  const [onlyPaths, setOnlyPaths] = useState(initial?.scope === 'entry');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const q = text.trim().toLocaleLowerCase();
  const exact = tags.find((t) => t.name.toLocaleLowerCase() === q || t.path.toLocaleLowerCase() === q);
  const suggestions = useMemo(() => tags.filter((t) => !q || t.path.toLocaleLowerCase().includes(q)).slice(0, 8), [tags, q]);

  const submit = async (e?: FormEvent, chosen?: Tag) => {
    e?.preventDefault();
    if (!libraryId) return;
    let tag = chosen ?? exact;
    setError(null);
    if (!tag) {
      if (!text.trim()) return setError('Type a tag name, or pick one.');
      setBusy(true);
      try {
        tag = await getBridge().invoke('tags.create', { libraryId, name: text.trim() });
        onTagCreated(tag.id);
        void useTagsStore.getState().refresh();
      } catch (err) {
        setBusy(false);
        return setError(errorMessage(err));
      }
    }
    onSubmit({ tagId: tag.id, scope: onlyPaths ? 'entry' : 'content' });
  };

  return (
    <form onSubmit={(e) => void submit(e)}>
      <label className="field">
        <span>Tag</span>
        <input autoFocus aria-label="Tag" placeholder="Find or create a tag…" value={text} onChange={(e) => setText(e.target.value)} disabled={busy} />
      </label>
      {suggestions.length > 0 && (
        <ul className="tag-suggestions" aria-label="Matching tags">
          {suggestions.map((t) => (
            <li key={t.id}>
              <button type="button" className={`tag-suggestion${exact?.id === t.id ? ' chosen' : ''}`} onClick={() => void submit(undefined, t)}>
                <Icon name="tag" /> {t.path} <span className="option-count">{t.usage.toLocaleString()}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {q && !exact && <p className="muted field-hint">A new tag “{text.trim()}” will be created.</p>}
      <label className="check-row" title="By default a tag follows the content: every copy of the same file gets it.">
        <input type="checkbox" checked={onlyPaths} onChange={(e) => setOnlyPaths(e.target.checked)} />
        <span>
          Only these paths <span className="muted">(not other copies of the same file)</span>
        </span>
      </label>
      {error && (
        <p className="dialog-error" role="alert">
          {error}
        </p>
      )}
      <FormActions onCancel={onCancel} disabled={busy || !text.trim()} />
    </form>
  );
}

function UntagParams({ initial, onCancel, onSubmit }: { initial: Params | null; onCancel(): void; onSubmit(params: Params): void }) {
  const tags = useTagsStore((s) => s.tags);
  const used = tags.filter((t) => t.usage > 0);
  const [tagId, setTagId] = useState((initial?.tagId as string) ?? used[0]?.id ?? '');
  const [onlyPaths, setOnlyPaths] = useState(initial?.scope === 'entry');
  if (used.length === 0) {
    return (
      <>
        <p className="muted">No tag is in use in this library.</p>
        <div className="dialog-actions">
          <button type="button" onClick={onCancel}>
            Close
          </button>
        </div>
      </>
    );
  }
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (tagId) onSubmit({ tagId, scope: onlyPaths ? 'entry' : 'content' });
      }}
    >
      <label className="field">
        <span>Tag to remove</span>
        <select className="select" aria-label="Tag to remove" value={tagId} onChange={(e) => setTagId(e.target.value)} autoFocus>
          {used.map((t) => (
            <option key={t.id} value={t.id}>
              {t.path}
            </option>
          ))}
        </select>
      </label>
      <label className="check-row">
        <input type="checkbox" checked={onlyPaths} onChange={(e) => setOnlyPaths(e.target.checked)} />
        <span>
          Only these paths <span className="muted">(keep it on other copies)</span>
        </span>
      </label>
      <FormActions onCancel={onCancel} disabled={!tagId} />
    </form>
  );
}

// ---- the preview ----

function changeLine(change: ActionChange): { icon: 'tag' | 'folder' | 'file' | 'copies' | 'close'; text: string; detail?: string } {
  switch (change.kind) {
    case 'tag.apply':
    case 'tag.remove':
      return { icon: 'tag', text: change.path, detail: change.scope === 'content' ? 'all copies' : 'this path' };
    case 'collection.create':
      return { icon: 'copies', text: `New collection “${change.name}”` };
    case 'collection.add':
      return { icon: 'copies', text: change.path };
    case 'file.rename':
    case 'file.move':
      return { icon: 'file', text: change.from, detail: `→ ${change.to}` };
    case 'file.trash':
      return { icon: change.isDir ? 'folder' : 'file', text: change.path };
    default:
      return { icon: 'file', text: change.description };
  }
}

function PreviewView({
  preview,
  committing,
  canExclude,
  onBack,
  onCancel,
  onApply,
  onExclude,
  onRefresh,
}: {
  preview: ActionPreview;
  committing: boolean;
  canExclude: boolean;
  onBack: (() => void) | null;
  onCancel(): void;
  onApply(): void;
  onExclude(): void;
  onRefresh(): void;
}) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(t);
  }, []);
  const expired = now > preview.expiresAt;
  const conflicts = preview.conflicts.length;
  const nothing = preview.changes.length === 0 && conflicts === 0;
  const counts = Object.entries(preview.counts).filter(([, n]) => n > 0);
  const conflictIds = new Set(preview.conflicts.flatMap((c) => (c.entryId ? [c.entryId] : [])));

  return (
    <div className="action-preview" aria-label="Preview">
      <p className="preview-summary">{preview.summary}</p>
      <div className="preview-facts">
        {counts.map(([kind, n]) => (
          <span key={kind} className={`count-chip${kind === 'conflicts' ? ' bad' : kind === 'unchanged' ? ' neutral' : ''}`}>
            <strong>{n.toLocaleString()}</strong> {(COUNT_LABELS[kind] ?? [kind, kind])[n === 1 ? 0 : 1]}
          </span>
        ))}
        <span className={`reversible${preview.reversible ? '' : ' no'}`}>
          <Icon name={preview.reversible ? 'check' : 'warning'} /> {preview.reversible ? 'Can be undone' : 'Cannot be undone from Cairn'}
        </span>
      </div>
      {conflicts > 0 && (
        <div className="preview-conflicts" role="alert">
          <strong>
            {plural(conflicts, 'conflict')}: {conflicts === 1 ? 'it blocks' : 'they block'} this action.
          </strong>
          <ul aria-label="Conflicts">
            {preview.conflicts.map((c, i) => (
              <li key={i}>
                <span className="conflict-code">{CONFLICT_LABELS[c.code] ?? c.code}</span> {c.path && <span className="change-path">{c.path}</span>} <span className="conflict-message">{c.message}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {preview.changes.length > 0 && (
        <ul className="change-list" aria-label="Changes">
          {preview.changes.slice(0, SHOWN_CHANGES).map((c, i) => {
            const line = changeLine(c);
            const bad = 'entryId' in c && conflictIds.has(c.entryId);
            return (
              <li key={i} className={bad ? 'conflicting' : undefined} title={c.description}>
                <Icon name={line.icon} />
                <span className="change-path">{line.text}</span>
                {line.detail && <span className="change-detail">{line.detail}</span>}
              </li>
            );
          })}
          {preview.changes.length > SHOWN_CHANGES && <li className="muted">…and {plural(preview.changes.length - SHOWN_CHANGES, 'more change')}</li>}
        </ul>
      )}
      {nothing && <p className="muted">Nothing to change: everything is already as asked.</p>}
      {expired && (
        <p className="action-note" role="alert">
          This preview is more than a few minutes old, so it can no longer be applied.{' '}
          <button type="button" className="link-button" onClick={onRefresh}>
            Preview again
          </button>
        </p>
      )}
      <div className="dialog-actions">
        {onBack && (
          <button type="button" className="align-left" onClick={onBack} disabled={committing}>
            Back
          </button>
        )}
        <button type="button" onClick={onCancel} disabled={committing}>
          Cancel
        </button>
        {canExclude && (
          <button type="button" onClick={onExclude} disabled={committing}>
            Leave out conflicting items
          </button>
        )}
        <button type="button" className="primary" disabled={committing || conflicts > 0 || nothing || expired} onClick={onApply}>
          {committing ? 'Applying…' : 'Apply'}
        </button>
      </div>
    </div>
  );
}
