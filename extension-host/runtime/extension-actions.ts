import { z } from 'zod';
import type { ActionChange } from '../../src-shared/contract/index.js';
import { ActionOption } from '../../src-shared/contract/extensions.js';
import { CairnError, toWireError } from '../../src-shared/errors.js';
import type { Manifest } from '../../src-shared/extensions/manifest.js';
import { defineAction, type ActionDefinition } from '../../src-main/core/actions/define-action.js';
import { entryState, type Probe } from '../../src-main/core/actions/fingerprint.js';
import type { Library } from '../../src-main/core/library/library.js';
import { SandboxError } from '../sandbox/sandbox-error.js';

type ActionDecl = Manifest['actions'][number];

/** The name an extension's declared action is registered under in the core's action registry. */
export function extensionActionName(extensionId: string, action: string): string {
  return `ext:${extensionId}:${action}`;
}

/**
 * The params of every extension action, as `actions.preview` takes them: the entries it acts on (must lie in
 * the extension's granted folders) and the action's own parameters, handed to the guest unchanged.
 */
export const ExtensionActionParams = z
  .object({
    entryIds: z.array(z.string().min(1).max(128)).max(1000).default([]),
    params: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type ExtensionActionParams = z.infer<typeof ExtensionActionParams>;

/** What a guest's preview export must return (the SDK's `ActionPreview`). */
const GuestPreview = z.object({
  title: z.string().max(500),
  changes: z.array(z.object({ description: z.string().max(2000), data: z.unknown().optional() })).max(10_000),
  reversible: z.boolean(),
  warnings: z.array(z.string().max(2000)).max(1000).default([]),
});

/** What a guest's execute and undo exports return (the SDK's `ActionOutcome`). */
const GuestOutcome = z.object({ applied: z.number(), message: z.string().max(10_000) });

/** Which guest export a step calls. */
export type ActionPhase = 'preview' | 'execute' | 'undo' | 'options';

/** At most this many options per choice parameter. */
export const MAX_ACTION_OPTIONS = 500;

const GuestOptions = z.object({ options: z.array(ActionOption).max(MAX_ACTION_OPTIONS, `at most ${MAX_ACTION_OPTIONS} options`) }).strict();

/**
 * Parses what an options export returned: `{options: [...]}` as {@link ActionOption} says (bounded strings,
 * crop fractions inside the image, at most {@link MAX_ACTION_OPTIONS}), values unique.
 *
 * Failure modes: text that is not JSON, a malformed answer or repeated values throw `INTERNAL` naming the
 * extension and the action.
 *
 * @example
 * parseActionOptions('app.cairn.photos', 'move_face', '{"options":[{"value":"c:0","label":"Face 1"}]}')
 */
export function parseActionOptions(extensionId: string, action: string, text: string): ActionOption[] {
  const where = `${extensionId}'s action "${action}" (options)`;
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    throw new CairnError('INTERNAL', `${where} returned something that is not JSON: ${JSON.stringify(text.slice(0, 120))}.`);
  }
  const parsed = GuestOptions.safeParse(json);
  if (!parsed.success) throw new CairnError('INTERNAL', `${where} returned a malformed answer: ${z.prettifyError(parsed.error)}`);
  const values = new Set(parsed.data.options.map((o) => o.value));
  if (values.size !== parsed.data.options.length) throw new CairnError('INTERNAL', `${where} listed the same value twice.`);
  return parsed.data.options;
}

/** What the runtime provides to run one step of an extension's action in the extension's sandbox. */
export interface ExtensionActionHost {
  /**
   * Checks that the extension may act in `lib` (installed, enabled, active, still declaring the action) and that
   * every entry id lies in its granted scope, then calls the phase's export with `input` (JSON) on the
   * extension's plugin and returns its output text. Throws a `CairnError` saying why otherwise.
   */
  call(lib: Library, extensionId: string, action: string, phase: ActionPhase, input: ExtensionActionParams & { outcome?: unknown }): Promise<string>;
  /**
   * The options of the action's `choice` param `param` for this run, from the guest's options export, checked
   * by {@link parseActionOptions}; pictures of contents outside the extension's grants are dropped.
   */
  options(lib: Library, extensionId: string, action: string, param: string, input: ExtensionActionParams): Promise<ActionOption[]>;
  /** Whether the active version's module exports the action's undo export. */
  canUndo(lib: Library, extensionId: string, action: string): Promise<boolean>;
}

interface PlanData {
  reversible: boolean;
}
interface UndoData {
  entryIds: string[];
  params: Record<string, unknown>;
  outcome: unknown;
}

/**
 * The action-registry definition of one action an extension declares (`ext:<id>:<name>`, owner = the
 * extension id). Preview calls the guest's preview export and turns its `ActionPreview` into the core's plan:
 * each change becomes an `extension` change, the entries are fingerprinted (a commit after they changed is
 * refused), and the guest's warnings become conflicts when it found nothing to change (its way of saying no),
 * or are added to the summary otherwise. Commit calls the execute export with the same input; undo calls the
 * undo export, and only when the guest's preview said `reversible` AND its module exports the undo.
 *
 * Failure modes: a disabled/uninstalled extension, entries outside its grants, a missing export, a trap or a
 * malformed answer all reject with a `CairnError` naming the extension, the action and the step; nothing of the
 * core is affected (the guest runs in its sandbox).
 *
 * @example
 * registry.register(extensionActionDefinition('app.cairn.photos', { name: 'name_person', label: 'Name this person', contexts: ['model'] }, host));
 * await actions.preview(lib, 'ext:app.cairn.photos:name_person', { entryIds: [], params: { personId, name: 'Grace' } }, caller);
 */
export function extensionActionDefinition(
  extensionId: string,
  decl: Pick<ActionDecl, 'name' | 'label'> & Partial<Pick<ActionDecl, 'params'>>,
  host: ExtensionActionHost,
): ActionDefinition<ExtensionActionParams, PlanData, UndoData> {
  const name = extensionActionName(extensionId, decl.name);
  const where = (phase: ActionPhase) => `${extensionId}'s action "${decl.name}" (${phase})`;
  const parse = <T>(schema: z.ZodType<T>, phase: ActionPhase, text: string): T => {
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      throw new CairnError('INTERNAL', `${where(phase)} returned something that is not JSON: ${JSON.stringify(text.slice(0, 120))}.`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new CairnError('INTERNAL', `${where(phase)} returned a malformed answer: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  };
  // A choice must be one of the options the extension lists for this run (asked again, so a value the UI never
  // offered, or one that no longer exists, is refused before the preview runs).
  const checkChoices = async (lib: Library, params: ExtensionActionParams): Promise<void> => {
    for (const p of (decl.params ?? []).filter((x) => x.type === 'choice')) {
      const value = params.params[p.name];
      if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
        if (p.optional) continue;
        throw new CairnError('VALIDATION', `${decl.label}: choose ${p.label ?? p.name} first.`);
      }
      const chosen = p.multiple ? value : [value];
      if (!Array.isArray(chosen) || !chosen.every((v): v is string => typeof v === 'string')) {
        throw new CairnError('VALIDATION', `${decl.label}: ${p.label ?? p.name} must be ${p.multiple ? 'a list of option values' : 'one option value'}.`);
      }
      const offered = new Set((await host.options(lib, extensionId, decl.name, p.name, params)).map((o) => o.value));
      const unknown = chosen.filter((v) => !offered.has(v));
      if (unknown.length > 0) throw new CairnError('VALIDATION', `${decl.label}: ${unknown.slice(0, 3).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among the choices for ${p.label ?? p.name}.`);
    }
  };
  const probes = (lib: Library, entryIds: readonly string[]): Probe[] =>
    entryIds.map((entryId) => ({ kind: 'entry', entryId, label: `entry ${entryId}`, seen: entryState(lib, entryId) }));

  return defineAction<ExtensionActionParams, PlanData, UndoData>({
    name,
    owner: extensionId,
    title: decl.label,
    summary: `${decl.label} (from ${extensionId})`,
    reversible: true,
    params: ExtensionActionParams,
    affects: ['tags', 'collections'],
    async preview(ctx, params) {
      await checkChoices(ctx.lib, params);
      const out = parse(GuestPreview, 'preview', await host.call(ctx.lib, extensionId, decl.name, 'preview', params));
      const reversible = out.reversible && (await host.canUndo(ctx.lib, extensionId, decl.name));
      const changes: ActionChange[] = out.changes.map((c) => ({ kind: 'extension', description: c.description, ...(c.data !== undefined ? { data: c.data } : {}) }));
      const blocked = changes.length === 0 && out.warnings.length > 0;
      return {
        summary: !blocked && out.warnings.length > 0 ? `${out.title} (note: ${out.warnings.join('; ')})` : out.title,
        changes,
        conflicts: blocked ? out.warnings.map((message) => ({ code: 'EXTENSION', message })) : [],
        reversible,
        fingerprint: probes(ctx.lib, params.entryIds),
        targets: params.entryIds,
        data: { reversible },
      };
    },
    async commit(ctx, plan) {
      const text = await host.call(ctx.lib, extensionId, decl.name, 'execute', plan.params);
      const outcome = GuestOutcome.safeParse(safeJson(text));
      const result = outcome.success ? outcome.data : { applied: null, message: text.slice(0, 2000) };
      return {
        result,
        ...(plan.data.reversible ? { undo: { entryIds: plan.params.entryIds, params: plan.params.params, outcome: result } } : {}),
        after: probes(ctx.lib, plan.params.entryIds),
      };
    },
    verify(_ctx, _plan, { result }) {
      const ok = GuestOutcome.safeParse(result).success;
      return ok ? [] : [`${where('execute')} did not return an outcome ({applied, message}); what it did is unknown.`];
    },
    async undo(ctx, data) {
      const text = await host.call(ctx.lib, extensionId, decl.name, 'undo', data);
      parse(GuestOutcome, 'undo', text);
    },
  });
}

/** Wraps a sandbox failure in a sentence naming the extension, the action and the step. */
export function actionFailure(extensionId: string, action: string, phase: ActionPhase, exportName: string, error: unknown): CairnError {
  const wire = toWireError(error);
  if (error instanceof SandboxError && error.kind === 'missing_export') {
    return new CairnError('NOT_SUPPORTED', `${extensionId} declares the action "${action}" but its module has no export ${exportName}() for its ${phase}.`);
  }
  const code = wire.code === 'VALIDATION' ? 'INTERNAL' : wire.code;
  return new CairnError(code, `${extensionId}'s action "${action}" failed in its ${phase}: ${wire.message}`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
