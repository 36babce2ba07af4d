// Writes the published JSON Schemas generated from the zod schemas in src-shared:
//   docs/schemas/manifest.schema.json   (the extension manifest, manifest.json in a .cairnext)
// Run: npx tsx scripts/generate-schemas.ts            (rewrites the files)
//      npx tsx scripts/generate-schemas.ts --check    (exits 1 when a committed file is out of date)
// extension-host/packages/manifest-schema.test.ts fails while the committed file differs from the output.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Manifest } from '../src-shared/extensions/manifest.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every published schema: its path under the repository root and its generated text. */
export function renderSchemas(): { file: string; text: string }[] {
  const manifest = {
    ...z.toJSONSchema(Manifest, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://cairn.app/schemas/manifest.schema.json',
    title: 'Cairn extension manifest',
    description:
      'manifest.json of a .cairnext package. Generated from src-shared/extensions/manifest.ts by scripts/generate-schemas.ts; do not edit by hand. ' +
      'Rules the schema cannot express (checked at install): no duplicate job, task, action or model names; models need the WriteModels permission.',
  };
  return [{ file: 'docs/schemas/manifest.schema.json', text: JSON.stringify(manifest, null, 2) + '\n' }];
}

function main(): void {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { file, text } of renderSchemas()) {
    const abs = path.join(ROOT, file);
    const current = fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : null;
    if (current === text) continue;
    if (check) {
      console.error(`${file} is out of date: run npx tsx scripts/generate-schemas.ts`);
      stale++;
    } else {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, text);
      console.log(`wrote ${file}`);
    }
  }
  process.exitCode = stale > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
