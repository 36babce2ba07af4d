// Exercises every SDK API. `task_probe` runs one named case and answers a JSON object of observations;
// the job, task, action and hook exports are the real thing. See test/test-extension.test.ts.
import {
  Host, JsonObject, Result, VdfsError, vdfsCallRaw, config, vars, log, vdfs, EntryQuery, EntryPager,
  models, ModelDescriptor, ModelQuery, BlobValues, tags, collections, ItemRefs, jobs, JobStep, TaskCall,
  ActionPreview, ActionChange, ActionOutcome, ActionRequest, ActionOptions, HookBatch,
} from "cairn-sdk";

// ---- models, declared once ----

@json
class FileNote {
  static readonly MODEL: ModelDescriptor = new ModelDescriptor("FileNote", "content", "shared", ["preview"]);
  label: string = "";
  name: string = "";
  size: f64 = 0;
}

@json
class Album {
  static readonly MODEL: ModelDescriptor = new ModelDescriptor("Album", "standalone", "shared", ["cover"]);
  title: string = "";
  count: i32 = 0;
}

@json
class PathMark {
  static readonly MODEL: ModelDescriptor = new ModelDescriptor("PathMark", "entry", "device_owned", []);
  seen: bool = true;
}

@json
class Settings {
  label_prefix: string = "";
  page_size: f64 = 0;
  verbose: bool = false;
  mode: string = "";
}

@json
class Probe {
  case: string = "";
  text: string = "";
  entryId: string = "";
  contentId: string = "";
  otherEntryId: string = "";
}

function err(e: VdfsError | null): string {
  return e === null ? "ok" : e.code;
}

function probeUtf8(p: Probe, o: JsonObject): void {
  vars.setString("last", p.text);
  o.str("echo", p.text).num("echoBytes", <f64>String.UTF8.byteLength(p.text));
  o.str("var", vars.getString("last")!);
  vars.remove("last");
  o.bool("varRemoved", vars.getString("last") === null);
  o.bool("missingConfig", config.get("nope") === null);
  const s = config.settings<Settings>();
  o.str("prefix", s.label_prefix).num("pageSize", s.page_size).bool("verbose", s.verbose).str("mode", s.mode);
  o.str("prefix2", config.getString("label_prefix", "?")).num("pageSize2", config.getNumber("page_size", -1)).bool("verbose2", config.getBool("verbose", true));
  o.str("fallback", config.getString("not_a_setting", "dflt"));
}

function probeLog(p: Probe, o: JsonObject): void {
  log.info("info: " + p.text);
  log.warn("warn: " + p.text);
  log.error("error: " + p.text);
  log.debug("debug is not forwarded");
  o.str("trace", err(log.trace("probe-span", 1.5, p.text)));
}

function probeEntries(p: Probe, o: JsonObject): void {
  const images = vdfs.queryEntries(new EntryQuery().kind("image").sortBy("name").page(0, 10));
  o.num("images", images.value.total);
  const names: string[] = [];
  const pager = new EntryPager(new EntryQuery().kind("text").sortBy("name", true).page(0, 1));
  let pages = 0;
  while (pager.hasNext()) {
    const page = pager.next();
    if (!page.ok) break;
    pages++;
    for (let i = 0; i < page.value.items.length; i++) names.push(page.value.items[i].name);
  }
  o.num("pages", pages).strs("textNames", names);
  const batch = vdfs.getEntries([p.entryId, "00000000-0000-4000-8000-000000000000"]);
  o.num("batchFound", batch.value.items.length).num("batchMissing", batch.value.missing.length);
  const one = vdfs.getEntry(p.entryId);
  o.str("oneName", one.ok ? one.value.name : "?");
  o.str("missing", err(vdfs.getEntry("00000000-0000-4000-8000-000000000000").error));
  const found = vdfs.searchEntries("readme");
  o.num("search", found.ok ? found.value.total : -1);
  o.str("badLimit", err(vdfs.queryEntries(new EntryQuery().page(0, 5000)).error));
}

function probeBytes(p: Probe, o: JsonObject): void {
  const r = vdfs.readEntryBytes(p.entryId);
  o.str("text", r.ok ? r.value.text() : err(r.error)).bool("eof", r.ok && r.value.eof);
  const part = vdfs.readEntryBytes(p.entryId, 1, 3);
  o.str("part", part.ok ? part.value.text() : err(part.error));
  const byPath = vdfs.readPathBytes(p.otherEntryId, p.text);
  o.str("byPath", byPath.ok ? byPath.value.text() : err(byPath.error));
  o.str("outside", err(vdfs.readPathBytes(p.otherEntryId, "../../etc/passwd").error));
}

function probeSidecars(p: Probe, o: JsonObject): void {
  const body = Uint8Array.wrap(String.UTF8.encode(p.text, false));
  const w = vdfs.writeSidecar(p.contentId, "note", "", "txt", body);
  o.str("write", err(w.error));
  const r = vdfs.readSidecar(p.contentId, "note");
  if (r.ok) {
    const b = r.value.bytes();
    o.str("read", String.UTF8.decodeUnsafe(b.dataStart, <usize>b.length, false)).str("format", r.value.format);
  } else o.str("read", err(r.error));
  o.str("missingVariant", err(vdfs.readSidecar(p.contentId, "note", "absent").error));
  o.str("badKind", err(vdfs.writeSidecar(p.contentId, "Bad Kind!", "", "txt", body).error));
}

function probeModels(p: Probe, o: JsonObject): void {
  const note = new FileNote();
  note.label = "first";
  note.name = p.text;
  const created = models.createForContent<FileNote>(FileNote.MODEL, p.contentId, note, new BlobValues().set<string>("preview", "big ✓ preview"), "note:" + p.contentId);
  o.str("create", err(created.error));
  if (!created.ok) return;
  const rec = created.value;
  o.str("scope", rec.scope).strs("blobFields", rec.blobFields).str("name", rec.data.name);
  // A keyed create again updates the same model (and replaces its blobs: pass them again).
  const again = models.createForContent<FileNote>(FileNote.MODEL, p.contentId, note, new BlobValues().set<string>("preview", "big ✓ preview"), "note:" + p.contentId);
  o.bool("idempotent", again.ok && again.value.id == rec.id);
  const listed = models.getByContent<FileNote>(FileNote.MODEL, p.contentId);
  o.num("byContent", listed.ok ? listed.value.length : -1);
  const lazy = listed.value[0].blob<string>("preview");
  o.str("lazyBlob", lazy.ok ? lazy.value : err(lazy.error));
  const queried = models.query<FileNote>(FileNote.MODEL, new ModelQuery().whereStr("label", "first").page(0, 10));
  o.num("queried", queried.ok ? queried.value.total : -1);
  const none = models.query<FileNote>(FileNote.MODEL, new ModelQuery().whereStr("label", "nope"));
  o.num("queriedNone", none.ok ? none.value.total : -1);
  note.label = "second";
  const updated = models.update<FileNote>(FileNote.MODEL, rec.id, note, true, new BlobValues().clear("preview"));
  o.str("updatedLabel", updated.ok ? updated.value.data.label : err(updated.error));
  o.str("clearedBlob", err(models.getBlob<string>(rec.id, "preview").error));
  // Scope and blob-field mistakes are caught in the guest, before any host call.
  o.str("wrongScope", err(models.create<FileNote>(FileNote.MODEL, note).error));
  o.str("undeclaredBlob", err(models.createForContent<FileNote>(FileNote.MODEL, p.contentId, note, new BlobValues().set<i32>("nope", 1)).error));
  const album = new Album();
  album.title = "Été 2024";
  album.count = 2;
  const a = models.create<Album>(Album.MODEL, album, new BlobValues().set<f64[]>("cover", [1.5, 2.5]));
  o.str("album", a.ok ? a.value.data.title : err(a.error)).str("albumScope", a.ok ? a.value.scope : "?");
  if (a.ok) {
    const cover = models.getBlob<f64[]>(a.value.id, "cover");
    o.num("cover", cover.ok ? cover.value[1] : -1);
    const fetched = models.get<Album>(a.value.id);
    o.num("albumCount", fetched.ok ? fetched.value.data.count : -1);
    o.str("albumTag", err(tags.addToModel(a.value.id, "Albums/Summer", 0.5).error));
  }
  const mark = models.create<PathMark>(PathMark.MODEL, new PathMark(), null, null, p.entryId);
  o.str("mark", mark.ok ? mark.value.scope + ":" + mark.value.syncStrategy : err(mark.error));
  o.str("entryNeedsId", err(models.create<PathMark>(PathMark.MODEL, new PathMark()).error));
  o.str("delete", err(models.remove(rec.id).error));
  o.str("afterDelete", err(models.get<FileNote>(rec.id).error));
  o.str("unknownContent", err(models.createForContent<FileNote>(FileNote.MODEL, "00000000-0000-4000-8000-000000000000", note).error));
}

function probeTags(p: Probe, o: JsonObject): void {
  const r = tags.addToContent([p.contentId], "Colours/Vert ✓", 0.75);
  o.str("add", err(r.error)).num("applied", r.ok ? r.value.applied : -1);
  const again = tags.addToContent([p.contentId], "Colours/Vert ✓");
  o.num("appliedAgain", again.ok ? again.value.applied : -1);
  o.str("emptyPart", err(tags.addToContent([p.contentId], "A//B").error));
  // Only the applications this extension made come off (the user's own stay: see the bridge tests).
  tags.addToContent([p.contentId], "Colours/Passing");
  const removed = tags.removeFromContent([p.contentId], "Colours/Passing");
  o.num("removed", removed.ok ? removed.value.removed : -1);
  const removedAgain = tags.removeFromContent([p.contentId], "Colours/Passing");
  o.num("removedAgain", removedAgain.ok ? removedAgain.value.removed : -1);
  const list = tags.list();
  const paths: string[] = [];
  if (list.ok) for (let i = 0; i < list.value.length; i++) paths.push(list.value[i].path);
  o.strs("paths", paths);
}

function probeCollections(p: Probe, o: JsonObject): void {
  const c = collections.create("Pick ★", "by the test extension");
  o.str("create", err(c.error));
  if (!c.ok) return;
  const added = collections.addItems(c.value.id, new ItemRefs().entries([p.entryId, p.otherEntryId]).contents([p.contentId]));
  o.num("added", added.ok ? added.value.added : -1);
  const items = collections.items(c.value.id);
  o.num("items", items.ok ? items.value.total : -1);
  const removed = collections.removeItems(c.value.id, new ItemRefs().entries([p.otherEntryId]));
  o.num("removed", removed.ok ? removed.value.removed : -1);
  const all = collections.list();
  o.num("collections", all.ok ? all.value.length : -1);
  o.str("unknown", err(collections.addItems("00000000-0000-4000-8000-000000000000", new ItemRefs().entries([p.entryId])).error));
}

function probeAi(p: Probe, o: JsonObject): void {
  // Inference is a host task of a job step; a direct call is refused like any method outside the bridge's table.
  const r = vdfsCallRaw("ai.detectFaces", '{"contentId":"' + p.contentId + '"}');
  o.str("faces", err(r.error)).str("message", r.error === null ? "" : r.error!.message);
}

function probeRuntime(p: Probe, o: JsonObject): void {
  o.str("progress", err(jobs.progress(1, 2, "half ½")));
  o.str("checkpoint", err(jobs.checkpoint<Album>(new Album())));
  const i = jobs.isInterrupted();
  o.bool("interrupted", i.ok && i.value);
  const raw = vdfsCallRaw("no.such", "{}");
  o.str("unknownOp", err(raw.error));
  o.str("invalid", err(vdfsCallRaw("tags.addToContent", '{"contentIds":[]}').error));
  const input = new JobInput();
  input.label = "from a task";
  o.str("started", err(jobs.start<JobInput>("index_notes", input)));
  o.str("startUndeclared", err(jobs.start<JobInput>("not_a_job", input)));
}

export function task_probe(): i32 {
  const p = TaskCall.read<Probe>().input;
  const o = new JsonObject().str("case", p.case);
  if (p.case == "utf8") probeUtf8(p, o);
  else if (p.case == "log") probeLog(p, o);
  else if (p.case == "entries") probeEntries(p, o);
  else if (p.case == "bytes") probeBytes(p, o);
  else if (p.case == "sidecars") probeSidecars(p, o);
  else if (p.case == "models") probeModels(p, o);
  else if (p.case == "tags") probeTags(p, o);
  else if (p.case == "collections") probeCollections(p, o);
  else if (p.case == "ai") probeAi(p, o);
  else if (p.case == "runtime") probeRuntime(p, o);
  else if (p.case == "fail") return Host.fail("failed on purpose: " + p.text);
  else if (p.case == "unwrap") {
    const r = Result.failure<string>("NOT_FOUND", "nothing here");
    o.str("never", r.unwrap());
  } else return Host.fail("unknown case " + p.case);
  Host.outputString(o.toString());
  return 0;
}

// ---- the job: one FileNote per file, through tasks, in steps of `page_size` entries ----

@json
class JobInput {
  label: string = "";
}

@json
class JobState {
  offset: i32 = 0;
  requested: i32 = 0;
  noted: i32 = 0;
  steps: i32 = 0;
}

@json
class NoteInput {
  entryId: string = "";
  contentId: string = "";
  name: string = "";
  label: string = "";
  size: f64 = 0;
}

@json
class NoteResult {
  modelId: string = "";
}

export function job_index_notes(): i32 {
  const step = JobStep.read<JobInput, JobState>();
  const state = step.checkpoint !== null ? step.checkpoint! : new JobState();
  state.steps++;
  // Results of the tasks the previous step asked for.
  for (let i = 0; i < step.completed.length; i++) {
    const r = step.result<NoteResult>(step.completed[i].key);
    if (r.ok && r.value.modelId.length > 0) state.noted++;
  }
  if (jobs.isInterrupted().value) {
    log.info("interrupted at offset " + state.offset.toString());
    return step.yieldStep(state);
  }
  const pageSize = <i32>config.getNumber("page_size", 2);
  const page = vdfs.queryEntries(new EntryQuery().sortBy("name").page(state.offset, pageSize));
  if (!page.ok) return Host.failWith(page.error!);
  const items = page.value.items;
  for (let i = 0; i < items.length; i++) {
    const e = items[i];
    if (e.kind != "file" || e.contentId === null) continue;
    const input = new NoteInput();
    input.entryId = e.id;
    input.contentId = e.contentId!;
    input.name = e.name;
    input.label = step.input.label;
    input.size = e.size;
    step.runTask<NoteInput>("note:" + e.contentId!, "note_one", input);
    state.requested++;
  }
  state.offset += items.length;
  jobs.progress(state.offset, <i32>page.value.total, "step " + state.steps.toString());
  jobs.checkpoint<JobState>(state);
  step.progress(state.offset, <i32>page.value.total, "noted " + state.noted.toString());
  if (items.length == 0) {
    log.info("notes written: " + state.noted.toString() + " of " + state.requested.toString());
    return step.finish();
  }
  return step.yieldStep(state);
}

export function task_note_one(): i32 {
  const call = TaskCall.read<NoteInput>();
  const input = call.input;
  if (input.label == "fail-all") return Host.fail("cannot note " + input.name);
  // "flaky" files fail on the first attempt only: the manifest gives this task one retry.
  if (input.name.includes("flaky") && vars.getString("tried:" + call.key) === null) {
    vars.setString("tried:" + call.key, "1");
    return Host.fail("flaky " + input.name);
  }
  const note = new FileNote();
  note.label = input.label.length > 0 ? input.label : config.getString("label_prefix", "Notes");
  note.name = input.name;
  note.size = input.size;
  const r = models.createForContent<FileNote>(FileNote.MODEL, input.contentId, note, null, "note:" + input.contentId);
  if (!r.ok) return Host.failWith(r.error!);
  const t = tags.addToContent([input.contentId], config.getString("label_prefix", "Notes") + "/Indexed");
  if (!t.ok) return Host.failWith(t.error!);
  const out = new NoteResult();
  out.modelId = r.value.id;
  Host.output<NoteResult>(out);
  return 0;
}

// ---- the action: tag the selection, with a preview ----

@json
class TagParams {
  tag: string = "";
}

export function action_tag_selection_preview(): i32 {
  const req = Host.input<ActionRequest>();
  const params = req.paramsAs<TagParams>();
  const found = vdfs.getEntries(req.entryIds);
  if (!found.ok) return Host.failWith(found.error!);
  const p = new ActionPreview("Tag " + found.value.items.length.toString() + " files as " + params.tag);
  p.reversible = false;
  for (let i = 0; i < found.value.items.length; i++) {
    const e = found.value.items[i];
    if (e.contentId === null) p.warnings.push(e.name + " has no content id yet");
    else p.changes.push(ActionChange.of<string>("tag " + e.relPath + " as " + params.tag, e.contentId!));
  }
  for (let i = 0; i < found.value.missing.length; i++) p.warnings.push("not found: " + found.value.missing[i]);
  Host.output<ActionPreview>(p);
  return 0;
}

export function action_tag_selection_execute(): i32 {
  const req = Host.input<ActionRequest>();
  const params = req.paramsAs<TagParams>();
  const found = vdfs.getEntries(req.entryIds);
  if (!found.ok) return Host.failWith(found.error!);
  const ids: string[] = [];
  for (let i = 0; i < found.value.items.length; i++) if (found.value.items[i].contentId !== null) ids.push(found.value.items[i].contentId!);
  if (ids.length == 0) {
    Host.output<ActionOutcome>(ActionOutcome.of(0, "nothing to tag"));
    return 0;
  }
  const r = tags.addToContent(ids, params.tag);
  if (!r.ok) return Host.failWith(r.error!);
  Host.output<ActionOutcome>(ActionOutcome.of(<i32>r.value.applied, "Tagged " + ids.length.toString() + " files"));
  return 0;
}

// ---- an undoable action: mark the selection (PathMark with seen = false), and unmark it on undo ----

export function action_mark_selection_preview(): i32 {
  const req = Host.input<ActionRequest>();
  const found = vdfs.getEntries(req.entryIds);
  if (!found.ok) return Host.failWith(found.error!);
  const p = new ActionPreview("Mark " + found.value.items.length.toString() + " entries");
  p.reversible = true;
  for (let i = 0; i < found.value.items.length; i++) p.changes.push(ActionChange.of<string>("mark " + found.value.items[i].relPath, found.value.items[i].id));
  if (found.value.items.length == 0) p.warnings.push("nothing selected");
  Host.output<ActionPreview>(p);
  return 0;
}

export function action_mark_selection_execute(): i32 {
  const req = Host.input<ActionRequest>();
  let marked = 0;
  for (let i = 0; i < req.entryIds.length; i++) {
    const mark = new PathMark();
    mark.seen = false;
    const r = models.create<PathMark>(PathMark.MODEL, mark, null, "action-mark:" + req.entryIds[i], req.entryIds[i]);
    if (!r.ok) return Host.failWith(r.error!);
    marked++;
  }
  Host.output<ActionOutcome>(ActionOutcome.of(marked, "Marked " + marked.toString() + " entries"));
  return 0;
}

export function action_mark_selection_undo(): i32 {
  const req = Host.input<ActionRequest>();
  let removed = 0;
  for (let i = 0; i < req.entryIds.length; i++) {
    const page = models.query<PathMark>(PathMark.MODEL, new ModelQuery().forEntry(req.entryIds[i]).whereBool("seen", false));
    if (!page.ok) return Host.failWith(page.error!);
    for (let j = 0; j < page.value.items.length; j++) if (models.remove(page.value.items[j].id).ok) removed++;
  }
  Host.output<ActionOutcome>(ActionOutcome.of(removed, "Unmarked " + removed.toString() + " entries"));
  return 0;
}

// ---- hostile actions: a preview that is not JSON, an execute that traps ----

export function action_broken_preview_preview(): i32 {
  Host.outputString("{ this is not json");
  return 0;
}

export function action_broken_preview_execute(): i32 {
  Host.output<ActionOutcome>(ActionOutcome.of(0, "never reached"));
  return 0;
}

export function action_trap_execute_preview(): i32 {
  const p = new ActionPreview("Trap on purpose");
  p.changes.push(ActionChange.of<string>("nothing, it traps", ""));
  Host.output<ActionPreview>(p);
  return 0;
}

export function action_trap_execute_execute(): i32 {
  unreachable();
  return 0;
}

// ---- a choice param: pick one of the selected files (and hostile option lists, by params.mode) ----

@json
class PickParams {
  mode: string = "";
  /** A content id outside the grant, listed with a picture the host must drop. */
  foreign: string = "";
  file: string = "";
}

export function action_pick_file_options(): i32 {
  const req = Host.input<ActionRequest>();
  const p = req.paramsAs<PickParams>();
  if (p.mode == "not-json") {
    Host.outputString("[ nope");
    return 0;
  }
  if (p.mode == "trap") unreachable();
  const o = new ActionOptions();
  if (p.mode == "too-many") {
    for (let i = 0; i < 501; i++) o.add("v" + i.toString(), "option " + i.toString());
  } else if (p.mode == "dup") {
    o.add("same", "one").add("same", "two");
  } else if (p.mode == "bad-crop") {
    o.add("x", "off the edge", "00000000-0000-4000-8000-000000000000", 0.8, 0.1, 0.5, 0.5);
  } else {
    const found = vdfs.getEntries(req.entryIds);
    if (!found.ok) return Host.failWith(found.error!);
    for (let i = 0; i < found.value.items.length; i++) {
      const e = found.value.items[i];
      if (e.contentId !== null) o.add(e.id, e.relPath, e.contentId!, 0.25, 0.25, 0.5, 0.5);
      else o.add(e.id, e.relPath);
    }
    if (p.foreign.length > 0) o.add("foreign", "outside", p.foreign);
  }
  Host.output<ActionOptions>(o);
  return 0;
}

export function action_pick_file_preview(): i32 {
  const p = Host.input<ActionRequest>().paramsAs<PickParams>();
  const preview = new ActionPreview("Pick " + p.file);
  preview.changes.push(ActionChange.of<string>("pick " + p.file, p.file));
  Host.output<ActionPreview>(preview);
  return 0;
}

export function action_pick_file_execute(): i32 {
  const p = Host.input<ActionRequest>().paramsAs<PickParams>();
  Host.output<ActionOutcome>(ActionOutcome.of(1, "Picked " + p.file));
  return 0;
}

// ---- the hook: mark newly created entries ----

@json
class EntryCreated {
  entryId: string = "";
}

export function on_entries_created(): i32 {
  const batch = Host.input<HookBatch>();
  let marked = 0;
  for (let i = 0; i < batch.items.length; i++) {
    const item = batch.itemAs<EntryCreated>(i);
    const r = models.create<PathMark>(PathMark.MODEL, new PathMark(), null, "mark:" + item.entryId, item.entryId);
    if (r.ok) marked++;
    else log.warn("cannot mark " + item.entryId + ": " + r.error!.toString());
  }
  Host.outputString(new JsonObject().str("event", batch.event).num("marked", marked).toString());
  return 0;
}
