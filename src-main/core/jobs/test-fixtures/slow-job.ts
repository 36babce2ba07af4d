import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { defineJob } from '../define-job.js';

/** `lease_effects` has no unique key on purpose: an effect applied twice shows up as two rows. */
export function createLeaseTables(db: BetterSqlite3.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS lease_effects (job TEXT NOT NULL, key TEXT NOT NULL, runner TEXT NOT NULL)');
}

/**
 * A job of `tasks` tasks that each wait `delayMs` and then record which runner applied them, for the lease
 * tests (in-process and across processes).
 */
export function makeSlowJob(runner: string) {
  return defineJob({
    input: z.object({ tasks: z.number().int().min(1), delayMs: z.number().int().min(0) }),
    async run(ctx) {
      for (let i = 0; i < ctx.input.tasks; i++) {
        await ctx.runTask(`t${i}`, async ({ signal }) => {
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(resolve, ctx.input.delayMs);
            signal.addEventListener('abort', () => {
              clearTimeout(timer);
              reject(signal.reason);
            }, { once: true });
          });
          return { result: i, commit: (db) => db.prepare('INSERT INTO lease_effects (job, key, runner) VALUES (?, ?, ?)').run(ctx.jobId, `t${i}`, runner) };
        });
        ctx.progress({ completed: i + 1, total: ctx.input.tasks });
      }
    },
  });
}
