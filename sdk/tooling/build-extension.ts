import fs from 'node:fs';
import path from 'node:path';
import { ABORT_HANDLER, JSON_AS_TRANSFORM, NODE_MODULES, SDK_ASSEMBLY_DIR } from './sdk-paths.js';

/** One compiler message with its source position (1-based line and column). */
export interface BuildDiagnostic {
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  /** Path as the compiler names it: relative to the extension's parent folder, or `~lib/cairn-sdk/…`. */
  file: string | null;
  line: number | null;
  column: number | null;
}

export interface BuildResult {
  ok: boolean;
  /** Absolute path of `build/plugin.wasm` (written only when ok). */
  wasmPath: string;
  diagnostics: BuildDiagnostic[];
  /** The compiler's own text output, for humans. */
  log: string;
  ms: number;
}

export interface BuildOptions {
  /** Entry file relative to the extension folder (default `assembly/index.ts`). */
  entry?: string;
  /** Skip optimisation (faster, for `dev`). */
  debug?: boolean;
}

/**
 * Compiles an extension's AssemblyScript to `build/plugin.wasm` with the flags Cairn guests need: the
 * json-as transform, `--runtime incremental`, the SDK on the package path as `cairn-sdk`, and
 * `--use abort=` pointing at the SDK's handler (without it the module imports `env.abort` and fails to load).
 *
 * The compiler runs with the extension's parent folder as its base directory: json-as 1.6.0 treats any file
 * whose internal path is exactly `assembly/index` as its own library and drops its exports.
 *
 * Never throws for compile errors: they come back as diagnostics with file, line and column. Throws only
 * when the folder has no entry file.
 *
 * @example
 * const r = await buildExtension('extensions/hello-tags');
 * if (!r.ok) for (const d of r.diagnostics) console.error(`${d.file}:${d.line}:${d.column} ${d.message}`);
 */
export async function buildExtension(extDir: string, options: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const dir = path.resolve(extDir);
  const entry = options.entry ?? 'assembly/index.ts';
  if (!fs.existsSync(path.join(dir, entry))) throw new Error(`${path.join(dir, entry)} does not exist`);
  const buildDir = path.join(dir, 'build');
  const depsDir = path.join(buildDir, '.deps');
  fs.mkdirSync(depsDir, { recursive: true });
  // asc resolves `import … from "cairn-sdk"` as <path>/cairn-sdk/index.ts; a link keeps one copy of the SDK.
  const link = path.join(depsDir, 'cairn-sdk');
  let current: string | null = null;
  try {
    current = fs.readlinkSync(link);
  } catch {
    current = null;
  }
  if (current !== SDK_ASSEMBLY_DIR) {
    fs.rmSync(link, { force: true, recursive: true });
    fs.symlinkSync(SDK_ASSEMBLY_DIR, link, 'dir');
  }
  const wasmPath = path.join(buildDir, 'plugin.wasm');
  const tmpWasm = path.join(buildDir, 'plugin.wasm.tmp');
  const base = path.dirname(dir);
  const rel = path.basename(dir);
  const args = [
    path.posix.join(rel, entry.split(path.sep).join('/')),
    '--baseDir', base,
    '-o', tmpWasm,
    '--runtime', 'incremental',
    '--transform', JSON_AS_TRANSFORM,
    '--path', depsDir,
    '--path', NODE_MODULES,
    '--use', `abort=${ABORT_HANDLER}`,
    '--noColors',
    ...(options.debug ? ['--debug'] : ['--optimize']),
  ];
  let text = '';
  const sink = { write: (chunk: string | Uint8Array) => { text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'); return true; } };
  const asc = await import('assemblyscript/asc');
  const { error } = await asc.main(args, { stdout: sink as never, stderr: sink as never });
  // Name files as the user sees them: relative to the current folder (SDK files keep their ~lib/ name).
  const diagnostics = parseDiagnostics(text).map((d) => (d.file && !d.file.startsWith('~lib/') ? { ...d, file: path.relative(process.cwd(), path.join(base, d.file)) } : d));
  const ok = !error && !diagnostics.some((d) => d.severity === 'error') && fs.existsSync(tmpWasm);
  if (ok) fs.renameSync(tmpWasm, wasmPath);
  else fs.rmSync(tmpWasm, { force: true });
  if (!ok && diagnostics.length === 0) diagnostics.push({ severity: 'error', code: 'ASC', message: error?.message ?? 'compilation failed', file: null, line: null, column: null });
  return { ok, wasmPath, diagnostics, log: text, ms: performance.now() - started };
}

/**
 * Parses asc's text diagnostics (`ERROR TS2304: Cannot find name 'x'.` … `└─ in file.ts(3,5)`).
 *
 * @example
 * parseDiagnostics("ERROR TS2304: Cannot find name 'x'.\n   :\n    └─ in hello/assembly/index.ts(3,5)\n")
 * // [{ severity: 'error', code: 'TS2304', message: "Cannot find name 'x'.", file: 'hello/assembly/index.ts', line: 3, column: 5 }]
 */
export function parseDiagnostics(text: string): BuildDiagnostic[] {
  const out: BuildDiagnostic[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = /^(ERROR|WARNING|INFO) (\w+): (.*)$/.exec(lines[i]!.trim());
    if (!head) continue;
    const d: BuildDiagnostic = { severity: head[1] === 'ERROR' ? 'error' : head[1] === 'WARNING' ? 'warning' : 'info', code: head[2]!, message: head[3]!, file: null, line: null, column: null };
    for (let j = i + 1; j < lines.length && j < i + 12; j++) {
      if (/^(ERROR|WARNING|INFO) /.test(lines[j]!.trim())) break;
      const pos = /in (.+)\((\d+),(\d+)\)\s*$/.exec(lines[j]!);
      if (pos) {
        d.file = pos[1]!;
        d.line = Number(pos[2]);
        d.column = Number(pos[3]);
        break;
      }
    }
    out.push(d);
  }
  return out;
}

/** One line per diagnostic: `file:line:column: error TS2304: message`. */
export function formatDiagnostic(d: BuildDiagnostic): string {
  const where = d.file ? `${d.file}:${d.line ?? 0}:${d.column ?? 0}: ` : '';
  return `${where}${d.severity} ${d.code}: ${d.message}`;
}
