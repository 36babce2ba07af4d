import { z } from 'zod';
import { ExtensionId, SemVer } from '../extensions/manifest.js';
import { Id, LibraryRef } from './common.js';
import { query } from './define.js';
import { EntrySummary } from './entries.js';

/**
 * The UI that installed extensions declare (`ui_manifest.json`: sidebar sections and views; manifest
 * actions), and the queries that feed it. No extension code runs in the renderer: a section or view is a
 * filter-language query that the core runs, ANDed with the extension's granted folders, and a generic
 * component renders the result. The handlers live in `extension-host/store` and are supplied by the shells
 * (`CoreOptions.ui`). See docs/extension-runtime.md ("UI contributions").
 */

/**
 * A model field a section or view shows in its detail panel, in the order declared: `key` in the model's data,
 * `label` the words shown for it (default: the key in words). Without `fields` every field is shown.
 *
 * @example
 * { "key": "faceCount", "label": "Photos" }
 */
export const UiField = z.object({ key: z.string(), label: z.string().nullable() });
export type UiField = z.infer<typeof UiField>;

export const UiSection = z.object({
  id: z.string(),
  label: z.string(),
  /** A name from Cairn's icon set, or null. */
  icon: z.string().nullable(),
  query: z.string(),
  render: z.enum(['list', 'grid']),
  /** Model fields its detail panel shows (see {@link UiField}); absent: all of them. */
  fields: z.array(UiField).optional(),
  /** What the query returns; null when it has a problem. */
  target: z.enum(['entries', 'models']).nullable(),
  /** Why this section cannot be shown (plain words), else null. Show a placeholder, not an error page. */
  problem: z.string().nullable(),
});
export type UiSection = z.infer<typeof UiSection>;

export const UiView = z.object({
  id: z.string(),
  label: z.string().nullable(),
  component: z.enum(['list', 'grid', 'map_view', 'person_grid', 'detail']),
  source: z.string(),
  /** Model fields its detail panel shows (see {@link UiField}); absent: all of them. */
  fields: z.array(UiField).optional(),
  target: z.enum(['entries', 'models']).nullable(),
  problem: z.string().nullable(),
});
export type UiView = z.infer<typeof UiView>;

/** A parameter the app asks for before previewing an extension's action (the manifest's `params`). */
export const UiActionParam = z.object({
  name: z.string(),
  label: z.string().nullable(),
  type: z.enum(['text', 'model', 'selected_model', 'choice']),
  modelType: z.string().nullable(),
  optional: z.boolean(),
  /** For `choice`: several options may be picked (the value is a list). */
  multiple: z.boolean().default(false),
});
export type UiActionParam = z.infer<typeof UiActionParam>;

export const UiAction = z.object({
  name: z.string(),
  label: z.string(),
  contexts: z.array(z.enum(['entry', 'selection', 'toolbar', 'model'])),
  params: z.array(UiActionParam).default([]),
});

/** One installed, enabled extension's contributions. */
export const UiContribution = z.object({
  extensionId: ExtensionId,
  name: z.string(),
  version: SemVer,
  /** `/ext-asset/<libraryId>/<extensionId>/<icon>` or null. */
  iconUrl: z.string().nullable(),
  sidebar: z.array(UiSection),
  views: z.array(UiView),
  actions: z.array(UiAction),
  /** A problem with the ui_manifest as a whole (not JSON, not an object); its sections and views are then empty. */
  problem: z.string().nullable(),
});
export type UiContribution = z.infer<typeof UiContribution>;

/** A map viewport in degrees. `west > east` crosses the antimeridian. */
export const BBox = z
  .object({
    west: z.number().min(-180).max(180),
    south: z.number().min(-90).max(90),
    east: z.number().min(-180).max(180),
    north: z.number().min(-90).max(90),
  })
  .strict();
export type BBox = z.infer<typeof BBox>;

/** A model as a section shows it: inline fields only (blobs stay in the store). */
export const UiModelItem = z.object({
  id: Id,
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
  contentId: Id.nullable(),
  /** The model's entry (entry scope) or one visible entry with its content (content scope); null for standalone. */
  entry: EntrySummary.nullable(),
  /** Where to get a thumbnail: the entry above, when it has one. */
  thumbnail: z.object({ entryId: Id }).nullable(),
});
export type UiModelItem = z.infer<typeof UiModelItem>;

export const UiQueryResult = z.discriminatedUnion('target', [
  z.object({ target: z.literal('entries'), entries: z.array(EntrySummary), total: z.number().int() }),
  z.object({ target: z.literal('models'), models: z.array(UiModelItem), total: z.number().int() }),
]);
export type UiQueryResult = z.infer<typeof UiQueryResult>;

export const MapPoint = z.object({
  lat: z.number(),
  lon: z.number(),
  /** How many items this point stands for (1 for a raw point). */
  count: z.number().int(),
  /** For a raw point: the entry (media GPS) or model (lat/lon fields) it is. */
  entryId: Id.nullable(),
  modelId: Id.nullable(),
  /** For a cluster: the area it covers, to zoom into. */
  bounds: BBox.nullable(),
});
export type MapPoint = z.infer<typeof MapPoint>;

const ExtRef = LibraryRef.extend({ extensionId: ExtensionId });

export const uiOperations = {
  /**
   * For every installed, enabled (active) extension: its sidebar sections and views from `ui_manifest.json`,
   * validated one by one (a broken one comes back with `problem` in plain words; the others are fine), its
   * actions from the manifest, its name and icon URL. Never fails because of one extension.
   * @example await call('ui.contributions', { libraryId }) // → [{ extensionId: 'com.cairn.hello-tags', sidebar: [{ id: 'images', problem: null, ... }], ... }]
   */
  'ui.contributions': query({
    summary: 'The sidebar sections, views and actions that installed extensions contribute',
    input: LibraryRef.strict(),
    output: z.array(UiContribution),
  }),
  /**
   * Runs one section's query (`sectionId`) or one view's source (`viewId`), always parameterised and ANDed with
   * the extension's grants: entries outside the folders it was granted (ReadEntries) are invisible, and model
   * queries return only that extension's models. `bbox` narrows a map view to entries (media GPS) or models
   * (`lat`/`lon` fields) inside it. Failure modes: `NOT_FOUND` (extension not installed/enabled, no such
   * section or view), `VALIDATION` (the query does not parse: the message says where).
   * @example await call('ui.querySection', { libraryId, extensionId: 'com.cairn.hello-tags', sectionId: 'images', offset: 0, limit: 100 })
   */
  'ui.querySection': query({
    summary: "Run an extension's sidebar section or view query, limited to what the extension was granted",
    input: ExtRef.extend({
      sectionId: z.string().max(64).optional(),
      viewId: z.string().max(64).optional(),
      offset: z.number().int().min(0).max(10_000_000).default(0),
      limit: z.number().int().min(1).max(1000).default(100),
      bbox: BBox.optional(),
    })
      .strict()
      .refine((v) => (v.sectionId === undefined) !== (v.viewId === undefined), { message: 'name exactly one of sectionId or viewId' }),
    output: UiQueryResult,
  }),
  /**
   * Points for a `map_view`: when its source targets entries, the GPS of visible entries' media; when it
   * targets models, the models' numeric `lat`/`lon` (or `latitude`/`longitude`) fields. Up to 500 points come
   * back raw; beyond that they are clustered on a grid that gets finer with `zoom` (0–22), each cluster
   * with its count and bounds. Failure modes: as `ui.querySection`, and `VALIDATION` when the view is not a map_view.
   * @example await call('ui.mapPoints', { libraryId, extensionId: 'com.example.places', viewId: 'map', zoom: 3 })
   */
  'ui.mapPoints': query({
    summary: "Points (raw or clustered) for an extension's map view, limited to what the extension was granted",
    input: ExtRef.extend({ viewId: z.string().max(64), bbox: BBox.optional(), zoom: z.number().min(0).max(22).default(2) }).strict(),
    output: z.object({ source: z.enum(['media', 'models']), clustered: z.boolean(), total: z.number().int(), points: z.array(MapPoint) }),
  }),
} as const;
