import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type {
  ActionAuditEntry,
  ActionChange,
  ActionCommitResult,
  ActionConflict,
  ActionPreview,
  ActionStatus,
} from '../../../src-shared/contract/index.js';
import { CairnError, toWireError } from '../../../src-shared/errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Library } from '../library/library.js';
import type { Caller } from '../registry/operation-registry.js';
import type { ActionAuditTable } from './action-tables.js';
import type { ActionRegistry } from './action-registry.js';
import type { ActionContext, ActionServices, AnyActionDefinition, PlannedAction } from './define-action.js';
import { compareFingerprint, type Probe } from './fingerprint.js';

/** Options of {@link ActionService}. */
export interface ActionServiceOptions {
  /** How long a preview may be committed (default 15 minutes). */
  previewTtlMs?: number;
  /** Uncommitted previews are deleted this long after they expire (default one day). */
  keepExpiredMs?: number;
  now?: () => number;
}

type Actor = { kind: 'user'; via: string } | { kind: 'extension'; extensionId: string };
type Transition = { status: ActionStatus; at: number; by: Actor; message?: string };
interface StoredPreview {
  summary: string;
  changes: ActionChange[];
  counts: Record<string, number>;
  conflicts: ActionConflict[];
  reversible: boolean;
  data: unknown;
}

const UNDOABLE_FROM: readonly ActionStatus[] = ['committed', 'verified', 'failed'];

/**
 * Previews, commits, verifies and undoes actions, and keeps the audit log (`action_audit`).
 *
 * - `preview` runs the action's preview (which changes nothing), stores it with its fingerprint, and
 *   returns it. Conflicts are listed, not thrown.
 * - `commit` refuses (`CONFLICT`, nothing applied) a preview that has conflicts, expired, was committed
 *   already, or whose fingerprint no longer matches the world, naming every difference. Otherwise it
 *   applies exactly the previewed changes, records the result and undo data, verifies, and returns.
 * - `undo` reverses a committed, reversible action after checking that the world is still as the commit
 *   left it.
 * Every status change is appended to the row's transitions with who made it, and announced as
 * `actions.onDidChange`; commits and undos also announce the domains they touched (`tags.onDidChange`, …).
 *
 * @example
 * const preview = await service.preview(lib, 'files.rename', { entryId, name: 'b.jpg' }, caller);
 * const done = await service.commit(lib, preview.id, caller); // { status: 'verified', canUndo: true, … }
 * await service.undo(lib, done.auditId, caller);
 */
export class ActionService {
  readonly #registry: ActionRegistry;
  readonly #services: ActionServices;
  readonly #events: EventBus;
  readonly #ttl: number;
  readonly #keepExpired: number;
  readonly #now: () => number;

  constructor(registry: ActionRegistry, services: ActionServices, events: EventBus, options: ActionServiceOptions = {}) {
    this.#registry = registry;
    this.#services = services;
    this.#events = events;
    this.#ttl = options.previewTtlMs ?? 15 * 60_000;
    this.#keepExpired = options.keepExpiredMs ?? 24 * 60 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  get registry(): ActionRegistry {
    return this.#registry;
  }

  /**
   * Previews an action. Throws `NOT_FOUND` for an unknown action and `VALIDATION` when the params do not
   * match its schema (the field is named), or the action's own error (e.g. an extension's preview that
   * failed). Changes nothing but the stored preview.
   */
  async preview(lib: Library, name: string, params: unknown, caller: Caller): Promise<ActionPreview> {
    const def = this.#registry.get(name);
    const parsed = def.params.safeParse(params ?? {});
    if (!parsed.success) throw new CairnError('VALIDATION', `Invalid params for ${name}: ${z.prettifyError(parsed.error)}`);
    const plan = await def.preview(this.#ctx(lib, caller), parsed.data);
    const counts: Record<string, number> = {};
    for (const c of plan.changes) counts[c.kind] = (counts[c.kind] ?? 0) + 1;
    counts.unchanged = plan.unchanged ?? 0;
    counts.conflicts = plan.conflicts.length;
    const stored: StoredPreview = {
      summary: plan.summary,
      changes: plan.changes,
      counts,
      conflicts: plan.conflicts,
      reversible: plan.reversible && def.reversible && def.undo !== undefined,
      data: plan.data ?? null,
    };
    const now = this.#now();
    const id = randomUUID();
    const actor = actorOf(caller);
    lib.raw.transaction(() => {
      // Previews nobody committed are kept a while after they expire (history can show them), then dropped.
      lib.raw.prepare("DELETE FROM action_audit WHERE status IN ('previewed', 'expired') AND expires_at < ?").run(now - this.#keepExpired);
      lib.raw
        .prepare(
          `INSERT INTO action_audit (id, action, owner, caller_kind, caller_id, params, preview, fingerprint, targets, status, transitions, created_at, updated_at, expires_at)
           VALUES (@id, @action, @owner, @caller_kind, @caller_id, @params, @preview, @fingerprint, @targets, 'previewed', @transitions, @now, @now, @expires)`,
        )
        .run({
          id,
          action: def.name,
          owner: def.owner,
          caller_kind: caller.kind,
          caller_id: caller.kind === 'user' ? caller.via : caller.extensionId,
          params: JSON.stringify(parsed.data ?? null),
          preview: JSON.stringify(stored),
          fingerprint: JSON.stringify(plan.fingerprint),
          targets: JSON.stringify([...new Set(plan.targets)]),
          transitions: JSON.stringify([{ status: 'previewed', at: now, by: actor }] satisfies Transition[]),
          now,
          expires: now + this.#ttl,
        });
    })();
    this.#announce(lib, id, def.name, 'previewed');
    return toPreview(lib.id, this.#row(lib, id));
  }

  /** Applies a preview exactly (see the class comment for the refusals). */
  async commit(lib: Library, previewId: string, caller: Caller): Promise<ActionCommitResult> {
    const row = this.#row(lib, previewId);
    const def = this.#registry.get(row.action);
    const preview = JSON.parse(row.preview) as StoredPreview;
    const actor = actorOf(caller);
    if (row.status !== 'previewed') {
      throw new CairnError('CONFLICT', `Preview ${previewId} (${row.action}) cannot be committed: it is ${row.status}. Preview the action again.`);
    }
    if (row.expires_at < this.#now()) {
      this.#transition(lib, row.id, ['previewed'], 'expired', actor, 'The preview expired before it was committed.');
      throw new CairnError('CONFLICT', `Preview ${previewId} expired at ${new Date(row.expires_at).toISOString()}; preview the action again.`);
    }
    if (preview.conflicts.length > 0) {
      const list = preview.conflicts.slice(0, 5).map((c) => c.message).join('; ');
      throw new CairnError('CONFLICT', `The preview lists ${preview.conflicts.length} conflict(s), so nothing was applied: ${list}. Resolve them and preview again.`);
    }

    // Claim the preview and check the world in one transaction: a second commit of the same preview, in this
    // process or another, finds it `committing` and is refused.
    const differences = lib.raw.transaction(() => {
      if (!this.#transition(lib, row.id, ['previewed'], 'committing', actor)) {
        const now = this.#row(lib, row.id).status;
        throw new CairnError('CONFLICT', `Preview ${previewId} cannot be committed: it is ${now}.`);
      }
      const diff = compareFingerprint(lib, JSON.parse(row.fingerprint) as Probe[]);
      if (diff.length > 0) {
        const message = `The library changed since the preview, so nothing was applied: ${diff.join('; ')}. Preview the action again.`;
        this.#finish(lib, row.id, 'failed', actor, { error: message, message });
      }
      return diff;
    })();
    if (differences.length > 0) {
      this.#announce(lib, row.id, row.action, 'failed');
      throw new CairnError('CONFLICT', `The library changed since the preview, so nothing was applied: ${differences.join('; ')}. Preview the action again.`);
    }
    this.#announce(lib, row.id, row.action, 'committing');

    const plan: PlannedAction<unknown, unknown> = { params: JSON.parse(row.params), changes: preview.changes, data: preview.data };
    const ctx = this.#ctx(lib, caller);
    let outcome: Awaited<ReturnType<AnyActionDefinition['commit']>>;
    try {
      outcome = await def.commit(ctx, plan);
    } catch (error) {
      const wire = toWireError(error);
      this.#finish(lib, row.id, 'failed', actor, { error: `${wire.code}: ${wire.message}`, message: `The commit failed: ${wire.message}` });
      this.#announce(lib, row.id, row.action, 'failed');
      throw error;
    }
    this.#finish(lib, row.id, 'committed', actor, {
      result: outcome.result ?? null,
      undo: outcome.undo ?? null,
      after: outcome.after ?? [],
    });
    this.#announce(lib, row.id, row.action, 'committed');
    this.#affected(lib, def, preview.changes);

    let problems: string[];
    try {
      problems = def.verify(ctx, plan, { result: outcome.result, undo: outcome.undo });
    } catch (error) {
      problems = [`verification itself failed: ${toWireError(error).message}`];
    }
    const status = problems.length === 0 ? 'verified' : 'failed';
    this.#finish(lib, row.id, status, actor, problems.length ? { error: `Verification found: ${problems.join('; ')}`, message: problems.join('; ') } : {});
    this.#announce(lib, row.id, row.action, status);
    const entry = this.get(lib, row.id);
    return { auditId: row.id, action: row.action, status, result: outcome.result ?? null, problems, canUndo: entry.canUndo };
  }

  /**
   * Undoes a committed action. Throws `NOT_FOUND`, `NOT_SUPPORTED` (not reversible), `CONFLICT` (not in an
   * undoable state, or the world changed since the commit: named) or the undo's own error; on failure the
   * row returns to its previous status with the reason in its transitions.
   */
  async undo(lib: Library, auditId: string, caller: Caller): Promise<ActionAuditEntry> {
    const row = this.#row(lib, auditId);
    const def = this.#registry.get(row.action);
    const preview = JSON.parse(row.preview) as StoredPreview;
    const actor = actorOf(caller);
    if (!preview.reversible || !def.undo) {
      throw new CairnError('NOT_SUPPORTED', `${row.action} cannot be undone${def.undo ? ' on this platform' : ''}.`);
    }
    if (!UNDOABLE_FROM.includes(row.status) || row.undo_data === null) {
      const why = row.status === 'undone' ? 'it was already undone' : row.undo_data === null ? 'it was never applied' : `it is ${row.status}`;
      throw new CairnError('CONFLICT', `Cannot undo ${row.action} (${auditId}): ${why}.`);
    }
    const previous = row.status;
    const differences = lib.raw.transaction(() => {
      if (!this.#transition(lib, row.id, [previous], 'undoing', actor)) {
        throw new CairnError('CONFLICT', `Cannot undo ${row.action} (${auditId}): it is ${this.#row(lib, row.id).status}.`);
      }
      const diff = compareFingerprint(lib, JSON.parse(row.after ?? '[]') as Probe[]);
      if (diff.length > 0) this.#transition(lib, row.id, ['undoing'], previous, actor, `Undo refused: ${diff.join('; ')}`);
      return diff;
    })();
    if (differences.length > 0) {
      throw new CairnError('CONFLICT', `Cannot undo ${row.action}: the library changed since the commit (${differences.join('; ')}). Nothing was changed.`);
    }
    this.#announce(lib, row.id, row.action, 'undoing');
    try {
      await def.undo(this.#ctx(lib, caller), JSON.parse(row.undo_data));
    } catch (error) {
      this.#transition(lib, row.id, ['undoing'], previous, actor, `Undo failed: ${toWireError(error).message}`);
      this.#announce(lib, row.id, row.action, previous);
      throw error;
    }
    this.#transition(lib, row.id, ['undoing'], 'undone', actor);
    this.#announce(lib, row.id, row.action, 'undone');
    this.#affected(lib, def, preview.changes);
    return this.get(lib, row.id);
  }

  /** One audit row. Throws `NOT_FOUND`. */
  get(lib: Library, id: string): ActionAuditEntry {
    return this.#entry(lib.id, this.#row(lib, id));
  }

  /** Audit rows, newest first. Uncommitted previews are left out unless asked for. */
  history(
    lib: Library,
    options: { offset?: number; limit?: number; status?: readonly ActionStatus[]; includePreviews?: boolean } = {},
  ): { items: ActionAuditEntry[]; total: number } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.status) {
      where.push('status IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(options.status));
    } else if (!options.includePreviews) {
      where.push("status NOT IN ('previewed', 'expired')");
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const { n } = lib.raw.prepare(`SELECT count(*) AS n FROM action_audit ${clause}`).get(...params) as { n: number };
    const rows = lib.raw
      .prepare(`SELECT * FROM action_audit ${clause} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`)
      .all(...params, options.limit ?? 50, options.offset ?? 0) as ActionAuditTable[];
    return { items: rows.map((r) => this.#entry(lib.id, r)), total: n };
  }

  /** The registered actions. */
  list(): { name: string; owner: string; title: string; summary: string; reversible: boolean }[] {
    return this.#registry.list().map((d) => ({ name: d.name, owner: d.owner, title: d.title, summary: d.summary, reversible: d.reversible && d.undo !== undefined }));
  }

  // ---- internals ----

  #ctx(lib: Library, caller: Caller): ActionContext {
    return { lib, caller, services: this.#services };
  }

  #row(lib: Library, id: string): ActionAuditTable {
    const row = lib.raw.prepare('SELECT * FROM action_audit WHERE id = ?').get(id) as ActionAuditTable | undefined;
    if (!row) throw new CairnError('NOT_FOUND', `No action preview or audit entry with id ${id}.`);
    return row;
  }

  #entry(libraryId: string, row: ActionAuditTable): ActionAuditEntry {
    const preview = toPreview(libraryId, row);
    const def = this.#registry.has(row.action) ? this.#registry.get(row.action) : undefined;
    return {
      ...preview,
      status: row.status,
      caller: row.caller_kind === 'user' ? { kind: 'user', via: row.caller_id } : { kind: 'extension', extensionId: row.caller_id },
      params: JSON.parse(row.params) as unknown,
      transitions: JSON.parse(row.transitions) as Transition[],
      result: row.result === null ? null : (JSON.parse(row.result) as unknown),
      error: row.error,
      canUndo: preview.reversible && def?.undo !== undefined && UNDOABLE_FROM.includes(row.status) && row.undo_data !== null,
      updatedAt: row.updated_at,
    };
  }

  /** Moves a row from one of `from` to `to`, appending the transition; false when it was not in `from`. */
  #transition(lib: Library, id: string, from: readonly ActionStatus[], to: ActionStatus, by: Actor, message?: string): boolean {
    return lib.raw.transaction(() => {
      const row = lib.raw.prepare('SELECT status, transitions FROM action_audit WHERE id = ?').get(id) as
        | { status: ActionStatus; transitions: string }
        | undefined;
      if (!row || !from.includes(row.status)) return false;
      const transitions = JSON.parse(row.transitions) as Transition[];
      transitions.push({ status: to, at: this.#now(), by, ...(message ? { message } : {}) });
      lib.raw
        .prepare('UPDATE action_audit SET status = ?, transitions = ?, updated_at = ? WHERE id = ?')
        .run(to, JSON.stringify(transitions), this.#now(), id);
      return true;
    })();
  }

  /** Moves a row on from its current status and writes result, undo data, error. */
  #finish(
    lib: Library,
    id: string,
    to: ActionStatus,
    by: Actor,
    fields: { result?: unknown; undo?: unknown; after?: Probe[]; error?: string; message?: string },
  ): void {
    lib.raw.transaction(() => {
      const current = this.#row(lib, id).status;
      this.#transition(lib, id, [current], to, by, fields.message);
      const set: Record<string, unknown> = {};
      if ('result' in fields) set.result = JSON.stringify(fields.result ?? null);
      if ('undo' in fields) set.undo_data = fields.undo === null || fields.undo === undefined ? null : JSON.stringify(fields.undo);
      if ('after' in fields) set.after = JSON.stringify(fields.after ?? []);
      if ('error' in fields) set.error = fields.error ?? null;
      const columns = Object.keys(set);
      if (columns.length) lib.raw.prepare(`UPDATE action_audit SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`).run({ ...set, id });
    })();
  }

  #announce(lib: Library, auditId: string, action: string, status: ActionStatus): void {
    this.#events.emit('actions.onDidChange', { libraryId: lib.id, auditId, action, status });
  }

  #affected(lib: Library, def: AnyActionDefinition, changes: readonly ActionChange[]): void {
    for (const domain of def.affects ?? []) {
      if (domain === 'tags') this.#events.emit('tags.onDidChange', { libraryId: lib.id });
      else if (domain === 'collections') this.#events.emit('collections.onDidChange', { libraryId: lib.id });
      else {
        const locations = new Set(changes.flatMap((c) => ('locationId' in c ? [c.locationId] : [])));
        if (locations.size === 0) this.#events.emit('entries.onDidChange', { libraryId: lib.id, locationId: null });
        for (const locationId of locations) this.#events.emit('entries.onDidChange', { libraryId: lib.id, locationId });
      }
    }
  }
}

function actorOf(caller: Caller): Actor {
  return caller.kind === 'user' ? { kind: 'user', via: caller.via } : { kind: 'extension', extensionId: caller.extensionId };
}

function toPreview(libraryId: string, row: ActionAuditTable): ActionPreview {
  const stored = JSON.parse(row.preview) as StoredPreview;
  return {
    id: row.id,
    libraryId,
    action: row.action,
    owner: row.owner,
    summary: stored.summary,
    changes: stored.changes,
    counts: stored.counts,
    conflicts: stored.conflicts,
    reversible: stored.reversible,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
