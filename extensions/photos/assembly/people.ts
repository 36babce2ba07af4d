// People: the incremental clustering pass over the unassigned queue, and the edits users make (name, merge,
// un-merge, move a face, hide, "not a face", bulk-assign). Every edit recomputes the touched people's
// centroids from their faces' embeddings, so the next clustering pass sees the corrected clusters.
import { BlobValues, ModelQuery, ModelRecord, Result, log, models, tags } from "cairn-sdk";
import { assignFaces, centroidOf } from "./clustering";
import { FaceBox, PhotoAnalysis, Person, Settings } from "./models";
import { allOf, contains, faceContent, faceId, faceIndex, onContent, personTag, without } from "./store";

/** What a clustering pass did. */
@json
export class ClusterStats {
  considered: i32 = 0;
  joined: i32 = 0;
  newPeople: i32 = 0;
  leftovers: i32 = 0;
  error: string = "";
}

/** Analyses loaded by content during one edit, written back once. */
class AnalysisCache {
  ids: string[] = [];
  recs: ModelRecord<PhotoAnalysis>[] = [];
  vectors: f32[][][] = [];
  dirty: bool[] = [];

  get(contentId: string): ModelRecord<PhotoAnalysis> | null {
    for (let i = 0; i < this.ids.length; i++) if (this.ids[i] == contentId) return this.recs[i];
    const rec = onContent<PhotoAnalysis>(PhotoAnalysis.MODEL, contentId);
    if (rec === null) return null;
    this.ids.push(contentId);
    this.recs.push(rec);
    const v = rec.blobFields.includes("embeddings") ? models.getBlob<f32[][]>(rec.id, "embeddings") : Result.success<f32[][]>([]);
    this.vectors.push(v.ok ? v.value : []);
    this.dirty.push(false);
    return rec;
  }

  face(id: string): FaceBox | null {
    const rec = this.get(faceContent(id));
    const i = faceIndex(id);
    if (rec === null || i < 0 || i >= rec.data.faces.length) return null;
    return rec.data.faces[i];
  }

  vector(id: string): f32[] {
    const c = faceContent(id);
    if (this.get(c) === null) return [];
    for (let k = 0; k < this.ids.length; k++) {
      if (this.ids[k] != c) continue;
      const i = faceIndex(id);
      return i >= 0 && i < this.vectors[k].length ? this.vectors[k][i] : [];
    }
    return [];
  }

  setPerson(id: string, personId: string, notFace: bool = false): void {
    const f = this.face(id);
    if (f === null) return;
    f.personId = personId;
    if (notFace) f.notFace = true;
    const c = faceContent(id);
    for (let k = 0; k < this.ids.length; k++) if (this.ids[k] == c) this.dirty[k] = true;
  }

  flush(): void {
    for (let k = 0; k < this.ids.length; k++) {
      if (!this.dirty[k]) continue;
      const a = this.recs[k].data;
      let pending = false;
      for (let i = 0; i < a.faces.length; i++) if (a.faces[i].personId.length == 0 && !a.faces[i].notFace) pending = true;
      a.pending = pending;
      models.update<PhotoAnalysis>(PhotoAnalysis.MODEL, this.recs[k].id, a);
      this.dirty[k] = false;
    }
  }
}

/** Recomputes a person's count, cover and centroid from its faces and saves it. */
function savePerson(p: ModelRecord<Person>, cache: AnalysisCache): void {
  const d = p.data;
  const vectors: f32[][] = [];
  let best: f64 = -1;
  const kept: string[] = [];
  for (let i = 0; i < d.faceIds.length; i++) {
    const f = cache.face(d.faceIds[i]);
    if (f === null) continue;
    kept.push(d.faceIds[i]);
    const v = cache.vector(d.faceIds[i]);
    if (v.length > 0) vectors.push(v);
    if (f.score > best) {
      best = f.score;
      d.coverFaceId = d.faceIds[i];
      d.coverContentId = faceContent(d.faceIds[i]);
      // The app crops the photo's thumbnail to the cover box given as fractions of the photo (the face box is in
      // the photo's pixels, EXIF orientation applied, like the analysis' width and height).
      const a = cache.get(d.coverContentId);
      const w = a === null ? 0 : a.data.width;
      const h = a === null ? 0 : a.data.height;
      d.coverX = w > 0 ? f.x / w : 0;
      d.coverY = h > 0 ? f.y / h : 0;
      d.coverWidth = w > 0 ? f.width / w : 0;
      d.coverHeight = h > 0 ? f.height / h : 0;
    }
  }
  d.faceIds = kept;
  d.faceCount = kept.length;
  d.visible = d.active && !d.hidden && d.faceCount > 0 ? 1 : 0;
  const centroid = centroidOf(vectors);
  const blobs = centroid.length > 0 ? new BlobValues().set<f32[]>("centroid", centroid) : null;
  models.update<Person>(Person.MODEL, p.id, d, false, blobs);
}

/** Tags the contents of `faceIds` with the person's name, when it has one. */
function tagFaces(name: string, faceIds: string[]): void {
  if (name.length == 0 || faceIds.length == 0) return;
  const contents: string[] = [];
  for (let i = 0; i < faceIds.length; i++) {
    const c = faceContent(faceIds[i]);
    if (!contains(contents, c)) contents.push(c);
  }
  for (let i = 0; i < contents.length; i += 1000) tags.addToContent(contents.slice(i, i + 1000), personTag(name));
}

/**
 * Removes `#person:<name>` — the applications Photos made, never the user's own — from the contents of
 * `faceIds`, except contents where an active person with that name (as stored now) still has a face. Call it
 * after saving the people whose faces or name changed.
 */
export function untagFaces(name: string, faceIds: string[]): void {
  if (name.length == 0 || faceIds.length == 0) return;
  const keep: string[] = [];
  const namesakes = allOf<Person>(Person.MODEL, new ModelQuery().whereStr("name", name));
  if (namesakes.ok) for (let i = 0; i < namesakes.value.length; i++) {
    const other = namesakes.value[i];
    if (!other.data.active) continue;
    for (let j = 0; j < other.data.faceIds.length; j++) {
      const c = faceContent(other.data.faceIds[j]);
      if (!contains(keep, c)) keep.push(c);
    }
  }
  const contents: string[] = [];
  for (let i = 0; i < faceIds.length; i++) {
    const c = faceContent(faceIds[i]);
    if (!contains(contents, c) && !contains(keep, c)) contents.push(c);
  }
  for (let i = 0; i < contents.length; i += 1000) {
    const r = tags.removeFromContent(contents.slice(i, i + 1000), personTag(name));
    if (!r.ok) log.warn("cannot remove " + personTag(name) + ": " + r.error!.toString());
  }
}

/**
 * One incremental pass over the unassigned queue (faces of analyses marked `pending`): faces join the
 * nearest active person within `join_distance`; the rest form new people where at least `min_faces` are
 * close together; leftovers stay queued. At most `maxFaces` faces per pass.
 */
export function clusterPending(s: Settings, maxFaces: i32 = 5000): ClusterStats {
  const stats = new ClusterStats();
  const people = allOf<Person>(Person.MODEL, new ModelQuery().whereBool("active", true));
  if (!people.ok) { stats.error = people.error!.toString(); return stats; }
  const pending = allOf<PhotoAnalysis>(PhotoAnalysis.MODEL, new ModelQuery().whereBool("pending", true));
  if (!pending.ok) { stats.error = pending.error!.toString(); return stats; }
  const centroids: f32[][] = [];
  for (let i = 0; i < people.value.length; i++) {
    const c = models.getBlob<f32[]>(people.value[i].id, "centroid");
    centroids.push(c.ok ? c.value : []);
  }
  const cache = new AnalysisCache();
  const ids: string[] = [];
  const vectors: f32[][] = [];
  for (let i = 0; i < pending.value.length && ids.length < maxFaces; i++) {
    const rec = pending.value[i];
    const contentId = rec.contentId!;
    if (cache.get(contentId) === null) continue;
    const a = cache.get(contentId)!.data;
    for (let j = 0; j < a.faces.length; j++) {
      if (a.faces[j].personId.length > 0 || a.faces[j].notFace) continue;
      const id = faceId(contentId, j);
      const v = cache.vector(id);
      if (v.length == 0) continue;
      ids.push(id);
      vectors.push(v);
    }
  }
  stats.considered = ids.length;
  if (ids.length == 0) return stats;
  const asg = assignFaces(vectors, centroids, s.join_distance, <i32>s.min_faces);
  const touched = new Array<bool>(people.value.length).fill(false);
  const joinedBy = new Array<string[]>(people.value.length);
  for (let k = 0; k < people.value.length; k++) joinedBy[k] = [];
  for (let i = 0; i < ids.length; i++) {
    const k = asg.person[i];
    if (k < 0) continue;
    const p = people.value[k];
    p.data.faceIds.push(ids[i]);
    joinedBy[k].push(ids[i]);
    cache.setPerson(ids[i], p.id);
    touched[k] = true;
    stats.joined++;
  }
  for (let c = 0; c < asg.clusters; c++) {
    const members: string[] = [];
    for (let i = 0; i < ids.length; i++) if (asg.newCluster[i] == c) members.push(ids[i]);
    if (members.length == 0) continue;
    const person = new Person();
    person.faceIds = members;
    const made = models.create<Person>(Person.MODEL, person, null, "person:" + members[0]);
    if (!made.ok) { stats.error = made.error!.toString(); continue; }
    for (let i = 0; i < members.length; i++) cache.setPerson(members[i], made.value.id);
    savePerson(made.value, cache);
    stats.newPeople++;
  }
  for (let k = 0; k < people.value.length; k++) {
    if (!touched[k]) continue;
    savePerson(people.value[k], cache);
    tagFaces(people.value[k].data.name, joinedBy[k]);
  }
  stats.leftovers = asg.leftovers;
  cache.flush();
  return stats;
}

/**
 * Dissolves the people nobody named (their faces go back to the queue) so `clusterPending` can form them
 * again with the current thresholds. Named, hidden and merged people keep their faces.
 */
export function dissolveUnnamed(): i32 {
  const people = allOf<Person>(Person.MODEL, new ModelQuery().whereBool("active", true).whereStr("name", ""));
  if (!people.ok) return 0;
  const cache = new AnalysisCache();
  let n = 0;
  for (let i = 0; i < people.value.length; i++) {
    const p = people.value[i];
    if (p.data.hidden) continue;
    for (let j = 0; j < p.data.faceIds.length; j++) cache.setPerson(p.data.faceIds[j], "");
    models.remove(p.id);
    n++;
  }
  cache.flush();
  return n;
}

/** Deletes every Person and every face (boxes and embeddings) Photos stored. Answers the analyses changed. */
export function purgeFaceData(): i32 {
  const people = allOf<Person>(Person.MODEL, new ModelQuery());
  if (people.ok) for (let i = 0; i < people.value.length; i++) models.remove(people.value[i].id);
  const analyses = allOf<PhotoAnalysis>(PhotoAnalysis.MODEL, new ModelQuery().whereBool("facesDone", true));
  let n = 0;
  if (!analyses.ok) return 0;
  for (let i = 0; i < analyses.value.length; i++) {
    const rec = analyses.value[i];
    const a = rec.data;
    a.faces = [];
    a.faceCount = 0;
    a.pending = false;
    a.facesDone = false;
    const blobs = rec.blobFields.includes("embeddings") ? new BlobValues().clear("embeddings") : null;
    models.update<PhotoAnalysis>(PhotoAnalysis.MODEL, rec.id, a, false, blobs);
    n++;
  }
  return n;
}

function person(id: string): ModelRecord<Person> | null {
  const r = models.get<Person>(id);
  return r.ok ? r.value : null;
}

/** Names (or renames) a person and tags the photos of its faces `#person:<name>` (a rename removes the old tag). */
export function namePerson(personId: string, name: string): string {
  const p = person(personId);
  if (p === null) return "no person " + personId;
  if (name.trim().length == 0) return "a name cannot be empty";
  const previous = p.data.name;
  p.data.name = name.trim();
  models.update<Person>(Person.MODEL, p.id, p.data);
  // A rename takes the old name's tag off the photos (only where Photos applied it).
  if (previous.length > 0 && previous != p.data.name) untagFaces(previous, p.data.faceIds);
  tagFaces(p.data.name, p.data.faceIds);
  return "";
}

/** Hides or shows a person in the People grid. */
export function hidePerson(personId: string, hidden: bool): string {
  const p = person(personId);
  if (p === null) return "no person " + personId;
  p.data.hidden = hidden;
  p.data.visible = p.data.active && !hidden && p.data.faceCount > 0 ? 1 : 0;
  models.update<Person>(Person.MODEL, p.id, p.data);
  return "";
}

/** Merges `fromId` into `intoId` (un-merge with `unmerge(fromId)`). */
export function merge(intoId: string, fromId: string): string {
  if (intoId == fromId) return "cannot merge a person into itself";
  const into = person(intoId);
  const from = person(fromId);
  if (into === null || from === null) return "no such person";
  if (!from.data.active) return "already merged";
  const cache = new AnalysisCache();
  const moved = from.data.faceIds;
  for (let i = 0; i < moved.length; i++) {
    cache.setPerson(moved[i], into.id);
    if (!contains(into.data.faceIds, moved[i])) into.data.faceIds.push(moved[i]);
  }
  if (into.data.name.length == 0) into.data.name = from.data.name;
  from.data.mergedInto = into.id;
  from.data.mergedFaceIds = moved;
  from.data.faceIds = [];
  from.data.active = false;
  savePerson(into, cache);
  savePerson(from, cache);
  cache.flush();
  if (from.data.name != into.data.name) untagFaces(from.data.name, moved);
  tagFaces(into.data.name, moved);
  return "";
}

/** Undoes a merge: the faces that moved go back (those still with the other person). */
export function unmerge(personId: string): string {
  const p = person(personId);
  if (p === null) return "no person " + personId;
  if (p.data.mergedInto.length == 0) return "not merged";
  const into = person(p.data.mergedInto);
  const cache = new AnalysisCache();
  const back: string[] = [];
  for (let i = 0; i < p.data.mergedFaceIds.length; i++) {
    const id = p.data.mergedFaceIds[i];
    if (into !== null && !contains(into.data.faceIds, id)) continue;
    back.push(id);
    cache.setPerson(id, p.id);
    if (into !== null) into.data.faceIds = without(into.data.faceIds, id);
  }
  p.data.faceIds = back;
  p.data.mergedFaceIds = [];
  p.data.mergedInto = "";
  p.data.active = true;
  savePerson(p, cache);
  if (into !== null) savePerson(into, cache);
  cache.flush();
  if (into !== null && into.data.name != p.data.name) untagFaces(into.data.name, back);
  tagFaces(p.data.name, back);
  return "";
}

/**
 * Assigns faces to a person (moving them from whoever had them): "move a face", and bulk-assign from the
 * unassigned queue. With `personId` "" a new person named `newName` is made for them.
 */
export function assign(faceIds: string[], personId: string, newName: string): string {
  if (faceIds.length == 0) return "no faces";
  const cache = new AnalysisCache();
  let target: ModelRecord<Person> | null = null;
  if (personId.length > 0) {
    target = person(personId);
    if (target === null) return "no person " + personId;
  } else {
    const np = new Person();
    np.name = newName.trim();
    // Not keyed: a key made from the face would make a second new person for the same face overwrite the first.
    const made = models.create<Person>(Person.MODEL, np);
    if (!made.ok) return made.error!.toString();
    target = made.value;
  }
  const t = target!;
  const previous: string[] = [];
  for (let i = 0; i < faceIds.length; i++) {
    const f = cache.face(faceIds[i]);
    if (f === null) return "no face " + faceIds[i];
    if (f.personId.length > 0 && f.personId != t.id && !contains(previous, f.personId)) previous.push(f.personId);
    f.notFace = false;
    cache.setPerson(faceIds[i], t.id);
    if (!contains(t.data.faceIds, faceIds[i])) t.data.faceIds.push(faceIds[i]);
  }
  const oldNames: string[] = [];
  for (let i = 0; i < previous.length; i++) {
    const old = person(previous[i]);
    if (old === null) continue;
    for (let j = 0; j < faceIds.length; j++) old.data.faceIds = without(old.data.faceIds, faceIds[j]);
    savePerson(old, cache);
    if (old.data.name.length > 0 && old.data.name != t.data.name && !contains(oldNames, old.data.name)) oldNames.push(old.data.name);
  }
  savePerson(t, cache);
  cache.flush();
  // The faces' photos lose the tag of the person they left (unless that person still has a face there).
  for (let i = 0; i < oldNames.length; i++) untagFaces(oldNames[i], faceIds);
  tagFaces(t.data.name, faceIds);
  return "";
}

/** Marks a face "not a face": it leaves its person and is never clustered again. */
export function notAFace(id: string): string {
  const cache = new AnalysisCache();
  const f = cache.face(id);
  if (f === null) return "no face " + id;
  const was = f.personId;
  cache.setPerson(id, "", true);
  if (was.length > 0) {
    const old = person(was);
    if (old !== null) {
      old.data.faceIds = without(old.data.faceIds, id);
      savePerson(old, cache);
    }
  }
  cache.flush();
  return "";
}

/** The distinct contents of a person's faces. */
export function contentsOf(p: Person): string[] {
  const out: string[] = [];
  for (let i = 0; i < p.faceIds.length; i++) {
    const c = faceContent(p.faceIds[i]);
    if (!contains(out, c)) out.push(c);
  }
  return out;
}
