import { Option, type Command } from 'commander';
import { AI_CATEGORIES } from '../../src-shared/extensions/manifest.js';
import { CairnError } from '../../src-shared/errors.js';
import type { IndexCommandDeps } from './index-commands.js';
import { printTable } from './print.js';

const mib = (bytes: number | null | undefined): string => (bytes === null || bytes === undefined ? '' : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

/**
 * Adds `model list`, `model add` (a model to download: URL + sha256) and `model download` (runs the download job
 * and waits, printing progress) to the `cairn` program.
 *
 * @example
 * registerModelCommands(program, { io, getCore, call, libraryId, emit, json });
 */
export function registerModelCommands(program: Command, d: IndexCommandDeps): void {
  const model = program.command('model').description('list AI models, and register and download models to run on this device');
  model
    .command('list')
    .description('list models with whether each can run here')
    .addOption(new Option('--category <category>', 'only this category').choices([...AI_CATEGORIES]))
    .action(async (opts: { category?: (typeof AI_CATEGORIES)[number] }) => {
      const { items } = await d.call('ai.models', opts.category ? { category: opts.category } : {});
      d.emit(items, () =>
        printTable(d.io.out, ['NAME', 'CATEGORY', 'SOURCE', 'SIZE', 'AVAILABLE'], items.map((m) => [m.name, m.category, m.source.kind, mib(m.sizeBytes), m.available ? 'yes' : `no: ${m.unavailableReason ?? ''}`])),
      );
    });
  model
    .command('add')
    .description('register a model to download (it runs on this device once downloaded)')
    .argument('<name>', 'model name: lower case, digits, . _ : -')
    .requiredOption('--url <url>', 'where to download it from (http or https)')
    .requiredOption('--sha256 <hex>', 'the sha256 of the file, checked after the download')
    .addOption(new Option('--category <category>', 'what the model does').choices([...AI_CATEGORIES]).makeOptionMandatory())
    .requiredOption('--licence <licence>', "the model's licence")
    .action(async (name: string, opts: { url: string; sha256: string; category: (typeof AI_CATEGORIES)[number]; licence: string }) => {
      const m = await d.call('ai.registerModel', { model: { name, category: opts.category, source: { kind: 'download', url: opts.url, sha256: opts.sha256.toLowerCase() }, licence: opts.licence } });
      d.emit(m, () => d.io.out.write(`Registered ${m.name}; download it with \`cairn model download ${m.name}\`\n`));
    });
  model
    .command('download')
    .description('download a registered model into the models folder, resuming a download cut short')
    .argument('<name>', 'model name (see `cairn model list`)')
    .addOption(new Option('-l, --library <library>', 'library whose job list shows the download (default: the default library)'))
    .action(async (name: string, opts: { library?: string }) => {
      const libraryId = await d.libraryId(opts.library);
      const core = await d.getCore();
      const { jobId } = await d.call('ai.downloadModel', { libraryId, name });
      let lastAt = 0;
      const off = core.events.on('jobs.onDidProgress', ({ jobId: id, progress }) => {
        if (id !== jobId || d.json() || 'indeterminate' in progress || Date.now() - lastAt < 1000) return;
        lastAt = Date.now();
        d.io.out.write(`${mib(progress.completed)} of ${mib(progress.total)}\n`);
      });
      let done;
      try {
        done = await (await core.jobs.for(libraryId)).waitFor(jobId);
      } finally {
        off();
      }
      if (done.status !== 'completed') throw new CairnError('IO', `Downloading ${name} ${done.status}: ${done.errors.at(-1)?.message ?? 'no reason recorded'}`);
      const m = (await d.call('ai.models', {})).items.find((x) => x.name === name)!;
      d.emit(m, () => d.io.out.write(`Downloaded ${name} (${mib(m.sizeBytes ?? null)}); ${m.available ? 'ready to use' : `not usable yet: ${m.unavailableReason ?? ''}`}\n`));
    });
}
