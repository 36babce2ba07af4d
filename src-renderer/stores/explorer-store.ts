import { create } from 'zustand';
import type { EntrySummary, FILE_KINDS } from '../../src-shared/contract';

export type FileKind = (typeof FILE_KINDS)[number];

/** The file kinds, for filters (kept here so the renderer does not bundle the contract's schemas). */
export const FILE_KIND_OPTIONS = ['image', 'video', 'audio', 'document', 'text', 'archive', 'code', 'executable', 'font', 'unknown'] as const satisfies readonly FileKind[];
import { errorMessage, getBridge } from '../bridge/get-bridge';
import { useAppStore } from './app-store';

/** Entries fetched per `entries.list` / `search.entries` call while scrolling. */
export const PAGE_SIZE = 500;

/** A folder in the breadcrumb trail. */
export interface Crumb {
  id: string;
  name: string;
}

/** Where the explorer is. `trail` lists the folders from the location's top level down to the open folder. */
export type Place =
  | { kind: 'home' }
  | { kind: 'location'; locationId: string; trail: Crumb[] }
  | { kind: 'favorites' }
  | { kind: 'duplicates' }
  /** The audit log of actions (features/activity). */
  | { kind: 'activity' }
  | { kind: 'tag'; tagId: string };

export interface SearchFilters {
  query: string;
  fileKind: FileKind | '';
  tagId: string;
  /** `YYYY-MM-DD`, modified on or after. */
  from: string;
  /** `YYYY-MM-DD`, modified on or before (inclusive in the UI). */
  to: string;
}

export const EMPTY_SEARCH: SearchFilters = { query: '', fileKind: '', tagId: '', from: '', to: '' };

export function isSearchActive(s: SearchFilters): boolean {
  return s.query.trim() !== '' || s.fileKind !== '' || s.tagId !== '' || s.from !== '' || s.to !== '';
}

export type Layout = 'grid' | 'list';

export interface ExplorerState {
  place: Place;
  search: SearchFilters;
  /** True while the view shows search results instead of `place`. */
  searching: boolean;
  layout: Layout;
  inspectorOpen: boolean;

  /** Sparse: `items.length === total`; holes are pages not loaded yet (drawn as skeletons). */
  items: (EntrySummary | undefined)[];
  /** Null until the first page of the current view arrives. */
  total: number | null;
  /** Search only: more matches exist than `total` counts. */
  totalCapped: boolean;
  listError: string | null;
  /** Bumped whenever the list is reloaded; responses for older generations are dropped. */
  generation: number;
  /** Bumped on every data change event, so views that fetch on their own (inspector, duplicates) refetch. */
  dataVersion: number;

  /** Selected entry ids. */
  selected: ReadonlySet<string>;
  /** Index where a Shift range starts. */
  anchor: number | null;
  /** Index of the keyboard focus (drawn with a focus ring). */
  focus: number | null;
  /** Columns of the grid as laid out now (1 in the list), for up/down arrows. */
  columns: number;
  /** Set when the view must scroll an index into sight; `nonce` makes repeated requests distinct. */
  scrollRequest: { index: number; nonce: number } | null;

  navigate(place: Place): void;
  openFolder(entry: EntrySummary): Promise<void>;
  /** Opens the breadcrumb at `index` of the trail; -1 is the location's top level. */
  goToCrumb(index: number): void;
  goUp(): void;
  /** Shows the entry in its folder, selected and scrolled into view. */
  reveal(entryId: string): Promise<void>;
  setSearch(patch: Partial<SearchFilters>): void;
  clearSearch(): void;
  setLayout(layout: Layout): void;
  toggleInspector(): void;
  setColumns(columns: number): void;

  /** Loads the pages covering indexes `start..stop` that are not loaded yet. */
  ensureRange(start: number, stop: number): void;
  /** Reloads the visible data after a change event, keeping what is on screen until the new pages arrive. */
  refresh(): void;
  /** Back to the start view (library switched). */
  reset(): void;

  click(index: number, modifiers: { shift: boolean; toggle: boolean }): void;
  moveFocus(delta: number, extend: boolean): void;
  selectAll(): void;
  clearSelection(): void;
  /** Opens a folder (Enter, double-click); files just get the inspector. */
  openIndex(index: number): void;
}

// Paging bookkeeping for the current generation; not state that views draw.
let pagesDone = new Set<number>();
let pagesInflight = new Set<number>();
let lastRange: [number, number] = [0, PAGE_SIZE - 1];
/** The generation whose first response has replaced `items` (a refresh keeps stale items until then). */
let replacedFor = -1;
/** An entry to select and scroll to as soon as a page containing it arrives. */
let pendingReveal: string | null = null;
/** An index the keyboard moved to before its page arrived: select it when it does. */
let pendingSelectIndex: number | null = null;
let nonce = 0;

function libraryId(): string | null {
  return useAppStore.getState().currentLibraryId;
}

type PageResult = { items: EntrySummary[]; total: number; totalCapped: boolean };

async function fetchPage(state: ExplorerState, library: string, offset: number, limit: number): Promise<PageResult> {
  const bridge = getBridge();
  if (state.searching) {
    const s = state.search;
    return bridge.invoke('search.entries', {
      libraryId: library,
      query: s.query.trim(),
      ...(s.fileKind ? { fileKind: s.fileKind } : {}),
      ...(s.tagId ? { tagId: s.tagId } : {}),
      ...(s.from ? { from: s.from } : {}),
      // The UI's "to" day is inclusive; the operation's `to` is exclusive.
      ...(s.to ? { to: nextDay(s.to) } : {}),
      offset,
      limit,
    });
  }
  const place = state.place;
  const base = { libraryId: library, offset, limit, sort: 'name' as const, descending: false };
  let result: { items: EntrySummary[]; total: number };
  switch (place.kind) {
    case 'location':
      result = await bridge.invoke('entries.list', { ...base, locationId: place.locationId, parentId: place.trail.at(-1)?.id ?? null });
      break;
    case 'favorites':
      result = await bridge.invoke('entries.list', { ...base, favorite: true });
      break;
    case 'tag':
      result = await bridge.invoke('entries.list', { ...base, tagId: place.tagId });
      break;
    default:
      result = { items: [], total: 0 };
  }
  return { ...result, totalCapped: false };
}

function nextDay(isoDate: string): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function rangeIds(items: (EntrySummary | undefined)[], a: number, b: number): string[] {
  const ids: string[] = [];
  for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
    const item = items[i];
    if (item) ids.push(item.id);
  }
  return ids;
}

export const useExplorerStore = create<ExplorerState>((set, get) => {
  /** Fetches one page for the current generation and merges it; resolves to the page's items (null if dropped). */
  const loadPage = async (page: number): Promise<EntrySummary[] | null> => {
    const state = get();
    const gen = state.generation;
    const library = libraryId();
    if (!library || pagesDone.has(page) || pagesInflight.has(page)) return null;
    pagesInflight.add(page);
    let result: PageResult;
    try {
      result = await fetchPage(state, library, page * PAGE_SIZE, PAGE_SIZE);
    } catch (error) {
      if (get().generation === gen) {
        pagesInflight.delete(page);
        set({ listError: errorMessage(error), total: get().total ?? 0 });
      }
      return null;
    }
    if (get().generation !== gen) return null;
    pagesInflight.delete(page);
    pagesDone.add(page);
    const current = get().items;
    let items: (EntrySummary | undefined)[];
    if (replacedFor !== gen) {
      items = new Array<EntrySummary | undefined>(result.total);
      replacedFor = gen;
    } else {
      items = current.slice();
      items.length = result.total;
    }
    const offset = page * PAGE_SIZE;
    for (let i = 0; i < result.items.length && offset + i < result.total; i++) items[offset + i] = result.items[i];
    const patch: Partial<ExplorerState> = { items, total: result.total, totalCapped: result.totalCapped, listError: null };
    if (pendingReveal) {
      const at = result.items.findIndex((e) => e.id === pendingReveal);
      if (at >= 0) {
        const index = offset + at;
        Object.assign(patch, { selected: new Set([pendingReveal]), anchor: index, focus: index, scrollRequest: { index, nonce: ++nonce } });
        pendingReveal = null;
      }
    }
    if (pendingSelectIndex !== null && pendingSelectIndex >= offset && pendingSelectIndex < offset + result.items.length) {
      const entry = items[pendingSelectIndex];
      if (entry && get().focus === pendingSelectIndex) Object.assign(patch, { selected: new Set([entry.id]) });
      pendingSelectIndex = null;
    }
    set(patch);
    return result.items;
  };

  /** Starts a new generation: a new view (items cleared) or a refresh of this one (items kept until replaced). */
  const restart = (keepItems: boolean) => {
    const generation = get().generation + 1;
    pagesDone = new Set();
    pagesInflight = new Set();
    if (keepItems) {
      set({ generation });
    } else {
      lastRange = [0, PAGE_SIZE - 1];
      set({ generation, items: [], total: null, totalCapped: false, listError: null });
    }
    const { place, searching } = get();
    if (!searching && (place.kind === 'home' || place.kind === 'duplicates' || place.kind === 'activity')) {
      replacedFor = generation;
      set({ items: [], total: 0 });
      return;
    }
    get().ensureRange(lastRange[0], lastRange[1]);
  };

  const clearedSelection = { selected: new Set<string>(), anchor: null, focus: null, scrollRequest: null };

  return {
    place: { kind: 'home' },
    search: EMPTY_SEARCH,
    searching: false,
    layout: (localStorage.getItem('cairn.layout') as Layout | null) === 'list' ? 'list' : 'grid',
    inspectorOpen: localStorage.getItem('cairn.inspector') !== 'closed',
    items: [],
    total: 0,
    totalCapped: false,
    listError: null,
    generation: 0,
    dataVersion: 0,
    selected: new Set<string>(),
    anchor: null,
    focus: null,
    columns: 1,
    scrollRequest: null,

    navigate(place) {
      pendingReveal = null;
      set({ place, search: EMPTY_SEARCH, searching: false, ...clearedSelection });
      restart(false);
    },

    async openFolder(entry) {
      if (entry.kind !== 'dir') return;
      const { place, searching } = get();
      if (!searching && place.kind === 'location' && place.locationId === entry.locationId) {
        get().navigate({ ...place, trail: [...place.trail, { id: entry.id, name: entry.name }] });
        return;
      }
      // From search results, favourites or a tag: find where the folder lives.
      const library = libraryId();
      if (!library) return;
      try {
        const detail = await getBridge().invoke('entries.get', { libraryId: library, entryId: entry.id });
        get().navigate({ kind: 'location', locationId: entry.locationId, trail: [...detail.ancestors, { id: entry.id, name: entry.name }] });
      } catch (error) {
        set({ listError: errorMessage(error) });
      }
    },

    goToCrumb(index) {
      const { place, searching } = get();
      if (place.kind !== 'location') return;
      if (searching) return get().navigate(place);
      const left = place.trail[index + 1];
      get().navigate({ ...place, trail: place.trail.slice(0, index + 1) });
      if (left) pendingReveal = left.id;
    },

    goUp() {
      const { place, searching } = get();
      if (searching) return get().clearSearch();
      if (place.kind === 'location' && place.trail.length > 0) get().goToCrumb(place.trail.length - 2);
    },

    async reveal(entryId) {
      const library = libraryId();
      if (!library) return;
      let detail;
      try {
        detail = await getBridge().invoke('entries.get', { libraryId: library, entryId });
      } catch (error) {
        set({ listError: errorMessage(error) });
        return;
      }
      get().navigate({ kind: 'location', locationId: detail.entry.locationId, trail: detail.ancestors });
      pendingReveal = entryId;
      // Page through the folder until the entry turns up (large folders: a few calls).
      const gen = get().generation;
      for (let page = 0, steps = 0; pendingReveal === entryId && get().generation === gen && steps < 2000; steps++) {
        const total = get().total;
        if (get().listError || (total !== null && page * PAGE_SIZE >= total)) break;
        if (pagesDone.has(page)) page++;
        else if (pagesInflight.has(page)) await new Promise((r) => setTimeout(r, 30));
        else await loadPage(page);
      }
    },

    setSearch(patch) {
      const search = { ...get().search, ...patch };
      const searching = isSearchActive(search);
      pendingReveal = null;
      set({ search, searching, ...clearedSelection });
      restart(false);
    },

    clearSearch() {
      pendingReveal = null;
      set({ search: EMPTY_SEARCH, searching: false, ...clearedSelection });
      restart(false);
    },

    setLayout(layout) {
      localStorage.setItem('cairn.layout', layout);
      const { focus } = get();
      set({ layout, scrollRequest: focus === null ? null : { index: focus, nonce: ++nonce } });
    },

    toggleInspector() {
      const inspectorOpen = !get().inspectorOpen;
      localStorage.setItem('cairn.inspector', inspectorOpen ? 'open' : 'closed');
      set({ inspectorOpen });
    },

    setColumns(columns) {
      if (columns !== get().columns) set({ columns });
    },

    ensureRange(start, stop) {
      lastRange = [start, stop];
      const { total } = get();
      const first = Math.floor(Math.max(0, start) / PAGE_SIZE);
      const last = Math.floor(Math.max(start, stop) / PAGE_SIZE);
      for (let page = first; page <= last; page++) {
        if (total !== null && page > 0 && page * PAGE_SIZE >= total) break;
        void loadPage(page);
      }
    },

    refresh() {
      set({ dataVersion: get().dataVersion + 1 });
      restart(true);
    },

    reset() {
      pendingReveal = null;
      set({ place: { kind: 'home' }, search: EMPTY_SEARCH, searching: false, ...clearedSelection });
      restart(false);
    },

    click(index, { shift, toggle }) {
      const { items, anchor, selected } = get();
      const entry = items[index];
      if (!entry) return;
      if (shift && anchor !== null) {
        const ids = rangeIds(items, anchor, index);
        set({ selected: new Set(toggle ? [...selected, ...ids] : ids), focus: index });
      } else if (toggle) {
        const next = new Set(selected);
        if (next.has(entry.id)) next.delete(entry.id);
        else next.add(entry.id);
        set({ selected: next, anchor: index, focus: index });
      } else {
        set({ selected: new Set([entry.id]), anchor: index, focus: index });
      }
    },

    moveFocus(delta, extend) {
      const { focus, total, items, anchor } = get();
      if (!total) return;
      const next = focus === null ? 0 : Math.min(total - 1, Math.max(0, focus + delta));
      const scrollRequest = { index: next, nonce: ++nonce };
      if (extend) {
        const from = anchor ?? focus ?? next;
        set({ anchor: from, focus: next, selected: new Set(rangeIds(items, from, next)), scrollRequest });
      } else {
        const entry = items[next];
        pendingSelectIndex = entry ? null : next;
        set({ anchor: next, focus: next, selected: new Set(entry ? [entry.id] : []), scrollRequest });
      }
    },

    selectAll() {
      const ids = get().items.flatMap((e) => (e ? [e.id] : []));
      set({ selected: new Set(ids) });
    },

    clearSelection() {
      set({ selected: new Set<string>(), anchor: null });
    },

    openIndex(index) {
      const entry = get().items[index];
      if (entry?.kind === 'dir') void get().openFolder(entry);
      else if (entry && !get().inspectorOpen) get().toggleInspector();
    },
  };
});
