import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CairnCore } from '../cairn-core.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { testShellHandlers, userCtx } from '../testing/test-core.js';
import { defineJob } from './define-job.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('CairnCore.resumeJobs', () => {
  it('brings back a job that was running when the previous process stopped', async () => {
    const home = makeTempDir('cairn-home');
    cleanups.push(home.cleanup);
    process.env.CAIRN_NO_WATCH = '1';

    const first = await CairnCore.start({ homeDir: home.dir, shell: testShellHandlers });
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    first.jobs.registerType(
      'test.long',
      defineJob({
        input: z.object({}),
        async run(ctx) {
          started();
          await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
        },
      }),
      () => 'Long job',
    );
    const [lib] = await first.registry.call('library.list', {}, userCtx);
    const jobId = await first.jobs.enqueue(lib!.id, 'test.long', {});
    await running;
    await first.stop(); // the job is interrupted, not finished

    const second = await CairnCore.start({ homeDir: home.dir, shell: testShellHandlers });
    cleanups.push(() => second.stop());
    let ran = 0;
    second.jobs.registerType('test.long', defineJob({ input: z.object({}), async run() { ran++; } }), () => 'Long job');
    // Only resumeJobs starts the scheduler here; the test watches events and never touches the scheduler.
    const completed = new Promise<string>((resolve) =>
      second.events.on('jobs.onDidChange', (e) => {
        if (e.jobId === jobId && e.status === 'completed') resolve(e.status);
      }),
    );
    await second.resumeJobs();
    const outcome = await Promise.race([completed, new Promise<string>((r) => setTimeout(() => r('not resumed'), 15_000))]);
    expect(outcome).toBe('completed');
    expect(ran).toBe(1);
  });
});
