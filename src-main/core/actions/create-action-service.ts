import type { CollectionService } from '../collections/collection-service.js';
import type { EventBus } from '../events/event-bus.js';
import type { HybridLogicalClock } from '../sync/hlc.js';
import type { TagService } from '../tags/tag-service.js';
import { ActionRegistry } from './action-registry.js';
import { ActionService, type ActionServiceOptions } from './action-service.js';
import { coreActions } from './core-actions.js';
import { systemTrash, type OsTrash } from './os-trash.js';

export type { ActionService };

/**
 * Builds the core's action service: a registry holding the core actions, the services they use, and the
 * platform's trash.
 *
 * @example
 * this.actions = createActionService(this); // inside CairnCore, after tags, collections and events exist
 */
export function createActionService(
  core: { events: EventBus; tags: TagService; collections: CollectionService; clock: HybridLogicalClock; home: { deviceId: string } },
  options: ActionServiceOptions & { trash?: OsTrash } = {},
): ActionService {
  const registry = new ActionRegistry();
  for (const action of coreActions) registry.register(action);
  const services = { tags: core.tags, collections: core.collections, clock: core.clock, deviceId: core.home.deviceId, trash: options.trash ?? systemTrash() };
  return new ActionService(registry, services, core.events, options);
}
