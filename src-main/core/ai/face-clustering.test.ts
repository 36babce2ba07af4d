import { describe, expect, it } from 'vitest';
import { clusterFaces, nearestCluster, pairwiseScores } from './face-clustering.js';

/** A point on the unit circle at `deg` degrees, padded to 4-d: cosine distance = 1 − cos(Δangle). */
const at = (deg: number) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180), 0, 0];

describe('clusterFaces', () => {
  it('groups close faces, keeps people apart, and leaves lone faces unassigned', () => {
    // Two people 90° apart (distance 1), each photographed 3 times within ±10° (distance ≤ 0.06), one stranger.
    const faces = [at(0), at(5), at(-8), at(90), at(95), at(86), at(200)];
    const { labels, clusters } = clusterFaces(faces, { joinDistance: 0.2, seedDistance: 0.1, minClusterSize: 2 });
    expect(clusters).toHaveLength(2);
    expect(new Set(labels.slice(0, 3)).size).toBe(1);
    expect(new Set(labels.slice(3, 6)).size).toBe(1);
    expect(labels[0]).not.toBe(labels[3]);
    expect(labels[6]).toBe(-1);
    expect(pairwiseScores(labels, ['a', 'a', 'a', 'b', 'b', 'b', 'c'])).toMatchObject({ precision: 1, recall: 1, falseMerges: 0, splitIdentities: 1 });
  });

  it('does not chain look-alikes into one person', () => {
    // Steps of 20° (distance 0.06 each): a chain from 0° to 100°; only faces close to a seed join it.
    const faces = [0, 20, 40, 60, 80, 100].map(at);
    const { labels } = clusterFaces(faces, { joinDistance: 0.07, seedDistance: 0.07, minClusterSize: 2 });
    expect(labels[0] === labels[5] && labels[0] !== -1).toBe(false);
  });

  it('makes every face a person with minClusterSize 1, and finds the nearest cluster', () => {
    const { clusters } = clusterFaces([at(0), at(120), at(240)], { minClusterSize: 1 });
    expect(clusters).toHaveLength(3);
    expect(nearestCluster(at(3), clusters, 0.1)?.members).toEqual([0]);
    expect(nearestCluster(at(60), clusters, 0.1)).toBeNull();
  });

  it('scores false merges', () => {
    expect(pairwiseScores([0, 0, 0], ['a', 'a', 'b'])).toMatchObject({ falseMerges: 1, precision: 1 / 3, recall: 1 });
    expect(clusterFaces([])).toEqual({ labels: [], clusters: [] });
  });
});
