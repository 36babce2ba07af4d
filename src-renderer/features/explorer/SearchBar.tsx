import { useEffect, useRef, useState } from 'react';
import { Icon } from '../../components/Icon';
import { KIND_LABELS } from '../../components/KindIcon';
import { FILE_KIND_OPTIONS, useExplorerStore, type FileKind } from '../../stores/explorer-store';
import { useTagsStore } from '../../stores/tags-store';

const TYPING_DELAY_MS = 250;

/** Keyword search with kind, tag and date filters. Any filter switches the view to results; Clear returns. */
export function SearchBar() {
  const search = useExplorerStore((s) => s.search);
  const searching = useExplorerStore((s) => s.searching);
  const setSearch = useExplorerStore((s) => s.setSearch);
  const clearSearch = useExplorerStore((s) => s.clearSearch);
  const tags = useTagsStore((s) => s.tags);
  const [text, setText] = useState(search.query);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => setText(search.query), [search.query]);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const commit = (value: string) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (value !== useExplorerStore.getState().search.query) setSearch({ query: value });
  };

  return (
    <form className="searchbar" role="search" aria-label="Search the library" onSubmit={(e) => (e.preventDefault(), commit(text))}>
      <div className="search-field">
        <Icon name="search" />
        <input
          type="search"
          aria-label="Search"
          placeholder="Search names and folders…"
          value={text}
          onChange={(e) => {
            const value = e.target.value;
            setText(value);
            if (timer.current) clearTimeout(timer.current);
            timer.current = setTimeout(() => commit(value), TYPING_DELAY_MS);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && searching) {
              e.preventDefault();
              clearSearch();
            }
          }}
        />
      </div>
      <select aria-label="Kind" value={search.fileKind} onChange={(e) => setSearch({ fileKind: e.target.value as FileKind | '' })}>
        <option value="">Any kind</option>
        {FILE_KIND_OPTIONS.map((k) => (
          <option key={k} value={k}>
            {KIND_LABELS[k] ?? k}
          </option>
        ))}
      </select>
      <select aria-label="Tag" value={search.tagId} onChange={(e) => setSearch({ tagId: e.target.value })}>
        <option value="">Any tag</option>
        {tags.map((t) => (
          <option key={t.id} value={t.id}>
            {t.path.split('/').join(' › ')}
          </option>
        ))}
      </select>
      <label className="date-filter">
        <span>From</span>
        <input type="date" aria-label="Modified from" value={search.from} max={search.to || undefined} onChange={(e) => setSearch({ from: e.target.value })} />
      </label>
      <label className="date-filter">
        <span>To</span>
        <input type="date" aria-label="Modified to" value={search.to} min={search.from || undefined} onChange={(e) => setSearch({ to: e.target.value })} />
      </label>
      {searching && (
        <button type="button" className="tool-button" onClick={clearSearch}>
          Clear
        </button>
      )}
    </form>
  );
}
