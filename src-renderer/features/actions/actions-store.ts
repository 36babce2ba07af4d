import { create } from 'zustand';
import type { ActionAuditEntry, CoreActionName, EntrySummary } from '../../../src-shared/contract';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { useAppStore } from '../../stores/app-store';
import { useExplorerStore } from '../../stores/explorer-store';

/** A request to act on some entries: which action, and the entries as the explorer had them. */
export interface ActionRequest {
  action: CoreActionName;
  entryIds: string[];
  /** The loaded entries among `entryIds` (names and paths for defaults; may miss unloaded ones). */
  entries: EntrySummary[];
  /** Folder path (inside the location) the explorer showed when the action was chosen. */
  folder: string;
}

export interface Toast {
  id: number;
  message: string;
  /** Set when the action can be undone from the toast. */
  auditId?: string;
  tone: 'info' | 'success' | 'warning';
}

export interface ActionsState {
  request: ActionRequest | null;
  /** Where the right-click menu is open, in viewport pixels. */
  menu: { x: number; y: number } | null;
  toast: Toast | null;
  /** Audit ids with an undo in flight. */
  undoing: Record<string, boolean>;

  open(action: CoreActionName): void;
  close(): void;
  openMenu(x: number, y: number): void;
  closeMenu(): void;
  showToast(toast: Omit<Toast, 'id'>): void;
  dismissToast(): void;
  /** Undoes a committed action; resolves to the updated audit row, or null (the failure is shown). */
  undo(auditId: string): Promise<ActionAuditEntry | null>;
}

let toastId = 0;

/** The selection as the explorer has it: ids, the loaded entries, and the open folder's path. */
export function currentSelection(): Omit<ActionRequest, 'action'> {
  const { selected, items, place } = useExplorerStore.getState();
  const entryIds = [...selected];
  const entries = items.filter((e): e is EntrySummary => !!e && selected.has(e.id));
  const folder = place.kind === 'location' ? folderPath(entries, place.trail.length) : '';
  return { entryIds, entries, folder };
}

/** The relative path of the open folder, from a selected entry's path and the depth of the trail. */
function folderPath(entries: EntrySummary[], depth: number): string {
  const first = entries[0];
  if (!first || depth === 0) return '';
  return first.relPath.split('/').slice(0, depth).join('/');
}

/** The action dialog's request, the right-click menu, the undo toast. */
export const useActionsStore = create<ActionsState>((set, get) => ({
  request: null,
  menu: null,
  toast: null,
  undoing: {},

  open(action) {
    const selection = currentSelection();
    if (selection.entryIds.length === 0) return;
    set({ request: { action, ...selection }, menu: null });
  },
  close: () => set({ request: null }),
  openMenu: (x, y) => set({ menu: { x, y } }),
  closeMenu: () => set({ menu: null }),
  showToast: (toast) => set({ toast: { ...toast, id: ++toastId } }),
  dismissToast: () => set({ toast: null }),

  async undo(auditId) {
    const libraryId = useAppStore.getState().currentLibraryId;
    if (!libraryId) return null;
    set({ undoing: { ...get().undoing, [auditId]: true } });
    try {
      const row = await getBridge().invoke('actions.undo', { libraryId, auditId });
      get().showToast({ message: `Undone: ${row.summary}`, tone: 'info' });
      return row;
    } catch (error) {
      get().showToast({ message: `Could not undo: ${errorMessage(error)}`, tone: 'warning' });
      return null;
    } finally {
      const undoing = { ...get().undoing };
      delete undoing[auditId];
      set({ undoing });
    }
  },
}));

/** The error code of a rejected bridge call, if it has one. */
export function errorCode(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && 'code' in error) return String((error as { code: unknown }).code);
  return null;
}
