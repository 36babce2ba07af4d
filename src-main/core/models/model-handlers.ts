import type { OperationName } from '../../../src-shared/contract/index.js';
import { CairnError } from '../../../src-shared/errors.js';
import { readFileBytes } from '../entries/entry-bytes.js';
import { summariesByUuid } from '../entries/entry-queries.js';
import type { EventBus } from '../events/event-bus.js';
import type { Caller, Handlers, HandlerContext } from '../registry/operation-registry.js';
import type { SidecarStore } from '../sidecars/sidecar-store.js';
import { USER_SOURCE, type TagSourceInfo } from '../tags/tag-service.js';
import type { ModelService, ModelTarget, NewModel } from './model-service.js';
import type { TagPathWriter } from './tag-paths.js';

/** The operations {@link modelHandlers} answers. */
export type ModelOperationName = Extract<OperationName, `models.${string}` | `sidecars.${string}`> | 'tags.addToContent' | 'tags.removeFromContent' | 'tags.addToModel' | 'entries.getMany' | 'entries.readBytes';
export type ModelHandlers = Pick<Handlers, ModelOperationName>;

/** What the handlers need. */
export interface ModelHandlerDeps {
  models: ModelService;
  tagPaths: TagPathWriter;
  sidecars: SidecarStore;
  events: EventBus;
}

/**
 * The extension that is calling; model writes are for extensions only.
 * Throws `PERMISSION_DENIED` for any other caller.
 */
export function extensionOf(ctx: { caller: Caller }): string {
  if (ctx.caller.kind !== 'extension') throw new CairnError('PERMISSION_DENIED', 'Only extensions create or change models.');
  return ctx.caller.extensionId;
}

/** The tag source of a caller: `extension` with its id, or the user. */
export function tagSourceOf(ctx: { caller: Caller }, confidence: number | undefined): TagSourceInfo {
  if (ctx.caller.kind === 'extension') return { source: 'extension', sourceId: ctx.caller.extensionId, confidence: confidence ?? null };
  return { ...USER_SOURCE, confidence: confidence ?? null };
}

/**
 * Registry handlers for models and blobs (`models.*`), tagging by path (`tags.addToContent`,
 * `tags.removeFromContent` — the caller's own applications only — and `tags.addToModel`), batch and byte reads of entries (`entries.getMany`, `entries.readBytes`) and sidecars
 * (`sidecars.*`). All are synchronous, so the extension bridge can call them from inside a host function.
 * Changes emit `models.onDidChange`, `tags.onDidChange` or `entries.onDidChange`.
 *
 * Failure modes: see {@link ModelService}; `PERMISSION_DENIED` when a non-extension writes models, or an
 * extension writes another's; `VALIDATION` for a model target given twice or not at all.
 *
 * @example
 * const registry = new OperationRegistry({ ...modelHandlers({ models, tagPaths, sidecars, events }) }, { libraries });
 * registry.invokeSync('models.get', { libraryId, modelId }, ctx);
 */
export function modelHandlers(deps: ModelHandlerDeps): ModelHandlers {
  const { models, tagPaths, sidecars, events } = deps;
  const changed = <T>(libraryId: string, ctx: HandlerContext, value: T): T => {
    events.emit('models.onDidChange', { libraryId, extensionId: extensionOf(ctx) });
    return value;
  };
  const newModel = (m: Omit<NewModel, 'target'>, target: ModelTarget): NewModel => ({
    type: m.type,
    data: m.data,
    blobs: m.blobs,
    key: m.key,
    syncStrategy: m.syncStrategy,
    target,
  });
  return {
    'models.createForContent': (input, ctx) =>
      changed(input.libraryId, ctx, models.create(ctx.library(input.libraryId), extensionOf(ctx), newModel(input, { contentId: input.contentId }))),
    'models.create': (input, ctx) => {
      if ((input.entryId === undefined) === (input.standalone === undefined)) {
        throw new CairnError('VALIDATION', 'Give exactly one of entryId or standalone: true (use models.createForContent for contents).');
      }
      const target: ModelTarget = input.entryId !== undefined ? { entryId: input.entryId } : { standalone: true };
      return changed(input.libraryId, ctx, models.create(ctx.library(input.libraryId), extensionOf(ctx), newModel(input, target)));
    },
    'models.createMany': ({ libraryId, items }, ctx) => {
      const batch = items.map((item, i) => {
        const given = [item.contentId, item.entryId, item.standalone].filter((v) => v !== undefined).length;
        if (given !== 1) throw new CairnError('VALIDATION', `items.${i}: give exactly one of contentId, entryId or standalone: true.`);
        const target: ModelTarget = item.contentId !== undefined ? { contentId: item.contentId } : item.entryId !== undefined ? { entryId: item.entryId } : { standalone: true };
        return newModel(item, target);
      });
      return changed(libraryId, ctx, { items: models.createMany(ctx.library(libraryId), extensionOf(ctx), batch) });
    },
    'models.get': ({ libraryId, modelId, include }, ctx) => models.get(ctx.library(libraryId), modelId, include),
    'models.getByContent': ({ libraryId, contentId, extensionId, type, include }, ctx) =>
      models.getByContent(ctx.library(libraryId), contentId, { extensionId, type, include }),
    'models.query': ({ libraryId, ...q }, ctx) => models.query(ctx.library(libraryId), q),
    'models.update': ({ libraryId, modelId, data, merge, blobs }, ctx) =>
      changed(libraryId, ctx, models.update(ctx.library(libraryId), extensionOf(ctx), modelId, { data, merge, blobs })),
    'models.delete': ({ libraryId, modelId }, ctx) => {
      models.delete(ctx.library(libraryId), extensionOf(ctx), modelId);
      return changed(libraryId, ctx, { deleted: modelId });
    },
    'models.getBlob': ({ libraryId, modelId, field }, ctx) => models.getBlob(ctx.library(libraryId), modelId, field),
    'tags.addToContent': ({ libraryId, contentIds, tagPath, confidence }, ctx) => {
      const result = tagPaths.tagContents(ctx.library(libraryId), contentIds, tagPath, tagSourceOf(ctx, confidence));
      events.emit('tags.onDidChange', { libraryId });
      if (result.applied > 0) {
        events.emit('tags.onDidApply', { libraryId, tagId: result.tagId, entryIds: [], contentIds, sourceId: ctx.caller.kind === 'extension' ? ctx.caller.extensionId : null });
      }
      return result;
    },
    'tags.removeFromContent': ({ libraryId, contentIds, tagPath }, ctx) => {
      const result = tagPaths.untagContents(ctx.library(libraryId), contentIds, tagPath, tagSourceOf(ctx, undefined));
      if (result.removed > 0) events.emit('tags.onDidChange', { libraryId });
      return result;
    },
    'tags.addToModel': ({ libraryId, modelId, tagPath, confidence }, ctx) => {
      const lib = ctx.library(libraryId);
      // Extensions tag only their own models; the user may tag any.
      if (ctx.caller.kind === 'extension' && models.ownerOf(lib, modelId) !== ctx.caller.extensionId) {
        throw new CairnError('PERMISSION_DENIED', `Model ${modelId} belongs to another extension.`);
      }
      const result = tagPaths.tagModel(lib, modelId, tagPath, tagSourceOf(ctx, confidence));
      events.emit('tags.onDidChange', { libraryId });
      return result;
    },
    'entries.getMany': ({ libraryId, entryIds }, ctx) => {
      const items = summariesByUuid(ctx.library(libraryId), [...new Set(entryIds)]);
      const found = new Set(items.map((i) => i.id));
      return { items, missing: entryIds.filter((id) => !found.has(id)) };
    },
    'entries.readBytes': ({ libraryId, entryId, locationId, path, offset, length }, ctx) => {
      const byEntry = entryId !== undefined;
      const byPath = locationId !== undefined && path !== undefined;
      if (byEntry === byPath || (!byEntry && (locationId === undefined) !== (path === undefined))) {
        throw new CairnError('VALIDATION', 'Give either entryId, or locationId and path.');
      }
      return readFileBytes(ctx.library(libraryId), byEntry ? { entryId } : { locationId: locationId!, path: path! }, offset, length);
    },
    'sidecars.read': ({ libraryId, contentId, kind, variant }, ctx) => {
      const { bytes, format, extensionId } = sidecars.read(ctx.library(libraryId), { contentId, kind, variant });
      return { data: bytes.toString('base64'), format, size: bytes.length, extensionId };
    },
    'sidecars.write': ({ libraryId, contentId, kind, variant, format, data }, ctx) =>
      sidecars.write(ctx.library(libraryId), { contentId, kind, variant }, format, Buffer.from(data, 'base64'), ctx.caller.kind === 'extension' ? ctx.caller.extensionId : null),
  };
}
