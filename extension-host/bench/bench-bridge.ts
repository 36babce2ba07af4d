// Benchmark of the extension bridge and of model blobs. Run: npm run bench:ext (compiled, after bench-ext), or from
// sources: npx tsx extension-host/bench/bench-bridge.ts
//
// Prints, each beside a reference measured in the same run:
//   - real queries through the sandbox and the bridge (tags.list, entries.list with scope filtering), every
//     call checked by the permission guard, beside the sandbox's no-op host module and beside calling the
//     bridge in-process (no sandbox);
//   - blob field writes (models with a JSON blob, zstd + BLAKE3 + reference counting) and lazy reads, beside
//     plain model rows with the same JSON inline;
//   - the zstd ratio on JSON model data (detections, an embedding as JSON numbers).
import { randomUUID } from 'node:crypto';
import { resolveWorkerFile } from '../../src-main/core/workers/spawn-worker.js';
import { BlobCodec } from '../../src-main/core/blobs/blob-codec.js';
import { BlobStore } from '../../src-main/core/blobs/blob-store.js';
import { ModelService } from '../../src-main/core/models/model-service.js';
import { listEntries } from '../../src-main/core/entries/entry-queries.js';
import { seedEntries } from '../../src-main/core/testing/seed-entries.js';
import { HybridLogicalClock } from '../../src-main/core/sync/hlc.js';
import { TagService } from '../../src-main/core/tags/tag-service.js';
import { BRIDGE_HOST_MODULE } from '../bridge/bridge-module.js';
import { ExtensionBridge } from '../bridge/extension-bridge.js';
import { EXT, makeBridgeFixture } from '../bridge/testing/bridge-fixture.js';
import { SandboxedPlugin } from '../sandbox/sandboxed-plugin.js';
import { wat } from '../sandbox/testing/wat.js';

const N = 5_000; // vdfs_calls per plugin call
const RUNS = 5;
const MODELS = 2_000;
const LIST_N = 200; // entries.list sorts the whole folder on every call (a core query cost), so fewer calls

/** A guest whose export `loop_<i>` sends request i N times (read from input as u64) and outputs the byte sum of answer byte 2. */
function loopGuest(requests: string[]): string {
  const data: string[] = [];
  const fns: string[] = [];
  let offset = 0;
  requests.forEach((req, i) => {
    const bytes = Buffer.from(req);
    data.push(`(data (i32.const ${offset}) "${[...bytes].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('')}")`);
    fns.push(`(func (export "loop_${i}") (result i32)
      (local $req i64) (local $i i64) (local $n i64) (local $sum i64) (local $j i32) (local $out i64) (local $resp i64)
      (local.set $n (call $input_load_u64 (i64.const 0)))
      (local.set $req (call $alloc (i64.const ${bytes.length})))
      (block $built (loop $copy
        (br_if $built (i32.ge_u (local.get $j) (i32.const ${bytes.length})))
        (call $store_u8 (i64.add (local.get $req) (i64.extend_i32_u (local.get $j))) (i32.load8_u (i32.add (i32.const ${offset}) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $copy)))
      (block $done (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $resp (call $host (local.get $req)))
        (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (call $load_u8 (i64.add (local.get $resp) (i64.const 2))))))
        (call $free (local.get $resp))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
      (local.set $out (call $alloc (i64.const 8)))
      (call $store_u64 (local.get $out) (local.get $sum))
      (call $output_set (local.get $out) (i64.const 8))
      (i32.const 0))`);
    offset += bytes.length;
  });
  return `(module
    (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
    (import "extism:host/env" "free" (func $free (param i64)))
    (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
    (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
    (import "extism:host/env" "load_u8" (func $load_u8 (param i64) (result i32)))
    (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
    (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
    (import "cairn" "vdfs_call" (func $host (param i64) (result i64)))
    (memory (export "memory") 1)
    ${data.join('\n')}
    ${fns.join('\n')})`;
}

const u64 = (n: number): Uint8Array => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(n), true);
  return bytes;
};
const readU64 = (b: Uint8Array): number => Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function callRate(plugin: SandboxedPlugin, exportName: string, expectByte: number, n = N): Promise<number> {
  await plugin.call(exportName, u64(Math.min(200, n)));
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const out = await plugin.call(exportName, u64(n));
    const ms = performance.now() - t0;
    if (readU64(out) !== n * expectByte) throw new Error(`${exportName}: some calls failed (checksum ${readU64(out)} != ${n * expectByte})`);
    rates.push(n / (ms / 1000));
  }
  return median(rates);
}

function inProcessRate(fn: () => unknown, n = N): number {
  for (let i = 0; i < Math.min(200, n); i++) fn();
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

/** JSON that looks like what extensions store: detections with boxes, labels and scores, and an embedding. */
function sampleModelJson(i: number): { detections: unknown; embedding: number[] } {
  const detections = Array.from({ length: 12 }, (_, k) => ({
    label: ['person', 'cat', 'dog', 'car', 'tree', 'sky'][(i + k) % 6],
    score: Math.round(((i * 7 + k * 13) % 1000) / 10) / 100,
    box: { x: (i * 3 + k) % 4000, y: (i * 5 + k) % 3000, w: 64 + (k % 200), h: 64 + (i % 150) },
    landmarks: Array.from({ length: 5 }, (_, m) => [(i + m * 17) % 4000, (k + m * 11) % 3000]),
  }));
  const embedding = Array.from({ length: 512 }, (_, k) => Math.round(Math.sin(i * 0.37 + k * 0.11) * 1e6) / 1e6);
  return { detections, embedding };
}

async function main(): Promise<void> {
  console.log(`Cairn extension bridge benchmark (node ${process.version}, ${fmt(N)} vdfs_calls per plugin call, median of ${RUNS})`);
  const f = await makeBridgeFixture();
  try {
    // A library that looks used: 5,000 entries in the granted folder, 50 tags.
    seedEntries(f.lib, f.locA, Array.from({ length: 5_000 }, (_, i) => ({ relPath: `gallery/img_${i}.jpg`, content: `c${i}`, fileKind: 'image' })));
    f.setGrants(f.defaultGrants().map((g) => (g.type === 'ReadEntries' ? { ...g, scopes: [...g.scopes, { locationId: f.locA, subpath: 'gallery' }] } : g)));
    const insertTag = f.lib.raw.prepare("INSERT INTO tags (id, name, parent_id, created_at, hlc, device_id) VALUES (?, ?, NULL, 'x', 'h', 'd')");
    for (let i = 0; i < 50; i++) insertTag.run(randomUUID(), `tag ${i}`);

    const requests = ['{"method":"tags.list","payload":{}}', '{"method":"entries.list","payload":{"locationId":"' + f.locA + '","limit":20}}', '{"method":"library.delete","payload":{}}'];
    const guest = await wat(loopGuest(requests));
    const o = 'o'.charCodeAt(0);
    const e = 'e'.charCodeAt(0);
    const bridged = await SandboxedPlugin.start({ extensionId: EXT, wasm: guest, hostModulePath: BRIDGE_HOST_MODULE, hostInit: { libraryPath: f.libPath }, rateLimit: { perSecond: 1e9, burst: 1e9 }, limits: { timeoutMs: 120_000 } });
    const noop = await SandboxedPlugin.start({
      extensionId: EXT,
      wasm: await wat(loopGuest(['{"method":"noop","payload":{}}'])),
      hostModulePath: resolveWorkerFile(import.meta.url, '../sandbox/testing/test-host-module'),
      rateLimit: { perSecond: 1e9, burst: 1e9 },
      limits: { timeoutMs: 120_000 },
    });
    const noopRate = await callRate(noop, 'loop_0', o);
    const tagsRate = await callRate(bridged, 'loop_0', o);
    const listRate = await callRate(bridged, 'loop_1', o, LIST_N);
    const deniedRate = await callRate(bridged, 'loop_2', e);
    await noop.close();
    await bridged.close();

    const inProcess = await ExtensionBridge.open({ libraryPath: f.libPath, extensionId: EXT });
    const tagsDirect = inProcessRate(() => inProcess.dispatch('tags.list', {}));
    const listDirect = inProcessRate(() => inProcess.dispatch('entries.list', { locationId: f.locA, limit: 20 }), LIST_N);
    await inProcess.close();
    const tagService = new TagService(new HybridLogicalClock('bench'), 'bench');
    const tagsCore = inProcessRate(() => tagService.list(f.lib));
    // The same page from the core on an unscoped connection: what the scoped view adds on top.
    const listCore = inProcessRate(() => listEntries(f.lib, { libraryId: f.lib.id, locationId: f.locA, sort: 'name', descending: false, offset: 0, limit: 20 }), LIST_N);

    // Blobs: models with the detections JSON as a blob field, beside the same JSON inline in data.
    const codec = await BlobCodec.load();
    const models = new ModelService(new HybridLogicalClock('bench'), 'bench', new BlobStore(codec));
    const samples = Array.from({ length: MODELS }, (_, i) => sampleModelJson(i));
    const rawBytes = samples.reduce((n, s) => n + Buffer.byteLength(JSON.stringify(s.detections)), 0);
    const embBytes = samples.reduce((n, s) => n + Buffer.byteLength(JSON.stringify(s.embedding)), 0);
    const timed = (fn: () => void) => {
      const t0 = performance.now();
      fn();
      return (performance.now() - t0) / 1000;
    };
    const inlineS = timed(() => {
      f.lib.raw.transaction(() => {
        for (const s of samples) models.create(f.lib, 'bench.inline', { type: 'Detections', data: { detections: s.detections }, blobs: {}, syncStrategy: 'shared', target: { standalone: true } });
      })();
    });
    const ids: string[] = [];
    const blobS = timed(() => {
      f.lib.raw.transaction(() => {
        for (const s of samples) ids.push(models.create(f.lib, 'bench.blob', { type: 'Detections', data: {}, blobs: { detections: s.detections, embedding: s.embedding }, syncStrategy: 'shared', target: { standalone: true } }).id);
      })();
    });
    const readS = timed(() => {
      for (const id of ids) models.getBlob(f.lib, id, 'detections');
    });
    const inlineReadS = timed(() => {
      const q = models.query(f.lib, { extensionId: 'bench.inline', include: 'inline', offset: 0, limit: 1000 });
      models.query(f.lib, { extensionId: 'bench.inline', include: 'inline', offset: 1000, limit: 1000 });
      if (q.items.length !== 1000) throw new Error('query');
    });
    const stored = f.lib.raw.prepare("SELECT sum(size_bytes) AS raw, sum(stored_bytes) AS stored FROM metadata_blobs WHERE blob_type = 'model:Detections'").get() as { raw: number; stored: number };
    const detRows = f.lib.raw.prepare('SELECT b.size_bytes AS raw, b.stored_bytes AS stored FROM model_blobs mb JOIN metadata_blobs b ON b.id = mb.blob_id WHERE mb.blob_key = ?');
    const ratio = (key: string) => {
      const rows = detRows.all(key) as { raw: number; stored: number }[];
      return rows.reduce((n, r) => n + r.raw, 0) / rows.reduce((n, r) => n + r.stored, 0);
    };

    const rows: [string, string, string][] = [
      ['no-op host module via vdfs_call (reference)', `${fmt(noopRate)} calls/s`, '100 %'],
      ['tags.list (50 tags) via vdfs_call + bridge + permission checks', `${fmt(tagsRate)} calls/s`, `${fmt((100 * tagsRate) / noopRate, 1)} % of no-op; in-process bridge ${fmt(tagsDirect)}/s; TagService.list alone ${fmt(tagsCore)}/s`],
      [`entries.list (20 of 5,000, scoped view) via vdfs_call, ${LIST_N} calls`, `${fmt(listRate)} calls/s`, `${fmt((100 * listRate) / noopRate, 1)} % of no-op; in-process bridge ${fmt(listDirect)} calls/s; listEntries alone, unscoped ${fmt(listCore)}/s`],
      ['denied call (library.delete, audited) via vdfs_call', `${fmt(deniedRate)} calls/s`, `${fmt((100 * deniedRate) / noopRate, 1)} % of no-op`],
      [`model create, JSON inline in data (reference, ${fmt(MODELS)})`, `${fmt(MODELS / inlineS)} models/s`, `${fmt(rawBytes / 1048576 / inlineS, 1)} MiB/s of JSON`],
      ['model create, 2 blob fields (zstd + BLAKE3)', `${fmt(MODELS / blobS)} models/s`, `${fmt((rawBytes + embBytes) / 1048576 / blobS, 1)} MiB/s of JSON`],
      ['lazy blob read (models.getBlob, one field)', `${fmt(MODELS / readS)} reads/s`, `${fmt(rawBytes / 1048576 / readS, 1)} MiB/s; inline rows via query: ${fmt(MODELS / inlineReadS)} models/s`],
      ['zstd ratio, detections JSON', `${fmt(ratio('detections'), 2)}×`, `${fmt(stored.raw / 1024, 0)} KiB → ${fmt(stored.stored / 1024, 0)} KiB`],
      ['zstd ratio, 512-d embedding as JSON numbers', `${fmt(ratio('embedding'), 2)}×`, 'numbers compress poorly; store f16/int8 if size matters'],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  } finally {
    await f.cleanup();
  }
}

await main();
