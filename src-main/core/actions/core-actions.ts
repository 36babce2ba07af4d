import { createCollectionAction } from './collection-actions.js';
import type { AnyActionDefinition } from './define-action.js';
import { moveAction, renameAction, trashAction } from './file-actions.js';
import { tagApplyAction, tagRemoveAction } from './tag-actions.js';

/**
 * The actions the core registers at start-up: `tags.apply`, `tags.remove`, `collections.createFrom`,
 * `files.rename`, `files.move`, `files.trash`. Their params are declared in the contract
 * (`coreActionParams` in `src-shared/contract/actions.ts`).
 *
 * @example
 * for (const action of coreActions) registry.register(action);
 */
export const coreActions: readonly AnyActionDefinition[] = [
  tagApplyAction,
  tagRemoveAction,
  createCollectionAction,
  renameAction,
  moveAction,
  trashAction,
];
