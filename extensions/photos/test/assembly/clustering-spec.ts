// Unit-test entry for assembly/clustering.ts, compiled on its own by test/clustering.test.ts (no SDK, no
// host): each export builds a scenario and answers numbers the test checks.
import { assignFaces, addToCentroid, centroidOf, cosineDistance, densityClusters, nearestWithin, normalized } from "../../assembly/clustering";

/** A 16-d "identity" vector: a one-hot-ish base per person. */
function base(person: i32): f32[] {
  const v = new Array<f32>(16).fill(0.05);
  v[person % 16] = 1.0;
  v[(person * 7 + 3) % 16] = 0.6;
  return v;
}

/** `base(person)` nudged by a small deterministic perturbation (another photo of the same face). */
function face(person: i32, shot: i32, amount: f32): f32[] {
  const v = base(person);
  for (let k = 0; k < v.length; k++) v[k] += amount * <f32>Math.sin(<f64>(k * 13 + shot * 29 + person));
  return v;
}

export function distanceIdentical(): f64 { return cosineDistance(base(1), base(1)); }
export function distanceOpposite(): f64 {
  const a: f32[] = [1, 0];
  const b: f32[] = [-1, 0];
  return cosineDistance(a, b);
}
export function distanceOrthogonal(): f64 {
  const a: f32[] = [1, 0];
  const b: f32[] = [0, 3];
  return cosineDistance(a, b);
}
export function distanceMismatched(): f64 {
  const a: f32[] = [1, 0];
  const b: f32[] = [1, 0, 0];
  return cosineDistance(a, b);
}
export function distanceZero(): f64 {
  const a: f32[] = [0, 0];
  const b: f32[] = [1, 0];
  return cosineDistance(a, b);
}
export function distanceSamePerson(amount: f32): f64 { return cosineDistance(face(2, 1, amount), face(2, 2, amount)); }
export function distanceOtherPerson(amount: f32): f64 { return cosineDistance(face(2, 1, amount), face(5, 1, amount)); }
export function normalizedLength(): f64 {
  const n = normalized(face(3, 1, 0.1));
  let s: f64 = 0;
  for (let i = 0; i < n.length; i++) s += <f64>n[i] * <f64>n[i];
  return Math.sqrt(s);
}

/** Running-mean centroid equals the batch centroid. */
export function runningCentroidError(): f64 {
  const faces: f32[][] = [face(4, 1, 0.1), face(4, 2, 0.1), face(4, 3, 0.1)];
  let c: f32[] = [];
  for (let i = 0; i < faces.length; i++) c = addToCentroid(c, i, faces[i]);
  return cosineDistance(c, centroidOf(faces));
}

/** Faces join the nearest person within the distance; `who` picks the face's person. */
export function nearestPersonFor(who: i32, joinDistance: f64): i32 {
  const centroids: f32[][] = [base(1), base(2), base(3)];
  return nearestWithin(face(who, 9, 0.08), centroids, joinDistance);
}

/** `people` people with `perPerson` faces each plus `strays` lone faces, no existing people: clusters found. */
export function clustersFound(people: i32, perPerson: i32, strays: i32, joinDistance: f64, minFaces: i32): i32 {
  const faces: f32[][] = [];
  for (let p = 0; p < people; p++) for (let s = 0; s < perPerson; s++) faces.push(face(p, s, 0.08));
  for (let s = 0; s < strays; s++) faces.push(face(8 + s, 0, 0.08));
  return assignFaces(faces, [], joinDistance, minFaces).clusters;
}

export function leftoversAfter(people: i32, perPerson: i32, strays: i32, joinDistance: f64, minFaces: i32): i32 {
  const faces: f32[][] = [];
  for (let p = 0; p < people; p++) for (let s = 0; s < perPerson; s++) faces.push(face(p, s, 0.08));
  for (let s = 0; s < strays; s++) faces.push(face(8 + s, 0, 0.08));
  return assignFaces(faces, [], joinDistance, minFaces).leftovers;
}

/** Clusters are pure: every face of one cluster belongs to one person (1) or not (0). */
export function clustersArePure(): i32 {
  const faces: f32[][] = [];
  const truth: i32[] = [];
  for (let p = 0; p < 4; p++) for (let s = 0; s < 5; s++) { faces.push(face(p, s, 0.08)); truth.push(p); }
  const a = assignFaces(faces, [], 0.35, 3);
  for (let c = 0; c < a.clusters; c++) {
    let who = -1;
    for (let i = 0; i < faces.length; i++) {
      if (a.newCluster[i] != c) continue;
      if (who < 0) who = truth[i];
      else if (who != truth[i]) return 0;
    }
  }
  return a.clusters == 4 ? 1 : 0;
}

/** Existing people take their faces first; only the rest form new clusters. Answers joined*100 + clusters. */
export function joinThenCluster(): i32 {
  const faces: f32[][] = [face(1, 1, 0.08), face(1, 2, 0.08), face(6, 1, 0.08), face(6, 2, 0.08), face(6, 3, 0.08), face(11, 1, 0.08)];
  const a = assignFaces(faces, [centroidOf([face(1, 5, 0.08)])], 0.35, 3);
  let joined = 0;
  for (let i = 0; i < faces.length; i++) if (a.person[i] == 0) joined++;
  return joined * 100 + a.clusters * 10 + a.leftovers;
}

/** Faces without an embedding are leftovers. */
export function emptyEmbeddingLeftover(): i32 {
  const faces: f32[][] = [[], face(1, 1, 0.08)];
  const a = assignFaces(faces, [base(1)], 0.35, 1);
  return a.person[0] == -1 && a.newCluster[0] == -1 && a.person[1] == 0 ? 1 : 0;
}

/** DBSCAN border faces: a chain a-b-c where only b is core with minPoints 3 gives one cluster of 3. */
export function borderFaces(): i32 {
  const a: f32[] = [1, 0];
  const b: f32[] = [<f32>Math.cos(0.5), <f32>Math.sin(0.5)];
  const c: f32[] = [<f32>Math.cos(1.0), <f32>Math.sin(1.0)];
  const labels = densityClusters([a, b, c], 1 - Math.cos(0.55), 3);
  return labels[0] == 0 && labels[1] == 0 && labels[2] == 0 ? 1 : 0;
}
