import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { AiModel, DetectedFace, ModelPreference, aiOperations } from '../../../src-shared/contract/ai.js';
import { CairnError } from '../../../src-shared/errors.js';
import { canonicalFile } from '../entries/entry-bytes.js';
import type { Library } from '../library/library.js';
import type { Caller } from '../registry/operation-registry.js';
import type { SidecarStore } from '../sidecars/sidecar-store.js';
import { packEmbeddings, unpackEmbeddings } from './embedding-codec.js';
import { FacePool, type FacePoolOptions } from './face-pool.js';
import type { RawFace } from './face-protocol.js';
import { effectivePreference, LlmClient, type LlmClientOptions } from './llm-providers.js';
import { modelAccess } from './model-grants.js';
import { ModelRegistry } from './model-registry.js';
import { renderPrompt } from './prompt-templates.js';

type Ops = typeof aiOperations;
type In<N extends keyof Ops> = z.output<Ops[N]['input']>;
type Out<N extends keyof Ops> = z.output<Ops[N]['output']>;

/** Sidecar kinds written by face detection. */
export const FACE_CROP_KIND = 'face_crop';
export const FACE_EMBEDDING_KIND = 'face_embedding';
/** The model whose name detection results carry. */
export const FACE_MODEL_NAME = 'human-blazeface+facemesh+faceres';

export interface AiServiceOptions {
  modelsDir: string;
  sidecars: SidecarStore;
  facePool?: FacePoolOptions;
  llm?: LlmClientOptions;
}

/**
 * The host side of on-device AI: the model registry, the face worker pool (started on first use) and the
 * LLM client, behind the `ai.*` operations. Every method checks the caller first (see `modelAccess`):
 * users may do everything; an extension needs a UseModel grant for the category in the library it names,
 * and its grant's preference decides whether a cloud model may be called.
 *
 * Entries are resolved with `canonicalFile` on the library connection the handler was given, so on the
 * bridge's scoped connection an extension reaches only the entries its grant shows.
 *
 * @example
 * const ai = new AiService({ modelsDir: home.modelsDir, sidecars: new SidecarStore() });
 * const { faces } = await ai.detectFaces(lib, { libraryId, entryId, minScore: 0.5, maxFaces: 20, writeSidecars: true }, caller);
 * await ai.close();
 */
export class AiService {
  readonly models: ModelRegistry;
  readonly llm: LlmClient;
  readonly #sidecars: SidecarStore;
  readonly #poolOptions: FacePoolOptions;
  #pool: FacePool | undefined;

  constructor(options: AiServiceOptions) {
    this.models = new ModelRegistry(options.modelsDir);
    this.llm = new LlmClient(options.llm);
    this.#sidecars = options.sidecars;
    this.#poolOptions = options.facePool ?? {};
  }

  /** The face worker pool, started on first use. */
  get faces(): FacePool {
    this.#pool ??= new FacePool(this.#poolOptions);
    return this.#pool;
  }

  /** Stops the face workers. */
  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.close();
  }

  listModels(input: In<'ai.models'>): Out<'ai.models'> {
    return { items: this.models.list(input.category) };
  }

  registerModel(lib: Library | null, input: In<'ai.registerModel'>, caller: Caller): AiModel {
    const access = modelAccess(caller, lib, input.model.category);
    return this.models.register(input.model, access);
  }

  /** Detects faces in an entry; writes crops (`face_crop`, variant = index) and packed embeddings (`face_embedding`). */
  async detectFaces(lib: Library, input: In<'ai.detectFaces'>, caller: Caller): Promise<Out<'ai.detectFaces'>> {
    modelAccess(caller, lib, 'face_detection');
    const { result } = await this.#detectEntry(lib, input, caller);
    return result;
  }

  /** A face's embedding, from the stored sidecar when there is one, else by detecting again. */
  async embed(lib: Library, input: In<'ai.embed'>, caller: Caller): Promise<Out<'ai.embed'>> {
    modelAccess(caller, lib, 'face_embedding');
    if (input.image !== undefined) {
      const r = await this.faces.detect(Buffer.from(input.image, 'base64'), { crops: false, maxFaces: 1, minScore: 0.3 });
      if (!r.ok) throw new CairnError(r.error.code, r.error.message);
      const face = r.faces[0];
      if (!face?.embedding) throw new CairnError('NOT_FOUND', 'No face found in the image.');
      return { vector: Array.from(face.embedding), dim: face.embedding.length, model: FACE_MODEL_NAME, fromCache: false };
    }
    const entryId = input.entryId!;
    const faceIndex = input.faceIndex!;
    const contentId = contentOf(lib, entryId);
    if (contentId) {
      const stored = this.#storedEmbeddings(lib, contentId);
      if (stored) {
        const vector = stored[faceIndex];
        if (!vector) throw new CairnError('NOT_FOUND', `The image has ${stored.length} face(s); there is no face ${faceIndex}.`);
        return { vector: Array.from(vector), dim: vector.length, model: FACE_MODEL_NAME, fromCache: true };
      }
    }
    const { raw } = await this.#detectEntry(lib, { libraryId: input.libraryId, entryId, minScore: 0.5, maxFaces: 20, writeSidecars: true }, caller);
    const face = raw[faceIndex];
    if (!face) throw new CairnError('NOT_FOUND', `The image has ${raw.length} face(s); there is no face ${faceIndex}.`);
    if (!face.embedding) throw new CairnError('NOT_SUPPORTED', 'The embedding model gave no vector for this face.');
    return { vector: Array.from(face.embedding), dim: face.embedding.length, model: FACE_MODEL_NAME, fromCache: false };
  }

  /** Generates text with the named (or the first allowed) llm model. */
  async generate(lib: Library | null, input: In<'ai.generate'>, caller: Caller, signal?: AbortSignal): Promise<Out<'ai.generate'>> {
    const access = modelAccess(caller, lib, 'llm', input.preference);
    const model = input.model ? this.models.get(input.model) : this.#pickLlm(access.allowCloud ? undefined : 'local');
    let prompt = input.prompt;
    if (input.template) {
      if (caller.kind !== 'extension' || !lib) throw new CairnError('VALIDATION', "Prompt templates come from an extension's package; give a prompt instead.");
      prompt = renderPrompt(extensionPackageDir(lib, caller.extensionId), input.template.name, input.template.vars);
    }
    const r = await this.llm.generate(
      model,
      {
        prompt: prompt ?? '',
        maxTokens: input.maxTokens,
        ...(input.system !== undefined ? { system: input.system } : {}),
        ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
        ...(signal ? { signal } : {}),
      },
      access,
    );
    return { text: r.text, model: model.name, provider: r.provider, preference: r.preference, usage: r.usage };
  }

  #pickLlm(only?: ModelPreference): AiModel {
    const candidates = this.models.list('llm').filter((m) => m.available && (!only || effectivePreference(m) === only));
    // Local models first: nothing leaves the machine unless nothing local is registered.
    const model = candidates.find((m) => effectivePreference(m) === 'local') ?? candidates[0];
    if (!model) {
      throw new CairnError('NOT_FOUND', only === 'local' ? 'No local llm model is registered (register Ollama with ai.registerModel).' : 'No llm model is registered.');
    }
    return model;
  }

  async #detectEntry(lib: Library, input: In<'ai.detectFaces'>, caller: Caller): Promise<{ result: Out<'ai.detectFaces'>; raw: RawFace[] }> {
    const file = canonicalFile(lib, { entryId: input.entryId });
    if (!fs.statSync(file.real).isFile()) throw new CairnError('VALIDATION', 'Faces can be detected in files only.');
    const contentId = contentOf(lib, input.entryId);
    const write = input.writeSidecars && contentId !== null;
    const r = await this.faces.detect(file.real, { minScore: input.minScore, maxFaces: input.maxFaces, crops: write });
    if (!r.ok) throw new CairnError(r.error.code, r.error.message);
    const extensionId = caller.kind === 'extension' ? caller.extensionId : null;
    const faces: DetectedFace[] = r.faces.map((face, index) => {
      let crop: DetectedFace['crop'] = null;
      if (write && face.crop) {
        const variant = String(index);
        const { relPath } = this.#sidecars.write(lib, { contentId: contentId!, kind: FACE_CROP_KIND, variant }, 'webp', face.crop, extensionId);
        crop = { kind: FACE_CROP_KIND, variant, format: 'webp', relPath };
      }
      return { index, box: face.box, landmarks: face.landmarks, score: face.score, crop };
    });
    let embeddingsStored = false;
    if (write) {
      removeStaleCrops(lib, contentId!, faces.length);
      const vectors = r.faces.map((f) => f.embedding);
      if (vectors.every((v): v is Float32Array => v !== null)) {
        this.#sidecars.write(lib, { contentId: contentId!, kind: FACE_EMBEDDING_KIND, variant: '' }, 'bin', packEmbeddings(vectors), extensionId);
        embeddingsStored = true;
      }
    }
    return {
      result: { entryId: input.entryId, contentId, width: r.width, height: r.height, faces, embeddingsStored, model: FACE_MODEL_NAME },
      raw: r.faces,
    };
  }

  #storedEmbeddings(lib: Library, contentId: string): Float32Array[] | null {
    try {
      return unpackEmbeddings(this.#sidecars.read(lib, { contentId, kind: FACE_EMBEDDING_KIND, variant: '' }).bytes);
    } catch {
      return null;
    }
  }
}

function contentOf(lib: Library, entryId: string): string | null {
  const row = lib.raw.prepare('SELECT content_uuid FROM entries WHERE uuid = ?').get(entryId) as { content_uuid: string | null } | undefined;
  if (!row) throw new CairnError('NOT_FOUND', `No entry with id ${entryId}.`);
  return row.content_uuid;
}

/** Crops of faces that a previous detection found and this one did not (variants ≥ count). */
function removeStaleCrops(lib: Library, contentId: string, count: number): void {
  const rows = lib.raw.prepare('SELECT variant, rel_path FROM sidecars WHERE content_uuid = ? AND kind = ?').all(contentId, FACE_CROP_KIND) as { variant: string; rel_path: string }[];
  for (const row of rows) {
    if (Number(row.variant) < count) continue;
    lib.raw.prepare('DELETE FROM sidecars WHERE content_uuid = ? AND kind = ? AND variant = ?').run(contentId, FACE_CROP_KIND, row.variant);
    fs.rmSync(path.join(lib.path, 'sidecars', ...row.rel_path.split('/')), { force: true });
  }
}

/** The active version's folder of an installed extension: `<library>/extensions/<id>/<version>/`. */
function extensionPackageDir(lib: Library, extensionId: string): string {
  const row = lib.raw.prepare('SELECT version FROM extension_installs WHERE id = ?').get(extensionId) as { version: string } | undefined;
  if (!row) throw new CairnError('NOT_FOUND', `${extensionId} is not installed in this library.`);
  return path.join(lib.path, 'extensions', extensionId, row.version);
}
