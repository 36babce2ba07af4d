// Photos: faces and people, places and moments, albums. See README.md for what each export does.
import { JSON } from "json-as";
import {
  Host, JsonObject, vdfs, EntryQuery, models, ModelQuery, ModelRecord, collections, ItemRefs, jobs, JobStep,
  ActionPreview, ActionChange, ActionOutcome, ActionRequest, ActionOptions, HookBatch, vdfsCall, log, tags,
} from "cairn-sdk";
import { Album, Moment, PhotoAnalysis, Person, Place, Settings } from "./models";
import { AnalyzeState, applyResults, askNextSuspect, prepare } from "./analysis";
import { ClusterStats, assign, clusterPending, contentsOf, dissolveUnnamed, hidePerson, merge, namePerson, notAFace, purgeFaceData, unmerge } from "./people";
import { allOf, contains, faceId, onContent, personTag, settings } from "./store";

const IMAGE_EXTENSIONS: string[] = ["jpg", "jpeg", "png", "heic", "webp"];

function isPhoto(ext: string | null): bool {
  return ext !== null && IMAGE_EXTENSIONS.includes(ext!.toLowerCase());
}

// ---- analyze_photos: scan a page per step (EXIF inline; host tasks for faces and places), apply the host
// tasks' answers on the next steps (faces → embeddings → the unassigned queue), then cluster and count ----

/** A photo to analyse: its content and a copy of it Photos may read. */
@json
class PhotoRef {
  contentId: string = "";
  entryId: string = "";
}

@json
class AnalyzeInput {
  /** Analyse again the photos whose analysis failed. */
  retryErrors: bool = false;
  /** Only these photos (what on_content_identified queues when auto_analyse is on); empty = every photo. */
  items: PhotoRef[] = [];
}

/** Recounts photos per Place (and ranks them) and per Moment. */
function recount(): void {
  const places = allOf<Place>(Place.MODEL, new ModelQuery());
  if (places.ok) {
    const list = places.value;
    for (let i = 0; i < list.length; i++) {
      const n = models.query<PhotoAnalysis>(PhotoAnalysis.MODEL, new ModelQuery().whereStr("placeId", list[i].id).page(0, 1));
      list[i].data.count = n.ok ? <i32>n.value.total : 0;
    }
    for (let i = 0; i < list.length; i++) {
      let rank = 1;
      for (let j = 0; j < list.length; j++) if (list[j].data.count > list[i].data.count || (list[j].data.count == list[i].data.count && j < i)) rank++;
      list[i].data.rank = rank;
      models.update<Place>(Place.MODEL, list[i].id, list[i].data);
    }
  }
  const moments = allOf<Moment>(Moment.MODEL, new ModelQuery());
  if (moments.ok) {
    for (let i = 0; i < moments.value.length; i++) {
      const m = moments.value[i];
      const n = models.query<PhotoAnalysis>(PhotoAnalysis.MODEL, new ModelQuery().whereStr("day", m.data.day).page(0, 1));
      m.data.count = n.ok ? <i32>n.value.total : 0;
      models.update<Moment>(Moment.MODEL, m.id, m.data);
    }
  }
}

export function job_analyze_photos(): i32 {
  const step = JobStep.read<AnalyzeInput, AnalyzeState>();
  const state = step.checkpoint !== null ? step.checkpoint! : new AnalyzeState();
  const s = settings();
  if (step.step == 0 && step.checkpoint === null && !s.face_recognition) state.purged = purgeFaceData();
  // The answers to the previous step's host tasks (may ask for more: embeddings of the faces found).
  applyResults<AnalyzeInput, AnalyzeState>(step, state, s);
  if (jobs.isInterrupted().value) return step.yieldStep(state);

  if (state.phase == "scan" && step.input.items.length > 0) {
    // The photos a hook named, a batch per step.
    const batch = <i32>Math.max(1, Math.min(200, s.batch_size));
    const items = step.input.items;
    state.total = items.length;
    const seen: string[] = [];
    const end = <i32>Math.min(items.length, state.offset + batch);
    for (let i = state.offset; i < end; i++) {
      const contentId = items[i].contentId;
      if (contentId.length == 0 || items[i].entryId.length == 0 || contains(seen, contentId)) { state.skipped++; continue; }
      seen.push(contentId);
      prepare<AnalyzeInput, AnalyzeState>(step, state, contentId, items[i].entryId, s, step.input.retryErrors);
    }
    state.offset = end;
    if (state.offset >= items.length) state.phase = "drain";
    step.progress(state.offset, state.total, "analysing new photos");
    return step.yieldStep(state);
  }

  if (state.phase == "scan") {
    const batch = <i32>Math.max(1, Math.min(200, s.batch_size));
    const page = vdfs.queryEntries(new EntryQuery().kind("image").sortBy("name").page(state.offset, batch));
    if (!page.ok) return Host.failWith(page.error!);
    state.total = <i32>page.value.total;
    const items = page.value.items;
    const seen: string[] = [];
    for (let i = 0; i < items.length; i++) {
      const e = items[i];
      if (e.kind != "file" || e.contentId === null || !isPhoto(e.extension)) continue;
      const contentId = e.contentId!;
      // The same photo at two paths is one content: analysed once (per step here, across steps and runs by the
      // stored analysis, within a run by the task keys).
      if (contains(seen, contentId)) { state.skipped++; continue; }
      seen.push(contentId);
      prepare<AnalyzeInput, AnalyzeState>(step, state, contentId, e.id, s, step.input.retryErrors);
    }
    state.offset += items.length;
    if (items.length == 0 || <f64>state.offset >= page.value.total) state.phase = "drain";
    step.progress(state.offset, state.total, "analysing photos");
    return step.yieldStep(state);
  }

  // Until the last answers are in (faces → embeddings: two more steps), then the suspects one by one (see
  // MAX_FACE_ATTEMPTS), then cluster, count and finish.
  if (step.pendingTasks > 0 || askNextSuspect<AnalyzeInput, AnalyzeState>(step, state, s)) {
    step.progress(state.total, state.total, "finishing the last photos");
    return step.yieldStep(state);
  }
  if (s.face_recognition) {
    const c = clusterPending(s);
    state.joined += c.joined;
    state.newPeople += c.newPeople;
    state.leftovers = c.leftovers;
    if (c.error.length > 0) log.warn("clustering: " + c.error);
  }
  recount();
  state.phase = "done";
  step.progress(state.total, state.total, "done");
  log.info("analysed " + state.analysed.toString() + ", skipped " + state.skipped.toString() + ", errors " + state.errors.toString() + ", new people " + state.newPeople.toString());
  jobs.checkpoint<AnalyzeState>(state);
  return step.finish();
}

// ---- recluster: the leftovers (and, with full, the unnamed people) clustered again ----

@json
class ReclusterInput {
  /** Dissolve unnamed people first, so every unnamed face is clustered again with the current thresholds. */
  full: bool = false;
}

@json
class ReclusterState {
  dissolved: i32 = 0;
  stats: ClusterStats = new ClusterStats();
}

export function job_recluster(): i32 {
  const step = JobStep.read<ReclusterInput, ReclusterState>();
  const s = settings();
  const state = new ReclusterState();
  if (!s.face_recognition) {
    purgeFaceData();
    step.progress(1, 1, "face recognition is off");
    return step.finish();
  }
  if (step.input.full) state.dissolved = dissolveUnnamed();
  state.stats = clusterPending(s, 20000);
  step.progress(1, 1, "new people " + state.stats.newPeople.toString());
  jobs.checkpoint<ReclusterState>(state);
  return step.finish();
}

// ---- people actions ----

@json
class PeopleParams {
  /** The model the action was started on (a Person or a PhotoAnalysis), for the face choices. */
  fromId: string = "";
  personId: string = "";
  otherId: string = "";
  name: string = "";
  faceId: string = "";
  faceIds: string[] = [];
  hidden: bool = true;
  by: string = "person";
}

function params(): PeopleParams {
  return Host.input<ActionRequest>().paramsAs<PeopleParams>();
}

function personLabel(id: string): string {
  const r = models.get<Person>(id);
  if (!r.ok) return "unknown person";
  return r.value.data.name.length > 0 ? r.value.data.name : "an unnamed person (" + r.value.data.faceCount.toString() + " faces)";
}

function preview(title: string, change: string, reversible: bool, problem: string = ""): i32 {
  const p = new ActionPreview(title);
  if (problem.length > 0) p.warnings.push(problem);
  else p.changes.push(ActionChange.of<string>(change, ""));
  p.reversible = reversible;
  Host.output<ActionPreview>(p);
  return 0;
}

function outcome(problem: string, message: string): i32 {
  if (problem.length > 0) return Host.fail(problem);
  Host.output<ActionOutcome>(ActionOutcome.of(1, message));
  return 0;
}

export function action_name_person_preview(): i32 {
  const p = params();
  return preview("Name " + personLabel(p.personId), "name them " + p.name + " and tag their photos #person:" + p.name, false, p.name.trim().length == 0 ? "a name cannot be empty" : "");
}
export function action_name_person_execute(): i32 {
  const p = params();
  return outcome(namePerson(p.personId, p.name), "Named " + p.name);
}

export function action_merge_people_preview(): i32 {
  const p = params();
  return preview("Merge people", "merge " + personLabel(p.otherId) + " into " + personLabel(p.personId), true);
}
export function action_merge_people_execute(): i32 {
  const p = params();
  return outcome(merge(p.personId, p.otherId), "Merged");
}
/** Undo of a merge (the core's action undo): the merged person gets their faces back. */
export function action_merge_people_undo(): i32 {
  const p = params();
  return outcome(unmerge(p.otherId), "Un-merged");
}

/** Who "Undo merge" splits out: the person itself when it was merged, else everyone merged into it. */
function unmergeTargets(personId: string): string[] {
  const out: string[] = [];
  const r = models.get<Person>(personId);
  if (r.ok && r.value.data.mergedInto.length > 0) {
    out.push(personId);
    return out;
  }
  const merged = allOf<Person>(Person.MODEL, new ModelQuery().whereStr("mergedInto", personId));
  if (merged.ok) for (let i = 0; i < merged.value.length; i++) out.push(merged.value[i].id);
  return out;
}

export function action_unmerge_person_preview(): i32 {
  const p = params();
  const targets = unmergeTargets(p.personId);
  const out = new ActionPreview("Un-merge");
  for (let i = 0; i < targets.length; i++) out.changes.push(ActionChange.of<string>("split " + personLabel(targets[i]) + " out again", targets[i]));
  if (targets.length == 0) out.warnings.push(personLabel(p.personId) + " was not merged with anyone");
  Host.output<ActionPreview>(out);
  return 0;
}
export function action_unmerge_person_execute(): i32 {
  const targets = unmergeTargets(params().personId);
  for (let i = 0; i < targets.length; i++) {
    const problem = unmerge(targets[i]);
    if (problem.length > 0) return Host.fail(problem);
  }
  Host.output<ActionOutcome>(ActionOutcome.of(targets.length, "Un-merged " + targets.length.toString()));
  return 0;
}

// ---- choices for the face-level actions: the faces of the model the action was started on (or of the
// selected photos), each with its crop, and the people to move or assign them to ----

/** A photo's file name by the entry it was analysed through ("a photo" when it is not visible any more). */
class PhotoNames {
  ids: string[] = [];
  names: string[] = [];

  /** Looks up the names of `analyses`' entries in one call. */
  load(analyses: ModelRecord<PhotoAnalysis>[]): PhotoNames {
    const ids: string[] = [];
    for (let i = 0; i < analyses.length && ids.length < 1000; i++) if (analyses[i].data.entryId.length > 0) ids.push(analyses[i].data.entryId);
    const found = vdfs.getEntries(ids);
    if (found.ok) {
      for (let i = 0; i < found.value.items.length; i++) {
        this.ids.push(found.value.items[i].id);
        this.names.push(found.value.items[i].name);
      }
    }
    return this;
  }

  of(entryId: string): string {
    const i = this.ids.indexOf(entryId);
    return i < 0 ? "a photo" : this.names[i];
  }
}

/** Adds the faces of one analysed photo, named by its file, with crops as fractions of the photo. */
function addFaces(o: ActionOptions, contentId: string, rec: ModelRecord<PhotoAnalysis>, onlyIds: string[] | null, withPeople: bool, names: PhotoNames): void {
  const a = rec.data;
  for (let i = 0; i < a.faces.length && o.options.length < 500; i++) {
    const f = a.faces[i];
    const id = faceId(contentId, i);
    if (f.notFace || (onlyIds !== null && !onlyIds.includes(id))) continue;
    let label = names.of(a.entryId);
    if (a.faces.length > 1) label += ", face " + (i + 1).toString();
    if (withPeople && f.personId.length > 0) label += " (" + personLabel(f.personId) + ")";
    else if (withPeople) label += " (not grouped yet)";
    if (a.width > 0 && a.height > 0) o.add(id, label, contentId, f.x / a.width, f.y / a.height, f.width / a.width, f.height / a.height);
    else o.add(id, label, contentId);
  }
}

/** The faces the user may choose: of the chosen person, of the chosen photo, or of the selected photos. */
function faceOptions(p: PeopleParams, entryIds: string[]): ActionOptions {
  const o = new ActionOptions();
  if (p.fromId.length > 0) {
    const from = models.get<JSON.Raw>(p.fromId);
    if (!from.ok) return o;
    if (from.value.type == "Person") {
      const person = models.get<Person>(p.fromId);
      if (!person.ok) return o;
      const ids = person.value.data.faceIds;
      const contents: string[] = [];
      const recs: ModelRecord<PhotoAnalysis>[] = [];
      for (let i = 0; i < ids.length && recs.length < 500; i++) {
        const c = ids[i].substring(0, ids[i].lastIndexOf(":"));
        if (contents.includes(c)) continue;
        const rec = onContent<PhotoAnalysis>(PhotoAnalysis.MODEL, c);
        if (rec === null) continue;
        contents.push(c);
        recs.push(rec);
      }
      const names = new PhotoNames().load(recs);
      for (let i = 0; i < recs.length; i++) addFaces(o, contents[i], recs[i], ids, false, names);
      return o;
    }
    if (from.value.type != "PhotoAnalysis" || from.value.contentId === null) return o;
    const photo = models.get<PhotoAnalysis>(p.fromId);
    if (photo.ok) addFaces(o, photo.value.contentId!, photo.value, null, true, new PhotoNames().load([photo.value]));
    return o;
  }
  if (entryIds.length > 0) {
    const entries = vdfs.getEntries(entryIds);
    if (entries.ok) {
      const contents: string[] = [];
      const recs: ModelRecord<PhotoAnalysis>[] = [];
      for (let i = 0; i < entries.value.items.length; i++) {
        const c = entries.value.items[i].contentId;
        if (c === null || contents.includes(c!)) continue;
        const rec = onContent<PhotoAnalysis>(PhotoAnalysis.MODEL, c!);
        if (rec === null) continue;
        contents.push(c!);
        recs.push(rec);
      }
      const names = new PhotoNames().load(recs);
      for (let i = 0; i < recs.length; i++) addFaces(o, contents[i], recs[i], null, true, names);
    }
  }
  return o;
}

/** The people faces may go to (not the one they come from), each with their cover. */
function peopleOptions(exceptId: string): ActionOptions {
  const o = new ActionOptions();
  const people = allOf<Person>(Person.MODEL, new ModelQuery().whereNum("visible", 1));
  if (!people.ok) return o;
  for (let i = 0; i < people.value.length && o.options.length < 500; i++) {
    const r = people.value[i];
    if (r.id == exceptId) continue;
    const d = r.data;
    const label = d.name.length > 0 ? d.name : "Unnamed (" + d.faceCount.toString() + " photos)";
    if (d.coverContentId.length > 0 && d.coverWidth > 0 && d.coverWidth <= 1) o.add(r.id, label, d.coverContentId, d.coverX, d.coverY, d.coverWidth, d.coverHeight);
    else o.add(r.id, label);
  }
  return o;
}

/** Options export shared by the face actions: faces for faceId/faceIds, people for personId. */
function faceActionOptions(): i32 {
  const req = Host.input<ActionRequest>();
  const p = req.paramsAs<PeopleParams>();
  Host.output<ActionOptions>(req.param == "personId" ? peopleOptions(p.fromId) : faceOptions(p, req.entryIds));
  return 0;
}

export function action_move_face_options(): i32 {
  return faceActionOptions();
}
export function action_not_a_face_options(): i32 {
  return faceActionOptions();
}
export function action_assign_faces_options(): i32 {
  return faceActionOptions();
}

export function action_move_face_preview(): i32 {
  const p = params();
  return preview("Move a face", "move face " + p.faceId + " to " + personLabel(p.personId), true);
}
export function action_move_face_execute(): i32 {
  const p = params();
  return outcome(assign([p.faceId], p.personId, ""), "Moved");
}

export function action_hide_person_preview(): i32 {
  const p = params();
  return preview(p.hidden ? "Hide a person" : "Show a person", (p.hidden ? "hide " : "show ") + personLabel(p.personId), true);
}
export function action_hide_person_execute(): i32 {
  const p = params();
  return outcome(hidePerson(p.personId, p.hidden), p.hidden ? "Hidden" : "Shown");
}

export function action_not_a_face_preview(): i32 {
  const p = params();
  return preview("Not a face", "forget face " + p.faceId + " and never group it again", false);
}
export function action_not_a_face_execute(): i32 {
  const p = params();
  return outcome(notAFace(p.faceId), "Marked as not a face");
}

export function action_assign_faces_preview(): i32 {
  const p = params();
  const to = p.personId.length > 0 ? personLabel(p.personId) : "a new person " + p.name;
  return preview("Assign faces", "assign " + p.faceIds.length.toString() + " faces to " + to, true, p.faceIds.length == 0 ? "no faces selected" : "");
}
export function action_assign_faces_execute(): i32 {
  const p = params();
  return outcome(assign(p.faceIds, p.personId, p.name), "Assigned " + p.faceIds.length.toString() + " faces");
}

// ---- organize_photos: albums (collections) by person or by place ----

/** An album to make: title, contents, the model it comes from. */
class PlannedAlbum {
  constructor(public title: string, public kind: string, public sourceId: string, public contents: string[]) {}
}

function contentsAtPlace(placeId: string): string[] {
  const r = allOf<PhotoAnalysis>(PhotoAnalysis.MODEL, new ModelQuery().whereStr("placeId", placeId));
  const out: string[] = [];
  if (r.ok) for (let i = 0; i < r.value.length; i++) out.push(r.value[i].contentId!);
  return out;
}

function planAlbums(by: string, onlyPerson: string = ""): PlannedAlbum[] {
  const out: PlannedAlbum[] = [];
  if (by == "place") {
    const places = allOf<Place>(Place.MODEL, new ModelQuery());
    if (places.ok) for (let i = 0; i < places.value.length; i++) {
      const pl = places.value[i];
      const c = contentsAtPlace(pl.id);
      if (c.length > 0) out.push(new PlannedAlbum("Photos in " + pl.data.label, "place", pl.id, c));
    }
    return out;
  }
  const people = allOf<Person>(Person.MODEL, new ModelQuery().whereBool("active", true));
  if (people.ok) for (let i = 0; i < people.value.length; i++) {
    const p = people.value[i];
    if (onlyPerson.length > 0 ? p.id != onlyPerson : (p.data.name.length == 0 || p.data.hidden)) continue;
    const title = "Photos of " + (p.data.name.length > 0 ? p.data.name : "an unnamed person");
    out.push(new PlannedAlbum(title, "person", p.id, contentsOf(p.data)));
  }
  return out;
}

function makeAlbum(plan: PlannedAlbum): string {
  const key = "album:" + plan.kind + ":" + plan.sourceId;
  const existing = allOf<Album>(Album.MODEL, new ModelQuery().whereStr("sourceId", plan.sourceId).whereStr("kind", plan.kind));
  let collectionId = "";
  if (existing.ok && existing.value.length > 0) collectionId = existing.value[0].data.collectionId;
  if (collectionId.length == 0) {
    const c = collections.create(plan.title, "made by Photos");
    if (!c.ok) return "";
    collectionId = c.value.id;
  }
  for (let i = 0; i < plan.contents.length; i += 500) collections.addItems(collectionId, new ItemRefs().contents(plan.contents.slice(i, i + 500)));
  const album = new Album();
  album.title = plan.title;
  album.kind = plan.kind;
  album.sourceId = plan.sourceId;
  album.collectionId = collectionId;
  album.count = plan.contents.length;
  models.create<Album>(Album.MODEL, album, null, key);
  return collectionId;
}

export function action_organize_photos_preview(): i32 {
  const p = params();
  const plans = planAlbums(p.by);
  const out = new ActionPreview(p.by == "place" ? "Albums by place" : "Albums by person");
  for (let i = 0; i < plans.length; i++) out.changes.push(ActionChange.of<string>(plans[i].title + ": " + plans[i].contents.length.toString() + " photos", plans[i].sourceId));
  if (plans.length == 0) out.warnings.push(p.by == "place" ? "no places yet: run Analyse photos" : "no named people yet: name someone first");
  out.reversible = true;
  Host.output<ActionPreview>(out);
  return 0;
}

export function action_organize_photos_execute(): i32 {
  const p = params();
  const plans = planAlbums(p.by);
  let made = 0;
  for (let i = 0; i < plans.length; i++) if (makeAlbum(plans[i]).length > 0) made++;
  Host.output<ActionOutcome>(ActionOutcome.of(made, "Made " + made.toString() + " albums"));
  return 0;
}

// ---- context menu: Find this person, Show on map ----

/** The people on the selected photos, or the person named in params. */
function peopleFor(req: ActionRequest, p: PeopleParams): string[] {
  const out: string[] = [];
  if (p.personId.length > 0) { out.push(p.personId); return out; }
  const found = vdfs.getEntries(req.entryIds);
  if (!found.ok) return out;
  for (let i = 0; i < found.value.items.length; i++) {
    const c = found.value.items[i].contentId;
    if (c === null) continue;
    const a = models.getByContent<PhotoAnalysis>(PhotoAnalysis.MODEL, c!);
    if (!a.ok || a.value.length == 0) continue;
    const faces = a.value[0].data.faces;
    for (let j = 0; j < faces.length; j++) if (faces[j].personId.length > 0 && !contains(out, faces[j].personId)) out.push(faces[j].personId);
  }
  return out;
}

export function action_find_person_preview(): i32 {
  const req = Host.input<ActionRequest>();
  const p = req.paramsAs<PeopleParams>();
  const people = peopleFor(req, p);
  const out = new ActionPreview("Find this person");
  for (let i = 0; i < people.length; i++) {
    const plan = planAlbums("person", people[i]);
    if (plan.length > 0) out.changes.push(ActionChange.of<string>(plan[0].title + ": " + plan[0].contents.length.toString() + " photos", people[i]));
  }
  if (people.length == 0) out.warnings.push("no known person on these photos");
  out.reversible = true;
  Host.output<ActionPreview>(out);
  return 0;
}

export function action_find_person_execute(): i32 {
  const req = Host.input<ActionRequest>();
  const p = req.paramsAs<PeopleParams>();
  const people = peopleFor(req, p);
  const ids: string[] = [];
  for (let i = 0; i < people.length; i++) {
    const plan = planAlbums("person", people[i]);
    if (plan.length > 0) {
      const c = makeAlbum(plan[0]);
      if (c.length > 0) ids.push(c);
    }
  }
  Host.output<ActionOutcome>(ActionOutcome.of(ids.length, ids.length > 0 ? "collection " + ids.join(",") : "no known person on these photos"));
  return 0;
}

@json
class MapPoint {
  entryId: string = "";
  latitude: f64 = 0;
  longitude: f64 = 0;
  placeId: string = "";
}

function pointsFor(req: ActionRequest): MapPoint[] {
  const out: MapPoint[] = [];
  const found = vdfs.getEntries(req.entryIds);
  if (!found.ok) return out;
  for (let i = 0; i < found.value.items.length; i++) {
    const e = found.value.items[i];
    if (e.contentId === null) continue;
    const a = models.getByContent<PhotoAnalysis>(PhotoAnalysis.MODEL, e.contentId!);
    if (!a.ok || a.value.length == 0 || !a.value[0].data.hasGps) continue;
    const m = new MapPoint();
    m.entryId = e.id;
    m.latitude = a.value[0].data.latitude;
    m.longitude = a.value[0].data.longitude;
    m.placeId = a.value[0].data.placeId;
    out.push(m);
  }
  return out;
}

export function action_show_on_map_preview(): i32 {
  const req = Host.input<ActionRequest>();
  const points = pointsFor(req);
  const out = new ActionPreview("Show on map");
  for (let i = 0; i < points.length; i++) out.changes.push(ActionChange.of<MapPoint>(points[i].latitude.toString() + ", " + points[i].longitude.toString(), points[i]));
  if (points.length == 0) out.warnings.push("no GPS position on these photos");
  out.reversible = true;
  Host.output<ActionPreview>(out);
  return 0;
}

export function action_show_on_map_execute(): i32 {
  const req = Host.input<ActionRequest>();
  const points = pointsFor(req);
  Host.output<ActionOutcome>(ActionOutcome.of(points.length, points.length > 0 ? JSON.stringify<MapPoint[]>(points) : "no GPS position on these photos"));
  return 0;
}

// ---- reset: remove everything Photos created ----

const ALL_TYPES: string[] = ["PhotoAnalysis", "Person", "Place", "Album", "Moment"];

@json
class ModelIds {
  items: IdOnly[] = [];
  total: f64 = 0;
}
@json
class IdOnly {
  id: string = "";
}

function countOf(type: string): i32 {
  const r = vdfsCall<ModelIds>("models.query", new JsonObject().str("type", type).num("limit", 1).toString());
  return r.ok ? <i32>r.value.total : 0;
}

export function action_reset_preview(): i32 {
  const out = new ActionPreview("Remove everything Photos created");
  for (let i = 0; i < ALL_TYPES.length; i++) out.changes.push(ActionChange.of<string>("delete " + countOf(ALL_TYPES[i]).toString() + " " + ALL_TYPES[i], ALL_TYPES[i]));
  out.changes.push(ActionChange.of<string>("delete the albums' collections", "collections"));
  out.changes.push(ActionChange.of<string>("remove the #person: tags Photos put on photos (tags you added yourself stay)", "tags"));
  out.reversible = false;
  Host.output<ActionPreview>(out);
  return 0;
}

export function action_reset_execute(): i32 {
  let removed = 0;
  // The #person: tags Photos applied (the user's own applications of the same tags stay).
  const people = allOf<Person>(Person.MODEL, new ModelQuery());
  if (people.ok) for (let i = 0; i < people.value.length; i++) {
    const p = people.value[i].data;
    if (p.name.length == 0) continue;
    const contents = contentsOf(p);
    for (let j = 0; j < contents.length; j += 1000) {
      const r = tags.removeFromContent(contents.slice(j, j + 1000), personTag(p.name));
      if (r.ok) removed += <i32>r.value.removed;
      else log.warn("cannot remove " + personTag(p.name) + ": " + r.error!.toString());
    }
  }
  const albums = allOf<Album>(Album.MODEL, new ModelQuery());
  if (albums.ok) for (let i = 0; i < albums.value.length; i++) {
    const c = albums.value[i].data.collectionId;
    if (c.length > 0 && vdfsCall<JSON.Raw>("collections.delete", new JsonObject().str("collectionId", c).toString()).ok) removed++;
  }
  for (let t = 0; t < ALL_TYPES.length; t++) {
    // Delete page by page from the start until none is left (each round sees what the last one left).
    for (let round = 0; round < 10000; round++) {
      const page = vdfsCall<ModelIds>("models.query", new JsonObject().str("type", ALL_TYPES[t]).num("limit", 500).toString());
      if (!page.ok || page.value.items.length == 0) break;
      for (let i = 0; i < page.value.items.length; i++) if (models.remove(page.value.items[i].id).ok) removed++;
    }
  }
  Host.output<ActionOutcome>(ActionOutcome.of(removed, "Removed " + removed.toString() + " things Photos made"));
  return 0;
}

// ---- hook: analyse newly identified photos in small batches when auto-analyse is on ----

/**
 * With auto_analyse on, the photos of each batch (the hook's batch_size, a few at a time) are handed to an
 * analyze_photos job of their own (`jobs.start`): face detection and geocoding are host tasks, which only job
 * steps can ask for. Items are `{contentId, entryId}` (a copy Photos may read).
 */
export function on_content_identified(): i32 {
  const batch = Host.input<HookBatch>();
  const s = settings();
  const o = new JsonObject().bool("autoAnalyse", s.auto_analyse);
  const input = new AnalyzeInput();
  for (let i = 0; i < batch.items.length; i++) {
    const item = batch.itemAs<PhotoRef>(i);
    if (item.contentId.length > 0 && item.entryId.length > 0) input.items.push(item);
  }
  let queued = 0;
  if (s.auto_analyse && input.items.length > 0) {
    const err = jobs.start<AnalyzeInput>("analyze_photos", input);
    if (err === null) queued = input.items.length;
    else log.warn("could not start analyze_photos for " + input.items.length.toString() + " new photos: " + err.message);
  }
  Host.outputString(o.num("queued", queued).toString());
  return 0;
}
