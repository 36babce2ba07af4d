// Analysis of image contents over job steps, with HOST TASKS for the heavy work (a guest cannot await inside
// a host call):
//   step N    EXIF date/GPS (entries.get media data, inline); asks `host:ai.detectFaces` (key faces:<content>)
//             and, with GPS, `host:places.reverseGeocode` (key place:<lat>,<lon>);
//   step N+1  stores the faces (boxes, scores) and asks `host:ai.embed` per face (key embed:<content>:<i>);
//             stores the Place and points the waiting analyses at it;
//   step N+2  stores the embeddings as the `embeddings` blob: the faces join the unassigned queue.
// Every stage is saved on the PhotoAnalysis as it completes, so a job that stops anywhere resumes (or a new run
// continues) from what is stored. Per-item problems are recorded (`status: error`), never fatal: a host task that
// fails (undecodable or too large at once; a crash or a timeout after its retries) arrives in `step.failed` under
// its key and the photo is recorded at once.
import { JSON } from "json-as";
import { BlobValues, DetectedFaces, FaceEmbedding, JobStep, JsonObject, ModelQuery, ModelRecord, VdfsError, models, vdfsCall, log } from "cairn-sdk";
import { FaceBox, Moment, PhotoAnalysis, Place, Settings } from "./models";
import { contains, numField, onContent, strField, without } from "./store";

/**
 * A failing face request comes back in `step.failed` and is recorded, but a photo whose detection takes the
 * whole process down (the app crashes or is killed during the request) never answers. So each request is
 * counted on the analysis (`faceAttempts`, reset when its faces or its failure are stored): the next run asks
 * again for those SUSPECTS one at a time, alone, after the other photos, with the count set to
 * MAX_FACE_ATTEMPTS first; a suspect whose lone request never answers again is recorded as an error by the run
 * after (`retryErrors` asks again).
 */
export const MAX_FACE_ATTEMPTS: i32 = 2;

/** A photo waiting for the geocoding task `key`. */
@json
export class PlaceWait {
  contentId: string = "";
  key: string = "";
  lat: f64 = 0;
  lon: f64 = 0;
}

/** The checkpoint of analyze_photos. */
@json
export class AnalyzeState {
  phase: string = "scan";
  offset: i32 = 0;
  total: i32 = 0;
  requested: i32 = 0;
  analysed: i32 = 0;
  skipped: i32 = 0;
  errors: i32 = 0;
  faces: i32 = 0;
  purged: i32 = 0;
  joined: i32 = 0;
  newPeople: i32 = 0;
  leftovers: i32 = 0;
  /** Photos whose place the tasks of the last step look up. */
  placeWaits: PlaceWait[] = [];
  /** Contents whose faces this run asked for and has not stored yet (a second path of one is skipped). */
  inFlight: string[] = [];
  /** Contents an earlier run asked faces for without an answer: asked one at a time at the end. */
  suspects: Suspect[] = [];
}

/** A content to ask faces for alone (see MAX_FACE_ATTEMPTS). */
@json
export class Suspect {
  contentId: string = "";
  entryId: string = "";
}

@json
class DetectInput {
  entryId: string = "";
  minScore: f64 = 0.5;
}

@json
class EmbedInput {
  entryId: string = "";
  faceIndex: i32 = 0;
}

@json
class GeoInput {
  lat: f64 = 0;
  lon: f64 = 0;
}

/** True when `rec` needs no more work under the current settings. */
export function isComplete(rec: ModelRecord<PhotoAnalysis>, s: Settings, retryErrors: bool): bool {
  const a = rec.data;
  if (a.status == "error") return !retryErrors && !(a.hasGps && a.placeId.length == 0);
  if (a.status == "unavailable") return false;
  if (!a.mediaDone) return false;
  if (a.hasGps && a.placeId.length == 0) return false;
  if (s.face_recognition && !a.facesDone) return false;
  return true;
}

/** The EXIF part of `entries.get` (MediaInfo), read through a map so absent fields are fine. */
class Media {
  ok: bool = false;
  capturedAt: string = "";
  width: f64 = NaN;
  height: f64 = NaN;
  latitude: f64 = NaN;
  longitude: f64 = NaN;
}

function readMedia(entryId: string): Media {
  const m = new Media();
  const r = vdfsCall<Map<string, JSON.Raw>>("entries.get", new JsonObject().str("entryId", entryId).toString());
  if (!r.ok || !r.value.has("media")) return m;
  const raw = r.value.get("media").toString();
  if (raw == "null") return m;
  const media = JSON.parse<Map<string, JSON.Raw>>(raw);
  m.ok = true;
  m.capturedAt = strField(media, "capturedAt");
  m.width = numField(media, "width");
  m.height = numField(media, "height");
  m.latitude = numField(media, "latitude");
  m.longitude = numField(media, "longitude");
  return m;
}

function noteMoment(day: string): void {
  if (day.length != 10) return;
  const m = new Moment();
  m.day = day;
  m.title = day;
  // Keyed: the same day is one Moment; counts are recomputed when a job finishes.
  models.create<Moment>(Moment.MODEL, m, null, "moment:" + day);
}

function save(existing: ModelRecord<PhotoAnalysis> | null, contentId: string, a: PhotoAnalysis, blobs: BlobValues | null = null): bool {
  const saved = existing !== null
    ? models.update<PhotoAnalysis>(PhotoAnalysis.MODEL, existing.id, a, false, blobs)
    : models.createForContent<PhotoAnalysis>(PhotoAnalysis.MODEL, contentId, a, blobs, "analysis:" + contentId);
  if (!saved.ok) log.warn("cannot store the analysis of " + contentId + ": " + saved.error!.toString());
  return saved.ok;
}

function round4(x: f64): f64 {
  return Math.round(x * 10000) / 10000;
}

/**
 * First stage for one content seen through `entryId`: reads EXIF (once), then asks for the host tasks still
 * missing (faces, place). A content already complete is skipped. Counts go to `state`.
 */
export function prepare<I, C>(step: JobStep<I, C>, state: AnalyzeState, contentId: string, entryId: string, s: Settings, retryErrors: bool): void {
  const existing = onContent<PhotoAnalysis>(PhotoAnalysis.MODEL, contentId);
  if (contains(state.inFlight, contentId) || (existing !== null && isComplete(existing, s, retryErrors))) {
    state.skipped++;
    return;
  }
  const a = existing !== null ? existing.data : new PhotoAnalysis();
  if (existing !== null && a.status != "ok" && (a.status != "error" || retryErrors)) {
    if (a.status == "error") a.faceAttempts = 0;
    a.status = "ok";
    a.error = "";
  }
  a.entryId = entryId;

  // 1. EXIF: date, size, GPS.
  if (!a.mediaDone) {
    a.warnings = [];
    const m = readMedia(entryId);
    a.mediaDone = true;
    if (!m.ok) a.warnings.push("no EXIF data");
    else {
      a.capturedAt = m.capturedAt;
      a.day = m.capturedAt.length >= 10 ? m.capturedAt.substring(0, 10) : "";
      if (!isNaN(m.width)) a.width = m.width;
      if (!isNaN(m.height)) a.height = m.height;
      if (!isNaN(m.latitude) && !isNaN(m.longitude)) {
        a.hasGps = true;
        a.latitude = m.latitude;
        a.longitude = m.longitude;
      } else a.warnings.push("no GPS position");
      if (a.capturedAt.length == 0) a.warnings.push("no capture date");
    }
    noteMoment(a.day);
  }

  // 2. The place: one geocoding task per position (photos at the same spot share it).
  if (a.hasGps && a.placeId.length == 0) {
    const w = new PlaceWait();
    w.contentId = contentId;
    w.lat = round4(a.latitude);
    w.lon = round4(a.longitude);
    w.key = "place:" + w.lat.toString() + "," + w.lon.toString();
    const geo = new GeoInput();
    geo.lat = w.lat;
    geo.lon = w.lon;
    step.runHostTask<GeoInput>(w.key, "places.reverseGeocode", geo);
    state.placeWaits.push(w);
  }

  // 3. Faces.
  let asked = false;
  if (s.face_recognition && !a.facesDone && a.status == "ok") {
    const megapixels = a.width * a.height / 1e6;
    if (megapixels > s.max_megapixels) {
      a.status = "error";
      a.error = "image too large for face detection: " + (<i64>Math.round(megapixels)).toString() + " megapixels (limit " + (<i64>s.max_megapixels).toString() + ")";
    } else if (a.faceAttempts >= MAX_FACE_ATTEMPTS) {
      // Asked in earlier runs that never got an answer: record the photo instead of asking again.
      a.status = "error";
      a.error = "face detection failed (asked in " + a.faceAttempts.toString() + " runs without an answer); run with retryErrors to try again";
    } else if (a.faceAttempts > 0) {
      const suspect = new Suspect();
      suspect.contentId = contentId;
      suspect.entryId = entryId;
      state.suspects.push(suspect);
      state.inFlight.push(contentId);
      asked = true;
    } else {
      a.faceAttempts++;
      askFaces<I, C>(step, state, contentId, entryId, s);
      asked = true;
    }
  }
  if (a.status != "ok") state.errors++;
  else if (!asked && (a.facesDone || !s.face_recognition)) state.analysed++;
  save(existing, contentId, a);
}

function askFaces<I, C>(step: JobStep<I, C>, state: AnalyzeState, contentId: string, entryId: string, s: Settings): void {
  const input = new DetectInput();
  input.entryId = entryId;
  input.minScore = s.min_face_score;
  step.runHostTask<DetectInput>("faces:" + contentId, "ai.detectFaces", input);
  state.requested++;
  if (!contains(state.inFlight, contentId)) state.inFlight.push(contentId);
}

/**
 * Asks faces for the next suspect, alone (call when no other task is pending). Answers false when none is left.
 */
export function askNextSuspect<I, C>(step: JobStep<I, C>, state: AnalyzeState, s: Settings): bool {
  while (state.suspects.length > 0) {
    const next = state.suspects.shift();
    const rec = onContent<PhotoAnalysis>(PhotoAnalysis.MODEL, next.contentId);
    if (rec === null || rec.data.facesDone || rec.data.status != "ok") {
      state.inFlight = without(state.inFlight, next.contentId);
      continue;
    }
    // If this lone request never answers (the process dies again), the photo is the culprit: the next run records it.
    rec.data.faceAttempts = MAX_FACE_ATTEMPTS;
    save(rec, next.contentId, rec.data);
    askFaces<I, C>(step, state, next.contentId, next.entryId, s);
    return true;
  }
  return false;
}

/** Second stage: the detected faces of `contentId` are stored and their embeddings asked for. */
export function onFaces<I, C>(step: JobStep<I, C>, state: AnalyzeState, contentId: string, raw: string, s: Settings): void {
  const rec = onContent<PhotoAnalysis>(PhotoAnalysis.MODEL, contentId);
  if (rec === null || rec.data.facesDone || raw == "null") {
    state.inFlight = without(state.inFlight, contentId);
    return;
  }
  const a = rec.data;
  const r = JSON.parse<DetectedFaces>(raw);
  const entryId = r.entryId.length > 0 ? r.entryId : a.entryId;
  const faces: FaceBox[] = [];
  for (let i = 0; i < r.faces.length; i++) {
    const f = r.faces[i];
    if (f.score < s.min_face_score) continue;
    const b = new FaceBox();
    b.x = f.box.x;
    b.y = f.box.y;
    b.width = f.box.w;
    b.height = f.box.h;
    b.score = f.score;
    const input = new EmbedInput();
    input.entryId = entryId;
    input.faceIndex = f.index;
    step.runHostTask<EmbedInput>("embed:" + contentId + ":" + faces.length.toString(), "ai.embed", input);
    faces.push(b);
  }
  a.faces = faces;
  a.faceCount = faces.length;
  // The face boxes are in the detector's frame (the photo as displayed, EXIF orientation applied): keep its size,
  // which covers and crops divide by.
  if (r.width > 0 && r.height > 0) {
    a.width = r.width;
    a.height = r.height;
  }
  a.pending = false;
  if (faces.length == 0) {
    a.facesDone = true;
    a.faceAttempts = 0;
    state.inFlight = without(state.inFlight, contentId);
    state.analysed++;
  }
  save(rec, contentId, a);
}

/**
 * The face detector could not take this photo (undecodable: NOT_SUPPORTED; over its pixel limit: VALIDATION;
 * gone: NOT_FOUND; a crash or a timeout after the host's retries): recorded as the photo's error, and the job
 * goes on.
 */
export function onFacesFailed(state: AnalyzeState, contentId: string, why: VdfsError): void {
  state.inFlight = without(state.inFlight, contentId);
  const rec = onContent<PhotoAnalysis>(PhotoAnalysis.MODEL, contentId);
  if (rec === null || rec.data.facesDone || rec.data.status != "ok") return;
  rec.data.status = "error";
  rec.data.error = "face detection failed: " + why.message;
  rec.data.faceAttempts = 0;
  rec.data.pending = false;
  state.errors++;
  save(rec, contentId, rec.data);
}

/** Third stage: the embeddings of `contentId` (by face index) are stored; its faces join the unassigned queue. */
export function onEmbeddings(state: AnalyzeState, contentId: string, byFace: Map<i32, f32[]>): void {
  const rec = onContent<PhotoAnalysis>(PhotoAnalysis.MODEL, contentId);
  if (rec === null || rec.data.facesDone) {
    state.inFlight = without(state.inFlight, contentId);
    return;
  }
  const a = rec.data;
  const vectors: f32[][] = [];
  for (let i = 0; i < a.faces.length; i++) {
    if (byFace.has(i) && byFace.get(i).length > 0) vectors.push(byFace.get(i));
    else {
      vectors.push([]);
      a.warnings.push("face " + i.toString() + " has no embedding");
    }
  }
  a.facesDone = true;
  a.faceAttempts = 0;
  a.pending = a.faces.length > 0;
  state.inFlight = without(state.inFlight, contentId);
  state.analysed++;
  state.faces += a.faceCount;
  save(rec, contentId, a, vectors.length > 0 ? new BlobValues().set<f32[][]>("embeddings", vectors) : null);
}

/** The vector of an `ai.embed` result. */
export function embeddingOf(raw: string): f32[] {
  if (raw == "null") return [];
  return JSON.parse<FaceEmbedding>(raw).vector;
}

function lower(s: string): string {
  return s.toLowerCase();
}

/**
 * The Place for a `places.reverseGeocode` answer (`raw`, JSON; `null` beyond ~50 km of any place: a coarse
 * place named by its coordinates, rounded to 0.1°). Created once; answers its id ("" when it cannot be stored).
 */
export function storePlace(lat: f64, lon: f64, raw: string): string {
  const p = new Place();
  p.latitude = lat;
  p.longitude = lon;
  if (raw != "null") {
    const geo = JSON.parse<Map<string, JSON.Raw>>(raw);
    p.city = strField(geo, "city");
    p.region = strField(geo, "region");
    p.country = strField(geo, "country");
    if (p.country.length == 0) p.country = strField(geo, "countryCode");
  }
  let key: string;
  if (p.city.length > 0 || p.country.length > 0) {
    p.label = p.city.length > 0 ? (p.country.length > 0 ? p.city + ", " + p.country : p.city) : p.country;
    key = "place:" + lower(p.country) + "|" + lower(p.region) + "|" + lower(p.city);
  } else {
    const rl = Math.round(lat * 10) / 10;
    const ro = Math.round(lon * 10) / 10;
    p.label = rl.toString() + ", " + ro.toString();
    key = "place:@" + rl.toString() + "," + ro.toString();
  }
  // A keyed create of an existing place would overwrite its count and position: only create it once.
  const existing = models.query<Place>(Place.MODEL, new ModelQuery().whereStr("label", p.label).page(0, 1));
  if (existing.ok && existing.value.items.length > 0) return existing.value.items[0].id;
  const made = models.create<Place>(Place.MODEL, p, null, key);
  if (!made.ok) {
    log.warn("cannot store the place " + p.label + ": " + made.error!.toString());
    return "";
  }
  return made.value.id;
}

/** Points the analysis of `contentId` at `placeId`. */
export function assignPlace(contentId: string, placeId: string): void {
  const rec = onContent<PhotoAnalysis>(PhotoAnalysis.MODEL, contentId);
  if (rec === null || placeId.length == 0 || rec.data.placeId == placeId) return;
  rec.data.placeId = placeId;
  save(rec, contentId, rec.data);
}

/**
 * Applies the results of the host tasks the previous step asked for (faces → embeddings asked for; embeddings
 * stored; places stored and assigned). Re-applying the same results (a step run again after a crash) changes
 * nothing: each stage checks what the analysis already holds.
 */
export function applyResults<I, C>(step: JobStep<I, C>, state: AnalyzeState, s: Settings): void {
  const embeds = new Map<string, Map<i32, f32[]>>();
  const embedOrder: string[] = [];
  for (let i = 0; i < step.completed.length; i++) {
    const t = step.completed[i];
    const raw = t.result.toString();
    if (t.key.startsWith("faces:")) onFaces<I, C>(step, state, t.key.substring(6), raw, s);
    else if (t.key.startsWith("embed:")) {
      const rest = t.key.substring(6);
      const cut = rest.lastIndexOf(":");
      const contentId = rest.substring(0, cut);
      if (!embeds.has(contentId)) {
        embeds.set(contentId, new Map<i32, f32[]>());
        embedOrder.push(contentId);
      }
      embeds.get(contentId).set(I32.parseInt(rest.substring(cut + 1)), embeddingOf(raw));
    }
  }
  // Host tasks that failed (per key): a detection records the photo's error; an embedding leaves
  // that face without a vector (a warning), like an empty answer.
  for (let i = 0; i < step.failed.length; i++) {
    const t = step.failed[i];
    if (t.key.startsWith("faces:")) onFacesFailed(state, t.key.substring(6), t.error);
    else if (t.key.startsWith("embed:")) {
      const rest = t.key.substring(6);
      const cut = rest.lastIndexOf(":");
      const contentId = rest.substring(0, cut);
      if (!embeds.has(contentId)) {
        embeds.set(contentId, new Map<i32, f32[]>());
        embedOrder.push(contentId);
      }
    }
  }
  for (let i = 0; i < embedOrder.length; i++) onEmbeddings(state, embedOrder[i], embeds.get(embedOrder[i]));
  // Places: every wait was asked for by the previous step, so its answer is here.
  const waits = state.placeWaits;
  state.placeWaits = [];
  const answers = new Map<string, string>();
  for (let i = 0; i < step.completed.length; i++) if (step.completed[i].key.startsWith("place:")) answers.set(step.completed[i].key, step.completed[i].result.toString());
  const placeIds = new Map<string, string>();
  for (let i = 0; i < waits.length; i++) {
    const w = waits[i];
    if (!answers.has(w.key)) continue;
    if (!placeIds.has(w.key)) placeIds.set(w.key, storePlace(w.lat, w.lon, answers.get(w.key)));
    assignPlace(w.contentId, placeIds.get(w.key));
  }
}
