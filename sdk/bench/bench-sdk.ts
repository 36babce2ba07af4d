// `npm run bench:sdk`: SDK overhead inside one guest. Typed `tags.list()` (JSON request writer + json-as
// parse of the answer into classes) against a raw `vdfsCallRaw` of the same method (envelope only), both
// through the real sandbox and ABI; and the guest's json-as cost per model (parse a ModelRecord<T>, then
// stringify its data). Prints per-call figures; no assertions.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxedPlugin } from '../../extension-host/sandbox/sandboxed-plugin.js';
import { resolveWorkerFile } from '../../src-main/core/workers/spawn-worker.js';
import { buildExtension, formatDiagnostic } from '../tooling/build-extension.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const guestDir = path.join(here, 'guest');
const built = await buildExtension(guestDir);
if (!built.ok) {
  console.error(built.diagnostics.map(formatDiagnostic).join('\n'));
  process.exit(1);
}
const plugin = await SandboxedPlugin.start({
  extensionId: 'com.cairn.bench-sdk',
  wasm: fs.readFileSync(built.wasmPath),
  hostModulePath: resolveWorkerFile(import.meta.url, './bench-host-module'),
  rateLimit: { perSecond: 10_000_000, burst: 10_000_000 },
  limits: { timeoutMs: 120_000 },
});
const time = async (exportName: string, n: number) => {
  await plugin.call(exportName, JSON.stringify({ n: 200 })); // warm up
  const t0 = performance.now();
  await plugin.call(exportName, JSON.stringify({ n }));
  return (performance.now() - t0) / n;
};
try {
  const N = 10_000; // under the ~32k Extism allocations per call (each vdfs_call allocates 2 blocks)
  const rows: [string, number][] = [];
  for (let round = 0; round < 3; round++) {
    rows.push([`raw vdfsCallRaw("tags.list") round ${round + 1}`, await time('task_raw', N)]);
    rows.push([`typed tags.list() round ${round + 1}`, await time('task_typed', N)]);
  }
  const json = await time('task_json', 50_000);
  const best = (label: string) => Math.min(...rows.filter((r) => r[0].startsWith(label)).map((r) => r[1]));
  for (const [label, us] of rows) console.log(`${label.padEnd(40)} ${(us * 1000).toFixed(2).padStart(8)} µs/call`);
  const raw = best('raw');
  const typed = best('typed');
  console.log(`SDK overhead (best of 3): typed ${(typed * 1000).toFixed(2)} µs vs raw ${(raw * 1000).toFixed(2)} µs per call = +${((typed - raw) * 1000).toFixed(2)} µs (${((typed / raw - 1) * 100).toFixed(0)} %), response of 5 tags`);
  console.log(`guest json-as per model: parse ModelRecord<T> + stringify data ${(json * 1000).toFixed(2)} µs (${Math.round(1 / json * 1000)} models/s)`);
} finally {
  await plugin.close();
}
