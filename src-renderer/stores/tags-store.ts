import { create } from 'zustand';
import type { Tag } from '../../src-shared/contract';
import { errorMessage, getBridge } from '../bridge/get-bridge';
import { useAppStore } from './app-store';

export type TagScope = 'content' | 'entry';

export interface TagsState {
  /** Every tag of the current library, sorted by path. */
  tags: Tag[];
  refresh(): Promise<void>;
  /**
   * Applies the tag named `name` (created first if no tag has that name) to the entries.
   * Rejects with words for the user.
   */
  applyByName(name: string, entryIds: string[], scope: TagScope): Promise<Tag>;
  apply(tagId: string, entryIds: string[], scope: TagScope): Promise<void>;
  remove(tagId: string, entryIds: string[], scope: TagScope): Promise<void>;
}

const MAX_PER_CALL = 10_000;

function requireLibrary(): string {
  const id = useAppStore.getState().currentLibraryId;
  if (!id) throw new Error('Choose a library first.');
  return id;
}

/** The tag list for the sidebar, filters and the tag picker, plus tagging actions. */
export const useTagsStore = create<TagsState>((set, get) => ({
  tags: [],

  async refresh() {
    const libraryId = useAppStore.getState().currentLibraryId;
    if (!libraryId) return set({ tags: [] });
    try {
      const tags = await getBridge().invoke('tags.list', { libraryId });
      if (useAppStore.getState().currentLibraryId === libraryId) set({ tags: [...tags].sort((a, b) => a.path.localeCompare(b.path)) });
    } catch (error) {
      useAppStore.getState().reportError(errorMessage(error));
    }
  },

  async applyByName(name, entryIds, scope) {
    const libraryId = requireLibrary();
    const wanted = name.trim();
    if (!wanted) throw new Error('Type a tag name.');
    let tag = get().tags.find((t) => t.name.toLocaleLowerCase() === wanted.toLocaleLowerCase() || t.path.toLocaleLowerCase() === wanted.toLocaleLowerCase());
    try {
      if (!tag) tag = await getBridge().invoke('tags.create', { libraryId, name: wanted });
    } catch (error) {
      throw new Error(errorMessage(error));
    }
    await get().apply(tag.id, entryIds, scope);
    return tag;
  },

  async apply(tagId, entryIds, scope) {
    const libraryId = requireLibrary();
    try {
      for (let i = 0; i < entryIds.length; i += MAX_PER_CALL) {
        await getBridge().invoke('tags.apply', { libraryId, tagId, entryIds: entryIds.slice(i, i + MAX_PER_CALL), scope });
      }
    } catch (error) {
      throw new Error(errorMessage(error));
    }
    await get().refresh();
  },

  async remove(tagId, entryIds, scope) {
    const libraryId = requireLibrary();
    try {
      for (let i = 0; i < entryIds.length; i += MAX_PER_CALL) {
        await getBridge().invoke('tags.remove', { libraryId, tagId, entryIds: entryIds.slice(i, i + MAX_PER_CALL), scope });
      }
    } catch (error) {
      throw new Error(errorMessage(error));
    }
    await get().refresh();
  },
}));
