// Analysis of one image content: faces (ai.detectFaces, embeddings included), EXIF date and GPS
// (entries.get media data), the Place (places.reverseGeocode) and the Moment (day). Per-item problems are
// recorded on the PhotoAnalysis and never stop a job.
import { JSON } from "json-as";
import { ai, BlobValues, JsonObject, ModelQuery, ModelRecord, models, vdfsCall, log } from "cairn-sdk";
import { FaceBox, Moment, PhotoAnalysis, Place, Settings } from "./models";
import { numField, onContent, strField } from "./store";

/** What analysing one content did (a task's result). */
@json
export class AnalyseOutcome {
  contentId: string = "";
  /** `analysed`, `skipped`, `error` or `unavailable`. */
  status: string = "";
  faces: i32 = 0;
  placeId: string = "";
  error: string = "";
}

/** True when `rec` needs no more work under the current settings. */
export function isComplete(rec: ModelRecord<PhotoAnalysis>, s: Settings, hasEntry: bool, retryErrors: bool): bool {
  const a = rec.data;
  if (a.status == "error") return !retryErrors;
  if (a.status == "unavailable") return false;
  if (s.face_recognition && !a.facesDone) return false;
  if (hasEntry && !a.mediaDone) return false;
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

function lower(s: string): string {
  return s.toLowerCase();
}

/**
 * The Place for a position: `places.reverseGeocode` when the host offers it to extensions, else a coarse place
 * named by its coordinates (rounded to 0.1°), so photos still group by where they were taken.
 */
function placeFor(lat: f64, lon: f64, warnings: string[]): string {
  const geo = vdfsCall<Map<string, JSON.Raw>>("places.reverseGeocode", new JsonObject().num("latitude", lat).num("longitude", lon).toString());
  const p = new Place();
  p.latitude = lat;
  p.longitude = lon;
  if (geo.ok) {
    p.city = strField(geo.value, "city");
    if (p.city.length == 0) p.city = strField(geo.value, "name");
    p.region = strField(geo.value, "region");
    if (p.region.length == 0) p.region = strField(geo.value, "admin1");
    p.country = strField(geo.value, "country");
    if (p.country.length == 0) p.country = strField(geo.value, "countryCode");
  } else {
    warnings.push("reverse geocoding unavailable (" + geo.error!.code + ")");
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
    warnings.push("cannot store the place: " + made.error!.toString());
    return "";
  }
  return made.value.id;
}

function noteMoment(day: string): void {
  if (day.length != 10) return;
  const m = new Moment();
  m.day = day;
  m.title = day;
  // Keyed: the same day is one Moment; counts are recomputed when a job finishes.
  models.create<Moment>(Moment.MODEL, m, null, "moment:" + day);
}

/**
 * Analyses one content (see the file comment). `entryId` may be "" (hooks know only contents): EXIF is then
 * left for the next `analyze_photos` run. Never fails: problems come back as the outcome's status.
 */
export function analyseOne(contentId: string, entryId: string, s: Settings, retryErrors: bool, recordFailures: bool = true): AnalyseOutcome {
  const out = new AnalyseOutcome();
  out.contentId = contentId;
  const existing = onContent<PhotoAnalysis>(PhotoAnalysis.MODEL, contentId);
  if (existing !== null && isComplete(existing, s, entryId.length > 0, retryErrors)) {
    out.status = "skipped";
    out.faces = existing.data.faceCount;
    out.placeId = existing.data.placeId;
    return out;
  }
  const a = existing !== null ? existing.data : new PhotoAnalysis();
  if (existing !== null && a.status != "ok") {
    a.status = "ok";
    a.error = "";
  }
  a.warnings = [];
  if (entryId.length > 0) a.entryId = entryId;
  let embeddings: f32[][] | null = null;

  // 1. EXIF: date, size, GPS.
  if (entryId.length > 0 && !a.mediaDone) {
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
        a.placeId = placeFor(m.latitude, m.longitude, a.warnings);
      } else a.warnings.push("no GPS position");
      if (a.capturedAt.length == 0) a.warnings.push("no capture date");
    }
    noteMoment(a.day);
  }

  // 2. Faces.
  const megapixels = a.width * a.height / 1e6;
  if (s.face_recognition && !a.facesDone) {
    if (megapixels > s.max_megapixels) {
      a.status = "error";
      a.error = "image too large for face detection: " + (<i64>Math.round(megapixels)).toString() + " megapixels (limit " + (<i64>s.max_megapixels).toString() + ")";
    } else {
      const r = ai.detectFaces(contentId);
      if (!r.ok) {
        const code = r.error!.code;
        a.status = code == "NOT_SUPPORTED" || code == "RATE_LIMITED" ? "unavailable" : "error";
        a.error = "face detection: " + r.error!.toString();
      } else {
        const faces: FaceBox[] = [];
        const vectors: f32[][] = [];
        for (let i = 0; i < r.value.length; i++) {
          const f = r.value[i];
          if (f.confidence < s.min_face_score) continue;
          const b = new FaceBox();
          b.x = f.x;
          b.y = f.y;
          b.width = f.width;
          b.height = f.height;
          b.score = f.confidence;
          faces.push(b);
          vectors.push(f.embedding);
          if (f.embedding.length == 0) a.warnings.push("face " + i.toString() + " has no embedding");
        }
        a.faces = faces;
        a.faceCount = faces.length;
        a.pending = faces.length > 0;
        a.facesDone = true;
        embeddings = vectors;
      }
    }
  }

  out.faces = a.faceCount;
  out.placeId = a.placeId;
  out.status = a.status == "ok" ? "analysed" : a.status;
  out.error = a.error;
  if (a.status != "ok" && !recordFailures) return out;
  const blobs = embeddings !== null && embeddings.length > 0 ? new BlobValues().set<f32[][]>("embeddings", embeddings) : null;
  const saved = existing !== null
    ? models.update<PhotoAnalysis>(PhotoAnalysis.MODEL, existing.id, a, false, blobs)
    : models.createForContent<PhotoAnalysis>(PhotoAnalysis.MODEL, contentId, a, blobs, "analysis:" + contentId);
  if (!saved.ok) {
    out.status = "error";
    out.error = "cannot store the analysis: " + saved.error!.toString();
    log.warn(out.error);
  }
  return out;
}
