import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { Option, type Command } from 'commander';
import type { InputOf, Location, OperationName, OutputOf } from '../../src-shared/contract/index.js';
import { CairnError } from '../../src-shared/errors.js';
import type { CairnCore } from '../core/cairn-core.js';
import { isSameOrInside } from '../core/locations/location-service.js';
import { printTable } from './print.js';

/** What the indexing commands need from `runCli`. */
export interface IndexCommandDeps {
  io: { out: NodeJS.WritableStream & { isTTY?: boolean }; err: NodeJS.WritableStream };
  getCore: () => Promise<CairnCore>;
  call: <N extends OperationName>(name: N, input: InputOf<N>) => Promise<OutputOf<N>>;
  libraryId: (ref: string | undefined) => Promise<string>;
  emit: (value: unknown, human: () => void) => void;
  json: () => boolean;
}

/**
 * Picks a location by id, exact (case-insensitive) name, or a folder path inside it.
 * Fails `NOT_FOUND`, or `CONFLICT` when a name matches several locations.
 *
 * @example
 * pickLocation(list, 'Pictures') // the location named "Pictures"
 */
export function pickLocation(list: Location[], ref: string): Location {
  const byId = list.find((l) => l.id === ref);
  if (byId) return byId;
  const byName = list.filter((l) => l.name.toLowerCase() === ref.toLowerCase());
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) throw new CairnError('CONFLICT', `Several locations are named "${ref}"; use its id.`);
  let real: string | undefined;
  try {
    real = fs.realpathSync(path.resolve(ref));
  } catch {
    real = undefined;
  }
  const byPath = real ? list.find((l) => isSameOrInside(real, l.path)) : undefined;
  if (byPath) return byPath;
  throw new CairnError('NOT_FOUND', `No location named, with id, or containing "${ref}". Add it with \`cairn location add <path>\`.`);
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/**
 * Adds `index`, `search`, `tag` and `dupes` to the `cairn` program.
 *
 * @example
 * registerIndexCommands(program, { io, getCore, call, libraryId, emit, json });
 */
export function registerIndexCommands(program: Command, d: IndexCommandDeps): void {
  const libOption = () => new Option('-l, --library <library>', 'library name or id (default: the default library)');

  program
    .command('index')
    .description('index a location now, with a progress bar and a summary')
    .argument('<location>', 'location name, id, or a path inside it')
    .addOption(libOption())
    .option('--full', 're-hash every file, not only new and changed ones')
    .action(async (ref: string, opts: { library?: string; full?: boolean }) => {
      const libraryId = await d.libraryId(opts.library);
      const loc = pickLocation(await d.call('locations.list', { libraryId }), ref);
      const core = await d.getCore();
      const started = Date.now();
      const { jobId } = await d.call('indexer.run', { libraryId, locationId: loc.id, ...(opts.full ? { full: true } : {}) });
      const tty = !d.json() && d.io.out.isTTY === true;
      const bar = tty ? new cliProgress.SingleBar({ format: '{bar} {percentage}% | {message}', stream: d.io.out as NodeJS.WriteStream, hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
      bar?.start(1, 0, { message: `Indexing ${loc.name}` });
      let lastLine = '';
      let lastAt = 0;
      const off = core.events.on('jobs.onDidProgress', ({ jobId: id, progress }) => {
        if (id !== jobId) return;
        const message = progress.message ?? '';
        if (bar) {
          if ('indeterminate' in progress) bar.update(0, { message });
          else {
            bar.setTotal(Math.max(1, progress.total));
            bar.update(progress.completed, { message });
          }
        } else if (!d.json()) {
          const phase = message.split(':')[0] ?? '';
          if (phase !== lastLine || Date.now() - lastAt > 2000) {
            d.io.out.write(`${message}\n`);
            lastLine = phase;
            lastAt = Date.now();
          }
        }
      });
      let done;
      try {
        done = await (await core.indexer.scheduler(libraryId)).waitFor(jobId);
      } finally {
        off();
        bar?.stop();
      }
      if (done.status !== 'completed') {
        throw new CairnError('INTERNAL', `Indexing ${loc.name} ${done.status}: ${done.errors.at(-1)?.message ?? 'no reason recorded'}`);
      }
      const status = (await core.indexer.status(libraryId)).find((s) => s.locationId === loc.id);
      const counts = status?.lastRun?.counts;
      const errors = await d.call('indexer.errors', { libraryId, locationId: loc.id, offset: 0, limit: 5 });
      const summary = { jobId, location: loc, durationMs: Date.now() - started, counts, entryCount: status?.entryCount ?? 0, errors };
      d.emit(summary, () => {
        const c = counts!;
        d.io.out.write(
          `Indexed "${loc.name}" in ${((Date.now() - started) / 1000).toFixed(1)} s: ${fmt(status?.entryCount ?? 0)} entries\n` +
            `  entries: ${fmt(c.new)} new, ${fmt(c.modified)} modified, ${fmt(c.moved)} moved, ${fmt(c.deleted)} deleted, ${fmt(c.unchanged)} unchanged\n` +
            `  contents: ${fmt(c.identified)} files identified (${(c.bytes / 2 ** 20).toFixed(1)} MiB), ${fmt(c.contents)} new contents\n` +
            `  media: ${fmt(c.exif)} EXIF, ${fmt(c.thumbnails)} thumbnails\n` +
            `  errors: ${fmt(errors.total)}\n`,
        );
        for (const e of errors.items) d.io.out.write(`    ${e.relPath || '.'}  [${e.phase} ${e.code}] ${e.message}\n`);
        if (errors.total > errors.items.length) d.io.out.write(`    … and ${fmt(errors.total - errors.items.length)} more\n`);
      });
    });

  const resolveTag = async (libraryId: string, name: string, create: boolean): Promise<string> => {
    const tags = await d.call('tags.list', { libraryId });
    const found = tags.find((t) => t.path.toLowerCase() === name.toLowerCase()) ?? tags.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (found) return found.id;
    if (!create) throw new CairnError('NOT_FOUND', `No tag named "${name}".`);
    return (await d.call('tags.create', { libraryId, name })).id;
  };

  program
    .command('search')
    .description('search names and folders, with filters')
    .argument('[words...]', 'words to look for (all must match)')
    .addOption(libOption())
    .option('--kind <kind>', 'image, video, audio, document, text, archive, code, executable, font, unknown')
    .option('--tag <tag>', 'only entries with this tag')
    .option('--from <date>', 'modified on or after (YYYY-MM-DD)')
    .option('--to <date>', 'modified before (YYYY-MM-DD)')
    .option('--location <location>', 'only this location (name, id or path)')
    .option('--limit <n>', 'results to show', (v) => Number(v), 50)
    .action(async (words: string[], opts: { library?: string; kind?: string; tag?: string; from?: string; to?: string; location?: string; limit: number }) => {
      const libraryId = await d.libraryId(opts.library);
      const locationId = opts.location ? pickLocation(await d.call('locations.list', { libraryId }), opts.location).id : undefined;
      const tagId = opts.tag ? await resolveTag(libraryId, opts.tag, false) : undefined;
      const result = await d.call('search.entries', {
        libraryId,
        query: words.join(' '),
        limit: opts.limit,
        ...(opts.kind ? { fileKind: opts.kind as never } : {}),
        ...(tagId ? { tagId } : {}),
        ...(locationId ? { locationId } : {}),
        ...(opts.from ? { from: opts.from } : {}),
        ...(opts.to ? { to: opts.to } : {}),
      });
      d.emit(result, () => {
        printTable(d.io.out, ['KIND', 'SIZE', 'MODIFIED', 'PATH'], result.items.map((e) => [e.fileKind ?? e.kind, fmt(e.size), (e.modifiedAt ?? '').slice(0, 10), e.relPath]));
        d.io.out.write(`${fmt(result.total)}${result.totalCapped ? '+' : ''} match${result.total === 1 ? '' : 'es'}\n`);
      });
    });

  program
    .command('tag')
    .description('tag files (every copy of their content, or with --entry-scope only these paths); --remove untags')
    .argument('<tag>', 'tag name (created if missing)')
    .argument('<paths...>', 'indexed files or folders')
    .addOption(libOption())
    .option('--entry-scope', 'tag only these paths, not every copy of the same content')
    .option('--remove', 'remove the tag instead')
    .action(async (tagName: string, paths: string[], opts: { library?: string; entryScope?: boolean; remove?: boolean }) => {
      const libraryId = await d.libraryId(opts.library);
      const locations = await d.call('locations.list', { libraryId });
      const lib = await (await d.getCore()).libraries.get(libraryId);
      const find = lib.raw.prepare('SELECT uuid FROM entries WHERE location_id = ? AND rel_path = ?');
      const entryIds = paths.map((p) => {
        let real: string;
        try {
          real = fs.realpathSync(path.resolve(p));
        } catch {
          throw new CairnError('NOT_FOUND', `No such file: ${p}`);
        }
        const loc = locations.find((l) => isSameOrInside(real, l.path));
        if (!loc) throw new CairnError('NOT_FOUND', `${p} is not inside any location of this library.`);
        const rel = path.relative(loc.path, real).split(path.sep).join('/');
        const row = find.get(loc.id, rel) as { uuid: string } | undefined;
        if (!row) throw new CairnError('NOT_FOUND', `${p} is not indexed yet; run \`cairn index ${loc.name}\`.`);
        return row.uuid;
      });
      const tagId = await resolveTag(libraryId, tagName, !opts.remove);
      const scope = opts.entryScope ? 'entry' : 'content';
      if (opts.remove) {
        const r = await d.call('tags.remove', { libraryId, tagId, entryIds, scope });
        d.emit(r, () => d.io.out.write(`Removed "${tagName}" from ${fmt(r.removed)} item(s)\n`));
      } else {
        const r = await d.call('tags.apply', { libraryId, tagId, entryIds, scope });
        d.emit(r, () => d.io.out.write(`Tagged ${fmt(r.applied)} item(s) "${tagName}" (${scope} scope)\n`));
      }
    });

  program
    .command('dupes')
    .description('list contents stored at more than one path, largest waste first')
    .addOption(libOption())
    .option('--limit <n>', 'groups to show', (v) => Number(v), 20)
    .action(async (opts: { library?: string; limit: number }) => {
      const libraryId = await d.libraryId(opts.library);
      const r = await d.call('entries.duplicates', { libraryId, offset: 0, limit: opts.limit });
      d.emit(r, () => {
        if (r.groups.length === 0) d.io.out.write('No duplicates.\n');
        for (const g of r.groups) {
          d.io.out.write(`${g.count} copies × ${fmt(g.size)} bytes (${fmt(g.wastedBytes)} wasted)\n`);
          for (const e of g.entries) d.io.out.write(`  ${e.relPath}\n`);
        }
        d.io.out.write(`${fmt(r.total)} group(s)\n`);
      });
    });
}
