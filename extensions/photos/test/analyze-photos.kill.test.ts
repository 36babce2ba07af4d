// analyze_photos on the REAL core, SIGKILLed at seeded random points and restarted: the job must finish with
// every photo analysed exactly once (one PhotoAnalysis per content, each face request completed once), no photo
// lost, and people consistent with the faces. The child (analyze-kill-child.ts) runs the real core, extension
// runtime, face detector and embedder. Slow (real face detection).
// Replay a failure with PHOTOS_KILL_SEED=<seed printed in the failure> PHOTOS_KILL_TRIALS=1.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../src-main/core/testing/temp-dir.js';
import { userCtx } from '../../../src-main/core/testing/test-core.js';
import { sleep, startKillableChild } from '../../../src-main/core/testing/killable-child.js';
import { prng } from '../../../src-main/core/jobs/test-fixtures/kill-test-job.js';
import { packPackage } from '../../../extension-host/packages/pack.js';
import { buildExtension } from '../../../sdk/tooling/build-extension.js';
import { IMAGES, PARIS, jpegWithGps } from './fixtures.js';
import { PHOTOS_DIR, PHOTOS_ID, defaultLibrary, indexFolder, installPhotos, modelsOf, startCore, type Analysis } from './real-core.js';

const SEED = Number(process.env.PHOTOS_KILL_SEED ?? 0xface);
const TRIALS = Number(process.env.PHOTOS_KILL_TRIALS ?? 4);
const MAX_KILLS_PER_TRIAL = 3;

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const childScript = path.join(here, 'analyze-kill-child.ts');

const GRACE = ['grace.jpg', 'grace-mirrored.jpg', 'grace-cropped.jpg', 'grace-paris.jpg', 'grace-small.jpg'];
const ONE_FACE = [...GRACE, 'astronaut.png'];
const NO_FACE = ['chelsea.png', 'coffee.png'];

let tmp: { dir: string; cleanup: () => void };
let photos: string;
let packageFile: string;

beforeAll(async () => {
  const built = await buildExtension(PHOTOS_DIR);
  expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  tmp = makeTempDir('cairn-photos-kill');
  photos = path.join(tmp.dir, 'photos');
  fs.mkdirSync(path.join(photos, 'backup'), { recursive: true });
  const grace = path.join(IMAGES, 'grace_hopper_512x512.jpg');
  fs.copyFileSync(grace, path.join(photos, 'grace.jpg'));
  fs.copyFileSync(grace, path.join(photos, 'backup', 'grace-copy.jpg'));
  await sharp(grace).flop().jpeg({ quality: 92 }).toFile(path.join(photos, 'grace-mirrored.jpg'));
  await sharp(grace).extract({ left: 40, top: 20, width: 440, height: 470 }).jpeg({ quality: 92 }).toFile(path.join(photos, 'grace-cropped.jpg'));
  await sharp(grace).resize(400).jpeg({ quality: 90 }).toFile(path.join(photos, 'grace-small.jpg'));
  fs.writeFileSync(path.join(photos, 'grace-paris.jpg'), jpegWithGps('grace_hopper_512x512.jpg', PARIS, '2024:05:01 10:00:00'));
  for (const f of ['astronaut.png', ...NO_FACE]) fs.copyFileSync(path.join(IMAGES, f), path.join(photos, f));
  const bytes = fs.readFileSync(grace);
  fs.writeFileSync(path.join(photos, 'cut-short.jpg'), bytes.subarray(0, Math.floor(bytes.length * 0.4)));
  packageFile = path.join(tmp.dir, 'photos.cairnext');
  await packPackage(PHOTOS_DIR, packageFile);
}, 600_000);

afterAll(() => tmp?.cleanup());

/** Face requests of the job that completed, and whether the job is over, read from the library file. */
function probe(dbFile: string, jobId: string): { faces: number; status: string } {
  const db = new BetterSqlite3(dbFile, { fileMustExist: true });
  try {
    const faces = (db.prepare(`SELECT count(*) AS n FROM job_tasks WHERE job_id = ? AND key LIKE 'faces:%' AND status = 'completed'`).get(jobId) as { n: number }).n;
    const status = (db.prepare('SELECT status FROM jobs WHERE id = ?').get(jobId) as { status: string }).status;
    return { faces, status };
  } finally {
    db.close();
  }
}

describe('analyze_photos kill test (real core)', () => {
  it(
    `a run SIGKILLed at random points finishes with every photo analysed exactly once and people consistent (${TRIALS} trials)`,
    async () => {
      const stats = { kills: 0, midJobKills: 0, spawns: 0 };
      for (let trial = 0; trial < TRIALS; trial++) {
        const seed = (SEED + trial * 7919) >>> 0;
        const rand = prng(seed);
        const home = path.join(tmp.dir, `home-${trial}`);

        // Set up on a core in this process: index, install (two photos per step, so the job has many steps),
        // start the job, and stop at once: the child's scheduler resumes it.
        const setup = await startCore(home);
        const libraryId = await defaultLibrary(setup);
        const { locationId, entries } = await indexFolder(setup, libraryId, photos);
        await installPhotos(setup, libraryId, packageFile, locationId, { batch_size: 2 });
        const { jobId } = await setup.registry.call('extensions.runJob', { libraryId, id: PHOTOS_ID, job: 'analyze_photos' }, userCtx);
        const dbFile = path.join((await setup.libraries.get(libraryId)).path, 'library.db');
        await setup.stop();

        let kills = 0;
        for (;;) {
          const child = startKillableChild(childScript, [home, libraryId, jobId], repoRoot);
          stats.spawns++;
          if (kills >= MAX_KILLS_PER_TRIAL) {
            const end = await child.exited;
            expect(end.code, `seed ${seed}: the last run failed:\n${end.stderr}`).toBe(0);
            expect(end.stdout, `seed ${seed}`).toContain('DONE completed []');
            break;
          }
          await child.ready;
          const outcome = await Promise.race([child.exited.then(() => 'exited' as const), sleep(rand() * 3000).then(() => 'timer' as const)]);
          if (outcome === 'exited') {
            const end = await child.exited;
            expect(end.code, `seed ${seed}: the child failed:\n${end.stderr}`).toBe(0);
            expect(end.stdout, `seed ${seed}`).toContain('DONE completed []');
            break;
          }
          child.proc.kill('SIGKILL');
          const end = await child.exited;
          if (end.signal !== 'SIGKILL') {
            expect(end.code, `seed ${seed}: the child failed:\n${end.stderr}`).toBe(0);
            break;
          }
          kills++;
          stats.kills++;
          const seen = probe(dbFile, jobId);
          if (seen.faces > 0 && seen.status !== 'completed') stats.midJobKills++;
        }

        const core = await startCore(home);
        try {
          const job = await core.registry.call('jobs.get', { libraryId, jobId }, userCtx);
          expect(job.status, `seed ${seed}`).toBe('completed');
          const content = (p: string) => entries.get(p)!.contentId!;
          const contents = [...ONE_FACE, ...NO_FACE, 'cut-short.jpg'].map(content);
          expect(content('backup/grace-copy.jpg')).toBe(content('grace.jpg'));

          // Exactly one analysis per content, none lost, none for anything else.
          const lib = await core.libraries.get(libraryId);
          const perContent = lib.raw.prepare(`SELECT content_uuid AS c, count(*) AS n FROM models WHERE model_type = 'PhotoAnalysis' GROUP BY content_uuid`).all() as { c: string; n: number }[];
          expect(perContent.map((r) => r.c).sort(), `seed ${seed}: one analysis per content`).toEqual([...contents].sort());
          expect(perContent.every((r) => r.n === 1), `seed ${seed}: no duplicate analysis`).toBe(true);
          // Every content's faces asked for in this job, each request completed once (one task per key).
          const faceTasks = lib.raw.prepare(`SELECT key, status FROM job_tasks WHERE job_id = ? AND key LIKE 'faces:%'`).all(jobId) as { key: string; status: string }[];
          expect(faceTasks.map((t) => t.key.slice('faces:'.length)).sort(), `seed ${seed}`).toEqual([...contents].sort());
          expect(faceTasks.every((t) => t.status === 'completed')).toBe(true);

          const analyses = await modelsOf(core, libraryId, 'PhotoAnalysis');
          const of = (p: string) => analyses.find((m) => m.contentId === content(p))!.data as unknown as Analysis;
          for (const p of ONE_FACE) expect(of(p), `seed ${seed}: ${p}`).toMatchObject({ status: 'ok', facesDone: true, faceCount: 1 });
          for (const p of NO_FACE) expect(of(p), `seed ${seed}: ${p}`).toMatchObject({ status: 'ok', facesDone: true, faceCount: 0 });
          expect(of('cut-short.jpg'), `seed ${seed}`).toMatchObject({ status: 'error', faceCount: 0 });
          expect(of('cut-short.jpg').error).toMatch(/^face detection failed: /);

          // People consistent with the faces: one person (Grace; the astronaut alone stays in the queue), each
          // face in at most one person, and a person's faceIds exactly the faces that point at it.
          const people = (await modelsOf(core, libraryId, 'Person')).map((m) => ({ id: m.id, ...(m.data as { faceIds: string[]; faceCount: number; active: boolean }) }));
          expect(people, `seed ${seed}: one person`).toHaveLength(1);
          const grace = people[0]!;
          expect([...grace.faceIds].sort(), `seed ${seed}`).toEqual(GRACE.map((p) => `${content(p)}:0`).sort());
          expect(grace.faceCount).toBe(grace.faceIds.length);
          const pointing = analyses.flatMap((m) => (m.data as unknown as Analysis).faces.map((f, i) => ({ faceId: `${m.contentId}:${i}`, personId: f.personId }))).filter((f) => f.personId !== '');
          expect(pointing.map((f) => f.faceId).sort(), `seed ${seed}: faces that point at a person`).toEqual([...grace.faceIds].sort());
          expect(pointing.every((f) => f.personId === grace.id)).toBe(true);
          expect(of('astronaut.png').faces[0]!.personId).toBe('');
        } finally {
          await core.stop();
        }
        fs.rmSync(home, { recursive: true, force: true });
      }
      console.log(`[photos kill test] ${TRIALS} trials, ${stats.spawns} child runs, ${stats.kills} SIGKILLs (${stats.midJobKills} after some faces were stored, before the end)`);
      // Guards the test itself: if no kill ever landed mid-job, it proved nothing.
      expect(stats.midJobKills).toBeGreaterThan(0);
    },
    1_200_000,
  );
});
