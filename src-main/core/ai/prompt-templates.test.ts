import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/temp-dir.js';
import { renderPrompt } from './prompt-templates.js';

const tmp = makeTempDir('cairn-prompts');
afterAll(() => tmp.cleanup());
const pkg = path.join(tmp.dir, 'pkg');
fs.mkdirSync(path.join(pkg, 'prompts', 'people'), { recursive: true });
fs.writeFileSync(path.join(pkg, 'prompts', 'caption.jinja'), 'Describe {{ subject }}{% if place %} in {{ place }}{% endif %}.');
fs.writeFileSync(path.join(pkg, 'prompts', 'people', 'list.j2'), '{% for p in people %}{{ loop.index }}. {{ p | upper }}\n{% endfor %}');
fs.writeFileSync(path.join(pkg, 'prompts', 'broken.jinja'), '{% if x %}never closed');
fs.writeFileSync(path.join(tmp.dir, 'secret.txt'), 'outside the package');
fs.symlinkSync(path.join(tmp.dir, 'secret.txt'), path.join(pkg, 'prompts', 'escape.txt'));
fs.writeFileSync(path.join(pkg, 'manifest.json'), '{}');

describe('renderPrompt', () => {
  it('renders Jinja templates from prompts/, with or without the extension', () => {
    expect(renderPrompt(pkg, 'caption', { subject: 'a cat', place: 'Paris' })).toBe('Describe a cat in Paris.');
    expect(renderPrompt(pkg, 'caption.jinja', { subject: 'a cat' })).toBe('Describe a cat.');
    expect(renderPrompt(pkg, 'people/list', { people: ['ada', 'grace'] })).toBe('1. ADA\n2. GRACE\n');
  });

  it('refuses names that leave prompts/, and symlinks that lead out', () => {
    for (const bad of ['../manifest.json', '/etc/passwd', 'people/../../manifest', 'a\\b', '', 'people//list', '.hidden']) {
      expect(() => renderPrompt(pkg, bad), bad).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    }
    expect(() => renderPrompt(pkg, 'escape.txt')).toThrow(expect.objectContaining({ code: 'PERMISSION_DENIED' }));
  });

  it('reports missing templates and template errors as values with codes', () => {
    expect(() => renderPrompt(pkg, 'nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => renderPrompt(tmp.dir + '/none', 'caption')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => renderPrompt(pkg, 'broken')).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });
});
