import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Command } from 'commander';
import { buildExtension, formatDiagnostic } from './build-extension.js';
import { startDevLoop } from './dev-loop.js';
import { packExtension } from './pack-extension.js';
import { scaffoldExtension } from './scaffold-extension.js';
import { NODE_MODULES, REPO_ROOT } from './sdk-paths.js';
import { validateExtension, type ValidationReport } from './validate-extension.js';

/** Where the commands write; the CLI passes its own streams. */
export interface ExtIo {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
}

/** Thrown to end a command with a failure exit code, after its output has been written. */
export class ExtCommandFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtCommandFailed';
  }
}

function printValidation(io: ExtIo, r: ValidationReport): void {
  for (const i of r.issues) io.err.write(`${i.severity}: ${i.where}: ${i.message}\n`);
}

/**
 * Runs an extension's own tests (`**\/*.test.ts` in its folder) with vitest, after a build. Resolves to
 * vitest's exit code.
 *
 * @example
 * const code = await runExtensionTests('extensions/hello-tags', process);
 */
export async function runExtensionTests(extDir: string, io: ExtIo): Promise<number> {
  const dir = path.resolve(extDir);
  const vitest = path.join(NODE_MODULES, 'vitest', 'vitest.mjs');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vitest, 'run', '--root', dir, '--dir', dir, '--pool', 'forks', '--testTimeout', '60000', '--hookTimeout', '120000', '--exclude', '**/build/**', '--exclude', '**/node_modules/**'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    child.stdout.on('data', (d: Buffer) => io.out.write(d.toString()));
    child.stderr.on('data', (d: Buffer) => io.err.write(d.toString()));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/**
 * Adds the developer subcommands to `cairn ext` (creating `ext` if the CLI has none yet, reusing it
 * otherwise, so they sit beside the packages commands `install`, `list`, `grant`, …):
 *
 * - `new <id> [--dir] [--name]`: scaffold from sdk/templates/basic (builds and passes its test as generated);
 * - `build [dir]`: compile to build/plugin.wasm, errors printed as `file:line:column: error CODE: message`;
 * - `validate [dir] [--write-models] [--no-wasm]`: manifest (zod), ui_manifest (JSON Schema + filter
 *   language), model descriptors vs manifest, wasm exports vs declared jobs/tasks/actions/hooks;
 * - `pack [dir] [--out]`: build, validate, then write `<id>-<version>.cairnext`;
 * - `test [dir]`: build, then run the extension's vitest tests against a temporary library;
 * - `dev [dir]`: watch, rebuild and validate on every change.
 *
 * Failures throw {@link ExtCommandFailed} after printing, so the CLI exits with 1.
 *
 * @example
 * registerExtDevCommands(program, { out: process.stdout, err: process.stderr });
 */
export function registerExtDevCommands(program: Command, io: ExtIo, json: () => boolean = () => false): void {
  const ext = program.commands.find((c) => c.name() === 'ext') ?? program.command('ext').description('create, build, check, pack, test and install extensions');
  const emit = (value: unknown, human: () => void) => {
    if (json()) io.out.write(JSON.stringify(value, null, 2) + '\n');
    else human();
  };

  ext
    .command('new')
    .description('scaffold a new extension from the SDK template')
    .argument('<id>', 'reverse-DNS id, e.g. com.example.hello')
    .option('--dir <dir>', 'folder to create (default: last part of the id)')
    .option('--name <name>', 'display name')
    .action((id: string, opts: { dir?: string; name?: string }) => {
      const dir = scaffoldExtension(id, { ...(opts.dir ? { dir: opts.dir } : {}), ...(opts.name ? { name: opts.name } : {}) });
      emit({ id, dir }, () => io.out.write(`Created ${id} in ${dir}\nNext: cairn ext build ${path.relative(process.cwd(), dir) || '.'}\n`));
    });

  const build = async (dir: string) => {
    const r = await buildExtension(dir);
    for (const d of r.diagnostics) if (d.severity !== 'info') io.err.write(formatDiagnostic(d) + '\n');
    if (!r.ok) throw new ExtCommandFailed(`build failed with ${r.diagnostics.filter((d) => d.severity === 'error').length} error(s)`);
    return r;
  };

  ext
    .command('build')
    .description('compile assembly/index.ts to build/plugin.wasm')
    .argument('[dir]', 'extension folder', '.')
    .action(async (dir: string) => {
      const r = await build(dir);
      emit({ wasm: r.wasmPath, ms: Math.round(r.ms) }, () => io.out.write(`Built ${r.wasmPath} in ${(r.ms / 1000).toFixed(1)} s\n`));
    });

  ext
    .command('validate')
    .description('check manifest.json, ui_manifest.json, model descriptors and the wasm exports')
    .argument('[dir]', 'extension folder', '.')
    .option('--write-models', "regenerate manifest.json's models from the ModelDescriptors in the sources")
    .option('--no-wasm', 'skip the export check')
    .action((dir: string, opts: { writeModels?: boolean; wasm: boolean }) => {
      const r = validateExtension(dir, { writeModels: opts.writeModels === true, skipWasm: !opts.wasm });
      printValidation(io, r);
      emit({ ok: r.ok, issues: r.issues, exports: r.exports }, () =>
        io.out.write(r.ok ? `${r.manifest?.id ?? dir} is valid (${r.exports ? r.exports.filter((e) => e !== 'memory').length + ' exports checked' : 'exports not checked'})\n` : ''),
      );
      if (!r.ok) throw new ExtCommandFailed(`${r.issues.filter((i) => i.severity === 'error').length} problem(s)`);
    });

  ext
    .command('pack')
    .description('build, validate and write <id>-<version>.cairnext')
    .argument('[dir]', 'extension folder', '.')
    .option('--out <dir>', 'output folder (default: <dir>/build)')
    .action(async (dir: string, opts: { out?: string }) => {
      await build(dir);
      const v = validateExtension(dir);
      printValidation(io, v);
      if (!v.ok) throw new ExtCommandFailed('validation failed; nothing packed');
      const r = await packExtension(dir, opts.out);
      emit(r, () => io.out.write(`Packed ${r.file} (${r.files.length} files, ${r.packer})\n`));
    });

  ext
    .command('test')
    .description("build, then run the extension's tests against a temporary library")
    .argument('[dir]', 'extension folder', '.')
    .action(async (dir: string) => {
      await build(dir);
      const code = await runExtensionTests(dir, io);
      if (code !== 0) throw new ExtCommandFailed('tests failed');
    });

  ext
    .command('dev')
    .description('watch the sources; rebuild and validate on every change')
    .argument('[dir]', 'extension folder', '.')
    .action(async (dir: string) => {
      await new Promise<void>((resolve) => {
        const stop = startDevLoop(dir, {
          onCycle: ({ build: b, validation }) => {
            for (const d of b.diagnostics) if (d.severity !== 'info') io.err.write(formatDiagnostic(d) + '\n');
            if (validation) printValidation(io, validation);
            const ok = b.ok && validation?.ok === true;
            io.out.write(`${new Date().toLocaleTimeString()} ${ok ? 'built and valid' : 'needs fixing'} (${(b.ms / 1000).toFixed(1)} s)` +
              (ok ? ' — reinstall with `cairn ext pack` + `cairn ext install` (no live reload yet)\n' : '\n'));
          },
        });
        const done = () => {
          stop();
          resolve();
        };
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
    });
}
