import path from 'node:path';
import readline from 'node:readline';
import tty from 'node:tty';
import { Option, type Command } from 'commander';
import type { ExtensionInfo, GrantChoiceInput, InputOf, Location, OperationName, OutputOf } from '../../src-shared/contract/index.js';
import { CairnError } from '../../src-shared/errors.js';
import { FILE_PERMISSIONS, PERMISSION_TYPES, type Manifest, type Permission, type PermissionType } from '../../src-shared/extensions/manifest.js';
import { pickLocation } from './index-commands.js';
import { waitForJob } from './jobs-commands.js';
import { printTable } from './print.js';

/** What the extension commands need from `runCli`. */
export interface ExtCommandDeps {
  /** `in` defaults to process.stdin when it is a terminal. */
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream; in?: NodeJS.ReadableStream & { isTTY?: boolean } };
  call: <N extends OperationName>(name: N, input: InputOf<N>) => Promise<OutputOf<N>>;
  libraryId: (ref: string | undefined) => Promise<string>;
  emit: (value: unknown, human: () => void) => void;
  json: () => boolean;
}

type PermissionRef = number | PermissionType;
type Scope = { locationId: string; subpath?: string };

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `ReadEntries` or `0` → a permission reference; anything else is a usage error. */
function parsePermissionRef(text: string): PermissionRef {
  if (/^\d+$/.test(text)) return Number(text);
  const match = PERMISSION_TYPES.find((t) => t.toLowerCase() === text.toLowerCase());
  if (!match) throw new CairnError('VALIDATION', `"${text}" is not a permission (use a number from \`cairn ext info\`, or one of ${PERMISSION_TYPES.join(', ')}).`);
  return match;
}

/**
 * Parses `--grant` values: `<perm>`, `<perm>=<location>`, `<perm>=<location>/<subfolder>` or
 * `<perm>=/absolute/path/inside/a/location`. Locations are named by name or id.
 *
 * @example
 * parseGrant('ReadEntries=Photos/2024', locations) // { permission: 'ReadEntries', scope: { locationId, subpath: '2024' } }
 */
export function parseGrant(text: string, locations: Location[]): { permission: PermissionRef; scope: Scope | null } {
  const eq = text.indexOf('=');
  const permission = parsePermissionRef(eq < 0 ? text : text.slice(0, eq));
  if (eq < 0) return { permission, scope: null };
  const where = text.slice(eq + 1);
  if (!where) throw new CairnError('VALIDATION', `--grant ${text}: name a location after "=".`);
  if (path.isAbsolute(where)) {
    const loc = pickLocation(locations, where);
    return { permission, scope: { locationId: loc.id, subpath: path.relative(loc.path, path.resolve(where)).split(path.sep).join('/') } };
  }
  const slash = where.indexOf('/');
  const loc = pickLocation(locations, slash < 0 ? where : where.slice(0, slash));
  return { permission, scope: { locationId: loc.id, subpath: slash < 0 ? '' : where.slice(slash + 1) } };
}

/** One line about a permission: what it asks for and why. */
export function describePermission(p: Permission): string {
  const detail =
    p.type === 'ReadEntries' ? ` (${p.glob})`
    : p.type === 'ReadSidecars' || p.type === 'WriteSidecars' ? ` (${p.kinds.join(', ')})`
    : p.type === 'Network' ? ` (${p.hosts.join(', ')})`
    : p.type === 'UseModel' ? ` (${p.category}, ${p.preference})`
    : '';
  return `${p.type}${detail}${p.optional ? ' [optional]' : ''}: ${p.reason}`;
}

/** Reads answers line by line (buffered, so piped answers are not lost between questions). */
class Prompter {
  readonly #lines: AsyncIterator<string>;
  readonly #rl: readline.Interface;
  readonly #out: NodeJS.WritableStream;

  constructor(input: NodeJS.ReadableStream, out: NodeJS.WritableStream) {
    this.#rl = readline.createInterface({ input, terminal: false });
    this.#lines = this.#rl[Symbol.asyncIterator]();
    this.#out = out;
  }

  async ask(question: string): Promise<string> {
    this.#out.write(question);
    const next = await this.#lines.next();
    if (next.done) throw new CairnError('CANCELLED', 'No answer (end of input); nothing was changed.');
    return next.value.trim();
  }

  async yesNo(question: string, fallback: boolean): Promise<boolean> {
    for (;;) {
      const answer = (await this.ask(`${question} ${fallback ? '[Y/n]' : '[y/N]'} `)).toLowerCase();
      if (answer === '') return fallback;
      if (answer === 'y' || answer === 'yes') return true;
      if (answer === 'n' || answer === 'no') return false;
    }
  }

  close(): void {
    this.#rl.close();
  }
}

/**
 * Turns `--grant`/`--decline` flags and, on a terminal, answers to prompts into grant choices for the
 * permissions `indices` of `manifest`. Without a terminal, permissions the flags do not settle need `--yes`
 * (required ones accepted, optional ones declined), else `CONFIRMATION_REQUIRED`.
 */
async function decide(
  d: ExtCommandDeps,
  manifest: Manifest,
  indices: number[],
  opts: { grant?: string[]; decline?: string[]; yes?: boolean },
  libraryId: string,
  trust: string | null = null,
): Promise<GrantChoiceInput[]> {
  const locations = await d.call('locations.list', { libraryId });
  const resolve = (ref: PermissionRef): number => {
    if (typeof ref === 'number') return ref;
    const matches = indices.filter((i) => manifest.permissions[i]?.type === ref);
    if (matches.length !== 1) {
      throw new CairnError('VALIDATION', matches.length === 0 ? `${manifest.name} ${manifest.version} does not ask for ${ref} here.` : `${ref} is asked for ${matches.length} times; use its number (${matches.join(', ')}).`);
    }
    return matches[0]!;
  };
  const choices = new Map<number, { granted: boolean; scopes: Scope[] }>();
  for (const text of opts.grant ?? []) {
    const { permission, scope } = parseGrant(text, locations);
    const index = resolve(permission);
    const choice = choices.get(index) ?? { granted: true, scopes: [] };
    if (scope) choice.scopes.push(scope);
    choices.set(index, choice);
  }
  for (const text of opts.decline ?? []) choices.set(resolve(parsePermissionRef(text)), { granted: false, scopes: [] });

  const open = indices.filter((i) => !choices.has(i));
  // Tests pass their own input; a real run prompts only when stdin is a terminal (never touching it otherwise).
  const input = d.io.in ?? (tty.isatty(0) ? process.stdin : undefined);
  const interactive = input?.isTTY === true && !opts.yes && !d.json();
  if (open.length > 0 && !interactive && !opts.yes) {
    const list = open.map((i) => `#${i} ${describePermission(manifest.permissions[i]!)}`).join('; ');
    throw new CairnError('CONFIRMATION_REQUIRED', `${manifest.name} asks for: ${list}. Pass --grant/--decline for each, or --yes to accept the required ones.`);
  }
  if (open.length > 0 && interactive) {
    const prompter = new Prompter(input!, d.io.out);
    try {
      d.io.out.write(`${manifest.name} ${manifest.version} by ${manifest.publisher}${trust ? ` (${trust})` : ''} asks for:\n`);
      for (const i of open) {
        const p = manifest.permissions[i]!;
        const ok = await prompter.yesNo(`  #${i} ${describePermission(p)}\n  Allow?`, !p.optional);
        if (!ok && !p.optional) throw new CairnError('CANCELLED', `${manifest.name} cannot work without ${p.type}; nothing was changed.`);
        const scopes: Scope[] = [];
        if (ok && FILE_PERMISSIONS.includes(p.type) && locations.length > 0) {
          const names = locations.map((l) => l.name).join(', ');
          const answer = await prompter.ask(`  Which folders? Locations (${names}), optionally with /subfolder, separated by commas: `);
          for (const part of answer.split(',').map((s) => s.trim()).filter(Boolean)) {
            const parsed = parseGrant(`${p.type}=${part}`, locations);
            if (parsed.scope) scopes.push(parsed.scope);
          }
        }
        choices.set(i, { granted: ok, scopes });
      }
    } finally {
      prompter.close();
    }
  }
  // With --yes, required permissions are accepted and optional ones declined unless flagged.
  for (const i of open) if (!choices.has(i)) choices.set(i, { granted: !manifest.permissions[i]!.optional, scopes: [] });
  return [...choices].map(([permission, c]) => ({ permission, granted: c.granted, ...(c.scopes.length ? { scopes: c.scopes } : {}) }));
}

function printInfo(d: ExtCommandDeps, info: ExtensionInfo, locations: Location[]): void {
  const where = (s: { locationId: string; subpath: string }) => {
    const name = locations.find((l) => l.id === s.locationId)?.name ?? s.locationId;
    return s.subpath ? `${name}/${s.subpath}` : name;
  };
  const out = d.io.out;
  out.write(`${info.name} ${info.version} (${info.id}) by ${info.publisher}\n`);
  out.write(`  ${info.enabled ? 'enabled' : 'disabled'}, ${info.state}${info.stateReason ? `: ${info.stateReason}` : ''}\n`);
  out.write(`  ${info.signedBy ? `signed by ${info.signedBy}` : 'unsigned'}${info.previousVersion ? `; rollback to ${info.previousVersion}` : ''}\n`);
  out.write(`  files: ${info.folder}\n\nPermissions:\n`);
  printTable(
    out,
    ['#', 'PERMISSION', 'GRANTED', 'FOLDERS', 'REASON'],
    info.permissions.map((p) => [String(p.index), p.permission.type + (p.permission.optional ? ' (optional)' : ''), p.effective ? 'yes' : `no${p.note ? ` (${p.note})` : ''}`, p.scopes.map(where).join(', '), p.permission.reason]),
  );
  if (info.pending) {
    out.write(`\nUpgrade to ${info.pending.version} waits for consent; it adds:\n`);
    for (const a of info.pending.addedPermissions) out.write(`  #${a.index} ${describePermission(a.permission)}\n`);
    out.write(`Run \`cairn ext consent ${info.id}\` to accept, or with --reject to decline.\n`);
  }
  const settings = Object.entries(info.settings);
  if (settings.length) {
    out.write('\nSettings:\n');
    printTable(out, ['KEY', 'VALUE', 'LABEL'], settings.map(([k, v]) => [k, JSON.stringify(v), info.manifest.settings[k]?.label ?? '']));
  }
}

/**
 * Installs (first time, with `grant` and the required permissions accepted) or upgrades in place the package
 * `file`: what `cairn ext dev` does after each good build. Models, blobs, settings and grants survive an
 * upgrade; a running Cairn picks the new version up within a few seconds. Returns one line for the user.
 * An upgrade that asks for new permissions is held: the line says how to approve it. Fails like
 * `extensions.install` / `extensions.upgrade` (e.g. `CONFIRMATION_REQUIRED` when a file permission has no
 * folder, `VALIDATION` for a version that is not newer).
 *
 * @example
 * await installForDev(deps, 'build/dev/com.example.hello-0.1.1-dev.5.cairnext', { grant: ['ReadEntries=Photos'] });
 */
export async function installForDev(d: ExtCommandDeps, file: string, opts: { library?: string; grant?: string[] }): Promise<string> {
  const libraryId = await d.libraryId(opts.library);
  const abs = path.resolve(file);
  const preview = await d.call('extensions.inspectPackage', { path: abs, libraryId });
  if (preview.problems.length) throw new CairnError('NOT_SUPPORTED', preview.problems.join(' '));
  if (!preview.installedVersion) {
    const grants = await decide(d, preview.manifest, preview.manifest.permissions.map((_, i) => i), { grant: opts.grant, yes: true }, libraryId, 'development build');
    const info = await d.call('extensions.install', { libraryId, path: abs, grants });
    return `installed ${info.name} ${info.version}`;
  }
  const info = await d.call('extensions.upgrade', { libraryId, path: abs });
  if (info.pending) {
    return `${info.pending.version} asks for new permissions and waits: approve with \`cairn ext consent ${info.id} --library ${libraryId}\` (it stays on ${info.version} until then)`;
  }
  return `reloaded ${info.name} ${info.version}`;
}

/**
 * Adds `cairn ext install|upgrade|consent|rollback|list|info|grant|revoke|enable|disable|uninstall|settings|run-job`.
 * Registered before the SDK's developer subcommands (`new`, `build`, `pack`, …), which join the same `ext`.
 *
 * @example
 * registerExtCommands(program, { io, call, libraryId, emit, json });
 */
export function registerExtCommands(program: Command, d: ExtCommandDeps): void {
  const ext = program.commands.find((c) => c.name() === 'ext') ?? program.command('ext').description('install, list, grant, configure and remove extensions');
  const libOption = () => new Option('-l, --library <library>', 'library name or id (default: the default library)');
  const grantOption = () => new Option('--grant <perm[=location[/subfolder]]>', 'grant a permission (repeatable), with a folder for file permissions').argParser(collect);
  const declineOption = () => new Option('--decline <perm>', 'decline an optional permission (repeatable)').argParser(collect);
  const locationsOf = (libraryId: string) => d.call('locations.list', { libraryId });
  const show = async (info: ExtensionInfo, libraryId: string, headline: string) => {
    const locations = d.json() ? [] : await locationsOf(libraryId);
    d.emit(info, () => {
      d.io.out.write(headline + '\n\n');
      printInfo(d, info, locations);
    });
  };

  ext
    .command('install')
    .description('install a .cairnext package (asks about each permission on a terminal)')
    .argument('<file>', 'the .cairnext package')
    .addOption(libOption())
    .addOption(grantOption())
    .addOption(declineOption())
    .option('-y, --yes', 'accept the required permissions without asking; decline optional ones not granted with --grant')
    .action(async (file: string, opts: { library?: string; grant?: string[]; decline?: string[]; yes?: boolean }) => {
      const libraryId = await d.libraryId(opts.library);
      const abs = path.resolve(file);
      const preview = await d.call('extensions.inspectPackage', { path: abs, libraryId });
      if (preview.installedVersion) throw new CairnError('CONFLICT', `${preview.manifest.id} ${preview.installedVersion} is already installed; use \`cairn ext upgrade ${file}\`.`);
      if (preview.problems.length) throw new CairnError('NOT_SUPPORTED', preview.problems.join(' '));
      const trust = preview.signedBy ? `signed by ${preview.signedBy}` : 'NOT SIGNED: Cairn cannot confirm who made it';
      const grants = await decide(d, preview.manifest, preview.manifest.permissions.map((_, i) => i), opts, libraryId, trust);
      const info = await d.call('extensions.install', { libraryId, path: abs, grants });
      await show(info, libraryId, `Installed ${info.name} ${info.version}`);
    });

  ext
    .command('upgrade')
    .description('upgrade to a newer package; new permissions wait for `cairn ext consent`')
    .argument('<file>', 'the .cairnext package')
    .addOption(libOption())
    .action(async (file: string, opts: { library?: string }) => {
      const libraryId = await d.libraryId(opts.library);
      const info = await d.call('extensions.upgrade', { libraryId, path: path.resolve(file) });
      await show(info, libraryId, info.pending ? `${info.name} ${info.pending.version} asks for new permissions; it waits for consent` : `Upgraded ${info.name} to ${info.version}`);
    });

  ext
    .command('consent')
    .description('accept (or --reject) the new permissions of a held upgrade')
    .argument('<id>', 'extension id')
    .addOption(libOption())
    .addOption(grantOption())
    .addOption(declineOption())
    .option('-y, --yes', 'accept the required new permissions without asking')
    .option('--reject', 'decline the upgrade and stay on the installed version')
    .action(async (id: string, opts: { library?: string; grant?: string[]; decline?: string[]; yes?: boolean; reject?: boolean }) => {
      const libraryId = await d.libraryId(opts.library);
      if (opts.reject) {
        const info = await d.call('extensions.consent', { libraryId, id, accept: false });
        return show(info, libraryId, `Declined; ${info.name} stays at ${info.version}`);
      }
      const current = await d.call('extensions.info', { libraryId, id });
      if (!current.pending) throw new CairnError('CONFLICT', `${id} has no upgrade waiting for consent.`);
      const grants = await decide(d, current.pending.manifest, current.pending.addedPermissions.map((a) => a.index), opts, libraryId);
      const info = await d.call('extensions.consent', { libraryId, id, accept: true, grants });
      await show(info, libraryId, `Upgraded ${info.name} to ${info.version}`);
    });

  for (const [name, description, op, verb] of [
    ['rollback', 'return to the previously installed version', 'extensions.rollback', 'Rolled back'],
    ['enable', 'let an extension run again', 'extensions.enable', 'Enabled'],
    ['disable', 'stop an extension from running (code, grants and data stay)', 'extensions.disable', 'Disabled'],
  ] as const) {
    ext
      .command(name)
      .description(description)
      .argument('<id>', 'extension id')
      .addOption(libOption())
      .action(async (id: string, opts: { library?: string }) => {
        const libraryId = await d.libraryId(opts.library);
        const info = await d.call(op, { libraryId, id });
        await show(info, libraryId, `${verb} ${info.name} (now ${info.version}, ${info.enabled ? 'enabled' : 'disabled'})`);
      });
  }

  ext
    .command('list')
    .description('list installed extensions')
    .addOption(libOption())
    .action(async (opts: { library?: string }) => {
      const list = await d.call('extensions.list', { libraryId: await d.libraryId(opts.library) });
      d.emit(list, () =>
        printTable(
          d.io.out,
          ['ID', 'NAME', 'VERSION', 'STATE', 'SIGNED'],
          list.map((e) => [e.id, e.name, e.version + (e.pendingVersion ? ` (→ ${e.pendingVersion})` : ''), e.enabled ? e.state : 'disabled', e.signedBy ? 'yes' : 'no']),
        ),
      );
    });

  ext
    .command('info')
    .description('show an extension: permissions and folders granted, settings, held upgrade')
    .argument('<id>', 'extension id')
    .addOption(libOption())
    .action(async (id: string, opts: { library?: string }) => {
      const libraryId = await d.libraryId(opts.library);
      const info = await d.call('extensions.info', { libraryId, id });
      const locations = d.json() ? [] : await locationsOf(libraryId);
      d.emit(info, () => printInfo(d, info, locations));
    });

  ext
    .command('activity')
    .description("what an extension did, newest first, from its audit trail: writes it was allowed and calls that were denied, with the reason")
    .argument('<id>', 'extension id')
    .addOption(libOption())
    .option('--denied', 'only the denials')
    .option('-n, --limit <n>', 'how many lines (1–500)', (v) => Number(v), 50)
    .option('--offset <n>', 'skip the newest n lines', (v) => Number(v), 0)
    .action(async (id: string, opts: { library?: string; denied?: boolean; limit: number; offset: number }) => {
      const libraryId = await d.libraryId(opts.library);
      const page = await d.call('extensions.activity', { libraryId, id, limit: opts.limit, offset: opts.offset, deniedOnly: opts.denied ?? false });
      d.emit(page, () => {
        if (page.total === 0) return void d.io.out.write(opts.denied ? 'Nothing was denied.\n' : 'No activity recorded yet.\n');
        printTable(
          d.io.out,
          ['TIME', 'OUTCOME', 'METHOD', 'REASON'],
          page.items.map((i) => [i.at, i.allowed ? 'allowed' : 'denied', i.method, i.allowed ? '' : i.message]),
        );
        const shown = page.items.length;
        if (shown < page.total) d.io.out.write(`${opts.offset + 1}–${opts.offset + shown} of ${page.total} (--offset ${opts.offset + shown} for more)\n`);
        if (page.skipped > 0) d.io.out.write(`${page.skipped} unreadable line${page.skipped === 1 ? '' : 's'} skipped\n`);
      });
    });

  for (const [name, op] of [
    ['grant', 'extensions.grant'],
    ['revoke', 'extensions.revoke'],
  ] as const) {
    ext
      .command(name)
      .description(name === 'grant' ? 'grant a permission, or a folder to a file permission' : 'revoke a permission, or one of its folders')
      .argument('<id>', 'extension id')
      .argument('<perm[=location[/subfolder]]>', 'permission type or number, with a folder for file permissions')
      .addOption(libOption())
      .action(async (id: string, spec: string, opts: { library?: string }) => {
        const libraryId = await d.libraryId(opts.library);
        const { permission, scope } = parseGrant(spec, await locationsOf(libraryId));
        const info = await d.call(op, { libraryId, id, permission, ...(scope ? { scopes: [scope] } : {}) });
        await show(info, libraryId, `${name === 'grant' ? 'Granted' : 'Revoked'} ${spec} for ${info.name}`);
      });
  }

  ext
    .command('uninstall')
    .description("remove an extension's code; its models and blobs stay unless --delete-data")
    .argument('<id>', 'extension id')
    .addOption(libOption())
    .option('--delete-data', "also delete the extension's models and their blobs")
    .action(async (id: string, opts: { library?: string; deleteData?: boolean }) => {
      const result = await d.call('extensions.uninstall', { libraryId: await d.libraryId(opts.library), id, keepData: !opts.deleteData });
      d.emit(result, () =>
        d.io.out.write(`Uninstalled ${id}${opts.deleteData ? `; deleted ${result.removedModels} models and ${result.releasedBlobs} blobs` : '; its data stays (reinstall to use it, or uninstall with --delete-data)'}\n`),
      );
    });

  ext
    .command('settings')
    .description('show settings, or change them with key=value (values as JSON, or plain text)')
    .argument('<id>', 'extension id')
    .argument('[assignments...]', 'key=value pairs')
    .addOption(libOption())
    .action(async (id: string, assignments: string[], opts: { library?: string }) => {
      const libraryId = await d.libraryId(opts.library);
      const values: Record<string, boolean | number | string> = {};
      for (const a of assignments) {
        const eq = a.indexOf('=');
        if (eq <= 0) throw new CairnError('VALIDATION', `"${a}" is not key=value.`);
        const raw = a.slice(eq + 1);
        let value: unknown = raw;
        try {
          value = JSON.parse(raw);
        } catch {
          value = raw;
        }
        values[a.slice(0, eq)] = typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string' ? value : raw;
      }
      const settings = assignments.length ? await d.call('extensions.setSettings', { libraryId, id, values }) : await d.call('extensions.getSettings', { libraryId, id });
      d.emit(settings, () => printTable(d.io.out, ['KEY', 'VALUE', 'LABEL'], Object.entries(settings.values).map(([k, v]) => [k, JSON.stringify(v), settings.declarations[k]?.label ?? ''])));
    });

  ext
    .command('run-job')
    .description('start a job the extension declares')
    .argument('<id>', 'extension id')
    .argument('<job>', 'job name from the manifest')
    .addOption(libOption())
    .option('--input <json>', 'the job input as JSON (default: {})')
    .option('-w, --wait', 'run it here and wait: show progress, then the outcome (fails if the job fails)')
    .action(async (id: string, job: string, opts: { library?: string; input?: string; wait?: boolean }) => {
      const libraryId = await d.libraryId(opts.library);
      let input: unknown = {};
      if (opts.input !== undefined) {
        try {
          input = JSON.parse(opts.input) as unknown;
        } catch {
          throw new CairnError('VALIDATION', '--input must be JSON, e.g. --input \'{"limit": 10}\'.');
        }
      }
      const { jobId } = await d.call('extensions.runJob', { libraryId, id, job, input });
      if (!opts.wait) {
        d.emit({ jobId }, () => d.io.out.write(`Started ${id} ${job} as job ${jobId} (follow it with \`cairn jobs wait ${jobId}\`)\n`));
        return;
      }
      if (!d.json()) d.io.out.write(`Started ${id} ${job} as job ${jobId}\n`);
      const done = await waitForJob(d, libraryId, jobId);
      const tasks = done.tasks.total > 0 ? `, ${done.tasks.completed}/${done.tasks.total} tasks` : '';
      const last = done.progress?.message ? ` (${done.progress.message})` : '';
      d.emit(done, () => d.io.out.write(`${id} ${job}: ${done.status}${done.durationMs !== null ? ` in ${(done.durationMs / 1000).toFixed(1)} s` : ''}${tasks}${last}\n`));
      if (done.status !== 'completed') {
        throw new CairnError(done.status === 'cancelled' ? 'CANCELLED' : 'INTERNAL', `${id} ${job} ${done.status}${done.errors.length ? `: ${done.errors.at(-1)!.message}` : ''}.`);
      }
    });
}
