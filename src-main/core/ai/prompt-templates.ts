import fs from 'node:fs';
import path from 'node:path';
import { Template } from '@huggingface/jinja';
import { CairnError } from '../../../src-shared/errors.js';

/** Largest template file read, and largest rendered prompt. */
export const MAX_TEMPLATE_BYTES = 64 * 1024;
export const MAX_PROMPT_CHARS = 200_000;
const NAME = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*(\.[A-Za-z0-9]+)?$/;
const EXTENSIONS = ['.jinja', '.j2', '.txt', '.md'];

/**
 * Renders a Jinja prompt template from an extension package's `prompts/` folder with @huggingface/jinja
 * (an interpreter with no access to JavaScript, the file system or the network).
 *
 * `name` is a `/`-separated path inside `prompts/`; without an extension, `.jinja` is tried, then `.j2`,
 * `.txt`, `.md`. Path checks: no `..`, no absolute paths, no backslashes, only letters, digits, `_` and `-`
 * in segments, and the resolved file (symlinks followed) must stay inside `prompts/`.
 *
 * Failure modes: `VALIDATION` (bad name, template too large, syntax or render error, prompt too long),
 * `NOT_FOUND` (no such template), `PERMISSION_DENIED` (the path leads outside `prompts/`).
 *
 * @example
 * // <pkg>/prompts/caption.jinja: "Describe {{ subject }}{% if place %} in {{ place }}{% endif %}."
 * renderPrompt(pkg, 'caption', { subject: 'a cat', place: 'Paris' }); // 'Describe a cat in Paris.'
 */
export function renderPrompt(packageDir: string, name: string, vars: Record<string, unknown> = {}): string {
  if (typeof name !== 'string' || name.length > 200 || !NAME.test(name)) {
    throw new CairnError('VALIDATION', `Invalid prompt template name ${JSON.stringify(String(name).slice(0, 100))}: use a path like "people/describe".`);
  }
  const promptsDir = path.join(path.resolve(packageDir), 'prompts');
  let root: string;
  try {
    root = fs.realpathSync(promptsDir);
  } catch {
    throw new CairnError('NOT_FOUND', 'The package has no prompts/ folder.');
  }
  const candidates = path.extname(name) ? [name] : EXTENSIONS.map((ext) => name + ext);
  let file: string | undefined;
  for (const candidate of candidates) {
    const lexical = path.join(root, ...candidate.split('/'));
    if (!lexical.startsWith(root + path.sep)) throw new CairnError('PERMISSION_DENIED', 'The template path leads outside prompts/.');
    let real: string;
    try {
      real = fs.realpathSync(lexical);
    } catch {
      continue;
    }
    if (!real.startsWith(root + path.sep)) throw new CairnError('PERMISSION_DENIED', 'The template path leads outside prompts/ (through a symlink).');
    file = real;
    break;
  }
  if (!file) throw new CairnError('NOT_FOUND', `No prompt template ${name} in prompts/.`);
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new CairnError('NOT_FOUND', `${name} is not a file.`);
  if (stat.size > MAX_TEMPLATE_BYTES) throw new CairnError('VALIDATION', `The template ${name} has ${stat.size} bytes; at most ${MAX_TEMPLATE_BYTES}.`);
  const source = fs.readFileSync(file, 'utf8');
  let rendered: string;
  try {
    rendered = new Template(source).render(vars);
  } catch (error) {
    throw new CairnError('VALIDATION', `The template ${name} failed: ${(error as Error).message}`);
  }
  if (rendered.length > MAX_PROMPT_CHARS) throw new CairnError('VALIDATION', `The rendered prompt has ${rendered.length} characters; at most ${MAX_PROMPT_CHARS}.`);
  return rendered;
}
