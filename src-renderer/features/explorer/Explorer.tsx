import { useCallback, useEffect, type KeyboardEvent, type MouseEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { EntryGrid } from '../../components/EntryGrid';
import { EntryList } from '../../components/EntryList';
import { Icon } from '../../components/Icon';
import { formatBytes, plural } from '../../components/format';
import { useAppStore } from '../../stores/app-store';
import { useExplorerStore } from '../../stores/explorer-store';
import { useTagsStore } from '../../stores/tags-store';
import { onEntriesContextMenu, SelectionActionsButton } from '../actions/ActionMenu';
import { ActivityView } from '../activity/ActivityView';
import { DuplicatesView } from '../duplicates/DuplicatesView';
import { ExtensionActionsButton } from '../extension-views/ExtensionActions';
import { Inspector } from '../inspector/Inspector';
import { TagPicker } from '../tags/TagPicker';
import { Breadcrumbs } from './Breadcrumbs';
import { SearchBar } from './SearchBar';
import { Welcome } from './Welcome';

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** The explorer: toolbar (breadcrumbs, search, view switches), the entries, and the inspector. */
export function Explorer() {
  const { place, searching, layout, inspectorOpen, selectedCount } = useExplorerStore(
    useShallow((s) => ({ place: s.place, searching: s.searching, layout: s.layout, inspectorOpen: s.inspectorOpen, selectedCount: s.selected.size })),
  );
  const goUp = useExplorerStore((s) => s.goUp);
  const setLayout = useExplorerStore((s) => s.setLayout);
  const toggleInspector = useExplorerStore((s) => s.toggleInspector);
  const canGoUp = searching || (place.kind === 'location' && place.trail.length > 0);
  const showsEntries = searching || (place.kind !== 'home' && place.kind !== 'duplicates' && place.kind !== 'activity');

  // Backspace and Alt+Up go up from anywhere in the window except text fields.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (isTextField(e.target) || e.defaultPrevented) return;
      if (e.key === 'Backspace' || (e.altKey && e.key === 'ArrowUp')) {
        e.preventDefault();
        useExplorerStore.getState().goUp();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="explorer">
      <header className="toolbar" role="toolbar" aria-label="Explorer toolbar">
        <div className="toolbar-row">
          <button type="button" className="ghost-button" aria-label="Go up" title="Go up (Backspace or Alt+↑)" disabled={!canGoUp} onClick={goUp}>
            <Icon name="up" size={16} />
          </button>
          <Breadcrumbs />
          <div className="toolbar-spacer" />
          <SelectionTools />
          {showsEntries && (
            <div className="segmented" role="group" aria-label="Layout">
              <button type="button" aria-pressed={layout === 'grid'} aria-label="Grid" title="Grid" onClick={() => setLayout('grid')}>
                <Icon name="grid" size={16} />
              </button>
              <button type="button" aria-pressed={layout === 'list'} aria-label="List" title="List" onClick={() => setLayout('list')}>
                <Icon name="list" size={16} />
              </button>
            </div>
          )}
          {showsEntries && (
            <button
              type="button"
              className={`ghost-button${inspectorOpen ? ' pressed' : ''}`}
              aria-pressed={inspectorOpen}
              aria-label="Inspector"
              title={inspectorOpen ? 'Hide inspector' : 'Show inspector'}
              onClick={toggleInspector}
            >
              <Icon name="panel" size={16} />
            </button>
          )}
        </div>
        <SearchBar />
      </header>
      <div className="explorer-body">
        <section className="explorer-content" aria-label="Content" onContextMenu={showsEntries ? onEntriesContextMenu : undefined}>
          {!showsEntries && place.kind === 'duplicates' && <DuplicatesView />}
          {!showsEntries && place.kind === 'home' && <Welcome />}
          {!showsEntries && place.kind === 'activity' && <ActivityView />}
          {showsEntries && <Entries />}
        </section>
        {showsEntries && inspectorOpen && <Inspector />}
      </div>
      {showsEntries && <ListFooter selectedCount={selectedCount} />}
    </div>
  );
}

function SelectionTools() {
  const selected = useExplorerStore((s) => s.selected);
  if (selected.size === 0) return null;
  return (
    <>
      <TagPicker entryIds={[...selected]} className="toolbar-tags" />
      <SelectionActionsButton />
      <ExtensionActionsButton entryIds={[...selected]} />
    </>
  );
}

function ListFooter({ selectedCount }: { selectedCount: number }) {
  const { total, totalCapped, searching } = useExplorerStore(useShallow((s) => ({ total: s.total, totalCapped: s.totalCapped, searching: s.searching })));
  const selectedSize = useExplorerStore((s) => {
    if (s.selected.size === 0) return 0;
    let bytes = 0;
    for (const item of s.items) if (item && s.selected.has(item.id)) bytes += item.size;
    return bytes;
  });
  if (total === null) return <footer className="list-footer">Loading…</footer>;
  return (
    <footer className="list-footer">
      <span>
        {totalCapped ? `More than ${total.toLocaleString()} results` : searching ? plural(total, 'result') : plural(total, 'item')}
      </span>
      {selectedCount > 0 && (
        <span>
          {plural(selectedCount, 'item')} selected · {formatBytes(selectedSize)}
        </span>
      )}
    </footer>
  );
}

function viewLabel(place: ReturnType<typeof useExplorerStore.getState>['place'], searching: boolean, locationName: string | undefined, tagName: string | undefined): string {
  if (searching) return 'Search results';
  if (place.kind === 'location') return place.trail.at(-1)?.name ?? locationName ?? 'Location';
  if (place.kind === 'favorites') return 'Favourites';
  if (place.kind === 'tag') return `Tagged ${tagName ?? ''}`.trim();
  return 'Entries';
}

/** The grid or list of the current view, its loading and empty states, and keyboard handling. */
function Entries() {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const state = useExplorerStore(
    useShallow((s) => ({
      place: s.place,
      searching: s.searching,
      search: s.search,
      layout: s.layout,
      items: s.items,
      total: s.total,
      listError: s.listError,
      selected: s.selected,
      focus: s.focus,
      columns: s.columns,
      scrollRequest: s.scrollRequest,
    })),
  );
  const actions = useExplorerStore(
    useShallow((s) => ({ ensureRange: s.ensureRange, click: s.click, openIndex: s.openIndex, moveFocus: s.moveFocus, selectAll: s.selectAll, clearSelection: s.clearSelection, setColumns: s.setColumns })),
  );
  const locationName = useAppStore((s) => (state.place.kind === 'location' ? s.locations.find((l) => l.id === (state.place as { locationId: string }).locationId)?.name : undefined));
  const tagName = useTagsStore((s) => (state.place.kind === 'tag' ? s.tags.find((t) => t.id === (state.place as { tagId: string }).tagId)?.name : undefined));

  const onItemClick = useCallback(
    (index: number, e: MouseEvent) => actions.click(index, { shift: e.shiftKey, toggle: e.ctrlKey || e.metaKey }),
    [actions],
  );
  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLElement>) => {
      const { columns, layout, focus, total } = useExplorerStore.getState();
      const cols = layout === 'grid' ? columns : 1;
      const page = cols * Math.max(1, Math.floor((e.currentTarget.clientHeight || 400) / (layout === 'grid' ? 200 : 34)));
      const extend = e.shiftKey;
      let handled = true;
      if (e.altKey && e.key === 'ArrowUp') return; // the window handler goes up
      switch (e.key) {
        case 'ArrowRight':
          if (layout === 'grid') actions.moveFocus(1, extend);
          else handled = false;
          break;
        case 'ArrowLeft':
          if (layout === 'grid') actions.moveFocus(-1, extend);
          else handled = false;
          break;
        case 'ArrowDown':
          actions.moveFocus(cols, extend);
          break;
        case 'ArrowUp':
          actions.moveFocus(-cols, extend);
          break;
        case 'PageDown':
          actions.moveFocus(page, extend);
          break;
        case 'PageUp':
          actions.moveFocus(-page, extend);
          break;
        case 'Home':
          actions.moveFocus(-(focus ?? 0), extend);
          break;
        case 'End':
          actions.moveFocus((total ?? 0) - 1 - (focus ?? 0), extend);
          break;
        case 'Enter':
          if (focus !== null) actions.openIndex(focus);
          break;
        case 'Escape':
          actions.clearSelection();
          break;
        case 'a':
        case 'A':
          if (e.ctrlKey || e.metaKey) actions.selectAll();
          else handled = false;
          break;
        default:
          handled = false;
      }
      if (handled) e.preventDefault();
    },
    [actions],
  );

  if (!libraryId) return null;
  if (state.listError && !state.total) {
    return (
      <div className="empty-state">
        <Icon name="warning" size={36} />
        <h2>Could not load this view</h2>
        <p className="inline-error">{state.listError}</p>
      </div>
    );
  }
  if (state.total === null) return <div className="empty-state muted" aria-busy="true">Loading…</div>;
  if (state.total === 0) return <EmptyView place={state.place} searching={state.searching} query={state.search.query} tagName={tagName} />;

  const View = state.layout === 'grid' ? EntryGrid : EntryList;
  return (
    <View
      libraryId={libraryId}
      items={state.items}
      total={state.total}
      selected={state.selected}
      focus={state.focus}
      scrollRequest={state.scrollRequest}
      label={viewLabel(state.place, state.searching, locationName, tagName)}
      onRangeRendered={actions.ensureRange}
      onItemClick={onItemClick}
      onItemOpen={actions.openIndex}
      onKeyDown={onKeyDown}
      onColumns={actions.setColumns}
      showFolder={state.searching || state.place.kind === 'favorites' || state.place.kind === 'tag'}
    />
  );
}

function EmptyView({ place, searching, query, tagName }: { place: ReturnType<typeof useExplorerStore.getState>['place']; searching: boolean; query: string; tagName?: string }) {
  let icon: 'search' | 'folder' | 'star' | 'tag' = 'folder';
  let title: string;
  let text: string;
  if (searching) {
    icon = 'search';
    title = query.trim() ? `No results for “${query.trim()}”` : 'No results';
    text = 'Try fewer or different words, or clear a filter.';
  } else if (place.kind === 'location' && place.trail.length === 0) {
    title = 'Nothing indexed here yet…';
    text = 'Cairn lists the files of this location once it has been indexed. New files appear here by themselves.';
  } else if (place.kind === 'location') {
    title = 'This folder is empty';
    text = 'There are no files or folders in it.';
  } else if (place.kind === 'favorites') {
    icon = 'star';
    title = 'No favourites yet';
    text = 'Select a file and press the star in the inspector to keep it here.';
  } else {
    icon = 'tag';
    title = `Nothing tagged “${tagName ?? ''}” yet`;
    text = 'Select files and use “Add tag” to tag them.';
  }
  return (
    <div className="empty-state">
      <Icon name={icon} size={40} />
      <h2>{title}</h2>
      <p>{text}</p>
    </div>
  );
}
