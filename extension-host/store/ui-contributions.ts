import fs from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import type { EntrySummary } from '../../src-shared/contract/entries.js';
import type { BBox, MapPoint, UiContribution, UiModelItem, UiQueryResult, UiSection, UiView } from '../../src-shared/contract/ui.js';
import { CairnError } from '../../src-shared/errors.js';
import { Manifest } from '../../src-shared/extensions/manifest.js';
import { ENTRY_SUMMARY_COLUMNS, ENTRY_SUMMARY_FROM, toEntrySummary, type EntrySummaryRow } from '../../src-main/core/entries/entry-summary-sql.js';
import { compileFilter, type CompiledFilter } from '../../src-main/core/filters/compile-filter.js';
import { extensionsDir, type InstallerLibrary } from '../packages/extension-installer.js';
import { GrantState } from '../permissions/grant-state.js';
import { ScopeSet } from '../permissions/scope-set.js';
import { EXT_ASSET_URL_PREFIX } from './extension-store.js';

/**
 * What installed extensions contribute to the UI (`ui_manifest.json` sections and views, manifest actions), and
 * the queries behind them. Every query is a compiled filter (parameterised SQL from an allow-list of fields)
 * ANDed with the extension's granted folders: entries outside what it may read (ReadEntries scopes and glob) are
 * never returned, and model queries only see that extension's models whose entry (or one entry with their
 * content) is visible; standalone models are always visible to their extension.
 */

const FieldItem = z
  .object({
    key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a field key is a JSON key: letters, digits and _'),
    label: z.string().min(1, 'the field label is empty').max(60, 'the field label is longer than 60 characters').optional(),
  })
  .strict();
const Fields = z.array(FieldItem).max(20, 'at most 20 fields').optional();

const SectionItem = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'the id must be lower case letters, digits, _ or -'),
    label: z.string().min(1, 'the label is empty').max(60, 'the label is longer than 60 characters'),
    icon: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'the icon must be a name from Cairn\'s icon set').optional(),
    query: z.string().min(1, 'the query is empty').max(2000, 'the query is longer than 2000 characters'),
    render: z.enum(['list', 'grid'], { message: 'render must be "list" or "grid"' }),
    fields: Fields,
  })
  .strict();

const ViewItem = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'the id must be lower case letters, digits, _ or -'),
    component: z.enum(['list', 'grid', 'map_view', 'person_grid', 'detail'], { message: 'component must be list, grid, map_view, person_grid or detail' }),
    source: z.string().min(1, 'the source query is empty').max(2000, 'the source query is longer than 2000 characters'),
    label: z.string().max(60, 'the label is longer than 60 characters').optional(),
    fields: Fields,
  })
  .strict();

interface InstallRow {
  id: string;
  version: string;
  manifest: string;
  enabled: number;
  state: string;
}

function plainIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => {
      if (i.code === 'unrecognized_keys') return `it has unknown fields (${i.keys.join(', ')})`;
      const where = i.path.join('.');
      if (i.code === 'invalid_type' && i.input === undefined) return `${where || 'it'} is missing`;
      return where ? `${where}: ${i.message}` : i.message;
    })
    .join('; ');
}

function tryCompile(query: string): { target: 'entries' | 'models' | null; problem: string | null } {
  try {
    return { target: compileFilter(query).target, problem: null };
  } catch (error) {
    return { target: null, problem: `Its query cannot be used: ${(error as Error).message.replace(/^Filter: /, '')}` };
  }
}

function str(v: unknown, fallback: string): string {
  return typeof v === 'string' && v.length > 0 && v.length <= 64 ? v : fallback;
}

/** One extension's contributions from its installed files; problems become `problem` fields, never throws. */
function readContribution(lib: InstallerLibrary, row: InstallRow): UiContribution {
  let manifest: Manifest | null = null;
  try {
    manifest = Manifest.parse(JSON.parse(row.manifest));
  } catch {
    manifest = null;
  }
  const base: UiContribution = {
    extensionId: row.id,
    name: manifest?.name ?? row.id,
    version: row.version,
    iconUrl: manifest?.icon ? `${EXT_ASSET_URL_PREFIX}${lib.id}/${row.id}/${manifest.icon}` : null,
    sidebar: [],
    views: [],
    actions: manifest
      ? manifest.actions.map((a) => ({
          name: a.name,
          label: a.label,
          contexts: a.contexts,
          params: a.params.map((p) => ({ name: p.name, label: p.label ?? null, type: p.type, modelType: p.model_type ?? null, optional: p.optional, multiple: p.multiple })),
        }))
      : [],
    problem: manifest ? null : 'Its stored manifest is damaged; reinstall it.',
  };
  const file = path.join(extensionsDir(lib), row.id, row.version, 'ui_manifest.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return base;
    return { ...base, problem: `Its ui_manifest.json cannot be read (${(error as Error).message}).` };
  }
  let ui: unknown;
  try {
    ui = JSON.parse(text);
  } catch {
    return { ...base, problem: 'Its ui_manifest.json is not valid JSON.' };
  }
  if (typeof ui !== 'object' || ui === null || Array.isArray(ui)) return { ...base, problem: 'Its ui_manifest.json is not a JSON object.' };
  const { sidebar = [], views = [] } = ui as { sidebar?: unknown; views?: unknown };
  const problems: string[] = [];
  const seen = new Set<string>();
  const unique = (id: string): string | null => {
    if (seen.has(id)) return `Another section or view already uses the id "${id}".`;
    seen.add(id);
    return null;
  };
  if (Array.isArray(sidebar)) {
    base.sidebar = sidebar.slice(0, 20).map((raw: unknown, i): UiSection => {
      const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const parsed = SectionItem.safeParse(raw);
      const fallback = { id: str(r.id, `section-${i + 1}`), label: str(r.label, `Section ${i + 1}`), icon: null, query: typeof r.query === 'string' ? r.query.slice(0, 2000) : '', render: 'list' as const, target: null };
      if (!parsed.success) return { ...fallback, problem: `This section is not valid: ${plainIssues(parsed.error)}.` };
      const s = parsed.data;
      const compiled = tryCompile(s.query);
      return { id: s.id, label: s.label, icon: s.icon ?? null, query: s.query, render: s.render, ...uiFields(s.fields), target: compiled.target, problem: unique(s.id) ?? compiled.problem };
    });
  } else {
    problems.push('its "sidebar" is not a list');
  }
  if (Array.isArray(views)) {
    base.views = views.slice(0, 20).map((raw: unknown, i): UiView => {
      const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const parsed = ViewItem.safeParse(raw);
      const fallback = { id: str(r.id, `view-${i + 1}`), label: typeof r.label === 'string' ? r.label.slice(0, 60) : null, component: 'list' as const, source: typeof r.source === 'string' ? r.source.slice(0, 2000) : '', target: null };
      if (!parsed.success) return { ...fallback, problem: `This view is not valid: ${plainIssues(parsed.error)}.` };
      const v = parsed.data;
      const compiled = tryCompile(v.source);
      return { id: v.id, label: v.label ?? null, component: v.component, source: v.source, ...uiFields(v.fields), target: compiled.target, problem: unique(v.id) ?? compiled.problem };
    });
  } else {
    problems.push('its "views" is not a list');
  }
  if (problems.length > 0) base.problem = `Its ui_manifest.json is partly broken: ${problems.join(' and ')}.`;
  return base;
}

/** The contract's `fields` for a validated section or view (left out when the manifest gives none). */
function uiFields(fields: z.infer<typeof Fields>): { fields?: { key: string; label: string | null }[] } {
  return fields ? { fields: fields.map((f) => ({ key: f.key, label: f.label ?? null })) } : {};
}

function activeRows(lib: InstallerLibrary): InstallRow[] {
  return lib.raw.prepare(`SELECT id, version, manifest, enabled, state FROM extension_installs WHERE enabled = 1 AND state = 'active' ORDER BY id`).all() as InstallRow[];
}

/**
 * `ui.contributions`: every installed, enabled, active extension's sections, views and actions. A broken
 * section or view is returned with `problem` set; a broken ui_manifest.json sets the contribution's `problem`.
 */
export function uiContributions(lib: InstallerLibrary): UiContribution[] {
  return activeRows(lib)
    .map((row) => readContribution(lib, row))
    .sort((a, b) => a.name.localeCompare(b.name) || a.extensionId.localeCompare(b.extensionId));
}

// ── scoped queries ────────────────────────────────────────────────────────────────────────────

const SCOPE_FN = 'cairn_ui_in_scope';
const registered = new WeakSet<BetterSqlite3.Database>();
let currentScope: ScopeSet | null = null;

/**
 * Runs `run` (synchronous SQLite work) with `scope` answering the SQL function {@link SCOPE_FN}. The function is
 * registered once per connection; better-sqlite3 is synchronous, so no other query can see this scope.
 */
function withScope<T>(db: BetterSqlite3.Database, scope: ScopeSet, run: () => T): T {
  if (!registered.has(db)) {
    db.function(SCOPE_FN, { deterministic: false }, (loc: unknown, rel: unknown, kind: unknown) =>
      currentScope?.covers(String(loc), String(rel ?? ''), kind === 'dir' ? 'dir' : kind === 'symlink' ? 'symlink' : 'file') ? 1 : 0,
    );
    registered.add(db);
  }
  const previous = currentScope;
  currentScope = scope;
  try {
    return run();
  } finally {
    currentScope = previous;
  }
}

interface Scoped {
  scope: ScopeSet;
  /** A WHERE fragment over the entries alias, and its parameters. */
  sql: (alias: string) => string;
  params: string[];
}

function readScope(lib: InstallerLibrary, extensionId: string): Scoped {
  const state = new GrantState(lib.raw, extensionId);
  const scope = new ScopeSet(
    state.effective('ReadEntries').map((e) => ({ scopes: e.grant.scopes, glob: e.permission.type === 'ReadEntries' ? e.permission.glob : null })),
  );
  const locations = [...scope.locationIds];
  if (locations.length === 0) return { scope, sql: () => '0', params: [] };
  return { scope, sql: (a) => `(${a}.location_id IN (${locations.map(() => '?').join(', ')}) AND ${SCOPE_FN}(${a}.location_id, ${a}.rel_path, ${a}.kind) = 1)`, params: locations };
}

interface Resolved {
  extensionId: string;
  item: { id: string; component: string; target: 'entries' | 'models' };
  compiled: CompiledFilter;
}

function resolve(lib: InstallerLibrary, extensionId: string, ref: { sectionId?: string | undefined; viewId?: string | undefined }): Resolved {
  const row = activeRows(lib).find((r) => r.id === extensionId);
  if (!row) throw new CairnError('NOT_FOUND', `No enabled extension ${extensionId} is installed in this library.`);
  const c = readContribution(lib, row);
  const item = ref.sectionId !== undefined ? c.sidebar.find((s) => s.id === ref.sectionId) : c.views.find((v) => v.id === ref.viewId);
  const label = ref.sectionId !== undefined ? `section "${ref.sectionId}"` : `view "${ref.viewId}"`;
  if (!item) throw new CairnError('NOT_FOUND', `${c.name} has no ${label}.`);
  if (item.problem || !item.target) throw new CairnError('VALIDATION', `The ${label} of ${c.name} cannot be shown: ${item.problem ?? 'its query is invalid'}`);
  const compiled = compileFilter('query' in item ? item.query : item.source);
  return { extensionId, item: { id: item.id, component: 'component' in item ? item.component : item.render, target: compiled.target }, compiled };
}

/** SQL for "the point (lat, lon) lies in bbox"; `west > east` crosses the antimeridian. */
function bboxSql(lat: string, lon: string, bbox: BBox | undefined, params: unknown[]): string {
  if (!bbox) return '1';
  params.push(bbox.south, bbox.north);
  const latPart = `${lat} BETWEEN ? AND ?`;
  if (bbox.west <= bbox.east) {
    params.push(bbox.west, bbox.east);
    return `(${latPart} AND ${lon} BETWEEN ? AND ?)`;
  }
  params.push(bbox.west, bbox.east);
  return `(${latPart} AND (${lon} >= ? OR ${lon} <= ?))`;
}

const MODEL_LAT = `CAST(coalesce(json_extract(mo.data, '$.lat'), json_extract(mo.data, '$.latitude')) AS REAL)`;
const MODEL_LON = `CAST(coalesce(json_extract(mo.data, '$.lon'), json_extract(mo.data, '$.lng'), json_extract(mo.data, '$.longitude')) AS REAL)`;
const MODEL_HAS_POINT = `(json_type(mo.data, '$.lat') IN ('real', 'integer') OR json_type(mo.data, '$.latitude') IN ('real', 'integer'))`;

/**
 * The visible models of one extension matching `compiled`, as a common table `vis AS (…)` to follow WITH (id, uuid, model_type, data,
 * content_uuid, updated_at, standalone, visible_entry, lat, lon). Binds its own parameters into `params`.
 */
function visibleModelsCte(extensionId: string, compiled: CompiledFilter, scoped: Scoped, params: unknown[], extraWhere = '1'): string {
  params.push(...scoped.params, ...scoped.params, extensionId, ...compiled.params);
  return `vis AS (
    SELECT mo.id, mo.uuid, mo.model_type, mo.data, mo.content_uuid, mo.updated_at, mo.standalone,
      ${MODEL_LAT} AS lat, ${MODEL_LON} AS lon,
      CASE WHEN mo.standalone = 1 THEN NULL
           WHEN mo.entry_uuid IS NOT NULL THEN (SELECT e.uuid FROM entries e WHERE e.uuid = mo.entry_uuid AND ${scoped.sql('e')})
           ELSE (SELECT e.uuid FROM entries e WHERE e.content_uuid = mo.content_uuid AND ${scoped.sql('e')} ORDER BY e.id LIMIT 1) END AS visible_entry
    FROM models mo WHERE mo.extension_id = ? AND (${compiled.sql}) AND ${extraWhere}
  )`;
}

function entrySummaries(db: BetterSqlite3.Database, ids: string[]): Map<string, EntrySummary> {
  if (ids.length === 0) return new Map();
  const rows = db.prepare(`SELECT ${ENTRY_SUMMARY_COLUMNS} ${ENTRY_SUMMARY_FROM} WHERE e.uuid IN (${ids.map(() => '?').join(', ')})`).all(...ids) as EntrySummaryRow[];
  return new Map(rows.map((r) => [r.uuid, toEntrySummary(r)]));
}

/**
 * `ui.querySection`: one section's or view's results, limited to the extension's grants. Entries are ordered by
 * modification time (newest first), models by their last update.
 */
export function uiQuerySection(
  lib: InstallerLibrary,
  input: { extensionId: string; sectionId?: string | undefined; viewId?: string | undefined; offset: number; limit: number; bbox?: BBox | undefined },
): UiQueryResult {
  const { compiled } = resolve(lib, input.extensionId, input);
  const scoped = readScope(lib, input.extensionId);
  const db = lib.raw;
  return withScope(db, scoped.scope, (): UiQueryResult => {
    if (compiled.target === 'entries') {
      const params: unknown[] = [...compiled.params, ...scoped.params];
      const geo = input.bbox
        ? `EXISTS (SELECT 1 FROM media_data md WHERE md.content_uuid = e.content_uuid AND md.latitude IS NOT NULL AND ${bboxSql('md.latitude', 'md.longitude', input.bbox, params)})`
        : '1';
      const where = `WHERE (${compiled.sql}) AND ${scoped.sql('e')} AND ${geo}`;
      const total = (db.prepare(`SELECT count(*) AS n FROM entries e ${where}`).get(...params) as { n: number }).n;
      const rows = db
        .prepare(`SELECT ${ENTRY_SUMMARY_COLUMNS} ${ENTRY_SUMMARY_FROM} ${where} ORDER BY e.modified_at DESC, e.id LIMIT ? OFFSET ?`)
        .all(...params, input.limit, input.offset) as EntrySummaryRow[];
      return { target: 'entries', entries: rows.map(toEntrySummary), total };
    }
    const params: unknown[] = [];
    const extra = input.bbox ? `${MODEL_HAS_POINT} AND ${bboxSql(MODEL_LAT, MODEL_LON, input.bbox, params)}` : '1';
    const cteParams: unknown[] = [];
    const cte = visibleModelsCte(input.extensionId, compiled, scoped, cteParams, extra);
    const all = [...cteParams, ...params];
    const visible = 'WHERE standalone = 1 OR visible_entry IS NOT NULL';
    const total = (db.prepare(`WITH ${cte} SELECT count(*) AS n FROM vis ${visible}`).get(...all) as { n: number }).n;
    const rows = db.prepare(`WITH ${cte} SELECT uuid, model_type, data, content_uuid, visible_entry FROM vis ${visible} ORDER BY updated_at DESC, id LIMIT ? OFFSET ?`).all(...all, input.limit, input.offset) as {
      uuid: string;
      model_type: string;
      data: string;
      content_uuid: string | null;
      visible_entry: string | null;
    }[];
    const entries = entrySummaries(db, [...new Set(rows.flatMap((r) => (r.visible_entry ? [r.visible_entry] : [])))]);
    const models = rows.map((r): UiModelItem => {
      const entry = r.visible_entry ? (entries.get(r.visible_entry) ?? null) : null;
      let data: Record<string, unknown> = {};
      try {
        const parsed = JSON.parse(r.data) as unknown;
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
      } catch {
        data = {};
      }
      return { id: r.uuid, type: r.model_type, data, contentId: r.content_uuid, entry, thumbnail: entry?.hasThumbnail ? { entryId: entry.id } : null };
    });
    return { target: 'models', models, total };
  });
}

/** Up to this many points come back one by one; beyond, they are clustered. */
export const MAX_RAW_POINTS = 500;
const MAX_CLUSTERS = 2000;

/**
 * `ui.mapPoints`: points for a map_view. Entry sources use `media_data` GPS of visible entries; model sources use
 * the models' numeric `lat`/`lon` (or `latitude`/`longitude`, `lng`) fields. At most {@link MAX_RAW_POINTS} raw
 * points; more are clustered on a grid of `90 / 2^zoom` degrees, each cluster at its points' mean.
 */
export function uiMapPoints(
  lib: InstallerLibrary,
  input: { extensionId: string; viewId: string; bbox?: BBox | undefined; zoom: number },
  maxRawPoints = MAX_RAW_POINTS,
): { source: 'media' | 'models'; clustered: boolean; total: number; points: MapPoint[] } {
  const { compiled, item } = resolve(lib, input.extensionId, { viewId: input.viewId });
  if (item.component !== 'map_view') throw new CairnError('VALIDATION', `The view "${input.viewId}" is a ${item.component}, not a map_view.`);
  const scoped = readScope(lib, input.extensionId);
  const db = lib.raw;
  return withScope(db, scoped.scope, () => {
    let wrapped: string;
    let params: unknown[];
    if (compiled.target === 'entries') {
      params = [...compiled.params, ...scoped.params];
      const box = bboxSql('md.latitude', 'md.longitude', input.bbox, params);
      wrapped = `WITH pts AS (SELECT md.latitude AS lat, md.longitude AS lon, e.uuid AS entry_id, NULL AS model_id FROM entries e JOIN media_data md ON md.content_uuid = e.content_uuid
        WHERE (${compiled.sql}) AND ${scoped.sql('e')} AND md.latitude IS NOT NULL AND md.longitude IS NOT NULL AND ${box}) `;
    } else {
      const boxParams: unknown[] = [];
      const box = bboxSql(MODEL_LAT, MODEL_LON, input.bbox, boxParams);
      const cteParams: unknown[] = [];
      const cte = visibleModelsCte(input.extensionId, compiled, scoped, cteParams, `${MODEL_HAS_POINT} AND ${box}`);
      params = [...cteParams, ...boxParams];
      wrapped = `WITH ${cte}, pts AS (SELECT lat, lon, NULL AS entry_id, uuid AS model_id FROM vis WHERE (standalone = 1 OR visible_entry IS NOT NULL) AND lat IS NOT NULL AND lon IS NOT NULL) `;
    }
    const source = compiled.target === 'entries' ? ('media' as const) : ('models' as const);
    const total = (db.prepare(`${wrapped}SELECT count(*) AS n FROM pts`).get(...params) as { n: number }).n;
    if (total <= maxRawPoints) {
      const rows = db.prepare(`${wrapped}SELECT lat, lon, entry_id, model_id FROM pts`).all(...params) as { lat: number; lon: number; entry_id: string | null; model_id: string | null }[];
      return { source, clustered: false, total, points: rows.map((r) => ({ lat: r.lat, lon: r.lon, count: 1, entryId: r.entry_id, modelId: r.model_id, bounds: null })) };
    }
    const cell = 90 / 2 ** Math.round(input.zoom);
    const rows = db
      .prepare(
        `${wrapped}SELECT count(*) AS n, avg(lat) AS lat, avg(lon) AS lon, min(lat) AS s, max(lat) AS nn, min(lon) AS w, max(lon) AS e, min(entry_id) AS entry_id, min(model_id) AS model_id
         FROM pts GROUP BY CAST((lat + 90) / ? AS INTEGER), CAST((lon + 180) / ? AS INTEGER) ORDER BY n DESC LIMIT ?`,
      )
      .all(...params, cell, cell, MAX_CLUSTERS) as { n: number; lat: number; lon: number; s: number; nn: number; w: number; e: number; entry_id: string | null; model_id: string | null }[];
    return {
      source,
      clustered: true,
      total,
      points: rows.map((r) =>
        r.n === 1
          ? { lat: r.lat, lon: r.lon, count: 1, entryId: r.entry_id, modelId: r.model_id, bounds: null }
          : { lat: r.lat, lon: r.lon, count: r.n, entryId: null, modelId: null, bounds: { west: r.w, south: r.s, east: r.e, north: r.nn } },
      ),
    };
  });
}
