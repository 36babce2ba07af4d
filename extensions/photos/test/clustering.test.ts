// Unit tests of assembly/clustering.ts: test/assembly/clustering-spec.ts is compiled on its own (pure
// AssemblyScript, no SDK or host) and its scenario exports are checked here.
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
type Fn = (...args: number[]) => number;
let spec: Record<string, Fn>;

describe('clustering (pure AssemblyScript)', () => {
  beforeAll(async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'photos-spec-')), 'spec.wasm');
    const asc = await import('assemblyscript/asc');
    let log = '';
    const sink = { write: (c: string | Uint8Array) => { log += String(c); return true; } };
    const { error } = await asc.main([path.join(here, 'assembly/clustering-spec.ts'), '-o', out, '--runtime', 'incremental', '--optimize', '--noColors'], { stdout: sink as never, stderr: sink as never });
    expect(error, log).toBeFalsy();
    const { instance } = await WebAssembly.instantiate(fs.readFileSync(out), { env: { abort: () => { throw new Error('abort in clustering spec'); } } });
    spec = instance.exports as unknown as Record<string, Fn>;
  }, 120_000);

  it('cosine distance: 0 identical, 1 orthogonal, 2 opposite; mismatched or zero vectors are as far as possible', () => {
    expect(spec['distanceIdentical']!()).toBeCloseTo(0, 6);
    expect(spec['distanceOrthogonal']!()).toBeCloseTo(1, 6);
    expect(spec['distanceOpposite']!()).toBeCloseTo(2, 6);
    expect(spec['distanceMismatched']!()).toBe(2);
    expect(spec['distanceZero']!()).toBe(2);
    expect(spec['normalizedLength']!()).toBeCloseTo(1, 6);
  });

  it('the default join distance (0.35) separates people and keeps one person together', () => {
    expect(spec['distanceSamePerson']!(0.08)).toBeLessThan(0.35);
    expect(spec['distanceOtherPerson']!(0.08)).toBeGreaterThan(0.35);
  });

  it('a running centroid equals the batch centroid', () => {
    expect(spec['runningCentroidError']!()).toBeLessThan(1e-5);
  });

  it('a face joins the nearest person within the join distance, or nobody', () => {
    expect(spec['nearestPersonFor']!(2, 0.35)).toBe(1);
    expect(spec['nearestPersonFor']!(3, 0.35)).toBe(2);
    expect(spec['nearestPersonFor']!(9, 0.35)).toBe(-1);
    expect(spec['nearestPersonFor']!(2, 0.0001)).toBe(-1);
  });

  it('a new person needs min_faces close faces; the rest are leftovers', () => {
    // 3 people × 4 faces + 2 strays.
    expect(spec['clustersFound']!(3, 4, 2, 0.35, 3)).toBe(3);
    expect(spec['leftoversAfter']!(3, 4, 2, 0.35, 3)).toBe(2);
    // 2 faces each are not enough with min_faces 3 …
    expect(spec['clustersFound']!(3, 2, 0, 0.35, 3)).toBe(0);
    expect(spec['leftoversAfter']!(3, 2, 0, 0.35, 3)).toBe(6);
    // … and min_faces 1 makes every face a person.
    expect(spec['clustersFound']!(0, 0, 3, 0.35, 1)).toBe(3);
  });

  it('clusters are pure, existing people take their faces first, faces without embeddings wait', () => {
    expect(spec['clustersArePure']!()).toBe(1);
    // 2 joined the existing person, 1 new cluster of 3, 1 leftover.
    expect(spec['joinThenCluster']!()).toBe(211);
    expect(spec['emptyEmbeddingLeftover']!()).toBe(1);
    expect(spec['borderFaces']!()).toBe(1);
  });
});
