import type { HandlersFor } from '../registry/operation-registry.js';
import type { AiService } from './ai-service.js';

/**
 * Handlers of `ai.*`. `ai.models` and `ai.registerModel` are synchronous (the bridge may call them from a
 * guest's host function); `ai.detectFaces`, `ai.embed` and `ai.generate` are async and heavy, so the
 * extension bridge runs them as host tasks of a job step (see README.md in this folder), never inline.
 *
 * @example
 * new OperationRegistry({ ...aiHandlers(ai) });
 */
export function aiHandlers(ai: AiService): HandlersFor<'ai'> {
  return {
    'ai.models': (input) => ai.listModels(input),
    'ai.registerModel': (input, ctx) => ai.registerModel(input.libraryId ? ctx.library(input.libraryId) : null, input, ctx.caller),
    'ai.detectFaces': (input, ctx) => ai.detectFaces(ctx.library(input.libraryId), input, ctx.caller),
    'ai.embed': (input, ctx) => ai.embed(ctx.library(input.libraryId), input, ctx.caller),
    'ai.generate': (input, ctx) => ai.generate(input.libraryId ? ctx.library(input.libraryId) : null, input, ctx.caller, ctx.signal),
  };
}
