// The models Photos stores, declared once (`cairn ext validate` checks manifest.json against these), and its
// settings. Face ids are "<contentId>:<index into PhotoAnalysis.faces>".
import { ModelDescriptor } from "cairn-sdk";

/** One detected face of a photo. */
@json
export class FaceBox {
  x: f64 = 0;
  y: f64 = 0;
  width: f64 = 0;
  height: f64 = 0;
  score: f64 = 0;
  /** The Person it belongs to ("" while unassigned). */
  personId: string = "";
  /** Marked "not a face" by the user: never clustered again. */
  notFace: bool = false;
}

/**
 * What Photos learned about one image content (every copy of the same bytes, so a photo at two paths is
 * analysed once). `embeddings` (blob) holds one vector per face, in `faces` order.
 */
@json
export class PhotoAnalysis {
  static readonly MODEL: ModelDescriptor = new ModelDescriptor("PhotoAnalysis", "content", "shared", ["embeddings"]);
  /** The entry it was analysed through. */
  entryId: string = "";
  /** `ok`, `error` (recorded per item; not retried unless asked) or `unavailable` (no AI yet: retried). */
  status: string = "ok";
  error: string = "";
  warnings: string[] = [];
  /** Face detection ran (false when face recognition was off or unavailable). */
  facesDone: bool = false;
  /** Runs that asked the host for this photo's faces without getting an answer yet (see MAX_FACE_ATTEMPTS). */
  faceAttempts: i32 = 0;
  /** EXIF (date, GPS) was read. */
  mediaDone: bool = false;
  faces: FaceBox[] = [];
  faceCount: i32 = 0;
  /** Some faces wait for a person (the unassigned queue). */
  pending: bool = false;
  capturedAt: string = "";
  /** YYYY-MM-DD of `capturedAt` (the Moment it belongs to). */
  day: string = "";
  hasGps: bool = false;
  latitude: f64 = 0;
  longitude: f64 = 0;
  placeId: string = "";
  width: f64 = 0;
  height: f64 = 0;
}

/** A person: a cluster of faces. `centroid` (blob) is the normalised mean of its face embeddings. */
@json
export class Person {
  static readonly MODEL: ModelDescriptor = new ModelDescriptor("Person", "standalone", "shared", ["centroid"]);
  name: string = "";
  coverFaceId: string = "";
  coverContentId: string = "";
  coverX: f64 = 0;
  coverY: f64 = 0;
  coverWidth: f64 = 0;
  coverHeight: f64 = 0;
  hidden: bool = false;
  /** False once merged into another person. */
  active: bool = true;
  /** 1 when shown in the People grid (active and not hidden), else 0: what ui_manifest.json filters on. */
  visible: i32 = 1;
  faceIds: string[] = [];
  faceCount: i32 = 0;
  /** The person this one was merged into ("" when not merged). */
  mergedInto: string = "";
  /** The faces that moved at the merge, for un-merge. */
  mergedFaceIds: string[] = [];
}

/** A place photos were taken at (reverse-geocoded from EXIF GPS). */
@json
export class Place {
  static readonly MODEL: ModelDescriptor = new ModelDescriptor("Place", "standalone", "shared", []);
  label: string = "";
  city: string = "";
  region: string = "";
  country: string = "";
  latitude: f64 = 0;
  longitude: f64 = 0;
  /** Photos (contents) taken here. */
  count: i32 = 0;
  /** 1 for the place with the most photos, 2 for the next, … (lists sort by it). */
  rank: i32 = 0;
}

/** An album Photos made (organize_photos): a collection of the photos of one person or place. */
@json
export class Album {
  static readonly MODEL: ModelDescriptor = new ModelDescriptor("Album", "standalone", "shared", []);
  title: string = "";
  /** `person` or `place`. */
  kind: string = "";
  sourceId: string = "";
  collectionId: string = "";
  count: i32 = 0;
}

/** The photos of one day. */
@json
export class Moment {
  static readonly MODEL: ModelDescriptor = new ModelDescriptor("Moment", "standalone", "shared", []);
  day: string = "";
  title: string = "";
  count: i32 = 0;
}

/** The manifest's settings. */
@json
export class Settings {
  face_recognition: bool = true;
  auto_analyse: bool = false;
  join_distance: f64 = 0.35;
  min_faces: f64 = 3;
  min_face_score: f64 = 0.5;
  max_megapixels: f64 = 80;
  batch_size: f64 = 16;
}
