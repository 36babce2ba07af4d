import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { buildExtension, formatDiagnostic, type BuildResult } from './build-extension.js';
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

/** Installs or upgrades a packed development build in a library; returns one line for the user (see `installForDev`). */
export type DevReload = (file: string, opts: { library?: string; grant?: string[] }) => Promise<string>;

/**
 * Packs the extension in `extDir` (already built) as the development version {@link devVersion} into
 * `<extDir>/build/dev/`, from a staged copy whose manifest carries that version, so the sources are never
 * touched. Returns the package path. Throws what `packExtension` throws.
 *
 * @example
 * const file = await packDevBuild('extensions/hello-tags', Date.now());
 */
export async function packDevBuild(extDir: string, stamp: number): Promise<string> {
  const dir = path.resolve(extDir);
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-dev-pack-'));
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { version: string };
    manifest.version = devVersion(manifest.version, stamp);
    fs.writeFileSync(path.join(stage, 'manifest.json'), JSON.stringify(manifest, null, 2));
    fs.mkdirSync(path.join(stage, 'build'));
    fs.copyFileSync(path.join(dir, 'build', 'plugin.wasm'), path.join(stage, 'build', 'plugin.wasm'));
    for (const name of ['ui_manifest.json', 'assets', 'prompts']) {
      if (fs.existsSync(path.join(dir, name))) fs.cpSync(path.join(dir, name), path.join(stage, name), { recursive: true });
    }
    const out = path.join(dir, 'build', 'dev');
    fs.rmSync(out, { recursive: true, force: true });
    return (await packExtension(stage, out)).file;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * The version a development build installs as: the next patch as a prerelease stamped with `stamp`, so each
 * build upgrades the one before it and the next real release (`x.y.(z+1)`) upgrades them all.
 *
 * @example
 * devVersion('0.1.0', 1732400000000) // '0.1.1-dev.1732400000000'
 */
export function devVersion(version: string, stamp: number): string {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`manifest version ${version} is not semver`);
  return `${m[1]}.${m[2]}.${Number(m[3]) + 1}-dev.${Math.floor(stamp)}`;
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
 * - `dev [dir] [--library] [--grant] [--once] [--no-reload]`: watch, rebuild and validate on every change,
 *   then pack `x.y.(z+1)-dev.<time>` and install or upgrade it in the library through `reload` (data kept).
 *
 * Failures throw {@link ExtCommandFailed} after printing, so the CLI exits with 1.
 *
 * @example
 * registerExtDevCommands(program, { out: process.stdout, err: process.stderr });
 */
export function registerExtDevCommands(program: Command, io: ExtIo, json: () => boolean = () => false, reload?: DevReload): void {
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
    .description('watch the sources; on every change rebuild, validate and reload the extension into a library (data kept)')
    .argument('[dir]', 'extension folder', '.')
    .option('-l, --library <library>', 'library to reload into (default: the default library)')
    .option('--grant <perm[=location[/subfolder]]>', 'grant on first install (repeatable), as for `cairn ext install`', (v: string, prev: string[] = []) => [...prev, v])
    .option('--no-reload', 'only rebuild and validate')
    .option('--once', 'one build (and reload), then exit: non-zero when the build, validation or reload failed')
    .action(async (dir: string, opts: { library?: string; grant?: string[]; reload: boolean; once?: boolean }) => {
      let failed = false;
      const cycle = async ({ build: b, validation }: { build: BuildResult; validation: ValidationReport | null }) => {
        for (const d of b.diagnostics) if (d.severity !== 'info') io.err.write(formatDiagnostic(d) + '\n');
        if (validation) printValidation(io, validation);
        const ok = b.ok && validation?.ok === true;
        const at = new Date().toLocaleTimeString();
        if (!ok) {
          failed = true;
          io.out.write(`${at} needs fixing (${(b.ms / 1000).toFixed(1)} s); the last good version stays installed\n`);
          return;
        }
        if (!opts.reload || !reload) {
          failed = false;
          io.out.write(`${at} built and valid (${(b.ms / 1000).toFixed(1)} s)\n`);
          return;
        }
        try {
          const file = await packDevBuild(dir, Date.now());
          io.out.write(`${at} built and valid (${(b.ms / 1000).toFixed(1)} s); ${await reload(file, { library: opts.library, grant: opts.grant })}\n`);
          failed = false;
        } catch (error) {
          failed = true;
          io.err.write(`${at} reload failed: ${(error as Error).message}\n`);
        }
      };
      if (opts.once) {
        const b = await buildExtension(path.resolve(dir), { debug: true });
        await cycle({ build: b, validation: b.ok ? validateExtension(dir) : null });
        if (failed) throw new ExtCommandFailed('the development build was not reloaded');
        return;
      }
      await new Promise<void>((resolve) => {
        const stop = startDevLoop(dir, { onCycle: cycle });
        const done = () => {
          stop();
          resolve();
        };
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
    });
}
