// Indexer benchmark: discovery and content identity over a generated tree, each printed beside a
// reference measured in the same run (`find -printf` for discovery, a full BLAKE3 of every byte for
// identity). Run:
//   npm run bench:index -- [--files 100000] [--folders 2000] [--images 300]
//       [--dir /path/to/reuse] [--keep] [--workers 2] [--runs 3]
// `npm run bench:index` compiles the core and runs the compiled bench, as the app runs its code: from sources
// (`npx tsx src-main/core/indexer/bench/bench-index.ts`) every worker thread compiles TypeScript as it boots,
// which adds ~150 ms before the first discovery batch.
// Every flag also reads from the environment: BENCH_FILES, BENCH_FOLDERS, BENCH_IMAGES, BENCH_DIR,
// BENCH_KEEP=1, BENCH_WORKERS, BENCH_RUNS. No timing assertions live in tests; this script is where the
// numbers come from.
//
// Processing (database writes) belongs to the DB pipeline: pass a `process` hook to `runBench` and it is
// timed as its own phase over the same discovery batches.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBLAKE3 } from 'hash-wasm';
import { hashFiles } from '../content-identity.js';
import { discoverInWorker } from '../discover-in-worker.js';
import { discover, type DiscoveryBatch } from '../discovery.js';
import { HashPool } from '../hash-pool.js';

/** Shape of the generated tree. */
export interface TreeSpec {
  /** Directory to fill (created if missing). */
  root: string;
  /** Ordinary files, spread over the folders. Default 100,000. */
  files?: number;
  /** Leaf folders, under about √folders parent folders. Default 2,000. */
  folders?: number;
  /** Copies of the fixture photos (duplicates by content). Default 300. */
  images?: number;
  /** Seed for sizes and contents: same seed, same tree. Default 1. */
  seed?: number;
}

/** What {@link generateTree} made. */
export interface TreeInfo {
  root: string;
  files: number;
  dirs: number;
  bytes: number;
  /** True when an identical tree already existed (marker file) and was reused. */
  reused: boolean;
}

/** The folder holding package.json above this file: the repository, whether run from sources or from out/node. */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
const FIXTURES = path.resolve(repoRoot, '../shared/fixtures/images');

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Realistic small-file sizes: 85 % 64 B–4 KiB, 14 % 4–32 KiB, 1 % 100–400 KiB (sampled by content identity). */
function fileSize(r: () => number): number {
  const p = r();
  if (p < 0.85) return 64 + Math.floor(r() * (4096 - 64));
  if (p < 0.99) return 4096 + Math.floor(r() * (32768 - 4096));
  return 102_400 + Math.floor(r() * 300 * 1024);
}

const EXTENSIONS = ['txt', 'md', 'json', 'ts', 'js', 'css', 'html', 'csv', 'log', 'py', 'rs', 'bin', 'dat', 'xml', 'yml'];

/** Runs `work` over `items` with at most `limit` at once. */
async function eachLimit<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

/**
 * Creates a deterministic tree of small files in `spec.root`: `folders` leaf folders grouped as
 * `gN/dN`, `files` files with realistic small sizes and distinct contents, plus `images`
 * copies of the fixture photos under `photos/`. If `root` already holds a tree made from the same
 * spec (a marker file records it), it is reused. Throws on I/O errors.
 *
 * @example
 * const tree = await generateTree({ root: '/tmp/bench', files: 10_000, folders: 200 });
 */
export async function generateTree(spec: TreeSpec): Promise<TreeInfo> {
  const files = spec.files ?? 100_000;
  const folders = Math.max(1, spec.folders ?? 2_000);
  const images = spec.images ?? 300;
  const seed = spec.seed ?? 1;
  const marker = path.join(spec.root, '.bench-tree.json');
  const wanted = JSON.stringify({ files, folders, images, seed, v: 2 });
  if (fs.existsSync(marker)) {
    const saved = JSON.parse(fs.readFileSync(marker, 'utf8')) as { spec: string; info: TreeInfo };
    if (saved.spec === wanted) return { ...saved.info, reused: true };
  }
  fs.rmSync(spec.root, { recursive: true, force: true });
  fs.mkdirSync(spec.root, { recursive: true });

  const r = rng(seed);
  const pool = Buffer.alloc(1 << 20);
  for (let i = 0; i < pool.length; i += 4) pool.writeUInt32LE((r() * 2 ** 32) >>> 0, i);

  // Two levels: ~sqrt(folders) parents holding the leaf folders, so the total stays close to `folders`.
  const top = Math.max(1, Math.round(Math.sqrt(folders)));
  const leafDirs: string[] = [];
  for (let i = 0; i < folders; i += 1) leafDirs.push(path.join(spec.root, `g${i % top}`, `d${i}`));
  const dirSet = new Set<string>();
  for (const d of leafDirs) {
    fs.mkdirSync(d, { recursive: true });
    dirSet.add(d);
    dirSet.add(path.dirname(d));
  }

  let bytes = 0;
  // Sizes are drawn up front: writes finish in any order, the tree must not depend on that.
  const sizes = Array.from({ length: files }, () => fileSize(r));
  const jobs = Array.from({ length: files }, (_, i) => i);
  await eachLimit(jobs, 64, async (i) => {
    const size = sizes[i]!;
    const header = Buffer.from(`file ${i}\n`);
    const body = Buffer.alloc(size);
    header.copy(body, 0, 0, Math.min(header.length, size));
    const offset = (i * 7919) % (pool.length - 1);
    for (let at = header.length; at < size; ) {
      const n = Math.min(size - at, pool.length - offset);
      pool.copy(body, at, offset, offset + n);
      at += n;
    }
    bytes += size;
    const name = `f${i}.${EXTENSIONS[i % EXTENSIONS.length]}`;
    await fs.promises.writeFile(path.join(leafDirs[i % leafDirs.length]!, name), body);
  });

  const fixtures = fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort() : [];
  if (images > 0 && fixtures.length > 0) {
    const photoDir = path.join(spec.root, 'photos');
    fs.mkdirSync(photoDir, { recursive: true });
    dirSet.add(photoDir);
    for (let i = 0; i < images; i += 1) {
      const src = path.join(FIXTURES, fixtures[i % fixtures.length]!);
      const dest = path.join(photoDir, `IMG_${String(i).padStart(4, '0')}${path.extname(src).toLowerCase()}`);
      fs.copyFileSync(src, dest);
      bytes += fs.statSync(dest).size;
    }
  }
  const info: TreeInfo = { root: spec.root, files: files + (fixtures.length > 0 ? images : 0), dirs: dirSet.size, bytes, reused: false };
  fs.writeFileSync(marker, JSON.stringify({ spec: wanted, info }));
  return info;
}

/** One timed phase. */
export interface PhaseTiming {
  name: string;
  ms: number;
  /** Items processed (files, entries). */
  count: number;
  perSecond: number;
}

/**
 * Times `fn`, which resolves to the number of items it handled. Repeats `runs` times and keeps the
 * fastest (the others are warm-up and noise on a shared machine).
 *
 * @example
 * const t = await timePhase('discovery', async () => countEntries(root), 3);
 * console.log(t.perSecond);
 */
export async function timePhase(name: string, fn: () => Promise<number>, runs = 1): Promise<PhaseTiming> {
  let best: PhaseTiming | undefined;
  for (let i = 0; i < Math.max(1, runs); i += 1) {
    const start = performance.now();
    const count = await fn();
    const ms = performance.now() - start;
    if (!best || ms < best.ms) best = { name, ms, count, perSecond: count / (ms / 1000) };
  }
  return best!;
}

/** Runs `find <dir> -printf '%s %T@ %p\n' > /dev/null`; resolves to the number of lines it would print. */
export function runFind(dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    // Count lines in the shell so the output never crosses into Node (which would slow the reference).
    execFile('sh', ['-c', `find "$1" -printf '%s %T@ %p\\n' | wc -l`, 'sh', dir], (error, stdout) =>
      error ? reject(error) : resolve(Number(stdout.trim())),
    );
  });
}

/**
 * Walks `dir` with `discover` (`mode: 'async'`) or `discoverInWorker` (`'worker'`), rules off so it sees
 * what `find` sees; resolves to the entry count.
 */
export async function runDiscovery(dir: string, onBatch?: (batch: DiscoveryBatch) => void, mode: 'async' | 'worker' = 'async'): Promise<number> {
  let n = 0;
  const options = { skipGit: false, skipNodeModules: false, skipSystemFiles: false, respectGitignore: false };
  for await (const batch of mode === 'worker' ? discoverInWorker(dir, options) : discover(dir, options)) {
    n += batch.entries.length;
    onBatch?.(batch);
  }
  return n;
}

/** Reads every byte of every file and BLAKE3s it (the reference for content identity); resolves to the file count. */
export async function runFullBlake3(files: readonly string[], concurrency = 32): Promise<number> {
  const hasher = await createBLAKE3();
  await eachLimit(files, concurrency, async (file) => {
    const data = await fs.promises.readFile(file);
    hasher.init();
    hasher.update(data);
    hasher.digest('hex');
  });
  return files.length;
}

/** A processing step (e.g. database writes) run over the discovery batches; see {@link runBench}. */
export type ProcessBatch = (batch: DiscoveryBatch) => Promise<void>;

/** Options for {@link runBench}. */
export interface BenchOptions extends TreeSpec {
  /** Keep the tree after the run (it is reused next time with `root`). */
  keep?: boolean;
  /** Hash workers for the pooled identity phase. Default 2. */
  workers?: number;
  /** Repetitions per phase, fastest kept. Default 3. */
  runs?: number;
  /** Optional processing phase, timed over the same batches discovery yields. */
  process?: ProcessBatch;
  /** Runs after the last batch, inside the processing timing (e.g. the deferred search fill). */
  finishProcess?: () => Promise<void>;
  /** Where lines go. Default console.log. */
  log?: (line: string) => void;
}

/** All figures of one run. */
export interface BenchReport {
  tree: TreeInfo;
  find: PhaseTiming;
  discovery: PhaseTiming;
  discoveryWorker: PhaseTiming;
  identityInProcess: PhaseTiming;
  identityPool: PhaseTiming;
  fullBlake3: PhaseTiming;
  processing?: PhaseTiming;
}

/**
 * Generates (or reuses) the tree, then times: `find`, discovery, the full-BLAKE3 reference (which also
 * warms the page cache), content identity in-process and on a {@link HashPool}, and the optional
 * processing hook. Prints each figure with its reference and the goals. Removes the tree unless `keep`.
 *
 * @example
 * const report = await runBench({ root: '/tmp/cairn-bench', files: 20_000, folders: 400 });
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const runs = options.runs ?? 3;
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  log(`generating tree in ${options.root} ...`);
  const genStart = performance.now();
  const tree = await generateTree(options);
  log(`tree: ${fmt(tree.files)} files, ${fmt(tree.dirs)} dirs, ${(tree.bytes / 2 ** 20).toFixed(1)} MiB (${tree.reused ? 'reused' : `made in ${((performance.now() - genStart) / 1000).toFixed(1)} s`})`);
  try {
    // Warm the dentry and inode caches once so both walkers see the same (warm) state.
    await runFind(tree.root);
    const find = await timePhase('find', () => runFind(tree.root), runs);
    const files: string[] = [];
    const discovery = await timePhase('discovery (async fs)', async () => {
      files.length = 0;
      return runDiscovery(tree.root, (batch) => {
        for (const e of batch.entries) if (e.kind === 'file') files.push(path.join(tree.root, e.relativePath));
      });
    }, runs);
    const discoveryWorker = await timePhase('discovery (worker, sync fs)', () => runDiscovery(tree.root, undefined, 'worker'), runs);
    log(`find: ${fmt(find.perSecond)} entries/s (${fmt(find.count)} in ${find.ms.toFixed(0)} ms)`);
    for (const t of [discovery, discoveryWorker]) {
      const ratio = t.ms / find.ms;
      log(`${t.name}: ${fmt(t.perSecond)} entries/s (${fmt(t.count)} in ${t.ms.toFixed(0)} ms) | ${ratio.toFixed(2)}x find's time  [goal <= 3x: ${ratio <= 3 ? 'PASS' : 'FAIL'}]`);
    }

    const fullBlake3 = await timePhase('full BLAKE3', () => runFullBlake3(files), runs);
    const identityInProcess = await timePhase('identity (in-process)', async () => {
      const results = await hashFiles(files, { concurrency: 64 });
      return results.filter((r) => r.ok).length;
    }, runs);
    const pool = new HashPool({ size: options.workers ?? 2, chunkSize: 512, concurrencyPerWorker: 32 });
    let identityPool: PhaseTiming;
    try {
      await pool.hash(files.slice(0, 100)); // start the workers outside the timing
      identityPool = await timePhase('identity (pool)', async () => (await pool.hash(files)).filter((r) => r.ok).length, runs);
    } finally {
      await pool.close();
    }
    const speedup = (t: PhaseTiming): string => (t.perSecond / fullBlake3.perSecond).toFixed(2);
    log(`full BLAKE3 reference: ${fmt(fullBlake3.perSecond)} files/s, ${((tree.bytes / 2 ** 20) / (fullBlake3.ms / 1000)).toFixed(0)} MiB/s (${fullBlake3.ms.toFixed(0)} ms)`);
    for (const t of [identityInProcess, identityPool]) {
      log(`${t.name}: ${fmt(t.perSecond)} files/s (${fmt(t.count)} in ${t.ms.toFixed(0)} ms) | ${speedup(t)}x full BLAKE3  [goal >= 5,000 files/s: ${t.perSecond >= 5000 ? 'PASS' : 'FAIL'}]`);
    }

    const report: BenchReport = { tree, find, discovery, discoveryWorker, identityInProcess, identityPool, fullBlake3 };
    if (options.process) {
      const processBatch = options.process;
      report.processing = await timePhase('processing', async () => {
        let n = 0;
        // The job's walker: discovery in a worker thread, batches written on this thread as they arrive.
        for await (const batch of discoverInWorker(tree.root, { respectGitignore: false, skipSystemFiles: false, batchSize: 1000 })) {
          await processBatch(batch);
          n += batch.entries.length;
        }
        await options.finishProcess?.();
        return n;
      }, 1);
      log(`processing (discovery + hook): ${fmt(report.processing.perSecond)} entries/s (${report.processing.ms.toFixed(0)} ms)`);
    }
    return report;
  } finally {
    if (!options.keep) fs.rmSync(tree.root, { recursive: true, force: true });
  }
}

function arg(name: string, env: string): string | undefined {
  const argv = process.argv.slice(2);
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i >= 0) {
    const a = argv[i]!;
    if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
    const next = argv[i + 1];
    return next === undefined || next.startsWith('--') ? 'true' : next;
  }
  return process.env[env];
}

function num(name: string, env: string, fallback: number): number {
  const raw = arg(name, env);
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${raw}`);
  return n;
}

const isMain = process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
if (isMain) {
  const dir = arg('dir', 'BENCH_DIR');
  const keepFlag = arg('keep', 'BENCH_KEEP');
  const options: BenchOptions = {
    root: dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-')),
    files: num('files', 'BENCH_FILES', 100_000),
    folders: num('folders', 'BENCH_FOLDERS', 2_000),
    images: num('images', 'BENCH_IMAGES', 300),
    workers: num('workers', 'BENCH_WORKERS', 2),
    runs: num('runs', 'BENCH_RUNS', 3),
    keep: keepFlag !== undefined && keepFlag !== '0' && keepFlag !== 'false',
  };
  const compiled = import.meta.url.endsWith('.js');
  log(`cairn indexer bench: node ${process.version}, ${os.availableParallelism()} cores, ${os.platform()}, ${compiled ? 'compiled code (as the app runs it)' : 'from sources through tsx (workers boot slower than in the app)'}`);
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const main = async (): Promise<void> => {
    // The processing hook writes the batches into a real library with the indexer's change detection.
    const { processingHook, runIndexJob, sqliteFloor } = await import('./bench-index-job.js');
    const hook = await processingHook(options.root);
    let report: BenchReport;
    let rows: unknown[][];
    try {
      report = await runBench({ ...options, keep: true, process: hook.process, finishProcess: hook.finish });
      rows = hook.rows();
    } finally {
      await hook.cleanup();
    }
    const ratio = report.processing!.ms / report.find.ms;
    log(`discovery + processing (DB writes, ${fmt(hook.counts.new)} rows): ${ratio.toFixed(2)}x find's time  [goal <= 3x: ${ratio <= 3 ? 'PASS' : 'FAIL'}]`);
    // The floor: the same rows stored by SQLite alone, no discovery, no foreign keys, no per-row JavaScript.
    const floor = await sqliteFloor(rows);
    const x = (ms: number): string => `${ms.toFixed(0)} ms = ${(ms / report.find.ms).toFixed(2)}x find's time`;
    log(`SQLite floor, the same ${fmt(rows.length)} rows in 1,000-row transactions, nothing else: bare table with the two unique keys ${x(floor.bare)}; with the five browsing indexes ${x(floor.indexed)}; and with the search index ${x(floor.searchable)}`);
    // Discovery and writing overlap (a worker walks while this thread writes), so the best any design with
    // these indexes can do is the slower of the two, before change detection and foreign keys.
    const best = Math.max(report.discoveryWorker.ms, floor.searchable);
    log(`  best case with perfect overlap: max(discovery ${report.discoveryWorker.ms.toFixed(0)} ms, searchable floor ${floor.searchable.toFixed(0)} ms) = ${(best / report.find.ms).toFixed(2)}x find's time; Cairn's writes: ${x(report.processing!.ms)}`);
    try {
      const { measureLoopDelay } = await import('./bench-index-job.js');
      const idle = (await measureLoopDelay(() => new Promise((r) => setTimeout(r, 1000)))).delay;
      const [first, again] = await runIndexJob(options.root, options.workers ?? 2);
      for (const [label, r] of [['first index', first!], ['unchanged re-index', again!]] as const) {
        const files = report.tree.files;
        const entries = report.discovery.count;
        log(`indexer.location job, ${label}: ${(r.total / 1000).toFixed(1)} s total, ${fmt(r.counts.rowsWritten)} rows written`);
        log(`  discovery + processing: ${fmt(entries / (r.processing / 1000))} entries/s (${r.processing.toFixed(0)} ms; ${(r.processing / report.find.ms).toFixed(2)}x find)`);
        log(`  identity: ${fmt(r.counts.identified / (r.identity / 1000))} files/s (${fmt(r.counts.identified)} files in ${r.identity.toFixed(0)} ms) [goal >= 5,000 files/s: ${r.counts.identified === 0 || r.counts.identified / (r.identity / 1000) >= 5000 ? 'PASS' : 'FAIL'}]`);
        log(`  media: ${fmt(r.counts.thumbnails / Math.max(0.001, r.media / 1000))} images/s (${fmt(r.counts.thumbnails)} thumbnails, ${fmt(r.counts.exif)} EXIF rows in ${r.media.toFixed(0)} ms)`);
        if (r.counts.thumbnails > 0) log(`  every photo has its thumbnail after ${(r.photosReady / 1000).toFixed(1)} s of the ${(r.total / 1000).toFixed(1)} s run (photos are identified first, the other files after)`);
        log(`  finalize: ${r.finalize.toFixed(0)} ms; ${fmt(files)} files on disk`);
        log(`  main-thread event-loop delay during the job: p50 ${r.loopDelay.p50.toFixed(1)} ms, p99 ${r.loopDelay.p99.toFixed(1)} ms, max ${r.loopDelay.max.toFixed(0)} ms | idle loop in this run: p99 ${idle.p99.toFixed(1)} ms, max ${idle.max.toFixed(0)} ms`);
      }
    } finally {
      if (!options.keep) fs.rmSync(options.root, { recursive: true, force: true });
    }
  };
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

function log(line: string): void {
  console.log(line);
}
