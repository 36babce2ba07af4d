import { Command, CommanderError, Option } from 'commander';
import type { InputOf, OperationName, OutputOf } from '../../src-shared/contract/index.js';
import { CairnError, toWireError } from '../../src-shared/errors.js';
import { APP_VERSION, RENDERER_DIR } from '../core/app-info.js';
import { CairnCore } from '../core/cairn-core.js';
import { startHeadlessServer } from '../server/headless-server.js';
import { registerExtDevCommands } from '../../sdk/tooling/ext-commands.js';
import { headlessShellHandlers } from '../server/headless-shell.js';
import { ExtensionRuntime } from '../../extension-host/runtime/extension-runtime.js';
import { storeHandlers, uiHandlers } from '../../extension-host/store/store-handlers.js';
import { installForDev, registerExtCommands } from './ext-commands.js';
import { registerIndexCommands } from './index-commands.js';
import { registerJobsCommands } from './jobs-commands.js';
import { registerActionCommands } from './action-commands.js';
import { registerModelCommands } from './model-commands.js';
import { pickLibrary } from './library-ref.js';
import { printTable } from './print.js';

interface GlobalOptions {
  json?: boolean;
  home?: string;
}

/** Exit codes: 0 success, 1 an operation failed, 2 the command line was wrong. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * Runs the `cairn` command line. Resolves to the process exit code; never throws.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(
  argv: string[],
  io: { out: NodeJS.WriteStream; err: NodeJS.WriteStream; in?: NodeJS.ReadableStream & { isTTY?: boolean } } = { out: process.stdout, err: process.stderr },
): Promise<number> {
  let core: CairnCore | undefined;
  let keepAlive = false;
  const keepAliveCommand = argv.includes('serve');
  const program = new Command('cairn')
    .description('Cairn: a local-first file and photo library with sandboxed extensions.')
    .version(APP_VERSION)
    .option('--json', 'print machine-readable JSON')
    .option('--home <dir>', 'Cairn home folder (default: $CAIRN_HOME or the app-data folder)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  const getCore = async (): Promise<CairnCore> => {
    if (!core) {
      const homeDir = globals().home;
      core = await CairnCore.start({
        ...(homeDir ? { homeDir } : {}),
        // A command runs and exits; watching belongs to long-lived shells (`cairn serve` included).
        ...(keepAliveCommand ? {} : { watch: false }),
        shell: headlessShellHandlers(() => core?.home.dir ?? ''),
        // The extension runtime runs installed extensions' jobs and hooks next to the core.
        extensions: (c) => ExtensionRuntime.handlers(c),
        // The Extension Store and the UI extensions declare (extension-host/store).
        store: (c) => storeHandlers(c),
        ui: () => uiHandlers(),
      });
    }
    return core;
  };
  const call = async <N extends OperationName>(name: N, input: InputOf<N>): Promise<OutputOf<N>> =>
    (await getCore()).registry.call(name, input, { caller: { kind: 'user', via: 'cli' } });
  const libraryId = async (ref: string | undefined) => pickLibrary(await call('library.list', {}), ref).id;
  const emit = (value: unknown, human: () => void) => {
    if (globals().json) io.out.write(JSON.stringify(value, null, 2) + '\n');
    else human();
  };

  const library = program.command('library').description('create, list, open, rename and delete libraries');
  library
    .command('list')
    .description('list libraries')
    .action(async () => {
      const list = await call('library.list', {});
      emit(list, () =>
        printTable(io.out, ['', 'NAME', 'ID', 'PATH'], list.map((l) => [l.isDefault ? '*' : l.problem ? '!' : '', l.name + (l.problem ? ` (${l.problem})` : ''), l.id, l.path])),
      );
    });
  library
    .command('create')
    .description('create a new library')
    .argument('<name>', 'library name')
    .action(async (name: string) => {
      const lib = await call('library.create', { name });
      emit(lib, () => io.out.write(`Created library "${lib.name}" (${lib.id}) at ${lib.path}\n`));
    });
  library
    .command('open')
    .description('add an existing library folder to the list')
    .argument('<path>', 'folder holding library.db')
    .action(async (path: string) => {
      const lib = await call('library.open', { path });
      emit(lib, () => io.out.write(`Opened library "${lib.name}" (${lib.id})\n`));
    });
  library
    .command('rename')
    .description('rename a library')
    .argument('<library>', 'library name or id')
    .argument('<new-name>', 'new name')
    .action(async (ref: string, name: string) => {
      const lib = await call('library.rename', { libraryId: await libraryId(ref), name });
      emit(lib, () => io.out.write(`Renamed to "${lib.name}"\n`));
    });
  library
    .command('delete')
    .description("delete a library's database and sidecars (never your files)")
    .argument('<library>', 'library name or id')
    .requiredOption('--confirm <name>', "repeat the library's exact name to confirm")
    .action(async (ref: string, opts: { confirm: string }) => {
      const id = await libraryId(ref);
      const result = await call('library.delete', { libraryId: id, confirm: opts.confirm });
      emit(result, () => io.out.write(`Deleted library ${id}\n`));
    });
  library
    .command('default')
    .description('make a library the default')
    .argument('<library>', 'library name or id')
    .action(async (ref: string) => {
      const lib = await call('library.setDefault', { libraryId: await libraryId(ref) });
      emit(lib, () => io.out.write(`"${lib.name}" is now the default library\n`));
    });

  const location = program.command('location').description('add, list and remove folders a library indexes');
  const libOption = () => new Option('-l, --library <library>', 'library name or id (default: the default library)');
  location
    .command('add')
    .description('add a folder')
    .argument('<path>', 'folder to add')
    .addOption(libOption())
    .option('--name <name>', 'display name (default: the folder name)')
    .action(async (path: string, opts: { library?: string; name?: string }) => {
      const loc = await call('locations.add', { libraryId: await libraryId(opts.library), path, ...(opts.name ? { name: opts.name } : {}) });
      emit(loc, () => io.out.write(`Added location "${loc.name}" (${loc.id}) at ${loc.path}\n`));
    });
  location
    .command('list')
    .description('list locations')
    .addOption(libOption())
    .action(async (opts: { library?: string }) => {
      const list = await call('locations.list', { libraryId: await libraryId(opts.library) });
      emit(list, () => printTable(io.out, ['NAME', 'ID', 'PATH'], list.map((l) => [l.name, l.id, l.path])));
    });
  location
    .command('remove')
    .description('remove a location (the folder on disk is untouched)')
    .argument('<location-id>', 'location id (see `cairn location list`)')
    .addOption(libOption())
    .action(async (locationId: string, opts: { library?: string }) => {
      const result = await call('locations.remove', { libraryId: await libraryId(opts.library), locationId });
      emit(result, () => io.out.write(`Removed location ${locationId}\n`));
    });

  registerIndexCommands(program, { io, getCore, call, libraryId, emit, json: () => globals().json === true });
  registerJobsCommands(program, { io, call, libraryId, emit, json: () => globals().json === true });
  registerActionCommands(program, { io, call, libraryId, emit, json: () => globals().json === true });
  registerExtCommands(program, { io, call, libraryId, emit, json: () => globals().json === true });
  registerModelCommands(program, { io, getCore, call, libraryId, emit, json: () => globals().json === true });

  program
    .command('serve')
    .description('run the headless shell: the app in your browser, on 127.0.0.1 with a per-run token')
    .option('-p, --port <port>', 'port (default: any free port)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CairnError('VALIDATION', `--port: ${v} is not a port number`);
      return n;
    })
    .action(async (opts: { port?: number }) => {
      const c = await getCore();
      await c.resumeJobs();
      const server = await startHeadlessServer({ core: c, rendererDir: RENDERER_DIR, ...(opts.port !== undefined ? { port: opts.port } : {}) });
      emit({ url: server.url, port: server.port, home: c.home.dir }, () =>
        io.out.write(`Cairn headless shell running at ${server.url}\n(home: ${c.home.dir}; press Ctrl+C to stop)\n`),
      );
      keepAlive = true;
      const stop = async () => {
        await server.close();
        await c.stop();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  registerExtDevCommands(program, io, () => globals().json === true, (file, opts) =>
    installForDev({ io, call, libraryId, emit, json: () => globals().json === true }, file, opts),
  );

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version "errors" are normal exits.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    const wire = toWireError(error);
    if (globals().json) io.err.write(JSON.stringify({ error: wire }) + '\n');
    else io.err.write(`cairn: ${wire.message} [${wire.code}]\n`);
    return wire.code === 'VALIDATION' ? EXIT_USAGE : EXIT_FAILURE;
  } finally {
    if (core && !keepAlive) await core.stop();
  }
}
