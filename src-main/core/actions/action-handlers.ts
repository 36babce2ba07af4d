import type { HandlersFor } from '../registry/operation-registry.js';
import type { ActionService } from './action-service.js';

/**
 * Registry handlers for `actions.*`: preview, commit, undo, the action list and the audit log, for the UI,
 * the CLI and extensions alike. The caller (user via a shell, or an extension id) is recorded on every step.
 */
export function actionHandlers(actions: ActionService): HandlersFor<'actions'> {
  return {
    'actions.preview': ({ libraryId, action, params }, ctx) => actions.preview(ctx.library(libraryId), action, params, ctx.caller),
    'actions.commit': ({ libraryId, previewId }, ctx) => actions.commit(ctx.library(libraryId), previewId, ctx.caller),
    'actions.undo': ({ libraryId, auditId }, ctx) => actions.undo(ctx.library(libraryId), auditId, ctx.caller),
    'actions.list': () => actions.list(),
    'actions.history': ({ libraryId, offset, limit, status, includePreviews }, ctx) =>
      actions.history(ctx.library(libraryId), { offset, limit, includePreviews, ...(status ? { status } : {}) }),
    'actions.get': ({ libraryId, auditId }, ctx) => actions.get(ctx.library(libraryId), auditId),
  };
}
