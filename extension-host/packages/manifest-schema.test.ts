import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../src-main/core/app-info.js';
import { renderSchemas } from '../../scripts/generate-schemas.js';
import { Manifest } from '../../src-shared/extensions/manifest.js';
import { testManifest } from './testing/package-fixture.js';

describe('published JSON Schemas', () => {
  it('docs/schemas/manifest.schema.json is what scripts/generate-schemas.ts generates (run it after changing the manifest schema)', () => {
    for (const { file, text } of renderSchemas()) {
      const committed = fs.readFileSync(path.join(APP_ROOT, file), 'utf8');
      expect(committed, `${file} is out of date: run npx tsx scripts/generate-schemas.ts`).toBe(text);
    }
  });

  it('accepts a valid manifest and refuses broken ones, like the zod schema', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(APP_ROOT, 'docs/schemas/manifest.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020.default({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    expect(validate(testManifest()), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(testManifest({ id: 'Not-DNS' }))).toBe(false);
    expect(validate(testManifest({ permissions: [{ type: 'ReadEntries' }] }))).toBe(false);
    expect(validate(testManifest({ required_features: ['teleport'] }))).toBe(false);
    expect(validate(testManifest({ surprise: true }))).toBe(false);
  });

  it('takes choice params (one or several options from the options export) and refuses unknown param types', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(APP_ROOT, 'docs/schemas/manifest.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020.default({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    const withAction = (action: object) => testManifest({ actions: [{ name: 'pick', label: 'Pick', contexts: ['model'], ...action }] });
    const choice = withAction({ options_export: 'list_faces', params: [{ name: 'faceIds', label: 'Faces', type: 'choice', multiple: true }] });
    for (const m of [choice, withAction({ params: [{ name: 'faceId', type: 'choice' }] })]) {
      expect(validate(m), JSON.stringify(validate.errors)).toBe(true);
      expect(Manifest.safeParse(m).success).toBe(true);
    }
    expect(Manifest.parse(withAction({ params: [{ name: 'faceId', type: 'choice' }] })).actions[0]!.params[0]).toMatchObject({ type: 'choice', multiple: false, optional: false });
    for (const bad of [withAction({ params: [{ name: 'x', type: 'dropdown' }] }), withAction({ params: [{ name: 'x', type: 'choice', multiple: 'yes' }] }), withAction({ options_export: 'not an export' })]) {
      expect(validate(bad)).toBe(false);
      expect(Manifest.safeParse(bad).success).toBe(false);
    }
  });
});
