import { CairnError } from '../../../src-shared/errors.js';
import type { ActionDefinition, AnyActionDefinition } from './define-action.js';

/**
 * The actions that can be previewed and committed, by name. Generic on purpose: core actions register
 * here at start-up, and the extension runtime registers extensions' actions here too (`ext:<id>:<name>`,
 * owner = extension id) and removes them when the extension stops, so the preview/commit/audit/undo machinery
 * is the same for both.
 *
 * @example
 * const registry = new ActionRegistry();
 * registry.register(renameAction);
 * await registry.get('files.rename').preview(ctx, params);
 */
export class ActionRegistry {
  readonly #actions = new Map<string, AnyActionDefinition>();

  /** Adds an action. Throws `CONFLICT` when the name is taken, `VALIDATION` for a malformed name. */
  register<P, D, U>(definition: ActionDefinition<P, D, U>): void {
    if (!/^[A-Za-z0-9_.:-]{1,200}$/.test(definition.name)) {
      throw new CairnError('VALIDATION', `An action name must be 1–200 letters, digits, ".", ":", "-" or "_" (got "${definition.name}").`);
    }
    if (this.#actions.has(definition.name)) throw new CairnError('CONFLICT', `An action named ${definition.name} is already registered.`);
    this.#actions.set(definition.name, definition as AnyActionDefinition);
  }

  /** Removes every action of an owner (an extension being disabled); returns how many. */
  unregisterOwner(owner: string): number {
    let removed = 0;
    for (const [name, def] of this.#actions) {
      if (def.owner === owner) {
        this.#actions.delete(name);
        removed++;
      }
    }
    return removed;
  }

  /** The action named `name`. Throws `NOT_FOUND`, naming the known actions. */
  get(name: string): AnyActionDefinition {
    const def = this.#actions.get(name);
    if (!def) throw new CairnError('NOT_FOUND', `No action named "${name}". Known actions: ${[...this.#actions.keys()].sort().join(', ')}.`);
    return def;
  }

  has(name: string): boolean {
    return this.#actions.has(name);
  }

  list(): AnyActionDefinition[] {
    return [...this.#actions.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
