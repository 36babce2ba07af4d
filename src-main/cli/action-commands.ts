import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { ActionAuditEntry, ActionPreview } from '../../src-shared/contract/index.js';
import { CairnError } from '../../src-shared/errors.js';
import { isSameOrInside } from '../core/locations/location-service.js';
import type { CliDeps } from './jobs-commands.js';
import { printTable } from './print.js';

interface ParamFlags {
  library?: string;
  params?: string;
  entry?: string[];
  path?: string[];
  tag?: string;
  name?: string;
  to?: string;
  scope?: 'entry' | 'content';
  description?: string;
  yes?: boolean;
}

const SHOWN_CHANGES = 50;

/**
 * Finds the entry of a file or folder on disk by walking the location's folders through `entries.list`
 * (the registry is the CLI's only door into the core). Fails `NOT_FOUND` when the path is in no location
 * or not indexed.
 */
async function entryForPath(d: CliDeps, libraryId: string, file: string): Promise<string> {
  const abs = path.resolve(file);
  let real: string;
  try {
    real = path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs));
  } catch {
    throw new CairnError('NOT_FOUND', `${abs} does not exist.`);
  }
  const location = (await d.call('locations.list', { libraryId })).find((l) => isSameOrInside(real, l.path) && real !== l.path);
  if (!location) throw new CairnError('NOT_FOUND', `${real} is not inside a location of this library.`);
  let parentId: string | null = null;
  let found: string | undefined;
  for (const segment of path.relative(location.path, real).split(path.sep)) {
    found = undefined;
    for (let offset = 0; found === undefined; offset += 1000) {
      const page: { items: { id: string; name: string }[] } = await d.call('entries.list', { libraryId, locationId: location.id, parentId, offset, limit: 1000 });
      found = page.items.find((e) => e.name === segment)?.id;
      if (page.items.length < 1000) break;
    }
    if (!found) throw new CairnError('NOT_FOUND', `${real} is not in the library yet; index its location first.`);
    parentId = found;
  }
  return found!;
}

/** A tag by id, path (`Trips/Italy`) or unique name. */
async function tagId(d: CliDeps, libraryId: string, ref: string): Promise<string> {
  const tags = await d.call('tags.list', { libraryId });
  const hit = tags.find((t) => t.id === ref) ?? tags.find((t) => t.path === ref);
  if (hit) return hit.id;
  const byName = tags.filter((t) => t.name === ref);
  if (byName.length === 1) return byName[0]!.id;
  if (byName.length > 1) throw new CairnError('CONFLICT', `Several tags are named "${ref}"; give its path (e.g. Parent/${ref}) or id.`);
  throw new CairnError('NOT_FOUND', `No tag "${ref}". See \`cairn tag list\` or create it first.`);
}

/** Builds an action's params from `--params` JSON and the convenience flags (flags win). */
async function paramsFrom(d: CliDeps, libraryId: string, action: string, o: ParamFlags): Promise<Record<string, unknown>> {
  let params: Record<string, unknown> = {};
  if (o.params) {
    try {
      params = JSON.parse(o.params) as Record<string, unknown>;
    } catch (error) {
      throw new CairnError('VALIDATION', `--params is not valid JSON: ${(error as Error).message}`);
    }
  }
  const ids = [...(o.entry ?? [])];
  for (const p of o.path ?? []) ids.push(await entryForPath(d, libraryId, p));
  if (ids.length) {
    if (action === 'files.rename') params.entryId = ids[0];
    else params.entryIds = ids;
  }
  if (o.tag) params.tagId = await tagId(d, libraryId, o.tag);
  if (o.name !== undefined) params.name = o.name;
  if (o.to !== undefined) params.destination = o.to;
  if (o.scope) params.scope = o.scope;
  if (o.description !== undefined) params.description = o.description;
  return params;
}

function printPreview(out: NodeJS.WritableStream, p: ActionPreview): void {
  out.write(`${p.summary}\n`);
  for (const c of p.changes.slice(0, SHOWN_CHANGES)) out.write(`  ${c.description}\n`);
  if (p.changes.length > SHOWN_CHANGES) out.write(`  … and ${p.changes.length - SHOWN_CHANGES} more\n`);
  const counts = Object.entries(p.counts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
  if (counts) out.write(`Counts: ${counts}\n`);
  if (p.conflicts.length) {
    out.write(`Conflicts (${p.conflicts.length}) — nothing can be applied until they are resolved:\n`);
    for (const c of p.conflicts) out.write(`  [${c.code}] ${c.message}\n`);
  }
  out.write(`Reversible: ${p.reversible ? 'yes' : 'no'}\n`);
  out.write(`Preview ${p.id} (expires ${new Date(p.expiresAt).toLocaleTimeString()})\n`);
}

function auditRow(a: ActionAuditEntry): string[] {
  const who = a.caller.kind === 'user' ? `user (${a.caller.via})` : a.caller.extensionId;
  return [a.id.slice(0, 8), new Date(a.createdAt).toLocaleString(), a.action, a.status, who, a.summary, a.canUndo ? 'yes' : ''];
}

/** Resolves an audit id or a unique prefix of one (4+ characters) from recent history. */
async function resolveAuditId(d: CliDeps, libraryId: string, ref: string): Promise<string> {
  if (/^[0-9a-f-]{36}$/i.test(ref)) return ref;
  const recent = (await d.call('actions.history', { libraryId, limit: 500, includePreviews: true })).items;
  const matches = ref.length >= 4 ? recent.filter((a) => a.id.startsWith(ref)) : [];
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length > 1) throw new CairnError('CONFLICT', `Several actions start with "${ref}"; give more of the id.`);
  throw new CairnError('NOT_FOUND', `No action preview or audit entry "${ref}". See \`cairn action history\`.`);
}

/**
 * Extensions' actions (`ext:<id>:<action>`) are registered when the library's extensions are loaded, which happens
 * when its job scheduler starts; `jobs.list` starts it (and resumes queued jobs, as `cairn jobs list` does).
 */
async function loadExtensions(d: CliDeps, libraryId: string): Promise<void> {
  await d.call('jobs.list', { libraryId, status: ['running'] });
}

const isExtensionAction = (name: string) => name.startsWith('ext:');

/** Loads the library's extensions when the preview or audit entry `id` belongs to one of their actions. */
async function loadExtensionsFor(d: CliDeps, libraryId: string, id: string): Promise<string> {
  const entry = await d.call('actions.get', { libraryId, auditId: id });
  if (isExtensionAction(entry.action)) await loadExtensions(d, libraryId);
  return id;
}

/**
 * Adds `cairn action list|preview|apply|run|undo|history`: previewable actions from the command line.
 *
 * @example
 * cairn action preview files.move --path ~/Pictures/a.jpg --to Archive
 * cairn action apply 5f0c…      # or: cairn action run files.move --path … --to Archive --yes
 * cairn action undo 5f0c…
 * cairn action run ext:com.cairn.test-extension:mark_selection --path ~/a.txt --yes   # an extension's action
 */
export function registerActionCommands(program: Command, d: CliDeps): void {
  const libOption = () => new Option('-l, --library <library>', 'library name or id (default: the default library)');
  const paramOptions = (cmd: Command) =>
    cmd
      .argument('<action>', 'action name (see `cairn action list`), e.g. files.move')
      .addOption(libOption())
      .option('--params <json>', 'the action\'s params as JSON (flags below fill in or override fields)')
      .option('--entry <ids...>', 'entry ids to act on')
      .option('--path <paths...>', 'files or folders to act on (must be indexed)')
      .option('--tag <tag>', 'tag id, path or name (tags.apply, tags.remove)')
      .option('--name <name>', 'new name (files.rename) or collection name (collections.createFrom)')
      .option('--to <folder>', 'destination folder inside the location, "" for its top level (files.move)')
      .option('--description <text>', 'collection description (collections.createFrom)')
      .addOption(new Option('--scope <scope>', 'tag the entry only, or its content (every copy)').choices(['entry', 'content']));
  const action = program.command('action').description('preview, apply, undo and review actions (tag, move, rename, trash, …)');

  action
    .command('list')
    .description('list the actions that can be previewed')
    .addOption(libOption())
    .action(async (opts: { library?: string }) => {
      const libraryId = await d.libraryId(opts.library);
      await loadExtensions(d, libraryId);
      const list = await d.call('actions.list', { libraryId });
      d.emit(list, () => printTable(d.io.out, ['ACTION', 'OWNER', 'UNDO', 'WHAT IT DOES'], list.map((a) => [a.name, a.owner, a.reversible ? 'yes' : 'no', a.summary])));
    });

  paramOptions(action.command('preview').description('show exactly what an action would change, changing nothing')).action(
    async (name: string, opts: ParamFlags) => {
      const libraryId = await d.libraryId(opts.library);
      if (isExtensionAction(name)) await loadExtensions(d, libraryId);
      const preview = await d.call('actions.preview', { libraryId, action: name, params: await paramsFrom(d, libraryId, name, opts) });
      d.emit(preview, () => {
        printPreview(d.io.out, preview);
        if (!preview.conflicts.length) d.io.out.write(`Apply it with: cairn action apply ${preview.id}\n`);
      });
    },
  );

  action
    .command('apply')
    .description('apply a preview exactly (refused if anything changed since)')
    .argument('<preview>', 'preview id (or a unique prefix of 4+ characters)')
    .addOption(libOption())
    .action(async (ref: string, opts: { library?: string }) => {
      const libraryId = await d.libraryId(opts.library);
      const previewId = await loadExtensionsFor(d, libraryId, await resolveAuditId(d, libraryId, ref));
      const result = await d.call('actions.commit', { libraryId, previewId });
      d.emit(result, () => printCommit(d, result));
    });

  paramOptions(action.command('run').description('preview an action and, with --yes, apply it'))
    .option('-y, --yes', 'apply without asking (after printing the preview)')
    .action(async (name: string, opts: ParamFlags) => {
      const libraryId = await d.libraryId(opts.library);
      if (isExtensionAction(name)) await loadExtensions(d, libraryId);
      const preview = await d.call('actions.preview', { libraryId, action: name, params: await paramsFrom(d, libraryId, name, opts) });
      if (!d.json()) printPreview(d.io.out, preview);
      if (!opts.yes) throw new CairnError('CONFIRMATION_REQUIRED', `Nothing was applied; re-run with --yes, or apply the preview: cairn action apply ${preview.id}`);
      const result = await d.call('actions.commit', { libraryId, previewId: preview.id });
      d.emit({ preview, result }, () => printCommit(d, result));
    });

  action
    .command('undo')
    .description('undo an applied action')
    .argument('<audit-id>', 'id from `cairn action history` (or a unique prefix of 4+ characters)')
    .addOption(libOption())
    .action(async (ref: string, opts: { library?: string }) => {
      const libraryId = await d.libraryId(opts.library);
      const auditId = await loadExtensionsFor(d, libraryId, await resolveAuditId(d, libraryId, ref));
      const entry = await d.call('actions.undo', { libraryId, auditId });
      d.emit(entry, () => d.io.out.write(`Undone: ${entry.summary}\n`));
    });

  action
    .command('history')
    .description('the audit log: applied actions, newest first')
    .addOption(libOption())
    .option('-n, --limit <n>', 'how many', (v) => positive(v, '--limit'), 20)
    .option('--offset <n>', 'skip the newest n', (v) => positive(v, '--offset', 0), 0)
    .option('--all', 'include previews that were never applied')
    .action(async (opts: { library?: string; limit: number; offset: number; all?: boolean }) => {
      const page = await d.call('actions.history', { libraryId: await d.libraryId(opts.library), limit: opts.limit, offset: opts.offset, includePreviews: opts.all === true });
      d.emit(page, () => {
        printTable(d.io.out, ['ID', 'WHEN', 'ACTION', 'STATUS', 'BY', 'SUMMARY', 'UNDO'], page.items.map(auditRow));
        if (page.total > opts.offset + page.items.length) d.io.out.write(`(${page.total - opts.offset - page.items.length} older; use --offset)\n`);
      });
    });
}

function printCommit(d: CliDeps, r: { auditId: string; status: string; problems: string[]; canUndo: boolean; result: unknown }): void {
  d.io.out.write(`${r.status === 'verified' ? 'Applied and verified' : 'Applied, but verification found problems'}: ${JSON.stringify(r.result)}\n`);
  for (const p of r.problems) d.io.out.write(`  ${p}\n`);
  d.io.out.write(r.canUndo ? `Undo with: cairn action undo ${r.auditId}\n` : `Audit entry ${r.auditId} (cannot be undone)\n`);
}

function positive(v: string, flag: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CairnError('VALIDATION', `${flag}: ${v} must be a whole number ≥ ${min}`);
  return n;
}
