import path from 'node:path';
import { CairnError } from '../../src-shared/errors.js';
import type { Manifest } from '../../src-shared/extensions/manifest.js';
import { canonicalFile } from '../../src-main/core/entries/entry-bytes.js';
import type { Library } from '../../src-main/core/library/library.js';
import type { AuditTrail } from './audit-trail.js';
import { requiredCapability, type Capability } from './capability-table.js';
import type { EffectivePermission, GrantState } from './grant-state.js';
import { ScopeSet } from './scope-set.js';

type Payload = Record<string, unknown>;
type EntryKind = 'file' | 'dir' | 'symlink';

/** A denial: PERMISSION_DENIED naming the capability, recorded in the audit trail by the guard. */
class Denied extends CairnError {
  readonly capability: string | undefined;
  constructor(message: string, capability?: string) {
    super('PERMISSION_DENIED', message);
    this.capability = capability;
  }
}

/** The SQL function behind the scoped `entries` view. */
export const ENTRY_VISIBLE_FUNCTION = 'cairn_entry_visible';

/**
 * The second key of every extension call. Given the method and the raw payload, it checks that the manifest
 * declares AND the user granted the capability the method requires ({@link requiredCapability}), then checks
 * every argument against the grant's scope: entries and contents must be visible (inside a granted folder and
 * matching the ReadEntries glob), files are canonicalised (realpath) before their scope is checked, models and
 * collections must belong to the extension, model types must be declared with the scope used, sidecar kinds
 * must be granted. It returns the payload to run (blob fields declared in the manifest moved into `blobs`,
 * `extensionId` filters pinned to the caller) or throws `PERMISSION_DENIED`, after appending the denial to the
 * audit trail.
 *
 * Query results are filtered by {@link PermissionGuard.install}: on the extension's own connection a TEMP VIEW
 * named `entries` shadows the table, so every core query sees only in-scope entries (lists, counts, search,
 * duplicates, alternates).
 *
 * @example
 * const guard = new PermissionGuard(lib, 'com.example.photos', new GrantState(lib.raw, id), new AuditTrail(lib.path, id));
 * guard.install();
 * const payload = guard.authorize('models.createForContent', { contentId, type: 'PhotoAnalysis', data: { embedding: [1] } });
 * // payload.blobs.embedding is [1] when the manifest declares embedding as a blob field
 */
export class PermissionGuard {
  readonly #lib: Library;
  readonly #extensionId: string;
  readonly #state: GrantState;
  readonly #audit: AuditTrail;
  #readScope: ScopeSet = new ScopeSet([]);
  #generation = -1;
  #installed = false;

  constructor(lib: Library, extensionId: string, state: GrantState, audit: AuditTrail) {
    this.#lib = lib;
    this.#extensionId = extensionId;
    this.#state = state;
    this.#audit = audit;
  }

  /** The folders ReadEntries reaches now. */
  get readScope(): ScopeSet {
    this.#sync();
    return this.#readScope;
  }

  /**
   * Installs the scoped view on the library's connection. Only for a connection the extension owns (the
   * bridge's own): afterwards unqualified `entries` means in-scope entries only, and the table is reachable
   * as `main.entries`.
   */
  install(): void {
    this.#lib.raw.function(ENTRY_VISIBLE_FUNCTION, { deterministic: false }, (locationId: unknown, relPath: unknown, kind: unknown) =>
      this.#readScope.covers(String(locationId), String(relPath), kind as EntryKind) ? 1 : 0,
    );
    this.#installed = true;
    this.#sync();
    this.#createView();
  }

  /**
   * (Re)creates the scoped view from the current grants: the scope written as SQL (see ScopeSet.toSql), so
   * SQLite narrows by location and folder through its index and matches file-type globs itself, calling back
   * into {@link ENTRY_VISIBLE_FUNCTION} only for other globs.
   */
  #createView(): void {
    this.#lib.raw.exec(`DROP VIEW IF EXISTS temp.entries; CREATE TEMP VIEW entries AS SELECT * FROM main.entries WHERE ${this.#readScope.toSql(ENTRY_VISIBLE_FUNCTION)}`);
  }

  /** Re-reads grants if they changed (call once per request, before {@link PermissionGuard.authorize}). */
  refresh(): void {
    this.#state.refresh();
    this.#sync();
  }

  /** Checks a call; returns the payload to run, or throws PERMISSION_DENIED (audited). */
  authorize(method: string, payload: Payload): Payload {
    try {
      return this.#authorize(method, payload);
    } catch (error) {
      if (error instanceof Denied) this.#audit.append({ method, code: error.code, message: error.message, capability: error.capability });
      throw error;
    }
  }

  /** Records a denial decided elsewhere (e.g. by the core's own scope checks). */
  audit(method: string, code: string, message: string, capability?: string): void {
    this.#audit.append({ method, code, message, capability });
  }

  // ---- the checks ----

  #authorize(method: string, p: Payload): Payload {
    const snap = this.#state.snapshot;
    if (!snap.manifest || !snap.active) throw new Denied(`Extension ${this.#extensionId} may not call anything: ${snap.inactiveReason ?? 'it is not active'}.`);
    const capability = requiredCapability(method);
    if (!capability) throw new Denied(`"${method.slice(0, 100)}" is not available to extensions: no capability grants it.`);
    const granted = this.#state.effective(capability);
    if (granted.length === 0) {
      const why = this.#state.declares(capability) ? 'the user has not granted it' : 'the manifest does not declare it';
      throw new Denied(`${method} needs the ${capability} capability, and ${why}.`, capability);
    }
    const manifest = snap.manifest;
    switch (capability) {
      case 'ReadEntries':
        return this.#readEntries(method, p);
      case 'WriteTags':
        return this.#writeTags(method, p);
      case 'WriteModels':
        return this.#models(method, p, manifest);
      case 'WriteCollections':
        return this.#collections(method, p);
      case 'ReadSidecars':
      case 'WriteSidecars':
        return this.#sidecars(method, p, capability, granted);
    }
  }

  #readEntries(method: string, p: Payload): Payload {
    const cap = 'ReadEntries';
    if (method === 'entries.get' || method === 'entries.readBytes') this.#entry(p.entryId, cap);
    if (method === 'entries.getMany') for (const id of strings(p.entryIds)) this.#entry(id, cap);
    if (method === 'entries.list') this.#entry(p.parentId, cap);
    if (method === 'entries.readBytes') this.#file(p, cap);
    return p;
  }

  #writeTags(method: string, p: Payload): Payload {
    if (method === 'tags.apply') for (const id of strings(p.entryIds)) this.#entry(id, 'WriteTags');
    if (method === 'tags.addToContent' || method === 'tags.removeFromContent') for (const id of strings(p.contentIds)) this.#content(id, this.#readScope, 'WriteTags');
    if (method === 'tags.addToModel') this.#ownModel(p.modelId, 'WriteTags');
    return p;
  }

  #models(method: string, p: Payload, manifest: Manifest): Payload {
    const cap = 'WriteModels';
    const declared = (type: unknown, scope: 'entry' | 'content' | 'standalone') => {
      const decl = manifest.models.find((m) => m.type === type);
      if (typeof type === 'string' && !decl) throw new Denied(`${cap}: model type ${type.slice(0, 64)} is not declared in the manifest.`, cap);
      if (decl && decl.scope !== scope) throw new Denied(`${cap}: model type ${decl.type} is declared ${decl.scope}-scoped, not ${scope}-scoped.`, cap);
      return decl;
    };
    const prepareNew = (item: Payload, scope: 'entry' | 'content' | 'standalone'): Payload => {
      const decl = declared(item.type, scope);
      if (scope === 'content') this.#content(item.contentId, this.#readScope, cap);
      if (scope === 'entry') this.#entry(item.entryId, cap);
      return decl ? { ...splitBlobs(item, decl.blob_fields), syncStrategy: decl.sync_strategy } : item;
    };
    const scopeOf = (item: Payload) => (item.contentId !== undefined ? 'content' : item.entryId !== undefined ? 'entry' : 'standalone');
    switch (method) {
      case 'models.createForContent':
        return prepareNew(p, 'content');
      case 'models.create':
        return prepareNew(p, scopeOf(p));
      case 'models.createMany':
        return Array.isArray(p.items) ? { ...p, items: p.items.map((i: unknown) => (isObject(i) ? prepareNew(i, scopeOf(i)) : i)) } : p;
      case 'models.update': {
        const type = this.#ownModel(p.modelId, cap);
        const decl = manifest.models.find((m) => m.type === type);
        return decl && isObject(p.data) ? splitBlobs(p, decl.blob_fields) : p;
      }
      case 'models.delete':
      case 'models.get':
      case 'models.getBlob':
        this.#ownModel(p.modelId, cap);
        return p;
      default: {
        // getByContent, query: only the extension's own models.
        if (p.extensionId !== undefined && p.extensionId !== this.#extensionId) throw new Denied(`${cap}: extensions read only their own models.`, cap);
        return { ...p, extensionId: this.#extensionId };
      }
    }
  }

  #collections(method: string, p: Payload): Payload {
    const cap = 'WriteCollections';
    if (method !== 'collections.create' && typeof p.collectionId === 'string') {
      const row = this.#lib.raw.prepare('SELECT owner FROM collections WHERE id = ?').get(p.collectionId) as { owner: string } | undefined;
      if (row && row.owner !== this.#extensionId) throw new Denied(`${cap}: collection ${p.collectionId} is not owned by this extension.`, cap);
    }
    if (Array.isArray(p.items)) {
      for (const item of p.items as unknown[]) {
        if (!isObject(item)) continue;
        this.#entry(item.entryId, cap);
        this.#content(item.contentId, this.#readScope, cap);
        this.#ownModel(item.modelId, cap);
      }
    }
    return p;
  }

  #sidecars(method: string, p: Payload, capability: Capability, granted: EffectivePermission[]): Payload {
    const kind = p.kind;
    const withKind = granted.filter((g) => 'kinds' in g.permission && typeof kind === 'string' && g.permission.kinds.includes(kind));
    if (withKind.length === 0) throw new Denied(`${method} needs ${capability} for the sidecar kind ${JSON.stringify(String(kind).slice(0, 40))}, which is not declared or not granted.`, capability);
    this.#content(p.contentId, new ScopeSet(withKind.map((g) => ({ scopes: g.grant.scopes, glob: null }))), capability);
    return p;
  }

  // ---- scope helpers ----

  /** An entry id must be visible; unknown ids pass (the core answers NOT_FOUND). */
  #entry(id: unknown, cap: string): void {
    if (typeof id !== 'string') return;
    const row = this.#lib.raw.prepare('SELECT location_id, rel_path, kind FROM main.entries WHERE uuid = ?').get(id) as
      | { location_id: string; rel_path: string; kind: EntryKind }
      | undefined;
    if (row && !this.#readScope.covers(row.location_id, row.rel_path, row.kind)) throw new Denied(`${cap}: entry ${id} is outside the folders granted for ReadEntries.`, cap);
  }

  /** A content is visible when one of its entries is in `scope`; unknown ids pass. */
  #content(id: unknown, scope: ScopeSet, cap: string): void {
    if (typeof id !== 'string') return;
    const rows = this.#lib.raw.prepare('SELECT location_id, rel_path, kind FROM main.entries WHERE content_uuid = ?').all(id) as { location_id: string; rel_path: string; kind: EntryKind }[];
    const exists = rows.length > 0 || this.#lib.raw.prepare('SELECT 1 FROM content_identities WHERE uuid = ?').get(id) !== undefined;
    if (exists && !rows.some((r) => scope.covers(r.location_id, r.rel_path, r.kind))) throw new Denied(`${cap}: content ${id} has no copy inside the folders granted for it.`, cap);
  }

  /** A model must belong to the extension; returns its type. Unknown ids pass. */
  #ownModel(id: unknown, cap: string): string | undefined {
    if (typeof id !== 'string') return undefined;
    const row = this.#lib.raw.prepare('SELECT extension_id, model_type FROM models WHERE uuid = ?').get(id) as { extension_id: string; model_type: string } | undefined;
    if (row && row.extension_id !== this.#extensionId) throw new Denied(`${cap}: model ${id} belongs to another extension.`, cap);
    return row?.model_type;
  }

  /** A file (by entry or by location + path) must be inside the scope before and after resolving symlinks. */
  #file(p: Payload, cap: string): void {
    if (typeof p.locationId === 'string' && typeof p.path === 'string') {
      const loc = this.#lib.raw.prepare('SELECT path FROM locations WHERE id = ?').get(p.locationId) as { path: string } | undefined;
      if (!loc) return;
      const lexical = path.relative(path.resolve(loc.path), path.resolve(loc.path, p.path)).split(path.sep).join('/');
      if (!this.#readScope.covers(p.locationId, lexical, 'file')) throw new Denied(`${cap}: the path is outside the folders granted for ReadEntries.`, cap);
    }
    const ref = typeof p.entryId === 'string' ? { entryId: p.entryId } : typeof p.locationId === 'string' && typeof p.path === 'string' ? { locationId: p.locationId, path: p.path } : null;
    if (!ref) return;
    let file;
    try {
      file = canonicalFile(this.#lib, ref);
    } catch (error) {
      if (error instanceof CairnError && error.code === 'PERMISSION_DENIED') throw new Denied(`${cap}: ${error.message}`, cap);
      throw error;
    }
    if (!this.#readScope.covers(file.locationId, file.relPath, 'file')) throw new Denied(`${cap}: the file (after resolving symlinks) is outside the folders granted for ReadEntries.`, cap);
  }

  #sync(): void {
    if (this.#generation === this.#state.generation) return;
    this.#generation = this.#state.generation;
    this.#readScope = new ScopeSet(
      this.#state.effective('ReadEntries').map((e) => ({ scopes: e.grant.scopes, glob: e.permission.type === 'ReadEntries' ? e.permission.glob : null })),
    );
    if (this.#installed) this.#createView();
  }
}

function isObject(v: unknown): v is Payload {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Moves the manifest's blob fields out of `data` into `blobs`. */
function splitBlobs(item: Payload, blobFields: readonly string[]): Payload {
  if (!isObject(item.data) || blobFields.length === 0) return item;
  const data = { ...item.data };
  const blobs: Payload = isObject(item.blobs) ? { ...item.blobs } : {};
  for (const field of blobFields) {
    if (field in data) {
      if (!(field in blobs)) blobs[field] = data[field];
      delete data[field];
    }
  }
  return { ...item, data, blobs };
}
