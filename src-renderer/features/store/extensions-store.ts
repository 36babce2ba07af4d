import { create } from 'zustand';
import type { ExtensionSummary, UiContribution } from '../../../src-shared/contract';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { useAppStore } from '../../stores/app-store';
import { useExplorerStore } from '../../stores/explorer-store';

/** A page of the extensions area that replaces the explorer in the main view. */
export type ExtensionPage =
  | { kind: 'store'; detailId: string | null }
  | { kind: 'settings'; id: string }
  /** A sidebar section or a view an installed extension declares in its ui_manifest. */
  | { kind: 'view'; extensionId: string; part: 'section' | 'view'; viewId: string };

export interface ExtensionsState {
  /** Null: the explorer shows. */
  page: ExtensionPage | null;
  installed: ExtensionSummary[];
  installedError: string | null;
  /** What installed, active extensions add to the UI (`ui.contributions`). */
  contributions: UiContribution[];
  contributionsError: string | null;
  /** Bumped on every `extensions.onDidChange`, so pages that fetch on their own refetch. */
  version: number;

  open(page: ExtensionPage): void;
  close(): void;
  refreshInstalled(): Promise<void>;
  refreshContributions(): Promise<void>;
  /** Both of the above. */
  refresh(): Promise<void>;
}

export const useExtensionsStore = create<ExtensionsState>((set, get) => ({
  page: null,
  installed: [],
  installedError: null,
  contributions: [],
  contributionsError: null,
  version: 0,

  open(page) {
    set({ page });
  },
  close() {
    if (get().page) set({ page: null });
  },
  async refreshInstalled() {
    const libraryId = useAppStore.getState().currentLibraryId;
    if (!libraryId) return set({ installed: [], installedError: null });
    try {
      const installed = await getBridge().invoke('extensions.list', { libraryId });
      if (useAppStore.getState().currentLibraryId === libraryId) set({ installed, installedError: null });
    } catch (error) {
      set({ installedError: errorMessage(error) });
    }
  },
  async refreshContributions() {
    const libraryId = useAppStore.getState().currentLibraryId;
    if (!libraryId) return set({ contributions: [], contributionsError: null });
    try {
      const contributions = await getBridge().invoke('ui.contributions', { libraryId });
      if (useAppStore.getState().currentLibraryId === libraryId) set({ contributions, contributionsError: null });
    } catch (error) {
      set({ contributionsError: errorMessage(error) });
    }
  },
  async refresh() {
    await Promise.all([get().refreshInstalled(), get().refreshContributions()]);
  },
}));

/**
 * The display name of a job's or action's owner: an installed extension's name for its id, "Cairn" for
 * the core. For the jobs panel: `useExtensionName(job.owner)`.
 */
export function extensionName(owner: string | null | undefined, installed = useExtensionsStore.getState().installed): string {
  if (!owner || owner === 'core' || owner === 'user') return 'Cairn';
  return installed.find((e) => e.id === owner)?.name ?? owner;
}

/** Hook form of `extensionName`, re-rendering when extensions change. */
export function useExtensionName(owner: string | null | undefined): string {
  return useExtensionsStore((s) => extensionName(owner, s.installed));
}

let started = false;

/**
 * Keeps the installed list current (library switch, `extensions.onDidChange`), refreshes extension views when
 * their models change (`models.onDidChange`), and closes extension pages
 * when the explorer navigates elsewhere. Called once by the sidebar; returns a stop function.
 */
export function startExtensionUpdates(): () => void {
  if (started) return () => undefined;
  started = true;
  const bridge = getBridge();
  const store = useExtensionsStore;
  const offChange = bridge.on('extensions.onDidChange', ({ libraryId }) => {
    if (libraryId !== useAppStore.getState().currentLibraryId) return;
    store.setState((s) => ({ version: s.version + 1 }));
    void store.getState().refresh();
  });
  // Models an extension wrote (a job, a hook, an action): its views show them without a reload.
  const offModels = bridge.on('models.onDidChange', ({ libraryId }) => {
    if (libraryId === useAppStore.getState().currentLibraryId) store.setState((s) => ({ version: s.version + 1 }));
  });
  const offLibrary = useAppStore.subscribe((s, prev) => {
    if (s.currentLibraryId !== prev.currentLibraryId) {
      store.setState({ page: null, installed: [], contributions: [] });
      void store.getState().refresh();
    }
  });
  const offExplorer = useExplorerStore.subscribe((s, prev) => {
    if (s.place !== prev.place || s.searching !== prev.searching) store.getState().close();
  });
  void store.getState().refresh();
  return () => {
    started = false;
    offChange();
    offModels();
    offLibrary();
    offExplorer();
  };
}
