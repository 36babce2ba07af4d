import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir } from '../../src-main/core/testing/temp-dir.js';
import { buildExtension, parseDiagnostics } from './build-extension.js';
import { scaffoldExtension } from './scaffold-extension.js';
import { validateExtension } from './validate-extension.js';

const tmp = makeTempDir('cairn-validate');
let dir = '';
beforeAll(async () => {
  dir = scaffoldExtension('com.example.checked', { dir: path.join(tmp.dir, 'checked') });
  fs.appendFileSync(path.join(dir, 'assembly', 'index.ts'), '\nexport function task_extra(): i32 { return 0; }\n@json class M { static readonly MODEL: ModelDescriptor = new ModelDescriptor("Thing", "content", "shared", ["blob"]); x: i32 = 0; }\n');
  fs.writeFileSync(path.join(dir, 'assembly', 'index.ts'), fs.readFileSync(path.join(dir, 'assembly', 'index.ts'), 'utf8').replace('import { Host,', 'import { ModelDescriptor, Host,'));
  expect((await buildExtension(dir)).ok).toBe(true);
}, 300_000);
afterAll(() => tmp.cleanup());

it('reports an undeclared export, a model missing from the manifest, and a bad ui_manifest', () => {
  const ui = JSON.parse(fs.readFileSync(path.join(dir, 'ui_manifest.json'), 'utf8'));
  ui.sidebar.push({ id: 'bad', label: 'Bad', query: 'colour:red', render: 'carousel' });
  fs.writeFileSync(path.join(dir, 'ui_manifest.json'), JSON.stringify(ui));
  const messages = validateExtension(dir).issues.map((i) => `${i.where}: ${i.message}`);
  expect(messages).toEqual(expect.arrayContaining([
    expect.stringContaining('export "task_extra" is not declared'),
    expect.stringContaining('model Thing is not declared in manifest.json'),
    expect.stringMatching(/ui_manifest.json \/sidebar\/1\/render: must be equal to one of the allowed values/),
  ]));
  ui.sidebar[1].render = 'list';
  fs.writeFileSync(path.join(dir, 'ui_manifest.json'), JSON.stringify(ui));
  expect(validateExtension(dir).issues.map((i) => i.where + ' ' + i.message)).toEqual(expect.arrayContaining([expect.stringMatching(/sidebar\/1\/query not a valid filter/)]));
});

it('generates the manifest models from the descriptors, then checks declared exports both ways', () => {
  const r = validateExtension(dir, { writeModels: true });
  expect(r.manifest).toBeNull();
  expect(r.issues.some((i) => i.message.includes('WriteModels'))).toBe(true);
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  expect(m.models).toEqual([{ type: 'Thing', scope: 'content', sync_strategy: 'shared', blob_fields: ['blob'] }]);
  m.permissions.push({ type: 'WriteModels', reason: 'to store things' });
  m.tasks = [{ name: 'extra' }, { name: 'absent' }];
  m.actions = [{ name: 'pick', label: 'Pick', contexts: ['selection'], params: [{ name: 'f', type: 'choice' }] }];
  m.models[0].scope = 'standalone';
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
  const messages = validateExtension(dir).issues.map((i) => i.message);
  expect(messages).toEqual(expect.arrayContaining([
    'task absent needs an exported function "task_absent", which the module does not export',
    'model Thing: source scope "content", manifest "standalone"',
    'action pick (options of its choice params) needs an exported function "action_pick_options", which the module does not export',
  ]));
  expect(messages.some((m2) => m2.includes('task_extra'))).toBe(false);
});

it('parses asc diagnostics with positions', () => {
  expect(parseDiagnostics("ERROR TS2304: Cannot find name 'x'.\n   :\n 3 │ x\n   └─ in hello/assembly/index.ts(3,5)\n")).toEqual([
    { severity: 'error', code: 'TS2304', message: "Cannot find name 'x'.", file: 'hello/assembly/index.ts', line: 3, column: 5 },
  ]);
});
