import { coreActionParams, type ActionChange, type ActionConflict } from '../../../src-shared/contract/index.js';
import { defineAction } from './define-action.js';
import { entryState, probeCollection, type Probe } from './fingerprint.js';

/**
 * `collections.createFrom`: create a collection holding the selected entries (in selection order).
 * Undo deletes the collection (its items only; the files and entries stay).
 *
 * Preview: one `{ kind: 'collection.create', name, description }` and one `{ kind: 'collection.add', entryId, path }` per entry.
 */
export const createCollectionAction = defineAction({
  name: 'collections.createFrom',
  owner: 'core',
  title: 'Create a collection',
  summary: 'Create a collection from a selection of entries',
  reversible: true,
  params: coreActionParams['collections.createFrom'],
  affects: ['collections'],
  preview(ctx, params) {
    const { lib } = ctx;
    const changes: ActionChange[] = [
      { kind: 'collection.create', name: params.name, collectionDescription: params.description ?? null, description: `create the collection "${params.name}"` },
    ];
    const conflicts: ActionConflict[] = [];
    const fingerprint: Probe[] = [];
    const ids = [...new Set(params.entryIds)];
    for (const entryId of ids) {
      const seen = entryState(lib, entryId);
      fingerprint.push({ kind: 'entry', entryId, label: seen?.relPath ?? entryId, seen });
      if (!seen) conflicts.push({ code: 'MISSING', message: `No entry with id ${entryId} in the library.`, entryId });
      else changes.push({ kind: 'collection.add', entryId, path: seen.relPath, description: `add "${seen.relPath}"` });
    }
    return {
      summary: `Create the collection "${params.name}" with ${ids.length} item${ids.length === 1 ? '' : 's'}`,
      changes,
      conflicts,
      reversible: true,
      fingerprint,
      targets: ids,
      unchanged: params.entryIds.length - ids.length,
      data: null,
    };
  },
  commit(ctx, plan) {
    const { lib, services, caller } = ctx;
    const owner = caller.kind === 'extension' ? caller.extensionId : 'user';
    const collection = lib.raw.transaction(() => {
      const created = services.collections.create(lib, plan.params.name, plan.params.description ?? null, owner);
      const items = plan.changes.flatMap((c) => (c.kind === 'collection.add' ? [{ entryId: c.entryId }] : []));
      if (items.length) services.collections.addItems(lib, created.id, items);
      return created;
    })();
    return {
      result: { collectionId: collection.id, items: plan.changes.length - 1 },
      undo: { collectionId: collection.id },
      after: [probeCollection(lib, collection.id)],
    };
  },
  verify(ctx, plan, outcome) {
    const { collectionId } = outcome.undo as { collectionId: string };
    const row = ctx.lib.raw
      .prepare('SELECT name, (SELECT count(*) FROM collection_items WHERE collection_id = c.id) AS n FROM collections c WHERE id = ?')
      .get(collectionId) as { name: string; n: number } | undefined;
    if (!row) return [`the collection "${plan.params.name}" does not exist`];
    const expected = plan.changes.length - 1;
    return row.n === expected ? [] : [`the collection holds ${row.n} items, expected ${expected}`];
  },
  undo(ctx, undo: { collectionId: string }) {
    ctx.services.collections.delete(ctx.lib, undo.collectionId);
    return { deleted: undo.collectionId };
  },
});
