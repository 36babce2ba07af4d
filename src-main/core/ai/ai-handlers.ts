import { CairnError } from '../../../src-shared/errors.js';
import type { LibraryJobs } from '../jobs/library-jobs.js';
import type { HandlersFor } from '../registry/operation-registry.js';
import type { AiService } from './ai-service.js';
import { MODEL_DOWNLOAD_JOB, makeModelDownloadJob } from './model-download.js';

/**
 * Handlers of `ai.*`. `ai.models` and `ai.registerModel` are synchronous (the bridge may call them from a
 * guest's host function); `ai.detectFaces`, `ai.embed` and `ai.generate` are async and heavy, so the
 * extension bridge runs them as host tasks of a job step (see README.md in this folder), never inline.
 * `ai.downloadModel` registers the download job type on `jobs` and enqueues it in the given library.
 *
 * @example
 * new OperationRegistry({ ...aiHandlers(ai, core.jobs) });
 */
export function aiHandlers(ai: AiService, jobs: LibraryJobs): HandlersFor<'ai'> {
  jobs.registerType(MODEL_DOWNLOAD_JOB, makeModelDownloadJob(ai.models), (input) => `Download the model ${input.name}`);
  return {
    'ai.downloadModel': async ({ libraryId, name }, ctx) => {
      if (ctx.caller.kind !== 'user') throw new CairnError('PERMISSION_DENIED', 'Only the user starts model downloads.');
      const model = ai.models.get(name);
      if (model.source.kind !== 'download') throw new CairnError('VALIDATION', `${name} is not a model to download (its source is ${model.source.kind}).`);
      return { jobId: (await jobs.for(libraryId)).enqueue(MODEL_DOWNLOAD_JOB, { name }) };
    },
    'ai.models': (input) => ai.listModels(input),
    'ai.registerModel': (input, ctx) => ai.registerModel(input.libraryId ? ctx.library(input.libraryId) : null, input, ctx.caller),
    'ai.detectFaces': (input, ctx) => ai.detectFaces(ctx.library(input.libraryId), input, ctx.caller),
    'ai.embed': (input, ctx) => ai.embed(ctx.library(input.libraryId), input, ctx.caller),
    'ai.generate': (input, ctx) => ai.generate(input.libraryId ? ctx.library(input.libraryId) : null, input, ctx.caller, ctx.signal),
  };
}
