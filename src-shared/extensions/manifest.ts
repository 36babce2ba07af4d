import { z } from 'zod';

/**
 * The extension manifest (`manifest.json` in a `.cairnext`): what the SDK spec's `#[extension]`,
 * `#[model]`, `#[job]`, `#[task]`, `#[action]` and `#[setting]` attributes declare, as JSON.
 * `docs/schemas/manifest.schema.json` is generated from this schema and published for authors.
 */

/** Reverse-DNS id: `com.example.hello`. Lower case, 2–8 dot-separated parts. */
export const ExtensionId = z
  .string()
  .regex(/^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*){1,7}$/, 'id must be reverse-DNS, lower case, e.g. "com.example.hello"')
  .max(128);

export const SemVer = z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/, 'must be a semantic version like 1.2.3');

/** A name guests use for jobs, tasks, actions, models and exports. */
const Ident = z.string().regex(/^[a-z_][a-z0-9_]{0,63}$/, 'must be snake_case: a-z, 0-9 and _');
const ModelType = z.string().regex(/^[A-Z][A-Za-z0-9]{0,63}$/, 'model types are PascalCase, e.g. PhotoAnalysis');
const Reason = z.string().min(3, 'every permission needs a reason shown to the user').max(300);

/** Core features an extension may require; installing fails when the running core lacks one. */
export const CORE_FEATURES = ['models', 'blobs', 'tags', 'collections', 'jobs', 'actions', 'sidecars', 'events', 'ai', 'network'] as const;

export const AI_CATEGORIES = ['face_detection', 'face_embedding', 'ocr', 'llm', 'embedding', 'classification'] as const;

const PermissionBase = { reason: Reason, optional: z.boolean().default(false) };

/** Each permission the manifest declares; the user grants (and scopes) each one at install. */
export const Permission = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ReadEntries'), glob: z.string().min(1).max(200).default('**/*'), ...PermissionBase }).strict(),
  z.object({ type: z.literal('ReadSidecars'), kinds: z.array(Ident).min(1).max(20), ...PermissionBase }).strict(),
  z.object({ type: z.literal('WriteSidecars'), kinds: z.array(Ident).min(1).max(20), ...PermissionBase }).strict(),
  z.object({ type: z.literal('WriteTags'), ...PermissionBase }).strict(),
  z.object({ type: z.literal('WriteModels'), ...PermissionBase }).strict(),
  z.object({ type: z.literal('WriteCollections'), ...PermissionBase }).strict(),
  z.object({ type: z.literal('UseModel'), category: z.enum(AI_CATEGORIES), preference: z.enum(['local', 'cloud']).default('local'), ...PermissionBase }).strict(),
  z.object({ type: z.literal('Network'), hosts: z.array(z.string().regex(/^[a-z0-9.-]+(:\d+)?$/i)).min(1).max(20), ...PermissionBase }).strict(),
]);
export type Permission = z.infer<typeof Permission>;
export type PermissionType = Permission['type'];
export const PERMISSION_TYPES = ['ReadEntries', 'ReadSidecars', 'WriteSidecars', 'WriteTags', 'WriteModels', 'WriteCollections', 'UseModel', 'Network'] as const satisfies readonly PermissionType[];

/** One setting of the generated settings pane (`#[setting(label, default)]`). */
export const Setting = z.discriminatedUnion('type', [
  z.object({ type: z.literal('boolean'), label: z.string().max(100), description: z.string().max(300).optional(), default: z.boolean() }).strict(),
  z.object({ type: z.literal('number'), label: z.string().max(100), description: z.string().max(300).optional(), default: z.number(), min: z.number().optional(), max: z.number().optional() }).strict(),
  z.object({ type: z.literal('string'), label: z.string().max(100), description: z.string().max(300).optional(), default: z.string().max(1000), maxLength: z.number().int().positive().max(10_000).optional() }).strict(),
  z.object({ type: z.literal('enum'), label: z.string().max(100), description: z.string().max(300).optional(), options: z.array(z.string().max(100)).min(1).max(50), default: z.string() }).strict(),
]);
export type Setting = z.infer<typeof Setting>;

export const ModelDecl = z
  .object({
    type: ModelType,
    scope: z.enum(['entry', 'content', 'standalone']),
    sync_strategy: z.enum(['shared', 'device_owned']).default('shared'),
    /** Fields stored as compressed, content-addressed blobs and loaded lazily. */
    blob_fields: z.array(Ident).max(20).default([]),
  })
  .strict();

export const JobDecl = z
  .object({
    name: Ident,
    /** The guest export that runs the job; default `job_<name>`. */
    export: Ident.optional(),
    parallelism: z.number().int().min(1).max(8).default(1),
    trigger: z.enum(['manual', 'event']).default('manual'),
    title: z.string().max(100).optional(),
  })
  .strict();

export const TaskDecl = z
  .object({
    name: Ident,
    export: Ident.optional(),
    retries: z.number().int().min(0).max(10).default(0),
    timeout_ms: z.number().int().min(100).max(3_600_000).default(30_000),
  })
  .strict();

/**
 * A parameter the app asks for before previewing an action, sent in the action's `params` under `name`:
 * `text` (typed by the user), `model` (another model of `model_type` the view shows, chosen by the user),
 * `selected_model` (the id of the model the action was started on, for `model` context actions) or `choice`
 * (one of the options the extension's options export lists for this run, e.g. the faces in a photo; with
 * `multiple`, a list of them).
 *
 * @example
 * { "name": "otherId", "label": "Merge with", "type": "model", "model_type": "Person" }
 * { "name": "faceId", "label": "Face", "type": "choice" }
 */
export const ActionParamDecl = z
  .object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a parameter name is a JSON key: letters, digits and _'),
    label: z.string().min(1).max(100).optional(),
    type: z.enum(['text', 'model', 'selected_model', 'choice']),
    model_type: ModelType.optional(),
    /** A text the user may leave empty, or a model they may leave unchosen. */
    optional: z.boolean().default(false),
    /** For `choice`: the user may pick several options; the value sent is then a list of strings. */
    multiple: z.boolean().default(false),
  })
  .strict();

export const ActionDecl = z
  .object({
    name: Ident,
    label: z.string().min(1).max(100),
    /** Guest export that returns the preview (default `action_<name>_preview`). */
    preview_export: Ident.optional(),
    /** Guest export that applies it (default `action_<name>_execute`). */
    execute_export: Ident.optional(),
    /**
     * Guest export that reverses an execute (default `action_<name>_undo`). Optional: without it the action
     * cannot be undone, whatever its preview says.
     */
    undo_export: Ident.optional(),
    /**
     * Guest export that lists the options of the action's `choice` params (default `action_<name>_options`).
     * Input: `{entryIds, params, param}` (the params known so far, and the name of the param asked about);
     * output: `{options: [{value, label, image?: {contentId, crop?: {x, y, width, height}}}]}`, crop as
     * fractions of the image.
     */
    options_export: Ident.optional(),
    /** Where the UI offers it. */
    contexts: z.array(z.enum(['entry', 'selection', 'toolbar', 'model'])).default(['toolbar']),
    /** What the app asks for (or fills in) before the preview; see {@link ActionParamDecl}. */
    params: z.array(ActionParamDecl).max(10).default([]),
  })
  .strict();

export const HOOK_EVENTS = ['entries.onDidCreate', 'content.onDidIdentify', 'tags.onDidApply'] as const;

export const HookDecl = z
  .object({
    event: z.enum(HOOK_EVENTS),
    export: Ident,
    batch_size: z.number().int().min(1).max(500).default(50),
  })
  .strict();

export const Manifest = z
  .object({
    $schema: z.string().optional(),
    manifest_version: z.literal(1).default(1),
    id: ExtensionId,
    name: z.string().min(1).max(80),
    version: SemVer,
    description: z.string().max(1000).default(''),
    publisher: z.string().min(1).max(100),
    homepage: z.string().url().optional(),
    icon: z.string().regex(/^assets\/[A-Za-z0-9._/-]+\.(png|svg)$/).optional(),
    min_core_version: SemVer,
    required_features: z.array(z.enum(CORE_FEATURES)).default([]),
    permissions: z.array(Permission).max(50).default([]),
    settings: z.record(Ident, Setting).default({}),
    models: z.array(ModelDecl).max(50).default([]),
    jobs: z.array(JobDecl).max(50).default([]),
    tasks: z.array(TaskDecl).max(100).default([]),
    actions: z.array(ActionDecl).max(50).default([]),
    hooks: z.array(HookDecl).max(20).default([]),
    /** Guest export run once when the plugin loads. */
    init_export: Ident.optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const dup = (kind: string, names: string[]) => {
      const seen = new Set<string>();
      for (const n of names) {
        if (seen.has(n)) ctx.addIssue({ code: 'custom', message: `duplicate ${kind} "${n}"`, path: [kind] });
        seen.add(n);
      }
    };
    dup('models', m.models.map((x) => x.type));
    dup('jobs', m.jobs.map((x) => x.name));
    dup('tasks', m.tasks.map((x) => x.name));
    dup('actions', m.actions.map((x) => x.name));
    const types = new Set(m.permissions.map((p) => p.type));
    if (m.models.length > 0 && !types.has('WriteModels')) {
      ctx.addIssue({ code: 'custom', message: 'declaring models requires the WriteModels permission', path: ['permissions'] });
    }
  });
export type Manifest = z.infer<typeof Manifest>;

/** The guest export that implements a job, task or action part. */
export const exportNames = {
  job: (j: { name: string; export?: string | undefined }) => j.export ?? `job_${j.name}`,
  task: (t: { name: string; export?: string | undefined }) => t.export ?? `task_${t.name}`,
  actionPreview: (a: { name: string; preview_export?: string | undefined }) => a.preview_export ?? `action_${a.name}_preview`,
  actionExecute: (a: { name: string; execute_export?: string | undefined }) => a.execute_export ?? `action_${a.name}_execute`,
  actionUndo: (a: { name: string; undo_export?: string | undefined }) => a.undo_export ?? `action_${a.name}_undo`,
  actionOptions: (a: { name: string; options_export?: string | undefined }) => a.options_export ?? `action_${a.name}_options`,
};

/** A folder the user granted: a whole location, or a subfolder of it (`/`-separated, relative). */
export const FileScope = z.object({ locationId: z.uuid(), subpath: z.string().max(4096).default('') }).strict();
export type FileScope = z.infer<typeof FileScope>;

/**
 * What the user granted for one declared permission (by its index in `manifest.permissions`).
 * File permissions (ReadEntries, ReadSidecars, WriteSidecars) carry the folders they apply to; an empty list
 * grants nothing. Grants live in the library, per extension, and can be revoked at any time.
 */
export const PermissionGrant = z
  .object({
    index: z.number().int().min(0),
    type: z.enum(PERMISSION_TYPES),
    granted: z.boolean(),
    scopes: z.array(FileScope).max(100).default([]),
  })
  .strict();
export type PermissionGrant = z.infer<typeof PermissionGrant>;

/** Permissions whose grant is scoped to folders. */
export const FILE_PERMISSIONS: readonly PermissionType[] = ['ReadEntries', 'ReadSidecars', 'WriteSidecars'];
