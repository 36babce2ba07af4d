import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ValidateFunction } from 'ajv';
import { Manifest, exportNames } from '../../src-shared/extensions/manifest.js';
import { parseFilter } from '../../src-shared/filters/filter-language.js';
import { SCHEMAS_DIR } from './sdk-paths.js';

/** One finding of `validateExtension`; `where` names the file and JSON path or source line. */
export interface ValidationIssue {
  severity: 'error' | 'warning';
  where: string;
  message: string;
}

export interface ValidationReport {
  ok: boolean;
  issues: ValidationIssue[];
  /** The parsed manifest (with defaults), when it parsed. */
  manifest: Manifest | null;
  /** Exports of the built wasm, when it was checked. */
  exports: string[] | null;
  /** Model descriptors found in the sources. */
  models: ModelDescriptorDecl[];
}

/** A `new ModelDescriptor("Type", "scope", "sync", ["blob", …])` found in an extension's source. */
export interface ModelDescriptorDecl {
  type: string;
  scope: string;
  sync_strategy: string;
  blob_fields: string[];
  where: string;
}

export interface ValidateOptions {
  /** Skip the export check (no build yet). */
  skipWasm?: boolean;
  /** Rewrite the manifest's `models` from the source descriptors before checking. */
  writeModels?: boolean;
}

/** Exports every AssemblyScript module has and the host ignores. */
const ALWAYS_ALLOWED_EXPORTS = new Set(['memory']);

const require = createRequire(import.meta.url);

/** The few `WebAssembly` members used here (tsconfig.node.json has no DOM lib; see extension-host/sandbox/wasm-api.ts). */
interface WasmDescriptor { module?: string; name: string; kind: string }
const Wasm = (globalThis as unknown as {
  WebAssembly: { Module: { new (bytes: Uint8Array): object; exports(m: object): WasmDescriptor[]; imports(m: object): Required<WasmDescriptor>[] } };
}).WebAssembly;
let uiValidator: ValidateFunction | null = null;
function uiManifestValidator(): ValidateFunction {
  if (!uiValidator) {
    const AjvCtor = (require('ajv') as { Ajv: typeof AjvClass }).Ajv;
    const ajv = new AjvCtor({ allErrors: true, strict: true });
    uiValidator = ajv.compile(JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, 'ui_manifest.schema.json'), 'utf8')));
  }
  return uiValidator;
}

/**
 * Finds model descriptors in an extension's AssemblyScript sources (`assembly/**\/*.ts`). The convention is
 * `new ModelDescriptor("Type", "scope", "sync", ["blob", …])` with literal arguments; a descriptor written
 * any other way is reported, because the manifest could not be checked against it.
 *
 * @example
 * scanModelDescriptors('extensions/test-extension') // [{ type: 'FileNote', scope: 'content', … }]
 */
export function scanModelDescriptors(extDir: string): { models: ModelDescriptorDecl[]; issues: ValidationIssue[] } {
  const models: ModelDescriptorDecl[] = [];
  const issues: ValidationIssue[] = [];
  const root = path.join(extDir, 'assembly');
  const files: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.ts')) files.push(path.join(d, e.name));
    }
  };
  walk(root);
  const literal = /new\s+ModelDescriptor\s*\(\s*"([^"]*)"\s*,\s*"([^"]*)"\s*(?:,\s*"([^"]*)"\s*)?(?:,\s*\[([^\]]*)\]\s*)?\)/g;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(extDir, file);
    const lineOf = (i: number) => text.slice(0, i).split('\n').length;
    const found = new Set<number>();
    for (const m of text.matchAll(literal)) {
      found.add(m.index);
      const blobs = (m[4] ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      const bad = blobs.find((b) => !/^"[^"]*"$/.test(b));
      if (bad) {
        issues.push({ severity: 'error', where: `${rel}:${lineOf(m.index)}`, message: `blob fields of ModelDescriptor must be string literals (found ${bad})` });
        continue;
      }
      models.push({ type: m[1]!, scope: m[2]!, sync_strategy: m[3] ?? 'shared', blob_fields: blobs.map((b) => b.slice(1, -1)), where: `${rel}:${lineOf(m.index)}` });
    }
    for (const m of text.matchAll(/new\s+ModelDescriptor\s*\(/g)) {
      if (!found.has(m.index)) issues.push({ severity: 'error', where: `${rel}:${lineOf(m.index)}`, message: 'write ModelDescriptor with literal arguments: new ModelDescriptor("Type", "content", "shared", ["field"])' });
    }
  }
  return { models, issues };
}

/**
 * Checks an extension folder before it is packed:
 * - `manifest.json` against the manifest schema of `src-shared/extensions/manifest.ts` (zod);
 * - `ui_manifest.json` (optional) against `sdk/schemas/ui_manifest.schema.json` (ajv), every sidebar `query`
 *   and view `source` against the filter language, and ids unique;
 * - model descriptors in the sources against the manifest's `models` (type, scope, sync strategy, blob
 *   fields), both ways; `writeModels` regenerates the manifest's `models` from the sources instead;
 * - `build/plugin.wasm`: every declared job, task, action (preview and execute; undo is optional), hook and init export
 *   exists as a function, and no function export is undeclared.
 *
 * Never throws for a bad extension: everything is reported as issues. `ok` is false when any is an error.
 *
 * @example
 * const r = validateExtension('extensions/hello-tags');
 * for (const i of r.issues) console.log(`${i.severity} ${i.where}: ${i.message}`);
 */
export function validateExtension(extDir: string, options: ValidateOptions = {}): ValidationReport {
  const dir = path.resolve(extDir);
  const issues: ValidationIssue[] = [];
  const report: ValidationReport = { ok: false, issues, manifest: null, exports: null, models: [] };

  const manifestPath = path.join(dir, 'manifest.json');
  let raw: unknown = null;
  try {
    raw = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    issues.push({ severity: 'error', where: 'manifest.json', message: `cannot read: ${(error as Error).message}` });
  }

  const scanned = scanModelDescriptors(dir);
  report.models = scanned.models;
  issues.push(...scanned.issues);

  if (raw !== null && options.writeModels && typeof raw === 'object') {
    (raw as Record<string, unknown>)['models'] = scanned.models.map((m) => ({ type: m.type, scope: m.scope, sync_strategy: m.sync_strategy, blob_fields: m.blob_fields }));
    fs.writeFileSync(manifestPath, JSON.stringify(raw, null, 2) + '\n');
  }

  if (raw !== null) {
    const parsed = Manifest.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push({ severity: 'error', where: `manifest.json ${issue.path.map(String).join('.') || '(root)'}`, message: issue.message });
    } else {
      report.manifest = parsed.data;
    }
  }

  const m = report.manifest;
  if (m) {
    for (const d of scanned.models) {
      const decl = m.models.find((x) => x.type === d.type);
      if (!decl) {
        issues.push({ severity: 'error', where: d.where, message: `model ${d.type} is not declared in manifest.json "models" (run validate --write-models)` });
        continue;
      }
      if (decl.scope !== d.scope) issues.push({ severity: 'error', where: d.where, message: `model ${d.type}: source scope "${d.scope}", manifest "${decl.scope}"` });
      if (decl.sync_strategy !== d.sync_strategy) issues.push({ severity: 'error', where: d.where, message: `model ${d.type}: source sync strategy "${d.sync_strategy}", manifest "${decl.sync_strategy}"` });
      const a = [...decl.blob_fields].sort().join(',');
      const b = [...d.blob_fields].sort().join(',');
      if (a !== b) issues.push({ severity: 'error', where: d.where, message: `model ${d.type}: source blob fields [${b}], manifest [${a}]` });
    }
    for (const decl of m.models) {
      if (!scanned.models.some((d) => d.type === decl.type)) issues.push({ severity: 'error', where: 'manifest.json models', message: `model ${decl.type} has no ModelDescriptor in the sources` });
    }
  }

  const uiPath = path.join(dir, 'ui_manifest.json');
  if (fs.existsSync(uiPath)) {
    try {
      const ui = JSON.parse(fs.readFileSync(uiPath, 'utf8')) as { sidebar?: { id: string; query: string }[]; views?: { id: string; source: string }[] };
      const validate = uiManifestValidator();
      if (!validate(ui)) {
        for (const e of validate.errors ?? []) issues.push({ severity: 'error', where: `ui_manifest.json ${e.instancePath || '(root)'}`, message: `${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}` });
      } else {
        const ids = new Set<string>();
        const checkQuery = (where: string, q: string) => {
          try {
            parseFilter(q);
          } catch (error) {
            issues.push({ severity: 'error', where, message: `not a valid filter: ${(error as Error).message}` });
          }
        };
        (ui.sidebar ?? []).forEach((s, i) => {
          if (ids.has(s.id)) issues.push({ severity: 'error', where: `ui_manifest.json /sidebar/${i}`, message: `duplicate id "${s.id}"` });
          ids.add(s.id);
          checkQuery(`ui_manifest.json /sidebar/${i}/query`, s.query);
        });
        (ui.views ?? []).forEach((v, i) => {
          if (ids.has(v.id)) issues.push({ severity: 'error', where: `ui_manifest.json /views/${i}`, message: `duplicate id "${v.id}"` });
          ids.add(v.id);
          checkQuery(`ui_manifest.json /views/${i}/source`, v.source);
        });
      }
    } catch (error) {
      issues.push({ severity: 'error', where: 'ui_manifest.json', message: `cannot read: ${(error as Error).message}` });
    }
  }

  if (m && !options.skipWasm) {
    const wasmPath = path.join(dir, 'build', 'plugin.wasm');
    if (!fs.existsSync(wasmPath)) {
      issues.push({ severity: 'error', where: 'build/plugin.wasm', message: 'missing: run `cairn ext build` first' });
    } else {
      try {
        const mod = new Wasm.Module(fs.readFileSync(wasmPath));
        const fns = Wasm.Module.exports(mod).filter((e) => e.kind === 'function').map((e) => e.name);
        report.exports = Wasm.Module.exports(mod).map((e) => e.name);
        const expected = new Map<string, string>();
        for (const j of m.jobs) expected.set(exportNames.job(j), `job ${j.name}`);
        for (const t of m.tasks) expected.set(exportNames.task(t), `task ${t.name}`);
        for (const a of m.actions) {
          expected.set(exportNames.actionPreview(a), `action ${a.name} (preview)`);
          expected.set(exportNames.actionExecute(a), `action ${a.name} (execute)`);
          // Its choice params take their options from the options export.
          if (a.params.some((p) => p.type === 'choice')) expected.set(exportNames.actionOptions(a), `action ${a.name} (options of its choice params)`);
        }
        for (const h of m.hooks) expected.set(h.export, `hook ${h.event}`);
        if (m.init_export) expected.set(m.init_export, 'init');
        for (const [name, what] of expected) {
          if (!fns.includes(name)) issues.push({ severity: 'error', where: 'build/plugin.wasm', message: `${what} needs an exported function "${name}", which the module does not export` });
        }
        // An action's undo export is optional: without it the action cannot be undone.
        const optional = new Set(m.actions.map((a) => exportNames.actionUndo(a)));
        for (const name of fns) {
          if (!expected.has(name) && !optional.has(name) && !ALWAYS_ALLOWED_EXPORTS.has(name)) issues.push({ severity: 'error', where: 'build/plugin.wasm', message: `export "${name}" is not declared in manifest.json (as a job, task, action, hook or init_export)` });
        }
        const bad = Wasm.Module.imports(mod).filter((i) => i.module !== 'extism:host/env' && !(i.module === 'cairn' && i.name === 'vdfs_call'));
        for (const i of bad) issues.push({ severity: 'error', where: 'build/plugin.wasm', message: `imports ${i.module}.${i.name}, which the host does not provide${i.module === 'env' && i.name === 'abort' ? ' (build with --use abort=…; `cairn ext build` does)' : ''}` });
      } catch (error) {
        issues.push({ severity: 'error', where: 'build/plugin.wasm', message: `not a WebAssembly module: ${(error as Error).message}` });
      }
    }
  }

  report.ok = !issues.some((i) => i.severity === 'error');
  return report;
}
