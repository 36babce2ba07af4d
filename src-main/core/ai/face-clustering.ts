import { cosineDistance, normalize } from './embedding-codec.js';

/** Thresholds of {@link clusterFaces}; cosine distances between unit embeddings (Human's faceres, 1024-d). */
export interface ClusterOptions {
  /** A face joins the nearest cluster whose centroid is within this distance. Default 0.35 (STACK.md). */
  joinDistance: number;
  /** Faces within this distance of a seed face count as close when a new cluster is started. Default 0.3. */
  seedDistance: number;
  /** A new cluster needs at least this many close faces, the seed included. Default 2 (1: every face is a person). */
  minClusterSize: number;
}

export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = { joinDistance: 0.35, seedDistance: 0.3, minClusterSize: 2 };

export interface FaceCluster {
  id: number;
  /** Indexes into the input, in input order. */
  members: number[];
  /** Unit-length mean of the members. */
  centroid: Float32Array;
}

export interface Clustering {
  /** Cluster id per input face; -1 when the face belongs to no cluster (seen too rarely). */
  labels: number[];
  clusters: FaceCluster[];
}

/**
 * Groups face embeddings into people with a simple density rule, deterministic for a given input:
 *
 * 1. **Seeds.** Faces are visited densest first (most neighbours within `seedDistance`). An unassigned face
 *    with at least `minClusterSize − 1` unassigned neighbours within `seedDistance` starts a cluster with
 *    them. Neighbours must be close to the seed itself, so a chain of look-alikes cannot merge two people.
 * 2. **Joins.** Every other face joins the cluster with the nearest centroid if it is within `joinDistance`;
 *    repeated until nothing changes (centroids move as faces join).
 * 3. Faces left over are unassigned (-1): the UI shows them as "unknown" until more photos of them arrive.
 *
 * Cost: O(n²) distances for the seeds, fine for a few thousand faces per run; for a whole library the Photos
 * extension assigns new faces to existing people with {@link nearestCluster} and re-clusters only leftovers.
 * No failure modes: empty input gives no clusters.
 *
 * @example
 * const { labels } = clusterFaces(faces.map((f) => f.embedding), { joinDistance: 0.35, seedDistance: 0.3, minClusterSize: 2 });
 */
export function clusterFaces(embeddings: readonly ArrayLike<number>[], options: Partial<ClusterOptions> = {}): Clustering {
  const o = { ...DEFAULT_CLUSTER_OPTIONS, ...options };
  const n = embeddings.length;
  const unit = embeddings.map((e) => normalize(e));
  const distances: Float32Array[] = unit.map(() => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = cosineDistance(unit[i]!, unit[j]!);
      distances[i]![j] = d;
      distances[j]![i] = d;
    }
  }
  const labels = new Array<number>(n).fill(-1);
  const clusters: FaceCluster[] = [];
  const neighbours = (i: number) => {
    const out: number[] = [];
    for (let j = 0; j < n; j++) if (j !== i && labels[j] === -1 && distances[i]![j]! <= o.seedDistance) out.push(j);
    return out;
  };
  const order = [...unit.keys()].sort((a, b) => neighbours(b).length - neighbours(a).length || a - b);
  for (const seed of order) {
    if (labels[seed] !== -1) continue;
    const close = neighbours(seed);
    if (close.length + 1 < o.minClusterSize) continue;
    const id = clusters.length;
    const members = [seed, ...close].sort((a, b) => a - b);
    for (const m of members) labels[m] = id;
    clusters.push({ id, members, centroid: centroidOf(members.map((m) => unit[m]!)) });
  }
  for (let changed = true, rounds = 0; changed && rounds < 10 && clusters.length > 0; rounds++) {
    changed = false;
    for (let i = 0; i < n; i++) {
      if (labels[i] !== -1) continue;
      const nearest = nearestCluster(unit[i]!, clusters, o.joinDistance);
      if (!nearest) continue;
      labels[i] = nearest.id;
      nearest.members.push(i);
      nearest.members.sort((a, b) => a - b);
      nearest.centroid = centroidOf(nearest.members.map((m) => unit[m]!));
      changed = true;
    }
  }
  return { labels, clusters };
}

/**
 * The cluster whose centroid is nearest to `embedding`, if within `maxDistance`; else null.
 *
 * @example
 * nearestCluster(face.embedding, people, 0.35)?.id; // the person, or undefined for a new face
 */
export function nearestCluster<C extends { centroid: ArrayLike<number> }>(embedding: ArrayLike<number>, clusters: readonly C[], maxDistance: number): C | null {
  let best: C | null = null;
  let bestDistance = Infinity;
  for (const cluster of clusters) {
    const d = cosineDistance(embedding, cluster.centroid);
    if (d <= maxDistance && d < bestDistance) {
      best = cluster;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Pairwise precision and recall of a clustering against known identities: over all pairs of faces, a pair
 * "predicted together" shares a cluster (unassigned faces share nothing). `falseMerges` counts clusters
 * holding more than one identity; `splitIdentities` counts identities spread over more than one cluster or
 * partly unassigned.
 *
 * @example
 * pairwiseScores(labels, ['ann', 'ann', 'bob']); // { precision: 1, recall: 1, falseMerges: 0, splitIdentities: 0, … }
 */
export function pairwiseScores(labels: readonly number[], identities: readonly string[]) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const together = labels[i] !== -1 && labels[i] === labels[j];
      const same = identities[i] === identities[j];
      if (together && same) tp++;
      else if (together) fp++;
      else if (same) fn++;
    }
  }
  const byCluster = new Map<number, Set<string>>();
  const byIdentity = new Map<string, Set<number>>();
  labels.forEach((label, i) => {
    if (label !== -1) byCluster.set(label, (byCluster.get(label) ?? new Set()).add(identities[i]!));
    byIdentity.set(identities[i]!, (byIdentity.get(identities[i]!) ?? new Set()).add(label));
  });
  return {
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    falseMerges: [...byCluster.values()].filter((s) => s.size > 1).length,
    splitIdentities: [...byIdentity.values()].filter((s) => s.size > 1 || s.has(-1)).length,
    clusters: byCluster.size,
  };
}

function centroidOf(vectors: Float32Array[]): Float32Array {
  const sum = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let i = 0; i < v.length; i++) sum[i]! += v[i]!;
  return normalize(sum);
}
