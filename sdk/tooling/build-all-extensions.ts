// `npm run build:extensions`: builds every first-party extension in extensions/ from source with the SDK.
import fs from 'node:fs';
import path from 'node:path';
import { buildExtension, formatDiagnostic } from './build-extension.js';
import { REPO_ROOT } from './sdk-paths.js';

const root = path.join(REPO_ROOT, 'extensions');
let failed = 0;
for (const name of fs.readdirSync(root).sort()) {
  const dir = path.join(root, name);
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) continue;
  const r = await buildExtension(dir);
  for (const d of r.diagnostics) if (d.severity !== 'info') process.stderr.write(formatDiagnostic(d) + '\n');
  process.stdout.write(`${r.ok ? 'built' : 'FAILED'} extensions/${name} (${(r.ms / 1000).toFixed(1)} s)\n`);
  if (!r.ok) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
