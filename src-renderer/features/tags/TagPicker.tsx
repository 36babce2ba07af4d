import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Tag } from '../../../src-shared/contract';
import { Icon } from '../../components/Icon';
import { plural } from '../../components/format';
import { useTagsStore } from '../../stores/tags-store';

type Option = { kind: 'tag'; tag: Tag } | { kind: 'create'; name: string };

/**
 * "Add tag": a popover to find a tag by typing, or create it with Enter, and apply it to `entryIds`.
 * Tags go on the content (every copy of the same bytes) unless "Only these paths" is ticked.
 */
export function TagPicker({ entryIds, className = '' }: { entryIds: readonly string[]; className?: string }) {
  const tags = useTagsStore((s) => s.tags);
  const applyByName = useTagsStore((s) => s.applyByName);
  const apply = useTagsStore((s) => s.apply);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [highlight, setHighlight] = useState(0);
  const [onlyPaths, setOnlyPaths] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const popoverRef = useRef<HTMLDivElement>(null);
  const listId = useId();

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (rootRef.current && !rootRef.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  // In a scrolling pane (the inspector) bring the whole popover into view.
  useEffect(() => {
    if (open) popoverRef.current?.scrollIntoView({ block: 'nearest' });
  }, [open]);

  useEffect(() => {
    if (!done) return;
    const t = setTimeout(() => setDone(null), 2500);
    return () => clearTimeout(t);
  }, [done]);

  const options = useMemo<Option[]>(() => {
    const q = text.trim().toLocaleLowerCase();
    const matching = tags.filter((t) => !q || t.path.toLocaleLowerCase().includes(q));
    const exact = matching.find((t) => t.name.toLocaleLowerCase() === q || t.path.toLocaleLowerCase() === q);
    const rest = matching.filter((t) => t !== exact).slice(0, 50);
    const list: Option[] = exact ? [{ kind: 'tag', tag: exact }] : q ? [{ kind: 'create', name: text.trim() }] : [];
    return [...list, ...rest.map((tag) => ({ kind: 'tag' as const, tag }))];
  }, [tags, text]);

  const choose = async (option: Option | undefined) => {
    if (!option || busy) return;
    if (entryIds.length === 0) return setError('Select something to tag first.');
    setBusy(true);
    setError(null);
    const scope = onlyPaths ? 'entry' : 'content';
    try {
      let name: string;
      if (option.kind === 'tag') {
        await apply(option.tag.id, [...entryIds], scope);
        name = option.tag.name;
      } else {
        name = (await applyByName(option.name, [...entryIds], scope)).name;
      }
      setDone(`Tagged ${plural(entryIds.length, 'item')} “${name}”`);
      setText('');
      setOpen(false);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setHighlight((h) => Math.min(options.length - 1, h + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setHighlight((h) => Math.max(0, h - 1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      void choose(options[highlight] ?? (text.trim() ? { kind: 'create', name: text.trim() } : undefined));
    } else if (e.key === 'Escape') {
      e.stopPropagation();
      setOpen(false);
    }
  };

  return (
    <div className={`tag-picker ${className}`} ref={rootRef}>
      <button
        type="button"
        className="tool-button"
        aria-haspopup="dialog"
        aria-expanded={open}
        disabled={entryIds.length === 0}
        onClick={() => {
          setOpen((v) => !v);
          setError(null);
          setHighlight(0);
        }}
      >
        <Icon name="tag" /> Add tag
      </button>
      {done && (
        <span className="tag-picker-done" aria-live="polite">
          <Icon name="check" /> {done}
        </span>
      )}
      {open && (
        <div className="popover" ref={popoverRef} role="dialog" aria-label={`Tag ${plural(entryIds.length, 'item')}`}>
          <div className="popover-title">Tag {plural(entryIds.length, 'item')}</div>
          <input
            autoFocus
            aria-label="Tag name"
            placeholder="Find or create a tag…"
            value={text}
            role="combobox"
            aria-expanded
            aria-controls={listId}
            aria-activedescendant={options[highlight] ? `${listId}-${highlight}` : undefined}
            onChange={(e) => {
              setText(e.target.value);
              setHighlight(0);
              setError(null);
            }}
            onKeyDown={onKeyDown}
            disabled={busy}
          />
          <ul className="popover-list" role="listbox" id={listId} aria-label="Tags">
            {options.length === 0 && <li className="popover-empty">No tags yet: type a name and press Enter.</li>}
            {options.map((option, i) => (
              <li
                key={option.kind === 'tag' ? option.tag.id : 'create'}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === highlight}
                className={`popover-option${i === highlight ? ' highlighted' : ''}${option.kind === 'create' ? ' create' : ''}`}
                onMouseEnter={() => setHighlight(i)}
                onMouseDown={(e) => {
                  e.preventDefault();
                  void choose(option);
                }}
              >
                {option.kind === 'create' ? (
                  <>
                    <span className="option-plus">+</span> Create tag “{option.name}”
                  </>
                ) : (
                  <>
                    <Icon name="tag" /> <span className="option-label">{option.tag.path}</span>
                    <span className="option-count">{option.tag.usage.toLocaleString()}</span>
                  </>
                )}
              </li>
            ))}
          </ul>
          <label className="check-row" title="By default a tag follows the content: every copy of the same file gets it.">
            <input type="checkbox" checked={onlyPaths} onChange={(e) => setOnlyPaths(e.target.checked)} />
            <span>
              Only these paths <span className="muted">(not other copies)</span>
            </span>
          </label>
          {error && (
            <p className="popover-error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
