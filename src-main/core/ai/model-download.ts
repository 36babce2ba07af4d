import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CairnError } from '../../../src-shared/errors.js';
import { defineJob, type JobDefinition } from '../jobs/define-job.js';
import type { ModelRegistry } from './model-registry.js';

/** The job type that fetches a registered `download` model into `$CAIRN_HOME/models/<name>/`. */
export const MODEL_DOWNLOAD_JOB = 'ai.downloadModel';

/** What a download reports as it goes. */
export interface DownloadProgress {
  bytes: number;
  /** The file's full size when the server said it, else null. */
  total: number | null;
}

export interface DownloadOptions {
  url: string;
  /** Expected sha256 of the whole file (hex). */
  sha256: string;
  /** Final path; the bytes go to `<target>.part` first and are renamed into place once verified. */
  target: string;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** Test seam; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * Downloads `url` to `target`, resumable: bytes already in `<target>.part` (a download cut short by a dropped
 * connection, a pause or a crash) are kept, and the rest is asked for with an HTTP `Range` request (a server
 * that answers the whole file again restarts it). Once every byte is in, the size is checked against the
 * server's and the sha256 against `sha256`; only then is the file fsynced and renamed into place, so `target`
 * never holds a partial or wrong file. A `target` already there with the right sha256 is kept as it is.
 *
 * Failure modes: `IO` (unreachable server, an HTTP error status, the connection dropped before the last byte:
 * the `.part` file stays for the next attempt), `VALIDATION` (size or sha256 mismatch: the `.part` file is
 * removed, so the next attempt starts over), `CANCELLED` (the signal fired; the `.part` file stays).
 *
 * @example
 * await downloadFile({ url: 'https://example.org/m.onnx', sha256, target: '/home/me/.cairn/models/m/m.onnx' });
 */
export async function downloadFile(options: DownloadOptions): Promise<{ bytes: number; resumedFrom: number; alreadyThere: boolean }> {
  const { url, target, signal } = options;
  const expected = options.sha256.toLowerCase();
  const doFetch = options.fetch ?? fetch;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (fs.existsSync(target) && (await sha256Of(target)) === expected) return { bytes: fs.statSync(target).size, resumedFrom: 0, alreadyThere: true };
  const part = `${target}.part`;
  let have = fs.existsSync(part) ? fs.statSync(part).size : 0;

  let response: Response;
  try {
    response = await doFetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, redirect: 'follow', ...(signal ? { signal } : {}) });
  } catch (error) {
    if (signal?.aborted) throw new CairnError('CANCELLED', 'The download was stopped.');
    throw new CairnError('IO', `Cannot reach ${url}: ${(error as Error).message}`);
  }
  if (response.status === 416 && have > 0) {
    // The part already holds every byte (the server has nothing after it): verify it below.
    await response.body?.cancel();
  } else if (!response.ok) {
    await response.body?.cancel();
    throw new CairnError('IO', `${url} answered HTTP ${response.status}.`);
  }
  let total: number | null = null;
  let resumedFrom = 0;
  if (response.status === 206) {
    const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
    if (!range || Number(range[1]) !== have) {
      await response.body?.cancel();
      fs.rmSync(part, { force: true });
      throw new CairnError('IO', `${url} answered a range that does not continue the ${have} bytes already here; they were dropped, try again.`);
    }
    resumedFrom = have;
    if (range[2] !== '*') total = Number(range[2]);
  } else if (response.status === 200) {
    have = 0; // the server sends the whole file: start over
    const length = response.headers.get('content-length');
    if (length !== null && /^\d+$/.test(length)) total = Number(length);
  } else {
    total = have;
  }

  const hash = createHash('sha256');
  if (have > 0) await hashInto(hash, part);
  let bytes = have;
  options.onProgress?.({ bytes, total });
  if (response.status !== 416 && response.body) {
    const fd = fs.openSync(part, have > 0 ? 'a' : 'w');
    try {
      const reader = response.body.getReader();
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          if (signal?.aborted) throw new CairnError('CANCELLED', 'The download was stopped.');
          throw new CairnError('IO', `The connection to ${url} dropped after ${bytes}${total !== null ? ` of ${total}` : ''} bytes: ${(error as Error).message}`);
        }
        if (chunk.done) break;
        fs.writeSync(fd, chunk.value);
        hash.update(chunk.value);
        bytes += chunk.value.byteLength;
        options.onProgress?.({ bytes, total });
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
  if (total !== null && bytes < total) throw new CairnError('IO', `The connection to ${url} ended after ${bytes} of ${total} bytes.`);
  if (total !== null && bytes > total) {
    fs.rmSync(part, { force: true });
    throw new CairnError('VALIDATION', `${url} sent ${bytes} bytes, more than the ${total} it announced; the file was removed.`);
  }
  const actual = hash.digest('hex');
  if (actual !== expected) {
    fs.rmSync(part, { force: true });
    throw new CairnError('VALIDATION', `The file downloaded from ${url} has sha256 ${actual}, not ${expected}; it was removed.`);
  }
  fs.renameSync(part, target);
  fsyncDir(path.dirname(target));
  return { bytes, resumedFrom, alreadyThere: false };
}

async function hashInto(hash: ReturnType<typeof createHash>, file: string): Promise<void> {
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await hashInto(hash, file);
  return hash.digest('hex');
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some platforms cannot open a directory for fsync; the rename is still atomic.
  }
}

const DownloadInput = z.object({ name: z.string().min(1).max(200) });

/**
 * The durable job that fetches a registered `download` model (URL + sha256) into its place in the models folder
 * (`ModelRegistry.downloadTarget`), with byte progress. The download is one task retried 3 times: a dropped
 * connection resumes from the bytes already on disk, and so does a job resumed after a crash or a pause. Fails
 * with `NOT_FOUND` (no such model), `VALIDATION` (not a download model; size or sha256 mismatch, file removed) or
 * `IO` once the retries run out.
 *
 * @example
 * core.jobs.registerType(MODEL_DOWNLOAD_JOB, makeModelDownloadJob(ai.models), (i) => `Download ${i.name}`);
 */
export function makeModelDownloadJob(models: ModelRegistry, options: { fetch?: typeof fetch; retryDelayMs?: number } = {}): JobDefinition<z.infer<typeof DownloadInput>> {
  return defineJob({
    input: DownloadInput,
    async run(ctx) {
      const model = models.get(ctx.input.name);
      if (model.source.kind !== 'download') throw new CairnError('VALIDATION', `${model.name} is not a model to download (its source is ${model.source.kind}).`);
      const { url, sha256 } = model.source;
      const target = models.downloadTarget(model);
      const outcome = await ctx.runTask<{ ok: true; bytes: number } | { ok: false; message: string }>(
        'download',
        async ({ signal }) => {
          try {
            const done = await downloadFile({
              url, sha256, target, signal,
              onProgress: (p) => ctx.progress({ completed: p.bytes, total: Math.max(p.total ?? p.bytes, p.bytes), bytes: p.bytes, message: `Downloading ${model.name}` }),
              ...(options.fetch ? { fetch: options.fetch } : {}),
            });
            return { result: { ok: true, bytes: done.bytes } };
          } catch (error) {
            // A wrong size or hash is not retried: the server would send the same bytes again.
            if (error instanceof CairnError && error.code === 'VALIDATION') return { result: { ok: false, message: error.message } };
            throw error;
          }
        },
        { retries: 3, ...(options.retryDelayMs !== undefined ? { backoffMs: options.retryDelayMs } : {}) },
      );
      if (!outcome.ok) throw new CairnError('VALIDATION', outcome.message);
    },
  });
}
