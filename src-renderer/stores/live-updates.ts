import { getBridge } from '../bridge/get-bridge';
import { useAppStore } from './app-store';
import { useExplorerStore } from './explorer-store';
import { useTagsStore } from './tags-store';

const DEBOUNCE_MS = 250;

/**
 * Keeps the explorer and the tag list current from contract events (debounced: an indexing burst becomes
 * one refresh), and resets them when the library changes. No polling. Returns an unsubscribe function.
 */
export function startLiveUpdates(): () => void {
  const bridge = getBridge();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let entries = false;
  let tags = false;
  const flush = () => {
    timer = null;
    if (tags) void useTagsStore.getState().refresh();
    if (entries || tags) useExplorerStore.getState().refresh();
    entries = tags = false;
  };
  const schedule = (what: 'entries' | 'tags') => {
    if (what === 'entries') entries = true;
    else tags = true;
    if (timer === null) timer = setTimeout(flush, DEBOUNCE_MS);
  };
  const current = () => useAppStore.getState().currentLibraryId;
  const offs = [
    bridge.on('entries.onDidChange', ({ libraryId }) => libraryId === current() && schedule('entries')),
    bridge.on('tags.onDidChange', ({ libraryId }) => libraryId === current() && schedule('tags')),
    useAppStore.subscribe((state, prev) => {
      if (state.currentLibraryId !== prev.currentLibraryId) {
        useExplorerStore.getState().reset();
        void useTagsStore.getState().refresh();
      } else if (state.locations !== prev.locations) {
        const place = useExplorerStore.getState().place;
        if (place.kind === 'location' && !state.locations.some((l) => l.id === place.locationId)) useExplorerStore.getState().reset();
      }
    }),
  ];
  if (current()) void useTagsStore.getState().refresh();
  return () => {
    if (timer !== null) clearTimeout(timer);
    for (const off of offs) off();
  };
}
