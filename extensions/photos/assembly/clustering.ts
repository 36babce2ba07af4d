// People clustering, as pure functions (no host calls, no json-as): unit-tested on their own by
// test/assembly/clustering-spec.ts. The approach follows Immich's incremental, density-based recognition:
//
// 1. A new face joins the nearest existing person whose centroid is within `joinDistance` (cosine distance).
// 2. Faces that join nobody are clustered among themselves with DBSCAN (`eps` = joinDistance): a cluster
//    needs a core face with at least `minFaces` faces (itself included) within `eps`; each cluster becomes a
//    new person.
// 3. What is left (noise) stays unassigned and waits for more faces or for the `recluster` job.

/** Dot product of two vectors of the same length (0 when the lengths differ). */
export function dot(a: f32[], b: f32[]): f64 {
  if (a.length != b.length) return 0;
  let s: f64 = 0;
  for (let i = 0; i < a.length; i++) s += <f64>a[i] * <f64>b[i];
  return s;
}

/** Euclidean length. */
export function norm(a: f32[]): f64 {
  return Math.sqrt(dot(a, a));
}

/**
 * Cosine distance (1 - cosine similarity), 0 for identical directions, 2 for opposite ones. Vectors of
 * different lengths or of zero length are as far apart as possible (2).
 */
export function cosineDistance(a: f32[], b: f32[]): f64 {
  if (a.length != b.length || a.length == 0) return 2.0;
  const na = norm(a);
  const nb = norm(b);
  if (na == 0 || nb == 0) return 2.0;
  const d = 1.0 - dot(a, b) / (na * nb);
  return d < 0 ? 0 : d;
}

/** `v` scaled to unit length (a copy; a zero vector stays zero). */
export function normalized(v: f32[]): f32[] {
  const n = norm(v);
  const out = new Array<f32>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = n == 0 ? 0 : <f32>(<f64>v[i] / n);
  return out;
}

/** The normalised mean of unit-scaled `vectors` (empty for none). */
export function centroidOf(vectors: f32[][]): f32[] {
  if (vectors.length == 0) return [];
  const dim = vectors[0].length;
  const sum = new Array<f64>(dim).fill(0);
  for (let i = 0; i < vectors.length; i++) {
    if (vectors[i].length != dim) continue;
    const u = normalized(vectors[i]);
    for (let k = 0; k < dim; k++) sum[k] += <f64>u[k];
  }
  const out = new Array<f32>(dim);
  for (let k = 0; k < dim; k++) out[k] = <f32>sum[k];
  return normalized(out);
}

/**
 * The centroid after adding `v` to a person of `count` faces with centroid `centroid` (running mean of unit
 * vectors, renormalised).
 */
export function addToCentroid(centroid: f32[], count: i32, v: f32[]): f32[] {
  if (centroid.length == 0 || count <= 0) return normalized(v);
  if (centroid.length != v.length) return centroid;
  const u = normalized(v);
  const out = new Array<f32>(v.length);
  for (let k = 0; k < v.length; k++) out[k] = <f32>((<f64>centroid[k] * <f64>count + <f64>u[k]) / <f64>(count + 1));
  return normalized(out);
}

/** Index of the centroid nearest to `v` within `maxDistance` (inclusive), or -1. Ties go to the lower index. */
export function nearestWithin(v: f32[], centroids: f32[][], maxDistance: f64): i32 {
  let best = -1;
  let bestD = maxDistance;
  for (let i = 0; i < centroids.length; i++) {
    const d = cosineDistance(v, centroids[i]);
    if (d < bestD || (d == bestD && best < 0)) {
      best = i;
      bestD = d;
    }
  }
  return best;
}

/**
 * DBSCAN over `vectors` with cosine distance: a label per vector (0, 1, … by cluster, in the order clusters
 * are found), -1 for noise. A core vector has at least `minPoints` vectors (itself included) within `eps`;
 * clusters grow through core vectors and take in their border vectors.
 */
export function densityClusters(vectors: f32[][], eps: f64, minPoints: i32): i32[] {
  const n = vectors.length;
  const labels = new Array<i32>(n).fill(-2); // -2 unvisited, -1 noise
  const neighbours = new Array<i32[]>(n);
  for (let i = 0; i < n; i++) {
    const list: i32[] = [];
    for (let j = 0; j < n; j++) if (i == j || cosineDistance(vectors[i], vectors[j]) <= eps) list.push(j);
    neighbours[i] = list;
  }
  let cluster = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] != -2) continue;
    if (neighbours[i].length < minPoints) {
      labels[i] = -1;
      continue;
    }
    labels[i] = cluster;
    const queue: i32[] = neighbours[i].slice(0);
    for (let q = 0; q < queue.length; q++) {
      const j = queue[q];
      if (labels[j] == -1) labels[j] = cluster; // noise becomes a border face
      if (labels[j] != -2) continue;
      labels[j] = cluster;
      if (neighbours[j].length >= minPoints) for (let k = 0; k < neighbours[j].length; k++) queue.push(neighbours[j][k]);
    }
    cluster++;
  }
  for (let i = 0; i < n; i++) if (labels[i] == -2) labels[i] = -1;
  return labels;
}

/** What `assignFaces` decided for a batch of faces. */
export class Assignment {
  /** Per face: index of the existing person it joins, or -1. */
  person: i32[] = [];
  /** Per face: the new cluster it starts or joins (0 …), or -1. */
  newCluster: i32[] = [];
  /** Number of new clusters (new people). */
  clusters: i32 = 0;
  /** Faces left unassigned. */
  leftovers: i32 = 0;
}

/**
 * One incremental pass: every face joins the nearest person within `joinDistance`; the rest are clustered
 * among themselves (DBSCAN, eps = `joinDistance`, `minFaces` points) into new people; the remaining faces are
 * leftovers. Faces without an embedding (empty vectors) are always leftovers.
 */
export function assignFaces(faces: f32[][], centroids: f32[][], joinDistance: f64, minFaces: i32): Assignment {
  const a = new Assignment();
  a.person = new Array<i32>(faces.length).fill(-1);
  a.newCluster = new Array<i32>(faces.length).fill(-1);
  const rest: f32[][] = [];
  const restIndex: i32[] = [];
  for (let i = 0; i < faces.length; i++) {
    if (faces[i].length == 0) continue;
    const p = nearestWithin(faces[i], centroids, joinDistance);
    if (p >= 0) a.person[i] = p;
    else {
      rest.push(faces[i]);
      restIndex.push(i);
    }
  }
  const labels = densityClusters(rest, joinDistance, minFaces < 1 ? 1 : minFaces);
  let clusters = 0;
  for (let r = 0; r < labels.length; r++) {
    if (labels[r] < 0) continue;
    a.newCluster[restIndex[r]] = labels[r];
    if (labels[r] + 1 > clusters) clusters = labels[r] + 1;
  }
  a.clusters = clusters;
  for (let i = 0; i < faces.length; i++) if (a.person[i] < 0 && a.newCluster[i] < 0) a.leftovers++;
  return a;
}
