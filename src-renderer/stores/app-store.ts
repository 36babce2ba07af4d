import { create } from 'zustand';
import type { LibrarySummary, Location, ShellInfo } from '../../src-shared/contract';
import { errorMessage, getBridge } from '../bridge/get-bridge';

const CURRENT_KEY = 'cairn.currentLibraryId';

/** Indexing progress of one location, as the sidebar shows it. `fraction` null means indeterminate. */
export interface IndexingProgress {
  fraction: number | null;
  label: string;
}

export interface AppState {
  shell: ShellInfo | null;
  libraries: LibrarySummary[];
  currentLibraryId: string | null;
  locations: Location[];
  /**
   * Indexing progress per location id; the sidebar draws a bar under each location that has an entry.
   * Empty for now: job events will feed it through `setIndexing`.
   */
  indexing: Record<string, IndexingProgress>;
  /** The last failure, in words, shown in the status bar until dismissed. */
  error: string | null;
  loaded: boolean;

  init(): Promise<void>;
  refreshLibraries(): Promise<void>;
  refreshLocations(): Promise<void>;
  selectLibrary(id: string): Promise<void>;
  createLibrary(name: string): Promise<void>;
  /** Resolves to an error message for the dialog, or null on success. */
  addLocation(path: string): Promise<string | null>;
  removeLocation(locationId: string): Promise<void>;
  dismissError(): void;
  /** Sets (or, with null, clears) a location's indexing progress. */
  setIndexing(locationId: string, progress: IndexingProgress | null): void;
  /** Shows a failure in the status bar. */
  reportError(message: string): void;
}

/** The renderer's app state. Every change comes from a bridge call or a contract event, never polling. */
export const useAppStore = create<AppState>((set, get) => ({
  shell: null,
  libraries: [],
  currentLibraryId: null,
  locations: [],
  indexing: {},
  error: null,
  loaded: false,

  async init() {
    const bridge = getBridge();
    bridge.on('library.onDidChange', () => void get().refreshLibraries());
    bridge.on('locations.onDidChange', ({ libraryId }) => {
      if (libraryId === get().currentLibraryId) void get().refreshLocations();
    });
    try {
      set({ shell: await bridge.invoke('shell.info', {}) });
    } catch (error) {
      set({ error: errorMessage(error) });
    }
    await get().refreshLibraries();
    set({ loaded: true });
  },

  async refreshLibraries() {
    try {
      const libraries = await getBridge().invoke('library.list', {});
      const usable = libraries.filter((l) => l.problem === null);
      const remembered = localStorage.getItem(CURRENT_KEY);
      const current =
        usable.find((l) => l.id === get().currentLibraryId) ??
        usable.find((l) => l.id === remembered) ??
        usable.find((l) => l.isDefault) ??
        usable[0] ??
        null;
      const changed = current?.id !== get().currentLibraryId;
      set({ libraries, currentLibraryId: current?.id ?? null });
      if (changed) await get().refreshLocations();
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },

  async refreshLocations() {
    const libraryId = get().currentLibraryId;
    if (!libraryId) return set({ locations: [] });
    try {
      const locations = await getBridge().invoke('locations.list', { libraryId });
      if (get().currentLibraryId === libraryId) set({ locations });
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },

  async selectLibrary(id) {
    localStorage.setItem(CURRENT_KEY, id);
    set({ currentLibraryId: id, locations: [] });
    await get().refreshLocations();
  },

  async createLibrary(name) {
    try {
      const lib = await getBridge().invoke('library.create', { name });
      await get().refreshLibraries();
      await get().selectLibrary(lib.id);
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },

  async addLocation(path) {
    const libraryId = get().currentLibraryId;
    if (!libraryId) return 'Choose or create a library first.';
    try {
      await getBridge().invoke('locations.add', { libraryId, path });
      await get().refreshLocations();
      return null;
    } catch (error) {
      return errorMessage(error);
    }
  },

  async removeLocation(locationId) {
    const libraryId = get().currentLibraryId;
    if (!libraryId) return;
    try {
      await getBridge().invoke('locations.remove', { libraryId, locationId });
      await get().refreshLocations();
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },

  dismissError() {
    set({ error: null });
  },

  setIndexing(locationId, progress) {
    const next = { ...get().indexing };
    if (progress) next[locationId] = progress;
    else delete next[locationId];
    set({ indexing: next });
  },

  reportError(message) {
    set({ error: message });
  },
}));
