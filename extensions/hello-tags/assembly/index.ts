// Hello Tags: one job, `tag_files`, that pages through the files Cairn lets it see (only the folders the
// user granted) and tags each file's content with `<prefix>/<Kind>`, e.g. `Kinds/Image`.
import { Host, vdfs, EntryQuery, tags, JobStep, config, log } from "cairn-sdk";

/** The job's input: nothing to configure per run. */
@json
class TagInput {}

/** Where the job is: the next page offset and how many files it tagged. */
@json
class TagState {
  offset: i32 = 0;
  tagged: i32 = 0;
}

const PAGE = 200;

function title(kind: string): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** One step: tag one page of entries, then checkpoint (or finish on the last page). */
export function job_tag_files(): i32 {
  const step = JobStep.read<TagInput, TagState>();
  const state = step.checkpoint !== null ? step.checkpoint! : new TagState();
  const prefix = config.getString("prefix", "Kinds");

  const page = vdfs.queryEntries(new EntryQuery().sortBy("name").page(state.offset, PAGE));
  if (!page.ok) return Host.failWith(page.error!);

  // Group content ids by kind, so each kind is one host call.
  const kinds = new Map<string, string[]>();
  const items = page.value.items;
  for (let i = 0; i < items.length; i++) {
    const e = items[i];
    if (e.kind != "file" || e.contentId === null || e.fileKind === null) continue;
    const k = e.fileKind!;
    if (!kinds.has(k)) kinds.set(k, []);
    kinds.get(k).push(e.contentId!);
  }
  const keys = kinds.keys();
  for (let i = 0; i < keys.length; i++) {
    const ids = kinds.get(keys[i]);
    const r = tags.addToContent(ids, prefix + "/" + title(keys[i]));
    if (!r.ok) return Host.failWith(r.error!);
    state.tagged += ids.length;
  }

  state.offset += items.length;
  step.progress(state.offset, <i32>page.value.total, "tagged " + state.tagged.toString() + " files");
  if (items.length < PAGE) {
    log.info("hello-tags: tagged " + state.tagged.toString() + " files");
    return step.finish();
  }
  return step.yieldStep(state);
}
