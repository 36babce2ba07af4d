import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Manifest } from '../../src-shared/extensions/manifest.js';
import { JobScheduler } from '../../src-main/core/jobs/job-scheduler.js';
import { SqliteJobStore } from '../../src-main/core/jobs/sqlite-job-store.js';
import { seedEntries } from '../../src-main/core/testing/seed-entries.js';
import { EXT, makeBridgeFixture, testManifest, type BridgeFixture } from '../bridge/testing/bridge-fixture.js';
import { CairnError } from '../../src-shared/errors.js';
import { extensionJobName, HOST_TASK_RETRIES, registerExtensionJobs, type ExtensionJobOptions } from './extension-job.js';
import { buildGuest } from '../sandbox/testing/guest-wat.js';
import { buildAnalyzeGuest } from './testing/analyze-guest.js';

let f: BridgeFixture;
let wasm: Uint8Array;
let schedulers: JobScheduler[];
const EXTRA = 10;
// Visible to the extension: photos/cat.jpg, photos/dog.png, photos/escape.jpg and extra/p0..p9.jpg (13 contents).
const VISIBLE = 3 + EXTRA;

beforeEach(async () => {
  schedulers = [];
  f = await makeBridgeFixture();
  seedEntries(f.lib, f.locA, Array.from({ length: EXTRA }, (_, i) => ({ relPath: `extra/p${i}.jpg`, content: `photo ${i}`, fileKind: 'image' })));
  f.setGrants(grantsWithExtra());
  wasm ??= await buildAnalyzeGuest();
});

/** The fixture's grants, with ReadEntries reaching A/extra too. */
function grantsWithExtra() {
  return f.defaultGrants().map((g) => (g.type === 'ReadEntries' ? { ...g, scopes: [...g.scopes, { locationId: f.locA, subpath: 'extra' }] } : g));
}
afterEach(async () => {
  for (const s of schedulers) await s.stop();
  await f.cleanup();
});

function scheduler(options: Partial<ExtensionJobOptions> = {}): JobScheduler {
  const s = new JobScheduler({ store: new SqliteJobStore(f.lib.raw), onError: () => undefined });
  registerExtensionJobs(s, { extensionId: EXT, manifest: Manifest.parse(testManifest()), wasm, libraryPath: f.libPath, limits: { timeoutMs: 60_000 }, ...options });
  schedulers.push(s);
  return s;
}
const count = (sql: string, ...params: unknown[]) => (f.lib.raw.prepare(sql).get(...params) as { n: number }).n;

describe('extension jobs on the durable scheduler', () => {
  it('runs steps and tasks: reads entries in scope, creates content models with a blob field, tags, checkpoints, completes', async () => {
    const s = scheduler();
    s.start();
    const id = s.enqueue(extensionJobName(EXT, 'analyze'), { note: 'go' }, { owner: EXT });
    const done = await s.waitFor(id);
    expect(done.errors).toEqual([]);
    expect(done.status).toBe('completed');
    expect(done.tasks).toMatchObject({ total: VISIBLE, completed: VISIBLE, failed: 0 });
    expect(done.progress).toEqual({ completed: 1, total: 1 });
    const stored = new SqliteJobStore(f.lib.raw).loadJob(id);
    expect(stored?.ok && stored.job.checkpoint).toMatchObject({ step: 2, guest: { phase: 1 }, tasks: [] });

    expect(count('SELECT count(*) AS n FROM models WHERE extension_id = ? AND model_type = ?', EXT, 'PhotoAnalysis')).toBe(VISIBLE);
    expect(count('SELECT count(DISTINCT content_uuid) AS n FROM models')).toBe(VISIBLE);
    // Out of scope: docs/cv.pdf (folder not granted) and location B.
    expect(count('SELECT count(*) AS n FROM models WHERE content_uuid IN (?, ?)', f.content('cv bytes'), f.content('b bytes'))).toBe(0);
    // The embedding went to a blob (one, shared by every model), not into data.
    expect(count("SELECT count(*) AS n FROM models WHERE json_extract(data, '$.embedding') IS NOT NULL")).toBe(0);
    expect(count('SELECT count(*) AS n FROM model_blobs')).toBe(VISIBLE);
    expect(count('SELECT reference_count AS n FROM metadata_blobs')).toBe(VISIBLE);
    expect(count("SELECT count(*) AS n FROM tag_applications ta JOIN tags t ON t.id = ta.tag_id WHERE t.name = 'Analyzed' AND ta.source = 'extension' AND ta.source_id = ?", EXT)).toBe(VISIBLE);
  });

  it('resumes after the scheduler stops mid-run: no task completed twice, no duplicate models', async () => {
    let calls = 0;
    let first!: JobScheduler;
    const stopped = new Promise<void>((resolve) => {
      first = scheduler({
        afterTask: () => {
          calls++;
          if (calls === 4) void first.stop().then(resolve);
        },
      });
    });
    first.start();
    const id = first.enqueue(extensionJobName(EXT, 'analyze'), {}, { owner: EXT });
    await stopped;
    const mid = first.get(id)!;
    expect(mid.status).toBe('running');
    expect(mid.tasks.completed).toBeGreaterThanOrEqual(2);
    expect(mid.tasks.completed).toBeLessThan(VISIBLE);
    const completedBefore = mid.tasks.completed;

    let resumedCalls = 0;
    const second = scheduler({ afterTask: () => resumedCalls++ });
    second.start();
    const done = await second.waitFor(id);
    expect({ status: done.status, errors: done.errors }).toEqual({ status: 'completed', errors: [] });
    expect(done.tasks).toMatchObject({ total: VISIBLE, completed: VISIBLE, failed: 0 });
    // Completed tasks were not run again; only the rest (and any that was in flight at the stop).
    expect(resumedCalls).toBe(VISIBLE - completedBefore);
    expect(count('SELECT count(*) AS n FROM models')).toBe(VISIBLE);
    expect(count('SELECT count(DISTINCT content_uuid) AS n FROM models')).toBe(VISIBLE);
    expect(count('SELECT reference_count AS n FROM metadata_blobs')).toBe(VISIBLE);
  });

  it('a task whose guest call is in flight when the scheduler stops is left to resume: not failed, no attempt used', async () => {
    // job_analyze asks for one analyze_one task; task_analyze_one logs through vdfs_call, then never returns.
    const step = '{"tasks":[{"key":"only","task":"analyze_one","input":null}],"done":false}';
    const log = '{"method":"log","payload":{"message":"in flight"}}';
    const spinWasm = await buildGuest(`
      (data (i32.const 0) "${step.replaceAll('"', '\\"')}")
      (data (i32.const 512) "${log.replaceAll('"', '\\"')}")
      (func (export "job_analyze") (result i32) (call $output (i32.const 0) (i32.const ${step.length})) (i32.const 0))
      (func (export "task_analyze_one") (result i32)
        (drop (call $vdfs_call (call $to_extism (i32.const 512) (i32.const ${log.length}))))
        (loop $forever (br $forever))
        (i32.const 0))`);
    let s!: JobScheduler;
    const stopped = new Promise<void>((resolve) => {
      s = scheduler({
        wasm: spinWasm,
        onLog: (_level, text) => {
          if (text === 'in flight') void s.stop().then(resolve);
        },
      });
    });
    s.start();
    const id = s.enqueue(extensionJobName(EXT, 'analyze'), {}, { owner: EXT });
    await stopped;
    const job = s.get(id)!;
    expect({ status: job.status, errors: job.errors }).toEqual({ status: 'running', errors: [] });
    expect(job.tasks).toMatchObject({ total: 1, completed: 0, failed: 0 });
    const task = f.lib.raw.prepare('SELECT status, attempts FROM job_tasks WHERE job_id = ? AND key = ?').get(id, 'only');
    expect(task).toEqual({ status: 'pending', attempts: 0 });
  });

  it('a failing host task comes back to the next step as its key\'s error; the other keys complete and the job goes on', async () => {
    // Step 0 asks for four host tasks; step 1 keeps what it was given as its checkpoint and finishes.
    const ask = JSON.stringify({
      tasks: ['good1', 'crash', 'undecodable', 'good2'].map((key) => ({ key, task: 'host:ai.detectFaces', input: { entryId: key } })),
      done: false,
    });
    const head = '{"done":true,"checkpoint":';
    const echoWasm = await buildGuest(`
      (data (i32.const 0) "${ask.replaceAll('"', '\\"')}")
      (data (i32.const 2048) "${head.replaceAll('"', '\\"')}")
      (func (export "job_analyze") (result i32)
        (local $len i32)
        (local.set $len (call $input_to (i32.const ${2048 + head.length})))
        ;; The step number is the last field: {..."step":N}
        (if (i32.eq (i32.load8_u (i32.add (i32.const ${2048 + head.length - 2}) (local.get $len))) (i32.const 48))
          (then (call $output (i32.const 0) (i32.const ${ask.length})) (return (i32.const 0))))
        (i32.store8 (i32.add (i32.const ${2048 + head.length}) (local.get $len)) (i32.const 125))
        (call $output (i32.const 2048) (i32.add (local.get $len) (i32.const ${head.length + 1})))
        (i32.const 0))`);
    const calls: Record<string, number> = {};
    const s = scheduler({
      wasm: echoWasm,
      hostTask: async (task, input) => {
        const key = (input as { entryId: string }).entryId;
        calls[key] = (calls[key] ?? 0) + 1;
        if (key === 'crash') throw new CairnError('INTERNAL', 'the detector crashed');
        if (key === 'undecodable') throw new CairnError('NOT_SUPPORTED', 'not a decodable image');
        return { task, faces: [key] };
      },
    });
    s.start();
    const id = s.enqueue(extensionJobName(EXT, 'analyze'), {}, { owner: EXT });
    const done = await s.waitFor(id);
    expect(done.status).toBe('completed');
    const stored = new SqliteJobStore(f.lib.raw).loadJob(id);
    const guest = (stored?.ok ? stored.job.checkpoint : null) as { guest: { completedTasks: unknown; failedTasks: Record<string, { code: string; message: string }>; step: number } };
    expect(guest.guest.step).toBe(1);
    expect(guest.guest.completedTasks).toEqual({ good1: { task: 'host:ai.detectFaces', faces: ['good1'] }, good2: { task: 'host:ai.detectFaces', faces: ['good2'] } });
    expect(guest.guest.failedTasks).toEqual({
      crash: { code: 'INTERNAL', message: expect.stringContaining('the detector crashed') },
      undecodable: { code: 'NOT_SUPPORTED', message: 'not a decodable image' },
    });
    // A failure of the item alone is not retried; any other is, then handed over.
    expect(calls).toEqual({ good1: 1, good2: 1, undecodable: 1, crash: HOST_TASK_RETRIES + 1 });
    expect(done.tasks).toMatchObject({ total: 4, completed: 3, failed: 1 });
  });

  it('fails the job with the reason when a task keeps failing (grant revoked mid-way)', async () => {
    f.setGrants(grantsWithExtra().filter((g) => g.type !== 'WriteModels'));
    const s = scheduler();
    s.start();
    const id = s.enqueue(extensionJobName(EXT, 'analyze'), {}, { owner: EXT });
    const done = await s.waitFor(id);
    expect(done.status).toBe('failed');
    expect(done.errors.map((e) => e.message).join('\n')).toContain('WriteModels');
    expect(count('SELECT count(*) AS n FROM models')).toBe(0);
  });
});
