import { createHash, randomUUID } from 'node:crypto';
import type { Model } from '../../../src-shared/contract/index.js';
import { CairnError } from '../../../src-shared/errors.js';
import type { BlobStore } from '../blobs/blob-store.js';
import type { Library } from '../library/library.js';
import type { HybridLogicalClock } from '../sync/hlc.js';

/** Largest serialised `data` of one model. */
export const MAX_MODEL_DATA_BYTES = 1024 * 1024;
/** Largest serialised value of one blob field. */
export const MAX_BLOB_BYTES = 16 * 1024 * 1024;

/** Storage an extension may use in one library (models' data plus blob fields, as written). */
export interface ModelQuota {
  maxBytes: number;
  maxModels: number;
}
export const DEFAULT_MODEL_QUOTA: Readonly<ModelQuota> = Object.freeze({ maxBytes: 512 * 1024 * 1024, maxModels: 5_000_000 });

/** What a model is attached to: exactly one of these. */
export type ModelTarget = { contentId: string } | { entryId: string } | { standalone: true };

/** A model to create. `key` makes the create idempotent (the id is derived from extension + key). */
export interface NewModel {
  type: string;
  data: Record<string, unknown>;
  blobs: Record<string, unknown>;
  key?: string | undefined;
  syncStrategy: 'shared' | 'device_owned';
  target: ModelTarget;
}

/** Filters of {@link ModelService.query}. */
export interface ModelQuery {
  extensionId?: string | undefined;
  type?: string | undefined;
  contentId?: string | undefined;
  entryId?: string | undefined;
  where?: Record<string, string | number | boolean | null> | undefined;
  include: 'inline' | 'all';
  offset: number;
  limit: number;
}

interface ModelRow {
  uuid: string;
  extension_id: string;
  model_type: string;
  data: string;
  entry_uuid: string | null;
  content_uuid: string | null;
  standalone: number;
  sync_strategy: 'shared' | 'device_owned';
  created_at: string;
  updated_at: string;
}

const MODEL_COLUMNS = 'uuid, extension_id, model_type, data, entry_uuid, content_uuid, standalone, sync_strategy, created_at, updated_at';
/** Namespace of ids derived from (extension id, key): a fixed random UUID. */
const KEY_NAMESPACE = Buffer.from('6f1c3a52b1e04d4f9a7e2d8c5b1f0e93', 'hex');
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * The UUID (v5) of the model an extension creates with `key`: the same extension and key always give the same
 * id, so a create repeated after a crash or a task retry updates that model instead of adding a second one.
 *
 * @example
 * modelIdForKey('com.example.faces', 'face:3f2…:0') // '9b1d…' (stable)
 */
export function modelIdForKey(extensionId: string, key: string): string {
  const hash = createHash('sha1').update(KEY_NAMESPACE).update(`${extensionId}\n${key}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * Extension models and their blob fields. A model is JSON `data` attached to a content identity, an entry, or
 * nothing (standalone), owned by one extension; blob fields go to {@link BlobStore} (compressed, deduplicated)
 * and are loaded only by {@link ModelService.getBlob} or `include: 'all'`. Writes run in one transaction each
 * (batches too: all or nothing), keep `extension_usage` in step, and refuse to pass the extension's quota.
 *
 * Failure modes: `NOT_FOUND` (model, content or entry), `PERMISSION_DENIED` (writing another extension's
 * model), `QUOTA_EXCEEDED`, `VALIDATION` (data too large or not JSON, a field both in data and blobs),
 * `CONFLICT` (a keyed create whose existing model is attached elsewhere or of another type).
 *
 * @example
 * const models = new ModelService(clock, deviceId, new BlobStore(await BlobCodec.load()));
 * const m = models.create(lib, 'com.example.photos', { type: 'PhotoAnalysis', data: { label: 'cat' },
 *   blobs: { embedding: [0.1, 0.2] }, syncStrategy: 'shared', target: { contentId } });
 * models.getBlob(lib, m.id, 'embedding'); // { value: [0.1, 0.2], ... }
 */
export class ModelService {
  readonly #clock: HybridLogicalClock;
  readonly #deviceId: string;
  readonly #blobs: BlobStore;
  readonly #quota: ModelQuota;

  constructor(clock: HybridLogicalClock, deviceId: string, blobs: BlobStore, quota: ModelQuota = DEFAULT_MODEL_QUOTA) {
    this.#clock = clock;
    this.#deviceId = deviceId;
    this.#blobs = blobs;
    this.#quota = quota;
  }

  /** Creates one model (or, with a `key`, updates the model that key made earlier). */
  create(lib: Library, extensionId: string, model: NewModel): Model {
    return this.createMany(lib, extensionId, [model])[0]!;
  }

  /** Creates models in one transaction: all or nothing. */
  createMany(lib: Library, extensionId: string, models: NewModel[]): Model[] {
    const ids = lib.raw.transaction(() => models.map((m) => this.#createOne(lib, extensionId, m)))();
    return ids.map((id) => this.get(lib, id, 'inline'));
  }

  /** One model. `include: 'all'` loads its blob fields too. */
  get(lib: Library, modelId: string, include: 'inline' | 'all' = 'inline'): Model {
    const row = this.#row(lib, modelId);
    return this.#toModels(lib, [row], include)[0]!;
  }

  /** Models attached to a content identity, oldest first. */
  getByContent(lib: Library, contentId: string, filter: { extensionId?: string | undefined; type?: string | undefined; include: 'inline' | 'all' }): Model[] {
    return this.query(lib, { ...filter, contentId, offset: 0, limit: 1000 }).items;
  }

  /** A page of models matching every filter given, oldest first, with the total count. */
  query(lib: Library, q: ModelQuery): { items: Model[]; total: number } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...p: unknown[]) => {
      clauses.push(sql);
      params.push(...p);
    };
    if (q.extensionId !== undefined) add('extension_id = ?', q.extensionId);
    if (q.type !== undefined) add('model_type = ?', q.type);
    if (q.contentId !== undefined) add('content_uuid = ?', q.contentId);
    if (q.entryId !== undefined) add('entry_uuid = ?', q.entryId);
    for (const [field, value] of Object.entries(q.where ?? {})) {
      // Keys are validated by the contract as dotted identifiers, so they are safe inside a JSON path.
      if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(field)) throw new CairnError('VALIDATION', `Invalid filter key ${JSON.stringify(field)}.`);
      if (value === null) add(`json_extract(data, '$.${field}') IS NULL`);
      else if (typeof value === 'boolean') add(`json_type(data, '$.${field}') = ?`, value ? 'true' : 'false');
      else add(`json_extract(data, '$.${field}') = ?`, value);
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const rows = lib.raw.prepare(`SELECT ${MODEL_COLUMNS} FROM models ${where} ORDER BY id LIMIT ? OFFSET ?`).all(...params, q.limit, q.offset) as ModelRow[];
    const { n } = lib.raw.prepare(`SELECT count(*) AS n FROM models ${where}`).get(...params) as { n: number };
    return { items: this.#toModels(lib, rows, q.include), total: n };
  }

  /**
   * Replaces the model's data (or merges top-level keys into it with `merge`), and sets blob fields (a null
   * value removes one). Only the owning extension may update.
   */
  update(lib: Library, extensionId: string, modelId: string, change: { data?: Record<string, unknown> | undefined; merge: boolean; blobs?: Record<string, unknown> | undefined }): Model {
    lib.raw.transaction(() => {
      const row = this.#owned(lib, extensionId, modelId);
      const before = this.#footprint(lib, row);
      const data = change.data === undefined ? (JSON.parse(row.data) as Record<string, unknown>) : change.merge ? { ...(JSON.parse(row.data) as object), ...change.data } : change.data;
      const json = encodeData(data);
      for (const [field, value] of Object.entries(change.blobs ?? {})) {
        if (field in data) throw new CairnError('VALIDATION', `"${field}" is given both as a data field and as a blob field.`);
        this.#clearBlob(lib, modelId, field);
        if (value !== null) this.#setBlob(lib, modelId, row.model_type, field, value);
      }
      const blobKeys = this.#blobKeys(lib, modelId);
      const clash = blobKeys.find((k) => k in data);
      if (clash) throw new CairnError('VALIDATION', `"${clash}" is a blob field of this model; set it through blobs.`);
      lib.raw.prepare('UPDATE models SET data = ?, updated_at = ?, hlc = ? WHERE uuid = ?').run(json, new Date().toISOString(), this.#clock.now(), modelId);
      this.#charge(lib, extensionId, 0, minus(this.#footprint(lib, { ...row, data: json }), before));
    })();
    return this.get(lib, modelId);
  }

  /** Deletes a model with its tags and blob references. Only the owning extension may delete. */
  delete(lib: Library, extensionId: string, modelId: string): void {
    lib.raw.transaction(() => {
      const row = this.#owned(lib, extensionId, modelId);
      const bytes = this.#footprint(lib, row);
      for (const key of this.#blobKeys(lib, modelId)) this.#clearBlob(lib, modelId, key);
      lib.raw.prepare('DELETE FROM models WHERE uuid = ?').run(modelId);
      this.#charge(lib, extensionId, -1, minus({ data: 0, blob: 0 }, bytes));
    })();
  }

  /** One blob field's value (parsed JSON) and its sizes. Fails with `NOT_FOUND` when the model has no such field. */
  getBlob(lib: Library, modelId: string, field: string): { field: string; value: unknown; sizeBytes: number; storedBytes: number } {
    this.#row(lib, modelId);
    const link = lib.raw.prepare('SELECT blob_id FROM model_blobs WHERE model_uuid = ? AND blob_key = ?').get(modelId, field) as { blob_id: number } | undefined;
    if (!link) throw new CairnError('NOT_FOUND', `Model ${modelId} has no blob field "${field}".`);
    const blob = this.#blobs.get(lib, link.blob_id);
    lib.raw.prepare('UPDATE metadata_blobs SET last_accessed_at = ? WHERE id = ?').run(new Date().toISOString(), link.blob_id);
    return { field, value: JSON.parse(utf8Decoder.decode(blob.bytes)) as unknown, sizeBytes: blob.sizeBytes, storedBytes: blob.storedBytes };
  }

  /** Storage used by an extension in this library. */
  usage(lib: Library, extensionId: string): { modelCount: number; modelBytes: number; blobBytes: number } {
    const row = lib.raw.prepare('SELECT model_count, model_bytes, blob_bytes FROM extension_usage WHERE extension_id = ?').get(extensionId) as
      | { model_count: number; model_bytes: number; blob_bytes: number }
      | undefined;
    return { modelCount: row?.model_count ?? 0, modelBytes: row?.model_bytes ?? 0, blobBytes: row?.blob_bytes ?? 0 };
  }

  /** The extension that owns a model; `NOT_FOUND` if there is none. */
  ownerOf(lib: Library, modelId: string): string {
    return this.#row(lib, modelId).extension_id;
  }

  // ---- internals ----

  #createOne(lib: Library, extensionId: string, m: NewModel): string {
    const json = encodeData(m.data);
    for (const field of Object.keys(m.blobs)) {
      if (field in m.data) throw new CairnError('VALIDATION', `"${field}" is given both as a data field and as a blob field.`);
    }
    const target = this.#resolveTarget(lib, m.target);
    const uuid = m.key === undefined ? randomUUID() : modelIdForKey(extensionId, m.key);
    const existing = m.key === undefined ? undefined : (lib.raw.prepare(`SELECT ${MODEL_COLUMNS} FROM models WHERE uuid = ?`).get(uuid) as ModelRow | undefined);
    const now = new Date().toISOString();
    if (existing) {
      if (existing.model_type !== m.type || existing.entry_uuid !== target.entry || existing.content_uuid !== target.content) {
        throw new CairnError('CONFLICT', `The key ${JSON.stringify(m.key)} already names a ${existing.model_type} model attached elsewhere.`);
      }
      const before = this.#footprint(lib, existing);
      for (const key of this.#blobKeys(lib, uuid)) this.#clearBlob(lib, uuid, key);
      lib.raw.prepare('UPDATE models SET data = ?, updated_at = ?, hlc = ? WHERE uuid = ?').run(json, now, this.#clock.now(), uuid);
      for (const [field, value] of Object.entries(m.blobs)) if (value !== null) this.#setBlob(lib, uuid, m.type, field, value);
      this.#charge(lib, extensionId, 0, minus(this.#footprint(lib, { ...existing, data: json }), before));
      return uuid;
    }
    lib.raw
      .prepare(
        `INSERT INTO models (uuid, extension_id, model_type, data, entry_uuid, content_uuid, standalone, created_at, updated_at, hlc, device_id, sync_strategy)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(uuid, extensionId, m.type, json, target.entry, target.content, target.entry === null && target.content === null ? 1 : 0, now, now, this.#clock.now(), this.#deviceId, m.syncStrategy);
    let blobBytes = 0;
    for (const [field, value] of Object.entries(m.blobs)) if (value !== null) blobBytes += this.#setBlob(lib, uuid, m.type, field, value);
    this.#charge(lib, extensionId, 1, { data: utf8.encode(json).length, blob: blobBytes });
    return uuid;
  }

  #resolveTarget(lib: Library, target: ModelTarget): { entry: string | null; content: string | null } {
    if ('contentId' in target) {
      if (!lib.raw.prepare('SELECT 1 FROM content_identities WHERE uuid = ?').get(target.contentId)) throw new CairnError('NOT_FOUND', `No content with id ${target.contentId}.`);
      return { entry: null, content: target.contentId };
    }
    if ('entryId' in target) {
      if (!lib.raw.prepare('SELECT 1 FROM entries WHERE uuid = ?').get(target.entryId)) throw new CairnError('NOT_FOUND', `No entry with id ${target.entryId}.`);
      return { entry: target.entryId, content: null };
    }
    return { entry: null, content: null };
  }

  /** Stores one blob field and links it; returns its raw size. */
  #setBlob(lib: Library, modelId: string, type: string, field: string, value: unknown): number {
    const text = JSON.stringify(value);
    if (text === undefined) throw new CairnError('VALIDATION', `Blob field "${field}" is not a JSON value.`);
    const bytes = utf8.encode(text);
    if (bytes.length > MAX_BLOB_BYTES) throw new CairnError('VALIDATION', `Blob field "${field}" has ${bytes.length} bytes; the limit is ${MAX_BLOB_BYTES}.`);
    const ref = this.#blobs.put(lib, bytes, `model:${type}`);
    lib.raw.prepare('INSERT INTO model_blobs (model_uuid, blob_key, blob_id) VALUES (?, ?, ?)').run(modelId, field, ref.id);
    return bytes.length;
  }

  #clearBlob(lib: Library, modelId: string, field: string): void {
    const link = lib.raw.prepare('DELETE FROM model_blobs WHERE model_uuid = ? AND blob_key = ? RETURNING blob_id').get(modelId, field) as { blob_id: number } | undefined;
    if (link) this.#blobs.release(lib, link.blob_id);
  }

  #blobKeys(lib: Library, modelId: string): string[] {
    return (lib.raw.prepare('SELECT blob_key FROM model_blobs WHERE model_uuid = ? ORDER BY blob_key').all(modelId) as { blob_key: string }[]).map((r) => r.blob_key);
  }

  /** Bytes a model counts against its extension's quota: its data, and its blob fields uncompressed. */
  #footprint(lib: Library, row: Pick<ModelRow, 'uuid' | 'data'>): Footprint {
    const { n } = lib.raw
      .prepare('SELECT coalesce(sum(b.size_bytes), 0) AS n FROM model_blobs mb JOIN metadata_blobs b ON b.id = mb.blob_id WHERE mb.model_uuid = ?')
      .get(row.uuid) as { n: number };
    return { data: utf8.encode(row.data).length, blob: n };
  }

  /** Adds to the extension's usage and refuses growth past its quota (the caller's transaction rolls back). */
  #charge(lib: Library, extensionId: string, models: number, delta: Footprint): void {
    lib.raw.prepare('INSERT INTO extension_usage (extension_id) VALUES (?) ON CONFLICT (extension_id) DO NOTHING').run(extensionId);
    const usage = lib.raw
      .prepare(
        `UPDATE extension_usage SET model_count = max(model_count + ?, 0), model_bytes = max(model_bytes + ?, 0), blob_bytes = max(blob_bytes + ?, 0)
         WHERE extension_id = ? RETURNING model_count, model_bytes + blob_bytes AS bytes`,
      )
      .get(models, delta.data, delta.blob, extensionId) as { model_count: number; bytes: number };
    if (delta.data + delta.blob > 0 && usage.bytes > this.#quota.maxBytes) {
      throw new CairnError('QUOTA_EXCEEDED', `Extension ${extensionId} would use ${usage.bytes} bytes for models and blobs; its quota is ${this.#quota.maxBytes}.`);
    }
    if (models > 0 && usage.model_count > this.#quota.maxModels) {
      throw new CairnError('QUOTA_EXCEEDED', `Extension ${extensionId} would have ${usage.model_count} models; its quota is ${this.#quota.maxModels}.`);
    }
  }

  #row(lib: Library, modelId: string): ModelRow {
    const row = lib.raw.prepare(`SELECT ${MODEL_COLUMNS} FROM models WHERE uuid = ?`).get(modelId) as ModelRow | undefined;
    if (!row) throw new CairnError('NOT_FOUND', `No model with id ${modelId}.`);
    return row;
  }

  #owned(lib: Library, extensionId: string, modelId: string): ModelRow {
    const row = this.#row(lib, modelId);
    if (row.extension_id !== extensionId) {
      throw new CairnError('PERMISSION_DENIED', `Model ${modelId} belongs to extension ${row.extension_id}; ${extensionId} may not change it.`);
    }
    return row;
  }

  #toModels(lib: Library, rows: ModelRow[], include: 'inline' | 'all'): Model[] {
    if (rows.length === 0) return [];
    const links = lib.raw
      .prepare('SELECT model_uuid, blob_key, blob_id FROM model_blobs WHERE model_uuid IN (SELECT value FROM json_each(?)) ORDER BY blob_key')
      .all(JSON.stringify(rows.map((r) => r.uuid))) as { model_uuid: string; blob_key: string; blob_id: number }[];
    const byModel = new Map<string, { key: string; id: number }[]>();
    for (const l of links) {
      const list = byModel.get(l.model_uuid) ?? [];
      list.push({ key: l.blob_key, id: l.blob_id });
      byModel.set(l.model_uuid, list);
    }
    return rows.map((r) => {
      const blobs = byModel.get(r.uuid) ?? [];
      const model: Model = {
        id: r.uuid,
        extensionId: r.extension_id,
        type: r.model_type,
        scope: r.content_uuid !== null ? 'content' : r.entry_uuid !== null ? 'entry' : 'standalone',
        entryId: r.entry_uuid,
        contentId: r.content_uuid,
        data: JSON.parse(r.data) as Record<string, unknown>,
        blobFields: blobs.map((b) => b.key),
        syncStrategy: r.sync_strategy,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      };
      if (include === 'all') {
        model.blobs = Object.fromEntries(blobs.map((b) => [b.key, JSON.parse(utf8Decoder.decode(this.#blobs.get(lib, b.id).bytes)) as unknown]));
      }
      return model;
    });
  }
}

interface Footprint {
  data: number;
  blob: number;
}

function minus(a: Footprint, b: Footprint): Footprint {
  return { data: a.data - b.data, blob: a.blob - b.blob };
}

function encodeData(data: Record<string, unknown>): string {
  let json: string;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw new CairnError('VALIDATION', `Model data is not JSON: ${(error as Error).message}`);
  }
  const size = utf8.encode(json).length;
  if (size > MAX_MODEL_DATA_BYTES) throw new CairnError('VALIDATION', `Model data has ${size} bytes; the limit is ${MAX_MODEL_DATA_BYTES}. Put large values in blob fields.`);
  return json;
}
