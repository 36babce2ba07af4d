import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { defineJob } from '../define-job.js';

/** Tables the kill test's effects go to. `kill_effects` has no unique key on purpose: a task whose effect
 * was applied twice shows up as two rows instead of being hidden by a constraint. */
export function createKillTables(db: BetterSqlite3.Database): void {
  db.exec(`
    CREATE TABLE kill_effects (job TEXT NOT NULL, key TEXT NOT NULL, value INTEGER NOT NULL);
    CREATE TABLE kill_counter (n INTEGER NOT NULL);
    INSERT INTO kill_counter (n) VALUES (0);
    CREATE TABLE kill_attempts (job TEXT NOT NULL, key TEXT NOT NULL, attempt INTEGER NOT NULL, pid INTEGER NOT NULL);
  `);
}

/** A small deterministic PRNG (mulberry32), so a failing trial can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function hash(text: string): number {
  let h = 2_166_136_261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16_777_619);
  return h >>> 0;
}

/**
 * The job the kill test runs: `tasks` tasks, two at a time, each waiting a little, sometimes failing (and
 * retrying), then committing two writes (an effect row and a counter bump) in its completion transaction.
 * Every execution is logged to `kill_attempts` outside that transaction, where re-runs are expected.
 */
export function makeKillTestJob(db: BetterSqlite3.Database) {
  const logAttempt = db.prepare('INSERT INTO kill_attempts (job, key, attempt, pid) VALUES (?, ?, ?, ?)');
  return defineJob({
    input: z.object({ tasks: z.number().int().positive(), seed: z.number().int() }),
    checkpoint: z.object({ completed: z.number().int().nonnegative() }),
    concurrency: 2,
    taskDefaults: { retries: 100, backoffMs: 1, maxBackoffMs: 5 },
    async run(ctx) {
      const { tasks, seed } = ctx.input;
      const done = new Set<number>();
      ctx.progress({ completed: ctx.resumedFrom?.completed ?? 0, total: tasks });
      await Promise.all(
        Array.from({ length: tasks }, async (_, i) => {
          await ctx.runTask(`t${i}`, async ({ attempt, key, signal }) => {
            logAttempt.run(ctx.jobId, key, attempt, process.pid);
            const rand = prng(seed ^ hash(`${ctx.jobId}/${key}/${attempt}/${process.pid}`));
            await new Promise((r) => setTimeout(r, Math.floor(rand() * 20)));
            signal.throwIfAborted();
            if (rand() < 0.1) throw new Error(`transient failure of ${key}`);
            return {
              result: i,
              commit: (conn) => {
                conn.prepare('INSERT INTO kill_effects (job, key, value) VALUES (?, ?, ?)').run(ctx.jobId, key, i);
                conn.prepare('UPDATE kill_counter SET n = n + 1').run();
              },
            };
          });
          done.add(i);
          ctx.checkpoint({ completed: done.size });
          ctx.progress({ completed: done.size, total: tasks });
        }),
      );
    },
  });
}
