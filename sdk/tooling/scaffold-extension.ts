import fs from 'node:fs';
import path from 'node:path';
import { ExtensionId } from '../../src-shared/extensions/manifest.js';
import { REPO_ROOT, TEMPLATES_DIR } from './sdk-paths.js';

export interface ScaffoldOptions {
  /** Folder to create (default: the last part of the id, in the current folder). */
  dir?: string;
  /** Display name (default: the last part of the id, capitalised). */
  name?: string;
  publisher?: string;
  /** Template folder name under sdk/templates (default `basic`). */
  template?: string;
}

/**
 * Creates a working extension from `sdk/templates/<template>/`: manifest.json, ui_manifest.json,
 * assembly/index.ts (a job that tags granted files by kind), test/extension.test.ts, README.md and
 * asconfig.json. The result builds, validates and passes its test as generated.
 *
 * Failure modes (thrown `Error`s): an id that is not reverse-DNS (`com.example.hello`), a target folder that
 * exists and is not empty, an unknown template.
 *
 * @example
 * const dir = scaffoldExtension('com.example.hello');  // ./hello
 */
export function scaffoldExtension(id: string, options: ScaffoldOptions = {}): string {
  const parsed = ExtensionId.safeParse(id);
  if (!parsed.success) throw new Error(`"${id}" is not a valid extension id: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const last = id.split('.').pop()!;
  const dir = path.resolve(options.dir ?? last);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) throw new Error(`${dir} exists and is not empty`);
  const template = path.join(TEMPLATES_DIR, options.template ?? 'basic');
  if (!fs.existsSync(template)) throw new Error(`no template "${options.template}" in ${TEMPLATES_DIR}`);
  const name = options.name ?? last.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
  const toolingFromTest = path.relative(path.join(dir, 'test'), path.join(REPO_ROOT, 'sdk', 'tooling')).split(path.sep).join('/');
  const values: Record<string, string> = {
    ID: id,
    NAME: name,
    PUBLISHER: options.publisher ?? id.split('.').slice(0, 2).join('.'),
    TOOLING: toolingFromTest.startsWith('.') ? toolingFromTest : `./${toolingFromTest}`,
  };
  const copy = (from: string, to: string) => {
    fs.mkdirSync(to, { recursive: true });
    for (const e of fs.readdirSync(from, { withFileTypes: true })) {
      const src = path.join(from, e.name);
      if (e.isDirectory()) {
        copy(src, path.join(to, e.name));
        continue;
      }
      const text = fs.readFileSync(src, 'utf8').replace(/\{\{(\w+)\}\}/g, (all, key: string) => values[key] ?? all);
      fs.writeFileSync(path.join(to, e.name.replace(/\.tmpl$/, '')), text);
    }
  };
  copy(template, dir);
  fs.writeFileSync(path.join(dir, '.gitignore'), 'build/\n');
  return dir;
}
