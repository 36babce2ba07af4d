import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { APP_ROOT } from '../src-main/core/app-info.js';

// electron-builder needs the Electron binary (a download) to produce installers, so CI checks what it
// can offline: the configuration validates against electron-builder's own published schema, and every
// file it points to exists after a build.
describe('electron-builder configuration', () => {
  const { $comment: _comment, ...config } = JSON.parse(fs.readFileSync(path.join(APP_ROOT, 'electron-builder.json'), 'utf8')) as Record<string, unknown>;

  it("validates against electron-builder's schema", () => {
    const schema = JSON.parse(fs.readFileSync(path.join(APP_ROOT, 'node_modules/app-builder-lib/scheme.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const ok = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('points at files that exist', () => {
    expect(fs.existsSync(path.join(APP_ROOT, 'assets', 'icon.png'))).toBe(true);
    const main = (config.extraMetadata as { main: string }).main;
    const pkg = JSON.parse(fs.readFileSync(path.join(APP_ROOT, 'package.json'), 'utf8')) as { main: string };
    expect(main).toBe(pkg.main);
    expect(main).toBe('out/node/src-main/electron/main.js');
    expect(fs.existsSync(path.join(APP_ROOT, 'src-main', 'electron', 'main.ts'))).toBe(true);
  });
});
