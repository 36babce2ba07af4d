import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Library } from '../library/library.js';
import { JobScheduler } from './job-scheduler.js';
import type { JobEventName, JobEvents } from './job-scheduler.js';
import { SqliteJobStore } from './sqlite-job-store.js';
import { SqliteSchedulerLease, type SchedulerLease } from './scheduler-lease.js';
import { createLeaseTables, makeSlowJob } from './test-fixtures/slow-job.js';
import { createTempLibrary } from './test-fixtures/temp-library.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');

let temp: Awaited<ReturnType<typeof createTempLibrary>>;
let extra: Library[];
let schedulers: JobScheduler[];

beforeEach(async () => {
  temp = await createTempLibrary('cairn-lease-');
  createLeaseTables(temp.library.raw);
  extra = [];
  schedulers = [];
});
afterEach(async () => {
  for (const s of schedulers) await s.stop();
  for (const l of extra) await l.close();
  await temp.cleanup();
});

/** A second connection to the same library, as another process would have. */
async function connection(): Promise<Library> {
  const lib = await Library.open(temp.library.path);
  extra.push(lib);
  return lib;
}

type Event = { [E in JobEventName]: { name: E; payload: JobEvents[E] } }[JobEventName];

function scheduler(lib: Library, runner: string, lease: SchedulerLease, events: Event[] = []): JobScheduler {
  const s = new JobScheduler({
    store: new SqliteJobStore(lib.raw),
    lease,
    pollIntervalMs: 20,
    onEvent: (name, payload) => events.push({ name, payload } as Event),
  });
  s.register('slow', makeSlowJob(runner));
  schedulers.push(s);
  return s;
}

function effects(): { job: string; key: string; runner: string }[] {
  return temp.library.raw.prepare('SELECT job, key, runner FROM lease_effects ORDER BY rowid').all() as { job: string; key: string; runner: string }[];
}

async function until(check: () => boolean, what: string, boundMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > boundMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A lease whose heartbeat can be stopped, as if its process had frozen or died without cleaning up. */
class StoppableLease implements SchedulerLease {
  stopped = false;
  constructor(readonly inner: SqliteSchedulerLease) {}
  get holder() {
    return this.inner.holder;
  }
  get ttlMs() {
    return this.inner.ttlMs;
  }
  tryAcquire(): boolean {
    return this.stopped ? false : this.inner.tryAcquire();
  }
  release(): void {
    if (!this.stopped) this.inner.release();
  }
  current() {
    return this.inner.current();
  }
}

describe('SqliteSchedulerLease', () => {
  it('is held by one instance at a time, renewed by its holder, free after expiry or release', async () => {
    let now = 1_000;
    const other = await connection();
    const a = new SqliteSchedulerLease(temp.library.raw, { ttlMs: 100, now: () => now });
    const b = new SqliteSchedulerLease(other.raw, { ttlMs: 100, now: () => now });
    expect(a.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    now += 90;
    expect(a.tryAcquire()).toBe(true); // renewed: expires at 1190 now
    now += 90;
    expect(b.tryAcquire()).toBe(false);
    expect(b.current()).toMatchObject({ holder: a.holder, pid: process.pid, heartbeatAt: 1_090, expiresAt: 1_190 });
    now += 20;
    expect(b.tryAcquire()).toBe(true); // a's heartbeat stopped: expired
    expect(a.tryAcquire()).toBe(false);
    b.release();
    expect(a.current()).toBeNull();
    expect(a.tryAcquire()).toBe(true);
  });

  it('takes over at once from a holder on this host whose process is gone', async () => {
    const other = await connection();
    const dead = new SqliteSchedulerLease(temp.library.raw, { ttlMs: 600_000, pid: 999_999, isAlive: () => true });
    expect(dead.tryAcquire()).toBe(true);
    const alive = new SqliteSchedulerLease(other.raw, { ttlMs: 600_000, isAlive: (pid) => pid !== 999_999 });
    expect(alive.tryAcquire()).toBe(true);
    const elsewhere = new SqliteSchedulerLease(temp.library.raw, { ttlMs: 600_000, host: 'another-host', isAlive: () => false });
    expect(elsewhere.tryAcquire()).toBe(false); // a pid on another host says nothing: wait for expiry
  });
});

describe('two schedulers on one library', () => {
  it('runs each job once, in the lease holder; the other enqueues, pauses, resumes and waits', async () => {
    const otherLib = await connection();
    const holderEvents: Event[] = [];
    const standbyEvents: Event[] = [];
    const holder = scheduler(temp.library, 'holder', new SqliteSchedulerLease(temp.library.raw), holderEvents);
    const standby = scheduler(otherLib, 'standby', new SqliteSchedulerLease(otherLib.raw), standbyEvents);
    holder.start();
    standby.start();
    expect(holder.isLeaseHolder).toBe(true);
    expect(standby.isLeaseHolder).toBe(false);

    const ids = [standby.enqueue('slow', { tasks: 4, delayMs: 5 }), standby.enqueue('slow', { tasks: 4, delayMs: 5 })];
    const paused = standby.enqueue('slow', { tasks: 30, delayMs: 10 });
    await until(() => effects().some((e) => e.job === paused), 'the long job to start in the holder');
    standby.pause(paused); // written by the standby, picked up by the holder
    await until(() => !holder.activeJobIds.includes(paused), 'the holder to interrupt the paused job');
    const doneBeforeResume = effects().filter((e) => e.job === paused).length;
    expect(holder.get(paused)?.status).toBe('paused');
    await new Promise((r) => setTimeout(r, 100));
    expect(effects().filter((e) => e.job === paused)).toHaveLength(doneBeforeResume);
    standby.resume(paused);

    const done = await Promise.all([...ids, paused].map((id) => standby.waitFor(id)));
    expect(done.map((d) => d.status)).toEqual(['completed', 'completed', 'completed']);
    expect(standby.activeJobIds).toEqual([]);
    const all = effects();
    expect(new Set(all.map((e) => e.runner))).toEqual(new Set(['holder']));
    expect(all).toHaveLength(4 + 4 + 30);
    expect(new Set(all.map((e) => `${e.job}/${e.key}`)).size).toBe(all.length); // no effect twice
    // The standby saw the holder's work as events of its own.
    expect(standbyEvents.some((e) => e.name === 'jobs.onDidChange' && e.payload.jobId === paused && e.payload.status === 'completed')).toBe(true);
    expect(standbyEvents.some((e) => e.name === 'jobs.onDidProgress' && e.payload.jobId === ids[0])).toBe(true);
    expect(holderEvents.some((e) => e.name === 'jobs.onDidChange' && e.payload.jobId === paused && e.payload.status === 'paused')).toBe(true);
  });

  it('hands the lease over when the holder stops, and after expiry when its heartbeat stops', async () => {
    const otherLib = await connection();
    const frozen = new StoppableLease(new SqliteSchedulerLease(temp.library.raw, { ttlMs: 400 }));
    const first = scheduler(temp.library, 'first', frozen);
    const second = scheduler(otherLib, 'second', new SqliteSchedulerLease(otherLib.raw, { ttlMs: 400 }));
    first.start();
    second.start();
    const id = first.enqueue('slow', { tasks: 40, delayMs: 10 });
    await until(() => effects().length >= 3, 'the first scheduler to make progress');

    // The holder "dies": its heartbeat stops and its jobs stop, but it never releases the lease.
    frozen.stopped = true;
    const diedAt = Date.now();
    await first.stop();
    expect(first.get(id)?.status).toBe('running');
    await until(() => second.isLeaseHolder, 'the second scheduler to take over');
    expect(Date.now() - diedAt).toBeGreaterThanOrEqual(300); // not before the lease expired
    const done = await second.waitFor(id);
    expect(done.status).toBe('completed');
    const all = effects();
    expect(all).toHaveLength(40);
    expect(new Set(all.map((e) => e.key)).size).toBe(40);
    expect(all.at(-1)?.runner).toBe('second');
    expect(all[0]?.runner).toBe('first');

    // A clean stop hands over at once.
    const third = scheduler(temp.library, 'third', new SqliteSchedulerLease(temp.library.raw, { ttlMs: 60_000 }));
    third.start();
    expect(third.isLeaseHolder).toBe(false);
    await second.stop();
    await until(() => third.isLeaseHolder, 'the third scheduler to take the released lease', 2_000);
  });

  it('takes over at once from a holder process that was SIGKILLed mid-job; every effect applied once', async () => {
    const id = new JobScheduler({ store: new SqliteJobStore(temp.library.raw) });
    id.register('slow', makeSlowJob('setup'));
    const jobId = id.enqueue('slow', { tasks: 30, delayMs: 20 });
    await new Promise((r) => setImmediate(r));

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'test-fixtures', 'lease-child.ts'), temp.library.path], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise((r) => child.on('close', r));
    try {
      await until(() => out.includes('READY') || child.exitCode !== null, 'the child to start', 30_000);
      expect(out, err).toContain('READY holder');
      const mine = scheduler(temp.library, 'parent', new SqliteSchedulerLease(temp.library.raw, { ttlMs: 600_000 }));
      mine.start();
      expect(mine.isLeaseHolder).toBe(false);
      await until(() => effects().length >= 5, 'the child to make progress', 30_000);
      expect(effects().every((e) => e.runner.startsWith('child:'))).toBe(true);
      child.kill('SIGKILL');
      await exited;
      await until(() => mine.isLeaseHolder, 'the parent to take over from the dead child', 5_000);
      const done = await mine.waitFor(jobId);
      expect(done.status).toBe('completed');
      const all = effects();
      expect(all).toHaveLength(30);
      expect(new Set(all.map((e) => e.key)).size).toBe(30);
      expect(all.at(-1)?.runner).toBe('parent');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
