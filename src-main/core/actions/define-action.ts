import type { z } from 'zod';
import type { ActionChange, ActionConflict } from '../../../src-shared/contract/index.js';
import type { CollectionService } from '../collections/collection-service.js';
import type { Library } from '../library/library.js';
import type { Caller } from '../registry/operation-registry.js';
import type { HybridLogicalClock } from '../sync/hlc.js';
import type { TagService } from '../tags/tag-service.js';
import type { Probe } from './fingerprint.js';
import type { OsTrash } from './os-trash.js';

/** The core services an action may use. Extensions' actions will get a narrower, permission-checked set. */
export interface ActionServices {
  tags: TagService;
  collections: CollectionService;
  clock: HybridLogicalClock;
  deviceId: string;
  trash: OsTrash;
}

/** What every step of an action receives. */
export interface ActionContext {
  readonly lib: Library;
  /** Who runs this step (the previewer for `preview`, the committer for `commit`, …). */
  readonly caller: Caller;
  readonly services: ActionServices;
}

/**
 * What `preview` returns: the exact changes, the conflicts that block the commit, whether it can be undone,
 * and the fingerprint of the world it saw. `data` (JSON) carries anything `commit` needs besides the changes.
 */
export interface ActionPlan<D> {
  summary: string;
  changes: ActionChange[];
  conflicts: ActionConflict[];
  reversible: boolean;
  /** Probes re-read at commit time; any difference refuses the commit (see `fingerprint.ts`). */
  fingerprint: Probe[];
  /** Ids of what the action touches, kept in the audit row. */
  targets: string[];
  /** Items already in the wanted state (e.g. already tagged), shown as `counts.unchanged`. */
  unchanged?: number;
  data: D;
}

/** A stored preview as `commit` and `verify` see it. */
export interface PlannedAction<P, D> {
  params: P;
  changes: ActionChange[];
  data: D;
}

/** What `commit` returns: a JSON result for the caller and the audit log, what undo needs, and the
 * fingerprint of the world right after the commit (undo refuses when it no longer holds). */
export interface CommitOutcome<U> {
  result: unknown;
  undo?: U;
  after?: Probe[];
}

/** Events the action service emits after a commit or an undo, so that views refresh. */
export type ActionAffects = 'tags' | 'collections' | 'entries';

/**
 * A previewable action. The same machinery serves core actions and, later, extensions' actions: the
 * registry is keyed by name and records the owner, and the service does the rest (storing the preview,
 * checking the fingerprint, the audit log, expiry, undo bookkeeping).
 *
 * Contract for implementers:
 * - `preview` changes nothing. It lists every change, and every conflict instead of failing on it.
 * - `commit` applies exactly `plan.changes` (the fingerprint was checked just before). If it fails half-way
 *   it undoes what it did and throws; the service records `failed`.
 * - `verify` returns problems (empty when the result is as planned). It must not change anything.
 * - `undo` reverses the commit using `undo` data; it throws `CONFLICT` when that is no longer possible.
 */
export interface ActionDefinition<P, D = unknown, U = unknown> {
  /** e.g. `files.move`; extensions' actions are `ext:<extension id>:<name>`. */
  name: string;
  /** `core` or the extension id. */
  owner: string;
  title: string;
  summary: string;
  /** Whether the action can ever be undone (a preview may still say no, e.g. no restorable trash). */
  reversible: boolean;
  params: z.ZodType<P>;
  affects?: readonly ActionAffects[];
  /** May be async (an extension's preview runs in its sandbox); it still changes nothing. */
  preview(ctx: ActionContext, params: P): ActionPlan<D> | Promise<ActionPlan<D>>;
  commit(ctx: ActionContext, plan: PlannedAction<P, D>): CommitOutcome<U> | Promise<CommitOutcome<U>>;
  verify(ctx: ActionContext, plan: PlannedAction<P, D>, outcome: { result: unknown; undo: U | undefined }): string[];
  undo?(ctx: ActionContext, undo: U): unknown;
}

/** Any action definition, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyActionDefinition = ActionDefinition<any, any, any>;

/**
 * Declares an action with its types inferred from the params schema (an identity function).
 *
 * @example
 * const star = defineAction({
 *   name: 'example.star', owner: 'core', title: 'Star', summary: 'Mark entries as favourites', reversible: true,
 *   params: z.object({ entryIds: z.array(z.string()) }),
 *   preview: (ctx, p) => ({ summary: `Star ${p.entryIds.length} items`, changes: [], conflicts: [], reversible: true, fingerprint: [], targets: p.entryIds, data: null }),
 *   commit: (ctx, plan) => ({ result: { starred: plan.params.entryIds.length }, undo: plan.params.entryIds }),
 *   verify: () => [],
 *   undo: (ctx, ids) => unstar(ctx.lib, ids),
 * });
 * actions.register(star);
 */
export function defineAction<P, D = unknown, U = unknown>(definition: ActionDefinition<P, D, U>): ActionDefinition<P, D, U> {
  return definition;
}
